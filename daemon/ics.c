/*
 * ics: the iCalendar feed writer.  It owns everything calendar clients are
 * picky about: line folding at 75 octets without splitting a UTF-8
 * sequence or an escape, TEXT escaping (also in X- properties), a small
 * VTIMEZONE with a plain IANA TZID that python-icalendar, ical.js and khal
 * all read, exclusive DTEND for all-day events, and output that depends on
 * the data only.
 *
 * The text is written here rather than through libical's component tree.
 * libical 3.0.16 would give us the prefixed TZID and the long system-derived
 * VTIMEZONE we must not publish, leaves X- properties unescaped, and costs a
 * tree of heap objects per property; for 30,000 events that is several
 * times slower than this writer, which stays in the tens of milliseconds
 * (bench/feed_build).  libical stays the parser: the tests and the importer
 * read feeds back with it.  A build may copy events from the previous
 * build of the same feed through that build's index (UID, SEQUENCE,
 * modification time), which is exact while the time zone rules and the
 * alarm stay the same: the index records both.  It also records each
 * event's SHA-256, so the digest of a text (its ETag) is made from the
 * events' digests and costs only the events a build wrote.
 *
 * A text is kept as parts of counted blocks rather than one string: a
 * rebuild shares the runs of unchanged events with the text before it
 * and writes only the rest (the calendar's head, the events that changed,
 * its end) into one new block, so it neither copies nor touches the bytes
 * it keeps.  Each change leaves a few more parts and bytes in blocks that
 * no part shows any more; a text with too many of either is written
 * into one block again by its next build, which copies as a build did
 * before, and a build that changes many events stops sharing when its
 * text has PARTS_MAX parts.
 *
 * Local times come from the C library's zone data through civil.h.  The
 * offset of each instant is cached per week (a zone changes its offset at
 * most once a week), and an event is written with TZID only if the embedded
 * VTIMEZONE maps its local start and end back to the same instants;
 * otherwise, as for the second 02:30 of an October night, both are written
 * in UTC.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sha2.h>

#include "buf.h"
#include "civil.h"
#include "duration.h"
#include "ics.h"
#include "utf8.h"
#include "xmalloc.h"

#define ICS_FOLD	75		/* octets per physical line, CRLF excluded */
#define WEEK		(7 * 86400)
#define CACHE_SLOTS	1024
#define LOCAL_FROM	31536000	/* 1971-01-01: VTIMEZONE observances start in 1970 */

/* One yearly change of offset: in month, the week-th (-1: last) weekday, at minute (old offset). */
struct zone_rule {
	int	month;
	int	week;
	int	wday;		/* 0 = Monday ... 6 = Sunday */
	int	minute;
};

/* The zone as the VTIMEZONE describes it: a standard offset and maybe a yearly DST. */
struct zone_model {
	bool		 has_dst;
	int		 std_off, dst_off;	/* seconds east of UTC */
	struct zone_rule to_dst, to_std;
	const char	*std_name, *dst_name;	/* TZNAME, NULL to leave out */
};

static const struct zone_model berlin = {
	true, 3600, 7200, { 3, -1, 6, 120 }, { 10, -1, 6, 180 }, "CET", "CEST"
};

struct offset_slot {
	bool	used;
	int64_t	week;
	int	off_start, off_end;
	time_t	change;		/* first instant with off_end, if they differ */
};

struct writer {
	struct buf		 out;
	char			*line;
	size_t			 len, cap;
	const char		*zone;
	struct zone_model	 model;
	struct offset_slot	*cache;
	/* The model's changes in one year, [year_from, year_to) in UTC. */
	bool			 year_known;
	int64_t			 year_from, year_to, to_dst_at, to_std_at;
};

static int64_t
floor_div64(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* --- the current content line --- */

static void
line_add(struct writer *w, const char *s, size_t n)
{
	if (n > w->cap - w->len) {
		size_t cap = w->cap ? w->cap : 512;

		while (cap - w->len < n) {
			if (cap > SIZE_MAX / 2)
				abort();
			cap *= 2;
		}
		w->line = xreallocarray(w->line, 1, cap);
		w->cap = cap;
	}
	memcpy(w->line + w->len, s, n);
	w->len += n;
}

static void
line_str(struct writer *w, const char *s)
{
	line_add(w, s, strlen(s));
}

/*
 * Folds the current line into the output and ends it with CRLF.  A cut
 * goes back to the start of a UTF-8 character and, if that character is
 * escaped, before its backslash.
 */
static void
line_end(struct writer *w)
{
	const unsigned char *p = (const unsigned char *)w->line;
	size_t start = 0, room = ICS_FOLD, cut, k;

	if (w->len <= ICS_FOLD) {
		line_add(w, "\r\n", 2);
		buf_add(&w->out, w->line, w->len);
		w->len = 0;
		return;
	}
	while (w->len - start > room) {
		cut = start + room;
		while (cut > start + 1 && (p[cut] & 0xc0) == 0x80)
			cut--;
		for (k = 0; cut - k > start && p[cut - k - 1] == '\\'; k++)
			;
		if (k % 2 == 1)
			cut--;
		buf_add(&w->out, w->line + start, cut - start);
		buf_add(&w->out, "\r\n ", 3);
		start = cut;
		room = ICS_FOLD - 1;
	}
	buf_add(&w->out, w->line + start, w->len - start);
	buf_add(&w->out, "\r\n", 2);
	w->len = 0;
}

/* Printable ASCII but the backslash, semicolon and comma: TEXT that needs no escape. */
static const uint64_t text_plain[2] = {
	0xffffffff00000000ull & ~(1ull << ',') & ~(1ull << ';'),
	0x7fffffffffffffffull & ~(1ull << ('\\' - 64)),
};

/* Appends s as an RFC 5545 TEXT value (section 3.3.11). */
static void
line_text(struct writer *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, run = 0, k;

	while (i < n) {
		unsigned char c = p[i];
		const char *esc = NULL;

		if (c < 0x80 && (text_plain[c >> 6] >> (c & 63) & 1)) {
			i++;
			run++;
			continue;
		}
		if (c >= 0x80 && (k = utf8_sequence(p + i, n - i)) != 0) {
			i += k;
			run += k;
			continue;
		}
		line_add(w, (const char *)p + i - run, run);
		run = 0;
		switch (c) {
		case '\\': esc = "\\\\"; break;
		case ';': esc = "\\;"; break;
		case ',': esc = "\\,"; break;
		case '\t': esc = "\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r':
			esc = "\\n";
			if (i + 1 < n && p[i + 1] == '\n')
				i++;
			break;
		default:
			if (c >= 0x80)
				esc = "\xef\xbf\xbd";	/* invalid UTF-8: U+FFFD */
			break;		/* other control characters are dropped */
		}
		if (esc != NULL)
			line_str(w, esc);
		i++;
	}
	line_add(w, (const char *)p + i - run, run);
}

static void
put_text(struct writer *w, const char *name, const char *value)
{
	if (value == NULL)
		return;
	line_str(w, name);
	line_add(w, ":", 1);
	line_text(w, value);
	line_end(w);
}

static void
put_raw(struct writer *w, const char *name, const char *value)
{
	line_str(w, name);
	line_add(w, ":", 1);
	line_str(w, value);
	line_end(w);
}

/* --- time --- */

static bool
days_in_range(int64_t days)
{
	return days >= civil_days_from_date(1, 1, 1) && days <= civil_days_from_date(9999, 12, 31);
}

static char *
put_digits(char *p, int value, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + value % 10);
		value /= 10;
	}
	return p + width;
}

/* "YYYYMMDD", or "YYYYMMDDTHHMMSS" when sec_of_day >= 0 (16 bytes suffice). */
static void
format_stamp(char *out, size_t size, int days, int sec_of_day)
{
	char *p = out;
	int y, m, d;

	if (size < 16)
		abort();
	civil_date_from_days(days, &y, &m, &d);
	p = put_digits(p, y, 4);
	p = put_digits(p, m, 2);
	p = put_digits(p, d, 2);
	if (sec_of_day >= 0) {
		*p++ = 'T';
		p = put_digits(p, sec_of_day / 3600, 2);
		p = put_digits(p, sec_of_day / 60 % 60, 2);
		p = put_digits(p, sec_of_day % 60, 2);
	}
	*p = '\0';
}

/* UTC "YYYYMMDDTHHMMSSZ"; -1 outside the years 1-9999. */
static int
format_utc(char out[static 20], time_t t)
{
	int64_t days = floor_div64(t, 86400);

	if (!days_in_range(days))
		return -1;
	format_stamp(out, 20, (int)days, (int)(t - days * 86400));
	strcat(out, "Z");
	return 0;
}

/* The zone's UTC offset at t per the C library, cached per week. */
static int
system_offset(struct writer *w, time_t t, int *off)
{
	int64_t week = floor_div64(t, WEEK);
	struct offset_slot *s = &w->cache[(uint64_t)week % CACHE_SLOTS];

	if (!s->used || s->week != week) {
		time_t a = (time_t)(week * WEEK), b = a + WEEK - 1, lo, hi;
		int oa, ob, o;

		if (civil_from_utc(w->zone, a, NULL, NULL, &oa) == -1 ||
		    civil_from_utc(w->zone, b, NULL, NULL, &ob) == -1)
			return -1;
		s->used = true;
		s->week = week;
		s->off_start = oa;
		s->off_end = ob;
		s->change = b;
		if (oa != ob) {
			lo = a;
			hi = b;
			while (hi - lo > 1) {
				time_t mid = lo + (hi - lo) / 2;

				if (civil_from_utc(w->zone, mid, NULL, NULL, &o) == -1)
					return -1;
				if (o == oa)
					lo = mid;
				else
					hi = mid;
			}
			s->change = hi;
		}
	}
	*off = (s->off_start == s->off_end || t < s->change) ? s->off_start : s->off_end;
	return 0;
}

static int
rule_day(const struct zone_rule *r, int year)
{
	int d;

	if (r->week > 0) {
		d = civil_days_from_date(year, r->month, 1);
		return d + (r->wday - civil_weekday(d) + 7) % 7 + (r->week - 1) * 7;
	}
	d = civil_days_from_date(year, r->month, civil_days_in_month(year, r->month));
	return d - (civil_weekday(d) - r->wday + 7) % 7;
}

static int64_t
rule_instant(const struct zone_rule *r, int year, int off_before)
{
	return (int64_t)rule_day(r, year) * 86400 + r->minute * 60 - off_before;
}

static int
model_offset(struct writer *w, int64_t t)
{
	const struct zone_model *m = &w->model;
	int64_t a, b;
	int y, mo, d;

	if (!m->has_dst)
		return m->std_off;
	if (!w->year_known || t < w->year_from || t >= w->year_to) {
		civil_date_from_days((int)floor_div64(t + m->std_off, 86400), &y, &mo, &d);
		w->year_from = (int64_t)civil_days_from_date(y, 1, 1) * 86400 - m->std_off;
		w->year_to = (int64_t)civil_days_from_date(y + 1, 1, 1) * 86400 - m->std_off;
		w->to_dst_at = rule_instant(&m->to_dst, y, m->std_off);
		w->to_std_at = rule_instant(&m->to_std, y, m->dst_off);
		w->year_known = true;
	}
	a = w->to_dst_at;
	b = w->to_std_at;
	if (a < b)
		return (t >= a && t < b) ? m->dst_off : m->std_off;
	return (t >= a || t < b) ? m->dst_off : m->std_off;
}

/* Wall clock to instant as a reader of the VTIMEZONE does (first occurrence). */
static bool
model_to_utc(struct writer *w, int64_t wall, int64_t *out)
{
	const struct zone_model *m = &w->model;
	int64_t cs = wall - m->std_off, cd = wall - m->dst_off;
	bool oks = model_offset(w, cs) == m->std_off;
	bool okd = m->has_dst && model_offset(w, cd) == m->dst_off;

	if (oks && okd)
		*out = cs < cd ? cs : cd;
	else if (oks || okd)
		*out = oks ? cs : cd;
	else
		return false;
	return true;
}

/* Derives a rule from a change at instant tr from offset before; false if irregular. */
static bool
rule_from_change(time_t tr, int before, struct zone_rule *r)
{
	int64_t wall = (int64_t)tr + before;
	int days = (int)floor_div64(wall, 86400), sec = (int)(wall - (int64_t)days * 86400);
	int y, m, d, dim;

	if (sec % 60 != 0)
		return false;
	civil_date_from_days(days, &y, &m, &d);
	dim = civil_days_in_month(y, m);
	r->month = m;
	r->wday = civil_weekday(days);
	r->week = d + 7 > dim ? -1 : (d - 1) / 7 + 1;
	r->minute = sec / 60;
	return true;
}

/*
 * Builds a model of a zone other than Europe/Berlin from its changes in
 * year: none gives a fixed offset, two give a yearly DST rule.  Anything
 * else gives the offset at the year's end; the per-event check then writes
 * the events it does not describe in UTC.
 */
static int
model_from_system(struct writer *w, int year)
{
	time_t change[4], t0, t1, lo, hi;
	int before[4], after[4], nchange = 0, m, o0, o1, o;
	struct zone_model *zm = &w->model;

	memset(zm, 0, sizeof(*zm));
	for (m = 1; m <= 12; m++) {
		t0 = (time_t)civil_days_from_date(year, m, 1) * 86400;
		t1 = m == 12 ? (time_t)civil_days_from_date(year + 1, 1, 1) * 86400 :
		    (time_t)civil_days_from_date(year, m + 1, 1) * 86400;
		if (system_offset(w, t0, &o0) == -1 || system_offset(w, t1, &o1) == -1)
			return -1;
		if (o0 == o1)
			continue;
		lo = t0;
		hi = t1;
		while (hi - lo > 1) {
			time_t mid = lo + (hi - lo) / 2;

			if (system_offset(w, mid, &o) == -1)
				return -1;
			if (o == o0)
				lo = mid;
			else
				hi = mid;
		}
		if (nchange < 4) {
			change[nchange] = hi;
			before[nchange] = o0;
			after[nchange] = o1;
		}
		nchange++;
	}
	if (system_offset(w, (time_t)civil_days_from_date(year, 12, 31) * 86400, &o) == -1)
		return -1;
	zm->std_off = zm->dst_off = o;
	if (nchange == 2 && before[0] == after[1] && before[1] == after[0]) {
		int up = after[0] > before[0] ? 0 : 1, down = 1 - up;

		if (rule_from_change(change[up], before[up], &zm->to_dst) &&
		    rule_from_change(change[down], before[down], &zm->to_std)) {
			zm->has_dst = true;
			zm->std_off = before[up];
			zm->dst_off = after[up];
		}
	}
	return 0;
}

static void
format_offset(char out[static 8], int off)
{
	int a = off < 0 ? -off : off;

	if (a % 60 != 0)
		snprintf(out, 8, "%c%02d%02d%02d", off < 0 ? '-' : '+', a / 3600 % 100,
		    a / 60 % 60, a % 60);
	else
		snprintf(out, 8, "%c%02d%02d", off < 0 ? '-' : '+', a / 3600 % 100, a / 60 % 60);
}

static void
put_observance(struct writer *w, const char *kind, int from, int to, const char *name,
    const struct zone_rule *r)
{
	char a[8], b[8], stamp[20], rrule[64];

	format_offset(a, from);
	format_offset(b, to);
	line_str(w, "BEGIN:");
	line_str(w, kind);
	line_end(w);
	put_raw(w, "TZOFFSETFROM", a);
	put_raw(w, "TZOFFSETTO", b);
	if (name != NULL)
		put_raw(w, "TZNAME", name);
	if (r == NULL) {
		put_raw(w, "DTSTART", "19700101T000000");
	} else {
		static const char *const wd[] = { "MO", "TU", "WE", "TH", "FR", "SA", "SU" };

		format_stamp(stamp, sizeof(stamp), rule_day(r, 1970), r->minute * 60);
		put_raw(w, "DTSTART", stamp);
		snprintf(rrule, sizeof(rrule), "FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", r->month,
		    r->week, wd[r->wday]);
		put_raw(w, "RRULE", rrule);
	}
	line_str(w, "END:");
	line_str(w, kind);
	line_end(w);
}

static void
put_vtimezone(struct writer *w)
{
	const struct zone_model *m = &w->model;

	put_raw(w, "BEGIN", "VTIMEZONE");
	put_raw(w, "TZID", w->zone);
	if (m->has_dst) {
		put_observance(w, "DAYLIGHT", m->std_off, m->dst_off, m->dst_name, &m->to_dst);
		put_observance(w, "STANDARD", m->dst_off, m->std_off, m->std_name, &m->to_std);
	} else
		put_observance(w, "STANDARD", m->std_off, m->std_off, m->std_name, NULL);
	put_raw(w, "END", "VTIMEZONE");
}

/* Whether t can be written as local time with TZID: the VTIMEZONE must read it back as t. */
static int
local_ok(struct writer *w, time_t t, bool *ok)
{
	int64_t wall, back;
	int off;

	if (system_offset(w, t, &off) == -1)
		return -1;
	wall = (int64_t)t + off;
	if (!days_in_range(floor_div64(wall, 86400)))
		return -1;
	*ok = t >= LOCAL_FROM && model_to_utc(w, wall, &back) && back == t;
	return 0;
}

/* DTSTART or DTEND of a timed event, local with TZID or (local false) in UTC. */
static int
put_instant(struct writer *w, const char *name, time_t t, bool local)
{
	char stamp[20];
	int64_t wall, days;
	int off;

	if (!local) {
		if (format_utc(stamp, t) == -1)
			return -1;
		put_raw(w, name, stamp);
		return 0;
	}
	if (system_offset(w, t, &off) == -1)
		return -1;
	wall = (int64_t)t + off;
	days = floor_div64(wall, 86400);
	format_stamp(stamp, sizeof(stamp), (int)days, (int)(wall - days * 86400));
	line_str(w, name);
	line_str(w, ";TZID=");
	line_str(w, w->zone);
	line_add(w, ":", 1);
	line_str(w, stamp);
	line_end(w);
	return 0;
}

/* Both ends in the same form: local if the VTIMEZONE can say both, else UTC. */
static int
put_span(struct writer *w, time_t start, time_t end)
{
	bool ls, le;

	if (local_ok(w, start, &ls) == -1 || local_ok(w, end, &le) == -1)
		return -1;
	if (put_instant(w, "DTSTART", start, ls && le) == -1 ||
	    put_instant(w, "DTEND", end, ls && le) == -1)
		return -1;
	return 0;
}

static int
put_date(struct writer *w, const char *name, int days)
{
	char stamp[20];

	if (!days_in_range(days))
		return -1;
	format_stamp(stamp, sizeof(stamp), days, -1);
	line_str(w, name);
	line_str(w, ";VALUE=DATE:");
	line_str(w, stamp);
	line_end(w);
	return 0;
}

/* --- validation --- */

static bool
url_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\0')
		return false;
	for (; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return false;
	return true;
}

static int
check_event(const struct ics_event *e, size_t i, char **cause)
{
	if (e->uid == NULL || e->uid[0] == '\0')
		return set_cause(cause, "event %zu has no UID", i + 1);
	if (e->sequence < 0)
		return set_cause(cause, "event %zu (%s): negative SEQUENCE", i + 1, e->uid);
	if (e->url != NULL && !url_valid(e->url))
		return set_cause(cause, "event %zu (%s): URL is empty or contains spaces or "
		    "control characters", i + 1, e->uid);
	if (!e->all_day && e->end < e->start)
		return set_cause(cause, "event %zu (%s): ends before it starts", i + 1, e->uid);
	if ((unsigned)e->status > ICS_CANCELLED)
		return set_cause(cause, "event %zu (%s): unknown status", i + 1, e->uid);
	return 0;
}

/* --- the feed --- */

static int
put_event(struct writer *w, const struct ics_calendar *cal, const struct ics_event *e,
    const char *description, size_t i, char **cause)
{
	static const char *const status[] = { "CONFIRMED", "TENTATIVE", "CANCELLED" };
	char stamp[20], num[32];

	if (format_utc(stamp, e->last_modified) == -1)
		return set_cause(cause, "event %zu (%s): last change outside the years 1-9999",
		    i + 1, e->uid);
	put_raw(w, "BEGIN", "VEVENT");
	put_text(w, "UID", e->uid);
	snprintf(num, sizeof(num), "%d", e->sequence);
	put_raw(w, "SEQUENCE", num);
	put_raw(w, "DTSTAMP", stamp);
	put_raw(w, "LAST-MODIFIED", stamp);
	if (e->all_day) {
		if (put_date(w, "DTSTART", e->start_days) == -1 ||
		    put_date(w, "DTEND", e->end_days > e->start_days ? e->end_days :
		    e->start_days + 1) == -1)
			return set_cause(cause, "event %zu (%s): date outside the years 1-9999",
			    i + 1, e->uid);
	} else {
		if (put_span(w, e->start, e->end) == -1)
			return set_cause(cause, "event %zu (%s): time outside the years 1-9999",
			    i + 1, e->uid);
	}
	put_text(w, "SUMMARY", e->summary);
	put_text(w, "DESCRIPTION", description);
	put_text(w, "LOCATION", e->location);
	if (e->url != NULL)
		put_raw(w, "URL", e->url);
	put_text(w, "CATEGORIES", e->categories);
	put_raw(w, "STATUS", status[e->status]);
	put_raw(w, "TRANSP", e->transparent ? "TRANSPARENT" : "OPAQUE");
	if (cal->alarm_minutes >= 0 && e->status != ICS_CANCELLED) {
		snprintf(num, sizeof(num), "%s%dM", cal->alarm_minutes ? "-PT" : "PT",
		    cal->alarm_minutes);
		put_raw(w, "BEGIN", "VALARM");
		put_raw(w, "ACTION", "DISPLAY");
		put_text(w, "DESCRIPTION", e->summary != NULL && e->summary[0] != '\0' ?
		    e->summary : "Erinnerung");
		put_raw(w, "TRIGGER", num);
		put_raw(w, "END", "VALARM");
	}
	put_raw(w, "END", "VEVENT");
	return 0;
}

/* Year of the latest timed start: the rules in force then describe a non-Berlin zone. */
static int
reference_year(const struct ics_event *ev, size_t nev)
{
	int64_t best = 0;
	int y, m, d;
	size_t i;
	bool any = false;

	for (i = 0; i < nev; i++)
		if (!ev[i].all_day && (!any || ev[i].start > best)) {
			best = ev[i].start;
			any = true;
		}
	best = floor_div64(best, 86400);
	if (!days_in_range(best))
		return 1970;
	civil_date_from_days((int)best, &y, &m, &d);
	return y < 1970 ? 1970 : y > 9998 ? 9998 : y;
}

/* How much of two neighbours' digests their link hashes: one SHA-256 block. */
#define LINK_PART	24
/* A text of this many parts, or whose blocks hold more than half as much
 * again as it shows, is written into one block by its next build; a
 * build stops sharing when its text reaches this many parts, so no text
 * has more than one more.  (libmicrohttpd 0.9.75 sends an I/O vector of
 * 2,000 parts, but not one of 2,040.) */
#define PARTS_MAX	1024

/* Bytes of text that parts of texts show; freed with the last part. */
struct ics_block {
	atomic_size_t	 refs;
	char		*data;
	size_t		 len;
};

/* A run of a block's bytes in a text. */
struct ics_part {
	struct ics_block *block;
	size_t		 off, len;
};

struct ics_text {
	atomic_size_t	 refs;
	struct ics_part	*parts;
	size_t		 nparts;
	size_t		 len;
	size_t		 block_bytes;	/* of the blocks its parts show, each once */
};

/* One event's text in a built feed; uid NULL marks an empty slot. */
struct ics_piece {
	char		*uid;
	uint64_t	 hash;
	unsigned char	 digest[ICS_DIGEST_LEN];	/* of the text */
	unsigned char	 next[LINK_PART];	/* the next piece's digest, its start */
	unsigned char	 link[ICS_DIGEST_LEN];	/* link_digest() of this and the next */
	int		 sequence;
	time_t		 last_modified;
	struct ics_block *block;	/* where its text is (NULL: the new block, while building) */
	size_t		 off, len;
};

/*
 * The pieces in the order of the text, and a table by UID (open
 * addressing, at most half full) of their positions: a rebuild finds most
 * events where the last one was, one piece further on, without the table.
 * An index holds its text, whose blocks its pieces point into.
 */
struct ics_index {
	char		*zone;
	int		 year;		/* of the zone rules, 0 for the fixed Berlin ones */
	int		 alarm;
	struct ics_piece *pieces;
	size_t		 npieces;
	size_t		 mask;		/* slots - 1, slots a power of two */
	uint32_t	*slots;		/* position in pieces + 1, 0: empty */
	unsigned char	 digest[ICS_DIGEST_LEN];	/* of the text, by pieces */
	struct ics_text	*text;
};

static void
block_unref(struct ics_block *b)
{
	if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1) {
		free(b->data);
		free(b);
	}
}

struct ics_text *
ics_text_ref(struct ics_text *t)
{
	atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
	return t;
}

void
ics_text_unref(struct ics_text *t)
{
	size_t i;

	if (t == NULL || atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (i = 0; i < t->nparts; i++)
		block_unref(t->parts[i].block);
	free(t->parts);
	free(t);
}

size_t
ics_text_len(const struct ics_text *t)
{
	return t->len;
}

size_t
ics_text_nparts(const struct ics_text *t)
{
	return t->nparts;
}

const char *
ics_text_part(const struct ics_text *t, size_t i, size_t *len)
{
	*len = t->parts[i].len;
	return t->parts[i].block->data + t->parts[i].off;
}

char *
ics_text_steal(struct ics_text *t, size_t *len)
{
	struct ics_block *b = t->parts[0].block;
	struct buf out;
	char *data;
	size_t i;

	/* A text written in one go is its block, which nothing else shows. */
	if (atomic_load(&t->refs) == 1 && t->nparts == 1 && atomic_load(&b->refs) == 1 &&
	    t->parts[0].off == 0 && t->parts[0].len == b->len) {
		data = b->data;
		b->data = NULL;
	} else {
		buf_init(&out);
		for (i = 0; i < t->nparts; i++)
			buf_add(&out, t->parts[i].block->data + t->parts[i].off,
			    t->parts[i].len);
		data = buf_steal(&out, NULL);
	}
	if (len != NULL)
		*len = t->len;
	ics_text_unref(t);
	return data;
}

/* Adds a run of a block (NULL: the new one) to the parts of a text being
 * built, joining it to the last part where it goes on from there. */
static void
parts_add(struct ics_text *t, size_t *cap, struct ics_block *block, size_t off, size_t len)
{
	struct ics_part *last = t->nparts > 0 ? &t->parts[t->nparts - 1] : NULL;

	if (len == 0)
		return;
	t->len += len;
	if (last != NULL && last->block == block && last->off + last->len == off) {
		last->len += len;
		return;
	}
	if (t->nparts == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		t->parts = xreallocarray(t->parts, *cap, sizeof(*t->parts));
	}
	t->parts[t->nparts].block = block;
	t->parts[t->nparts].off = off;
	t->parts[t->nparts++].len = len;
}

/* Gives the parts of the new block (NULL) their block, takes a reference
 * on each part's block and counts the blocks' bytes. */
static void
parts_finish(struct ics_text *t, struct ics_block *fresh)
{
	struct ics_block **seen;
	size_t i, j, nseen = 0;

	seen = xreallocarray(NULL, t->nparts ? t->nparts : 1, sizeof(*seen));
	for (i = 0; i < t->nparts; i++) {
		if (t->parts[i].block == NULL)
			t->parts[i].block = fresh;
		atomic_fetch_add_explicit(&t->parts[i].block->refs, 1, memory_order_relaxed);
		for (j = 0; j < nseen && seen[j] != t->parts[i].block; j++)
			;
		if (j == nseen) {
			seen[nseen++] = t->parts[i].block;
			t->block_bytes += t->parts[i].block->len;
		}
	}
	free(seen);
}

/* Whether a build may share this text's blocks, or must write it anew. */
static bool
text_shareable(const struct ics_text *t)
{
	return t->nparts < PARTS_MAX && t->block_bytes <= t->len + t->len / 2;
}

uint64_t
ics_uid_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static struct ics_index *
index_new(const char *zone, int year, int alarm, size_t nev)
{
	struct ics_index *ix = xcalloc(1, sizeof(*ix));
	size_t slots = 16;

	while (slots < 2 * nev)
		slots *= 2;
	ix->zone = xstrdup(zone);
	ix->year = year;
	ix->alarm = alarm;
	ix->mask = slots - 1;
	ix->slots = xcalloc(slots, sizeof(*ix->slots));
	ix->pieces = xreallocarray(NULL, nev ? nev : 1, sizeof(*ix->pieces));
	return ix;
}

void
ics_index_free(struct ics_index *ix)
{
	size_t i;

	if (ix == NULL)
		return;
	for (i = 0; i < ix->npieces; i++)
		free(ix->pieces[i].uid);
	free(ix->pieces);
	free(ix->slots);
	free(ix->zone);
	ics_text_unref(ix->text);
	free(ix);
}

struct ics_text *
ics_index_text(const struct ics_index *ix)
{
	return ix->text;
}

/* The slot of uid: its piece's, or the empty one where it would go. */
static uint32_t *
index_slot(const struct ics_index *ix, const char *uid, uint64_t hash)
{
	const struct ics_piece *p;
	size_t i = (size_t)hash & ix->mask;

	while (ix->slots[i] != 0) {
		p = &ix->pieces[ix->slots[i] - 1];
		if (p->hash == hash && strcmp(p->uid, uid) == 0)
			break;
		i = (i + 1) & ix->mask;
	}
	return &ix->slots[i];
}

void
ics_index_digest(const struct ics_index *ix, unsigned char out[ICS_DIGEST_LEN])
{
	memcpy(out, ix->digest, ICS_DIGEST_LEN);
}

static void
piece_digest(const void *text, size_t len, unsigned char out[ICS_DIGEST_LEN])
{
	SHA2_CTX ctx;

	SHA256Init(&ctx);
	SHA256Update(&ctx, text, len);
	SHA256Final(out, &ctx);
}

/*
 * The digest of a text is kept as the sum (modulo 2^256) of its links,
 * one per two neighbouring pieces, each the SHA-256 of the start of both
 * digests: a text made of the same pieces in another order has other
 * links.  A rebuild takes a link from the last text when both pieces are
 * the same there, so only the links around what it wrote are hashed.
 */
static void
link_digest(const unsigned char a[ICS_DIGEST_LEN], const unsigned char b[ICS_DIGEST_LEN],
    unsigned char out[ICS_DIGEST_LEN])
{
	unsigned char both[2 * LINK_PART];

	memcpy(both, a, LINK_PART);
	memcpy(both + LINK_PART, b, LINK_PART);
	piece_digest(both, sizeof(both), out);
}

/* sum += link, as little-endian 256-bit numbers. */
static void
links_add(unsigned char sum[ICS_DIGEST_LEN], const unsigned char link[ICS_DIGEST_LEN])
{
	unsigned carry = 0;
	size_t i;

	for (i = 0; i < ICS_DIGEST_LEN; i++) {
		carry += (unsigned)sum[i] + link[i];
		sum[i] = (unsigned char)carry;
		carry >>= 8;
	}
}

/* The pieces of a text so far: the last one's digest, its piece in the
 * new index and the one it was copied from (either NULL), and the links. */
struct chain {
	unsigned char		 last[ICS_DIGEST_LEN];
	struct ics_piece	*last_piece;
	const struct ics_piece	*last_source;
	unsigned char		 sum[ICS_DIGEST_LEN];
	uint64_t		 n;
};

/* Links piece d (its digest) to the last one and makes it the last. */
static void
chain_add(struct chain *c, const unsigned char d[ICS_DIGEST_LEN], struct ics_piece *piece,
    const struct ics_piece *source)
{
	unsigned char link[ICS_DIGEST_LEN];

	if (c->n++ > 0) {
		if (c->last_source != NULL && memcmp(c->last_source->next, d, LINK_PART) == 0)
			memcpy(link, c->last_source->link, sizeof(link));
		else
			link_digest(c->last, d, link);
		links_add(c->sum, link);
		if (c->last_piece != NULL) {
			memcpy(c->last_piece->next, d, LINK_PART);
			memcpy(c->last_piece->link, link, sizeof(link));
		}
	}
	memcpy(c->last, d, ICS_DIGEST_LEN);
	c->last_piece = piece;
	c->last_source = source;
}

/* Records an event's text (hash: of its UID) at off in block (NULL: the
 * new one); a UID seen before in the same feed keeps its first (and NULL
 * is returned for it). */
static struct ics_piece *
index_add(struct ics_index *ix, const struct ics_event *e, uint64_t hash,
    struct ics_block *block, size_t off, size_t len, const unsigned char digest[ICS_DIGEST_LEN])
{
	uint32_t *slot = index_slot(ix, e->uid, hash);
	struct ics_piece *p;

	if (*slot != 0)
		return NULL;
	p = &ix->pieces[ix->npieces++];
	*slot = (uint32_t)ix->npieces;
	memset(p, 0, sizeof(*p));
	p->uid = xstrdup(e->uid);
	p->hash = hash;
	p->sequence = e->sequence;
	p->last_modified = e->last_modified;
	p->block = block;
	p->off = off;
	p->len = len;
	memcpy(p->digest, digest, ICS_DIGEST_LEN);
	return p;
}

/*
 * The piece of an event's UID, looked for first at *at (the one after the
 * last found), or NULL; the piece, if it has the event's SEQUENCE and
 * modification time, is also in *found.
 */
static const struct ics_piece *
index_find(const struct ics_index *ix, const struct ics_event *e, size_t *at,
    const struct ics_piece **found)
{
	const struct ics_piece *p = NULL;
	uint32_t slot;

	*found = NULL;
	if (*at < ix->npieces && strcmp(ix->pieces[*at].uid, e->uid) == 0)
		p = &ix->pieces[*at];
	else if ((slot = *index_slot(ix, e->uid, ics_uid_hash(e->uid))) != 0)
		p = &ix->pieces[slot - 1];
	if (p == NULL)
		return NULL;
	*at = (size_t)(p - ix->pieces) + 1;
	if (p->sequence == e->sequence && p->last_modified == e->last_modified)
		*found = p;
	return p;
}

/* The year of the zone rules a feed is written with: 0 for Berlin's fixed ones. */
static int
model_year(const struct ics_calendar *cal, const struct ics_event *ev, size_t nev)
{
	return strcmp(cal->timezone, "Europe/Berlin") == 0 ? 0 : reference_year(ev, nev);
}

static bool
same_context(const struct ics_index *prev, const struct ics_calendar *cal, int year)
{
	return prev != NULL && prev->year == year && prev->alarm == cal->alarm_minutes &&
	    strcmp(prev->zone, cal->timezone) == 0;
}

size_t
ics_index_copies(const struct ics_index *prev, const struct ics_calendar *cal,
    const struct ics_event *ev, size_t nev, bool *copied)
{
	const struct ics_piece *p;
	size_t i, n = 0, at = 0;
	bool ok;

	ok = cal->timezone != NULL && same_context(prev, cal, model_year(cal, ev, nev));
	for (i = 0; i < nev; i++) {
		copied[i] = false;
		if (ok && ev[i].uid != NULL) {
			index_find(prev, &ev[i], &at, &p);
			copied[i] = p != NULL;
		}
		n += copied[i];
	}
	return n;
}

char *
ics_build(const struct ics_calendar *cal, const struct ics_event *ev, size_t nev,
    size_t *len, char **cause)
{
	struct ics_text *t;

	if ((t = ics_build_text(cal, ev, nev, NULL, NULL, NULL, NULL, cause)) == NULL)
		return NULL;
	return ics_text_steal(t, len);
}

struct ics_text *
ics_build_text(const struct ics_calendar *cal, const struct ics_event *ev, size_t nev,
    ics_describe_fn describe, void *arg, const struct ics_index *prev,
    struct ics_index **index, char **cause)
{
	const struct ics_piece *p, *seen;
	struct ics_index *ix = NULL;
	struct ics_text *text = NULL;
	struct ics_block *fresh, *at_block;
	struct writer w;
	unsigned char digest[ICS_DIGEST_LEN], count[8];
	struct chain chain;
	SHA2_CTX whole;
	size_t i, start, at = 0, at_off, cap = 0;
	char *desc;
	int year = 0, rc;
	bool share;

	if (cal->timezone == NULL || !civil_zone_valid(cal->timezone)) {
		set_cause(cause, "unknown time zone \"%s\"", cal->timezone ? cal->timezone : "");
		return NULL;
	}
	if (cal->refresh != NULL && !duration_rfc5545_valid(cal->refresh)) {
		set_cause(cause, "refresh interval \"%s\" is not an ISO 8601 duration such as PT1H",
		    cal->refresh);
		return NULL;
	}
	if (cal->alarm_minutes < -1 || cal->alarm_minutes > 60 * 24 * 366) {
		set_cause(cause, "alarm of %d minutes is out of range", cal->alarm_minutes);
		return NULL;
	}
	for (i = 0; i < nev; i++)
		if (check_event(&ev[i], i, cause) == -1)
			return NULL;

	memset(&w, 0, sizeof(w));
	buf_init(&w.out);
	w.zone = cal->timezone;
	w.cache = xcalloc(CACHE_SLOTS, sizeof(*w.cache));
	if ((year = model_year(cal, ev, nev)) == 0)
		w.model = berlin;
	else if (model_from_system(&w, year) == -1) {
		set_cause(cause, "cannot read the rules of time zone \"%s\"", cal->timezone);
		goto fail;
	}
	if (!same_context(prev, cal, year))
		prev = NULL;
	share = prev != NULL && text_shareable(prev->text);
	if (index != NULL)
		ix = index_new(cal->timezone, year, cal->alarm_minutes, nev);
	text = xcalloc(1, sizeof(*text));
	atomic_init(&text->refs, 1);

	put_raw(&w, "BEGIN", "VCALENDAR");
	put_raw(&w, "VERSION", "2.0");
	put_raw(&w, "PRODID", "-//ikond//Integrationskonzept//DE");
	put_raw(&w, "CALSCALE", "GREGORIAN");
	put_raw(&w, "METHOD", "PUBLISH");
	put_text(&w, "NAME", cal->name);
	put_text(&w, "X-WR-CALNAME", cal->name);
	put_text(&w, "X-WR-CALDESC", cal->description);
	put_raw(&w, "X-WR-TIMEZONE", cal->timezone);
	if (cal->refresh != NULL) {
		put_raw(&w, "REFRESH-INTERVAL;VALUE=DURATION", cal->refresh);
		put_raw(&w, "X-PUBLISHED-TTL", cal->refresh);
	}
	put_vtimezone(&w);
	parts_add(text, &cap, NULL, 0, w.out.len);
	/* A copied event brings its digest and its link to the next one if
	 * that is the same; only what is written is hashed. */
	memset(&chain, 0, sizeof(chain));
	if (ix != NULL) {
		piece_digest(w.out.data, w.out.len, digest);
		chain_add(&chain, digest, NULL, NULL);
	}
	for (i = 0; i < nev; i++) {
		start = w.out.len;
		at_block = NULL;
		at_off = start;
		p = NULL;
		seen = prev != NULL ? index_find(prev, &ev[i], &at, &p) : NULL;
		if (p != NULL && share && text->nparts < PARTS_MAX) {
			at_block = p->block;
			at_off = p->off;
			parts_add(text, &cap, p->block, p->off, p->len);
			memcpy(digest, p->digest, sizeof(digest));
		} else if (p != NULL) {
			buf_add(&w.out, p->block->data + p->off, p->len);
			memcpy(digest, p->digest, sizeof(digest));
		} else {
			desc = ev[i].description == NULL && describe != NULL ?
			    describe(arg, i) : NULL;
			rc = put_event(&w, cal, &ev[i], desc != NULL ? desc : ev[i].description,
			    i, cause);
			free(desc);
			if (rc == -1)
				goto fail;
			if (ix != NULL)
				piece_digest(w.out.data + start, w.out.len - start, digest);
		}
		if (at_block == NULL)
			parts_add(text, &cap, NULL, start, w.out.len - start);
		if (ix != NULL)
			chain_add(&chain, digest, index_add(ix, &ev[i], seen != NULL ?
			    seen->hash : ics_uid_hash(ev[i].uid), at_block, at_off,
			    at_block != NULL ? p->len : w.out.len - start, digest), p);
	}
	start = w.out.len;
	put_raw(&w, "END", "VCALENDAR");
	parts_add(text, &cap, NULL, start, w.out.len - start);
	if (ix != NULL) {
		piece_digest(w.out.data + start, w.out.len - start, digest);
		chain_add(&chain, digest, NULL, NULL);
		SHA256Init(&whole);
		SHA256Update(&whole, chain.sum, sizeof(chain.sum));
		for (i = 0; i < sizeof(count); i++)
			count[i] = (unsigned char)(chain.n >> (8 * i));
		SHA256Update(&whole, count, sizeof(count));
		SHA256Final(ix->digest, &whole);
	}

	free(w.cache);
	free(w.line);
	fresh = xcalloc(1, sizeof(*fresh));
	atomic_init(&fresh->refs, 0);
	fresh->data = buf_steal(&w.out, &fresh->len);
	parts_finish(text, fresh);
	if (ix != NULL) {
		for (i = 0; i < ix->npieces; i++)
			if (ix->pieces[i].block == NULL)
				ix->pieces[i].block = fresh;
		ix->text = ics_text_ref(text);
		*index = ix;
	}
	return text;
fail:
	ics_index_free(ix);
	if (text != NULL) {
		free(text->parts);
		free(text);
	}
	free(w.cache);
	free(w.line);
	buf_free(&w.out);
	return NULL;
}
