/*
 * test_revision: published sequences against a real store.  A change
 * raises an item's sequence once and stamps it; the memory of what was
 * published follows the table, also when a transaction that wrote to it
 * is rolled back and when another connection comes in.  The strings a
 * collection lets go first are kept in blocks that go back with them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agenda.h"
#include "civil.h"
#include "config.h"
#include "ikond.h"
#include "revision.h"
#include "store.h"

static char tmpdir[64];
static struct ikond ikd;

static void
open_store(void)
{
	char *cause = NULL, *path;

	assert_int_equal(asprintf(&path, "%s/ikond.db", tmpdir) > 0, 1);
	ikd.store = store_open(path, &cause);
	free(path);
	assert_non_null(ikd.store);
}

static int
setup(void **state)
{
	char *cause = NULL;
	time_t t;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_revision.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	memset(&ikd, 0, sizeof(ikd));
	ikd.cfg = config_load(NULL, &cause);
	assert_non_null(ikd.cfg);
	open_store();
	assert_int_equal(store_exec(ikd.store, NULL, "INSERT INTO committee (slug, name, "
	    "kind, created_at, updated_at) VALUES ('ia', 'Integrationsausschuss', "
	    "'fachausschuss', 0, 0)", ""), 1);
	assert_int_equal(civil_to_utc("Europe/Berlin", civil_days_from_date(2031, 3, 5),
	    17 * 60, &t, NULL, NULL), 0);
	assert_int_equal(store_exec(ikd.store, NULL, "INSERT INTO session (committee_id, "
	    "title, start_utc, end_utc, uid, created_at, updated_at) VALUES (?, 'Erste', ?, ?, "
	    "'s1@test', 0, 0)", "iii", store_last_id(ikd.store), (sqlite3_int64)t,
	    (sqlite3_int64)t + 7200), 1);
	return 0;
}

static int
teardown(void **state)
{
	char *cmd;

	(void)state;
	store_close(ikd.store);
	config_free(ikd.cfg);
	assert_int_equal(asprintf(&cmd, "rm -rf %s", tmpdir) > 0, 1);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

/* The session's published sequence and time, from one collection. */
static void
publish(int *sequence, time_t *updated)
{
	struct agenda_filter f;
	struct agenda *a;
	char *cause = NULL;

	agenda_filter_all(&f);
	a = agenda_collect(&ikd, &f, &cause);
	if (a == NULL)
		fail_msg("%s", cause);
	assert_int_equal(a->n, 1);
	*sequence = a->items[0].sequence;
	*updated = a->items[0].updated;
	agenda_free(a);
}

/* The table's sequence for the session. */
static sqlite3_int64
stored_sequence(void)
{
	sqlite3_int64 n = -1;

	assert_int_equal(store_get_int(ikd.store, NULL, &n, "SELECT sequence FROM "
	    "item_revision WHERE uid = 's1@test'", ""), 1);
	return n;
}

static void
retitle(const char *title)
{
	assert_int_equal(store_exec(ikd.store, NULL, "UPDATE session SET title = ? "
	    "WHERE uid = 's1@test'", "t", title), 1);
}

static void
test_change_raises_once(void **state)
{
	int seq0, seq;
	time_t t0, t;

	(void)state;
	publish(&seq0, &t0);
	assert_int_equal(stored_sequence(), seq0);
	publish(&seq, &t);
	assert_int_equal(seq, seq0);
	assert_int_equal(t, t0);
	retitle("Zweite");
	publish(&seq, &t);
	assert_int_equal(seq, seq0 + 1);
	assert_int_equal(stored_sequence(), seq0 + 1);
	publish(&seq, &t);
	assert_int_equal(seq, seq0 + 1);
}

/*
 * A collection inside a transaction that is rolled back: its revisions
 * are gone from the table, so the next collection must write them again
 * rather than trust what it remembers.
 */
static void
test_rollback_forgets(void **state)
{
	int seq0, seq;
	time_t t0, t;

	(void)state;
	publish(&seq0, &t0);
	retitle("Dritte");
	assert_int_equal(store_begin(ikd.store, NULL), 0);
	publish(&seq, &t);
	assert_int_equal(seq, seq0 + 1);
	store_rollback(ikd.store);
	assert_int_equal(stored_sequence(), seq0);
	publish(&seq, &t);
	assert_int_equal(seq, seq0 + 1);
	assert_int_equal(stored_sequence(), seq0 + 1);
}

/* Another connection (here the same file reopened, after another writer
 * changed the table) is read afresh. */
static void
test_new_connection_reads_table(void **state)
{
	int seq0, seq;
	time_t t0, t;

	(void)state;
	publish(&seq0, &t0);
	store_close(ikd.store);
	open_store();
	assert_int_equal(store_exec(ikd.store, NULL, "UPDATE item_revision SET sequence = "
	    "sequence + 5 WHERE uid = 's1@test'", ""), 1);
	publish(&seq, &t);
	assert_int_equal(seq, seq0 + 5);
}

/*
 * The items' descriptions and the other strings agenda_item_slim() lets
 * go are kept in blocks (agenda.h): as written, and each block given
 * back once every string in it is let go.
 */
static void
test_description_blocks(void **state)
{
	struct agenda_filter f;
	struct agenda *a;
	char *cause = NULL, long_text[1201], uid[32];
	sqlite3_int64 committee = 0;
	size_t i, n = 3000, live;
	time_t t;

	(void)state;
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	assert_int_equal(store_get_int(ikd.store, NULL, &committee, "SELECT id FROM committee",
	    ""), 1);
	assert_int_equal(store_begin(ikd.store, &cause), 0);
	for (i = 0; i < n; i++) {
		t = (time_t)1900000000 + (time_t)i * 86400;
		snprintf(uid, sizeof(uid), "s%zu-more@test", i);
		assert_int_equal(store_exec(ikd.store, NULL, "INSERT INTO session (committee_id, "
		    "title, start_utc, end_utc, uid, description, created_at, updated_at) "
		    "VALUES (?, 'Sitzung', ?, ?, ?, ?, 0, 0)", "iiitt", committee,
		    (sqlite3_int64)t, (sqlite3_int64)t + 3600, uid, long_text), 1);
	}
	assert_int_equal(store_commit(ikd.store, &cause), 0);
	agenda_filter_all(&f);
	a = agenda_collect(&ikd, &f, &cause);
	if (a == NULL)
		fail_msg("%s", cause);
	assert_int_equal(a->n, n + 1);
	assert_true(a->ntexts >= 3);
	for (i = 0; i < a->n; i++) {
		assert_non_null(a->items[i].description);
		assert_non_null(strstr(a->items[i].description, "Sitzung: Integrationsausschuss"));
		assert_string_equal(a->items[i].reminder_kind, "session");
		if (strcmp(a->items[i].uid, "s1@test") != 0)
			assert_non_null(strstr(a->items[i].description, long_text));
	}
	/* All but the last item let go: only the last block stays. */
	for (i = 0; i + 1 < a->n; i++)
		agenda_item_slim(a, &a->items[i]);
	for (i = live = 0; i < a->ntexts; i++)
		live += a->texts[i].data != NULL;
	assert_int_equal(live, 1);
	assert_true(a->texts[a->ntexts - 1].data != NULL);
	assert_string_equal(a->items[a->n - 1].name, "Sitzung");
	agenda_item_slim(a, &a->items[a->n - 1]);
	for (i = live = 0; i < a->ntexts; i++)
		live += a->texts[i].data != NULL;
	assert_int_equal(live, 0);
	agenda_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_change_raises_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_forgets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_connection_reads_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_description_blocks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
