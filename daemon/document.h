/*
 * document: turns a rendered draft (Markdown) into the file the
 * coordinator opens: the Markdown itself, a standalone HTML5 page, or an
 * OpenDocument text (.odt) that LibreOffice and Word open.
 *
 * The Markdown is CommonMark with GitHub's pipe tables, parsed by
 * libcmark-gfm in its safe mode (raw HTML in the text is dropped, never
 * passed on).  Drafts use headings, paragraphs, line breaks, bullet and
 * numbered lists, **bold**, *italic*, horizontal rules, backslash escapes
 * and tables whose second line is the row of dashes.  The HTML comes from
 * cmark's own renderer; the ODT writer (document_odt.c) walks cmark's tree
 * and writes what it does not know (code, quotes, links) as plain text.
 */
#ifndef IKOND_DOCUMENT_H
#define IKOND_DOCUMENT_H

#include <stdbool.h>
#include <stddef.h>

#include <cmark-gfm.h>

#include "buf.h"

#define DOCUMENT_MAX_INPUT	(8 * 1024 * 1024)	/* bytes of Markdown */
#define DOCUMENT_MAX_COLUMNS	32			/* columns of a table */

/* Safe: raw HTML is dropped.  Soft line breaks are spaces, as in print. */
#define DOCUMENT_CMARK_OPTIONS \
    (CMARK_OPT_SAFE | CMARK_OPT_NOBREAKS | CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES)

enum document_format {
	DOCUMENT_MD,
	DOCUMENT_HTML,
	DOCUMENT_ODT,
};

/* "md", "html" or "odt"; returns -1 and sets *cause for anything else. */
int document_format_parse(const char *name, enum document_format *fmt,
    char **cause);
const char *document_format_name(enum document_format fmt);
const char *document_format_mime(enum document_format fmt);

#define DOCUMENT_FIGURES_MAX	4
#define DOCUMENT_FIGURE_PREFIX	"figure:"

/*
 * A picture ikond draws for a document.  The Markdown places it with an
 * image alone in its paragraph whose address names it,
 *
 *     ![Der Zeitplan: Schritte, Sitzungen und Fristen](figure:timeline)
 *
 * and the renderer puts the picture there, the text in brackets as its
 * caption: inline SVG in HTML, an SVG image in the ODT package.  Values
 * from the data never make one: templates escape "!", "[" and "]".
 */
struct document_figure {
	const char	*name;		/* "timeline" */
	const char	*svg;		/* an <svg> element */
	int		 width;		/* its size in pixels */
	int		 height;
	const char	*title;		/* its name, for screen readers and the ODT */
	const char	*desc;		/* its text alternative */
};

/*
 * What a document says about itself.  The HTML page and the ODT carry a
 * letterhead (issuer, department, address) when issuer is set; the ODT
 * repeats it at the top of every page, with a footer of the Vorlage number
 * (a field: changed once in LibreOffice, it changes everywhere), the date
 * and "Seite X von Y".  Every member but title may be NULL.  The figures
 * are the pictures the Markdown may place; naming one that is not there
 * is an error.
 */
struct document_info {
	const char	*title;		/* HTML head, ODT metadata */
	const char	*issuer;	/* "Landkreis Musterland" */
	const char	*department;	/* "Bildungsbüro" */
	const char	*address;	/* "Am Markt 1, 12345 Musterstadt" */
	const char	*date;		/* "30.11.2026" */
	const char	*number;	/* the Vorlage's number */
	struct document_figure figures[DOCUMENT_FIGURES_MAX];
	size_t		 nfigures;
};

/*
 * Appends the document made from len bytes of UTF-8 Markdown to out (ODT
 * output is binary: read out->len bytes).  Markdown comes out as it went
 * in.  Returns -1 and sets *cause on invalid input; out is then left as
 * it was.
 */
int document_render(const char *markdown, size_t len, enum document_format fmt,
    const struct document_info *info, struct buf *out, char **cause);

/* Text for XML and HTML: & < > " ' escaped, other control characters than
 * tab and newline dropped (XML 1.0 has no place for them); in an ODT
 * (odt) a tab is <text:tab/> and a newline <text:line-break/>. */
void document_escape(struct buf *out, const char *s, size_t len, bool odt);

/*
 * The renderers, each given the parsed tree of document.c, in which every
 * figure's paragraph became a custom block whose user data is a struct
 * document_placed.
 */
struct document_placed {
	const struct document_figure *figure;
	char		*caption;	/* the image's text, or "" */
	int		 number;	/* 1, 2, ... in the document */
};

/* The text of a node and its descendants: the literals, a space for each
 * line break (a caption, or a table cell to measure). */
void document_node_text(cmark_node *node, struct buf *b);

/* document_html.c */
void document_html(cmark_node *doc, cmark_llist *extensions,
    const struct document_info *info, struct buf *out);
/* document_odt.c */
int document_odt(cmark_node *doc, const struct document_info *info, struct buf *out,
    char **cause);

#endif
