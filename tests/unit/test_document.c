/*
 * Unit tests of the document module: Markdown rendered to HTML by
 * libcmark-gfm in safe mode, and the structure of the ODT package its tree
 * becomes (mimetype first and stored, a manifest that lists the parts,
 * headings, lists and tables in content.xml, unknown nodes as text), and
 * figures: placed by an image of "figure:NAME" alone in its paragraph,
 * inline SVG in HTML, an SVG picture of the package in the ODT.
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

static const struct document_info info_titel = { .title = "Titel" };
static const struct document_info info_t = { .title = "t" };
static const struct document_info info_vorlage = {
	.title = "Vorlage", .issuer = "Landkreis <Muster>", .department = "Bildungsbüro",
	.address = "Am Markt 1, 12345 Musterstadt", .date = "30.11.2026",
	.number = "V/2027/0042",
};

static char *
html(const char *md)
{
	struct buf out;
	char *cause = NULL;

	buf_init(&out);
	if (document_render(md, strlen(md), DOCUMENT_HTML, &info_titel, &out,
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
	expect_in("* a\n* b\n", "<li>a</li>\n<li>b</li>");
	expect_in("+ a\n+ b\n", "<li>a</li>\n<li>b</li>");
	expect_in("1. a\n2. b\n", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n");
	expect_in("3) c\n", "<ol start=\"3\">");
	expect_in("- a\n  weiter\n", "<li>a weiter</li>");
	expect_in("- a\n  - b\n", "<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>");
	expect_in("---\n", "<hr />");
	expect_in("* * *\n", "<hr />");
	expect_in("Zeile  \nneu\\\nnoch\n", "Zeile<br />\nneu<br />\nnoch");
	expect_in("#kein Titel\n", "<p>#kein Titel</p>");
}

static void
test_html_inline(void **state)
{
	(void)state;
	expect_in("**fett** und *kursiv*",
	    "<strong>fett</strong> und <em>kursiv</em>");
	expect_in("***beides***", "<em><strong>beides</strong></em>");
	expect_in("ein * Stern", "ein * Stern");
	expect_in("\\*kein\\* \\# \\\\", "*kein* # \\");
	expect_in("a < b & c > \"d\"", "a &lt; b &amp; c &gt; &quot;d&quot;");
	expect_not_in("<script>alert(1)</script>", "<script>");
	expect_not_in("Text <b onclick=\"x()\">fett</b>", "<b ");
	expect_in("[Link](http://example.org)", "<a href=\"http://example.org\">Link</a>");
	expect_in("Umlaute: äöü ß €", "Umlaute: äöü ß €");
}

/* The letterhead on top of the page, number and date below. */
static void
test_html_letterhead(void **state)
{
	struct buf out;
	char *cause = NULL;

	(void)state;
	buf_init(&out);
	assert_int_equal(document_render("Text", 4, DOCUMENT_HTML, &info_vorlage, &out,
	    &cause), 0);
	assert_non_null(strstr(out.data, "<body>\n<header>\n<strong>Landkreis &lt;Muster&gt;"
	    "</strong><br>\nBildungsbüro<br>\nAm Markt 1, 12345 Musterstadt\n</header>\n"
	    "<p>Text</p>\n<footer>\nLandkreis &lt;Muster&gt; · Vorlage Nr. V/2027/0042 · "
	    "Stand: 30.11.2026\n</footer>\n</body>"));
	buf_free(&out);
	/* Without an issuer there is none. */
	expect_not_in("Text", "<header>");
	expect_not_in("Text", "<footer>");
}

static void
test_html_table(void **state)
{
	(void)state;
	expect_in("| A | B |\n|---|--:|\n| 1 | 2 |\n| 3 |\n",
	    "<table>\n<thead>\n<tr>\n<th>A</th>\n<th style=\"text-align: right\">B"
	    "</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td style=\"text-"
	    "align: right\">2</td>\n</tr>\n<tr>\n<td>3</td>\n<td style=\"text-align: "
	    "right\"></td>\n</tr>\n</tbody>\n</table>\n");
	expect_in("| a \\| b | c |\n|---|---|\n", "<th>a | b</th>\n<th>c</th>");
	expect_in("| x |\n|---|\n| **x** |\n", "<td><strong>x</strong></td>");
	/* Without the row of dashes the lines are a paragraph. */
	expect_in("| a | b |\n| c | d |\n", "<p>| a | b | | c | d |</p>");
}

static void
test_bad_input(void **state)
{
	static const struct document_info bad_info = { .title = "t", .issuer = "Kreis \xff" };
	struct buf wide;
	size_t i, c;
	struct buf out;
	char *cause = NULL;
	enum document_format fmt;

	(void)state;
	buf_init(&out);
	assert_int_equal(document_render("a\xff", 2, DOCUMENT_HTML, &info_t, &out,
	    &cause), -1);
	assert_non_null(strstr(cause, "UTF-8 at byte 1"));
	free(cause);
	assert_int_equal(out.len, 0);
	assert_int_equal(document_render("a", 1, DOCUMENT_ODT, &bad_info, &out, &cause), -1);
	assert_non_null(strstr(cause, "not valid UTF-8"));
	free(cause);
	assert_int_equal(out.len, 0);
	/* The ODT writer lays out at most DOCUMENT_MAX_COLUMNS columns. */
	buf_init(&wide);
	for (i = 0; i < 2; i++) {
		for (c = 0; c <= DOCUMENT_MAX_COLUMNS; c++)
			buf_add_str(&wide, i == 0 ? "| x " : "|---");
		buf_add_str(&wide, "|\n");
	}
	assert_int_equal(document_render(wide.data, wide.len, DOCUMENT_ODT, &info_t, &out,
	    &cause), -1);
	assert_non_null(strstr(cause, "table with more than 32 columns"));
	free(cause);
	assert_int_equal(out.len, 0);
	buf_free(&wide);
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
	char *cause = NULL, *manifest, *content, *mt, *styles;
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;
	zip_stat_t st;

	(void)state;
	buf_init(&out);
	assert_int_equal(document_render(md, strlen(md), DOCUMENT_ODT,
	    &info_vorlage, &out, &cause), 0);

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
	/* The letterhead on every page, the footer with the number field. */
	assert_non_null(strstr(content, "<text:user-field-decl office:value-type=\"string\" "
	    "office:string-value=\"V/2027/0042\" text:name=\"Vorlagennummer\"/>"));
	styles = zip_read_entry(za, "styles.xml");
	assert_non_null(strstr(styles, "<style:header>\n   <text:p text:style-name="
	    "\"Letterhead_20_Issuer\">Landkreis &lt;Muster&gt;</text:p>\n   <text:p "
	    "text:style-name=\"Letterhead\">Bildungsbüro · Am Markt 1, 12345 Musterstadt"
	    "</text:p>"));
	assert_non_null(strstr(styles, "<style:footer>\n   <text:p text:style-name=\"Footer\">"
	    "Landkreis &lt;Muster&gt; · Vorlage Nr. <text:user-field-get text:name="
	    "\"Vorlagennummer\">V/2027/0042</text:user-field-get> · Stand: 30.11.2026 · Seite "
	    "<text:page-number text:select-page=\"current\">1</text:page-number> von "
	    "<text:page-count>1</text:page-count></text:p>"));
	free(styles);
	free(zip_read_entry(za, "meta.xml"));

	free(mt);
	free(manifest);
	free(content);
	zip_close(za);
	zip_error_fini(&ze);
	buf_free(&out);
}

/* content.xml of the ODT made from md. */
static char *
odt_content(const char *md)
{
	struct buf out;
	char *cause = NULL, *content;
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;

	buf_init(&out);
	if (document_render(md, strlen(md), DOCUMENT_ODT, &info_t, &out, &cause) == -1)
		fail_msg("document_render: %s", cause);
	zip_error_init(&ze);
	src = zip_source_buffer_create(out.data, out.len, 0, &ze);
	assert_non_null(src);
	za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	assert_non_null(za);
	content = zip_read_entry(za, "content.xml");
	zip_close(za);
	zip_error_fini(&ze);
	buf_free(&out);
	return content;
}

static void
odt_expect(const char *md, const char *want)
{
	char *content = odt_content(md);

	if (strstr(content, want) == NULL)
		fail_msg("\"%s\" not in:\n%s", want, content);
	free(content);
}

/* What drafts do not use still reaches the reader, as text. */
static void
test_odt_degrades(void **state)
{
	char *content;

	(void)state;
	odt_expect("```\nZeile 1\nZeile 2\n```\n",
	    "<text:p text:style-name=\"Text_20_body\">Zeile 1<text:line-break/>Zeile 2"
	    "</text:p>");
	odt_expect("> Zitat\n", "<text:p text:style-name=\"Text_20_body\">Zitat</text:p>");
	odt_expect("Ein [Link](http://example.org) und `Code`",
	    ">Ein Link und Code</text:p>");
	odt_expect("<div>\n*roh*\n</div>\n", "&lt;div&gt;");
	odt_expect("- a\n  - b\n", "<text:list-item><text:p text:style-name=\""
	    "List_20_Paragraph\">a</text:p>\n<text:list text:style-name=\"LBullet\">");
	odt_expect("3. drei\n4. vier\n", "<text:list-item text:start-value=\"3\">");
	odt_expect("| A | B |\n|:-:|--:|\n| x | y |\n", "<text:p text:style-name=\"PCenter\">x"
	    "</text:p>");
	odt_expect("a\tb <&> \"'", "a<text:tab/>b &lt;&amp;&gt; &quot;&#39;");
	content = odt_content("![Bild](bild.png)\n");
	assert_non_null(strstr(content, ">Bild</text:p>"));
	assert_null(strstr(content, "bild.png"));
	free(content);
}

static const char figure_svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" "
    "width=\"760\" height=\"380\" viewBox=\"0 0 760 380\"><text>Plan</text></svg>\n";

static void
figure_info(struct document_info *info)
{
	memset(info, 0, sizeof(*info));
	info->title = "Vorlage";
	info->figures[0].name = "timeline";
	info->figures[0].svg = figure_svg;
	info->figures[0].width = 760;
	info->figures[0].height = 380;
	info->figures[0].title = "Zeitplan: A & B";
	info->figures[0].desc = "Schritt 1 <erledigt>";
	info->nfigures = 1;
}

static int
render_figure(const char *md, enum document_format fmt, struct buf *out, char **cause)
{
	struct document_info info;

	figure_info(&info);
	buf_init(out);
	return document_render(md, strlen(md), fmt, &info, out, cause);
}

static void
test_figure_html(void **state)
{
	struct buf out;
	char *cause = NULL;

	(void)state;
	assert_int_equal(render_figure("Davor\n\n![Der *Zeitplan* & <b>mehr</b>]"
	    "(figure:timeline)\n\nDanach\n", DOCUMENT_HTML, &out, &cause), 0);
	assert_non_null(strstr(out.data, "<p>Davor</p>\n<figure>\n<svg xmlns="));
	assert_non_null(strstr(out.data, "<text>Plan</text></svg>\n<figcaption>Der Zeitplan "
	    "&amp; mehr</figcaption>\n</figure>\n<p>Danach</p>"));
	assert_null(strstr(out.data, "<img"));
	assert_null(strstr(out.data, "<b>"));
	buf_free(&out);

	/* An ordinary picture stays what CommonMark makes of it. */
	assert_int_equal(render_figure("![Bild](bild.png)\n", DOCUMENT_HTML, &out, &cause), 0);
	assert_non_null(strstr(out.data, "<img src=\"bild.png\" alt=\"Bild\" />"));
	assert_null(strstr(out.data, "<svg"));
	buf_free(&out);
}

static void
expect_figure_error(const char *md, const char *why)
{
	struct buf out;
	char *cause = NULL;

	assert_int_equal(render_figure(md, DOCUMENT_HTML, &out, &cause), -1);
	if (strstr(cause, why) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", cause, why);
	assert_int_equal(out.len, 0);
	free(cause);
	buf_free(&out);
}

static void
test_figure_errors(void **state)
{
	(void)state;
	expect_figure_error("# T\n\n![x](figure:karte)\n", "line 3: there is no figure \"karte\"");
	expect_figure_error("![x](figure:timeline)\n\n![y](figure:timeline)\n",
	    "line 3: the figure \"timeline\" is placed twice");
	expect_figure_error("Siehe ![x](figure:timeline) oben\n",
	    "line 1: the figure \"timeline\" must stand alone in its paragraph");
	expect_figure_error("- ![x](figure:timeline) und mehr\n", "must stand alone");
}

static void
test_figure_odt(void **state)
{
	char *cause = NULL, *content, *manifest, *svg;
	struct buf out;
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;

	(void)state;
	assert_int_equal(render_figure("![Zeitplan <1>](figure:timeline)\n", DOCUMENT_ODT, &out,
	    &cause), 0);
	zip_error_init(&ze);
	assert_non_null(src = zip_source_buffer_create(out.data, out.len, 0, &ze));
	assert_non_null(za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze));
	manifest = zip_read_entry(za, "META-INF/manifest.xml");
	assert_non_null(strstr(manifest, "<manifest:file-entry manifest:full-path=\""
	    "Pictures/timeline.svg\" manifest:media-type=\"image/svg+xml\"/>"));
	svg = zip_read_entry(za, "Pictures/timeline.svg");
	assert_string_equal(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns="
	    "\"http://www.w3.org/2000/svg\" width=\"760\" height=\"380\" viewBox=\"0 0 760 380\">"
	    "<text>Plan</text></svg>\n");
	content = zip_read_entry(za, "content.xml");
	/* As wide as the text, as tall as the picture's proportions say. */
	assert_non_null(strstr(content, "<text:p text:style-name=\"Figure\"><draw:frame "
	    "draw:name=\"Abbildung1\" text:anchor-type=\"as-char\" svg:width=\"16.50cm\" "
	    "svg:height=\"8.25cm\" draw:z-index=\"0\"><draw:image xlink:href=\""
	    "Pictures/timeline.svg\" xlink:type=\"simple\" xlink:show=\"embed\" "
	    "xlink:actuate=\"onLoad\" draw:mime-type=\"image/svg+xml\"/><svg:title>Zeitplan: A "
	    "&amp; B</svg:title><svg:desc>Schritt 1 &lt;erledigt&gt;</svg:desc></draw:frame>"
	    "</text:p>\n<text:p text:style-name=\"Caption\">Zeitplan &lt;1&gt;</text:p>"));
	assert_non_null(strstr(content, "xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:"
	    "drawing:1.0\""));
	free(manifest);
	free(svg);
	free(content);
	zip_close(za);
	zip_error_fini(&ze);
	buf_free(&out);

	/* Without a figure, the package holds no pictures. */
	assert_int_equal(render_figure("Text\n", DOCUMENT_ODT, &out, &cause), 0);
	zip_error_init(&ze);
	assert_non_null(src = zip_source_buffer_create(out.data, out.len, 0, &ze));
	assert_non_null(za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze));
	assert_int_equal(zip_get_num_entries(za, 0), 5);
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
	assert_int_equal(document_render("# x\n", 4, DOCUMENT_MD, &info_t, &out,
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
		cmocka_unit_test(test_html_letterhead),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_odt_package),
		cmocka_unit_test(test_odt_degrades),
		cmocka_unit_test(test_figure_html),
		cmocka_unit_test(test_figure_errors),
		cmocka_unit_test(test_figure_odt),
		cmocka_unit_test(test_markdown_passthrough),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
