/*
 * cmdtab: the table of ikond-ctl commands (see cmdtab.h).  Keep the groups
 * in the order `ikond-ctl --help` shows them.
 */
#include "cmdtab.h"

#include <string.h>

static const struct opt_spec committee_add_opts[] = {
	{ "name", OPT_VALUE, "TEXT", "display name, e.g. \"Ausschuss für Integration\"" },
	{ "kind", OPT_VALUE, "KIND", "rat, kreistag, fachausschuss, verwaltungsausschuss, "
	    "kreisausschuss, integrationsbeirat, verwaltungsvorstand, fachleitungsrunde, arbeitsgruppe" },
	{ "internal", OPT_FLAG, NULL, "sessions are not public" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec committee_edit_opts[] = {
	{ "name", OPT_VALUE, "TEXT", "new display name" },
	{ "kind", OPT_VALUE, "KIND", "new kind" },
	{ "internal", OPT_FLAG, NULL, "sessions are not public" },
	{ "public", OPT_FLAG, NULL, "sessions are public" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec force_opts[] = {
	{ "force", OPT_FLAG, NULL, "also remove what depends on it" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec session_add_opts[] = {
	{ "committee", OPT_VALUE, "SLUG", "the committee that meets" },
	{ "start", OPT_VALUE, "\"YYYY-MM-DD HH:MM\"", "start, local time of the body" },
	{ "end", OPT_VALUE, "\"YYYY-MM-DD HH:MM\"", "end (default: start + 3 hours)" },
	{ "title", OPT_VALUE, "TEXT", "title (default: committee name and date)" },
	{ "location", OPT_VALUE, "TEXT", "room and address" },
	{ "state", OPT_VALUE, "STATE", "planned, invited, held or cancelled" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec session_list_opts[] = {
	{ "committee", OPT_VALUE, "SLUG", "only this committee" },
	{ "from", OPT_VALUE, "DATE", "only sessions on or after DATE" },
	{ "to", OPT_VALUE, "DATE", "only sessions on or before DATE" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec session_edit_opts[] = {
	{ "committee", OPT_VALUE, "SLUG", "move to another committee" },
	{ "start", OPT_VALUE, "\"YYYY-MM-DD HH:MM\"", "new start" },
	{ "end", OPT_VALUE, "\"YYYY-MM-DD HH:MM\"", "new end" },
	{ "title", OPT_VALUE, "TEXT", "new title" },
	{ "location", OPT_VALUE, "TEXT", "new location" },
	{ "state", OPT_VALUE, "STATE", "planned, invited, held or cancelled" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec actor_add_opts[] = {
	{ "name", OPT_VALUE, "TEXT", "person or organisation" },
	{ "email", OPT_VALUE, "ADDR", "where reminders go" },
	{ "org", OPT_VALUE, "TEXT", "organisation or department" },
	{ "role", OPT_MULTI, "TEXT", "a role, e.g. Fachleitung (repeatable)" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec actor_list_opts[] = {
	{ "committee", OPT_VALUE, "SLUG", "only members of this committee" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec actor_edit_opts[] = {
	{ "name", OPT_VALUE, "TEXT", "new name" },
	{ "email", OPT_VALUE, "ADDR", "new address" },
	{ "org", OPT_VALUE, "TEXT", "new organisation" },
	{ "role", OPT_MULTI, "TEXT", "replaces all roles (repeatable)" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec actor_join_opts[] = {
	{ "committee", OPT_VALUE, "SLUG", "the committee" },
	{ "role", OPT_VALUE, "TEXT", "seat, e.g. Mitglied, Vorsitz, beratend" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec actor_leave_opts[] = {
	{ "committee", OPT_VALUE, "SLUG", "the committee" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec submission_add_opts[] = {
	{ "title", OPT_VALUE, "TEXT", "subject of the Vorlage" },
	{ "kind", OPT_VALUE, "KIND", "verwaltungsvorlage, beschlussvorlage or mitteilungsvorlage" },
	{ "session", OPT_VALUE, "ID", "the session it goes to" },
	{ "owner", OPT_VALUE, "ACTOR", "responsible actor (slug)" },
	{ "ref", OPT_VALUE, "TEXT", "reference number, e.g. V/2027/013" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec submission_list_opts[] = {
	{ "session", OPT_VALUE, "ID", "only for this session" },
	{ "owner", OPT_VALUE, "ACTOR", "only this actor's" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec submission_edit_opts[] = {
	{ "title", OPT_VALUE, "TEXT", "new title" },
	{ "kind", OPT_VALUE, "KIND", "new kind" },
	{ "session", OPT_VALUE, "ID", "move to another session" },
	{ "owner", OPT_VALUE, "ACTOR", "new responsible actor" },
	{ "ref", OPT_VALUE, "TEXT", "new reference" },
	{ "state", OPT_VALUE, "STATE", "draft, submitted, decided or withdrawn" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec holidays_opts[] = {
	{ "land", OPT_VALUE, "XX", "Land code (default NI): BW BY BE BB HB HH HE MV NI NW RP SL SN ST SH TH" },
	{ "year", OPT_VALUE, "YYYY", "one year (default: the current one)" },
	{ "from", OPT_VALUE, "DATE", "first day of a range" },
	{ "to", OPT_VALUE, "DATE", "last day of a range" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec deadline_calc_opts[] = {
	{ "anchor", OPT_VALUE, "\"YYYY-MM-DD[ HH:MM]\"", "the date the rule counts from" },
	{ "rule", OPT_VALUE, "RULE", "e.g. -3wd, \"-14d earlier\", \"+2w later at 12:00\"" },
	{ "land", OPT_VALUE, "XX", "Land whose holidays count (default NI)" },
	{ NULL, 0, NULL, NULL },
};

static const struct opt_spec deadline_list_opts[] = {
	{ "from", OPT_VALUE, "DATE", "only deadlines on or after DATE" },
	{ "to", OPT_VALUE, "DATE", "only deadlines on or before DATE" },
	{ "actor", OPT_VALUE, "SLUG", "only what this actor is responsible for or sits on" },
	{ "committee", OPT_VALUE, "SLUG", "only this committee's" },
	{ NULL, 0, NULL, NULL },
};

const struct cmd_spec cmdtab[] = {
	{ "status", NULL, "show the daemon's state and what needs attention", NULL, 0, NULL },
	{ "reload", NULL, "re-read the configuration file", NULL, CMD_MUTATING | CMD_OWN_TXN,
	  "A file with errors is rejected: its messages are printed, the old "
	  "configuration stays in force and the exit status is 1." },

	{ "committee add", "SLUG", "add a committee (Gremium)", committee_add_opts, CMD_MUTATING, NULL },
	{ "committee list", NULL, "list committees", NULL, 0, NULL },
	{ "committee show", "SLUG", "show one committee with its members", NULL, 0, NULL },
	{ "committee edit", "SLUG", "change a committee", committee_edit_opts, CMD_MUTATING, NULL },
	{ "committee remove", "SLUG", "remove a committee", force_opts, CMD_MUTATING,
	  "A committee with sessions is only removed with --force, which removes "
	  "its sessions too." },

	{ "session add", NULL, "add a session (Sitzung)", session_add_opts, CMD_MUTATING, NULL },
	{ "session list", NULL, "list sessions", session_list_opts, 0, NULL },
	{ "session show", "ID", "show one session", NULL, 0, NULL },
	{ "session edit", "ID", "change a session", session_edit_opts, CMD_MUTATING, NULL },
	{ "session cancel", "ID", "cancel a session (it stays visible as cancelled)", NULL, CMD_MUTATING, NULL },
	{ "session remove", "ID", "remove a session", force_opts, CMD_MUTATING,
	  "A session with submissions is only removed with --force." },

	{ "actor add", "SLUG", "add an actor (person or organisation)", actor_add_opts, CMD_MUTATING, NULL },
	{ "actor list", NULL, "list actors", actor_list_opts, 0, NULL },
	{ "actor show", "SLUG", "show one actor with committees and duties", NULL, 0, NULL },
	{ "actor edit", "SLUG", "change an actor", actor_edit_opts, CMD_MUTATING, NULL },
	{ "actor remove", "SLUG", "remove an actor", force_opts, CMD_MUTATING,
	  "An actor who is responsible for something is only removed with --force." },
	{ "actor join", "SLUG", "give an actor a seat in a committee", actor_join_opts, CMD_MUTATING, NULL },
	{ "actor leave", "SLUG", "remove an actor from a committee", actor_leave_opts, CMD_MUTATING, NULL },

	{ "submission add", NULL, "add a submission (Vorlage) for a session", submission_add_opts, CMD_MUTATING, NULL },
	{ "submission list", NULL, "list submissions", submission_list_opts, 0, NULL },
	{ "submission show", "ID", "show one submission with its deadline", NULL, 0, NULL },
	{ "submission edit", "ID", "change a submission", submission_edit_opts, CMD_MUTATING, NULL },
	{ "submission remove", "ID", "remove a submission", NULL, CMD_MUTATING, NULL },

	{ "holidays", NULL, "list public holidays of a Land", holidays_opts, CMD_LOCAL,
	  "Works without a running daemon." },
	{ "deadline calc", NULL, "compute a date from an anchor and a rule, and explain it",
	  deadline_calc_opts, CMD_LOCAL,
	  "RULE is an offset (+ or -, a number, d = days, wd = working days, "
	  "w = weeks, m = months), optionally \"earlier\", \"later\" or \"keep\" "
	  "for a result on a non-working day, optionally \"at HH:MM\".  Works "
	  "without a running daemon." },

	{ "deadline list", NULL, "list the deadlines of sessions and submissions",
	  deadline_list_opts, 0, "Late submissions are flagged." },
	{ "deadline explain", "ID", "show how a deadline was derived", NULL, 0, NULL },

	{ NULL, NULL, NULL, NULL, 0, NULL },
};

const struct cmd_spec *
cmdtab_find(char *const *argv, int argc, int *consumed)
{
	const struct cmd_spec *best = NULL;
	size_t i, len;
	int words, w, best_words = 0;
	const char *p;

	for (i = 0; cmdtab[i].name != NULL; i++) {
		p = cmdtab[i].name;
		words = 0;
		for (w = 0; w < argc; w++) {
			len = strcspn(p, " ");
			if (strlen(argv[w]) != len || strncmp(p, argv[w], len) != 0)
				break;
			words++;
			p += len;
			if (*p == '\0')
				break;
			p++;
		}
		if (*p == '\0' && words > best_words) {
			best = &cmdtab[i];
			best_words = words;
		}
	}
	*consumed = best_words;
	return best;
}

bool
cmdtab_is_group(const char *words)
{
	size_t i, len = strlen(words);

	for (i = 0; cmdtab[i].name != NULL; i++)
		if (strncmp(cmdtab[i].name, words, len) == 0 && cmdtab[i].name[len] == ' ')
			return true;
	return false;
}

const struct opt_spec *
cmdtab_option(const struct cmd_spec *cmd, const char *name)
{
	size_t i;

	for (i = 0; cmd->opts != NULL && cmd->opts[i].name != NULL; i++)
		if (strcmp(cmd->opts[i].name, name) == 0)
			return &cmd->opts[i];
	return NULL;
}

size_t
cmdtab_positional_count(const struct cmd_spec *cmd)
{
	size_t n = 0;
	const char *p = cmd->positionals;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " ");
		if (*p == '\0')
			break;
		n++;
		p += strcspn(p, " ");
	}
	return n;
}
