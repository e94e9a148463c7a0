/*
 * Unit tests of the document module: the Markdown subset rendered to HTML,
 * and the structure of the ODT package (mimetype first and stored, a
 * manifest that lists the parts, headings, lists and tables in content.xml).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "buf.h"
#include "document.h"

static char *
html(const char *md)
{
	struct buf out;
	char *cause = NULL;

	buf_init(&out);
	if (document_render(md, strlen(md), DOCUMENT_HTML, "Titel", &out,
	    &cause) == -1)
		fail_msg("document_render: %s", cause);
	return buf_steal(&out, NULL);
}

static void
expect_in(const char *md, const char *want)
{
	char *got = html(md);

	if (strstr(got, want) == NULL)
		fail_msg("\"%s\" not in:\n%s", want, got);
	free(got);
}

static void
expect_not_in(const char *md, const char *unwanted)
{
	char *got = html(md);

	if (strstr(got, unwanted) != NULL)
		fail_msg("\"%s\" unexpectedly in:\n%s", unwanted, got);
	free(got);
}

static void
test_html_page(void **state)
{
	(void)state;
	expect_in("", "<!DOCTYPE html>");
	expect_in("", "<meta charset=\"utf-8\">");
	expect_in("", "<title>Titel</title>");
	expect_in("", "<style>");
}

static void
test_html_blocks(void **state)
{
	(void)state;
	expect_in("# Eins\n## Zwei\n### Drei\n",
	    "<h1>Eins</h1>\n<h2>Zwei</h2>\n<h3>Drei</h3>\n");
	expect_in("Satz eins\nweiter.\n\nNeuer Absatz.\n",
	    "<p>Satz eins weiter.</p>\n<p>Neuer Absatz.</p>\n");
	expect_in("- a\n- b\n", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
	expect_in("* a\n+ b\n", "<li>a</li>\n<li>b</li>");
	expect_in("1. a\n2. b\n", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n");
	expect_in("3) c\n", "<ol start=\"3\">");
	expect_in("- a\n  weiter\n", "<li>a weiter</li>");
	expect_in("---\n", "<hr>");
	expect_in("* * *\n", "<hr>");
	expect_in("Zeile  \nneu\\\nnoch\n", "Zeile<br>\nneu<br>\nnoch");
	expect_in("#kein Titel\n", "<p>#kein Titel</p>");
}

static void
test_html_inline(void **state)
{
	(void)state;
	expect_in("**fett** und *kursiv*",
	    "<strong>fett</strong> und <em>kursiv</em>");
	expect_in("***beides***", "<strong><em>beides</em></strong>");
	expect_in("ein * Stern", "ein * Stern");
	expect_in("\\*kein\\* \\# \\\\", "*kein* # \\");
	expect_in("a < b & c > \"d\"", "a &lt; b &amp; c &gt; &quot;d&quot;");
	expect_not_in("<script>alert(1)</script>", "<script>");
	expect_in("Umlaute: äöü ß €", "Umlaute: äöü ß €");
}

static void
test_html_table(void **state)
{
	(void)state;
	expect_in("| A | B |\n|---|--:|\n| 1 | 2 |\n| 3 |\n",
	    "<table>\n<thead>\n<tr><th>A</th><th style=\"text-align:right\">B"
	    "</th></tr>\n</thead>\n<tbody>\n<tr><td>1</td><td style=\"text-"
	    "align:right\">2</td></tr>\n<tr><td>3</td><td style=\"text-align:"
	    "right\"></td></tr>\n</tbody>\n</table>\n");
	expect_in("| a \\| b | c |\n", "<tr><td>a | b</td><td>c</td></tr>");
	expect_in("| **x** |\n", "<td><strong>x</strong></td>");
}

static void
test_bad_input(void **state)
{
	struct buf out;
	char *cause = NULL;
	enum document_format fmt;

	(void)state;
	buf_init(&out);
	assert_int_equal(document_render("a\xff", 2, DOCUMENT_HTML, "t", &out,
	    &cause), -1);
	assert_non_null(strstr(cause, "UTF-8 at byte 1"));
	free(cause);
	assert_int_equal(out.len, 0);
	assert_int_equal(document_format_parse("pdf", &fmt, &cause), -1);
	assert_non_null(strstr(cause, "md, html, odt"));
	free(cause);
	assert_int_equal(document_format_parse("odt", &fmt, &cause), 0);
	assert_int_equal(fmt, DOCUMENT_ODT);
	assert_string_equal(document_format_name(DOCUMENT_HTML), "html");
	buf_free(&out);
}

static char *
zip_read_entry(zip_t *za, const char *name)
{
	zip_stat_t st;
	zip_file_t *f;
	char *data;

	assert_int_equal(zip_stat(za, name, 0, &st), 0);
	data = calloc(1, st.size + 1);
	assert_non_null(data);
	assert_non_null(f = zip_fopen(za, name, 0));
	assert_int_equal(zip_fread(f, data, st.size), (zip_int64_t)st.size);
	zip_fclose(f);
	return data;
}

static void
test_odt_package(void **state)
{
	static const char md[] = "# Titel <&>\n\nText **fett**\n\n- a\n- b\n\n"
	    "1. x\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n---\n";
	const char mime[] = "application/vnd.oasis.opendocument.text";
	struct buf out;
	char *cause = NULL, *manifest, *content, *mt;
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;
	zip_stat_t st;

	(void)state;
	buf_init(&out);
	assert_int_equal(document_render(md, strlen(md), DOCUMENT_ODT,
	    "Vorlage", &out, &cause), 0);

	/* local header of the first entry: name "mimetype", no extra field,
	 * method 0 (stored), then the media type in clear */
	assert_true(out.len > 38 + strlen(mime));
	assert_memory_equal(out.data, "PK\003\004", 4);
	assert_int_equal(out.data[8] | out.data[9] << 8, 0);
	assert_int_equal(out.data[26] | out.data[27] << 8, 8);
	assert_int_equal(out.data[28] | out.data[29] << 8, 0);
	assert_memory_equal(out.data + 30, "mimetype", 8);
	assert_memory_equal(out.data + 38, mime, strlen(mime));

	zip_error_init(&ze);
	src = zip_source_buffer_create(out.data, out.len, 0, &ze);
	assert_non_null(src);
	za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	assert_non_null(za);
	assert_string_equal(zip_get_name(za, 0, 0), "mimetype");
	assert_int_equal(zip_stat_index(za, 0, 0, &st), 0);
	assert_int_equal(st.comp_method, ZIP_CM_STORE);
	mt = zip_read_entry(za, "mimetype");
	assert_string_equal(mt, mime);

	manifest = zip_read_entry(za, "META-INF/manifest.xml");
	assert_non_null(strstr(manifest, "manifest:full-path=\"content.xml\""));
	assert_non_null(strstr(manifest, "manifest:full-path=\"styles.xml\""));
	assert_non_null(strstr(manifest, "manifest:full-path=\"meta.xml\""));
	assert_non_null(strstr(manifest, mime));

	content = zip_read_entry(za, "content.xml");
	assert_non_null(strstr(content, "<text:h text:style-name=\"Heading_20_1\""
	    " text:outline-level=\"1\">Titel &lt;&amp;&gt;</text:h>"));
	assert_non_null(strstr(content, "<text:span text:style-name=\"TB\">"
	    "fett</text:span>"));
	assert_non_null(strstr(content, "<text:list text:style-name=\"LBullet\">"));
	assert_non_null(strstr(content, "<text:list text:style-name=\"LNumber\">"));
	assert_non_null(strstr(content, "<table:table-header-rows>"));
	assert_non_null(strstr(content, "<table:table-column "
	    "table:style-name=\"Tbl1.C1\"/>"));
	assert_non_null(strstr(content, "style:name=\"Tbl1.C1\""));
	assert_non_null(strstr(content, "Horizontal_20_Line"));
	free(zip_read_entry(za, "styles.xml"));
	free(zip_read_entry(za, "meta.xml"));

	free(mt);
	free(manifest);
	free(content);
	zip_close(za);
	zip_error_fini(&ze);
	buf_free(&out);
}

static void
test_markdown_passthrough(void **state)
{
	struct buf out;
	char *cause = NULL;

	(void)state;
	buf_init(&out);
	assert_int_equal(document_render("# x\n", 4, DOCUMENT_MD, "t", &out,
	    &cause), 0);
	assert_string_equal(out.data, "# x\n");
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_page),
		cmocka_unit_test(test_html_blocks),
		cmocka_unit_test(test_html_inline),
		cmocka_unit_test(test_html_table),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_odt_package),
		cmocka_unit_test(test_markdown_passthrough),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
