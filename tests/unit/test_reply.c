/*
 * test_reply: the command runner both programs use: a command is found
 * once, a handler is looked up by its name, and a usage error (status 2,
 * naming what is missing) stops the command before its handler runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reply.h"

static int calls;

static int
calc_handler(struct request *req, struct reply *rep)
{
	calls++;
	rep->data = json_pack("{s:s, s:s}", "anchor", args_get(req->args, "anchor"),
	    "rule", args_get(req->args, "rule"));
	return 0;
}

static int
failing_handler(struct request *req, struct reply *rep)
{
	(void)req;
	(void)rep;
	calls++;
	return -1;
}

static const struct handler handlers[] = {
	{ "deadline calc", calc_handler },
	{ "holidays", failing_handler },
	{ NULL, NULL },
};
static const struct handler *const tables[] = { handlers, NULL };

/* Finds and runs argv (NULL-terminated) as ikond-ctl does for a local command. */
static void
run(char **argv, struct reply *rep)
{
	const struct cmd_spec *cmd;
	struct request base;
	handler_fn fn;
	int argc = 0, used;

	while (argv[argc] != NULL)
		argc++;
	memset(&base, 0, sizeof(base));
	memset(rep, 0, sizeof(*rep));
	cmd = command_find(argv, argc, &used, rep);
	assert_non_null(cmd);
	fn = command_handler(tables, cmd);
	assert_non_null(fn);
	command_run(&base, cmd, fn, argv + used, argc - used, rep);
}

static void
test_runs_handler(void **state)
{
	char *argv[] = { "deadline", "calc", "--anchor", "2027-04-06", "--rule", "-3wd", NULL };
	struct reply rep;

	(void)state;
	calls = 0;
	run(argv, &rep);
	assert_int_equal(rep.status, 0);
	assert_null(rep.error);
	assert_int_equal(calls, 1);
	assert_string_equal(json_string_value(json_object_get(rep.data, "rule")), "-3wd");
	reply_clear(&rep);
}

static void
test_missing_required_option_is_usage_error(void **state)
{
	char *argv[] = { "deadline", "calc", "--rule", "-3wd", NULL };
	struct reply rep;

	(void)state;
	calls = 0;
	run(argv, &rep);
	assert_int_equal(rep.status, 2);
	assert_string_equal(rep.error,
	    "\"deadline calc\" needs --anchor \"YYYY-MM-DD[ HH:MM]\"");
	assert_int_equal(calls, 0);
	reply_clear(&rep);
}

static void
test_failure_without_message(void **state)
{
	char *argv[] = { "holidays", NULL };
	struct reply rep;

	(void)state;
	calls = 0;
	run(argv, &rep);
	assert_int_equal(calls, 1);
	assert_int_equal(rep.status, 1);
	assert_string_equal(rep.error, "failed");
	reply_clear(&rep);
}

static void
test_unknown_command(void **state)
{
	char *unknown[] = { "comittee", "add", NULL };
	char *group[] = { "committee", "ad", NULL };
	struct reply rep;
	int used;

	(void)state;
	memset(&rep, 0, sizeof(rep));
	assert_null(command_find(unknown, 2, &used, &rep));
	assert_int_equal(rep.status, 2);
	assert_non_null(strstr(rep.error, "unknown command \"comittee\""));
	reply_clear(&rep);
	assert_null(command_find(group, 2, &used, &rep));
	assert_int_equal(rep.status, 2);
	assert_non_null(strstr(rep.error, "unknown subcommand \"ad\" of \"committee\""));
	assert_non_null(strstr(rep.error, "add, list, show, edit, remove"));
	reply_clear(&rep);
}

static void
test_handler_lookup(void **state)
{
	char *argv[] = { "committee", "add", NULL };
	const struct cmd_spec *cmd;
	struct reply rep;
	int used;

	(void)state;
	memset(&rep, 0, sizeof(rep));
	cmd = command_find(argv, 2, &used, &rep);
	assert_non_null(cmd);
	assert_int_equal(used, 2);
	assert_null(command_handler(tables, cmd));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_handler),
		cmocka_unit_test(test_missing_required_option_is_usage_error),
		cmocka_unit_test(test_failure_without_message),
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_handler_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
