/*
 * render: human-readable output of replies (see render.h).
 */
#include "render.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

#define CELL_MAX_CHARS	48

/* Display width of UTF-8 text: one column per code point. */
static size_t
text_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static bool
looks_like_iso_time(const char *s)
{
	return strlen(s) == 25 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
	    s[16] == ':' && (s[19] == '+' || s[19] == '-');
}

/* A value as one line of text (allocated). */
static char *
cell_text(json_t *v)
{
	struct buf b;
	json_t *e;
	size_t i;
	char *s;

	switch (json_typeof(v)) {
	case JSON_STRING:
		s = xstrdup(json_string_value(v));
		if (looks_like_iso_time(s)) {
			s[10] = ' ';
			s[16] = '\0';
		}
		for (i = 0; s[i] != '\0'; i++)
			if (s[i] == '\n' || s[i] == '\t')
				s[i] = ' ';
		return s;
	case JSON_INTEGER:
		xasprintf(&s, "%lld", (long long)json_integer_value(v));
		return s;
	case JSON_REAL:
		xasprintf(&s, "%.2f", json_real_value(v));
		return s;
	case JSON_TRUE:
		return xstrdup("yes");
	case JSON_FALSE:
		return xstrdup("no");
	case JSON_NULL:
		return xstrdup("-");
	case JSON_ARRAY:
		buf_init(&b);
		json_array_foreach(v, i, e) {
			s = json_is_object(e) ? json_dumps(e, JSON_COMPACT) : cell_text(e);
			buf_printf(&b, "%s%s", i ? ", " : "", s);
			free(s);
		}
		return b.len ? buf_steal(&b, NULL) : (buf_free(&b), xstrdup("-"));
	case JSON_OBJECT:
		return json_dumps(v, JSON_COMPACT);
	}
	return xstrdup("?");
}

static char *
clip(char *s)
{
	size_t w = 0;
	char *p;

	for (p = s; *p != '\0'; p++) {
		if (((unsigned char)*p & 0xc0) == 0x80)
			continue;
		if (++w > CELL_MAX_CHARS - 1) {
			strcpy(p, "…");
			break;
		}
	}
	return s;
}

static void
print_padded(FILE *f, const char *s, size_t width, bool last)
{
	size_t w = text_width(s);

	fputs(s, f);
	if (!last)
		for (; w < width + 2; w++)
			fputc(' ', f);
}

static json_t *
columns_of(json_t *rows, json_t *columns)
{
	json_t *first = json_array_get(rows, 0), *cols;
	const char *key;
	json_t *v;

	if (columns != NULL)
		return json_incref(columns);
	cols = json_array();
	if (json_is_object(first))
		json_object_foreach(first, key, v)
			json_array_append_new(cols, json_string(key));
	return cols;
}

static void
render_table(FILE *f, json_t *rows, json_t *columns, const char *indent)
{
	json_t *cols = columns_of(rows, columns), *row;
	size_t ncol = json_array_size(cols), nrow = json_array_size(rows), r, c;
	size_t *width = xcalloc(ncol ? ncol : 1, sizeof(size_t));
	char ***cell = xcalloc(nrow ? nrow : 1, sizeof(char **));
	const char *name;

	if (nrow == 0) {
		fprintf(f, "%s(none)\n", indent);
		goto out;
	}
	for (c = 0; c < ncol; c++)
		width[c] = text_width(json_string_value(json_array_get(cols, c)));
	for (r = 0; r < nrow; r++) {
		row = json_array_get(rows, r);
		cell[r] = xcalloc(ncol ? ncol : 1, sizeof(char *));
		for (c = 0; c < ncol; c++) {
			name = json_string_value(json_array_get(cols, c));
			cell[r][c] = clip(json_is_object(row) ?
			    cell_text(json_object_get(row, name) ? json_object_get(row, name) :
			    json_null()) : cell_text(row));
			if (text_width(cell[r][c]) > width[c])
				width[c] = text_width(cell[r][c]);
		}
	}
	fputs(indent, f);
	for (c = 0; c < ncol; c++)
		print_padded(f, json_string_value(json_array_get(cols, c)), width[c], c + 1 == ncol);
	fputc('\n', f);
	for (r = 0; r < nrow; r++) {
		fputs(indent, f);
		for (c = 0; c < ncol; c++) {
			print_padded(f, cell[r][c], width[c], c + 1 == ncol);
			free(cell[r][c]);
		}
		fputc('\n', f);
		free(cell[r]);
	}
out:
	free(cell);
	free(width);
	json_decref(cols);
}

static bool
is_table(json_t *v)
{
	return json_is_array(v) && json_array_size(v) > 0 && json_is_object(json_array_get(v, 0));
}

/* A nested object as "key.sub  value" lines, aligned with the others. */
static void
render_nested(FILE *f, const char *prefix, json_t *obj, size_t width)
{
	const char *key;
	json_t *v;
	char *name, *s;

	json_object_foreach(obj, key, v) {
		xasprintf(&name, "%s.%s", prefix, key);
		if (json_is_object(v))
			render_nested(f, name, v, width);
		else {
			s = cell_text(v);
			fprintf(f, "%-*s  %s\n", (int)width, name, s);
			free(s);
		}
		free(name);
	}
}

static void
render_object(FILE *f, json_t *obj)
{
	const char *key;
	size_t width = 0;
	json_t *v;
	char *s;

	json_object_foreach(obj, key, v)
		if (!is_table(v) && text_width(key) > width)
			width = text_width(key);
	/* Nested keys are printed as "key.sub"; make room for the longest. */
	json_object_foreach(obj, key, v) {
		const char *sub;
		json_t *w;

		if (json_is_object(v))
			json_object_foreach(v, sub, w)
				if (text_width(key) + 1 + text_width(sub) > width)
					width = text_width(key) + 1 + text_width(sub);
	}
	json_object_foreach(obj, key, v) {
		if (is_table(v))
			continue;
		if (json_is_object(v)) {
			render_nested(f, key, v, width);
			continue;
		}
		s = json_is_string(v) && strchr(json_string_value(v), '\n') ?
		    xstrdup(json_string_value(v)) : cell_text(v);
		if (strchr(s, '\n') != NULL)
			fprintf(f, "%s:\n%s\n", key, s);
		else
			fprintf(f, "%-*s  %s\n", (int)width, key, s);
		free(s);
	}
	json_object_foreach(obj, key, v) {
		if (!is_table(v))
			continue;
		fprintf(f, "\n%s:\n", key);
		render_table(f, v, NULL, "  ");
	}
}

void
render_human(FILE *f, json_t *data, json_t *columns)
{
	if (data == NULL)
		return;
	if (json_is_array(data))
		render_table(f, data, columns, "");
	else if (json_is_object(data))
		render_object(f, data);
	else {
		char *s = cell_text(data);

		fprintf(f, "%s\n", s);
		free(s);
	}
}

void
render_json(FILE *f, json_t *data)
{
	json_dumpf(data ? data : json_null(), f, JSON_INDENT(2) | JSON_ENCODE_ANY);
	fputc('\n', f);
}
