/*
 * reply: handler results and the shared command runner (see reply.h).
 */
#include "reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmdtab.h"
#include "i18n.h"
#include "xmalloc.h"

int
reply_fail(struct reply *rep, int status, const char *fmt, ...)
{
	va_list ap;

	free(rep->error);
	va_start(ap, fmt);
	if (vasprintf(&rep->error, _(fmt), ap) == -1)
		rep->error = NULL;
	va_end(ap);
	rep->status = status;
	return -1;
}

int
reply_cause(struct reply *rep, int status, char *cause)
{
	free(rep->error);
	rep->error = cause != NULL ? cause : xstrdup("unknown error");
	rep->status = status;
	return -1;
}

void
reply_warn(struct reply *rep, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, _(fmt), ap) == -1)
		text = NULL;
	va_end(ap);
	if (text == NULL)
		return;
	if (rep->warnings == NULL)
		rep->warnings = json_array();
	json_array_append_new(rep->warnings, json_string(text));
	free(text);
}

void
reply_columns(struct reply *rep, const char *columns)
{
	const char *p = columns;
	size_t len;

	json_decref(rep->columns);
	rep->columns = json_array();
	while (*p != '\0') {
		len = strcspn(p, " ");
		json_array_append_new(rep->columns, json_stringn(p, len));
		p += len;
		p += strspn(p, " ");
	}
}

void
reply_clear(struct reply *rep)
{
	free(rep->error);
	json_decref(rep->data);
	json_decref(rep->columns);
	free(rep->text);
	json_decref(rep->file);
	json_decref(rep->warnings);
	memset(rep, 0, sizeof(*rep));
}

json_t *
reply_to_json(const struct reply *rep)
{
	json_t *obj = json_object();

	json_object_set_new(obj, "status", json_integer(rep->status));
	if (rep->error != NULL)
		json_object_set_new(obj, "error", json_string(rep->error));
	if (rep->data != NULL)
		json_object_set(obj, "data", rep->data);
	if (rep->columns != NULL)
		json_object_set(obj, "columns", rep->columns);
	if (rep->text != NULL)
		json_object_set_new(obj, "text", json_string(rep->text));
	if (rep->file != NULL)
		json_object_set(obj, "file", rep->file);
	if (rep->warnings != NULL)
		json_object_set(obj, "warnings", rep->warnings);
	return obj;
}

static void
unknown_command(char *const *argv, int argc, struct reply *rep)
{
	struct buf b, words;
	size_t i, len, group = 0;
	int w;

	/* The longest run of leading words that names a group of commands. */
	buf_init(&words);
	for (w = 0; w < argc && argv[w][0] != '-'; w++) {
		if (w > 0)
			buf_add_char(&words, ' ');
		buf_add_str(&words, argv[w]);
		if (!cmdtab_is_group(words.data))
			break;
		group = words.len;
	}
	buf_init(&b);
	if (group > 0) {
		words.data[group] = '\0';
		for (i = 0; cmdtab[i].name != NULL; i++)
			if (strncmp(cmdtab[i].name, words.data, group) == 0 &&
			    cmdtab[i].name[group] == ' ')
				buf_printf(&b, "%s%s", b.len ? ", " : "", cmdtab[i].name + group + 1);
		if (w < argc && argv[w][0] != '-')
			reply_fail(rep, 2, "unknown subcommand \"%.64s\" of \"%s\"; valid: %s",
			    argv[w], words.data, b.data);
		else
			reply_fail(rep, 2, "\"%s\" needs a subcommand: %s", words.data, b.data);
	} else {
		for (i = 0; cmdtab[i].name != NULL; i++) {
			len = strcspn(cmdtab[i].name, " ");
			/* The table is grouped, so a first word repeats only in a row. */
			if (i > 0 && strncmp(cmdtab[i - 1].name, cmdtab[i].name, len) == 0 &&
			    strcspn(cmdtab[i - 1].name, " ") == len)
				continue;
			buf_printf(&b, "%s%.*s", b.len ? " " : "", (int)len, cmdtab[i].name);
		}
		reply_fail(rep, 2, "unknown command \"%.64s\"; valid: %s",
		    argc > 0 ? argv[0] : "", b.data);
	}
	buf_free(&b);
	buf_free(&words);
}

const struct cmd_spec *
command_find(char *const *argv, int argc, int *used, struct reply *rep)
{
	const struct cmd_spec *cmd;

	if ((cmd = cmdtab_find(argv, argc, used)) == NULL)
		unknown_command(argv, argc, rep);
	return cmd;
}

handler_fn
command_handler(const struct handler *const *tables, const struct cmd_spec *cmd)
{
	const struct handler *h;

	for (; *tables != NULL; tables++)
		for (h = *tables; h->name != NULL; h++)
			if (strcmp(h->name, cmd->name) == 0)
				return h->fn;
	return NULL;
}

void
command_run(const struct request *base, const struct cmd_spec *cmd, handler_fn fn,
    char *const *argv, int argc, struct reply *rep)
{
	struct request req = *base;
	struct args args;
	char *cause = NULL;

	if (args_parse(cmd, argv, argc, &args, &cause) == -1) {
		reply_cause(rep, 2, cause);
		return;
	}
	req.args = &args;
	if (fn(&req, rep) == -1 && rep->status == 0)
		rep->status = 1;
	if (rep->status != 0 && rep->error == NULL)
		rep->error = xstrdup("failed");
}
