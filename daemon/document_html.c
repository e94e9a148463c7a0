/*
 * document_html: a draft as a standalone HTML5 page.  The body is what
 * libcmark-gfm's own renderer writes in safe mode; this file adds the
 * page around it (language, character set, a print-friendly style), the
 * letterhead, and the figures: each one's custom block (document.c)
 * writes its SVG inline, with its caption, as the block's opening text,
 * which the renderer copies as it is.
 */
#include "document.h"

#include <stdbool.h>
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
    "hr{border:0;border-top:1px solid #777}\n"
    "header{border-bottom:1px solid #777;margin-bottom:1.5em;font-size:.9em}\n"
    "header strong{font-size:1.15em}\n"
    "footer{border-top:1px solid #777;margin-top:2em;font-size:.8em;color:#444}\n"
    "figure{margin:1em 0}figure svg{display:block;width:100%;height:auto}\n"
    "figcaption{font-size:.9em;margin-top:.3em}\n";

static bool
filled(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* Issuer, department and address on top; number and date below. */
static void
html_letterhead(const struct document_info *info, struct buf *out)
{
	buf_add_str(out, "<header>\n<strong>");
	document_escape(out, info->issuer, strlen(info->issuer), false);
	buf_add_str(out, "</strong>");
	if (filled(info->department)) {
		buf_add_str(out, "<br>\n");
		document_escape(out, info->department, strlen(info->department), false);
	}
	if (filled(info->address)) {
		buf_add_str(out, "<br>\n");
		document_escape(out, info->address, strlen(info->address), false);
	}
	buf_add_str(out, "\n</header>\n");
}

static void
html_footer(const struct document_info *info, struct buf *out)
{
	buf_add_str(out, "<footer>\n");
	document_escape(out, info->issuer, strlen(info->issuer), false);
	if (filled(info->number)) {
		buf_add_str(out, " · Vorlage Nr. ");
		document_escape(out, info->number, strlen(info->number), false);
	}
	if (filled(info->date)) {
		buf_add_str(out, " · Stand: ");
		document_escape(out, info->date, strlen(info->date), false);
	}
	buf_add_str(out, "\n</footer>\n");
}

/* The text each figure's block opens with (cmark keeps a copy): the
 * picture and its caption. */
static void
html_figures(cmark_node *doc)
{
	const struct document_placed *p;
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	cmark_node *n;
	struct buf b;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_CUSTOM_BLOCK ||
		    (p = cmark_node_get_user_data(n)) == NULL)
			continue;
		buf_init(&b);
		buf_add_str(&b, "<figure>\n");
		buf_add_str(&b, p->figure->svg);
		if (p->caption[0] != '\0') {
			buf_add_str(&b, "<figcaption>");
			document_escape(&b, p->caption, strlen(p->caption), false);
			buf_add_str(&b, "</figcaption>\n");
		}
		buf_add_str(&b, "</figure>");
		if (cmark_node_set_on_enter(n, b.data) == 0)
			fatalx("cmark_node_set_on_enter failed");
		buf_free(&b);
	}
	cmark_iter_free(it);
}

void
document_html(cmark_node *doc, cmark_llist *extensions, const struct document_info *info,
    struct buf *out)
{
	char *body;

	html_figures(doc);
	if ((body = cmark_render_html(doc, DOCUMENT_CMARK_OPTIONS, extensions)) == NULL)
		fatalx("cmark_render_html: out of memory");
	buf_add_str(out, "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>");
	document_escape(out, info->title, strlen(info->title), false);
	buf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", html_style);
	if (filled(info->issuer))
		html_letterhead(info, out);
	buf_add_str(out, body);
	if (filled(info->issuer))
		html_footer(info, out);
	buf_add_str(out, "</body>\n</html>\n");
	free(body);
}
