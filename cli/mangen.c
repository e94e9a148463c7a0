/*
 * mangen: writes the ikond-ctl(1) manual page.  It copies a hand-written
 * page and puts the command table (common/cmdtab.c) where the line
 * "@COMMANDS@" stands, so the page lists exactly the commands and options
 * that ikond-ctl accepts.  Runs at build time.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmdtab.h"

/* Writes UTF-8 text as roff: escapes, and non-ASCII as \[uXXXX]. */
static void
put_roff(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	int more;

	for (; *p != '\0'; p++) {
		if (*p < 0x80) {
			if (*p == '\\')
				fputs("\\e", f);
			else if (*p == '-')
				fputs("\\-", f);
			else if (*p == '"')
				fputs("\\(dq", f);
			else
				fputc(*p, f);
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			cp = *p & 0x1f;
			more = 1;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p & 0x0f;
			more = 2;
		} else {
			cp = *p & 0x07;
			more = 3;
		}
		while (more-- > 0 && (p[1] & 0xc0) == 0x80)
			cp = (cp << 6) | (*++p & 0x3f);
		fprintf(f, "\\[u%04lX]", cp);
	}
}

/* A paragraph of text; the "\&" keeps a leading dot or quote from being a request. */
static void
put_text(FILE *f, const char *s)
{
	if (s[0] == '.' || s[0] == '\'')
		fputs("\\&", f);
	put_roff(f, s);
	fputc('\n', f);
}

static void
put_command(FILE *f, const struct cmd_spec *cmd)
{
	const struct opt_spec *o;
	bool optional = false;

	fputs(".SS \"", f);
	put_roff(f, cmd->name);
	if (cmd->positionals != NULL) {
		fputs(" \\fI", f);
		put_roff(f, cmd->positionals);
		fputs("\\fP", f);
	}
	for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
		if (o->kind != OPT_REQUIRED) {
			optional = true;
			continue;
		}
		fputs(" \\fB\\-\\-", f);
		put_roff(f, o->name);
		fputs("\\fP \\fI", f);
		put_roff(f, o->metavar);
		fputs("\\fP", f);
	}
	if (optional)
		fputs(" [\\fIOPTIONS\\fP]", f);
	fputs("\"\n", f);
	put_text(f, cmd->summary);
	if (cmd->help != NULL) {
		fputs(".PP\n", f);
		put_text(f, cmd->help);
	}
	for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
		fputs(".TP\n\\fB\\-\\-", f);
		put_roff(f, o->name);
		fputs("\\fP", f);
		if (o->metavar != NULL) {
			fputs(" \\fI", f);
			put_roff(f, o->metavar);
			fputs("\\fP", f);
		}
		fputc('\n', f);
		put_roff(f, o->help);
		fputs(o->kind == OPT_MULTI ? " (repeatable)\n" :
		    o->kind == OPT_REQUIRED ? " (required)\n" : "\n", f);
	}
	if (cmd->flags & CMD_OUTFILE)
		fputs(".TP\n\\fB\\-o\\fP \\fIFILE\\fP\nwrite the result to \\fIFILE\\fP\n", f);
	if (cmd->flags & CMD_MUTATING)
		fputs(".PP\nChanges data; see\n.BR AUTHORISATION .\n", f);
}

int
main(int argc, char *argv[])
{
	char line[4096];
	size_t i;
	FILE *in;

	if (argc != 2) {
		fprintf(stderr, "usage: mangen TEMPLATE\n");
		return 2;
	}
	if ((in = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strcmp(line, "@COMMANDS@\n") != 0) {
			fputs(line, stdout);
			continue;
		}
		for (i = 0; cmdtab[i].name != NULL; i++)
			put_command(stdout, &cmdtab[i]);
	}
	fclose(in);
	return ferror(stdout) || fflush(stdout) != 0 ? 1 : 0;
}
