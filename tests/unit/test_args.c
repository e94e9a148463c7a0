/*
 * test_args: parsing command words against the command table: options in
 * both spellings, and the one check of what a command needs (positionals
 * and required options), which names everything missing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "args.h"
#include "cmdtab.h"

static const struct cmd_spec *
command(const char *name)
{
	size_t i;

	for (i = 0; cmdtab[i].name != NULL; i++)
		if (strcmp(cmdtab[i].name, name) == 0)
			return &cmdtab[i];
	fail_msg("no command \"%s\"", name);
	return NULL;
}

/* Parses words (NULL-terminated) for the command name; returns the cause
 * (to free) or NULL when parsing succeeded. */
static char *
parse(const char *name, struct args *a, char **words)
{
	char *cause = NULL;
	int n = 0, rc;

	while (words[n] != NULL)
		n++;
	rc = args_parse(command(name), words, n, a, &cause);
	assert_int_equal(rc, cause != NULL ? -1 : 0);
	return cause;
}

static void
test_options(void **state)
{
	char *words[] = { "ia", "--name=Ausschuss", "--kind", "fachausschuss", "--internal",
	    NULL };
	struct args a;

	(void)state;
	assert_null(parse("committee add", &a, words));
	assert_string_equal(args_pos(&a, 0), "ia");
	assert_string_equal(args_get(&a, "name"), "Ausschuss");
	assert_string_equal(args_get(&a, "kind"), "fachausschuss");
	assert_true(args_has(&a, "internal"));
}

static void
test_missing_required_option(void **state)
{
	char *one[] = { "--committee", "ia", NULL };
	char *other[] = { "--start", "2027-03-16 17:00", NULL };
	char *none[] = { NULL };
	struct args a;
	char *cause;

	(void)state;
	cause = parse("session add", &a, one);
	assert_string_equal(cause, "\"session add\" needs --start \"YYYY-MM-DD HH:MM\"");
	free(cause);
	cause = parse("session add", &a, other);
	assert_string_equal(cause, "\"session add\" needs --committee SLUG");
	free(cause);
	cause = parse("evaluation add", &a, none);
	assert_string_equal(cause, "\"evaluation add\" needs --process SLUG, --title TEXT, "
	    "--owner ACTOR, --start DATE and --rrule RULE");
	free(cause);
}

static void
test_missing_positional_and_option(void **state)
{
	char *none[] = { NULL };
	char *slug[] = { "schulte", "--name", "Petra Schulte", NULL };
	struct args a;
	char *cause;

	(void)state;
	cause = parse("actor add", &a, none);
	assert_string_equal(cause, "\"actor add\" needs SLUG, --name TEXT and --email ADDR");
	free(cause);
	cause = parse("actor add", &a, slug);
	assert_string_equal(cause, "\"actor add\" needs --email ADDR");
	free(cause);
	cause = parse("process step", &a, none);
	assert_string_equal(cause, "\"process step\" needs SLUG N");
	free(cause);
}

/* Options that are not required are never asked for. */
static void
test_optional_not_asked(void **state)
{
	char *words[] = { NULL };
	char *given[] = { "--anchor", "2027-04-06", "--rule", "-3wd", NULL };
	struct args a;

	(void)state;
	assert_null(parse("session list", &a, words));
	assert_null(parse("deadline calc", &a, given));
	assert_null(args_get(&a, "land"));
}

/* The table itself: every option that takes a value names it, so the
 * message about a missing one and the help can show it. */
static void
test_table(void **state)
{
	const struct opt_spec *o;
	size_t i, required = 0;

	(void)state;
	for (i = 0; cmdtab[i].name != NULL; i++)
		for (o = cmdtab[i].opts; o != NULL && o->name != NULL; o++) {
			if (o->kind != OPT_FLAG && o->metavar == NULL)
				fail_msg("%s --%s has no metavar", cmdtab[i].name, o->name);
			if (o->kind == OPT_REQUIRED)
				required++;
		}
	assert_true(required > 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_missing_required_option),
		cmocka_unit_test(test_missing_positional_and_option),
		cmocka_unit_test(test_optional_not_asked),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
