/*
 * oparl: OParl 1.1 JSON to records (see oparl.h).  jansson parses; raw
 * control characters, which some servers leave in strings, are turned
 * into blanks first.  Each object is read on its own, so one odd object
 * is skipped with a reason and the page goes on.
 */
#include "oparl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "buf.h"
#include "civil.h"
#include "ris.h"
#include "utf8.h"
#include "xmalloc.h"

struct oparl_data *
oparl_data_new(void)
{
	return xcalloc(1, sizeof(struct oparl_data));
}

void
oparl_data_free(struct oparl_data *d)
{
	size_t i, k;

	if (d == NULL)
		return;
	for (i = 0; i < d->norganizations; i++) {
		free(d->organizations[i].id);
		free(d->organizations[i].name);
		free(d->organizations[i].short_name);
		free(d->organizations[i].type);
		free(d->organizations[i].classification);
	}
	for (i = 0; i < d->nmeetings; i++) {
		free(d->meetings[i].id);
		free(d->meetings[i].name);
		free(d->meetings[i].location);
		free(d->meetings[i].web);
		for (k = 0; k < d->meetings[i].norganizations; k++)
			free(d->meetings[i].organizations[k]);
		free(d->meetings[i].organizations);
	}
	for (i = 0; i < d->npersons; i++) {
		free(d->persons[i].id);
		free(d->persons[i].name);
		for (k = 0; k < d->persons[i].nmemberships; k++) {
			free(d->persons[i].memberships[k].organization);
			free(d->persons[i].memberships[k].role);
		}
		free(d->persons[i].memberships);
	}
	for (i = 0; i < d->npapers; i++) {
		free(d->papers[i].id);
		free(d->papers[i].name);
		free(d->papers[i].reference);
		free(d->papers[i].type);
		for (k = 0; k < d->papers[i].nconsultations; k++) {
			free(d->papers[i].consultations[k].meeting);
			free(d->papers[i].consultations[k].role);
		}
		free(d->papers[i].consultations);
	}
	free(d->papers);
	for (i = 0; i < d->nskipped; i++)
		free(d->skipped[i]);
	free(d->organizations);
	free(d->meetings);
	free(d->persons);
	free(d->skipped);
	free(d);
}

/* --- values --- */

static void
put_utf8(struct buf *b, uint32_t cp)
{
	char out[4];

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		buf_add_char(b, (char)cp);
		return;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, out, 2);
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, out, 3);
	} else {
		out[0] = (char)(0xf0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, out, 4);
	}
}

static const struct {
	const char	*name;
	uint32_t	 cp;
} entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
	{ "nbsp", ' ' }, { "auml", 0xe4 }, { "ouml", 0xf6 }, { "uuml", 0xfc },
	{ "Auml", 0xc4 }, { "Ouml", 0xd6 }, { "Uuml", 0xdc }, { "szlig", 0xdf },
	{ "ndash", 0x2013 }, { "mdash", 0x2014 }, { "euro", 0x20ac },
};

/* Decodes the entity at s (after '&'); returns its length up to ';', or 0. */
static size_t
entity(const char *s, struct buf *b)
{
	size_t n = strcspn(s, "; <&"), i;
	unsigned long cp;
	char *end;

	if (s[n] != ';' || n == 0 || n > 10)
		return 0;
	if (s[0] == '#') {
		cp = s[1] == 'x' || s[1] == 'X' ? strtoul(s + 2, &end, 16) : strtoul(s + 1, &end, 10);
		if (end != s + n || end == s + 1 || cp > 0x10ffff)
			return 0;
		put_utf8(b, (uint32_t)cp);
		return n + 1;
	}
	for (i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
		if (strlen(entities[i].name) == n && strncmp(entities[i].name, s, n) == 0) {
			put_utf8(b, entities[i].cp);
			return n + 1;
		}
	return 0;
}

char *
oparl_plain_text(const char *text, size_t max)
{
	struct buf b;
	const char *p, *end, *close;
	size_t k;
	char *out, *r, *w;

	if (text == NULL)
		return NULL;
	/* Enough of the text for max bytes even if it is mostly markup. */
	end = text + strnlen(text, 8 * max);
	buf_init(&b);
	buf_add(&b, "", 0);
	for (p = text; p < end; p++) {
		if (*p == '<' && (p[1] == '/' || p[1] == '!' ||
		    (p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z')) &&
		    (close = memchr(p, '>', (size_t)(end - p))) != NULL) {
			/* A tag: a line break or a block's end is a blank, the rest nothing. */
			if (strncasecmp(p, "<br", 3) == 0 || strncasecmp(p, "</p", 3) == 0 ||
			    strncasecmp(p, "</div", 5) == 0)
				buf_add_char(&b, ' ');
			p = close;
			continue;
		}
		if (*p == '&' && (k = entity(p + 1, &b)) > 0) {
			p += k;
			continue;
		}
		buf_add_char(&b, *p);
	}
	out = ris_text_line(b.data, max);
	buf_free(&b);
	if (out == NULL)
		return NULL;
	/* One blank where markup or line breaks left several. */
	for (r = w = out; *r != '\0'; r++)
		if (*r != ' ' || (w > out && w[-1] != ' '))
			*w++ = *r;
	*w = '\0';
	return out;
}

/* A string value: strings, numbers; null, "", "N/A" are none. */
static char *
text_of(json_t *v, size_t max)
{
	char num[32], *s;

	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return xstrdup(num);
	}
	if (!json_is_string(v))
		return NULL;
	if ((s = ris_text_line(json_string_value(v), max)) == NULL)
		return NULL;
	if (strcasecmp(s, "N/A") == 0 || strcmp(s, "-") == 0) {
		free(s);
		return NULL;
	}
	return s;
}

static char *
field_text(json_t *o, const char *key, size_t max)
{
	return text_of(json_object_get(o, key), max);
}

static char *
field_name(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? oparl_plain_text(json_string_value(v), OPARL_MAX_NAME) : NULL;
}

/* true, "true", "1", 1 */
static bool
truthy(json_t *v)
{
	const char *s;

	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (json_is_string(v)) {
		s = json_string_value(v);
		return strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 ||
		    strcasecmp(s, "ja") == 0;
	}
	return false;
}

/* An id: a string of printable characters (or a number), or an object with "id". */
static char *
id_of(json_t *v)
{
	const unsigned char *p;
	const char *s;

	char num[32];

	if (json_is_object(v))
		v = json_object_get(v, "id");
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return xstrdup(num);
	}
	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	if (s[0] == '\0' || strlen(s) > OPARL_MAX_ID)
		return NULL;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return NULL;
	return xstrdup(s);
}

/* The ids of a list of references (or of one). */
static size_t
ids_of(json_t *v, char ***out)
{
	size_t i, n = 0;
	json_t *e;
	char *id;

	*out = NULL;
	if (!json_is_array(v)) {
		if ((id = id_of(v)) == NULL)
			return 0;
		*out = xcalloc(1, sizeof(**out));
		(*out)[0] = id;
		return 1;
	}
	json_array_foreach(v, i, e) {
		if (n == OPARL_MAX_REFS)
			break;
		if ((id = id_of(e)) == NULL)
			continue;
		*out = xreallocarray(*out, n + 1, sizeof(**out));
		(*out)[n++] = id;
	}
	return n;
}

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
oparl_parse_time(const char *text, const char *tz, time_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om, days;
	const char *p, *q;
	time_t t;

	if (text == NULL || strlen(text) < 10 || digits(text, 4, &y) == -1 || text[4] != '-' ||
	    digits(text + 5, 2, &mo) == -1 || text[7] != '-' || digits(text + 8, 2, &d) == -1 ||
	    y < 1970 || y > 2200 || !civil_date_valid(y, mo, d))
		return -1;
	days = civil_days_from_date(y, mo, d);
	p = text + 10;
	if (*p == '\0')
		return civil_to_utc(tz, days, 0, out, NULL, NULL);
	if ((*p != 'T' && *p != ' ') || digits(p + 1, 2, &h) == -1 || p[3] != ':' ||
	    digits(p + 4, 2, &mi) == -1 || h > 23 || mi > 59)
		return -1;
	p += 6;
	if (*p == ':') {
		if (digits(p + 1, 2, &sec) == -1 || sec > 60)
			return -1;
		p += 3;
		if (*p == '.' || *p == ',')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	}
	if (*p == '\0') {
		if (civil_to_utc(tz, days, h * 60 + mi, &t, NULL, NULL) == -1)
			return -1;
		*out = t + sec;
		return 0;
	}
	t = (time_t)days * 86400 + h * 3600 + mi * 60 + sec;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		*out = t;
		return 0;
	}
	/* +01:00, +0100, +01 */
	if ((*p != '+' && *p != '-') || digits(p + 1, 2, &oh) == -1 || oh > 18)
		return -1;
	q = p[3] == ':' ? p + 4 : p + 3;
	om = 0;
	if (*q != '\0' && (digits(q, 2, &om) == -1 || q[2] != '\0' || om > 59))
		return -1;
	*out = t - (*p == '+' ? 1 : -1) * (time_t)(oh * 3600 + om * 60);
	return 0;
}

/* --- objects --- */

static void
skip(struct oparl_data *d, const char *id, const char *why)
{
	char *s;

	xasprintf(&s, "%s: %s", id != NULL ? id : "(no id)", why);
	d->skipped = xreallocarray(d->skipped, d->nskipped + 1, sizeof(*d->skipped));
	d->skipped[d->nskipped++] = s;
}

static void
note_modified(struct oparl_data *d, enum oparl_list list, json_t *o, const char *tz)
{
	time_t t;

	if (json_is_string(json_object_get(o, "modified")) &&
	    oparl_parse_time(json_string_value(json_object_get(o, "modified")), tz, &t) == 0 &&
	    t > d->modified[list])
		d->modified[list] = t;
}

static void
read_organization(struct oparl_data *d, json_t *o, char *id)
{
	struct oparl_organization *g;

	d->organizations = xreallocarray(d->organizations, d->norganizations + 1,
	    sizeof(*d->organizations));
	g = &d->organizations[d->norganizations++];
	memset(g, 0, sizeof(*g));
	g->id = id;
	g->deleted = truthy(json_object_get(o, "deleted"));
	g->name = field_name(o, "name");
	g->short_name = field_name(o, "shortName");
	g->type = field_text(o, "organizationType", OPARL_MAX_NAME);
	g->classification = field_text(o, "classification", OPARL_MAX_NAME);
}

/* A location: an embedded object (description, or its address parts), a
 * plain string, or the 1.0 address fields on the meeting itself. */
static char *
location_of(json_t *m)
{
	json_t *l = json_object_get(m, "location");
	char *parts[4], *s;
	struct buf b;
	size_t i;

	if (json_is_string(l))
		return oparl_plain_text(json_string_value(l), RIS_LOCATION_MAX);
	if (!json_is_object(l))
		l = m;
	if ((s = field_name(l, "description")) != NULL)
		return s;
	parts[0] = field_name(l, "streetAddress");
	parts[1] = field_name(l, "room");
	parts[2] = field_name(l, "postalCode");
	parts[3] = field_name(l, "locality");
	/* "Kreishaus, Saal 1, 12345 Musterstadt" */
	buf_init(&b);
	for (i = 0; i < 4; i++)
		if (parts[i] != NULL)
			buf_printf(&b, "%s%s", b.len == 0 ? "" : i == 3 && parts[2] != NULL ? " " :
			    ", ", parts[i]);
	for (i = 0; i < 4; i++)
		free(parts[i]);
	s = b.len > 0 ? ris_text_line(b.data, RIS_LOCATION_MAX) : NULL;
	buf_free(&b);
	return s;
}

static void
read_meeting(struct oparl_data *d, json_t *o, char *id, const char *tz)
{
	struct oparl_meeting m;
	const char *start, *end;
	json_t *orgs;

	memset(&m, 0, sizeof(m));
	m.id = id;
	m.deleted = truthy(json_object_get(o, "deleted"));
	if (!m.deleted) {
		start = json_string_value(json_object_get(o, "start"));
		end = json_string_value(json_object_get(o, "end"));
		if (start == NULL || oparl_parse_time(start, tz, &m.start) == -1) {
			skip(d, id, start ? "\"start\" is not a date-time" : "no \"start\"");
			free(id);
			return;
		}
		m.has_start = true;
		m.end = m.start;
		if (end != NULL && oparl_parse_time(end, tz, &m.end) == 0 &&
		    (m.end < m.start || m.end - m.start > 7 * 86400))
			m.end = m.start;
		m.name = field_name(o, "name");
		m.location = location_of(o);
		m.cancelled = truthy(json_object_get(o, "cancelled"));
		if ((m.web = field_text(o, "web", RIS_URL_MAX)) == NULL)
			m.web = field_text(json_object_get(o, "links"), "web", RIS_URL_MAX);
	}
	/* 1.1 "organization", 1.0 "organizations". */
	if ((orgs = json_object_get(o, "organization")) == NULL)
		orgs = json_object_get(o, "organizations");
	m.norganizations = ids_of(orgs, &m.organizations);
	d->meetings = xreallocarray(d->meetings, d->nmeetings + 1, sizeof(*d->meetings));
	d->meetings[d->nmeetings++] = m;
}

static void
read_person(struct oparl_data *d, json_t *o, char *id, const char *tz)
{
	struct oparl_person p;
	struct oparl_membership *ms;
	json_t *list, *e;
	time_t until, now = time(NULL);
	char *given, *family;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.id = id;
	p.deleted = truthy(json_object_get(o, "deleted"));
	if ((p.name = field_name(o, "name")) == NULL) {
		given = field_name(o, "givenName");
		family = field_name(o, "familyName");
		if (given != NULL || family != NULL)
			xasprintf(&p.name, "%s%s%s", given ? given : "", given && family ? " " : "",
			    family ? family : "");
		free(given);
		free(family);
	}
	list = json_object_get(o, "membership");
	if (json_is_object(list))
		list = json_pack("[O]", list);
	else
		json_incref(list);
	json_array_foreach(list, i, e) {
		if (p.nmemberships == OPARL_MAX_REFS || !json_is_object(e))
			continue;
		p.memberships = xreallocarray(p.memberships, p.nmemberships + 1,
		    sizeof(*p.memberships));
		ms = &p.memberships[p.nmemberships];
		if ((ms->organization = id_of(json_object_get(e, "organization"))) == NULL)
			continue;
		ms->role = field_name(e, "role");
		ms->ended = json_is_string(json_object_get(e, "endDate")) &&
		    oparl_parse_time(json_string_value(json_object_get(e, "endDate")), tz,
		    &until) == 0 && until < now;
		p.nmemberships++;
	}
	json_decref(list);
	if (!p.deleted && p.name == NULL) {
		skip(d, id, "no name");
		for (i = 0; i < p.nmemberships; i++) {
			free(p.memberships[i].organization);
			free(p.memberships[i].role);
		}
		free(p.memberships);
		free(id);
		return;
	}
	d->persons = xreallocarray(d->persons, d->npersons + 1, sizeof(*d->persons));
	d->persons[d->npersons++] = p;
}

static bool
paper_wanted(const struct oparl_paper_filter *f, const struct oparl_paper *p)
{
	size_t i;

	if (f->nrefs > 0) {
		for (i = 0; i < f->nrefs; i++)
			if (p->reference != NULL && strcmp(f->refs[i], p->reference) == 0)
				return true;
		return false;
	}
	if (f->since >= 0 && (p->date < 0 || p->date < f->since))
		return false;
	return f->type == NULL || ris_pattern_match(f->type, p->type);
}

bool
oparl_papers_complete(const struct oparl_data *d)
{
	const struct oparl_paper_filter *f = d->paper_filter;
	size_t i, k;

	if (f == NULL || f->nrefs == 0)
		return false;
	for (i = 0; i < f->nrefs; i++) {
		for (k = 0; k < d->npapers; k++)
			if (d->papers[k].reference != NULL &&
			    strcmp(d->papers[k].reference, f->refs[i]) == 0)
				break;
		if (k == d->npapers)
			return false;
	}
	return true;
}

static void
read_paper(struct oparl_data *d, json_t *o, char *id, const char *tz)
{
	struct oparl_paper p;
	struct oparl_consultation *c;
	json_t *list, *e;
	time_t t;
	size_t i;
	int dd, dm;

	memset(&p, 0, sizeof(p));
	p.id = id;
	p.date = -1;
	p.deleted = truthy(json_object_get(o, "deleted"));
	p.name = field_name(o, "name");
	p.reference = field_text(o, "reference", OPARL_MAX_NAME);
	p.type = field_text(o, "paperType", OPARL_MAX_NAME);
	if (json_is_string(json_object_get(o, "date")) &&
	    oparl_parse_time(json_string_value(json_object_get(o, "date")), tz, &t) == 0 &&
	    civil_from_utc(tz, t, &dd, &dm, NULL) == 0)
		p.date = dd;
	if (d->paper_filter == NULL || (!p.deleted && !paper_wanted(d->paper_filter, &p)) ||
	    (p.deleted && d->paper_filter->nrefs > 0)) {
		free(p.id);
		free(p.name);
		free(p.reference);
		free(p.type);
		return;
	}
	list = json_object_get(o, "consultation");
	if (json_is_object(list))
		list = json_pack("[O]", list);
	else
		json_incref(list);
	json_array_foreach(list, i, e) {
		if (p.nconsultations == OPARL_MAX_REFS || !json_is_object(e))
			continue;
		p.consultations = xreallocarray(p.consultations, p.nconsultations + 1,
		    sizeof(*p.consultations));
		c = &p.consultations[p.nconsultations++];
		c->meeting = id_of(json_object_get(e, "meeting"));
		c->role = field_name(e, "role");
		c->authoritative = truthy(json_object_get(e, "authoritative"));
	}
	json_decref(list);
	d->papers = xreallocarray(d->papers, d->npapers + 1, sizeof(*d->papers));
	d->papers[d->npapers++] = p;
}

static size_t
objects(const struct oparl_data *d)
{
	return d->norganizations + d->nmeetings + d->npersons + d->npapers;
}

/* Parses a document; raw control characters become blanks first. */
static json_t *
parse(const char *json, size_t len, char **cause)
{
	json_error_t err;
	char *copy;
	size_t i;
	json_t *root;

	copy = xmalloc(len + 1);
	for (i = 0; i < len; i++)
		copy[i] = (unsigned char)json[i] < 0x20 ? ' ' : json[i];
	copy[len] = '\0';
	root = json_loadb(copy, len, 0, &err);
	free(copy);
	if (root == NULL)
		set_cause(cause, "not JSON: %s (line %d, column %d)", err.text, err.line,
		    err.column);
	return root;
}

int
oparl_read_page(struct oparl_data *d, enum oparl_list list, const char *json, size_t len,
    const char *tz, char **next, char **cause)
{
	json_t *root, *data, *o, *links;
	size_t i;
	char *id;

	*next = NULL;
	if ((root = parse(json, len, cause)) == NULL)
		return -1;
	if (json_is_array(root))
		data = root;
	else if (!json_is_object(root) || !json_is_array(data = json_object_get(root, "data"))) {
		json_decref(root);
		return set_cause(cause, "not an OParl list: no \"data\" array");
	}
	if (objects(d) + json_array_size(data) > OPARL_MAX_OBJECTS) {
		json_decref(root);
		return set_cause(cause, "more than %d objects", OPARL_MAX_OBJECTS);
	}
	json_array_foreach(data, i, o) {
		if (!json_is_object(o))
			continue;
		if ((id = id_of(json_object_get(o, "id"))) == NULL) {
			skip(d, NULL, "an object without a usable \"id\"");
			continue;
		}
		note_modified(d, list, o, tz);
		switch (list) {
		case OPARL_ORGANIZATIONS:
			read_organization(d, o, id);
			break;
		case OPARL_MEETINGS:
			read_meeting(d, o, id, tz);
			break;
		case OPARL_PERSONS:
			read_person(d, o, id, tz);
			break;
		case OPARL_PAPERS:
			read_paper(d, o, id, tz);
			break;
		case OPARL_LIST_COUNT:
			free(id);
			break;
		}
	}
	if (json_is_object(root) && json_is_object(links = json_object_get(root, "links")))
		*next = id_of(json_object_get(links, "next"));
	json_decref(root);
	return 0;
}

static enum oparl_kind
kind_of(json_t *o)
{
	const char *type = json_string_value(json_object_get(o, "type"));
	size_t n;

	if (type != NULL && (n = strlen(type)) >= 6) {
		if (strcmp(type + n - 6, "System") == 0)
			return OPARL_SYSTEM;
		if (n >= 4 && strcmp(type + n - 4, "Body") == 0)
			return OPARL_BODY;
	}
	/* No type: a body names its meetings, a system its bodies. */
	if (json_object_get(o, "meeting") != NULL || json_object_get(o, "organization") != NULL)
		return OPARL_BODY;
	if (json_is_string(json_object_get(o, "body")))
		return OPARL_SYSTEM;
	return OPARL_OTHER;
}

int
oparl_read_object(const char *json, size_t len, struct oparl_object *obj, char **cause)
{
	static const char *const keys[OPARL_LIST_COUNT] = {
		"organization", "meeting", "person", "paper",
	};
	json_t *root;
	size_t i;

	memset(obj, 0, sizeof(*obj));
	if ((root = parse(json, len, cause)) == NULL)
		return -1;
	if (!json_is_object(root)) {
		json_decref(root);
		return set_cause(cause, "not an OParl object");
	}
	obj->kind = kind_of(root);
	obj->id = id_of(json_object_get(root, "id"));
	obj->name = field_name(root, "name");
	if (obj->kind == OPARL_BODY)
		for (i = 0; i < OPARL_LIST_COUNT; i++)
			obj->lists[i] = id_of(json_object_get(root, keys[i]));
	if (obj->kind == OPARL_SYSTEM)
		obj->bodies = id_of(json_object_get(root, "body"));
	json_decref(root);
	return 0;
}

void
oparl_object_clear(struct oparl_object *o)
{
	size_t i;

	free(o->id);
	free(o->name);
	for (i = 0; i < OPARL_LIST_COUNT; i++)
		free(o->lists[i]);
	free(o->bodies);
	memset(o, 0, sizeof(*o));
}

int
oparl_read_bodies(const char *json, size_t len, char ***ids, char ***names, size_t *n,
    char **next, char **cause)
{
	json_t *root, *data, *o, *links;
	size_t i;
	char *id;

	*next = NULL;
	if ((root = parse(json, len, cause)) == NULL)
		return -1;
	data = json_is_array(root) ? root : json_object_get(root, "data");
	if (!json_is_array(data)) {
		json_decref(root);
		return set_cause(cause, "not an OParl list of bodies");
	}
	json_array_foreach(data, i, o) {
		if (*n >= 1000 || (id = id_of(json_is_object(o) ? json_object_get(o, "id") : o)) ==
		    NULL)
			continue;
		*ids = xreallocarray(*ids, *n + 1, sizeof(**ids));
		*names = xreallocarray(*names, *n + 1, sizeof(**names));
		(*ids)[*n] = id;
		(*names)[(*n)++] = json_is_object(o) ? field_name(o, "name") : NULL;
	}
	if (json_is_object(root) && json_is_object(links = json_object_get(root, "links")))
		*next = id_of(json_object_get(links, "next"));
	json_decref(root);
	return 0;
}
