/*
 * reminder: plans the e-mail reminders and drives them through the outbox.
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
 * The scheduler part (reminders_*) runs in the daemon's main loop: it
 * re-plans when the data, the configuration, the local day or the wall
 * clock changed, hands due rows to the outbox and records what the
 * delivery thread reports.
 */
#ifndef IKOND_REMINDER_H
#define IKOND_REMINDER_H

#include <poll.h>
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
/* The catch-up rule alone, inside the caller's transaction. */
int reminder_catch_up(struct ikond *ikd, time_t now, struct reminder_stats *stats,
    char **cause);

/* The scheduler in the main loop. */
struct reminders;

struct reminders *reminders_start(struct ikond *ikd, char **cause);
void reminders_stop(struct reminders *r);
/* Adds the scheduler's descriptors to pfd (at most max); returns how many. */
size_t reminders_pollfds(struct reminders *r, struct pollfd *pfd, size_t max);
/* Handles what poll reported on the descriptors reminders_pollfds() added. */
void reminders_handle(struct reminders *r, struct ikond *ikd, const struct pollfd *pfd,
    size_t n);
/* Plans and sends what is due; call once per loop iteration. */
void reminders_tick(struct reminders *r, struct ikond *ikd, time_t now);
/* Asks for a full re-plan at the next tick (configuration reloaded). */
void reminders_replan(struct reminders *r);
/* The password read from smtp.password_file (NULL if none). */
const char *reminders_smtp_password(const struct reminders *r);
/* The counters for "status": skipped because past, sent, failed. */
json_t *reminders_status_json(const struct reminders *r);

#endif
