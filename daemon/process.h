/*
 * process: the Integrationskonzept in the store, around the pure planner
 * (planner.h):
 *   process.c          the planner's input for one process: its process
 *                      file, the sessions, the route (stored or derived),
 *                      what is fixed of each step;
 *   process_compare.c  what a plan moves compared with what is stored, and
 *                      the changes "process show" and "status" report;
 *   process_apply.c    stores a plan: the dates of the steps and, one small
 *                      function per product, the Vorlagen, the workshop,
 *                      the window and the evaluation;
 *   process_recur.c    evaluation dates: the RRULE expanded with libical,
 *                      never beyond the configured horizon.
 */
#ifndef IKOND_PROCESS_H
#define IKOND_PROCESS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <sqlite3.h>

#include "config.h"
#include "ikond.h"
#include "planner.h"
#include "rule.h"
#include "workcal.h"

/* What "process plan" may override of the stored process. */
struct process_options {
	sqlite3_int64	 target_id;	/* 0: the stored target session */
	sqlite3_int64	 committee_id;	/* 0: the stored start-decision committee */
	int		 from;		/* PLAN_NO_DAY: the stored origin, or today */
	int		 late;		/* -1: as stored, 0: early, 1: late */
	bool		 as_planned;	/* as of the day it was planned (for changes) */
};

/* The planner's input for one process and everything it points into. */
struct process_input {
	struct plan_input	 in;
	sqlite3_int64		 process_id;
	struct procdef		*def;
	struct plan_session	*sessions;
	size_t			 nsessions;
	struct route_committee	*committees;
	size_t			 ncommittees;
	struct route		 route;
	bool			 route_derived;	/* from the committees */
	struct plan_pin		*pins;
};

/* Loads the input; -1 with *cause if the process, its file or its route
 * cannot be read. */
int process_load(struct ikond *ikd, sqlite3_int64 pid, const struct process_options *o,
    struct process_input *pi, char **cause);
void process_input_free(struct process_input *pi);
void process_options_init(struct process_options *o);

/* The committees of the body, for routes. */
int process_committees(struct ikond *ikd, struct route_committee **out, size_t *n,
    char **cause);
void process_committees_free(struct route_committee *c, size_t n);
/* The stored route of a process (n 0 if it has none). */
int process_route_load(struct ikond *ikd, sqlite3_int64 pid, const struct route_committee *c,
    size_t nc, struct route *r, char **cause);

/* Resolves a process slug. */
int process_id(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause);
/* Looks a slug up: 1 with *id set, 0 if there is no such process, -1 if
 * the store fails. */
int process_find(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause);
/* The ids of a list's "--process P --actor A" filter, 0 for each not given. */
int process_actor_filter(struct ikond *ikd, const char *process, const char *actor,
    sqlite3_int64 *pid, sqlite3_int64 *aid, char **cause);
/* Today in the body's zone, as a day number. */
int process_today(struct ikond *ikd);

/* What plan p moves compared with the stored plan of process pid: an array
 * of {"kind", "code", "old", "new", "text"} (kind step, session, deadline,
 * window, evaluation); deadlines of unchanged sessions only if asked. */
json_t *process_moves(struct ikond *ikd, sqlite3_int64 pid, const struct plan *p,
    bool deadlines, char **cause);
/* What changed in the stored plan of a process since it was applied
 * (moved or cancelled sessions, shifted deadlines, what a new plan would
 * move, or a plan that no longer fits); an array of strings, or NULL with
 * *cause. */
json_t *process_changes(struct ikond *ikd, sqlite3_int64 process_id, char **cause);
/* Appends the problems for "status" to list: plan changes of every
 * process, overdue measures, sessions on unusual days.  0 or -1. */
int process_add_problems(struct ikond *ikd, json_t *list, char **cause);

/* Stores plan p of process pi (feasible): step dates, Vorlagen, window,
 * evaluation; owner owns what it creates.  Adds what it did to result. */
int process_apply(struct ikond *ikd, const struct process_input *pi, const struct plan *p,
    sqlite3_int64 owner, json_t *result, char **cause);

/* The key of Beratung k of a planned step among its stored links: "start"
 * for the start decision, the committee's slug in the adoption's route. */
const char *process_link_key(const struct plan_step *st, size_t k);

/* Occurrences of an evaluation: the nominal date from the RRULE and the
 * date after rolling off non-working days. */
struct occurrence {
	int	nominal;
	int	due;
};

#define PROCESS_MAX_OCCURRENCES	1000

/* Expands rrule from start (a date, no time) and keeps the occurrences
 * whose due day lies in [from, to]; at most max of them. */
int process_occurrences(const char *rrule, int start, int from, int to, enum rule_roll roll,
    const struct workcal *wc, struct occurrence **out, size_t *n, size_t max, char **cause);
/* Checks an RRULE without expanding it. */
int process_rrule_check(const char *rrule, char **cause);
/* The day of the month (29 to 31) a series from start skips in the months
 * or years that lack it (RFC 5545 drops such dates, it does not move them),
 * or 0 if every period has its date. */
int process_rrule_skip_day(const char *rrule, int start);
/* The last day a series is expanded to for a view that begins on from:
 * the evaluation horizon after today, or after from if that is later. */
int process_series_end(const struct config *cfg, int today, int from);

#endif
