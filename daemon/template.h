/*
 * template: a small Mustache-like template language for draft documents and
 * mail bodies.  A template is parsed once into a tree and rendered many
 * times against a jansson tree.  Unlike Mustache, a name that is not in the
 * data is an error, and so is a null value outside a section test: a draft
 * with a silent hole in it is worse than no draft.
 *
 *   {{a.b}}            value, escaped for the output format
 *   {{{a}}} {{&a}}     value as is (trusted, already formatted text only)
 *   {{#a}}..{{/a}}     once per element of a list, once for another true value
 *   {{^a}}..{{/a}}     when a is false, null, "" or []
 *   {{.}}              the current element
 *   {{! comment }}
 *
 * Inside a section names resolve against the element first, then outward.
 * A section, inverted or comment tag alone on its line takes the line with it.
 */
#ifndef IKOND_TEMPLATE_H
#define IKOND_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

#define TEMPLATE_MAX_SOURCE	(1024 * 1024)		/* bytes of template text */
#define TEMPLATE_MAX_DEPTH	32			/* nested sections */
#define TEMPLATE_MAX_NAME	128			/* bytes of a tag's name */
#define TEMPLATE_MAX_OUTPUT	(8 * 1024 * 1024)	/* bytes one render may add */
#define TEMPLATE_MAX_STEPS	2000000			/* nodes one render may visit */

enum template_escape {
	TEMPLATE_ESCAPE_NONE,		/* plain text: values as they are */
	TEMPLATE_ESCAPE_MARKDOWN,	/* values stay literal text in Markdown */
};

struct template;

/*
 * Parses len bytes of text.  name is used in messages ("name:line: ...").
 * Returns NULL and sets *cause on a syntax error.
 */
struct template *template_parse(const char *name, const char *text, size_t len,
    char **cause);
void template_free(struct template *t);
const char *template_name(const struct template *t);

/*
 * Appends the rendering of t against data to out.  On error out is left as
 * it was, *cause says "name:line: what" and -1 is returned.
 */
int template_render(const struct template *t, json_t *data,
    enum template_escape esc, struct buf *out, char **cause);

#endif
