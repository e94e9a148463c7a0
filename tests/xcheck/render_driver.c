/*
 * render_driver: renders one draft template against a JSON data file into
 * md, html or odt, the way the daemon does (letterhead and footer from the
 * data), so scripts can check the result with independent tools
 * (LibreOffice, pdftotext).
 *
 *   render_driver TEMPLATE.md DATA.json md|html|odt OUTPUT
 */
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "draft.h"
#include "xmalloc.h"

static int
read_file(const char *path, struct buf *b)
{
	FILE *f;
	char chunk[8192];
	size_t n;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, n);
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

int
main(int argc, char **argv)
{
	struct buf src, doc;
	enum document_format fmt;
	json_t *data;
	json_error_t jerr;
	char *cause = NULL, *base, *name, *dot;
	FILE *f;

	if (argc != 5) {
		fprintf(stderr, "usage: render_driver template data.json "
		    "md|html|odt output\n");
		return 2;
	}
	if (document_format_parse(argv[3], &fmt, &cause) == -1) {
		fprintf(stderr, "%s\n", cause);
		return 2;
	}
	buf_init(&src);
	buf_init(&doc);
	if (read_file(argv[1], &src) == -1)
		return 1;
	if ((data = json_load_file(argv[2], 0, &jerr)) == NULL) {
		fprintf(stderr, "%s:%d: %s\n", argv[2], jerr.line, jerr.text);
		return 1;
	}
	base = xstrdup(argv[1]);
	name = xstrdup(basename(base));
	if ((dot = strrchr(name, '.')) != NULL)
		*dot = '\0';
	if (draft_render_text(name, src.data ? src.data : "", src.len, data, fmt, &doc,
	    &cause) == -1) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	if ((f = fopen(argv[4], "wb")) == NULL ||
	    fwrite(doc.data, 1, doc.len, f) != doc.len || fclose(f) != 0) {
		fprintf(stderr, "%s: %s\n", argv[4], strerror(errno));
		return 1;
	}
	json_decref(data);
	buf_free(&src);
	buf_free(&doc);
	free(base);
	free(name);
	return 0;
}
