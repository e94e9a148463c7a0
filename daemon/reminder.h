/*
 * reminder: plans the e-mail reminders.
 *
 * The planner turns every dated item of the agenda into rows of the
 * reminder table, one per (item, offset, recipient), and keeps them in
 * step with their date: a moved item moves its queued rows and queues one
 * "Termin verschoben" notice for whoever was already reminded of the old
 * date; a cancelled item skips its queued rows and queues one cancellation
 * notice for whoever was already reminded.  Due times come from the local
 * calendar: "P7D" is send_time seven calendar days before the item's local
 * date, whatever DST does; "PT2H" is exactly two hours before a timed start.
 * A reminder whose day is not a working day goes out on the working day
 * before, at the same time (unless reminders.non_working_days is "keep"),
 * and of two offsets that land on the same instant only the closer one.
 *
 * Catch-up: of the reminders of one item and recipient that are due now,
 * only the latest is sent, the older ones are skipped; reminders of dates
 * already past are skipped and counted.
 *
 * The scheduler that runs the planner in the main loop is reminders.h's.
 */
#ifndef IKOND_REMINDER_H
#define IKOND_REMINDER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "duration.h"
#include "ikond.h"
#include "workcal.h"

/* When an item takes place: a whole local day or an instant. */
struct reminder_date {
	bool	all_day;
	int	days;		/* all_day: the local day */
	time_t	start;		/* timed: the instant */
};

/*
 * The instant a reminder offset falls due.  Whole days are counted on the
 * local calendar and land at send_minute; hours and minutes are then taken
 * off exactly from the start of a timed item (from send_minute on the day
 * of a whole-day item).  Returns 0, or -1 with *cause set.
 */
int reminder_due_time(const char *tz, int send_minute, const struct reminder_date *d,
    const struct duration *off, time_t *due, char **cause);
/* A due instant whose local day is not a working day, moved to the same
 * local time on the working day before (reminders.non_working_days =
 * "earlier"); any other instant as it is. */
time_t reminder_working_day(const char *tz, const struct workcal *wc, time_t due);
/* The instant from which the date counts as past: a timed item's start,
 * the local midnight after a whole-day item. */
time_t reminder_date_over(const char *tz, const struct reminder_date *d);

struct reminder_stats {
	int	planned;	/* rows inserted */
	int	moved;		/* queued rows given a new due time */
	int	notices;	/* "verschoben" and cancellation notices queued */
	int	skipped_past;	/* the date was already past */
	int	skipped_older;	/* a later reminder of the same item was due too */
	int	skipped_other;	/* cancelled, no longer a recipient, offset removed */
};

/*
 * Brings the reminder table in line with the agenda as of now, in one
 * transaction of its own.  Only items dated from yesterday to
 * reminder_horizon_days() ahead are planned (read with the agenda's date
 * filter), so the work is bounded by the window, not by the history or
 * the years ahead; later items get their rows on the day they enter the
 * window, before any of their offsets falls due.  Items with rows inside
 * the window that it no longer holds (moved far ahead, deleted) are
 * looked up beyond it, so moves and cancellations still queue their
 * notices.  Adds to *stats (may be NULL).  Returns 0, or -1 with *cause
 * set and nothing changed.
 */
int reminder_plan(struct ikond *ikd, time_t now, struct reminder_stats *stats, char **cause);
/* How many days ahead of today reminder_plan() plans items. */
int reminder_horizon_days(const struct config *cfg);
/*
 * What a plan made today depends on besides the data: the day, the time
 * zone, send time, offsets and the working days its due times can fall
 * on, as text (allocated).  Two plans of the same data and basis write the
 * same rows.
 */
char *reminder_basis(const struct config *cfg, int today);
/* The catch-up rule alone, inside the caller's transaction. */
int reminder_catch_up(struct ikond *ikd, time_t now, struct reminder_stats *stats,
    char **cause);

#endif
