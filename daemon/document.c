/*
 * document: the Markdown subset of rendered drafts and its two renderings,
 * HTML5 and OpenDocument text (see document.h).  One block parser walks the
 * lines and hands headings, paragraphs, list items, tables and rules to a
 * writer; one inline parser turns a block's text into runs of plain, bold
 * and italic text.  Every run is escaped by the writer, so text that came
 * from data (already backslash-escaped by the template) stays text.
 */
#include "document.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zip.h>

#include "utf8.h"
#include "xmalloc.h"

#ifndef IKOND_VERSION
#define IKOND_VERSION "0"
#endif

#define RUN_BOLD	0x1
#define RUN_ITALIC	0x2

enum align {
	ALIGN_DEFAULT,
	ALIGN_LEFT,
	ALIGN_CENTER,
	ALIGN_RIGHT,
};

struct span {
	const char	*s;
	size_t		 len;
};

struct table_row {
	struct span	 cells[DOCUMENT_MAX_COLUMNS];
	size_t		 ncells;
};

struct table {
	struct table_row *rows;
	size_t		 nrows;
	size_t		 ncols;
	bool		 header;	/* rows[0] is a header row */
	enum align	 align[DOCUMENT_MAX_COLUMNS];
};

struct writer;

struct writer_ops {
	void	(*heading)(struct writer *, int, struct span);
	void	(*paragraph)(struct writer *, struct span);
	void	(*list_begin)(struct writer *, bool, long);
	void	(*list_item)(struct writer *, struct span);
	void	(*list_end)(struct writer *, bool);
	void	(*table)(struct writer *, const struct table *);
	void	(*rule)(struct writer *);
	/* inline output */
	void	(*run)(struct writer *, const char *, size_t, int);
	void	(*line_break)(struct writer *);
};

struct writer {
	const struct writer_ops	*ops;
	struct buf		*out;
	struct buf		*styles;	/* ODT: automatic styles of tables */
	int			 ntables;
	long			 list_start;	/* start value of the next item */
};

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

/* --- inline parsing --- */

enum itok_kind {
	ITOK_TEXT,
	ITOK_STAR1,
	ITOK_STAR2,
	ITOK_BREAK,
};

struct itok {
	enum itok_kind	 kind;
	size_t		 off, len;	/* text in the literal buffer */
	bool		 paired;	/* a star that opens or closes */
};

struct itoks {
	struct itok	*v;
	size_t		 n, cap;
	struct buf	 lit;
	size_t		 text_from;	/* start of the pending text token */
};

static void
itoks_push(struct itoks *t, enum itok_kind kind)
{
	if (t->lit.len > t->text_from) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 16;
			t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
		}
		t->v[t->n++] = (struct itok){ ITOK_TEXT, t->text_from,
		    t->lit.len - t->text_from, false };
		t->text_from = t->lit.len;
	}
	if (kind == ITOK_TEXT)
		return;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	t->v[t->n++] = (struct itok){ kind, 0, 0, false };
}

static bool
is_ascii_punct(char c)
{
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
	    (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

/* Drops trailing blanks from the literal text; returns how many. */
static size_t
lit_trim(struct itoks *t)
{
	size_t n = 0;

	while (t->lit.len > t->text_from &&
	    (t->lit.data[t->lit.len - 1] == ' ' ||
	    t->lit.data[t->lit.len - 1] == '\t')) {
		t->lit.len--;
		n++;
	}
	if (t->lit.data != NULL)
		t->lit.data[t->lit.len] = '\0';
	return n;
}

static void
inline_tokenize(struct itoks *t, const char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		char c = s[i];

		if (c == '\\' && i + 1 < len && is_ascii_punct(s[i + 1])) {
			buf_add_char(&t->lit, s[i + 1]);
			i += 2;
		} else if (c == '\\' && i + 1 < len && s[i + 1] == '\n') {
			itoks_push(t, ITOK_BREAK);
			i += 2;
			while (i < len && (s[i] == ' ' || s[i] == '\t'))
				i++;
		} else if (c == '\n') {
			if (lit_trim(t) >= 2)
				itoks_push(t, ITOK_BREAK);
			else
				buf_add_char(&t->lit, ' ');
			i++;
			while (i < len && (s[i] == ' ' || s[i] == '\t'))
				i++;
		} else if (c == '*') {
			for (n = 0; i < len && s[i] == '*'; i++)
				n++;
			for (; n >= 2; n -= 2)
				itoks_push(t, ITOK_STAR2);
			if (n == 1)
				itoks_push(t, ITOK_STAR1);
		} else if (c == '\r') {
			i++;
		} else {
			buf_add_char(&t->lit, c);
			i++;
		}
	}
	itoks_push(t, ITOK_TEXT);
}

/* Pairs stars of the same kind in order: first with second, and so on. */
static void
inline_pair(struct itoks *t)
{
	size_t i, open1 = SIZE_MAX, open2 = SIZE_MAX, *open;

	for (i = 0; i < t->n; i++) {
		if (t->v[i].kind == ITOK_STAR1)
			open = &open1;
		else if (t->v[i].kind == ITOK_STAR2)
			open = &open2;
		else
			continue;
		if (*open == SIZE_MAX) {
			*open = i;
		} else {
			t->v[*open].paired = true;
			t->v[i].paired = true;
			*open = SIZE_MAX;
		}
	}
}

static void
write_inline(struct writer *w, struct span sp)
{
	struct itoks t;
	size_t i;
	int flags = 0;

	memset(&t, 0, sizeof(t));
	buf_init(&t.lit);
	inline_tokenize(&t, sp.s, sp.len);
	inline_pair(&t);
	for (i = 0; i < t.n; i++) {
		const struct itok *k = &t.v[i];

		switch (k->kind) {
		case ITOK_TEXT:
			w->ops->run(w, t.lit.data + k->off, k->len, flags);
			break;
		case ITOK_BREAK:
			w->ops->line_break(w);
			break;
		case ITOK_STAR1:
			if (k->paired)
				flags ^= RUN_ITALIC;
			else
				w->ops->run(w, "*", 1, flags);
			break;
		case ITOK_STAR2:
			if (k->paired)
				flags ^= RUN_BOLD;
			else
				w->ops->run(w, "**", 2, flags);
			break;
		}
	}
	free(t.v);
	buf_free(&t.lit);
}

/* --- block parsing --- */

struct line {
	const char	*s;	/* the line without its newline */
	size_t		 len;
	size_t		 indent;	/* columns of leading blanks */
	size_t		 body;		/* offset of the first non-blank */
};

static void
line_scan(struct line *l)
{
	size_t i;

	l->indent = 0;
	for (i = 0; i < l->len && (l->s[i] == ' ' || l->s[i] == '\t'); i++)
		l->indent += l->s[i] == '\t' ? 4 : 1;
	l->body = i;
	while (l->len > l->body && (l->s[l->len - 1] == '\r'))
		l->len--;
}

static bool
line_blank(const struct line *l)
{
	size_t i;

	for (i = l->body; i < l->len; i++)
		if (l->s[i] != ' ' && l->s[i] != '\t')
			return false;
	return true;
}

static struct span
span_trim(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r'))
		len--;
	return (struct span){ s, len };
}

static int
line_heading(const struct line *l, struct span *text)
{
	size_t i = l->body, level = 0;

	if (l->indent > 3)
		return 0;
	while (i < l->len && l->s[i] == '#')
		i++, level++;
	if (level == 0 || level > 6)
		return 0;
	if (i < l->len && l->s[i] != ' ' && l->s[i] != '\t')
		return 0;
	*text = span_trim(l->s + i, l->len - i);
	return (int)level;
}

static bool
line_rule(const struct line *l)
{
	size_t i, n = 0;
	char c;

	if (l->indent > 3 || l->body >= l->len)
		return false;
	c = l->s[l->body];
	if (c != '-' && c != '*' && c != '_')
		return false;
	for (i = l->body; i < l->len; i++) {
		if (l->s[i] == c)
			n++;
		else if (l->s[i] != ' ' && l->s[i] != '\t')
			return false;
	}
	return n >= 3;
}

/* A list marker: returns 1 bullet, 2 numbered (with *start), 0 none. */
static int
line_item(const struct line *l, struct span *text, long *start)
{
	size_t i = l->body, nd = 0;
	long v = 0;

	if (l->indent > 3 || i >= l->len)
		return 0;
	if (l->s[i] == '-' || l->s[i] == '*' || l->s[i] == '+') {
		if (i + 1 < l->len && l->s[i + 1] != ' ' && l->s[i + 1] != '\t')
			return 0;
		*text = span_trim(l->s + i + 1, l->len - i - 1);
		return 1;
	}
	while (i < l->len && l->s[i] >= '0' && l->s[i] <= '9' && nd < 9) {
		v = v * 10 + (l->s[i] - '0');
		i++, nd++;
	}
	if (nd == 0 || i >= l->len || (l->s[i] != '.' && l->s[i] != ')'))
		return 0;
	if (i + 1 < l->len && l->s[i + 1] != ' ' && l->s[i + 1] != '\t')
		return 0;
	*start = v;
	*text = span_trim(l->s + i + 1, l->len - i - 1);
	return 2;
}

static bool
line_table(const struct line *l)
{
	return l->indent <= 3 && l->body < l->len && l->s[l->body] == '|';
}

/* Splits a table line into cells at unescaped pipes. */
static int
table_split(const struct line *l, struct table_row *row)
{
	const char *s = l->s + l->body;
	size_t len = l->len - l->body, i, start;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	/* drop the leading pipe and an unescaped trailing one */
	s++, len--;
	if (len > 0 && s[len - 1] == '|' && !(len > 1 && s[len - 2] == '\\'))
		len--;
	row->ncells = 0;
	for (i = 0, start = 0; i <= len; i++) {
		if (i + 1 < len && s[i] == '\\') {
			i++;
			continue;
		}
		if (i < len && s[i] != '|')
			continue;
		if (row->ncells == DOCUMENT_MAX_COLUMNS)
			return -1;
		row->cells[row->ncells++] = span_trim(s + start, i - start);
		start = i + 1;
	}
	return 0;
}

static bool
table_delimiter(const struct table_row *row, enum align *align)
{
	size_t c, i;

	for (c = 0; c < row->ncells; c++) {
		const struct span *sp = &row->cells[c];
		bool left, right;
		size_t dashes = 0;

		if (sp->len == 0)
			return false;
		left = sp->s[0] == ':';
		right = sp->s[sp->len - 1] == ':';
		for (i = left ? 1 : 0; i < sp->len - (right ? 1 : 0); i++) {
			if (sp->s[i] != '-')
				return false;
			dashes++;
		}
		if (dashes == 0)
			return false;
		align[c] = left && right ? ALIGN_CENTER : right ? ALIGN_RIGHT :
		    left ? ALIGN_LEFT : ALIGN_DEFAULT;
	}
	return row->ncells > 0;
}

struct blockp {
	const char	*src;
	size_t		 len, pos;
	int		 lineno;
	struct writer	*w;
	char		**cause;
	/* open blocks */
	const char	*para;		/* start of the open paragraph */
	const char	*para_end;
	int		 list;		/* 0 none, 1 bullet, 2 numbered */
	const char	*item;		/* start of the open list item */
	const char	*item_end;
	bool		 blank;		/* the previous line was blank */
};

static bool
blockp_next(struct blockp *b, struct line *l)
{
	const char *nl;

	if (b->pos >= b->len)
		return false;
	l->s = b->src + b->pos;
	nl = memchr(l->s, '\n', b->len - b->pos);
	l->len = nl ? (size_t)(nl - l->s) : b->len - b->pos;
	b->pos += l->len + (nl ? 1 : 0);
	b->lineno++;
	line_scan(l);
	return true;
}

static void
blockp_flush_para(struct blockp *b)
{
	if (b->para == NULL)
		return;
	b->w->ops->paragraph(b->w, span_trim(b->para, b->para_end - b->para));
	b->para = NULL;
}

static void
blockp_flush_item(struct blockp *b)
{
	if (b->item == NULL)
		return;
	b->w->ops->list_item(b->w, span_trim(b->item, b->item_end - b->item));
	b->item = NULL;
}

static void
blockp_close_list(struct blockp *b)
{
	blockp_flush_item(b);
	if (b->list != 0)
		b->w->ops->list_end(b->w, b->list == 2);
	b->list = 0;
}

static void
blockp_close_all(struct blockp *b)
{
	blockp_flush_para(b);
	blockp_close_list(b);
}

/* Reads a table starting at line l (already consumed). */
static int
blockp_table(struct blockp *b, struct line *l)
{
	struct table t;
	struct line next;
	size_t saved, r, c;
	int rc = 0;

	memset(&t, 0, sizeof(t));
	for (;;) {
		t.rows = xreallocarray(t.rows, t.nrows + 1, sizeof(*t.rows));
		if (table_split(l, &t.rows[t.nrows]) == -1) {
			rc = set_cause(b->cause, "line %d: table row with more "
			    "than %d columns", b->lineno, DOCUMENT_MAX_COLUMNS);
			goto out;
		}
		t.nrows++;
		saved = b->pos;
		if (!blockp_next(b, &next))
			break;
		if (!line_table(&next)) {
			b->pos = saved;
			b->lineno--;
			break;
		}
		*l = next;
	}
	if (t.nrows >= 2 && table_delimiter(&t.rows[1], t.align)) {
		t.header = true;
		memmove(&t.rows[1], &t.rows[2], (t.nrows - 2) * sizeof(*t.rows));
		t.nrows--;
	}
	for (r = 0; r < t.nrows; r++)
		if (t.rows[r].ncells > t.ncols)
			t.ncols = t.rows[r].ncells;
	for (r = 0; r < t.nrows; r++)
		for (c = t.rows[r].ncells; c < t.ncols; c++)
			t.rows[r].cells[c] = (struct span){ "", 0 };
	if (t.ncols > 0)
		b->w->ops->table(b->w, &t);
out:
	free(t.rows);
	return rc;
}

static int
blockp_run(struct blockp *b)
{
	struct line l;
	struct span text;
	long start = 1;
	int level, kind;

	while (blockp_next(b, &l)) {
		if (line_blank(&l)) {
			blockp_flush_para(b);
			blockp_flush_item(b);
			b->blank = true;
			continue;
		}
		if ((level = line_heading(&l, &text)) > 0) {
			blockp_close_all(b);
			b->w->ops->heading(b->w, level, text);
		} else if (line_rule(&l)) {
			blockp_close_all(b);
			b->w->ops->rule(b->w);
		} else if ((kind = line_item(&l, &text, &start)) > 0) {
			blockp_flush_para(b);
			blockp_flush_item(b);
			if (b->list != kind) {
				blockp_close_list(b);
				b->list = kind;
				b->w->ops->list_begin(b->w, kind == 2, start);
			}
			b->item = text.s;
			b->item_end = text.s + text.len;
		} else if (line_table(&l)) {
			blockp_close_all(b);
			if (blockp_table(b, &l) == -1)
				return -1;
		} else if (b->list != 0 && (!b->blank || l.indent >= 2)) {
			/* continuation of the open item */
			if (b->item == NULL) {
				b->item = l.s + l.body;
				b->item_end = l.s + l.len;
			} else
				b->item_end = l.s + l.len;
		} else {
			blockp_close_list(b);
			if (b->para == NULL)
				b->para = l.s + l.body;
			b->para_end = l.s + l.len;
		}
		b->blank = false;
	}
	blockp_close_all(b);
	return 0;
}

static int
document_walk(const char *md, size_t len, struct writer *w, char **cause)
{
	struct blockp b;

	memset(&b, 0, sizeof(b));
	b.src = md;
	b.len = len;
	b.w = w;
	b.cause = cause;
	return blockp_run(&b);
}

/* --- shared escaping --- */

/* Control characters other than tab and newline are not allowed in XML 1.0. */
static void
escape_xml(struct buf *out, const char *s, size_t len, bool odt)
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
		default:
			if (c < 0x20 && c != '\n')
				break;
			buf_add_char(out, (char)c);
			break;
		}
	}
}

/* --- HTML --- */

static void
html_run(struct writer *w, const char *s, size_t len, int flags)
{
	if (flags & RUN_BOLD)
		buf_add_str(w->out, "<strong>");
	if (flags & RUN_ITALIC)
		buf_add_str(w->out, "<em>");
	escape_xml(w->out, s, len, false);
	if (flags & RUN_ITALIC)
		buf_add_str(w->out, "</em>");
	if (flags & RUN_BOLD)
		buf_add_str(w->out, "</strong>");
}

static void
html_line_break(struct writer *w)
{
	buf_add_str(w->out, "<br>\n");
}

static void
html_heading(struct writer *w, int level, struct span text)
{
	buf_printf(w->out, "<h%d>", level);
	write_inline(w, text);
	buf_printf(w->out, "</h%d>\n", level);
}

static void
html_paragraph(struct writer *w, struct span text)
{
	buf_add_str(w->out, "<p>");
	write_inline(w, text);
	buf_add_str(w->out, "</p>\n");
}

static void
html_list_begin(struct writer *w, bool ordered, long start)
{
	if (!ordered)
		buf_add_str(w->out, "<ul>\n");
	else if (start != 1)
		buf_printf(w->out, "<ol start=\"%ld\">\n", start);
	else
		buf_add_str(w->out, "<ol>\n");
}

static void
html_list_item(struct writer *w, struct span text)
{
	buf_add_str(w->out, "<li>");
	write_inline(w, text);
	buf_add_str(w->out, "</li>\n");
}

static void
html_list_end(struct writer *w, bool ordered)
{
	buf_add_str(w->out, ordered ? "</ol>\n" : "</ul>\n");
}

static const char *
html_align(enum align a)
{
	switch (a) {
	case ALIGN_LEFT:
		return " style=\"text-align:left\"";
	case ALIGN_CENTER:
		return " style=\"text-align:center\"";
	case ALIGN_RIGHT:
		return " style=\"text-align:right\"";
	case ALIGN_DEFAULT:
	default:
		return "";
	}
}

static void
html_table(struct writer *w, const struct table *t)
{
	size_t r, c;

	buf_add_str(w->out, "<table>\n");
	for (r = 0; r < t->nrows; r++) {
		bool head = t->header && r == 0;

		if (head)
			buf_add_str(w->out, "<thead>\n");
		else if (r == (t->header ? 1u : 0u))
			buf_add_str(w->out, "<tbody>\n");
		buf_add_str(w->out, "<tr>");
		for (c = 0; c < t->ncols; c++) {
			buf_printf(w->out, "<%s%s>", head ? "th" : "td",
			    html_align(t->align[c]));
			write_inline(w, t->rows[r].cells[c]);
			buf_printf(w->out, "</%s>", head ? "th" : "td");
		}
		buf_add_str(w->out, "</tr>\n");
		if (head)
			buf_add_str(w->out, "</thead>\n");
	}
	if (t->nrows > (t->header ? 1u : 0u))
		buf_add_str(w->out, "</tbody>\n");
	buf_add_str(w->out, "</table>\n");
}

static void
html_rule(struct writer *w)
{
	buf_add_str(w->out, "<hr>\n");
}

static const struct writer_ops html_ops = {
	html_heading, html_paragraph, html_list_begin, html_list_item,
	html_list_end, html_table, html_rule, html_run, html_line_break,
};

static const char html_style[] =
    "body{font-family:\"Liberation Sans\",Arial,sans-serif;font-size:11pt;"
    "line-height:1.45;max-width:50em;margin:2em auto;padding:0 1em;"
    "color:#111}\n"
    "h1{font-size:1.5em}h2{font-size:1.25em}h3{font-size:1.1em}\n"
    "table{border-collapse:collapse;margin:1em 0}\n"
    "th,td{border:1px solid #777;padding:.25em .5em;vertical-align:top}\n"
    "th{background:#eee;text-align:left}\n"
    "hr{border:0;border-top:1px solid #777}\n";

static int
document_html(const char *md, size_t len, const char *title, struct buf *out,
    char **cause)
{
	struct writer w = { &html_ops, out, NULL, 0, 1 };

	buf_add_str(out, "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>");
	escape_xml(out, title, strlen(title), false);
	buf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n",
	    html_style);
	if (document_walk(md, len, &w, cause) == -1)
		return -1;
	buf_add_str(out, "</body>\n</html>\n");
	return 0;
}

/* --- OpenDocument text --- */

#define ODF_NS \
    " xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\"" \
    " xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\"" \
    " xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"" \
    " xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\"" \
    " xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\"" \
    " xmlns:svg=\"urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0\"" \
    " xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\"" \
    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"" \
    " office:version=\"1.3\""

static const char odt_mimetype[] = "application/vnd.oasis.opendocument.text";

static const char odt_manifest[] =
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
    " manifest:media-type=\"text/xml\"/>\n"
    "</manifest:manifest>\n";

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
    "</office:styles>\n"
    "<office:automatic-styles>\n"
    " <style:page-layout style:name=\"PageA4\">\n"
    "  <style:page-layout-properties fo:page-width=\"21cm\""
    " fo:page-height=\"29.7cm\" style:print-orientation=\"portrait\""
    " fo:margin-top=\"2cm\" fo:margin-bottom=\"2cm\" fo:margin-left=\"2.5cm\""
    " fo:margin-right=\"2cm\"/>\n"
    " </style:page-layout>\n"
    "</office:automatic-styles>\n"
    "<office:master-styles>\n"
    " <style:master-page style:name=\"Standard\""
    " style:page-layout-name=\"PageA4\"/>\n"
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

static void
odt_run(struct writer *w, const char *s, size_t len, int flags)
{
	static const char *style[] = { NULL, "TB", "TI", "TBI" };

	if (flags != 0)
		buf_printf(w->out, "<text:span text:style-name=\"%s\">",
		    style[flags & 3]);
	escape_xml(w->out, s, len, true);
	if (flags != 0)
		buf_add_str(w->out, "</text:span>");
}

static void
odt_line_break(struct writer *w)
{
	buf_add_str(w->out, "<text:line-break/>");
}

static void
odt_heading(struct writer *w, int level, struct span text)
{
	buf_printf(w->out, "<text:h text:style-name=\"Heading_20_%d\" "
	    "text:outline-level=\"%d\">", level, level);
	write_inline(w, text);
	buf_add_str(w->out, "</text:h>\n");
}

static void
odt_paragraph(struct writer *w, struct span text)
{
	buf_add_str(w->out, "<text:p text:style-name=\"Text_20_body\">");
	write_inline(w, text);
	buf_add_str(w->out, "</text:p>\n");
}

static void
odt_list_begin(struct writer *w, bool ordered, long start)
{
	buf_printf(w->out, "<text:list text:style-name=\"%s\">\n",
	    ordered ? "LNumber" : "LBullet");
	w->list_start = ordered ? start : 1;
}

static void
odt_list_item(struct writer *w, struct span text)
{
	if (w->list_start != 1)
		buf_printf(w->out, "<text:list-item text:start-value=\"%ld\">",
		    w->list_start);
	else
		buf_add_str(w->out, "<text:list-item>");
	w->list_start = 1;
	buf_add_str(w->out, "<text:p text:style-name=\"List_20_Paragraph\">");
	write_inline(w, text);
	buf_add_str(w->out, "</text:p></text:list-item>\n");
}

static void
odt_list_end(struct writer *w, bool ordered)
{
	(void)ordered;
	buf_add_str(w->out, "</text:list>\n");
}

/* Length of the longest run of non-blank bytes: what cannot wrap. */
static size_t
span_longest_word(struct span sp)
{
	size_t i, run = 0, best = 0;

	for (i = 0; i < sp.len; i++) {
		run = sp.s[i] == ' ' ? 0 : run + 1;
		if (run > best)
			best = run;
	}
	return best;
}

/*
 * Columns get widths in proportion to their longest cell (within bounds),
 * so a column of numbers does not take as much room as one of names; a
 * column never gets narrower than its longest word, so dates and amounts
 * stay on one line.  Widths are counted in characters of about 0.2 cm.
 */
#define ODT_TABLE_CHARS	80

static void
odt_table_columns(struct writer *w, const struct table *t)
{
	size_t want[DOCUMENT_MAX_COLUMNS], need[DOCUMENT_MAX_COLUMNS];
	size_t width[DOCUMENT_MAX_COLUMNS], fixed = 0, sum, r, c, pass;
	bool pinned[DOCUMENT_MAX_COLUMNS];

	for (c = 0; c < t->ncols; c++) {
		want[c] = 6;
		need[c] = 3;
		pinned[c] = false;
		for (r = 0; r < t->nrows; r++) {
			struct span sp = t->rows[r].cells[c];
			size_t word = span_longest_word(sp) + 3;

			if (sp.len > want[c])
				want[c] = sp.len;
			if (word > need[c])
				need[c] = word;
		}
		if (want[c] > 30)
			want[c] = 30;
		if (need[c] > 20)
			need[c] = 20;
	}
	for (pass = 0; pass < 3; pass++) {
		sum = 0;
		for (c = 0; c < t->ncols; c++)
			if (!pinned[c])
				sum += want[c];
		for (c = 0; c < t->ncols; c++) {
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
	for (c = 0; c < t->ncols; c++)
		sum += width[c] > 0 ? width[c] : 1;
	for (c = 0; c < t->ncols; c++) {
		size_t wc = width[c] > 0 ? width[c] : 1;

		buf_printf(w->styles, " <style:style style:name=\"Tbl%d.C%zu\" "
		    "style:family=\"table-column\"><style:table-column-"
		    "properties style:column-width=\"%.3fcm\" "
		    "style:rel-width=\"%zu*\"/></style:style>\n", w->ntables, c,
		    16.5 * (double)wc / (double)sum, wc * 100);
		buf_printf(w->out, "<table:table-column table:style-name="
		    "\"Tbl%d.C%zu\"/>\n", w->ntables, c);
	}
}

static void
odt_table(struct writer *w, const struct table *t)
{
	size_t r, c;
	const char *pstyle;

	w->ntables++;
	buf_printf(w->out, "<table:table table:name=\"Tabelle%d\" "
	    "table:style-name=\"Tbl\">\n", w->ntables);
	odt_table_columns(w, t);
	for (r = 0; r < t->nrows; r++) {
		bool head = t->header && r == 0;

		if (head)
			buf_add_str(w->out, "<table:table-header-rows>");
		buf_add_str(w->out, "<table:table-row>");
		for (c = 0; c < t->ncols; c++) {
			pstyle = head ? "Table_20_Heading" :
			    t->align[c] == ALIGN_RIGHT ? "PRight" :
			    t->align[c] == ALIGN_CENTER ? "PCenter" :
			    "Table_20_Contents";
			buf_printf(w->out, "<table:table-cell table:style-name="
			    "\"%s\" office:value-type=\"string\"><text:p "
			    "text:style-name=\"%s\">", head ? "TblHead" :
			    "TblCell", pstyle);
			write_inline(w, t->rows[r].cells[c]);
			buf_add_str(w->out, "</text:p></table:table-cell>");
		}
		buf_add_str(w->out, "</table:table-row>\n");
		if (head)
			buf_add_str(w->out, "</table:table-header-rows>\n");
	}
	buf_add_str(w->out, "</table:table>\n");
}

static void
odt_rule(struct writer *w)
{
	buf_add_str(w->out, "<text:p text:style-name=\"Horizontal_20_Line\"/>\n");
}

static const struct writer_ops odt_ops = {
	odt_heading, odt_paragraph, odt_list_begin, odt_list_item,
	odt_list_end, odt_table, odt_rule, odt_run, odt_line_break,
};

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
	escape_xml(meta, title, strlen(title), false);
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

static int
document_odt(const char *md, size_t len, const char *title, struct buf *out,
    char **cause)
{
	struct buf content, body, styles, meta;
	struct writer w;
	struct zip_part parts[5];
	int rc = -1;

	buf_init(&content);
	buf_init(&body);
	buf_init(&styles);
	buf_init(&meta);
	w = (struct writer){ &odt_ops, &body, &styles, 0, 1 };
	if (document_walk(md, len, &w, cause) == -1)
		goto out;
	buf_add_str(&content, odt_content_head);
	buf_add(&content, styles.data, styles.len);
	buf_add_str(&content, odt_content_body);
	buf_add(&content, body.data, body.len);
	buf_add_str(&content, odt_content_tail);
	odt_meta(&meta, title);

	parts[0] = (struct zip_part){ "mimetype", odt_mimetype,
	    sizeof(odt_mimetype) - 1 };
	parts[1] = (struct zip_part){ "META-INF/manifest.xml", odt_manifest,
	    sizeof(odt_manifest) - 1 };
	parts[2] = (struct zip_part){ "content.xml", content.data, content.len };
	parts[3] = (struct zip_part){ "styles.xml", odt_styles,
	    sizeof(odt_styles) - 1 };
	parts[4] = (struct zip_part){ "meta.xml", meta.data, meta.len };
	rc = zip_build(parts, 5, out, cause);
out:
	buf_free(&content);
	buf_free(&body);
	buf_free(&styles);
	buf_free(&meta);
	return rc;
}

int
document_render(const char *markdown, size_t len, enum document_format fmt,
    const char *title, struct buf *out, char **cause)
{
	size_t bad, at = out->len;
	int rc;

	if (len > DOCUMENT_MAX_INPUT)
		return set_cause(cause, "document larger than %d bytes",
		    DOCUMENT_MAX_INPUT);
	if ((bad = utf8_invalid_at(markdown, len)) != len)
		return set_cause(cause, "document is not valid UTF-8 at byte "
		    "%zu", bad);
	if (!utf8_valid_string(title))
		return set_cause(cause, "document title is not valid UTF-8");
	switch (fmt) {
	case DOCUMENT_MD:
		buf_add(out, markdown, len);
		return 0;
	case DOCUMENT_HTML:
		rc = document_html(markdown, len, title, out, cause);
		break;
	case DOCUMENT_ODT:
		rc = document_odt(markdown, len, title, out, cause);
		break;
	default:
		return set_cause(cause, "unknown document format %d", (int)fmt);
	}
	if (rc == -1) {
		out->len = at;
		if (out->data != NULL)
			out->data[at] = '\0';
	}
	return rc;
}
