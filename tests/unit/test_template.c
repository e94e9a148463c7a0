/*
 * Unit tests of the template language: values, sections, inverted sections,
 * nesting and outward lookup, errors with template name and line, and the
 * escaping that keeps hostile values literal in Markdown, HTML and ODT.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "document.h"
#include "template.h"

static const struct document_info info_t = { .title = "t" };

/* Renders src against the JSON text data; returns output or NULL + *cause. */
static char *
render(const char *src, const char *data, enum template_escape esc,
    char **cause)
{
	struct template *t;
	struct buf out;
	json_error_t jerr;
	json_t *j;
	int rc;

	*cause = NULL;
	if ((t = template_parse("probe", src, strlen(src), cause)) == NULL)
		return NULL;
	j = json_loads(data, 0, &jerr);
	assert_non_null(j);
	buf_init(&out);
	rc = template_render(t, j, esc, &out, cause);
	json_decref(j);
	template_free(t);
	if (rc == -1) {
		assert_int_equal(out.len, 0);
		buf_free(&out);
		return NULL;
	}
	return buf_steal(&out, NULL);
}

static void
expect(const char *src, const char *data, const char *want)
{
	char *cause, *got;

	got = render(src, data, TEMPLATE_ESCAPE_NONE, &cause);
	if (got == NULL)
		fail_msg("unexpected error: %s", cause);
	assert_string_equal(got, want);
	free(got);
}

static void
expect_error(const char *src, const char *data, const char *want)
{
	char *cause, *got;

	got = render(src, data, TEMPLATE_ESCAPE_NONE, &cause);
	if (got != NULL)
		fail_msg("expected an error, got \"%s\"", got);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", cause, want);
	free(cause);
}

static void
test_variables(void **state)
{
	(void)state;
	expect("Hallo {{body.name}}!", "{\"body\":{\"name\":\"Musterland\"}}",
	    "Hallo Musterland!");
	expect("{{ a }}/{{n}}/{{r}}", "{\"a\":\"x\",\"n\":42,\"r\":1.5}",
	    "x/42/1.5");
	expect("{{{raw}}} {{&raw}}", "{\"raw\":\"**fett**\"}",
	    "**fett** **fett**");
	expect("a{{! ein Kommentar }}b", "{}", "ab");
	expect("kein Tag", "{}", "kein Tag");
}

static void
test_sections(void **state)
{
	(void)state;
	expect("{{#l}}[{{n}}]{{/l}}", "{\"l\":[{\"n\":1},{\"n\":2}]}",
	    "[1][2]");
	expect("{{#l}}<{{.}}>{{/l}}", "{\"l\":[\"a\",\"b\"]}", "<a><b>");
	expect("{{#f}}ja{{/f}}{{#g}}nein{{/g}}", "{\"f\":true,\"g\":false}",
	    "ja");
	expect("{{#o}}{{x}}{{/o}}", "{\"o\":{\"x\":\"innen\"}}", "innen");
	expect("{{#s}}{{.}}{{/s}}", "{\"s\":\"Text\"}", "Text");
	/* a standalone section line disappears with its newline */
	expect("A\n{{#l}}\n- {{.}}\n{{/l}}\nB\n", "{\"l\":[\"x\",\"y\"]}",
	    "A\n- x\n- y\nB\n");
}

static void
test_inverted(void **state)
{
	(void)state;
	expect("{{^t}}Noch keine Zielsitzung festgelegt.{{/t}}",
	    "{\"t\":null}", "Noch keine Zielsitzung festgelegt.");
	expect("{{^l}}leer{{/l}}", "{\"l\":[]}", "leer");
	expect("{{^s}}leer{{/s}}", "{\"s\":\"\"}", "leer");
	expect("{{^s}}leer{{/s}}", "{\"s\":\"x\"}", "");
	/* a null on the way of a section test is false, not an error */
	expect("{{#t.date}}x{{/t.date}}{{^t.date}}keine{{/t.date}}",
	    "{\"t\":null}", "keine");
}

static void
test_nesting(void **state)
{
	(void)state;
	expect("{{#chain}}{{committee.name}} {{body}};{{/chain}}",
	    "{\"body\":\"LK\",\"chain\":[{\"committee\":{\"name\":\"A\"}},"
	    "{\"committee\":{\"name\":\"B\"}}]}", "A LK;B LK;");
	expect("{{#a}}{{#b}}{{x}}{{y}}{{/b}}{{/a}}",
	    "{\"x\":1,\"a\":{\"y\":2,\"b\":[{\"x\":3},{}]}}", "3212");
	/* the inner element shadows outer names */
	expect("{{#l}}{{name}}{{/l}}{{name}}",
	    "{\"name\":\"aussen\",\"l\":[{\"name\":\"innen\"}]}",
	    "innenaussen");
}

static void
test_unknown_variable(void **state)
{
	(void)state;
	expect_error("Zeile 1\nZeile 2\n{{process.targt}}",
	    "{\"process\":{\"target\":1}}",
	    "probe:3: unknown variable \"process.targt\"");
	expect_error("{{#l}}\n{{nope}}\n{{/l}}", "{\"l\":[1]}",
	    "probe:2: unknown variable \"nope\"");
	expect_error("{{#nope}}x{{/nope}}", "{}",
	    "probe:1: unknown variable \"nope\"");
	expect_error("\n{{x}}", "{\"x\":null}", "probe:2: \"x\" has no value");
	expect_error("{{a.b}}", "{\"a\":null}", "\"a\" is null");
	expect_error("{{l}}", "{\"l\":[]}", "is a list");
}

static void
test_syntax_errors(void **state)
{
	(void)state;
	expect_error("a\n\n{{#chain}}\nx\n", "{}",
	    "probe:3: section {{#chain}} is never closed");
	expect_error("{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}", "{}",
	    "probe:3: {{/a}} does not match {{#b}} opened on line 2");
	expect_error("x\n{{/a}}", "{}", "probe:2: {{/a}} closes no section");
	expect_error("{{a", "{}", "probe:1: tag opened with \"{{\" is never");
	expect_error("{{}}", "{}", "empty tag");
	expect_error("{{a b}}", "{}", "bad character");
	expect_error("{{a..b}}", "{}", "empty part");
	expect_error("{{> partial}}", "{}", "unsupported tag");
}

static void
test_limits(void **state)
{
	struct buf src;
	char *cause;
	int i;

	(void)state;
	buf_init(&src);
	for (i = 0; i <= TEMPLATE_MAX_DEPTH; i++)
		buf_add_str(&src, "{{#a}}");
	assert_null(template_parse("deep", src.data, src.len, &cause));
	assert_non_null(strstr(cause, "nested deeper"));
	free(cause);
	buf_free(&src);

	/* a loop that multiplies its work is stopped */
	buf_init(&src);
	for (i = 0; i < 12; i++)
		buf_add_str(&src, "{{#l}}");
	buf_add_str(&src, "x");
	for (i = 0; i < 12; i++)
		buf_add_str(&src, "{{/l}}");
	expect_error(src.data, "{\"l\":[1,2,3,4,5,6,7,8]}", "probe:1:");
	buf_free(&src);
}

static const char *hostile = "{\"a\":{\"name\":\"<script>alert(1)</script>\"},"
    "\"b\":{\"name\":\"{{body.name}}\"},\"c\":\"*x* _y_ [l](u) | # - 1. \\\\\","
    "\"d\":\"- Liste\\n1. Nummer\\n# Titel\",\"body\":{\"name\":\"GEHEIM\"}}";

static void
test_escape_markdown(void **state)
{
	char *cause, *got;

	(void)state;
	got = render("{{a.name}} {{b.name}} {{c}}\n{{d}}", hostile,
	    TEMPLATE_ESCAPE_MARKDOWN, &cause);
	assert_non_null(got);
	assert_string_equal(got, "\\<script\\>alert(1)\\</script\\> "
	    "{{body.name}} \\*x\\* \\_y\\_ \\[l\\](u) \\| \\# - 1. \\\\\n"
	    "\\- Liste\n1\\. Nummer\n\\# Titel");
	assert_null(strstr(got, "GEHEIM"));
	free(got);
	/* After a list marker a block can start too ("- - x" is a list in a list). */
	got = render("- {{d}}\n> 2. {{d}}", hostile, TEMPLATE_ESCAPE_MARKDOWN, &cause);
	assert_non_null(got);
	assert_string_equal(got, "- \\- Liste\n1\\. Nummer\n\\# Titel\n"
	    "> 2. \\- Liste\n1\\. Nummer\n\\# Titel");
	free(got);
}

/* Escaped values reach every document format as the literal text. */
static void
test_escape_documents(void **state)
{
	char *cause, *md;
	struct buf out;

	(void)state;
	md = render("# {{a.name}}\n\n| B | C |\n|---|---|\n| {{b.name}} | {{c}} |\n\n- {{d}}\n",
	    hostile, TEMPLATE_ESCAPE_MARKDOWN, &cause);
	assert_non_null(md);
	buf_init(&out);
	assert_int_equal(document_render(md, strlen(md), DOCUMENT_HTML, &info_t,
	    &out, &cause), 0);
	assert_non_null(strstr(out.data,
	    "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
	assert_null(strstr(out.data, "<script>"));
	assert_non_null(strstr(out.data, "<td>{{body.name}}</td>"));
	assert_non_null(strstr(out.data, "<td>*x* _y_ [l](u) | # - 1. \\</td>"));
	assert_non_null(strstr(out.data, "<li>- Liste 1. Nummer # Titel</li>"));
	assert_null(strstr(out.data, "<em>"));
	assert_null(strstr(out.data, "GEHEIM"));
	buf_free(&out);

	buf_init(&out);
	assert_int_equal(document_render(md, strlen(md), DOCUMENT_ODT, &info_t,
	    &out, &cause), 0);
	assert_true(out.len > 100);
	assert_memory_equal(out.data, "PK\003\004", 4);
	buf_free(&out);
	free(md);
}

static void
test_values_not_expanded(void **state)
{
	(void)state;
	expect("{{v}}", "{\"v\":\"{{x}}\",\"x\":\"NEIN\"}", "{{x}}");
	expect("{{{v}}}", "{\"v\":\"{{#x}}\",\"x\":\"NEIN\"}", "{{#x}}");
}

static void
test_reuse(void **state)
{
	struct template *t;
	struct buf out;
	json_t *j;
	char *cause = NULL;
	int i;

	(void)state;
	t = template_parse("reuse", "{{n}},", 6, &cause);
	assert_non_null(t);
	assert_string_equal(template_name(t), "reuse");
	buf_init(&out);
	buf_add_str(&out, "vorher:");
	for (i = 0; i < 3; i++) {
		j = json_pack("{s:i}", "n", i);
		assert_int_equal(template_render(t, j, TEMPLATE_ESCAPE_NONE,
		    &out, &cause), 0);
		json_decref(j);
	}
	/* a failed render leaves the buffer as it was */
	j = json_object();
	assert_int_equal(template_render(t, j, TEMPLATE_ESCAPE_NONE, &out,
	    &cause), -1);
	free(cause);
	json_decref(j);
	assert_string_equal(out.data, "vorher:0,1,2,");
	buf_free(&out);
	template_free(t);
	template_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_inverted),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_unknown_variable),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_escape_markdown),
		cmocka_unit_test(test_escape_documents),
		cmocka_unit_test(test_values_not_expanded),
		cmocka_unit_test(test_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
