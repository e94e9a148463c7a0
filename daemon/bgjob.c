/*
 * bgjob: long-running command replies on their own thread (see bgjob.h).
 * Completion is signalled through an eventfd the main loop polls.  A job
 * keeps the locale of the request that started it (dispatch.c), so its
 * messages are in the client's language like every other reply.
 */
#include "bgjob.h"

#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "xmalloc.h"

struct bgjob {
	pthread_t	 thread;
	int		 fd;
	bgjob_fn	 fn;
	bgjob_finish_fn	 finish;
	void		(*cancel)(void *);
	void		*arg;
	void		(*free_arg)(void *);
	struct reply	 rep;
	bool		 done;
	locale_t	 locale;	/* the request's, or 0 for the global one */
};

/* A copy of the calling thread's own locale, or 0 if it uses the global
 * one (or the copy fails: the job then answers in English). */
static locale_t
request_locale(void)
{
	locale_t now = uselocale((locale_t)0);

	return now == LC_GLOBAL_LOCALE ? (locale_t)0 : duplocale(now);
}

static void *
bgjob_main(void *p)
{
	struct bgjob *job = p;
	uint64_t one = 1;

	if (job->locale != (locale_t)0)
		uselocale(job->locale);
	job->fn(job->arg, &job->rep);
	while (write(job->fd, &one, sizeof(one)) == -1 && errno == EINTR)
		;
	return NULL;
}

struct bgjob *
bgjob_start(bgjob_fn fn, void *arg, void (*free_arg)(void *), char **cause)
{
	return bgjob_start_then(fn, NULL, NULL, arg, free_arg, cause);
}

struct bgjob *
bgjob_start_then(bgjob_fn fn, bgjob_finish_fn finish, void (*cancel)(void *), void *arg,
    void (*free_arg)(void *), char **cause)
{
	struct bgjob *job = xcalloc(1, sizeof(*job));
	int rc;

	job->fn = fn;
	job->finish = finish;
	job->cancel = cancel;
	job->arg = arg;
	job->free_arg = free_arg;
	if ((job->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		set_cause(cause, "eventfd: %s", strerror(errno));
		free(job);
		return NULL;
	}
	job->locale = request_locale();
	if ((rc = pthread_create(&job->thread, NULL, bgjob_main, job)) != 0) {
		set_cause(cause, "cannot start a thread: %s", strerror(rc));
		if (job->locale != (locale_t)0)
			freelocale(job->locale);
		close(job->fd);
		free(job);
		return NULL;
	}
	return job;
}

int
bgjob_fd(const struct bgjob *job)
{
	return job->fd;
}

bool
bgjob_done(struct bgjob *job)
{
	uint64_t n;

	if (!job->done && read(job->fd, &n, sizeof(n)) == (ssize_t)sizeof(n)) {
		pthread_join(job->thread, NULL);
		job->done = true;
	}
	return job->done;
}

void
bgjob_finish(struct bgjob *job, struct ikond *ikd)
{
	bgjob_finish_fn finish = job->finish;
	locale_t main_locale = (locale_t)0;

	job->finish = NULL;
	if (finish == NULL)
		return;
	if (job->locale != (locale_t)0)
		main_locale = uselocale(job->locale);
	finish(ikd, job->arg, &job->rep);
	if (job->locale != (locale_t)0)
		uselocale(main_locale);
}

json_t *
bgjob_reply(struct bgjob *job)
{
	return reply_to_json(&job->rep);
}

void
bgjob_free(struct bgjob *job)
{
	if (job == NULL)
		return;
	if (!job->done && job->cancel != NULL)
		job->cancel(job->arg);
	if (!job->done)
		pthread_join(job->thread, NULL);
	close(job->fd);
	if (job->free_arg != NULL)
		job->free_arg(job->arg);
	if (job->locale != (locale_t)0)
		freelocale(job->locale);
	reply_clear(&job->rep);
	free(job);
}
