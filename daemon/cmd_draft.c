/*
 * cmd_draft: the "draft" commands.  "draft list" shows the templates on
 * the search path and where each comes from; "draft render" fills one with
 * the data of a process (draft.c) and hands the document back: Markdown
 * and HTML as text, ODT as base64.  ikond-ctl writes it to -o FILE, so the
 * daemon needs no access to the user's directories.
 */
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "dispatch.h"
#include "document.h"
#include "domain.h"
#include "draft.h"
#include "entity.h"
#include "event.h"
#include "process.h"
#include "xmalloc.h"

/* What a reply may carry, well inside the protocol's payload limit. */
#define DRAFT_REPLY_MAX	(6 * 1024 * 1024)

static int
draft_list_cmd(struct request *req, struct reply *rep)
{
	rep->data = draft_list(req->cfg->template_dir);
	reply_columns(rep, "name origin title");
	return 0;
}

static int
draft_render_cmd(struct request *req, struct reply *rep)
{
	const char *name = args_pos(req->args, 0), *process = args_get(req->args, "process");
	const char *submission = args_get(req->args, "submission");
	const char *event = args_get(req->args, "event"), *to = args_get(req->args, "to");
	const char *format = args_get(req->args, "format"), *origin = NULL;
	struct ikond *ikd = req->ikd;
	enum document_format fmt = DOCUMENT_MD;
	struct draft_subject subject;
	sqlite3_int64 pid, sid = 0;
	char *cause = NULL, *path;
	struct buf out;
	json_t *data;

	if (format != NULL && document_format_parse(format, &fmt, &cause) == -1)
		return reply_cause(rep, 2, cause);
	if ((path = draft_find(req->cfg->template_dir, name, &origin, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	free(path);
	memset(&subject, 0, sizeof(subject));
	if (process_id(ikd, process, &pid, &cause) == -1 ||
	    (submission != NULL && entity_submission_id(ikd, submission, &sid, &cause) == -1) ||
	    (event != NULL && event_id(ikd, event, &subject.event_id, &cause) == -1) ||
	    (to != NULL && entity_actor_id(ikd, to, &subject.to_actor_id, &cause) == -1))
		return reply_cause(rep, 1, cause);
	/* A Vorlage template without --submission drafts the process's
	 * Vorlage of that kind that is due first. */
	if (submission == NULL && vocab_has(submission_kinds, name) &&
	    draft_default_submission(ikd, pid, name, &sid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	subject.submission_id = sid;
	if ((data = draft_data(ikd, pid, &subject, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	buf_init(&out);
	if (draft_render(req->cfg->template_dir, name, data, fmt, &out, &cause) == -1) {
		json_decref(data);
		buf_free(&out);
		return reply_cause(rep, 1, cause);
	}
	json_decref(data);
	if (out.len > DRAFT_REPLY_MAX) {
		buf_free(&out);
		return reply_fail(rep, 1, "the draft is larger than %d bytes", DRAFT_REPLY_MAX);
	}
	rep->data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "name", name, "origin", origin,
	    "format", document_format_name(fmt), "mime", document_format_mime(fmt), "process",
	    process, "bytes", (json_int_t)out.len);
	json_object_set_new(rep->data, "submission", sid ? json_integer((json_int_t)sid) :
	    json_null());
	if (fmt == DOCUMENT_ODT) {
		char *b64 = base64_encode((const unsigned char *)(out.data ? out.data : ""),
		    out.len);

		rep->file = json_string(b64);
		free(b64);
		buf_free(&out);
	} else {
		buf_add_char(&out, '\0');
		rep->text = buf_steal(&out, NULL);
	}
	return 0;
}

const struct handler draft_handlers[] = {
	{ "draft list", draft_list_cmd },
	{ "draft render", draft_render_cmd },
	{ NULL, NULL },
};
