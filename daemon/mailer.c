/*
 * mailer: the delivery thread (see mailer.h).  One job at a time: the main
 * thread only submits when the mailer is idle.  Results travel back under
 * the mutex; an eventfd tells the main loop to collect them, and
 * mailer_recorded() tells the thread that they are stored, which is what
 * it waits for after MAILER_UNRECORDED_MAX deliveries (see mailer.h).
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
#include "xmalloc.h"

struct mailer {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;
	pthread_cond_t		 progress;	/* outcomes were recorded */
	int			 efd;
	bool			 stop;
	struct mailer_job	*job;		/* submitted, not yet collected */
	bool			 running;	/* the thread works on job */
	size_t			 delivered;	/* items of job SMTP_SENT */
	size_t			 recorded;	/* of those, committed */
};

static void
notify(struct mailer *m)
{
	uint64_t one = 1;

	if (write(m->efd, &one, sizeof(one)) == -1 && errno != EAGAIN)
		log_warn("mailer: eventfd");
}

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
	}
	pthread_mutex_unlock(&m->lock);
	notify(m);
}

/* Before the next message: fewer than MAILER_UNRECORDED_MAX unrecorded deliveries. */
static void
wait_recorded(struct mailer *m)
{
	pthread_mutex_lock(&m->lock);
	while (!m->stop && m->delivered - m->recorded >= MAILER_UNRECORDED_MAX)
		pthread_cond_wait(&m->progress, &m->lock);
	pthread_mutex_unlock(&m->lock);
}

struct accepted_ctx {
	struct mailer		*m;
	struct mailer_item	*items;
	size_t			*index;		/* job item of each SMTP item */
};

static void
on_accepted(size_t index, int code, const char *reply, void *arg)
{
	struct accepted_ctx *ctx = arg;

	finish_item(ctx->m, &ctx->items[ctx->index[index]], SMTP_SENT, code, reply);
	/* libESMTP starts the next message only when this returns. */
	wait_recorded(ctx->m);
}

static void
deliver_smtp(struct mailer *m, struct mailer_job *job)
{
	const struct mailer_transport *t = &job->transport;
	struct smtp_config cfg;
	struct smtp_item *items = xcalloc(job->n ? job->n : 1, sizeof(*items));
	struct accepted_ctx ctx;
	size_t i, n = 0, *index = xcalloc(job->n ? job->n : 1, sizeof(*index));
	char *cause = NULL;

	for (i = 0; i < job->n; i++) {
		if (job->items[i].done)
			continue;
		items[n].from_addr = job->items[i].from_addr;
		items[n].to_addr = job->items[i].to_addr;
		items[n].data = job->items[i].data;
		items[n].len = job->items[i].len;
		index[n++] = i;
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
	ctx.index = index;
	cfg.accepted = on_accepted;
	cfg.accepted_arg = &ctx;
	if (n > 0)
		smtp_send_batch(&cfg, items, n, &cause);
	free(cause);
	for (i = 0; i < n; i++)
		finish_item(m, &job->items[index[i]], items[i].outcome, items[i].status_code,
		    items[i].server_reply);
	free(index);
	free(items);
}

static void
deliver_maildir(struct mailer *m, struct mailer_job *job)
{
	char *cause = NULL, *name = NULL, reply[256];
	size_t i;

	for (i = 0; i < job->n; i++) {
		if (maildir_deliver(job->transport.maildir, job->items[i].data,
		    job->items[i].len, &name, &cause) == -1) {
			finish_item(m, &job->items[i], SMTP_TEMPFAIL, 0, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		snprintf(reply, sizeof(reply), "delivered to Maildir as new/%s", name);
		free(name);
		name = NULL;
		finish_item(m, &job->items[i], SMTP_SENT, 0, reply);
		wait_recorded(m);
	}
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
	sigset_t all, old;
	int rc;

	if ((m->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		set_cause(cause, "eventfd: %s", strerror(errno));
		free(m);
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->wake, NULL);
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
	free(m);
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

	job->items = xcalloc(n ? n : 1, sizeof(*job->items));
	job->n = 0;
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
mailer_job_free(struct mailer_job *job)
{
	size_t i;

	if (job == NULL)
		return;
	for (i = 0; i < job->n; i++) {
		free(job->items[i].rows);
		free(job->items[i].from_addr);
		free(job->items[i].to_addr);
		free(job->items[i].data);
	}
	free(job->items);
	mailer_transport_clear(&job->transport);
	free(job);
}
