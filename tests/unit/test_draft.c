/*
 * Unit tests of draft: template names (no paths, no suffixes), the search
 * path (the admin's directory first, then the shipped templates), the
 * listing with origins and titles, and rendering errors as NAME:LINE.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "draft.h"
#include "xmalloc.h"

static char *
make_dir(void)
{
	char tmpl[] = "/tmp/ikond-draft-test-XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return xstrdup(d);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *f;

	xasprintf(&path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static void
remove_dir(const char *dir, const char *const *names)
{
	char *path;
	size_t i;

	for (i = 0; names[i] != NULL; i++) {
		xasprintf(&path, "%s/%s", dir, names[i]);
		unlink(path);
		free(path);
	}
	rmdir(dir);
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(draft_name_valid("verwaltungsvorlage"));
	assert_true(draft_name_valid("einladung-workshop"));
	assert_true(draft_name_valid("v2"));
	assert_false(draft_name_valid(NULL));
	assert_false(draft_name_valid(""));
	assert_false(draft_name_valid("../etc/passwd"));
	assert_false(draft_name_valid("a/b"));
	assert_false(draft_name_valid("x.md"));
	assert_false(draft_name_valid("Beschluss"));
	assert_false(draft_name_valid("a b"));
	assert_false(draft_name_valid("vorlage\n"));
	assert_false(draft_name_valid("ä"));
	assert_false(draft_name_valid(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void
test_search_path_order(void **state)
{
	struct draft_dir dirs[DRAFT_PATH_DIRS];
	size_t n;

	(void)state;
	n = draft_search_path("/etc/ikond/templates", dirs);
	assert_true(n >= 2);
	assert_string_equal(dirs[0].path, "/etc/ikond/templates");
	assert_string_equal(dirs[0].origin, "admin");
	assert_string_equal(dirs[1].path, IKOND_DATADIR "/templates");
	assert_string_equal(dirs[1].origin, "shipped");
	assert_string_equal(dirs[n - 1].origin, "shipped");
	n = draft_search_path(NULL, dirs);
	assert_string_equal(dirs[0].origin, "shipped");
}

static void
test_admin_overrides_shipped(void **state)
{
	static const char *const files[] = { "beschlussvorlage.md", "eigene.md", "README.md",
	    "Kaputt.md", NULL };
	char *dir = make_dir(), *path, *cause = NULL;
	const char *origin = NULL;
	json_t *list, *item;
	size_t i;
	bool found_own = false, found_shipped = false;

	(void)state;
	/* Without an admin copy the shipped template is found. */
	path = draft_find(dir, "beschlussvorlage", &origin, &cause);
	assert_non_null(path);
	assert_string_equal(origin, "shipped");
	free(path);

	write_file(dir, "beschlussvorlage.md", "{{! Eigene Fassung. Mehr Text. }}\n# B\n");
	write_file(dir, "eigene.md", "# Eigene Vorlage\n\nText\n");
	write_file(dir, "README.md", "not a template\n");
	write_file(dir, "Kaputt.md", "not a valid name\n");
	path = draft_find(dir, "beschlussvorlage", &origin, &cause);
	assert_non_null(path);
	assert_string_equal(origin, "admin");
	assert_true(strncmp(path, dir, strlen(dir)) == 0);
	free(path);

	list = draft_list(dir);
	json_array_foreach(list, i, item) {
		const char *name = json_string_value(json_object_get(item, "name"));
		const char *from = json_string_value(json_object_get(item, "origin"));
		const char *title = json_string_value(json_object_get(item, "title"));

		assert_string_not_equal(name, "README");
		assert_string_not_equal(name, "Kaputt");
		if (strcmp(name, "beschlussvorlage") == 0) {
			assert_string_equal(from, "admin");
			assert_string_equal(title, "Eigene Fassung.");
			found_own = true;
		}
		if (strcmp(name, "eigene") == 0)
			assert_string_equal(title, "Eigene Vorlage");
		if (strcmp(name, "verwaltungsvorlage") == 0) {
			assert_string_equal(from, "shipped");
			found_shipped = true;
		}
		if (i > 0)
			assert_true(strcmp(json_string_value(json_object_get(json_array_get(list,
			    i - 1), "name")), name) < 0);
	}
	assert_true(found_own);
	assert_true(found_shipped);
	json_decref(list);
	remove_dir(dir, files);
	free(dir);
}

static void
test_find_refuses_paths_and_unknown(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_null(draft_find(NULL, "../../etc/passwd", NULL, &cause));
	assert_non_null(strstr(cause, "not a template name"));
	free(cause);
	cause = NULL;
	assert_null(draft_find(NULL, "gibt-es-nicht", NULL, &cause));
	assert_non_null(strstr(cause, "no template \"gibt-es-nicht\""));
	assert_non_null(strstr(cause, IKOND_DATADIR "/templates"));
	free(cause);
}

static void
test_render_errors_name_the_line(void **state)
{
	static const char *const files[] = { "kaputt.md", "gut.md", NULL };
	char *dir = make_dir(), *cause = NULL;
	json_t *data = json_pack("{s:{s:s}}", "body", "name", "<b>Kreis</b>");
	struct buf out;

	(void)state;
	write_file(dir, "kaputt.md", "# A\n\n{{#body}}\n{{name}}\n");
	write_file(dir, "gut.md", "# {{body.name}}\n");
	buf_init(&out);
	assert_int_equal(draft_render(dir, "kaputt", data, DOCUMENT_MD, &out, &cause), -1);
	assert_non_null(strstr(cause, "kaputt:3: "));
	assert_int_equal(out.len, 0);
	free(cause);
	cause = NULL;
	assert_int_equal(draft_render(dir, "gut", data, DOCUMENT_HTML, &out, &cause), 0);
	buf_add_char(&out, '\0');
	assert_non_null(strstr(out.data, "&lt;b&gt;Kreis&lt;/b&gt;"));
	assert_null(strstr(out.data, "<b>Kreis"));
	buf_free(&out);
	json_decref(data);
	remove_dir(dir, files);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_search_path_order),
		cmocka_unit_test(test_admin_overrides_shipped),
		cmocka_unit_test(test_find_refuses_paths_and_unknown),
		cmocka_unit_test(test_render_errors_name_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
