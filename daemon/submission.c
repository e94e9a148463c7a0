/*
 * submission: a Vorlage and its Beratungsfolge (see submission.h).  The
 * planner creates its Beschlussvorlage through submission_create() and
 * moves it with submission_set_beratungen(); the submission commands use
 * the smaller steps.  Every change ends with deadline_sync_submission(),
 * which gives each Beratung its Vorlagenfrist and drops the rows of
 * Beratungen that went.
 */
#include "submission.h"

#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "deadline.h"
#include "domain.h"
#include "entity.h"
#include "xmalloc.h"

static int
check_role(const char *role, char **cause)
{
	if (role == NULL || !vocab_has(beratung_roles, role))
		return set_cause(cause, "unknown Beratung role \"%.40s\"; valid: %s",
		    role ? role : "", vocab_words(beratung_roles));
	return 0;
}

static int
check_list(const struct beratung_spec *b, size_t n, char **cause)
{
	size_t i, j;

	if (n == 0)
		return set_cause(cause, "a submission needs at least one Beratung");
	if (n > SUBMISSION_BERATUNGEN_MAX)
		return set_cause(cause, "at most %d Beratungen per submission",
		    SUBMISSION_BERATUNGEN_MAX);
	for (i = 0; i < n; i++) {
		if (check_role(b[i].role, cause) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (b[j].session_id == b[i].session_id)
				return set_cause(cause, "session %lld is named twice in the "
				    "Beratungsfolge", (long long)b[i].session_id);
	}
	return 0;
}

static int
touch(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	return store_exec(ikd->store, cause, "UPDATE submission SET updated_at = ? WHERE id = ?",
	    "ii", (sqlite3_int64)time(NULL), id) == -1 ? -1 : 0;
}

/* 1 if the submission has a Beratung at the session, 0 if not, -1. */
static int
has_beratung(struct ikond *ikd, sqlite3_int64 id, sqlite3_int64 session_id, char **cause)
{
	return store_exists(ikd->store, cause, "SELECT 1 FROM beratung WHERE submission_id = ? "
	    "AND session_id = ?", "ii", id, session_id);
}

static int
insert(struct ikond *ikd, sqlite3_int64 id, const struct beratung_spec *b, char **cause)
{
	return store_exec(ikd->store, cause, "INSERT INTO beratung (submission_id, session_id, "
	    "role) VALUES (?, ?, ?)", "iit", id, b->session_id, b->role) == -1 ? -1 : 0;
}

int
submission_create(struct ikond *ikd, const struct submission_spec *s,
    const struct beratung_spec *b, size_t n, sqlite3_int64 *id, char **cause)
{
	sqlite3_int64 now = (sqlite3_int64)time(NULL);
	size_t i;

	if (check_list(b, n, cause) == -1)
		return -1;
	if (store_exec(ikd->store, cause, "INSERT INTO submission (ref, title, kind, owner_id, "
	    "state, created_at, updated_at) VALUES (coalesce(?, ''), ?, ?, nullif(?, 0), 'draft', "
	    "?, ?)",
	    "tttiii", s->ref, s->title, s->kind, s->owner_id, now, now) == -1)
		return -1;
	*id = store_last_id(ikd->store);
	for (i = 0; i < n; i++)
		if (insert(ikd, *id, &b[i], cause) == -1)
			return -1;
	return deadline_sync_submission(ikd, *id, cause);
}

static bool
listed(const struct beratung_spec *b, size_t n, sqlite3_int64 session_id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i].session_id == session_id)
			return true;
	return false;
}

int
submission_set_beratungen(struct ikond *ikd, sqlite3_int64 id, const struct beratung_spec *b,
    size_t n, char **cause)
{
	sqlite3_int64 *old;
	size_t i, nold;
	int rc = 0, changed = 0;

	if (check_list(b, n, cause) == -1)
		return -1;
	if (store_get_ints(ikd->store, cause, &old, &nold, "SELECT session_id FROM beratung "
	    "WHERE submission_id = ?", "i", id) == -1)
		return -1;
	for (i = 0; i < nold && rc != -1; i++) {
		if (listed(b, n, old[i]))
			continue;
		rc = store_exec(ikd->store, cause, "DELETE FROM beratung WHERE submission_id = ? "
		    "AND session_id = ?", "ii", id, old[i]);
		changed += rc > 0;
	}
	/* A session that stays keeps its row, and so its deadline's id. */
	for (i = 0; i < n && rc != -1; i++) {
		if ((rc = has_beratung(ikd, id, b[i].session_id, cause)) == -1)
			break;
		if (rc == 1)
			rc = store_exec(ikd->store, cause, "UPDATE beratung SET role = ?1 WHERE "
			    "submission_id = ?2 AND session_id = ?3 AND role <> ?1", "tii", b[i].role,
			    id, b[i].session_id);
		else
			rc = insert(ikd, id, &b[i], cause) == -1 ? -1 : 1;
		changed += rc > 0;
	}
	free(old);
	if (rc == -1 || (changed > 0 && touch(ikd, id, cause) == -1))
		return -1;
	return deadline_sync_submission(ikd, id, cause);
}

int
submission_beratung_add(struct ikond *ikd, sqlite3_int64 id, const struct beratung_spec *b,
    char **cause)
{
	sqlite3_int64 n;

	if (check_role(b->role, cause) == -1)
		return -1;
	switch (has_beratung(ikd, id, b->session_id, cause)) {
	case -1:
		return -1;
	case 1:
		return set_cause(cause, "submission %lld already goes to session %lld",
		    (long long)id, (long long)b->session_id);
	}
	if (store_get_int(ikd->store, cause, &n, "SELECT count(*) FROM beratung WHERE "
	    "submission_id = ?", "i", id) == -1)
		return -1;
	if (n >= SUBMISSION_BERATUNGEN_MAX)
		return set_cause(cause, "at most %d Beratungen per submission",
		    SUBMISSION_BERATUNGEN_MAX);
	if (insert(ikd, id, b, cause) == -1 || touch(ikd, id, cause) == -1)
		return -1;
	return deadline_sync_submission(ikd, id, cause);
}

static int
no_beratung(sqlite3_int64 id, sqlite3_int64 session_id, char **cause)
{
	return set_cause(cause, "submission %lld has no Beratung in session %lld (see: "
	    "ikond-ctl submission show %lld)", (long long)id, (long long)session_id,
	    (long long)id);
}

int
submission_beratung_change(struct ikond *ikd, sqlite3_int64 id, sqlite3_int64 from,
    const char *role, sqlite3_int64 to, char **cause)
{
	if (role != NULL && check_role(role, cause) == -1)
		return -1;
	switch (has_beratung(ikd, id, from, cause)) {
	case -1:
		return -1;
	case 0:
		return no_beratung(id, from, cause);
	}
	if (to != 0 && to != from) {
		switch (has_beratung(ikd, id, to, cause)) {
		case -1:
			return -1;
		case 1:
			return set_cause(cause, "submission %lld already goes to session %lld",
			    (long long)id, (long long)to);
		}
	}
	if (store_exec(ikd->store, cause, "UPDATE beratung SET role = coalesce(?, role), "
	    "session_id = CASE WHEN ? = 0 THEN session_id ELSE ? END WHERE submission_id = ? "
	    "AND session_id = ?", "tiiii", role, to, to, id, from) == -1 ||
	    touch(ikd, id, cause) == -1)
		return -1;
	return deadline_sync_submission(ikd, id, cause);
}

int
submission_beratung_remove(struct ikond *ikd, sqlite3_int64 id, sqlite3_int64 session_id,
    char **cause)
{
	sqlite3_int64 n;

	switch (has_beratung(ikd, id, session_id, cause)) {
	case -1:
		return -1;
	case 0:
		return no_beratung(id, session_id, cause);
	}
	if (store_get_int(ikd->store, cause, &n, "SELECT count(*) FROM beratung WHERE "
	    "submission_id = ?", "i", id) == -1)
		return -1;
	if (n == 1)
		return set_cause(cause, "session %lld is the only Beratung of submission %lld; "
		    "move it (submission beratung edit --to-session) or remove the submission",
		    (long long)session_id, (long long)id);
	if (store_exec(ikd->store, cause, "DELETE FROM beratung WHERE submission_id = ? AND "
	    "session_id = ?", "ii", id, session_id) == -1 || touch(ikd, id, cause) == -1)
		return -1;
	return deadline_sync_submission(ikd, id, cause);
}

int
submission_leave_session(struct ikond *ikd, sqlite3_int64 session_id, int *removed,
    char **cause)
{
	sqlite3_int64 *subs;
	size_t i, n;
	int rc = 0;

	*removed = 0;
	if (store_get_ints(ikd->store, cause, &subs, &n, "SELECT submission_id FROM beratung "
	    "WHERE session_id = ? ORDER BY submission_id", "i", session_id) == -1)
		return -1;
	if (store_exec(ikd->store, cause, "DELETE FROM beratung WHERE session_id = ?", "i",
	    session_id) == -1)
		rc = -1;
	for (i = 0; i < n && rc == 0; i++) {
		if ((rc = store_exec(ikd->store, cause, "DELETE FROM submission WHERE id = ? AND "
		    "NOT EXISTS (SELECT 1 FROM beratung WHERE submission_id = ?1)", "i",
		    subs[i])) == -1)
			break;
		*removed += rc;
		rc = rc == 0 ? deadline_sync_submission(ikd, subs[i], cause) : 0;
	}
	free(subs);
	return rc;
}

json_t *
submission_beratungen(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	json_t *list, *obj;
	size_t i;

	if ((list = store_get_rows(ikd->store, cause, "SELECT b.session_id AS session, "
	    "c.slug AS committee, c.name AS committee_name, s.start_utc, s.end_utc, b.role, "
	    "b.role_text, d.due_date AS deadline FROM beratung b JOIN session s ON s.id = b.session_id "
	    "JOIN committee c ON c.id = s.committee_id JOIN submission x ON x.id = b.submission_id "
	    "LEFT JOIN deadline d ON d.submission_id = b.submission_id AND "
	    "d.session_id = b.session_id AND d.kind = x.kind WHERE b.submission_id = ? "
	    "ORDER BY s.start_utc, b.id", "i", id)) == NULL)
		return NULL;
	json_array_foreach(list, i, obj) {
		entity_session_times(ikd, obj);
		json_object_del(obj, "end");
		json_object_set_new(obj, "role_de", json_string(vocab_label(beratung_roles,
		    json_string_value(json_object_get(obj, "role")))));
	}
	return list;
}

int
submission_deciding_session(struct ikond *ikd, sqlite3_int64 id, sqlite3_int64 *session_id,
    char **cause)
{
	return store_get_int(ikd->store, cause, session_id, "SELECT b.session_id FROM beratung b "
	    "JOIN session s ON s.id = b.session_id WHERE b.submission_id = ? "
	    "ORDER BY b.role = 'entscheidung' DESC, s.start_utc DESC, b.id DESC LIMIT 1", "i", id);
}
