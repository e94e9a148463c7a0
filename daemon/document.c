/*
 * document: the formats of a draft and the one Markdown parser they share
 * (see document.h).  The text is checked (size, UTF-8), parsed once by
 * libcmark-gfm with the table extension in safe mode, and the tree is
 * handed to the HTML or the ODT writer.  Markdown output is the text as
 * it is.
 */
#include "document.h"

#include <stdbool.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>

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

int
document_render(const char *markdown, size_t len, enum document_format fmt,
    const struct document_info *info, struct buf *out, char **cause)
{
	cmark_syntax_extension *table;
	cmark_parser *parser;
	cmark_node *doc;
	size_t bad, at = out->len;
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
	if (fmt == DOCUMENT_HTML)
		document_html(doc, cmark_parser_get_syntax_extensions(parser), info, out);
	else
		rc = document_odt(doc, info, out, cause);
	cmark_node_free(doc);
	cmark_parser_free(parser);
	if (rc == -1) {
		out->len = at;
		if (out->data != NULL)
			out->data[at] = '\0';
	}
	return rc;
}
