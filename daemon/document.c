/*
 * document: the formats of a draft and the one Markdown parser they share
 * (see document.h).  The text is checked (size, UTF-8), parsed once by
 * libcmark-gfm with the table extension in safe mode, the paragraphs that
 * place a figure become custom blocks that carry it, and the tree is
 * handed to the HTML or the ODT writer.  Markdown output is the text as
 * it is.
 */
#include "document.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>

#include "buf.h"
#include "log.h"
#include "utf8.h"
#include "xmalloc.h"

static const char *
format_names[] = { "md", "html", "odt" };

int
document_format_parse(const char *name, enum document_format *fmt, char **cause)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*fmt = (enum document_format)i;
			return 0;
		}
	}
	return set_cause(cause, "unknown document format \"%s\" (valid: md, "
	    "html, odt)", name);
}

const char *
document_format_name(enum document_format fmt)
{
	return format_names[fmt];
}

const char *
document_format_mime(enum document_format fmt)
{
	switch (fmt) {
	case DOCUMENT_HTML:
		return "text/html; charset=utf-8";
	case DOCUMENT_ODT:
		return "application/vnd.oasis.opendocument.text";
	case DOCUMENT_MD:
	default:
		return "text/markdown; charset=utf-8";
	}
}

static bool
info_valid(const struct document_info *info)
{
	const char *const fields[] = { info->title, info->issuer, info->department,
	    info->address, info->date, info->number };
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i] != NULL && !utf8_valid_string(fields[i]))
			return false;
	return info->title != NULL;
}

void
document_escape(struct buf *out, const char *s, size_t len, bool odt)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
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
		case '\'':
			buf_add_str(out, "&#39;");
			break;
		case '\t':
			buf_add_str(out, odt ? "<text:tab/>" : "\t");
			break;
		case '\n':
			buf_add_str(out, odt ? "<text:line-break/>" : "\n");
			break;
		default:
			if (c >= 0x20)
				buf_add_char(out, (char)c);
			break;
		}
	}
}

void
document_node_text(cmark_node *node, struct buf *b)
{
	cmark_iter *it = cmark_iter_new(node);
	cmark_event_type ev;
	cmark_node *n;
	const char *lit;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (cmark_node_get_type(n) == CMARK_NODE_SOFTBREAK ||
		    cmark_node_get_type(n) == CMARK_NODE_LINEBREAK)
			buf_add_char(b, ' ');
		else if ((cmark_node_get_type(n) == CMARK_NODE_TEXT ||
		    cmark_node_get_type(n) == CMARK_NODE_CODE) &&
		    (lit = cmark_node_get_literal(n)) != NULL)
			buf_add_str(b, lit);
	}
	cmark_iter_free(it);
}

/* The text of a node's inlines: an image's, its caption. */
static char *
inline_text(cmark_node *node)
{
	struct buf b;

	buf_init(&b);
	document_node_text(node, &b);
	return buf_steal(&b, NULL);
}

static bool
names_figure(cmark_node *n)
{
	const char *url;

	return cmark_node_get_type(n) == CMARK_NODE_IMAGE &&
	    (url = cmark_node_get_url(n)) != NULL &&
	    strncmp(url, DOCUMENT_FIGURE_PREFIX, strlen(DOCUMENT_FIGURE_PREFIX)) == 0;
}

/*
 * Puts a custom block in place of every paragraph that is an image of a
 * figure ("figure:NAME"), with the figure as its user data (placed[i]).
 * A figure that is not alone in its paragraph, is not in info or is
 * placed twice is an error; the tree is then left as it was.
 */
static int
place_figures(cmark_node *doc, const struct document_info *info,
    struct document_placed placed[DOCUMENT_FIGURES_MAX], size_t *nplaced, char **cause)
{
	cmark_node *found[DOCUMENT_FIGURES_MAX], *n, *para, *block;
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	const char *name;
	size_t i, k, nfound = 0;
	int rc = 0;

	*nplaced = 0;
	while (rc == 0 && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER || !names_figure(n))
			continue;
		name = cmark_node_get_url(n) + strlen(DOCUMENT_FIGURE_PREFIX);
		para = cmark_node_parent(n);
		for (k = 0; k < info->nfigures && strcmp(info->figures[k].name, name) != 0; k++)
			;
		if (cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH ||
		    cmark_node_first_child(para) != n || cmark_node_last_child(para) != n)
			rc = set_cause(cause, "line %d: the figure \"%.40s\" must stand alone in "
			    "its paragraph", cmark_node_get_start_line(n), name);
		else if (k == info->nfigures)
			rc = set_cause(cause, "line %d: there is no figure \"%.40s\" for this "
			    "document", cmark_node_get_start_line(n), name);
		else {
			for (i = 0; i < nfound && placed[i].figure != &info->figures[k]; i++)
				;
			if (i < nfound)
				rc = set_cause(cause, "line %d: the figure \"%.40s\" is placed twice",
				    cmark_node_get_start_line(n), name);
			else {
				found[nfound] = para;
				placed[nfound].figure = &info->figures[k];
				placed[nfound].number = (int)nfound + 1;
				placed[nfound++].caption = inline_text(n);
			}
		}
	}
	cmark_iter_free(it);
	for (i = 0; i < nfound; i++) {
		if (rc == -1) {
			free(placed[i].caption);
			continue;
		}
		if ((block = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK)) == NULL)
			fatalx("cmark_node_new: out of memory");
		cmark_node_set_user_data(block, &placed[i]);
		cmark_node_replace(found[i], block);
		cmark_node_free(found[i]);
	}
	if (rc == 0)
		*nplaced = nfound;
	return rc;
}

int
document_render(const char *markdown, size_t len, enum document_format fmt,
    const struct document_info *info, struct buf *out, char **cause)
{
	struct document_placed placed[DOCUMENT_FIGURES_MAX];
	cmark_syntax_extension *table;
	cmark_parser *parser;
	cmark_node *doc;
	size_t bad, at = out->len, nplaced = 0, i;
	int rc = 0;

	if (len > DOCUMENT_MAX_INPUT)
		return set_cause(cause, "document larger than %d bytes",
		    DOCUMENT_MAX_INPUT);
	if ((bad = utf8_invalid_at(markdown, len)) != len)
		return set_cause(cause, "document is not valid UTF-8 at byte "
		    "%zu", bad);
	if (!info_valid(info))
		return set_cause(cause, "document title or letterhead is not valid UTF-8");
	if (fmt == DOCUMENT_MD) {
		buf_add(out, markdown, len);
		return 0;
	}
	if (fmt != DOCUMENT_HTML && fmt != DOCUMENT_ODT)
		return set_cause(cause, "unknown document format %d", (int)fmt);

	cmark_gfm_core_extensions_ensure_registered();
	if ((table = cmark_find_syntax_extension("table")) == NULL)
		return set_cause(cause, "libcmark-gfm has no table extension");
	if ((parser = cmark_parser_new(DOCUMENT_CMARK_OPTIONS)) == NULL)
		fatalx("cmark_parser_new: out of memory");
	cmark_parser_attach_syntax_extension(parser, table);
	cmark_parser_feed(parser, markdown, len);
	if ((doc = cmark_parser_finish(parser)) == NULL)
		fatalx("cmark_parser_finish: out of memory");
	if ((rc = place_figures(doc, info, placed, &nplaced, cause)) == 0) {
		if (fmt == DOCUMENT_HTML)
			document_html(doc, cmark_parser_get_syntax_extensions(parser), info, out);
		else
			rc = document_odt(doc, info, out, cause);
	}
	cmark_node_free(doc);
	cmark_parser_free(parser);
	for (i = 0; i < nplaced; i++)
		free(placed[i].caption);
	if (rc == -1) {
		out->len = at;
		if (out->data != NULL)
			out->data[at] = '\0';
	}
	return rc;
}
