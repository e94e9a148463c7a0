/*
 * outbox: the persistent queue of reminder mails in the reminder table.
 *
 * States: queued -> sending -> sent | failed, and queued -> skipped (the
 * planner's decision).  A row is marked "sending", with its Message-ID,
 * and committed before the delivery thread sees it; the outcome is
 * committed as soon as the thread reports it (kept in memory and
 * committed again while the database refuses writes), and the thread
 * delivers no more than MAILER_UNRECORDED_MAX messages ahead of those
 * commits.  On start, rows still
 * "sending" (a crash between the relay's answer and the commit) go back
 * to "queued" and are sent again with the same Message-ID, so a duplicate
 * can be recognised.  Claims and outcomes are committed without waiting
 * for the disk (store_begin_nosync()): a crash of ikond loses none of
 * them, a power failure may lose those of the last moments, whose mails
 * then go out again with their Message-ID (derived from the row, so a
 * lost claim changes nothing); waiting for the disk after every few
 * messages took more time than delivering them.  A temporary failure
 * waits retry_seconds * 2^(n-1) (at most a day) until smtp.max_attempts
 * is reached; a permanent one keeps the relay's answer in last_error.
 */
#ifndef IKOND_OUTBOX_H
#define IKOND_OUTBOX_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "buf.h"
#include "ikond.h"
#include "mailer.h"

#define OUTBOX_BATCH_MAX	200	/* messages per delivery job */
#define OUTBOX_CHUNK		16	/* messages composed at a time */

extern const char *const outbox_states[];

/* Rows left in "sending" go back to "queued"; returns how many, or -1. */
int outbox_recover(struct ikond *ikd, char **cause);
/*
 * Composes rows due at now (at most max messages, and no more than job
 * has room for; an actor who wants a digest gets one message for all
 * their due reminders), marks them "sending", commits and adds the
 * messages to job.  Rows whose message cannot be composed are marked
 * failed with the reason.  Returns how many messages were added, or -1
 * (job as before).
 */
int outbox_claim(struct ikond *ikd, time_t now, size_t max, struct mailer_job *job,
    char **cause);
/*
 * Records one delivery outcome, inside the caller's transaction: a
 * delivery is added to sent (an empty buffer at first), which
 * outbox_apply_sent() records with the others in one statement before
 * the commit.  Returns 0, or -1 with *cause set (the caller rolls back
 * and tries again later).
 */
int outbox_apply(struct ikond *ikd, const struct mailer_item *it, time_t now, struct buf *sent,
    char **cause);
/* Records the deliveries outbox_apply() added to sent, and empties it.  0 or -1. */
int outbox_apply_sent(struct ikond *ikd, struct buf *sent, time_t now, char **cause);
/* The earliest time a queued row wants attention in *next, or 0 if none.
 * 0 or -1. */
int outbox_next_due(struct ikond *ikd, time_t *next, char **cause);
/* 0 if smtp.from gives a sender address mails can be composed with. */
int outbox_sender_check(const char *from, char **cause);
/* The wall clock was set by seconds: moves every pending retry along, so
 * that its backoff is waited in elapsed time. */
int outbox_shift_retries(struct ikond *ikd, long long seconds, char **cause);
/* The message of one row as it would be sent now (for "mail preview"). */
int outbox_preview(struct ikond *ikd, sqlite3_int64 id, time_t now, struct buf *out,
    char **cause);
/* Composes a short test message to addr. */
int outbox_test_message(struct ikond *ikd, const char *addr, time_t now, struct buf *out,
    char **from_addr, char **cause);
/* Fills the transport from the configuration (password may be NULL). */
void outbox_transport(const struct ikond *ikd, const char *password,
    struct mailer_transport *t);
#endif
