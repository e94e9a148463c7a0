/*
 * feed: what goes into each iCalendar feed, and the cache of finished feeds
 * (see feed.h).  The main thread rebuilds the feeds that have a live token
 * whenever ikd->data_version moves (or the day changes, which ends the
 * life of past cancelled events) and swaps the new table in under a mutex.
 * A feed whose bytes did not change keeps its snapshot, so its gzip body
 * is not recomputed and its ETag stays.  A big feed (a body over 1 MiB)
 * is published plain first and gets its gzip copy on the next tick, so
 * that a change shows without waiting for the compression; its ETag is
 * the digest ics.c makes from the events' digests, so it is ready with
 * the text.  Everything in a feed comes from
 * the data, never from the clock, so an unchanged feed is the same bytes
 * across requests and restarts.  A rebuild takes the text of every event
 * whose UID and SEQUENCE it published before from the previous snapshot
 * (ics.h), so a change writes only the events it changed; the new text
 * shares the blocks of the old one, and the HTTP threads send its parts
 * as they are.  A first build makes each event's description only while
 * it writes the event, and lets the item's go then, so the descriptions
 * are never all held at once.
 *
 * The feed of everything also keeps the agenda it was built from (but
 * for the items its page shows, only what their events need) and follows
 * the rows that change: an update hook on the store's connection notes
 * the sessions, deadlines and Vorlagen written (agenda_row_touches()), and
 * the next build collects only their items again (agenda_recollect()).
 * Anything it cannot follow (a committee, actor, membership or Beratung
 * written, too many rows, another connection's commit, a reload, a new
 * day, a step that failed) has it collected anew, as the first build is.
 */
#include "feed.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <zlib.h>

#include "agenda.h"
#include "base64.h"
#include "buf.h"
#include "civil.h"
#include "entity.h"
#include "german.h"
#include "http.h"
#include "ics.h"
#include "log.h"
#include "process.h"
#include "timefmt.h"
#include "xmalloc.h"

#define CALENDAR_PREFIX	"Integrationskonzept – "
/* A larger body is published plain at once and gzip-encoded a tick later. */
#define GZIP_AT_ONCE_MAX	(1024 * 1024)
#define FEED_MMAP_THRESHOLD	(256 * 1024)
/* More changed rows than this between builds: collected anew. */
#define CHANGES_MAX		4096

_Static_assert(ICS_DIGEST_LEN == FEED_HASH_LEN, "a feed's ETag is its ics digest");

static const char *const kind_names[] = { "all", "actor", "committee", "process" };

static const char *const item_categories[] = {
	"Sitzung", "Frist", "Rückmeldefenster", "Maßnahme", "Evaluation", "Prozessschritt",
	"Veranstaltung",
};

struct feed_entry {
	unsigned char		 hash[FEED_HASH_LEN];
	struct feed_snapshot	*snap;
};

/* The published table: written by the main thread, read by HTTP threads. */
static struct {
	pthread_mutex_t		 lock;
	struct feed_entry	*entries;
	size_t			 n;
	bool			 started;
	uint64_t		 version;	/* data_version the table was built from */
	int			 today;
} cache = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, false, 0, 0 };

/* The rows of sessions, deadlines and Vorlagen written since the last
 * build (main thread: the store's update hook), or all: whatever changed;
 * and SQLite's count of commits by other connections then. */
enum { CHANGED_SESSION, CHANGED_DEADLINE, CHANGED_SUBMISSION, CHANGED_KINDS };
static struct {
	bool		 all;
	sqlite3_int64	 others;
	sqlite3_int64	*ids[CHANGED_KINDS];
	size_t		 n[CHANGED_KINDS];
	size_t		 cap[CHANGED_KINDS];
	size_t		 total;
} changes;

/* The agenda of the feed of everything as last built, the day and the
 * configuration it was built under. */
static struct {
	struct agenda	*agenda;
	int		 today;
	uint64_t	 config_version;
} kept;

const char *
feed_kind_name(enum feed_kind kind)
{
	return kind_names[kind];
}

bool
feed_kind_from_name(const char *name, enum feed_kind *kind)
{
	size_t i;

	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (strcmp(kind_names[i], name) == 0) {
			*kind = (enum feed_kind)i;
			return true;
		}
	}
	return false;
}

void
feed_token_new(char token[FEED_TOKEN_CHARS + 1], unsigned char hash[FEED_HASH_LEN])
{
	unsigned char r[FEED_TOKEN_BYTES];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		fatal("getrandom");
	base64url_encode(r, sizeof(r), token);
	feed_hash(token, FEED_TOKEN_CHARS, hash);
	explicit_bzero(r, sizeof(r));
}

static bool
token_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '_';
}

bool
feed_path_hash(const char *path, unsigned char hash[FEED_HASH_LEN], enum feed_format *format)
{
	const size_t plen = sizeof(FEED_PATH_PREFIX) - 1, slen = sizeof(FEED_PATH_SUFFIX) - 1;
	const size_t hlen = sizeof(FEED_PAGE_SUFFIX) - 1;
	size_t len = strnlen(path, plen + FEED_TOKEN_CHARS + hlen + 1), i;
	bool ok;

	*format = len == plen + FEED_TOKEN_CHARS + hlen ? FEED_PAGE : FEED_ICS;
	ok = memcmp(path, FEED_PATH_PREFIX, len < plen ? len : plen) == 0 && len >= plen &&
	    ((len == plen + FEED_TOKEN_CHARS + slen &&
	    memcmp(path + plen + FEED_TOKEN_CHARS, FEED_PATH_SUFFIX, slen) == 0) ||
	    (len == plen + FEED_TOKEN_CHARS + hlen &&
	    memcmp(path + plen + FEED_TOKEN_CHARS, FEED_PAGE_SUFFIX, hlen) == 0));
	for (i = 0; ok && i < FEED_TOKEN_CHARS; i++)
		ok = token_char((unsigned char)path[plen + i]);
	if (ok)
		feed_hash(path + plen, FEED_TOKEN_CHARS, hash);
	else
		feed_hash(path, len, hash);
	return ok;
}

void
feed_urls(const struct config *cfg, const char *token, char **url, char **webcal)
{
	const char *base = cfg->http_base_url, *rest;
	size_t len = strlen(base);

	while (len > 0 && base[len - 1] == '/')
		len--;
	xasprintf(url, "%.*s" FEED_PATH_PREFIX "%s" FEED_PATH_SUFFIX, (int)len, base, token);
	rest = strstr(*url, "://");
	xasprintf(webcal, "webcal%s", rest ? rest : *url);
}

void
feed_hash(const void *data, size_t len, unsigned char out[FEED_HASH_LEN])
{
	SHA2_CTX ctx;

	SHA256Init(&ctx);
	SHA256Update(&ctx, data, len);
	SHA256Final(out, &ctx);
}

bool
feed_hash_equal(const unsigned char a[FEED_HASH_LEN], const unsigned char b[FEED_HASH_LEN])
{
	volatile unsigned char diff = 0;
	size_t i;

	for (i = 0; i < FEED_HASH_LEN; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

int
feed_target_id(struct ikond *ikd, enum feed_kind kind, const char *slug, sqlite3_int64 *id,
    char **cause)
{
	*id = 0;
	switch (kind) {
	case FEED_ALL:
		return 0;
	case FEED_ACTOR:
		return entity_actor_id(ikd, slug, id, cause);
	case FEED_COMMITTEE:
		return entity_committee_id(ikd, slug, id, cause);
	case FEED_PROCESS:
		return process_id(ikd, slug, id, cause);
	}
	return 0;
}

/* The name of a feed's target (committee, actor or process) in *name;
 * NULL for FEED_ALL.  0 or -1. */
static int
target_name(struct ikond *ikd, enum feed_kind kind, sqlite3_int64 id, char **name,
    char **cause)
{
	static const char *const sql[] = {
		NULL,
		"SELECT name FROM actor WHERE id = ?",
		"SELECT name FROM committee WHERE id = ?",
		"SELECT name FROM process WHERE id = ?",
	};

	*name = NULL;
	if (sql[kind] == NULL)
		return 0;
	switch (store_get_text(ikd->store, cause, name, sql[kind], "i", id)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "the %s of this feed no longer exists", kind_names[kind]);
	}
	return 0;
}

static void
calendar_names(struct ikond *ikd, enum feed_kind kind, const char *target, char **name,
    char **desc)
{
	const char *body = ikd->cfg->body_name;
	struct german_forms concept;

	switch (kind) {
	case FEED_ALL:
		xasprintf(name, CALENDAR_PREFIX "Fristen und Sitzungen (%s)", body);
		xasprintf(desc, "Alle Sitzungen, Fristen und Termine des Integrationskonzepts "
		    "(%s)", body);
		break;
	case FEED_ACTOR:
		xasprintf(name, CALENDAR_PREFIX "Fristen und Sitzungen für %s", target);
		xasprintf(desc, "Was %s verantwortet, und die Sitzungen der Gremien, in denen "
		    "%s mitwirkt (%s)", target, target, body);
		break;
	case FEED_COMMITTEE:
		xasprintf(name, CALENDAR_PREFIX "%s", target);
		xasprintf(desc, "Sitzungen und Fristen: %s (%s)", target, body);
		break;
	case FEED_PROCESS:
		/* The concept's own name, not "Integrationskonzept – Prozess
		 * Integrationskonzept ...": "Integrationskonzept „IK 2027“". */
		german_concept_forms(target, &concept);
		*name = xstrdup(concept.name);
		xasprintf(desc, "Schritte, Fristen und Termine %s (%s)", concept.gen, body);
		german_forms_free(&concept);
		break;
	}
}

bool
feed_item_past(const struct agenda_item *it, int today, const char *tz)
{
	if (it->all_day)
		return it->end_days <= today;
	return timefmt_local_day(tz, it->end > it->start ? it->end : it->start) < today;
}

const char *
feed_category(enum agenda_kind kind)
{
	return item_categories[kind];
}

static void
on_row_change(void *arg, int op, const char *db, const char *table, sqlite3_int64 rowid)
{
	enum agenda_touch touch;
	size_t k;

	(void)arg;
	if (changes.all || strcmp(db, "main") != 0)
		return;
	switch ((touch = agenda_row_touches(table, op))) {
	case AGENDA_TOUCHES_NONE:
		return;
	case AGENDA_TOUCHES_SESSION:
		k = CHANGED_SESSION;
		break;
	case AGENDA_TOUCHES_DEADLINE:
		k = CHANGED_DEADLINE;
		break;
	case AGENDA_TOUCHES_SUBMISSION:
		k = CHANGED_SUBMISSION;
		break;
	default:
		changes.all = true;
		return;
	}
	if (++changes.total > CHANGES_MAX) {
		changes.all = true;
		return;
	}
	if (changes.n[k] == changes.cap[k]) {
		changes.cap[k] = changes.cap[k] ? 2 * changes.cap[k] : 64;
		changes.ids[k] = xreallocarray(changes.ids[k], changes.cap[k],
		    sizeof(*changes.ids[k]));
	}
	changes.ids[k][changes.n[k]++] = rowid;
}

static int
rowid_cmp(const void *pa, const void *pb)
{
	sqlite3_int64 x = *(const sqlite3_int64 *)pa, y = *(const sqlite3_int64 *)pb;

	return (x > y) - (x < y);
}

static void
keys_free(struct agenda_keys *k)
{
	free(k->sessions);
	free(k->deadlines);
	free(k->submissions);
	memset(k, 0, sizeof(*k));
}

/*
 * Hands the rows noted since the last call over to k (sorted, distinct)
 * and starts noting anew on db.  False when they cannot be followed:
 * anything changed, the hook was not on db (the first build, another
 * connection) or another connection wrote (which no hook sees), which
 * also leaves k empty.
 */
static bool
changes_take(struct ikond *ikd, sqlite3 *db, struct agenda_keys *k)
{
	sqlite3_int64 **ids[CHANGED_KINDS] = { &k->sessions, &k->deadlines, &k->submissions };
	size_t *ns[CHANGED_KINDS] = { &k->nsessions, &k->ndeadlines, &k->nsubmissions };
	bool whole = sqlite3_update_hook(db, on_row_change, &changes) != &changes ||
	    changes.all;
	sqlite3_int64 others = -1;
	char *cause = NULL;
	size_t i, j, u;

	if (store_get_int(ikd->store, &cause, &others, "PRAGMA data_version", "") == -1) {
		log_debug("feeds: %s", cause);
		free(cause);
	}
	whole = whole || others == -1 || others != changes.others;
	changes.others = others;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < CHANGED_KINDS; i++) {
		if (!whole && changes.n[i] > 0) {
			qsort(changes.ids[i], changes.n[i], sizeof(*changes.ids[i]), rowid_cmp);
			for (j = u = 1; j < changes.n[i]; j++)
				if (changes.ids[i][j] != changes.ids[i][u - 1])
					changes.ids[i][u++] = changes.ids[i][j];
			*ids[i] = changes.ids[i];
			*ns[i] = u;
		} else
			free(changes.ids[i]);
		changes.ids[i] = NULL;
		changes.n[i] = changes.cap[i] = 0;
	}
	changes.all = false;
	changes.total = 0;
	return !whole;
}

/* What one feed shows, collected once for its calendar and its page. */
struct feed_view {
	struct agenda	*agenda;
	char		*name;		/* the calendar's name and description */
	char		*desc;
	time_t		 removed;	/* the latest removal: it dates no item */
};

static void
view_clear(struct feed_view *v)
{
	agenda_free(v->agenda);
	free(v->name);
	free(v->desc);
	memset(v, 0, sizeof(*v));
}

/* Collects what a feed shows; for the feed of everything from last (its
 * agenda as last built, used up) and the rows changed since, if given. */
static int
view_collect(struct ikond *ikd, enum feed_kind kind, sqlite3_int64 target,
    struct agenda **last, const struct agenda_keys *changed, struct feed_view *v,
    char **cause)
{
	struct agenda *follow = last != NULL ? *last : NULL;

	struct agenda_filter f;
	sqlite3_int64 removed;
	char *tname;

	memset(v, 0, sizeof(*v));
	agenda_filter_all(&f);
	switch (kind) {
	case FEED_ALL:
		break;
	case FEED_ACTOR:
		f.actor_id = target;
		break;
	case FEED_COMMITTEE:
		f.committee_id = target;
		break;
	case FEED_PROCESS:
		f.process_id = target;
		break;
	}
	if (target_name(ikd, kind, target, &tname, cause) == -1)
		return -1;
	/* A removed item leaves no row behind; its audit entry dates the change. */
	if (last != NULL)
		*last = NULL;
	if (store_get_int(ikd->store, cause, &removed, "SELECT coalesce(max(at), 0) FROM audit "
	    "WHERE action IN ('remove', 'leave')", "") == -1) {
		agenda_free(follow);
		free(tname);
		return -1;
	}
	if (follow != NULL && changed != NULL && kind == FEED_ALL) {
		if (agenda_recollect(ikd, follow, changed, cause) == -1) {
			agenda_free(follow);
			free(tname);
			return -1;
		}
		v->agenda = follow;
	} else {
		agenda_free(follow);
		if ((v->agenda = agenda_collect(ikd, &f, cause)) == NULL) {
			free(tname);
			return -1;
		}
	}
	v->removed = (time_t)removed;
	calendar_names(ikd, kind, tname, &v->name, &v->desc);
	free(tname);
	return 0;
}

/* An event's description, made when ics.c writes it; the item lets its
 * own go then unless the page shows it today. */
struct describing {
	struct agenda	*agenda;
	const size_t	*from;		/* the item of each event */
	int		 today;
	const char	*tz;
};

static char *
describe(void *arg, size_t i)
{
	struct describing *d = arg;
	struct agenda_item *it = &d->agenda->items[d->from[i]];
	char *desc = agenda_feed_description(d->agenda, it);

	if (!feed_html_shows(it, d->today, d->tz))
		agenda_item_slim(d->agenda, it);
	return desc;
}

/*
 * The calendar of a view, sharing unchanged events with prev's text (see
 * ics.h).  It uses up the items' descriptions but those the page shows
 * today (feed_html_shows()): each event's description is made while the
 * event is written (describe()), and the item slimmed
 * (agenda_item_slim()) then or when its event is copied, so that the
 * descriptions are not held twice while the text grows.  An event to
 * write whose item lost its description fails the build.
 */
static struct ics_text *
view_ics(struct ikond *ikd, struct feed_view *v, int today,
    const struct feed_snapshot *prev, struct ics_index **index, time_t *last_modified,
    char **cause)
{
	const char *tz = ikd->cfg->body_timezone;
	struct agenda *a = v->agenda;
	struct ics_calendar cal;
	struct ics_event *ev;
	struct ics_text *out;
	struct describing d;
	size_t *from, i, n = 0;
	bool *copied;
	time_t lm = v->removed;

	ev = xcalloc(a->n ? a->n : 1, sizeof(*ev));
	from = xcalloc(a->n ? a->n : 1, sizeof(*from));
	copied = xcalloc(a->n ? a->n : 1, sizeof(*copied));
	for (i = 0; i < a->n; i++) {
		const struct agenda_item *it = &a->items[i];
		struct ics_event *e = &ev[n];

		if (it->cancelled && feed_item_past(it, today, tz))
			continue;
		if (it->updated > lm)
			lm = it->updated;
		e->uid = it->uid;
		e->sequence = it->sequence;
		e->last_modified = it->updated;
		e->all_day = it->all_day;
		e->start_days = it->start_days;
		e->end_days = it->end_days;
		e->start = it->start;
		e->end = it->end;
		e->summary = it->title;
		from[n] = i;
		e->location = it->location && it->location[0] ? it->location : NULL;
		e->url = it->url;
		e->categories = item_categories[it->kind];
		e->status = it->cancelled ? ICS_CANCELLED : ICS_CONFIRMED;
		e->transparent = it->kind != AGENDA_SESSION && it->kind != AGENDA_EVENT;
		n++;
	}
	memset(&cal, 0, sizeof(cal));
	cal.name = v->name;
	cal.description = v->desc;
	cal.timezone = tz;
	cal.refresh = ikd->cfg->feeds_refresh;
	cal.alarm_minutes = ikd->cfg->feeds_alarm_minutes;
	/* An event copied from the last build needs no description. */
	if (prev != NULL)
		ics_index_copies(prev->index, &cal, ev, n, copied);
	for (i = 0; i < n; i++) {
		struct agenda_item *it = &a->items[from[i]];

		if (!copied[i] && it->undescribed) {
			out = NULL;
			set_cause(cause, "the text of %s is no longer at hand", it->uid);
			goto out;
		}
		if (copied[i] && !it->undescribed && !feed_html_shows(it, today, tz))
			agenda_item_slim(a, it);
	}
	d.agenda = a;
	d.from = from;
	d.today = today;
	d.tz = tz;
	out = ics_build_text(&cal, ev, n, describe, &d, prev ? prev->index : NULL, index, cause);
out:
	free(from);
	free(copied);
	free(ev);
	if (out != NULL)
		*last_modified = lm;
	return out;
}

char *
feed_build(struct ikond *ikd, enum feed_kind kind, sqlite3_int64 target, int today,
    size_t *len, time_t *last_modified, char **cause)
{
	struct feed_view v;
	struct ics_text *t;

	if (view_collect(ikd, kind, target, NULL, NULL, &v, cause) == -1)
		return NULL;
	t = view_ics(ikd, &v, today, NULL, NULL, last_modified, cause);
	view_clear(&v);
	return t != NULL ? ics_text_steal(t, len) : NULL;
}

/* The gzip file of a text, its parts compressed one after another. */
static int
gzip_body(const struct ics_text *text, unsigned char **out, size_t *out_len)
{
	z_stream z;
	size_t cap = compressBound((uLong)ics_text_len(text)) + 64, i, n, len;
	const char *part;
	int rc = Z_OK;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	*out = xmalloc(cap);
	z.next_out = *out;
	z.avail_out = (uInt)cap;
	n = ics_text_nparts(text);
	for (i = 0; i < n && rc == Z_OK; i++) {
		part = ics_text_part(text, i, &len);
		z.next_in = (Bytef *)(uintptr_t)part;
		z.avail_in = (uInt)len;
		rc = deflate(&z, i + 1 < n ? Z_NO_FLUSH : Z_FINISH);
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* A feed as this round built it, before it is published. */
struct built {
	struct ics_text	*ics;
	size_t		 ics_len;
	time_t		 ics_lm;
	unsigned char	 ics_digest[FEED_HASH_LEN];
	struct ics_index *index;	/* the calendar's events, for the next build */
	char		*page;
	size_t		 page_len;
	time_t		 page_lm;
	unsigned char	 page_digest[FEED_HASH_LEN];
	bool		 followed;	/* from the last build's agenda and the changes */
};

void
feed_etags(const unsigned char digest[FEED_HASH_LEN], char etag[2 * FEED_HASH_LEN + 3],
    char etag_gzip[2 * FEED_HASH_LEN + 8])
{
	char hex[2 * FEED_HASH_LEN + 1];
	size_t i;

	for (i = 0; i < FEED_HASH_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	snprintf(etag, 2 * FEED_HASH_LEN + 3, "\"%s\"", hex);
	snprintf(etag_gzip, 2 * FEED_HASH_LEN + 8, "\"%s-gz\"", hex);
}

static struct feed_snapshot *
snapshot_new(enum feed_kind kind, sqlite3_int64 target, struct built *b)
{
	struct feed_snapshot *s = xcalloc(1, sizeof(*s));
	unsigned char *gz = NULL;
	size_t gzlen = 0;

	s->refs = 1;
	s->kind = kind;
	s->target = target;
	memcpy(s->digest, b->ics_digest, FEED_HASH_LEN);
	feed_etags(b->ics_digest, s->etag, s->etag_gzip);
	s->last_modified = b->ics_lm;
	s->len = b->ics_len;
	s->text = b->ics;
	b->ics = NULL;
	s->index = b->index;
	b->index = NULL;
	if (b->ics_len > GZIP_AT_ONCE_MAX)
		s->gzip_pending = true;
	else if (gzip_body(s->text, &gz, &gzlen) == 0)
		s->gzip_len = gzlen;
	feed_page_prepare(&s->page, b->page, b->page_len, b->page_digest, b->page_lm);
	free(b->page);
	b->page = NULL;
	http_snapshot_prepare(s, gz);
	return s;
}

static void
snapshot_unref(struct feed_snapshot *s)
{
	if (s == NULL || --s->refs > 0)
		return;
	http_snapshot_release(s);
	feed_page_clear(&s->page);
	ics_index_free(s->index);
	ics_text_unref(s->text);
	free(s);
}

/* Snapshots already built in this round, and the previous table's, by target. */
static struct feed_snapshot *
find_snapshot(struct feed_entry *e, size_t n, enum feed_kind kind, sqlite3_int64 target)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (e[i].snap != NULL && e[i].snap->kind == kind && e[i].snap->target == target)
			return e[i].snap;
	return NULL;
}

static int
today_in(struct ikond *ikd)
{
	return timefmt_local_day(ikd->cfg->body_timezone, time(NULL));
}

/*
 * Builds a feed and its page from one collection of its agenda, reusing
 * what prev (the feed's last snapshot, or NULL) serialized.  The feed of
 * everything follows the changed rows from *last (its agenda as last
 * built, used up) when there are both, and is collected anew if that
 * fails; its agenda is kept for the next build.
 */
static int
build(struct ikond *ikd, enum feed_kind kind, sqlite3_int64 target, int today,
    const struct feed_snapshot *prev, struct agenda **last, const struct agenda_keys *changed,
    struct built *b, char **cause)
{
	struct feed_view v;
	time_t midnight;
	bool follow = kind == FEED_ALL && last != NULL && *last != NULL && changed != NULL &&
	    prev != NULL;

	memset(b, 0, sizeof(*b));
	if (view_collect(ikd, kind, target, follow ? last : NULL, changed, &v, cause) == -1) {
		if (!follow)
			return -1;
		log_debug("feeds: collecting all anew: %s", *cause);
		free(*cause);
		*cause = NULL;
		return build(ikd, kind, target, today, prev, NULL, NULL, b, cause);
	}
	/* The page first: the calendar uses up the descriptions. */
	if ((b->page = feed_html_build(ikd, kind, target, v.agenda, v.name, v.desc, today,
	    &b->page_len, cause)) == NULL ||
	    (b->ics = view_ics(ikd, &v, today, prev, &b->index, &b->ics_lm, cause)) == NULL) {
		free(b->page);
		ics_index_free(b->index);
		view_clear(&v);
		if (!follow)
			return -1;
		log_debug("feeds: collecting all anew: %s", *cause);
		free(*cause);
		*cause = NULL;
		return build(ikd, kind, target, today, prev, NULL, NULL, b, cause);
	}
	if (kind == FEED_ALL) {
		agenda_free(kept.agenda);
		kept.agenda = v.agenda;
		kept.today = today;
		kept.config_version = ikd->config_version;
		v.agenda = NULL;
	}
	view_clear(&v);
	b->followed = follow;
	b->ics_len = ics_text_len(b->ics);
	ics_index_digest(b->index, b->ics_digest);
	feed_hash(b->page, b->page_len, b->page_digest);
	/* The page shows today too: it is new at midnight at the latest. */
	if (civil_to_utc(ikd->cfg->body_timezone, today, 0, &midnight, NULL, NULL) == -1)
		midnight = 0;
	b->page_lm = b->ics_lm > midnight ? b->ics_lm : midnight;
	return 0;
}

static bool
unchanged(const struct feed_snapshot *prev, const struct built *b)
{
	return prev != NULL && memcmp(prev->digest, b->ics_digest, FEED_HASH_LEN) == 0 &&
	    prev->last_modified == b->ics_lm &&
	    memcmp(prev->page.digest, b->page_digest, FEED_HASH_LEN) == 0 &&
	    prev->page.last_modified == b->page_lm;
}

static void
rebuild(struct ikond *ikd)
{
	struct feed_entry *fresh = NULL, *old;
	struct feed_snapshot *snap, *prev;
	sqlite3_stmt *st;
	size_t n = 0, cap = 0, nold, i, len, page_len;
	enum feed_kind kind;
	sqlite3_int64 target;
	char *cause = NULL;
	struct built b;
	struct timespec t0, t1;
	struct agenda *last = kept.agenda;
	struct agenda_keys changed;
	bool follow;
	int today = today_in(ikd), rc;

	kept.agenda = NULL;

	/* A feed whose target was removed answers 404 until it is revoked. */
	st = store_query(ikd->store, &cause, "SELECT f.token_hash, f.kind, "
	    "coalesce(f.target_id, 0), CASE f.kind "
	    "WHEN 'actor' THEN EXISTS (SELECT 1 FROM actor WHERE id = f.target_id) "
	    "WHEN 'committee' THEN EXISTS (SELECT 1 FROM committee WHERE id = f.target_id) "
	    "WHEN 'process' THEN EXISTS (SELECT 1 FROM process WHERE id = f.target_id) "
	    "ELSE 1 END FROM feed f WHERE f.revoked_at IS NULL "
	    "ORDER BY f.kind, f.target_id, f.id", "");
	if (st == NULL) {
		log_warnx("feeds: %s", cause);
		free(cause);
		agenda_free(last);
		return;
	}
	follow = changes_take(ikd, sqlite3_db_handle(st), &changed) && kept.today == today &&
	    kept.config_version == ikd->config_version;
	if (!follow) {
		agenda_free(last);
		last = NULL;
	}
	while ((rc = store_next(ikd->store, st, &cause)) == 1) {
		if (sqlite3_column_bytes(st, 0) != FEED_HASH_LEN ||
		    !feed_kind_from_name((const char *)sqlite3_column_text(st, 1), &kind) ||
		    sqlite3_column_int(st, 3) == 0)
			continue;
		target = sqlite3_column_int64(st, 2);
		if ((snap = find_snapshot(fresh, n, kind, target)) != NULL)
			snap->refs++;
		else {
			pthread_mutex_lock(&cache.lock);
			prev = find_snapshot(cache.entries, cache.n, kind, target);
			pthread_mutex_unlock(&cache.lock);
			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (build(ikd, kind, target, today, prev, &last, follow ? &changed : NULL,
			    &b, &cause) == -1) {
				log_warnx("feeds: %s %lld: %s", kind_names[kind], (long long)target,
				    cause);
				free(cause);
				cause = NULL;
				continue;
			}
			len = b.ics_len;
			page_len = b.page_len;
			if (unchanged(prev, &b)) {
				ics_text_unref(b.ics);
				free(b.page);
				ics_index_free(b.index);
				snap = prev;
				snap->refs++;
			} else
				snap = snapshot_new(kind, target, &b);
			/* Until it can be published: its gzip copy may come later. */
			clock_gettime(CLOCK_MONOTONIC, &t1);
			log_debug("feeds: built %s %lld: %zu bytes in %.1f ms, a page of %zu%s",
			    kind_names[kind], (long long)target, len,
			    (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6, page_len,
			    b.followed ? ", following the changed rows" : "");
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			fresh = xreallocarray(fresh, cap, sizeof(*fresh));
		}
		memcpy(fresh[n].hash, sqlite3_column_blob(st, 0), FEED_HASH_LEN);
		fresh[n++].snap = snap;
	}
	store_done(ikd->store, st);
	agenda_free(last);
	keys_free(&changed);
	if (rc == -1) {
		/* The feeds published so far stay; the next tick tries again. */
		agenda_free(kept.agenda);
		kept.agenda = NULL;
		log_warnx("feeds: %s", cause);
		free(cause);
		for (i = 0; i < n; i++)
			snapshot_unref(fresh[i].snap);
		free(fresh);
		return;
	}

	pthread_mutex_lock(&cache.lock);
	old = cache.entries;
	nold = cache.n;
	cache.entries = fresh;
	cache.n = n;
	pthread_mutex_unlock(&cache.lock);
	for (i = 0; i < nold; i++)
		snapshot_unref(old[i].snap);
	free(old);
	cache.version = ikd->data_version;
	cache.today = today;
}

/*
 * Building a feed records the items' revisions (revision.h); one
 * transaction keeps that to one write to disk however many items are new.
 * A store that takes no transaction (read-only) still gets its feeds
 * built from what it holds.
 */
static void
rebuild_recorded(struct ikond *ikd)
{
	char *cause = NULL;
	bool txn;

	if (!(txn = store_begin(ikd->store, &cause) == 0)) {
		log_debug("feeds: %s", cause);
		free(cause);
		cause = NULL;
	}
	rebuild(ikd);
	if (txn && store_commit(ikd->store, &cause) == -1) {
		log_warnx("feeds: %s", cause);
		free(cause);
		agenda_free(kept.agenda);
		kept.agenda = NULL;
	}
	/* The items of a build were many small blocks: their pages go back. */
	malloc_trim(0);
}

void
feeds_start(struct ikond *ikd)
{
	/*
	 * A feed's text is one big block.  glibc serves blocks above a
	 * threshold from their own mapping, but raises the threshold to the
	 * size of each such block freed, so from the first rebuild on the
	 * texts, their copies while they grow and every item of a build came
	 * from the heap, which does not shrink (150 MB after a rebuild of 26
	 * MB).  A fixed threshold keeps big blocks in mappings that go back to
	 * the system when freed.
	 */
	mallopt(M_MMAP_THRESHOLD, FEED_MMAP_THRESHOLD);
	cache.started = true;
	rebuild_recorded(ikd);
	log_info("feeds: %zu token(s) published", cache.n);
}

/*
 * Gives the published snapshots that wait for it their gzip copy.  Only
 * the main thread changes snapshots; the HTTP threads read s->gzip under
 * the table's lock, so they see a snapshot with both answers or plain
 * only, each with its own ETag.
 */
static void
compress_pending(void)
{
	struct feed_snapshot *s;
	unsigned char *gz;
	size_t i, gzlen;

	for (i = 0; i < cache.n; i++) {
		s = cache.entries[i].snap;
		if (!s->gzip_pending)
			continue;
		s->gzip_pending = false;
		if (gzip_body(s->text, &gz, &gzlen) == -1)
			continue;
		pthread_mutex_lock(&cache.lock);
		s->gzip_len = gzlen;
		http_snapshot_add_gzip(s, gz);
		pthread_mutex_unlock(&cache.lock);
	}
}

void
feeds_tick(struct ikond *ikd)
{
	if (!cache.started)
		return;
	if (cache.version != ikd->data_version || cache.today != today_in(ikd))
		rebuild_recorded(ikd);
	else
		compress_pending();
}

void
feeds_stop(void)
{
	struct feed_entry *old;
	size_t nold, i;

	pthread_mutex_lock(&cache.lock);
	old = cache.entries;
	nold = cache.n;
	cache.entries = NULL;
	cache.n = 0;
	cache.started = false;
	pthread_mutex_unlock(&cache.lock);
	for (i = 0; i < nold; i++)
		snapshot_unref(old[i].snap);
	free(old);
	agenda_free(kept.agenda);
	kept.agenda = NULL;
}

void
feeds_with_snapshot(const unsigned char hash[FEED_HASH_LEN],
    void (*fn)(const struct feed_snapshot *snap, void *arg), void *arg)
{
	const struct feed_snapshot *found = NULL;
	size_t i;

	pthread_mutex_lock(&cache.lock);
	for (i = 0; i < cache.n; i++)
		if (feed_hash_equal(cache.entries[i].hash, hash))
			found = cache.entries[i].snap;
	fn(found, arg);
	pthread_mutex_unlock(&cache.lock);
}
