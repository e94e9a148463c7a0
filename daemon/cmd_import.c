/*
 * cmd_import: "import oparl URL" runs one OParl run (oparl_sync.h);
 * "import sessions FILE" reads the iCalendar export of a
 * council information system (sent by ikond-ctl as the request's input)
 * and brings the sessions in line with it through ris.h: by UID, else by
 * committee and day; cancelled by title or STATUS, or by their absence
 * from the dates the export covers; conflicts with changes made here
 * reported and kept.  A combined export is split by title patterns
 * (--map, then import.map).  A file that is not iCalendar at all changes
 * nothing; single events that cannot be used are reported with a reason
 * and the others are applied, all in the one transaction dispatch opened.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgjob.h"
#include "civil.h"
#include "dispatch.h"
#include "domain.h"
#include "entity.h"
#include "i18n.h"
#include "ics_import.h"
#include "oparl_sync.h"
#include "ris.h"
#include "xmalloc.h"

/* A title pattern and the committee it names. */
struct map_entry {
	char		*pattern;
	char		*slug;
	sqlite3_int64	 committee_id;
};

struct title_mapping {
	struct map_entry	*entries;
	size_t			 n;
	sqlite3_int64		 fallback;	/* --committee, or 0 */
};

/* --map PATTERN=SLUG options first, then import.map. */
static int
mapping_load(struct request *req, struct reply *rep, struct title_mapping *m)
{
	struct ikond *ikd = req->ikd;
	const struct config *cfg = req->cfg;
	size_t i, nopt = args_count(req->args, "map");
	const char *spec, *eq;
	char *cause = NULL;

	memset(m, 0, sizeof(*m));
	m->entries = xcalloc(nopt + cfg->n_import_map + 1, sizeof(*m->entries));
	for (i = 0; i < nopt; i++) {
		spec = args_nth(req->args, "map", i);
		if ((eq = strrchr(spec, '=')) == NULL || eq == spec || eq[1] == '\0')
			return reply_fail(rep, 2, "--map \"%.80s\": write PATTERN=SLUG", spec);
		m->entries[m->n].pattern = xstrndup(spec, (size_t)(eq - spec));
		m->entries[m->n++].slug = xstrdup(eq + 1);
	}
	for (i = 0; i < cfg->n_import_map; i++) {
		m->entries[m->n].pattern = xstrdup(cfg->import_map[i].pattern);
		m->entries[m->n++].slug = xstrdup(cfg->import_map[i].committee);
	}
	for (i = 0; i < m->n; i++)
		if (entity_committee_id(ikd, m->entries[i].slug, &m->entries[i].committee_id,
		    &cause) == -1)
			return reply_cause(rep, 1, cause);
	if (args_get(req->args, "committee") != NULL && entity_committee_id(ikd,
	    args_get(req->args, "committee"), &m->fallback, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (m->n == 0 && m->fallback == 0)
		return reply_fail(rep, 2, "import sessions needs --committee SLUG, or title "
		    "patterns (--map PATTERN=SLUG or import.map in ikond.conf) for an export of "
		    "several committees");
	return 0;
}

static void
mapping_clear(struct title_mapping *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->entries[i].pattern);
		free(m->entries[i].slug);
	}
	free(m->entries);
}

/* The committee a title belongs to, 0 if none. */
static sqlite3_int64
mapping_find(const struct title_mapping *m, const char *title)
{
	size_t i;

	for (i = 0; title != NULL && i < m->n; i++)
		if (ris_pattern_match(m->entries[i].pattern, title))
			return m->entries[i].committee_id;
	return m->fallback;
}

/*
 * Sessions of the export's committees that start in the days the export
 * covers (its first start to its last end) but are not in it are gone.
 */
static int
missing(struct ikond *ikd, const struct title_mapping *m, const struct ics_import *imp,
    unsigned flags, struct ris_report *r, char **cause)
{
	char **ids = xcalloc(imp->nsessions + imp->nrejections + 1, sizeof(*ids));
	sqlite3_int64 *cids = xcalloc(m->n + 1, sizeof(*cids)), cid;
	time_t from = 0, to = 0, end;
	size_t i, k, n = 0, nc = 0;
	int rc = 0;

	for (i = 0; i < imp->nsessions; i++) {
		const struct ics_session *s = &imp->sessions[i];

		end = s->end > s->start ? s->end : s->start;
		if (i == 0 || s->start < from)
			from = s->start;
		if (i == 0 || end > to)
			to = end;
		ids[n++] = s->uid;
	}
	for (i = 0; i < imp->nrejections; i++)
		if (imp->rejections[i].uid != NULL)
			ids[n++] = imp->rejections[i].uid;
	/* Every committee the export is taken to list, once. */
	for (i = 0; i <= m->n; i++) {
		if ((cid = i < m->n ? m->entries[i].committee_id : m->fallback) == 0)
			continue;
		for (k = 0; k < nc && cids[k] != cid; k++)
			;
		if (k == nc)
			cids[nc++] = cid;
	}
	for (k = 0; imp->nsessions > 0 && rc == 0 && k < nc; k++)
		rc = ris_sessions_missing(ikd, RIS_ICS, cids[k], from, to + 1, ids, n, flags, r,
		    cause);
	free(cids);
	free(ids);
	return rc;
}

static int
import_sessions(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	struct title_mapping m;
	struct ics_import *imp = NULL;
	struct ris_report *r = NULL;
	struct ris_session in;
	unsigned flags = 0;
	char *cause = NULL, *title, *msg;
	bool marked;
	size_t i;
	int rc = -1;

	if (req->input == NULL)
		return reply_fail(rep, 2, "import sessions needs a FILE (ikond-ctl sends its content)");
	if (args_has(req->args, "overwrite"))
		flags |= RIS_OVERWRITE;
	if (args_has(req->args, "keep-missing"))
		flags |= RIS_KEEP_MISSING;
	if (mapping_load(req, rep, &m) == -1)
		goto out;
	if ((imp = ics_import_parse(req->input, req->input_len, req->cfg->body_timezone,
	    &cause)) == NULL) {
		xasprintf(&msg, _("%s: %s; nothing was changed"), args_pos(req->args, 0), cause);
		free(cause);
		reply_cause(rep, 1, msg);
		goto out;
	}
	r = ris_report_new();
	for (i = 0; i < imp->nrejections; i++)
		ris_report_reject(r, imp->rejections[i].event, imp->rejections[i].uid,
		    imp->rejections[i].reason);
	for (i = 0; i < imp->nsessions; i++) {
		const struct ics_session *s = &imp->sessions[i];

		marked = ris_cancel_marker(s->summary, &title);
		memset(&in, 0, sizeof(in));
		in.source_id = s->uid;
		if ((in.committee_id = mapping_find(&m, title)) == 0) {
			ris_report_unmapped(r, s->uid, title);
			free(title);
			continue;
		}
		in.title = title;
		in.start = s->start;
		in.end = s->end;
		in.location = s->location;
		in.cancelled = s->cancelled || marked;
		in.url = s->url;
		in.description = s->description;
		rc = ris_session_apply(ikd, RIS_ICS, &in, flags, r, &cause);
		free(title);
		if (rc == -1) {
			reply_cause(rep, 1, cause);
			goto out;
		}
	}
	if (missing(ikd, &m, imp, flags, r, &cause) == -1 ||
	    (ris_report_changes(r) > 0 && store_audit(ikd->store, &cause, req->peer.uid,
	    "import", "session", 0, args_pos(req->args, 0)) == -1)) {
		reply_cause(rep, 1, cause);
		rc = -1;
		goto out;
	}
	rep->data = ris_report_json(r);
	rep->text = ris_report_text(r);
	rc = 0;
out:
	ris_report_free(r);
	ics_import_free(imp);
	mapping_clear(&m);
	return rc;
}

/* --paper REF (repeatable), or --papers-since DATE with --paper-type TYPE. */
static int
papers_options(struct request *req, struct reply *rep, struct oparl_options *opt,
    char ***refs)
{
	const char *since = args_get(req->args, "papers-since");
	size_t i, n = args_count(req->args, "paper");
	char *cause = NULL;

	if (n > 0 && (since != NULL || args_has(req->args, "paper-type")))
		return reply_fail(rep, 2, "--paper names papers by reference; --papers-since and "
		    "--paper-type choose them by date and type: give one or the other");
	if (args_has(req->args, "paper-type") && since == NULL)
		return reply_fail(rep, 2, "--paper-type needs --papers-since DATE (a city has "
		    "thousands of papers)");
	if (since != NULL && civil_parse_date(since, &opt->papers_since, &cause) == -1)
		return reply_cause(rep, 2, cause);
	*refs = xcalloc(n + 1, sizeof(**refs));
	for (i = 0; i < n; i++)
		(*refs)[i] = (char *)args_nth(req->args, "paper", i);
	opt->refs = *refs;
	opt->nrefs = n;
	opt->paper_type = args_get(req->args, "paper-type");
	return 0;
}

/*
 * "import oparl URL": the run is made here, fetched on a bgjob's thread and
 * applied when it is done (oparl_sync.h); the reply waits for that.
 */
static int
import_oparl(struct request *req, struct reply *rep)
{
	const struct config *cfg = req->cfg;
	const char *url = args_pos(req->args, 0), *body = args_get(req->args, "body");
	struct oparl_options opt;
	struct oparl_job *job;
	struct title_map *map;
	char **refs = NULL;
	size_t i, n = args_count(req->args, "map");
	const char *spec, *eq;
	char *cause = NULL, *end;
	long index = 0;
	int rc = -1;

	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return reply_fail(rep, 2, "\"%.80s\" is not an http:// or https:// URL", url);
	if (body != NULL && ((index = strtol(body, &end, 10)) < 1 || *end != '\0' ||
	    index > 1000))
		return reply_fail(rep, 2, "--body \"%.20s\": the number of a body (1 to 1000)",
		    body);
	map = xcalloc(n + cfg->n_oparl_map + 1, sizeof(*map));
	for (i = 0; i < n; i++) {
		spec = args_nth(req->args, "map", i);
		if ((eq = strrchr(spec, '=')) == NULL || eq == spec || eq[1] == '\0') {
			reply_fail(rep, 2, "--map \"%.80s\": write PATTERN=SLUG", spec);
			goto out;
		}
		map[i].pattern = xstrndup(spec, (size_t)(eq - spec));
		map[i].committee = xstrdup(eq + 1);
	}
	for (i = 0; i < cfg->n_oparl_map; i++) {
		map[n + i].pattern = xstrdup(cfg->oparl_map[i].pattern);
		map[n + i].committee = xstrdup(cfg->oparl_map[i].committee);
	}
	for (i = 0; i < n + cfg->n_oparl_map; i++)
		if (!domain_slug_valid(map[i].committee)) {
			reply_fail(rep, 2, "map: \"%.60s\" is not a committee slug (1 to 48 of a-z, "
			    "0-9 and -)", map[i].committee);
			goto out;
		}
	memset(&opt, 0, sizeof(opt));
	opt.map = map;
	opt.nmap = n + cfg->n_oparl_map;
	opt.kinds = cfg->oparl_kinds;
	opt.nkinds = cfg->n_oparl_kinds;
	opt.persons = args_has(req->args, "persons");
	opt.full = args_has(req->args, "full");
	opt.flags = args_has(req->args, "overwrite") ? RIS_OVERWRITE : 0;
	opt.papers_since = -1;
	if (papers_options(req, rep, &opt, &refs) == -1)
		goto out;
	if ((job = oparl_job_new(req->ikd, url, (int)index, &opt, "command", &cause)) == NULL) {
		reply_cause(rep, 1, cause);
		goto out;
	}
	if ((rep->pending = bgjob_start_then(oparl_job_fetch, oparl_job_finish,
	    oparl_job_cancel, job, oparl_job_free, &cause)) == NULL) {
		oparl_job_free(job);
		reply_cause(rep, 1, cause);
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n + cfg->n_oparl_map; i++) {
		free(map[i].pattern);
		free(map[i].committee);
	}
	free(map);
	free(refs);
	return rc;
}

const struct handler import_handlers[] = {
	{ "import sessions", import_sessions },
	{ "import oparl", import_oparl },
	{ NULL, NULL },
};
