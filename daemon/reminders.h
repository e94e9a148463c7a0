/*
 * reminders: the scheduler of the e-mail reminders in the daemon's main
 * loop.  It re-plans (reminder.h) when the data, the configuration, the
 * local day or the wall clock changed, hands due rows to the outbox for the
 * delivery thread and records what that thread reports; a timerfd wakes it
 * at the next due time or when the wall clock is set.
 */
#ifndef IKOND_REMINDERS_H
#define IKOND_REMINDERS_H

#include <poll.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "ikond.h"
#include "reminder.h"

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
