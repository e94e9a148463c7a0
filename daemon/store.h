/*
 * store: the SQLite database that holds all of ikond's state.  Only the
 * daemon opens it.  Opening applies the numbered migrations of
 * store_schema.c (PRAGMA user_version) in one transaction each; a database
 * newer than this program is refused and left untouched.
 */
#ifndef IKOND_STORE_H
#define IKOND_STORE_H

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>
#include <sqlite3.h>

struct store;

struct store *store_open(const char *path, char **cause);
void store_close(struct store *st);
sqlite3 *store_db(struct store *st);
int store_version(struct store *st);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int store_begin(struct store *st, char **cause);
int store_commit(struct store *st, char **cause);
void store_rollback(struct store *st);

/* Prepares sql (cached per store; do not finalize, call store_done). */
sqlite3_stmt *store_prepare(struct store *st, const char *sql, char **cause);
void store_done(sqlite3_stmt *stmt);
/* Runs one statement with no result rows; "?" parameters bound from the
 * format: 'i' int64, 't' text (NULL allowed), 'n' null.  Returns the number
 * of changed rows or -1. */
int store_exec(struct store *st, char **cause, const char *sql, const char *fmt, ...);
sqlite3_int64 store_last_id(struct store *st);
/* The first column of the first row of sql with one integer parameter. */
sqlite3_int64 store_count(struct store *st, const char *sql, sqlite3_int64 param);
/* A column of the current row as an allocated string ("" for NULL). */
char *store_column_dup(sqlite3_stmt *stmt, int col);
/* The current row as a JSON object, column names as keys. */
json_t *store_row_json(sqlite3_stmt *stmt);
/* All rows of sql with one integer parameter, as a JSON array of objects
 * (empty when the statement fails). */
json_t *store_rows_json(struct store *st, const char *sql, sqlite3_int64 param);
/* Message for a failed step, naming a constraint in words people know. */
int store_error(struct store *st, char **cause);

/* Appends to the audit log: who (peer uid) did what to which entity. */
int store_audit(struct store *st, uid_t uid, const char *action, const char *entity,
    sqlite3_int64 entity_id, const char *detail);

/* Number of migrations this program knows (the newest user_version). */
int store_schema_latest(void);
/* The SQL of migration n (1-based). */
const char *store_schema_migration(int n);

#endif
