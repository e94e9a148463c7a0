/*
 * oparl_sync: making, applying and scheduling OParl runs (see
 * oparl_sync.h).  The server's state (table oparl_state) is keyed by the
 * URL asked for, with the body number if that is a system.  It keeps per
 * list the modified_since of the next run and a fingerprint of the
 * selection (map, kinds, persons): a run with another selection asks for
 * everything again, or a committee mapped later would never see its
 * older meetings.  modified_since is the latest "modified" the run saw,
 * but never later than ten minutes before the run began, so an object
 * changed on a page already read during the run comes again next time.
 */
#include "oparl_sync.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bgjob.h"
#include "buf.h"
#include "domain.h"
#include "entity.h"
#include "i18n.h"
#include "log.h"
#include "oparl.h"
#include "oparl_fetch.h"
#include "ris.h"
#include "submission.h"
#include "timefmt.h"
#include "xmalloc.h"

#define SINCE_MARGIN	600	/* seconds before the run's start */
/* Lists whose modified_since the state keeps (papers are asked for). */
#define STORED_LISTS	OPARL_PAPERS

struct oparl_job {
	char			*server;	/* the state's key */
	char			*trigger;
	struct oparl_params	*params;
	struct oparl_result	 result;
	struct title_map	*map;
	size_t			 nmap;
	struct title_map	*kinds;
	size_t			 nkinds;
	bool			 persons;
	unsigned		 flags;
	char			*selection;
	char			*since[OPARL_LIST_COUNT];	/* as the last run left them */
};

/* The last run, for status. */
struct run_record {
	time_t	 at;
	char	*server;
	char	*trigger;
	bool	 ok;
	char	*text;		/* the summary, or the error */
};

struct oparl_sync {
	struct bgjob		*job;
	char			*body;		/* the oparl.body the schedule is for */
	time_t			 next_run;
	struct run_record	 last;
};

static char *
selection_of(const struct oparl_options *opt)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_printf(&b, "persons=%d", opt->persons ? 1 : 0);
	for (i = 0; i < opt->nmap; i++)
		buf_printf(&b, "\nmap %s=%s", opt->map[i].committee, opt->map[i].pattern);
	for (i = 0; i < opt->nkinds; i++)
		buf_printf(&b, "\nkind %s=%s", opt->kinds[i].committee, opt->kinds[i].pattern);
	return buf_steal(&b, NULL);
}

struct oparl_job *
oparl_job_new(struct ikond *ikd, const char *url, int body_index,
    const struct oparl_options *opt, const char *trigger, char **cause)
{
	struct oparl_job *job = xcalloc(1, sizeof(*job));
	sqlite3_stmt *st;
	size_t i;
	bool same;

	if (body_index > 0)
		xasprintf(&job->server, "%s body %d", url, body_index);
	else
		job->server = xstrdup(url);
	job->trigger = xstrdup(trigger);
	job->params = oparl_params_new(url, ikd->cfg->body_timezone, ikd->cfg->oparl_timeout);
	job->params->body_index = body_index;
	job->map = title_map_copy(opt->map, opt->nmap);
	job->nmap = opt->nmap;
	job->kinds = title_map_copy(opt->kinds, opt->nkinds);
	job->nkinds = opt->nkinds;
	job->persons = opt->persons;
	job->flags = opt->flags;
	job->selection = selection_of(opt);
	job->params->lists[OPARL_ORGANIZATIONS] = true;
	job->params->lists[OPARL_MEETINGS] = true;
	job->params->lists[OPARL_PERSONS] = opt->persons;
	if (opt->nrefs > 0 || opt->papers_since >= 0 || opt->paper_type != NULL) {
		job->params->lists[OPARL_PAPERS] = true;
		job->params->papers.refs = xcalloc(opt->nrefs + 1, sizeof(char *));
		for (i = 0; i < opt->nrefs; i++)
			job->params->papers.refs[i] = xstrdup(opt->refs[i]);
		job->params->papers.nrefs = opt->nrefs;
		job->params->papers.since = opt->papers_since;
		if (opt->paper_type != NULL)
			job->params->papers.type = xstrdup(opt->paper_type);
	}
	switch (store_first(ikd->store, cause, &st, "SELECT selection, organization_since, "
	    "meeting_since, person_since FROM oparl_state WHERE server = ?", "t", job->server)) {
	case -1:
		oparl_job_free(job);
		return NULL;
	case 1:
		same = strcmp((const char *)sqlite3_column_text(st, 0), job->selection) == 0;
		for (i = 0; i < STORED_LISTS; i++) {
			if (sqlite3_column_type(st, (int)i + 1) == SQLITE_NULL)
				continue;
			job->since[i] = store_column_dup(st, (int)i + 1);
			if (same && !opt->full)
				job->params->since[i] = xstrdup(job->since[i]);
		}
		store_done(ikd->store, st);
		break;
	}
	return job;
}

void
oparl_job_fetch(void *arg, struct reply *rep)
{
	struct oparl_job *job = arg;

	(void)rep;
	oparl_fetch(job->params, &job->result);
}

void
oparl_job_cancel(void *arg)
{
	struct oparl_job *job = arg;

	atomic_store(&job->params->cancel, true);
}

void
oparl_job_free(void *arg)
{
	struct oparl_job *job = arg;
	size_t i;

	if (job == NULL)
		return;
	free(job->server);
	free(job->trigger);
	oparl_params_free(job->params);
	oparl_result_clear(&job->result);
	title_map_free(job->map, job->nmap);
	title_map_free(job->kinds, job->nkinds);
	free(job->selection);
	for (i = 0; i < OPARL_LIST_COUNT; i++)
		free(job->since[i]);
	free(job);
}

/* --- committees --- */

/* Default kinds, tried in order on "classification name" (ignoring case). */
static const struct {
	const char	*pattern;
	const char	*kind;
} default_kinds[] = {
	{ "kreistag", "kreistag" },
	{ "kreisausschuss", "kreisausschuss" },
	{ "verwaltungsausschuss", "verwaltungsausschuss" },
	{ "hauptausschuss", "verwaltungsausschuss" },
	{ "haupt- und finanzausschuss", "verwaltungsausschuss" },
	{ "integrationsbeirat", "integrationsbeirat" },
	{ "integrationsrat", "integrationsbeirat" },
	{ "migrationsbeirat", "integrationsbeirat" },
	{ "ausländerbeirat", "integrationsbeirat" },
	{ "beirat", "fachausschuss" },
	{ "ortsrat", "fachausschuss" },
	{ "bezirks", "fachausschuss" },
	{ "parlament", "rat" },
	{ "stadtverordnetenversammlung", "rat" },
	{ "ratsversammlung", "rat" },
	{ "bürgerschaft", "rat" },
	{ "gemeinderat", "rat" },
	{ "stadtrat", "rat" },
	{ "rat der", "rat" },
	{ "arbeitsgruppe", "arbeitsgruppe" },
	{ "arbeitskreis", "arbeitsgruppe" },
};

static const char *
kind_for(const struct oparl_job *job, const struct oparl_organization *g)
{
	char *both;
	const char *kind = "fachausschuss";
	size_t i;

	for (i = 0; i < job->nkinds; i++)
		if (vocab_has(committee_kinds, job->kinds[i].committee) &&
		    (ris_pattern_match(job->kinds[i].pattern, g->classification) ||
		    ris_pattern_match(job->kinds[i].pattern, g->name) ||
		    ris_pattern_match(job->kinds[i].pattern, g->short_name)))
			return job->kinds[i].committee;
	xasprintf(&both, "%s %s %s", g->classification ? g->classification : "",
	    g->name ? g->name : "", g->short_name ? g->short_name : "");
	for (i = 0; i < sizeof(default_kinds) / sizeof(default_kinds[0]); i++)
		if (ris_pattern_match(default_kinds[i].pattern, both) &&
		    vocab_has(committee_kinds, default_kinds[i].kind)) {
			kind = default_kinds[i].kind;
			break;
		}
	free(both);
	return kind;
}

/* The slug the map gives the organisation, or NULL. */
static const char *
mapped_slug(const struct oparl_job *job, const struct oparl_organization *g)
{
	size_t i;

	for (i = 0; i < job->nmap; i++)
		if (strcmp(job->map[i].pattern, g->id) == 0 ||
		    ris_pattern_match(job->map[i].pattern, g->name) ||
		    ris_pattern_match(job->map[i].pattern, g->short_name))
			return job->map[i].committee;
	return NULL;
}

/* A slug made of a name: ASCII, umlauts spelt out, "-" for the rest. */
static void
slug_of(const char *name, char *out, size_t max)
{
	static const struct {
		const char *from, *to;
	} spell[] = {
		{ "ä", "ae" }, { "ö", "oe" }, { "ü", "ue" }, { "Ä", "ae" }, { "Ö", "oe" },
		{ "Ü", "ue" }, { "ß", "ss" },
	};
	const char *p = name != NULL ? name : "";
	size_t n = 0, i, k;

	while (*p != '\0' && n + 2 < max) {
		for (i = 0; i < sizeof(spell) / sizeof(spell[0]); i++) {
			k = strlen(spell[i].from);
			if (strncmp(p, spell[i].from, k) == 0)
				break;
		}
		if (i < sizeof(spell) / sizeof(spell[0])) {
			out[n++] = spell[i].to[0];
			out[n++] = spell[i].to[1];
			p += k;
			continue;
		}
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			out[n++] = *p;
		else if (*p >= 'A' && *p <= 'Z')
			out[n++] = (char)(*p - 'A' + 'a');
		else if (n > 0 && out[n - 1] != '-')
			out[n++] = '-';
		p++;
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
}

/* A free slug of table (committee or actor) for name: "name", "name-2", ... */
static int
free_slug(struct ikond *ikd, bool actor, const char *name, const char *fallback,
    char out[49], char **cause)
{
	char base[41];
	sqlite3_int64 id;
	int i, rc;

	slug_of(name, base, sizeof(base));
	if (base[0] == '\0')
		snprintf(base, sizeof(base), "%s", fallback);
	for (i = 1; i < 1000; i++) {
		if (i == 1)
			snprintf(out, 49, "%s", base);
		else
			snprintf(out, 49, "%s-%d", base, i);
		rc = actor ? entity_find_actor(ikd, out, &id, cause) :
		    entity_find_committee(ikd, out, &id, cause);
		if (rc != 1)
			return rc;
	}
	return set_cause(cause, "no free slug for \"%s\"", name);
}

/* Links (and makes, if need be) the committee of an organisation. */
static int
apply_organization(struct ikond *ikd, const struct oparl_job *job,
    const struct oparl_organization *g, struct ris_report *r, char **cause)
{
	sqlite3_int64 id = 0, now = (sqlite3_int64)time(NULL);
	const char *slug, *kind;
	char *name, fresh[49];
	int rc;

	if (g->deleted)
		return 0;
	if ((rc = store_exists(ikd->store, cause, "SELECT 1 FROM committee_source WHERE "
	    "source = 'oparl' AND source_id = ?", "t", g->id)) != 0)
		return rc == -1 ? -1 : 0;
	slug = mapped_slug(job, g);
	if (slug == NULL && (job->nmap > 0 || (g->type != NULL &&
	    strcasecmp(g->type, "Gremium") != 0)))
		return 0;	/* not asked for, or a Fraktion, Verwaltungsbereich, ... */
	if ((name = ris_text_line(g->name ? g->name : g->short_name, 200)) == NULL)
		name = ris_text_line(g->id, 200);
	if (slug != NULL)
		rc = entity_find_committee(ikd, slug, &id, cause);
	else
		rc = store_get_int(ikd->store, cause, &id, "SELECT id FROM committee WHERE "
		    "lower(name) = lower(?) ORDER BY id LIMIT 1", "t", name);
	if (rc == 0) {
		if (slug == NULL && free_slug(ikd, false, g->short_name ? g->short_name : name,
		    "gremium", fresh, cause) == -1) {
			free(name);
			return -1;
		}
		kind = kind_for(job, g);
		rc = store_exec(ikd->store, cause, "INSERT INTO committee (slug, name, kind, "
		    "internal, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)", "tttii",
		    slug ? slug : fresh, name, kind, now, now);
		if (rc != -1) {
			id = store_last_id(ikd->store);
			ris_report_record(r, "committee", slug ? slug : fresh, name, g->id);
		}
	}
	free(name);
	if (rc == -1)
		return -1;
	return store_exec(ikd->store, cause, "INSERT INTO committee_source (source, source_id, "
	    "committee_id) VALUES ('oparl', ?, ?)", "ti", g->id, id) == -1 ? -1 : 0;
}

/* The committee of the first of ids that is linked; 0 if none. */
static int
committee_of(struct ikond *ikd, char *const *ids, size_t n, sqlite3_int64 *cid, char **cause)
{
	size_t i;
	int rc;

	*cid = 0;
	for (i = 0; i < n; i++) {
		rc = store_get_int(ikd->store, cause, cid, "SELECT committee_id FROM "
		    "committee_source WHERE source = 'oparl' AND source_id = ?", "t", ids[i]);
		if (rc != 0)
			return rc == -1 ? -1 : 0;
	}
	return 0;
}

static int
apply_meeting(struct ikond *ikd, const struct oparl_job *job, const struct oparl_meeting *m,
    struct ris_report *r, char **cause)
{
	struct ris_session in;
	char *title = NULL;
	int rc;

	if (m->deleted)
		return ris_session_gone(ikd, RIS_OPARL, m->id, "deleted in the source", job->flags,
		    r, cause);
	memset(&in, 0, sizeof(in));
	if (committee_of(ikd, m->organizations, m->norganizations, &in.committee_id,
	    cause) == -1)
		return -1;
	if (in.committee_id == 0) {
		ris_report_ignored(r);
		return 0;
	}
	in.cancelled = ris_cancel_marker(m->name, &title) || m->cancelled;
	in.source_id = m->id;
	in.title = title;
	in.start = m->start;
	in.end = m->end;
	in.location = m->location;
	in.url = m->web;
	rc = ris_session_apply(ikd, RIS_OPARL, &in, job->flags, r, cause);
	free(title);
	return rc;
}

/* An actor without e-mail (reminders off until one is set) and its seats. */
static int
apply_person(struct ikond *ikd, const struct oparl_person *p, struct ris_report *r,
    char **cause)
{
	sqlite3_int64 aid = 0, cid, now = (sqlite3_int64)time(NULL);
	char slug[49], *committee;
	size_t i;
	int rc;

	if (p->deleted)
		return 0;
	for (i = 0; i < p->nmemberships; i++) {
		if (p->memberships[i].ended)
			continue;
		if (committee_of(ikd, &p->memberships[i].organization, 1, &cid, cause) == -1)
			return -1;
		if (cid == 0)
			continue;
		if (aid == 0) {
			rc = store_get_int(ikd->store, cause, &aid, "SELECT actor_id FROM "
			    "actor_source WHERE source = 'oparl' AND source_id = ?", "t", p->id);
			if (rc == -1)
				return -1;
			if (rc == 0) {
				if (free_slug(ikd, true, p->name, "person", slug, cause) == -1 ||
				    store_exec(ikd->store, cause, "INSERT INTO actor (slug, name, "
				    "email, org, reminders, created_at, updated_at) VALUES (?, ?, '', "
				    "'', 'none', ?, ?)", "ttii", slug, p->name, now, now) == -1)
					return -1;
				aid = store_last_id(ikd->store);
				if (store_exec(ikd->store, cause, "INSERT INTO actor_source (source, "
				    "source_id, actor_id) VALUES ('oparl', ?, ?)", "ti", p->id, aid) ==
				    -1)
					return -1;
				ris_report_record(r, "actor", slug, p->name, p->id);
			}
		}
		if ((rc = store_exec(ikd->store, cause, "INSERT INTO membership (actor_id, "
		    "committee_id, role) VALUES (?, ?, coalesce(?, 'Mitglied')) "
		    "ON CONFLICT DO NOTHING", "iit", aid, cid, p->memberships[i].role)) == -1)
			return -1;
		if (rc == 0)
			continue;	/* the seat was there */
		if (store_get_text(ikd->store, cause, &committee, "SELECT slug FROM committee "
		    "WHERE id = ?", "i", cid) == -1)
			return -1;
		ris_report_record(r, "seat", committee, p->name, p->id);
		free(committee);
	}
	return 0;
}

/* OParl's free-text role (and "authoritative") as a Beratung role. */
static const char *
role_for(const struct oparl_consultation *c)
{
	static const struct {
		const char *pattern, *role;
	} roles[] = {
		{ "anhör", "anhoerung" }, { "anhoer", "anhoerung" }, { "vorberat", "vorberatung" },
		{ "kenntnis", "kenntnisnahme" }, { "entscheid", "entscheidung" },
		{ "beschluss", "entscheidung" },
	};
	size_t i;

	for (i = 0; c->role != NULL && i < sizeof(roles) / sizeof(roles[0]); i++)
		if (ris_pattern_match(roles[i].pattern, c->role))
			return roles[i].role;
	return c->authoritative ? "entscheidung" : "vorberatung";
}

static const char *
kind_of_paper(const struct oparl_paper *p)
{
	if (ris_pattern_match("beschluss", p->type))
		return "beschlussvorlage";
	if (ris_pattern_match("mitteilung", p->type) || ris_pattern_match("information",
	    p->type) || ris_pattern_match("bericht", p->type) || ris_pattern_match("anfrage",
	    p->type))
		return "mitteilungsvorlage";
	return "verwaltungsvorlage";
}

/*
 * A Paper as a submission with its Consultations as Beratungen: the one
 * it was imported as, else the one with its reference (a Vorlage the
 * planner made), else a new one without an owner.  Beratungen are only
 * added: those made here stay.
 */
static int
apply_paper(struct ikond *ikd, const struct oparl_paper *p, struct ris_report *r,
    char **cause)
{
	struct beratung_spec b[SUBMISSION_BERATUNGEN_MAX];
	struct submission_spec spec;
	const char *text[SUBMISSION_BERATUNGEN_MAX];
	sqlite3_int64 id = 0, sid;
	char *title, *detail;
	size_t i, k, n = 0;
	int rc;

	if ((rc = store_get_int(ikd->store, cause, &id, "SELECT submission_id FROM "
	    "submission_source WHERE source = 'oparl' AND source_id = ?", "t", p->id)) == -1)
		return -1;
	if (p->deleted) {
		if (rc == 0)
			return 0;
		if ((rc = store_exec(ikd->store, cause, "UPDATE submission SET state = "
		    "'withdrawn', updated_at = ? WHERE id = ? AND state <> 'withdrawn'", "ii",
		    (sqlite3_int64)time(NULL), id)) > 0)
			ris_report_record(r, "withdrawn", p->reference ? p->reference : "",
			    p->name, p->id);
		return rc == -1 ? -1 : 0;
	}
	for (i = 0; i < p->nconsultations && n < SUBMISSION_BERATUNGEN_MAX; i++) {
		if (p->consultations[i].meeting == NULL)
			continue;
		if ((rc = store_get_int(ikd->store, cause, &sid, "SELECT session_id FROM "
		    "session_source WHERE source = 'oparl' AND source_id = ?", "t",
		    p->consultations[i].meeting)) == -1)
			return -1;
		for (k = 0; k < n && rc == 1 && b[k].session_id != sid; k++)
			;
		if (rc == 0 || k < n)
			continue;
		b[n].session_id = sid;
		b[n].role = role_for(&p->consultations[i]);
		text[n++] = p->consultations[i].role;
	}
	if (n == 0) {
		xasprintf(&detail, "paper %s: none of its consultations is at an imported meeting",
		    p->reference ? p->reference : p->id);
		ris_report_reject(r, 0, p->id, detail);
		free(detail);
		return 0;
	}
	if (id == 0 && p->reference != NULL && (rc = store_get_int(ikd->store, cause, &id,
	    "SELECT id FROM submission WHERE ref = ? ORDER BY id LIMIT 1", "t",
	    p->reference)) == -1)
		return -1;
	if (id == 0) {
		memset(&spec, 0, sizeof(spec));
		title = ris_text_line(p->name ? p->name : p->reference ? p->reference : p->id,
		    RIS_TITLE_MAX);
		spec.ref = p->reference;
		spec.title = title;
		spec.kind = kind_of_paper(p);
		rc = submission_create(ikd, &spec, b, n, &id, cause);
		free(title);
		if (rc == -1)
			return -1;
		ris_report_record(r, "submission", p->reference ? p->reference : "", p->name,
		    p->id);
	} else {
		for (i = 0; i < n; i++) {
			if ((rc = store_exists(ikd->store, cause, "SELECT 1 FROM beratung WHERE "
			    "submission_id = ? AND session_id = ?", "ii", id, b[i].session_id)) == -1)
				return -1;
			if (rc == 1)
				continue;
			if (submission_beratung_add(ikd, id, &b[i], cause) == -1)
				return -1;
			ris_report_record(r, "beratung", p->reference ? p->reference : "", p->name,
			    p->id);
		}
	}
	/* The server's word for each role, which may say more than the four. */
	for (i = 0; i < n; i++)
		if (text[i] != NULL && store_exec(ikd->store, cause, "UPDATE beratung SET "
		    "role_text = ? WHERE submission_id = ? AND session_id = ?", "tii", text[i], id,
		    b[i].session_id) == -1)
			return -1;
	return store_exec(ikd->store, cause, "INSERT INTO submission_source (source, source_id, "
	    "submission_id) VALUES ('oparl', ?, ?) ON CONFLICT DO NOTHING", "ti", p->id, id) ==
	    -1 ? -1 : 0;
}

static void
format_since(time_t t, char out[21])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
save_state(struct ikond *ikd, const struct oparl_job *job, const char *summary, char **cause)
{
	const struct oparl_result *res = &job->result;
	char since[STORED_LISTS][21];
	const char *value[STORED_LISTS];
	time_t latest, bound = res->started - SINCE_MARGIN;
	size_t i;

	for (i = 0; i < STORED_LISTS; i++) {
		value[i] = job->since[i];
		if (!job->params->lists[i])
			continue;
		latest = res->data->modified[i];
		if (latest == 0 && job->since[i] != NULL && job->params->since[i] != NULL)
			continue;	/* nothing changed since the last run */
		format_since(latest != 0 && latest < bound ? latest : bound, since[i]);
		value[i] = since[i];
	}
	return store_exec(ikd->store, cause, "INSERT INTO oparl_state (server, body_id, "
	    "selection, organization_since, meeting_since, person_since, last_ok_utc, summary) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (server) DO UPDATE SET "
	    "body_id = excluded.body_id, selection = excluded.selection, "
	    "organization_since = excluded.organization_since, "
	    "meeting_since = excluded.meeting_since, person_since = excluded.person_since, "
	    "last_ok_utc = excluded.last_ok_utc, summary = excluded.summary", "ttttttit",
	    job->server, res->body_id, job->selection, value[OPARL_ORGANIZATIONS],
	    value[OPARL_MEETINGS], value[OPARL_PERSONS], (sqlite3_int64)time(NULL),
	    summary) == -1 ? -1 : 0;
}

/* Everything of the run, inside the caller's transaction. */
static int
apply(struct ikond *ikd, const struct oparl_job *job, struct ris_report *r, char **cause)
{
	const struct oparl_data *d = job->result.data;
	char *summary;
	size_t i;
	int rc;

	for (i = 0; i < d->nskipped; i++)
		ris_report_reject(r, 0, NULL, d->skipped[i]);
	for (i = 0; i < d->norganizations; i++)
		if (apply_organization(ikd, job, &d->organizations[i], r, cause) == -1)
			return -1;
	for (i = 0; i < d->nmeetings; i++)
		if (apply_meeting(ikd, job, &d->meetings[i], r, cause) == -1)
			return -1;
	for (i = 0; job->persons && i < d->npersons; i++)
		if (apply_person(ikd, &d->persons[i], r, cause) == -1)
			return -1;
	for (i = 0; i < d->npapers; i++)
		if (apply_paper(ikd, &d->papers[i], r, cause) == -1)
			return -1;
	summary = ris_report_summary(r);
	rc = save_state(ikd, job, summary, cause);
	free(summary);
	if (rc == 0 && ris_report_changes(r) > 0)
		rc = store_audit(ikd->store, cause, 0, "import", "oparl", 0, job->server);
	return rc;
}

/* Keeps the run for status (runs of the command too). */
static void
record_run(struct oparl_sync *s, const struct oparl_job *job, bool ok, const char *text)
{
	if (s == NULL)
		return;
	free(s->last.server);
	free(s->last.trigger);
	free(s->last.text);
	s->last.at = time(NULL);
	s->last.server = xstrdup(job->server);
	s->last.trigger = xstrdup(job->trigger);
	s->last.ok = ok;
	s->last.text = xstrdup(text);
}

void
oparl_job_finish(struct ikond *ikd, void *arg, struct reply *rep)
{
	struct oparl_job *job = arg;
	struct ris_report *r;
	char *cause = NULL, *msg, *summary;

	if (job->result.error != NULL) {
		xasprintf(&msg, _("%s; nothing was changed"), job->result.error);
		record_run(ikd->oparl, job, false, msg);
		reply_cause(rep, 1, msg);
		return;
	}
	r = ris_report_new();
	if (store_begin(ikd->store, &cause) == -1 || apply(ikd, job, r, &cause) == -1 ||
	    store_commit(ikd->store, &cause) == -1) {
		store_rollback(ikd->store);
		xasprintf(&msg, _("%s: %s; nothing was changed"), job->server, cause);
		free(cause);
		record_run(ikd->oparl, job, false, msg);
		reply_cause(rep, 1, msg);
		ris_report_free(r);
		return;
	}
	ikond_data_changed(ikd);
	summary = ris_report_summary(r);
	record_run(ikd->oparl, job, true, summary);
	free(summary);
	rep->data = ris_report_json(r);
	json_object_set_new(rep->data, "server", json_string(job->server));
	json_object_set_new(rep->data, "body", json_string(job->result.body_id));
	if (job->result.body_name != NULL)
		json_object_set_new(rep->data, "body_name", json_string(job->result.body_name));
	json_object_set_new(rep->data, "requests", json_integer(job->result.requests));
	rep->text = ris_report_text(r);
	ris_report_free(r);
}

/* --- the timer --- */

struct oparl_sync *
oparl_sync_new(void)
{
	return xcalloc(1, sizeof(struct oparl_sync));
}

void
oparl_sync_free(struct oparl_sync *s)
{
	if (s == NULL)
		return;
	bgjob_free(s->job);
	free(s->body);
	free(s->last.server);
	free(s->last.trigger);
	free(s->last.text);
	free(s);
}

size_t
oparl_sync_pollfds(struct oparl_sync *s, struct pollfd *pfd, size_t max)
{
	if (s->job == NULL || max == 0)
		return 0;
	pfd[0].fd = bgjob_fd(s->job);
	pfd[0].events = POLLIN;
	pfd[0].revents = 0;
	return 1;
}

void
oparl_sync_handle(struct oparl_sync *s, struct ikond *ikd, const struct pollfd *pfd,
    size_t n)
{
	if (n == 0 || s->job == NULL || !(pfd[0].revents & POLLIN) || !bgjob_done(s->job))
		return;
	bgjob_finish(s->job, ikd);
	if (s->last.ok)
		log_info("oparl: %s: %s", s->last.server, s->last.text);
	else
		log_warnx("oparl: %s", s->last.text);
	bgjob_free(s->job);
	s->job = NULL;
	s->next_run = time(NULL) + ikd->cfg->oparl_interval;
}

void
oparl_sync_tick(struct oparl_sync *s, struct ikond *ikd, time_t now)
{
	const struct config *cfg = ikd->cfg;
	struct oparl_options opt;
	struct oparl_job *job;
	char *cause = NULL;

	if (cfg->oparl_body == NULL) {
		free(s->body);
		s->body = NULL;
		return;
	}
	if (s->body == NULL || strcmp(s->body, cfg->oparl_body) != 0) {
		free(s->body);
		s->body = xstrdup(cfg->oparl_body);
		s->next_run = now;
	}
	if (s->job != NULL || now < s->next_run)
		return;
	memset(&opt, 0, sizeof(opt));
	opt.map = cfg->oparl_map;
	opt.nmap = cfg->n_oparl_map;
	opt.kinds = cfg->oparl_kinds;
	opt.nkinds = cfg->n_oparl_kinds;
	opt.persons = cfg->oparl_persons;
	opt.papers_since = -1;
	if ((job = oparl_job_new(ikd, cfg->oparl_body, 0, &opt, "timer", &cause)) == NULL ||
	    (s->job = bgjob_start_then(oparl_job_fetch, oparl_job_finish, oparl_job_cancel, job,
	    oparl_job_free, &cause)) == NULL) {
		log_warnx("oparl: %s", cause);
		free(cause);
		oparl_job_free(job);
		s->next_run = now + cfg->oparl_interval;
		return;
	}
	log_debug("oparl: run of %s started", cfg->oparl_body);
}

json_t *
oparl_sync_status(struct oparl_sync *s, struct ikond *ikd, char **cause)
{
	const char *tz = ikd->cfg->body_timezone;
	json_t *o, *servers;
	size_t i;

	servers = store_get_rows(ikd->store, cause, "SELECT server, body_id AS body, "
	    "last_ok_utc, summary FROM oparl_state ORDER BY server", "");
	if (servers == NULL)
		return NULL;
	for (i = 0; i < json_array_size(servers); i++) {
		json_t *row = json_array_get(servers, i);

		json_object_set_new(row, "last_success", timefmt_iso_json(tz,
		    (time_t)json_integer_value(json_object_get(row, "last_ok_utc"))));
		json_object_del(row, "last_ok_utc");
	}
	o = json_pack("{s:s?, s:o}", "body", ikd->cfg->oparl_body, "servers", servers);
	if (ikd->cfg->oparl_body != NULL) {
		json_object_set_new(o, "interval_seconds", json_integer(ikd->cfg->oparl_interval));
		json_object_set_new(o, "running", json_boolean(s != NULL && s->job != NULL));
		if (s != NULL && s->job == NULL && s->next_run != 0)
			json_object_set_new(o, "next_run", timefmt_iso_json(tz, s->next_run));
	}
	if (s != NULL && s->last.at != 0)
		json_object_set_new(o, "last_run", json_pack("{s:o, s:s, s:s, s:s, s:s}",
		    "at", timefmt_iso_json(tz, s->last.at), "server", s->last.server,
		    "trigger", s->last.trigger, "result", s->last.ok ? "ok" : "failed",
		    s->last.ok ? "summary" : "error", s->last.text));
	return o;
}
