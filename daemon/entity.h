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

/* Resolving typed references; the message names the bad word, or says
 * what failed in the store. */
int entity_parse_id(const char *what, const char *text, sqlite3_int64 *id, char **cause);
int entity_committee_id(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause);
int entity_actor_id(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause);
int entity_session_id(struct ikond *ikd, const char *text, sqlite3_int64 *id, char **cause);
int entity_submission_id(struct ikond *ikd, const char *text, sqlite3_int64 *id, char **cause);
/* Looking a slug up where its absence is no error: 1 with *id set, 0 if
 * there is no such row, -1 if the store fails. */
int entity_find_committee(struct ikond *ikd, const char *slug, sqlite3_int64 *id,
    char **cause);
int entity_find_actor(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause);

/*
 * Every UID ikond publishes ends in "@INSTALLATION.ikond": the id is made
 * once per database (random, kept in the table installation, so restarts
 * and restored backups keep it), and the daemon reads it at start.
 */
#define INSTALLATION_MAX	32
int entity_installation_load(struct ikond *ikd, char **cause);
/* The id (fatal if it was not loaded: a broken invariant). */
const char *entity_installation(void);

/*
 * The coordinator of a process: its owner.  A process that has none yet
 * takes the first actor with the role Koordination or Prozesskoordination
 * (and "process plan --apply" stores that actor as its owner).  1 with
 * *id set, 0 if there is none, -1 with *cause.  Drafts and the planner
 * both ask here.
 */
int entity_process_coordinator(struct ikond *ikd, sqlite3_int64 process_id, sqlite3_int64 *id,
    char **cause);

/* A new iCalendar UID: "KIND-<128 random bits>@INSTALLATION.ikond". */
char *entity_new_uid(const char *kind);

/* One entity as JSON; NULL with *cause if it does not exist or the store
 * fails. */
json_t *entity_committee(struct ikond *ikd, sqlite3_int64 id, char **cause);
json_t *entity_session(struct ikond *ikd, sqlite3_int64 id, char **cause);
json_t *entity_actor(struct ikond *ikd, sqlite3_int64 id, char **cause);
/* A submission with its Beratungen (submission.h) and "session", the one
 * that decides. */
json_t *entity_submission(struct ikond *ikd, sqlite3_int64 id, char **cause);

/* The row sql finds for id (its one parameter) as a JSON object; NULL
 * with *cause, "no WHAT ID" if there is none. */
json_t *entity_row(struct ikond *ikd, const char *what, const char *sql, sqlite3_int64 id,
    char **cause);
/* The objects one() makes for the ids in the first column of sql's rows
 * (parameters bound as in store.h), as a JSON array; NULL with *cause. */
json_t *entity_list(struct ikond *ikd, json_t *(*one)(struct ikond *, sqlite3_int64, char **),
    char **cause, const char *sql, const char *fmt, ...);

/* Sets key of obj to value; a NULL value (a read that failed) gives -1. */
int entity_attach(json_t *obj, const char *key, json_t *value);

/* The SQL of a session row's column "sources": its council information
 * systems and their ids for it, as JSON text ([{"source", "id"}, ...]). */
#define ENTITY_SESSION_SOURCES "(SELECT json_group_array(json_object('source', x.source, " \
	"'id', x.source_id)) FROM session_source x WHERE x.session_id = s.id)"

/* Turns a session row (id, committee, title, start_utc, end_utc, ...) into
 * its JSON form in place: instants become ISO strings, "sources" JSON. */
void entity_session_times(struct ikond *ikd, json_t *obj);

#endif
