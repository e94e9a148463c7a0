/*
 * deadline: materialised deadlines (see deadline.h).  All writes happen
 * inside the caller's transaction, so a session and its deadlines always
 * change together.
 *
 * The basis of the stored deadlines (time zone, Land, local days off,
 * rules) is kept beside them.  When it changes, a rule change recomputes
 * the deadlines of that kind, and a changed day recomputes the sessions
 * whose deadlines may count over it: a rule looks at no day further from
 * its anchor than its reach (its offset, plus the longest run of days off
 * it may have to step over).  Within one recomputation a rule's result for
 * an anchor is computed once: a session's submissions share their anchor
 * and mostly their rule, and rules that read alike share their results.
 */
#include "deadline.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "domain.h"
#include "ikond.h"
#include "rule.h"
#include "timefmt.h"
#include "xmalloc.h"

/* Deadlines that every session of a council body has.  Internal bodies
 * (Verwaltungsvorstand, Fachleitungsrunde, working groups) have none. */
static const char *const session_kinds[] = {
	"ladungsfrist", "bekanntmachung", "antragsfrist", NULL,
};

static bool
is_session_kind(const char *kind)
{
	size_t i;

	for (i = 0; session_kinds[i] != NULL; i++)
		if (strcmp(session_kinds[i], kind) == 0)
			return true;
	return false;
}

static bool
has_session_deadlines(const char *committee_kind)
{
	return strcmp(committee_kind, "verwaltungsvorstand") != 0 &&
	    strcmp(committee_kind, "fachleitungsrunde") != 0 &&
	    strcmp(committee_kind, "arbeitsgruppe") != 0;
}

static int
today_of(const struct config *cfg)
{
	return timefmt_local_day(cfg->body_timezone, time(NULL));
}

static int
today(struct ikond *ikd)
{
	return today_of(ikd->cfg);
}

/* The SQL below stores a date without a time as NULL with nullif(?, -1). */
_Static_assert(CIVIL_NO_TIME == -1, "deadline SQL maps CIVIL_NO_TIME to NULL");

#define MEMO_FIRST	64	/* slots of the rule results a recomputation starts with */
/* SQLite's page cache while every deadline is made anew (negative: KiB),
 * so that the sessions, submissions and Beratungen it reads stay in it. */
#define BULK_CACHE	"-131072"
#define ALL_KINDS	(~0U)
#define BUSY_SESSIONS	1000	/* sessions between two signs of life to systemd */

/* One rule's result for one anchor. */
struct memo {
	const struct named_rule	*nr;
	int			 days, minute;
	char			 date[11];
	int			 due_minute;
	char			 anchor[24];	/* as the derivation and the text key say */
	/* Its stored text, or 0 and the words until it is found or stored. */
	sqlite3_int64		 text_id;
	char			*explanation;
	char			*derivation;
};

/* One recomputation under one configuration. */
struct sync {
	struct ikond	*ikd;
	int		 moved;		/* existing deadlines that changed */
	bool		 fresh;		/* the table was empty: nothing to compare */
	bool		 changed_only;	/* recompute a session only if a result changed */
	bool		 texts_new;	/* no text was stored before: none to look up */
	/* For each rule of the configuration the first with the same text:
	 * rules that read alike give alike results, computed once. */
	const struct named_rule **alike;
	size_t		 recomputed;	/* sessions recomputed when changed_only */
	/* Every rule result of this recomputation, open addressing; the
	 * table doubles when half full. */
	struct memo	*memo;
	size_t		 nmemo;		/* slots, a power of two */
	size_t		 used;
};

static struct sync *
sync_new(struct ikond *ikd)
{
	struct sync *s = xcalloc(1, sizeof(*s));
	const struct config *cfg = ikd->cfg;
	size_t i, j;

	s->ikd = ikd;
	s->nmemo = MEMO_FIRST;
	s->memo = xcalloc(s->nmemo, sizeof(*s->memo));
	s->alike = xcalloc(cfg->n_rules + 1, sizeof(*s->alike));
	for (i = 0; i < cfg->n_rules; i++) {
		for (j = 0; strcmp(cfg->rules[j].text, cfg->rules[i].text) != 0; j++)
			;
		s->alike[i] = &cfg->rules[j];
	}
	return s;
}

/* The slot of a rule and anchor: its own, or the empty one it would take. */
static struct memo *
memo_slot(struct memo *memo, size_t nmemo, const struct named_rule *nr, int days, int minute)
{
	size_t i;

	i = (size_t)((((uint64_t)(uintptr_t)nr / 8 * 31 + (uint64_t)(unsigned)days) * 1441 +
	    (uint64_t)(minute + 1)) * 0x9e3779b97f4a7c15ULL >> 32);
	for (;; i++) {
		i &= nmemo - 1;
		if (memo[i].nr == NULL || (memo[i].nr == nr && memo[i].days == days &&
		    memo[i].minute == minute))
			return &memo[i];
	}
}

static void
memo_grow(struct sync *s)
{
	struct memo *memo = xcalloc(s->nmemo * 2, sizeof(*memo));
	size_t i;

	for (i = 0; i < s->nmemo; i++)
		if (s->memo[i].nr != NULL)
			*memo_slot(memo, s->nmemo * 2, s->memo[i].nr, s->memo[i].days,
			    s->memo[i].minute) = s->memo[i];
	free(s->memo);
	s->memo = memo;
	s->nmemo *= 2;
}

static void
sync_free(struct sync *s)
{
	size_t i;

	for (i = 0; i < s->nmemo; i++) {
		free(s->memo[i].explanation);
		free(s->memo[i].derivation);
	}
	free(s->memo);
	free(s->alike);
	free(s);
}

/* The bit of a rule name (config_rule_names) in a mask of kinds. */
static unsigned
kind_bit(const char *kind)
{
	size_t i;

	for (i = 0; config_rule_names[i] != NULL; i++)
		if (strcmp(config_rule_names[i], kind) == 0)
			return 1U << i;
	return 0;
}

/* The place of a kind's bit among the rule names. */
static unsigned
kind_place(unsigned bit)
{
	unsigned i;

	for (i = 0; bit > 1; i++)
		bit >>= 1;
	return i;
}

/* The rule's result for the anchor, computed once per recomputation. */
static int
result_of(struct sync *s, const struct named_rule *nr, struct civil_moment anchor,
    struct memo **out, char **cause)
{
	struct rule_result res;
	struct memo *m;
	const char *at;

	/* Every rule comes from config_rule(), so it is one of cfg->rules. */
	nr = s->alike[nr - s->ikd->cfg->rules];
	m = memo_slot(s->memo, s->nmemo, nr, anchor.days, anchor.minute);
	if (m->nr != NULL) {
		*out = m;
		return 0;
	}
	memset(&res, 0, sizeof(res));
	if (rule_apply(&nr->rule, s->ikd->cfg->workcal, anchor, &res, cause) == -1 ||
	    rule_result_in_zone(&res, s->ikd->cfg->body_timezone, cause) == -1) {
		rule_result_clear(&res);
		return -1;
	}
	if (++s->used * 2 > s->nmemo) {
		memo_grow(s);
		m = memo_slot(s->memo, s->nmemo, nr, anchor.days, anchor.minute);
	}
	m->nr = nr;
	m->days = anchor.days;
	m->minute = anchor.minute;
	civil_format_date(res.due.days, m->date);
	m->due_minute = res.due.minute;
	at = json_string_value(json_object_get(res.derivation, "anchor"));
	snprintf(m->anchor, sizeof(m->anchor), "%s", at != NULL ? at : "");
	m->text_id = 0;
	m->explanation = xstrdup(res.explanation);
	m->derivation = json_dumps(res.derivation, JSON_COMPACT | JSON_SORT_KEYS);
	rule_result_clear(&res);
	*out = m;
	return 0;
}

/*
 * The stored text of a result: an existing one with the same words, or
 * (if store) a new one; m->text_id stays 0 if there is none.  Texts are
 * shared by every deadline of one rule and anchor, and never changed: a
 * deadline whose words change gets another text, so comparing ids
 * compares the words.
 */
static int
text_of(struct sync *s, struct memo *m, bool store_it, char **cause)
{
	struct store *store = s->ikd->store;
	int rc;

	if (m->text_id != 0)
		return 0;
	/* A memo is made once per rule text and anchor: a new text has no twin. */
	rc = s->texts_new ? 0 : store_get_int(store, cause, &m->text_id, "SELECT id FROM "
	    "deadline_text WHERE rule = ? AND anchor = ? AND explanation = ? AND "
	    "derivation = ?", "tttt", m->nr->text, m->anchor, m->explanation, m->derivation);
	if (rc == 0 && store_it) {
		rc = store_exec(store, cause, "INSERT INTO deadline_text (rule, anchor, "
		    "explanation, derivation) VALUES (?, ?, ?, ?)", "tttt", m->nr->text,
		    m->anchor, m->explanation, m->derivation);
		m->text_id = store_last_id(store);
	}
	if (rc == -1)
		return -1;
	if (m->text_id != 0) {
		free(m->explanation);
		free(m->derivation);
		m->explanation = m->derivation = NULL;
	}
	return 0;
}

static int
compute(struct sync *s, const struct named_rule *nr, struct civil_moment anchor,
    const struct memo **out, char **cause)
{
	struct memo *m;

	if (result_of(s, nr, anchor, &m, cause) == -1 || text_of(s, m, true, cause) == -1)
		return -1;
	*out = m;
	return 0;
}

/*
 * 1 if deadlines of the rule and anchor may say something else now: a
 * text of theirs with other words is still stored (the deadlines that
 * use it are the ones not yet recomputed); 0 if not, -1 with *cause.
 */
static int
result_changed(struct sync *s, const struct named_rule *nr, struct civil_moment anchor,
    char **cause)
{
	struct memo *m;

	if (result_of(s, nr, anchor, &m, cause) == -1 || text_of(s, m, false, cause) == -1)
		return -1;
	return store_exists(s->ikd->store, cause, "SELECT 1 FROM deadline_text WHERE "
	    "rule = ? AND anchor = ? AND id <> ?", "tti", nr->text, m->anchor, m->text_id);
}

/* Inserts or updates one deadline row; sequence grows only on a change. */
static int
upsert(struct sync *s, sqlite3_int64 session_id, sqlite3_int64 submission_id,
    const char *kind, const struct named_rule *nr, struct civil_moment anchor, char **cause)
{
	struct store *store = s->ikd->store;
	const struct memo *m;
	const char *sql;
	sqlite3_stmt *st;
	sqlite3_int64 id = 0;
	bool same = false;

	if (compute(s, nr, anchor, &m, cause) == -1)
		return -1;
	/* One statement per partial unique index: a single one matching
	 * coalesce(submission_id, 0) could use neither and scanned the table,
	 * which made recomputing all deadlines quadratic. */
	if (submission_id == 0)
		sql = "SELECT id, rule = ?4 AND due_date = ?5 AND due_minute IS nullif(?6, -1) "
		    "AND text_id = ?7 FROM deadline WHERE session_id = ?1 "
		    "AND submission_id IS NULL AND kind = ?3";
	else
		sql = "SELECT id, rule = ?4 AND due_date = ?5 AND due_minute IS nullif(?6, -1) "
		    "AND text_id = ?7 FROM deadline WHERE submission_id = ?2 "
		    "AND session_id = ?1 AND kind = ?3";
	switch (s->fresh ? 0 : store_first(store, cause, &st, sql, "iitttii", session_id,
	    submission_id, kind, nr->text, m->date, (sqlite3_int64)m->due_minute, m->text_id)) {
	case -1:
		return -1;
	case 1:
		id = sqlite3_column_int64(st, 0);
		same = sqlite3_column_int(st, 1) != 0;
		store_done(store, st);
		break;
	}
	if (same)
		return 0;
	if (id != 0) {
		s->moved++;
		return store_exec(store, cause, "UPDATE deadline SET rule = ?, due_date = ?, "
		    "due_minute = nullif(?, -1), text_id = ?, sequence = sequence + 1, "
		    "updated_at = ? WHERE id = ?", "ttiiii", nr->text, m->date,
		    (sqlite3_int64)m->due_minute, m->text_id, (sqlite3_int64)time(NULL),
		    id) == -1 ? -1 : 0;
	}
	return store_exec(store, cause, "INSERT INTO deadline (rule, due_date, due_minute, "
	    "text_id, updated_at, session_id, submission_id, kind) VALUES (?, ?, nullif(?, -1), "
	    "?, ?, ?, nullif(?, 0), ?)", "ttiiiiit", nr->text, m->date,
	    (sqlite3_int64)m->due_minute, m->text_id, (sqlite3_int64)time(NULL), session_id,
	    submission_id, kind) == -1 ? -1 : 0;
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
sync_beratung(struct sync *s, sqlite3_int64 submission_id, sqlite3_int64 session_id,
    const char *kind, char **cause)
{
	const struct named_rule *nr;
	struct civil_moment anchor;
	char *slug = NULL, *ckind = NULL;
	int rc = -1;

	if (session_anchor(s->ikd, session_id, &slug, &ckind, &anchor, cause) == -1)
		return -1;
	if ((nr = config_rule(s->ikd->cfg, kind, slug)) == NULL)
		set_cause(cause, "no rule for \"%s\"", kind);
	else
		rc = upsert(s, session_id, submission_id, kind, nr, anchor, cause);
	free(slug);
	free(ckind);
	return rc;
}

static int
sync_submission(struct sync *s, sqlite3_int64 submission_id, char **cause)
{
	struct store *store = s->ikd->store;
	sqlite3_int64 *sessions = NULL;
	size_t i, n = 0;
	char *kind;
	int rc;

	switch (store_get_text(store, cause, &kind, "SELECT kind FROM submission "
	    "WHERE id = ?", "i", submission_id)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "no submission %lld", (long long)submission_id);
	}
	/* A Beratung that went, or a change of kind, leaves rows behind. */
	rc = store_exec(store, cause, "DELETE FROM deadline WHERE submission_id = ?1 AND "
	    "(kind <> ?2 OR session_id NOT IN (SELECT session_id FROM beratung WHERE "
	    "submission_id = ?1))", "it", submission_id, kind) == -1 ? -1 : 0;
	if (rc == 0)
		rc = store_get_ints(store, cause, &sessions, &n, "SELECT session_id FROM "
		    "beratung WHERE submission_id = ? ORDER BY id", "i", submission_id);
	for (i = 0; i < n && rc == 0; i++)
		rc = sync_beratung(s, submission_id, sessions[i], kind, cause);
	free(sessions);
	free(kind);
	return rc;
}

int
deadline_sync_submission(struct ikond *ikd, sqlite3_int64 submission_id, char **cause)
{
	struct sync *s = sync_new(ikd);
	int rc;

	rc = sync_submission(s, submission_id, cause);
	sync_free(s);
	return rc;
}

int
deadline_sync_session(struct ikond *ikd, sqlite3_int64 session_id, char **cause)
{
	struct sync *s = sync_new(ikd);
	struct civil_moment anchor;
	char *slug = NULL, *ckind = NULL;
	sqlite3_int64 *subs = NULL;
	size_t i, nsubs = 0;
	int rc = -1;

	if (session_anchor(ikd, session_id, &slug, &ckind, &anchor, cause) == -1)
		goto out;
	if (has_session_deadlines(ckind)) {
		for (i = 0; session_kinds[i] != NULL; i++)
			if (upsert(s, session_id, 0, session_kinds[i],
			    config_rule(ikd->cfg, session_kinds[i], slug), anchor, cause) == -1)
				goto out;
	} else if (store_exec(ikd->store, cause, "DELETE FROM deadline WHERE session_id = ? "
	    "AND submission_id IS NULL", "i", session_id) == -1)
		goto out;
	if (store_get_ints(ikd->store, cause, &subs, &nsubs, "SELECT submission_id FROM "
	    "beratung WHERE session_id = ?", "i", session_id) == -1)
		goto out;
	for (i = 0; i < nsubs; i++)
		if (sync_submission(s, subs[i], cause) == -1)
			goto out;
	rc = 0;
out:
	free(subs);
	free(slug);
	free(ckind);
	sync_free(s);
	return rc;
}

/*
 * 1 if a deadline of a session with this committee and anchor may change:
 * one of the rules that can apply to it gives a result whose words differ
 * from a stored text of that rule and anchor.  Every stored deadline uses
 * the text of its rule and anchor under the basis it was computed from,
 * so where no result changed no row needs to be read.
 */
static int
session_changed(struct sync *s, const char *slug, const char *ckind,
    struct civil_moment anchor, char **cause)
{
	const struct named_rule *nr;
	size_t i;
	int rc;

	for (i = 0; config_rule_names[i] != NULL; i++) {
		if (!has_session_deadlines(ckind) && is_session_kind(config_rule_names[i]))
			continue;
		if ((nr = config_rule(s->ikd->cfg, config_rule_names[i], slug)) == NULL)
			continue;
		if ((rc = result_changed(s, nr, anchor, cause)) != 0)
			return rc;
	}
	return 0;
}

/*
 * The deadlines of one session, its own and its Beratungen's, of the kinds
 * in mask.  Rows that should not exist are left to the edits that make
 * them so (deadline_sync_session, deadline_sync_submission).
 */
static int
recompute_session(struct sync *s, sqlite3_int64 session_id, unsigned mask, char **cause)
{
	struct ikond *ikd = s->ikd;
	const struct named_rule *nr;
	struct civil_moment anchor;
	sqlite3_stmt *st;
	const char *kind;
	char *slug = NULL, *ckind = NULL;
	size_t i;
	int rc = -1;

	if (session_anchor(ikd, session_id, &slug, &ckind, &anchor, cause) == -1)
		return -1;
	if (s->changed_only) {
		switch (session_changed(s, slug, ckind, anchor, cause)) {
		case -1:
			goto out;
		case 0:
			rc = 0;
			goto out;
		}
		s->recomputed++;
	}
	for (i = 0; has_session_deadlines(ckind) && session_kinds[i] != NULL; i++)
		if ((mask & kind_bit(session_kinds[i])) != 0 && upsert(s, session_id, 0,
		    session_kinds[i], config_rule(ikd->cfg, session_kinds[i], slug), anchor,
		    cause) == -1)
			goto out;
	/* A change of a session rule reads no Beratungen. */
	for (i = 0; session_kinds[i] != NULL; i++)
		mask &= ~kind_bit(session_kinds[i]);
	if (mask == 0) {
		rc = 0;
		goto out;
	}
	if ((st = store_query(ikd->store, cause, "SELECT r.submission_id, b.kind FROM beratung r "
	    "JOIN submission b ON b.id = r.submission_id WHERE r.session_id = ?", "i",
	    session_id)) == NULL)
		goto out;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		kind = (const char *)sqlite3_column_text(st, 1);
		if ((mask & kind_bit(kind)) == 0)
			continue;
		if ((nr = config_rule(ikd->cfg, kind, slug)) == NULL) {
			rc = set_cause(cause, "no rule for \"%s\"", kind);
			break;
		}
		if ((rc = upsert(s, session_id, sqlite3_column_int64(st, 0), kind, nr, anchor,
		    cause)) == -1)
			break;
	}
	store_done(ikd->store, st);
out:
	free(slug);
	free(ckind);
	return rc == -1 ? -1 : 0;
}

/* Recomputes the sessions the SQL selects; *n counts them. */
static int
recompute_sessions(struct sync *s, unsigned mask, size_t *n, char **cause, const char *sql,
    sqlite3_int64 from, sqlite3_int64 to)
{
	sqlite3_int64 *ids;
	size_t i, nids, before = s->recomputed;
	int rc = 0;

	if (store_get_ints(s->ikd->store, cause, &ids, &nids, sql, "ii", from, to) == -1)
		return -1;
	for (i = 0; i < nids && rc == 0; i++) {
		/* A start after an upgrade may recompute every session: minutes
		 * at full size, longer than systemd waits without a word. */
		if (i % BUSY_SESSIONS == 0)
			ikond_busy(s->ikd, "recomputing deadlines, sessions", i, nids);
		rc = recompute_session(s, ids[i], mask, cause);
	}
	free(ids);
	*n += s->changed_only ? s->recomputed - before : nids;
	return rc;
}

static json_t *
basis_of(const struct config *cfg)
{
	json_t *rules = json_array();
	size_t i;

	for (i = 0; i < cfg->n_rules; i++)
		json_array_append_new(rules, json_pack("[s, s?, s]", cfg->rules[i].name,
		    cfg->rules[i].committee, cfg->rules[i].text));
	return json_pack("{s:s, s:s, s:o, s:o}", "timezone", cfg->body_timezone, "land",
	    workcal_land(cfg->workcal), "days_off", workcal_days_off(cfg->workcal),
	    "rules", rules);
}

/* The [committee, text] pairs of one rule name in a basis. */
static json_t *
rules_named(json_t *basis, const char *name)
{
	json_t *out = json_array(), *r;
	size_t i;

	json_array_foreach(json_object_get(basis, "rules"), i, r)
		if (json_is_string(json_array_get(r, 0)) &&
		    strcmp(json_string_value(json_array_get(r, 0)), name) == 0)
			json_array_append_new(out, json_pack("[OO]", json_array_get(r, 1),
			    json_array_get(r, 2)));
	return out;
}

/* The kinds whose rules differ between two bases. */
static unsigned
changed_kinds(json_t *then, json_t *now)
{
	json_t *a, *b;
	unsigned mask = 0;
	size_t i;

	for (i = 0; config_rule_names[i] != NULL; i++) {
		a = rules_named(then, config_rule_names[i]);
		b = rules_named(now, config_rule_names[i]);
		if (!json_equal(a, b))
			mask |= 1U << i;
		json_decref(a);
		json_decref(b);
	}
	return mask;
}

/* The calendar a basis describes, or NULL. */
static struct workcal *
calendar_of(json_t *basis)
{
	struct workcal *wc;
	json_t *d;
	size_t i;

	if ((wc = workcal_new(json_string_value(json_object_get(basis, "land")), NULL)) == NULL)
		return NULL;
	json_array_foreach(json_object_get(basis, "days_off"), i, d) {
		if (workcal_add_day_off(wc, json_string_value(json_array_get(d, 0)),
		    json_string_value(json_array_get(d, 1)), NULL) == -1) {
			workcal_free(wc);
			return NULL;
		}
	}
	return wc;
}

static bool
same_day(const struct workcal *a, const struct workcal *b, int days)
{
	const char *ra = workcal_reason(a, days), *rb = workcal_reason(b, days);

	return ra == rb || (ra != NULL && rb != NULL && strcmp(ra, rb) == 0);
}

/* How many days from its anchor a rule may look, given the longest run
 * of days off it may step over. */
static int
reach(const char *text, int run)
{
	struct rule r;
	int n;

	if (text == NULL || rule_parse(text, &r, NULL) == -1)
		return -1;
	n = r.count;
	switch (r.unit) {
	case RULE_DAYS:
		break;
	case RULE_WEEKS:
		n *= 7;
		break;
	case RULE_MONTHS:
		n *= 31;
		break;
	case RULE_WORKING_DAYS:
		n *= run + 1;
		break;
	}
	return n + run + 1;
}

/* The farthest reach backward (*back) and forward (*fwd) of both bases' rules. */
static int
reaches(json_t *then, json_t *now, int run, int *back, int *fwd)
{
	json_t *bases[2] = { then, now }, *r;
	const char *text;
	size_t b, i;
	int n;

	*back = *fwd = 0;
	for (b = 0; b < 2; b++) {
		json_array_foreach(json_object_get(bases[b], "rules"), i, r) {
			text = json_string_value(json_array_get(r, 2));
			if ((n = reach(text, run)) == -1)
				return -1;
			if (text[0] == '-' && n > *back)
				*back = n;
			else if (text[0] != '-' && n > *fwd)
				*fwd = n;
		}
	}
	return 0;
}

/*
 * The sessions whose deadlines may count over a day that the calendar of
 * then and the current one see differently (working or not, or another
 * reason), recomputed; *n counts them.  1 if the calendars could not be
 * compared (the caller recomputes everything), 0 or -1.
 */
static int
calendar_changes(struct sync *s, json_t *then, json_t *now, size_t *n, char **cause)
{
	static const char *const by_start = "SELECT id FROM session WHERE start_utc "
	    "BETWEEN ? AND ? ORDER BY id";
	const struct workcal *cur = s->ikd->cfg->workcal;
	const char *tz = s->ikd->cfg->body_timezone;
	struct workcal *old;
	sqlite3_stmt *st;
	time_t first, last;
	int lo, hi, minute, d, run = 0, len = 0, back, fwd, from = 0, to = 0, rc = 0;
	bool open = false;

	switch (store_first(s->ikd->store, cause, &st, "SELECT min(start_utc), max(start_utc) "
	    "FROM session HAVING count(*) > 0", "")) {
	case -1:
		return -1;
	case 0:
		return 0;
	}
	first = (time_t)sqlite3_column_int64(st, 0);
	last = (time_t)sqlite3_column_int64(st, 1);
	store_done(s->ikd->store, st);
	if ((old = calendar_of(then)) == NULL)
		return 1;
	civil_from_utc(tz, first, &lo, &minute, NULL);
	civil_from_utc(tz, last, &hi, &minute, NULL);
	/* Runs of days off repeat every year: the sessions' years tell. */
	for (d = lo - 400; d <= hi + 400; d++) {
		len = workcal_is_working_day(old, d) && workcal_is_working_day(cur, d) ? 0 :
		    len + 1;
		if (len > run)
			run = len;
	}
	if (reaches(then, now, run, &back, &fwd) == -1) {
		workcal_free(old);
		return 1;
	}
	/* A day d matters to anchors from d - fwd to d + back; of those
	 * sessions, only the ones where a result changed are read. */
	s->changed_only = true;
	for (d = lo - back; d <= hi + fwd && rc == 0; d++) {
		if (same_day(old, cur, d))
			continue;
		if (open && d - fwd <= to + 1) {
			to = d + back;
			continue;
		}
		if (open)
			rc = recompute_sessions(s, ALL_KINDS, n, cause, by_start,
			    (sqlite3_int64)(from - 1) * 86400, (sqlite3_int64)(to + 2) * 86400);
		from = d - fwd;
		to = d + back;
		open = true;
	}
	if (open && rc == 0)
		rc = recompute_sessions(s, ALL_KINDS, n, cause, by_start,
		    (sqlite3_int64)(from - 1) * 86400, (sqlite3_int64)(to + 2) * 86400);
	s->changed_only = false;
	workcal_free(old);
	return rc;
}

static const char *const every = "SELECT id FROM session WHERE id BETWEEN ? AND ? "
    "ORDER BY id";

/* A session as every deadline needs it: where its rules come from and
 * its anchor. */
struct session_at {
	sqlite3_int64		 id;
	char			*slug;
	struct civil_moment	 anchor;
};

/*
 * The sessions in memory, in the order of their ids.  Ids are mostly
 * dense, and then slot[id - first] is the place of a session plus one (0:
 * none), one load per Beratung instead of a binary search that misses the
 * cache at most of its steps (a million Beratungen in random order of
 * sessions took a second of them).
 */
struct sessions {
	struct session_at	*at;
	size_t			 n;
	sqlite3_int64		 first;
	uint32_t		*slot;		/* NULL: ids too sparse */
	size_t			 span;
};

static void
sessions_index(struct sessions *ss)
{
	size_t i;

	if (ss->n == 0 || ss->n > UINT32_MAX - 1)
		return;
	ss->first = ss->at[0].id;
	if ((uint64_t)(ss->at[ss->n - 1].id - ss->first) >= 4 * (uint64_t)ss->n + 1024)
		return;
	ss->span = (size_t)(ss->at[ss->n - 1].id - ss->first) + 1;
	ss->slot = xcalloc(ss->span, sizeof(*ss->slot));
	for (i = 0; i < ss->n; i++)
		ss->slot[ss->at[i].id - ss->first] = (uint32_t)i + 1;
}

static int
session_at_cmp(const void *key, const void *elem)
{
	sqlite3_int64 id = *(const sqlite3_int64 *)key;
	const struct session_at *sa = elem;

	return id < sa->id ? -1 : id > sa->id;
}

/* The session of a Beratung, from the sessions in memory. */
static const struct session_at *
session_of(const struct sessions *ss, sqlite3_int64 id, char **cause)
{
	const struct session_at *sa = NULL;

	if (ss->slot == NULL)
		sa = bsearch(&id, ss->at, ss->n, sizeof(*ss->at), session_at_cmp);
	else if (id >= ss->first && (uint64_t)(id - ss->first) < ss->span &&
	    ss->slot[id - ss->first] != 0)
		sa = &ss->at[ss->slot[id - ss->first] - 1];
	if (sa == NULL)
		set_cause(cause, "no session %lld", (long long)id);
	return sa;
}

/*
 * The Vorlagenfristen into an empty table: a submission's deadline in a
 * session depends on the session and the submission's kind only, so each
 * pair's result goes once into a temporary table, and one statement
 * writes every Beratung's row from it in the order the submissions are
 * stored, as the row by row way does: a million rows through a bound
 * statement each took twice as long.  A pair's key is one integer (the
 * session's id and the kind's place among the rule names), which SQLite
 * finds faster than a key of a number and a text.
 */
static int
every_beratung_fresh(struct sync *s, const struct sessions *ss, char **cause)
{
	struct store *store = s->ikd->store;
	const struct session_at *sa;
	const struct named_rule *nr;
	const struct memo *m;
	sqlite3_stmt *st;
	const char *kind;
	sqlite3_int64 cache;
	unsigned *kinds, bit;
	char *restore, *pair, *sql;
	size_t i = 0;
	int rc;

	/* Its lookups stay in memory: SQLite's temporary file is slow. */
	if (store_get_int(store, cause, &cache, "PRAGMA temp.cache_size", "") == -1 ||
	    store_exec(store, cause, "PRAGMA temp.cache_size = -16384", "") == -1 ||
	    store_exec(store, cause, "CREATE TEMP TABLE deadline_bulk (pair INTEGER PRIMARY "
	    "KEY, rule TEXT NOT NULL, due_date TEXT NOT NULL, due_minute INTEGER, text_id "
	    "INTEGER NOT NULL)", "") == -1 ||
	    (st = store_query(store, cause, "SELECT r.session_id, b.kind FROM submission b "
	    "JOIN beratung r ON r.submission_id = b.id", "")) == NULL)
		return -1;
	/* The kinds (rule bits) each session has had so far. */
	kinds = xcalloc(ss->n + 1, sizeof(*kinds));
	while ((rc = store_next(store, st, cause)) == 1) {
		kind = (const char *)sqlite3_column_text(st, 1);
		if ((sa = session_of(ss, sqlite3_column_int64(st, 0), cause)) == NULL) {
			rc = -1;
			break;
		}
		if ((kinds[sa - ss->at] & (bit = kind_bit(kind))) != 0)
			continue;
		kinds[sa - ss->at] |= bit;
		if (++i % BUSY_SESSIONS == 0)
			ikond_busy(s->ikd, "recomputing deadlines, the sessions' Vorlagen",
			    (size_t)(sa - ss->at), ss->n);
		if ((nr = config_rule(s->ikd->cfg, kind, sa->slug)) == NULL)
			rc = set_cause(cause, "no rule for \"%s\"", kind);
		else if ((rc = compute(s, nr, sa->anchor, &m, cause)) == 0)
			rc = store_exec(store, cause, "INSERT INTO temp.deadline_bulk (pair, "
			    "rule, due_date, due_minute, text_id) VALUES (? * 64 + ?, ?, ?, "
			    "nullif(?, -1), ?)", "iittii", sa->id, (sqlite3_int64)kind_place(bit),
			    nr->text, m->date, (sqlite3_int64)m->due_minute, m->text_id);
		if (rc == -1)
			break;
	}
	store_done(store, st);
	free(kinds);
	/* The same key in SQL: "CASE b.kind WHEN 'ladungsfrist' THEN 0 ... END". */
	pair = xstrdup("CASE b.kind");
	for (i = 0; config_rule_names[i] != NULL; i++) {
		xasprintf(&sql, "%s WHEN '%s' THEN %zu", pair, config_rule_names[i], i);
		free(pair);
		pair = sql;
	}
	xasprintf(&sql, "INSERT INTO deadline (rule, due_date, due_minute, text_id, "
	    "updated_at, session_id, submission_id, kind) SELECT v.rule, v.due_date, "
	    "v.due_minute, v.text_id, ?, r.session_id, r.submission_id, b.kind FROM "
	    "submission b JOIN beratung r ON r.submission_id = b.id CROSS JOIN "
	    "temp.deadline_bulk v ON v.pair = r.session_id * 64 + (%s END)", pair);
	if (rc == -1 || store_exec(store, cause, sql, "i", (sqlite3_int64)time(NULL)) == -1 ||
	    store_exec(store, cause, "DROP TABLE temp.deadline_bulk", "") == -1)
		rc = -1;
	free(pair);
	free(sql);
	xasprintf(&restore, "PRAGMA temp.cache_size = %lld", (long long)cache);
	if (store_exec(store, rc == -1 ? NULL : cause, restore, "") == -1)
		rc = -1;
	free(restore);
	return rc == -1 ? -1 : 0;
}

/* The Vorlagenfristen row by row, each compared with the stored one. */
static int
every_beratung(struct sync *s, const struct sessions *ss, char **cause)
{
	struct store *store = s->ikd->store;
	const struct session_at *sa;
	const struct named_rule *nr;
	sqlite3_stmt *st;
	sqlite3_int64 id;
	const char *kind;
	int rc;

	if ((st = store_query(store, cause, "SELECT r.session_id, r.submission_id, b.kind "
	    "FROM submission b JOIN beratung r ON r.submission_id = b.id", "")) == NULL)
		return -1;
	while ((rc = store_next(store, st, cause)) == 1) {
		id = sqlite3_column_int64(st, 0);
		kind = (const char *)sqlite3_column_text(st, 2);
		if ((sa = session_of(ss, id, cause)) == NULL)
			rc = -1;
		else if ((nr = config_rule(s->ikd->cfg, kind, sa->slug)) == NULL)
			rc = set_cause(cause, "no rule for \"%s\"", kind);
		else
			rc = upsert(s, id, sqlite3_column_int64(st, 1), kind, nr, sa->anchor,
			    cause);
		if (rc == -1)
			break;
	}
	store_done(store, st);
	return rc == -1 ? -1 : 0;
}

/*
 * Every deadline: first each session's own, then the Vorlagenfristen in
 * the order the submissions are stored, so that reading them walks the
 * tables instead of jumping to each session's submissions; the sessions
 * are kept in memory meanwhile.  *n counts the sessions.
 */
static int
every_deadline(struct sync *s, size_t *n, char **cause)
{
	struct ikond *ikd = s->ikd;
	struct store *store = ikd->store;
	struct sessions ss;
	struct session_at *sa;
	sqlite3_stmt *st;
	sqlite3_int64 total;
	size_t i;
	int rc;

	if (store_get_int(store, cause, &total, "SELECT count(*) FROM session", "") == -1)
		return -1;
	memset(&ss, 0, sizeof(ss));
	ss.at = xcalloc((size_t)total + 1, sizeof(*ss.at));
	if ((st = store_query(store, cause, "SELECT s.id, s.start_utc, c.slug, c.kind "
	    "FROM session s JOIN committee c ON c.id = s.committee_id ORDER BY s.id",
	    "")) == NULL) {
		free(ss.at);
		return -1;
	}
	while ((rc = store_next(store, st, cause)) == 1 && ss.n <= (size_t)total) {
		if (ss.n % BUSY_SESSIONS == 0)
			ikond_busy(ikd, "recomputing deadlines, sessions", ss.n, (size_t)total);
		sa = &ss.at[ss.n++];
		sa->id = sqlite3_column_int64(st, 0);
		civil_from_utc(ikd->cfg->body_timezone, (time_t)sqlite3_column_int64(st, 1),
		    &sa->anchor.days, &sa->anchor.minute, NULL);
		sa->slug = store_column_dup(st, 2);
		if (!has_session_deadlines((const char *)sqlite3_column_text(st, 3)))
			continue;
		for (i = 0; session_kinds[i] != NULL && rc == 1; i++)
			if (upsert(s, sa->id, 0, session_kinds[i], config_rule(ikd->cfg,
			    session_kinds[i], sa->slug), sa->anchor, cause) == -1)
				rc = -1;
		if (rc == -1)
			break;
	}
	store_done(store, st);
	if (rc != -1) {
		sessions_index(&ss);
		rc = s->fresh ? every_beratung_fresh(s, &ss, cause) :
		    every_beratung(s, &ss, cause);
	}
	for (i = 0; i < ss.n; i++)
		free(ss.at[i].slug);
	free(ss.at);
	free(ss.slot);
	*n += ss.n;
	return rc == -1 ? -1 : 0;
}

/*
 * Every deadline.  Into an empty table (a new database, or rows written
 * without deadlines) they go without comparing, and its indexes are made
 * afterwards in one pass each.
 */
static int
recompute_all(struct sync *s, size_t *n, char **cause)
{
	struct store *store = s->ikd->store;
	json_t *indexes = NULL;
	sqlite3_int64 cache;
	char *restore;
	int rc;

	if (store_get_int(store, cause, &cache, "PRAGMA cache_size", "") == -1 ||
	    (rc = store_exists(store, cause, "SELECT 1 FROM deadline", "")) == -1)
		return -1;
	if (rc == 0 && (indexes = store_indexes_drop(store, "deadline", cause)) == NULL)
		return -1;
	s->fresh = indexes != NULL;
	rc = s->fresh ? store_exists(store, cause, "SELECT 1 FROM deadline_text", "") : 1;
	s->texts_new = rc == 0;
	/* PRAGMA takes no parameters: the old size comes back as text. */
	xasprintf(&restore, "PRAGMA cache_size = %lld", (long long)cache);
	if (rc != -1 && (rc = store_exec(store, cause, "PRAGMA cache_size = " BULK_CACHE,
	    "")) != -1)
		rc = every_deadline(s, n, cause);
	s->fresh = s->texts_new = false;
	if (rc == 0 && indexes != NULL)
		rc = store_indexes_create(store, indexes, cause);
	if (store_exec(store, rc == 0 ? cause : NULL, restore, "") == -1)
		rc = -1;
	free(restore);
	json_decref(indexes);
	return rc;
}

int
deadline_catch_up(struct ikond *ikd, struct deadline_catch_up *out, char **cause)
{
	json_t *now = basis_of(ikd->cfg), *then = NULL;
	char *now_text = json_dumps(now, JSON_COMPACT | JSON_SORT_KEYS), *then_text = NULL;
	struct sync *s = sync_new(ikd);
	unsigned mask;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_get_text(ikd->store, cause, &then_text, "SELECT basis FROM "
	    "deadline_basis WHERE id = 1", "")) == -1)
		goto done;
	if (rc == 1 && strcmp(then_text, now_text) == 0) {
		rc = 0;
		goto done;
	}
	if (rc == 1 && (then = json_loads(then_text, 0, NULL)) != NULL &&
	    json_equal(json_object_get(then, "timezone"), json_object_get(now, "timezone"))) {
		out->what = DEADLINE_CHANGES;
		if ((mask = changed_kinds(then, now)) != 0)
			rc = recompute_sessions(s, mask, &out->sessions, cause, every, 0,
			    INT64_MAX);
		else
			rc = 0;
		if (rc == 0)
			rc = calendar_changes(s, then, now, &out->sessions, cause);
	} else
		rc = 1;
	if (rc == 1) {
		out->what = DEADLINE_ALL;
		out->sessions = 0;
		rc = recompute_all(s, &out->sessions, cause);
	}
	if (rc == 0)
		rc = store_exec(ikd->store, cause, "INSERT OR REPLACE INTO deadline_basis "
		    "(id, basis) VALUES (1, ?)", "t", now_text) == -1 ? -1 : 0;
	out->moved = s->moved;
done:
	sync_free(s);
	json_decref(now);
	json_decref(then);
	free(now_text);
	free(then_text);
	return rc;
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

#define DEADLINE_COLUMNS "d.id, d.session_id AS session, d.submission_id AS submission, " \
	"d.kind, d.due_date AS date, CASE WHEN d.due_minute IS NULL THEN NULL ELSE " \
	"printf('%02d:%02d', d.due_minute / 60, d.due_minute % 60) END AS time, d.rule, " \
	"t.explanation FROM deadline d JOIN deadline_text t ON t.id = d.text_id"

json_t *
deadline_list_session(struct ikond *ikd, sqlite3_int64 session_id, char **cause)
{
	return deadline_rows(ikd, "SELECT " DEADLINE_COLUMNS " WHERE d.session_id = ? AND "
	    "d.submission_id IS NULL ORDER BY d.due_date, d.kind", session_id, cause);
}

json_t *
deadline_list_submission(struct ikond *ikd, sqlite3_int64 submission_id, char **cause)
{
	return deadline_rows(ikd, "SELECT " DEADLINE_COLUMNS " WHERE d.submission_id = ? "
	    "ORDER BY d.due_date, d.kind", submission_id, cause);
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

/* How many days before its session a deadline may lie at most, under the
 * current rules and calendar. */
static int
back_reach(const struct config *cfg)
{
	int d, day = today_of(cfg), run = 0, len = 0, n, back = 0;
	size_t i;

	for (d = day - 400; d <= day + 400; d++) {
		len = workcal_is_working_day(cfg->workcal, d) ? 0 : len + 1;
		if (len > run)
			run = len;
	}
	for (i = 0; i < cfg->n_rules; i++)
		if (cfg->rules[i].text[0] == '-' && (n = reach(cfg->rules[i].text, run)) > back)
			back = n;
	return back;
}

json_t *
deadline_problems(struct ikond *ikd, char **cause)
{
	json_t *list = json_array();
	sqlite3_stmt *st;
	char now[11], *text;
	int rc;

	civil_format_date(today(ikd), now);
	/* Only sessions within the rules' reach of today can have a deadline
	 * behind them: a few hundred, not every deadline before today (the
	 * CROSS JOINs keep SQLite from starting there to save the sort). */
	if ((st = store_query(ikd->store, cause, "SELECT b.id, b.title, d.due_date "
	    "FROM session s CROSS JOIN beratung r ON r.session_id = s.id "
	    "CROSS JOIN deadline d ON d.submission_id = r.submission_id AND "
	    "d.session_id = s.id CROSS JOIN submission b ON b.id = d.submission_id "
	    "WHERE s.start_utc > strftime('%s', 'now') AND s.start_utc <= ?2 "
	    "AND s.state <> 'cancelled' AND b.state = 'draft' AND d.due_date < ?1 "
	    "ORDER BY d.due_date", "ti", now,
	    ((sqlite3_int64)today(ikd) + back_reach(ikd->cfg) + 2) * 86400)) == NULL)
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
