/*
 * cmd_daemon: "status" and "reload", the commands about the daemon itself.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "deadline.h"
#include "dispatch.h"
#include "http.h"
#include "i18n.h"
#include "monotonic.h"
#include "oparl_sync.h"
#include "process.h"
#include "reminders.h"
#include "ris.h"
#include "xmalloc.h"

/* The feed server's connections, or null when it does not run. */
static json_t *
http_json(struct http *h)
{
	struct http_stats hs;

	if (h == NULL)
		return json_null();
	http_stats(h, &hs);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "connections", (json_int_t)hs.open,
	    "max_connections", (json_int_t)hs.capacity, "accepted", (json_int_t)hs.accepted,
	    "refused", (json_int_t)hs.refused, "evicted", (json_int_t)hs.evicted,
	    "expired", (json_int_t)hs.expired);
}

static int
daemon_status(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	const struct config *cfg = req->cfg;
	time_t now = time(NULL);
	json_t *counts = NULL, *problems = NULL, *oparl;
	struct store *st = ikd->store;
	sqlite3_int64 ahead;
	long long n[IKOND_COUNTS];
	char *cause = NULL;
	int version;

	if (ikond_counts(ikd, n, &cause) == -1 || store_get_int(st, &cause, &ahead,
	    "SELECT count(*) FROM session WHERE start_utc >= ? AND state <> 'cancelled'", "i",
	    (sqlite3_int64)now) == -1 || (counts = json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "committees", (json_int_t)n[0], "sessions_ahead", (json_int_t)ahead,
	    "actors", (json_int_t)n[1], "submissions", (json_int_t)n[2],
	    "deadlines", (json_int_t)n[3])) == NULL ||
	    (problems = deadline_problems(ikd, &cause)) == NULL ||
	    process_add_problems(ikd, problems, &cause) == -1 ||
	    ris_add_problems(ikd, problems, &cause) == -1) {
		json_decref(counts);
		json_decref(problems);
		return reply_cause(rep, 1, cause);
	}
	if ((version = store_version(st)) == -1) {
		json_decref(counts);
		json_decref(problems);
		return reply_fail(rep, 1, "database: cannot read the schema version");
	}
	if ((oparl = oparl_sync_status(ikd->oparl, ikd, &cause)) == NULL) {
		json_decref(counts);
		json_decref(problems);
		return reply_cause(rep, 1, cause);
	}
	rep->data = json_pack("{s:s, s:I, s:I, s:s?, s:s, s:s, s:s, s:i, s:i, s:o, s:s, s:I, s:o, "
	    "s:o}",
	    "version", IKOND_VERSION,
	    "pid", (json_int_t)getpid(),
	    "uptime_seconds", (json_int_t)((monotonic_ms() - ikd->started_ms) / 1000),
	    "config", cfg->path,
	    "state_dir", cfg->state_dir,
	    "control_socket", cfg->control_socket,
	    "body", cfg->body_name,
	    "schema_version", version,
	    "http_port", cfg->http_port,
	    "http", http_json(ikd->http),
	    "land", cfg->body_land,
	    "requests", (json_int_t)ikd->requests,
	    "counts", counts,
	    "problems", problems);
	json_object_set_new(rep->data, "oparl", oparl);
	if (ikd->reminders != NULL)
		json_object_set_new(rep->data, "mail", reminders_status_json(ikd->reminders));
	if (json_array_size(problems) > 0)
		reply_warn(rep, "%zu problem(s) need attention (see \"problems\")",
		    json_array_size(problems));
	return 0;
}

static int
daemon_reload(struct request *req, struct reply *rep)
{
	char *errors = NULL;

	if (ikond_reload(req->ikd, &errors) == -1)
		return reply_cause(rep, 1, errors);
	rep->data = json_pack("{s:s?, s:s}", "config", req->ikd->cfg->path, "result",
	    "configuration reloaded");
	rep->text = xstrdup(_("configuration reloaded"));
	return 0;
}

const struct handler daemon_handlers[] = {
	{ "status", daemon_status },
	{ "reload", daemon_reload },
	{ NULL, NULL },
};
