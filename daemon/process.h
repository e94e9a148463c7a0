/*
 * process: the Integrationskonzept as a dated plan.  The planner takes the
 * sessions in the store (reduced to plain values, so it runs without a
 * daemon) and the durations of the config's "process" group, and schedules
 * the ten steps backwards from the session of the Rat or Kreistag that is
 * to adopt the concept, plus the two follow-up phases after adoption.  It
 * returns either a plan or the list of reasons why none fits.
 *
 * The module also expands the RRULE of evaluation dates (libical) with
 * the configured roll for non-working days, and collects the problems of
 * stored plans for "status".
 */
#ifndef IKOND_PROCESS_H
#define IKOND_PROCESS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <sqlite3.h>

#include "config.h"
#include "ikond.h"
#include "rule.h"
#include "workcal.h"

#define PROCESS_STEPS		12	/* ten steps and two follow-up phases */
#define PROCESS_CHAIN_MAX	4	/* Beirat, Fachausschuss, Kreisausschuss, Kreistag */
#define PROCESS_NO_DAY		(-1000000)

/* A session as the planner sees it. */
struct plan_session {
	sqlite3_int64	 id;
	sqlite3_int64	 committee_id;
	const char	*committee;	/* slug */
	const char	*committee_name;
	const char	*kind;		/* committee kind */
	int		 day;		/* local start day */
	int		 minute;	/* local start minute */
	bool		 cancelled;
	int		 beschluss_due;	/* Vorlagenfrist of a Beschlussvorlage */
	int		 verwaltung_due; /* Vorlagenfrist of a Verwaltungsvorlage */
};

struct plan_input {
	const struct plan_session	*sessions;	/* sorted by day and minute */
	size_t				 nsessions;
	sqlite3_int64			 target_id;	/* session that adopts the concept */
	sqlite3_int64			 committee_id;	/* responsible Fachausschuss, 0: any */
	bool				 has_beirat;	/* an Integrationsbeirat exists */
	int				 today;		/* steps 1-3 start here */
	const struct process_config	*pc;
	const struct workcal		*wc;
};

struct plan_step {
	int		 n;
	const char	*code;		/* stable key: "thema", ..., "evaluation" */
	const char	*title;		/* German default title */
	int		 start;		/* day numbers, inclusive */
	int		 end;
	char		*note;		/* German: why these dates */
};

struct plan_link {
	const struct plan_session *session;
	const char	*role;		/* "start", "integrationsbeirat", "fachausschuss", ... */
	const char	*kind;		/* submission kind */
	int		 step;		/* 5 or 10 */
	int		 due;		/* its Vorlagenfrist */
};

struct plan {
	struct plan_step	 steps[PROCESS_STEPS];
	struct plan_link	 links[PROCESS_CHAIN_MAX + 1];
	size_t			 nlinks;
	int			 window_opens;
	int			 window_closes;
	int			 first_evaluation;
	char			**problems;	/* English, for people; empty if feasible */
	size_t			 nproblems;
};

/* The German default titles of the twelve steps, by code. */
const char *process_step_code(int n);
const char *process_step_title(int n);

/* Plans; 0 and a full plan, or -1 and p->problems.  Clear p afterwards. */
int process_plan(const struct plan_input *in, struct plan *p);
void process_plan_clear(struct plan *p);
/* The plan as JSON: steps with dates, links, window, problems. */
json_t *process_plan_json(const struct plan *p);
/* The plan as text for people. */
char *process_plan_text(const struct plan *p);

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
/* The day d rolled off non-working days. */
int process_roll(const struct workcal *wc, int d, enum rule_roll roll);

/* Daemon side: the planner's input for one process from the store. */
int process_load_input(struct ikond *ikd, sqlite3_int64 target_id, sqlite3_int64 committee_id,
    int today, struct plan_input *in, char **cause);
void process_input_clear(struct plan_input *in);

/* Resolves a process slug. */
int process_id(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause);
/* Looks a slug up: 1 with *id set, 0 if there is no such process, -1 if
 * the store fails. */
int process_find(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause);
/* Today in the body's zone, as a day number. */
int process_today(struct ikond *ikd);

/* What changed in the stored plan of a process since it was applied
 * (moved or cancelled sessions, shifted deadlines, steps that move, or a
 * plan that no longer fits); an array of strings, or NULL with *cause. */
json_t *process_changes(struct ikond *ikd, sqlite3_int64 process_id, char **cause);
/* Appends the problems for "status" to list: plan changes of every
 * process, overdue measures.  0 or -1. */
int process_add_problems(struct ikond *ikd, json_t *list, char **cause);

#endif
