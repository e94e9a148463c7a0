/*
 * entity: entities as JSON and reference resolution (see entity.h).
 */
#include "entity.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "domain.h"
#include "timefmt.h"
#include "log.h"
#include "xmalloc.h"

int
entity_parse_id(const char *what, const char *text, sqlite3_int64 *id, char **cause)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || v <= 0)
		return set_cause(cause, "\"%.40s\" is not a %s id (a positive number)", text, what);
	*id = v;
	return 0;
}

static int
id_by(struct ikond *ikd, const char *sql, const char *key, sqlite3_int64 *id)
{
	sqlite3_stmt *st = store_prepare(ikd->store, sql, NULL);
	int found = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		found = 1;
	}
	store_done(ikd->store, st);
	return found;
}

static int
id_exists(struct ikond *ikd, const char *sql, sqlite3_int64 id)
{
	sqlite3_stmt *st = store_prepare(ikd->store, sql, NULL);
	int found;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	found = sqlite3_step(st) == SQLITE_ROW;
	store_done(ikd->store, st);
	return found;
}

int
entity_committee_id(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause)
{
	if (!id_by(ikd, "SELECT id FROM committee WHERE slug = ?", slug, id))
		return set_cause(cause, "no committee \"%.48s\" (see: ikond-ctl committee list)", slug);
	return 0;
}

int
entity_actor_id(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause)
{
	if (!id_by(ikd, "SELECT id FROM actor WHERE slug = ?", slug, id))
		return set_cause(cause, "no actor \"%.48s\" (see: ikond-ctl actor list)", slug);
	return 0;
}

int
entity_session_id(struct ikond *ikd, const char *text, sqlite3_int64 *id, char **cause)
{
	if (entity_parse_id("session", text, id, cause) == -1)
		return -1;
	if (!id_exists(ikd, "SELECT 1 FROM session WHERE id = ?", *id))
		return set_cause(cause, "no session %s (see: ikond-ctl session list)", text);
	return 0;
}

int
entity_submission_id(struct ikond *ikd, const char *text, sqlite3_int64 *id, char **cause)
{
	if (entity_parse_id("submission", text, id, cause) == -1)
		return -1;
	if (!id_exists(ikd, "SELECT 1 FROM submission WHERE id = ?", *id))
		return set_cause(cause, "no submission %s (see: ikond-ctl submission list)", text);
	return 0;
}

static json_t *
one_row(struct ikond *ikd, const char *sql, sqlite3_int64 id)
{
	sqlite3_stmt *st = store_prepare(ikd->store, sql, NULL);
	json_t *obj = NULL;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		obj = store_row_json(st);
	store_done(ikd->store, st);
	return obj;
}

json_t *
entity_committee(struct ikond *ikd, sqlite3_int64 id)
{
	json_t *obj = one_row(ikd, "SELECT id, slug, name, kind, internal FROM committee "
	    "WHERE id = ?", id);

	if (obj == NULL)
		return NULL;
	json_object_set_new(obj, "kind_de", json_string(vocab_label(committee_kinds,
	    json_string_value(json_object_get(obj, "kind")))));
	json_object_set_new(obj, "internal",
	    json_boolean(json_integer_value(json_object_get(obj, "internal"))));
	return obj;
}

void
entity_session_times(struct ikond *ikd, json_t *obj)
{
	const char *tz = ikd->cfg->body_timezone;
	time_t start = (time_t)json_integer_value(json_object_get(obj, "start_utc"));
	time_t end = (time_t)json_integer_value(json_object_get(obj, "end_utc"));

	json_object_set_new(obj, "start", timefmt_iso_json(tz, start));
	json_object_set_new(obj, "end", timefmt_iso_json(tz, end));
	json_object_del(obj, "start_utc");
	json_object_del(obj, "end_utc");
}

json_t *
entity_session(struct ikond *ikd, sqlite3_int64 id)
{
	json_t *obj = one_row(ikd, "SELECT s.id, c.slug AS committee, s.title, s.start_utc, "
	    "s.end_utc, s.location, s.state, s.uid, s.sequence FROM session s "
	    "JOIN committee c ON c.id = s.committee_id WHERE s.id = ?", id);

	if (obj != NULL)
		entity_session_times(ikd, obj);
	return obj;
}

json_t *
entity_actor(struct ikond *ikd, sqlite3_int64 id)
{
	json_t *obj = one_row(ikd, "SELECT id, slug, name, email, org FROM actor WHERE id = ?", id);
	json_t *roles;
	sqlite3_stmt *st;

	if (obj == NULL)
		return NULL;
	roles = json_array();
	st = store_prepare(ikd->store, "SELECT role FROM actor_role WHERE actor_id = ? "
	    "ORDER BY role", NULL);
	if (st != NULL) {
		sqlite3_bind_int64(st, 1, id);
		while (sqlite3_step(st) == SQLITE_ROW)
			json_array_append_new(roles,
			    json_string((const char *)sqlite3_column_text(st, 0)));
		store_done(ikd->store, st);
	}
	json_object_set_new(obj, "roles", roles);
	return obj;
}

json_t *
entity_submission(struct ikond *ikd, sqlite3_int64 id)
{
	json_t *obj = one_row(ikd, "SELECT b.id, b.ref, b.title, b.kind, a.slug AS owner, "
	    "b.session_id AS session, b.state FROM submission b "
	    "JOIN actor a ON a.id = b.owner_id WHERE b.id = ?", id);

	if (obj == NULL)
		return NULL;
	json_object_set_new(obj, "kind_de", json_string(vocab_label(submission_kinds,
	    json_string_value(json_object_get(obj, "kind")))));
	return obj;
}

char *
entity_new_uid(const char *kind)
{
	unsigned char r[16];
	char *uid, hex[33];
	size_t i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		fatal("getrandom");
	for (i = 0; i < sizeof(r); i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	xasprintf(&uid, "%s-%s@ikond", kind, hex);
	return uid;
}
