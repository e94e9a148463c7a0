/*
 * store: the SQLite database that holds all of ikond's state.  Only the
 * daemon opens it.  Opening applies the numbered migrations of
 * store_schema.c (PRAGMA user_version) in one transaction each; a database
 * newer than this program is refused and left untouched.
 */
#ifndef IKOND_STORE_H
#define IKOND_STORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>
#include <sqlite3.h>

struct store;

struct store *store_open(const char *path, char **cause);
void store_close(struct store *st);
/*
 * The integrity check of a file not closed cleanly may still run when
 * store_open() returns (see store.c); this waits for it: 0 if the file is
 * sound (or was not checked), -1 with *cause if it is damaged.  Every
 * commit waits for it by itself; the daemon calls it before it serves.
 */
int store_checked(struct store *st, char **cause);
/* True if the file was opened as the last clean close left it: nothing
 * wrote to it in between. */
bool store_opened_clean(const struct store *st);
/* The schema version (PRAGMA user_version), or -1 if it cannot be read. */
int store_version(struct store *st);

/*
 * Starts the copy of a large write-ahead log that a commit left (see
 * store.c) on a thread, and reaps the thread when it has ended; the main
 * loop calls it once per turn, when the work at hand is done.
 */
void store_checkpoint_behind(struct store *st);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int store_begin(struct store *st, char **cause);
/*
 * A transaction whose commit does not wait for the disk (SQLite's
 * synchronous = NORMAL until it ends): it survives a crash of ikond, but
 * a power failure may undo it until the next ordinary commit or
 * checkpoint.  Only for what can be done again: the outcomes of
 * deliveries (a mail sent again keeps its Message-ID).
 */
int store_begin_nosync(struct store *st, char **cause);
int store_commit(struct store *st, char **cause);
void store_rollback(struct store *st);

/*
 * Statements are cached by their SQL text.  Every helper below binds the
 * "?" parameters in order from a format: 'i' an sqlite3_int64, 't' a
 * string (NULL binds null), 'b' a blob (a pointer and a size_t), 'n' null
 * (no argument).  The format must bind every parameter.  Any SQLite error
 * (prepare, bind or step) gives -1 or NULL and a message in *cause; a
 * value that could be an answer (a count of 0, an empty list) is always
 * an answer.
 */

/* Runs one statement with no result rows.  Returns the number of changed
 * rows or -1. */
int store_exec(struct store *st, char **cause, const char *sql, const char *fmt, ...);
sqlite3_int64 store_last_id(struct store *st);

/* The first column of the first row of sql: 1 with *out set, 0 if there
 * is no row, -1 on error. */
int store_get_int(struct store *st, char **cause, sqlite3_int64 *out, const char *sql,
    const char *fmt, ...);
/* Likewise, *out an allocated copy of the text ("" for NULL). */
int store_get_text(struct store *st, char **cause, char **out, const char *sql,
    const char *fmt, ...);
/* Likewise, *out the first row as a JSON object (see store_row_json). */
int store_get_row(struct store *st, char **cause, json_t **out, const char *sql,
    const char *fmt, ...);
/* Likewise, *stmt left on the first row for reading several columns; end
 * it with store_done() (only when 1 was returned). */
int store_first(struct store *st, char **cause, sqlite3_stmt **stmt, const char *sql,
    const char *fmt, ...);
/* 1 if sql returns a row, 0 if not, -1 on error. */
int store_exists(struct store *st, char **cause, const char *sql, const char *fmt, ...);
/* The first column of every row as an allocated array of *n integers
 * (NULL if there are none); 0 or -1. */
int store_get_ints(struct store *st, char **cause, sqlite3_int64 **out, size_t *n,
    const char *sql, const char *fmt, ...);
/* All rows of sql as a JSON array of objects (see store_row_json), or
 * NULL on error. */
json_t *store_get_rows(struct store *st, char **cause, const char *sql, const char *fmt, ...);
/* The first column of every row as a JSON array of its values, or NULL on
 * error. */
json_t *store_get_column(struct store *st, char **cause, const char *sql, const char *fmt,
    ...);
/* Makes one JSON value of the current row of stmt; NULL with *cause stops
 * the list. */
typedef json_t *(*store_row_fn)(sqlite3_stmt *stmt, void *arg, char **cause);
/* The values row(stmt, arg, cause) makes of every row of sql, as a JSON
 * array; NULL on an error of the store or of row(). */
json_t *store_get_list(struct store *st, char **cause, store_row_fn row, void *arg,
    const char *sql, const char *fmt, ...);
json_t *store_vget_list(struct store *st, char **cause, store_row_fn row, void *arg,
    const char *sql, const char *fmt, va_list ap);

/*
 * A loop over the rows of a statement:
 *
 *	if ((stmt = store_query(st, cause, sql, "i", id)) == NULL)
 *		return -1;
 *	while ((rc = store_next(st, stmt, cause)) == 1)
 *		... sqlite3_column_*(stmt, n) ...
 *	store_done(st, stmt);
 *	if (rc == -1)
 *		return -1;
 *
 * The same SQL may be queried again inside the loop: that use gets a
 * statement of its own.  store_next() returns 1 with a row, 0 after the
 * last one, -1 on error; store_done() ends the use of the statement and
 * accepts NULL.
 */
sqlite3_stmt *store_query(struct store *st, char **cause, const char *sql, const char *fmt,
    ...);
int store_next(struct store *st, sqlite3_stmt *stmt, char **cause);
void store_done(struct store *st, sqlite3_stmt *stmt);

/* A column of the current row as an allocated string ("" for NULL). */
char *store_column_dup(sqlite3_stmt *stmt, int col);
/* The current row as a JSON object, column names as keys. */
json_t *store_row_json(sqlite3_stmt *stmt);

/* Appends to the audit log: who (peer uid) did what to which entity.
 * 0 or -1. */
int store_audit(struct store *st, char **cause, uid_t uid, const char *action,
    const char *entity, sqlite3_int64 entity_id, const char *detail);

/*
 * For filling an empty table in bulk, inside a transaction: drops the
 * table's indexes and returns the SQL that makes them again (a JSON array
 * of texts), or NULL with *cause.  store_indexes_create() runs it; a
 * rollback brings the indexes back by itself.  Sorting every entry once
 * afterwards is several times cheaper than keeping each index in order
 * row by row.
 */
json_t *store_indexes_drop(struct store *st, const char *table, char **cause);
int store_indexes_create(struct store *st, json_t *saved, char **cause);

/* Number of migrations this program knows (the newest user_version). */
int store_schema_latest(void);
/* The SQL of migration n (1-based). */
const char *store_schema_migration(int n);

#endif
