/*
 * entity: reading the stored entities as JSON objects, the one shape that
 * replies, feeds, mails and drafts all start from, and resolving the names
 * people type (slugs, numeric ids) to rows.  Times are ISO 8601 with the
 * offset of the body's zone.
 */
#ifndef IKOND_ENTITY_H
#define IKOND_ENTITY_H

#include <jansson.h>
#include <sqlite3.h>

#include "ikond.h"

/* Resolving typed references; the message names the bad word. */
int entity_parse_id(const char *what, const char *text, sqlite3_int64 *id, char **cause);
int entity_committee_id(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause);
int entity_actor_id(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause);
int entity_session_id(struct ikond *ikd, const char *text, sqlite3_int64 *id, char **cause);
int entity_submission_id(struct ikond *ikd, const char *text, sqlite3_int64 *id, char **cause);

/* A new globally unique iCalendar UID: "KIND-<128 random bits>@ikond". */
char *entity_new_uid(const char *kind);

/* One entity as JSON (NULL if it does not exist). */
json_t *entity_committee(struct ikond *ikd, sqlite3_int64 id);
json_t *entity_session(struct ikond *ikd, sqlite3_int64 id);
json_t *entity_actor(struct ikond *ikd, sqlite3_int64 id);
json_t *entity_submission(struct ikond *ikd, sqlite3_int64 id);

/* Turns a session row (id, committee, title, start_utc, end_utc, ...) into
 * its JSON form in place: instants become ISO strings. */
void entity_session_times(struct ikond *ikd, json_t *obj);

#endif
