/*
 * document_odt: a draft as an OpenDocument text (.odt), written by walking
 * the tree libcmark-gfm parsed: headings, paragraphs, lists (nested too),
 * tables with their column alignments, rules, bold and italic.  Nodes a
 * draft does not use degrade to what a reader needs: code and raw HTML
 * blocks become plain paragraphs of their text, block quotes their
 * paragraphs, links and images their text.  Every piece of text is
 * escaped for XML, so nothing in the data is read as markup.
 *
 * A figure (document.h) is an SVG image in the package, Pictures/NAME.svg,
 * in a frame the width of the text with its title and description as the
 * frame's alternative text, and its caption below.  LibreOffice (7.4 and
 * later) shows and prints SVG images itself, so no PNG goes beside it.
 *
 * Every page carries the letterhead of document.h in its header and the
 * Vorlage number, the date and "Seite X von Y" in its footer.  The package
 * is built in memory with libzip: "mimetype" first and stored, then the
 * manifest, content, styles, metadata and pictures.
 */
#include "document.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmark-gfm-core-extensions.h>
#include <zip.h>

#include "xmalloc.h"

#ifndef IKOND_VERSION
#define IKOND_VERSION "0"
#endif

#define ODT_BOLD	0x1
#define ODT_ITALIC	0x2
#define ODT_TABLE_CHARS	80	/* table width in characters of about 0.2 cm */
#define ODT_TEXT_WIDTH	16.5	/* cm between the margins */
#define ODT_FIGURE_MAX	22.0	/* cm: the tallest figure, to leave room for its caption */

#define ODF_NS \
    " xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\"" \
    " xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\"" \
    " xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"" \
    " xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\"" \
    " xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\"" \
    " xmlns:svg=\"urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0\"" \
    " xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\"" \
    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"" \
    " xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\"" \
    " xmlns:xlink=\"http://www.w3.org/1999/xlink\"" \
    " office:version=\"1.3\""

static const char odt_mimetype[] = "application/vnd.oasis.opendocument.text";

static const char odt_manifest_head[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:"
    "xmlns:manifest:1.0\" manifest:version=\"1.3\">\n"
    " <manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.3\""
    " manifest:media-type=\"application/vnd.oasis.opendocument.text\"/>\n"
    " <manifest:file-entry manifest:full-path=\"content.xml\""
    " manifest:media-type=\"text/xml\"/>\n"
    " <manifest:file-entry manifest:full-path=\"styles.xml\""
    " manifest:media-type=\"text/xml\"/>\n"
    " <manifest:file-entry manifest:full-path=\"meta.xml\""
    " manifest:media-type=\"text/xml\"/>\n";

static const char odt_styles[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<office:document-styles" ODF_NS ">\n"
    "<office:font-face-decls>\n"
    " <style:font-face style:name=\"Liberation Sans\""
    " svg:font-family=\"'Liberation Sans'\" style:font-family-generic=\"swiss\""
    " style:font-pitch=\"variable\"/>\n"
    "</office:font-face-decls>\n"
    "<office:styles>\n"
    " <style:default-style style:family=\"paragraph\">\n"
    "  <style:text-properties style:font-name=\"Liberation Sans\""
    " fo:font-size=\"11pt\" fo:language=\"de\" fo:country=\"DE\"/>\n"
    " </style:default-style>\n"
    " <style:style style:name=\"Standard\" style:family=\"paragraph\""
    " style:class=\"text\"/>\n"
    " <style:style style:name=\"Text_20_body\" style:display-name=\"Text body\""
    " style:family=\"paragraph\" style:parent-style-name=\"Standard\""
    " style:class=\"text\">\n"
    "  <style:paragraph-properties fo:margin-top=\"0cm\""
    " fo:margin-bottom=\"0.212cm\" fo:line-height=\"115%\"/>\n"
    " </style:style>\n"
    " <style:style style:name=\"Heading\" style:family=\"paragraph\""
    " style:parent-style-name=\"Standard\" style:next-style-name=\"Text_20_body\""
    " style:class=\"text\">\n"
    "  <style:paragraph-properties fo:margin-top=\"0.423cm\""
    " fo:margin-bottom=\"0.212cm\" fo:keep-with-next=\"always\"/>\n"
    "  <style:text-properties fo:font-weight=\"bold\"/>\n"
    " </style:style>\n"
    " <style:style style:name=\"Heading_20_1\" style:display-name=\"Heading 1\""
    " style:family=\"paragraph\" style:parent-style-name=\"Heading\""
    " style:default-outline-level=\"1\" style:class=\"text\">\n"
    "  <style:text-properties fo:font-size=\"16pt\"/>\n"
    " </style:style>\n"
    " <style:style style:name=\"Heading_20_2\" style:display-name=\"Heading 2\""
    " style:family=\"paragraph\" style:parent-style-name=\"Heading\""
    " style:default-outline-level=\"2\" style:class=\"text\">\n"
    "  <style:text-properties fo:font-size=\"13pt\"/>\n"
    " </style:style>\n"
    " <style:style style:name=\"Heading_20_3\" style:display-name=\"Heading 3\""
    " style:family=\"paragraph\" style:parent-style-name=\"Heading\""
    " style:default-outline-level=\"3\" style:class=\"text\">\n"
    "  <style:text-properties fo:font-size=\"11.5pt\"/>\n"
    " </style:style>\n"
    " <style:style style:name=\"Heading_20_4\" style:display-name=\"Heading 4\""
    " style:family=\"paragraph\" style:parent-style-name=\"Heading\""
    " style:default-outline-level=\"4\" style:class=\"text\"/>\n"
    " <style:style style:name=\"Heading_20_5\" style:display-name=\"Heading 5\""
    " style:family=\"paragraph\" style:parent-style-name=\"Heading\""
    " style:default-outline-level=\"5\" style:class=\"text\"/>\n"
    " <style:style style:name=\"Heading_20_6\" style:display-name=\"Heading 6\""
    " style:family=\"paragraph\" style:parent-style-name=\"Heading\""
    " style:default-outline-level=\"6\" style:class=\"text\"/>\n"
    " <style:style style:name=\"List_20_Paragraph\""
    " style:display-name=\"List Paragraph\" style:family=\"paragraph\""
    " style:parent-style-name=\"Text_20_body\" style:class=\"list\"/>\n"
    " <style:style style:name=\"Table_20_Contents\""
    " style:display-name=\"Table Contents\" style:family=\"paragraph\""
    " style:parent-style-name=\"Standard\" style:class=\"extra\">\n"
    "  <style:text-properties fo:font-size=\"10pt\"/>\n"
    " </style:style>\n"
    " <style:style style:name=\"Table_20_Heading\""
    " style:display-name=\"Table Heading\" style:family=\"paragraph\""
    " style:parent-style-name=\"Table_20_Contents\" style:class=\"extra\">\n"
    "  <style:text-properties fo:font-weight=\"bold\"/>\n"
    " </style:style>\n"
    " <style:style style:name=\"Horizontal_20_Line\""
    " style:display-name=\"Horizontal Line\" style:family=\"paragraph\""
    " style:parent-style-name=\"Standard\" style:class=\"html\">\n"
    "  <style:paragraph-properties fo:margin-top=\"0cm\""
    " fo:margin-bottom=\"0.3cm\" fo:border-bottom=\"0.5pt solid #777777\""
    " fo:padding=\"0cm\"/>\n"
    "  <style:text-properties fo:font-size=\"6pt\"/>\n"
    " </style:style>\n"
    " <style:style style:name=\"Figure\" style:family=\"paragraph\""
    " style:parent-style-name=\"Standard\" style:class=\"extra\">\n"
    "  <style:paragraph-properties fo:text-align=\"center\" fo:margin-top=\"0.2cm\""
    " fo:margin-bottom=\"0.1cm\" fo:keep-with-next=\"always\"/>\n"
    " </style:style>\n"
    " <style:style style:name=\"Caption\" style:family=\"paragraph\""
    " style:parent-style-name=\"Standard\" style:class=\"extra\">\n"
    "  <style:paragraph-properties fo:margin-top=\"0cm\" fo:margin-bottom=\"0.3cm\"/>\n"
    "  <style:text-properties fo:font-size=\"9pt\" fo:font-style=\"italic\"/>\n"
    " </style:style>\n"
    " <style:style style:name=\"Header\" style:family=\"paragraph\""
    " style:parent-style-name=\"Standard\" style:class=\"extra\">\n"
    "  <style:text-properties fo:font-size=\"9pt\"/>\n"
    " </style:style>\n"
    " <style:style style:name=\"Letterhead_20_Issuer\""
    " style:display-name=\"Letterhead Issuer\" style:family=\"paragraph\""
    " style:parent-style-name=\"Header\" style:class=\"extra\">\n"
    "  <style:text-properties fo:font-size=\"12pt\" fo:font-weight=\"bold\"/>\n"
    " </style:style>\n"
    " <style:style style:name=\"Letterhead\" style:family=\"paragraph\""
    " style:parent-style-name=\"Header\" style:class=\"extra\">\n"
    "  <style:paragraph-properties fo:padding-bottom=\"0.15cm\""
    " fo:border-bottom=\"0.5pt solid #777777\"/>\n"
    " </style:style>\n"
    " <style:style style:name=\"Footer\" style:family=\"paragraph\""
    " style:parent-style-name=\"Standard\" style:class=\"extra\">\n"
    "  <style:paragraph-properties fo:text-align=\"end\" fo:padding-top=\"0.15cm\""
    " fo:border-top=\"0.5pt solid #777777\"/>\n"
    "  <style:text-properties fo:font-size=\"8pt\"/>\n"
    " </style:style>\n"
    "</office:styles>\n"
    "<office:automatic-styles>\n"
    " <style:page-layout style:name=\"PageA4\">\n"
    "  <style:page-layout-properties fo:page-width=\"21cm\""
    " fo:page-height=\"29.7cm\" style:print-orientation=\"portrait\""
    " fo:margin-top=\"1.2cm\" fo:margin-bottom=\"1.2cm\" fo:margin-left=\"2.5cm\""
    " fo:margin-right=\"2cm\"/>\n"
    "  <style:header-style><style:header-footer-properties fo:min-height=\"0cm\""
    " fo:margin-bottom=\"0.6cm\"/></style:header-style>\n"
    "  <style:footer-style><style:header-footer-properties fo:min-height=\"0cm\""
    " fo:margin-top=\"0.6cm\"/></style:footer-style>\n"
    " </style:page-layout>\n"
    "</office:automatic-styles>\n"
    "<office:master-styles>\n"
    " <style:master-page style:name=\"Standard\""
    " style:page-layout-name=\"PageA4\">\n";

static const char odt_styles_tail[] =
    " </style:master-page>\n"
    "</office:master-styles>\n"
    "</office:document-styles>\n";

static const char odt_content_head[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<office:document-content" ODF_NS ">\n"
    "<office:automatic-styles>\n"
    " <style:style style:name=\"TB\" style:family=\"text\">"
    "<style:text-properties fo:font-weight=\"bold\"/></style:style>\n"
    " <style:style style:name=\"TI\" style:family=\"text\">"
    "<style:text-properties fo:font-style=\"italic\"/></style:style>\n"
    " <style:style style:name=\"TBI\" style:family=\"text\">"
    "<style:text-properties fo:font-weight=\"bold\""
    " fo:font-style=\"italic\"/></style:style>\n"
    " <style:style style:name=\"PRight\" style:family=\"paragraph\""
    " style:parent-style-name=\"Table_20_Contents\">"
    "<style:paragraph-properties fo:text-align=\"end\"/></style:style>\n"
    " <style:style style:name=\"PCenter\" style:family=\"paragraph\""
    " style:parent-style-name=\"Table_20_Contents\">"
    "<style:paragraph-properties fo:text-align=\"center\"/></style:style>\n"
    " <style:style style:name=\"Tbl\" style:family=\"table\">"
    "<style:table-properties style:width=\"16.5cm\" table:align=\"margins\""
    " fo:margin-top=\"0.2cm\" fo:margin-bottom=\"0.3cm\"/></style:style>\n"
    " <style:style style:name=\"TblCell\" style:family=\"table-cell\">"
    "<style:table-cell-properties fo:padding=\"0.1cm\""
    " fo:border=\"0.5pt solid #777777\"/></style:style>\n"
    " <style:style style:name=\"TblHead\" style:family=\"table-cell\">"
    "<style:table-cell-properties fo:padding=\"0.1cm\""
    " fo:background-color=\"#eeeeee\" fo:border=\"0.5pt solid #777777\"/>"
    "</style:style>\n"
    " <text:list-style style:name=\"LBullet\">\n"
    "  <text:list-level-style-bullet text:level=\"1\" text:bullet-char=\"•\">"
    "<style:list-level-properties"
    " text:list-level-position-and-space-mode=\"label-alignment\">"
    "<style:list-level-label-alignment text:label-followed-by=\"listtab\""
    " text:list-tab-stop-position=\"0.635cm\" fo:text-indent=\"-0.635cm\""
    " fo:margin-left=\"0.635cm\"/></style:list-level-properties>"
    "</text:list-level-style-bullet>\n"
    " </text:list-style>\n"
    " <text:list-style style:name=\"LNumber\">\n"
    "  <text:list-level-style-number text:level=\"1\" style:num-format=\"1\""
    " style:num-suffix=\".\"><style:list-level-properties"
    " text:list-level-position-and-space-mode=\"label-alignment\">"
    "<style:list-level-label-alignment text:label-followed-by=\"listtab\""
    " text:list-tab-stop-position=\"0.635cm\" fo:text-indent=\"-0.635cm\""
    " fo:margin-left=\"0.635cm\"/></style:list-level-properties>"
    "</text:list-level-style-number>\n"
    " </text:list-style>\n";

static const char odt_content_body[] =
    "</office:automatic-styles>\n"
    "<office:body>\n<office:text>\n";

static const char odt_content_tail[] =
    "</office:text>\n</office:body>\n</office:document-content>\n";

/* What the walk carries from node to node. */
struct odt {
	struct buf	*out;		/* the body of content.xml */
	struct buf	*styles;	/* automatic styles of table columns */
	int		 ntables;
	int		 bold, italic;	/* depth of open strong and emphasis */
	const uint8_t	*align;		/* the open table's column alignments */
	uint16_t	 ncols;
	uint16_t	 col;		/* column of the next cell */
	bool		 head;		/* the open row is the header */
	const struct document_placed *pictures[DOCUMENT_FIGURES_MAX];
	size_t		 npictures;
	char		**cause;
};

static const char *
node_type(cmark_node *n)
{
	return cmark_node_get_type_string(n);
}

static void
odt_text(struct odt *o, const char *s, size_t len)
{
	static const char *const style[] = { NULL, "TB", "TI", "TBI" };
	int flags = (o->bold > 0 ? ODT_BOLD : 0) | (o->italic > 0 ? ODT_ITALIC : 0);

	if (len == 0)
		return;
	if (flags != 0)
		buf_printf(o->out, "<text:span text:style-name=\"%s\">", style[flags]);
	document_escape(o->out, s, len, true);
	if (flags != 0)
		buf_add_str(o->out, "</text:span>");
}

/* Characters (not bytes) of the longest run of non-blanks: what cannot
 * wrap; and of the whole text. */
static void
measure(const char *s, size_t len, size_t *chars, size_t *word)
{
	size_t i, run = 0;

	*chars = *word = 0;
	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		(*chars)++;
		run = s[i] == ' ' ? 0 : run + 1;
		if (run > *word)
			*word = run;
	}
}

/*
 * Columns get widths in proportion to their longest cell (within bounds),
 * so a column of numbers does not take as much room as one of names; a
 * column never gets narrower than its longest word, so dates and amounts
 * stay on one line.
 */
static void
odt_table_columns(struct odt *o, cmark_node *table, uint16_t ncols)
{
	size_t want[DOCUMENT_MAX_COLUMNS], need[DOCUMENT_MAX_COLUMNS];
	size_t width[DOCUMENT_MAX_COLUMNS], fixed = 0, sum, c, pass, chars, word;
	bool pinned[DOCUMENT_MAX_COLUMNS];
	cmark_node *row, *cell;
	struct buf text;

	for (c = 0; c < ncols; c++) {
		want[c] = 6;
		need[c] = 3;
		pinned[c] = false;
	}
	buf_init(&text);
	for (row = cmark_node_first_child(table); row != NULL; row = cmark_node_next(row)) {
		for (c = 0, cell = cmark_node_first_child(row); cell != NULL && c < ncols;
		    cell = cmark_node_next(cell), c++) {
			buf_reset(&text);
			document_node_text(cell, &text);
			measure(text.data ? text.data : "", text.len, &chars, &word);
			if (chars > want[c])
				want[c] = chars;
			if (word + 3 > need[c])
				need[c] = word + 3;
		}
	}
	buf_free(&text);
	for (c = 0; c < ncols; c++) {
		if (want[c] > 30)
			want[c] = 30;
		if (need[c] > 20)
			need[c] = 20;
	}
	for (pass = 0; pass < 3; pass++) {
		sum = 0;
		for (c = 0; c < ncols; c++)
			if (!pinned[c])
				sum += want[c];
		for (c = 0; c < ncols; c++) {
			if (pinned[c])
				continue;
			width[c] = sum == 0 || fixed >= ODT_TABLE_CHARS ? need[c] :
			    want[c] * (ODT_TABLE_CHARS - fixed) / sum;
			if (width[c] < need[c]) {
				width[c] = need[c];
				pinned[c] = true;
				fixed += need[c];
			}
		}
	}
	sum = 0;
	for (c = 0; c < ncols; c++)
		sum += width[c] > 0 ? width[c] : 1;
	for (c = 0; c < ncols; c++) {
		size_t wc = width[c] > 0 ? width[c] : 1;

		buf_printf(o->styles, " <style:style style:name=\"Tbl%d.C%zu\" "
		    "style:family=\"table-column\"><style:table-column-"
		    "properties style:column-width=\"%.3fcm\" "
		    "style:rel-width=\"%zu*\"/></style:style>\n", o->ntables, c,
		    16.5 * (double)wc / (double)sum, wc * 100);
		buf_printf(o->out, "<table:table-column table:style-name="
		    "\"Tbl%d.C%zu\"/>\n", o->ntables, c);
	}
}

static int
odt_table(struct odt *o, cmark_node *table)
{
	o->ncols = cmark_gfm_extensions_get_table_columns(table);
	if (o->ncols > DOCUMENT_MAX_COLUMNS)
		return set_cause(o->cause, "line %d: table with more than %d columns",
		    cmark_node_get_start_line(table), DOCUMENT_MAX_COLUMNS);
	o->align = cmark_gfm_extensions_get_table_alignments(table);
	o->ntables++;
	buf_printf(o->out, "<table:table table:name=\"Tabelle%d\" "
	    "table:style-name=\"Tbl\">\n", o->ntables);
	odt_table_columns(o, table, o->ncols);
	return 0;
}

static void
odt_cell(struct odt *o, bool enter)
{
	const char *pstyle;
	uint8_t a;

	if (!enter) {
		buf_add_str(o->out, "</text:p></table:table-cell>");
		o->col++;
		return;
	}
	a = o->align != NULL && o->col < o->ncols ? o->align[o->col] : 0;
	pstyle = o->head ? "Table_20_Heading" : a == 'r' ? "PRight" : a == 'c' ? "PCenter" :
	    "Table_20_Contents";
	buf_printf(o->out, "<table:table-cell table:style-name=\"%s\" "
	    "office:value-type=\"string\"><text:p text:style-name=\"%s\">",
	    o->head ? "TblHead" : "TblCell", pstyle);
}

/* cmark gives every row as many cells as the header has. */
static void
odt_row_end(struct odt *o)
{
	buf_add_str(o->out, "</table:table-row>\n");
	if (o->head)
		buf_add_str(o->out, "</table:table-header-rows>\n");
}

static bool
in_list_item(cmark_node *n)
{
	for (n = cmark_node_parent(n); n != NULL; n = cmark_node_parent(n))
		if (cmark_node_get_type(n) == CMARK_NODE_ITEM)
			return true;
	return false;
}

/* A leaf block shown as a paragraph of its text: code, raw HTML. */
static void
odt_literal_block(struct odt *o, cmark_node *n)
{
	const char *lit = cmark_node_get_literal(n);
	size_t len = lit != NULL ? strlen(lit) : 0;

	while (len > 0 && lit[len - 1] == '\n')
		len--;
	buf_printf(o->out, "<text:p text:style-name=\"%s\">", in_list_item(n) ?
	    "List_20_Paragraph" : "Text_20_body");
	odt_text(o, lit != NULL ? lit : "", len);
	buf_add_str(o->out, "</text:p>\n");
}

static void
odt_list_item(struct odt *o, cmark_node *n, bool enter)
{
	cmark_node *list = cmark_node_parent(n);
	int start;

	if (!enter) {
		if (cmark_node_first_child(n) == NULL)
			buf_add_str(o->out, "<text:p text:style-name=\"List_20_Paragraph\"/>");
		buf_add_str(o->out, "</text:list-item>\n");
		return;
	}
	start = cmark_node_get_list_start(list);
	if (cmark_node_previous(n) == NULL &&
	    cmark_node_get_list_type(list) == CMARK_ORDERED_LIST && start != 1)
		buf_printf(o->out, "<text:list-item text:start-value=\"%d\">", start);
	else
		buf_add_str(o->out, "<text:list-item>");
}

/* A figure: its frame, as wide as the text unless that makes it taller
 * than a page allows, and its caption. */
static void
odt_figure(struct odt *o, cmark_node *n)
{
	const struct document_placed *p = cmark_node_get_user_data(n);
	const struct document_figure *f;
	double w = ODT_TEXT_WIDTH, h;

	if (p == NULL || o->npictures == DOCUMENT_FIGURES_MAX)
		return;
	f = p->figure;
	o->pictures[o->npictures++] = p;
	h = f->width > 0 ? w * f->height / f->width : w;
	if (h > ODT_FIGURE_MAX) {
		w = w * ODT_FIGURE_MAX / h;
		h = ODT_FIGURE_MAX;
	}
	buf_printf(o->out, "<text:p text:style-name=\"Figure\"><draw:frame draw:name=\""
	    "Abbildung%d\" text:anchor-type=\"as-char\" svg:width=\"%.2fcm\" "
	    "svg:height=\"%.2fcm\" draw:z-index=\"0\"><draw:image xlink:href=\"Pictures/",
	    p->number, w, h);
	document_escape(o->out, f->name, strlen(f->name), false);
	buf_add_str(o->out, ".svg\" xlink:type=\"simple\" xlink:show=\"embed\" "
	    "xlink:actuate=\"onLoad\" draw:mime-type=\"image/svg+xml\"/><svg:title>");
	document_escape(o->out, f->title, strlen(f->title), false);
	buf_add_str(o->out, "</svg:title><svg:desc>");
	document_escape(o->out, f->desc, strlen(f->desc), false);
	buf_add_str(o->out, "</svg:desc></draw:frame></text:p>\n");
	if (p->caption[0] != '\0') {
		buf_add_str(o->out, "<text:p text:style-name=\"Caption\">");
		document_escape(o->out, p->caption, strlen(p->caption), true);
		buf_add_str(o->out, "</text:p>\n");
	}
}

/* One event of the walk: a node entered or left. */
static int
odt_node(struct odt *o, cmark_node *n, bool enter)
{
	const char *type = node_type(n);
	const char *lit;
	int level;

	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_DOCUMENT:
	case CMARK_NODE_BLOCK_QUOTE:
	case CMARK_NODE_LINK:
	case CMARK_NODE_IMAGE:
		return 0;
	case CMARK_NODE_HEADING:
		level = cmark_node_get_heading_level(n);
		if (enter)
			buf_printf(o->out, "<text:h text:style-name=\"Heading_20_%d\" "
			    "text:outline-level=\"%d\">", level, level);
		else
			buf_add_str(o->out, "</text:h>\n");
		return 0;
	case CMARK_NODE_PARAGRAPH:
		if (enter)
			buf_printf(o->out, "<text:p text:style-name=\"%s\">",
			    in_list_item(n) ? "List_20_Paragraph" : "Text_20_body");
		else
			buf_add_str(o->out, "</text:p>\n");
		return 0;
	case CMARK_NODE_LIST:
		if (enter)
			buf_printf(o->out, "<text:list text:style-name=\"%s\">\n",
			    cmark_node_get_list_type(n) == CMARK_ORDERED_LIST ? "LNumber" :
			    "LBullet");
		else
			buf_add_str(o->out, "</text:list>\n");
		return 0;
	case CMARK_NODE_ITEM:
		odt_list_item(o, n, enter);
		return 0;
	case CMARK_NODE_THEMATIC_BREAK:
		buf_add_str(o->out, "<text:p text:style-name=\"Horizontal_20_Line\"/>\n");
		return 0;
	case CMARK_NODE_CODE_BLOCK:
	case CMARK_NODE_HTML_BLOCK:
		odt_literal_block(o, n);
		return 0;
	case CMARK_NODE_CUSTOM_BLOCK:
		if (enter)
			odt_figure(o, n);
		return 0;
	case CMARK_NODE_TEXT:
	case CMARK_NODE_CODE:
	case CMARK_NODE_HTML_INLINE:
		if ((lit = cmark_node_get_literal(n)) != NULL)
			odt_text(o, lit, strlen(lit));
		return 0;
	case CMARK_NODE_SOFTBREAK:
		odt_text(o, " ", 1);
		return 0;
	case CMARK_NODE_LINEBREAK:
		buf_add_str(o->out, "<text:line-break/>");
		return 0;
	case CMARK_NODE_STRONG:
		o->bold += enter ? 1 : -1;
		return 0;
	case CMARK_NODE_EMPH:
		o->italic += enter ? 1 : -1;
		return 0;
	default:
		break;
	}
	if (strcmp(type, "table") == 0) {
		if (enter)
			return odt_table(o, n);
		buf_add_str(o->out, "</table:table>\n");
		o->align = NULL;
	} else if (strcmp(type, "table_header") == 0 || strcmp(type, "table_row") == 0) {
		if (enter) {
			o->head = strcmp(type, "table_header") == 0;
			o->col = 0;
			buf_add_str(o->out, o->head ? "<table:table-header-rows><table:table-row>" :
			    "<table:table-row>");
		} else
			odt_row_end(o);
	} else if (strcmp(type, "table_cell") == 0)
		odt_cell(o, enter); else if (cmark_node_first_child(n) == NULL && enter &&
	    (cmark_node_get_type(n) & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK)
		/* An unknown leaf block: its text as a paragraph. */
		odt_literal_block(o, n);
	return 0;
}

static int
odt_walk(struct odt *o, cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	cmark_node *n;
	int rc = 0;

	while (rc == 0 && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		rc = odt_node(o, n, ev == CMARK_EVENT_ENTER);
	}
	cmark_iter_free(it);
	return rc;
}

static bool
filled(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/*
 * The running head and foot of every page: the letterhead on top; below,
 * the issuer, the Vorlage number as the field "Vorlagennummer", the date
 * and "Seite X von Y".
 */
static void
odt_master_page(struct buf *styles, const struct document_info *info)
{
	if (filled(info->issuer)) {
		buf_add_str(styles, "  <style:header>\n   <text:p text:style-name="
		    "\"Letterhead_20_Issuer\">");
		document_escape(styles, info->issuer, strlen(info->issuer), true);
		buf_add_str(styles, "</text:p>\n   <text:p text:style-name=\"Letterhead\">");
		if (filled(info->department))
			document_escape(styles, info->department, strlen(info->department), true);
		if (filled(info->department) && filled(info->address))
			buf_add_str(styles, " · ");
		if (filled(info->address))
			document_escape(styles, info->address, strlen(info->address), true);
		buf_add_str(styles, "</text:p>\n  </style:header>\n");
	}
	buf_add_str(styles, "  <style:footer>\n   <text:p text:style-name=\"Footer\">");
	if (filled(info->issuer)) {
		document_escape(styles, info->issuer, strlen(info->issuer), true);
		buf_add_str(styles, " · ");
	}
	if (filled(info->number)) {
		buf_add_str(styles, "Vorlage Nr. <text:user-field-get "
		    "text:name=\"Vorlagennummer\">");
		document_escape(styles, info->number, strlen(info->number), true);
		buf_add_str(styles, "</text:user-field-get> · ");
	}
	if (filled(info->date)) {
		buf_add_str(styles, "Stand: ");
		document_escape(styles, info->date, strlen(info->date), true);
		buf_add_str(styles, " · ");
	}
	buf_add_str(styles, "Seite <text:page-number text:select-page=\"current\">1"
	    "</text:page-number> von <text:page-count>1</text:page-count></text:p>\n"
	    "  </style:footer>\n");
}

/* The field the footer shows, declared where LibreOffice edits it. */
static void
odt_fields(struct buf *content, const struct document_info *info)
{
	if (!filled(info->number))
		return;
	buf_add_str(content, "<text:user-field-decls><text:user-field-decl "
	    "office:value-type=\"string\" office:string-value=\"");
	document_escape(content, info->number, strlen(info->number), false);
	buf_add_str(content, "\" text:name=\"Vorlagennummer\"/></text:user-field-decls>\n");
}

static void
odt_meta(struct buf *meta, const char *title)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_add_str(meta, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<office:document-meta" ODF_NS ">\n<office:meta>\n"
	    "<meta:generator>ikond/" IKOND_VERSION "</meta:generator>\n"
	    "<dc:title>");
	document_escape(meta, title, strlen(title), false);
	buf_printf(meta, "</dc:title>\n<dc:language>de-DE</dc:language>\n"
	    "<meta:creation-date>%s</meta:creation-date>\n"
	    "<dc:date>%s</dc:date>\n</office:meta>\n</office:document-meta>\n",
	    when, when);
}

struct zip_part {
	const char	*name;
	const char	*data;
	size_t		 len;
};

static int
zip_fail(zip_error_t *ze, const char *what, char **cause)
{
	set_cause(cause, "building the ODT package: %s: %s", what,
	    zip_error_strerror(ze));
	zip_error_fini(ze);
	return -1;
}

/* Writes the parts into a ZIP archive in memory, the first one stored. */
static int
zip_build(const struct zip_part *parts, size_t nparts, struct buf *out,
    char **cause)
{
	zip_error_t ze;
	zip_source_t *mem, *src;
	zip_t *za;
	zip_stat_t st;
	zip_int64_t idx, got;
	size_t i, at;

	zip_error_init(&ze);
	if ((mem = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL)
		return zip_fail(&ze, "buffer", cause);
	if ((za = zip_open_from_source(mem, ZIP_TRUNCATE, &ze)) == NULL) {
		zip_source_free(mem);
		return zip_fail(&ze, "open", cause);
	}
	zip_source_keep(mem);
	for (i = 0; i < nparts; i++) {
		src = zip_source_buffer(za, parts[i].data, parts[i].len, 0);
		if (src == NULL)
			goto fail;
		if ((idx = zip_file_add(za, parts[i].name, src,
		    ZIP_FL_ENC_UTF_8)) < 0) {
			zip_source_free(src);
			goto fail;
		}
		if (zip_set_file_compression(za, (zip_uint64_t)idx,
		    i == 0 ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0) == -1)
			goto fail;
	}
	if (zip_close(za) == -1)
		goto fail;

	zip_stat_init(&st);
	if (zip_source_stat(mem, &st) == -1 || !(st.valid & ZIP_STAT_SIZE) ||
	    zip_source_open(mem) == -1) {
		zip_error_set(&ze, ZIP_ER_INTERNAL, 0);
		zip_source_free(mem);
		return zip_fail(&ze, "reading back", cause);
	}
	at = out->len;
	buf_add(out, NULL, 0);
	for (;;) {
		char chunk[16384];

		if ((got = zip_source_read(mem, chunk, sizeof(chunk))) < 0) {
			zip_source_close(mem);
			zip_source_free(mem);
			out->len = at;
			out->data[at] = '\0';
			zip_error_set(&ze, ZIP_ER_READ, 0);
			return zip_fail(&ze, "reading back", cause);
		}
		if (got == 0)
			break;
		buf_add(out, chunk, (size_t)got);
	}
	zip_source_close(mem);
	zip_source_free(mem);
	zip_error_fini(&ze);
	return 0;
fail:
	zip_error_set(&ze, zip_error_code_zip(zip_get_error(za)),
	    zip_error_code_system(zip_get_error(za)));
	zip_discard(za);
	zip_source_free(mem);
	return zip_fail(&ze, "adding files", cause);
}

int
document_odt(cmark_node *doc, const struct document_info *info, struct buf *out,
    char **cause)
{
	struct buf content, body, styles, meta, page, manifest;
	struct buf pictures[DOCUMENT_FIGURES_MAX];
	char *names[DOCUMENT_FIGURES_MAX];
	struct zip_part parts[5 + DOCUMENT_FIGURES_MAX];
	const struct document_figure *f;
	struct odt o;
	size_t i, nparts;
	int rc = -1;

	buf_init(&content);
	buf_init(&body);
	buf_init(&styles);
	buf_init(&meta);
	buf_init(&page);
	buf_init(&manifest);
	memset(&o, 0, sizeof(o));
	o.out = &body;
	o.styles = &styles;
	o.cause = cause;
	if (odt_walk(&o, doc) == -1)
		goto out;
	buf_add_str(&content, odt_content_head);
	buf_add(&content, styles.data, styles.len);
	buf_add_str(&content, odt_content_body);
	odt_fields(&content, info);
	buf_add(&content, body.data, body.len);
	buf_add_str(&content, odt_content_tail);
	buf_add_str(&page, odt_styles);
	odt_master_page(&page, info);
	buf_add_str(&page, odt_styles_tail);
	odt_meta(&meta, info->title);

	buf_add_str(&manifest, odt_manifest_head);
	for (i = 0; i < o.npictures; i++) {
		f = o.pictures[i]->figure;
		xasprintf(&names[i], "Pictures/%s.svg", f->name);
		buf_add_str(&manifest, " <manifest:file-entry manifest:full-path=\"");
		document_escape(&manifest, names[i], strlen(names[i]), false);
		buf_add_str(&manifest, "\" manifest:media-type=\"image/svg+xml\"/>\n");
		buf_init(&pictures[i]);
		buf_add_str(&pictures[i], "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
		buf_add_str(&pictures[i], f->svg);
	}
	buf_add_str(&manifest, "</manifest:manifest>\n");

	parts[0] = (struct zip_part){ "mimetype", odt_mimetype,
	    sizeof(odt_mimetype) - 1 };
	parts[1] = (struct zip_part){ "META-INF/manifest.xml", manifest.data, manifest.len };
	parts[2] = (struct zip_part){ "content.xml", content.data, content.len };
	parts[3] = (struct zip_part){ "styles.xml", page.data, page.len };
	parts[4] = (struct zip_part){ "meta.xml", meta.data, meta.len };
	nparts = 5;
	for (i = 0; i < o.npictures; i++)
		parts[nparts++] = (struct zip_part){ names[i], pictures[i].data, pictures[i].len };
	rc = zip_build(parts, nparts, out, cause);
	for (i = 0; i < o.npictures; i++) {
		free(names[i]);
		buf_free(&pictures[i]);
	}
out:
	buf_free(&content);
	buf_free(&body);
	buf_free(&styles);
	buf_free(&meta);
	buf_free(&page);
	buf_free(&manifest);
	return rc;
}
