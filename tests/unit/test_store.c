/*
 * test_store: opening and migrating the database: a fresh file, an older
 * schema with data in it, a newer schema (refused, file untouched), a
 * corrupt file (refused, untouched), and the constraints that keep the
 * data consistent; the query helpers, which fail on every SQLite error,
 * and nested uses of one cached statement; a commit that leaves a large
 * write-ahead log returns before the log is copied into the file, and the
 * copy follows on a thread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"

static char dir[64], path[96];

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/ikond-test-store-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ikond.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static char *
slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	char *data;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	data = malloc(*len + 1);
	assert_int_equal(fread(data, 1, *len, f), *len);
	fclose(f);
	return data;
}

/* The integer sql answers; fails the test on an error or no row. */
static sqlite3_int64
get_int(struct store *st, const char *sql)
{
	sqlite3_int64 n = -1;
	char *cause = NULL;

	if (store_get_int(st, &cause, &n, sql, "") != 1)
		fail_msg("%s: %s", sql, cause ? cause : "no row");
	return n;
}

static void
test_fresh(void **state)
{
	struct store *st;
	char *cause = NULL;

	(void)state;
	st = store_open(path, &cause);
	assert_non_null(st);
	assert_int_equal(store_version(st), store_schema_latest());
	assert_int_equal(store_exec(st, &cause, "INSERT INTO committee (slug, name, kind, "
	    "created_at, updated_at) VALUES ('kt', 'Kreistag', 'kreistag', 1, 1)", ""), 1);
	store_close(st);
	/* Opening again migrates nothing and keeps the row. */
	st = store_open(path, &cause);
	assert_non_null(st);
	assert_int_equal(get_int(st, "SELECT count(*) FROM committee"), 1);
	store_close(st);
}

static void
test_older_schema_is_migrated(void **state)
{
	struct store *st;
	sqlite3 *db;
	char *cause = NULL;

	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, store_schema_migration(1), NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 1;"
	    "INSERT INTO committee (slug, name, kind, created_at, updated_at) "
	    "VALUES ('ia', 'Integrationsausschuss', 'fachausschuss', 1, 1);", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	st = store_open(path, &cause);
	if (st == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_version(st), store_schema_latest());
	assert_int_equal(get_int(st, "SELECT count(*) FROM committee WHERE slug = 'ia' "
	    "AND id = 1"), 1);
	/* The later migrations' tables exist. */
	assert_int_equal(get_int(st, "SELECT count(*) FROM deadline"), 0);
	store_close(st);
}

/*
 * A database of schema version 6, where a submission named its one
 * session: every submission becomes one with one Beratung (role
 * entscheidung) in that session, and every deadline row stays, with its
 * id, date and sequence.
 */
static void
test_submissions_become_beratungen(void **state)
{
	static const char *const rows =
	    "INSERT INTO committee (id, slug, name, kind, created_at, updated_at) VALUES "
	    "  (1, 'ia', 'Integrationsausschuss', 'fachausschuss', 1, 1),"
	    "  (2, 'kt', 'Kreistag', 'kreistag', 1, 1);"
	    "INSERT INTO session (id, committee_id, title, start_utc, end_utc, uid, created_at,"
	    "  updated_at) VALUES (1, 1, 'IA', 1800000000, 1800010000, 's1', 1, 1),"
	    "  (2, 2, 'KT', 1810000000, 1810010000, 's2', 1, 1);"
	    "INSERT INTO actor (id, slug, name, email, created_at, updated_at) VALUES"
	    "  (1, 'bb', 'Bildungsbüro', 'bb@example.org', 1, 1);"
	    "INSERT INTO submission (id, ref, title, kind, owner_id, session_id, state,"
	    "  created_at, updated_at) VALUES"
	    "  (7, 'V/1', 'Start', 'verwaltungsvorlage', 1, 1, 'draft', 1, 1),"
	    "  (9, 'V/2', 'Beschluss', 'beschlussvorlage', 1, 2, 'submitted', 1, 1);"
	    "INSERT INTO deadline (id, session_id, submission_id, kind, rule, due_date,"
	    "  explanation, derivation, sequence, updated_at) VALUES"
	    "  (3, 1, NULL, 'ladungsfrist', '-7d earlier', '2027-01-08', 'e', '{}', 0, 1),"
	    "  (4, 1, 7, 'verwaltungsvorlage', '-21d earlier', '2026-12-24', 'e', '{}', 2, 1),"
	    "  (5, 2, 9, 'beschlussvorlage', '-21d earlier', '2027-04-01', 'e', '{}', 0, 1);"
	    "INSERT INTO process (id, slug, name, created_at, updated_at) VALUES"
	    "  (1, 'ik', 'IK', 1, 1);"
	    "INSERT INTO process_step (id, process_id, n, title, uid, created_at, updated_at)"
	    "  VALUES (1, 1, 10, 'Beschluss', 'st', 1, 1);"
	    "INSERT INTO process_link (step_id, role, session_id, submission_id,"
	    "  planned_start_utc) VALUES (1, 'kreistag', 2, 9, 1810000000);"
	    "INSERT INTO measure (process_id, title, owner_id, budget_cents, uid, created_at,"
	    "  updated_at) VALUES (1, 'M', 1, 1250000, 'm', 1, 1);";
	struct store *st;
	sqlite3 *db;
	const char *sql;
	char *cause = NULL;
	int n;

	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (n = 1; n <= 6; n++)
		assert_int_equal(sqlite3_exec(db, store_schema_migration(n), NULL, NULL, NULL),
		    SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = ON; PRAGMA user_version = 6;",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, rows, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	st = store_open(path, &cause);
	if (st == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_version(st), store_schema_latest());
	assert_int_equal(get_int(st, "SELECT count(*) FROM submission"), 2);
	assert_int_equal(get_int(st, "SELECT count(*) FROM beratung"), 2);
	assert_int_equal(get_int(st, "SELECT count(*) FROM beratung WHERE submission_id = 7 "
	    "AND session_id = 1 AND role = 'entscheidung'"), 1);
	assert_int_equal(get_int(st, "SELECT count(*) FROM beratung WHERE submission_id = 9 "
	    "AND session_id = 2 AND role = 'entscheidung'"), 1);
	/* Every deadline kept: the rebuild of submission cascaded nothing. */
	assert_int_equal(get_int(st, "SELECT count(*) FROM deadline"), 3);
	/* Their words moved to one text per rule and anchor (14). */
	assert_int_equal(get_int(st, "SELECT count(*) FROM deadline_text"), 2);
	assert_int_equal(get_int(st, "SELECT count(*) FROM deadline d JOIN deadline_text t ON "
	    "t.id = d.text_id AND t.rule = d.rule WHERE t.explanation = 'e' AND "
	    "t.derivation = '{}'"), 3);
	assert_int_equal(get_int(st, "SELECT count(*) FROM deadline WHERE id = 4 AND "
	    "submission_id = 7 AND session_id = 1 AND due_date = '2026-12-24' AND "
	    "sequence = 2"), 1);
	assert_int_equal(get_int(st, "SELECT count(*) FROM deadline WHERE id = 5 AND "
	    "submission_id = 9 AND due_date = '2027-04-01'"), 1);
	assert_int_equal(get_int(st, "SELECT count(*) FROM submission WHERE id = 9 AND "
	    "ref = 'V/2' AND state = 'submitted' AND owner_id = 1"), 1);
	assert_int_equal(get_int(st, "SELECT count(*) FROM process_link WHERE "
	    "submission_id = 9"), 1);
	/* The new columns have their defaults. */
	assert_int_equal(get_int(st, "SELECT count(*) FROM actor WHERE salutation = 'neutral' "
	    "AND title = '' AND family_name IS NULL"), 1);
	assert_int_equal(get_int(st, "SELECT count(*) FROM measure WHERE budget_cents = "
	    "1250000 AND budget_year IS NULL"), 1);
	/* The foreign keys still hold after the rebuild: removing a submission
	 * takes its Beratungen and deadlines, and a Beratung's session must exist. */
	assert_int_equal(store_exec(st, &cause, "DELETE FROM submission WHERE id = 7", ""), 1);
	assert_int_equal(get_int(st, "SELECT count(*) FROM beratung"), 1);
	/* The text of '-21d earlier' stays with deadline 5. */
	assert_int_equal(get_int(st, "SELECT count(*) FROM deadline_text"), 2);
	assert_int_equal(get_int(st, "SELECT count(*) FROM deadline WHERE submission_id = 7"),
	    0);
	sql = "INSERT INTO beratung (submission_id, session_id, role) VALUES (9, 5, "
	    "'vorberatung')";
	assert_int_equal(store_exec(st, &cause, sql, ""), -1);
	free(cause);
	cause = NULL;
	/* Two Beratungen of one submission each keep a Vorlagenfrist. */
	assert_int_equal(store_exec(st, &cause, "INSERT INTO beratung (submission_id, "
	    "session_id, role) VALUES (9, 1, 'vorberatung')", ""), 1);
	assert_int_equal(store_exec(st, &cause, "INSERT INTO deadline (session_id, "
	    "submission_id, kind, rule, due_date, text_id, updated_at) VALUES "
	    "(1, 9, 'beschlussvorlage', '-21d earlier', '2026-12-24', "
	    "(SELECT text_id FROM deadline WHERE id = 5), 1)", ""), 1);
	store_close(st);
}

/*
 * Schema 6 (before UIDs named the installation): deadline UIDs were the
 * same in every installation.  The migration keeps the Message-ID salt as
 * the installation id and moves the reminders of deadlines to the new
 * UIDs, so the planner finds them and sends nothing twice.
 */
static void
test_uids_follow_the_installation(void **state)
{
	struct store *st;
	sqlite3 *db;
	char *cause = NULL, *text = NULL;
	int n;

	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (n = 1; n <= 6; n++)
		assert_int_equal(sqlite3_exec(db, store_schema_migration(n), NULL, NULL, NULL),
		    SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 6;"
	    "UPDATE mail_install SET salt = '0a1b2c3d4e5f';"
	    "INSERT INTO actor (slug, name, email, created_at, updated_at) "
	    "VALUES ('a', 'A', 'a@example.org', 1, 1);"
	    "INSERT INTO reminder (item_uid, item_kind, offset, actor_id, kind, due_utc, "
	    "item_at, item_when, item_json, state, message_id, created_at, updated_at) VALUES "
	    "('deadline-7@ikond', 'deadline', 'P7D', 1, 'remind', 1, 1, 'x', "
	    "'{\"uid\":\"deadline-7@ikond\",\"title\":\"T\"}', 'sent', "
	    "'reminder-1.0a1b2c3d4e5f@example.org', 1, 1),"
	    "('session-00ff@ikond', 'session', 'P7D', 1, 'remind', 1, 1, 'x', '{}', 'queued', "
	    "NULL, 1, 1),"
	    "('allris-77@ris.example', 'session', 'P1D', 1, 'remind', 1, 1, 'x', "
	    "'{\"uid\":\"allris-77@ris.example\"}', 'sent', 'reminder-2.0a1b2c3d4e5f@x', 1, 1);"
	    "INSERT INTO committee (slug, name, kind, created_at, updated_at) "
	    "VALUES ('ia', 'Integrationsausschuss', 'fachausschuss', 1, 1);"
	    "INSERT INTO session (committee_id, title, start_utc, end_utc, state, uid, "
	    "created_at, updated_at) VALUES (1, 'Hand', 10, 20, 'planned', "
	    "'session-00ff@ikond', 1, 1), (1, 'Import', 30, 40, 'cancelled', "
	    "'allris-77@ris.example', 1, 1);", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	if ((st = store_open(path, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_get_text(st, &cause, &text, "SELECT id FROM installation", ""), 1);
	assert_string_equal(text, "0a1b2c3d4e5f");
	free(text);
	assert_int_equal(get_int(st, "SELECT count(*) FROM reminder WHERE item_uid = "
	    "'deadline-7@0a1b2c3d4e5f.ikond' AND json_extract(item_json, '$.uid') = item_uid "
	    "AND json_extract(item_json, '$.title') = 'T' AND message_id = "
	    "'reminder-1.0a1b2c3d4e5f@example.org'"), 1);
	/* Random UIDs were unique already and stay as they are. */
	assert_int_equal(get_int(st, "SELECT count(*) FROM reminder WHERE item_uid = "
	    "'session-00ff@ikond'"), 1);
	assert_int_equal(get_int(st, "SELECT count(*) FROM session WHERE uid = "
	    "'session-00ff@ikond' AND id NOT IN (SELECT session_id FROM session_source)"), 1);
	/* An imported session published the export's UID: it becomes the link to
	 * the export, the session and its reminders get a UID of their own. */
	assert_int_equal(get_int(st, "SELECT count(*) FROM session s JOIN session_source x "
	    "ON x.session_id = s.id JOIN reminder r ON r.item_uid = s.uid "
	    "WHERE x.source = 'ics' AND x.source_id = 'allris-77@ris.example' "
	    "AND s.uid GLOB 'session-*@0a1b2c3d4e5f.ikond' AND r.state = 'sent' "
	    "AND json_extract(r.item_json, '$.uid') = s.uid "
	    "AND json_extract(x.seen, '$.cancelled') = 1 "
	    "AND json_extract(x.seen, '$.start') = 30"), 1);
	/* A submission imported from OParl has no owner until one is set. */
	assert_int_equal(store_exec(st, &cause, "INSERT INTO submission (ref, title, kind, "
	    "owner_id, created_at, updated_at) VALUES ('V/1', 'P', 'beschlussvorlage', NULL, "
	    "1, 1)", ""), 1);
	store_close(st);
}

/*
 * Schema 14 with reminders in every state and kind: migration 15 (the
 * reminder table's indexes for the plan) keeps every row, column for
 * column, and the new indexes agree with the table.
 */
#define REMINDER_DIGEST	"SELECT group_concat(x, '|') FROM (SELECT quote(id) || ',' || " \
	"quote(item_uid) || ',' || quote(item_kind) || ',' || quote(offset) || ',' || " \
	"quote(actor_id) || ',' || quote(kind) || ',' || quote(due_utc) || ',' || " \
	"quote(item_at) || ',' || quote(item_when) || ',' || quote(old_when) || ',' || " \
	"quote(item_json) || ',' || quote(plan_gen) || ',' || quote(state) || ',' || " \
	"quote(attempts) || ',' || quote(next_attempt_utc) || ',' || quote(last_error) || " \
	"',' || quote(message_id) || ',' || quote(sent_at) || ',' || quote(created_at) || " \
	"',' || quote(updated_at) AS x FROM reminder ORDER BY id)"

static void
test_reminders_survive_the_plan_indexes(void **state)
{
	static const char *const states[] = { "queued", "sending", "sent", "failed",
	    "skipped" };
	static const char *const kinds[] = { "remind", "moved", "cancelled" };
	struct store *st;
	sqlite3_stmt *q;
	sqlite3 *db;
	char *cause = NULL, *before, *after = NULL, *sql;
	size_t s, k;
	int n;

	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (n = 1; n <= 14; n++)
		assert_int_equal(sqlite3_exec(db, store_schema_migration(n), NULL, NULL, NULL),
		    SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 14;"
	    "INSERT INTO actor (slug, name, email, created_at, updated_at) VALUES "
	    "('a', 'A', 'a@example.org', 1, 1), ('b', 'B', 'b@example.org', 1, 1);",
	    NULL, NULL, NULL), SQLITE_OK);
	for (s = 0; s < sizeof(states) / sizeof(states[0]); s++)
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			sql = sqlite3_mprintf("INSERT INTO reminder (id, item_uid, item_kind, "
			    "offset, actor_id, kind, due_utc, item_at, item_when, old_when, "
			    "item_json, state, attempts, next_attempt_utc, last_error, "
			    "message_id, sent_at, created_at, updated_at) VALUES (%d, "
			    "'session-%d@x.ikond', 'session', 'P%dD', %d, '%s', %d, %d, "
			    "'2026-0%d-01', %s, '{\"title\":\"T%d\"}', '%s', %d, %d, 'e%d', %s, "
			    "%s, 1, %d)", 100 + (int)(s * 3 + k) * 7, (int)k, (int)s, 1 + (int)(s % 2),
			    kinds[k], 1000 + (int)s, 2000 + (int)k, 1 + (int)k,
			    k == 1 ? "'2026-01-01'" : "NULL", (int)(s * 3 + k), states[s], (int)s,
			    (int)k * 60, (int)s, s == 2 ? "'<m@x>'" : "NULL",
			    s == 2 ? "1500" : "NULL", 10 + (int)s);
			assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
			sqlite3_free(sql);
		}
	assert_int_equal(sqlite3_prepare_v2(db, REMINDER_DIGEST, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	before = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	sqlite3_close(db);

	if ((st = store_open(path, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_int_equal(get_int(st, "PRAGMA user_version"), store_schema_latest());
	assert_int_equal(get_int(st, "SELECT count(*) FROM reminder"), 15);
	assert_int_equal(store_get_text(st, &cause, &after, REMINDER_DIGEST, ""), 1);
	assert_string_equal(after, before);
	assert_int_equal(get_int(st, "SELECT count(*) FROM sqlite_master WHERE name IN "
	    "('reminder_queued_at', 'reminder_item_at', 'reminder_remind_by_due')"), 3);
	assert_int_equal(get_int(st, "SELECT count(*) FROM sqlite_master WHERE name = "
	    "'reminder_by_item_at'"), 0);
	/* Each partial index holds its rows and only those: of the 15, the 3
	 * queued ones, the 10 reminders and notices of a move, the 5 reminders. */
	assert_int_equal(get_int(st, "SELECT count(*) FROM reminder INDEXED BY "
	    "reminder_queued_at WHERE item_at >= 0 AND state = 'queued'"), 3);
	assert_int_equal(get_int(st, "SELECT count(*) FROM reminder INDEXED BY "
	    "reminder_item_at WHERE item_at >= 0 AND kind IN ('remind', 'moved')"), 10);
	assert_int_equal(get_int(st, "SELECT count(*) FROM reminder INDEXED BY "
	    "reminder_remind_by_due WHERE item_uid >= '' AND kind = 'remind'"), 5);
	assert_int_equal(get_int(st, "SELECT count(*) FROM pragma_integrity_check "
	    "WHERE integrity_check <> 'ok'"), 0);
	free(after);
	free(before);
	store_close(st);
}

static off_t
file_size(const char *p)
{
	struct stat sb;

	if (stat(p, &sb) == -1)
		return 0;
	return sb.st_size;
}

static void
test_large_log_is_copied_behind(void **state)
{
	struct store *st;
	sqlite3 *db;
	char *cause = NULL, wal[128];
	off_t before;
	int i;

	(void)state;
	/* Small pages: the threshold counts pages, so 10 MB are enough. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA page_size = 512; PRAGMA journal_mode = WAL;",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	st = store_open(path, &cause);
	assert_non_null(st);
	assert_int_equal(store_exec(st, &cause, "INSERT INTO committee (slug, name, kind, "
	    "created_at, updated_at) VALUES ('kt', 'Kreistag', 'kreistag', 1, 1)", ""), 1);
	before = file_size(path);
	assert_int_equal(store_begin(st, &cause), 0);
	assert_int_equal(store_exec(st, &cause, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
	    "SELECT i + 1 FROM n WHERE i < 20000) INSERT INTO committee (slug, name, kind, "
	    "created_at, updated_at) SELECT 'c' || i, hex(randomblob(250)), 'kreistag', 1, 1 "
	    "FROM n", ""), 20000);
	assert_int_equal(store_commit(st, &cause), 0);
	/* Committed, in the log, not yet in the file. */
	snprintf(wal, sizeof(wal), "%s-wal", path);
	assert_true(file_size(wal) > 10 * 1000 * 1000);
	assert_true(file_size(path) < before + 1000 * 1000);
	assert_int_equal(get_int(st, "SELECT count(*) FROM committee"), 20001);
	/* The main loop's turn starts the copy; it ends on its own. */
	store_checkpoint_behind(st);
	for (i = 0; i < 3000 && file_size(path) < before + 10 * 1000 * 1000; i++) {
		usleep(10000);
		store_checkpoint_behind(st);
	}
	assert_true(file_size(path) >= before + 10 * 1000 * 1000);
	/* Writing goes on as before, while and after the copy. */
	assert_int_equal(store_exec(st, &cause, "DELETE FROM committee WHERE slug <> 'kt'",
	    ""), 20000);
	store_close(st);
	st = store_open(path, &cause);
	assert_non_null(st);
	assert_int_equal(get_int(st, "SELECT count(*) FROM committee"), 1);
	store_close(st);
}

static void
test_newer_schema_is_refused(void **state)
{
	struct store *st;
	sqlite3 *db;
	char *cause = NULL, *before, *after;
	size_t lb, la;

	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE future (x); PRAGMA user_version = 999;",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	before = slurp(path, &lb);
	st = store_open(path, &cause);
	assert_null(st);
	assert_non_null(strstr(cause, "schema version 999"));
	assert_non_null(strstr(cause, "newer ikond"));
	after = slurp(path, &la);
	assert_int_equal(lb, la);
	assert_memory_equal(before, after, lb);
	free(before);
	free(after);
	free(cause);
}

static void
test_corrupt_file_is_refused(void **state)
{
	struct store *st;
	FILE *f;
	char *cause = NULL, *before, *after, junk[8192], stamp[128];
	size_t lb, la, i;

	(void)state;
	snprintf(stamp, sizeof(stamp), "%s-clean", path);
	/* A valid header followed by garbage pages. */
	st = store_open(path, &cause);
	assert_non_null(st);
	store_close(st);
	f = fopen(path, "r+b");
	fseek(f, 4096, SEEK_SET);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 37 + 11);
	fwrite(junk, 1, sizeof(junk), f);
	fclose(f);
	before = slurp(path, &lb);
	/* A file in WAL mode is checked beside the start: no write before the
	 * verdict, and none after it. */
	st = store_open(path, &cause);
	assert_non_null(st);
	assert_int_equal(store_exec(st, &cause, "INSERT INTO committee (slug, name, kind, "
	    "created_at, updated_at) VALUES ('kt', 'Kreistag', 'kreistag', 1, 1)", ""), -1);
	assert_non_null(strstr(cause, "is damaged and was left as it is"));
	free(cause);
	cause = NULL;
	assert_int_equal(store_checked(st, &cause), -1);
	assert_non_null(strstr(cause, "is damaged"));
	store_close(st);
	assert_int_equal(access(stamp, F_OK), -1);
	after = slurp(path, &la);
	assert_int_equal(lb, la);
	assert_memory_equal(before, after, lb);
	free(before);
	free(after);
	free(cause);
}

static void
test_constraints(void **state)
{
	struct store *st;
	char *cause = NULL;

	(void)state;
	st = store_open(path, &cause);
	assert_non_null(st);
	assert_int_equal(store_exec(st, &cause, "INSERT INTO committee (slug, name, kind, "
	    "created_at, updated_at) VALUES ('kt', 'Kreistag', 'kreistag', 1, 1)", ""), 1);
	/* Duplicate slug. */
	assert_int_equal(store_exec(st, &cause, "INSERT INTO committee (slug, name, kind, "
	    "created_at, updated_at) VALUES ('kt', 'X', 'kreistag', 1, 1)", ""), -1);
	assert_non_null(strstr(cause, "already exists"));
	free(cause);
	cause = NULL;
	/* A session must end after it starts. */
	assert_int_equal(store_exec(st, &cause, "INSERT INTO session (committee_id, title, "
	    "start_utc, end_utc, uid, created_at, updated_at) VALUES (1, 't', 100, 100, 'u', 1, 1)",
	    ""), -1);
	free(cause);
	cause = NULL;
	/* A submission needs an existing owner (foreign keys are on). */
	assert_int_equal(store_exec(st, &cause, "INSERT INTO session (committee_id, title, "
	    "start_utc, end_utc, uid, created_at, updated_at) VALUES (1, 't', 100, 200, 'u', 1, 1)",
	    ""), 1);
	assert_int_equal(store_exec(st, &cause, "INSERT INTO submission (title, kind, owner_id, "
	    "created_at, updated_at) VALUES ('v', 'beschlussvorlage', 42, 1, 1)", ""), -1);
	assert_non_null(strstr(cause, "referenced"));
	free(cause);
	cause = NULL;
	/* A Beratung needs an existing session and one of the four roles. */
	assert_int_equal(store_exec(st, &cause, "INSERT INTO actor (slug, name, email, "
	    "created_at, updated_at) VALUES ('a', 'A', 'a@example.org', 1, 1)", ""), 1);
	assert_int_equal(store_exec(st, &cause, "INSERT INTO submission (title, kind, owner_id, "
	    "created_at, updated_at) VALUES ('v', 'beschlussvorlage', 1, 1, 1)", ""), 1);
	assert_int_equal(store_exec(st, &cause, "INSERT INTO beratung (submission_id, "
	    "session_id, role) VALUES (1, 42, 'entscheidung')", ""), -1);
	assert_non_null(strstr(cause, "referenced"));
	free(cause);
	cause = NULL;
	assert_int_equal(store_exec(st, &cause, "INSERT INTO beratung (submission_id, "
	    "session_id, role) VALUES (1, 1, 'beschluss')", ""), -1);
	free(cause);
	cause = NULL;
	/* Unknown session state. */
	assert_int_equal(store_exec(st, &cause, "UPDATE session SET state = 'maybe'", ""), -1);
	free(cause);
	store_close(st);
}

static struct store *
open_with_rows(void)
{
	struct store *st;
	char *cause = NULL;
	int i;

	st = store_open(path, &cause);
	assert_non_null(st);
	for (i = 1; i <= 3; i++)
		assert_int_equal(store_exec(st, &cause, "INSERT INTO committee (slug, name, kind, "
		    "created_at, updated_at) VALUES (?, 'Gremium', 'fachausschuss', 1, 1)", "t",
		    i == 1 ? "a" : i == 2 ? "b" : "c"), 1);
	return st;
}

static void
test_helpers(void **state)
{
	struct store *st;
	sqlite3_int64 n, *ids;
	char *cause = NULL, *text;
	json_t *row, *rows;
	sqlite3_stmt *stmt;
	size_t nids;
	int rc;

	(void)state;
	st = open_with_rows();
	/* Answers, and "no row" apart from an answer. */
	assert_int_equal(store_get_int(st, &cause, &n, "SELECT count(*) FROM committee WHERE "
	    "slug <> ?", "t", "a"), 1);
	assert_int_equal(n, 2);
	assert_int_equal(store_get_int(st, &cause, &n, "SELECT id FROM committee WHERE slug = ?",
	    "t", "x"), 0);
	assert_int_equal(store_get_text(st, &cause, &text, "SELECT slug FROM committee WHERE "
	    "id = ?", "i", (sqlite3_int64)2), 1);
	assert_string_equal(text, "b");
	free(text);
	assert_int_equal(store_get_text(st, &cause, &text, "SELECT NULL", ""), 1);
	assert_string_equal(text, "");
	free(text);
	assert_int_equal(store_get_row(st, &cause, &row, "SELECT id, slug FROM committee "
	    "WHERE slug = ?", "t", "c"), 1);
	assert_int_equal(json_integer_value(json_object_get(row, "id")), 3);
	json_decref(row);
	assert_int_equal(store_exists(st, &cause, "SELECT 1 FROM committee WHERE id = ?", "i",
	    (sqlite3_int64)3), 1);
	assert_int_equal(store_exists(st, &cause, "SELECT 1 FROM committee WHERE id = ?", "i",
	    (sqlite3_int64)4), 0);
	rows = store_get_rows(st, &cause, "SELECT slug FROM committee WHERE id >= ? ORDER BY id",
	    "i", (sqlite3_int64)2);
	assert_int_equal(json_array_size(rows), 2);
	json_decref(rows);
	rows = store_get_rows(st, &cause, "SELECT slug FROM committee WHERE id > ?", "i",
	    (sqlite3_int64)9);
	assert_non_null(rows);
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);
	rows = store_get_column(st, &cause, "SELECT slug FROM committee ORDER BY id", "");
	assert_int_equal(json_array_size(rows), 3);
	assert_string_equal(json_string_value(json_array_get(rows, 0)), "a");
	json_decref(rows);
	assert_int_equal(store_get_ints(st, &cause, &ids, &nids, "SELECT id FROM committee "
	    "ORDER BY id DESC", ""), 0);
	assert_int_equal(nids, 3);
	assert_int_equal(ids[0], 3);
	free(ids);
	/* Several columns of the first row; a blob and a null bound. */
	assert_int_equal(store_first(st, &cause, &stmt, "SELECT id, slug, length(?), ? IS NULL "
	    "FROM committee WHERE id = ?", "bni", "\0\1\2", (size_t)3, (sqlite3_int64)2), 1);
	assert_int_equal(sqlite3_column_int64(stmt, 0), 2);
	assert_string_equal((const char *)sqlite3_column_text(stmt, 1), "b");
	assert_int_equal(sqlite3_column_int(stmt, 2), 3);
	assert_int_equal(sqlite3_column_int(stmt, 3), 1);
	store_done(st, stmt);
	assert_int_equal(store_first(st, &cause, &stmt, "SELECT id FROM committee WHERE id = ?",
	    "i", (sqlite3_int64)9), 0);

	/* Preparing fails: no such table. */
	assert_int_equal(store_get_int(st, &cause, &n, "SELECT count(*) FROM nosuch", ""), -1);
	assert_non_null(strstr(cause, "nosuch"));
	free(cause);
	cause = NULL;
	assert_null(store_get_rows(st, &cause, "SELECT * FROM nosuch", ""));
	free(cause);
	cause = NULL;
	assert_int_equal(store_exists(st, &cause, "SELECT 1 FROM nosuch", ""), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(store_get_ints(st, &cause, &ids, &nids, "SELECT id FROM nosuch", ""),
	    -1);
	assert_null(ids);
	free(cause);
	cause = NULL;
	assert_null(store_get_column(st, &cause, "SELECT id FROM nosuch", ""));
	free(cause);
	cause = NULL;
	assert_int_equal(store_exec(st, &cause, "DELETE FROM nosuch", ""), -1);
	free(cause);
	cause = NULL;
	/* Binding fails: the format does not fit the parameters. */
	assert_int_equal(store_get_int(st, &cause, &n, "SELECT count(*) FROM committee WHERE "
	    "id = ?", ""), -1);
	assert_non_null(strstr(cause, "parameter"));
	free(cause);
	cause = NULL;
	assert_int_equal(store_get_text(st, &cause, &text, "SELECT slug FROM committee", "i",
	    (sqlite3_int64)1), -1);
	free(cause);
	cause = NULL;
	/* Stepping fails: abs() of the smallest integer overflows. */
	assert_int_equal(store_get_int(st, &cause, &n, "SELECT abs(?)", "i",
	    (sqlite3_int64)INT64_MIN), -1);
	free(cause);
	cause = NULL;
	/* ... on the second row. */
	assert_null(store_get_rows(st, &cause, "SELECT abs(CASE WHEN id = 2 THEN ? ELSE id END) "
	    "FROM committee ORDER BY id", "i", (sqlite3_int64)INT64_MIN));
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	stmt = store_query(st, &cause, "SELECT abs(CASE WHEN id = 2 THEN ? ELSE id END) FROM "
	    "committee ORDER BY id", "i", (sqlite3_int64)INT64_MIN);
	assert_non_null(stmt);
	assert_int_equal(store_next(st, stmt, &cause), 1);
	assert_int_equal(store_next(st, stmt, &cause), -1);
	store_done(st, stmt);
	free(cause);
	cause = NULL;
	/* The statement works again after the error. */
	stmt = store_query(st, &cause, "SELECT abs(CASE WHEN id = 2 THEN ? ELSE id END) FROM "
	    "committee ORDER BY id", "i", (sqlite3_int64)7);
	n = 0;
	while ((rc = store_next(st, stmt, &cause)) == 1)
		n += sqlite3_column_int64(stmt, 0);
	store_done(st, stmt);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 1 + 7 + 3);
	store_close(st);
}

/* A loop that runs its own SQL again for every row: the inner uses must
 * neither reset the outer statement nor change its bound values. */
static void
test_nested_statement(void **state)
{
	static const char *sql = "SELECT id FROM committee WHERE id >= ? ORDER BY id";
	struct store *st;
	sqlite3_stmt *outer, *inner, *second;
	sqlite3_int64 ids[8], n, inner_rows;
	size_t nids = 0;
	char *cause = NULL;
	int rc;

	(void)state;
	st = open_with_rows();
	outer = store_query(st, &cause, sql, "i", (sqlite3_int64)1);
	assert_non_null(outer);
	/* A second use before the first one steps keeps the first one's value. */
	second = store_query(st, &cause, sql, "i", (sqlite3_int64)3);
	assert_non_null(second);
	assert_ptr_not_equal(second, outer);
	assert_int_equal(store_next(st, second, &cause), 1);
	assert_int_equal(sqlite3_column_int64(second, 0), 3);
	store_done(st, second);
	while (nids < 8 && (rc = store_next(st, outer, &cause)) == 1) {
		ids[nids++] = sqlite3_column_int64(outer, 0);
		inner = store_query(st, &cause, sql, "i", (sqlite3_int64)2);
		assert_non_null(inner);
		inner_rows = 0;
		while (store_next(st, inner, &cause) == 1)
			inner_rows++;
		store_done(st, inner);
		assert_int_equal(inner_rows, 2);
		assert_int_equal(store_get_int(st, &cause, &n, sql, "i", (sqlite3_int64)3), 1);
		assert_int_equal(n, 3);
	}
	store_done(st, outer);
	assert_int_equal(nids, 3);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 2);
	assert_int_equal(ids[2], 3);
	/* The cached statement is free again. */
	outer = store_query(st, &cause, sql, "i", (sqlite3_int64)2);
	assert_int_equal(store_next(st, outer, &cause), 1);
	assert_int_equal(sqlite3_column_int64(outer, 0), 2);
	store_done(st, outer);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_older_schema_is_migrated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submissions_become_beratungen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_uids_follow_the_installation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reminders_survive_the_plan_indexes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_large_log_is_copied_behind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_file_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_constraints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_helpers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_statement, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
