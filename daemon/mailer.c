/*
 * mailer: the delivery thread (see mailer.h).  One job at a time: the main
 * thread only submits when the mailer is idle.  For an SMTP job the thread
 * starts smtp.connections - 1 more threads and is a connection itself;
 * they share the job's queue under the mutex and end with the job.
 * Results travel back under the mutex; an eventfd tells the main loop to
 * collect them, and mailer_recorded() tells the connections that they are
 * stored, which frees the slots they wait for (see mailer.h).
 *
 * The pace (smtp.rate) is a sliding window: the monotonic times of the
 * last rate_count accepted messages, kept across jobs; a session may
 * carry as many messages as the window has room for now, less what the
 * other sessions reserved.  Waits for the window, for work or after a 4xx
 * are waits on the wake condition (timed ones on CLOCK_MONOTONIC), so
 * that mailer_free() ends them at once.
 */
#include "mailer.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "maildir.h"
#include "monotonic.h"
#include "xmalloc.h"

struct mailer {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;		/* work, a changed pace or queue, stop */
	pthread_cond_t		 progress;	/* outcomes were recorded */
	int			 efd;
	bool			 stop;
	bool			 halt;		/* end waits for the pace or a backoff */
	struct mailer_job	*job;		/* submitted, not yet collected */
	bool			 running;	/* the thread works on job */
	size_t			 delivered;	/* items of job SMTP_SENT */
	size_t			 recorded;	/* of those, committed */
	size_t			 inflight;	/* messages handed to the relay, no outcome yet */
	/* outcomes not yet announced on efd, and when it was last written */
	size_t			 unnotified;
	uint64_t		 notified_at;
	/* the pace: accept times of the last rate messages, a ring */
	uint64_t		*accepted_at;
	size_t			 rate;		/* capacity of accepted_at */
	size_t			 ring_next;	/* where the next time goes */
	size_t			 rate_reserved;	/* taken into sessions, not yet accepted */
};

/*
 * One SMTP job shared by its connections, under the mailer's lock: the
 * items waiting, in order, and how the relay has been answering.
 */
struct dispatch {
	struct mailer		*m;
	struct mailer_job	*job;
	size_t			*queue;		/* job items waiting for a session */
	size_t			 nq;
	size_t			 seen;		/* job items moved into the queue */
	unsigned char		*deferrals;	/* 4xx answers per job item */
	size_t			 session;	/* most messages one session takes */
	uint64_t		 backoff;	/* 0 while the relay does not push back */
	uint64_t		 resume_at;	/* no session starts before (monotonic ms) */
	unsigned		 round;		/* how often the connections backed off */
	int			 stalled;
	size_t			 alive;		/* connections still delivering */
	size_t			 busy;		/* of those, in a session now */
	size_t			 peak;		/* most sessions at once */
	size_t			 sessions;
	bool			 over;		/* the relay accepts nothing: give up */
	const char		*why;
};

static void
notify(struct mailer *m)
{
	uint64_t one = 1;

	if (write(m->efd, &one, sizeof(one)) == -1 && errno != EAGAIN)
		log_warn("mailer: eventfd");
}

/* Announces the outcomes finished so far to the main loop; lock held. */
static void
flush_notify(struct mailer *m)
{
	if (m->unnotified == 0)
		return;
	m->unnotified = 0;
	m->notified_at = monotonic_ms();
	notify(m);
}

/*
 * Lock held.  A delivery is announced at once when the last announcement
 * is MAILER_NOTIFY_MS old (a slow relay: each outcome is recorded as soon
 * as it is known), else with the MAILER_NOTIFY_EVERY-th (a fast one: one
 * commit for several); anything else than a delivery at once.
 */
static void
finish_item(struct mailer *m, struct mailer_item *it, enum smtp_outcome outcome, int code,
    const char *reply)
{
	if (it->done)
		return;
	it->outcome = outcome;
	it->code = code;
	snprintf(it->reply, sizeof(it->reply), "%s", reply);
	it->done = true;
	if (outcome == SMTP_SENT)
		m->delivered++;
	m->unnotified++;
	if (outcome != SMTP_SENT || m->unnotified >= MAILER_NOTIFY_EVERY ||
	    monotonic_ms() - m->notified_at >= MAILER_NOTIFY_MS)
		flush_notify(m);
}

/*
 * Before a message goes to the relay: waits for one of the
 * MAILER_UNRECORDED_MAX slots (see mailer.h), which the message holds
 * until its delivery is recorded or it turns out not delivered.
 */
static void
slot_take(struct mailer *m)
{
	pthread_mutex_lock(&m->lock);
	if (!m->stop && m->inflight + m->delivered - m->recorded >= MAILER_UNRECORDED_MAX)
		flush_notify(m);
	while (!m->stop && m->inflight + m->delivered - m->recorded >= MAILER_UNRECORDED_MAX)
		pthread_cond_wait(&m->progress, &m->lock);
	m->inflight++;
	pthread_mutex_unlock(&m->lock);
}

/* The message in transfer was not delivered; lock held. */
static void
slot_give(struct mailer *m)
{
	m->inflight--;
	pthread_cond_broadcast(&m->progress);
}

/* Lock held: waits for a wake-up or, if until is not 0, the monotonic instant until. */
static void
wait_wake(struct mailer *m, uint64_t until)
{
	struct timespec ts;

	if (until == 0) {
		pthread_cond_wait(&m->wake, &m->lock);
		return;
	}
	ts.tv_sec = (time_t)(until / 1000);
	ts.tv_nsec = (long)(until % 1000) * 1000000;
	pthread_cond_timedwait(&m->wake, &m->lock, &ts);
}

/* Sizes the ring for the transport's pace; a changed rate starts afresh. */
static void
rate_setup(struct mailer *m, const struct mailer_transport *t)
{
	size_t rate = t->rate_period > 0 ? (size_t)t->rate_count : 0;

	if (rate == m->rate)
		return;
	free(m->accepted_at);
	m->accepted_at = rate > 0 ? xcalloc(rate, sizeof(*m->accepted_at)) : NULL;
	m->rate = rate;
	m->ring_next = 0;
	m->rate_reserved = 0;
}

/* A message taken into a session was accepted; lock held. */
static void
rate_note(struct mailer *m)
{
	if (m->rate == 0)
		return;
	m->accepted_at[m->ring_next] = monotonic_ms();
	m->ring_next = (m->ring_next + 1) % m->rate;
	m->rate_reserved--;
}

/*
 * Lock held.  How many messages the pace allows now (SIZE_MAX if
 * unpaced): the window's free places less those other sessions took.
 * When none, *until is the instant the oldest message in the window
 * leaves it, or 0 if a session holds the free places (it wakes the
 * others when it ends).
 */
static size_t
rate_room(const struct mailer *m, const struct mailer_transport *t, uint64_t *until)
{
	/* One millisecond more: both readings are truncated to the
	 * millisecond, so a difference of period may be up to one less. */
	uint64_t now = monotonic_ms(), period = (uint64_t)t->rate_period * 1000 + 1, at;
	size_t i, room = 0;

	if (m->rate == 0)
		return SIZE_MAX;
	for (i = 0; i < m->rate; i++) {
		at = m->accepted_at[i];
		if (at == 0 || now >= at + period)
			room++;
	}
	if (room > m->rate_reserved)
		return room - m->rate_reserved;
	/* Writes go to the oldest place, which is free whenever any is. */
	*until = room > 0 ? 0 : m->accepted_at[m->ring_next] + period;
	return 0;
}

/*
 * Moves the items added to the job since into the queue; true while more
 * may be added (see mailer_room()).  Lock held.
 */
static bool
queue_grow(struct dispatch *d)
{
	struct mailer_job *job = d->job;

	if (d->m->stop || d->m->halt || job->n == job->cap)
		job->sealed = true;
	while (d->seen < job->n)
		d->queue[d->nq++] = d->seen++;
	return !job->sealed;
}

/* One connection's session: the job items it carries, in order. */
struct session {
	struct dispatch		*d;
	size_t			*mine;		/* job item of each SMTP item */
	size_t			 n;
	size_t			 reserved;	/* places in the pace's window, not yet used */
	bool			 slot;		/* holds a slot for the message in transfer */
};

static void
on_accepted(size_t index, int code, const char *reply, void *arg)
{
	struct session *sn = arg;
	struct mailer *m = sn->d->m;

	pthread_mutex_lock(&m->lock);
	if (m->rate > 0) {
		rate_note(m);
		sn->reserved--;
	}
	/* The slot stays taken until the delivery is recorded. */
	m->inflight--;
	sn->slot = false;
	finish_item(m, &sn->d->job->items[sn->mine[index]], SMTP_SENT, code, reply);
	pthread_mutex_unlock(&m->lock);
	/* libESMTP starts the next message only when this returns. */
	if (index + 1 < sn->n) {
		slot_take(m);
		sn->slot = true;
	}
}

/* Lock held: moves the first queued item into the session as SMTP item it. */
static void
session_take(struct session *sn, struct smtp_item *it)
{
	struct dispatch *d = sn->d;
	struct mailer_item *mi;

	sn->mine[sn->n++] = d->queue[0];
	mi = &d->job->items[d->queue[0]];
	memmove(d->queue, d->queue + 1, --d->nq * sizeof(*d->queue));
	memset(it, 0, sizeof(*it));
	it->from_addr = mi->from_addr;
	it->to_addr = mi->to_addr;
	it->data = mi->data;
	it->len = mi->len;
	if (d->m->rate > 0) {
		d->m->rate_reserved++;
		sn->reserved++;
	}
}

/*
 * The relay accepted the session's last message: the next one from the
 * queue, waiting while the job is still composed, unless the pace has
 * no room now, a connection was pushed back or the session is as long as
 * it may be; then the session ends.
 */
static size_t
on_more(struct smtp_item *items, size_t n, void *arg)
{
	struct session *sn = arg;
	struct dispatch *d = sn->d;
	struct mailer *m = d->m;
	uint64_t until;
	bool open;

	pthread_mutex_lock(&m->lock);
	for (;;) {
		if (d->over || d->backoff > 0 || n >= d->session) {
			pthread_mutex_unlock(&m->lock);
			return 0;
		}
		open = queue_grow(d);
		if (d->nq > 0)
			break;
		if (!open) {
			pthread_mutex_unlock(&m->lock);
			return 0;
		}
		flush_notify(m);
		wait_wake(m, 0);
	}
	if (rate_room(m, &d->job->transport, &until) == 0) {
		pthread_mutex_unlock(&m->lock);
		return 0;
	}
	session_take(sn, &items[n]);
	pthread_mutex_unlock(&m->lock);
	slot_take(m);
	sn->slot = true;
	return 1;
}

/*
 * Lock held.  The relay answered a session whose round was round with
 * accepted messages and nd pushed back: the connections slow down or
 * speed up together, and only the first session to see a change reacts.
 */
static void
pace_react(struct dispatch *d, unsigned round, size_t accepted, size_t nd)
{
	if (round != d->round)
		return;
	if (nd == 0) {
		d->backoff = 0;
		d->stalled = 0;
		d->session = d->session > SIZE_MAX / 2 ? SIZE_MAX : d->session * 2;
		return;
	}
	if (accepted > 0) {
		d->backoff = MAILER_BACKOFF_MIN_MS;
		d->stalled = 0;
	} else {
		d->backoff = d->backoff == 0 ? MAILER_BACKOFF_MIN_MS : d->backoff * 2;
		if (d->backoff > MAILER_BACKOFF_MAX_MS)
			d->backoff = MAILER_BACKOFF_MAX_MS;
		if (++d->stalled >= MAILER_STALL_ROUNDS) {
			d->why = "the relay accepted nothing for several minutes; will retry";
			d->over = true;
		}
	}
	d->session = 1;
	d->resume_at = monotonic_ms() + d->backoff;
	d->round++;
}

/*
 * One session, starting with the first queued item and growing while the
 * relay accepts (on_more()), in the given round.  Items the relay pushed
 * back (4xx) go back to the end of the queue, unless they have been
 * deferred MAILER_DEFER_MAX times; every other item is finished.  Returns
 * true if the connection gives up for this job: it reached no relay while
 * another connection still delivers, so its items go back to the queue
 * for the others (a relay that takes fewer connections than
 * smtp.connections).  Called and returns with the lock held.
 */
static bool
deliver_session(struct dispatch *d, size_t *mine, unsigned round)
{
	struct mailer *m = d->m;
	const struct mailer_transport *t = &d->job->transport;
	struct smtp_config cfg;
	struct smtp_item *items = xcalloc(d->job->cap, sizeof(*items));
	struct session sn;
	size_t i, accepted = 0, nd = 0;
	char *cause = NULL;
	int rc;

	memset(&sn, 0, sizeof(sn));
	sn.d = d;
	sn.mine = mine;
	session_take(&sn, &items[0]);
	memset(&cfg, 0, sizeof(cfg));
	cfg.host = t->host;
	cfg.port = t->port;
	cfg.tls = t->tls;
	cfg.user = t->user;
	cfg.password = t->password;
	cfg.timeout_seconds = t->timeout;
	cfg.accepted = on_accepted;
	cfg.accepted_arg = &sn;
	cfg.more = on_more;
	cfg.more_arg = &sn;
	cfg.capacity = d->job->cap;
	pthread_mutex_unlock(&m->lock);
	slot_take(m);
	sn.slot = true;
	rc = smtp_send_batch(&cfg, items, 1, &cause);
	free(cause);
	pthread_mutex_lock(&m->lock);
	if (sn.slot)
		slot_give(m);
	m->rate_reserved -= sn.reserved;
	d->busy--;
	pthread_cond_broadcast(&m->wake);
	if (rc == -1 && d->alive > 1) {
		memmove(d->queue + sn.n, d->queue, d->nq * sizeof(*d->queue));
		memcpy(d->queue, mine, sn.n * sizeof(*d->queue));
		d->nq += sn.n;
		free(items);
		return true;
	}
	for (i = 0; i < sn.n; i++) {
		if (items[i].outcome == SMTP_SENT)
			accepted++;
		if (items[i].outcome == SMTP_TEMPFAIL && items[i].pushed_back &&
		    ++d->deferrals[mine[i]] < MAILER_DEFER_MAX) {
			d->queue[d->nq++] = mine[i];
			nd++;
			continue;
		}
		finish_item(m, &d->job->items[mine[i]], items[i].outcome, items[i].status_code,
		    items[i].server_reply);
	}
	flush_notify(m);
	pace_react(d, round, accepted, nd);
	free(items);
	return false;
}

/*
 * One connection: starts a session whenever messages wait and the pace
 * allows, until the job is sealed and delivered, the relay gives up or
 * the mailer stops.  While the relay pushes back, one session at a time
 * probes it.
 */
static void
connection_run(struct dispatch *d)
{
	struct mailer *m = d->m;
	const struct mailer_transport *t = &d->job->transport;
	size_t *mine = xcalloc(d->job->cap, sizeof(*mine));
	uint64_t until = 0;
	bool open;

	pthread_mutex_lock(&m->lock);
	while (!d->over) {
		open = queue_grow(d);
		if (d->nq == 0) {
			if (!open)
				break;
			flush_notify(m);
			wait_wake(m, 0);
			continue;
		}
		if (monotonic_ms() < d->resume_at) {
			if (m->stop || m->halt)
				break;
			wait_wake(m, d->resume_at);
			continue;
		}
		if (d->backoff > 0 && d->busy > 0) {
			if (m->stop || m->halt)
				break;
			wait_wake(m, 0);
			continue;
		}
		if (rate_room(m, t, &until) == 0) {
			if (m->stop || m->halt)
				break;
			wait_wake(m, until);
			continue;
		}
		if (++d->busy > d->peak)
			d->peak = d->busy;
		d->sessions++;
		if (deliver_session(d, mine, d->round))
			break;
	}
	d->alive--;
	pthread_cond_broadcast(&m->wake);
	pthread_mutex_unlock(&m->lock);
	free(mine);
}

static void *
connection_main(void *arg)
{
	connection_run(arg);
	return NULL;
}

/*
 * Delivers the job's items at the relay's pace over smtp.connections
 * connections (see mailer.h): this thread is one, the others run on
 * threads of their own until the job is done.
 */
static void
deliver_smtp(struct mailer *m, struct mailer_job *job)
{
	struct dispatch d;
	pthread_t *threads;
	size_t i, started = 0, want;
	int rc;

	memset(&d, 0, sizeof(d));
	d.m = m;
	d.job = job;
	d.queue = xcalloc(job->cap, sizeof(*d.queue));
	d.deferrals = xcalloc(job->cap, 1);
	d.session = SIZE_MAX;
	d.why = "not sent: ikond stopped while waiting for the relay";
	want = job->transport.connections > 1 ? (size_t)job->transport.connections : 1;
	threads = xcalloc(want, sizeof(*threads));
	pthread_mutex_lock(&m->lock);
	rate_setup(m, &job->transport);
	d.alive = want;
	pthread_mutex_unlock(&m->lock);
	for (i = 1; i < want; i++) {
		if ((rc = pthread_create(&threads[started], NULL, connection_main, &d)) == 0) {
			started++;
			continue;
		}
		log_warnx("mailer: cannot start another connection's thread: %s", strerror(rc));
		pthread_mutex_lock(&m->lock);
		d.alive--;
		pthread_mutex_unlock(&m->lock);
	}
	connection_run(&d);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	/* Stopped early: what the queue holds and what was added meanwhile. */
	pthread_mutex_lock(&m->lock);
	job->sealed = true;
	queue_grow(&d);
	for (i = 0; i < d.nq; i++)
		finish_item(m, &job->items[d.queue[i]], SMTP_TEMPFAIL, 0, d.why);
	flush_notify(m);
	pthread_mutex_unlock(&m->lock);
	log_debug("mailer: %zu message(s) in %zu session(s), at most %zu at once",
	    job->n, d.sessions, d.peak);
	free(threads);
	free(d.deferrals);
	free(d.queue);
}

static void
deliver_maildir(struct mailer *m, struct mailer_job *job)
{
	char *cause = NULL, *name = NULL, reply[256];
	size_t i = 0;
	int rc;

	pthread_mutex_lock(&m->lock);
	for (;;) {
		if (m->stop || m->halt || job->n == job->cap)
			job->sealed = true;
		if (i == job->n) {
			if (job->sealed)
				break;
			flush_notify(m);
			wait_wake(m, 0);
			continue;
		}
		pthread_mutex_unlock(&m->lock);
		slot_take(m);
		rc = maildir_deliver(job->transport.maildir, job->items[i].data,
		    job->items[i].len, &name, &cause);
		pthread_mutex_lock(&m->lock);
		if (rc == -1) {
			slot_give(m);
			finish_item(m, &job->items[i++], SMTP_TEMPFAIL, 0, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		snprintf(reply, sizeof(reply), "delivered to Maildir as new/%s", name);
		free(name);
		name = NULL;
		m->inflight--;
		finish_item(m, &job->items[i++], SMTP_SENT, 0, reply);
	}
	flush_notify(m);
	pthread_mutex_unlock(&m->lock);
}

static void *
mailer_main(void *arg)
{
	struct mailer *m = arg;
	struct mailer_job *job;

	pthread_mutex_lock(&m->lock);
	for (;;) {
		while (!m->stop && (m->job == NULL || !m->running))
			pthread_cond_wait(&m->wake, &m->lock);
		if (m->stop && (m->job == NULL || !m->running))
			break;
		job = m->job;
		pthread_mutex_unlock(&m->lock);
		if (job->transport.maildir != NULL)
			deliver_maildir(m, job);
		else
			deliver_smtp(m, job);
		pthread_mutex_lock(&m->lock);
		job->finished = true;
		m->running = false;
		notify(m);
		pthread_mutex_unlock(&m->lock);
		pthread_mutex_lock(&m->lock);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

struct mailer *
mailer_new(char **cause)
{
	struct mailer *m = xcalloc(1, sizeof(*m));
	pthread_condattr_t attr;
	sigset_t all, old;
	int rc;

	if ((m->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		set_cause(cause, "eventfd: %s", strerror(errno));
		free(m);
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	/* Timed waits on wake end on the monotonic clock (wait_wake()). */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&m->wake, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&m->progress, NULL);
	/* The thread takes no signals: the main loop reads them from its signalfd. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&m->thread, NULL, mailer_main, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		set_cause(cause, "cannot start the mail thread: %s", strerror(rc));
		close(m->efd);
		free(m);
		return NULL;
	}
	return m;
}

void
mailer_free(struct mailer *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->stop = true;
	pthread_cond_broadcast(&m->wake);
	pthread_cond_broadcast(&m->progress);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	mailer_job_free(m->job);
	pthread_cond_destroy(&m->wake);
	pthread_cond_destroy(&m->progress);
	pthread_mutex_destroy(&m->lock);
	close(m->efd);
	free(m->accepted_at);
	free(m);
}

void
mailer_halt(struct mailer *m)
{
	pthread_mutex_lock(&m->lock);
	m->halt = true;
	pthread_cond_broadcast(&m->wake);
	pthread_mutex_unlock(&m->lock);
}

int
mailer_fd(const struct mailer *m)
{
	return m->efd;
}

bool
mailer_idle(const struct mailer *m)
{
	return m->job == NULL;
}

void
mailer_submit(struct mailer *m, struct mailer_job *job)
{
	if (m->job != NULL)
		fatalx("mailer: a job is still in flight");
	pthread_mutex_lock(&m->lock);
	m->job = job;
	m->running = true;
	m->delivered = m->recorded = m->inflight = 0;
	pthread_cond_broadcast(&m->wake);
	pthread_mutex_unlock(&m->lock);
}

size_t
mailer_room(struct mailer *m)
{
	size_t room = 0;

	pthread_mutex_lock(&m->lock);
	if (m->job != NULL && !m->job->sealed && !m->job->finished)
		room = m->job->cap - m->job->n;
	pthread_mutex_unlock(&m->lock);
	return room;
}

void
mailer_append(struct mailer *m, struct mailer_job *more)
{
	struct mailer_job *job = m->job;

	pthread_mutex_lock(&m->lock);
	if (job == NULL || job->sealed || more->n > job->cap - job->n)
		fatalx("mailer: no room in the job in flight");
	memcpy(job->items + job->n, more->items, more->n * sizeof(*more->items));
	job->n += more->n;
	memset(more->items, 0, more->n * sizeof(*more->items));
	more->n = 0;
	pthread_cond_broadcast(&m->wake);
	pthread_mutex_unlock(&m->lock);
}

void
mailer_seal(struct mailer *m)
{
	pthread_mutex_lock(&m->lock);
	if (m->job != NULL)
		m->job->sealed = true;
	pthread_cond_broadcast(&m->wake);
	pthread_mutex_unlock(&m->lock);
}

void
mailer_clear_fd(struct mailer *m)
{
	uint64_t count;

	if (read(m->efd, &count, sizeof(count)) == -1 && errno != EAGAIN)
		log_warn("mailer: eventfd");
}

size_t
mailer_collect(struct mailer *m, int (*apply)(struct mailer_item *, void *), void *arg)
{
	struct mailer_job *job = m->job;
	struct mailer_item **ready;
	size_t i, n = 0, applied = 0;

	if (job == NULL)
		return 0;
	ready = xcalloc(job->n ? job->n : 1, sizeof(*ready));
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < job->n; i++)
		if (job->items[i].done && !job->items[i].applied)
			ready[n++] = &job->items[i];
	pthread_mutex_unlock(&m->lock);
	/* done items are no longer written by the thread: safe without the lock. */
	for (i = 0; i < n; i++) {
		if (apply(ready[i], arg) == -1)
			break;
		ready[i]->applied = true;
		applied++;
	}
	free(ready);
	return applied;
}

void
mailer_recorded(struct mailer *m, bool committed)
{
	struct mailer_job *job = m->job;
	struct mailer_item *it;
	size_t i, left = 0;
	bool finished;

	if (job == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < job->n; i++) {
		it = &job->items[i];
		if (it->applied && !it->recorded) {
			if (committed) {
				it->recorded = true;
				if (it->outcome == SMTP_SENT)
					m->recorded++;
			} else
				it->applied = false;
		}
		left += !it->recorded;
	}
	finished = job->finished;
	pthread_cond_broadcast(&m->progress);
	if (finished && left == 0)
		m->job = NULL;
	pthread_mutex_unlock(&m->lock);
	if (finished && left == 0)
		mailer_job_free(job);
}

bool
mailer_unrecorded(struct mailer *m)
{
	size_t i;
	bool any = false;

	pthread_mutex_lock(&m->lock);
	for (i = 0; m->job != NULL && i < m->job->n && !any; i++)
		any = m->job->items[i].done && !m->job->items[i].recorded;
	pthread_mutex_unlock(&m->lock);
	return any;
}

bool
mailer_busy(struct mailer *m)
{
	bool busy;

	pthread_mutex_lock(&m->lock);
	busy = m->running;
	pthread_mutex_unlock(&m->lock);
	return busy;
}

struct mailer_job *
mailer_job_new(size_t n)
{
	struct mailer_job *job = xcalloc(1, sizeof(*job));

	job->cap = n ? n : 1;
	job->items = xcalloc(job->cap, sizeof(*job->items));
	return job;
}

void
mailer_transport_clear(struct mailer_transport *t)
{
	free(t->maildir);
	free(t->host);
	free(t->user);
	if (t->password != NULL) {
		explicit_bzero(t->password, strlen(t->password));
		free(t->password);
	}
	memset(t, 0, sizeof(*t));
}

void
mailer_job_truncate(struct mailer_job *job, size_t n)
{
	struct mailer_item *it;

	while (job->n > n) {
		it = &job->items[--job->n];
		free(it->rows);
		free(it->from_addr);
		free(it->to_addr);
		free(it->data);
		memset(it, 0, sizeof(*it));
	}
}

void
mailer_job_free(struct mailer_job *job)
{
	if (job == NULL)
		return;
	mailer_job_truncate(job, 0);
	free(job->items);
	mailer_transport_clear(&job->transport);
	free(job);
}
