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

/* The SQL below stores a date without a time as NULL with nullif(?, -1). */
_Static_assert(CIVIL_NO_TIME == -1, "deadline SQL maps CIVIL_NO_TIME to NULL");

/* Inserts or updates one deadline row; sequence grows only on a change. */
static int
upsert(struct ikond *ikd, sqlite3_int64 session_id, sqlite3_int64 submission_id,
    const char *kind, const struct named_rule *nr, struct civil_moment anchor, char **cause)
{
	struct rule_result res;
	char date[11], *derivation = NULL;
	const char *sql;
	sqlite3_stmt *st;
	sqlite3_int64 id = 0;
	bool same = false;
	int rc = -1;

	memset(&res, 0, sizeof(res));
	if (rule_apply(&nr->rule, ikd->cfg->workcal, anchor, &res, cause) == -1 ||
	    rule_result_in_zone(&res, ikd->cfg->body_timezone, cause) == -1) {
		rule_result_clear(&res);
		return -1;
	}
	civil_format_date(res.due.days, date);
	derivation = json_dumps(res.derivation, JSON_COMPACT | JSON_SORT_KEYS);
	/* One statement per partial unique index: a single one matching
	 * coalesce(submission_id, 0) could use neither and scanned the table,
	 * which made recomputing all deadlines quadratic. */
	if (submission_id == 0)
		sql = "SELECT id, rule = ?4 AND due_date = ?5 AND due_minute IS nullif(?6, -1) "
		    "AND explanation = ?7 FROM deadline WHERE session_id = ?1 "
		    "AND submission_id IS NULL AND kind = ?3";
	else
		sql = "SELECT id, rule = ?4 AND due_date = ?5 AND due_minute IS nullif(?6, -1) "
		    "AND explanation = ?7 FROM deadline WHERE submission_id = ?2 "
		    "AND session_id = ?1 AND kind = ?3";
	switch (store_first(ikd->store, cause, &st, sql, "iitttit", session_id, submission_id,
	    kind, nr->text, date, (sqlite3_int64)res.due.minute, res.explanation)) {
	case -1:
		goto out;
	case 1:
		id = sqlite3_column_int64(st, 0);
		same = sqlite3_column_int(st, 1) != 0;
		store_done(ikd->store, st);
		break;
	}
	if (same)
		rc = 0;
	else if (id != 0)
		rc = store_exec(ikd->store, cause, "UPDATE deadline SET rule = ?, due_date = ?, "
		    "due_minute = nullif(?, -1), explanation = ?, derivation = ?, "
		    "sequence = sequence + 1, updated_at = ? WHERE id = ?", "ttittii", nr->text,
		    date, (sqlite3_int64)res.due.minute, res.explanation, derivation,
		    (sqlite3_int64)time(NULL), id) == -1 ? -1 : 0;
	else
		rc = store_exec(ikd->store, cause, "INSERT INTO deadline (rule, due_date, "
		    "due_minute, explanation, derivation, updated_at, session_id, submission_id, "
		    "kind) VALUES (?, ?, nullif(?, -1), ?, ?, ?, ?, nullif(?, 0), ?)", "ttittiiit",
		    nr->text, date, (sqlite3_int64)res.due.minute, res.explanation, derivation,
		    (sqlite3_int64)time(NULL), session_id, submission_id, kind) == -1 ? -1 : 0;
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

	switch (store_first(ikd->store, cause, &st, "SELECT c.slug, c.kind, s.start_utc "
	    "FROM session s JOIN committee c ON c.id = s.committee_id WHERE s.id = ?", "i",
	    session_id)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "no session %lld", (long long)session_id);
	}
	*slug = store_column_dup(st, 0);
	*kind = store_column_dup(st, 1);
	civil_from_utc(ikd->cfg->body_timezone, (time_t)sqlite3_column_int64(st, 2),
	    &anchor->days, &anchor->minute, NULL);
	store_done(ikd->store, st);
	return 0;
}

/* The Vorlagenfrist of the submission in one of its sessions. */
static int
sync_beratung(struct ikond *ikd, sqlite3_int64 submission_id, sqlite3_int64 session_id,
    const char *kind, char **cause)
{
	const struct named_rule *nr;
	struct civil_moment anchor;
	char *slug = NULL, *ckind = NULL;
	int rc = -1;

	if (session_anchor(ikd, session_id, &slug, &ckind, &anchor, cause) == -1)
		return -1;
	if ((nr = config_rule(ikd->cfg, kind, slug)) == NULL)
		set_cause(cause, "no rule for \"%s\"", kind);
	else
		rc = upsert(ikd, session_id, submission_id, kind, nr, anchor, cause);
	free(slug);
	free(ckind);
	return rc;
}

int
deadline_sync_submission(struct ikond *ikd, sqlite3_int64 submission_id, char **cause)
{
	sqlite3_int64 *sessions = NULL;
	size_t i, n = 0;
	char *kind;
	int rc;

	switch (store_get_text(ikd->store, cause, &kind, "SELECT kind FROM submission "
	    "WHERE id = ?", "i", submission_id)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "no submission %lld", (long long)submission_id);
	}
	/* A Beratung that went, or a change of kind, leaves rows behind. */
	rc = store_exec(ikd->store, cause, "DELETE FROM deadline WHERE submission_id = ?1 AND "
	    "(kind <> ?2 OR session_id NOT IN (SELECT session_id FROM beratung WHERE "
	    "submission_id = ?1))", "it", submission_id, kind) == -1 ? -1 : 0;
	if (rc == 0)
		rc = store_get_ints(ikd->store, cause, &sessions, &n, "SELECT session_id FROM "
		    "beratung WHERE submission_id = ? ORDER BY id", "i", submission_id);
	for (i = 0; i < n && rc == 0; i++)
		rc = sync_beratung(ikd, submission_id, sessions[i], kind, cause);
	free(sessions);
	free(kind);
	return rc;
}

int
deadline_sync_session(struct ikond *ikd, sqlite3_int64 session_id, char **cause)
{
	struct civil_moment anchor;
	char *slug = NULL, *ckind = NULL;
	sqlite3_int64 *subs = NULL;
	size_t i, nsubs = 0;
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
	if (store_get_ints(ikd->store, cause, &subs, &nsubs, "SELECT submission_id FROM "
	    "beratung WHERE session_id = ?", "i", session_id) == -1)
		goto out;
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
	static const char *const sum_sql = "SELECT coalesce(sum(sequence), 0) FROM deadline";
	sqlite3_int64 *ids, before, after;
	size_t i, n;
	int rc = 0;

	if (store_get_int(ikd->store, cause, &before, sum_sql, "") == -1 ||
	    store_get_ints(ikd->store, cause, &ids, &n, "SELECT id FROM session", "") == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++)
		rc = deadline_sync_session(ikd, ids[i], cause);
	free(ids);
	if (rc == -1 || store_get_int(ikd->store, cause, &after, sum_sql, "") == -1)
		return -1;
	if (changed != NULL)
		*changed = (int)(after - before);
	return 0;
}

static json_t *
deadline_rows(struct ikond *ikd, const char *sql, sqlite3_int64 id, char **cause)
{
	json_t *list = store_get_rows(ikd->store, cause, sql, "i", id), *obj;
	size_t i;

	json_array_foreach(list, i, obj)
		json_object_set_new(obj, "kind_de", json_string(vocab_label(deadline_kinds,
		    json_string_value(json_object_get(obj, "kind")))));
	return list;
}

#define DEADLINE_COLUMNS "id, session_id AS session, submission_id AS submission, kind, " \
	"due_date AS date, CASE WHEN due_minute IS NULL THEN NULL ELSE " \
	"printf('%02d:%02d', due_minute / 60, due_minute % 60) END AS time, rule, explanation"

json_t *
deadline_list_session(struct ikond *ikd, sqlite3_int64 session_id, char **cause)
{
	return deadline_rows(ikd, "SELECT " DEADLINE_COLUMNS " FROM deadline WHERE "
	    "session_id = ? AND submission_id IS NULL ORDER BY due_date, kind", session_id, cause);
}

json_t *
deadline_list_submission(struct ikond *ikd, sqlite3_int64 submission_id, char **cause)
{
	return deadline_rows(ikd, "SELECT " DEADLINE_COLUMNS " FROM deadline WHERE "
	    "submission_id = ? ORDER BY due_date, kind", submission_id, cause);
}

json_t *
deadline_submission_date(struct ikond *ikd, sqlite3_int64 submission_id, char **cause)
{
	json_t *date = NULL;
	char *text;

	switch (store_get_text(ikd->store, cause, &text, "SELECT due_date FROM deadline WHERE "
	    "submission_id = ? ORDER BY due_date LIMIT 1", "i", submission_id)) {
	case 1:
		date = json_string(text);
		free(text);
		break;
	case 0:
		date = json_null();
		break;
	}
	return date;
}

int
deadline_submission_late(struct ikond *ikd, sqlite3_int64 submission_id, json_t **late,
    char **cause)
{
	sqlite3_stmt *st;
	char now[11];
	int rc;

	civil_format_date(today(ikd), now);
	rc = store_first(ikd->store, cause, &st, "SELECT d.kind, d.due_date FROM deadline d "
	    "JOIN submission b ON b.id = d.submission_id WHERE d.submission_id = ? "
	    "AND b.state = 'draft' AND d.due_date < ? ORDER BY d.due_date LIMIT 1", "it",
	    submission_id, now);
	if (rc == 1) {
		if (late != NULL)
			*late = json_pack("{s:s, s:s}", "kind_de", vocab_label(deadline_kinds,
			    (const char *)sqlite3_column_text(st, 0)),
			    "date", (const char *)sqlite3_column_text(st, 1));
		store_done(ikd->store, st);
	}
	return rc;
}

json_t *
deadline_problems(struct ikond *ikd, char **cause)
{
	json_t *list = json_array();
	sqlite3_stmt *st;
	char now[11], *text;
	int rc;

	civil_format_date(today(ikd), now);
	if ((st = store_query(ikd->store, cause, "SELECT b.id, b.title, d.due_date "
	    "FROM submission b JOIN deadline d ON d.submission_id = b.id "
	    "JOIN session s ON s.id = d.session_id WHERE b.state = 'draft' AND d.due_date < ?1 "
	    "AND s.state <> 'cancelled' AND s.start_utc > strftime('%s', 'now') "
	    "ORDER BY d.due_date", "t", now)) == NULL)
		goto fail;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		xasprintf(&text, "submission %lld \"%s\" missed its deadline %s",
		    (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
		    sqlite3_column_text(st, 2));
		json_array_append_new(list, json_string(text));
		free(text);
	}
	store_done(ikd->store, st);
	if (rc == -1 || (st = store_query(ikd->store, cause, "SELECT s.id, s.title, "
	    "count(b.id) FROM session s JOIN beratung r ON r.session_id = s.id "
	    "JOIN submission b ON b.id = r.submission_id "
	    "WHERE s.state = 'cancelled' AND b.state IN ('draft', 'submitted') GROUP BY s.id "
	    "ORDER BY s.start_utc", "")) == NULL)
		goto fail;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		xasprintf(&text, "cancelled session %lld \"%s\" still has %d open "
		    "submission(s); move them with submission beratung edit --to-session",
		    (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
		    sqlite3_column_int(st, 2));
		json_array_append_new(list, json_string(text));
		free(text);
	}
	store_done(ikd->store, st);
	if (rc == -1)
		goto fail;
	return list;
fail:
	json_decref(list);
	return NULL;
}
