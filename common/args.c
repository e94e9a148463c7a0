/*
 * args: command-line words to positionals and options (see args.h).  The
 * one check of what a command needs: its positionals and its required
 * options, all named in one message.
 */
#include "args.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "i18n.h"
#include "xmalloc.h"

static int
unknown_option(const struct cmd_spec *cmd, const char *word, char **cause)
{
	struct buf b;
	size_t i;
	int rc;

	buf_init(&b);
	for (i = 0; cmd->opts != NULL && cmd->opts[i].name != NULL; i++)
		buf_printf(&b, "%s--%s", i ? " " : "", cmd->opts[i].name);
	if (b.len == 0)
		rc = set_cause(cause, "\"%s\" takes no option \"%.64s\"", cmd->name, word);
	else
		rc = set_cause(cause, "unknown option \"%.64s\" for \"%s\"; valid: %s",
		    word, cmd->name, b.data);
	buf_free(&b);
	return rc;
}

/* Starts the next item of a list: "A", "A and B", "A, B and C". */
static void
next_item(struct buf *b, size_t *n, size_t total)
{
	if (*n > 0)
		buf_add_str(b, *n + 1 == total ? _(" and ") : ", ");
	(*n)++;
}

/* A usage error naming the missing positionals and required options. */
static int
missing(const struct cmd_spec *cmd, const struct args *a, char **cause)
{
	const struct opt_spec *o;
	struct buf b;
	size_t total = 0, n = 0;
	bool positionals = a->npos < cmdtab_positional_required(cmd);
	int rc;

	if (positionals)
		total++;
	for (o = cmd->opts; o != NULL && o->name != NULL; o++)
		if (o->kind == OPT_REQUIRED && !args_has(a, o->name))
			total++;
	if (total == 0)
		return 0;
	buf_init(&b);
	if (positionals) {
		next_item(&b, &n, total);
		buf_add_str(&b, cmd->positionals);
	}
	for (o = cmd->opts; o != NULL && o->name != NULL; o++)
		if (o->kind == OPT_REQUIRED && !args_has(a, o->name)) {
			next_item(&b, &n, total);
			buf_printf(&b, "--%s %s", o->name, o->metavar);
		}
	rc = set_cause(cause, "\"%s\" needs %s", cmd->name, b.data);
	buf_free(&b);
	return rc;
}

int
args_parse(const struct cmd_spec *cmd, char *const *argv, int argc, struct args *out,
    char **cause)
{
	const struct opt_spec *spec;
	size_t want = cmdtab_positional_count(cmd);
	const char *word, *eq, *value;
	char name[64];
	bool options_done = false;
	int i;

	memset(out, 0, sizeof(*out));
	out->cmd = cmd;
	for (i = 0; i < argc; i++) {
		word = argv[i];
		if (!options_done && strcmp(word, "--") == 0) {
			options_done = true;
			continue;
		}
		if (options_done || strncmp(word, "--", 2) != 0 || word[2] == '\0') {
			if (out->npos >= want)
				return set_cause(cause, "superfluous argument \"%.64s\" for \"%s\"",
				    word, cmd->name);
			out->pos[out->npos++] = word;
			continue;
		}
		eq = strchr(word + 2, '=');
		if ((eq ? (size_t)(eq - word - 2) : strlen(word + 2)) >= sizeof(name))
			return unknown_option(cmd, word, cause);
		snprintf(name, sizeof(name), "%.*s",
		    (int)(eq ? (size_t)(eq - word - 2) : strlen(word + 2)), word + 2);
		if ((spec = cmdtab_option(cmd, name)) == NULL)
			return unknown_option(cmd, word, cause);
		value = NULL;
		if (spec->kind == OPT_FLAG || spec->kind == OPT_OUTFILE) {
			if (eq != NULL)
				return set_cause(cause, "option --%s takes no value", name);
		} else if (eq != NULL)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else
			return set_cause(cause, "option --%s needs a value (%s)", name,
			    spec->metavar ? spec->metavar : "VALUE");
		if (out->nopt >= ARGS_MAX)
			return set_cause(cause, "too many options");
		out->opt[out->nopt].spec = spec;
		out->opt[out->nopt].value = value;
		out->nopt++;
	}
	return missing(cmd, out, cause);
}

bool
args_has(const struct args *a, const char *name)
{
	return args_count(a, name) > 0;
}

const char *
args_get(const struct args *a, const char *name)
{
	size_t i;
	const char *v = NULL;

	for (i = 0; i < a->nopt; i++)
		if (strcmp(a->opt[i].spec->name, name) == 0)
			v = a->opt[i].value;
	return v;
}

size_t
args_count(const struct args *a, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < a->nopt; i++)
		if (strcmp(a->opt[i].spec->name, name) == 0)
			n++;
	return n;
}

const char *
args_nth(const struct args *a, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < a->nopt; i++)
		if (strcmp(a->opt[i].spec->name, name) == 0 && n-- == 0)
			return a->opt[i].value;
	return NULL;
}

const char *
args_pos(const struct args *a, size_t i)
{
	return i < a->npos ? a->pos[i] : NULL;
}
