/*
 * oparl_sync: OParl runs from start to end.  A run is made on the main
 * thread from what the last run of the same server left (modified_since
 * per list), fetched on a thread of its own (oparl_fetch.h, as a bgjob),
 * and applied back on the main thread in one short transaction: every
 * record or none.  Organisations become committees (their classification
 * gives the kind), meetings sessions (through ris.h, so a session imported
 * from ICS or entered by hand is the same session), persons actors
 * without e-mail, listed as incomplete, with their seats, and the papers
 * asked for submissions with their Consultations as Beratungen, without
 * an owner until one is set.
 *
 * "ikond-ctl import oparl" runs one; with oparl.body in the configuration
 * the daemon runs one every oparl.interval.  The last run and its result
 * are kept for "status".
 */
#ifndef IKOND_OPARL_SYNC_H
#define IKOND_OPARL_SYNC_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "ikond.h"
#include "reply.h"

struct oparl_options {
	const struct title_map	*map;		/* committee slug = organisation name or id */
	size_t			 nmap;
	const struct title_map	*kinds;		/* committee kind = classification */
	size_t			 nkinds;
	bool			 persons;	/* persons and their seats, too */
	bool			 full;		/* everything, not only what changed */
	unsigned		 flags;		/* RIS_OVERWRITE */
	/* Papers as submissions: these references, or those dated on or
	 * after papers_since (day number, -1: none asked) of paper_type. */
	char *const		*refs;
	size_t			 nrefs;
	int			 papers_since;
	const char		*paper_type;
};

struct oparl_job;

/*
 * A run of url (with a system's URL, its body_index-th body; 0: its only
 * one); trigger says who asked ("command", "timer").  The options are
 * copied.  NULL with *cause if the store cannot be read.
 */
struct oparl_job *oparl_job_new(struct ikond *ikd, const char *url, int body_index,
    const struct oparl_options *opt, const char *trigger, char **cause);
/* The fetch, on a bgjob's thread (fills nothing in rep). */
void oparl_job_fetch(void *job, struct reply *rep);
/* Asks a fetch in progress to stop. */
void oparl_job_cancel(void *job);
void oparl_job_free(void *job);
/* On the main thread, once fetched: applies the run in one transaction
 * and puts the report (or the error) into rep; records the run. */
void oparl_job_finish(struct ikond *ikd, void *job, struct reply *rep);

/* The timer of oparl.body (one per daemon, in ikd->oparl). */
struct oparl_sync;

struct oparl_sync *oparl_sync_new(void);
/* Stops a run in progress (nothing of it is applied) and frees. */
void oparl_sync_free(struct oparl_sync *s);
size_t oparl_sync_pollfds(struct oparl_sync *s, struct pollfd *pfd, size_t max);
void oparl_sync_handle(struct oparl_sync *s, struct ikond *ikd, const struct pollfd *pfd,
    size_t n);
/* Starts a run when one is due; call once per loop iteration. */
void oparl_sync_tick(struct oparl_sync *s, struct ikond *ikd, time_t now);
/* For "status": the schedule, the last run, what each server's last good
 * run said.  NULL with *cause. */
json_t *oparl_sync_status(struct oparl_sync *s, struct ikond *ikd, char **cause);

#endif
