/*
 * document_html: a draft as a standalone HTML5 page.  The body is what
 * libcmark-gfm's own renderer writes in safe mode; this file adds the
 * page around it (language, character set, a print-friendly style).
 */
#include "document.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char html_style[] =
    "body{font-family:\"Liberation Sans\",Arial,sans-serif;font-size:11pt;"
    "line-height:1.45;max-width:50em;margin:2em auto;padding:0 1em;"
    "color:#111}\n"
    "h1{font-size:1.5em}h2{font-size:1.25em}h3{font-size:1.1em}\n"
    "table{border-collapse:collapse;margin:1em 0}\n"
    "th,td{border:1px solid #777;padding:.25em .5em;vertical-align:top}\n"
    "th{background:#eee;text-align:left}\n"
    "hr{border:0;border-top:1px solid #777}\n";

/* Text for the page's head: & < > " escaped. */
static void
html_escape(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			buf_add_str(out, "&amp;");
			break;
		case '<':
			buf_add_str(out, "&lt;");
			break;
		case '>':
			buf_add_str(out, "&gt;");
			break;
		case '"':
			buf_add_str(out, "&quot;");
			break;
		default:
			buf_add_char(out, *s);
			break;
		}
	}
}

void
document_html(cmark_node *doc, cmark_llist *extensions, const char *title, struct buf *out)
{
	char *body;

	if ((body = cmark_render_html(doc, DOCUMENT_CMARK_OPTIONS, extensions)) == NULL)
		fatalx("cmark_render_html: out of memory");
	buf_add_str(out, "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>");
	html_escape(out, title);
	buf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", html_style);
	buf_add_str(out, body);
	buf_add_str(out, "</body>\n</html>\n");
	free(body);
}
