/*
 * entity: entities as JSON and reference resolution (see entity.h).
 */
#include "entity.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "domain.h"
#include "german.h"
#include "submission.h"
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

int
entity_find_committee(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause)
{
	return store_get_int(ikd->store, cause, id, "SELECT id FROM committee WHERE slug = ?",
	    "t", slug);
}

int
entity_find_actor(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause)
{
	return store_get_int(ikd->store, cause, id, "SELECT id FROM actor WHERE slug = ?", "t",
	    slug);
}

int
entity_committee_id(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause)
{
	int rc = entity_find_committee(ikd, slug, id, cause);

	if (rc == 0)
		set_cause(cause, "no committee \"%.48s\" (see: ikond-ctl committee list)", slug);
	return rc == 1 ? 0 : -1;
}

int
entity_actor_id(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause)
{
	int rc = entity_find_actor(ikd, slug, id, cause);

	if (rc == 0)
		set_cause(cause, "no actor \"%.48s\" (see: ikond-ctl actor list)", slug);
	return rc == 1 ? 0 : -1;
}

int
entity_session_id(struct ikond *ikd, const char *text, sqlite3_int64 *id, char **cause)
{
	int rc;

	if (entity_parse_id("session", text, id, cause) == -1)
		return -1;
	rc = store_exists(ikd->store, cause, "SELECT 1 FROM session WHERE id = ?", "i", *id);
	if (rc == 0)
		set_cause(cause, "no session %s (see: ikond-ctl session list)", text);
	return rc == 1 ? 0 : -1;
}

int
entity_submission_id(struct ikond *ikd, const char *text, sqlite3_int64 *id, char **cause)
{
	int rc;

	if (entity_parse_id("submission", text, id, cause) == -1)
		return -1;
	rc = store_exists(ikd->store, cause, "SELECT 1 FROM submission WHERE id = ?", "i", *id);
	if (rc == 0)
		set_cause(cause, "no submission %s (see: ikond-ctl submission list)", text);
	return rc == 1 ? 0 : -1;
}

int
entity_process_coordinator(struct ikond *ikd, sqlite3_int64 process_id, sqlite3_int64 *id,
    char **cause)
{
	int rc;

	rc = store_get_int(ikd->store, cause, id, "SELECT coalesce((SELECT owner_id FROM "
	    "process WHERE id = ?), (SELECT min(actor_id) FROM actor_role WHERE lower(role) IN "
	    "('koordination', 'prozesskoordination')), 0)", "i", process_id);
	if (rc == -1)
		return -1;
	return *id != 0;
}

json_t *
entity_row(struct ikond *ikd, const char *what, const char *sql, sqlite3_int64 id,
    char **cause)
{
	json_t *obj = NULL;

	if (store_get_row(ikd->store, cause, &obj, sql, "i", id) == 0)
		set_cause(cause, "no %s %lld", what, (long long)id);
	return obj;
}

json_t *
entity_committee(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	json_t *obj = entity_row(ikd, "committee", "SELECT id, slug, name, kind, internal "
	    "FROM committee WHERE id = ?", id, cause);

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
	if (json_is_string(json_object_get(obj, "sources")))
		json_object_set_new(obj, "sources", json_loads(json_string_value(
		    json_object_get(obj, "sources")), 0, NULL));
}

json_t *
entity_session(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	json_t *obj = entity_row(ikd, "session", "SELECT s.id, c.slug AS committee, s.title, "
	    "s.start_utc, s.end_utc, s.location, s.state, s.uid, s.sequence, s.url, "
	    "s.description, " ENTITY_SESSION_SOURCES " AS sources FROM session s "
	    "JOIN committee c ON c.id = s.committee_id WHERE s.id = ?", id, cause);

	if (obj != NULL)
		entity_session_times(ikd, obj);
	return obj;
}

json_t *
entity_actor(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	json_t *obj = entity_row(ikd, "actor", "SELECT id, slug, name, email, org, salutation, "
	    "title, family_name FROM actor WHERE id = ?", id, cause);
	json_t *roles;
	char *family, *greeting;

	if (obj == NULL)
		return NULL;
	/* How a letter or mail opens; a neutral form while salutation and
	 * family name are not recorded. */
	family = german_family_name(json_string_value(json_object_get(obj, "family_name")),
	    json_string_value(json_object_get(obj, "name")));
	greeting = german_greeting(json_string_value(json_object_get(obj, "salutation")),
	    json_string_value(json_object_get(obj, "title")), family,
	    json_string_value(json_object_get(obj, "name")));
	json_object_set_new(obj, "family_name", json_string(family));
	json_object_set_new(obj, "greeting", json_string(greeting));
	free(family);
	free(greeting);
	if ((roles = store_get_column(ikd->store, cause, "SELECT role FROM actor_role WHERE "
	    "actor_id = ? ORDER BY role", "i", id)) == NULL) {
		json_decref(obj);
		return NULL;
	}
	json_object_set_new(obj, "roles", roles);
	/* Imported without an address (OParl persons): no reminders yet. */
	json_object_set_new(obj, "incomplete", json_boolean(json_string_length(
	    json_object_get(obj, "email")) == 0));
	return obj;
}

json_t *
entity_submission(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	json_t *obj = entity_row(ikd, "submission", "SELECT b.id, b.ref, b.title, b.kind, "
	    "a.slug AS owner, b.state FROM submission b LEFT JOIN actor a ON a.id = b.owner_id "
	    "WHERE b.id = ?", id, cause);
	sqlite3_int64 session;
	int rc;

	if (obj == NULL)
		return NULL;
	json_object_set_new(obj, "kind_de", json_string(vocab_label(submission_kinds,
	    json_string_value(json_object_get(obj, "kind")))));
	if ((rc = submission_deciding_session(ikd, id, &session, cause)) == -1 ||
	    entity_attach(obj, "beratungen", submission_beratungen(ikd, id, cause)) == -1) {
		json_decref(obj);
		return NULL;
	}
	json_object_set_new(obj, "session", rc == 1 ? json_integer((json_int_t)session) :
	    json_null());
	/* Imported from a council information system: nobody is responsible yet. */
	json_object_set_new(obj, "incomplete", json_boolean(json_is_null(json_object_get(obj,
	    "owner"))));
	return obj;
}

/* What list_row() needs to make one entity of a row's id. */
struct entity_rows {
	struct ikond	 *ikd;
	json_t		*(*one)(struct ikond *, sqlite3_int64, char **);
};

static json_t *
list_row(sqlite3_stmt *st, void *arg, char **cause)
{
	struct entity_rows *er = arg;

	return er->one(er->ikd, sqlite3_column_int64(st, 0), cause);
}

json_t *
entity_list(struct ikond *ikd, json_t *(*one)(struct ikond *, sqlite3_int64, char **),
    char **cause, const char *sql, const char *fmt, ...)
{
	struct entity_rows er = { ikd, one };
	json_t *list;
	va_list ap;

	va_start(ap, fmt);
	list = store_vget_list(ikd->store, cause, list_row, &er, sql, fmt, ap);
	va_end(ap);
	return list;
}

int
entity_attach(json_t *obj, const char *key, json_t *value)
{
	if (value == NULL)
		return -1;
	json_object_set_new(obj, key, value);
	return 0;
}

/*
 * The installation's own id, read once at start: the part of every UID
 * that keeps two installations' items apart in one calendar.
 */
static char installation[INSTALLATION_MAX + 1];

int
entity_installation_load(struct ikond *ikd, char **cause)
{
	char *id;
	size_t i, n;

	switch (store_get_text(ikd->store, cause, &id, "SELECT id FROM installation LIMIT 1",
	    "")) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "the database has no installation id");
	}
	n = strlen(id);
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9')))
			break;
	if (n == 0 || n > INSTALLATION_MAX || i < n) {
		free(id);
		return set_cause(cause, "the database's installation id is not 1 to %d of "
		    "a-z and 0-9", INSTALLATION_MAX);
	}
	memcpy(installation, id, n + 1);
	free(id);
	return 0;
}

const char *
entity_installation(void)
{
	if (installation[0] == '\0')
		fatalx("the installation id was not loaded");
	return installation;
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
	xasprintf(&uid, "%s-%s@%s.ikond", kind, hex, entity_installation());
	return uid;
}
