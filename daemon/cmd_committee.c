/*
 * cmd_committee: the "committee" commands.  A committee (Gremium) is the
 * Rat or Kreistag, a Fachausschuss, the Integrationsbeirat, a working
 * group; sessions, memberships and deadline rules hang off it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dispatch.h"
#include "domain.h"
#include "entity.h"
#include "submission.h"
#include "xmalloc.h"

#define NAME_MAX_BYTES	200

static int
check_name(struct reply *rep, const char *name)
{
	if (!domain_text_valid(name, NAME_MAX_BYTES, false))
		return reply_fail(rep, 1, "--name must be 1 to %d bytes of text without "
		    "control characters", NAME_MAX_BYTES);
	return 0;
}

static int
check_kind(struct reply *rep, const char *kind)
{
	if (!vocab_has(committee_kinds, kind))
		return reply_fail(rep, 1, "unknown committee kind \"%.40s\"; valid: %s", kind,
		    vocab_words(committee_kinds));
	return 0;
}

static int
committee_add(struct request *req, struct reply *rep)
{
	const char *slug = args_pos(req->args, 0);
	const char *name = args_get(req->args, "name"), *kind = args_get(req->args, "kind");
	struct ikond *ikd = req->ikd;
	time_t now = time(NULL);
	sqlite3_int64 id;
	char *cause = NULL;

	if (!domain_slug_valid(slug))
		return reply_fail(rep, 1, "bad committee slug \"%.60s\": use 1 to 48 of a-z, 0-9 "
		    "and -", slug);
	if (check_name(rep, name) == -1 || check_kind(rep, kind) == -1)
		return -1;
	switch (entity_find_committee(ikd, slug, &id, &cause)) {
	case -1:
		return reply_cause(rep, 1, cause);
	case 1:
		return reply_fail(rep, 1, "committee \"%s\" already exists", slug);
	}
	if (store_exec(ikd->store, &cause, "INSERT INTO committee (slug, name, kind, internal, "
	    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", "tttiii", slug, name, kind,
	    (sqlite3_int64)args_has(req->args, "internal"), (sqlite3_int64)now,
	    (sqlite3_int64)now) == -1)
		return reply_cause(rep, 1, cause);
	id = store_last_id(ikd->store);
	if (store_audit(ikd->store, &cause, req->peer.uid, "add", "committee", id, slug) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = entity_committee(ikd, id, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
committee_list(struct request *req, struct reply *rep)
{
	char *cause = NULL;

	if ((rep->data = entity_list(req->ikd, entity_committee, &cause, "SELECT id FROM "
	    "committee ORDER BY slug", "")) == NULL)
		return reply_cause(rep, 1, cause);
	reply_columns(rep, "id slug name kind internal");
	return 0;
}

static int
committee_show(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id;
	char *cause = NULL;
	json_t *obj;

	if (entity_committee_id(ikd, args_pos(req->args, 0), &id, &cause) == -1 ||
	    (obj = entity_committee(ikd, id, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	if (entity_attach(obj, "members", store_get_rows(ikd->store, &cause, "SELECT a.slug, "
	    "a.name, m.role FROM membership m JOIN actor a ON a.id = m.actor_id "
	    "WHERE m.committee_id = ? ORDER BY a.slug", "i", id)) == -1 ||
	    entity_attach(obj, "upcoming_sessions", entity_list(ikd, entity_session, &cause,
	    "SELECT id FROM session WHERE committee_id = ? AND end_utc >= ? ORDER BY start_utc "
	    "LIMIT 10", "ii", id, (sqlite3_int64)time(NULL))) == -1) {
		json_decref(obj);
		return reply_cause(rep, 1, cause);
	}
	rep->data = obj;
	return 0;
}

static int
committee_edit(struct request *req, struct reply *rep)
{
	const char *slug = args_pos(req->args, 0);
	const char *name = args_get(req->args, "name"), *kind = args_get(req->args, "kind");
	bool internal = args_has(req->args, "internal"), public = args_has(req->args, "public");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id;
	char *cause = NULL;

	if (entity_committee_id(ikd, slug, &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (name == NULL && kind == NULL && !internal && !public)
		return reply_fail(rep, 2, "committee edit needs --name, --kind, --internal "
		    "or --public");
	if (internal && public)
		return reply_fail(rep, 2, "--internal and --public contradict each other");
	if ((name != NULL && check_name(rep, name) == -1) ||
	    (kind != NULL && check_kind(rep, kind) == -1))
		return -1;
	if (store_exec(ikd->store, &cause, "UPDATE committee SET name = coalesce(?, name), "
	    "kind = coalesce(?, kind), internal = CASE WHEN ? THEN 1 WHEN ? THEN 0 "
	    "ELSE internal END, updated_at = ? WHERE id = ?", "ttiiii", name, kind,
	    (sqlite3_int64)internal, (sqlite3_int64)public, (sqlite3_int64)time(NULL), id) == -1)
		return reply_cause(rep, 1, cause);
	/* Session feeds show the committee's name: their events change too. */
	if (store_exec(ikd->store, &cause, "UPDATE session SET sequence = sequence + 1, "
	    "updated_at = ? WHERE committee_id = ?", "ii", (sqlite3_int64)time(NULL), id) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "edit", "committee", id, slug) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = entity_committee(ikd, id, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
committee_remove(struct request *req, struct reply *rep)
{
	const char *slug = args_pos(req->args, 0);
	struct ikond *ikd = req->ikd;
	sqlite3_int64 *sessions, submissions, id;
	size_t i, n;
	char *cause = NULL;
	int removed = 0, one, rc = 0;

	if (entity_committee_id(ikd, slug, &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (store_get_int(ikd->store, &cause, &submissions, "SELECT count(DISTINCT "
	    "b.submission_id) FROM beratung b JOIN session s ON s.id = b.session_id "
	    "WHERE s.committee_id = ?", "i", id) == -1 ||
	    store_get_ints(ikd->store, &cause, &sessions, &n, "SELECT id FROM session "
	    "WHERE committee_id = ?", "i", id) == -1)
		return reply_cause(rep, 1, cause);
	if (n > 0 && !args_has(req->args, "force")) {
		free(sessions);
		return reply_fail(rep, 1, "committee \"%s\" has %zu session(s) and %lld "
		    "submission(s); nothing removed (use --force to remove them too)", slug,
		    n, (long long)submissions);
	}
	for (i = 0; i < n && rc == 0; i++) {
		rc = submission_leave_session(ikd, sessions[i], &one, &cause);
		removed += one;
	}
	free(sessions);
	if (rc == -1 ||
	    store_exec(ikd->store, &cause, "DELETE FROM committee WHERE id = ?", "i", id) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "remove", "committee", id, slug) == -1)
		return reply_cause(rep, 1, cause);
	xasprintf(&rep->text, "removed committee %s with %zu session(s) and %d "
	    "submission(s)", slug, n, removed);
	rep->data = json_pack("{s:s, s:I, s:i}", "removed", slug, "sessions", (json_int_t)n,
	    "submissions", removed);
	return 0;
}

const struct handler committee_handlers[] = {
	{ "committee add", committee_add },
	{ "committee list", committee_list },
	{ "committee show", committee_show },
	{ "committee edit", committee_edit },
	{ "committee remove", committee_remove },
	{ NULL, NULL },
};
