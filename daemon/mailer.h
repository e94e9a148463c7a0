/*
 * mailer: the delivery thread.  The main thread composes messages and
 * hands them over as one job; the thread delivers them (SMTP over
 * smtp.connections sessions at once, or the local Maildir) and reports
 * each message's outcome as soon as it is known through a descriptor the
 * main loop polls.  Each SMTP connection is a libESMTP session on a
 * thread of its own (libESMTP runs a whole session in one blocking call),
 * taking its share of the job's waiting messages for one session at a
 * time.  The threads never touch the database or the daemon's state, so
 * a slow or dead relay stalls nothing but themselves.  A connection that
 * reaches no relay while another one delivers gives its messages back to
 * the others and ends for this job: a relay that takes fewer connections
 * (or answers 421 to the second) gets everything over those it takes,
 * and nothing counts as a failed attempt.
 *
 * The main thread records outcomes in the database and then says so with
 * mailer_recorded().  A message takes one of MAILER_UNRECORDED_MAX slots,
 * shared by all connections, before it goes to the relay, and gives it
 * back when its delivery is recorded or it was not delivered; a
 * connection waits for a slot before each message.  A crash therefore
 * delivers again (with the same Message-ID) at most MAILER_UNRECORDED_MAX
 * messages, however many connections there are: those accepted but not
 * yet recorded plus those in transfer.  To a fast relay the
 * thread announces deliveries MAILER_NOTIFY_EVERY at a time, so that one
 * commit records several (a commit per message cost the main thread more
 * than the thread spent delivering it); a delivery that follows the last
 * announcement by MAILER_NOTIFY_MS or more is announced at once, and so
 * is every other outcome, the end of a session and a wait for a slot.
 * Announced or not, what is finished is recorded at the next pass of the
 * main loop, which passes at least once a second.
 *
 * Pace: with smtp.rate the connections together never hand the relay
 * more than rate messages in any window of its period (the times of the
 * last ones are remembered across jobs, and a session reserves its
 * messages' places in the window before it starts), and they wait
 * between sessions, not inside one, so no connection sits idle while it
 * waits.  A 4xx answer to a message is the relay pushing back (Exchange
 * Online answers 451 4.7.500 when a mailbox sends too much): the message
 * goes back to the end of the job, all connections wait (1 s, doubling
 * while nothing is accepted, at most MAILER_BACKOFF_MAX_MS, on the
 * monotonic clock), then one session at a time probes the relay with one
 * message, doubling the session while the relay accepts, and all
 * connections go on once a session went through without a 4xx.
 * Such a deferral is no failed attempt.  Only a message deferred
 * MAILER_DEFER_MAX times, or all that are left after MAILER_STALL_ROUNDS
 * sessions in a row in which the relay accepted nothing, is reported as
 * a temporary failure, which the outbox counts and retries later.
 */
#ifndef IKOND_MAILER_H
#define IKOND_MAILER_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "smtp.h"

#define MAILER_UNRECORDED_MAX	8	/* messages a crash may deliver twice */
#define MAILER_NOTIFY_EVERY	4	/* deliveries announced together to a fast relay */
#define MAILER_NOTIFY_MS	5	/* later than this, a delivery is announced alone */
#define MAILER_BACKOFF_MIN_MS	1000	/* first wait after a 4xx */
#define MAILER_BACKOFF_MAX_MS	60000
#define MAILER_DEFER_MAX	5	/* 4xx answers one message may get in one job */
#define MAILER_STALL_ROUNDS	10	/* sessions in a row without an accepted message */

struct mailer_item {
	/* in */
	sqlite3_int64	*rows;		/* the reminder rows this message covers */
	size_t		 nrows;
	char		*from_addr;
	char		*to_addr;
	char		*data;		/* the composed message */
	size_t		 len;
	/* out, valid once done */
	bool		 done;
	enum smtp_outcome outcome;
	int		 code;
	char		 reply[256];
	/* the main thread's own bookkeeping */
	bool		 applied;	/* handed to apply, maybe not yet committed */
	bool		 recorded;	/* committed */
};

/* Where the messages go: smtp.host is NULL for the Maildir. */
struct mailer_transport {
	char		*maildir;	/* NULL: SMTP */
	char		*host;
	int		 port;
	enum smtp_tls	 tls;
	char		*user;
	char		*password;
	int		 timeout;
	int		 rate_count;	/* smtp.rate: at most this many messages */
	int		 rate_period;	/* in any window of this many seconds; 0: unpaced */
	int		 connections;	/* smtp.connections: sessions at once */
};

struct mailer_job {
	struct mailer_transport	 transport;
	struct mailer_item	*items;
	size_t			 n;
	size_t			 cap;		/* room in items, fixed */
	bool			 sealed;	/* takes no more items */
	bool			 finished;
};

struct mailer;

/* Starts the thread (a job's further connections start with the job);
 * NULL with *cause if it cannot. */
struct mailer *mailer_new(char **cause);
/* Waits for the job in flight, then stops the thread. */
void mailer_free(struct mailer *m);
/*
 * The daemon stops: the thread waits no longer for the pace or after a
 * 4xx, and reports the messages of the job that are left as temporary
 * failures.  Waiting for outcomes to be recorded goes on.
 */
void mailer_halt(struct mailer *m);
/* Readable when results are waiting. */
int mailer_fd(const struct mailer *m);
bool mailer_idle(const struct mailer *m);
/*
 * Hands a job to the thread (which must be idle); the mailer owns it from
 * now on.  The job grows while it is delivered: the caller adds what it
 * composes meanwhile with mailer_append() and says with mailer_seal() that
 * nothing more comes; the thread delivers what it has, waits for more
 * while the job is neither sealed nor full, and finishes after that.
 */
void mailer_submit(struct mailer *m, struct mailer_job *job);
/* How many more items the job in flight takes now (0: none in flight, sealed or full). */
size_t mailer_room(struct mailer *m);
/* Moves the items of more (at most mailer_room()) to the end of the job in
 * flight; more is left empty, for the caller to free. */
void mailer_append(struct mailer *m, struct mailer_job *more);
/* The job in flight takes no more items. */
void mailer_seal(struct mailer *m);
/* Makes the descriptor unreadable until the thread reports again; call
 * before looking for results with mailer_unrecorded() or mailer_collect(). */
void mailer_clear_fd(struct mailer *m);
/*
 * Calls apply for every item that finished and was not applied yet, until
 * apply returns -1.  Returns how many were applied.  The caller commits
 * them and reports with mailer_recorded().
 */
size_t mailer_collect(struct mailer *m, int (*apply)(struct mailer_item *, void *),
    void *arg);
/*
 * After mailer_collect(): committed is true if what it applied is now
 * stored, false if it was rolled back (those items are applied again by
 * the next mailer_collect()).  Once every item of a finished job is
 * recorded the job is freed and the mailer idle.
 */
void mailer_recorded(struct mailer *m, bool committed);
/* True if finished items wait to be applied or recorded. */
bool mailer_unrecorded(struct mailer *m);
/* True while the thread still works on the job. */
bool mailer_busy(struct mailer *m);

/* An empty job with room for n items. */
struct mailer_job *mailer_job_new(size_t n);
/* Drops the items from the n-th on (of a job not submitted). */
void mailer_job_truncate(struct mailer_job *job, size_t n);
void mailer_job_free(struct mailer_job *job);
void mailer_transport_clear(struct mailer_transport *t);

#endif
