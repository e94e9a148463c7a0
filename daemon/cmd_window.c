/*
 * cmd_window: the "window" commands.  A feedback window is the period in
 * which actors comment on the draft concept (step 9).  Its close is a
 * deadline: given as a date, or derived from the opening day by a rule,
 * and then it keeps the rule's explanation.  The audience is a list of
 * actors and committees; the members of a committee are invited too.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "dispatch.h"
#include "domain.h"
#include "entity.h"
#include "german.h"
#include "process.h"
#include "rule.h"
#include "xmalloc.h"

#define TITLE_MAX_BYTES	300
#define AUDIENCE_MAX	50

struct window_dates {
	char	 opens[11];
	char	 closes[11];
	char	*rule;		/* canonical text, or NULL */
	char	*explanation;
	char	*derivation;
};

static void
dates_clear(struct window_dates *wd)
{
	free(wd->rule);
	free(wd->explanation);
	free(wd->derivation);
}

/* Opening and closing day from --opens and --closes or --rule; the old
 * values of an edited window fill what is not given. */
static int
window_dates(struct request *req, struct reply *rep, const char *old_opens,
    const char *old_closes, const char *old_rule, struct window_dates *wd)
{
	const char *opens = args_get(req->args, "opens"), *closes = args_get(req->args, "closes");
	const char *rule = args_get(req->args, "rule");
	char said[11];
	struct rule_result res;
	struct civil_moment anchor;
	struct rule r;
	char *cause = NULL, text[RULE_TEXT_MAX];
	int od, cd;

	memset(wd, 0, sizeof(*wd));
	if (opens == NULL)
		opens = old_opens;
	if (closes != NULL && rule != NULL)
		return reply_fail(rep, 2, "give --closes or --rule, not both");
	if (closes == NULL && rule == NULL) {
		closes = old_closes;
		rule = old_rule;
	}
	if (opens == NULL || (closes == NULL && rule == NULL))
		return reply_fail(rep, 2, "a window needs --opens and --closes or --rule");
	if (civil_parse_date(opens, &od, &cause) == -1)
		return reply_cause(rep, 1, cause);
	civil_format_date(od, wd->opens);
	if (rule != NULL) {
		if (rule_parse(rule, &r, &cause) == -1)
			return reply_cause(rep, 1, cause);
		if (r.sign < 0)
			return reply_fail(rep, 1, "--rule counts forward from the opening day, e.g. "
			    "\"+4w earlier\"");
		anchor.days = od;
		anchor.minute = CIVIL_NO_TIME;
		memset(&res, 0, sizeof(res));
		if (rule_apply(&r, req->cfg->workcal, anchor, &res, &cause) == -1)
			return reply_cause(rep, 1, cause);
		cd = res.due.days;
		rule_format(&r, text);
		wd->rule = xstrdup(text);
		wd->explanation = xstrdup(res.explanation);
		wd->derivation = json_dumps(res.derivation, JSON_COMPACT | JSON_SORT_KEYS);
		rule_result_clear(&res);
	} else {
		if (civil_parse_date(closes, &cd, &cause) == -1)
			return reply_cause(rep, 1, cause);
		wd->explanation = xstrdup("Schlusstag fest eingetragen.");
	}
	civil_format_date(cd, wd->closes);
	if (cd < od) {
		dates_clear(wd);
		return reply_fail(rep, 1, "the window would close (%s) before it opens (%s)",
		    wd->closes, wd->opens);
	}
	if (!workcal_is_working_day(req->cfg->workcal, cd)) {
		german_date_for_reader(cd, said, sizeof(said));
		reply_warn(rep, "the window closes on %s, which is not a working day (%s)", said,
		    workcal_reason(req->cfg->workcal, cd));
	}
	return 0;
}

/* Replaces the audience with the --audience values. */
static int
set_audience(struct request *req, struct reply *rep, sqlite3_int64 wid)
{
	struct ikond *ikd = req->ikd;
	size_t i, n = args_count(req->args, "audience");
	sqlite3_int64 id;
	const char *word;
	char *cause = NULL;
	int rc;

	if (n > AUDIENCE_MAX)
		return reply_fail(rep, 1, "at most %d --audience values", AUDIENCE_MAX);
	if (store_exec(ikd->store, &cause, "DELETE FROM window_audience WHERE window_id = ?",
	    "i", wid) == -1)
		return reply_cause(rep, 1, cause);
	for (i = 0; i < n; i++) {
		word = args_nth(req->args, "audience", i);
		if ((rc = entity_find_actor(ikd, word, &id, &cause)) == 1)
			rc = store_exec(ikd->store, &cause, "INSERT INTO window_audience (window_id, "
			    "actor_id) VALUES (?, ?)", "ii", wid, id);
		else if (rc == 0 && (rc = entity_find_committee(ikd, word, &id, &cause)) == 1)
			rc = store_exec(ikd->store, &cause, "INSERT INTO window_audience (window_id, "
			    "committee_id) VALUES (?, ?)", "ii", wid, id);
		else if (rc == 0)
			return reply_fail(rep, 1, "--audience \"%.48s\" is neither an actor nor a "
			    "committee (see: ikond-ctl actor list, committee list)", word);
		if (rc == -1)
			return reply_cause(rep, 1, cause);
	}
	return 0;
}

static json_t *
window_json(struct ikond *ikd, sqlite3_int64 wid, char **cause)
{
	json_t *obj, *aud;

	if ((obj = entity_row(ikd, "window", "SELECT w.id, p.slug AS process, w.title, "
	    "w.opens_date AS opens, w.closes_date AS closes, w.close_rule AS rule, "
	    "w.explanation, w.uid, w.sequence FROM feedback_window w JOIN process p ON "
	    "p.id = w.process_id WHERE w.id = ?", wid, cause)) == NULL)
		return NULL;
	if ((aud = store_get_column(ikd->store, cause, "SELECT coalesce(a.slug, c.slug) FROM "
	    "window_audience w LEFT JOIN actor a ON a.id = w.actor_id LEFT JOIN committee c ON "
	    "c.id = w.committee_id WHERE w.window_id = ? ORDER BY 1", "i", wid)) == NULL) {
		json_decref(obj);
		return NULL;
	}
	json_object_set_new(obj, "audience", aud);
	return obj;
}

static int
window_id(struct ikond *ikd, const char *text, sqlite3_int64 *id, char **cause)
{
	if (entity_parse_id("window", text, id, cause) == -1)
		return -1;
	switch (store_exists(ikd->store, cause, "SELECT 1 FROM feedback_window WHERE id = ?",
	    "i", *id)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "no window %s (see: ikond-ctl window list)", text);
	}
	return 0;
}

static int
window_add(struct request *req, struct reply *rep)
{
	const char *process = args_get(req->args, "process"), *title = args_get(req->args, "title");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 pid, wid, now = (sqlite3_int64)time(NULL);
	struct window_dates wd;
	char *cause = NULL, *uid;
	int rc;

	if (process_id(ikd, process, &pid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (!domain_text_valid(title, TITLE_MAX_BYTES, false))
		return reply_fail(rep, 1, "--title must be 1 to %d bytes of text", TITLE_MAX_BYTES);
	if (window_dates(req, rep, NULL, NULL, NULL, &wd) == -1)
		return -1;
	uid = entity_new_uid("window");
	rc = store_exec(ikd->store, &cause, "INSERT INTO feedback_window (process_id, title, "
	    "opens_date, closes_date, close_rule, explanation, derivation, uid, created_at, "
	    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "itttttttii", pid, title,
	    wd.opens, wd.closes, wd.rule, wd.explanation, wd.derivation, uid, now, now);
	free(uid);
	dates_clear(&wd);
	if (rc == -1)
		return reply_cause(rep, 1, cause);
	wid = store_last_id(ikd->store);
	if (set_audience(req, rep, wid) == -1)
		return -1;
	if (store_audit(ikd->store, &cause, req->peer.uid, "add", "window", wid, title) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = window_json(ikd, wid, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
window_list(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 pid, aid;
	char *cause = NULL;

	if (process_actor_filter(ikd, args_get(req->args, "process"),
	    args_get(req->args, "actor"), &pid, &aid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = entity_list(ikd, window_json, &cause, "SELECT w.id FROM "
	    "feedback_window w WHERE (?1 = 0 OR w.process_id = ?1) AND (?2 = 0 OR EXISTS "
	    "(SELECT 1 FROM window_audience u WHERE u.window_id = w.id AND (u.actor_id = ?2 OR "
	    "u.committee_id IN (SELECT committee_id FROM membership WHERE actor_id = ?2)))) "
	    "ORDER BY w.opens_date, w.id", "ii", pid, aid)) == NULL)
		return reply_cause(rep, 1, cause);
	reply_columns(rep, "id process opens closes title audience");
	return 0;
}

static int
window_show(struct request *req, struct reply *rep)
{
	sqlite3_int64 wid;
	char *cause = NULL;

	if (window_id(req->ikd, args_pos(req->args, 0), &wid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = window_json(req->ikd, wid, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
window_edit(struct request *req, struct reply *rep)
{
	const char *title = args_get(req->args, "title");
	struct ikond *ikd = req->ikd;
	struct window_dates wd;
	sqlite3_int64 wid;
	json_t *old;
	char *cause = NULL;
	int rc;

	if (window_id(ikd, args_pos(req->args, 0), &wid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (req->args->nopt == 0)
		return reply_fail(rep, 2, "window edit needs at least one of --title, --opens, "
		    "--closes, --rule, --audience");
	if (title != NULL && !domain_text_valid(title, TITLE_MAX_BYTES, false))
		return reply_fail(rep, 1, "--title must be 1 to %d bytes of text", TITLE_MAX_BYTES);
	if ((old = window_json(ikd, wid, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	rc = window_dates(req, rep, json_string_value(json_object_get(old, "opens")),
	    json_string_value(json_object_get(old, "closes")),
	    json_string_value(json_object_get(old, "rule")), &wd);
	json_decref(old);
	if (rc == -1)
		return -1;
	rc = store_exec(ikd->store, &cause, "UPDATE feedback_window SET title = coalesce(?, title), "
	    "opens_date = ?, closes_date = ?, close_rule = ?, explanation = ?, derivation = ?, "
	    "sequence = sequence + 1, updated_at = ? WHERE id = ?", "ttttttii", title, wd.opens,
	    wd.closes, wd.rule, wd.explanation, wd.derivation, (sqlite3_int64)time(NULL), wid);
	dates_clear(&wd);
	if (rc == -1)
		return reply_cause(rep, 1, cause);
	if (args_count(req->args, "audience") > 0 && set_audience(req, rep, wid) == -1)
		return -1;
	if (store_audit(ikd->store, &cause, req->peer.uid, "edit", "window", wid, NULL) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = window_json(ikd, wid, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
window_remove(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 wid;
	char *cause = NULL;

	if (window_id(ikd, args_pos(req->args, 0), &wid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (store_exec(ikd->store, &cause, "DELETE FROM feedback_window WHERE id = ?", "i",
	    wid) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "remove", "window", wid, NULL) == -1)
		return reply_cause(rep, 1, cause);
	rep->data = json_pack("{s:I}", "removed", (json_int_t)wid);
	return 0;
}

const struct handler window_handlers[] = {
	{ "window add", window_add },
	{ "window list", window_list },
	{ "window show", window_show },
	{ "window edit", window_edit },
	{ "window remove", window_remove },
	{ NULL, NULL },
};
