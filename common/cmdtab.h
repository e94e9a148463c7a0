/*
 * cmdtab: every ikond-ctl command, its arguments and its help, in one
 * table shared by ikond-ctl (for --help, completion and the commands that
 * run without a daemon) and ikond (which parses and checks the arguments
 * it receives).  The CLI checks nothing the daemon must check.
 */
#ifndef IKOND_CMDTAB_H
#define IKOND_CMDTAB_H

#include <stdbool.h>
#include <stddef.h>

enum opt_kind {
	OPT_FLAG,	/* --internal */
	OPT_VALUE,	/* --name TEXT (given once; the last one wins) */
	OPT_REQUIRED,	/* like OPT_VALUE, but the command needs it (usage error without) */
	OPT_MULTI,	/* --role TEXT, may repeat */
	OPT_OUTFILE,	/* --svg FILE: ikond-ctl asks for the file and writes it there;
			 * the daemon gets the option alone, as a flag */
};

struct opt_spec {
	const char	*name;		/* without the leading dashes */
	enum opt_kind	 kind;
	const char	*metavar;	/* "TEXT", "DATE", ... */
	const char	*help;
};

#define CMD_MUTATING	0x01	/* changes data: needs an authorised uid */
#define CMD_LOCAL	0x02	/* runs inside ikond-ctl, no daemon needed */
#define CMD_INFILE	0x04	/* first positional names a file the CLI sends as input */
#define CMD_OUTFILE	0x08	/* -o FILE: the CLI writes the reply's file there */
#define CMD_OWN_TXN	0x10	/* mutating, but the handler runs its own transactions */

struct cmd_spec {
	const char		*name;		/* command words: "committee add" */
	const char		*positionals;	/* "SLUG", "SLUG N", or NULL */
	const char		*summary;
	const struct opt_spec	*opts;		/* ends with a NULL name; may be NULL */
	unsigned		 flags;
	const char		*help;		/* more text for --help, or NULL */
};

extern const struct cmd_spec cmdtab[];

/* Finds the command that the leading words of argv name (longest match);
 * *consumed says how many words it took.  NULL if none matches. */
const struct cmd_spec *cmdtab_find(char *const *argv, int argc, int *consumed);
/* True if words (e.g. "committee") is the first part of some command name. */
bool cmdtab_is_group(const char *words);
const struct opt_spec *cmdtab_option(const struct cmd_spec *cmd, const char *name);
size_t cmdtab_positional_count(const struct cmd_spec *cmd);
/* Positionals not written as "[NAME]" (optional ones come last). */
size_t cmdtab_positional_required(const struct cmd_spec *cmd);

#endif
