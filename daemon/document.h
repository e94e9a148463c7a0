/*
 * document: turns a rendered draft (a small Markdown subset) into the file
 * the coordinator opens: the Markdown itself, a standalone HTML5 page, or an
 * OpenDocument text (.odt) that LibreOffice and Word open.
 *
 * The subset: headings "#" to "######", paragraphs (a line ending in two
 * spaces or a backslash breaks the line), bullet lists ("-", "*", "+"),
 * numbered lists ("1." or "1)"), **bold**, *italic*, pipe tables with an
 * optional "|---|---:|" header line, horizontal rules ("---", "***", "___")
 * and backslash escapes of ASCII punctuation.  Everything else is text.
 */
#ifndef IKOND_DOCUMENT_H
#define IKOND_DOCUMENT_H

#include <stddef.h>

#include "buf.h"

#define DOCUMENT_MAX_INPUT	(8 * 1024 * 1024)	/* bytes of Markdown */
#define DOCUMENT_MAX_COLUMNS	32			/* columns of a table */

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

/*
 * Appends the document made from len bytes of UTF-8 Markdown to out (ODT
 * output is binary: read out->len bytes).  title names the document in the
 * HTML head and the ODT metadata.  Returns -1 and sets *cause on invalid
 * input; out is then left as it was.
 */
int document_render(const char *markdown, size_t len, enum document_format fmt,
    const char *title, struct buf *out, char **cause);

#endif
