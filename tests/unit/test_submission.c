/*
 * test_submission: one Vorlage through several Beratungen against a real
 * store: each Beratung gets the Vorlagenfrist of its committee's rule, a
 * session that stays keeps its deadline row (and id) when the list is
 * replaced, the last Beratung cannot go, and a removed session takes
 * only the submissions that go nowhere else.
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

#include "civil.h"
#include "config.h"
#include "ikond.h"
#include "store.h"
#include "submission.h"

static char tmpdir[64];
static struct ikond ikd;
static sqlite3_int64 sessions[4];	/* Beirat, Fachausschuss, Kreisausschuss, Kreistag */

static sqlite3_int64
get_int(const char *sql, sqlite3_int64 a, sqlite3_int64 b)
{
	sqlite3_int64 n = -1;
	char *cause = NULL;

	if (store_get_int(ikd.store, &cause, &n, sql, "ii", a, b) != 1)
		fail_msg("%s: %s", sql, cause ? cause : "no row");
	return n;
}

/* The submission's Vorlagenfrist in session s, "" if it has none there. */
static const char *
deadline_at(sqlite3_int64 sub, sqlite3_int64 s)
{
	static char day[11];
	char *text = NULL;

	day[0] = '\0';
	if (store_get_text(ikd.store, NULL, &text, "SELECT due_date FROM deadline WHERE "
	    "submission_id = ? AND session_id = ?", "ii", sub, s) == 1) {
		snprintf(day, sizeof(day), "%s", text);
		free(text);
	}
	return day;
}

static int
setup(void **state)
{
	static const char *const committees[] = { "beirat", "ia", "ka", "kt" };
	static const char *const kinds[] = { "integrationsbeirat", "fachausschuss",
	    "kreisausschuss", "kreistag" };
	static const int days[] = { 5, 11, 17, 20 };	/* March 2031 */
	char *cause = NULL, *path;
	time_t t;
	int i;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_submission.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	memset(&ikd, 0, sizeof(ikd));
	ikd.cfg = config_load(NULL, &cause);
	assert_non_null(ikd.cfg);
	assert_int_equal(asprintf(&path, "%s/ikond.db", tmpdir) > 0, 1);
	ikd.store = store_open(path, &cause);
	free(path);
	assert_non_null(ikd.store);
	assert_int_equal(store_exec(ikd.store, NULL, "INSERT INTO actor (slug, name, email, "
	    "created_at, updated_at) VALUES ('bb', 'Bildungsbüro', 'bb@example.org', 0, 0)", ""), 1);
	for (i = 0; i < 4; i++) {
		assert_int_equal(store_exec(ikd.store, NULL, "INSERT INTO committee (slug, name, "
		    "kind, created_at, updated_at) VALUES (?, ?, ?, 0, 0)", "ttt", committees[i],
		    committees[i], kinds[i]), 1);
		assert_int_equal(civil_to_utc("Europe/Berlin", civil_days_from_date(2031, 3,
		    days[i]), 17 * 60, &t, NULL, NULL), 0);
		assert_int_equal(store_exec(ikd.store, NULL, "INSERT INTO session (committee_id, "
		    "title, start_utc, end_utc, uid, created_at, updated_at) VALUES (?, 'S', ?, ?, "
		    "?, 0, 0)", "iiit", store_last_id(ikd.store), (sqlite3_int64)t,
		    (sqlite3_int64)t + 7200, committees[i]), 1);
		sessions[i] = store_last_id(ikd.store);
	}
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

static sqlite3_int64
create(const struct beratung_spec *b, size_t n)
{
	struct submission_spec spec = { "BV/7", "Integrationskonzept", "beschlussvorlage", 1 };
	sqlite3_int64 id = 0;
	char *cause = NULL;

	if (submission_create(&ikd, &spec, b, n, &id, &cause) == -1)
		fail_msg("%s", cause);
	return id;
}

static void
test_four_beratungen(void **state)
{
	struct beratung_spec b[4] = {
		{ sessions[3], "entscheidung" }, { sessions[0], "anhoerung" },
		{ sessions[1], "vorberatung" }, { sessions[2], "vorberatung" },
	};
	sqlite3_int64 id, kept, s;
	char *cause = NULL;
	int removed;

	(void)state;
	id = create(b, 4);
	/* 21 days before each session, on a working day. */
	assert_string_equal(deadline_at(id, sessions[0]), "2031-02-12");
	assert_string_equal(deadline_at(id, sessions[1]), "2031-02-18");
	assert_string_equal(deadline_at(id, sessions[2]), "2031-02-24");
	assert_string_equal(deadline_at(id, sessions[3]), "2031-02-27");
	assert_int_equal(submission_deciding_session(&ikd, id, &s, &cause), 1);
	assert_int_equal(s, sessions[3]);

	/* Replacing the list keeps the rows of the sessions that stay. */
	kept = get_int("SELECT id FROM deadline WHERE submission_id = ? AND session_id = ?", id,
	    sessions[3]);
	b[1].role = "kenntnisnahme";
	assert_int_equal(submission_set_beratungen(&ikd, id, b, 2, &cause), 0);
	assert_int_equal(get_int("SELECT count(*) FROM deadline WHERE submission_id = ? OR "
	    "submission_id = ?", id, id), 2);
	assert_int_equal(get_int("SELECT id FROM deadline WHERE submission_id = ? AND "
	    "session_id = ?", id, sessions[3]), kept);
	assert_string_equal(deadline_at(id, sessions[1]), "");
	assert_int_equal(get_int("SELECT count(*) FROM beratung WHERE submission_id = ? AND "
	    "session_id = ? AND role = 'kenntnisnahme'", id, sessions[0]), 1);

	/* Moving a Beratung moves its deadline. */
	assert_int_equal(submission_beratung_change(&ikd, id, sessions[0], NULL, sessions[1],
	    &cause), 0);
	assert_string_equal(deadline_at(id, sessions[0]), "");
	assert_string_equal(deadline_at(id, sessions[1]), "2031-02-18");
	assert_int_equal(submission_beratung_change(&ikd, id, sessions[1], NULL, sessions[3],
	    &cause), -1);
	assert_non_null(strstr(cause, "already goes to session"));
	free(cause);
	cause = NULL;

	/* The last Beratung stays; a removed session takes only what has no other. */
	assert_int_equal(submission_beratung_remove(&ikd, id, sessions[1], &cause), 0);
	assert_int_equal(submission_beratung_remove(&ikd, id, sessions[3], &cause), -1);
	assert_non_null(strstr(cause, "only Beratung"));
	free(cause);
	cause = NULL;
	b[0].session_id = sessions[2];
	s = create(b, 1);
	assert_int_equal(submission_beratung_add(&ikd, id, &b[0], &cause), 0);
	assert_int_equal(submission_leave_session(&ikd, sessions[2], &removed, &cause), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(get_int("SELECT count(*) FROM submission WHERE id IN (?, ?)", id, s), 1);
	assert_string_equal(deadline_at(id, sessions[2]), "");
	assert_string_equal(deadline_at(id, sessions[3]), "2031-02-27");
}

static void
test_bad_lists(void **state)
{
	struct submission_spec spec = { NULL, "V", "beschlussvorlage", 1 };
	struct beratung_spec b[2] = { { sessions[0], "vorberatung" }, { sessions[0], "entscheidung" } };
	sqlite3_int64 id;
	char *cause = NULL;

	(void)state;
	assert_int_equal(submission_create(&ikd, &spec, b, 2, &id, &cause), -1);
	assert_non_null(strstr(cause, "named twice"));
	free(cause);
	cause = NULL;
	b[1].session_id = sessions[1];
	b[1].role = "beschluss";
	assert_int_equal(submission_create(&ikd, &spec, b, 2, &id, &cause), -1);
	assert_non_null(strstr(cause, "\"beschluss\""));
	free(cause);
	cause = NULL;
	assert_int_equal(submission_create(&ikd, &spec, b, 0, &id, &cause), -1);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_four_beratungen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_lists, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
