/*
 * ikond-ctl: the admin's command line for ikond.  It finds the command in
 * the shared table (for --help and for the commands that need no daemon),
 * sends everything else as words over the control socket, and prints the
 * reply as a table, as text or as JSON.  It checks nothing the daemon must
 * check.  Exit status: 0 ok, 1 failure, 2 usage.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base64.h"
#include "buf.h"
#include "cmdtab.h"
#include "config.h"
#include "i18n.h"
#include "local.h"
#include "proto.h"
#include "render.h"
#include "reply.h"
#include "xmalloc.h"

#define DEFAULT_TIMEOUT	30	/* seconds for a whole exchange with the daemon */

struct options {
	const char	*socket;
	const char	*instance;
	bool		 json;
	bool		 help;
	unsigned	 timeout;	/* seconds; 0: wait as long as it takes */
};

/* Written by the SIGALRM handler, which can do nothing else. */
static char timeout_message[512];

static void
print_overview(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: ikond-ctl [--instance NAME | --socket PATH] [--timeout SECONDS] [--json]\n"
	    "                 COMMAND [ARGS...]\n"
	    "       ikond-ctl COMMAND --help\n"
	    "\n"
	    "Controls ikond, the deadline, feed and reminder service for an\n"
	    "Integrationskonzept.  Times are local to the body's time zone and written\n"
	    "\"YYYY-MM-DD HH:MM\".  The socket is taken from --socket, --instance,\n"
	    "IKOND_SOCKET, IKOND_INSTANCE or the default location.\n"
	    "\n"
	    "commands:\n");
	for (i = 0; cmdtab[i].name != NULL; i++)
		fprintf(f, "  %-20s %s\n", cmdtab[i].name, cmdtab[i].summary);
	fprintf(f,
	    "\n"
	    "options:\n"
	    "  --socket PATH   control socket of the daemon\n"
	    "  --instance NAME the daemon ikond@NAME of several on this machine: its\n"
	    "                  socket /run/ikond/NAME/control.sock and configuration\n"
	    "                  /etc/ikond/NAME.conf\n"
	    "  --timeout SECONDS\n"
	    "                  give up when the daemon has not answered within SECONDS\n"
	    "                  (default %d; 0 waits as long as it takes)\n"
	    "  --json          machine-readable output\n"
	    "  --help          help for ikond-ctl or a command\n"
	    "  --version       print the version\n"
	    "\n"
	    "exit status: 0 ok, 1 failure, 2 usage error.\n", DEFAULT_TIMEOUT);
}

static void
print_command_help(FILE *f, const struct cmd_spec *cmd)
{
	const struct opt_spec *o;
	char left[64];
	bool optional = false;

	fprintf(f, "usage: ikond-ctl %s%s%s", cmd->name, cmd->positionals ? " " : "",
	    cmd->positionals ? cmd->positionals : "");
	for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
		if (o->kind == OPT_REQUIRED)
			fprintf(f, " --%s %s", o->name, o->metavar);
		else
			optional = true;
	}
	fprintf(f, "%s\n\n%s.\n", optional ? " [OPTIONS]" : "", cmd->summary);
	if (cmd->help != NULL)
		fprintf(f, "\n%s\n", cmd->help);
	if (cmd->opts != NULL) {
		fprintf(f, "\noptions:\n");
		for (o = cmd->opts; o->name != NULL; o++) {
			snprintf(left, sizeof(left), "--%s%s%s", o->name, o->metavar ? " " : "",
			    o->metavar ? o->metavar : "");
			fprintf(f, "  %-34s %s%s\n", left, o->help,
			    o->kind == OPT_MULTI ? " (repeatable)" :
			    o->kind == OPT_REQUIRED ? " (required)" : "");
		}
	}
	if (cmd->flags & CMD_OUTFILE)
		fprintf(f, "  %-34s %s\n", "-o FILE", "write the result to FILE");
	if (cmd->flags & CMD_MUTATING)
		fprintf(f, "\nChanges data: allowed for root, the daemon's user and the users and "
		    "groups in control.allow_users / control.allow_groups.\n");
	fprintf(f, "\nWith --json the result is printed as JSON.\n");
}

static void
print_group_help(FILE *f, const char *group)
{
	size_t i, len = strlen(group);

	fprintf(f, "usage: ikond-ctl %s SUBCOMMAND ...\n\n", group);
	for (i = 0; cmdtab[i].name != NULL; i++)
		if (strncmp(cmdtab[i].name, group, len) == 0 && cmdtab[i].name[len] == ' ')
			fprintf(f, "  %-20s %s\n", cmdtab[i].name, cmdtab[i].summary);
	fprintf(f, "\nikond-ctl %s SUBCOMMAND --help shows the options.\n", group);
}

/* Every command, one a line, for shell completion (not in --help). */
static void
print_command_names(FILE *f)
{
	size_t i;

	for (i = 0; cmdtab[i].name != NULL; i++)
		fprintf(f, "%s\n", cmdtab[i].name);
}

/* Removes the global options from argv (anywhere before "--"). */
static int
take_globals(int *argc, char **argv, struct options *opt)
{
	int i, j = 0;
	bool rest = false;

	for (i = 0; i < *argc; i++) {
		if (!rest && strcmp(argv[i], "--") == 0)
			rest = true;
		if (rest) {
			argv[j++] = argv[i];
			continue;
		}
		if (strcmp(argv[i], "--json") == 0)
			opt->json = true;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			opt->help = true;
		else if (strncmp(argv[i], "--instance=", 11) == 0)
			opt->instance = argv[i] + 11;
		else if (strcmp(argv[i], "--instance") == 0) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "ikond-ctl: %s\n", _("--instance needs a NAME"));
				return -1;
			}
			opt->instance = argv[++i];
		} else if (strncmp(argv[i], "--socket=", 9) == 0)
			opt->socket = argv[i] + 9;
		else if (strcmp(argv[i], "--socket") == 0) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "ikond-ctl: %s\n", _("--socket needs a PATH"));
				return -1;
			}
			opt->socket = argv[++i];
		} else if (strcmp(argv[i], "--timeout") == 0 ||
		    strncmp(argv[i], "--timeout=", 10) == 0) {
			const char *v = argv[i][9] == '=' ? argv[i] + 10 : NULL;
			char *end;
			long t;

			if (v == NULL && i + 1 >= *argc) {
				fprintf(stderr, "ikond-ctl: --timeout needs SECONDS\n");
				return -1;
			}
			if (v == NULL)
				v = argv[++i];
			errno = 0;
			t = strtol(v, &end, 10);
			if (*v == '\0' || *end != '\0' || errno != 0 || t < 0 || t > 86400) {
				fprintf(stderr, "ikond-ctl: --timeout \"%s\": expected whole seconds "
				    "from 0 (no limit) to 86400\n", v);
				return -1;
			}
			opt->timeout = (unsigned)t;
		} else if (strcmp(argv[i], "-o") == 0)
			argv[j++] = (char *)"--output";
		else
			argv[j++] = argv[i];
	}
	*argc = j;
	return 0;
}

static void
on_alarm(int sig)
{
	ssize_t rc;

	(void)sig;
	rc = write(STDERR_FILENO, timeout_message, strlen(timeout_message));
	(void)rc;
	_exit(1);
}

/* Limits the whole exchange with the daemon (connect, send, reply) to
 * opt->timeout seconds. */
static void
arm_timeout(const struct options *opt, const char *path, const char *command)
{
	struct sigaction sa;

	if (opt->timeout == 0)
		return;
	snprintf(timeout_message, sizeof(timeout_message), "ikond-ctl: %s: no answer from "
	    "ikond within %u second%s (socket %s); the daemon may be busy or stuck; "
	    "--timeout SECONDS waits longer, --timeout 0 as long as it takes\n", command,
	    opt->timeout, opt->timeout == 1 ? "" : "s", path);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(opt->timeout);
}

static int
connect_daemon(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, _("ikond-ctl: socket path too long: %s\n"), path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		fprintf(stderr, "ikond-ctl: socket: %s\n", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			fprintf(stderr, _("ikond-ctl: ikond is not running (no daemon answers on "
			    "%s)\n"), path);
		else if (errno == EACCES)
			fprintf(stderr, _("ikond-ctl: permission denied on %s (are you in the "
			    "daemon's group?)\n"), path);
		else
			fprintf(stderr, _("ikond-ctl: cannot connect to %s: %s\n"), path,
			    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static char *
read_file(const char *path, size_t *len)
{
	struct buf b;
	char tmp[65536];
	size_t n;
	FILE *f;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "ikond-ctl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
		buf_add(&b, tmp, n);
		if (b.len > PROTO_MAX_PAYLOAD / 2) {
			fprintf(stderr, _("ikond-ctl: %s: larger than %u bytes\n"), path,
			    PROTO_MAX_PAYLOAD / 2);
			buf_free(&b);
			if (f != stdin)
				fclose(f);
			return NULL;
		}
	}
	if (f != stdin)
		fclose(f);
	return buf_steal(&b, len);
}

/* The option of cmd that word ("--svg" or "--svg=FILE") names if it is
 * one whose file ikond-ctl writes (OPT_OUTFILE), else NULL. */
static const struct opt_spec *
outfile_option(const struct cmd_spec *cmd, const char *word)
{
	const struct opt_spec *o;
	size_t len;

	if (strncmp(word, "--", 2) != 0)
		return NULL;
	len = strcspn(word + 2, "=");
	for (o = cmd->opts; o != NULL && o->name != NULL; o++)
		if (o->kind == OPT_OUTFILE && strlen(o->name) == len &&
		    strncmp(o->name, word + 2, len) == 0)
			return o;
	return NULL;
}

/* Writes the reply's file or text to the -o FILE, if one was given. */
static int
write_output(const char *path, json_t *reply)
{
	json_t *file = json_object_get(reply, "file"), *text = json_object_get(reply, "text");
	unsigned char *data = NULL;
	size_t len = 0;
	FILE *f;
	int rc = 0;

	if (json_is_string(file)) {
		if (base64_decode(json_string_value(file), &data, &len) == -1) {
			fprintf(stderr, "ikond-ctl: %s\n", _("the daemon sent a malformed file"));
			return 1;
		}
	} else if (json_is_string(text)) {
		data = (unsigned char *)xstrdup(json_string_value(text));
		len = strlen((char *)data);
	}
	if ((f = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "ikond-ctl: %s: %s\n", path, strerror(errno));
		free(data);
		return 1;
	}
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, _("ikond-ctl: writing %s: %s\n"), path, strerror(errno));
		unlink(path);
		rc = 1;
	}
	free(data);
	return rc;
}

static int
show_reply(json_t *reply, const struct options *opt, const char *outpath)
{
	json_t *status = json_object_get(reply, "status"), *v;
	int rc = json_is_integer(status) ? (int)json_integer_value(status) : 1;
	size_t i;

	json_array_foreach(json_object_get(reply, "warnings"), i, v)
		fprintf(stderr, _("ikond-ctl: warning: %s\n"), json_string_value(v));
	if (rc != 0) {
		v = json_object_get(reply, "error");
		fprintf(stderr, "ikond-ctl: %s\n", json_is_string(v) ? json_string_value(v) :
		    _("failed"));
		return rc == 2 ? 2 : 1;
	}
	if (outpath != NULL)
		return write_output(outpath, reply);
	if (opt->json)
		render_json(stdout, json_object_get(reply, "data"));
	else if (json_is_string(json_object_get(reply, "file"))) {
		fprintf(stderr, "ikond-ctl: %s\n",
		    _("the result is a binary file; write it with -o FILE"));
		return 1;
	} else if (json_is_string(v = json_object_get(reply, "text"))) {
		/* Text that ends its own lines (an exported feed) is written as it is. */
		fwrite(json_string_value(v), 1, json_string_length(v), stdout);
		if (json_string_length(v) == 0 || json_string_value(v)[json_string_length(v) - 1] != '\n')
			putchar('\n');
	} else
		render_human(stdout, json_object_get(reply, "data"), json_object_get(reply,
		    "columns"));
	return 0;
}

/* Runs a CMD_LOCAL command; argv holds the words after its name. */
static int
run_local(const struct cmd_spec *cmd, int argc, char **argv, const struct options *opt)
{
	static const struct handler *const tables[] = { local_handlers, NULL };
	struct request base;
	struct reply rep;
	json_t *reply;
	handler_fn fn;
	int rc;

	memset(&base, 0, sizeof(base));
	base.peer.uid = getuid();
	base.peer.gid = getgid();
	base.peer.pid = getpid();
	base.json = opt->json;
	memset(&rep, 0, sizeof(rep));
	if ((fn = command_handler(tables, cmd)) == NULL)
		reply_fail(&rep, 1, "\"%s\" is not handled here", cmd->name);
	else
		command_run(&base, cmd, fn, argv, argc, &rep);
	reply = reply_to_json(&rep);
	reply_clear(&rep);
	rc = show_reply(reply, opt, NULL);
	json_decref(reply);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct options opt = { NULL, NULL, false, false, DEFAULT_TIMEOUT };
	const struct cmd_spec *cmd;
	char *socket_path, *input = NULL, *cause = NULL;
	const char *outpath = NULL, *lang, *instance;
	json_t *req, *args, *reply;
	size_t input_len = 0;
	const struct opt_spec *o;
	int used, fd, rc, i, taken = 0;

	/* Messages in the user's language (numbers stay as C writes them). */
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	i18n_init();
	argc--;
	argv++;
	if (argc == 1 && strcmp(argv[0], "--version") == 0) {
		printf("ikond-ctl %s (protocol %d)\n", IKOND_VERSION, PROTO_VERSION);
		return 0;
	}
	if (argc == 1 && strcmp(argv[0], "--commands") == 0) {
		print_command_names(stdout);
		return 0;
	}
	if (take_globals(&argc, argv, &opt) == -1)
		return 2;
	/* On the command line --socket beats --instance; either beats the
	 * environment, where IKOND_SOCKET beats IKOND_INSTANCE. */
	instance = opt.instance;
	if (instance == NULL && opt.socket == NULL && getenv("IKOND_SOCKET") == NULL)
		instance = getenv("IKOND_INSTANCE");
	if (instance != NULL && (opt.instance != NULL || *instance != '\0') &&
	    config_set_instance(instance, &cause) == -1) {
		fprintf(stderr, "ikond-ctl: %s\n", cause);
		free(cause);
		return 2;
	}
	cmd = cmdtab_find(argv, argc, &used);
	if (opt.help || argc == 0) {
		if (cmd != NULL)
			print_command_help(stdout, cmd);
		else if (argc > 0 && cmdtab_is_group(argv[0]))
			print_group_help(stdout, argv[0]);
		else
			print_overview(argc == 0 && !opt.help ? stderr : stdout);
		return argc == 0 && !opt.help ? 2 : 0;
	}
	if (cmd != NULL && (cmd->flags & CMD_LOCAL))
		return run_local(cmd, argc - used, argv + used, &opt);

	if (cmd != NULL && (cmd->flags & CMD_INFILE) && used < argc &&
	    argv[used][0] != '-') {
		if ((input = read_file(argv[used], &input_len)) == NULL)
			return 1;
	}
	req = json_object();
	args = json_array();
	for (i = 0; i < argc; i++) {
		if (cmd != NULL && (cmd->flags & CMD_OUTFILE) && strcmp(argv[i], "--output") == 0 &&
		    i + 1 < argc) {
			outpath = argv[++i];
			taken += 2;
			continue;
		}
		if (cmd != NULL && (o = outfile_option(cmd, argv[i])) != NULL) {
			if (strchr(argv[i], '=') != NULL)
				outpath = strchr(argv[i], '=') + 1;
			else if (i + 1 < argc) {
				outpath = argv[++i];
				taken++;
			} else {
				fprintf(stderr, _("ikond-ctl: --%s needs a %s\n"), o->name, o->metavar);
				json_decref(args);
				json_decref(req);
				return 2;
			}
			json_array_append_new(args, json_sprintf("--%s", o->name));
			continue;
		}
		json_array_append_new(args, json_string(argv[i]));
	}
	json_object_set_new(req, "argv", args);
	json_object_set_new(req, "json", json_boolean(opt.json));
	lang = setlocale(LC_MESSAGES, NULL);
	if (lang != NULL && strcmp(lang, "C") != 0 && strcmp(lang, "POSIX") != 0 &&
	    i18n_lang_valid(lang))
		json_object_set_new(req, "lang", json_string(lang));
	socket_path = NULL;
	reply = NULL;
	rc = 1;
	if (input != NULL) {
		json_t *s = json_stringn(input, input_len);

		free(input);
		if (s == NULL) {
			fprintf(stderr, _("ikond-ctl: %s is not UTF-8 text\n"), argv[used]);
			goto out;
		}
		json_object_set_new(req, "input", s);
	}
	if (json_array_size(args) != (size_t)(argc - taken)) {
		fprintf(stderr, "ikond-ctl: %s\n", _("arguments must be UTF-8 text"));
		rc = 2;
		goto out;
	}

	socket_path = opt.socket ? xstrdup(opt.socket) : opt.instance == NULL &&
	    getenv("IKOND_SOCKET") != NULL ? xstrdup(getenv("IKOND_SOCKET")) :
	    config_default_socket();
	/* A daemon that closes the connection is a failure to report, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	arm_timeout(&opt, socket_path, cmd ? cmd->name : argv[0]);
	if ((fd = connect_daemon(socket_path)) == -1)
		goto out;
	/* A daemon that refuses the connection says why before it closes:
	 * its reply is read even when sending the request failed. */
	if (proto_send(fd, PROTO_REQUEST, req, &cause) == -1) {
		if (proto_recv(fd, PROTO_REPLY, &reply, NULL) == -1) {
			fprintf(stderr, "ikond-ctl: %s: %s\n", cmd ? cmd->name : argv[0], cause);
			free(cause);
			close(fd);
			goto out;
		}
		free(cause);
	} else if (proto_recv(fd, PROTO_REPLY, &reply, &cause) == -1) {
		fprintf(stderr, "ikond-ctl: %s: %s\n", cmd ? cmd->name : argv[0], cause);
		free(cause);
		close(fd);
		goto out;
	}
	close(fd);
	rc = show_reply(reply, &opt, outpath);
out:
	json_decref(reply);
	json_decref(req);
	free(socket_path);
	return rc;
}
