/*
 * deadline: materialised deadlines (see deadline.h).  All writes happen
 * inside the caller's transaction, so a session and its deadlines always
 * change together.
 */
#include "deadline.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "dispatch.h"
#include "domain.h"
#include "rule.h"
#include "timefmt.h"
#include "xmalloc.h"

/* Deadlines that every session of a council body has.  Internal bodies
 * (Verwaltungsvorstand, Fachleitungsrunde, working groups) have none. */
static const char *const session_kinds[] = {
	"ladungsfrist", "bekanntmachung", "antragsfrist", NULL,
};

static bool
has_session_deadlines(const char *committee_kind)
{
	return strcmp(committee_kind, "verwaltungsvorstand") != 0 &&
	    strcmp(committee_kind, "fachleitungsrunde") != 0 &&
	    strcmp(committee_kind, "arbeitsgruppe") != 0;
}

static int
today(struct ikond *ikd)
{
	return timefmt_local_day(ikd->cfg->body_timezone, time(NULL));
}

static void
bind_minute(sqlite3_stmt *st, int idx, int minute)
{
	if (minute == CIVIL_NO_TIME)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_int(st, idx, minute);
}

/* Inserts or updates one deadline row; sequence grows only on a change. */
static int
upsert(struct ikond *ikd, sqlite3_int64 session_id, sqlite3_int64 submission_id,
    const char *kind, const struct named_rule *nr, struct civil_moment anchor, char **cause)
{
	struct rule_result res;
	char date[11], *derivation = NULL;
	sqlite3_stmt *st;
	sqlite3_int64 id = 0;
	bool same = false;
	int rc = -1;

	memset(&res, 0, sizeof(res));
	if (rule_apply(&nr->rule, ikd->cfg->workcal, anchor, &res, cause) == -1)
		return -1;
	civil_format_date(res.due.days, date);
	derivation = json_dumps(res.derivation, JSON_COMPACT | JSON_SORT_KEYS);
	/* One statement per partial unique index: a single one matching
	 * coalesce(submission_id, 0) could use neither and scanned the table,
	 * which made recomputing all deadlines quadratic. */
	if (submission_id == 0)
		st = store_prepare(ikd->store, "SELECT id, rule = ?4 AND due_date = ?5 AND "
		    "due_minute IS ?6 AND explanation = ?7 FROM deadline WHERE session_id = ?1 "
		    "AND submission_id IS NULL AND kind = ?3", cause);
	else
		st = store_prepare(ikd->store, "SELECT id, rule = ?4 AND due_date = ?5 AND "
		    "due_minute IS ?6 AND explanation = ?7 FROM deadline WHERE submission_id = ?2 "
		    "AND session_id = ?1 AND kind = ?3", cause);
	if (st == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_int64(st, 2, submission_id);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, nr->text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, date, -1, SQLITE_STATIC);
	bind_minute(st, 6, res.due.minute);
	sqlite3_bind_text(st, 7, res.explanation, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		same = sqlite3_column_int(st, 1) != 0;
	}
	store_done(ikd->store, st);
	if (same) {
		rc = 0;
		goto out;
	}
	if (id != 0)
		st = store_prepare(ikd->store, "UPDATE deadline SET rule = ?1, due_date = ?2, "
		    "due_minute = ?3, explanation = ?4, derivation = ?5, sequence = sequence + 1, "
		    "updated_at = ?6 WHERE id = ?7", cause);
	else
		st = store_prepare(ikd->store, "INSERT INTO deadline (rule, due_date, due_minute, "
		    "explanation, derivation, updated_at, session_id, submission_id, kind) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?8, nullif(?9, 0), ?10)", cause);
	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, nr->text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
	bind_minute(st, 3, res.due.minute);
	sqlite3_bind_text(st, 4, res.explanation, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, derivation, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
	if (id != 0)
		sqlite3_bind_int64(st, 7, id);
	else {
		sqlite3_bind_int64(st, 8, session_id);
		sqlite3_bind_int64(st, 9, submission_id);
		sqlite3_bind_text(st, 10, kind, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_error(ikd->store, cause);
	store_done(ikd->store, st);
out:
	free(derivation);
	rule_result_clear(&res);
	return rc;
}

/* The session's committee slug and kind and its local start. */
static int
session_anchor(struct ikond *ikd, sqlite3_int64 session_id, char **slug, char **kind,
    struct civil_moment *anchor, char **cause)
{
	sqlite3_stmt *st;
	time_t start;
	int rc = -1;

	st = store_prepare(ikd->store, "SELECT c.slug, c.kind, s.start_utc FROM session s "
	    "JOIN committee c ON c.id = s.committee_id WHERE s.id = ?", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, session_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*slug = xstrdup((const char *)sqlite3_column_text(st, 0));
		*kind = xstrdup((const char *)sqlite3_column_text(st, 1));
		start = (time_t)sqlite3_column_int64(st, 2);
		civil_from_utc(ikd->cfg->body_timezone, start, &anchor->days, &anchor->minute, NULL);
		rc = 0;
	} else
		set_cause(cause, "no session %lld", (long long)session_id);
	store_done(ikd->store, st);
	return rc;
}

static int
sync_submission_at(struct ikond *ikd, sqlite3_int64 submission_id, sqlite3_int64 session_id,
    const char *kind, const char *slug, struct civil_moment anchor, char **cause)
{
	const struct named_rule *nr = config_rule(ikd->cfg, kind, slug);

	/* A submission moved to another session loses its old deadline row. */
	if (store_exec(ikd->store, cause, "DELETE FROM deadline WHERE submission_id = ? AND "
	    "session_id <> ?", "ii", submission_id, session_id) == -1)
		return -1;
	if (nr == NULL)
		return set_cause(cause, "no rule for \"%s\"", kind);
	return upsert(ikd, session_id, submission_id, kind, nr, anchor, cause);
}

int
deadline_sync_submission(struct ikond *ikd, sqlite3_int64 submission_id, char **cause)
{
	struct civil_moment anchor;
	sqlite3_stmt *st;
	sqlite3_int64 session_id = 0;
	char *kind = NULL, *slug = NULL, *ckind = NULL;
	int rc = -1;

	st = store_prepare(ikd->store, "SELECT session_id, kind FROM submission WHERE id = ?",
	    cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, submission_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		session_id = sqlite3_column_int64(st, 0);
		kind = xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	store_done(ikd->store, st);
	if (kind == NULL)
		return set_cause(cause, "no submission %lld", (long long)submission_id);
	if (session_anchor(ikd, session_id, &slug, &ckind, &anchor, cause) == 0)
		rc = sync_submission_at(ikd, submission_id, session_id, kind, slug, anchor, cause);
	free(kind);
	free(slug);
	free(ckind);
	return rc;
}

int
deadline_sync_session(struct ikond *ikd, sqlite3_int64 session_id, char **cause)
{
	struct civil_moment anchor;
	char *slug = NULL, *ckind = NULL;
	sqlite3_int64 *subs = NULL;
	size_t i, nsubs = 0;
	sqlite3_stmt *st;
	int rc = -1;

	if (session_anchor(ikd, session_id, &slug, &ckind, &anchor, cause) == -1)
		return -1;
	if (has_session_deadlines(ckind)) {
		for (i = 0; session_kinds[i] != NULL; i++)
			if (upsert(ikd, session_id, 0, session_kinds[i],
			    config_rule(ikd->cfg, session_kinds[i], slug), anchor, cause) == -1)
				goto out;
	} else if (store_exec(ikd->store, cause, "DELETE FROM deadline WHERE session_id = ? "
	    "AND submission_id IS NULL", "i", session_id) == -1)
		goto out;
	st = store_prepare(ikd->store, "SELECT id FROM submission WHERE session_id = ?", cause);
	if (st == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, session_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		subs = xreallocarray(subs, nsubs + 1, sizeof(*subs));
		subs[nsubs++] = sqlite3_column_int64(st, 0);
	}
	store_done(ikd->store, st);
	for (i = 0; i < nsubs; i++)
		if (deadline_sync_submission(ikd, subs[i], cause) == -1)
			goto out;
	rc = 0;
out:
	free(subs);
	free(slug);
	free(ckind);
	return rc;
}

int
deadline_sync_all(struct ikond *ikd, int *changed, char **cause)
{
	sqlite3_int64 *ids = NULL, before, after;
	size_t i, n = 0;
	sqlite3_stmt *st;
	int rc = 0;

	before = store_count(ikd->store, "SELECT coalesce(sum(sequence), 0) + ? FROM deadline", 0);
	st = store_prepare(ikd->store, "SELECT id FROM session", cause);
	if (st == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	store_done(ikd->store, st);
	for (i = 0; i < n && rc == 0; i++)
		rc = deadline_sync_session(ikd, ids[i], cause);
	free(ids);
	after = store_count(ikd->store, "SELECT coalesce(sum(sequence), 0) + ? FROM deadline", 0);
	if (changed != NULL)
		*changed = (int)(after - before);
	return rc;
}

static json_t *
deadline_rows(struct ikond *ikd, const char *sql, sqlite3_int64 id)
{
	sqlite3_stmt *st = store_prepare(ikd->store, sql, NULL);
	json_t *list = json_array(), *obj;

	if (st == NULL)
		return list;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		obj = store_row_json(st);
		json_object_set_new(obj, "kind_de", json_string(vocab_label(deadline_kinds,
		    json_string_value(json_object_get(obj, "kind")))));
		json_array_append_new(list, obj);
	}
	store_done(ikd->store, st);
	return list;
}

#define DEADLINE_COLUMNS "id, session_id AS session, submission_id AS submission, kind, " \
	"due_date AS date, CASE WHEN due_minute IS NULL THEN NULL ELSE " \
	"printf('%02d:%02d', due_minute / 60, due_minute % 60) END AS time, rule, explanation"

json_t *
deadline_list_session(struct ikond *ikd, sqlite3_int64 session_id)
{
	return deadline_rows(ikd, "SELECT " DEADLINE_COLUMNS " FROM deadline WHERE "
	    "session_id = ? AND submission_id IS NULL ORDER BY due_date, kind", session_id);
}

json_t *
deadline_list_submission(struct ikond *ikd, sqlite3_int64 submission_id)
{
	return deadline_rows(ikd, "SELECT " DEADLINE_COLUMNS " FROM deadline WHERE "
	    "submission_id = ? ORDER BY due_date, kind", submission_id);
}

json_t *
deadline_submission_date(struct ikond *ikd, sqlite3_int64 submission_id)
{
	sqlite3_stmt *st = store_prepare(ikd->store, "SELECT due_date FROM deadline WHERE "
	    "submission_id = ? ORDER BY due_date LIMIT 1", NULL);
	json_t *date = json_null();

	if (st == NULL)
		return date;
	sqlite3_bind_int64(st, 1, submission_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		json_decref(date);
		date = json_string((const char *)sqlite3_column_text(st, 0));
	}
	store_done(ikd->store, st);
	return date;
}

json_t *
deadline_submission_late(struct ikond *ikd, sqlite3_int64 submission_id)
{
	sqlite3_stmt *st;
	json_t *late = NULL;
	char now[11];

	civil_format_date(today(ikd), now);
	st = store_prepare(ikd->store, "SELECT d.kind, d.due_date FROM deadline d "
	    "JOIN submission b ON b.id = d.submission_id WHERE d.submission_id = ? "
	    "AND b.state = 'draft' AND d.due_date < ? ORDER BY d.due_date LIMIT 1", NULL);
	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, submission_id);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		late = json_pack("{s:s, s:s}", "kind_de", vocab_label(deadline_kinds,
		    (const char *)sqlite3_column_text(st, 0)),
		    "date", (const char *)sqlite3_column_text(st, 1));
	store_done(ikd->store, st);
	return late;
}

json_t *
deadline_problems(struct ikond *ikd)
{
	json_t *list = json_array();
	sqlite3_stmt *st;
	char now[11], *text;

	civil_format_date(today(ikd), now);
	st = store_prepare(ikd->store, "SELECT b.id, b.title, d.due_date FROM submission b "
	    "JOIN deadline d ON d.submission_id = b.id JOIN session s ON s.id = b.session_id "
	    "WHERE b.state = 'draft' AND d.due_date < ?1 AND s.state <> 'cancelled' "
	    "AND s.start_utc > strftime('%s', 'now') ORDER BY d.due_date", NULL);
	if (st != NULL) {
		sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			xasprintf(&text, "submission %lld \"%s\" missed its deadline %s",
			    (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
			    sqlite3_column_text(st, 2));
			json_array_append_new(list, json_string(text));
			free(text);
		}
		store_done(ikd->store, st);
	}
	st = store_prepare(ikd->store, "SELECT s.id, s.title, count(b.id) FROM session s "
	    "JOIN submission b ON b.session_id = s.id WHERE s.state = 'cancelled' AND "
	    "b.state IN ('draft', 'submitted') GROUP BY s.id ORDER BY s.start_utc", NULL);
	if (st != NULL) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			xasprintf(&text, "cancelled session %lld \"%s\" still has %d open "
			    "submission(s); move them with submission edit --session",
			    (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
			    sqlite3_column_int(st, 2));
			json_array_append_new(list, json_string(text));
			free(text);
		}
		store_done(ikd->store, st);
	}
	return list;
}
