/*
 * test_store: opening and migrating the database: a fresh file, an older
 * schema with data in it, a newer schema (refused, file untouched), a
 * corrupt file (refused, untouched), and the constraints that keep the
 * data consistent.
 */
#include <stdarg.h>
#include <stddef.h>
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
	assert_int_equal(store_count(st, "SELECT count(*) + ? FROM committee", 0), 1);
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
	assert_int_equal(store_count(st, "SELECT count(*) FROM committee WHERE slug = 'ia' "
	    "AND id = ?", 1), 1);
	/* The later migrations' tables exist. */
	assert_int_equal(store_count(st, "SELECT count(*) + ? FROM deadline", 0), 0);
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
	char *cause = NULL, *before, *after, junk[8192];
	size_t lb, la, i;

	(void)state;
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
	st = store_open(path, &cause);
	assert_null(st);
	assert_non_null(cause);
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
	    "session_id, created_at, updated_at) VALUES ('v', 'beschlussvorlage', 42, 1, 1, 1)",
	    ""), -1);
	assert_non_null(strstr(cause, "referenced"));
	free(cause);
	cause = NULL;
	/* Unknown session state. */
	assert_int_equal(store_exec(st, &cause, "UPDATE session SET state = 'maybe'", ""), -1);
	free(cause);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_older_schema_is_migrated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_file_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_constraints, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
