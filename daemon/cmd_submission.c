/*
 * cmd_submission: the "submission" commands.  A submission (Vorlage) goes
 * through one or more Beratungen (submission.h), each in a session of a
 * committee; each Beratung's Vorlagenfrist follows from that session's
 * date and the committee's rule for the submission's kind.  A submission
 * created or moved after a deadline is accepted but flagged, never
 * silently.
 */
#include <string.h>
#include <time.h>

#include "deadline.h"
#include "dispatch.h"
#include "domain.h"
#include "entity.h"
#include "german.h"
#include "submission.h"
#include "xmalloc.h"

#define TITLE_MAX_BYTES	500

static int
check_fields(struct request *req, struct reply *rep)
{
	const char *title = args_get(req->args, "title"), *kind = args_get(req->args, "kind");
	const char *ref = args_get(req->args, "ref"), *state = args_get(req->args, "state");

	if (title != NULL && !domain_text_valid(title, TITLE_MAX_BYTES, false))
		return reply_fail(rep, 1, "--title must be 1 to %d bytes of text without control "
		    "characters", TITLE_MAX_BYTES);
	if (kind != NULL && !vocab_has(submission_kinds, kind))
		return reply_fail(rep, 1, "unknown submission kind \"%.40s\"; valid: %s", kind,
		    vocab_words(submission_kinds));
	if (ref != NULL && ref[0] != '\0' && !domain_text_valid(ref, 80, false))
		return reply_fail(rep, 1, "--ref must be up to 80 bytes of text");
	if (state != NULL && !vocab_has(submission_states, state))
		return reply_fail(rep, 1, "unknown submission state \"%.40s\"; valid: %s", state,
		    vocab_words(submission_states));
	return 0;
}

/* The submission as JSON with its deadlines; NULL with *cause. */
static json_t *
with_deadlines(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	json_t *obj;

	if ((obj = entity_submission(ikd, id, cause)) == NULL)
		return NULL;
	if (entity_attach(obj, "deadlines", deadline_list_submission(ikd, id, cause)) == -1) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* Warns when the submission's deadline has already passed; 0 or -1. */
static int
warn_if_late(struct ikond *ikd, struct reply *rep, sqlite3_int64 id, char **cause)
{
	char said[11];
	json_t *late;

	switch (deadline_submission_late(ikd, id, &late, cause)) {
	case -1:
		return -1;
	case 1:
		german_iso_for_reader(json_string_value(json_object_get(late, "date")), said,
		    sizeof(said));
		reply_warn(rep, "the %s for this submission was %s; it is flagged as late",
		    json_string_value(json_object_get(late, "kind_de")), said);
		json_decref(late);
		break;
	}
	return 0;
}

static int
submission_add(struct request *req, struct reply *rep)
{
	const char *session = args_get(req->args, "session"), *owner = args_get(req->args, "owner");
	struct ikond *ikd = req->ikd;
	struct submission_spec spec;
	struct beratung_spec b;
	sqlite3_int64 id;
	char *cause = NULL;

	if (check_fields(req, rep) == -1)
		return -1;
	memset(&spec, 0, sizeof(spec));
	spec.ref = args_get(req->args, "ref");
	spec.title = args_get(req->args, "title");
	spec.kind = args_get(req->args, "kind");
	if ((b.role = args_get(req->args, "role")) == NULL)
		b.role = "entscheidung";
	if (entity_session_id(ikd, session, &b.session_id, &cause) == -1 ||
	    entity_actor_id(ikd, owner, &spec.owner_id, &cause) == -1 ||
	    submission_create(ikd, &spec, &b, 1, &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "add", "submission", id, spec.title)
	    == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = with_deadlines(ikd, id, &cause)) == NULL ||
	    warn_if_late(ikd, rep, id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
submission_list(struct request *req, struct reply *rep)
{
	const char *session = args_get(req->args, "session"), *owner = args_get(req->args, "owner");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 sid = 0, oid = 0, id;
	char *cause = NULL;
	json_t *list, *obj, *date;
	size_t i;
	int late;

	if ((session != NULL && entity_session_id(ikd, session, &sid, &cause) == -1) ||
	    (owner != NULL && entity_actor_id(ikd, owner, &oid, &cause) == -1))
		return reply_cause(rep, 1, cause);
	if ((list = entity_list(ikd, entity_submission, &cause, "SELECT b.id FROM submission b "
	    "WHERE (?1 = 0 OR EXISTS (SELECT 1 FROM beratung r WHERE r.submission_id = b.id AND "
	    "r.session_id = ?1)) AND (?2 = 0 OR b.owner_id = ?2) ORDER BY (SELECT "
	    "max(s.start_utc) FROM beratung r JOIN session s ON s.id = r.session_id WHERE "
	    "r.submission_id = b.id), b.id", "ii", sid, oid)) == NULL)
		return reply_cause(rep, 1, cause);
	json_array_foreach(list, i, obj) {
		id = json_integer_value(json_object_get(obj, "id"));
		if ((date = deadline_submission_date(ikd, id, &cause)) == NULL ||
		    (late = deadline_submission_late(ikd, id, NULL, &cause)) == -1) {
			json_decref(list);
			return reply_cause(rep, 1, cause);
		}
		json_object_set_new(obj, "deadline", date);
		json_object_set_new(obj, "late", json_boolean(late == 1));
	}
	rep->data = list;
	reply_columns(rep, "id ref kind title owner session deadline late state");
	return 0;
}

static int
submission_show(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id;
	char *cause = NULL;

	if (entity_submission_id(ikd, args_pos(req->args, 0), &id, &cause) == -1 ||
	    (rep->data = with_deadlines(ikd, id, &cause)) == NULL ||
	    warn_if_late(ikd, rep, id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	return 0;
}

/* The only Beratung's session, for "submission edit --session"; 0 or -1. */
static int
only_session(struct ikond *ikd, struct reply *rep, sqlite3_int64 id, sqlite3_int64 *session)
{
	sqlite3_int64 n;
	char *cause = NULL;

	if (store_get_int(ikd->store, &cause, &n, "SELECT count(*) FROM beratung WHERE "
	    "submission_id = ?", "i", id) == -1 ||
	    store_get_int(ikd->store, &cause, session, "SELECT coalesce(max(session_id), 0) "
	    "FROM beratung WHERE submission_id = ?", "i", id) == -1)
		return reply_cause(rep, 1, cause);
	if (n != 1)
		return reply_fail(rep, 1, "submission %lld goes through %lld Beratungen; change "
		    "them with submission beratung add, edit or remove", (long long)id,
		    (long long)n);
	return 0;
}

static int
submission_edit(struct request *req, struct reply *rep)
{
	const char *session = args_get(req->args, "session"), *owner = args_get(req->args, "owner");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id, sid = 0, oid = 0, from;
	char *cause = NULL;

	if (entity_submission_id(ikd, args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (req->args->nopt == 0)
		return reply_fail(rep, 2, "submission edit needs at least one of --title, --kind, "
		    "--session, --owner, --ref, --state");
	if (check_fields(req, rep) == -1)
		return -1;
	if ((session != NULL && entity_session_id(ikd, session, &sid, &cause) == -1) ||
	    (owner != NULL && entity_actor_id(ikd, owner, &oid, &cause) == -1))
		return reply_cause(rep, 1, cause);
	if (session != NULL && only_session(ikd, rep, id, &from) == -1)
		return -1;
	if (store_exec(ikd->store, &cause, "UPDATE submission SET title = coalesce(?1, title), "
	    "kind = coalesce(?2, kind), owner_id = CASE WHEN ?3 = 0 THEN owner_id ELSE ?3 END, "
	    "ref = coalesce(?4, ref), state = coalesce(?5, state), updated_at = ?6 WHERE id = ?7",
	    "ttittii", args_get(req->args, "title"), args_get(req->args, "kind"), oid,
	    args_get(req->args, "ref"), args_get(req->args, "state"), (sqlite3_int64)time(NULL),
	    id) == -1)
		return reply_cause(rep, 1, cause);
	if ((session != NULL ? submission_beratung_change(ikd, id, from, NULL, sid, &cause) :
	    deadline_sync_submission(ikd, id, &cause)) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "edit", "submission", id, NULL) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = with_deadlines(ikd, id, &cause)) == NULL ||
	    (session != NULL && warn_if_late(ikd, rep, id, &cause) == -1))
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
submission_remove(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id;
	char *cause = NULL;

	if (entity_submission_id(ikd, args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (store_exec(ikd->store, &cause, "DELETE FROM submission WHERE id = ?", "i", id) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "remove", "submission", id, NULL) == -1)
		return reply_cause(rep, 1, cause);
	rep->data = json_pack("{s:I}", "removed", (json_int_t)id);
	return 0;
}

/* The submission of the first positional and the session of --session. */
static int
beratung_args(struct request *req, struct reply *rep, sqlite3_int64 *id,
    sqlite3_int64 *session)
{
	char *cause = NULL;

	if (entity_submission_id(req->ikd, args_pos(req->args, 0), id, &cause) == -1 ||
	    entity_session_id(req->ikd, args_get(req->args, "session"), session, &cause) == -1)
		return reply_cause(rep, 1, cause);
	return 0;
}

/* The reply of a changed Beratungsfolge: the submission; the audit row
 * names the submission and the session. */
static int
beratung_done(struct request *req, struct reply *rep, sqlite3_int64 id, const char *action)
{
	struct ikond *ikd = req->ikd;
	char *cause = NULL;

	if (store_audit(ikd->store, &cause, req->peer.uid, action, "beratung", id,
	    args_get(req->args, "session")) == -1 ||
	    (rep->data = with_deadlines(ikd, id, &cause)) == NULL ||
	    warn_if_late(ikd, rep, id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
beratung_add(struct request *req, struct reply *rep)
{
	struct beratung_spec b;
	sqlite3_int64 id;
	char *cause = NULL;

	if (beratung_args(req, rep, &id, &b.session_id) == -1)
		return -1;
	b.role = args_get(req->args, "role");
	if (submission_beratung_add(req->ikd, id, &b, &cause) == -1)
		return reply_cause(rep, 1, cause);
	return beratung_done(req, rep, id, "add");
}

static int
beratung_edit(struct request *req, struct reply *rep)
{
	const char *to = args_get(req->args, "to-session");
	sqlite3_int64 id, session, to_id = 0;
	char *cause = NULL;

	if (beratung_args(req, rep, &id, &session) == -1)
		return -1;
	if (to == NULL && args_get(req->args, "role") == NULL)
		return reply_fail(rep, 2, "submission beratung edit needs --role or --to-session");
	if ((to != NULL && entity_session_id(req->ikd, to, &to_id, &cause) == -1) ||
	    submission_beratung_change(req->ikd, id, session, args_get(req->args, "role"), to_id,
	    &cause) == -1)
		return reply_cause(rep, 1, cause);
	return beratung_done(req, rep, id, "edit");
}

static int
beratung_remove(struct request *req, struct reply *rep)
{
	sqlite3_int64 id, session;
	char *cause = NULL;

	if (beratung_args(req, rep, &id, &session) == -1)
		return -1;
	if (submission_beratung_remove(req->ikd, id, session, &cause) == -1)
		return reply_cause(rep, 1, cause);
	return beratung_done(req, rep, id, "remove");
}

const struct handler submission_handlers[] = {
	{ "submission add", submission_add },
	{ "submission list", submission_list },
	{ "submission show", submission_show },
	{ "submission edit", submission_edit },
	{ "submission remove", submission_remove },
	{ "submission beratung add", beratung_add },
	{ "submission beratung edit", beratung_edit },
	{ "submission beratung remove", beratung_remove },
	{ NULL, NULL },
};
