/*
 * template: parser and renderer of the draft and mail template language
 * (see template.h).  Admins edit templates by hand, so every mistake is
 * reported with the template's name and line; data comes from the database
 * and may contain anything, so values are escaped for the output format and
 * never read as template text again.
 */
#include "template.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define TEMPLATE_MAX_SEGMENTS	16	/* parts of a dotted name */

enum tnode_type {
	TNODE_TEXT,
	TNODE_VALUE,	/* {{x}} */
	TNODE_RAW,	/* {{{x}}} or {{&x}} */
	TNODE_SECTION,	/* {{#x}} */
	TNODE_INVERTED,	/* {{^x}} */
};

struct tnode {
	enum tnode_type	 type;
	int		 line;
	char		*text;		/* literal text, or the tag's name */
	size_t		 len;
	char		*path[TEMPLATE_MAX_SEGMENTS];
	size_t		 npath;		/* 0 for "." */
	struct tnode	*child;		/* body of a section */
	struct tnode	*next;
};

struct template {
	char		*name;
	struct tnode	*root;
};

/* An open container while parsing: where the next node is appended. */
struct parse_level {
	struct tnode	*section;	/* NULL at top level */
	struct tnode   **tail;
};

struct parser {
	const char	*name;
	const char	*src;
	size_t		 len;
	size_t		 linepos;	/* position up to which lines are counted */
	int		 line;
	struct parse_level levels[TEMPLATE_MAX_DEPTH + 1];
	size_t		 depth;
	char		**cause;
};

struct render {
	const struct template	*t;
	enum template_escape	 esc;
	struct buf		*out;
	size_t			 start;
	json_t			*stack[TEMPLATE_MAX_DEPTH + 1];
	size_t			 depth;
	unsigned long		 steps;
	char			**cause;
};

static void
tnode_free_list(struct tnode *n)
{
	struct tnode *next;
	size_t i;

	for (; n != NULL; n = next) {
		next = n->next;
		tnode_free_list(n->child);
		for (i = 0; i < n->npath; i++)
			free(n->path[i]);
		free(n->text);
		free(n);
	}
}

void
template_free(struct template *t)
{
	if (t == NULL)
		return;
	tnode_free_list(t->root);
	free(t->name);
	free(t);
}

const char *
template_name(const struct template *t)
{
	return t->name;
}

/* Line number of position pos; positions are asked for in increasing order. */
static int
parser_line_at(struct parser *p, size_t pos)
{
	for (; p->linepos < pos && p->linepos < p->len; p->linepos++)
		if (p->src[p->linepos] == '\n')
			p->line++;
	return p->line;
}

static struct tnode *
parser_append(struct parser *p, enum tnode_type type, int line)
{
	struct parse_level *lv = &p->levels[p->depth];
	struct tnode *n;

	n = xcalloc(1, sizeof(*n));
	n->type = type;
	n->line = line;
	*lv->tail = n;
	lv->tail = &n->next;
	return n;
}

static void
parser_add_text(struct parser *p, size_t from, size_t to, int line)
{
	struct tnode *n;

	if (to <= from)
		return;
	n = parser_append(p, TNODE_TEXT, line);
	n->text = xstrndup(p->src + from, to - from);
	n->len = to - from;
}

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Checks a name and splits it at the dots into n->path. */
static int
parser_set_name(struct parser *p, struct tnode *n, const char *s, size_t len,
    int line)
{
	size_t i, start;

	if (len == 0)
		return set_cause(p->cause, "%s:%d: empty tag", p->name, line);
	if (len > TEMPLATE_MAX_NAME)
		return set_cause(p->cause, "%s:%d: name longer than %d bytes",
		    p->name, line, TEMPLATE_MAX_NAME);
	n->text = xstrndup(s, len);
	n->len = len;
	if (len == 1 && s[0] == '.')
		return 0;
	start = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && name_char(s[i]))
			continue;
		if (i < len && s[i] != '.')
			return set_cause(p->cause, "%s:%d: bad character in "
			    "name \"%s\"", p->name, line, n->text);
		if (i == start)
			return set_cause(p->cause, "%s:%d: empty part in "
			    "name \"%s\"", p->name, line, n->text);
		if (n->npath == TEMPLATE_MAX_SEGMENTS)
			return set_cause(p->cause, "%s:%d: name \"%s\" has "
			    "more than %d parts", p->name, line, n->text,
			    TEMPLATE_MAX_SEGMENTS);
		n->path[n->npath++] = xstrndup(s + start, i - start);
		start = i + 1;
	}
	return 0;
}

/* Finds "close" at or after pos; returns its position or len if absent. */
static size_t
find_str(const char *s, size_t len, size_t pos, const char *close)
{
	size_t cl = strlen(close);

	for (; pos + cl <= len; pos++)
		if (memcmp(s + pos, close, cl) == 0)
			return pos;
	return len;
}

static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

static bool
is_standalone_kind(char sigil)
{
	return sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!';
}

static int
parser_open(struct parser *p, enum tnode_type type, const char *s, size_t len,
    int line)
{
	struct tnode *n;

	if (p->depth == TEMPLATE_MAX_DEPTH)
		return set_cause(p->cause, "%s:%d: sections nested deeper "
		    "than %d", p->name, line, TEMPLATE_MAX_DEPTH);
	n = parser_append(p, type, line);
	if (parser_set_name(p, n, s, len, line) == -1)
		return -1;
	p->depth++;
	p->levels[p->depth].section = n;
	p->levels[p->depth].tail = &n->child;
	return 0;
}

static int
parser_close(struct parser *p, const char *s, size_t len, int line)
{
	struct tnode *open;

	if (p->depth == 0)
		return set_cause(p->cause, "%s:%d: {{/%.*s}} closes no "
		    "section", p->name, line, (int)len, s);
	open = p->levels[p->depth].section;
	if (open->len != len || memcmp(open->text, s, len) != 0)
		return set_cause(p->cause, "%s:%d: {{/%.*s}} does not match "
		    "{{%c%s}} opened on line %d", p->name, line, (int)len, s,
		    open->type == TNODE_SECTION ? '#' : '^', open->text,
		    open->line);
	p->depth--;
	return 0;
}

/* Handles one tag whose inner text (between the braces) is s. */
static int
parser_tag(struct parser *p, bool triple, const char *s, size_t len, int line)
{
	struct tnode *n;
	char sigil = len > 0 ? s[0] : '\0';

	if (triple) {
		trim(&s, &len);
		n = parser_append(p, TNODE_RAW, line);
		return parser_set_name(p, n, s, len, line);
	}
	if (sigil == '!')
		return 0;
	if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '&') {
		s++;
		len--;
	}
	trim(&s, &len);
	switch (sigil) {
	case '#':
		return parser_open(p, TNODE_SECTION, s, len, line);
	case '^':
		return parser_open(p, TNODE_INVERTED, s, len, line);
	case '/':
		return parser_close(p, s, len, line);
	case '&':
		n = parser_append(p, TNODE_RAW, line);
		return parser_set_name(p, n, s, len, line);
	case '>':
	case '=':
	case '<':
	case '$':
		return set_cause(p->cause, "%s:%d: unsupported tag {{%c",
		    p->name, line, sigil);
	default:
		n = parser_append(p, TNODE_VALUE, line);
		return parser_set_name(p, n, s, len, line);
	}
}

static int
parser_run(struct parser *p)
{
	size_t pos = 0, open, inner, close, end, ls, after;
	bool triple;
	int line, text_line;

	while (pos < p->len) {
		text_line = parser_line_at(p, pos);
		open = find_str(p->src, p->len, pos, "{{");
		if (open == p->len) {
			parser_add_text(p, pos, p->len, text_line);
			break;
		}
		line = parser_line_at(p, open);
		triple = open + 2 < p->len && p->src[open + 2] == '{';
		inner = open + (triple ? 3 : 2);
		close = find_str(p->src, p->len, inner, triple ? "}}}" : "}}");
		if (close == p->len)
			return set_cause(p->cause, "%s:%d: tag opened with "
			    "\"%s\" is never closed", p->name, line,
			    triple ? "{{{" : "{{");
		end = close + (triple ? 3 : 2);

		/* A block tag alone on its line removes the whole line. */
		ls = open;
		after = end;
		if (!triple && inner < close && is_standalone_kind(p->src[inner])) {
			while (ls > pos && (p->src[ls - 1] == ' ' ||
			    p->src[ls - 1] == '\t'))
				ls--;
			while (after < p->len && (p->src[after] == ' ' ||
			    p->src[after] == '\t' || p->src[after] == '\r'))
				after++;
			if ((ls == 0 || p->src[ls - 1] == '\n') &&
			    (after == p->len || p->src[after] == '\n')) {
				if (after < p->len)
					after++;
			} else {
				ls = open;
				after = end;
			}
		}
		parser_add_text(p, pos, ls, text_line);
		if (parser_tag(p, triple, p->src + inner, close - inner,
		    line) == -1)
			return -1;
		pos = after;
	}
	if (p->depth > 0) {
		struct tnode *open_sec = p->levels[p->depth].section;

		return set_cause(p->cause, "%s:%d: section {{%c%s}} is never "
		    "closed", p->name, open_sec->line,
		    open_sec->type == TNODE_SECTION ? '#' : '^',
		    open_sec->text);
	}
	return 0;
}

struct template *
template_parse(const char *name, const char *text, size_t len, char **cause)
{
	struct template *t;
	struct parser p;

	if (len > TEMPLATE_MAX_SOURCE) {
		set_cause(cause, "%s: template larger than %d bytes", name,
		    TEMPLATE_MAX_SOURCE);
		return NULL;
	}
	if (memchr(text, '\0', len) != NULL) {
		set_cause(cause, "%s: template contains a NUL byte", name);
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	memset(&p, 0, sizeof(p));
	p.name = t->name;
	p.src = text;
	p.len = len;
	p.line = 1;
	p.levels[0].tail = &t->root;
	p.cause = cause;
	if (parser_run(&p) == -1) {
		template_free(t);
		return NULL;
	}
	return t;
}

/* --- rendering --- */

static const char *
json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "a list";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a yes/no value";
	case JSON_NULL:
	default:
		return "null";
	}
}

/*
 * Looks the node's name up in the context stack.  With in_test a null on the
 * way makes the result null (a section test of "a.b" where a is null is
 * false); otherwise it is an error.  Returns NULL with *cause set on error.
 */
static json_t *
render_lookup(struct render *r, const struct tnode *n, bool in_test)
{
	json_t *v = NULL;
	size_t i, d;

	if (n->npath == 0)
		return r->stack[r->depth - 1];
	for (d = r->depth; d > 0; d--) {
		if (json_is_object(r->stack[d - 1]) &&
		    (v = json_object_get(r->stack[d - 1], n->path[0])) != NULL)
			break;
	}
	if (v == NULL) {
		set_cause(r->cause, "%s:%d: unknown variable \"%s\"",
		    r->t->name, n->line, n->text);
		return NULL;
	}
	for (i = 1; i < n->npath; i++) {
		if (json_is_null(v)) {
			if (in_test)
				return v;
			set_cause(r->cause, "%s:%d: \"%s\" has no value: "
			    "\"%s\" is null", r->t->name, n->line, n->text,
			    n->path[i - 1]);
			return NULL;
		}
		if (!json_is_object(v)) {
			set_cause(r->cause, "%s:%d: unknown variable \"%s\": "
			    "\"%s\" is %s, not an object", r->t->name, n->line,
			    n->text, n->path[i - 1], json_kind(v));
			return NULL;
		}
		if ((v = json_object_get(v, n->path[i])) == NULL) {
			set_cause(r->cause, "%s:%d: unknown variable \"%s\"",
			    r->t->name, n->line, n->text);
			return NULL;
		}
	}
	return v;
}

static bool
json_truthy(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return false;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	default:
		return true;
	}
}

static int
render_room(struct render *r, size_t add)
{
	if (add > TEMPLATE_MAX_OUTPUT ||
	    r->out->len - r->start > TEMPLATE_MAX_OUTPUT - add)
		return set_cause(r->cause, "%s: output larger than %d bytes",
		    r->t->name, TEMPLATE_MAX_OUTPUT);
	return 0;
}

/*
 * True where a block could start: at the start of a line, or after
 * nothing but block markers on it ("- ", "1. ", "> ", "# "), since
 * CommonMark reads "- - x" as a list in a list.  Escaping a little more
 * than needed costs nothing: "\\-" is shown as "-".
 */
static bool
at_block_start(const struct buf *b)
{
	size_t i;

	for (i = b->len; i > 0 && b->data[i - 1] != '\n'; i--)
		if (strchr(" \t>-*+#.)0123456789", b->data[i - 1]) == NULL)
			return false;
	return true;
}

/*
 * Markdown: every inline marker is backslash-escaped wherever it stands;
 * characters that only start a block (list, rule, heading underline) are
 * escaped where a block can start.  Digits then "." or ")" would start a
 * numbered list, so that dot is escaped there.
 */
static void
escape_markdown(struct buf *out, const char *s, size_t len)
{
	size_t i, j;
	bool bol;

	bol = at_block_start(out);
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (bol && (c == ' ' || c == '\t')) {
			buf_add_char(out, c);
			continue;
		}
		if (bol && (c == '-' || c == '+' || c == '=')) {
			buf_add_char(out, '\\');
			buf_add_char(out, c);
			bol = false;
			continue;
		}
		if (bol && c >= '0' && c <= '9') {
			for (j = i; j < len && s[j] >= '0' && s[j] <= '9'; j++)
				;
			buf_add(out, s + i, j - i);
			if (j < len && (s[j] == '.' || s[j] == ')')) {
				buf_add_char(out, '\\');
				buf_add_char(out, s[j]);
				j++;
			}
			i = j - 1;
			bol = false;
			continue;
		}
		bol = false;
		switch (c) {
		case '\\': case '`': case '*': case '_': case '[': case ']':
		case '<': case '>': case '#': case '|': case '&': case '~':
		case '!':
			buf_add_char(out, '\\');
			buf_add_char(out, c);
			break;
		case '\n':
			buf_add_char(out, c);
			bol = true;
			break;
		case '\r':
			break;
		default:
			buf_add_char(out, c);
			break;
		}
	}
}

static int
render_value(struct render *r, const struct tnode *n)
{
	json_t *v;
	char num[64];
	const char *s;
	size_t len;

	if ((v = render_lookup(r, n, false)) == NULL)
		return -1;
	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		len = json_string_length(v);
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		s = num;
		len = strlen(num);
		break;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.15g", json_real_value(v));
		s = num;
		len = strlen(num);
		break;
	case JSON_NULL:
		return set_cause(r->cause, "%s:%d: \"%s\" has no value (null); "
		    "test it with {{#%s}} or {{^%s}}", r->t->name, n->line,
		    n->text, n->text, n->text);
	default:
		return set_cause(r->cause, "%s:%d: \"%s\" is %s and cannot be "
		    "printed; use it as a section", r->t->name, n->line,
		    n->text, json_kind(v));
	}
	/* Escaping at most multiplies the size by six ("&quot;"). */
	if (render_room(r, len > SIZE_MAX / 6 ? SIZE_MAX : len * 6) == -1)
		return -1;
	if (n->type == TNODE_RAW)
		buf_add(r->out, s, len);
	else if (r->esc == TEMPLATE_ESCAPE_MARKDOWN)
		escape_markdown(r->out, s, len);
	else
		buf_add(r->out, s, len);
	return 0;
}

static int render_list(struct render *, const struct tnode *);

static int
render_body_with(struct render *r, const struct tnode *n, json_t *ctx)
{
	int rc;

	if (r->depth == TEMPLATE_MAX_DEPTH + 1)
		return set_cause(r->cause, "%s:%d: sections nested too deeply",
		    r->t->name, n->line);
	r->stack[r->depth++] = ctx;
	rc = render_list(r, n->child);
	r->depth--;
	return rc;
}

static int
render_section(struct render *r, const struct tnode *n)
{
	json_t *v, *el;
	size_t i;

	if ((v = render_lookup(r, n, true)) == NULL)
		return -1;
	if (n->type == TNODE_INVERTED)
		return json_truthy(v) ? 0 : render_list(r, n->child);
	if (!json_truthy(v))
		return 0;
	if (!json_is_array(v))
		return render_body_with(r, n, v);
	json_array_foreach(v, i, el) {
		if (render_body_with(r, n, el) == -1)
			return -1;
	}
	return 0;
}

static int
render_list(struct render *r, const struct tnode *n)
{
	for (; n != NULL; n = n->next) {
		if (++r->steps > TEMPLATE_MAX_STEPS)
			return set_cause(r->cause, "%s:%d: rendering takes more "
			    "than %d steps", r->t->name, n->line,
			    TEMPLATE_MAX_STEPS);
		switch (n->type) {
		case TNODE_TEXT:
			if (render_room(r, n->len) == -1)
				return -1;
			buf_add(r->out, n->text, n->len);
			break;
		case TNODE_VALUE:
		case TNODE_RAW:
			if (render_value(r, n) == -1)
				return -1;
			break;
		case TNODE_SECTION:
		case TNODE_INVERTED:
			if (render_section(r, n) == -1)
				return -1;
			break;
		}
	}
	return 0;
}

int
template_render(const struct template *t, json_t *data,
    enum template_escape esc, struct buf *out, char **cause)
{
	struct render r;

	memset(&r, 0, sizeof(r));
	r.t = t;
	r.esc = esc;
	r.out = out;
	r.start = out->len;
	r.cause = cause;
	r.stack[0] = data;
	r.depth = 1;
	if (render_list(&r, t->root) == -1) {
		out->len = r.start;
		if (out->data != NULL)
			out->data[out->len] = '\0';
		return -1;
	}
	return 0;
}
