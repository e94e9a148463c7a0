/*
 * reminder: the planner that keeps the reminder table in step with the
 * agenda (see reminder.h).  It decides which mails are due when; the
 * scheduler in reminders.c runs it from the main loop, and only the main
 * thread calls into this file.
 *
 * A plan visits every recipient of every item in its window, most of
 * them with nothing to change: an item's rows are read once (struct
 * item_rows) and the preferences of all the window's recipients in one
 * statement (struct prefs), so that a recipient without rows costs no
 * statement and only the writes that change a row reach the database.
 * What the plan saw is kept in memory, not written: a row it planned
 * again is marked kept, and the queued rows of its items it did not keep,
 * and of items it did not plan (the window's and the strays'), are
 * skipped.  The reminder's copy of the item makes every write of a row
 * a rewrite of kilobytes, so a plan that changes nothing writes nothing.
 */
#include "reminder.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "buf.h"
#include "civil.h"
#include "config.h"
#include "log.h"
#include "timefmt.h"
#include "xmalloc.h"

#define PLAN_MARGIN_DAYS	3	/* days planned ahead beyond the longest offset */
#define WORKING_DAY_SEARCH	60	/* days looked back for a working day */

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
reminder_working_day(const char *tz, const struct workcal *wc, time_t due)
{
	int day, minute, d;
	time_t t;

	if (civil_from_utc(tz, due, &day, &minute, NULL) == -1)
		return due;
	for (d = day; !workcal_is_working_day(wc, d) && d > day - WORKING_DAY_SEARCH; d--)
		;
	if (d == day || civil_to_utc(tz, d, minute, &t, NULL, NULL) == -1)
		return due;
	return t;
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
item_snapshot_make(const struct agenda_item *it)
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
	json_object_set_new(o, "name", json_string(it->name ? it->name : it->title));
	json_object_set_new(o, "why", json_string(it->why ? it->why : ""));
	json_object_set_new(o, "subkind", json_string(it->subkind ? it->subkind : ""));
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

/* One row of an item as the plan began with it. */
struct item_row {
	sqlite3_int64		 id;
	sqlite3_int64		 actor;
	sqlite3_int64		 due;
	sqlite3_int64		 item_at;
	sqlite3_int64		 sent_at;	/* INT64_MIN if none */
	char			 kind[12];
	char			 state[12];
	char			*offset;
	char			*when;
	bool			 same_item;	/* queued with the item as it is now */
	bool			 kept;		/* this plan planned it */
};

/* An item's rows, by actor and id. */
struct item_rows {
	struct item_row		*row;
	size_t			 n;
};

/* The actors' reminder preferences read so far in one plan: an open
 * addressing table of ids, with 'e'ach, 'd'igest, 'n'one or '-' (gone). */
struct prefs {
	sqlite3_int64		*id;
	char			*pref;
	size_t			 cap;	/* a power of two, or 0 */
	size_t			 n;
};

/* Everything planning one item needs. */
struct plan {
	struct ikond		*ikd;
	const struct agenda_item *it;
	time_t			 now;
	struct reminder_stats	*stats;
	time_t			 item_at;
	char			 when[32];
	char			*snapshot;
	struct item_rows	 rows;
};

/* The item's snapshot, made when a row first needs it: most recipients
 * of most items have nothing to write. */
static const char *
item_snapshot(struct plan *p)
{
	if (p->snapshot == NULL)
		p->snapshot = item_snapshot_make(p->it);
	return p->snapshot;
}

static int
rows_load(struct plan *p, char **cause)
{
	struct item_row *r;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if ((st = store_query(p->ikd->store, cause, "SELECT id, actor_id, kind, state, offset, "
	    "due_utc, item_when, sent_at, item_at FROM reminder WHERE item_uid = ? "
	    "ORDER BY actor_id, id", "t", p->it->uid)) == NULL)
		return -1;
	while ((rc = store_next(p->ikd->store, st, cause)) == 1) {
		if (p->rows.n == cap) {
			cap = cap ? cap * 2 : 16;
			p->rows.row = xreallocarray(p->rows.row, cap, sizeof(*p->rows.row));
		}
		r = &p->rows.row[p->rows.n++];
		r->id = sqlite3_column_int64(st, 0);
		r->actor = sqlite3_column_int64(st, 1);
		snprintf(r->kind, sizeof(r->kind), "%s", sqlite3_column_text(st, 2));
		snprintf(r->state, sizeof(r->state), "%s", sqlite3_column_text(st, 3));
		r->offset = store_column_dup(st, 4);
		r->due = sqlite3_column_int64(st, 5);
		r->when = store_column_dup(st, 6);
		r->sent_at = sqlite3_column_type(st, 7) == SQLITE_NULL ? INT64_MIN :
		    sqlite3_column_int64(st, 7);
		r->item_at = sqlite3_column_int64(st, 8);
		r->same_item = false;
		r->kept = false;
	}
	store_done(p->ikd->store, st);
	return rc;
}

/* Marks the queued rows that hold the item as it is now (in the order of
 * the rows, so one walk finds them). */
static int
rows_mark_same_item(struct plan *p, char **cause)
{
	sqlite3_stmt *st;
	sqlite3_int64 id;
	size_t j = 0;
	int rc;

	if ((st = store_query(p->ikd->store, cause, "SELECT id FROM reminder WHERE "
	    "item_uid = ? AND state = 'queued' AND item_json = ? ORDER BY actor_id, id", "tt",
	    p->it->uid, item_snapshot(p))) == NULL)
		return -1;
	while ((rc = store_next(p->ikd->store, st, cause)) == 1) {
		id = sqlite3_column_int64(st, 0);
		while (j < p->rows.n && p->rows.row[j].id != id)
			j++;
		if (j < p->rows.n)
			p->rows.row[j].same_item = true;
	}
	store_done(p->ikd->store, st);
	return rc;
}

static void
rows_free(struct item_rows *rows)
{
	size_t i;

	for (i = 0; i < rows->n; i++) {
		free(rows->row[i].offset);
		free(rows->row[i].when);
	}
	free(rows->row);
	rows->row = NULL;
	rows->n = 0;
}

/* The actor's rows: [*first, return value). */
static size_t
rows_of(const struct item_rows *rows, sqlite3_int64 actor, size_t *first)
{
	size_t lo = 0, hi = rows->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rows->row[mid].actor < actor)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (hi < rows->n && rows->row[hi].actor == actor)
		hi++;
	return hi;
}

/* The row with this key, or NULL. */
static struct item_row *
find_row(struct plan *p, const char *offset, sqlite3_int64 actor)
{
	size_t i, end;

	for (end = rows_of(&p->rows, actor, &i); i < end; i++)
		if (strcmp(p->rows.row[i].offset, offset) == 0)
			return &p->rows.row[i];
	return NULL;
}

static size_t
prefs_slot(const struct prefs *pf, sqlite3_int64 id)
{
	size_t i = ((uint64_t)id * 0x9e3779b97f4a7c15ULL) >> 17 & (pf->cap - 1);

	while (pf->id[i] != 0 && pf->id[i] != id)
		i = (i + 1) & (pf->cap - 1);
	return i;
}

static void
prefs_put(struct prefs *pf, sqlite3_int64 id, char pref)
{
	sqlite3_int64 *oid = pf->id;
	char *opref = pf->pref;
	size_t ocap = pf->cap, i, at;

	if ((pf->n + 1) * 2 > pf->cap) {
		pf->cap = ocap ? ocap * 2 : 256;
		pf->id = xcalloc(pf->cap, sizeof(*pf->id));
		pf->pref = xcalloc(pf->cap, sizeof(*pf->pref));
		for (i = 0; i < ocap; i++)
			if (oid[i] != 0) {
				at = prefs_slot(pf, oid[i]);
				pf->id[at] = oid[i];
				pf->pref[at] = opref[i];
			}
		free(oid);
		free(opref);
	}
	at = prefs_slot(pf, id);
	if (pf->id[at] == 0)
		pf->n++;
	pf->id[at] = id;
	pf->pref[at] = pref;
}

static void
prefs_free(struct prefs *pf)
{
	free(pf->id);
	free(pf->pref);
}

/* The actor's preference ('e', 'd', 'n'; '-' if the actor is gone) in *pref. */
static int
prefs_get(struct ikond *ikd, struct prefs *pf, sqlite3_int64 id, char *pref, char **cause)
{
	char *text;
	size_t at;
	int rc;

	if (pf->cap > 0 && pf->id[at = prefs_slot(pf, id)] == id) {
		*pref = pf->pref[at];
		return 0;
	}
	if ((rc = store_get_text(ikd->store, cause, &text, "SELECT reminders FROM actor "
	    "WHERE id = ?", "i", id)) == -1)
		return -1;
	*pref = rc == 0 ? '-' : text[0];
	if (rc == 1)
		free(text);
	prefs_put(pf, id, *pref);
	return 0;
}

/*
 * Enters the preference of every recipient of the items, from one pass
 * over the actors; one not found is gone ('-').  At full scale the
 * window's recipients are most actors of the body (85,000 of 100,000):
 * a statement each cost a plan 480 million instructions, reading them by
 * id through json_each() 330 million, this pass 85 million.
 */
static int
prefs_load(struct ikond *ikd, struct prefs *pf, const struct agenda *a, char **cause)
{
	const struct agenda_item *it;
	sqlite3_int64 id;
	sqlite3_stmt *st;
	size_t i, k, at, n = 0;
	int rc;

	for (i = 0; i < a->n; i++) {
		it = &a->items[i];
		if (it->cancelled || kind_index(it->reminder_kind) == -1)
			continue;
		for (k = 0; k < it->nactors; k++)
			if (pf->cap == 0 || pf->id[prefs_slot(pf, it->actors[k])] == 0) {
				prefs_put(pf, it->actors[k], '-');
				n++;
			}
	}
	if (n == 0)
		return 0;
	if ((st = store_query(ikd->store, cause, "SELECT id, reminders FROM actor", "")) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		id = sqlite3_column_int64(st, 0);
		if (pf->id[at = prefs_slot(pf, id)] == id)
			pf->pref[at] = ((const char *)sqlite3_column_text(st, 1))[0];
	}
	store_done(ikd->store, st);
	return rc;
}

static int
plan_offset(struct plan *p, sqlite3_int64 actor, const char *offset, time_t due, char **cause)
{
	struct store *store = p->ikd->store;
	struct item_row *row;
	int rc;

	if ((row = find_row(p, offset, actor)) == NULL) {
		rc = store_exec(store, cause, "INSERT INTO reminder (item_uid, item_kind, offset, "
		    "actor_id, kind, due_utc, item_at, item_when, item_json, created_at, "
		    "updated_at) VALUES (?, ?, ?, ?, 'remind', ?, ?, ?, ?, ?, ?)", "ttti"
		    "iittii", p->it->uid, p->it->reminder_kind, offset, actor, (sqlite3_int64)due,
		    (sqlite3_int64)p->item_at, p->when, item_snapshot(p),
		    (sqlite3_int64)p->now, (sqlite3_int64)p->now);
		if (rc == 1)
			p->stats->planned++;
		return rc == -1 ? -1 : 0;
	}
	row->kept = true;
	/* A queued row as it would be written again stays as it is: a write
	 * rewrites the whole row with its copy of the item. */
	if (strcmp(row->state, "queued") == 0 && row->same_item &&
	    row->due == (sqlite3_int64)due && row->item_at == (sqlite3_int64)p->item_at &&
	    strcmp(row->when, p->when) == 0)
		return 0;
	if (strcmp(row->state, "queued") != 0 &&
	    (strcmp(row->state, "skipped") != 0 || due <= p->now || p->item_at <= p->now))
		return 0;
	if (strcmp(row->state, "queued") == 0 && row->due != (sqlite3_int64)due)
		p->stats->moved++;
	rc = store_exec(store, cause, "UPDATE reminder SET state = 'queued', "
	    "last_error = CASE WHEN state = 'queued' THEN last_error ELSE '' END, "
	    "next_attempt_utc = CASE WHEN state = 'queued' THEN next_attempt_utc ELSE 0 END, "
	    "due_utc = ?, item_at = ?, item_when = ?, item_json = ?, "
	    "updated_at = CASE WHEN due_utc = ?1 AND item_json = ?4 THEN updated_at ELSE ? END "
	    "WHERE id = ?", "iittii", (sqlite3_int64)due, (sqlite3_int64)p->item_at,
	    p->when, item_snapshot(p), (sqlite3_int64)p->now, row->id);
	return rc == -1 ? -1 : 0;
}

/* What the actor was last told about the item (the latest sent reminder
 * or notice), or NULL if nothing. */
static const char *
last_told(struct plan *p, sqlite3_int64 actor)
{
	const struct item_row *r, *best = NULL;
	size_t i, end;

	for (end = rows_of(&p->rows, actor, &i); i < end; i++) {
		r = &p->rows.row[i];
		if (strcmp(r->state, "sent") != 0 || (strcmp(r->kind, "remind") != 0 &&
		    strcmp(r->kind, "moved") != 0))
			continue;
		if (best == NULL || r->sent_at > best->sent_at ||
		    (r->sent_at == best->sent_at && r->id > best->id))
			best = r;
	}
	return best != NULL ? best->when : NULL;
}

/* True if the actor has a queued notice of a move to another date than offset. */
static bool
other_moves_queued(struct plan *p, sqlite3_int64 actor, const char *offset)
{
	const struct item_row *r;
	size_t i, end;

	for (end = rows_of(&p->rows, actor, &i); i < end; i++) {
		r = &p->rows.row[i];
		if (strcmp(r->kind, "moved") == 0 && strcmp(r->state, "queued") == 0 &&
		    strcmp(r->offset, offset) != 0)
			return true;
	}
	return false;
}

/* One "Termin verschoben" notice for an actor told of another date. */
static int
plan_moved_notice(struct plan *p, sqlite3_int64 actor, char **cause)
{
	struct store *store = p->ikd->store;
	const char *told, *keep;
	struct item_row *row;
	char offset[48];
	size_t first;
	int rc = 0;

	if (rows_of(&p->rows, actor, &first) == first)
		return 0;	/* never told, nothing queued */
	told = last_told(p, actor);
	snprintf(offset, sizeof(offset), "moved %s", p->when);
	keep = told != NULL && strcmp(told, p->when) != 0 ? offset : "";
	if (other_moves_queued(p, actor, keep))
		rc = store_exec(store, cause, "UPDATE reminder SET state = 'skipped', last_error = "
		    "'superseded: the date changed again', updated_at = ? WHERE item_uid = ? AND "
		    "actor_id = ? AND kind = 'moved' AND state = 'queued' AND offset <> ?", "itit",
		    (sqlite3_int64)p->now, p->it->uid, actor, keep);
	if (rc == -1 || told == NULL || strcmp(told, p->when) == 0)
		return rc == -1 ? -1 : 0;
	if ((row = find_row(p, offset, actor)) != NULL)
		row->kept = true;
	else {
		rc = store_exec(store, cause, "INSERT INTO reminder (item_uid, item_kind, offset, "
		    "actor_id, kind, due_utc, item_at, item_when, old_when, item_json, "
		    "created_at, updated_at) VALUES (?, ?, ?, ?, 'moved', ?, ?, ?, ?, ?, ?, ?)",
		    "tttiiitttii", p->it->uid, p->it->reminder_kind, offset, actor,
		    (sqlite3_int64)p->now, (sqlite3_int64)p->item_at, p->when, told,
		    item_snapshot(p), (sqlite3_int64)p->now, (sqlite3_int64)p->now);
		if (rc == 1)
			p->stats->notices++;
	}
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
		    "actor_id, kind, due_utc, item_at, item_when, item_json, created_at, "
		    "updated_at) VALUES (?, ?, 'cancelled', ?, 'cancelled', ?, ?, ?, ?, ?, ?) "
		    "ON CONFLICT (item_uid, offset, actor_id) DO NOTHING", "ttiiittii",
		    p->it->uid, p->it->reminder_kind, actors[i], (sqlite3_int64)p->now,
		    (sqlite3_int64)p->item_at, p->when, item_snapshot(p),
		    (sqlite3_int64)p->now, (sqlite3_int64)p->now);
		if (rc == 1)
			p->stats->notices++;
	}
	free(actors);
	return rc == -1 ? -1 : 0;
}

/*
 * True if another offset of the same list falls due at the same instant
 * as offset o and is the closer one to the date (shorter, or as short and
 * listed first): moved off a weekend, "P3D" and "P1D" of a Monday session
 * both land on Friday, and one mail is enough.
 */
static bool
same_due_closer(const struct reminder_offsets *offs, const time_t *due, size_t o)
{
	long mine = offs->offset[o].days * 1440L + offs->offset[o].minutes, other;
	size_t j;

	for (j = 0; j < offs->n; j++) {
		other = offs->offset[j].days * 1440L + offs->offset[j].minutes;
		if (j != o && due[j] == due[o] && (other < mine || (other == mine && j < o)))
			return true;
	}
	return false;
}

static int
id_cmp(const void *a, const void *b)
{
	sqlite3_int64 x = *(const sqlite3_int64 *)a, y = *(const sqlite3_int64 *)b;

	return x < y ? -1 : x > y;
}

/* True if one of the loaded rows is of this kind and state (kind NULL:
 * 'remind' or 'moved'). */
static bool
rows_any(const struct item_rows *rows, const char *kind, const char *state)
{
	const struct item_row *r;
	size_t i;

	for (i = 0; i < rows->n; i++) {
		r = &rows->row[i];
		if (strcmp(r->state, state) == 0 && (kind != NULL ? strcmp(r->kind, kind) == 0 :
		    strcmp(r->kind, "remind") == 0 || strcmp(r->kind, "moved") == 0))
			return true;
	}
	return false;
}

/*
 * Marks the actors of the item that an earlier entry already listed, so
 * that each recipient is planned once: *dup[a] is true for a repeat.
 */
static bool *
repeated_actors(const struct agenda_item *it)
{
	sqlite3_int64 *sorted, *hit;
	bool *dup, *seen;
	size_t a;

	dup = xcalloc(it->nactors ? it->nactors : 1, sizeof(*dup));
	if (it->nactors < 2)
		return dup;
	sorted = xreallocarray(NULL, it->nactors, sizeof(*sorted));
	memcpy(sorted, it->actors, it->nactors * sizeof(*sorted));
	qsort(sorted, it->nactors, sizeof(*sorted), id_cmp);
	seen = xcalloc(it->nactors, sizeof(*seen));
	for (a = 0; a < it->nactors; a++) {
		hit = bsearch(&it->actors[a], sorted, it->nactors, sizeof(*sorted), id_cmp);
		/* bsearch may land on any of equal ids: take the first. */
		while (hit > sorted && hit[-1] == *hit)
			hit--;
		dup[a] = seen[hit - sorted];
		seen[hit - sorted] = true;
	}
	free(seen);
	free(sorted);
	return dup;
}

static int
plan_item(struct ikond *ikd, const struct agenda_item *it, time_t now, struct prefs *prefs,
    struct reminder_stats *stats, char **cause)
{
	const struct config *cfg = ikd->cfg;
	const char *tz = cfg->body_timezone;
	const struct reminder_offsets *offs;
	const struct item_row *r;
	struct reminder_date d;
	struct plan p;
	char *slug = NULL, pref;
	time_t due_each[CONFIG_MAX_OFFSETS], due_digest[CONFIG_MAX_OFFSETS], *due;
	bool *dup, due_made[2] = { false, false };
	size_t a, o;
	int k, rc = 0;

	if ((k = kind_index(it->reminder_kind)) == -1)
		return 0;
	memset(&p, 0, sizeof(p));
	p.ikd = ikd;
	p.it = it;
	p.now = now;
	p.stats = stats;
	d.all_day = it->all_day;
	d.days = it->start_days;
	d.start = it->start;
	p.item_at = reminder_date_over(tz, &d);
	when_text(tz, &d, p.when, sizeof(p.when));
	if (it->cancelled) {
		rc = plan_cancelled(&p, cause);
		free(p.snapshot);
		return rc;
	}
	if (rows_load(&p, cause) == -1 || (rows_any(&p.rows, NULL, "queued") &&
	    rows_mark_same_item(&p, cause) == -1)) {
		rows_free(&p.rows);
		free(p.snapshot);
		return -1;
	}
	if (rows_any(&p.rows, "cancelled", "queued"))
		rc = store_exec(ikd->store, cause, "UPDATE reminder SET state = 'skipped', "
		    "last_error = 'the date is no longer cancelled', updated_at = ? WHERE "
		    "item_uid = ? AND kind = 'cancelled' AND state = 'queued'", "it",
		    (sqlite3_int64)now, it->uid);
	if (rc != -1 && it->committee_id != 0 && store_get_text(ikd->store, cause, &slug,
	    "SELECT slug FROM committee WHERE id = ?", "i", it->committee_id) == -1)
		rc = -1;
	offs = config_reminders(cfg, (enum reminder_kind)k, slug);
	dup = repeated_actors(it);
	for (a = 0; a < it->nactors && rc != -1; a++) {
		if (dup[a])
			continue;
		if ((rc = prefs_get(ikd, prefs, it->actors[a], &pref, cause)) == -1 ||
		    pref == '-' || pref == 'n')
			continue;
		/* The due times depend on the preference only: made once each. */
		due = pref == 'd' ? due_digest : due_each;
		for (o = 0; o < offs->n && !due_made[pref == 'd']; o++) {
			if (reminder_due_time(tz, cfg->remind_send_minute, &d, &offs->offset[o],
			    &due[o], cause) == -1) {
				rc = -1;
				break;
			}
			if (pref == 'd')
				due[o] = digest_due(tz, cfg->remind_send_minute, due[o], p.item_at);
			if (cfg->remind_non_working_days == RULE_EARLIER)
				due[o] = reminder_working_day(tz, cfg->workcal, due[o]);
		}
		if (rc == -1)
			break;
		due_made[pref == 'd'] = true;
		for (o = 0; o < offs->n && rc != -1; o++)
			if (!same_due_closer(offs, due, o))
				rc = plan_offset(&p, it->actors[a], offs->offset[o].text, due[o],
				    cause);
		if (rc != -1)
			rc = plan_moved_notice(&p, it->actors[a], cause);
	}
	free(dup);
	free(slug);
	/* Queued rows this plan did not plan again; rows it wrote are new or kept. */
	for (a = 0; a < p.rows.n && rc != -1; a++) {
		r = &p.rows.row[a];
		if (r->kept || strcmp(r->state, "queued") != 0 || (strcmp(r->kind, "remind") != 0 &&
		    strcmp(r->kind, "moved") != 0))
			continue;
		rc = store_exec(ikd->store, cause, "UPDATE reminder SET state = 'skipped', "
		    "last_error = 'no longer planned: recipient, preference or offsets changed', "
		    "updated_at = ? WHERE id = ? AND state = 'queued'", "ii", (sqlite3_int64)now,
		    r->id);
		if (rc > 0)
			stats->skipped_other += rc;
	}
	rows_free(&p.rows);
	free(p.snapshot);
	return rc == -1 ? -1 : 0;
}

int
reminder_catch_up(struct ikond *ikd, time_t now, struct reminder_stats *stats, char **cause)
{
	int rc;

	rc = store_exec(ikd->store, cause, "UPDATE reminder INDEXED BY reminder_queued_at SET state = 'skipped', "
	    "last_error = 'the date is already past', updated_at = ?1 WHERE state = 'queued' AND "
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

static void
basis_offsets(struct buf *b, const char *what, const struct reminder_offsets *offs)
{
	size_t o;

	buf_printf(b, " %s[", what);
	for (o = 0; o < offs->n; o++)
		buf_printf(b, "%s%s", o ? "," : "", offs->offset[o].text);
	buf_add_str(b, "]");
}

char *
reminder_basis(const struct config *cfg, int today)
{
	int k, d, horizon = reminder_horizon_days(cfg);
	struct buf b;
	size_t c;

	buf_init(&b);
	buf_printf(&b, "day %d tz %s send %d roll %d", today, cfg->body_timezone,
	    cfg->remind_send_minute, (int)cfg->remind_non_working_days);
	for (k = 0; k < REMIND_KIND_COUNT; k++)
		basis_offsets(&b, config_reminder_kind_names[k], &cfg->remind[k]);
	for (c = 0; c < cfg->n_remind_committee; c++)
		for (k = 0; k < REMIND_KIND_COUNT; k++)
			if (cfg->remind_committee[c].set[k]) {
				buf_printf(&b, " %s:", cfg->remind_committee[c].committee);
				basis_offsets(&b, config_reminder_kind_names[k],
				    &cfg->remind_committee[c].kind[k]);
			}
	/* Every day a due time of the window can fall on or be moved to. */
	buf_add_str(&b, " working ");
	for (d = today - 1 - horizon - WORKING_DAY_SEARCH; d <= today + horizon + 2; d++)
		buf_add_str(&b, workcal_is_working_day(cfg->workcal, d) ? "1" : "0");
	return buf_steal(&b, NULL);
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
 * stray item leaves behind.  Returns the sorted uids not in seen (a JSON
 * array).  The rows are found by time in an index that holds the uid
 * (reminder_item_at, named: without statistics SQLite would take the index
 * by state), so only the rows of items not in seen are read from the
 * table, each a kilobyte with its copy of the item.
 */
static int
stray_uids(struct ikond *ikd, time_t now, time_t window_end, const char *seen, char ***out,
    size_t *nout, char **cause)
{
	sqlite3_stmt *st;
	const char *uid;
	int rc;

	*out = NULL;
	*nout = 0;
	if ((st = store_query(ikd->store, cause, "SELECT DISTINCT r.item_uid FROM reminder r "
	    "INDEXED BY reminder_item_at WHERE r.item_at > ?1 AND r.item_at <= ?2 AND r.item_uid NOT IN "
	    "(SELECT value FROM json_each(?3)) AND r.kind IN ('remind', 'moved') AND "
	    "r.state IN ('queued', 'sending', 'sent') AND NOT EXISTS (SELECT 1 FROM reminder n "
	    "WHERE n.item_uid = r.item_uid AND n.actor_id = r.actor_id AND "
	    "n.kind IN ('remind', 'moved') AND n.state IN ('queued', 'sending', 'sent') AND "
	    "n.item_at > ?2 AND n.updated_at >= r.updated_at) ORDER BY r.item_uid", "iit",
	    (sqlite3_int64)now, (sqlite3_int64)window_end, seen)) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		uid = (const char *)sqlite3_column_text(st, 0);
		*out = xreallocarray(*out, *nout + 1, sizeof(**out));
		(*out)[(*nout)++] = xstrdup(uid);
	}
	store_done(ikd->store, st);
	return rc;
}

/* The uids planned as a JSON array, for json_each(). */
static char *
planned_json(json_t *planned)
{
	char *s;

	if ((s = json_dumps(planned, JSON_COMPACT)) == NULL)
		fatalx("reminder: out of memory");
	return s;
}

/*
 * Plans the stray items (see stray_uids()) where they are now: one
 * collection of the agenda beyond the window, only when there are any.
 * Those found are added to planned (the window's items so far); the
 * others are swept as removed.
 */
static int
plan_strays(struct ikond *ikd, const struct agenda_filter *window, time_t window_end,
    time_t now, json_t *planned, struct prefs *prefs, struct reminder_stats *stats,
    char **cause)
{
	struct agenda_filter f;
	struct agenda *a;
	char **strays, *seen = planned_json(planned);
	size_t n, i;
	int rc = 0;

	rc = stray_uids(ikd, now, window_end, seen, &strays, &n, cause);
	free(seen);
	if (rc == -1)
		return -1;
	if (n == 0)
		return 0;
	agenda_filter_all(&f);
	f.from_days = window->to_days + 1;
	if ((a = agenda_collect(ikd, &f, cause)) == NULL)
		rc = -1;
	for (i = 0; a != NULL && i < a->n && rc != -1; i++)
		if (uid_in(strays, n, a->items[i].uid)) {
			rc = plan_item(ikd, &a->items[i], now, prefs, stats, cause);
			json_array_append_new(planned, json_string(a->items[i].uid));
		}
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
	struct prefs prefs = { NULL, NULL, 0, 0 };
	struct agenda_filter f;
	struct agenda *a;
	json_t *planned;
	time_t window_end;
	char *list;
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
	planned = json_array();
	rc = prefs_load(ikd, &prefs, a, cause);
	for (i = 0; i < a->n && rc != -1; i++) {
		rc = plan_item(ikd, &a->items[i], now, &prefs, stats, cause);
		json_array_append_new(planned, json_string(a->items[i].uid));
	}
	if (rc != -1)
		rc = plan_strays(ikd, &f, window_end, now, planned, &prefs, stats, cause);
	prefs_free(&prefs);
	agenda_free(a);
	if (rc != -1)
		rc = reminder_catch_up(ikd, now, stats, cause);
	/* The rows of items this plan did not plan, within the window: rows
	 * beyond it were planned earlier and stay until it reaches them. */
	if (rc != -1) {
		list = planned_json(planned);
		rc = store_exec(ikd->store, cause, "UPDATE reminder INDEXED BY reminder_queued_at SET state = "
		    "'skipped', last_error = 'the date was removed', updated_at = ? WHERE state = 'queued' "
		    "AND kind IN ('remind', 'moved') AND item_at <= ? AND item_uid NOT IN "
		    "(SELECT value FROM json_each(?))", "iit", (sqlite3_int64)now,
		    (sqlite3_int64)window_end, list);
		free(list);
		if (rc > 0)
			stats->skipped_other += rc;
	}
	json_decref(planned);
	if (rc == -1 || store_commit(ikd->store, cause) == -1) {
		store_rollback(ikd->store);
		return -1;
	}
	return 0;
}
