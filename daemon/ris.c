/*
 * ris: sessions kept in step with a council information system, field by
 * field (see ris.h).  What a source said last lives in the link's "seen"
 * JSON object; a key that is missing or null means "not known", which is
 * how a session entered by hand joins a source: what may differ without
 * harm (title, place, end) starts out as its own value, while its start
 * and a cancellation made here are unknown to the source, so a difference
 * there is a conflict, never silently undone.
 */
#include "ris.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "civil.h"
#include "deadline.h"
#include "entity.h"
#include "log.h"
#include "timefmt.h"
#include "utf8.h"
#include "xmalloc.h"

#define DEFAULT_LENGTH	(3 * 3600)

static const char *const source_names[] = { "ics", "oparl" };

enum field { F_TITLE, F_TIME, F_LOCATION, F_STATE, F_URL, F_DESCRIPTION, F_COUNT };

static const char *const field_names[] = {
	"title", "time", "location", "state", "url", "description",
};

/* One session's fields as the store, a source or a source's last word has them. */
struct values {
	char	*title;
	time_t	 start, end;
	char	*location;
	bool	 cancelled;
	char	*url;
	char	*description;
	bool	 known[F_COUNT];
};

enum outcome {
	R_CREATED, R_CHANGED, R_UNCHANGED, R_CANCELLED, R_CONFLICT, R_MISSING, R_REJECTED,
	R_UNMAPPED, R_COUNT
};

static const char *const outcome_names[] = {
	"created", "changed", "unchanged", "cancelled", "conflict", "missing", "rejected",
	"unmapped",
};

static const char *const count_names[] = {
	"created", "changed", "unchanged", "cancelled", "conflicts", "missing", "rejected",
	"unmapped",
};

/* What a source may bring besides sessions: entity, JSON count, summary word. */
static const struct {
	const char	*entity, *key, *words;
} record_kinds[] = {
	{ "committee", "committees_created", "committee(s)" },
	{ "actor", "actors_created", "actor(s)" },
	{ "seat", "seats_created", "seat(s)" },
	{ "submission", "submissions_created", "submission(s)" },
	{ "beratung", "beratungen_created", "Beratung(en)" },
	{ "withdrawn", "submissions_withdrawn", "submission(s) withdrawn" },
};

struct ris_report {
	json_t	*events;
	json_t	*records;	/* committees and actors the source brought */
	int	 n[R_COUNT];
	int	 ignored;
};

static void
values_clear(struct values *v)
{
	free(v->title);
	free(v->location);
	free(v->url);
	free(v->description);
	memset(v, 0, sizeof(*v));
}

static const char *
str(const char *s)
{
	return s != NULL ? s : "";
}

static bool
field_equal(enum field f, const struct values *a, const struct values *b)
{
	switch (f) {
	case F_TITLE:
		return strcmp(str(a->title), str(b->title)) == 0;
	case F_TIME:
		return a->start == b->start && a->end == b->end;
	case F_LOCATION:
		return strcmp(str(a->location), str(b->location)) == 0;
	case F_STATE:
		return a->cancelled == b->cancelled;
	case F_URL:
		return strcmp(str(a->url), str(b->url)) == 0;
	case F_DESCRIPTION:
		return strcmp(str(a->description), str(b->description)) == 0;
	case F_COUNT:
		break;
	}
	return false;
}

/* Replaces *to with a copy of from (NULL stays NULL). */
static void
text_copy(char **to, const char *from)
{
	free(*to);
	*to = from ? xstrdup(from) : NULL;
}

static void
field_copy(enum field f, struct values *to, const struct values *from)
{
	switch (f) {
	case F_TITLE:
		text_copy(&to->title, from->title);
		break;
	case F_TIME:
		to->start = from->start;
		to->end = from->end;
		break;
	case F_LOCATION:
		text_copy(&to->location, from->location);
		break;
	case F_STATE:
		to->cancelled = from->cancelled;
		break;
	case F_URL:
		text_copy(&to->url, from->url);
		break;
	case F_DESCRIPTION:
		text_copy(&to->description, from->description);
		break;
	case F_COUNT:
		break;
	}
	to->known[f] = true;
}

/* A field's value for people: NULL for the description (too long to show). */
static char *
field_text(struct ikond *ikd, enum field f, const struct values *v)
{
	const char *tz = ikd->cfg->body_timezone;
	char a[17], b[17], *s = NULL;

	switch (f) {
	case F_TITLE:
		return xstrdup(str(v->title));
	case F_TIME:
		timefmt_local(tz, v->start, a);
		timefmt_local(tz, v->end, b);
		xasprintf(&s, "%s–%s", a, strncmp(a, b, 10) == 0 ? b + 11 : b);
		return s;
	case F_LOCATION:
		return xstrdup(str(v->location));
	case F_STATE:
		return xstrdup(v->cancelled ? "cancelled" : "not cancelled");
	case F_URL:
		return xstrdup(str(v->url));
	case F_DESCRIPTION:
	case F_COUNT:
		break;
	}
	return s;
}

/* --- the seen object --- */

static char *
json_text_dup(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static void
seen_parse(const char *text, struct values *v)
{
	json_t *o = json_loads(text, 0, NULL), *s, *e, *c;

	memset(v, 0, sizeof(*v));
	if (!json_is_object(o)) {
		json_decref(o);
		return;
	}
	if (json_is_string(json_object_get(o, "title"))) {
		v->title = json_text_dup(o, "title");
		v->known[F_TITLE] = true;
	}
	s = json_object_get(o, "start");
	e = json_object_get(o, "end");
	if (json_is_integer(s) && json_is_integer(e)) {
		v->start = (time_t)json_integer_value(s);
		v->end = (time_t)json_integer_value(e);
		v->known[F_TIME] = true;
	}
	if (json_is_string(json_object_get(o, "location"))) {
		v->location = json_text_dup(o, "location");
		v->known[F_LOCATION] = true;
	}
	if (json_is_boolean(c = json_object_get(o, "cancelled"))) {
		v->cancelled = json_is_true(c);
		v->known[F_STATE] = true;
	}
	if (json_is_string(json_object_get(o, "url"))) {
		v->url = json_text_dup(o, "url");
		v->known[F_URL] = true;
	}
	if (json_is_string(json_object_get(o, "description"))) {
		v->description = json_text_dup(o, "description");
		v->known[F_DESCRIPTION] = true;
	}
	json_decref(o);
}

static char *
seen_dump(const struct values *v)
{
	json_t *o = json_object();
	char *s;

	if (v->known[F_TITLE])
		json_object_set_new(o, "title", json_string(str(v->title)));
	if (v->known[F_TIME]) {
		json_object_set_new(o, "start", json_integer((json_int_t)v->start));
		json_object_set_new(o, "end", json_integer((json_int_t)v->end));
	}
	if (v->known[F_LOCATION])
		json_object_set_new(o, "location", json_string(str(v->location)));
	if (v->known[F_STATE])
		json_object_set_new(o, "cancelled", json_boolean(v->cancelled));
	if (v->known[F_URL])
		json_object_set_new(o, "url", json_string(str(v->url)));
	if (v->known[F_DESCRIPTION])
		json_object_set_new(o, "description", json_string(str(v->description)));
	if ((s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		fatalx("ris: out of memory");
	json_decref(o);
	return s;
}

/* --- the report --- */

struct ris_report *
ris_report_new(void)
{
	struct ris_report *r = xcalloc(1, sizeof(*r));

	r->events = json_array();
	r->records = json_array();
	return r;
}

void
ris_report_free(struct ris_report *r)
{
	if (r == NULL)
		return;
	json_decref(r->events);
	json_decref(r->records);
	free(r);
}

static json_t *
report_add(struct ris_report *r, enum outcome o, const char *source_id)
{
	json_t *e = json_pack("{s:s, s:s?}", "result", outcome_names[o], "source_id", source_id);

	json_array_append_new(r->events, e);
	r->n[o]++;
	return e;
}

/* Changes the outcome of the event last added. */
static void
report_set(struct ris_report *r, json_t *e, enum outcome o)
{
	const char *old = json_string_value(json_object_get(e, "result"));
	size_t i;

	for (i = 0; i < R_COUNT; i++)
		if (strcmp(outcome_names[i], old) == 0)
			r->n[i]--;
	r->n[o]++;
	json_object_set_new(e, "result", json_string(outcome_names[o]));
}

void
ris_report_reject(struct ris_report *r, size_t pos, const char *source_id, const char *reason)
{
	json_t *e = report_add(r, R_REJECTED, source_id);

	if (pos > 0)
		json_object_set_new(e, "event", json_integer((json_int_t)pos));
	json_object_set_new(e, "reason", json_string(reason));
}

void
ris_report_unmapped(struct ris_report *r, const char *source_id, const char *title)
{
	json_t *e = report_add(r, R_UNMAPPED, source_id);

	json_object_set_new(e, "title", json_string(str(title)));
	json_object_set_new(e, "reason", json_string("no committee matches the title"));
}

void
ris_report_record(struct ris_report *r, const char *entity, const char *slug,
    const char *name, const char *source_id)
{
	json_array_append_new(r->records, json_pack("{s:s, s:s, s:s, s:s}", "entity", entity,
	    "slug", slug, "name", str(name), "source_id", str(source_id)));
}

static int
records_of(const struct ris_report *r, const char *entity)
{
	json_t *e;
	size_t i;
	int n = 0;

	json_array_foreach(r->records, i, e)
		n += strcmp(json_string_value(json_object_get(e, "entity")), entity) == 0;
	return n;
}

void
ris_report_ignored(struct ris_report *r)
{
	r->ignored++;
}

int
ris_report_changes(const struct ris_report *r)
{
	return r->n[R_CREATED] + r->n[R_CHANGED] + r->n[R_CANCELLED] +
	    (int)json_array_size(r->records);
}

json_t *
ris_report_json(const struct ris_report *r)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < R_COUNT; i++)
		json_object_set_new(o, count_names[i], json_integer(r->n[i]));
	for (i = 0; i < sizeof(record_kinds) / sizeof(record_kinds[0]); i++)
		json_object_set_new(o, record_kinds[i].key, json_integer(records_of(r,
		    record_kinds[i].entity)));
	json_object_set_new(o, "ignored", json_integer(r->ignored));
	json_object_set(o, "events", r->events);
	json_object_set(o, "records", r->records);
	return o;
}

char *
ris_report_summary(const struct ris_report *r)
{
	const char *sep = "; from the source: ";
	struct buf b;
	size_t i;
	int n;

	buf_init(&b);
	for (i = 0; i < R_COUNT; i++) {
		if ((i == R_MISSING || i == R_UNMAPPED) && r->n[i] == 0)
			continue;
		buf_printf(&b, "%s%d %s", b.len ? ", " : "", r->n[i],
		    i == R_CONFLICT && r->n[i] == 1 ? "conflict" : count_names[i]);
	}
	for (i = 0; i < sizeof(record_kinds) / sizeof(record_kinds[0]); i++) {
		if ((n = records_of(r, record_kinds[i].entity)) == 0)
			continue;
		buf_printf(&b, "%s%d %s", sep, n, record_kinds[i].words);
		sep = ", ";
	}
	if (r->ignored > 0)
		buf_printf(&b, "; %d meeting(s) of other organisations ignored", r->ignored);
	return buf_steal(&b, NULL);
}

char *
ris_report_text(const struct ris_report *r)
{
	struct buf b;
	json_t *e, *c;
	const char *res, *sep;
	char *sum = ris_report_summary(r);
	size_t i, k;

	buf_init(&b);
	buf_add_str(&b, sum);
	free(sum);
	json_array_foreach(r->records, i, e) {
		const char *entity = json_string_value(json_object_get(e, "entity"));
		const char *slug = json_string_value(json_object_get(e, "slug"));
		const char *name = json_string_value(json_object_get(e, "name"));

		if (strcmp(entity, "seat") == 0)
			buf_printf(&b, "\n  created   seat of %s in %s", name, slug);
		else if (strcmp(entity, "beratung") == 0)
			buf_printf(&b, "\n  added     Beratung of %s \"%s\"", slug, name);
		else if (strcmp(entity, "withdrawn") == 0)
			buf_printf(&b, "\n  withdrawn submission %s \"%s\"", slug, name);
		else
			buf_printf(&b, "\n  created   %s %s \"%s\"", entity, slug, name);
	}
	json_array_foreach(r->events, i, e) {
		res = json_string_value(json_object_get(e, "result"));
		if (strcmp(res, "unchanged") == 0)
			continue;
		buf_printf(&b, "\n  %-9s ", res);
		if (json_is_integer(json_object_get(e, "session")))
			buf_printf(&b, "session %lld (%s, %s, \"%s\")",
			    (long long)json_integer_value(json_object_get(e, "session")),
			    json_string_value(json_object_get(e, "committee")),
			    json_string_value(json_object_get(e, "start")),
			    json_string_value(json_object_get(e, "title")));
		else
			buf_printf(&b, "%s", json_is_string(json_object_get(e, "source_id")) ?
			    json_string_value(json_object_get(e, "source_id")) : "(no id)");
		sep = ": ";
		json_array_foreach(json_object_get(e, "changes"), k, c) {
			buf_printf(&b, "%s%s", sep, json_string_value(json_object_get(c, "field")));
			if (json_is_string(json_object_get(c, "old")))
				buf_printf(&b, " %s → %s", json_string_value(json_object_get(c, "old")),
				    json_string_value(json_object_get(c, "new")));
			sep = "; ";
		}
		json_array_foreach(json_object_get(e, "conflicts"), k, c) {
			buf_printf(&b, "%s%s", sep, json_string_value(json_object_get(c, "field")));
			if (json_is_string(json_object_get(c, "here")))
				buf_printf(&b, " is %s here, %s in the source",
				    json_string_value(json_object_get(c, "here")),
				    json_string_value(json_object_get(c, "source")));
			else
				buf_add_str(&b, " differs");
			buf_add_str(&b, json_is_true(json_object_get(c, "overwritten")) ?
			    "; the source's was taken" : "; kept as it is here");
			sep = "; ";
		}
		if (json_is_string(json_object_get(e, "reason")))
			buf_printf(&b, "%s%s", sep, json_string_value(json_object_get(e, "reason")));
	}
	return buf_steal(&b, NULL);
}

/* --- the store --- */

/* The session's row: 1 with *v and *state and *committee set, 0 if gone. */
static int
local_load(struct ikond *ikd, sqlite3_int64 id, struct values *v, char **state,
    sqlite3_int64 *committee, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	memset(v, 0, sizeof(*v));
	rc = store_first(ikd->store, cause, &st, "SELECT title, start_utc, end_utc, location, "
	    "state, url, description, committee_id FROM session WHERE id = ?", "i", id);
	if (rc != 1)
		return rc;
	v->title = store_column_dup(st, 0);
	v->start = (time_t)sqlite3_column_int64(st, 1);
	v->end = (time_t)sqlite3_column_int64(st, 2);
	v->location = store_column_dup(st, 3);
	*state = store_column_dup(st, 4);
	v->cancelled = strcmp(*state, "cancelled") == 0;
	v->url = store_column_dup(st, 5);
	v->description = store_column_dup(st, 6);
	*committee = sqlite3_column_int64(st, 7);
	memset(v->known, 1, sizeof(v->known));
	store_done(ikd->store, st);
	return 1;
}

/* The report entry for session id as it is now. */
static json_t *
report_session(struct ikond *ikd, struct ris_report *r, enum outcome o, const char *source_id,
    sqlite3_int64 id, const struct values *v, char **cause)
{
	char when[17], *slug;
	json_t *e;

	if (store_get_text(ikd->store, cause, &slug, "SELECT c.slug FROM session s "
	    "JOIN committee c ON c.id = s.committee_id WHERE s.id = ?", "i", id) != 1) {
		if (*cause == NULL)
			set_cause(cause, "session %lld is gone", (long long)id);
		return NULL;
	}
	timefmt_local(ikd->cfg->body_timezone, v->start, when);
	e = report_add(r, o, source_id);
	json_object_set_new(e, "session", json_integer(id));
	json_object_set_new(e, "committee", json_string(slug));
	json_object_set_new(e, "start", json_string(when));
	json_object_set_new(e, "title", json_string(str(v->title)));
	free(slug);
	return e;
}

static void
report_field(struct ikond *ikd, json_t *e, const char *list, enum field f,
    const struct values *a, const char *akey, const struct values *b, const char *bkey,
    bool overwritten)
{
	json_t *arr = json_object_get(e, list), *c;
	char *ta = field_text(ikd, f, a), *tb = field_text(ikd, f, b);

	if (arr == NULL) {
		arr = json_array();
		json_object_set_new(e, list, arr);
	}
	c = json_pack("{s:s, s:s?, s:s?}", "field", field_names[f], akey, ta, bkey, tb);
	if (strcmp(list, "conflicts") == 0)
		json_object_set_new(c, "overwritten", json_boolean(overwritten));
	json_array_append_new(arr, c);
	free(ta);
	free(tb);
}

static int
link_store(struct ikond *ikd, enum ris_source src, const char *source_id, sqlite3_int64 id,
    const struct values *seen, char **cause)
{
	char *text = seen_dump(seen);
	int rc;

	rc = store_exec(ikd->store, cause, "INSERT INTO session_source (source, source_id, "
	    "session_id, seen) VALUES (?, ?, ?, ?) ON CONFLICT (source, source_id) DO UPDATE "
	    "SET session_id = excluded.session_id, seen = excluded.seen", "ttit",
	    source_names[src], source_id, id, text);
	free(text);
	return rc == -1 ? -1 : 0;
}

/*
 * Brings session id (now local, in state) in line with what the source
 * says (in) given what it said last (seen), and records the source's new
 * last word.  A conflict keeps the old last word, so it is reported again
 * until the two agree or the source is asked to win.
 */
static int
sync_existing(struct ikond *ikd, enum ris_source src, const char *source_id, sqlite3_int64 id,
    struct values *local, const char *state, struct values *seen, const struct values *in,
    unsigned flags, const char *why, struct ris_report *r, char **cause)
{
	struct values now;
	bool applied[F_COUNT], conflict = false, any = false;
	const char *new_state;
	json_t *e;
	size_t f;
	int rc = -1;

	memset(&now, 0, sizeof(now));
	memset(applied, 0, sizeof(applied));
	for (f = 0; f < F_COUNT; f++)
		field_copy(f, &now, local);
	if ((e = report_session(ikd, r, R_UNCHANGED, source_id, id, local, cause)) == NULL)
		goto out;
	for (f = 0; f < F_COUNT; f++) {
		if (!in->known[f])
			continue;	/* the source says nothing about it */
		if (seen->known[f] && field_equal(f, seen, in))
			continue;	/* the source did not change it */
		if (field_equal(f, local, in)) {
			field_copy(f, seen, in);
			continue;
		}
		if (seen->known[f] && field_equal(f, local, seen)) {
			report_field(ikd, e, "changes", f, local, "old", in, "new", false);
			applied[f] = any = true;
		} else {
			conflict = true;
			report_field(ikd, e, "conflicts", f, local, "here", in, "source",
			    flags & RIS_OVERWRITE);
			if (!(flags & RIS_OVERWRITE))
				continue;
			applied[f] = any = true;
		}
		field_copy(f, &now, in);
		field_copy(f, seen, in);
	}
	if (any) {
		new_state = state;
		if (applied[F_STATE])
			new_state = now.cancelled ? "cancelled" : "planned";
		if (store_exec(ikd->store, cause, "UPDATE session SET title = ?, start_utc = ?, "
		    "end_utc = ?, location = ?, state = ?, url = ?, description = ?, "
		    "sequence = sequence + 1, updated_at = ? WHERE id = ?", "tiittttii",
		    str(now.title), (sqlite3_int64)now.start, (sqlite3_int64)now.end,
		    str(now.location), new_state, str(now.url), str(now.description),
		    (sqlite3_int64)time(NULL), id) == -1)
			goto out;
		if (applied[F_TIME] && deadline_sync_session(ikd, id, cause) == -1)
			goto out;
	}
	if (link_store(ikd, src, source_id, id, seen, cause) == -1)
		goto out;
	if (conflict)
		report_set(r, e, R_CONFLICT);
	else if (applied[F_STATE] && now.cancelled)
		report_set(r, e, R_CANCELLED);
	else if (any)
		report_set(r, e, R_CHANGED);
	if (why != NULL && (any || conflict))
		json_object_set_new(e, "reason", json_string(why));
	rc = 0;
out:
	values_clear(&now);
	return rc;
}

/* The local day [*from, *to) of instant t. */
static void
day_of(struct ikond *ikd, time_t t, time_t *from, time_t *to)
{
	const char *tz = ikd->cfg->body_timezone;
	int days = 0, minute = 0;

	civil_from_utc(tz, t, &days, &minute, NULL);
	if (civil_to_utc(tz, days, 0, from, NULL, NULL) == -1)
		*from = t - 86400;
	if (civil_to_utc(tz, days + 1, 0, to, NULL, NULL) == -1)
		*to = t + 86400;
}

/* A new session as the source describes it; past ones were held. */
static int
create(struct ikond *ikd, enum ris_source src, const char *source_id, sqlite3_int64 cid,
    struct values *in, struct ris_report *r, char **cause)
{
	time_t now = time(NULL);
	sqlite3_int64 id;
	const char *state;
	char *uid = entity_new_uid("session");
	int rc;

	state = in->cancelled ? "cancelled" : in->end < now ? "held" : "planned";
	rc = store_exec(ikd->store, cause, "INSERT INTO session (committee_id, title, "
	    "start_utc, end_utc, location, state, uid, sequence, created_at, updated_at, url, "
	    "description) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)", "itiitttiitt", cid,
	    str(in->title), (sqlite3_int64)in->start, (sqlite3_int64)in->end, str(in->location),
	    state, uid, (sqlite3_int64)now, (sqlite3_int64)now, str(in->url),
	    str(in->description));
	free(uid);
	if (rc == -1)
		return -1;
	id = store_last_id(ikd->store);
	if (deadline_sync_session(ikd, id, cause) == -1 ||
	    link_store(ikd, src, source_id, id, in, cause) == -1 ||
	    report_session(ikd, r, R_CREATED, source_id, id, in, cause) == NULL)
		return -1;
	return 0;
}

/* The incoming values, cleaned and bounded. */
static int
values_from(struct ikond *ikd, const struct ris_session *s, struct values *v, char **cause)
{
	char *name;

	memset(v, 0, sizeof(*v));
	if ((v->title = ris_text_line(s->title, RIS_TITLE_MAX)) == NULL) {
		if (store_get_text(ikd->store, cause, &name, "SELECT name FROM committee "
		    "WHERE id = ?", "i", s->committee_id) != 1) {
			if (*cause == NULL)
				set_cause(cause, "no committee %lld", (long long)s->committee_id);
			return -1;
		}
		xasprintf(&v->title, "Sitzung %s", name);
		free(name);
	}
	v->start = s->start;
	v->end = s->end > s->start ? s->end : s->start + DEFAULT_LENGTH;
	v->location = ris_text_line(s->location, RIS_LOCATION_MAX);
	v->cancelled = s->cancelled;
	v->url = ris_url(s->url);
	v->description = ris_text_block(s->description, RIS_DESCRIPTION_MAX);
	memset(v->known, 1, sizeof(v->known));
	/* A source that gives no link or text leaves those of another alone. */
	v->known[F_URL] = s->url != NULL;
	v->known[F_DESCRIPTION] = s->description != NULL;
	return 0;
}

int
ris_session_apply(struct ikond *ikd, enum ris_source src, const struct ris_session *s,
    unsigned flags, struct ris_report *r, char **cause)
{
	struct values in, local, seen;
	sqlite3_stmt *st;
	sqlite3_int64 id = 0, cid = 0;
	time_t from, to;
	char *state = NULL, *why;
	int rc = -1;

	memset(&local, 0, sizeof(local));
	memset(&seen, 0, sizeof(seen));
	if (values_from(ikd, s, &in, cause) == -1)
		return -1;
	switch (store_first(ikd->store, cause, &st, "SELECT session_id, seen FROM "
	    "session_source WHERE source = ? AND source_id = ?", "tt", source_names[src],
	    s->source_id)) {
	case -1:
		goto out;
	case 1:
		id = sqlite3_column_int64(st, 0);
		seen_parse((const char *)sqlite3_column_text(st, 1), &seen);
		store_done(ikd->store, st);
		if (local_load(ikd, id, &local, &state, &cid, cause) != 1) {
			if (*cause == NULL)
				set_cause(cause, "session %lld is gone", (long long)id);
			goto out;
		}
		if (cid != s->committee_id) {
			xasprintf(&why, "the %s id belongs to session %lld of another committee",
			    src == RIS_ICS ? "UID" : "OParl", (long long)id);
			ris_report_reject(r, 0, s->source_id, why);
			free(why);
			rc = 0;
			goto out;
		}
		rc = sync_existing(ikd, src, s->source_id, id, &local, state, &seen, &in, flags,
		    NULL, r, cause);
		goto out;
	}
	/* The same committee's session that day, if this source does not know it. */
	day_of(ikd, in.start, &from, &to);
	switch (store_get_int(ikd->store, cause, &id, "SELECT id FROM session s "
	    "WHERE committee_id = ?1 AND start_utc >= ?2 AND start_utc < ?3 AND NOT EXISTS "
	    "(SELECT 1 FROM session_source x WHERE x.session_id = s.id AND x.source = ?4) "
	    "ORDER BY abs(start_utc - ?5), id LIMIT 1", "iiiti", s->committee_id,
	    (sqlite3_int64)from, (sqlite3_int64)to, source_names[src], (sqlite3_int64)in.start)) {
	case -1:
		goto out;
	case 0:
		rc = create(ikd, src, s->source_id, s->committee_id, &in, r, cause);
		goto out;
	}
	if (local_load(ikd, id, &local, &state, &cid, cause) != 1) {
		if (*cause == NULL)
			set_cause(cause, "session %lld is gone", (long long)id);
		goto out;
	}
	/* What the source may simply take over counts as its old word. */
	field_copy(F_TITLE, &seen, &local);
	field_copy(F_LOCATION, &seen, &local);
	field_copy(F_URL, &seen, &local);
	field_copy(F_DESCRIPTION, &seen, &local);
	if (local.start == in.start)
		field_copy(F_TIME, &seen, &local);
	if (!local.cancelled)
		field_copy(F_STATE, &seen, &local);
	rc = sync_existing(ikd, src, s->source_id, id, &local, state, &seen, &in, flags,
	    "same committee and day as a session it did not know yet", r, cause);
out:
	free(state);
	values_clear(&in);
	values_clear(&local);
	values_clear(&seen);
	return rc;
}

int
ris_session_gone(struct ikond *ikd, enum ris_source src, const char *source_id,
    const char *why, unsigned flags, struct ris_report *r, char **cause)
{
	struct values local, seen, in;
	sqlite3_stmt *st;
	sqlite3_int64 id, cid;
	char *state = NULL;
	size_t f;
	int rc = -1;

	memset(&local, 0, sizeof(local));
	memset(&in, 0, sizeof(in));
	switch (store_first(ikd->store, cause, &st, "SELECT session_id, seen FROM "
	    "session_source WHERE source = ? AND source_id = ?", "tt", source_names[src],
	    source_id)) {
	case -1:
		return -1;
	case 0:
		return 0;
	}
	id = sqlite3_column_int64(st, 0);
	seen_parse((const char *)sqlite3_column_text(st, 1), &seen);
	store_done(ikd->store, st);
	if (local_load(ikd, id, &local, &state, &cid, cause) != 1) {
		if (*cause == NULL)
			set_cause(cause, "session %lld is gone", (long long)id);
		goto out;
	}
	if (!local.cancelled && ((flags & RIS_KEEP_MISSING) || strcmp(state, "held") == 0)) {
		json_t *e = report_session(ikd, r, R_MISSING, source_id, id, &local, cause);

		if (e == NULL)
			goto out;
		json_object_set_new(e, "reason", json_string(why));
		rc = 0;
		goto out;
	}
	/* As if the source said what it said last, cancelled. */
	for (f = 0; f < F_COUNT; f++)
		field_copy(f, &in, seen.known[f] ? &seen : &local);
	in.cancelled = true;
	rc = sync_existing(ikd, src, source_id, id, &local, state, &seen, &in, flags, why, r,
	    cause);
out:
	free(state);
	values_clear(&local);
	values_clear(&seen);
	values_clear(&in);
	return rc;
}

static int
id_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
ris_sessions_missing(struct ikond *ikd, enum ris_source src, sqlite3_int64 committee_id,
    time_t from, time_t to, char *const *ids, size_t n, unsigned flags,
    struct ris_report *r, char **cause)
{
	char **sorted = xcalloc(n ? n : 1, sizeof(*sorted)), **gone = NULL, *key;
	sqlite3_stmt *st;
	size_t i, ngone = 0;
	int rc;

	memcpy(sorted, ids, n * sizeof(*ids));
	qsort(sorted, n, sizeof(*sorted), id_cmp);
	st = store_query(ikd->store, cause, "SELECT x.source_id FROM session_source x "
	    "JOIN session s ON s.id = x.session_id WHERE x.source = ? AND s.committee_id = ? "
	    "AND s.start_utc >= ? AND s.start_utc < ? AND s.state <> 'cancelled' "
	    "ORDER BY s.start_utc, s.id", "tiii", source_names[src], committee_id,
	    (sqlite3_int64)from, (sqlite3_int64)to);
	if (st == NULL) {
		free(sorted);
		return -1;
	}
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		key = (char *)sqlite3_column_text(st, 0);
		if (bsearch(&key, sorted, n, sizeof(*sorted), id_cmp) != NULL)
			continue;
		gone = xreallocarray(gone, ngone + 1, sizeof(*gone));
		gone[ngone++] = xstrdup(key);
	}
	store_done(ikd->store, st);
	for (i = 0; i < ngone; i++) {
		if (rc != -1 && ris_session_gone(ikd, src, gone[i], "not in the export, which "
		    "covers its date", flags, r, cause) == -1)
			rc = -1;
		free(gone[i]);
	}
	free(gone);
	free(sorted);
	return rc == -1 ? -1 : 0;
}

int
ris_add_problems(struct ikond *ikd, json_t *list, char **cause)
{
	sqlite3_stmt *st;
	char *text;
	int rc;

	if ((st = store_query(ikd->store, cause, "SELECT slug, name FROM actor WHERE email = '' "
	    "ORDER BY slug", "")) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		xasprintf(&text, "actor %s (%s) is incomplete: no e-mail address, so no reminders "
		    "(actor edit %s --email ADDRESS --reminders each)", sqlite3_column_text(st, 0),
		    sqlite3_column_text(st, 1), sqlite3_column_text(st, 0));
		json_array_append_new(list, json_string(text));
		free(text);
	}
	store_done(ikd->store, st);
	if (rc == -1 || (st = store_query(ikd->store, cause, "SELECT id, ref, title FROM "
	    "submission WHERE owner_id IS NULL AND state IN ('draft', 'submitted') ORDER BY id",
	    "")) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		xasprintf(&text, "submission %lld %s \"%s\" is incomplete: nobody is responsible "
		    "for it (submission edit %lld --owner ACTOR)",
		    (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
		    sqlite3_column_text(st, 2), (long long)sqlite3_column_int64(st, 0));
		json_array_append_new(list, json_string(text));
		free(text);
	}
	store_done(ikd->store, st);
	return rc == -1 ? -1 : 0;
}

/* --- text helpers --- */

/* A copy of s with ASCII letters and the German umlauts in lower case
 * (the same length, so offsets match the original). */
static char *
fold(const char *s)
{
	char *f = xstrdup(s);
	unsigned char *p;

	for (p = (unsigned char *)f; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (unsigned char)(*p - 'A' + 'a');
		else if (*p == 0xc3 && (p[1] == 0x84 || p[1] == 0x96 || p[1] == 0x9c)) {
			p[1] = (unsigned char)(p[1] + 0x20);	/* Ä Ö Ü -> ä ö ü */
			p++;
		}
	}
	return f;
}

static bool
is_letter(const unsigned char *p)
{
	return (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p >= 0x80;
}

static const char *const cancel_words[] = {
	"entfällt", "entfaellt", "entfallt", "abgesagt", "fällt aus", "faellt aus", "fallt aus",
	"ausgefallen", NULL,
};

/* The length of the separator that ends at s[end] (before a marker), or 0. */
static size_t
punct_before(const char *s, size_t end)
{
	if (end >= 3 && (strncmp(s + end - 3, "–", 3) == 0 || strncmp(s + end - 3, "—", 3) == 0))
		return 3;
	if (end >= 1 && s[end - 1] != '\0' && strchr(" \t:-!([*", s[end - 1]) != NULL)
		return 1;
	return 0;
}

/* The length of the separator that starts at s (after a marker), or 0. */
static size_t
punct_after(const char *s)
{
	if (strncmp(s, "–", 3) == 0 || strncmp(s, "—", 3) == 0)
		return 3;
	if (*s != '\0' && strchr(" \t:-!)]*.", *s) != NULL)
		return 1;
	return 0;
}

bool
ris_cancel_marker(const char *title, char **rest)
{
	char *f, *hit = NULL;
	size_t i, wlen = 0, n, k, from, to;
	bool found = false;

	if (rest != NULL)
		*rest = NULL;
	if (title == NULL)
		return false;
	f = fold(title);
	for (i = 0; cancel_words[i] != NULL && !found; i++) {
		for (hit = strstr(f, cancel_words[i]); hit != NULL;
		    hit = strstr(hit + 1, cancel_words[i])) {
			wlen = strlen(cancel_words[i]);
			if ((hit == f || !is_letter((unsigned char *)hit - 1)) &&
			    !is_letter((unsigned char *)hit + wlen)) {
				found = true;
				break;
			}
		}
	}
	if (rest == NULL || !found) {
		if (rest != NULL)
			*rest = ris_text_line(title, RIS_TITLE_MAX);
		free(f);
		return found;
	}
	n = strlen(f);
	from = (size_t)(hit - f);
	to = from + wlen;
	/* Only a marker at either end is cut, with its punctuation. */
	while ((k = punct_before(f, from)) > 0)
		from -= k;
	while (to < n && (k = punct_after(f + to)) > 0)
		to += k;
	if (from == 0)
		*rest = ris_text_line(title + to, RIS_TITLE_MAX);
	else if (to == n) {
		char *head = xstrndup(title, from);

		*rest = ris_text_line(head, RIS_TITLE_MAX);
		free(head);
	} else
		*rest = ris_text_line(title, RIS_TITLE_MAX);
	free(f);
	return true;
}

static bool
glob_match(const char *p, const char *s)
{
	const char *star = NULL, *back = NULL;
	size_t k;

	while (*s != '\0') {
		if (*p == '*') {
			star = ++p;
			back = s;
		} else if (*p == '?') {
			/* One character, not one byte. */
			k = utf8_sequence((const unsigned char *)s, strlen(s));
			s += k ? k : 1;
			p++;
		} else if (*p == *s) {
			p++;
			s++;
		} else if (star != NULL) {
			p = star;
			s = ++back;
		} else
			return false;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

bool
ris_pattern_match(const char *pattern, const char *title)
{
	char *p, *t;
	bool ok;

	if (pattern == NULL || title == NULL || pattern[0] == '\0')
		return false;
	p = fold(pattern);
	t = fold(title);
	if (strpbrk(p, "*?") != NULL)
		ok = glob_match(p, t);
	else
		ok = strstr(t, p) != NULL;
	free(p);
	free(t);
	return ok;
}

/* Copies at most max bytes of whole characters of text; control
 * characters become spaces (line breaks too unless keep_lines). */
static char *
clean(const char *text, size_t max, bool keep_lines)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t left, n, skip;
	struct buf b;
	char *s;

	if (text == NULL)
		return NULL;
	left = strlen(text);
	buf_init(&b);
	buf_add(&b, "", 0);
	while (left > 0) {
		if ((n = utf8_sequence(p, left)) == 0) {
			p++;
			left--;
			continue;
		}
		if (b.len + n > max)
			break;
		if (n == 1 && keep_lines && *p == '\n')
			buf_add_char(&b, '\n');
		else if (n == 1 && (*p < 0x20 || *p == 0x7f))
			buf_add_char(&b, ' ');
		else
			buf_add(&b, p, n);
		p += n;
		left -= n;
	}
	while (b.len > 0 && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '\n'))
		b.data[--b.len] = '\0';
	s = buf_steal(&b, NULL);
	skip = strspn(s, keep_lines ? " \n" : " ");
	memmove(s, s + skip, strlen(s + skip) + 1);
	if (s[0] == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

char *
ris_text_line(const char *text, size_t max)
{
	return clean(text, max, false);
}

char *
ris_text_block(const char *text, size_t max)
{
	return clean(text, max, true);
}

char *
ris_url(const char *url)
{
	const unsigned char *p;
	size_t n;

	if (url == NULL || (n = strlen(url)) > RIS_URL_MAX ||
	    (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
		return NULL;
	for (p = (const unsigned char *)url; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return NULL;
	return xstrdup(url);
}
