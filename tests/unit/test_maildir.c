/*
 * test_maildir: delivery into a fresh temporary Maildir: layout and modes,
 * unique names, LF line ends, and clear errors when delivery cannot work.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "maildir.h"

static char tmpdir[] = "/tmp/test_maildir.XXXXXX";

static int
count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	data = malloc((size_t)n + 1);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	return data;
}

static void
test_deliver(void **state)
{
	const char *msg = "Subject: Test\r\nTo: a@b\r\n\r\nZeile 1\r\nZeile 2\r\n";
	char dir[256], path[512], *name = NULL, *name2 = NULL, *cause = NULL;
	char *data;
	struct stat st;
	const char *sub[] = { "", "/cur", "/new", "/tmp" };
	size_t i;

	(void)state;
	snprintf(dir, sizeof dir, "%s/Maildir", tmpdir);
	assert_int_equal(maildir_deliver(dir, msg, strlen(msg), &name, &cause), 0);
	assert_null(cause);
	assert_non_null(name);
	assert_null(strchr(name, '/'));
	for (i = 0; i < sizeof sub / sizeof sub[0]; i++) {
		snprintf(path, sizeof path, "%s%s", dir, sub[i]);
		assert_int_equal(stat(path, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(st.st_mode & 0777, 0700);
	}
	snprintf(path, sizeof path, "%s/new/%s", dir, name);
	data = read_file(path);
	assert_string_equal(data, "Subject: Test\nTo: a@b\n\nZeile 1\nZeile 2\n");
	free(data);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	snprintf(path, sizeof path, "%s/tmp", dir);
	assert_int_equal(count_entries(path), 0);

	/* A second delivery gets its own name. */
	assert_int_equal(maildir_deliver(dir, msg, strlen(msg), &name2, &cause), 0);
	assert_string_not_equal(name, name2);
	snprintf(path, sizeof path, "%s/new", dir);
	assert_int_equal(count_entries(path), 2);
	free(name);
	free(name2);

	/* Many in a row, without asking for the name. */
	for (i = 0; i < 50; i++)
		assert_int_equal(maildir_deliver(dir, msg, strlen(msg), NULL,
		    &cause), 0);
	assert_int_equal(count_entries(path), 52);
}

static void
test_existing_and_errors(void **state)
{
	char dir[256], path[512], *cause = NULL;
	FILE *f;

	(void)state;
	/* An existing, complete Maildir is used as it is. */
	snprintf(dir, sizeof dir, "%s/exists", tmpdir);
	assert_int_equal(maildir_create(dir, &cause), 0);
	assert_int_equal(maildir_create(dir, &cause), 0);
	assert_int_equal(maildir_deliver(dir, "x\r\n", 3, NULL, &cause), 0);

	/* A missing parent is an error with a reason, not a crash. */
	snprintf(dir, sizeof dir, "%s/no/such/parent", tmpdir);
	assert_int_equal(maildir_deliver(dir, "x\r\n", 3, NULL, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "parent"));
	free(cause);
	cause = NULL;

	/* A file where new/ should be. */
	snprintf(dir, sizeof dir, "%s/broken", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof path, "%s/new", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(maildir_deliver(dir, "x\r\n", 3, NULL, &cause), -1);
	assert_non_null(strstr(cause, "not a directory"));
	free(cause);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deliver),
		cmocka_unit_test(test_existing_and_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
