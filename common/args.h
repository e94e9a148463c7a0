/*
 * args: parses the words after a command name against its cmd_spec:
 * positionals in order, options as "--name value" or "--name=value".
 * Errors name the bad word and list the valid ones.
 */
#ifndef IKOND_ARGS_H
#define IKOND_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "cmdtab.h"

#define ARGS_MAX	64

struct args {
	const struct cmd_spec	*cmd;
	const char		*pos[ARGS_MAX];
	size_t			 npos;
	struct {
		const struct opt_spec	*spec;
		const char		*value;	/* NULL for flags */
	}			 opt[ARGS_MAX];
	size_t			 nopt;
};

/* argv must outlive the args (values point into it). */
int args_parse(const struct cmd_spec *cmd, char *const *argv, int argc, struct args *out,
    char **cause);
bool args_has(const struct args *a, const char *name);
/* The last value given for an option, or NULL. */
const char *args_get(const struct args *a, const char *name);
size_t args_count(const struct args *a, const char *name);
const char *args_nth(const struct args *a, const char *name, size_t n);
const char *args_pos(const struct args *a, size_t i);

#endif
