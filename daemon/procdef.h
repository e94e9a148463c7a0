/*
 * procdef: the steps of a process as data.  A process file
 * (templates/process/NAME.conf, libconfig syntax) lists the steps in
 * their order, each with its code, German title, duration, the steps it
 * follows, whether it may be left out and what it produces.  The planner
 * reads only this; the shipped file holds the ten steps and two follow-up
 * phases of the Integrationskonzept.  Files are found on the template
 * search path (templates.dir first), so an admin adapts a copy.
 */
#ifndef IKOND_PROCDEF_H
#define IKOND_PROCDEF_H

#include <stdbool.h>
#include <stddef.h>

#define PROCDEF_STEPS_MAX	40
#define PROCDEF_AFTER_MAX	8
#define PROCDEF_NAME_MAX	48
#define PROCDEF_DEFAULT		"integrationskonzept"

/* What a step produces; it decides how the planner dates the step. */
enum procdef_product {
	PRODUCT_NONE,
	PRODUCT_VERWALTUNGSVORLAGE,	/* the start decision in a session of the route */
	PRODUCT_BESCHLUSSVORLAGE,	/* adoption: one Beratung per committee of the route */
	PRODUCT_WORKSHOP,		/* a dated workshop, kept out of breaks */
	PRODUCT_WINDOW,			/* the feedback window, kept out of breaks */
	PRODUCT_EVALUATION,		/* a recurring evaluation after adoption */
};

struct procdef_step {
	char			*code;		/* stable key, e.g. "workshop" */
	char			*title;		/* German */
	int			 days;		/* duration; 0 for steps dated otherwise */
	int			 months;	/* evaluation: adoption to its first date */
	int			 gap_days;	/* at least this long after "after" */
	bool			 optional;	/* may be left out ("skipped") */
	enum procdef_product	 produces;
	char			*rrule;		/* evaluation: its recurrence */
	size_t			 after[PROCDEF_AFTER_MAX]; /* earlier steps */
	size_t			 nafter;
	int			 line;		/* in the file */
};

struct procdef {
	char			*name;		/* file name without ".conf" */
	char			*path;
	char			*title;		/* German, e.g. "Integrationskonzept" */
	struct procdef_step	*steps;
	size_t			 nsteps;
	size_t			 adoption;	/* the step with the Beschlussvorlage */
	int			 decision;	/* the Verwaltungsvorlage's, or -1 */
};

/* Reads and checks one file; NULL with every problem as "FILE:LINE: message"
 * lines in *errors. */
struct procdef *procdef_read(const char *path, const char *name, char **errors);
/* Finds NAME on the search path (admin_dir/process first) and reads it. */
struct procdef *procdef_load(const char *admin_dir, const char *name, char **cause);
void procdef_free(struct procdef *def);
/* Checks every process file on the search path (for "ikond -n"); 0, or -1
 * with the problems of all files in *errors. */
int procdef_check_all(const char *admin_dir, char **errors);

/* The index of the step with code, or -1. */
int procdef_find(const struct procdef *def, const char *code);
const char *procdef_product_name(enum procdef_product product);

#endif
