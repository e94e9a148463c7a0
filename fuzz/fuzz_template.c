/*
 * libFuzzer harness for the template language and the document writers:
 * the input is parsed as a template, rendered against a small fixed data
 * tree, and the Markdown result is turned into HTML (and into ODT when the
 * input starts with '!').  Templates are edited by admins and rendered
 * values come from clients, so both must fail cleanly on anything.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "document.h"
#include "template.h"

static const struct document_info info_fuzz = {
	.title = "fuzz", .issuer = "Kreis <&> \"x\"", .department = "Amt",
	.address = "Weg 1", .date = "01.01.2027", .number = "V/1",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_data[] =
    "{\"today_de\":\"27.11.2026\",\"body\":{\"name\":\"Landkreis *Muster*\"},"
    "\"n\":3,\"r\":2.5,\"yes\":true,\"no\":false,\"none\":null,\"empty\":\"\","
    "\"process\":{\"name\":\"<b>IK</b>\",\"target_session\":null,"
    "\"steps\":[{\"n\":1,\"title\":\"# eins\",\"owners\":[{\"name\":\"A|B\"}]},"
    "{\"n\":2,\"title\":\"- zwei\\n1. drei\",\"owners\":[]}],"
    "\"chain\":[{\"date_de\":\"{{body.name}}\",\"committee\":{\"name\":\"K\","
    "\"public\":false}}]},\"l\":[1,2,3,4]}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *root;
	struct template *t;
	struct buf md, doc;
	char *cause = NULL;

	if (root == NULL && (root = json_loads(fixed_data, 0, NULL)) == NULL)
		abort();
	t = template_parse("fuzz", (const char *)data, size, &cause);
	if (t == NULL) {
		free(cause);
		return 0;
	}
	buf_init(&md);
	buf_init(&doc);
	if (template_render(t, root, TEMPLATE_ESCAPE_NONE, &md, &cause) == -1) {
		free(cause);
		cause = NULL;
	}
	buf_reset(&md);
	if (template_render(t, root, TEMPLATE_ESCAPE_MARKDOWN, &md,
	    &cause) == 0) {
		if (document_render(md.data ? md.data : "", md.len,
		    DOCUMENT_HTML, &info_fuzz, &doc, &cause) == -1)
			free(cause);
		cause = NULL;
		if (size > 0 && data[0] == '!' &&
		    document_render(md.data ? md.data : "", md.len,
		    DOCUMENT_ODT, &info_fuzz, &doc, &cause) == -1)
			free(cause);
	} else
		free(cause);
	template_free(t);
	buf_free(&md);
	buf_free(&doc);
	return 0;
}
