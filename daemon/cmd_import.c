/*
 * cmd_import: "import sessions FILE --committee SLUG" reads the iCalendar
 * export of a council information system (sent by ikond-ctl as the
 * request's input) and creates or updates the committee's sessions by UID.
 * A file that is not iCalendar at all changes nothing; single events that
 * cannot be used are reported with a reason and the others are applied,
 * all in the one transaction dispatch opened.
 */
#include <string.h>
#include <time.h>

#include "buf.h"
#include "deadline.h"
#include "dispatch.h"
#include "entity.h"
#include "ics.h"
#include "ics_import.h"
#include "utf8.h"
#include "xmalloc.h"

#define TEXT_MAX_BYTES		500	/* as for "session add" */
#define DEFAULT_LENGTH		(3 * 3600)

/* One line of text for a session field: line breaks become spaces, cut at
 * a character boundary; NULL if nothing is left. */
static char *
one_line(const char *text)
{
	struct buf b;
	const unsigned char *p = (const unsigned char *)text;
	size_t n, left = text ? strlen(text) : 0;
	char *s;

	if (text == NULL)
		return NULL;
	buf_init(&b);
	while (left > 0) {
		if ((n = utf8_sequence(p, left)) == 0) {
			p++;
			left--;
			continue;
		}
		if (b.len + n > TEXT_MAX_BYTES)
			break;
		if (n == 1 && (*p < 0x20 || *p == 0x7f))
			buf_add_char(&b, ' ');
		else
			buf_add(&b, p, n);
		p += n;
		left -= n;
	}
	while (b.len > 0 && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0';
	s = buf_steal(&b, NULL);
	n = strspn(s, " ");
	memmove(s, s + n, strlen(s + n) + 1);
	if (s[0] == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

struct counts {
	int	created, updated, unchanged, rejected;
};

static void
report(json_t *events, size_t pos, const char *uid, const char *result, const char *reason,
    sqlite3_int64 session)
{
	json_t *o = json_pack("{s:s?, s:s}", "uid", uid, "result", result);

	if (pos > 0)
		json_object_set_new(o, "event", json_integer((json_int_t)pos));

	if (reason != NULL)
		json_object_set_new(o, "reason", json_string(reason));
	if (session != 0)
		json_object_set_new(o, "session", json_integer(session));
	json_array_append_new(events, o);
}

/* Creates or updates one session; returns "created", "updated", "unchanged" or NULL (*reason). */
static const char *
apply(struct request *req, sqlite3_int64 cid, const char *cname, const struct ics_session *s,
    sqlite3_int64 *session, char **reason)
{
	struct ikond *ikd = req->ikd;
	time_t start = s->start, end = s->end, now = time(NULL);
	char *title = one_line(s->summary), *location = one_line(s->location), *deftitle = NULL;
	const char *result = NULL, *state;
	sqlite3_stmt *st;
	sqlite3_int64 old_cid = 0;
	bool exists = false, same = false, cancelled_now = false;
	char *cause = NULL;

	if (end <= start)
		end = start + DEFAULT_LENGTH;
	if (title == NULL) {
		xasprintf(&deftitle, "Sitzung %s", cname);
		title = deftitle;
		deftitle = NULL;
	}
	switch (store_first(ikd->store, &cause, &st, "SELECT id, committee_id, title, "
	    "start_utc, end_utc, location, state FROM session WHERE uid = ?", "t", s->uid)) {
	case -1:
		*reason = cause;
		goto out;
	case 1:
		exists = true;
		*session = sqlite3_column_int64(st, 0);
		old_cid = sqlite3_column_int64(st, 1);
		state = (const char *)sqlite3_column_text(st, 6);
		cancelled_now = strcmp(state, "cancelled") == 0;
		same = strcmp((const char *)sqlite3_column_text(st, 2), title) == 0 &&
		    sqlite3_column_int64(st, 3) == (sqlite3_int64)start &&
		    sqlite3_column_int64(st, 4) == (sqlite3_int64)end &&
		    strcmp((const char *)sqlite3_column_text(st, 5), location ? location : "") == 0 &&
		    cancelled_now == s->cancelled;
		store_done(ikd->store, st);
		break;
	}
	if (exists && old_cid != cid) {
		xasprintf(reason, "the UID belongs to session %lld of another committee",
		    (long long)*session);
		goto out;
	}
	if (exists && same) {
		result = "unchanged";
		goto out;
	}
	if (exists) {
		/* A session the file no longer cancels is planned again; held or
		 * invited stay as they are. */
		if (store_exec(ikd->store, &cause, "UPDATE session SET title = ?, start_utc = ?, "
		    "end_utc = ?, location = ?, state = CASE WHEN ?5 = 1 THEN 'cancelled' "
		    "WHEN state = 'cancelled' THEN 'planned' ELSE state END, "
		    "sequence = sequence + 1, updated_at = ? WHERE id = ?", "tiitiii", title,
		    (sqlite3_int64)start, (sqlite3_int64)end, location ? location : "",
		    (sqlite3_int64)s->cancelled, (sqlite3_int64)now, *session) == -1) {
			*reason = cause;
			goto out;
		}
		result = "updated";
	} else {
		if (store_exec(ikd->store, &cause, "INSERT INTO session (committee_id, title, "
		    "start_utc, end_utc, location, state, uid, sequence, created_at, updated_at) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)", "itiitttii", cid, title,
		    (sqlite3_int64)start, (sqlite3_int64)end, location ? location : "",
		    s->cancelled ? "cancelled" : "planned", s->uid, (sqlite3_int64)now,
		    (sqlite3_int64)now) == -1) {
			*reason = cause;
			goto out;
		}
		*session = store_last_id(ikd->store);
		result = "created";
	}
	if (deadline_sync_session(ikd, *session, &cause) == -1) {
		*reason = cause;
		result = NULL;
	}
out:
	free(title);
	free(location);
	return result;
}

static bool
uid_seen(const struct ics_import *imp, size_t upto, const char *uid)
{
	size_t i;

	for (i = 0; i < upto; i++)
		if (strcmp(imp->sessions[i].uid, uid) == 0)
			return true;
	return false;
}

static int
import_sessions(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	const char *slug = args_get(req->args, "committee");
	struct ics_import *imp;
	struct counts c = { 0, 0, 0, 0 };
	sqlite3_int64 cid, session;
	json_t *events, *committee;
	const char *result;
	char *cause = NULL, *reason, *cname;
	size_t i;

	if (req->input == NULL)
		return reply_fail(rep, 2, "import sessions needs a FILE (ikond-ctl sends its content)");
	if (entity_committee_id(ikd, slug, &cid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if ((imp = ics_import_parse(req->input, req->input_len, req->cfg->body_timezone,
	    &cause)) == NULL) {
		char *msg;

		xasprintf(&msg, "%s: %s; nothing was changed", args_pos(req->args, 0), cause);
		free(cause);
		return reply_cause(rep, 1, msg);
	}
	if ((committee = entity_committee(ikd, cid, &cause)) == NULL) {
		ics_import_free(imp);
		return reply_cause(rep, 1, cause);
	}
	cname = xstrdup(json_string_value(json_object_get(committee, "name")));
	json_decref(committee);
	events = json_array();
	for (i = 0; i < imp->nrejections; i++) {
		report(events, imp->rejections[i].event, imp->rejections[i].uid, "rejected",
		    imp->rejections[i].reason, 0);
		c.rejected++;
	}
	for (i = 0; i < imp->nsessions; i++) {
		const struct ics_session *s = &imp->sessions[i];

		session = 0;
		reason = NULL;
		if (uid_seen(imp, i, s->uid)) {
			report(events, 0, s->uid, "rejected", "the UID occurs earlier in the file", 0);
			c.rejected++;
			continue;
		}
		if ((result = apply(req, cid, cname, s, &session, &reason)) == NULL) {
			report(events, 0, s->uid, "rejected", reason ? reason : "not stored", 0);
			free(reason);
			c.rejected++;
			continue;
		}
		report(events, 0, s->uid, result, NULL, session);
		if (strcmp(result, "created") == 0)
			c.created++;
		else if (strcmp(result, "updated") == 0)
			c.updated++;
		else
			c.unchanged++;
	}
	ics_import_free(imp);
	free(cname);
	if (c.created + c.updated > 0 && store_audit(ikd->store, &cause, req->peer.uid, "import",
	    "session", 0, slug) == -1) {
		json_decref(events);
		return reply_cause(rep, 1, cause);
	}
	rep->data = json_pack("{s:s, s:i, s:i, s:i, s:i, s:o}", "committee", slug,
	    "created", c.created, "updated", c.updated, "unchanged", c.unchanged,
	    "rejected", c.rejected, "events", events);
	{
		struct buf t;
		json_t *e;
		size_t k;

		buf_init(&t);
		buf_printf(&t, "%s: %d created, %d updated, %d unchanged, %d rejected",
		    slug, c.created, c.updated, c.unchanged, c.rejected);
		json_array_foreach(events, k, e) {
			if (strcmp(json_string_value(json_object_get(e, "result")), "rejected") != 0)
				continue;
			buf_printf(&t, "\n  rejected %s: %s",
			    json_is_string(json_object_get(e, "uid")) ?
			    json_string_value(json_object_get(e, "uid")) : "(no UID)",
			    json_string_value(json_object_get(e, "reason")));
		}
		rep->text = buf_steal(&t, NULL);
	}
	return 0;
}

const struct handler import_handlers[] = {
	{ "import sessions", import_sessions },
	{ NULL, NULL },
};
