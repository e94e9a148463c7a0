/*
 * reminders: the scheduler that runs the planner (reminder.c) from the
 * daemon's main loop (see reminders.h).  It re-plans when the data, the
 * configuration, the local day or the wall clock changed, claims due rows
 * from the outbox for the delivery thread (mailer.c, which never touches
 * the database) and commits what that thread reports.
 *
 * A clean stop whose last plan saw every change leaves a record of what
 * that plan was made under (the program, reminder_basis()); a start on
 * the same day with the same record, on a database that nothing wrote to
 * since (store_opened_clean(), no deadline recomputed at start-up), keeps
 * that plan instead of planning again and only applies the catch-up rule
 * to what fell due meanwhile.  The record is used up by every start.
 */
#include "reminders.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.h"
#include "mailer.h"
#include "monotonic.h"
#include "outbox.h"
#include "timefmt.h"
#include "xmalloc.h"

#define PLAN_INTERVAL		600	/* seconds between routine re-plans */
#define CLOCK_STEP_MS		5000	/* wall-clock drift against CLOCK_MONOTONIC that is a step */
#define PASSWORD_MAX		1024
#define RECORD_MAX		65536	/* bytes of a plan record read */

struct reminders {
	struct ikond		*ikd;
	struct mailer		*mailer;
	int			 timerfd;	/* fires at the next due time or a clock change */
	uint64_t		 seen_version;
	const struct config	*seen_cfg;
	bool			 replan;
	bool			 planned;	/* the last plan succeeded */
	bool			 catch_up_first; /* a kept plan's catch-up is due */
	uint64_t		 last_plan_ms;	/* monotonic */
	int			 plan_day;	/* the local day of the last plan */
	bool			 record_failing; /* outcomes wait for the store */
	struct timespec		 last_real, last_mono;
	char			*password;
	struct reminder_stats	 stats;
	uint64_t		 sent, failed, retried;
	uint64_t		 batch_sent, batch_failed, batch_retried; /* not committed */
	char			*apply_cause;
	struct buf		 applied;	/* deliveries applied, not yet recorded */
	time_t			 job_now;	/* the time the job in flight was claimed at */
};

static void record_results(struct reminders *r);

static char *
read_password(const char *path)
{
	char buf[PASSWORD_MAX + 1];
	ssize_t n;
	int fd;

	if (path == NULL)
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("smtp.password_file %s", path);
		return NULL;
	}
	n = read(fd, buf, PASSWORD_MAX);
	close(fd);
	if (n < 0) {
		log_warn("smtp.password_file %s", path);
		return NULL;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return xstrdup(buf);
}

static void
forget_password(struct reminders *r)
{
	if (r->password != NULL) {
		explicit_bzero(r->password, strlen(r->password));
		free(r->password);
		r->password = NULL;
	}
}

/* Arms the timer for the absolute wall-clock time t, cancelled by a clock change. */
static void
arm_timer(struct reminders *r, time_t t)
{
	struct itimerspec its;

	if (r->timerfd == -1)
		return;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = t > 0 ? t : 1;
	if (timerfd_settime(r->timerfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL)
	    == -1)
		log_warn("reminders: timerfd_settime");
}

static char *
record_path(struct ikond *ikd)
{
	char *path;

	xasprintf(&path, "%s/reminder-plan", ikd->cfg->state_dir);
	return path;
}

/* What a plan made now would be made under: this program and the basis. */
static char *
record_now(struct ikond *ikd, time_t now)
{
	struct stat sb;
	char *basis, *out;

	if (stat("/proc/self/exe", &sb) == -1)
		memset(&sb, 0, sizeof(sb));
	basis = reminder_basis(ikd->cfg, timefmt_local_day(ikd->cfg->body_timezone, now));
	xasprintf(&out, "ikond %s %ju %ju %jd %jd.%09ld\n%s\n", IKOND_VERSION,
	    (uintmax_t)sb.st_dev, (uintmax_t)sb.st_ino, (intmax_t)sb.st_size,
	    (intmax_t)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec, basis);
	free(basis);
	return out;
}

/* The record a clean stop left, used up; NULL if none. */
static char *
record_take(struct ikond *ikd)
{
	char *path = record_path(ikd), *text = NULL;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "re")) != NULL) {
		text = xmalloc(RECORD_MAX + 1);
		n = fread(text, 1, RECORD_MAX, f);
		text[n] = '\0';
		fclose(f);
		unlink(path);
	}
	free(path);
	return text;
}

static void
record_write(struct ikond *ikd, time_t now)
{
	char *path = record_path(ikd), *text = record_now(ikd, now);
	FILE *f;

	if ((f = fopen(path, "we")) != NULL) {
		if (fputs(text, f) == EOF)
			unlink(path);
		if (fclose(f) == EOF)
			unlink(path);
	}
	free(text);
	free(path);
}

/*
 * True if the plan the last clean stop left stands: see the comment at
 * the top.  recovered: the rows outbox_recover() put back, or -1.
 */
static bool
plan_stands(struct ikond *ikd, time_t now, int recovered)
{
	char *then = record_take(ikd), *want;
	bool same;

	if (then == NULL)
		return false;
	want = record_now(ikd, now);
	same = strcmp(then, want) == 0;
	free(want);
	free(then);
	return same && recovered == 0 && ikd->data_version == 0 &&
	    store_opened_clean(ikd->store);
}

struct reminders *
reminders_start(struct ikond *ikd, char **cause)
{
	struct reminders *r = xcalloc(1, sizeof(*r));
	char *why = NULL;
	time_t now;
	int n;

	if ((r->mailer = mailer_new(cause)) == NULL) {
		free(r);
		return NULL;
	}
	r->timerfd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	if (r->timerfd == -1)
		log_warn("reminders: timerfd_create; checking the clock once a second instead");
	/* A database that cannot be written (read-only, disk full) still serves
	 * reads; the rows stay "sending" until a later start recovers them. */
	if ((n = outbox_recover(ikd, &why)) == -1) {
		log_warnx("reminders: cannot recover interrupted mails: %s", why);
		free(why);
	} else if (n > 0)
		log_warnx("reminders: %d mail(s) were being sent when ikond stopped; sending "
		    "them again with the same Message-ID", n);
	r->ikd = ikd;
	buf_init(&r->applied);
	r->password = read_password(ikd->cfg->smtp_password_file);
	r->seen_cfg = ikd->cfg;
	r->replan = true;
	now = time(NULL);
	if (plan_stands(ikd, now, n)) {
		log_info("reminders: nothing changed since the clean stop today; the plan "
		    "stands, catching up only");
		r->replan = false;
		r->planned = true;
		r->catch_up_first = true;
		r->plan_day = timefmt_local_day(ikd->cfg->body_timezone, now);
		r->seen_version = ikd->data_version;
		r->last_plan_ms = monotonic_ms();
	}
	clock_gettime(CLOCK_REALTIME, &r->last_real);
	clock_gettime(CLOCK_MONOTONIC, &r->last_mono);
	arm_timer(r, time(NULL));
	return r;
}

void
reminders_stop(struct reminders *r)
{
	struct pollfd pfd;

	if (r == NULL)
		return;
	/* Let the job in flight finish, recording its outcomes as they come. */
	mailer_halt(r->mailer);
	while (!mailer_idle(r->mailer)) {
		pfd.fd = mailer_fd(r->mailer);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 1000) == -1 && errno != EINTR)
			break;
		record_results(r);
		if (r->record_failing && !mailer_busy(r->mailer))
			break;
	}
	mailer_free(r->mailer);
	/* The last plan saw every change and the configuration in force. */
	if (r->planned && !r->replan && r->seen_cfg == r->ikd->cfg &&
	    r->seen_version == r->ikd->data_version &&
	    r->plan_day == timefmt_local_day(r->ikd->cfg->body_timezone, time(NULL)))
		record_write(r->ikd, time(NULL));
	if (r->timerfd != -1)
		close(r->timerfd);
	forget_password(r);
	free(r->apply_cause);
	buf_free(&r->applied);
	free(r);
}

size_t
reminders_pollfds(struct reminders *r, struct pollfd *pfd, size_t max)
{
	size_t n = 0;

	if (n < max) {
		pfd[n].fd = mailer_fd(r->mailer);
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	if (n < max && r->timerfd != -1) {
		pfd[n].fd = r->timerfd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	return n;
}

static int
apply_result(struct mailer_item *it, void *arg)
{
	struct reminders *r = arg;

	if (outbox_apply(r->ikd, it, time(NULL), &r->applied, &r->apply_cause) == -1)
		return -1;
	if (it->outcome == SMTP_SENT)
		r->batch_sent++;
	else if (it->outcome == SMTP_PERMFAIL)
		r->batch_failed++;
	else
		r->batch_retried++;
	return 0;
}

/*
 * Commits whatever the delivery thread reported, together.  If the store
 * refuses (disk full, read-only), the outcomes stay in memory and this is
 * tried again on every pass of the main loop (at least once a second)
 * until it works; meanwhile the thread stops after MAILER_UNRECORDED_MAX
 * unrecorded deliveries.
 */
static void
record_results(struct reminders *r)
{
	struct store *store = r->ikd->store;
	char *cause = NULL;
	size_t n;

	mailer_clear_fd(r->mailer);
	if (!mailer_unrecorded(r->mailer)) {
		mailer_recorded(r->mailer, true);	/* frees a finished job */
		return;
	}
	r->batch_sent = r->batch_failed = r->batch_retried = 0;
	/* Without waiting for the disk: see outbox.h. */
	if (store_begin_nosync(store, &cause) == -1)
		goto fail;
	n = mailer_collect(r->mailer, apply_result, r);
	if (r->apply_cause == NULL)
		outbox_apply_sent(r->ikd, &r->applied, time(NULL), &r->apply_cause);
	buf_reset(&r->applied);
	if (r->apply_cause != NULL) {
		cause = r->apply_cause;
		r->apply_cause = NULL;
		store_rollback(store);
		mailer_recorded(r->mailer, false);
		goto fail;
	}
	if (store_commit(store, &cause) == -1) {
		store_rollback(store);
		mailer_recorded(r->mailer, false);
		goto fail;
	}
	mailer_recorded(r->mailer, true);
	r->sent += r->batch_sent;
	r->failed += r->batch_failed;
	r->retried += r->batch_retried;
	if (r->record_failing) {
		log_info("reminders: delivery results recorded again (%zu now)", n);
		r->record_failing = false;
	}
	return;
fail:
	if (!r->record_failing)
		log_warnx("reminders: cannot record delivery results, keeping them to try "
		    "again: %s", cause);
	r->record_failing = true;
	free(cause);
}

void
reminders_handle(struct reminders *r, struct ikond *ikd, const struct pollfd *pfd, size_t n)
{
	uint64_t expirations;

	(void)ikd;
	/* Every pass, before any longer work: results waiting to be committed. */
	record_results(r);
	if (n > 1 && (pfd[1].revents & POLLIN)) {
		if (read(r->timerfd, &expirations, sizeof(expirations)) == -1 &&
		    errno == ECANCELED) {
			log_info("reminders: the wall clock was set; re-planning");
			r->replan = true;
		}
	}
}

void
reminders_replan(struct reminders *r)
{
	r->replan = true;
}

/*
 * Seconds by which the wall clock was set since the last look: the
 * difference between how far it and CLOCK_MONOTONIC moved, rounded (each
 * reading is cut to milliseconds, so a step of an hour can come out as
 * 3,599.999 s), or 0 when that is within CLOCK_STEP_MS.
 */
static long long
clock_step(struct reminders *r)
{
	struct timespec real, mono;
	long long dr, dm;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	dr = (long long)(real.tv_sec - r->last_real.tv_sec) * 1000 +
	    (real.tv_nsec - r->last_real.tv_nsec) / 1000000;
	dm = (long long)(mono.tv_sec - r->last_mono.tv_sec) * 1000 +
	    (mono.tv_nsec - r->last_mono.tv_nsec) / 1000000;
	r->last_real = real;
	r->last_mono = mono;
	if (dr - dm <= CLOCK_STEP_MS && dm - dr <= CLOCK_STEP_MS)
		return 0;
	return (dr - dm + (dr > dm ? 500 : -500)) / 1000;
}

/*
 * While the thread delivers, the job grows by OUTBOX_CHUNK messages per
 * pass of the main loop, so that the outcomes coming in are recorded in
 * between (the thread stops after MAILER_UNRECORDED_MAX unrecorded ones)
 * and the thread goes on without waiting for a new job.  Only rows due
 * when the job began: rows that fall due later wait for the next job and
 * the catch-up rule before it.
 */
static void
extend(struct reminders *r, struct ikond *ikd)
{
	struct mailer_job *more;
	size_t room;
	char *cause = NULL;
	int added;

	if ((room = mailer_room(r->mailer)) == 0)
		return;
	more = mailer_job_new(room < OUTBOX_CHUNK ? room : OUTBOX_CHUNK);
	if ((added = outbox_claim(ikd, r->job_now, more->cap, more, &cause)) == -1) {
		log_warnx("reminders: %s", cause);
		free(cause);
	}
	if (added > 0)
		mailer_append(r->mailer, more);
	else
		mailer_seal(r->mailer);
	mailer_job_free(more);
}

/* The catch-up rule in a transaction of its own. */
static void
catch_up(struct reminders *r, struct ikond *ikd, time_t now)
{
	char *cause = NULL;

	if (store_begin(ikd->store, &cause) == 0 &&
	    reminder_catch_up(ikd, now, &r->stats, &cause) == 0 &&
	    store_commit(ikd->store, &cause) == 0)
		return;
	store_rollback(ikd->store);
	log_warnx("reminders: %s", cause);
	free(cause);
}

void
reminders_tick(struct reminders *r, struct ikond *ikd, time_t now)
{
	struct reminder_stats before = r->stats;
	struct mailer_job *job;
	struct timespec t0, t1;
	char *cause = NULL;
	long long step;
	time_t next;
	int today;

	if ((step = clock_step(r)) != 0) {
		log_info("reminders: the wall clock was set by %+lld s; re-planning", step);
		r->replan = true;
		/* A retry waits its backoff in elapsed time, whatever the clock says. */
		if (outbox_shift_retries(ikd, step, &cause) == -1) {
			log_warnx("reminders: %s", cause);
			free(cause);
			cause = NULL;
		}
	}
	if (r->seen_cfg != ikd->cfg) {
		r->seen_cfg = ikd->cfg;
		forget_password(r);
		r->password = read_password(ikd->cfg->smtp_password_file);
		r->replan = true;
	}
	today = timefmt_local_day(ikd->cfg->body_timezone, now);
	if (r->replan || r->seen_version != ikd->data_version || today != r->plan_day ||
	    monotonic_ms() - r->last_plan_ms >= PLAN_INTERVAL * 1000) {
		/* Outcomes first: planning must not keep them waiting. */
		record_results(r);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r->planned = reminder_plan(ikd, now, &r->stats, &cause) == 0;
		if (!r->planned) {
			log_warnx("reminders: planning failed: %s", cause);
			free(cause);
			cause = NULL;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		log_debug("reminders: planned in %lld ms",
		    (long long)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		r->replan = false;
		r->plan_day = today;
		r->seen_version = ikd->data_version;
		r->last_plan_ms = monotonic_ms();
		if (r->stats.skipped_past != before.skipped_past)
			log_info("reminders: %d reminder(s) skipped because their date is past",
			    r->stats.skipped_past - before.skipped_past);
	}
	if (r->catch_up_first) {
		r->catch_up_first = false;
		catch_up(r, ikd, now);
		if (r->stats.skipped_past != before.skipped_past)
			log_info("reminders: %d reminder(s) skipped because their date is past",
			    r->stats.skipped_past - before.skipped_past);
	}
	if (!mailer_idle(r->mailer)) {
		extend(r, ikd);
		return;
	}
	if (outbox_next_due(ikd, &next, &cause) == -1) {
		log_warnx("reminders: %s", cause);
		free(cause);
		arm_timer(r, now + 60);
		return;
	}
	if (next == 0 || next > now) {
		arm_timer(r, next != 0 && next < now + 60 ? next : now + 60);
		return;
	}
	/* Between two plans rows can fall due together: the catch-up rule again. */
	catch_up(r, ikd, now);
	job = mailer_job_new(OUTBOX_BATCH_MAX);
	if (outbox_claim(ikd, now, OUTBOX_CHUNK, job, &cause) == -1) {
		log_warnx("reminders: %s", cause);
		free(cause);
	}
	if (job->n == 0) {
		mailer_job_free(job);
		return;
	}
	outbox_transport(ikd, r->password, &job->transport);
	r->job_now = now;
	mailer_submit(r->mailer, job);
}

const char *
reminders_smtp_password(const struct reminders *r)
{
	return r->password;
}

json_t *
reminders_status_json(const struct reminders *r)
{
	return json_pack("{s:I, s:I, s:I, s:i, s:i, s:b}", "sent", (json_int_t)r->sent,
	    "failed", (json_int_t)r->failed, "retries", (json_int_t)r->retried,
	    "skipped_past", r->stats.skipped_past, "skipped_older", r->stats.skipped_older,
	    "sending", !mailer_idle(r->mailer));
}
