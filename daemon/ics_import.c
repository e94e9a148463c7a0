/*
 * ics_import: turns a council information system's iCalendar export into
 * session records.  The bytes come from outside, so a scan of our own
 * bounds the size, the number of lines, events and the nesting before
 * libical sees them; libical then parses, and every event is checked on
 * its own: one broken session is reported and skipped, the rest imported.
 *
 * Times in a known IANA zone go through civil.h rather than libical,
 * because libical 3.0.16 reads times in the DST gap and fold differently
 * from RFC 5545 section 3.3.5.  Only TZIDs that name no zone we know use the
 * file's own VTIMEZONE, and only for years 1970-2200 so that libical never
 * expands a rule far.
 */
#include <libical/ical.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "civil.h"
#include "ics.h"
#include "ics_import.h"
#include "utf8.h"
#include "xmalloc.h"

#define YEAR_MIN	1970
#define YEAR_MAX	2200

struct importer {
	const char		*zone;		/* for floating times and dates */
	icalcomponent		*cal;		/* the VCALENDAR being read */
	struct ics_import	*imp;
	size_t			*position;	/* of each session among the VEVENTs */
	size_t			 cap_sessions, cap_rejections;
};

/* Common Windows zone names in exports from Outlook-based systems. */
static const struct {
	const char *windows, *iana;
} windows_zones[] = {
	{ "W. Europe Standard Time", "Europe/Berlin" },
	{ "Central Europe Standard Time", "Europe/Budapest" },
	{ "Romance Standard Time", "Europe/Paris" },
	{ "GMT Standard Time", "Europe/London" },
	{ "UTC", "UTC" },
};

/* --- the whole-file scan --- */

static bool
starts_with_ci(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp(s, prefix, k) == 0;
}

/*
 * Unfolds data into a NUL-terminated copy with LF line ends and checks the
 * bounds on the way.  Returns NULL with *cause on a whole-file problem.
 */
static char *
unfold_and_check(const char *data, size_t len, char **cause)
{
	struct buf out;
	size_t i = 0, line_start, lines = 0, events = 0, depth = 0, n;
	bool first = true;

	if (len > ICS_IMPORT_MAX_BYTES) {
		set_cause(cause, "the file has %zu bytes, more than the %d allowed", len,
		    ICS_IMPORT_MAX_BYTES);
		return NULL;
	}
	if (memchr(data, '\0', len) != NULL) {
		set_cause(cause, "not an iCalendar file: it contains NUL bytes");
		return NULL;
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	buf_init(&out);
	buf_add(&out, "", 0);
	while (i < len) {
		const char *line;

		line_start = out.len;
		/* One logical line: physical lines joined where the next starts with a blank. */
		for (;;) {
			size_t end = i;

			while (end < len && data[end] != '\r' && data[end] != '\n')
				end++;
			buf_add(&out, data + i, end - i);
			if (end < len && data[end] == '\r')
				end++;
			if (end < len && data[end] == '\n')
				end++;
			i = end;
			if (out.len - line_start > ICS_IMPORT_MAX_LINE) {
				set_cause(cause, "line %zu is longer than %d bytes", lines + 1,
				    ICS_IMPORT_MAX_LINE);
				goto fail;
			}
			if (i < len && (data[i] == ' ' || data[i] == '\t'))
				i++;
			else
				break;
		}
		line = out.data + line_start;
		n = out.len - line_start;
		if (n == 0 && first)
			continue;	/* blank lines before the calendar */
		if (++lines > ICS_IMPORT_MAX_LINES) {
			set_cause(cause, "the file has more than %d lines", ICS_IMPORT_MAX_LINES);
			goto fail;
		}
		if (first && !starts_with_ci(line, n, "BEGIN:VCALENDAR")) {
			set_cause(cause, "not an iCalendar file: it does not start with "
			    "BEGIN:VCALENDAR");
			goto fail;
		}
		first = false;
		if (starts_with_ci(line, n, "BEGIN:")) {
			if (++depth > ICS_IMPORT_MAX_DEPTH) {
				set_cause(cause, "line %zu: components nested more than %d deep",
				    lines, ICS_IMPORT_MAX_DEPTH);
				goto fail;
			}
			if (starts_with_ci(line, n, "BEGIN:VEVENT") &&
			    ++events > ICS_IMPORT_MAX_EVENTS) {
				set_cause(cause, "the file has more than %d events",
				    ICS_IMPORT_MAX_EVENTS);
				goto fail;
			}
		} else if (starts_with_ci(line, n, "END:")) {
			if (depth == 0) {
				/* Stray END: dropped, libical would only complain on stderr. */
				out.len = line_start;
				out.data[out.len] = '\0';
				continue;
			}
			depth--;
		}
		buf_add_char(&out, '\n');
	}
	if (first) {
		set_cause(cause, "not an iCalendar file: it is empty");
		goto fail;
	}
	return buf_steal(&out, NULL);
fail:
	buf_free(&out);
	return NULL;
}

/* --- records --- */

/* Clean UTF-8 text, cut at max bytes on a character boundary. */
static char *
clean_text(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	struct buf b;

	buf_init(&b);
	buf_add(&b, "", 0);
	while (i < n) {
		if (p[i] >= 0x80) {
			k = utf8_sequence(p + i, n - i);
			if (b.len + (k ? k : 3) > max)
				break;
			if (k)
				buf_add(&b, p + i, k);
			else
				buf_add(&b, "\xef\xbf\xbd", 3);
			i += k ? k : 1;
			continue;
		}
		if (b.len + 1 > max)
			break;
		if (p[i] == '\r') {
			if (i + 1 >= n || p[i + 1] != '\n')
				buf_add_char(&b, '\n');
		} else if (p[i] >= 0x20 || p[i] == '\n' || p[i] == '\t')
			buf_add_char(&b, (char)p[i]);
		i++;
	}
	if (b.len > max)
		b.len = max;
	return buf_steal(&b, NULL);
}

static void
reject(struct importer *im, size_t event, const char *uid, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
reject(struct importer *im, size_t event, const char *uid, const char *fmt, ...)
{
	struct ics_import *imp = im->imp;
	struct ics_rejection *r;
	struct buf b;
	va_list ap;

	if (imp->nrejections == im->cap_rejections) {
		im->cap_rejections = im->cap_rejections ? im->cap_rejections * 2 : 16;
		imp->rejections = xreallocarray(imp->rejections, im->cap_rejections,
		    sizeof(*imp->rejections));
	}
	r = &imp->rejections[imp->nrejections++];
	r->event = event;
	r->uid = uid != NULL ? xstrdup(uid) : NULL;
	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	r->reason = buf_steal(&b, NULL);
}

static void
session_clear(struct ics_session *s)
{
	free(s->uid);
	free(s->summary);
	free(s->location);
	free(s->description);
	free(s->url);
}

void
ics_import_free(struct ics_import *imp)
{
	size_t i;

	if (imp == NULL)
		return;
	for (i = 0; i < imp->nsessions; i++)
		session_clear(&imp->sessions[i]);
	for (i = 0; i < imp->nrejections; i++) {
		free(imp->rejections[i].uid);
		free(imp->rejections[i].reason);
	}
	free(imp->sessions);
	free(imp->rejections);
	free(imp);
}

/* --- times --- */

/* A TZID to an IANA name we can convert with; NULL if none. */
static const char *
known_zone(const char *tzid)
{
	const char *p;
	size_t i;

	for (i = 0; i < sizeof(windows_zones) / sizeof(windows_zones[0]); i++)
		if (strcasecmp(tzid, windows_zones[i].windows) == 0)
			return windows_zones[i].iana;
	/* "/freeassociation.sourceforge.net/Europe/Berlin" and the like. */
	for (p = tzid; p != NULL; p = strchr(p + 1, '/')) {
		const char *name = *p == '/' ? p + 1 : p;

		if (civil_zone_valid(name))
			return name;
	}
	return NULL;
}

static bool
time_valid(struct icaltimetype t)
{
	if (t.year < YEAR_MIN || t.year > YEAR_MAX || !civil_date_valid(t.year, t.month, t.day))
		return false;
	if (t.is_date)
		return true;
	return t.hour >= 0 && t.hour < 24 && t.minute >= 0 && t.minute < 60 &&
	    t.second >= 0 && t.second <= 60;
}

/*
 * Whether libical may convert with this VTIMEZONE: a few observances with
 * plain yearly rules and sane offsets, so that expanding them stays cheap.
 */
static bool
vtimezone_usable(icalcomponent *vtz)
{
	icalcomponent *obs;
	icalproperty *p;
	int n = 0;

	if (vtz == NULL)
		return false;
	for (obs = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); obs != NULL;
	    obs = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		struct icaltimetype start;

		if (++n > 64)
			return false;
		if ((p = icalcomponent_get_first_property(obs, ICAL_DTSTART_PROPERTY)) == NULL)
			return false;
		start = icalproperty_get_dtstart(p);
		if (start.year < 1600 || start.year > YEAR_MAX)
			return false;
		if ((p = icalcomponent_get_first_property(obs, ICAL_TZOFFSETTO_PROPERTY)) == NULL ||
		    abs(icalproperty_get_tzoffsetto(p)) > 18 * 3600)
			return false;
		if ((p = icalcomponent_get_first_property(obs, ICAL_TZOFFSETFROM_PROPERTY)) == NULL ||
		    abs(icalproperty_get_tzoffsetfrom(p)) > 18 * 3600)
			return false;
		for (p = icalcomponent_get_first_property(obs, ICAL_RRULE_PROPERTY); p != NULL;
		    p = icalcomponent_get_next_property(obs, ICAL_RRULE_PROPERTY)) {
			struct icalrecurrencetype r = icalproperty_get_rrule(p);

			if (r.freq != ICAL_YEARLY_RECURRENCE || r.interval != 1 ||
			    r.by_second[0] != ICAL_RECURRENCE_ARRAY_MAX ||
			    r.by_minute[0] != ICAL_RECURRENCE_ARRAY_MAX ||
			    r.by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX ||
			    r.by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
			    r.by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX ||
			    r.by_set_pos[0] != ICAL_RECURRENCE_ARRAY_MAX ||
			    r.by_month[0] == ICAL_RECURRENCE_ARRAY_MAX ||
			    r.by_month[1] != ICAL_RECURRENCE_ARRAY_MAX ||
			    (r.by_day[0] != ICAL_RECURRENCE_ARRAY_MAX &&
			    r.by_day[1] != ICAL_RECURRENCE_ARRAY_MAX))
				return false;
		}
	}
	return n > 0;
}

/*
 * The instant of a DTSTART or DTEND property, or its day for a DATE.
 * Returns 0, or -1 with *why set to a static reason.
 */
#define WHY(end, text)	((end) ? "DTEND " text : "DTSTART " text)

static int
prop_time(struct importer *im, icalproperty *p, struct icaltimetype t, bool *is_date,
    int *days, time_t *inst, const char **why)
{
	bool end = icalproperty_isa(p) == ICAL_DTEND_PROPERTY;
	icalparameter *param;
	const char *tzid = NULL, *zone;
	time_t base;

	if (icaltime_is_null_time(t) || !time_valid(t)) {
		*why = WHY(end, "is not a valid date or time in the years 1970-2200");
		return -1;
	}
	*is_date = t.is_date;
	*days = civil_days_from_date(t.year, t.month, t.day);
	if (t.is_date)
		return civil_to_utc(im->zone, *days, 0, inst, NULL, NULL);
	if (icaltime_is_utc(t)) {
		*inst = (time_t)*days * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
		return 0;
	}
	if ((param = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)) != NULL)
		tzid = icalparameter_get_tzid(param);
	if (tzid == NULL || tzid[0] == '\0')
		zone = im->zone;
	else if ((zone = known_zone(tzid)) == NULL) {
		icaltimezone *tz = icalcomponent_get_timezone(im->cal, tzid);

		if (tz == NULL) {
			*why = WHY(end, "names a TZID that is neither a known zone nor "
			    "defined in the file");
			return -1;
		}
		if (!vtimezone_usable(icaltimezone_get_component(tz))) {
			*why = WHY(end, "names a TZID whose VTIMEZONE is not a plain yearly rule set");
			return -1;
		}
		t.zone = NULL;
		*inst = icaltime_as_timet_with_zone(t, tz);
		return 0;
	}
	if (civil_to_utc(zone, *days, t.hour * 60 + t.minute, &base, NULL, NULL) == -1) {
		*why = WHY(end, "cannot be converted to UTC");
		return -1;
	}
	*inst = base + t.second;
	return 0;
}

/* DTEND from DURATION: days and weeks on the wall clock, the rest in seconds. */
static int
end_from_duration(struct importer *im, struct ics_session *s, struct icaldurationtype d,
    const char **why)
{
	long days = (long)d.weeks * 7 + d.days;
	long secs = (long)d.hours * 3600 + (long)d.minutes * 60 + d.seconds;
	int sd, sm, off;

	if (d.is_neg || icaldurationtype_is_bad_duration(d)) {
		*why = "DURATION is negative or malformed";
		return -1;
	}
	if (days > ICS_IMPORT_MAX_DAYS || secs > (long)ICS_IMPORT_MAX_DAYS * 86400) {
		*why = "DURATION is longer than a year";
		return -1;
	}
	if (s->all_day) {
		if (secs != 0) {
			*why = "DURATION of an all-day event is not whole days";
			return -1;
		}
		s->end_days = s->start_days + (int)days;
		return civil_to_utc(im->zone, s->end_days, 0, &s->end, NULL, NULL);
	}
	if (days == 0) {
		s->end = s->start + secs;
		return 0;
	}
	if (civil_from_utc(im->zone, s->start, &sd, &sm, &off) == -1 ||
	    civil_to_utc(im->zone, sd + (int)days, sm, &s->end, NULL, NULL) == -1) {
		*why = "DURATION cannot be applied";
		return -1;
	}
	s->end += (s->start - ((time_t)sd * 86400 + sm * 60 - off)) + secs;
	return 0;
}

/* --- events --- */

static bool
has_error_about(icalcomponent *ve, const char *name)
{
	icalproperty *p;

	for (p = icalcomponent_get_first_property(ve, ICAL_XLICERROR_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(ve, ICAL_XLICERROR_PROPERTY)) {
		const char *msg = icalproperty_get_xlicerror(p);

		if (msg != NULL && strstr(msg, name) != NULL)
			return true;
	}
	return false;
}

static const char *
text_prop(icalcomponent *ve, icalproperty_kind kind)
{
	icalproperty *p = icalcomponent_get_first_property(ve, kind);
	icalvalue *v;

	if (p == NULL || (v = icalproperty_get_value(p)) == NULL ||
	    icalvalue_isa(v) != ICAL_TEXT_VALUE)
		return NULL;
	return icalvalue_get_text(v);
}

/* Reads one VEVENT into s; returns -1 with a static reason in *why to reject it. */
static int
read_event(struct importer *im, icalcomponent *ve, struct ics_session *s, const char **why)
{
	icalproperty *ps, *pe, *pd, *pu;
	bool start_date, end_date;
	const char *text;

	if (icalcomponent_get_first_property(ve, ICAL_RRULE_PROPERTY) != NULL ||
	    icalcomponent_get_first_property(ve, ICAL_RDATE_PROPERTY) != NULL) {
		*why = "repeating events (RRULE, RDATE) are not supported; the export should "
		    "list each session";
		return -1;
	}
	if (icalcomponent_get_first_property(ve, ICAL_RECURRENCEID_PROPERTY) != NULL) {
		*why = "changed instances of repeating events (RECURRENCE-ID) are not supported";
		return -1;
	}
	if ((ps = icalcomponent_get_first_property(ve, ICAL_DTSTART_PROPERTY)) == NULL) {
		*why = has_error_about(ve, "DTSTART") ? "DTSTART cannot be parsed" : "no DTSTART";
		return -1;
	}
	if (prop_time(im, ps, icalproperty_get_dtstart(ps), &start_date, &s->start_days,
	    &s->start, why) == -1) {
		if (*why == NULL)
			*why = "DTSTART cannot be converted";
		return -1;
	}
	s->all_day = start_date;
	pe = icalcomponent_get_first_property(ve, ICAL_DTEND_PROPERTY);
	pd = icalcomponent_get_first_property(ve, ICAL_DURATION_PROPERTY);
	if (pe != NULL) {
		if (prop_time(im, pe, icalproperty_get_dtend(pe), &end_date, &s->end_days,
		    &s->end, why) == -1) {
			if (*why == NULL)
				*why = "DTEND cannot be converted";
			return -1;
		}
		if (end_date != start_date) {
			*why = "DTSTART and DTEND differ: one is a date, the other a date and time";
			return -1;
		}
	} else if (pd != NULL) {
		if (end_from_duration(im, s, icalproperty_get_duration(pd), why) == -1) {
			if (*why == NULL)
				*why = "DURATION cannot be applied";
			return -1;
		}
	} else if (has_error_about(ve, "DTEND") || has_error_about(ve, "DURATION")) {
		*why = "DTEND or DURATION cannot be parsed";
		return -1;
	} else if (s->all_day) {
		s->end_days = s->start_days + 1;
		if (civil_to_utc(im->zone, s->end_days, 0, &s->end, NULL, NULL) == -1)
			return -1;
	} else
		s->end = s->start;
	if (s->end < s->start || (s->all_day && s->end_days < s->start_days)) {
		*why = "DTEND is before DTSTART";
		return -1;
	}
	if (s->all_day && s->end_days == s->start_days)
		s->end_days = s->start_days + 1;	/* RFC 5545 errata 6109: one day */
	if (s->end - s->start > (time_t)ICS_IMPORT_MAX_DAYS * 86400) {
		*why = "the event lasts longer than a year";
		return -1;
	}
	if (!s->all_day)
		s->start_days = s->end_days = 0;
	s->sequence = icalcomponent_get_first_property(ve, ICAL_SEQUENCE_PROPERTY) ?
	    icalcomponent_get_sequence(ve) : 0;
	if (s->sequence < 0)
		s->sequence = 0;
	s->cancelled = s->cancelled || icalcomponent_get_status(ve) == ICAL_STATUS_CANCELLED;
	if ((text = text_prop(ve, ICAL_SUMMARY_PROPERTY)) != NULL)
		s->summary = clean_text(text, ICS_IMPORT_MAX_SUMMARY);
	if ((text = text_prop(ve, ICAL_LOCATION_PROPERTY)) != NULL)
		s->location = clean_text(text, ICS_IMPORT_MAX_LOCATION);
	if ((text = text_prop(ve, ICAL_DESCRIPTION_PROPERTY)) != NULL)
		s->description = clean_text(text, ICS_IMPORT_MAX_DESCRIPTION);
	if ((pu = icalcomponent_get_first_property(ve, ICAL_URL_PROPERTY)) != NULL &&
	    (text = icalproperty_get_url(pu)) != NULL && strlen(text) <= ICS_IMPORT_MAX_URL)
		s->url = clean_text(text, ICS_IMPORT_MAX_URL);
	return 0;
}

/* The UID as a clean string, or NULL with *why. */
static char *
read_uid(icalcomponent *ve, const char **why)
{
	const char *uid = text_prop(ve, ICAL_UID_PROPERTY);
	const unsigned char *p;
	size_t n, k;

	if (uid == NULL || uid[0] == '\0') {
		*why = "no UID";
		return NULL;
	}
	if ((n = strlen(uid)) > ICS_IMPORT_MAX_UID) {
		*why = "UID is longer than 255 bytes";
		return NULL;
	}
	for (p = (const unsigned char *)uid; *p != '\0'; p += k) {
		k = utf8_sequence(p, n - (size_t)(p - (const unsigned char *)uid));
		if (k == 0 || *p < 0x20 || *p == 0x7f) {
			*why = "UID contains control characters or invalid UTF-8";
			return NULL;
		}
	}
	return xstrdup(uid);
}

static void
read_calendar(struct importer *im, icalcomponent *cal, size_t *nevent)
{
	icalcomponent *ve;
	bool cancel_all;
	struct ics_import *imp = im->imp;

	im->cal = cal;
	cancel_all = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY) != NULL &&
	    icalcomponent_get_method(cal) == ICAL_METHOD_CANCEL;
	for (ve = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ve != NULL;
	    ve = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		struct ics_session s;
		const char *why = NULL;

		(*nevent)++;
		memset(&s, 0, sizeof(s));
		s.cancelled = cancel_all;
		if ((s.uid = read_uid(ve, &why)) == NULL) {
			reject(im, *nevent, NULL, "%s", why);
			continue;
		}
		if (read_event(im, ve, &s, &why) == -1) {
			reject(im, *nevent, s.uid, "%s", why ? why : "unreadable event");
			session_clear(&s);
			continue;
		}
		if (imp->nsessions == im->cap_sessions) {
			im->cap_sessions = im->cap_sessions ? im->cap_sessions * 2 : 16;
			imp->sessions = xreallocarray(imp->sessions, im->cap_sessions,
			    sizeof(*imp->sessions));
			im->position = xreallocarray(im->position, im->cap_sessions,
			    sizeof(*im->position));
		}
		im->position[imp->nsessions] = *nevent;
		imp->sessions[imp->nsessions++] = s;
	}
}

struct uid_pos {
	const char	*uid;
	size_t		 index;
};

static int
uid_pos_cmp(const void *a, const void *b)
{
	const struct uid_pos *x = a, *y = b;
	int c = strcmp(x->uid, y->uid);

	if (c != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int
rejection_cmp(const void *a, const void *b)
{
	const struct ics_rejection *x = a, *y = b;

	return x->event < y->event ? -1 : x->event > y->event;
}

/* Keeps the first event of every UID and rejects the later ones. */
static void
drop_duplicates(struct importer *im)
{
	struct ics_import *imp = im->imp;
	struct uid_pos *v;
	bool *dup;
	size_t i, j;

	if (imp->nsessions < 2)
		return;
	v = xcalloc(imp->nsessions, sizeof(*v));
	dup = xcalloc(imp->nsessions, sizeof(*dup));
	for (i = 0; i < imp->nsessions; i++) {
		v[i].uid = imp->sessions[i].uid;
		v[i].index = i;
	}
	qsort(v, imp->nsessions, sizeof(*v), uid_pos_cmp);
	for (i = 1; i < imp->nsessions; i++)
		if (strcmp(v[i].uid, v[i - 1].uid) == 0)
			dup[v[i].index] = true;
	for (i = j = 0; i < imp->nsessions; i++) {
		if (dup[i]) {
			reject(im, im->position[i], imp->sessions[i].uid,
			    "UID appears more than once; the first event with it is kept");
			session_clear(&imp->sessions[i]);
		} else
			imp->sessions[j++] = imp->sessions[i];
	}
	imp->nsessions = j;
	free(v);
	free(dup);
}

struct ics_import *
ics_import_parse(const char *data, size_t len, const char *zone, char **cause)
{
	struct importer im;
	icalcomponent *root, *cal;
	char *text;
	size_t nevent = 0;

	if (zone == NULL || !civil_zone_valid(zone)) {
		set_cause(cause, "unknown time zone \"%s\"", zone ? zone : "");
		return NULL;
	}
	if ((text = unfold_and_check(data, len, cause)) == NULL)
		return NULL;
	icalerror_set_errors_are_fatal(0);
	root = icalparser_parse_string(text);
	icalerror_clear_errno();
	free(text);
	if (root == NULL) {
		set_cause(cause, "not an iCalendar file: no calendar could be parsed");
		return NULL;
	}
	memset(&im, 0, sizeof(im));
	im.zone = zone;
	im.imp = xcalloc(1, sizeof(*im.imp));
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT)
		read_calendar(&im, root, &nevent);
	else
		for (cal = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
		    cal != NULL;
		    cal = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT))
			read_calendar(&im, cal, &nevent);
	if (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT &&
	    icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT) == NULL) {
		icalcomponent_free(root);
		ics_import_free(im.imp);
		free(im.position);
		set_cause(cause, "not an iCalendar file: it has no VCALENDAR");
		return NULL;
	}
	icalcomponent_free(root);

	drop_duplicates(&im);
	free(im.position);
	if (im.imp->nrejections > 1)
		qsort(im.imp->rejections, im.imp->nrejections, sizeof(*im.imp->rejections),
		    rejection_cmp);
	return im.imp;
}
