/*
 * oparl_fetch: one run against an OParl server with libcurl: the body
 * (found through the system if the URL names one), then its lists of
 * organisations, meetings and (on request) persons and papers, page by page along
 * links.next, with modified_since after the first run.  It runs on a
 * thread of its own and never touches the store or struct ikond: it gets
 * its parameters and fills a result, which the main thread applies in one
 * short transaction (oparl_sync.h).  A run that fails anywhere brings no
 * data at all, only an error that names the URL and what was wrong.
 */
#ifndef IKOND_OPARL_FETCH_H
#define IKOND_OPARL_FETCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "oparl.h"

#define OPARL_FETCH_MAX_BYTES	(32 * 1024 * 1024)	/* of one answer */
#define OPARL_FETCH_MAX_PAGES	20000			/* of one list */

struct oparl_params {
	char		*url;		/* a body, or a system */
	int		 body_index;	/* with a system: its Nth body (from 1); 0: its only one */
	bool		 lists[OPARL_LIST_COUNT];	/* which lists to read */
	char		*since[OPARL_LIST_COUNT];	/* modified_since, or NULL: all */
	struct oparl_paper_filter papers;	/* which papers to keep */
	char		*tz;		/* zone of times without an offset */
	int		 timeout;	/* seconds for one request */
	atomic_bool	 cancel;	/* set by the main thread to stop the run */
};

struct oparl_result {
	char		*body_id;	/* the body's id, the key of its sync state */
	char		*body_name;
	struct oparl_data *data;	/* NULL if the run failed */
	char		*error;		/* NULL if it worked */
	time_t		 started;
	int		 requests;
	size_t		 bytes;
};

struct oparl_params *oparl_params_new(const char *url, const char *tz, int timeout);
void oparl_params_free(struct oparl_params *p);
/* Runs the whole fetch; on failure r->data is NULL and r->error set. */
void oparl_fetch(struct oparl_params *p, struct oparl_result *r);
void oparl_result_clear(struct oparl_result *r);

/* Call once at start, before any thread runs a fetch. */
void oparl_fetch_init(void);

#endif
