/*
 * draft: finds draft templates on the search path, builds the data tree of
 * templates/README.md from the store and renders drafts (see draft.h).
 * The data builder is the one place that turns stored rows into the words
 * a draft prints, so every key the templates know is filled here, with
 * German dates from timefmt and null where a thing does not exist yet.
 */
#include "draft.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "deadline.h"
#include "domain.h"
#include "entity.h"
#include "event.h"
#include "process.h"
#include "submission.h"
#include "store.h"
#include "template.h"
#include "timefmt.h"
#include "xmalloc.h"

#define NEXT_OCCURRENCES	3		/* evaluation dates a draft lists */
#define NEXT_HORIZON_DAYS	(366 * 30)
#define LIST_MAX		500		/* templates "draft list" shows */

/* ---- the search path ---------------------------------------------------- */

bool
draft_name_valid(const char *name)
{
	size_t i;

	if (name == NULL || name[0] == '\0' || strlen(name) > DRAFT_NAME_MAX)
		return false;
	for (i = 0; name[i] != '\0'; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		    name[i] == '-'))
			return false;
	return true;
}

size_t
draft_search_path(const char *admin_dir, struct draft_dir dirs[DRAFT_PATH_DIRS])
{
	size_t n = 0;

	if (admin_dir != NULL && admin_dir[0] != '\0') {
		dirs[n].path = admin_dir;
		dirs[n++].origin = "admin";
	}
	dirs[n].path = IKOND_DATADIR "/templates";
	dirs[n++].origin = "shipped";
#ifdef IKOND_SOURCE_TEMPLATES
	/* So that a daemon run from the build tree finds the templates. */
	if (strcmp(IKOND_SOURCE_TEMPLATES, IKOND_DATADIR "/templates") != 0) {
		dirs[n].path = IKOND_SOURCE_TEMPLATES;
		dirs[n++].origin = "shipped";
	}
#endif
	return n;
}

static bool
is_file(const char *path)
{
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return false;
	fclose(f);
	return true;
}

char *
draft_find(const char *admin_dir, const char *name, const char **origin, char **cause)
{
	struct draft_dir dirs[DRAFT_PATH_DIRS];
	size_t i, n;
	char *path;
	struct buf b;

	if (!draft_name_valid(name)) {
		set_cause(cause, "\"%.80s\" is not a template name: 1 to %d of a-z, 0-9 and -, "
		    "without path or .md (see: ikond-ctl draft list)", name ? name : "",
		    DRAFT_NAME_MAX);
		return NULL;
	}
	n = draft_search_path(admin_dir, dirs);
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s.md", dirs[i].path, name);
		if (is_file(path)) {
			if (origin != NULL)
				*origin = dirs[i].origin;
			return path;
		}
		free(path);
	}
	buf_init(&b);
	buf_printf(&b, "no template \"%s\" in ", name);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", dirs[i].path);
	buf_printf(&b, " (see: ikond-ctl draft list)");
	if (cause != NULL)
		*cause = buf_steal(&b, NULL);
	else
		buf_free(&b);
	return NULL;
}

static char *
read_template(const char *path, size_t *len, char **cause)
{
	char chunk[8192];
	struct buf b;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > TEMPLATE_MAX_SOURCE)
			break;
	}
	if (ferror(f) || b.len > TEMPLATE_MAX_SOURCE) {
		set_cause(cause, ferror(f) ? "%s: read error" : "%s: larger than %d bytes", path,
		    TEMPLATE_MAX_SOURCE);
		fclose(f);
		buf_free(&b);
		return NULL;
	}
	fclose(f);
	buf_add_char(&b, '\0');
	return buf_steal(&b, len);
}

/* The first sentence of the opening comment, or the first heading. */
static char *
template_title(const char *path)
{
	char *text, *p, *end;
	size_t len, n;
	struct buf b;

	if ((text = read_template(path, &len, NULL)) == NULL)
		return xstrdup("");
	buf_init(&b);
	p = text + strspn(text, " \t\r\n");
	if (strncmp(p, "{{!", 3) == 0) {
		p += 3;
		if ((end = strstr(p, "}}")) != NULL)
			*end = '\0';
		if ((end = strstr(p, ". ")) != NULL || (end = strstr(p, ".\n")) != NULL)
			end[1] = '\0';
		while (*p != '\0') {
			n = strcspn(p, " \t\r\n");
			if (n > 0)
				buf_printf(&b, "%s%.*s", b.len ? " " : "", (int)n, p);
			p += n;
			p += strspn(p, " \t\r\n");
		}
	} else {
		for (; *p != '\0'; p += strcspn(p, "\n"), p += *p == '\n') {
			if (*p == '#') {
				p += strspn(p, "# ");
				buf_add(&b, p, strcspn(p, "\r\n"));
				break;
			}
		}
	}
	free(text);
	buf_add_char(&b, '\0');
	return buf_steal(&b, NULL);
}

static int
by_name(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;

	return strcmp(json_string_value(json_object_get(x, "name")),
	    json_string_value(json_object_get(y, "name")));
}

json_t *
draft_list(const char *admin_dir)
{
	struct draft_dir dirs[DRAFT_PATH_DIRS];
	json_t *seen = json_object(), *items[LIST_MAX], *list, *obj;
	size_t i, n, count = 0;
	struct dirent *de;
	char name[DRAFT_NAME_MAX + 1], *path, *title;
	size_t len;
	DIR *d;

	n = draft_search_path(admin_dir, dirs);
	for (i = 0; i < n; i++) {
		if ((d = opendir(dirs[i].path)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL && count < LIST_MAX) {
			len = strlen(de->d_name);
			if (len < 4 || len - 3 > DRAFT_NAME_MAX ||
			    strcmp(de->d_name + len - 3, ".md") != 0)
				continue;
			memcpy(name, de->d_name, len - 3);
			name[len - 3] = '\0';
			if (!draft_name_valid(name) || json_object_get(seen, name) != NULL)
				continue;
			xasprintf(&path, "%s/%s", dirs[i].path, de->d_name);
			if (!is_file(path)) {
				free(path);
				continue;
			}
			title = template_title(path);
			obj = json_pack("{s:s, s:s, s:s, s:s}", "name", name, "origin",
			    dirs[i].origin, "title", title, "path", path);
			free(title);
			free(path);
			json_object_set_new(seen, name, json_true());
			items[count++] = obj;
		}
		closedir(d);
	}
	json_decref(seen);
	qsort(items, count, sizeof(items[0]), by_name);
	list = json_array();
	for (i = 0; i < count; i++)
		json_array_append_new(list, items[i]);
	return list;
}

int
draft_render(const char *admin_dir, const char *name, json_t *data, enum document_format fmt,
    struct buf *out, char **cause)
{
	struct template *t;
	const char *origin;
	char *path, *text;
	struct buf md;
	size_t len;
	int rc = -1;

	if ((path = draft_find(admin_dir, name, &origin, cause)) == NULL)
		return -1;
	text = read_template(path, &len, cause);
	free(path);
	if (text == NULL)
		return -1;
	t = template_parse(name, text, len - 1, cause);
	free(text);
	if (t == NULL)
		return -1;
	buf_init(&md);
	if (template_render(t, data, TEMPLATE_ESCAPE_MARKDOWN, &md, cause) == 0 &&
	    document_render(md.data ? md.data : "", md.len, fmt, name, out, cause) == 0)
		rc = 0;
	buf_free(&md);
	template_free(t);
	return rc;
}

/* ---- German words ---------------------------------------------------- */

static const struct vocab land_names[] = {
	{ "BW", "Baden-Württemberg" }, { "BY", "Bayern" }, { "BE", "Berlin" },
	{ "BB", "Brandenburg" }, { "HB", "Bremen" }, { "HH", "Hamburg" },
	{ "HE", "Hessen" }, { "MV", "Mecklenburg-Vorpommern" }, { "NI", "Niedersachsen" },
	{ "NW", "Nordrhein-Westfalen" }, { "RP", "Rheinland-Pfalz" }, { "SL", "Saarland" },
	{ "SN", "Sachsen" }, { "ST", "Sachsen-Anhalt" }, { "SH", "Schleswig-Holstein" },
	{ "TH", "Thüringen" }, { NULL, NULL },
};

static const struct vocab step_states_de[] = {
	{ "open", "geplant" },
	{ "in_progress", "läuft" },
	{ "done", "erledigt" },
	{ "skipped", "übersprungen" },
	{ NULL, NULL },
};

/* The templates' words for the stored step states. */
static const struct vocab step_states_draft[] = {
	{ "open", "planned" },
	{ "in_progress", "active" },
	{ "done", "done" },
	{ "skipped", "skipped" },
	{ NULL, NULL },
};

static const struct vocab measure_states_de[] = {
	{ "open", "offen" },
	{ "done", "erledigt" },
	{ NULL, NULL },
};

static const char *const ordinals_de[] = {
	"ersten", "zweiten", "dritten", "vierten", "fünften",
};
static const char *const months_de[] = {
	"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
	"September", "Oktober", "November", "Dezember",
};
static const struct vocab weekdays_de[] = {
	{ "MO", "Montag" }, { "TU", "Dienstag" }, { "WE", "Mittwoch" },
	{ "TH", "Donnerstag" }, { "FR", "Freitag" }, { "SA", "Samstag" },
	{ "SU", "Sonntag" }, { NULL, NULL },
};

void
draft_euro_de(sqlite3_int64 cents, char *out, size_t len)
{
	char digits[32], grouped[48];
	unsigned long long v;
	size_t n, i, j = 0;
	bool neg = cents < 0;

	v = neg ? 0ULL - (unsigned long long)cents : (unsigned long long)cents;
	snprintf(digits, sizeof(digits), "%llu", v / 100);
	n = strlen(digits);
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			grouped[j++] = '.';
		grouped[j++] = digits[i];
	}
	grouped[j] = '\0';
	snprintf(out, len, "%s%s,%02llu €", neg ? "-" : "", grouped, v % 100);
}

/* "a", "a und b", "a, b und c" */
static void
join_de(struct buf *b, const char *const *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? " und " : ", ", words[i]);
}

/* Describes the parts of an RRULE that drafts use; anything else returns
 * the rule as it is. */
char *
draft_rrule_de(const char *rrule)
{
	static const struct {
		const char *freq, *one, *unit_sg, *unit_pl;
	} freqs[] = {
		{ "YEARLY", "jährlich", "Jahr", "Jahre" },
		{ "MONTHLY", "monatlich", "Monat", "Monate" },
		{ "WEEKLY", "wöchentlich", "Woche", "Wochen" },
		{ "DAILY", "täglich", "Tag", "Tage" },
	};
	const char *freq = NULL, *months[12];
	char *copy, *part, *save = NULL, *val, *end;
	long interval = 1, v, ord = 0, monthday = 0, count = 0;
	const char *byday = NULL, *until = NULL;
	size_t nmonths = 0, f = 0;
	struct buf b;
	bool ok = true;

	copy = xstrdup(rrule != NULL ? rrule : "");
	for (part = strtok_r(copy, ";", &save); part != NULL && ok;
	    part = strtok_r(NULL, ";", &save)) {
		if ((val = strchr(part, '=')) == NULL) {
			ok = false;
			break;
		}
		*val++ = '\0';
		if (strcmp(part, "FREQ") == 0)
			freq = val;
		else if (strcmp(part, "INTERVAL") == 0) {
			interval = strtol(val, &end, 10);
			ok = *end == '\0' && interval >= 1 && interval <= 1000;
		} else if (strcmp(part, "BYMONTH") == 0) {
			for (val = strtok_r(val, ",", &end); val != NULL && ok && nmonths < 12;
			    val = strtok_r(NULL, ",", &end)) {
				v = strtol(val, NULL, 10);
				ok = v >= 1 && v <= 12;
				if (ok)
					months[nmonths++] = months_de[v - 1];
			}
		} else if (strcmp(part, "BYDAY") == 0 && strchr(val, ',') == NULL) {
			ord = strtol(val, &end, 10);
			byday = vocab_label(weekdays_de, end);
			ok = byday != NULL && ord >= -1 && ord <= 5;
		} else if (strcmp(part, "BYMONTHDAY") == 0) {
			monthday = strtol(val, &end, 10);
			ok = *end == '\0' && monthday >= 1 && monthday <= 31;
		} else if (strcmp(part, "COUNT") == 0) {
			count = strtol(val, &end, 10);
			ok = *end == '\0' && count >= 1;
		} else if (strcmp(part, "UNTIL") == 0 && strlen(val) >= 8)
			until = val;
		else if (strcmp(part, "WKST") != 0)
			ok = false;
	}
	for (f = 0; ok && freq != NULL && f < sizeof(freqs) / sizeof(freqs[0]); f++)
		if (strcmp(freqs[f].freq, freq) == 0)
			break;
	if (!ok || freq == NULL || f == sizeof(freqs) / sizeof(freqs[0])) {
		free(copy);
		return xstrdup(rrule != NULL ? rrule : "");
	}
	buf_init(&b);
	if (interval == 1)
		buf_add_str(&b, freqs[f].one);
	else
		buf_printf(&b, "alle %ld %s", interval, freqs[f].unit_pl);
	if (byday != NULL && ord == -1)
		buf_printf(&b, " am letzten %s", byday);
	else if (byday != NULL && ord >= 1)
		buf_printf(&b, " am %s %s", ordinals_de[ord - 1], byday);
	else if (byday != NULL)
		buf_printf(&b, " am %s", byday);
	if (monthday != 0)
		buf_printf(&b, " am %ld.", monthday);
	if (nmonths > 0) {
		buf_add_str(&b, " im ");
		join_de(&b, months, nmonths);
	}
	if (count > 0)
		buf_printf(&b, ", %ld-mal", count);
	if (until != NULL)
		buf_printf(&b, ", bis %.2s.%.2s.%.4s", until + 6, until + 4, until);
	free(copy);
	buf_add_char(&b, '\0');
	return buf_steal(&b, NULL);
}

/* ---- the data tree ---------------------------------------------------- */

/* Sets key to the ISO date and key_de to its German form (long or short);
 * both null for a NULL or malformed date, key_de then says so plainly. */
static void
set_date(json_t *obj, const char *key, const char *iso, bool long_form, const char *none_de)
{
	char de[64], *k;
	int d;

	xasprintf(&k, "%s_de", key);
	if (iso != NULL && civil_parse_date(iso, &d, NULL) == 0) {
		if (long_form)
			timefmt_date_de(d, de, sizeof(de));
		else
			timefmt_date_short_de(d, de, sizeof(de));
		json_object_set_new(obj, key, json_string(iso));
		json_object_set_new(obj, k, json_string(de));
	} else {
		json_object_set_new(obj, key, json_null());
		json_object_set_new(obj, k, none_de ? json_string(none_de) : json_null());
	}
	free(k);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/*
 * Every builder below returns a new JSON value, JSON null where a thing
 * does not exist, or NULL with *cause when the store fails.
 */

static json_t *
committee_json(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	sqlite3_stmt *st;
	json_t *obj;
	const char *label;

	switch (store_first(ikd->store, cause, &st, "SELECT slug, name, kind, internal "
	    "FROM committee WHERE id = ?", "i", id)) {
	case -1:
		return NULL;
	case 0:
		return json_null();
	}
	label = vocab_label(committee_kinds, col_text(st, 2));
	obj = json_pack("{s:s, s:s, s:s, s:s, s:b}", "slug", col_text(st, 0), "name",
	    col_text(st, 1), "kind", col_text(st, 2), "kind_de", label ? label :
	    col_text(st, 2), "public", sqlite3_column_int(st, 3) == 0);
	store_done(ikd->store, st);
	return obj;
}

static json_t *
actor_json(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	json_t *obj = entity_actor(ikd, id, cause), *v;
	struct buf b;
	size_t i;

	if (obj == NULL)
		return NULL;
	json_object_del(obj, "id");
	buf_init(&b);
	json_array_foreach(json_object_get(obj, "roles"), i, v)
		buf_printf(&b, "%s%s", i ? ", " : "", json_string_value(v));
	buf_add_char(&b, '\0');
	json_object_set_new(obj, "roles_de", json_string(b.data));
	buf_free(&b);
	return obj;
}

/* "Vorlagenfrist: 21 Kalendertage vor der Sitzung am 22.06.2027 (Kreistag)."
 * The stored explanation is the derivation for people who check it; a
 * draft needs one sentence. */
static json_t *
why_de(struct ikond *ikd, const char *kind_de, const char *due, sqlite3_int64 session,
    char **cause)
{
	sqlite3_stmt *st;
	json_t *why = json_null();
	char day_de[32], *text;
	int d, sd, minute, off;

	switch (store_first(ikd->store, cause, &st, "SELECT s.start_utc, c.name FROM session s "
	    "JOIN committee c ON c.id = s.committee_id WHERE s.id = ?", "i", session)) {
	case -1:
		return NULL;
	case 0:
		return why;
	}
	if (due != NULL && civil_parse_date(due, &d, NULL) == 0 &&
	    civil_from_utc(ikd->cfg->body_timezone, (time_t)sqlite3_column_int64(st, 0), &sd,
	    &minute, &off) == 0) {
		timefmt_date_short_de(sd, day_de, sizeof(day_de));
		xasprintf(&text, "%s: %d Kalendertage vor der Sitzung am %s (%s).",
		    kind_de ? kind_de : "Frist", sd - d, day_de, col_text(st, 1));
		why = json_string(text);
		free(text);
	}
	store_done(ikd->store, st);
	return why;
}

static json_t *
session_deadlines(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	json_t *rows, *list, *r, *obj, *why;
	size_t i;

	if ((rows = deadline_list_session(ikd, id, cause)) == NULL)
		return NULL;
	list = json_array();
	json_array_foreach(rows, i, r) {
		if ((why = why_de(ikd, json_string_value(json_object_get(r, "kind_de")),
		    json_string_value(json_object_get(r, "date")), id, cause)) == NULL) {
			json_decref(list);
			list = NULL;
			break;
		}
		obj = json_pack("{s:O, s:O}", "kind", json_object_get(r, "kind"), "kind_de",
		    json_object_get(r, "kind_de"));
		set_date(obj, "date", json_string_value(json_object_get(r, "date")), true, NULL);
		json_object_set_new(obj, "why", why);
		json_array_append_new(list, obj);
	}
	json_decref(rows);
	return list;
}

static json_t *
session_json(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	const char *tz = ikd->cfg->body_timezone;
	sqlite3_stmt *st;
	json_t *obj = json_null(), *committee, *deadlines;
	char iso[26], date[64], time_de[32];
	int day, minute, off;
	const char *label;

	switch (store_first(ikd->store, cause, &st, "SELECT id, title, committee_id, start_utc, "
	    "location, state FROM session WHERE id = ?", "i", id)) {
	case -1:
		return NULL;
	case 0:
		return obj;
	}
	if (civil_from_utc(tz, (time_t)sqlite3_column_int64(st, 3), &day, &minute, &off) == -1) {
		store_done(ikd->store, st);
		return obj;
	}
	if ((committee = committee_json(ikd, sqlite3_column_int64(st, 2), cause)) == NULL) {
		store_done(ikd->store, st);
		return NULL;
	}
	civil_format_iso(tz, (time_t)sqlite3_column_int64(st, 3), iso);
	timefmt_date_de(day, date, sizeof(date));
	timefmt_time_de(minute, time_de, sizeof(time_de));
	label = vocab_label(session_states, col_text(st, 5));
	obj = json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
	    (json_int_t)sqlite3_column_int64(st, 0), "title", col_text(st, 1),
	    "committee", committee, "start", iso, "date_de", date, "time_de", time_de,
	    "location", col_text(st, 4), "state", col_text(st, 5), "state_de",
	    label ? label : col_text(st, 5));
	store_done(ikd->store, st);
	if ((deadlines = session_deadlines(ikd, id, cause)) == NULL) {
		json_decref(obj);
		return NULL;
	}
	json_object_set_new(obj, "deadlines", deadlines);
	return obj;
}

/* The body: "Landkreis", "Stadt", ... from the start of its name. */
static json_t *
body_json(struct ikond *ikd, char **cause)
{
	static const struct {
		const char *prefix, *kind, *council, *head;
	} kinds[] = {
		{ "Landkreis ", "Landkreis", "Kreistag", "Landrätin/Landrat" },
		{ "Kreis ", "Kreis", "Kreistag", "Landrätin/Landrat" },
		{ "Region ", "Region", "Regionsversammlung", "Regionspräsidentin/Regionspräsident" },
		{ "Hansestadt ", "Hansestadt", "Rat", "Bürgermeisterin/Bürgermeister" },
		{ "Stadt ", "Stadt", "Rat", "Bürgermeisterin/Bürgermeister" },
		{ "Samtgemeinde ", "Samtgemeinde", "Samtgemeinderat",
		  "Samtgemeindebürgermeisterin/Samtgemeindebürgermeister" },
		{ "Gemeinde ", "Gemeinde", "Gemeinderat", "Bürgermeisterin/Bürgermeister" },
	};
	const struct config *cfg = ikd->cfg;
	const char *kind = "Kommune", *council = "Rat", *head = "Bürgermeisterin/Bürgermeister";
	const char *land = vocab_label(land_names, cfg->body_land);
	json_t *body;
	sqlite3_stmt *st;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strncmp(cfg->body_name, kinds[i].prefix, strlen(kinds[i].prefix)) == 0) {
			kind = kinds[i].kind;
			council = kinds[i].council;
			head = kinds[i].head;
			break;
		}
	if ((rc = store_exists(ikd->store, cause, "SELECT 1 FROM committee WHERE "
	    "kind = 'kreistag'", "")) == -1)
		return NULL;
	if (rc == 1)
		council = "Kreistag";
	body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", cfg->body_name,
	    "land", cfg->body_land, "land_name", land ? land : cfg->body_land, "kind_de", kind,
	    "council_de", council, "head_title", head, "head_name",
	    "(Name der Verwaltungsspitze)", "address", "(Anschrift der Verwaltung)");
	/* An actor whose role names the head of the administration. */
	switch (store_first(ikd->store, cause, &st, "SELECT a.name, r.role FROM actor_role r "
	    "JOIN actor a ON a.id = r.actor_id WHERE lower(r.role) IN ('landrat', 'landrätin', "
	    "'bürgermeister', 'bürgermeisterin', 'oberbürgermeister', 'oberbürgermeisterin', "
	    "'regionspräsident', 'regionspräsidentin', 'samtgemeindebürgermeister', "
	    "'samtgemeindebürgermeisterin') ORDER BY a.id LIMIT 1", "")) {
	case -1:
		json_decref(body);
		return NULL;
	case 1:
		json_object_set_new(body, "head_name", json_string(col_text(st, 0)));
		json_object_set_new(body, "head_title", json_string(col_text(st, 1)));
		store_done(ikd->store, st);
		break;
	}
	/* What the configuration says wins over what the store suggests. */
	if (cfg->body_head_name != NULL)
		json_object_set_new(body, "head_name", json_string(cfg->body_head_name));
	if (cfg->body_head_title != NULL)
		json_object_set_new(body, "head_title", json_string(cfg->body_head_title));
	if (cfg->body_address != NULL)
		json_object_set_new(body, "address", json_string(cfg->body_address));
	return body;
}

/* What the builders of one process's rows (store_row_fn) share. */
struct process_rows {
	struct ikond	*ikd;
	int		 today;
	sqlite3_int64	 budget_total;	/* cents */
	size_t		 steps;
	size_t		 finished;	/* done or skipped */
	size_t		 started;
};

static json_t *
step_json(sqlite3_stmt *st, void *arg, char **cause)
{
	struct process_rows *pr = arg;
	struct ikond *ikd = pr->ikd;
	sqlite3_int64 id = sqlite3_column_int64(st, 0);
	const char *state = col_text(st, 3), *word = vocab_label(step_states_draft, state);
	const char *label = vocab_label(step_states_de, state);
	json_t *obj, *owners, *o;
	struct buf b;
	size_t i;

	if ((owners = entity_list(ikd, actor_json, cause, "SELECT actor_id FROM step_owner "
	    "WHERE step_id = ? ORDER BY actor_id", "i", id)) == NULL)
		return NULL;
	pr->steps++;
	if (strcmp(state, "done") == 0 || strcmp(state, "skipped") == 0)
		pr->finished++;
	else if (strcmp(state, "in_progress") == 0)
		pr->started++;
	obj = json_pack("{s:I, s:s, s:s, s:s}", "n", (json_int_t)sqlite3_column_int64(st, 1),
	    "title", col_text(st, 2), "state", word ? word : state, "state_de",
	    label ? label : state);
	set_date(obj, "date", col_text(st, 4), false, "noch nicht terminiert");
	set_date(obj, "end", col_text(st, 5), false, "noch nicht terminiert");
	buf_init(&b);
	json_array_foreach(owners, i, o)
		buf_printf(&b, "%s%s", i ? ", " : "", json_string_value(json_object_get(o,
		    "name")));
	buf_add_char(&b, '\0');
	json_object_set_new(obj, "owners", owners);
	json_object_set_new(obj, "owners_de", json_string(b.data[0] ? b.data : "noch offen"));
	buf_free(&b);
	json_object_set_new(obj, "notes", json_string(col_text(st, 6)));
	return obj;
}

/* A session of the Beratungsfolge with the role its committee has. */
static json_t *
chain_session(struct ikond *ikd, sqlite3_int64 session, const char *role, char **cause)
{
	json_t *obj;

	if ((obj = session_json(ikd, session, cause)) == NULL || json_is_null(obj))
		return obj;
	json_object_set_new(obj, "role", json_string(role));
	json_object_set_new(obj, "role_de", json_string(vocab_label(beratung_roles, role)));
	return obj;
}

/* The Beratungen of a submission, each a session with its role. */
static json_t *
beratungen_json(struct ikond *ikd, sqlite3_int64 sub, char **cause)
{
	json_t *list = json_array(), *obj;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_query(ikd->store, cause, "SELECT b.session_id, b.role FROM beratung b "
	    "JOIN session s ON s.id = b.session_id WHERE b.submission_id = ? "
	    "ORDER BY s.start_utc, b.id", "i", sub)) == NULL) {
		json_decref(list);
		return NULL;
	}
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		if ((obj = chain_session(ikd, sqlite3_column_int64(st, 0), col_text(st, 1),
		    cause)) == NULL) {
			rc = -1;
			break;
		}
		json_array_append_new(list, obj);
	}
	store_done(ikd->store, st);
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* The Beratungsfolge: the Beratungen of the submission; without one, the
 * sessions the plan linked to the step that holds the target session, the
 * target deciding and the others advising. */
static json_t *
chain_json(struct ikond *ikd, sqlite3_int64 pid, sqlite3_int64 target, sqlite3_int64 sub,
    char **cause)
{
	sqlite3_int64 step = 0, *sessions;
	json_t *list, *obj;
	size_t i, n;

	if (sub != 0)
		return beratungen_json(ikd, sub, cause);
	if (target != 0 && store_get_int(ikd->store, cause, &step, "SELECT "
	    "l.step_id FROM process_link l JOIN process_step p ON p.id = l.step_id WHERE "
	    "p.process_id = ? AND l.session_id = ? ORDER BY p.n DESC LIMIT 1", "ii", pid,
	    target) == -1)
		return NULL;
	if (store_get_ints(ikd->store, cause, &sessions, &n, "SELECT l.session_id FROM "
	    "process_link l JOIN session s ON s.id = l.session_id WHERE l.step_id = ? "
	    "ORDER BY s.start_utc, l.id", "i", step) == -1)
		return NULL;
	list = json_array();
	for (i = 0; i < n; i++) {
		if ((obj = chain_session(ikd, sessions[i], sessions[i] == target ?
		    "entscheidung" : "vorberatung", cause)) == NULL) {
			json_decref(list);
			list = NULL;
			break;
		}
		json_array_append_new(list, obj);
	}
	free(sessions);
	return list;
}

static json_t *
window_json(sqlite3_stmt *st, void *arg, char **cause)
{
	struct process_rows *pr = arg;
	struct ikond *ikd = pr->ikd;
	json_t *obj, *audience;

	if ((audience = store_get_column(ikd->store, cause, "SELECT coalesce(c.name, p.name) "
	    "FROM window_audience w LEFT JOIN committee c ON c.id = w.committee_id "
	    "LEFT JOIN actor p ON p.id = w.actor_id WHERE w.window_id = ? "
	    "ORDER BY w.committee_id IS NULL, w.rowid", "i", sqlite3_column_int64(st, 0))) == NULL)
		return NULL;
	obj = json_pack("{s:s, s:s}", "title", col_text(st, 1), "why", col_text(st, 4));
	set_date(obj, "opens", col_text(st, 2), true, NULL);
	set_date(obj, "closes", col_text(st, 3), true, NULL);
	json_object_set_new(obj, "audience", audience);
	return obj;
}

static json_t *
measure_json(sqlite3_stmt *st, void *arg, char **cause)
{
	struct process_rows *pr = arg;
	struct ikond *ikd = pr->ikd;
	const char *state = col_text(st, 5), *label = vocab_label(measure_states_de, state);
	const char *due = col_text(st, 4);
	json_t *obj, *owner;
	char euro[48];
	int d;

	if ((owner = actor_json(ikd, sqlite3_column_int64(st, 2), cause)) == NULL)
		return NULL;
	obj = json_pack("{s:s, s:s, s:o, s:s, s:s}", "title", col_text(st, 0), "goal",
	    col_text(st, 1)[0] ? col_text(st, 1) : "(Ziel noch nicht beschrieben)",
	    "owner", owner, "state", state, "state_de", label ? label : state);
	if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
		json_object_set_new(obj, "budget", json_null());
		json_object_set_new(obj, "budget_de", json_string("ohne Betrag"));
	} else {
		pr->budget_total += sqlite3_column_int64(st, 3);
		draft_euro_de(sqlite3_column_int64(st, 3), euro, sizeof(euro));
		json_object_set_new(obj, "budget", json_real((double)sqlite3_column_int64(st, 3) /
		    100.0));
		json_object_set_new(obj, "budget_de", json_string(euro));
	}
	json_object_set_new(obj, "year", sqlite3_column_type(st, 6) == SQLITE_NULL ? json_null() :
	    json_integer((json_int_t)sqlite3_column_int64(st, 6)));
	set_date(obj, "due", due, false, "ohne Termin");
	json_object_set_new(obj, "overdue", json_boolean(strcmp(state, "open") == 0 &&
	    due != NULL && civil_parse_date(due, &d, NULL) == 0 && d < pr->today));
	return obj;
}

static json_t *
evaluation_json(sqlite3_stmt *st, void *arg, char **cause)
{
	struct process_rows *pr = arg;
	struct ikond *ikd = pr->ikd;
	const struct config *cfg = ikd->cfg;
	struct occurrence *occ = NULL;
	json_t *obj, *owner, *committee, *next, *o;
	char *rrule_de, day[11];
	size_t i, n = 0;
	int start;

	if ((owner = actor_json(ikd, sqlite3_column_int64(st, 1), cause)) == NULL)
		return NULL;
	committee = sqlite3_column_type(st, 4) == SQLITE_NULL ? json_null() :
	    committee_json(ikd, sqlite3_column_int64(st, 4), cause);
	if (committee == NULL) {
		json_decref(owner);
		return NULL;
	}
	rrule_de = draft_rrule_de(col_text(st, 3));
	obj = json_pack("{s:s, s:o, s:s, s:s}", "title", col_text(st, 0), "owner", owner,
	    "rrule", col_text(st, 3), "rrule_de", rrule_de);
	free(rrule_de);
	next = json_array();
	if (civil_parse_date(col_text(st, 2), &start, NULL) == 0 &&
	    process_occurrences(col_text(st, 3), start, pr->today, pr->today + NEXT_HORIZON_DAYS,
	    cfg->process.evaluation_roll, cfg->workcal, &occ, &n, NEXT_OCCURRENCES, NULL) == 0) {
		for (i = 0; i < n; i++) {
			o = json_object();
			civil_format_date(occ[i].due, day);
			set_date(o, "date", day, true, NULL);
			json_array_append_new(next, o);
		}
	}
	free(occ);
	json_object_set_new(obj, "next", next);
	json_object_set_new(obj, "committee", committee);
	return obj;
}

/* The state word of the process from its steps. */
static void
add_state(json_t *proc, const struct process_rows *pr, bool planned)
{
	const char *state = "new", *state_de = "in Vorbereitung";

	if (pr->steps > 0 && pr->finished == pr->steps) {
		state = "done";
		state_de = "abgeschlossen";
	} else if (planned || pr->finished > 0 || pr->started > 0) {
		state = "active";
		state_de = "in Arbeit";
	}
	json_object_set_new(proc, "state", json_string(state));
	json_object_set_new(proc, "state_de", json_string(state_de));
}

/* The feedback window being asked about: the first that has not closed
 * (the last one if all have). */
static json_t *
current_window(json_t *windows, int today)
{
	json_t *w, *current = json_null();
	char day[11];
	size_t i;

	civil_format_date(today, day);
	json_array_foreach(windows, i, w)
		if (json_is_null(current) || strcmp(json_string_value(json_object_get(current,
		    "closes")), day) < 0)
			current = w;
	return json_incref(current);
}

static json_t *
process_json(struct ikond *ikd, sqlite3_int64 pid, sqlite3_int64 sub, int today,
    json_t **window, json_t **evaluation, char **cause)
{
	struct process_rows pr;
	sqlite3_int64 target, coord;
	json_t *proc, *steps, *v;
	char euro[48];
	sqlite3_stmt *st;
	bool planned;

	switch (store_first(ikd->store, cause, &st, "SELECT slug, name, "
	    "coalesce(target_session_id, 0), planned_at IS NOT NULL FROM process WHERE id = ?",
	    "i", pid)) {
	case -1:
		return NULL;
	case 0:
		set_cause(cause, "no process %lld (see: ikond-ctl process list)", (long long)pid);
		return NULL;
	}
	proc = json_pack("{s:s, s:s}", "slug", col_text(st, 0), "name", col_text(st, 1));
	target = sqlite3_column_int64(st, 2);
	planned = sqlite3_column_int(st, 3) != 0;
	store_done(ikd->store, st);
	memset(&pr, 0, sizeof(pr));
	pr.ikd = ikd;
	pr.today = today;
	if ((steps = store_get_list(ikd->store, cause, step_json, &pr, "SELECT id, n, title, "
	    "state, start_date, end_date, notes FROM process_step WHERE process_id = ? "
	    "ORDER BY n, id", "i", pid)) == NULL)
		goto fail;
	add_state(proc, &pr, planned);
	json_object_set_new(proc, "steps", steps);
	/* The Kernteam: the coordinator, actors with that role and the members
	 * of a committee called so. */
	if (entity_process_coordinator(ikd, pid, &coord, cause) == -1 ||
	    entity_attach(proc, "coordinator", coord ? actor_json(ikd, coord, cause) :
	    json_null()) == -1 ||
	    entity_attach(proc, "core_team", entity_list(ikd, actor_json, cause, "SELECT a.id "
	    "FROM actor a WHERE a.id = ?1 OR a.id IN (SELECT actor_id FROM actor_role WHERE "
	    "lower(role) = 'kernteam') OR a.id IN (SELECT m.actor_id FROM membership m JOIN "
	    "committee c ON c.id = m.committee_id WHERE lower(c.slug) LIKE '%kernteam%' OR "
	    "lower(c.name) LIKE '%kernteam%') ORDER BY a.id <> ?1, a.id", "i", coord)) == -1 ||
	    entity_attach(proc, "target_session", target ? session_json(ikd, target, cause) :
	    json_null()) == -1 ||
	    entity_attach(proc, "chain", chain_json(ikd, pid, target, sub, cause)) == -1 ||
	    entity_attach(proc, "windows", store_get_list(ikd->store, cause, window_json, &pr,
	    "SELECT id, title, opens_date, closes_date, explanation FROM feedback_window "
	    "WHERE process_id = ? ORDER BY opens_date, id", "i", pid)) == -1 ||
	    entity_attach(proc, "measures", store_get_list(ikd->store, cause, measure_json, &pr,
	    "SELECT title, goal, owner_id, budget_cents, due_date, state, budget_year FROM measure "
	    "WHERE process_id = ? ORDER BY due_date IS NULL, due_date, id", "i", pid)) == -1)
		goto fail;
	draft_euro_de(pr.budget_total, euro, sizeof(euro));
	json_object_set_new(proc, "budget_total_de", json_string(euro));
	json_object_set_new(proc, "funds_de", json_null());
	if (entity_attach(proc, "evaluations", store_get_list(ikd->store, cause,
	    evaluation_json, &pr, "SELECT title, owner_id, start_date, rrule, committee_id "
	    "FROM evaluation WHERE process_id = ? ORDER BY id", "i", pid)) == -1)
		goto fail;
	*window = current_window(json_object_get(proc, "windows"), today);
	v = json_object_get(proc, "evaluations");
	*evaluation = json_incref(json_array_size(v) > 0 ? json_array_get(v, 0) : json_null());
	return proc;
fail:
	json_decref(proc);
	return NULL;
}

static json_t *
submission_json(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	sqlite3_stmt *st;
	sqlite3_int64 deciding = 0;
	json_t *obj, *owner, *session, *why;
	const char *label;

	if (submission_deciding_session(ikd, id, &deciding, cause) == -1)
		return NULL;
	switch (store_first(ikd->store, cause, &st, "SELECT ref, title, kind, owner_id, "
	    "state FROM submission WHERE id = ?", "i", id)) {
	case -1:
		return NULL;
	case 0:
		set_cause(cause, "no submission %lld (see: ikond-ctl submission list)",
		    (long long)id);
		return NULL;
	}
	if ((owner = sqlite3_column_type(st, 3) == SQLITE_NULL ? json_null() :
	    actor_json(ikd, sqlite3_column_int64(st, 3), cause)) == NULL ||
	    (session = deciding ? session_json(ikd, deciding, cause) : json_null()) == NULL) {
		json_decref(owner);
		store_done(ikd->store, st);
		return NULL;
	}
	label = vocab_label(submission_kinds, col_text(st, 2));
	obj = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "id", (json_int_t)id,
	    "ref", col_text(st, 0)[0] ? col_text(st, 0) : "(noch ohne Nummer)", "title",
	    col_text(st, 1), "kind", col_text(st, 2), "kind_de", label ? label :
	    col_text(st, 2), "owner", owner, "session", session, "state", col_text(st, 4));
	store_done(ikd->store, st);
	set_date(obj, "deadline", NULL, true, NULL);
	json_object_set_new(obj, "deadline_why", json_null());
	switch (store_first(ikd->store, cause, &st, "SELECT due_date, kind, session_id FROM "
	    "deadline WHERE submission_id = ? ORDER BY due_date LIMIT 1", "i", id)) {
	case -1:
		json_decref(obj);
		return NULL;
	case 1:
		why = why_de(ikd, vocab_label(deadline_kinds, col_text(st, 1)), col_text(st, 0),
		    sqlite3_column_int64(st, 2), cause);
		if (why != NULL) {
			set_date(obj, "deadline", col_text(st, 0), true, NULL);
			json_object_set_new(obj, "deadline_why", why);
		}
		store_done(ikd->store, st);
		if (why == NULL) {
			json_decref(obj);
			return NULL;
		}
		break;
	}
	return obj;
}

/* The German date of a day, ISO and long form, into obj as key, key_de. */
static void
set_day(json_t *obj, const char *key, int day)
{
	char iso[11];

	civil_format_date(day, iso);
	set_date(obj, key, iso, true, NULL);
}

/* The workshop's invitees: the actors and committees named, and everyone
 * they make (every member). */
static int
workshop_invitees(struct ikond *ikd, json_t *obj, sqlite3_int64 event, char **cause)
{
	json_t *everyone;

	if (entity_attach(obj, "invited_actors", entity_list(ikd, actor_json, cause, "SELECT "
	    "actor_id FROM event_invitee WHERE event_id = ? AND actor_id IS NOT NULL "
	    "ORDER BY rowid", "i", event)) == -1 ||
	    entity_attach(obj, "invited_committees", entity_list(ikd, committee_json, cause,
	    "SELECT committee_id FROM event_invitee WHERE event_id = ? AND committee_id IS NOT "
	    "NULL ORDER BY rowid", "i", event)) == -1 ||
	    (everyone = entity_list(ikd, actor_json, cause, "SELECT actor_id FROM event_invitee "
	    "WHERE event_id = ?1 AND actor_id IS NOT NULL UNION SELECT m.actor_id FROM "
	    "event_invitee i JOIN membership m ON m.committee_id = i.committee_id WHERE "
	    "i.event_id = ?1 ORDER BY 1", "i", event)) == NULL)
		return -1;
	json_object_set_new(obj, "invited", json_boolean(json_array_size(everyone) > 0));
	json_object_set_new(obj, "invitees", everyone);
	return 0;
}

/* The addressee of a personal letter, one of the invitees: "to" and the
 * greeting of the letter. */
static int
workshop_addressee(struct ikond *ikd, json_t *obj, sqlite3_int64 event, sqlite3_int64 to,
    char **cause)
{
	sqlite3_int64 *ids;
	size_t i, n;
	bool invited = false;
	json_t *actor;

	if (event_invitees(ikd, event, &ids, &n, cause) == -1)
		return -1;
	for (i = 0; i < n; i++)
		invited = invited || ids[i] == to;
	free(ids);
	if ((actor = actor_json(ikd, to, cause)) == NULL)
		return -1;
	if (!invited) {
		set_cause(cause, "%s is not invited to event %lld (see: ikond-ctl event show %lld)",
		    json_string_value(json_object_get(actor, "slug")), (long long)event,
		    (long long)event);
		json_decref(actor);
		return -1;
	}
	json_object_set(obj, "greeting", json_object_get(actor, "greeting"));
	json_object_set_new(obj, "to", actor);
	return 0;
}

/* The event a workshop letter is about: the one given, else the first of
 * the process that has not ended, else its last one.  1, 0 if the process
 * has none, -1. */
static int
workshop_event(struct ikond *ikd, sqlite3_int64 pid, sqlite3_int64 *event, int today,
    char **cause)
{
	char day[11];
	int rc;

	if (*event != 0) {
		if ((rc = store_exists(ikd->store, cause, "SELECT 1 FROM event WHERE id = ? AND "
		    "process_id = ?", "ii", *event, pid)) == 0)
			set_cause(cause, "event %lld belongs to another process", (long long)*event);
		return rc == 1 ? 1 : -1;
	}
	civil_format_date(today, day);
	return store_get_int(ikd->store, cause, event, "SELECT id FROM event WHERE "
	    "process_id = ?1 ORDER BY coalesce(end_date, start_date) < ?2, "
	    "CASE WHEN coalesce(end_date, start_date) < ?2 THEN -julianday(start_date) "
	    "ELSE julianday(start_date) END, id LIMIT 1", "it", pid, day);
}

/* The workshop from an event: its time and place, or that they follow. */
static json_t *
workshop_from_event(struct ikond *ikd, sqlite3_int64 event, sqlite3_int64 *host,
    char **cause)
{
	struct event_time t;
	sqlite3_stmt *st;
	json_t *obj;
	char *when, de[32];

	if (event_time_load(ikd, event, &t, cause) == -1)
		return NULL;
	switch (store_first(ikd->store, cause, &st, "SELECT e.title, e.location, "
	    "(SELECT min(actor_id) FROM step_owner WHERE step_id = e.step_id) FROM event e "
	    "WHERE e.id = ?", "i", event)) {
	case -1:
		return NULL;
	case 0:
		set_cause(cause, "no event %lld (see: ikond-ctl event list)", (long long)event);
		return NULL;
	}
	when = event_when_de(&t);
	obj = json_pack("{s:I, s:s, s:s}", "event", (json_int_t)event, "title", col_text(st, 0),
	    "when_de", when);
	free(when);
	if (col_text(st, 1)[0] != '\0') {
		json_object_set_new(obj, "location", json_string(col_text(st, 1)));
		json_object_set_new(obj, "location_de", json_string(col_text(st, 1)));
	}
	*host = sqlite3_column_int64(st, 2);
	store_done(ikd->store, st);
	set_day(obj, "date", t.day);
	if (t.end_day > t.day)
		set_day(obj, "until", t.end_day);
	if (EVENT_TIMED(&t)) {
		timefmt_time_de(t.minute, de, sizeof(de));
		json_object_set_new(obj, "time_de", json_string(de));
	}
	if (t.end_minute != CIVIL_NO_TIME) {
		timefmt_time_de(t.end_minute, de, sizeof(de));
		json_object_set_new(obj, "end_time_de", json_string(de));
	}
	return obj;
}

/* The workshop from the date of step 6 alone, when there is no event. */
static json_t *
workshop_from_step(struct ikond *ikd, sqlite3_int64 pid, sqlite3_int64 *host, char **cause)
{
	struct event_time t;
	sqlite3_stmt *st;
	json_t *obj;
	char *when;

	switch (store_first(ikd->store, cause, &st, "SELECT s.title, s.start_date, "
	    "(SELECT min(actor_id) FROM step_owner WHERE step_id = s.id) FROM process_step s "
	    "WHERE s.process_id = ? AND s.code = 'workshop' AND s.start_date IS NOT NULL "
	    "ORDER BY s.n LIMIT 1", "i", pid)) {
	case -1:
		return NULL;
	case 0:
		return json_null();
	}
	if (civil_parse_date(col_text(st, 1), &t.day, NULL) == -1) {
		store_done(ikd->store, st);
		return json_null();
	}
	t.end_day = t.day;
	t.minute = t.end_minute = CIVIL_NO_TIME;
	when = event_when_de(&t);
	obj = json_pack("{s:n, s:s, s:s}", "event", "title", col_text(st, 0), "when_de", when);
	free(when);
	*host = sqlite3_column_int64(st, 2);
	store_done(ikd->store, st);
	set_day(obj, "date", t.day);
	return obj;
}

/*
 * The workshop being invited to (an event, see workshop_event(); without
 * one, step 6 once it has a date) with its invitees, or null.  A time or
 * place not known yet is null, and the German words say they follow.
 * Replies are asked for two weeks before.  The letter greets to, an
 * invitee, when given, else everyone.
 */
static json_t *
workshop_json(struct ikond *ikd, sqlite3_int64 pid, sqlite3_int64 event, sqlite3_int64 to,
    int today, char **cause)
{
	static const char *const agenda[] = {
		"Begrüßung und Ziel des Tages",
		"Ausgangslage: Ergebnisse der Bestandsaufnahme",
		"Leitbild und strategische Ziele",
		"Arbeitsgruppen zu den Handlungsfeldern",
		"Verabredungen und nächste Schritte",
	};
	static const char *const absent[] = { "until", "until_de", "time_de", "end_time_de",
	    "location" };
	sqlite3_int64 host = 0;
	json_t *obj, *list, *v;
	size_t i;
	int rc, d;

	if ((rc = workshop_event(ikd, pid, &event, today, cause)) == -1)
		return NULL;
	if (rc == 0 && to != 0) {
		set_cause(cause, "the process has no event to invite to (see: ikond-ctl event add)");
		return NULL;
	}
	obj = rc == 1 ? workshop_from_event(ikd, event, &host, cause) :
	    workshop_from_step(ikd, pid, &host, cause);
	if (obj == NULL || json_is_null(obj))
		return obj;
	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		if (json_object_get(obj, absent[i]) == NULL)
			json_object_set_new(obj, absent[i], json_null());
	if (json_object_get(obj, "location_de") == NULL)
		json_object_set_new(obj, "location_de", json_string("wird Ihnen noch mitgeteilt"));
	civil_parse_date(json_string_value(json_object_get(obj, "date")), &d, NULL);
	set_day(obj, "reply_by", d - 14);
	if (rc == 1 && workshop_invitees(ikd, obj, event, cause) == -1)
		goto fail;
	if (rc == 0) {
		json_object_set_new(obj, "invited", json_false());
		json_object_set_new(obj, "invited_actors", json_array());
		json_object_set_new(obj, "invited_committees", json_array());
		json_object_set_new(obj, "invitees", json_array());
	}
	if ((host == 0 && entity_process_coordinator(ikd, pid, &host, cause) == -1) ||
	    (v = host ? actor_json(ikd, host, cause) : json_null()) == NULL)
		goto fail;
	json_object_set_new(obj, "host", v);
	if (to == 0) {
		json_object_set_new(obj, "to", json_null());
		json_object_set_new(obj, "greeting", json_string("Sehr geehrte Damen und Herren"));
	} else if (workshop_addressee(ikd, obj, event, to, cause) == -1)
		goto fail;
	list = json_array();
	for (i = 0; i < sizeof(agenda) / sizeof(agenda[0]); i++)
		json_array_append_new(list, json_string(agenda[i]));
	json_object_set_new(obj, "agenda", list);
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

int
draft_default_submission(struct ikond *ikd, sqlite3_int64 process_id, const char *kind,
    sqlite3_int64 *id, char **cause)
{
	return store_get_int(ikd->store, cause, id, "SELECT b.id FROM process_link l "
	    "JOIN process_step p ON p.id = l.step_id JOIN submission b ON b.id = l.submission_id "
	    "WHERE p.process_id = ? AND b.kind = ? AND b.state <> 'withdrawn' ORDER BY "
	    "(SELECT min(due_date) FROM deadline d WHERE d.submission_id = b.id), b.id LIMIT 1",
	    "it", process_id, kind);
}

json_t *
draft_data(struct ikond *ikd, sqlite3_int64 process_id, const struct draft_subject *subject,
    char **cause)
{
	sqlite3_int64 submission_id = subject->submission_id;
	json_t *proc = NULL, *sub = json_null(), *window = NULL, *evaluation = NULL;
	json_t *body = NULL, *workshop = NULL, *committees = NULL, *actors;
	int today = process_today(ikd);
	char iso[11], de[64];

	if ((submission_id != 0 && (sub = submission_json(ikd, submission_id, cause)) == NULL) ||
	    (proc = process_json(ikd, process_id, submission_id, today, &window, &evaluation,
	    cause)) == NULL ||
	    (body = body_json(ikd, cause)) == NULL ||
	    (workshop = workshop_json(ikd, process_id, subject->event_id, subject->to_actor_id,
	    today, cause)) == NULL ||
	    (committees = entity_list(ikd, committee_json, cause, "SELECT id FROM committee "
	    "ORDER BY id", "")) == NULL ||
	    (actors = entity_list(ikd, actor_json, cause, "SELECT id FROM actor ORDER BY id",
	    "")) == NULL) {
		json_decref(proc);
		json_decref(sub);
		json_decref(window);
		json_decref(evaluation);
		json_decref(body);
		json_decref(workshop);
		json_decref(committees);
		return NULL;
	}
	civil_format_date(today, iso);
	timefmt_date_short_de(today, de, sizeof(de));
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "today", iso,
	    "today_de", de, "body", body, "process", proc, "submission", sub, "window", window,
	    "workshop", workshop, "evaluation", evaluation, "committees", committees, "actors",
	    actors);
}
