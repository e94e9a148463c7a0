/*
 * outbox: the reminder table as a mail queue, and the composition of each
 * reminder mail from the admin's or the shipped templates (see outbox.h).
 * Main thread only.
 */
#include "outbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civil.h"
#include "entity.h"
#include "german.h"
#include "ics.h"
#include "log.h"
#include "mail_message.h"
#include "template.h"
#include "timefmt.h"
#include "xmalloc.h"

#define RETRY_MAX_SECONDS	86400
#define TEMPLATE_FILE_MAX	(256 * 1024)

const char *const outbox_states[] = {
	"queued", "sending", "sent", "failed", "skipped", NULL,
};

/* smtp.from split into display name and address. */
struct sender {
	char	*name;
	char	*addr;
	char	*domain;
};

static void
sender_parse(const char *from, struct sender *s)
{
	const char *lt = strrchr(from, '<'), *gt = strrchr(from, '>'), *at;
	size_t n;

	memset(s, 0, sizeof(*s));
	if (lt != NULL && gt != NULL && gt > lt) {
		s->addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
		n = (size_t)(lt - from);
		while (n > 0 && (from[n - 1] == ' ' || from[n - 1] == '\t'))
			n--;
		if (n >= 2 && from[0] == '"' && from[n - 1] == '"')
			s->name = xstrndup(from + 1, n - 2);
		else if (n > 0)
			s->name = xstrndup(from, n);
	} else
		s->addr = xstrdup(from);
	at = strrchr(s->addr, '@');
	s->domain = xstrdup(at != NULL && at[1] != '\0' ? at + 1 : "localhost");
}

static void
sender_free(struct sender *s)
{
	free(s->name);
	free(s->addr);
	free(s->domain);
}

static char *
read_small_file(const char *path, size_t *len)
{
	struct buf b;
	char chunk[8192];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len <= TEMPLATE_FILE_MAX)
		buf_add(&b, chunk, n);
	fclose(f);
	if (b.len > TEMPLATE_FILE_MAX) {
		buf_free(&b);
		return NULL;
	}
	buf_add_char(&b, '\0');
	return buf_steal(&b, len);
}

/* mail/NAME from the admin's directory, the installed one, or the source tree. */
static struct template *
load_template(const struct config *cfg, const char *name, char **cause)
{
	const char *dirs[3];
	struct template *t;
	char *path, *text;
	size_t len, i;

	dirs[0] = cfg->template_dir;
	dirs[1] = IKOND_DATADIR "/templates";
#ifdef IKOND_SOURCE_TEMPLATES
	dirs[2] = IKOND_SOURCE_TEMPLATES;
#else
	dirs[2] = NULL;
#endif
	for (i = 0; i < 3; i++) {
		if (dirs[i] == NULL)
			continue;
		xasprintf(&path, "%s/mail/%s", dirs[i], name);
		text = read_small_file(path, &len);
		if (text != NULL) {
			t = template_parse(path, text, len - 1, cause);
			free(text);
			free(path);
			return t;
		}
		free(path);
	}
	set_cause(cause, "mail template mail/%s not found in %s or %s", name,
	    cfg->template_dir, IKOND_DATADIR "/templates");
	return NULL;
}

/*
 * The mail templates parsed for one claim or preview: a batch of reminders
 * reads and parses each file once, and an edited template takes effect
 * with the next batch.
 */
#define TEMPLATE_FILES	9

struct templates {
	const char	*name[TEMPLATE_FILES];	/* template_for()'s static names */
	struct template	*t[TEMPLATE_FILES];
	size_t		 n;
};

static struct template *
templates_get(const struct config *cfg, struct templates *ts, const char *name,
    char **cause)
{
	struct template *t;
	size_t i;

	for (i = 0; i < ts->n; i++)
		if (strcmp(ts->name[i], name) == 0)
			return ts->t[i];
	if ((t = load_template(cfg, name, cause)) == NULL)
		return NULL;
	if (ts->n == TEMPLATE_FILES)
		fatalx("outbox: more than %d mail templates", TEMPLATE_FILES);
	ts->name[ts->n] = name;
	ts->t[ts->n++] = t;
	return t;
}

static void
templates_clear(struct templates *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++)
		template_free(ts->t[i]);
	memset(ts, 0, sizeof(*ts));
}

static const char *
template_for(const char *row_kind, const char *item_kind, bool digest)
{
	static const struct {
		const char *kind, *file;
	} files[] = {
		{ "session", "sitzung.txt" }, { "deadline", "frist.txt" },
		{ "window", "fenster.txt" }, { "measure", "massnahme.txt" },
		{ "evaluation", "evaluation.txt" }, { "event", "termin.txt" },
	};
	size_t i;

	if (digest)
		return "digest.txt";
	if (strcmp(row_kind, "moved") == 0)
		return "verschoben.txt";
	if (strcmp(row_kind, "cancelled") == 0)
		return "abgesagt.txt";
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(files[i].kind, item_kind) == 0)
			return files[i].file;
	return "sitzung.txt";
}

/* One reminder row with what composing needs. */
struct row {
	sqlite3_int64	 id;
	char		*kind;
	char		*item_kind;
	char		*old_when;
	json_t		*item;
	char		*actor_name;
	char		*actor_greeting;	/* "Sehr geehrte Frau ...", german.h */
	char		*actor_email;
	char		*message_id;
};

static void
row_clear(struct row *r)
{
	free(r->kind);
	free(r->item_kind);
	free(r->old_when);
	json_decref(r->item);
	free(r->actor_name);
	free(r->actor_greeting);
	free(r->actor_email);
	free(r->message_id);
	memset(r, 0, sizeof(*r));
}

/*
 * What one claim builds once per item and shares among the rows that
 * remind of it (the rows of a claim come in order of their due time, so
 * the rows of one item follow each other): the item parsed from its text
 * (rows of the same text share one json_t), and for the item last
 * composed its template data and calendar text.  Another item replaces
 * them.
 */
struct item_memo {
	char		*text;		/* item_json as stored */
	json_t		*parsed;	/* from text */
	json_t		*built;		/* the item data and ics are of */
	json_t		*data;		/* item_data(), NULL until asked for */
	char		*ics;		/* event_ics(), NULL until asked for */
	char		*ics_base64;	/* ics as the attachment's lines */
	bool		 ics_cancelled;	/* what ics was built for */
};

/* The data and ics of item, the memo's from now on. */
static void
memo_build_for(struct item_memo *memo, json_t *item)
{
	if (memo->built == item)
		return;
	json_decref(memo->built);
	json_decref(memo->data);
	free(memo->ics);
	free(memo->ics_base64);
	memo->built = json_incref(item);
	memo->data = NULL;
	memo->ics = NULL;
	memo->ics_base64 = NULL;
}

static void
memo_clear(struct item_memo *memo)
{
	memo_build_for(memo, NULL);
	free(memo->text);
	json_decref(memo->parsed);
	memset(memo, 0, sizeof(*memo));
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return xstrdup((const char *)sqlite3_column_text(st, i));
}

/* The columns row_fill() reads, in its order. */
#define ROW_COLUMNS	"r.id, r.kind, r.item_kind, r.old_when, r.item_json, a.name, a.email, " \
	"r.message_id, a.salutation, a.title, a.family_name"

/* Fills r from a result row of ROW_COLUMNS; an item that is not valid JSON
 * is left NULL for compose() to refuse, which marks the row failed.  With
 * a memo, an item the row before had too is not parsed again. */
static void
row_fill(sqlite3_stmt *st, struct row *r, struct item_memo *memo)
{
	const char *text = (const char *)sqlite3_column_text(st, 4);
	json_error_t err;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->kind = col_dup(st, 1);
	r->item_kind = col_dup(st, 2);
	r->old_when = col_dup(st, 3);
	if (memo != NULL && memo->text != NULL && text != NULL && strcmp(memo->text, text) == 0)
		r->item = json_incref(memo->parsed);
	else {
		r->item = text != NULL ? json_loads(text, 0, &err) : NULL;
		if (memo != NULL) {
			free(memo->text);
			json_decref(memo->parsed);
			memo->text = text != NULL ? xstrdup(text) : NULL;
			memo->parsed = json_incref(r->item);
		}
	}
	r->actor_name = col_dup(st, 5);
	r->actor_greeting = german_greeting((const char *)sqlite3_column_text(st, 8),
	    (const char *)sqlite3_column_text(st, 9), (const char *)sqlite3_column_text(st, 10),
	    r->actor_name);
	r->actor_email = col_dup(st, 6);
	r->message_id = col_dup(st, 7);
}

static int
row_load(struct ikond *ikd, sqlite3_int64 id, struct row *r, char **cause)
{
	sqlite3_stmt *st;

	memset(r, 0, sizeof(*r));
	switch (store_first(ikd->store, cause, &st, "SELECT " ROW_COLUMNS " FROM reminder r "
	    "JOIN actor a ON a.id = r.actor_id WHERE r.id = ?", "i", id)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "no reminder %lld", (long long)id);
	}
	row_fill(st, r, NULL);
	store_done(ikd->store, st);
	return 0;
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* German date and time of a "YYYY-MM-DD[ HH:MM]" text. */
static void
when_de(const char *when, char *date, size_t datelen, char *time, size_t timelen)
{
	char day[11];
	int days, minute;

	date[0] = time[0] = '\0';
	if (when == NULL)
		return;
	snprintf(day, sizeof(day), "%.10s", when);
	if (civil_parse_date(day, &days, NULL) == -1)
		return;
	german_date_long(days, date, datelen);
	if (strlen(when) >= 16 && civil_parse_time(when + 11, &minute, NULL) == 0)
		snprintf(time, timelen, "%02d:%02d", minute / 60, minute % 60);
}

/*
 * The template data of one item (templates/mail/README.md): its name
 * without a state prefix, German date and time, place, what it is about,
 * how its date follows, and which kind of date it is.
 */
static json_t *
item_data(struct ikond *ikd, json_t *item)
{
	const char *tz = ikd->cfg->body_timezone, *name = jstr(item, "name");
	char date[GERMAN_DATE_MAX] = "", time[16] = "", local[17];
	time_t start;

	if (json_is_true(json_object_get(item, "all_day")))
		german_date_long((int)json_integer_value(json_object_get(item, "start_days")), date,
		    sizeof(date));
	else {
		start = (time_t)json_integer_value(json_object_get(item, "start"));
		german_date_long(timefmt_local_day(tz, start), date, sizeof(date));
		timefmt_local(tz, start, local);
		snprintf(time, sizeof(time), "%s", local + 11);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "title", name[0] != '\0' ?
	    name : jstr(item, "title"), "date", date, "time", time, "location",
	    jstr(item, "location"), "about", jstr(item, "description"), "why", jstr(item, "why"),
	    "session", strcmp(jstr(item, "kind"), "session") == 0, "antrag",
	    strcmp(jstr(item, "subkind"), "antragsfrist") == 0);
}

/* item_data() of item, built once for the memo's item; a new reference. */
static json_t *
item_data_shared(struct ikond *ikd, struct item_memo *memo, json_t *item)
{
	if (memo == NULL)
		return item_data(ikd, item);
	memo_build_for(memo, item);
	if (memo->data == NULL)
		memo->data = item_data(ikd, item);
	return json_copy(memo->data);
}

static json_t *
common_data(struct ikond *ikd, const struct sender *from, const struct row *r)
{
	return json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s}}", "actor", "name",
	    r->actor_name, "greeting", r->actor_greeting,
	    "contact", "name", from->name != NULL ? from->name : "", "email", from->addr,
	    "body", "name", ikd->cfg->body_name);
}

static char *
event_ics(struct ikond *ikd, json_t *item, bool cancelled, char **cause)
{
	struct ics_calendar cal;
	struct ics_event ev;

	memset(&cal, 0, sizeof(cal));
	memset(&ev, 0, sizeof(ev));
	cal.name = jstr(item, "title");
	cal.timezone = ikd->cfg->body_timezone;
	cal.alarm_minutes = -1;
	ev.uid = jstr(item, "uid");
	ev.sequence = (int)json_integer_value(json_object_get(item, "sequence"));
	ev.last_modified = (time_t)json_integer_value(json_object_get(item, "updated"));
	ev.all_day = json_is_true(json_object_get(item, "all_day"));
	ev.start_days = (int)json_integer_value(json_object_get(item, "start_days"));
	ev.end_days = (int)json_integer_value(json_object_get(item, "end_days"));
	ev.start = (time_t)json_integer_value(json_object_get(item, "start"));
	ev.end = (time_t)json_integer_value(json_object_get(item, "end"));
	if (ev.end < ev.start)
		ev.end = ev.start;
	ev.summary = jstr(item, "title");
	ev.description = jstr(item, "description");
	if (jstr(item, "location")[0] != '\0')
		ev.location = jstr(item, "location");
	ev.status = cancelled || json_is_true(json_object_get(item, "cancelled")) ?
	    ICS_CANCELLED : ICS_CONFIRMED;
	ev.transparent = strcmp(jstr(item, "kind"), "session") != 0 &&
	    strcmp(jstr(item, "kind"), "event") != 0;
	return ics_build(&cal, &ev, 1, NULL, cause);
}

/* event_ics() of item, built once for the memo's item with its base64
 * lines in *base64 (else NULL); the caller's, or the memo's if *own stays
 * NULL. */
static const char *
event_ics_shared(struct ikond *ikd, struct item_memo *memo, json_t *item, bool cancelled,
    const char **base64, char **own, char **cause)
{
	struct buf b;

	*own = NULL;
	*base64 = NULL;
	if (memo == NULL)
		return *own = event_ics(ikd, item, cancelled, cause);
	memo_build_for(memo, item);
	if (memo->ics == NULL || memo->ics_cancelled != cancelled) {
		free(memo->ics);
		free(memo->ics_base64);
		memo->ics_base64 = NULL;
		memo->ics_cancelled = cancelled;
		if ((memo->ics = event_ics(ikd, item, cancelled, cause)) == NULL)
			return NULL;
		buf_init(&b);
		mail_base64_lines(&b, memo->ics, strlen(memo->ics));
		memo->ics_base64 = buf_steal(&b, NULL);
	}
	*base64 = memo->ics_base64;
	return memo->ics;
}

/* Renders t and splits off the "Subject: " line. */
static int
render_mail(struct template *t, json_t *data, char **subject, char **body, char **cause)
{
	struct buf out;
	char *text, *nl;

	buf_init(&out);
	if (template_render(t, data, TEMPLATE_ESCAPE_NONE, &out, cause) == -1) {
		buf_free(&out);
		return -1;
	}
	text = buf_steal(&out, NULL);
	if (strncmp(text, "Subject: ", 9) != 0 || (nl = strchr(text, '\n')) == NULL) {
		free(text);
		return set_cause(cause, "%s: the first line must be \"Subject: ...\"",
		    template_name(t));
	}
	*subject = xstrndup(text + 9, (size_t)(nl - text - 9));
	nl++;
	if (*nl == '\n')
		nl++;
	*body = xstrdup(nl);
	free(text);
	return 0;
}

/* The Message-ID for a message that starts with row first: the row's own
 * if it was claimed before, else a new one whose installation id (the
 * salt of the Message-IDs before it named UIDs too) keeps the ids of two
 * installations apart. */
static char *
message_id(struct ikond *ikd, const struct row *first, bool digest)
{
	struct sender from;
	char *mid;

	if (first->message_id != NULL)
		return xstrdup(first->message_id);
	sender_parse(ikd->cfg->smtp_from, &from);
	xasprintf(&mid, "%s-%lld.%s@%s", digest ? "digest" : "reminder", (long long)first->id,
	    entity_installation(), from.domain);
	sender_free(&from);
	return mid;
}

/*
 * Composes the message for rows (one reminder, or an actor's digest) with
 * the Message-ID mid into out; memo (or NULL) shares what only depends on
 * the item among the rows of a claim.
 */
static int
compose(struct ikond *ikd, struct templates *ts, struct item_memo *memo, struct row *rows,
    size_t n, bool digest, time_t now, const char *mid, struct buf *out, char **cause)
{
	struct sender from;
	struct template *t;
	struct mail_message m;
	json_t *data, *item, *items;
	const char *ics = NULL, *ics_base64 = NULL;
	char *subject = NULL, *body = NULL, *own_ics = NULL, od[64], ot[16];
	size_t i;
	int rc = -1;

	for (i = 0; i < n; i++)
		if (rows[i].item == NULL)
			return set_cause(cause, "reminder %lld: bad item data",
			    (long long)rows[i].id);
	sender_parse(ikd->cfg->smtp_from, &from);
	t = templates_get(ikd->cfg, ts, template_for(rows[0].kind, rows[0].item_kind, digest),
	    cause);
	if (t == NULL) {
		sender_free(&from);
		return -1;
	}
	data = common_data(ikd, &from, &rows[0]);
	if (digest) {
		items = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(items, item_data_shared(ikd, memo, rows[i].item));
		json_object_set_new(data, "items", items);
	} else {
		item = item_data_shared(ikd, memo, rows[0].item);
		when_de(rows[0].old_when, od, sizeof(od), ot, sizeof(ot));
		json_object_set_new(item, "old_date", json_string(od));
		json_object_set_new(item, "old_time", json_string(ot));
		json_object_set_new(data, "item", item);
	}
	if (render_mail(t, data, &subject, &body, cause) == -1)
		goto out;
	if (!digest && (ics = event_ics_shared(ikd, memo, rows[0].item,
	    strcmp(rows[0].kind, "cancelled") == 0, &ics_base64, &own_ics, cause)) == NULL)
		goto out;
	memset(&m, 0, sizeof(m));
	m.from_name = from.name;
	m.from_addr = from.addr;
	m.to_name = rows[0].actor_name;
	m.to_addr = rows[0].actor_email;
	m.subject = subject;
	m.body = body;
	m.message_id = mid;
	m.date = now;
	m.zone = ikd->cfg->body_timezone;
	m.ics = ics;
	m.ics_base64 = ics_base64;
	m.ics_name = "termin.ics";
	rc = mail_compose(&m, out, cause);
out:
	free(subject);
	free(body);
	free(own_ics);
	json_decref(data);
	sender_free(&from);
	return rc;
}

int
outbox_recover(struct ikond *ikd, char **cause)
{
	int rc;

	if (store_begin(ikd->store, cause) == -1)
		return -1;
	rc = store_exec(ikd->store, cause, "UPDATE reminder SET state = 'queued', "
	    "next_attempt_utc = 0, last_error = 'interrupted while sending; sent again with "
	    "the same Message-ID' WHERE state = 'sending'", "");
	if (rc == -1 || store_commit(ikd->store, cause) == -1) {
		store_rollback(ikd->store);
		return -1;
	}
	return rc;
}

static int
mark_failed(struct ikond *ikd, const sqlite3_int64 *ids, size_t n, const char *why, time_t now,
    char **cause)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (store_exec(ikd->store, cause, "UPDATE reminder SET state = 'failed', "
		    "last_error = ?, updated_at = ? WHERE id = ?", "tii", why, (sqlite3_int64)now,
		    ids[i]) == -1)
			return -1;
	return 0;
}

/* A due row, loaded in the query that finds it. */
struct due {
	struct row	row;
	sqlite3_int64	actor;
	bool		digest;
	bool		taken;		/* composed (into a digest) already */
};

static void
due_free(struct due *due, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		row_clear(&due[i].row);
	free(due);
}

static int
due_rows(struct ikond *ikd, time_t now, size_t max, struct item_memo *memo, struct due **out,
    size_t *n, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = store_query(ikd->store, cause, "SELECT " ROW_COLUMNS ", r.actor_id, "
	    "a.reminders = 'digest' AND r.kind = 'remind' FROM reminder r "
	    "JOIN actor a ON a.id = r.actor_id WHERE r.state = 'queued' AND r.due_utc <= ?1 "
	    "AND r.next_attempt_utc <= ?1 ORDER BY r.due_utc, r.id LIMIT ?2", "ii",
	    (sqlite3_int64)now, (sqlite3_int64)max)) == NULL)
		return -1;
	*out = xcalloc(max ? max : 1, sizeof(**out));
	while ((rc = store_next(ikd->store, st, cause)) == 1 && *n < max) {
		row_fill(st, &(*out)[*n].row, memo);
		(*out)[*n].actor = sqlite3_column_int64(st, 11);
		(*out)[*n].digest = sqlite3_column_int(st, 12) != 0;
		(*n)++;
	}
	store_done(ikd->store, st);
	return rc;
}

/*
 * One claim: the templates and the item memo it shares among its
 * messages, and the rows composed so far, marked "sending" together by
 * claim_mark() in one statement.
 */
struct claim {
	struct templates	 ts;
	struct item_memo	 memo;
	struct mailer_job	*job;
	struct buf		 sending;	/* JSON: [[id, "message id"], ...] */
};

/* Marks the rows composed so far "sending" with their Message-IDs. */
static int
claim_mark(struct ikond *ikd, struct claim *c, time_t now, char **cause)
{
	int rc;

	if (c->sending.len == 0)
		return 0;
	buf_add_str(&c->sending, "]");
	rc = store_exec(ikd->store, cause, "UPDATE reminder SET state = 'sending', "
	    "message_id = json_extract(j.value, '$[1]'), attempts = attempts + 1, "
	    "updated_at = ?1 FROM json_each(?2) j WHERE reminder.id = json_extract(j.value, "
	    "'$[0]')", "it", (sqlite3_int64)now, c->sending.data);
	buf_reset(&c->sending);
	return rc == -1 ? -1 : 0;
}

/* Composes one message for rows (the caller's) and adds it to the job.
 * A message that cannot be composed marks its rows failed; only a
 * failing store stops the claim. */
static int
claim_message(struct ikond *ikd, struct claim *c, struct row *rows, size_t n, bool digest,
    time_t now, char **cause)
{
	struct mailer_job *job = c->job;
	sqlite3_int64 *ids = xcalloc(n, sizeof(*ids));
	struct mailer_item *it;
	struct sender from;
	struct buf out;
	char *mid, *why = NULL;
	size_t i;
	int rc = 0;

	buf_init(&out);
	for (i = 0; i < n; i++)
		ids[i] = rows[i].id;
	mid = message_id(ikd, &rows[0], digest);
	if (compose(ikd, &c->ts, &c->memo, rows, n, digest, now, mid, &out, &why) == -1) {
		rc = mark_failed(ikd, ids, n, why ? why : "cannot compose the message", now, cause);
		goto done;
	}
	/* mail_compose() took mid: printable ASCII without quotes or backslashes. */
	for (i = 0; i < n; i++)
		buf_printf(&c->sending, "%s[%lld,\"%s\"]", c->sending.len == 0 ? "[" : ",",
		    (long long)ids[i], mid);
	sender_parse(ikd->cfg->smtp_from, &from);
	it = &job->items[job->n++];
	it->rows = ids;
	ids = NULL;
	it->nrows = n;
	it->from_addr = from.addr;
	from.addr = NULL;
	it->to_addr = xstrdup(rows[0].actor_email);
	it->data = buf_steal(&out, &it->len);
	sender_free(&from);
done:
	buf_free(&out);
	free(ids);
	free(mid);
	free(why);
	return rc;
}

/*
 * The due digest rows of actor (kind "remind"), all of them: a chunk's
 * rows may hold only some of them, and an actor gets one digest for all.
 */
static int
digest_rows(struct ikond *ikd, sqlite3_int64 actor, time_t now, struct item_memo *memo,
    struct row **rows, size_t *n, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	*rows = NULL;
	*n = 0;
	if ((st = store_query(ikd->store, cause, "SELECT " ROW_COLUMNS " FROM reminder r "
	    "JOIN actor a ON a.id = r.actor_id WHERE r.actor_id = ?1 AND r.kind = 'remind' AND "
	    "r.state = 'queued' AND r.due_utc <= ?2 AND r.next_attempt_utc <= ?2 "
	    "ORDER BY r.due_utc, r.id", "ii", actor, (sqlite3_int64)now)) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		*rows = xreallocarray(*rows, *n + 1, sizeof(**rows));
		row_fill(st, &(*rows)[(*n)++], memo);
	}
	store_done(ikd->store, st);
	return rc;
}

int
outbox_claim(struct ikond *ikd, time_t now, size_t max, struct mailer_job *job, char **cause)
{
	struct claim c;
	struct due *due;
	struct row *rows;
	size_t n, i, j, k, before = job->n;
	int rc = 0;

	if (max > job->cap - job->n)
		max = job->cap - job->n;
	if (max == 0)
		return 0;
	memset(&c, 0, sizeof(c));
	c.job = job;
	buf_init(&c.sending);
	/* Without waiting for the disk: see outbox.h. */
	if (store_begin_nosync(ikd->store, cause) == -1) {
		buf_free(&c.sending);
		return -1;
	}
	if (due_rows(ikd, now, max, &c.memo, &due, &n, cause) == -1) {
		store_rollback(ikd->store);
		due_free(due, n);
		memo_clear(&c.memo);
		buf_free(&c.sending);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (due[i].taken)
			continue;
		if (!due[i].digest) {
			rc = claim_message(ikd, &c, &due[i].row, 1, false, now, cause);
			continue;
		}
		/* Its rows are read again: those marked so far must say so. */
		if ((rc = claim_mark(ikd, &c, now, cause)) == -1 ||
		    (rc = digest_rows(ikd, due[i].actor, now, &c.memo, &rows, &k, cause)) == -1)
			break;
		for (j = i + 1; j < n; j++)
			if (due[j].digest && due[j].actor == due[i].actor)
				due[j].taken = true;
		if (k > 0)
			rc = claim_message(ikd, &c, rows, k, true, now, cause);
		for (j = 0; j < k; j++)
			row_clear(&rows[j]);
		free(rows);
	}
	if (rc == 0)
		rc = claim_mark(ikd, &c, now, cause);
	templates_clear(&c.ts);
	memo_clear(&c.memo);
	buf_free(&c.sending);
	due_free(due, n);
	if (rc == -1 || store_commit(ikd->store, cause) == -1) {
		store_rollback(ikd->store);
		mailer_job_truncate(job, before);
		return -1;
	}
	return (int)(job->n - before);
}

/* Appends text to b as a JSON string (SQLite's parser takes any byte but
 * controls, quotes and backslashes as it is). */
static void
json_string_add(struct buf *b, const char *text)
{
	const unsigned char *p;

	buf_add_char(b, '"');
	for (p = (const unsigned char *)text; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(b, "\\%c", *p);
		else if (*p < 0x20)
			buf_printf(b, "\\u%04x", *p);
		else
			buf_add_char(b, (char)*p);
	}
	buf_add_char(b, '"');
}

int
outbox_apply(struct ikond *ikd, const struct mailer_item *it, time_t now, struct buf *sent,
    char **cause)
{
	char why[320];
	sqlite3_int64 attempts;
	size_t i;
	int rc = 0, max = ikd->cfg->smtp_max_attempts;
	long long wait;

	if (it->code != 0)
		snprintf(why, sizeof(why), "%d %s", it->code, it->reply);
	else
		snprintf(why, sizeof(why), "%s", it->reply);
	for (i = 0; i < it->nrows && rc != -1; i++) {
		switch (it->outcome) {
		case SMTP_SENT:
			buf_printf(sent, "%s[%lld,", sent->len == 0 ? "[" : ",",
			    (long long)it->rows[i]);
			json_string_add(sent, why);
			buf_add_char(sent, ']');
			break;
		case SMTP_PERMFAIL:
			rc = store_exec(ikd->store, cause, "UPDATE reminder SET state = 'failed', "
			    "last_error = ?, updated_at = ? WHERE id = ?", "tii", why,
			    (sqlite3_int64)now, it->rows[i]);
			break;
		case SMTP_TEMPFAIL:
			/* -1 stops; a row removed meanwhile has nothing to record. */
			if ((rc = store_get_int(ikd->store, cause, &attempts, "SELECT attempts "
			    "FROM reminder WHERE id = ?", "i", it->rows[i])) != 1)
				break;
			if (attempts >= max) {
				char gaveup[400];

				snprintf(gaveup, sizeof(gaveup), "gave up after %lld attempts: %s",
				    (long long)attempts, why);
				rc = store_exec(ikd->store, cause, "UPDATE reminder SET state = "
				    "'failed', last_error = ?, updated_at = ? WHERE id = ?", "tii", gaveup,
				    (sqlite3_int64)now, it->rows[i]);
				break;
			}
			wait = ikd->cfg->smtp_retry_seconds;
			while (--attempts > 0 && wait < RETRY_MAX_SECONDS)
				wait *= 2;
			if (wait > RETRY_MAX_SECONDS)
				wait = RETRY_MAX_SECONDS;
			rc = store_exec(ikd->store, cause, "UPDATE reminder SET state = 'queued', "
			    "next_attempt_utc = ?, last_error = ?, updated_at = ? WHERE id = ?", "itii",
			    (sqlite3_int64)now + wait, why, (sqlite3_int64)now, it->rows[i]);
			break;
		}
	}
	if (rc == -1)
		return -1;
	if (it->outcome == SMTP_SENT)
		log_debug("outbox: %s: %s", it->to_addr, why);
	else
		log_info("outbox: %s to %s: %s", it->outcome == SMTP_PERMFAIL ? "failed" :
		    "will retry", it->to_addr, why);
	return 0;
}

int
outbox_apply_sent(struct ikond *ikd, struct buf *sent, time_t now, char **cause)
{
	int rc;

	if (sent->len == 0)
		return 0;
	buf_add_char(sent, ']');
	rc = store_exec(ikd->store, cause, "UPDATE reminder SET state = 'sent', sent_at = ?1, "
	    "last_error = json_extract(j.value, '$[1]'), updated_at = ?1 FROM json_each(?2) j "
	    "WHERE reminder.id = json_extract(j.value, '$[0]')", "it", (sqlite3_int64)now,
	    sent->data);
	buf_reset(sent);
	return rc == -1 ? -1 : 0;
}

int
outbox_next_due(struct ikond *ikd, time_t *next, char **cause)
{
	sqlite3_int64 t;

	if (store_get_int(ikd->store, cause, &t, "SELECT coalesce(min(max(due_utc, "
	    "next_attempt_utc)), 0) FROM reminder WHERE state = 'queued'", "") == -1)
		return -1;
	*next = (time_t)t;
	return 0;
}

int
outbox_sender_check(const char *from, char **cause)
{
	struct sender s;
	int rc = 0;

	sender_parse(from, &s);
	if (!mail_address_valid(s.addr))
		rc = set_cause(cause, "\"%.80s\" has no valid address; write \"Name "
		    "<address@example.org>\" or \"address@example.org\"", from);
	sender_free(&s);
	return rc;
}

int
outbox_shift_retries(struct ikond *ikd, long long seconds, char **cause)
{
	if (store_begin(ikd->store, cause) == -1)
		return -1;
	if (store_exec(ikd->store, cause, "UPDATE reminder SET next_attempt_utc = "
	    "next_attempt_utc + ? WHERE state = 'queued' AND next_attempt_utc > 0", "i",
	    (sqlite3_int64)seconds) == -1 || store_commit(ikd->store, cause) == -1) {
		store_rollback(ikd->store);
		return -1;
	}
	return 0;
}

int
outbox_preview(struct ikond *ikd, sqlite3_int64 id, time_t now, struct buf *out, char **cause)
{
	struct templates ts;
	struct row r;
	char *mid = NULL;
	int rc = -1;

	if (row_load(ikd, id, &r, cause) == -1)
		return -1;
	memset(&ts, 0, sizeof(ts));
	mid = message_id(ikd, &r, false);
	rc = compose(ikd, &ts, NULL, &r, 1, false, now, mid, out, cause);
	templates_clear(&ts);
	free(mid);
	row_clear(&r);
	return rc;
}

int
outbox_test_message(struct ikond *ikd, const char *addr, time_t now, struct buf *out,
    char **from_addr, char **cause)
{
	struct sender from;
	struct mail_message m;
	char *mid, *body;
	int rc;

	sender_parse(ikd->cfg->smtp_from, &from);
	xasprintf(&mid, "test-%lld.%d@%s", (long long)now, (int)getpid(), from.domain);
	xasprintf(&body, "Guten Tag,\n\ndies ist eine Testnachricht von ikond (%s).\n"
	    "Wenn Sie sie lesen, kommen Erinnerungen an.\n\nMit freundlichen Grüßen\n%s\n",
	    ikd->cfg->body_name, ikd->cfg->body_name);
	memset(&m, 0, sizeof(m));
	m.from_name = from.name;
	m.from_addr = from.addr;
	m.to_addr = addr;
	m.subject = "Testnachricht von ikond";
	m.body = body;
	m.message_id = mid;
	m.date = now;
	m.zone = ikd->cfg->body_timezone;
	rc = mail_compose(&m, out, cause);
	*from_addr = from.addr;
	from.addr = NULL;
	free(mid);
	free(body);
	sender_free(&from);
	return rc;
}

void
outbox_transport(const struct ikond *ikd, const char *password, struct mailer_transport *t)
{
	const struct config *cfg = ikd->cfg;

	memset(t, 0, sizeof(*t));
	if (cfg->smtp_host == NULL || cfg->smtp_host[0] == '\0') {
		xasprintf(&t->maildir, "%s/Maildir", cfg->state_dir);
		return;
	}
	t->host = xstrdup(cfg->smtp_host);
	t->port = cfg->smtp_port;
	if (smtp_tls_parse(cfg->smtp_starttls, &t->tls, NULL) == -1)
		t->tls = SMTP_TLS_REQUIRED;
	t->user = cfg->smtp_user != NULL ? xstrdup(cfg->smtp_user) : NULL;
	t->password = password != NULL ? xstrdup(password) : NULL;
	t->timeout = cfg->smtp_timeout;
	t->rate_count = cfg->smtp_rate_count;
	t->rate_period = cfg->smtp_rate_period;
	t->connections = cfg->smtp_connections;
}
