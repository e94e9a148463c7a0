/*
 * planner: dates the steps of a process.  Plain data in (the steps of a
 * process file, the sessions, the route, what the store says about each
 * step, the working-day calendar), a plan out: no store, no clock, no
 * libical, so it is unit-tested on its own.
 *
 * The adopting session and the route fix the end: each committee of the
 * route takes its latest session before the next one, and the first
 * Vorlagenfrist of the route is the deadline everything before it must
 * meet.  Free steps are placed as early as the steps they follow allow
 * (or, with "late", as late as their successors allow), the start
 * decision takes a session of the route's first deliberating committee,
 * windows and workshops stay out of session-free breaks, and steps that
 * have started, ended or were dated by hand stay where they are.  An
 * infeasible plan says why, with dates, and names the nearest adopting
 * session that would work.
 */
#ifndef IKOND_PLANNER_H
#define IKOND_PLANNER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "procdef.h"
#include "route.h"
#include "rule.h"
#include "workcal.h"

#define PLAN_NO_DAY		(-1000000)
#define PLAN_SUGGEST_MAX	60	/* later target sessions tried */

/* A session as the planner sees it. */
struct plan_session {
	long long	 id;
	long long	 committee_id;
	const char	*committee;	/* slug */
	const char	*committee_name;
	int		 day;		/* local start day */
	int		 minute;	/* local start minute */
	bool		 cancelled;
	int		 beschluss_due;	/* Vorlagenfrist of a Beschlussvorlage */
	int		 verwaltung_due; /* Vorlagenfrist of a Verwaltungsvorlage */
};

/* Why a step keeps the dates it has. */
enum plan_fix {
	PLAN_FREE,		/* the planner places it */
	PLAN_BY_HAND,		/* dates set with "process step" */
	PLAN_STARTED,		/* its start has passed */
	PLAN_IN_PROGRESS,
	PLAN_DONE,
	PLAN_SKIPPED,		/* left out: the steps after it follow the ones before it */
};

/* What the store says about one step of the process file. */
struct plan_pin {
	enum plan_fix	 fix;
	int		 start;		/* PLAN_NO_DAY if not dated */
	int		 end;
};

struct plan_input {
	const struct procdef		*def;
	const struct plan_session	*sessions;	/* sorted by day and minute */
	size_t				 nsessions;
	const struct route_entry	*route;		/* ends with the target's */
	size_t				 nroute;
	long long			 target_id;	/* the adopting session */
	long long			 decision_committee; /* 0: from the route */
	const char			*decision_name;	/* its name, if set */
	const struct plan_pin		*pins;		/* def->nsteps, or NULL */
	int				 origin;	/* first steps start here */
	int				 today;		/* nothing is planned before it */
	bool				 late;		/* as late as possible */
	enum rule_roll			 evaluation_roll;
	const struct workcal		*wc;
};

/* One session of a Vorlage's Beratungsfolge. */
struct plan_beratung {
	const struct plan_session	*session;
	const char			*role;	/* anhoerung, vorberatung, ... */
	int				 due;	/* its Vorlagenfrist */
};

struct plan_step {
	const struct procdef_step *def;
	int			 n;		/* position in the process file, from 1 */
	int			 start;		/* inclusive; PLAN_NO_DAY: none */
	int			 end;
	enum plan_fix		 fix;
	char			*note;		/* German: why these dates */
	struct plan_beratung	 beratungen[ROUTE_MAX];	/* Vorlagen: their sessions */
	size_t			 nberatungen;
	int			 event;		/* workshop day, first evaluation */
	int			 nominal;	/* evaluation: first date before rolling */
	/* Why the step lies where it does, for the messages. */
	int			 ready;		/* earliest start they allow */
	int			 after;		/* the step that set it; -1: origin */
	const char		*break_name;	/* a break moved it */
	int			 break_from;
	int			 break_to;
	int			 unmoved_end;	/* where it would have ended without */
};

struct plan {
	const struct procdef		*def;
	struct plan_step		*steps;		/* def->nsteps, in file order */
	size_t				 nsteps;
	const struct plan_session	*target;
	bool				 late;
	char				**problems;	/* English; empty if feasible */
	size_t				 nproblems;
	char				**warnings;	/* English; the plan stands */
	size_t				 nwarnings;
	const struct plan_session	*suggestion;	/* a later target that works */
};

/* Plans; 0 and a full plan, or -1 and p->problems.  Clear p afterwards. */
int planner_run(const struct plan_input *in, struct plan *p);
void planner_clear(struct plan *p);
/* Whether the plan makes the step's products: a dated step that is not
 * fixed, and the adoption (dated by its route) always. */
bool planner_has_products(const struct plan_step *st);
/* "by_hand", "started", "in_progress", "done", "skipped", or NULL. */
const char *planner_fix_word(enum plan_fix fix);

/* The plan as JSON: steps with dates and products, the flat list of
 * sessions, the window, problems. */
json_t *planner_json(const struct plan *p);
/* The plan as text for people. */
char *planner_text(const struct plan *p);

/* The day d rolled to a working day: later, earlier, or kept. */
int planner_roll(const struct workcal *wc, int d, enum rule_roll roll);

/* Why a session on day is unusual (a weekend, a public holiday, a local
 * day off, a session-free break), as English text into buf; false for an
 * ordinary working day. */
bool planner_odd_day(const struct workcal *wc, int day, char *buf, size_t len);

#endif
