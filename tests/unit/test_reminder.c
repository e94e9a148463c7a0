/*
 * test_reminder: the planning rules with an injected "now": due times from
 * the local calendar across the DST change, send days moved off weekends
 * and holidays, the catch-up rule (only the
 * latest past offset is sent), dates already past, moved and cancelled
 * sessions without duplicate rows and without rewriting unchanged ones,
 * the preference "none", and the planning
 * window (items far ahead get rows once they enter it; moves out of it and
 * deletions are still noticed).
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
#include "entity.h"
#include "ikond.h"
#include "reminder.h"
#include "store.h"
#include "workcal.h"

static char tmpdir[] = "/tmp/test_reminder.XXXXXX";
static struct ikond ikd;

static time_t
local(const char *text)
{
	struct civil_moment m;
	time_t t;

	assert_int_equal(civil_parse_moment(text, &m, NULL), 0);
	assert_int_equal(civil_to_utc("Europe/Berlin", m.days, m.minute, &t, NULL, NULL), 0);
	return t;
}

static time_t
utc(int y, int mo, int d, int h, int mi)
{
	return (time_t)civil_days_from_date(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

/* A send day that is not a working day becomes the working day before,
 * at the same local time. */
static void
test_working_day(void **state)
{
	struct workcal *wc = workcal_new("NI", NULL);

	(void)state;
	assert_non_null(wc);
	/* Sunday 08:00 and Saturday 08:00: Friday 08:00. */
	assert_int_equal(reminder_working_day("Europe/Berlin", wc, local("2027-03-14 08:00")),
	    local("2027-03-12 08:00"));
	assert_int_equal(reminder_working_day("Europe/Berlin", wc, local("2027-03-13 08:00")),
	    local("2027-03-12 08:00"));
	/* Easter Monday: before Good Friday, to Thursday. */
	assert_int_equal(reminder_working_day("Europe/Berlin", wc, local("2027-03-29 08:00")),
	    local("2027-03-25 08:00"));
	/* Across the DST change the local time stays (Sunday 28 March 2027). */
	assert_int_equal(reminder_working_day("Europe/Berlin", wc, local("2027-03-28 08:00")),
	    local("2027-03-25 08:00"));
	/* A working day stays as it is. */
	assert_int_equal(reminder_working_day("Europe/Berlin", wc, local("2027-03-15 08:00")),
	    local("2027-03-15 08:00"));
	workcal_free(wc);
}

static void
test_due_dst(void **state)
{
	struct reminder_date d = { false, 0, local("2026-04-07 18:00") };
	struct duration off;
	time_t due;

	(void)state;
	assert_int_equal(duration_parse("P14D", &off, NULL), 0);
	assert_int_equal(reminder_due_time("Europe/Berlin", 8 * 60, &d, &off, &due, NULL), 0);
	assert_int_equal(due, utc(2026, 3, 24, 7, 0));		/* 08:00 CET */
	assert_int_equal(duration_parse("P7D", &off, NULL), 0);
	assert_int_equal(reminder_due_time("Europe/Berlin", 8 * 60, &d, &off, &due, NULL), 0);
	assert_int_equal(due, utc(2026, 3, 31, 6, 0));		/* 08:00 CEST */
	assert_int_equal(duration_parse("PT2H", &off, NULL), 0);
	assert_int_equal(reminder_due_time("Europe/Berlin", 8 * 60, &d, &off, &due, NULL), 0);
	assert_int_equal(due, d.start - 7200);
	/* One day and two hours before 18:00 on the day after the change: 16:00 local. */
	d.start = local("2026-03-30 18:00");
	assert_int_equal(duration_parse("P1DT2H", &off, NULL), 0);
	assert_int_equal(reminder_due_time("Europe/Berlin", 8 * 60, &d, &off, &due, NULL), 0);
	assert_int_equal(due, local("2026-03-29 16:00"));
	/* A whole-day item: P0D at send_time on the day itself; past at midnight after. */
	d.all_day = true;
	d.days = civil_days_from_date(2026, 10, 25);
	assert_int_equal(duration_parse("P0D", &off, NULL), 0);
	assert_int_equal(reminder_due_time("Europe/Berlin", 8 * 60, &d, &off, &due, NULL), 0);
	assert_int_equal(due, utc(2026, 10, 25, 7, 0));		/* 08:00 CET */
	assert_int_equal(reminder_date_over("Europe/Berlin", &d), utc(2026, 10, 25, 23, 0));
}

static sqlite3_int64 session_id;

static int
setup(void **state)
{
	char *cause = NULL, *path;

	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	memset(&ikd, 0, sizeof(ikd));
	ikd.cfg = config_load(NULL, &cause);
	assert_non_null(ikd.cfg);
	assert_int_equal(asprintf(&path, "%s/ikond.db", tmpdir) > 0, 1);
	ikd.store = store_open(path, &cause);
	free(path);
	assert_non_null(ikd.store);
	assert_int_equal(entity_installation_load(&ikd, &cause), 0);
	assert_int_not_equal(store_exec(ikd.store, NULL, "INSERT INTO committee (slug, name, "
	    "kind, created_at, updated_at) VALUES ('ia', 'Integrationsausschuss', "
	    "'fachausschuss', 0, 0)", ""), -1);
	assert_int_not_equal(store_exec(ikd.store, NULL, "INSERT INTO actor (slug, name, email, "
	    "created_at, updated_at) VALUES ('a', 'Ayşe Öztürk', 'a@example.org', 0, 0), "
	    "('b', 'Bernd', 'b@example.org', 0, 0)", ""), -1);
	assert_int_not_equal(store_exec(ikd.store, NULL, "INSERT INTO membership (actor_id, "
	    "committee_id) VALUES (1, 1), (2, 1)", ""), -1);
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

static void
add_session(const char *start)
{
	time_t t = local(start);

	assert_int_not_equal(store_exec(ikd.store, NULL, "INSERT INTO session (committee_id, "
	    "title, start_utc, end_utc, uid, created_at, updated_at) VALUES (1, 'Sitzung', ?, ?, "
	    "'session-test@ikond', 0, 0)", "ii", (sqlite3_int64)t, (sqlite3_int64)t + 7200), -1);
	session_id = store_last_id(ikd.store);
}

static void
move_session(const char *start)
{
	time_t t = local(start);

	assert_int_not_equal(store_exec(ikd.store, NULL, "UPDATE session SET start_utc = ?, "
	    "end_utc = ?, sequence = sequence + 1 WHERE id = ?", "iii", (sqlite3_int64)t,
	    (sqlite3_int64)t + 7200, session_id), -1);
}

/* The number of reminder rows where holds; wrong SQL fails the test. */
static sqlite3_int64
count(const char *where)
{
	char sql[300], *cause = NULL;
	sqlite3_int64 n;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM reminder WHERE %s", where);
	if (store_get_int(ikd.store, &cause, &n, sql, "") != 1)
		fail_msg("%s: %s", sql, cause ? cause : "no row");
	return n;
}

/* The due time of an actor's reminder at offset; fails if there is none. */
static sqlite3_int64
due_of(sqlite3_int64 actor, const char *offset)
{
	sqlite3_int64 due;
	char *cause = NULL;

	if (store_get_int(ikd.store, &cause, &due, "SELECT due_utc FROM reminder WHERE "
	    "actor_id = ? AND offset = ?", "it", actor, offset) != 1)
		fail_msg("actor %lld, %s: %s", (long long)actor, offset, cause ? cause : "no row");
	return due;
}

static void
plan(const char *now, struct reminder_stats *st)
{
	char *cause = NULL;

	memset(st, 0, sizeof(*st));
	if (reminder_plan(&ikd, local(now), st, &cause) == -1)
		fail_msg("%s", cause);
}

static void
test_plan_lifecycle(void **state)
{
	struct reminder_stats st;
	sqlite3_int64 writes;

	(void)state;
	/* Default session offsets P7D and P1D; both already past: only P1D goes out. */
	add_session("2026-03-11 18:00");
	plan("2026-03-10 12:00", &st);
	assert_int_equal(st.planned, 4);
	assert_int_equal(st.skipped_older, 2);
	assert_int_equal(count("state = 'queued' AND offset = 'P1D'"), 2);
	assert_int_equal(count("state = 'skipped' AND offset = 'P7D'"), 2);

	/* Planning again changes nothing and duplicates nothing, and writes no
	 * row: each write rewrites the row with its copy of the item. */
	assert_int_not_equal(store_exec(ikd.store, NULL, "CREATE TEMP TABLE writes AS "
	    "SELECT 0 AS n", ""), -1);
	assert_int_not_equal(store_exec(ikd.store, NULL, "CREATE TEMP TRIGGER reminder_written "
	    "AFTER UPDATE ON reminder BEGIN UPDATE writes SET n = n + 1; END", ""), -1);
	plan("2026-03-10 12:01", &st);
	assert_int_equal(st.planned + st.moved + st.notices + st.skipped_older, 0);
	assert_int_equal(count("1"), 4);
	assert_int_equal(store_get_int(ikd.store, NULL, &writes, "SELECT n FROM writes", ""), 1);
	assert_int_equal(writes, 0);
	assert_int_not_equal(store_exec(ikd.store, NULL, "DROP TRIGGER reminder_written", ""),
	    -1);

	/* Actor a was reminded; the session moves: queued rows follow, a gets one notice. */
	assert_int_not_equal(store_exec(ikd.store, NULL, "UPDATE reminder SET state = 'sent', "
	    "sent_at = 1 WHERE actor_id = 1 AND offset = 'P1D'", ""), -1);
	move_session("2026-03-25 17:00");
	plan("2026-03-10 12:02", &st);
	assert_int_equal(count("1"), 5);
	assert_int_equal(st.notices, 1);
	assert_int_equal(count("kind = 'moved' AND actor_id = 1 AND state = 'queued' AND "
	    "old_when = '2026-03-11 18:00' AND item_when = '2026-03-25 17:00'"), 1);
	assert_int_equal(due_of(2, "P1D"), local("2026-03-24 08:00"));
	/* The P7D rows skipped before fall due in the future again: re-armed. */
	assert_int_equal(count("offset = 'P7D' AND state = 'queued'"), 2);
	plan("2026-03-10 12:03", &st);
	assert_int_equal(st.notices, 0);
	assert_int_equal(count("kind = 'moved'"), 1);

	/* Cancelled: every queued row is skipped, a (reminded) gets one cancellation. */
	assert_int_not_equal(store_exec(ikd.store, NULL, "UPDATE session SET state = "
	    "'cancelled' WHERE id = ?", "i", session_id), -1);
	plan("2026-03-10 12:04", &st);
	assert_int_equal(count("state = 'queued' AND kind <> 'cancelled'"), 0);
	assert_int_equal(count("kind = 'cancelled' AND actor_id = 1 AND state = 'queued'"), 1);
	assert_int_equal(count("kind = 'cancelled' AND actor_id = 2"), 0);
	plan("2026-03-10 12:05", &st);
	assert_int_equal(count("kind = 'cancelled'"), 1);
	assert_int_not_equal(store_exec(ikd.store, NULL, "DELETE FROM reminder", ""), -1);
	assert_int_not_equal(store_exec(ikd.store, NULL, "DELETE FROM session", ""), -1);
}

static void
test_plan_past_and_preference(void **state)
{
	struct reminder_stats st;

	(void)state;
	/* Yesterday evening's session: its reminders are skipped and counted. */
	add_session("2026-03-09 18:00");
	plan("2026-03-10 12:00", &st);
	assert_int_equal(st.skipped_past, 4);
	assert_int_equal(count("state = 'queued'"), 0);
	assert_int_not_equal(store_exec(ikd.store, NULL, "DELETE FROM reminder", ""), -1);
	assert_int_not_equal(store_exec(ikd.store, NULL, "DELETE FROM session", ""), -1);

	/* An actor who wants no reminders gets no rows; queued ones are skipped. */
	add_session("2026-04-07 18:00");
	plan("2026-03-10 12:00", &st);
	assert_int_equal(count("state = 'queued'"), 4);
	assert_int_equal(due_of(1, "P7D"), utc(2026, 3, 31, 6, 0));
	assert_int_not_equal(store_exec(ikd.store, NULL, "UPDATE actor SET reminders = 'none' "
	    "WHERE id = 2", ""), -1);
	plan("2026-03-10 12:01", &st);
	assert_int_equal(count("state = 'queued' AND actor_id = 2"), 0);
	assert_int_equal(count("state = 'queued' AND actor_id = 1"), 2);
	/* A digest reader's timed reminders wait for the next send_time. */
	assert_int_not_equal(store_exec(ikd.store, NULL, "UPDATE actor SET reminders = 'digest' "
	    "WHERE id = 2", ""), -1);
	plan("2026-03-10 12:02", &st);
	assert_int_equal(count("state = 'queued' AND actor_id = 2"), 2);
}

static void
test_plan_window(void **state)
{
	struct reminder_stats st;

	(void)state;
	assert_int_not_equal(store_exec(ikd.store, NULL, "DELETE FROM reminder", ""), -1);
	assert_int_not_equal(store_exec(ikd.store, NULL, "DELETE FROM session", ""), -1);
	assert_int_not_equal(store_exec(ikd.store, NULL, "UPDATE actor SET reminders = 'each'",
	    ""), -1);
	/* The longest default offset is P30D (evaluations): 33 days ahead. */
	assert_int_equal(reminder_horizon_days(ikd.cfg), 33);

	/* Two months ahead: beyond the window, no rows yet. */
	add_session("2026-07-01 18:00");
	plan("2026-05-01 12:00", &st);
	assert_int_equal(count("1"), 0);
	/* 32 days ahead: inside, its rows are planned long before P7D is due. */
	plan("2026-05-30 12:00", &st);
	assert_int_equal(st.planned, 4);
	assert_int_equal(count("state = 'queued'"), 4);

	/* a was reminded; the session moves beyond the window: the queued rows
	 * follow it there, a gets one "verschoben" notice now, nothing is skipped. */
	assert_int_not_equal(store_exec(ikd.store, NULL, "UPDATE reminder SET state = 'sent', "
	    "sent_at = 1 WHERE actor_id = 1 AND offset = 'P7D'", ""), -1);
	move_session("2026-09-01 18:00");
	plan("2026-05-30 12:05", &st);
	assert_int_equal(st.notices, 1);
	assert_int_equal(count("kind = 'moved' AND actor_id = 1 AND state = 'queued' AND "
	    "old_when = '2026-07-01 18:00' AND item_when = '2026-09-01 18:00'"), 1);
	assert_int_equal(count("state = 'skipped'"), 0);
	assert_int_equal(due_of(2, "P1D"), local("2026-08-31 08:00"));
	plan("2026-05-30 12:06", &st);
	assert_int_equal(st.notices + st.planned + st.skipped_other, 0);
	assert_int_equal(count("kind = 'moved'"), 1);

	/* Deleted while far ahead: swept as removed once the window reaches its rows. */
	assert_int_not_equal(store_exec(ikd.store, NULL, "UPDATE reminder SET state = 'sent', "
	    "sent_at = 2 WHERE kind = 'moved'", ""), -1);
	assert_int_not_equal(store_exec(ikd.store, NULL, "DELETE FROM session", ""), -1);
	plan("2026-08-15 12:00", &st);
	assert_int_equal(count("state = 'queued'"), 0);
	assert_int_equal(count("state = 'skipped' AND last_error = 'the date was removed'"), 3);
	assert_int_not_equal(store_exec(ikd.store, NULL, "DELETE FROM reminder", ""), -1);

	/* A session moved from beyond the window into it gets its rows at once. */
	add_session("2026-10-20 18:00");
	plan("2026-08-15 12:01", &st);
	assert_int_equal(count("1"), 0);
	move_session("2026-08-20 18:00");
	plan("2026-08-15 12:02", &st);
	assert_int_equal(count("state = 'queued'"), 4);
	assert_int_equal(count("offset = 'P1D' AND state = 'queued'"), 2);
	assert_int_not_equal(store_exec(ikd.store, NULL, "DELETE FROM reminder", ""), -1);
	assert_int_not_equal(store_exec(ikd.store, NULL, "DELETE FROM session", ""), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_working_day),
		cmocka_unit_test(test_due_dst),
		cmocka_unit_test(test_plan_lifecycle),
		cmocka_unit_test(test_plan_past_and_preference),
		cmocka_unit_test(test_plan_window),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
