/*
 * cmdtab: the table of ikond-ctl commands (see cmdtab.h).  Keep the groups
 * in the order `ikond-ctl --help` shows them.
 */
#include "cmdtab.h"

#include <string.h>

static const struct opt_spec committee_add_opts[] = {
	{ "name", OPT_REQUIRED, "TEXT", "display name, e.g. \"Ausschuss für Integration\"" },
	{ "kind", OPT_REQUIRED, "KIND", "rat, kreistag, fachausschuss, verwaltungsausschuss, "
	    "kreisausschuss, hauptausschuss, magistrat, gemeindevorstand, integrationsbeirat, "
	    "integrationsrat, auslaenderbeirat, verwaltungsvorstand, fachleitungsrunde, "
	    "arbeitsgruppe" },
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
	{ "committee", OPT_REQUIRED, "SLUG", "the committee that meets" },
	{ "start", OPT_REQUIRED, "\"YYYY-MM-DD HH:MM\"", "start, local time of the body" },
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
	{ "name", OPT_REQUIRED, "TEXT", "person or organisation" },
	{ "email", OPT_REQUIRED, "ADDR", "where reminders go" },
	{ "org", OPT_VALUE, "TEXT", "organisation or department" },
	{ "role", OPT_MULTI, "TEXT", "a role, e.g. Fachleitung (repeatable)" },
	{ "reminders", OPT_VALUE, "MODE", "each (default), digest or none" },
	{ "salutation", OPT_VALUE, "FORM", "frau, herr, neutral (default: greeted by full "
	    "name) or org (Damen und Herren)" },
	{ "title", OPT_VALUE, "TEXT", "academic title for greetings, e.g. Dr." },
	{ "family-name", OPT_VALUE, "TEXT", "name after Frau/Herr (default: the last word of "
	    "--name)" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec actor_remove_opts[] = {
	{ "reassign-to", OPT_VALUE, "ACTOR", "hand everything the actor is responsible for "
	    "or invited to over to this actor" },
	{ "force", OPT_FLAG, NULL, "also remove the actor's submissions, measures and "
	    "evaluations" },
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
	{ "reminders", OPT_VALUE, "MODE", "each, digest (one mail a day) or none" },
	{ "salutation", OPT_VALUE, "FORM", "frau, herr, neutral or org" },
	{ "title", OPT_VALUE, "TEXT", "academic title (\"\" for none)" },
	{ "family-name", OPT_VALUE, "TEXT", "name after Frau/Herr (\"\": the last word of "
	    "the name)" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec mail_queue_opts[] = {
	{ "state", OPT_VALUE, "STATE", "queued, sending, sent, failed or skipped" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec mail_retry_opts[] = {
	{ "failed", OPT_FLAG, NULL, "every failed reminder" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec actor_join_opts[] = {
	{ "committee", OPT_REQUIRED, "SLUG", "the committee" },
	{ "role", OPT_VALUE, "TEXT", "seat, e.g. Mitglied, Vorsitz, beratend" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec actor_leave_opts[] = {
	{ "committee", OPT_REQUIRED, "SLUG", "the committee" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec submission_add_opts[] = {
	{ "title", OPT_REQUIRED, "TEXT", "subject of the Vorlage" },
	{ "kind", OPT_REQUIRED, "KIND", "verwaltungsvorlage, beschlussvorlage or mitteilungsvorlage" },
	{ "session", OPT_REQUIRED, "ID", "the session of its first Beratung" },
	{ "owner", OPT_REQUIRED, "ACTOR", "responsible actor (slug)" },
	{ "ref", OPT_VALUE, "TEXT", "reference number, e.g. V/2027/013" },
	{ "role", OPT_VALUE, "ROLE", "role of that Beratung: anhoerung, vorberatung, "
	    "entscheidung (default) or kenntnisnahme" },
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
	{ "session", OPT_VALUE, "ID", "move its only Beratung to another session" },
	{ "owner", OPT_VALUE, "ACTOR", "new responsible actor" },
	{ "ref", OPT_VALUE, "TEXT", "new reference" },
	{ "state", OPT_VALUE, "STATE", "draft, submitted, decided or withdrawn" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec beratung_add_opts[] = {
	{ "session", OPT_REQUIRED, "ID", "the session of the Beratung" },
	{ "role", OPT_REQUIRED, "ROLE", "anhoerung, vorberatung, entscheidung or kenntnisnahme" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec beratung_edit_opts[] = {
	{ "session", OPT_REQUIRED, "ID", "the session of the Beratung to change" },
	{ "role", OPT_VALUE, "ROLE", "new role" },
	{ "to-session", OPT_VALUE, "ID", "move the Beratung to this session" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec beratung_remove_opts[] = {
	{ "session", OPT_REQUIRED, "ID", "the session of the Beratung to remove" },
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
	{ "anchor", OPT_REQUIRED, "\"YYYY-MM-DD[ HH:MM]\"", "the date the rule counts from" },
	{ "rule", OPT_REQUIRED, "RULE", "e.g. -3wd, \"-14d earlier\", \"+2w later at 12:00\"" },
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

static const struct opt_spec feed_target_opts[] = {
	{ "actor", OPT_VALUE, "SLUG", "what this actor is responsible for, and the sessions of "
	    "the committees they sit on" },
	{ "committee", OPT_VALUE, "SLUG", "this committee's sessions and deadlines" },
	{ "process", OPT_VALUE, "SLUG", "the steps and dates of this process" },
	{ "all", OPT_FLAG, NULL, "everything: the overview" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec import_sessions_opts[] = {
	{ "committee", OPT_VALUE, "SLUG", "the committee of sessions no title pattern matches" },
	{ "map", OPT_MULTI, "PATTERN=SLUG", "sessions whose title matches PATTERN belong to the "
	  "committee SLUG (repeatable; before import.map)" },
	{ "keep-missing", OPT_FLAG, NULL, "only report sessions missing from the export, do not "
	  "cancel them" },
	{ "overwrite", OPT_FLAG, NULL, "take the export's values where they conflict with "
	  "changes made here" },
	{ NULL, 0, NULL, NULL },
};

static const struct opt_spec import_oparl_opts[] = {
	{ "body", OPT_VALUE, "N", "URL is an OParl system: import its Nth body (from 1)" },
	{ "map", OPT_MULTI, "PATTERN=SLUG", "the organisation whose name matches PATTERN (or "
	  "whose id is PATTERN) is the committee SLUG; with a map, only mapped ones come in "
	  "(repeatable; before oparl.map)" },
	{ "persons", OPT_FLAG, NULL, "persons too, with their seats, as actors without e-mail" },
	{ "overwrite", OPT_FLAG, NULL, "take the server's values where they conflict with "
	  "changes made here" },
	{ "full", OPT_FLAG, NULL, "ask for everything, not only what changed since the last run" },
	{ "paper", OPT_MULTI, "REF", "the paper (Vorlage) with this reference as a submission, "
	  "its consultations as Beratungen (repeatable)" },
	{ "papers-since", OPT_VALUE, "DATE", "the papers dated on or after DATE as submissions" },
	{ "paper-type", OPT_VALUE, "TYPE", "with --papers-since: only papers of this type "
	  "(e.g. Beschlussvorlage; a pattern as for --map)" },
	{ NULL, 0, NULL, NULL },
};

static const struct opt_spec process_add_opts[] = {
	{ "name", OPT_REQUIRED, "TEXT", "e.g. \"Integrationskonzept Landkreis Musterland 2027\"" },
	{ "target-session", OPT_VALUE, "ID", "the Kreistag or Rat session that adopts the concept" },
	{ "committee", OPT_VALUE, "SLUG", "the responsible Fachausschuss, which takes the start "
	    "decision (if there are several)" },
	{ "owner", OPT_VALUE, "ACTOR", "coordinator, owner of the Vorlagen the plan creates" },
	{ "route", OPT_VALUE, "SLUG[:ROLE],...", "the Beratungsfolge, ending with the target's "
	    "committee; ROLE anhoerung, vorberatung, entscheidung or kenntnisnahme (default: "
	    "derived from the committees)" },
	{ "template", OPT_VALUE, "NAME", "the process file templates/process/NAME.conf (default "
	    "integrationskonzept)" },
	{ "schedule", OPT_VALUE, "WHEN", "early (default): free steps as early as possible; "
	    "late: as late as the Vorlagenfristen allow" },
	{ "budget", OPT_VALUE, "EUR", "the budget of the process, e.g. 12000 or 12.000,50" },
	{ "budget-note", OPT_VALUE, "TEXT", "what the budget covers, where it comes from" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec process_edit_opts[] = {
	{ "name", OPT_VALUE, "TEXT", "new name" },
	{ "target-session", OPT_VALUE, "ID", "the session that adopts the concept" },
	{ "committee", OPT_VALUE, "SLUG", "the responsible Fachausschuss" },
	{ "owner", OPT_VALUE, "ACTOR", "coordinator" },
	{ "route", OPT_VALUE, "SLUG[:ROLE],...", "the Beratungsfolge; \"default\" derives it "
	    "from the committees again" },
	{ "template", OPT_VALUE, "NAME", "another process file; steps it adds are appended" },
	{ "schedule", OPT_VALUE, "WHEN", "early or late" },
	{ "budget", OPT_VALUE, "EUR", "the budget; \"none\" clears it" },
	{ "budget-note", OPT_VALUE, "TEXT", "what the budget covers" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec process_plan_opts[] = {
	{ "target-session", OPT_VALUE, "ID", "plan for this session (stored with --apply)" },
	{ "committee", OPT_VALUE, "SLUG", "the committee of the start decision" },
	{ "owner", OPT_VALUE, "ACTOR", "coordinator (default: the process's owner, or the actor "
	    "with the role Koordination or Prozesskoordination)" },
	{ "from", OPT_VALUE, "DATE", "plan as of this day (default: the day it was first "
	    "planned, or today)" },
	{ "schedule", OPT_VALUE, "WHEN", "early or late (stored with --apply)" },
	{ "apply", OPT_FLAG, NULL, "store the steps and create Vorlagen, window and evaluation" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec process_step_opts[] = {
	{ "state", OPT_VALUE, "STATE", "open, in_progress, done or skipped" },
	{ "date", OPT_VALUE, "DATE[..DATE]", "one day or a period" },
	{ "start", OPT_VALUE, "DATE", "first day" },
	{ "end", OPT_VALUE, "DATE", "last day" },
	{ "title", OPT_VALUE, "TEXT", "rename the step" },
	{ "owner", OPT_MULTI, "ACTOR", "responsible actor; replaces all (repeatable)" },
	{ "notes", OPT_VALUE, "TEXT", "notes" },
	{ "move-to", OPT_VALUE, "N", "move the step to position N" },
	{ "unpin", OPT_FLAG, NULL, "let the planner date the step again" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec process_insert_opts[] = {
	{ "title", OPT_REQUIRED, "TEXT", "title of the new step" },
	{ "state", OPT_VALUE, "STATE", "open, in_progress, done or skipped" },
	{ "date", OPT_VALUE, "DATE[..DATE]", "one day or a period" },
	{ "start", OPT_VALUE, "DATE", "first day" },
	{ "end", OPT_VALUE, "DATE", "last day" },
	{ "owner", OPT_MULTI, "ACTOR", "responsible actor (repeatable)" },
	{ "notes", OPT_VALUE, "TEXT", "notes" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec window_add_opts[] = {
	{ "process", OPT_REQUIRED, "SLUG", "the process" },
	{ "title", OPT_REQUIRED, "TEXT", "what is commented on" },
	{ "opens", OPT_REQUIRED, "DATE", "first day" },
	{ "closes", OPT_VALUE, "DATE", "last day" },
	{ "rule", OPT_VALUE, "RULE", "close derived from the opening day, e.g. \"+4w earlier\"" },
	{ "audience", OPT_MULTI, "ACTOR|COMMITTEE", "who comments (repeatable)" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec window_edit_opts[] = {
	{ "title", OPT_VALUE, "TEXT", "new title" },
	{ "opens", OPT_VALUE, "DATE", "new first day" },
	{ "closes", OPT_VALUE, "DATE", "new last day" },
	{ "rule", OPT_VALUE, "RULE", "new close rule from the opening day" },
	{ "audience", OPT_MULTI, "ACTOR|COMMITTEE", "replaces the audience (repeatable)" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec window_list_opts[] = {
	{ "process", OPT_VALUE, "SLUG", "only this process" },
	{ "actor", OPT_VALUE, "SLUG", "only windows this actor is invited to" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec measure_add_opts[] = {
	{ "process", OPT_REQUIRED, "SLUG", "the process" },
	{ "title", OPT_REQUIRED, "TEXT", "the measure" },
	{ "owner", OPT_REQUIRED, "ACTOR", "responsible actor" },
	{ "goal", OPT_VALUE, "TEXT", "the operational goal" },
	{ "budget", OPT_VALUE, "EUR", "budget in euros, e.g. 12500 or 12500,50" },
	{ "year", OPT_VALUE, "YYYY", "the Haushaltsjahr the budget is planned in" },
	{ "due", OPT_VALUE, "DATE", "due date" },
	{ "notes", OPT_VALUE, "TEXT", "notes" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec measure_edit_opts[] = {
	{ "title", OPT_VALUE, "TEXT", "new title" },
	{ "owner", OPT_VALUE, "ACTOR", "new responsible actor" },
	{ "goal", OPT_VALUE, "TEXT", "new goal" },
	{ "budget", OPT_VALUE, "EUR", "new budget" },
	{ "year", OPT_VALUE, "YYYY", "new Haushaltsjahr" },
	{ "due", OPT_VALUE, "DATE", "new due date" },
	{ "notes", OPT_VALUE, "TEXT", "new notes" },
	{ "reopen", OPT_FLAG, NULL, "mark as open again" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec measure_list_opts[] = {
	{ "process", OPT_VALUE, "SLUG", "only this process" },
	{ "owner", OPT_VALUE, "ACTOR", "only this actor's" },
	{ "overdue", OPT_FLAG, NULL, "only overdue measures" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec measure_done_opts[] = {
	{ "date", OPT_VALUE, "DATE", "day it was done (default: today)" },
	{ "notes", OPT_VALUE, "TEXT", "notes" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec event_add_opts[] = {
	{ "process", OPT_REQUIRED, "SLUG", "the process" },
	{ "title", OPT_REQUIRED, "TEXT", "e.g. \"Workshop Bildung und Integration\"" },
	{ "start", OPT_REQUIRED, "\"YYYY-MM-DD[ HH:MM]\"", "day, and time once it is known" },
	{ "end", OPT_VALUE, "\"[YYYY-MM-DD ]HH:MM\"", "end time (or last day of an event "
	    "without time)" },
	{ "location", OPT_VALUE, "TEXT", "place and address, once it is known" },
	{ "step", OPT_VALUE, "N", "the step of the process, e.g. 6 for the workshops" },
	{ "invite", OPT_MULTI, "ACTOR", "an invited actor (repeatable)" },
	{ "invite-committee", OPT_MULTI, "SLUG", "invite every member of a committee "
	    "(repeatable)" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec event_edit_opts[] = {
	{ "title", OPT_VALUE, "TEXT", "new title" },
	{ "start", OPT_VALUE, "\"YYYY-MM-DD[ HH:MM]\"", "new day or time; the length stays" },
	{ "end", OPT_VALUE, "\"[YYYY-MM-DD ]HH:MM\"", "new end (\"\" for none)" },
	{ "location", OPT_VALUE, "TEXT", "new place (\"\" while not known)" },
	{ "step", OPT_VALUE, "N", "the step of the process" },
	{ "invite", OPT_MULTI, "ACTOR", "replaces the invitees (repeatable)" },
	{ "invite-committee", OPT_MULTI, "SLUG", "replaces the invitees (repeatable)" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec event_list_opts[] = {
	{ "process", OPT_VALUE, "SLUG", "only this process" },
	{ "actor", OPT_VALUE, "SLUG", "only events this actor is invited to" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec evaluation_add_opts[] = {
	{ "process", OPT_REQUIRED, "SLUG", "the process" },
	{ "title", OPT_REQUIRED, "TEXT", "what is evaluated" },
	{ "owner", OPT_REQUIRED, "ACTOR", "responsible actor" },
	{ "start", OPT_REQUIRED, "DATE", "first occurrence" },
	{ "rrule", OPT_REQUIRED, "RULE", "RFC 5545 RRULE, e.g. FREQ=YEARLY, "
	    "FREQ=MONTHLY;INTERVAL=3 (month ends: add ;BYMONTHDAY=-1)" },
	{ "committee", OPT_VALUE, "SLUG", "the committee it reports to" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec evaluation_edit_opts[] = {
	{ "title", OPT_VALUE, "TEXT", "new title" },
	{ "owner", OPT_VALUE, "ACTOR", "new responsible actor" },
	{ "start", OPT_VALUE, "DATE", "new first occurrence" },
	{ "rrule", OPT_VALUE, "RULE", "new RFC 5545 RRULE" },
	{ "committee", OPT_VALUE, "SLUG", "the committee it reports to (\"\" for none)" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec evaluation_list_opts[] = {
	{ "process", OPT_VALUE, "SLUG", "only this process" },
	{ "from", OPT_VALUE, "DATE", "occurrences from this day (default: today)" },
	{ "count", OPT_VALUE, "N", "occurrences per evaluation (default 3, at most 100)" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec evaluation_done_opts[] = {
	{ "note", OPT_VALUE, "TEXT", "what came out of it" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec agenda_opts[] = {
	{ "actor", OPT_VALUE, "SLUG", "only what concerns this actor" },
	{ "days", OPT_VALUE, "N", "how far ahead (default 30, at most 3660)" },
	{ "from", OPT_VALUE, "DATE", "first day (default: today)" },
	{ "committee", OPT_VALUE, "SLUG", "only this committee's" },
	{ "process", OPT_VALUE, "SLUG", "only this process's" },
	{ NULL, 0, NULL, NULL },
};
static const struct opt_spec process_show_opts[] = {
	{ "svg", OPT_OUTFILE, "FILE", "write the timeline as an SVG picture to FILE" },
	{ NULL, 0, NULL, NULL },
};

static const struct opt_spec draft_render_opts[] = {
	{ "process", OPT_REQUIRED, "SLUG", "the process whose data fills the draft" },
	{ "submission", OPT_VALUE, "ID", "the Vorlage to draft (default for verwaltungsvorlage "
	    "and beschlussvorlage: the process's Vorlage of that kind that is due first)" },
	{ "format", OPT_VALUE, "FORMAT", "md (default), html or odt" },
	{ "event", OPT_VALUE, "ID", "the event an invitation is for (default: the process's "
	    "next one)" },
	{ "to", OPT_VALUE, "ACTOR", "a personal letter to this invitee, with their greeting" },
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
	{ "actor remove", "SLUG", "remove an actor", actor_remove_opts, CMD_MUTATING,
	  "An actor who is responsible for submissions, measures, evaluations, processes or "
	  "steps, or invited to events or feedback windows, is only removed with "
	  "--reassign-to, which hands all of it (and the seats in committees) over to "
	  "another actor in one step, or with --force.  Without either, the error names the "
	  "records.  The actor's feeds stop working." },
	{ "actor join", "SLUG", "give an actor a seat in a committee", actor_join_opts, CMD_MUTATING, NULL },
	{ "actor leave", "SLUG", "remove an actor from a committee", actor_leave_opts, CMD_MUTATING, NULL },

	{ "submission add", NULL, "add a submission (Vorlage) for a session", submission_add_opts, CMD_MUTATING,
	  "The submission gets one Beratung in the session; add more with "
	  "\"submission beratung add\"." },
	{ "submission list", NULL, "list submissions", submission_list_opts, 0,
	  "\"session\" is the session that decides, \"deadline\" the first Vorlagenfrist." },
	{ "submission show", "ID", "show one submission with its Beratungen and deadlines", NULL, 0, NULL },
	{ "submission edit", "ID", "change a submission", submission_edit_opts, CMD_MUTATING, NULL },
	{ "submission remove", "ID", "remove a submission", NULL, CMD_MUTATING, NULL },
	{ "submission beratung add", "ID", "let a submission go to one more session (Beratung)",
	  beratung_add_opts, CMD_MUTATING,
	  "Each Beratung gets its own Vorlagenfrist from the rule of its committee for the "
	  "submission's kind.  The Beratungsfolge is ordered by the sessions' dates." },
	{ "submission beratung edit", "ID", "change the role or the session of a Beratung",
	  beratung_edit_opts, CMD_MUTATING, NULL },
	{ "submission beratung remove", "ID", "remove a Beratung from a submission",
	  beratung_remove_opts, CMD_MUTATING, "The last Beratung cannot be removed; remove the "
	  "submission instead." },

	{ "process add", "SLUG", "add an Integrationskonzept process with the steps of its "
	  "process file", process_add_opts, CMD_MUTATING,
	  "The steps come from templates/process/NAME.conf (the admin's copy in "
	  "templates.dir/process/ first).  Without --route, the Beratungsfolge is derived "
	  "from the committees: executive (Hessen), integration body, Fachausschuss, main "
	  "committee, and the target's Rat or Kreistag." },
	{ "process edit", "SLUG", "change a process: name, target, route, process file, "
	  "schedule, budget", process_edit_opts, CMD_MUTATING, NULL },
	{ "process remove", "SLUG", "remove a process", force_opts, CMD_MUTATING,
	  "A process with draft Vorlagen of its plan, windows, measures or evaluations is only "
	  "removed with --force, which removes them too; Vorlagen already submitted stay." },
	{ "process list", NULL, "list processes", NULL, 0, NULL },
	{ "process show", "SLUG", "show a process: route, budget, steps, sessions, windows, "
	  "measures, evaluations and what changed", process_show_opts, 0,
	  "--svg FILE writes the timeline of the process as an SVG picture: the steps as bars "
	  "over the months, the sessions of the route with their Vorlagenfristen, the feedback "
	  "window, session-free breaks and today; late steps and steps a new plan would move "
	  "are marked.  ikond-ctl writes the file, not the daemon." },
	{ "process plan", "SLUG", "plan the steps from today to the adopting session",
	  process_plan_opts, CMD_MUTATING,
	  "Without --apply the plan is only shown, with every step and deadline that would "
	  "move.  Steps that are done, in progress, begun or dated by hand keep their dates.  "
	  "An infeasible plan is reported with its reasons (and the nearest target session "
	  "that works) and exit status 1, and nothing is stored." },
	{ "process step", "SLUG N", "change step N: state, dates, title, owners, order",
	  process_step_opts, CMD_MUTATING, "Dates given here are kept by later plans until "
	  "--unpin." },
	{ "process insert", "SLUG N", "add a step at position N", process_insert_opts,
	  CMD_MUTATING, NULL },

	{ "window add", NULL, "add a feedback window", window_add_opts, CMD_MUTATING,
	  "Give --closes or --rule; a rule counts from the opening day." },
	{ "window list", NULL, "list feedback windows", window_list_opts, 0, NULL },
	{ "window show", "ID", "show a feedback window with its audience", NULL, 0, NULL },
	{ "window edit", "ID", "change a feedback window", window_edit_opts, CMD_MUTATING, NULL },
	{ "window remove", "ID", "remove a feedback window", NULL, CMD_MUTATING, NULL },

	{ "measure add", NULL, "add a measure (Maßnahme) of the concept", measure_add_opts,
	  CMD_MUTATING, NULL },
	{ "measure list", NULL, "list measures; overdue ones are flagged", measure_list_opts, 0,
	  NULL },
	{ "measure show", "ID", "show a measure", NULL, 0, NULL },
	{ "measure edit", "ID", "change a measure", measure_edit_opts, CMD_MUTATING, NULL },
	{ "measure done", "ID", "mark a measure as done", measure_done_opts, CMD_MUTATING, NULL },
	{ "measure remove", "ID", "remove a measure", NULL, CMD_MUTATING, NULL },

	{ "event add", NULL, "add an event of a process (a workshop) with its invitees",
	  event_add_opts, CMD_MUTATING,
	  "Without a time in --start the event is all-day, its time to follow; the "
	  "invitation letter then says so, as it does for a missing --location.  The event "
	  "is in the feeds of its invitees (the actors and the members of the committees "
	  "invited), of the committees and of the process, and reminds the invitees "
	  "(reminders.event)." },
	{ "event list", NULL, "list events", event_list_opts, 0, NULL },
	{ "event show", "ID", "show an event with its invitees", NULL, 0, NULL },
	{ "event edit", "ID", "change an event: time, place, invitees", event_edit_opts,
	  CMD_MUTATING, "--invite and --invite-committee replace all invitees.  A new --start "
	  "without --end keeps the event's length." },
	{ "event remove", "ID", "remove an event", NULL, CMD_MUTATING, NULL },

	{ "evaluation add", NULL, "add a recurring evaluation date", evaluation_add_opts,
	  CMD_MUTATING, "Occurrences on non-working days follow process.evaluation_roll." },
	{ "evaluation list", NULL, "list evaluations with their next occurrences",
	  evaluation_list_opts, 0, "Occurrences are listed up to process.evaluation_horizon "
	  "(three years by default) after today or --from, never beyond." },
	{ "evaluation show", "ID", "show an evaluation with its next occurrences", NULL, 0,
	  NULL },
	{ "evaluation edit", "ID", "change an evaluation", evaluation_edit_opts, CMD_MUTATING,
	  "Occurrences already marked done keep their note." },
	{ "evaluation done", "ID DATE", "mark the occurrence on DATE as done",
	  evaluation_done_opts, CMD_MUTATING, NULL },
	{ "evaluation remove", "ID", "remove an evaluation", NULL, CMD_MUTATING, NULL },

	{ "agenda", NULL, "everything due in the next days, for everyone or one actor",
	  agenda_opts, 0, NULL },

	{ "draft list", NULL, "list the draft templates and where each comes from", NULL, 0,
	  "Templates are searched in templates.dir of the configuration (the admin's copies, "
	  "origin \"admin\") first, then among the shipped ones (origin \"shipped\").  A copy "
	  "in templates.dir overrides the shipped file of the same name." },
	{ "draft render", "NAME", "fill a draft template with the data of a process",
	  draft_render_opts, CMD_OUTFILE,
	  "NAME is a template from \"draft list\" (letters a-z, digits and -, no path).  "
	  "Markdown and HTML go to stdout without -o; an ODT document needs -o FILE.  "
	  "ikond-ctl writes the file, not the daemon.  An error in the template is reported "
	  "as NAME:LINE: message and no file is written." },

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

	{ "feed add", NULL, "make a secret iCalendar feed address", feed_target_opts,
	  CMD_MUTATING, "Prints the http(s):// and webcal:// addresses (from http.base_url) "
	  "once; with --json {\"url\": ..., \"token\": ...}.  Give exactly one of "
	  "--actor, --committee, --process, --all." },
	{ "feed list", NULL, "list feeds: id, kind, target, created, rotated, revoked", NULL, 0,
	  "Only hashes of the tokens are stored, so the list cannot show the addresses; "
	  "\"feed rotate ID\" makes a new address for a feed whose address was lost." },
	{ "feed rotate", "ID", "replace a feed's address with a new one", NULL, CMD_MUTATING,
	  "The old address answers 404 from now on." },
	{ "feed revoke", "ID", "switch a feed off for good", NULL, CMD_MUTATING,
	  "Its address answers 404, like an address that never existed." },
	{ "export", NULL, "write a feed as iCalendar to stdout", feed_target_opts, CMD_OUTFILE,
	  "The same bytes the feed URL serves.  Give exactly one of --actor, --committee, "
	  "--process, --all." },
	{ "import sessions", "FILE", "bring the sessions in line with a council information "
	  "system's iCalendar export", import_sessions_opts, CMD_MUTATING | CMD_INFILE,
	  "FILE is the .ics export of a council information system (ALLRIS, SessionNet, ...), "
	  "of one committee (--committee) or of several, split by title patterns (--map, "
	  "import.map in ikond.conf).  A session is the one imported with the same UID before, "
	  "else the committee's session on the same day, else a new one; past ones come in as "
	  "held.  \"Entfällt\", \"abgesagt\" or \"fällt aus\" in the title and "
	  "STATUS:CANCELLED cancel a session, and so does its absence from an export that "
	  "covers its date (only reported with --keep-missing).  A value changed here and in "
	  "the export is a conflict: reported, and kept as it is here unless --overwrite.  "
	  "The report names every session created, changed (old → new), cancelled or in "
	  "conflict.  A file that is not valid iCalendar changes nothing." },

	{ "import oparl", "URL", "bring committees and sessions in line with an OParl 1.1 "
	  "server", import_oparl_opts, CMD_MUTATING | CMD_OWN_TXN,
	  "URL is an OParl body (or a system, with --body N).  Organisations of the type "
	  "Gremium become committees (their classification gives the kind; oparl.kinds "
	  "overrides it), meetings become sessions as with \"import sessions\": the same "
	  "session when the OParl id matches or, failing that, committee and day; cancelled, "
	  "and deleted ones cancelled; conflicts with changes made here reported and kept "
	  "unless --overwrite.  After the first run only what changed is asked for "
	  "(modified_since).  Papers are many: only those asked for come in (--paper, or "
	  "--papers-since with --paper-type), as submissions without an owner (listed as "
	  "incomplete) whose Beratungen are their consultations at imported meetings; a "
	  "submission with the same reference is theirs.  "
	  "The fetch runs beside the daemon's other work; the run is "
	  "applied as one: an HTTP error, a timeout or bad JSON anywhere changes nothing, "
	  "and the error names the URL and what was wrong." },

	{ "mail queue", NULL, "list the reminder mails and their state", mail_queue_opts, 0, NULL },
	{ "mail retry", "[ID]", "send a failed reminder again", mail_retry_opts, CMD_MUTATING,
	  "Give the ID of one reminder, or --failed for all failed ones." },
	{ "mail preview", "ID", "show the mail of a reminder as it would be sent", NULL, 0, NULL },
	{ "mail test", "ADDRESS", "send one test mail now and print the result", NULL,
	  CMD_MUTATING, "Uses the SMTP relay of the configuration, or the Maildir without one.  "
	  "Waits for the relay's answer (at most 15 seconds)." },

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

size_t
cmdtab_positional_required(const struct cmd_spec *cmd)
{
	size_t n = 0;
	const char *p = cmd->positionals;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " ");
		if (*p == '\0' || *p == '[')
			break;
		n++;
		p += strcspn(p, " ");
	}
	return n;
}
