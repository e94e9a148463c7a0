/*
 * cmd_mail: the "mail" commands: look into the reminder outbox, send a
 * failed reminder again, preview a reminder's mail, and send a test mail
 * to check the relay settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgjob.h"
#include "dispatch.h"
#include "entity.h"
#include "maildir.h"
#include "mail_message.h"
#include "outbox.h"
#include "reminders.h"
#include "smtp.h"
#include "timefmt.h"
#include "xmalloc.h"

#define MAIL_TEST_TIMEOUT	15

static bool
state_valid(const char *state)
{
	size_t i;

	for (i = 0; outbox_states[i] != NULL; i++)
		if (strcmp(outbox_states[i], state) == 0)
			return true;
	return false;
}

static int
mail_queue(struct request *req, struct reply *rep)
{
	const char *state = args_get(req->args, "state");
	const char *tz = req->cfg->body_timezone;
	struct ikond *ikd = req->ikd;
	char *cause = NULL;
	json_t *list, *obj;
	size_t i;

	if (state != NULL && !state_valid(state))
		return reply_fail(rep, 2, "unknown state \"%.40s\"; valid: queued, sending, sent, "
		    "failed, skipped", state);
	if ((list = store_get_rows(ikd->store, &cause, "SELECT r.id, r.state, r.kind, r.offset, "
	    "r.due_utc AS due, a.slug AS actor, a.email, json_extract(r.item_json, '$.title') "
	    "AS title, r.item_when AS date, r.attempts, r.next_attempt_utc AS next_attempt, "
	    "r.last_error, r.message_id, r.sent_at FROM reminder r "
	    "JOIN actor a ON a.id = r.actor_id WHERE ?1 IS NULL OR r.state = ?1 "
	    "ORDER BY r.due_utc, r.id", "t", state)) == NULL)
		return reply_cause(rep, 1, cause);
	json_array_foreach(list, i, obj) {
		json_object_set_new(obj, "due", timefmt_iso_json(tz,
		    (time_t)json_integer_value(json_object_get(obj, "due"))));
		if (json_integer_value(json_object_get(obj, "next_attempt")) > 0)
			json_object_set_new(obj, "next_attempt", timefmt_iso_json(tz,
			    (time_t)json_integer_value(json_object_get(obj, "next_attempt"))));
		else
			json_object_set_new(obj, "next_attempt", json_null());
		if (json_is_integer(json_object_get(obj, "sent_at")))
			json_object_set_new(obj, "sent_at", timefmt_iso_json(tz,
			    (time_t)json_integer_value(json_object_get(obj, "sent_at"))));
	}
	rep->data = list;
	reply_columns(rep, "id state kind offset due actor title attempts last_error");
	return 0;
}

static int
mail_retry(struct request *req, struct reply *rep)
{
	const char *id_text = args_pos(req->args, 0);
	bool all = args_has(req->args, "failed");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id = 0, retriable;
	char *cause = NULL;
	int rc;

	if ((id_text == NULL) == !all)
		return reply_fail(rep, 2, "mail retry needs either an ID or --failed");
	if (id_text != NULL) {
		if (entity_parse_id("reminder", id_text, &id, &cause) == -1)
			return reply_cause(rep, 2, cause);
		if ((rc = store_get_int(ikd->store, &cause, &retriable, "SELECT state IN "
		    "('failed', 'queued') FROM reminder WHERE id = ?", "i", id)) == -1)
			return reply_cause(rep, 1, cause);
		if (rc == 0)
			return reply_fail(rep, 1, "no reminder %lld; see \"ikond-ctl mail queue\"",
			    (long long)id);
		if (!retriable)
			return reply_fail(rep, 1, "reminder %lld is neither failed nor queued; only "
			    "those can be retried", (long long)id);
	}
	rc = store_exec(ikd->store, &cause, "UPDATE reminder SET state = 'queued', attempts = 0, "
	    "next_attempt_utc = 0, last_error = 'retry requested', updated_at = ? "
	    "WHERE (?2 = 0 AND state = 'failed') OR (id = ?2 AND state IN ('failed', 'queued'))",
	    "ii", (sqlite3_int64)time(NULL), id);
	if (rc == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "retry", "reminder", id, NULL) == -1)
		return reply_cause(rep, 1, cause);
	rep->data = json_pack("{s:i}", "requeued", rc);
	xasprintf(&rep->text, "%d reminder(s) queued again\n", rc);
	return 0;
}

static int
mail_preview(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id;
	char *cause = NULL, *text;
	struct buf out;

	if (entity_parse_id("reminder", args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 2, cause);
	buf_init(&out);
	if (outbox_preview(ikd, id, time(NULL), &out, &cause) == -1) {
		buf_free(&out);
		return reply_cause(rep, 1, cause);
	}
	text = buf_steal(&out, NULL);
	rep->data = json_pack("{s:I, s:s}", "id", (json_int_t)id, "message", text);
	rep->text = text;
	return 0;
}

/* What a test mail over SMTP needs on its own thread: copies only. */
struct test_mail {
	struct smtp_config	 sc;
	char			*host, *user, *password, *from, *to, *data;
	size_t			 len;
};

static void
test_mail_free(void *p)
{
	struct test_mail *tm = p;

	free(tm->host);
	free(tm->user);
	if (tm->password != NULL) {
		explicit_bzero(tm->password, strlen(tm->password));
		free(tm->password);
	}
	free(tm->from);
	free(tm->to);
	free(tm->data);
	free(tm);
}

static void
test_mail_reply(struct reply *rep, const char *to, int rc, const char *result)
{
	rep->data = json_pack("{s:s, s:b, s:s}", "to", to, "ok", rc == 0, "result", result);
	xasprintf(&rep->text, "%s\n", result);
	if (rc != 0)
		reply_fail(rep, 1, "%s", result);
}

/* Runs on the job's thread: a dead or slow relay delays only this reply. */
static void
test_mail_send(void *p, struct reply *rep)
{
	struct test_mail *tm = p;
	char result[400];
	int rc;

	rc = smtp_test_send(&tm->sc, tm->from, tm->to, tm->data, tm->len, result,
	    sizeof(result));
	test_mail_reply(rep, tm->to, rc, result);
}

static int
mail_test(struct request *req, struct reply *rep)
{
	const char *addr = args_pos(req->args, 0);
	struct ikond *ikd = req->ikd;
	struct mailer_transport t;
	struct test_mail *tm;
	char *cause = NULL, *from = NULL, *name = NULL, result[400], *data;
	struct buf out;
	size_t len;
	int rc;

	if (!mail_address_valid(addr))
		return reply_fail(rep, 2, "\"%.80s\" is not a valid address (local@domain)", addr);
	buf_init(&out);
	if (outbox_test_message(ikd, addr, time(NULL), &out, &from, &cause) == -1) {
		buf_free(&out);
		free(from);
		return reply_cause(rep, 1, cause);
	}
	data = buf_steal(&out, &len);
	if (store_audit(ikd->store, &cause, req->peer.uid, "test", "mail", 0, addr) == -1) {
		free(data);
		free(from);
		return reply_cause(rep, 1, cause);
	}
	outbox_transport(ikd, reminders_smtp_password(ikd->reminders), &t);
	if (t.maildir != NULL) {
		rc = maildir_deliver(t.maildir, data, len, &name, &cause);
		if (rc == 0)
			snprintf(result, sizeof(result), "delivered: %s/new/%s", t.maildir, name);
		else {
			snprintf(result, sizeof(result), "failed: %s", cause);
			free(cause);
		}
		free(name);
		mailer_transport_clear(&t);
		free(data);
		free(from);
		test_mail_reply(rep, addr, rc, result);
		return rc == 0 ? 0 : -1;
	}
	tm = xcalloc(1, sizeof(*tm));
	tm->host = xstrdup(t.host);
	tm->user = t.user ? xstrdup(t.user) : NULL;
	tm->password = t.password ? xstrdup(t.password) : NULL;
	tm->sc.host = tm->host;
	tm->sc.port = t.port;
	tm->sc.tls = t.tls;
	tm->sc.user = tm->user;
	tm->sc.password = tm->password;
	tm->sc.timeout_seconds = t.timeout < MAIL_TEST_TIMEOUT ? t.timeout : MAIL_TEST_TIMEOUT;
	tm->from = from;
	tm->to = xstrdup(addr);
	tm->data = data;
	tm->len = len;
	mailer_transport_clear(&t);
	if ((rep->pending = bgjob_start(test_mail_send, tm, test_mail_free, &cause)) == NULL) {
		test_mail_free(tm);
		return reply_cause(rep, 1, cause);
	}
	return 0;
}

const struct handler mail_handlers[] = {
	{ "mail queue", mail_queue },
	{ "mail retry", mail_retry },
	{ "mail preview", mail_preview },
	{ "mail test", mail_test },
	{ NULL, NULL },
};
