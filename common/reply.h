/*
 * reply: what a command handler produces, and the generic runner: it
 * finds a command in cmdtab, finds its handler, parses its arguments and
 * calls the handler.  The daemon runs it for requests from the socket
 * (checking permission between finding and running); ikond-ctl runs it
 * for the commands that need no daemon (CMD_LOCAL), so both share one
 * path, and a usage error (status 2) comes from one place.  Handlers fill
 * a struct reply; they never write to a socket or terminal and never log
 * a client's mistakes.
 */
#ifndef IKOND_REPLY_H
#define IKOND_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "args.h"

struct ikond;
struct config;
struct bgjob;

struct peer {
	uid_t	uid;
	gid_t	gid;
	pid_t	pid;
};

struct request {
	struct ikond		*ikd;		/* NULL inside ikond-ctl */
	const struct config	*cfg;		/* NULL inside ikond-ctl */
	struct peer		 peer;
	const struct args	*args;
	bool			 json;
	const char		*input;		/* a file the CLI sent, or NULL */
	size_t			 input_len;
};

struct reply {
	int	 status;	/* 0 ok, 1 failure, 2 usage */
	char	*error;
	json_t	*data;
	json_t	*columns;	/* column order for tables */
	char	*text;		/* preformatted text for people */
	json_t	*file;		/* base64 of a file the CLI writes (-o) */
	json_t	*warnings;	/* strings the CLI shows on stderr */
	struct bgjob *pending;	/* the reply comes later from this job (daemon only);
				 * the dispatcher takes it over */
};

typedef int (*handler_fn)(struct request *req, struct reply *rep);

struct handler {
	const char	*name;	/* as in cmdtab */
	handler_fn	 fn;
};

/* Sets status and error (fmt translated, i18n.h); returns -1 so handlers
 * can "return reply_fail(...)". */
int reply_fail(struct reply *rep, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Failure with an allocated message; takes ownership of cause. */
int reply_cause(struct reply *rep, int status, char *cause);
/* Adds a warning: the command succeeded, but something needs attention. */
void reply_warn(struct reply *rep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Column order for tables, space-separated: "id slug name". */
void reply_columns(struct reply *rep, const char *columns);
void reply_clear(struct reply *rep);
/* The reply as the protocol's JSON object (new reference). */
json_t *reply_to_json(const struct reply *rep);

/* The command that the leading words of argv name; *used says how many
 * words it took.  NULL if none matches, with a usage error in rep that
 * names the valid words. */
const struct cmd_spec *command_find(char *const *argv, int argc, int *used,
    struct reply *rep);
/* The handler of cmd in tables (a NULL-terminated list of NULL-terminated
 * arrays), or NULL. */
handler_fn command_handler(const struct handler *const *tables, const struct cmd_spec *cmd);
/* Parses the words after the command name against cmd and runs fn.  A
 * word that does not fit, a missing positional or a missing required
 * option is a usage error (status 2) and fn does not run.  The request's
 * ikd, cfg, peer, json and input are taken from *base; rep starts empty. */
void command_run(const struct request *base, const struct cmd_spec *cmd, handler_fn fn,
    char *const *argv, int argc, struct reply *rep);

#endif
