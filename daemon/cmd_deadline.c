/*
 * cmd_deadline: "deadline list" and "deadline explain", the materialised
 * deadlines as the coordinator sees them, with who is responsible and how
 * each date was derived.
 */
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "deadline.h"
#include "dispatch.h"
#include "domain.h"
#include "entity.h"
#include "xmalloc.h"

static int
date_arg(struct request *req, struct reply *rep, const char *opt, char out[static 11])
{
	const char *text = args_get(req->args, opt);
	char *cause = NULL;
	int days;

	if (text == NULL) {
		out[0] = '\0';
		return 0;
	}
	if (civil_parse_date(text, &days, &cause) == -1)
		return reply_cause(rep, 2, cause);
	civil_format_date(days, out);
	return 0;
}

static int
deadline_list(struct request *req, struct reply *rep)
{
	const char *actor = args_get(req->args, "actor"), *committee = args_get(req->args, "committee");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 aid = 0, cid = 0;
	char from[11], to[11], *cause = NULL;
	sqlite3_stmt *st;
	json_t *list, *obj, *sub;
	int rc, late;

	if (date_arg(req, rep, "from", from) == -1 || date_arg(req, rep, "to", to) == -1)
		return -1;
	if ((actor != NULL && entity_actor_id(ikd, actor, &aid, &cause) == -1) ||
	    (committee != NULL && entity_committee_id(ikd, committee, &cid, &cause) == -1))
		return reply_cause(rep, 1, cause);
	st = store_query(ikd->store, &cause, "SELECT d.id, d.due_date AS date, CASE WHEN "
	    "d.due_minute IS NULL THEN NULL ELSE printf('%02d:%02d', d.due_minute / 60, "
	    "d.due_minute % 60) END AS time, d.kind, c.slug AS committee, d.session_id AS session, "
	    "d.submission_id AS submission, coalesce(a.slug, '') AS owner, d.rule, "
	    "s.state AS session_state FROM deadline d JOIN session s ON s.id = d.session_id "
	    "JOIN committee c ON c.id = s.committee_id "
	    "LEFT JOIN submission b ON b.id = d.submission_id LEFT JOIN actor a ON a.id = b.owner_id "
	    "WHERE (?1 = '' OR d.due_date >= ?1) AND (?2 = '' OR d.due_date <= ?2) "
	    "AND (?3 = 0 OR s.committee_id = ?3) AND (?4 = 0 OR b.owner_id = ?4 OR "
	    "(d.submission_id IS NULL AND EXISTS (SELECT 1 FROM membership m WHERE "
	    "m.actor_id = ?4 AND m.committee_id = s.committee_id))) "
	    "ORDER BY d.due_date, d.due_minute, d.id", "ttii", from, to, cid, aid);
	if (st == NULL)
		return reply_cause(rep, 1, cause);
	list = json_array();
	while ((rc = store_next(ikd->store, st, &cause)) == 1) {
		obj = store_row_json(st);
		json_array_append_new(list, obj);
		json_object_set_new(obj, "kind_de", json_string(vocab_label(deadline_kinds,
		    json_string_value(json_object_get(obj, "kind")))));
		sub = json_object_get(obj, "submission");
		late = json_is_integer(sub) ? deadline_submission_late(ikd,
		    json_integer_value(sub), NULL, &cause) : 0;
		if (late == -1) {
			rc = -1;
			break;
		}
		json_object_set_new(obj, "late", json_boolean(late == 1));
	}
	store_done(ikd->store, st);
	if (rc == -1) {
		json_decref(list);
		return reply_cause(rep, 1, cause);
	}
	rep->data = list;
	reply_columns(rep, "id date time kind committee session submission owner late");
	return 0;
}

static int
deadline_explain(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id;
	char *cause = NULL;
	json_error_t jerr;
	json_t *obj;

	if (entity_parse_id("deadline", args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	switch (store_get_row(ikd->store, &cause, &obj, "SELECT d.id, d.session_id AS session, "
	    "d.submission_id AS submission, d.kind, d.due_date AS date, d.rule, t.explanation, "
	    "t.derivation, d.sequence FROM deadline d JOIN deadline_text t ON t.id = d.text_id "
	    "WHERE d.id = ?", "i", id)) {
	case -1:
		return reply_cause(rep, 1, cause);
	case 0:
		return reply_fail(rep, 1, "no deadline %lld (see: ikond-ctl deadline list)",
		    (long long)id);
	}
	json_object_set_new(obj, "kind_de", json_string(vocab_label(deadline_kinds,
	    json_string_value(json_object_get(obj, "kind")))));
	json_object_set_new(obj, "derivation", json_loads(json_string_value(
	    json_object_get(obj, "derivation")), 0, &jerr));
	rep->text = xstrdup(json_string_value(json_object_get(obj, "explanation")));
	rep->data = obj;
	return 0;
}

const struct handler deadline_handlers[] = {
	{ "deadline list", deadline_list },
	{ "deadline explain", deadline_explain },
	{ NULL, NULL },
};
