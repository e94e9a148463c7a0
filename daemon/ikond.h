/*
 * ikond: the daemon's shared state, handed to every command handler and
 * module.  Only the main thread touches it.
 */
#ifndef IKOND_IKOND_H
#define IKOND_IKOND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "store.h"

struct ikond {
	struct config	*cfg;
	struct store	*store;
	struct reminders *reminders;	/* the reminder scheduler (reminder.h) */
	struct oparl_sync *oparl;	/* OParl runs and their timer (oparl_sync.h) */
	struct http	*http;		/* the feed server, or NULL (http.h) */
	const char	*config_path;	/* file to (re)load, or NULL */
	uint64_t	 started_ms;	/* monotonic (monotonic.h) */
	uint64_t	 data_version;	/* grows with every committed change */
	uint64_t	 config_version;	/* grows with every reload */
	uint64_t	 requests;
	bool		 quit;
	bool		 reload;
};

/* Called after a committed change, so feeds and reminders catch up. */
void ikond_data_changed(struct ikond *ikd);
/* Tells systemd that long work goes on (what, done of total): the start
 * or reload may take another minute, and the watchdog is fed. */
void ikond_busy(struct ikond *ikd, const char *what, size_t done, size_t total);
/* Brings the deadlines up to the current configuration (deadline.h). */
int ikond_catch_up(struct ikond *ikd, char **cause);
/*
 * The numbers of committees, actors, submissions and deadlines (in this
 * order) for status: counted once per data_version, since counting a
 * million deadlines reads their whole index.  A clean stop leaves them
 * in the state directory (ikond_counts_leave()) and the next start takes
 * them (ikond_counts_take()) if nothing wrote to the database in between.
 */
#define IKOND_COUNTS	4
int ikond_counts(struct ikond *ikd, long long out[IKOND_COUNTS], char **cause);
void ikond_counts_take(struct ikond *ikd);
void ikond_counts_leave(struct ikond *ikd);
/* Re-reads the configuration; on failure keeps the old one and fills *errors. */
int ikond_reload(struct ikond *ikd, char **errors);

#endif
