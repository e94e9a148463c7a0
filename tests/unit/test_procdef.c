/*
 * test_procdef: process files: the shipped one in the seed's order, every
 * kind of problem reported as FILE:LINE: message and all of a file at
 * once, and the search path (templates.dir first).
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

#include "procdef.h"

static char dir[64];
static char path[128];

static void
write_file(const char *name, const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "%s/process/%s.conf", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int
setup(void **state)
{
	char sub[96];

	(void)state;
	strcpy(dir, "/tmp/ikond-test-procdef-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sub, sizeof(sub), "%s/process", dir);
	return mkdir(sub, 0700);
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
read_errors(const char *text)
{
	struct procdef *def;
	char *errors = NULL;

	write_file("bad", text);
	def = procdef_read(path, "bad", &errors);
	unlink(path);
	assert_null(def);
	assert_non_null(errors);
	return errors;
}

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", text, want);
}

static void
test_shipped(void **state)
{
	struct procdef *def;
	char *cause = NULL;

	(void)state;
	if ((def = procdef_load(NULL, PROCDEF_DEFAULT, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_int_equal(def->nsteps, 12);
	assert_string_equal(def->steps[7].code, "abstimmung");
	assert_string_equal(def->steps[8].code, "feedback");
	assert_int_equal(def->steps[8].after[0], 7);
	assert_int_equal(def->steps[8].produces, PRODUCT_WINDOW);
	assert_int_equal(def->adoption, 9);
	assert_int_equal(def->decision, 4);
	assert_true(def->steps[3].optional);
	assert_false(def->steps[4].optional);
	assert_int_equal(def->steps[5].gap_days, 14);
	assert_int_equal(def->steps[6].days, 84);
	assert_string_equal(def->steps[11].rrule, "FREQ=YEARLY");
	assert_int_equal(def->steps[11].months, 12);
	assert_int_equal(procdef_find(def, "workshop"), 5);
	procdef_free(def);
}

static void
test_errors(void **state)
{
	char *e;

	(void)state;
	e = read_errors("title = \"x\";\n"
	    "steps = (\n"
	    "  { code = \"a\"; title = \"A\"; weeks = 2; colour = \"red\"; },\n"
	    "  { code = \"b\"; title = \"B\"; after = [ \"zz\" ]; weeks = 1; },\n"
	    "  { code = \"c\"; title = \"C\"; },\n"
	    "  { code = \"d\"; title = \"D\"; produces = \"beschlussvorlage\"; weeks = 3; },\n"
	    "  { code = \"a\"; title = \"again\"; weeks = 1; },\n"
	    "  { code = \"e\"; title = \"E\"; produces = \"evaluation\"; rrule = \"FREQ=NEVER\"; },\n"
	    "  { code = \"f\"; title = \"F\"; produces = \"party\"; weeks = 1; }\n"
	    ");\n"
	    "colour = 1;\n");
	assert_has(e, ":3: unknown key \"colour\" in step \"a\"");
	assert_has(e, ":4: step \"b\" follows \"zz\", which is not an earlier step");
	assert_has(e, ":5: step \"c\" needs a duration (weeks or days)");
	assert_has(e, ":6: step \"d\" is dated by its sessions and has no weeks or days");
	assert_has(e, ":7: step code \"a\" is used twice");
	assert_has(e, ":8: step \"e\": RRULE \"FREQ=NEVER\" is not valid");
	assert_has(e, ":9: produces \"party\" is unknown");
	assert_has(e, ":2: the evaluation step \"e\" must follow \"d\" (after)");
	assert_has(e, ":11: unknown key \"colour\"; valid: title steps");
	assert_non_null(strstr(e, path));
	free(e);

	e = read_errors("steps = ( { code = \"a\"; title = \"A\"; weeks = 1; } );\n");
	assert_has(e, ":1: exactly one step must produce the beschlussvorlage (it has 0)");
	free(e);
	e = read_errors("steps = ( { code = \"a\"; title = \"A\"; weeks = ; } );\n");
	assert_has(e, ":1: syntax error");
	free(e);
	e = read_errors("steps = ( { code = \"Gross\"; title = \"A\"; gap_weeks = 200; } );\n");
	assert_has(e, ":1: step 1 needs a code of 1 to 32 of a-z, 0-9 and -");
	free(e);
	e = read_errors("steps = ( { code = \"w\"; title = \"W\"; days = 0; produces = \"window\"; },"
	    " { code = \"b\"; title = \"B\"; after = [ \"w\" ]; gap_weeks = 200; "
	    "produces = \"beschlussvorlage\"; } );\n");
	assert_has(e, ":1: the window of step \"w\" must last at least a day");
	assert_has(e, ":1: gap_weeks must be 0 to 104");
	free(e);
}

static void
test_search_path(void **state)
{
	struct procdef *def;
	char *cause = NULL, *errors = NULL;

	(void)state;
	/* A copy in templates.dir wins over the shipped file. */
	write_file(PROCDEF_DEFAULT, "title = \"Eigener Ablauf\";\n"
	    "steps = ( { code = \"entwurf\"; title = \"Entwurf\"; weeks = 6; },\n"
	    "  { code = \"beschluss\"; title = \"Beschluss\"; after = [ \"entwurf\" ];\n"
	    "    produces = \"beschlussvorlage\"; } );\n");
	if ((def = procdef_load(dir, PROCDEF_DEFAULT, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_string_equal(def->title, "Eigener Ablauf");
	assert_int_equal(def->nsteps, 2);
	assert_int_equal(def->decision, -1);
	procdef_free(def);
	assert_null(procdef_load(dir, "fehlt", &cause));
	assert_has(cause, "no process file fehlt.conf in ");
	assert_has(cause, dir);
	free(cause);
	cause = NULL;
	assert_null(procdef_load(dir, "../etc", &cause));
	assert_has(cause, "is not a process file name");
	free(cause);
	/* "ikond -n" checks every file on the path. */
	assert_int_equal(procdef_check_all(dir, &errors), 0);
	write_file("kaputt", "steps = ( { code = \"a\"; } );\n");
	assert_int_equal(procdef_check_all(dir, &errors), -1);
	assert_has(errors, "kaputt.conf:1: step \"a\" needs a title");
	free(errors);
	snprintf(path, sizeof(path), "%s/process/kaputt.conf", dir);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_search_path),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
