/*
 * test_config: ikond.conf loading: embedded defaults, every kind of error
 * reported as FILE:LINE: message, and all errors of a file at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char path[64];

static void
write_file(const char *text)
{
	FILE *f;

	strcpy(path, "/tmp/ikond-test-config-XXXXXX");
	close(mkstemp(path));
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static char *
load_errors(const char *text)
{
	struct config *cfg;
	char *errors = NULL;

	write_file(text);
	cfg = config_load(path, &errors);
	unlink(path);
	assert_null(cfg);
	assert_non_null(errors);
	return errors;
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

static void
test_defaults(void **state)
{
	struct config *cfg;
	char *errors = NULL;
	const struct named_rule *r;

	(void)state;
	cfg = config_load(NULL, &errors);
	assert_non_null(cfg);
	assert_null(errors);
	assert_string_equal(cfg->body_land, "NI");
	assert_string_equal(cfg->body_timezone, "Europe/Berlin");
	assert_string_equal(cfg->http_listen, "127.0.0.1");
	assert_int_equal(cfg->http_port, 8080);
	assert_null(cfg->smtp_host);
	assert_int_equal(cfg->smtp_rate_count, 0);
	assert_int_equal(cfg->smtp_connections, 4);
	assert_int_equal(cfg->remind_send_minute, 8 * 60);
	assert_int_equal(cfg->remind_non_working_days, RULE_EARLIER);
	assert_string_equal(cfg->body_kind, "landkreis");
	assert_null(cfg->body_department);
	assert_int_equal(cfg->remind[REMIND_DEADLINE].n, 4);
	assert_int_equal(cfg->remind[REMIND_DEADLINE].offset[0].days, 14);
	r = config_rule(cfg, "ladungsfrist", "kreistag");
	assert_non_null(r);
	assert_string_equal(r->text, "-7d earlier");
	assert_int_equal(cfg->process.evaluation_horizon_months, 36);
	assert_int_equal(cfg->process.evaluation_horizon_days, 0);
	config_free(cfg);
}

static void
test_full_file(void **state)
{
	struct config *cfg;
	char *errors = NULL;

	(void)state;
	write_file(
	    "state_dir = \"/tmp/x\";\n"
	    "control_socket = \"/tmp/x/c.sock\";\n"
	    "http = { listen = \"127.0.0.1\"; port = 8081; base_url = \"https://k.example\"; };\n"
	    "body = { name = \"Landkreis Musterland\"; land = \"BY\"; timezone = \"Europe/Berlin\";\n"
	    "  days_off = ( { date = \"12-24\"; name = \"Heiligabend\"; },\n"
	    "               { date = \"easter-48\"; name = \"Rosenmontag\"; } );\n"
	    "  breaks = ( { from = \"2027-07-01\"; to = \"2027-08-15\"; name = \"Sommerpause\"; } ); };\n"
	    "rules = { ladungsfrist = \"-8d earlier\"; committee = { kreistag = { ladungsfrist = \"-10d earlier\"; }; }; };\n"
	    "reminders = { send_time = \"07:30\"; session = [ \"P3D\" ]; non_working_days = \"keep\";\n"
	    "  committee = { kreistag = { session = [ \"P10D\", \"PT2H\" ]; }; }; };\n"
	    "smtp = { host = \"mail.example.org\"; port = 25; starttls = \"off\"; rate = \"30/min\";\n"
	    "  connections = 2; };\n"
	    "process = { evaluation_roll = \"earlier\"; evaluation_horizon = \"P18M\"; };\n");
	cfg = config_load(path, &errors);
	unlink(path);
	if (cfg == NULL)
		fail_msg("unexpected errors: %s", errors);
	assert_string_equal(cfg->body_land, "BY");
	assert_int_equal(cfg->http_port, 8081);
	assert_int_equal(cfg->smtp_rate_count, 30);
	assert_int_equal(cfg->smtp_rate_period, 60);
	assert_int_equal(cfg->smtp_connections, 2);
	assert_string_equal(config_rule(cfg, "ladungsfrist", NULL)->text, "-8d earlier");
	assert_string_equal(config_rule(cfg, "ladungsfrist", "kreistag")->text, "-10d earlier");
	assert_string_equal(config_rule(cfg, "ladungsfrist", "kreisausschuss")->text, "-8d earlier");
	assert_int_equal(cfg->remind_send_minute, 7 * 60 + 30);
	assert_int_equal(cfg->remind_non_working_days, RULE_KEEP);
	assert_int_equal(config_reminders(cfg, REMIND_SESSION, NULL)->n, 1);
	assert_int_equal(config_reminders(cfg, REMIND_SESSION, "kreistag")->n, 2);
	assert_int_equal(config_reminders(cfg, REMIND_SESSION, "kreistag")->offset[1].minutes, 120);
	assert_false(workcal_is_working_day(cfg->workcal, civil_days_from_date(2026, 12, 24)));
	/* Rosenmontag 2027 is 8 February. */
	assert_false(workcal_is_working_day(cfg->workcal, civil_days_from_date(2027, 2, 8)));
	assert_string_equal(workcal_break_at(cfg->workcal, civil_days_from_date(2027, 7, 20)),
	    "Sommerpause");
	assert_int_equal(cfg->process.evaluation_roll, RULE_EARLIER);
	assert_int_equal(cfg->process.evaluation_horizon_months, 18);
	config_free(cfg);

	/* The kind of body: from the name, or as written. */
	write_file("body = { name = \"Stadt Iserlohn\"; department = \"Bildungsbüro\"; };\n");
	cfg = config_load(path, &errors);
	assert_non_null(cfg);
	assert_string_equal(cfg->body_kind, "stadt");
	assert_string_equal(cfg->body_department, "Bildungsbüro");
	config_free(cfg);
	write_file("body = { name = \"Wardenburg\"; kind = \"gemeinde\"; };\n");
	cfg = config_load(path, &errors);
	unlink(path);
	assert_non_null(cfg);
	assert_string_equal(cfg->body_kind, "gemeinde");
	config_free(cfg);
}

static void
test_every_error_with_line(void **state)
{
	char *e;

	(void)state;
	e = load_errors(
	    "state_dir = \"/tmp/x\";\n"			/* 1 */
	    "htpp = { port = 8080; };\n"			/* 2: unknown key */
	    "http = { port = \"8080\"; };\n"		/* 3: wrong type */
	    "body = { land = \"XY\"; kind = \"bezirk\";\n"	/* 4: unknown Land, kind */
	    "  timezone = \"Mars/Olympus\"; };\n"		/* 5: unknown zone */
	    "rules = { ladungsfrist = \"-7x\"; };\n"		/* 6: bad rule */
	    "reminders = { session = [ \"P1M\" ]; non_working_days = \"later\"; };\n"
							/* 7: bad duration, word */
	    "smtp = { port = 70000; starttls = \"maybe\"; rate = \"30/day\"; connections = 0; };\n"
							/* 8: range, words */
	    "process = { evaluation_horizon = \"P31Y\";\n"	/* 9: too far */
	    "  drafting_weeks = 16; };\n");			/* 10: moved */
	assert_contains(e, ":2: unknown key \"htpp\"");
	assert_contains(e, ":3: \"http.port\" must be an integer");
	assert_contains(e, ":4: unknown Land \"XY\"");
	assert_contains(e, ":5: unknown time zone \"Mars/Olympus\"");
	assert_contains(e, ":6: rule ladungsfrist");
	assert_contains(e, ":7: duration \"P1M\"");
	assert_contains(e, ":8: \"smtp.port\" is 70000");
	assert_contains(e, ":8: smtp.starttls is \"maybe\"");
	assert_contains(e, ":8: smtp.rate is \"30/day\"");
	assert_contains(e, ":8: \"smtp.connections\" is 0; it must be between 1 and 16");
	assert_contains(e, ":4: unknown kind of body \"bezirk\"; valid: gemeinde, stadt");
	assert_contains(e, ":7: reminders.non_working_days is \"later\"; valid: earlier keep");
	assert_contains(e, ":9: process.evaluation_horizon is \"P31Y\"");
	assert_contains(e, ":10: \"process.drafting_weeks\" moved into the process file: copy "
	    "templates/process/integrationskonzept.conf into templates.dir/process/ and set the "
	    "weeks of step \"erarbeitung\" there");
	assert_int_equal(strncmp(e, path, strlen(path)), 0);
	free(e);
}

/* What would fail at use is refused at load: text that is not UTF-8 or
 * holds control characters, addresses the daemon cannot bind, ids that
 * do not exist, a refresh interval the feed writer refuses. */
static void
test_values_that_fail_later(void **state)
{
	char *e;

	(void)state;
	e = load_errors(
	    "body = { name = \"Kreis \xed\xa0\x80\";\n"	/* 1: a surrogate */
	    "  head_name = \"A\\tB\";\n"			/* 2: a tab */
	    "  address = \"Am Markt 1\\n12345 Musterstadt\"; };\n"	/* 3: lines are fine */
	    "smtp = { from = \"a@b.example\\r\\nBcc: c@d.example\"; };\n"	/* 4: CR LF */
	    "http = { listen = \"localhost\"; };\n"		/* 5: a name */
	    "control = { allow_users = [ -1 ]; };\n"		/* 6: no such uid */
	    "feeds = { refresh = \"P1W1D\"; };\n");		/* 7: not RFC 5545 */
	assert_contains(e, ":1: \"body.name\" is not valid UTF-8 (byte 7)");
	assert_contains(e, ":2: \"body.head_name\" contains a control character (byte 2: TAB)");
	assert_null(strstr(e, ":3:"));
	assert_contains(e, ":4: \"smtp.from\" contains a control character (byte 12: CR)");
	assert_contains(e, ":5: http.listen \"localhost\" is not an IPv4 or IPv6 address");
	assert_contains(e, ":6: no user has the uid -1");
	assert_contains(e, ":7: feeds.refresh \"P1W1D\"");
	/* Quoted bytes that are not text never reach the message. */
	assert_true(strstr(e, "\xed") == NULL);
	free(e);
}

static void
test_syntax_error(void **state)
{
	char *e;

	(void)state;
	e = load_errors("state_dir = \"/tmp/x\";\nhttp = { port = 8080 \n");
	assert_contains(e, path);
	assert_contains(e, ":3:");
	free(e);
}

static void
test_missing_file(void **state)
{
	struct config *cfg;
	char *errors = NULL;

	(void)state;
	cfg = config_load("/nonexistent/ikond.conf", &errors);
	assert_null(cfg);
	assert_non_null(strstr(errors, "/nonexistent/ikond.conf:0: cannot read the file"));
	free(errors);
}

static void
test_nested_unknown_keys(void **state)
{
	char *e;

	(void)state;
	e = load_errors(
	    "body = { days_off = ( { date = \"12-24\"; nmae = \"x\"; } ); };\n"
	    "rules = { committee = { kreistag = { ladungsfirst = \"-7d\"; }; }; };\n"
	    "reminders = { committee = { kt = { sesion = [ \"P1D\" ]; }; }; };\n");
	assert_contains(e, ":1: unknown key \"body.days_off.[].nmae\"");
	assert_contains(e, ":2: unknown key \"rules.committee.kreistag.ladungsfirst\"");
	assert_contains(e, ":3: unknown key \"reminders.committee.kt.sesion\"");
	free(e);
}

/* Under systemd the daemon's default directories come from the unit. */
static void
test_systemd_directories(void **state)
{
	struct config *cfg;
	char *errors = NULL;

	(void)state;
	setenv("STATE_DIRECTORY", "/var/lib/ikond:/var/lib/other", 1);
	setenv("RUNTIME_DIRECTORY", "/run/ikond", 1);
	cfg = config_load(NULL, &errors);
	assert_non_null(cfg);
	assert_string_equal(cfg->state_dir, "/var/lib/ikond");
	assert_string_equal(cfg->control_socket, "/run/ikond/control.sock");
	config_free(cfg);

	write_file("state_dir = \"/srv/ikond\";\ncontrol_socket = \"/srv/ikond/ctl.sock\";\n");
	cfg = config_load(path, &errors);
	unlink(path);
	assert_non_null(cfg);
	assert_string_equal(cfg->state_dir, "/srv/ikond");
	assert_string_equal(cfg->control_socket, "/srv/ikond/ctl.sock");
	config_free(cfg);

	setenv("STATE_DIRECTORY", "relative", 1);
	unsetenv("RUNTIME_DIRECTORY");
	cfg = config_load(NULL, &errors);
	assert_non_null(cfg);
	assert_string_not_equal(cfg->state_dir, "relative");
	config_free(cfg);
	unsetenv("STATE_DIRECTORY");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_every_error_with_line),
		cmocka_unit_test(test_values_that_fail_later),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_nested_unknown_keys),
		cmocka_unit_test(test_systemd_directories),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
