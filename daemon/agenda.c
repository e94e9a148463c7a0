/*
 * agenda: the uniform list of dated items (see agenda.h).  This file owns
 * the collector table and the sessions and deadlines; other modules
 * contribute their own collectors.
 */
#include "agenda.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "civil.h"
#include "domain.h"
#include "entity.h"
#include "german.h"
#include "revision.h"
#include "rule.h"
#include "timefmt.h"
#include "xmalloc.h"

#define MAX_NAMED_ACTORS	12	/* "Betrifft:" lists at most this many names */
/* A collection over at most this many days (the reminders' window, an
 * "ikond-ctl agenda") reads only the names its items show; a longer one
 * (a feed) reads every actor's, which is one pass over the table. */
#define FEW_DAYS		92
/* Descriptions are kept in blocks of this size (a mapping of their own,
 * given back when their last description goes: see feed.c). */
#define TEXT_BLOCK		(1024 * 1024)

static int collect_sessions(struct ikond *, const struct agenda_filter *, struct agenda *,
    char **);
static int collect_deadlines(struct ikond *, const struct agenda_filter *, struct agenda *,
    char **);

static const agenda_collector collectors[] = {
	collect_sessions,
	collect_deadlines,
	agenda_collect_process,
	agenda_collect_events,
	NULL,
};

static const char *const kind_names[] = {
	"session", "deadline", "window", "measure", "evaluation", "step", "event",
};

void
agenda_filter_all(struct agenda_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->from_days = civil_days_from_date(1970, 1, 1);
	f->to_days = civil_days_from_date(2999, 12, 31);
}

struct agenda_item *
agenda_add(struct agenda *a)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->items = xreallocarray(a->items, a->cap, sizeof(*a->items));
	}
	memset(&a->items[a->n], 0, sizeof(a->items[0]));
	return &a->items[a->n++];
}

void
agenda_add_actor(struct agenda_item *it, sqlite3_int64 actor_id)
{
	size_t i;

	for (i = 0; i < it->nactors; i++)
		if (it->actors[i] == actor_id)
			return;
	it->actors = xreallocarray(it->actors, it->nactors + 1, sizeof(*it->actors));
	it->actors[it->nactors++] = actor_id;
}

void
agenda_add_committee(struct agenda_item *it, sqlite3_int64 committee_id)
{
	it->committees = xreallocarray(it->committees, it->ncommittees + 1,
	    sizeof(*it->committees));
	it->committees[it->ncommittees++] = committee_id;
}

static bool
concerns_committee(const struct agenda_item *it, sqlite3_int64 committee_id)
{
	size_t i;

	if (it->committee_id == committee_id)
		return true;
	for (i = 0; i < it->ncommittees; i++)
		if (it->committees[i] == committee_id)
			return true;
	return false;
}

bool
agenda_item_matches(const struct agenda_item *it, const struct agenda_filter *f)
{
	size_t i;

	if (f->committee_id != 0 && !concerns_committee(it, f->committee_id))
		return false;
	if (f->process_id != 0 && it->process_id != f->process_id)
		return false;
	if (f->actor_id == 0)
		return true;
	for (i = 0; i < it->nactors; i++)
		if (it->actors[i] == f->actor_id)
			return true;
	return false;
}

static void
item_clear(struct agenda *a, struct agenda_item *it)
{
	agenda_item_slim(a, it);
	free(it->uid);
	free(it->title);
	free(it->location);
	free(it->url);
}

/* A copy of len bytes of s (and a NUL) in a's blocks. */
static char *
text_keep(struct agenda *a, const char *s, size_t len)
{
	struct agenda_text_block *b = a->ntexts > 0 ? &a->texts[a->ntexts - 1] : NULL;
	char *out;

	if (b == NULL || b->data == NULL || b->cap - b->used < len + 1) {
		while (a->ntexts > 0 && a->texts[a->ntexts - 1].data == NULL)
			a->ntexts--;
		a->texts = xreallocarray(a->texts, a->ntexts + 1, sizeof(*a->texts));
		b = &a->texts[a->ntexts++];
		b->cap = len + 1 > TEXT_BLOCK ? len + 1 : TEXT_BLOCK;
		b->data = xmalloc(b->cap);
		b->used = b->live = 0;
	}
	out = b->data + b->used;
	if (len > 0)
		memcpy(out, s, len);
	out[len] = '\0';
	b->used += len + 1;
	b->live++;
	return out;
}

char *
agenda_description(struct agenda *a, struct buf *d)
{
	char *out = text_keep(a, d->data, d->len);

	buf_free(d);
	return out;
}

/* Moves an allocated string of an item into a's blocks. */
static void
text_move(struct agenda *a, char **s)
{
	char *kept;

	if (*s == NULL)
		return;
	kept = text_keep(a, *s, strlen(*s));
	free(*s);
	*s = kept;
}

/* Lets a string of an item go: its block goes back with the last one in
 * it.  One not in a block (an item made by hand) is freed. */
static void
text_free(struct agenda *a, char *text)
{
	struct agenda_text_block *b;
	size_t i;

	if (text == NULL)
		return;
	for (i = a->ntexts; i-- > 0;) {
		b = &a->texts[i];
		if (b->data != NULL && text >= b->data && text < b->data + b->used) {
			if (--b->live == 0) {
				free(b->data);
				b->data = NULL;
			}
			return;
		}
	}
	free(text);
}

void
agenda_item_slim(struct agenda *a, struct agenda_item *it)
{
	text_free(a, it->description);
	text_free(a, it->name);
	text_free(a, it->why);
	text_free(a, it->subkind);
	text_free(a, it->reminder_kind);
	free(it->actors);
	free(it->committees);
	it->description = it->name = it->why = it->subkind = it->reminder_kind = NULL;
	it->actors = it->committees = NULL;
	it->nactors = it->ncommittees = 0;
	it->undescribed = true;
}

void
agenda_free(struct agenda *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++)
		item_clear(a, &a->items[i]);
	free(a->items);
	for (i = 0; i < a->ntexts; i++)
		free(a->texts[i].data);
	free(a->texts);
	free(a->members);
	free(a->loaded);
	free(a->error);
	for (i = 0; i < a->nactors; i++)
		free(a->actor_names[i]);
	free(a->actor_names);
	free(a->actor_ids);
	free(a);
}

void
agenda_keep_if_matches(struct agenda *a, const struct agenda_filter *f)
{
	struct agenda_item *it = a->n > 0 ? &a->items[a->n - 1] : NULL;

	if (it == NULL)
		return;
	if (!agenda_item_matches(it, f)) {
		item_clear(a, it);
		a->n--;
		return;
	}
	/* What agenda_item_slim() lets go goes into the blocks. */
	text_move(a, &it->name);
	text_move(a, &it->why);
	text_move(a, &it->subkind);
	text_move(a, &it->reminder_kind);
}

static time_t
item_sort_key(const struct agenda_item *it)
{
	return it->all_day ? (time_t)it->start_days * 86400 : it->start;
}

static int
compare_items(const void *pa, const void *pb)
{
	const struct agenda_item *a = pa, *b = pb;
	time_t ka = item_sort_key(a), kb = item_sort_key(b);

	if (ka != kb)
		return ka < kb ? -1 : 1;
	return strcmp(a->uid, b->uid);
}

static int
id_cmp(const void *pa, const void *pb)
{
	sqlite3_int64 x = *(const sqlite3_int64 *)pa, y = *(const sqlite3_int64 *)pb;

	return (x > y) - (x < y);
}

/*
 * Every membership, sorted by committee, then actor.  They are read in
 * the order of the primary key (actor, committee), whose index holds both
 * columns, and put in committee order here, keeping the actor order
 * within each committee.  Read by committee, SQLite looked up each row in
 * the table besides (at full scale 0.15 s for the 110,000 memberships,
 * against 20 ms), and qsort() cost more than the reading.  A window of
 * the reminders names most committees: reading only theirs, through that
 * index, cost its collection three times as many instructions.
 */
static int
members_load(struct ikond *ikd, struct agenda *a, char **cause)
{
	struct agenda_membership *rows = NULL;
	sqlite3_int64 *committees = NULL, *hit;
	size_t n = 0, cap = 0, ncommittees = 0, *next, i, c;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_query(ikd->store, cause, "SELECT committee_id, actor_id "
	    "FROM membership ORDER BY actor_id, committee_id", "")) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			rows = xreallocarray(rows, cap, sizeof(*rows));
		}
		rows[n].committee_id = sqlite3_column_int64(st, 0);
		rows[n++].actor_id = sqlite3_column_int64(st, 1);
	}
	store_done(ikd->store, st);
	if (rc == -1) {
		free(rows);
		return -1;
	}
	/* The committees, sorted: a body has a few hundred. */
	for (i = 0; i < n; i++) {
		if (ncommittees > 0 && bsearch(&rows[i].committee_id, committees, ncommittees,
		    sizeof(*committees), id_cmp) != NULL)
			continue;
		committees = xreallocarray(committees, ncommittees + 1, sizeof(*committees));
		committees[ncommittees++] = rows[i].committee_id;
		qsort(committees, ncommittees, sizeof(*committees), id_cmp);
	}
	/* Where each committee's memberships begin, then each in its place. */
	next = xcalloc(ncommittees + 1, sizeof(*next));
	for (i = 0; i < n; i++) {
		hit = bsearch(&rows[i].committee_id, committees, ncommittees,
		    sizeof(*committees), id_cmp);
		next[hit - committees + 1]++;
	}
	for (c = 1; c <= ncommittees; c++)
		next[c] += next[c - 1];
	a->members = xreallocarray(NULL, n ? n : 1, sizeof(*a->members));
	for (i = 0; i < n; i++) {
		hit = bsearch(&rows[i].committee_id, committees, ncommittees,
		    sizeof(*committees), id_cmp);
		a->members[next[hit - committees]++] = rows[i];
	}
	a->nmembers = n;
	free(next);
	free(committees);
	free(rows);
	return 0;
}

/* The position of the first membership of committee_id in a->members. */
static size_t
members_first(const struct agenda *a, sqlite3_int64 committee_id)
{
	size_t lo = 0, hi = a->nmembers, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (a->members[mid].committee_id < committee_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A narrowed collection reads the members of a committee when an item
 * first names it: an actor's feed needs the few committees it touches,
 * not every membership of the body. */
static int
members_load_committee(struct agenda *a, sqlite3_int64 committee_id, char **cause)
{
	struct agenda_membership *rows = NULL;
	sqlite3_int64 *ids = NULL;
	size_t n = 0, at, i;

	for (i = 0; i < a->nloaded; i++)
		if (a->loaded[i] == committee_id)
			return 0;
	if (store_get_ints(a->ikd->store, cause, &ids, &n, "SELECT actor_id FROM membership "
	    "WHERE committee_id = ? ORDER BY actor_id", "i", committee_id) == -1)
		return -1;
	a->loaded = xreallocarray(a->loaded, a->nloaded + 1, sizeof(*a->loaded));
	a->loaded[a->nloaded++] = committee_id;
	if (n > 0) {
		rows = xreallocarray(NULL, n, sizeof(*rows));
		for (i = 0; i < n; i++) {
			rows[i].committee_id = committee_id;
			rows[i].actor_id = ids[i];
		}
		at = members_first(a, committee_id);
		a->members = xreallocarray(a->members, a->nmembers + n, sizeof(*a->members));
		memmove(a->members + at + n, a->members + at,
		    (a->nmembers - at) * sizeof(*a->members));
		memcpy(a->members + at, rows, n * sizeof(*rows));
		a->nmembers += n;
	}
	free(rows);
	free(ids);
	return 0;
}

/* The position of id in a->actor_ids, or where it would go. */
static size_t
actor_slot(const struct agenda *a, sqlite3_int64 id)
{
	size_t lo = 0, hi = a->nactors, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (a->actor_ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The ids as a JSON array, for json_each(). */
static char *
ids_json(const sqlite3_int64 *ids, size_t n)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_add_char(&b, '[');
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%lld", i ? "," : "", (long long)ids[i]);
	buf_add_char(&b, ']');
	return buf_steal(&b, NULL);
}

/* Reads the names of ids (sorted, distinct, none read before) in one
 * statement and merges them into the sorted names; an id without an
 * actor gets NULL (gone: named by no one). */
static int
actor_names_add(struct ikond *ikd, struct agenda *a, const sqlite3_int64 *ids, size_t n,
    char **cause)
{
	char **names = xcalloc(n, sizeof(*names)), *list = ids_json(ids, n);
	sqlite3_int64 *all_ids, id, *hit;
	char **all_names;
	sqlite3_stmt *st;
	size_t i, j, k;
	int rc;

	st = store_query(ikd->store, cause, "SELECT a.id, a.name FROM json_each(?) j "
	    "JOIN actor a ON a.id = j.value", "t", list);
	free(list);
	if (st == NULL) {
		free(names);
		return -1;
	}
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		id = sqlite3_column_int64(st, 0);
		if ((hit = bsearch(&id, ids, n, sizeof(*ids), id_cmp)) != NULL &&
		    names[hit - ids] == NULL)
			names[hit - ids] = store_column_dup(st, 1);
	}
	store_done(ikd->store, st);
	if (rc == -1) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return -1;
	}
	all_ids = xreallocarray(NULL, a->nactors + n, sizeof(*all_ids));
	all_names = xreallocarray(NULL, a->nactors + n, sizeof(*all_names));
	for (i = j = k = 0; i < a->nactors || j < n; k++) {
		if (j == n || (i < a->nactors && a->actor_ids[i] < ids[j])) {
			all_ids[k] = a->actor_ids[i];
			all_names[k] = a->actor_names[i++];
		} else {
			all_ids[k] = ids[j];
			all_names[k] = names[j++];
		}
	}
	free(a->actor_ids);
	free(a->actor_names);
	free(names);
	a->actor_ids = all_ids;
	a->actor_names = all_names;
	a->nactors = k;
	return 0;
}

/*
 * A narrowed or short collection reads only the names its items'
 * "Betrifft:" lines show (agenda_feed_description()): of each item's
 * actors, those up to the MAX_NAMED_ACTORS-th that has a name.  An actor
 * without one (gone) lets the next in, so a round reads what the last one
 * showed is still missing, until nothing is.
 */
static int
actor_names_load_items(struct ikond *ikd, struct agenda *a, char **cause)
{
	const struct agenda_item *it;
	sqlite3_int64 *want = NULL, id;
	size_t nwant, cap = 0, i, k, at, shown, u;
	int rc = 0;

	do {
		nwant = 0;
		for (i = 0; i < a->n; i++) {
			it = &a->items[i];
			for (k = shown = 0; k < it->nactors && shown < MAX_NAMED_ACTORS; k++) {
				id = it->actors[k];
				at = actor_slot(a, id);
				if (at < a->nactors && a->actor_ids[at] == id) {
					if (a->actor_names[at] != NULL)
						shown++;
					continue;
				}
				if (nwant == cap) {
					cap = cap ? cap * 2 : 256;
					want = xreallocarray(want, cap, sizeof(*want));
				}
				want[nwant++] = id;
				shown++;	/* until read: most actors have a name */
			}
		}
		if (nwant == 0)
			break;
		qsort(want, nwant, sizeof(*want), id_cmp);
		for (i = u = 0; i < nwant; i++)
			if (u == 0 || want[u - 1] != want[i])
				want[u++] = want[i];
		rc = actor_names_add(ikd, a, want, u, cause);
	} while (rc != -1);
	free(want);
	return rc;
}

static int
actor_names_load(struct ikond *ikd, struct agenda *a, char **cause)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if ((st = store_query(ikd->store, cause, "SELECT id, name FROM actor ORDER BY id", ""))
	    == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		if (a->nactors == cap) {
			cap = cap ? cap * 2 : 32;
			a->actor_ids = xreallocarray(a->actor_ids, cap, sizeof(*a->actor_ids));
			a->actor_names = xreallocarray(a->actor_names, cap,
			    sizeof(*a->actor_names));
		}
		a->actor_ids[a->nactors] = sqlite3_column_int64(st, 0);
		a->actor_names[a->nactors++] = store_column_dup(st, 1);
	}
	store_done(ikd->store, st);
	return rc;
}

const char *
agenda_actor_name(const struct agenda *a, sqlite3_int64 id)
{
	size_t at = actor_slot(a, id);

	return at < a->nactors && a->actor_ids[at] == id ? a->actor_names[at] : NULL;
}

char *
agenda_feed_description(const struct agenda *a, const struct agenda_item *it)
{
	struct buf d;
	const char *name;
	size_t i, shown = 0;

	buf_init(&d);
	buf_add_str(&d, it->description ? it->description : "");
	for (i = 0; i < it->nactors && shown < MAX_NAMED_ACTORS; i++) {
		if ((name = agenda_actor_name(a, it->actors[i])) == NULL)
			continue;
		buf_add_str(&d, shown == 0 ? (d.len > 0 && d.data[d.len - 1] != '\n' ?
		    "\nBetrifft: " : "Betrifft: ") : ", ");
		buf_add_str(&d, name);
		shown++;
	}
	if (it->nactors > shown && shown > 0)
		buf_printf(&d, " und %zu weitere", it->nactors - shown);
	return buf_steal(&d, NULL);
}

struct agenda *
agenda_collect(struct ikond *ikd, const struct agenda_filter *f, char **cause)
{
	struct agenda *a = xcalloc(1, sizeof(*a));
	size_t i;
	bool few;

	a->ikd = ikd;
	a->narrowed = f->actor_id != 0 || f->committee_id != 0 || f->process_id != 0;
	few = a->narrowed || f->to_days - f->from_days <= FEW_DAYS;
	if ((!a->narrowed && members_load(ikd, a, cause) == -1) ||
	    (!few && actor_names_load(ikd, a, cause) == -1)) {
		agenda_free(a);
		return NULL;
	}
	for (i = 0; collectors[i] != NULL; i++) {
		if (collectors[i](ikd, f, a, cause) == -1 || a->error != NULL) {
			if (a->error != NULL) {
				free(*cause);
				*cause = a->error;
				a->error = NULL;
			}
			agenda_free(a);
			return NULL;
		}
	}
	if ((few && actor_names_load_items(ikd, a, cause) == -1) ||
	    revision_apply(ikd, a, 0, time(NULL), cause) == -1) {
		agenda_free(a);
		return NULL;
	}
	if (a->n > 1)
		qsort(a->items, a->n, sizeof(a->items[0]), compare_items);
	return a;
}

void
agenda_add_members(struct agenda *a, struct agenda_item *it, sqlite3_int64 committee_id)
{
	size_t lo, end, n0 = it->nactors, i;

	if (a->narrowed && a->error == NULL &&
	    members_load_committee(a, committee_id, &a->error) == -1)
		return;
	/* The first membership of the committee, then all of them in actor order. */
	lo = members_first(a, committee_id);
	for (end = lo; end < a->nmembers && a->members[end].committee_id == committee_id; end++)
		continue;
	if (end == lo)
		return;
	/* The members are distinct: each is compared with the actors the
	 * item had before, not with the members added (quadratic in a large
	 * committee). */
	it->actors = xreallocarray(it->actors, n0 + (end - lo), sizeof(*it->actors));
	for (; lo < end; lo++) {
		for (i = 0; i < n0 && it->actors[i] != a->members[lo].actor_id; i++)
			continue;
		if (i == n0)
			it->actors[it->nactors++] = a->members[lo].actor_id;
	}
}

/* The German date ("Montag, 5. Januar 2026") and "HH:MM" of t in zone tz. */
static void
local_date_time(const char *tz, time_t t, char *date, size_t len, char hhmm[static 6])
{
	int days = 0, minute = 0;

	civil_from_utc(tz, t, &days, &minute, NULL);
	german_date_long(days, date, len);
	snprintf(hhmm, 6, "%02u:%02u", (unsigned)minute / 60u % 24u, (unsigned)minute % 60u);
}

static void
instant_range(struct ikond *ikd, const struct agenda_filter *f, time_t *from, time_t *to)
{
	const char *tz = ikd->cfg->body_timezone;

	if (civil_to_utc(tz, f->from_days, 0, from, NULL, NULL) == -1)
		*from = 0;
	if (civil_to_utc(tz, f->to_days + 1, 0, to, NULL, NULL) == -1)
		*to = (time_t)1 << 40;
}

#define SESSIONS "SELECT s.id, s.uid, s.title, s.location, " \
	"s.start_utc, s.end_utc, s.sequence, s.updated_at, s.state, c.id, c.name, c.kind, " \
	"c.internal, (SELECT group_concat(b.ref || ' ' || b.title, '; ') FROM beratung r " \
	" JOIN submission b ON b.id = r.submission_id WHERE r.session_id = s.id " \
	" AND b.state <> 'withdrawn'), s.url, s.description " \
	"FROM session s JOIN committee c ON c.id = s.committee_id "

/* Adds the sessions of a statement over SESSIONS that f lets through. */
static int
sessions_add(struct ikond *ikd, const struct agenda_filter *f, struct agenda *a,
    sqlite3_stmt *st, char **cause)
{
	const char *tz = ikd->cfg->body_timezone;
	struct agenda_item *it;
	struct buf d;
	char when[6], date[40];
	const char *kind, *state;
	int rc;

	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		it = agenda_add(a);
		it->kind = AGENDA_SESSION;
		it->reminder_kind = xstrdup("session");
		it->id = sqlite3_column_int64(st, 0);
		it->session_id = it->id;
		it->uid = store_column_dup(st, 1);
		it->location = store_column_dup(st, 3);
		it->start = (time_t)sqlite3_column_int64(st, 4);
		it->end = (time_t)sqlite3_column_int64(st, 5);
		it->sequence = sqlite3_column_int(st, 6);
		it->updated = (time_t)sqlite3_column_int64(st, 7);
		state = (const char *)sqlite3_column_text(st, 8);
		it->cancelled = strcmp(state, "cancelled") == 0;
		it->committee_id = sqlite3_column_int64(st, 9);
		kind = vocab_label(committee_kinds, (const char *)sqlite3_column_text(st, 11));
		it->name = store_column_dup(st, 2);
		if (it->cancelled)
			xasprintf(&it->title, "Abgesagt: %s", it->name);
		else
			it->title = xstrdup(it->name);
		local_date_time(tz, it->start, date, sizeof(date), when);
		buf_init(&d);
		buf_printf(&d, "Sitzung: %s (%s, %s)\n", sqlite3_column_text(st, 10),
		    kind ? kind : "Gremium", sqlite3_column_int(st, 12) ? "nicht öffentlich" :
		    "öffentlich");
		buf_printf(&d, "Beginn: %s, %s Uhr\n", date, when);
		if (it->location[0] != '\0')
			buf_printf(&d, "Ort: %s\n", it->location);
		buf_printf(&d, "Status: %s\n", vocab_label(session_states, state));
		if (sqlite3_column_type(st, 13) != SQLITE_NULL)
			buf_printf(&d, "Vorlagen: %s\n", sqlite3_column_text(st, 13));
		/* Calendars tend to hide URL, so the link goes into the text too. */
		if (sqlite3_column_bytes(st, 14) > 0) {
			it->url = store_column_dup(st, 14);
			buf_printf(&d, "Im Ratsinformationssystem: %s\n", it->url);
		}
		if (sqlite3_column_bytes(st, 15) > 0)
			buf_printf(&d, "\n%s\n", sqlite3_column_text(st, 15));
		it->description = agenda_description(a, &d);
		agenda_add_members(a, it, it->committee_id);
		agenda_keep_if_matches(a, f);
	}
	store_done(ikd->store, st);
	return rc;
}

static int
collect_sessions(struct ikond *ikd, const struct agenda_filter *f, struct agenda *a,
    char **cause)
{
	sqlite3_stmt *st;
	time_t from, to;

	instant_range(ikd, f, &from, &to);
	st = store_query(ikd->store, cause, f->actor_id == 0 ? SESSIONS
	    "WHERE s.end_utc > ?1 AND s.start_utc < ?2 AND (?3 = 0 OR c.id = ?3) AND ?4 = 0 "
	    "ORDER BY s.start_utc, s.id" : SESSIONS
	    /* An actor's view starts from the actor's committees, so its cost
	     * follows the actor's share of the data, not the whole database
	     * (a condition "?4 = 0 OR ..." would have every session read). */
	    "WHERE s.committee_id IN (SELECT committee_id FROM membership "
	    "WHERE actor_id = ?4) AND s.end_utc > ?1 AND s.start_utc < ?2 "
	    "AND (?3 = 0 OR c.id = ?3) ORDER BY s.start_utc, s.id", "iiii",
	    (sqlite3_int64)from, (sqlite3_int64)to, f->committee_id, f->actor_id);
	if (st == NULL)
		return -1;
	return sessions_add(ikd, f, a, st, cause);
}

/* The deadline's rule in one German sentence, from its derivation. */
static char *
deadline_why(const char *rule_text, const char *derivation, int session_day, int due_day)
{
	const char *raw_text, *reason;
	json_t *der;
	struct rule r;
	char *why;
	int raw = due_day;

	if (rule_text == NULL || rule_parse(rule_text, &r, NULL) == -1)
		return NULL;
	der = json_loads(derivation != NULL ? derivation : "", 0, NULL);
	raw_text = json_string_value(json_object_get(der, "raw_date"));
	if (raw_text == NULL || civil_parse_date(raw_text, &raw, NULL) == -1)
		raw = due_day;
	reason = json_string_value(json_object_get(json_array_get(json_object_get(der,
	    "skipped"), 0), "reason"));
	why = german_rule_why(&r, "der Sitzung", session_day, raw, due_day, reason);
	json_decref(der);
	return why;
}

/* The last sentence deadline_why() gave: the deadlines of one session's
 * submissions come one after another and share rule and derivation. */
struct why_memo {
	char	*rule, *derivation, *why;
	int	 session_day, due_day;
};

static char *
deadline_why_memo(struct why_memo *m, const char *rule_text, const char *derivation,
    int session_day, int due_day)
{
	if (rule_text == NULL || derivation == NULL)
		return deadline_why(rule_text, derivation, session_day, due_day);
	if (m->rule == NULL || m->session_day != session_day || m->due_day != due_day ||
	    strcmp(m->rule, rule_text) != 0 || strcmp(m->derivation, derivation) != 0) {
		free(m->rule);
		free(m->derivation);
		free(m->why);
		m->rule = xstrdup(rule_text);
		m->derivation = xstrdup(derivation);
		m->session_day = session_day;
		m->due_day = due_day;
		m->why = deadline_why(rule_text, derivation, session_day, due_day);
	}
	return m->why != NULL ? xstrdup(m->why) : NULL;
}

#define DEADLINES "SELECT d.id, d.kind, d.due_date, d.due_minute, " \
	"t.explanation, d.sequence, d.updated_at, s.id, s.title, s.start_utc, s.state, " \
	"c.id, c.name, b.id, b.ref, b.title, b.state, a.id, a.name, r.role, d.rule, " \
	"t.derivation " \
	"FROM deadline d JOIN deadline_text t ON t.id = d.text_id " \
	"JOIN session s ON s.id = d.session_id " \
	"JOIN committee c ON c.id = s.committee_id " \
	"LEFT JOIN submission b ON b.id = d.submission_id " \
	"LEFT JOIN beratung r ON r.submission_id = d.submission_id AND " \
	"r.session_id = d.session_id " \
	"LEFT JOIN actor a ON a.id = b.owner_id "

/* Adds the deadlines of a statement over DEADLINES that f lets through. */
static int
deadlines_add(struct ikond *ikd, const struct agenda_filter *f, struct agenda *a,
    sqlite3_stmt *st, char **cause)
{
	struct why_memo memo = { NULL, NULL, NULL, 0, 0 };
	const char *tz = ikd->cfg->body_timezone;
	struct agenda_item *it;
	char date[40], when[6], *owner;
	const char *kind, *kind_de;
	struct buf d;
	int days, rc;

	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		it = agenda_add(a);
		it->kind = AGENDA_DEADLINE;
		it->reminder_kind = xstrdup("deadline");
		it->id = sqlite3_column_int64(st, 0);
		xasprintf(&it->uid, "deadline-%lld@%s.ikond", (long long)it->id,
		    entity_installation());
		kind = (const char *)sqlite3_column_text(st, 1);
		kind_de = vocab_label(deadline_kinds, kind);
		civil_parse_date((const char *)sqlite3_column_text(st, 2), &days, NULL);
		if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
			it->all_day = true;
			it->start_days = days;
			it->end_days = days + 1;
		} else {
			civil_to_utc(tz, days, sqlite3_column_int(st, 3), &it->start, NULL, NULL);
			it->end = it->start;
		}
		it->sequence = sqlite3_column_int(st, 5);
		it->updated = (time_t)sqlite3_column_int64(st, 6);
		it->committee_id = sqlite3_column_int64(st, 11);
		it->session_id = sqlite3_column_int64(st, 7);
		it->submission_id = sqlite3_column_int64(st, 13);
		it->cancelled = strcmp((const char *)sqlite3_column_text(st, 10), "cancelled") == 0 ||
		    (sqlite3_column_type(st, 16) != SQLITE_NULL &&
		    strcmp((const char *)sqlite3_column_text(st, 16), "withdrawn") == 0);
		local_date_time(tz, (time_t)sqlite3_column_int64(st, 9), date, sizeof(date), when);
		owner = NULL;
		it->subkind = xstrdup(kind);
		it->why = deadline_why_memo(&memo, (const char *)sqlite3_column_text(st, 20),
		    (const char *)sqlite3_column_text(st, 21),
		    timefmt_local_day(tz, (time_t)sqlite3_column_int64(st, 9)), days);
		if (sqlite3_column_type(st, 13) != SQLITE_NULL) {
			/* One Vorlage has a Vorlagenfrist per committee it goes to. */
			xasprintf(&it->name, "%s: %s (%s)", kind_de, sqlite3_column_text(st, 15),
			    sqlite3_column_text(st, 12));
			if (sqlite3_column_type(st, 17) != SQLITE_NULL)
				agenda_add_actor(it, sqlite3_column_int64(st, 17));
			owner = sqlite3_column_type(st, 17) != SQLITE_NULL ?
			    store_column_dup(st, 18) : xstrdup("noch niemand");
		} else {
			xasprintf(&it->name, "%s: %s", kind_de, sqlite3_column_text(st, 12));
			/* Motions concern every member; the other session deadlines
			 * are the Sitzungsdienst's routine and only published. */
			if (strcmp(kind, "antragsfrist") == 0)
				agenda_add_members(a, it, it->committee_id);
		}
		xasprintf(&it->title, "%s%s", it->cancelled ? "Entfällt: " : "", it->name);
		buf_init(&d);
		buf_printf(&d, "Fällig: %s\n", kind_de);
		if (owner != NULL)
			buf_printf(&d, "Verantwortlich: %s\nVorlage: %s %s\nBeratung: %s\n", owner,
			    sqlite3_column_text(st, 14), sqlite3_column_text(st, 15),
			    sqlite3_column_type(st, 19) == SQLITE_NULL ? "–" :
			    vocab_label(beratung_roles, (const char *)sqlite3_column_text(st, 19)));
		buf_printf(&d, "Für die Sitzung: %s am %s, %s Uhr (%s)\n\nSo wurde die Frist "
		    "berechnet:\n", sqlite3_column_text(st, 8), date, when,
		    sqlite3_column_text(st, 12));
		/* Long: printf's %s costs several times a copy. */
		buf_add_str(&d, (const char *)sqlite3_column_text(st, 4));
		it->description = agenda_description(a, &d);
		free(owner);
		agenda_keep_if_matches(a, f);
	}
	store_done(ikd->store, st);
	free(memo.rule);
	free(memo.derivation);
	free(memo.why);
	return rc;
}

static int
collect_deadlines(struct ikond *ikd, const struct agenda_filter *f, struct agenda *a,
    char **cause)
{
	sqlite3_stmt *st;
	char from[11], to[11];

	civil_format_date(f->from_days, from);
	civil_format_date(f->to_days, to);
	st = store_query(ikd->store, cause, f->actor_id == 0 ? DEADLINES
	    "WHERE d.due_date >= ?1 AND d.due_date <= ?2 AND (?3 = 0 OR c.id = ?3) AND ?4 = 0 "
	    "ORDER BY d.due_date, d.id" : DEADLINES
	    /* An actor's: those of the Vorlagen it owns and the Antragsfristen
	     * of its committees, each found through an index (as one
	     * condition with OR, every deadline was read: seconds at a
	     * million). */
	    "WHERE d.id IN (SELECT o.id FROM submission ob JOIN deadline o "
	    "ON o.submission_id = ob.id WHERE ob.owner_id = ?4 "
	    "UNION ALL SELECT o.id FROM membership m JOIN session os "
	    "ON os.committee_id = m.committee_id JOIN deadline o ON o.session_id = os.id "
	    "WHERE m.actor_id = ?4 AND o.submission_id IS NULL AND o.kind = 'antragsfrist') "
	    "AND d.due_date >= ?1 AND d.due_date <= ?2 AND (?3 = 0 OR c.id = ?3) "
	    "ORDER BY d.due_date, d.id", "ttii", from, to, f->committee_id, f->actor_id);
	if (st == NULL)
		return -1;
	return deadlines_add(ikd, f, a, st, cause);
}

/*
 * What a changed row can touch (agenda.h), from the tables that SESSIONS,
 * DEADLINES and the memberships and names of a collection read: a table
 * they start to read goes here.  The collectors of processes and events
 * run again in full whenever a collection follows changes.
 */
enum agenda_touch
agenda_row_touches(const char *table, int op)
{
	static const char *const any[] = { "committee", "actor", "membership", "beratung" };
	size_t i;

	if (strcmp(table, "session") == 0)
		return AGENDA_TOUCHES_SESSION;
	if (strcmp(table, "deadline") == 0)
		return AGENDA_TOUCHES_DEADLINE;
	if (strcmp(table, "submission") == 0)
		return AGENDA_TOUCHES_SUBMISSION;
	/* A text is added before its first deadline and deleted after its
	 * last one, never changed (store_schema.c): its rows' changes name it. */
	if (strcmp(table, "deadline_text") == 0)
		return op == SQLITE_UPDATE ? AGENDA_TOUCHES_ALL : AGENDA_TOUCHES_NONE;
	for (i = 0; i < sizeof(any) / sizeof(any[0]); i++)
		if (strcmp(table, any[i]) == 0)
			return AGENDA_TOUCHES_ALL;
	return AGENDA_TOUCHES_NONE;
}

static bool
has_id(const sqlite3_int64 *ids, size_t n, sqlite3_int64 id)
{
	return n > 0 && bsearch(&id, ids, n, sizeof(*ids), id_cmp) != NULL;
}

/* Sorts ids and drops repeated ones. */
static void
ids_settle(sqlite3_int64 *ids, size_t *n)
{
	size_t i, u;

	if (*n == 0)
		return;
	qsort(ids, *n, sizeof(*ids), id_cmp);
	for (i = u = 1; i < *n; i++)
		if (ids[i] != ids[u - 1])
			ids[u++] = ids[i];
	*n = u;
}

static sqlite3_int64 *
ids_join(const sqlite3_int64 *a, size_t na, const sqlite3_int64 *b, size_t nb, size_t *n)
{
	sqlite3_int64 *ids = xreallocarray(NULL, na + nb + 1, sizeof(*ids));

	if (na > 0)
		memcpy(ids, a, na * sizeof(*ids));
	if (nb > 0)
		memcpy(ids + na, b, nb * sizeof(*ids));
	*n = na + nb;
	ids_settle(ids, n);
	return ids;
}

/* The sessions and deadlines of the given ids, as f lets them through. */
static int
collect_keyed(struct ikond *ikd, const struct agenda_filter *f, struct agenda *a,
    const sqlite3_int64 *sessions, size_t ns, const sqlite3_int64 *deadlines, size_t nd,
    char **cause)
{
	sqlite3_stmt *st;
	time_t from, to;
	char fromd[11], tod[11], *list;

	instant_range(ikd, f, &from, &to);
	civil_format_date(f->from_days, fromd);
	civil_format_date(f->to_days, tod);
	if (ns > 0) {
		/* "+": the ids choose the rows, not the index of the dates. */
		list = ids_json(sessions, ns);
		st = store_query(ikd->store, cause, SESSIONS "WHERE s.id IN (SELECT value "
		    "FROM json_each(?3)) AND +s.end_utc > ?1 AND +s.start_utc < ?2 "
		    "ORDER BY s.start_utc, s.id", "iit", (sqlite3_int64)from, (sqlite3_int64)to,
		    list);
		free(list);
		if (st == NULL || sessions_add(ikd, f, a, st, cause) == -1)
			return -1;
	}
	if (nd > 0) {
		list = ids_json(deadlines, nd);
		st = store_query(ikd->store, cause, DEADLINES "WHERE d.id IN (SELECT value "
		    "FROM json_each(?3)) AND +d.due_date >= ?1 AND +d.due_date <= ?2 "
		    "ORDER BY d.due_date, d.id", "ttt", fromd, tod, list);
		free(list);
		if (st == NULL || deadlines_add(ikd, f, a, st, cause) == -1)
			return -1;
	}
	return 0;
}

int
agenda_recollect(struct ikond *ikd, struct agenda *a, const struct agenda_keys *k,
    char **cause)
{
	struct agenda_filter f;
	sqlite3_int64 *sessions = NULL, *deadlines = NULL, *more = NULL;
	size_t ns = 0, nd = 0, nmore = 0, n0 = a->n, i, j, m, kept, old = 0;
	struct agenda_item *merged;
	const struct agenda_item *it;
	bool replaced;
	char *list;
	int rc = -1;

	agenda_filter_all(&f);
	/* The sessions whose lists show a changed Vorlage. */
	if (k->nsubmissions > 0) {
		list = ids_json(k->submissions, k->nsubmissions);
		rc = store_get_ints(ikd->store, cause, &more, &nmore, "SELECT session_id "
		    "FROM beratung WHERE submission_id IN (SELECT value FROM json_each(?))", "t",
		    list);
		free(list);
		if (rc == -1)
			return -1;
		rc = -1;
	}
	sessions = ids_join(k->sessions, k->nsessions, more, nmore, &ns);
	free(more);
	/* The deadlines of a changed session or Vorlage: the ones collected
	 * before; a new or moved one is a changed deadline row itself. */
	more = xreallocarray(NULL, n0 + 1, sizeof(*more));
	for (i = nmore = 0; i < n0; i++) {
		it = &a->items[i];
		if (it->kind == AGENDA_DEADLINE && (has_id(k->sessions, k->nsessions,
		    it->session_id) || (it->submission_id != 0 &&
		    has_id(k->submissions, k->nsubmissions, it->submission_id))))
			more[nmore++] = it->id;
	}
	deadlines = ids_join(k->deadlines, k->ndeadlines, more, nmore, &nd);
	free(more);
	if (collect_keyed(ikd, &f, a, sessions, ns, deadlines, nd, cause) == -1 ||
	    agenda_collect_process(ikd, &f, a, cause) == -1 ||
	    agenda_collect_events(ikd, &f, a, cause) == -1)
		goto out;
	if (a->error != NULL) {
		free(*cause);
		*cause = a->error;
		a->error = NULL;
		goto out;
	}
	if (revision_apply(ikd, a, n0, time(NULL), cause) == -1)
		goto out;
	/* In place of what they replace: every item of a process or event. */
	for (i = kept = 0; i < a->n; i++) {
		it = &a->items[i];
		replaced = i < n0 && (it->kind == AGENDA_SESSION ? has_id(sessions, ns, it->id) :
		    it->kind == AGENDA_DEADLINE ? has_id(deadlines, nd, it->id) : true);
		if (i == n0)
			old = kept;
		if (replaced)
			item_clear(a, &a->items[i]);
		else if (kept++ != i)
			a->items[kept - 1] = a->items[i];
	}
	if (n0 == a->n)
		old = kept;
	a->n = kept;
	/* The items kept are in order: the new ones are sorted and merged in. */
	if (a->n - old > 1)
		qsort(a->items + old, a->n - old, sizeof(a->items[0]), compare_items);
	merged = xreallocarray(NULL, a->cap ? a->cap : 1, sizeof(*merged));
	for (i = 0, j = old, m = 0; i < old || j < a->n; m++)
		merged[m] = j == a->n || (i < old && compare_items(&a->items[i],
		    &a->items[j]) < 0) ? a->items[i++] : a->items[j++];
	free(a->items);
	a->items = merged;
	rc = 0;
out:
	free(sessions);
	free(deadlines);
	return rc;
}

json_t *
agenda_item_json(struct ikond *ikd, const struct agenda_item *it, char **cause)
{
	const char *tz = ikd->cfg->body_timezone;
	json_t *obj, *actors = json_array();
	char date[11], *slug;
	size_t i;

	for (i = 0; i < it->nactors; i++) {
		switch (store_get_text(ikd->store, cause, &slug, "SELECT slug FROM actor "
		    "WHERE id = ?", "i", it->actors[i])) {
		case -1:
			json_decref(actors);
			return NULL;
		case 1:
			json_array_append_new(actors, json_string(slug));
			free(slug);
			break;
		}
	}
	obj = json_pack("{s:s, s:I, s:s, s:s, s:b, s:o}", "kind", kind_names[it->kind],
	    "id", (json_int_t)it->id, "uid", it->uid, "title", it->title,
	    "cancelled", it->cancelled, "actors", actors);
	if (it->all_day) {
		civil_format_date(it->start_days, date);
		json_object_set_new(obj, "date", json_string(date));
		if (it->end_days > it->start_days + 1) {
			civil_format_date(it->end_days - 1, date);
			json_object_set_new(obj, "until", json_string(date));
		}
	} else {
		json_object_set_new(obj, "start", timefmt_iso_json(tz, it->start));
		if (it->end > it->start)
			json_object_set_new(obj, "end", timefmt_iso_json(tz, it->end));
	}
	if (it->location != NULL && it->location[0] != '\0')
		json_object_set_new(obj, "location", json_string(it->location));
	json_object_set_new(obj, "description", json_string(it->description));
	return obj;
}
