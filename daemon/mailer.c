/*
 * mailer: the delivery thread (see mailer.h).  One job at a time: the main
 * thread only submits when the mailer is idle.  Results travel back under
 * the mutex; an eventfd tells the main loop to collect them, and
 * mailer_recorded() tells the thread that they are stored, which is what
 * it waits for after MAILER_UNRECORDED_MAX deliveries (see mailer.h).
 *
 * The pace (smtp.rate) is a sliding window: the monotonic times of the
 * last rate_count accepted messages, kept across jobs; a session may
 * carry as many messages as the window has room for now.  Waits for the
 * window or after a 4xx are timed waits on the wake condition (on
 * CLOCK_MONOTONIC), so that mailer_free() ends them at once.
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
	pthread_cond_t		 wake;
	pthread_cond_t		 progress;	/* outcomes were recorded */
	int			 efd;
	bool			 stop;
	bool			 halt;		/* end waits for the pace or a backoff */
	struct mailer_job	*job;		/* submitted, not yet collected */
	bool			 running;	/* the thread works on job */
	size_t			 delivered;	/* items of job SMTP_SENT */
	size_t			 recorded;	/* of those, committed */
	/* outcomes not yet announced on efd, and when it was last written (thread only) */
	size_t			 unnotified;
	uint64_t		 notified_at;
	/* the pace: accept times of the last rate messages, a ring (thread only) */
	uint64_t		*accepted_at;
	size_t			 rate;		/* capacity of accepted_at */
	size_t			 ring_next;	/* where the next time goes */
};

static void
notify(struct mailer *m)
{
	uint64_t one = 1;

	if (write(m->efd, &one, sizeof(one)) == -1 && errno != EAGAIN)
		log_warn("mailer: eventfd");
}

/* Announces the outcomes finished so far to the main loop. */
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
 * A delivery is announced at once when the last announcement is
 * MAILER_NOTIFY_MS old (a slow relay: each outcome is recorded as soon as
 * it is known), else with the MAILER_NOTIFY_EVERY-th (a fast one: one
 * commit for several); anything else than a delivery at once.
 */
static void
finish_item(struct mailer *m, struct mailer_item *it, enum smtp_outcome outcome, int code,
    const char *reply)
{
	pthread_mutex_lock(&m->lock);
	if (!it->done) {
		it->outcome = outcome;
		it->code = code;
		snprintf(it->reply, sizeof(it->reply), "%s", reply);
		it->done = true;
		if (outcome == SMTP_SENT)
			m->delivered++;
		m->unnotified++;
	}
	pthread_mutex_unlock(&m->lock);
	if (outcome != SMTP_SENT || m->unnotified >= MAILER_NOTIFY_EVERY ||
	    monotonic_ms() - m->notified_at >= MAILER_NOTIFY_MS)
		flush_notify(m);
}

/* Before the next message: fewer than MAILER_UNRECORDED_MAX unrecorded deliveries. */
static void
wait_recorded(struct mailer *m)
{
	pthread_mutex_lock(&m->lock);
	if (!m->stop && m->delivered - m->recorded >= MAILER_UNRECORDED_MAX) {
		pthread_mutex_unlock(&m->lock);
		flush_notify(m);
		pthread_mutex_lock(&m->lock);
	}
	while (!m->stop && m->delivered - m->recorded >= MAILER_UNRECORDED_MAX)
		pthread_cond_wait(&m->progress, &m->lock);
	pthread_mutex_unlock(&m->lock);
}

/* Sleeps until the monotonic instant until; false if the mailer stops meanwhile. */
static bool
mailer_sleep(struct mailer *m, uint64_t until)
{
	struct timespec ts;
	bool stopped;

	ts.tv_sec = (time_t)(until / 1000);
	ts.tv_nsec = (long)(until % 1000) * 1000000;
	pthread_mutex_lock(&m->lock);
	while (!m->stop && !m->halt && monotonic_ms() < until)
		pthread_cond_timedwait(&m->wake, &m->lock, &ts);
	stopped = m->stop || m->halt;
	pthread_mutex_unlock(&m->lock);
	return !stopped;
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
}

static void
rate_note(struct mailer *m)
{
	if (m->rate == 0)
		return;
	m->accepted_at[m->ring_next] = monotonic_ms();
	m->ring_next = (m->ring_next + 1) % m->rate;
}

/*
 * How many messages the pace allows now (SIZE_MAX if unpaced); when none,
 * *until is the instant the oldest message in the window leaves it.
 */
static size_t
rate_room(const struct mailer *m, const struct mailer_transport *t, uint64_t *until)
{
	uint64_t now = monotonic_ms(), period = (uint64_t)t->rate_period * 1000, at;
	size_t i, room = 0;

	if (m->rate == 0)
		return SIZE_MAX;
	for (i = 0; i < m->rate; i++) {
		at = m->accepted_at[i];
		if (at == 0 || now >= at + period)
			room++;
	}
	/* The ring's oldest entry is the one written next. */
	*until = m->accepted_at[m->ring_next] + period;
	return room;
}

struct accepted_ctx {
	struct mailer		*m;
	struct mailer_item	*items;
	const size_t		*index;		/* job item of each SMTP item */
};

static void
on_accepted(size_t index, int code, const char *reply, void *arg)
{
	struct accepted_ctx *ctx = arg;

	rate_note(ctx->m);
	finish_item(ctx->m, &ctx->items[ctx->index[index]], SMTP_SENT, code, reply);
	/* libESMTP starts the next message only when this returns. */
	wait_recorded(ctx->m);
}

/*
 * One session with the job items queue[0..k); returns how many the relay
 * accepted.  Items it pushed back (4xx) go to *deferred, unless they have
 * been deferred MAILER_DEFER_MAX times; every other item is finished.
 */
static size_t
deliver_session(struct mailer *m, struct mailer_job *job, const size_t *queue, size_t k,
    unsigned char *deferrals, size_t *deferred, size_t *ndeferred)
{
	const struct mailer_transport *t = &job->transport;
	struct smtp_config cfg;
	struct smtp_item *items = xcalloc(k, sizeof(*items));
	struct mailer_item *it;
	struct accepted_ctx ctx;
	size_t i, accepted = 0;
	char *cause = NULL;

	for (i = 0; i < k; i++) {
		it = &job->items[queue[i]];
		items[i].from_addr = it->from_addr;
		items[i].to_addr = it->to_addr;
		items[i].data = it->data;
		items[i].len = it->len;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.host = t->host;
	cfg.port = t->port;
	cfg.tls = t->tls;
	cfg.user = t->user;
	cfg.password = t->password;
	cfg.timeout_seconds = t->timeout;
	ctx.m = m;
	ctx.items = job->items;
	ctx.index = queue;
	cfg.accepted = on_accepted;
	cfg.accepted_arg = &ctx;
	smtp_send_batch(&cfg, items, k, &cause);
	free(cause);
	for (i = 0; i < k; i++) {
		if (items[i].outcome == SMTP_SENT)
			accepted++;
		if (items[i].outcome == SMTP_TEMPFAIL && items[i].pushed_back &&
		    ++deferrals[queue[i]] < MAILER_DEFER_MAX) {
			deferred[(*ndeferred)++] = queue[i];
			continue;
		}
		finish_item(m, &job->items[queue[i]], items[i].outcome, items[i].status_code,
		    items[i].server_reply);
	}
	flush_notify(m);
	free(items);
	return accepted;
}

/*
 * How many items the job has now in *n; true while more may be added
 * (see mailer_room()).  Once it returns false it does so for good.
 */
static bool
job_grown(struct mailer *m, struct mailer_job *job, size_t *n)
{
	bool open;

	pthread_mutex_lock(&m->lock);
	*n = job->n;
	if (m->stop || m->halt || job->n == job->cap)
		job->sealed = true;
	open = !job->sealed;
	pthread_mutex_unlock(&m->lock);
	return open;
}

/* Takes no more items; how many the job has in *n. */
static void
job_seal(struct mailer *m, struct mailer_job *job, size_t *n)
{
	pthread_mutex_lock(&m->lock);
	job->sealed = true;
	*n = job->n;
	pthread_mutex_unlock(&m->lock);
}

/* Nothing to deliver: waits until the job has more than seen items or is sealed. */
static void
wait_grown(struct mailer *m, struct mailer_job *job, size_t seen)
{
	flush_notify(m);
	pthread_mutex_lock(&m->lock);
	while (!m->stop && !m->halt && !job->sealed && job->n == seen)
		pthread_cond_wait(&m->wake, &m->lock);
	pthread_mutex_unlock(&m->lock);
}

/* Delivers the job's items at the relay's pace (see mailer.h). */
static void
deliver_smtp(struct mailer *m, struct mailer_job *job)
{
	const struct mailer_transport *t = &job->transport;
	size_t *queue = xcalloc(job->cap, sizeof(*queue));
	size_t *deferred = xcalloc(job->cap, sizeof(*deferred));
	unsigned char *deferrals = xcalloc(job->cap, 1);
	size_t i, k, n, seen = 0, nq = 0, nd, accepted, session = SIZE_MAX;
	uint64_t until = 0, backoff = 0;
	int stalled = 0;
	bool open;
	const char *why = "not sent: ikond stopped while waiting for the relay";

	rate_setup(m, t);
	for (;;) {
		open = job_grown(m, job, &n);
		while (seen < n)
			queue[nq++] = seen++;
		if (nq == 0) {
			if (!open)
				break;
			wait_grown(m, job, seen);
			continue;
		}
		if ((k = rate_room(m, t, &until)) == 0) {
			if (!mailer_sleep(m, until))
				break;
			continue;
		}
		if (k > nq)
			k = nq;
		if (k > session)
			k = session;
		nd = 0;
		accepted = deliver_session(m, job, queue, k, deferrals, deferred, &nd);
		/* The rest of the queue first, then what the relay pushed back. */
		memmove(queue, queue + k, (nq - k) * sizeof(*queue));
		memcpy(queue + nq - k, deferred, nd * sizeof(*queue));
		nq = nq - k + nd;
		if (nd == 0) {
			backoff = 0;
			stalled = 0;
			session = session > SIZE_MAX / 2 ? SIZE_MAX : session * 2;
			continue;
		}
		if (accepted > 0) {
			backoff = MAILER_BACKOFF_MIN_MS;
			stalled = 0;
		} else {
			backoff = backoff == 0 ? MAILER_BACKOFF_MIN_MS : backoff * 2;
			if (backoff > MAILER_BACKOFF_MAX_MS)
				backoff = MAILER_BACKOFF_MAX_MS;
			if (++stalled >= MAILER_STALL_ROUNDS) {
				why = "the relay accepted nothing for several minutes; will retry";
				break;
			}
		}
		session = 1;
		if (!mailer_sleep(m, monotonic_ms() + backoff))
			break;
	}
	/* Stopped early: what the queue holds and what was added meanwhile. */
	job_seal(m, job, &n);
	while (seen < n)
		queue[nq++] = seen++;
	for (i = 0; i < nq; i++)
		finish_item(m, &job->items[queue[i]], SMTP_TEMPFAIL, 0, why);
	flush_notify(m);
	free(deferrals);
	free(deferred);
	free(queue);
}

static void
deliver_maildir(struct mailer *m, struct mailer_job *job)
{
	char *cause = NULL, *name = NULL, reply[256];
	size_t i = 0, n;
	bool open;

	for (;;) {
		open = job_grown(m, job, &n);
		if (i == n) {
			if (!open)
				break;
			wait_grown(m, job, n);
			continue;
		}
		if (maildir_deliver(job->transport.maildir, job->items[i].data,
		    job->items[i].len, &name, &cause) == -1) {
			finish_item(m, &job->items[i++], SMTP_TEMPFAIL, 0, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		snprintf(reply, sizeof(reply), "delivered to Maildir as new/%s", name);
		free(name);
		name = NULL;
		finish_item(m, &job->items[i++], SMTP_SENT, 0, reply);
		wait_recorded(m);
	}
	flush_notify(m);
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
		pthread_mutex_unlock(&m->lock);
		notify(m);
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
	/* Timed waits on wake end on the monotonic clock (mailer_sleep()). */
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
	pthread_cond_signal(&m->wake);
	pthread_cond_signal(&m->progress);
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
	pthread_cond_signal(&m->wake);
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
	m->delivered = m->recorded = 0;
	pthread_cond_signal(&m->wake);
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
	pthread_cond_signal(&m->wake);
	pthread_mutex_unlock(&m->lock);
}

void
mailer_seal(struct mailer *m)
{
	pthread_mutex_lock(&m->lock);
	if (m->job != NULL)
		m->job->sealed = true;
	pthread_cond_signal(&m->wake);
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
	pthread_cond_signal(&m->progress);
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
