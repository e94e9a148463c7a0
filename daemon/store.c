/*
 * store: opening, migrating and querying the SQLite database (see
 * store.h).  Statements are prepared once and cached by their SQL text, so
 * handlers can write plain SQL with bound parameters and pay no parse cost
 * per request.  A cached statement is marked in use until store_done();
 * a nested use of the same SQL (a loop that calls a function running it
 * again) gets a fresh statement that store_done() finalizes, so no use
 * resets a statement another one is still stepping.
 *
 * Opening runs an integrity check, which reads the whole file, unless the
 * file is as this daemon left it: a clean close writes the file's stamp
 * (device, inode, size, modification time) beside it, the next open
 * consumes it, and a file with another stamp, a write-ahead log left
 * behind, or no stamp (a crash, a restored backup) is checked.  On a file
 * already in WAL mode with the current schema the check runs on a thread
 * and a connection of its own while the start goes on reading
 * and building in an open transaction, which it sees nothing of; nothing
 * is committed before the check has found the file sound: every COMMIT
 * and every statement that writes outside a transaction waits for it, and
 * the daemon serves nothing before store_checked().  A file that needs a
 * migration or another journal mode is checked before anything else.
 *
 * Checkpoints: after a commit SQLite copies the write-ahead log into the
 * file once it holds 1,000 pages, in the committing call.  A commit that
 * leaves a log of over CHECKPOINT_BEHIND_PAGES (deriving every deadline
 * anew writes about 250 MB) would make its caller wait seconds for that
 * copy, and the start its first answer: such a log is copied by a thread
 * with a connection of its own, started by store_checkpoint_behind() from
 * the main loop once the work at hand is done.  Until the thread ends no
 * commit copies; readers see the same data either way.
 */
#include "store.h"

#include <sys/stat.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

#define STORE_CACHE_SIZE	256

#define STAMP_MAX		128
#define STAMP_SETTLE_NS		30000000LL	/* well over a jiffy */

#define CHECKPOINT_PAGES	1000	/* SQLite's own autocheckpoint */
#define CHECKPOINT_BEHIND_PAGES	16384	/* 64 MiB of 4 KiB pages */

struct store {
	sqlite3		*db;
	char		*path;
	bool		 in_txn;	/* between store_begin and commit or rollback */
	bool		 nosync;	/* in_txn from store_begin_nosync() */
	char		*broken;	/* why the open transaction cannot be committed */
	bool		 clean;		/* opened as the last clean close left it */
	pthread_t	 checker;	/* the integrity check beside the start */
	bool		 checking;	/* checker started and not yet joined */
	char		*damage;	/* what the check found wrong, or NULL */
	bool		 checkpoint_due;	/* a large log waits for the thread */
	pthread_t	 checkpointer;
	bool		 checkpointing;	/* checkpointer started and not yet joined */
	atomic_bool	 checkpoint_ended;
	int		 checkpoint_rc;	/* the thread's outcome, read after the join */
	int		 checkpoint_log, checkpoint_pages;
	uint64_t	 checkpoint_ms;
	struct {
		char		*sql;
		const char	*key;		/* the caller's SQL text as it was passed */
		sqlite3_stmt	*stmt;
		bool		 in_use;	/* between store_prepare and store_done */
	}		 cache[STORE_CACHE_SIZE];
	size_t		 ncache;
};

static int store_error(struct store *, char **);
static int read_version(sqlite3 *, int *, char **);

static int
exec_script(sqlite3 *db, const char *sql, char **cause)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		set_cause(cause, "%s", err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/*
 * PRAGMA quick_check reports damage as result rows, not as an error: the
 * first row is "ok" for a sound file, else the first problem found.
 */
static int
check_sound(sqlite3 *db, char **cause)
{
	sqlite3_stmt *st;
	const char *first;
	char *p;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK)
		return set_cause(cause, "%s", sqlite3_errmsg(db));
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		set_cause(cause, "%s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	first = (const char *)sqlite3_column_text(st, 0);
	if (first == NULL || strcmp(first, "ok") != 0) {
		set_cause(cause, "%.200s", first ? first : "no answer from quick_check");
		if (cause != NULL)
			for (p = *cause; *p != '\0'; p++)
				if (*p == '\n')
					*p = ' ';
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/*
 * The check on a connection of its own; st->damage says what it found.
 * The connection may write, though the check does not: on a read-only one
 * SQLite leaves out the rows' NOT NULL and CHECK constraints.
 */
static void *
check_main(void *arg)
{
	struct store *st = arg;
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(st->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		st->damage = xstrdup(db ? sqlite3_errmsg(db) : "cannot open it");
	} else {
		sqlite3_busy_timeout(db, 5000);
		check_sound(db, &st->damage);
	}
	sqlite3_close(db);
	return NULL;
}

/*
 * 1 if the check may run beside the start: the file is in WAL mode, so
 * the start's open transaction writes nothing into it, and needs no
 * migration; 0 if it must run first, -1 if the file cannot be read.
 */
static int
check_beside(sqlite3 *db, char **cause)
{
	sqlite3_stmt *st;
	int version, rc;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
		return set_cause(cause, "%s", sqlite3_errmsg(db));
	if (sqlite3_step(st) != SQLITE_ROW) {
		set_cause(cause, "%s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	rc = strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	if (rc == 1 && read_version(db, &version, cause) == -1)
		return -1;
	return rc == 1 && version == store_schema_latest();
}

/* The stamp of a file as text; false if it has none. */
static bool
stamp_of(const char *path, char out[STAMP_MAX])
{
	struct stat sb;

	if (stat(path, &sb) == -1)
		return false;
	snprintf(out, STAMP_MAX, "%ju %ju %jd %jd.%09ld\n", (uintmax_t)sb.st_dev,
	    (uintmax_t)sb.st_ino, (intmax_t)sb.st_size, (intmax_t)sb.st_mtim.tv_sec,
	    sb.st_mtim.tv_nsec);
	return true;
}

/* True if the file is as a clean close left it; the stamp is used up. */
static bool
closed_cleanly(const char *path)
{
	char *stamp, *wal, want[STAMP_MAX], have[STAMP_MAX];
	struct stat sb;
	ssize_t n = -1;
	bool ok;
	FILE *f;

	xasprintf(&stamp, "%s-clean", path);
	xasprintf(&wal, "%s-wal", path);
	if ((f = fopen(stamp, "re")) != NULL) {
		n = (ssize_t)fread(want, 1, sizeof(want) - 1, f);
		want[n] = '\0';
		fclose(f);
		unlink(stamp);
	}
	ok = n > 0 && stamp_of(path, have) && strcmp(want, have) == 0 &&
	    (stat(wal, &sb) == -1 || sb.st_size == 0);
	free(stamp);
	free(wal);
	return ok;
}

/*
 * File times come from a clock that ticks in jiffies: a write right after
 * this one could keep the same time.  Waiting until the clock is well past
 * the file's time makes any later write show.
 */
static void
stamp_write(const char *path)
{
	struct timespec now, wait = { 0, 0 };
	struct stat sb;
	char *stamp, text[STAMP_MAX];
	long long ns;
	FILE *f;

	if (stat(path, &sb) == -1)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	ns = (long long)(now.tv_sec - sb.st_mtim.tv_sec) * 1000000000LL + now.tv_nsec -
	    sb.st_mtim.tv_nsec;
	if (ns < STAMP_SETTLE_NS) {
		wait.tv_nsec = (long)(STAMP_SETTLE_NS - (ns < 0 ? 0 : ns));
		nanosleep(&wait, NULL);
	}
	if (!stamp_of(path, text))
		return;
	xasprintf(&stamp, "%s-clean", path);
	if ((f = fopen(stamp, "we")) != NULL) {
		if (fputs(text, f) == EOF)
			unlink(stamp);
		if (fclose(f) == EOF)
			unlink(stamp);
	}
	free(stamp);
}

static int
read_version(sqlite3 *db, int *version, char **cause)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return set_cause(cause, "%s", sqlite3_errmsg(db));
	if (sqlite3_step(st) != SQLITE_ROW) {
		set_cause(cause, "%s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int
refuse_newer(sqlite3 *db, const char *path, char **cause)
{
	int version, latest = store_schema_latest();

	if (read_version(db, &version, cause) == -1)
		return -1;
	if (version > latest)
		return set_cause(cause, "%s has schema version %d, but this ikond only knows "
		    "versions up to %d; it was written by a newer ikond and is left as it is",
		    path, version, latest);
	return 0;
}

/*
 * Rows that break a foreign key, which a migration that rebuilds a table
 * must not leave behind: 0 if there are none, else -1 naming the first.
 */
static int
check_foreign_keys(sqlite3 *db, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
		return set_cause(cause, "%s", sqlite3_errmsg(db));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		set_cause(cause, "row %lld of %s refers to a missing row of %s",
		    (long long)sqlite3_column_int64(st, 1), sqlite3_column_text(st, 0),
		    sqlite3_column_text(st, 2));
	else if (rc != SQLITE_DONE)
		set_cause(cause, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Each migration runs in a transaction of its own with foreign keys off,
 * so that one may rebuild a table (create, copy, drop, rename) without the
 * drop deleting the rows that refer to it; what it leaves must pass the
 * foreign key check before it commits.
 */
static int
migrate(sqlite3 *db, const char *path, char **cause)
{
	int version, n, rc = 0, latest = store_schema_latest();
	char *sql, *why = NULL;

	if (read_version(db, &version, cause) == -1)
		return -1;
	if (version == latest)
		return 0;
	if (exec_script(db, "PRAGMA foreign_keys = OFF;", cause) == -1)
		return -1;
	for (n = version + 1; n <= latest && rc == 0; n++) {
		xasprintf(&sql, "BEGIN IMMEDIATE; %s PRAGMA user_version = %d;",
		    store_schema_migration(n), n);
		if (exec_script(db, sql, &why) == -1 || check_foreign_keys(db, &why) == -1 ||
		    exec_script(db, "COMMIT;", &why) == -1) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			set_cause(cause, "%s: migration to schema version %d failed: %s", path, n, why);
			free(why);
			rc = -1;
		}
		free(sql);
	}
	if (exec_script(db, "PRAGMA foreign_keys = ON;", rc == 0 ? cause : NULL) == -1)
		rc = -1;
	return rc;
}

/* After each commit: copy a small log now, leave a large one to the thread. */
static int
wal_committed(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store *st = arg;

	if (st->checkpointing || st->checkpoint_due || pages < CHECKPOINT_PAGES)
		return SQLITE_OK;
	if (pages >= CHECKPOINT_BEHIND_PAGES)
		st->checkpoint_due = true;
	else
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

static uint64_t
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (uint64_t)((t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

static void *
checkpoint_main(void *arg)
{
	struct store *st = arg;
	struct timespec t0;
	sqlite3 *db = NULL;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	st->checkpoint_rc = sqlite3_open_v2(st->path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	/* A connection finds the log when it first reads the file. */
	if (st->checkpoint_rc == SQLITE_OK)
		st->checkpoint_rc = sqlite3_exec(db, "PRAGMA schema_version", NULL, NULL,
		    NULL);
	if (st->checkpoint_rc == SQLITE_OK)
		st->checkpoint_rc = sqlite3_wal_checkpoint_v2(db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &st->checkpoint_log,
		    &st->checkpoint_pages);
	sqlite3_close(db);
	st->checkpoint_ms = elapsed_ms(&t0);
	atomic_store(&st->checkpoint_ended, true);
	return NULL;
}

static void
checkpoint_join(struct store *st)
{
	pthread_join(st->checkpointer, NULL);
	st->checkpointing = false;
	if (st->checkpoint_rc == SQLITE_OK)
		log_debug("store: copied %d of the write-ahead log's %d page(s) in %llu ms",
		    st->checkpoint_pages, st->checkpoint_log,
		    (unsigned long long)st->checkpoint_ms);
	else
		log_warnx("store: copying the write-ahead log failed: %s; the next "
		    "commit tries again", sqlite3_errstr(st->checkpoint_rc));
}

void
store_checkpoint_behind(struct store *st)
{
	if (st->checkpointing && atomic_load(&st->checkpoint_ended))
		checkpoint_join(st);
	if (!st->checkpoint_due || st->checkpointing)
		return;
	st->checkpoint_due = false;
	atomic_store(&st->checkpoint_ended, false);
	if (pthread_create(&st->checkpointer, NULL, checkpoint_main, st) == 0)
		st->checkpointing = true;
	else
		sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
		    NULL);
}

struct store *
store_open(const char *path, char **cause)
{
	struct store *st;
	sqlite3 *db = NULL;
	char *why = NULL;
	bool clean;
	int rc, beside = 0, before = 0, after = 0;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		set_cause(cause, "%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	sqlite3_extended_result_codes(db, 1);
	st = xcalloc(1, sizeof(*st));
	st->db = db;
	st->path = xstrdup(path);
	/* The integrity check refuses a damaged file before anything writes to it. */
	clean = closed_cleanly(path);
	if (!clean && (beside = check_beside(db, NULL)) == 1) {
		if (pthread_create(&st->checker, NULL, check_main, st) == 0)
			st->checking = true;
		else
			beside = 0;
	}
	if (!clean && beside != 1 && check_sound(db, &st->damage) == -1) {
		store_checked(st, cause);
		goto fail;
	}
	/* A newer schema is refused before anything (even WAL mode) touches the file. */
	if (refuse_newer(db, path, cause) == -1 ||
	    exec_script(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	    " PRAGMA foreign_keys = ON;", &why) == -1) {
		if (why != NULL)
			set_cause(cause, "%s: %s", path, why);
		free(why);
		goto fail;
	}
	/* A migration writes too: the file is then no longer as it was left. */
	if (clean && read_version(db, &before, NULL) == -1)
		clean = false;
	if (migrate(db, path, cause) == -1)
		goto fail;
	if (clean && (read_version(db, &after, NULL) == -1 || after != before))
		clean = false;
	st->clean = clean;
	sqlite3_wal_hook(db, wal_committed, st);
	return st;
fail:
	if (st->checking)
		pthread_join(st->checker, NULL);
	sqlite3_close(db);
	free(st->damage);
	free(st->path);
	free(st);
	return NULL;
}

int
store_checked(struct store *st, char **cause)
{
	if (st->checking) {
		pthread_join(st->checker, NULL);
		st->checking = false;
	}
	if (st->damage != NULL)
		return set_cause(cause, "%s is damaged and was left as it is (%s); restore it "
		    "from a backup", st->path, st->damage);
	return 0;
}

bool
store_opened_clean(const struct store *st)
{
	return st->clean;
}

void
store_close(struct store *st)
{
	size_t i;
	bool damaged;

	if (st == NULL)
		return;
	if (st->checkpointing)
		checkpoint_join(st);
	for (i = 0; i < st->ncache; i++) {
		sqlite3_finalize(st->cache[i].stmt);
		free(st->cache[i].sql);
	}
	/* A file the check found damaged gets no stamp: the next start checks it again. */
	damaged = store_checked(st, NULL) == -1;
	if (sqlite3_close(st->db) == SQLITE_OK && !damaged)
		stamp_write(st->path);
	free(st->damage);
	free(st->path);
	free(st->broken);
	free(st);
}

int
store_version(struct store *st)
{
	int v = -1;

	if (read_version(st->db, &v, NULL) == -1)
		return -1;
	return v;
}

/* After a store_begin_nosync() transaction: back to waiting for the disk. */
static void
sync_again(struct store *st)
{
	if (!st->nosync)
		return;
	if (sqlite3_exec(st->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK)
		fatalx("store: cannot switch back to synchronous commits: %s",
		    sqlite3_errmsg(st->db));
	st->nosync = false;
}

int
store_begin(struct store *st, char **cause)
{
	free(st->broken);
	st->broken = NULL;
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(st, cause);
	st->in_txn = true;
	return 0;
}

int
store_begin_nosync(struct store *st, char **cause)
{
	/* SQLite refuses to change the level inside a transaction. */
	if (sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(st, cause);
	st->nosync = true;
	if (store_begin(st, cause) == -1) {
		sync_again(st);
		return -1;
	}
	return 0;
}

/* The words for a failure that is the database's, not the request's; NULL otherwise. */
static const char *
fault_text(int ext)
{
	switch (ext & 0xff) {
	case SQLITE_FULL:
		return "database: disk full";
	case SQLITE_READONLY:
		return "database is read-only";
	case SQLITE_IOERR:
		return "database: cannot read or write the file";
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return "database is busy";
	case SQLITE_NOMEM:
		return "database: out of memory";
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return "database is damaged";
	case SQLITE_CANTOPEN:
		return "database: cannot open a file it needs";
	default:
		return NULL;
	}
}

/*
 * True if the open transaction is lost: SQLite rolled it back by itself
 * (it may after SQLITE_FULL, SQLITE_IOERR or SQLITE_BUSY), or a statement
 * failed for a reason that is no fault of the request.  Nothing more may
 * run in it: in autocommit mode every later statement would be committed
 * on its own, and half an import or plan would stay behind.
 */
static bool
txn_lost(struct store *st)
{
	const char *fault;

	if (!st->in_txn)
		return false;
	if (st->broken == NULL && sqlite3_get_autocommit(st->db)) {
		fault = fault_text(sqlite3_extended_errcode(st->db));
		xasprintf(&st->broken, "%s%sthe database rolled the transaction back",
		    fault ? fault : "", fault ? ": " : "");
	}
	return st->broken != NULL;
}

int
store_commit(struct store *st, char **cause)
{
	if (store_checked(st, cause) == -1) {
		store_rollback(st);
		return -1;
	}
	if (txn_lost(st)) {
		set_cause(cause, "%s, nothing was changed", st->broken);
		store_rollback(st);
		return -1;
	}
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_error(st, cause);
		store_rollback(st);
		return -1;
	}
	st->in_txn = false;
	sync_again(st);
	return 0;
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_txn = false;
	sync_again(st);
	free(st->broken);
	st->broken = NULL;
}

static sqlite3_stmt *
store_prepare(struct store *st, const char *sql, char **cause)
{
	sqlite3_stmt *stmt;
	size_t i;

	if (txn_lost(st)) {
		set_cause(cause, "%s, nothing was changed", st->broken);
		return NULL;
	}
	/* SQL text is mostly a literal of the source: its address finds it
	 * (and the text confirms it: a freed buffer's address comes again). */
	for (i = 0; i < st->ncache; i++)
		if (st->cache[i].key == sql && strcmp(st->cache[i].sql, sql) == 0)
			break;
	if (i == st->ncache)
		for (i = 0; i < st->ncache; i++)
			if (strcmp(st->cache[i].sql, sql) == 0)
				break;
	if (i < st->ncache && !st->cache[i].in_use) {
		st->cache[i].in_use = true;
		return st->cache[i].stmt;
	}
	/* A statement still in use is left alone: this use gets its own. */
	if (sqlite3_prepare_v3(st->db, sql, -1, i < st->ncache ? 0 :
	    SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK) {
		set_cause(cause, "database: %s", sqlite3_errmsg(st->db));
		return NULL;
	}
	if (i < st->ncache)
		return stmt;
	/* SQL text is fixed in the source, so the set of statements is bounded. */
	if (st->ncache == STORE_CACHE_SIZE)
		fatalx("store: more than %d distinct statements", STORE_CACHE_SIZE);
	st->cache[st->ncache].sql = xstrdup(sql);
	st->cache[st->ncache].key = sql;
	st->cache[st->ncache].stmt = stmt;
	st->cache[st->ncache].in_use = true;
	st->ncache++;
	return stmt;
}

void
store_done(struct store *st, sqlite3_stmt *stmt)
{
	size_t i;

	if (stmt == NULL)
		return;
	for (i = 0; i < st->ncache; i++) {
		if (st->cache[i].stmt == stmt) {
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			st->cache[i].in_use = false;
			return;
		}
	}
	sqlite3_finalize(stmt);
}

/* Message for a failed statement, naming a constraint in words people know. */
static int
store_error(struct store *st, char **cause)
{
	int ext = sqlite3_extended_errcode(st->db);
	const char *msg = sqlite3_errmsg(st->db), *fault = fault_text(ext);

	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return set_cause(cause, "already exists (%s)", msg);
	if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
		return set_cause(cause, "still referenced by other data");
	if (fault == NULL)
		return set_cause(cause, "database: %s", msg);
	/* The transaction is lost with it: store_commit() refuses. */
	if (st->in_txn && st->broken == NULL)
		xasprintf(&st->broken, "%s (%s)", fault, msg);
	return set_cause(cause, "%s (%s), nothing was changed", fault, msg);
}

/*
 * Binds the parameters of stmt from fmt (see store.h); texts and blobs
 * are copied unless how is SQLITE_STATIC, for a statement that is done
 * before its caller returns.
 */
static int
bind_values(struct store *st, sqlite3_stmt *stmt, char **cause, const char *fmt, va_list ap,
    sqlite3_destructor_type how)
{
	const char *s;
	const void *blob;
	size_t len;
	int i, n = sqlite3_bind_parameter_count(stmt), rc;

	if ((size_t)n != strlen(fmt))
		return set_cause(cause, "database: the statement has %d parameter(s), the format "
		    "binds %zu", n, strlen(fmt));
	for (i = 0; i < n; i++) {
		switch (fmt[i]) {
		case 'i':
			rc = sqlite3_bind_int64(stmt, i + 1, va_arg(ap, sqlite3_int64));
			break;
		case 't':
			s = va_arg(ap, const char *);
			if (s == NULL)
				rc = sqlite3_bind_null(stmt, i + 1);
			else
				rc = sqlite3_bind_text(stmt, i + 1, s, -1, how);
			break;
		case 'b':
			blob = va_arg(ap, const void *);
			len = va_arg(ap, size_t);
			rc = sqlite3_bind_blob64(stmt, i + 1, blob, len, how);
			break;
		case 'n':
			rc = sqlite3_bind_null(stmt, i + 1);
			break;
		default:
			return set_cause(cause, "database: bad format character '%c'", fmt[i]);
		}
		if (rc != SQLITE_OK)
			return store_error(st, cause);
	}
	return 0;
}

static sqlite3_stmt *
bound(struct store *st, char **cause, const char *sql, const char *fmt, va_list ap,
    sqlite3_destructor_type how)
{
	sqlite3_stmt *stmt;

	if ((stmt = store_prepare(st, sql, cause)) == NULL)
		return NULL;
	/* Outside a transaction a write is committed at once: not before the check. */
	if (st->checking && !st->in_txn && !sqlite3_stmt_readonly(stmt) &&
	    store_checked(st, cause) == -1) {
		store_done(st, stmt);
		return NULL;
	}
	if (bind_values(st, stmt, cause, fmt, ap, how) == -1) {
		store_done(st, stmt);
		return NULL;
	}
	return stmt;
}

static sqlite3_stmt *
store_vquery(struct store *st, char **cause, const char *sql, const char *fmt, va_list ap)
{
	return bound(st, cause, sql, fmt, ap, SQLITE_TRANSIENT);
}

sqlite3_stmt *
store_query(struct store *st, char **cause, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *stmt;
	va_list ap;

	va_start(ap, fmt);
	stmt = store_vquery(st, cause, sql, fmt, ap);
	va_end(ap);
	return stmt;
}

int
store_next(struct store *st, sqlite3_stmt *stmt, char **cause)
{
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		return 1;
	case SQLITE_DONE:
		return 0;
	default:
		return store_error(st, cause);
	}
}

int
store_exec(struct store *st, char **cause, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *stmt;
	va_list ap;
	int rc;

	/* Stepped and reset before this returns: the caller's texts need no copy. */
	va_start(ap, fmt);
	stmt = bound(st, cause, sql, fmt, ap, SQLITE_STATIC);
	va_end(ap);
	if (stmt == NULL)
		return -1;
	rc = store_next(st, stmt, cause);
	store_done(st, stmt);
	if (rc == -1)
		return -1;
	return sqlite3_changes(st->db);
}

json_t *
store_indexes_drop(struct store *st, const char *table, char **cause)
{
	json_t *rows, *row, *saved;
	char *sql;
	size_t i;
	int rc = 0;

	if ((rows = store_get_rows(st, cause, "SELECT name, sql FROM sqlite_master WHERE "
	    "type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name", "t",
	    table)) == NULL)
		return NULL;
	saved = json_array();
	json_array_foreach(rows, i, row) {
		/* Index names come from the schema, not from a client. */
		xasprintf(&sql, "DROP INDEX \"%s\"", json_string_value(json_object_get(row,
		    "name")));
		rc = exec_script(st->db, sql, cause);
		free(sql);
		if (rc == -1)
			break;
		json_array_append(saved, json_object_get(row, "sql"));
	}
	json_decref(rows);
	if (rc == -1) {
		json_decref(saved);
		return NULL;
	}
	return saved;
}

int
store_indexes_create(struct store *st, json_t *saved, char **cause)
{
	json_t *sql;
	size_t i;

	json_array_foreach(saved, i, sql)
		if (exec_script(st->db, json_string_value(sql), cause) == -1)
			return -1;
	return 0;
}

sqlite3_int64
store_last_id(struct store *st)
{
	return sqlite3_last_insert_rowid(st->db);
}

/* The first row of a query: 1 (*stmt left on the row for the caller to
 * read and end with store_done), 0 no row, -1 error (both ended here). */
static int
vfirst(struct store *st, char **cause, sqlite3_stmt **stmt, const char *sql, const char *fmt,
    va_list ap)
{
	int rc;

	if ((*stmt = store_vquery(st, cause, sql, fmt, ap)) == NULL)
		return -1;
	if ((rc = store_next(st, *stmt, cause)) != 1) {
		store_done(st, *stmt);
		*stmt = NULL;
	}
	return rc;
}

int
store_get_int(struct store *st, char **cause, sqlite3_int64 *out, const char *sql,
    const char *fmt, ...)
{
	sqlite3_stmt *stmt;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfirst(st, cause, &stmt, sql, fmt, ap);
	va_end(ap);
	if (rc == 1) {
		*out = sqlite3_column_int64(stmt, 0);
		store_done(st, stmt);
	}
	return rc;
}

int
store_get_text(struct store *st, char **cause, char **out, const char *sql, const char *fmt,
    ...)
{
	sqlite3_stmt *stmt;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfirst(st, cause, &stmt, sql, fmt, ap);
	va_end(ap);
	if (rc == 1) {
		*out = store_column_dup(stmt, 0);
		store_done(st, stmt);
	}
	return rc;
}

int
store_get_row(struct store *st, char **cause, json_t **out, const char *sql, const char *fmt,
    ...)
{
	sqlite3_stmt *stmt;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfirst(st, cause, &stmt, sql, fmt, ap);
	va_end(ap);
	if (rc == 1) {
		*out = store_row_json(stmt);
		store_done(st, stmt);
	}
	return rc;
}

int
store_first(struct store *st, char **cause, sqlite3_stmt **stmt, const char *sql,
    const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfirst(st, cause, stmt, sql, fmt, ap);
	va_end(ap);
	return rc;
}

int
store_exists(struct store *st, char **cause, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *stmt;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfirst(st, cause, &stmt, sql, fmt, ap);
	va_end(ap);
	if (rc == 1)
		store_done(st, stmt);
	return rc;
}

int
store_get_ints(struct store *st, char **cause, sqlite3_int64 **out, size_t *n,
    const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *stmt;
	va_list ap;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	va_start(ap, fmt);
	stmt = store_vquery(st, cause, sql, fmt, ap);
	va_end(ap);
	if (stmt == NULL)
		return -1;
	while ((rc = store_next(st, stmt, cause)) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xreallocarray(*out, cap, sizeof(**out));
		}
		(*out)[(*n)++] = sqlite3_column_int64(stmt, 0);
	}
	store_done(st, stmt);
	if (rc == -1) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

char *
store_column_dup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *s = sqlite3_column_text(stmt, col);

	return xstrdup(s ? (const char *)s : "");
}

/* Column i of the current row as a JSON value. */
static json_t *
column_json(sqlite3_stmt *stmt, int i)
{
	switch (sqlite3_column_type(stmt, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(stmt, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(stmt, i));
	case SQLITE_NULL:
		return json_null();
	default:
		return json_string((const char *)sqlite3_column_text(stmt, i));
	}
}

json_t *
store_row_json(sqlite3_stmt *stmt)
{
	json_t *obj = json_object();
	int i, n = sqlite3_column_count(stmt);

	for (i = 0; i < n; i++)
		json_object_set_new(obj, sqlite3_column_name(stmt, i), column_json(stmt, i));
	return obj;
}

json_t *
store_vget_list(struct store *st, char **cause, store_row_fn row, void *arg, const char *sql,
    const char *fmt, va_list ap)
{
	sqlite3_stmt *stmt;
	json_t *list, *v;
	int rc;

	if ((stmt = store_vquery(st, cause, sql, fmt, ap)) == NULL)
		return NULL;
	list = json_array();
	while ((rc = store_next(st, stmt, cause)) == 1) {
		if ((v = row(stmt, arg, cause)) == NULL) {
			rc = -1;
			break;
		}
		json_array_append_new(list, v);
	}
	store_done(st, stmt);
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

json_t *
store_get_list(struct store *st, char **cause, store_row_fn row, void *arg, const char *sql,
    const char *fmt, ...)
{
	json_t *list;
	va_list ap;

	va_start(ap, fmt);
	list = store_vget_list(st, cause, row, arg, sql, fmt, ap);
	va_end(ap);
	return list;
}

static json_t *
row_object(sqlite3_stmt *stmt, void *arg, char **cause)
{
	(void)arg;
	(void)cause;
	return store_row_json(stmt);
}

json_t *
store_get_rows(struct store *st, char **cause, const char *sql, const char *fmt, ...)
{
	json_t *list;
	va_list ap;

	va_start(ap, fmt);
	list = store_vget_list(st, cause, row_object, NULL, sql, fmt, ap);
	va_end(ap);
	return list;
}

static json_t *
row_first_column(sqlite3_stmt *stmt, void *arg, char **cause)
{
	json_t *v;

	(void)arg;
	if ((v = column_json(stmt, 0)) == NULL)
		set_cause(cause, "database: stored text is not valid UTF-8");
	return v;
}

json_t *
store_get_column(struct store *st, char **cause, const char *sql, const char *fmt, ...)
{
	json_t *list;
	va_list ap;

	va_start(ap, fmt);
	list = store_vget_list(st, cause, row_first_column, NULL, sql, fmt, ap);
	va_end(ap);
	return list;
}

int
store_audit(struct store *st, char **cause, uid_t uid, const char *action, const char *entity,
    sqlite3_int64 entity_id, const char *detail)
{
	return store_exec(st, cause,
	    "INSERT INTO audit (at, uid, action, entity, entity_id, detail) "
	    "VALUES (?, ?, ?, ?, ?, ?)", "iittit",
	    (sqlite3_int64)time(NULL), (sqlite3_int64)uid, action, entity, entity_id,
	    detail ? detail : "") < 0 ? -1 : 0;
}
