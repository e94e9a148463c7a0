/*
 * reminder: the planner that keeps the reminder table in step with the
 * agenda, and the scheduler that runs it from the main loop (see
 * reminder.h).  Only the main thread calls into this file; the delivery
 * thread lives in mailer.c and never touches the database.
 */
#include "reminder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "agenda.h"
#include "civil.h"
#include "config.h"
#include "log.h"
#include "mailer.h"
#include "monotonic.h"
#include "outbox.h"
#include "timefmt.h"
#include "xmalloc.h"

#define PLAN_INTERVAL		600	/* seconds between routine re-plans */
#define CLOCK_STEP_MS		5000	/* wall-clock drift against CLOCK_MONOTONIC that is a step */
#define PASSWORD_MAX		1024
#define PLAN_MARGIN_DAYS	3	/* days planned ahead beyond the longest offset */

int
reminder_due_time(const char *tz, int send_minute, const struct reminder_date *d,
    const struct duration *off, time_t *due, char **cause)
{
	int day, minute;
	time_t base;

	if (d->all_day) {
		day = d->days;
		minute = send_minute;
	} else if (civil_from_utc(tz, d->start, &day, &minute, NULL) == -1)
		return set_cause(cause, "cannot convert the start into local time");
	if (off->minutes == 0)
		return civil_to_utc(tz, day - off->days, send_minute, due, NULL, cause);
	if (off->days == 0 && !d->all_day)
		base = d->start;
	else if (civil_to_utc(tz, day - off->days, minute, &base, NULL, cause) == -1)
		return -1;
	*due = base - (time_t)off->minutes * 60;
	return 0;
}

time_t
reminder_date_over(const char *tz, const struct reminder_date *d)
{
	time_t t;

	if (!d->all_day)
		return d->start;
	if (civil_to_utc(tz, d->days + 1, 0, &t, NULL, NULL) == -1)
		return (time_t)(d->days + 1) * 86400;
	return t;
}

/* The next send_time at or after t, unless that is not before limit. */
static time_t
digest_due(const char *tz, int send_minute, time_t t, time_t limit)
{
	int day, minute;
	time_t out;

	if (civil_from_utc(tz, t, &day, &minute, NULL) == -1)
		return t;
	if (minute > send_minute)
		day++;
	if (civil_to_utc(tz, day, send_minute, &out, NULL, NULL) == -1 || out < t ||
	    out >= limit)
		return t;
	return out;
}

static void
when_text(const char *tz, const struct reminder_date *d, char *out, size_t len)
{
	char date[11], local[17];

	if (d->all_day) {
		civil_format_date(d->days, date);
		snprintf(out, len, "%s", date);
	} else {
		timefmt_local(tz, d->start, local);
		snprintf(out, len, "%s", local);
	}
}

/* The item as stored with each row: what the mail and the .ics need. */
static char *
item_snapshot(const struct agenda_item *it)
{
	json_t *o;
	char *s;

	o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:i, s:i, s:I, s:I, s:i, s:I, s:b}",
	    "kind", it->reminder_kind, "uid", it->uid, "title", it->title,
	    "description", it->description ? it->description : "", "all_day", it->all_day,
	    "start_days", it->start_days, "end_days", it->end_days,
	    "start", (json_int_t)it->start, "end", (json_int_t)it->end,
	    "sequence", it->sequence, "updated", (json_int_t)it->updated,
	    "cancelled", it->cancelled);
	json_object_set_new(o, "location", json_string(it->location ? it->location : ""));
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (s == NULL)
		fatalx("reminder: out of memory");
	return s;
}

static int
kind_index(const char *name)
{
	int k;

	for (k = 0; name != NULL && k < REMIND_KIND_COUNT; k++)
		if (strcmp(config_reminder_kind_names[k], name) == 0)
			return k;
	return -1;
}

/* Everything planning one item needs. */
struct plan {
	struct ikond		*ikd;
	const struct agenda_item *it;
	time_t			 now;
	sqlite3_int64		 gen;
	struct reminder_stats	*stats;
	time_t			 item_at;
	char			 when[32];
	char			*snapshot;
};

/* The row with this key: *id (0 if none), its state and due time. */
static int
find_row(struct plan *p, const char *offset, sqlite3_int64 actor, sqlite3_int64 *id,
    char *state, size_t statelen, sqlite3_int64 *due, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	rc = store_first(p->ikd->store, cause, &st, "SELECT id, state, due_utc FROM reminder "
	    "WHERE item_uid = ? AND offset = ? AND actor_id = ?", "tti", p->it->uid, offset,
	    actor);
	if (rc == 1) {
		*id = sqlite3_column_int64(st, 0);
		snprintf(state, statelen, "%s", sqlite3_column_text(st, 1));
		*due = sqlite3_column_int64(st, 2);
		store_done(p->ikd->store, st);
	}
	return rc == -1 ? -1 : 0;
}

static int
plan_offset(struct plan *p, sqlite3_int64 actor, const char *offset, time_t due, char **cause)
{
	struct store *store = p->ikd->store;
	sqlite3_int64 id, old_due = 0;
	char state[16] = "";
	int rc;

	if (find_row(p, offset, actor, &id, state, sizeof(state), &old_due, cause) == -1)
		return -1;
	if (id == 0) {
		rc = store_exec(store, cause, "INSERT INTO reminder (item_uid, item_kind, offset, "
		    "actor_id, kind, due_utc, item_at, item_when, item_json, plan_gen, created_at, "
		    "updated_at) VALUES (?, ?, ?, ?, 'remind', ?, ?, ?, ?, ?, ?, ?)", "ttti"
		    "iittiii", p->it->uid, p->it->reminder_kind, offset, actor, (sqlite3_int64)due,
		    (sqlite3_int64)p->item_at, p->when, p->snapshot, p->gen,
		    (sqlite3_int64)p->now, (sqlite3_int64)p->now);
		if (rc == 1)
			p->stats->planned++;
		return rc == -1 ? -1 : 0;
	}
	if (strcmp(state, "queued") == 0 ||
	    (strcmp(state, "skipped") == 0 && due > p->now && p->item_at > p->now)) {
		if (strcmp(state, "queued") == 0 && old_due != (sqlite3_int64)due)
			p->stats->moved++;
		rc = store_exec(store, cause, "UPDATE reminder SET state = 'queued', "
		    "last_error = CASE WHEN state = 'queued' THEN last_error ELSE '' END, "
		    "next_attempt_utc = CASE WHEN state = 'queued' THEN next_attempt_utc ELSE 0 END, "
		    "due_utc = ?, item_at = ?, item_when = ?, item_json = ?, plan_gen = ?, "
		    "updated_at = CASE WHEN due_utc = ?1 AND item_json = ?4 THEN updated_at ELSE ? END "
		    "WHERE id = ?", "iittiii", (sqlite3_int64)due, (sqlite3_int64)p->item_at,
		    p->when, p->snapshot, p->gen, (sqlite3_int64)p->now, id);
	} else
		rc = store_exec(store, cause, "UPDATE reminder SET plan_gen = ? WHERE id = ?", "ii",
		    p->gen, id);
	return rc == -1 ? -1 : 0;
}

/* What the actor was last told about the item: *when allocated, or NULL
 * if nothing.  0 or -1. */
static int
last_told(struct plan *p, sqlite3_int64 actor, char **when, char **cause)
{
	int rc;

	*when = NULL;
	rc = store_get_text(p->ikd->store, cause, when, "SELECT item_when FROM reminder "
	    "WHERE item_uid = ? AND actor_id = ? AND state = 'sent' AND kind IN ('remind', "
	    "'moved') ORDER BY sent_at DESC, id DESC LIMIT 1", "ti", p->it->uid, actor);
	return rc == -1 ? -1 : 0;
}

/* One "Termin verschoben" notice for an actor told of another date. */
static int
plan_moved_notice(struct plan *p, sqlite3_int64 actor, char **cause)
{
	struct store *store = p->ikd->store;
	char *told, offset[48], state[16];
	sqlite3_int64 id, old_due;
	int rc;

	if (last_told(p, actor, &told, cause) == -1)
		return -1;
	snprintf(offset, sizeof(offset), "moved %s", p->when);
	rc = store_exec(store, cause, "UPDATE reminder SET state = 'skipped', last_error = "
	    "'superseded: the date changed again', updated_at = ? WHERE item_uid = ? AND "
	    "actor_id = ? AND kind = 'moved' AND state = 'queued' AND offset <> ?", "itit",
	    (sqlite3_int64)p->now, p->it->uid, actor, told != NULL && strcmp(told, p->when) != 0 ?
	    offset : "");
	if (rc == -1 || told == NULL || strcmp(told, p->when) == 0) {
		free(told);
		return rc == -1 ? -1 : 0;
	}
	if (find_row(p, offset, actor, &id, state, sizeof(state), &old_due, cause) == -1) {
		free(told);
		return -1;
	}
	if (id != 0)
		rc = store_exec(store, cause, "UPDATE reminder SET plan_gen = ? WHERE id = ?", "ii",
		    p->gen, id);
	else {
		rc = store_exec(store, cause, "INSERT INTO reminder (item_uid, item_kind, offset, "
		    "actor_id, kind, due_utc, item_at, item_when, old_when, item_json, plan_gen, "
		    "created_at, updated_at) VALUES (?, ?, ?, ?, 'moved', ?, ?, ?, ?, ?, ?, ?, ?)",
		    "tttiiitttiii", p->it->uid, p->it->reminder_kind, offset, actor,
		    (sqlite3_int64)p->now, (sqlite3_int64)p->item_at, p->when, told, p->snapshot,
		    p->gen, (sqlite3_int64)p->now, (sqlite3_int64)p->now);
		if (rc == 1)
			p->stats->notices++;
	}
	free(told);
	return rc == -1 ? -1 : 0;
}

static int
plan_cancelled(struct plan *p, char **cause)
{
	struct store *store = p->ikd->store;
	sqlite3_int64 *actors;
	size_t n, i;
	int rc;

	rc = store_exec(store, cause, "UPDATE reminder SET state = 'skipped', last_error = "
	    "'the date was cancelled', updated_at = ? WHERE item_uid = ? AND state = 'queued' "
	    "AND kind IN ('remind', 'moved')", "it", (sqlite3_int64)p->now, p->it->uid);
	if (rc == -1)
		return -1;
	p->stats->skipped_other += rc;
	if (store_get_ints(store, cause, &actors, &n, "SELECT DISTINCT actor_id FROM reminder "
	    "WHERE item_uid = ? AND state = 'sent' AND kind IN ('remind', 'moved') "
	    "ORDER BY actor_id", "t", p->it->uid) == -1)
		return -1;
	for (i = 0; i < n && rc != -1; i++) {
		rc = store_exec(store, cause, "INSERT INTO reminder (item_uid, item_kind, offset, "
		    "actor_id, kind, due_utc, item_at, item_when, item_json, plan_gen, created_at, "
		    "updated_at) VALUES (?, ?, 'cancelled', ?, 'cancelled', ?, ?, ?, ?, ?, ?, ?) "
		    "ON CONFLICT (item_uid, offset, actor_id) DO NOTHING", "ttiiittiii",
		    p->it->uid, p->it->reminder_kind, actors[i], (sqlite3_int64)p->now,
		    (sqlite3_int64)p->item_at, p->when, p->snapshot, p->gen,
		    (sqlite3_int64)p->now, (sqlite3_int64)p->now);
		if (rc == 1)
			p->stats->notices++;
	}
	free(actors);
	if (rc == -1)
		return -1;
	return store_exec(store, cause, "UPDATE reminder SET plan_gen = ? WHERE item_uid = ?",
	    "it", p->gen, p->it->uid) == -1 ? -1 : 0;
}

static int
plan_item(struct ikond *ikd, const struct agenda_item *it, time_t now, sqlite3_int64 gen,
    struct reminder_stats *stats, char **cause)
{
	const struct config *cfg = ikd->cfg;
	const char *tz = cfg->body_timezone;
	const struct reminder_offsets *offs;
	struct reminder_date d;
	struct plan p;
	char *slug = NULL, *pref;
	time_t due;
	size_t a, o;
	int k, rc = 0;

	if ((k = kind_index(it->reminder_kind)) == -1)
		return 0;
	memset(&p, 0, sizeof(p));
	p.ikd = ikd;
	p.it = it;
	p.now = now;
	p.gen = gen;
	p.stats = stats;
	d.all_day = it->all_day;
	d.days = it->start_days;
	d.start = it->start;
	p.item_at = reminder_date_over(tz, &d);
	when_text(tz, &d, p.when, sizeof(p.when));
	p.snapshot = item_snapshot(it);
	if (it->cancelled) {
		rc = plan_cancelled(&p, cause);
		free(p.snapshot);
		return rc;
	}
	rc = store_exec(ikd->store, cause, "UPDATE reminder SET state = 'skipped', last_error = "
	    "'the date is no longer cancelled', updated_at = ? WHERE item_uid = ? AND "
	    "kind = 'cancelled' AND state = 'queued'", "it", (sqlite3_int64)now, it->uid);
	if (rc != -1 && it->committee_id != 0 && store_get_text(ikd->store, cause, &slug,
	    "SELECT slug FROM committee WHERE id = ?", "i", it->committee_id) == -1)
		rc = -1;
	offs = config_reminders(cfg, (enum reminder_kind)k, slug);
	for (a = 0; a < it->nactors && rc != -1; a++) {
		if ((rc = store_get_text(ikd->store, cause, &pref, "SELECT reminders FROM actor "
		    "WHERE id = ?", "i", it->actors[a])) != 1 || strcmp(pref, "none") == 0) {
			if (rc == 1)
				free(pref);
			continue;
		}
		for (o = 0; o < offs->n && rc != -1; o++) {
			if (reminder_due_time(tz, cfg->remind_send_minute, &d, &offs->offset[o],
			    &due, cause) == -1) {
				rc = -1;
				break;
			}
			if (strcmp(pref, "digest") == 0)
				due = digest_due(tz, cfg->remind_send_minute, due, p.item_at);
			rc = plan_offset(&p, it->actors[a], offs->offset[o].text, due, cause);
		}
		if (rc != -1)
			rc = plan_moved_notice(&p, it->actors[a], cause);
		free(pref);
	}
	free(slug);
	if (rc != -1) {
		rc = store_exec(ikd->store, cause, "UPDATE reminder SET state = 'skipped', "
		    "last_error = 'no longer planned: recipient, preference or offsets changed', "
		    "updated_at = ? WHERE item_uid = ? AND state = 'queued' AND kind IN "
		    "('remind', 'moved') AND plan_gen <> ?", "iti", (sqlite3_int64)now, it->uid, gen);
		if (rc > 0)
			stats->skipped_other += rc;
	}
	free(p.snapshot);
	return rc == -1 ? -1 : 0;
}

int
reminder_catch_up(struct ikond *ikd, time_t now, struct reminder_stats *stats, char **cause)
{
	int rc;

	rc = store_exec(ikd->store, cause, "UPDATE reminder SET state = 'skipped', last_error = "
	    "'the date is already past', updated_at = ?1 WHERE state = 'queued' AND "
	    "item_at <= ?1", "i", (sqlite3_int64)now);
	if (rc == -1)
		return -1;
	stats->skipped_past += rc;
	rc = store_exec(ikd->store, cause, "UPDATE reminder SET state = 'skipped', last_error = "
	    "'a later reminder of the same date is due as well', updated_at = ?1 "
	    "WHERE state = 'queued' AND kind = 'remind' AND due_utc <= ?1 AND EXISTS "
	    "(SELECT 1 FROM reminder r WHERE r.item_uid = reminder.item_uid AND "
	    "r.actor_id = reminder.actor_id AND r.kind = 'remind' AND r.id <> reminder.id AND "
	    "r.state IN ('queued', 'sending', 'sent') AND r.due_utc > reminder.due_utc AND "
	    "r.due_utc <= ?1)", "i", (sqlite3_int64)now);
	if (rc == -1)
		return -1;
	stats->skipped_older += rc;
	return 0;
}

/*
 * How many days ahead of today the planner looks: the longest configured
 * offset of any kind (committee overrides included), hours and minutes
 * rounded up to whole days, plus PLAN_MARGIN_DAYS.  An item enters this
 * horizon at the latest with the first plan of the day on which it is
 * that far ahead, so its earliest reminder is still at least
 * PLAN_MARGIN_DAYS - 1 days away; digest rounding only moves due times
 * later.
 */
int
reminder_horizon_days(const struct config *cfg)
{
	const struct reminder_offsets *offs;
	size_t c, o;
	int k, days, max = 0;

	for (k = 0; k < REMIND_KIND_COUNT; k++)
		for (c = 0; c <= cfg->n_remind_committee; c++) {
			if (c == cfg->n_remind_committee)
				offs = &cfg->remind[k];
			else if (cfg->remind_committee[c].set[k])
				offs = &cfg->remind_committee[c].kind[k];
			else
				continue;
			for (o = 0; o < offs->n; o++) {
				days = offs->offset[o].days + (offs->offset[o].minutes + 1439) / 1440;
				if (days > max)
					max = days;
			}
		}
	return max + PLAN_MARGIN_DAYS;
}

static int
uid_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
uid_in(char **uids, size_t n, const char *uid)
{
	return n > 0 && bsearch(&uid, uids, n, sizeof(*uids), uid_cmp) != NULL;
}

/*
 * Items whose rows place them inside the window although the window's
 * collection did not bring them: moved beyond the window or into the
 * past, or deleted.  A row counts unless the same actor has a newer row
 * (by updated_at) for a date beyond the window, which is what planning a
 * stray item leaves behind.  Returns the sorted uids not in seen.
 */
static int
stray_uids(struct ikond *ikd, time_t now, time_t window_end, char **seen, size_t nseen,
    char ***out, size_t *nout, char **cause)
{
	sqlite3_stmt *st;
	const char *uid;
	int rc;

	*out = NULL;
	*nout = 0;
	if ((st = store_query(ikd->store, cause, "SELECT DISTINCT r.item_uid FROM reminder r "
	    "WHERE r.item_at > ?1 AND r.item_at <= ?2 AND r.kind IN ('remind', 'moved') AND "
	    "r.state IN ('queued', 'sending', 'sent') AND NOT EXISTS (SELECT 1 FROM reminder n "
	    "WHERE n.item_uid = r.item_uid AND n.actor_id = r.actor_id AND "
	    "n.kind IN ('remind', 'moved') AND n.state IN ('queued', 'sending', 'sent') AND "
	    "n.item_at > ?2 AND n.updated_at >= r.updated_at) ORDER BY r.item_uid", "ii",
	    (sqlite3_int64)now, (sqlite3_int64)window_end)) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		uid = (const char *)sqlite3_column_text(st, 0);
		if (uid_in(seen, nseen, uid))
			continue;
		*out = xreallocarray(*out, *nout + 1, sizeof(**out));
		(*out)[(*nout)++] = xstrdup(uid);
	}
	store_done(ikd->store, st);
	return rc;
}

/*
 * Plans the stray items (see stray_uids()) where they are now: one
 * collection of the agenda beyond the window, only when there are any.
 * Items not found there keep their old plan_gen and are swept as removed.
 */
static int
plan_strays(struct ikond *ikd, const struct agenda_filter *window, time_t window_end,
    char **seen, size_t nseen, time_t now, sqlite3_int64 gen, struct reminder_stats *stats,
    char **cause)
{
	struct agenda_filter f;
	struct agenda *a;
	char **strays;
	size_t n, i;
	int rc = 0;

	if (stray_uids(ikd, now, window_end, seen, nseen, &strays, &n, cause) == -1)
		return -1;
	if (n == 0)
		return 0;
	agenda_filter_all(&f);
	f.from_days = window->to_days + 1;
	if ((a = agenda_collect(ikd, &f, cause)) == NULL)
		rc = -1;
	for (i = 0; a != NULL && i < a->n && rc != -1; i++)
		if (uid_in(strays, n, a->items[i].uid))
			rc = plan_item(ikd, &a->items[i], now, gen, stats, cause);
	agenda_free(a);
	for (i = 0; i < n; i++)
		free(strays[i]);
	free(strays);
	return rc;
}

int
reminder_plan(struct ikond *ikd, time_t now, struct reminder_stats *stats, char **cause)
{
	const char *tz = ikd->cfg->body_timezone;
	struct reminder_stats local;
	struct agenda_filter f;
	struct agenda *a;
	sqlite3_int64 gen;
	time_t window_end;
	char **seen;
	size_t i;
	int rc = 0;

	if (stats == NULL) {
		memset(&local, 0, sizeof(local));
		stats = &local;
	}
	agenda_filter_all(&f);
	f.from_days = timefmt_local_day(tz, now) - 1;
	f.to_days = f.from_days + 1 + reminder_horizon_days(ikd->cfg);
	if (civil_to_utc(tz, f.to_days + 1, 0, &window_end, NULL, cause) == -1)
		return -1;
	if (store_begin(ikd->store, cause) == -1)
		return -1;
	if ((a = agenda_collect(ikd, &f, cause)) == NULL) {
		store_rollback(ikd->store);
		return -1;
	}
	/* A generation no row that can still be queued carries: rows of dates
	 * past are settled by the catch-up rule, whatever their generation. */
	if (store_get_int(ikd->store, cause, &gen, "SELECT coalesce(max(plan_gen), 0) + 1 "
	    "FROM reminder WHERE item_at > ?", "i", (sqlite3_int64)now - 2 * 86400) == -1) {
		agenda_free(a);
		store_rollback(ikd->store);
		return -1;
	}
	seen = xcalloc(a->n ? a->n : 1, sizeof(*seen));
	for (i = 0; i < a->n; i++)
		seen[i] = a->items[i].uid != NULL ? a->items[i].uid : "";
	qsort(seen, a->n, sizeof(*seen), uid_cmp);
	for (i = 0; i < a->n && rc != -1; i++)
		rc = plan_item(ikd, &a->items[i], now, gen, stats, cause);
	if (rc != -1)
		rc = plan_strays(ikd, &f, window_end, seen, a->n, now, gen, stats, cause);
	free(seen);
	agenda_free(a);
	if (rc != -1)
		rc = reminder_catch_up(ikd, now, stats, cause);
	/* Rows beyond the window were planned earlier and stay until it reaches them. */
	if (rc != -1) {
		rc = store_exec(ikd->store, cause, "UPDATE reminder SET state = 'skipped', "
		    "last_error = 'the date was removed', updated_at = ? WHERE state = 'queued' "
		    "AND kind IN ('remind', 'moved') AND plan_gen <> ? AND item_at <= ?", "iii",
		    (sqlite3_int64)now, gen, (sqlite3_int64)window_end);
		if (rc > 0)
			stats->skipped_other += rc;
	}
	if (rc == -1 || store_commit(ikd->store, cause) == -1) {
		store_rollback(ikd->store);
		return -1;
	}
	return 0;
}

/* --- the scheduler in the main loop --- */

struct reminders {
	struct ikond		*ikd;
	struct mailer		*mailer;
	int			 timerfd;	/* fires at the next due time or a clock change */
	uint64_t		 seen_version;
	const struct config	*seen_cfg;
	bool			 replan;
	uint64_t		 last_plan_ms;	/* monotonic */
	int			 plan_day;	/* the local day of the last plan */
	bool			 record_failing; /* outcomes wait for the store */
	struct timespec		 last_real, last_mono;
	char			*password;
	struct reminder_stats	 stats;
	uint64_t		 sent, failed, retried;
	uint64_t		 batch_sent, batch_failed, batch_retried; /* not committed */
	char			*apply_cause;
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

struct reminders *
reminders_start(struct ikond *ikd, char **cause)
{
	struct reminders *r = xcalloc(1, sizeof(*r));
	char *why = NULL;
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
	r->password = read_password(ikd->cfg->smtp_password_file);
	r->seen_cfg = ikd->cfg;
	r->replan = true;
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
	if (r->timerfd != -1)
		close(r->timerfd);
	forget_password(r);
	free(r->apply_cause);
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

	if (outbox_apply(r->ikd, it, time(NULL), &r->apply_cause) == -1)
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
	if (store_begin(store, &cause) == -1)
		goto fail;
	n = mailer_collect(r->mailer, apply_result, r);
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
 * difference between how far it and CLOCK_MONOTONIC moved, or 0 when that
 * is within CLOCK_STEP_MS.
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
	return (dr - dm) / 1000;
}

void
reminders_tick(struct reminders *r, struct ikond *ikd, time_t now)
{
	struct reminder_stats before = r->stats;
	struct mailer_job *job = NULL;
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
		if (reminder_plan(ikd, now, &r->stats, &cause) == -1) {
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
	if (!mailer_idle(r->mailer))
		return;
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
	if (store_begin(ikd->store, &cause) == 0 &&
	    reminder_catch_up(ikd, now, &r->stats, &cause) == 0 &&
	    store_commit(ikd->store, &cause) == 0)
		;
	else {
		store_rollback(ikd->store);
		log_warnx("reminders: %s", cause);
		free(cause);
		cause = NULL;
	}
	if (outbox_claim(ikd, r->password, now, OUTBOX_BATCH_MAX, &job, &cause) == -1) {
		log_warnx("reminders: %s", cause);
		free(cause);
		return;
	}
	if (job != NULL)
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
