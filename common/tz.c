/*
 * tz: TZif files (RFC 8536) and POSIX TZ strings, read into memory once
 * and evaluated without the C library's zone (see tz.h).
 *
 * A TZif file lists the instants at which a zone's offset changed and the
 * local time types in between; version 2 and later repeat the table with
 * 64-bit times and end with a footer, a POSIX TZ string (extended as
 * RFC 8536 section 3.3.1 says: hours of a rule's time from -167 to 167)
 * that gives the offsets after the last transition, however far ahead.
 * Zones are parsed completely before they are published in the cache and
 * never change or go away afterwards, so lookups need no lock.
 */
#include "tz.h"

#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civil.h"
#include "xmalloc.h"

#define TZ_FILE_MAX	(1024 * 1024)
#define TZ_TIMES_MAX	100000
#define TZ_HEADER	44

enum rule_kind {
	RULE_JULIAN_NOLEAP,	/* Jn: day 1..365, 29 February not counted */
	RULE_YEARDAY,		/* n: day 0..365 */
	RULE_MONTH_WEEK,	/* Mm.w.d: weekday d of week w (5: the last) of month m */
};

struct tz_rule {
	enum rule_kind	kind;
	int		day, week, month;
	long		time;		/* seconds after local midnight */
};

struct tz_posix {
	long		std_off;	/* seconds east */
	long		dst_off;
	bool		has_dst;
	struct tz_rule	start, end;
};

struct tz {
	char		 name[TZ_NAME_MAX + 1];
	int64_t		*times;		/* transitions, ascending */
	uint8_t		*types;		/* local time type from each transition on */
	size_t		 ntimes;
	int32_t		*utoff;		/* offset of each local time type */
	size_t		 ntypes;
	bool		 has_footer;
	struct tz_posix	 footer;
	struct tz	*next;		/* in the cache */
};

static pthread_mutex_t tz_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz *tz_cache;

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Time of day "[+-]hh[:mm[:ss]]" with hours up to maxh; NULL if malformed. */
static const char *
posix_time(const char *p, int maxh, long *out)
{
	long sign = 1, h = 0, m = 0, s = 0;
	int n;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (n = 0; isdigit((unsigned char)*p) && n < 3; n++)
		h = h * 10 + (*p++ - '0');
	if (n == 0 || h > maxh)
		return NULL;
	if (*p == ':') {
		p++;
		if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
			return NULL;
		m = (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
		if (*p == ':') {
			p++;
			if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
				return NULL;
			s = (p[0] - '0') * 10 + (p[1] - '0');
			p += 2;
		}
		if (m > 59 || s > 59)
			return NULL;
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return p;
}

/* A zone abbreviation: three or more letters, or <...> of letters, digits, + and -. */
static const char *
posix_name(const char *p)
{
	const char *q = p;

	if (*p == '<') {
		for (q = p + 1; isalnum((unsigned char)*q) || *q == '+' || *q == '-'; q++)
			;
		return *q == '>' && q - p - 1 >= 3 ? q + 1 : NULL;
	}
	while (isalpha((unsigned char)*q))
		q++;
	return q - p >= 3 ? q : NULL;
}

static int
posix_number(const char **pp, int min, int max)
{
	const char *p = *pp;
	int v = 0, n;

	for (n = 0; isdigit((unsigned char)*p) && n < 3; n++)
		v = v * 10 + (*p++ - '0');
	if (n == 0 || v < min || v > max)
		return -1;
	*pp = p;
	return v;
}

static const char *
posix_rule(const char *p, struct tz_rule *r)
{
	memset(r, 0, sizeof(*r));
	if (*p == 'J') {
		p++;
		r->kind = RULE_JULIAN_NOLEAP;
		if ((r->day = posix_number(&p, 1, 365)) == -1)
			return NULL;
	} else if (*p == 'M') {
		p++;
		r->kind = RULE_MONTH_WEEK;
		if ((r->month = posix_number(&p, 1, 12)) == -1 || *p++ != '.' ||
		    (r->week = posix_number(&p, 1, 5)) == -1 || *p++ != '.' ||
		    (r->day = posix_number(&p, 0, 6)) == -1)
			return NULL;
	} else {
		r->kind = RULE_YEARDAY;
		if ((r->day = posix_number(&p, 0, 365)) == -1)
			return NULL;
	}
	r->time = 2 * 3600;
	if (*p == '/')
		p = posix_time(p + 1, 167, &r->time);
	return p;
}

/* POSIX TZ string; offsets there count west, here east. */
static bool
posix_parse(const char *p, struct tz_posix *out)
{
	long off;

	memset(out, 0, sizeof(*out));
	if ((p = posix_name(p)) == NULL || (p = posix_time(p, 24, &off)) == NULL)
		return false;
	out->std_off = -off;
	if (*p == '\0')
		return true;
	if ((p = posix_name(p)) == NULL)
		return false;
	out->has_dst = true;
	out->dst_off = out->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if ((p = posix_time(p, 24, &off)) == NULL)
			return false;
		out->dst_off = -off;
	}
	if (*p == '\0') {
		/* No rule: POSIX leaves it to the implementation; tzcode uses the US rules. */
		p = "M3.2.0,M11.1.0";
	} else if (*p++ != ',')
		return false;
	if ((p = posix_rule(p, &out->start)) == NULL || *p++ != ',' ||
	    (p = posix_rule(p, &out->end)) == NULL)
		return false;
	return *p == '\0';
}

static bool
leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The day number on which rule r falls in year y. */
static int
rule_day(const struct tz_rule *r, int y)
{
	int first, d, last;

	switch (r->kind) {
	case RULE_JULIAN_NOLEAP:
		return civil_days_from_date(y, 1, 1) + r->day - 1 +
		    (leap_year(y) && r->day >= 60 ? 1 : 0);
	case RULE_YEARDAY:
		return civil_days_from_date(y, 1, 1) + r->day;
	case RULE_MONTH_WEEK:
		break;
	}
	first = civil_days_from_date(y, r->month, 1);
	/* civil_weekday() counts from Monday, POSIX from Sunday. */
	d = first + (r->day - (civil_weekday(first) + 1) % 7 + 7) % 7 + 7 * (r->week - 1);
	last = first + civil_days_in_month(y, r->month) - 1;
	while (d > last)
		d -= 7;
	return d;
}

static long
posix_offset(const struct tz_posix *p, int64_t t)
{
	int64_t local = t + p->std_off, start, end;
	int y;
	bool dst;

	if (!p->has_dst)
		return p->std_off;
	civil_date_from_days((int)((local - (local % 86400 + 86400) % 86400) / 86400), &y, NULL,
	    NULL);
	/* The change to summer time is written in standard time, the change
	 * back in summer time. */
	start = (int64_t)rule_day(&p->start, y) * 86400 + p->start.time - p->std_off;
	end = (int64_t)rule_day(&p->end, y) * 86400 + p->end.time - p->dst_off;
	if (start < end)
		dst = t >= start && t < end;
	else
		dst = !(t >= end && t < start);
	return dst ? p->dst_off : p->std_off;
}

long
tz_offset(const struct tz *z, int64_t t)
{
	size_t lo, hi, mid;

	if (z->ntimes == 0)
		return z->has_footer ? posix_offset(&z->footer, t) : z->utoff[0];
	/* RFC 8536 section 3.2: before the first transition, type 0. */
	if (t < z->times[0])
		return z->utoff[0];
	if (t >= z->times[z->ntimes - 1] && z->has_footer)
		return posix_offset(&z->footer, t);
	lo = 0;
	hi = z->ntimes;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (z->times[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->utoff[z->types[lo]];
}

struct tzif_header {
	int		version;
	uint32_t	isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static bool
header_read(const unsigned char *p, size_t len, struct tzif_header *h)
{
	if (len < TZ_HEADER || memcmp(p, "TZif", 4) != 0)
		return false;
	h->version = p[4] == 0 ? 1 : p[4] - '0';
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	return h->version >= 1 && h->version <= 9 && h->typecnt > 0 && h->typecnt <= 256 &&
	    h->charcnt > 0 && h->charcnt <= 65536 && h->timecnt <= TZ_TIMES_MAX &&
	    h->leapcnt <= TZ_TIMES_MAX && (h->isutcnt == 0 || h->isutcnt == h->typecnt) &&
	    (h->isstdcnt == 0 || h->isstdcnt == h->typecnt);
}

/* Bytes of the data block after a header; every count is bounded. */
static size_t
data_size(const struct tzif_header *h, size_t timesize)
{
	return (size_t)h->timecnt * timesize + h->timecnt + (size_t)h->typecnt * 6 +
	    h->charcnt + (size_t)h->leapcnt * (timesize + 4) + h->isstdcnt + h->isutcnt;
}

void
tz_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->times);
	free(z->types);
	free(z->utoff);
	free(z);
}

struct tz *
tz_parse(const char *name, const unsigned char *data, size_t len)
{
	const unsigned char *p = data, *end = data + len, *nl;
	struct tzif_header h;
	size_t timesize = 4, i, size;
	struct tz *z;
	char footer[256];

	if (!header_read(p, len, &h))
		return NULL;
	if (h.version >= 2) {
		/* Skip the 32-bit block: the 64-bit one follows with its own header. */
		size = TZ_HEADER + data_size(&h, 4);
		if (size > len || !header_read(p + size, len - size, &h))
			return NULL;
		p += size;
		timesize = 8;
	}
	/* Leap seconds would make the table count TAI-like seconds ("right/"). */
	if (h.leapcnt != 0)
		return NULL;
	size = data_size(&h, timesize);
	if (size > (size_t)(end - p) - TZ_HEADER)
		return NULL;
	p += TZ_HEADER;
	z = xcalloc(1, sizeof(*z));
	snprintf(z->name, sizeof(z->name), "%s", name);
	z->ntimes = h.timecnt;
	z->ntypes = h.typecnt;
	z->times = xcalloc(h.timecnt ? h.timecnt : 1, sizeof(*z->times));
	z->types = xcalloc(h.timecnt ? h.timecnt : 1, sizeof(*z->types));
	z->utoff = xcalloc(h.typecnt, sizeof(*z->utoff));
	for (i = 0; i < h.timecnt; i++) {
		z->times[i] = timesize == 8 ? be64(p + i * 8) : (int32_t)be32(p + i * 4);
		if (i > 0 && z->times[i] <= z->times[i - 1])
			goto bad;
	}
	p += (size_t)h.timecnt * timesize;
	for (i = 0; i < h.timecnt; i++)
		if ((z->types[i] = p[i]) >= h.typecnt)
			goto bad;
	p += h.timecnt;
	for (i = 0; i < h.typecnt; i++) {
		z->utoff[i] = (int32_t)be32(p + i * 6);
		if (z->utoff[i] <= -25 * 3600 || z->utoff[i] >= 26 * 3600 || p[i * 6 + 4] > 1 ||
		    p[i * 6 + 5] >= h.charcnt)
			goto bad;
	}
	p += size - (size_t)h.timecnt * (timesize + 1);
	if (h.version >= 2) {
		/* "\n" TZ string "\n"; an empty string means no rule. */
		if (p >= end || *p != '\n' ||
		    (nl = memchr(p + 1, '\n', (size_t)(end - p - 1))) == NULL ||
		    (size_t)(nl - p - 1) >= sizeof(footer))
			goto bad;
		memcpy(footer, p + 1, (size_t)(nl - p - 1));
		footer[nl - p - 1] = '\0';
		if (footer[0] != '\0') {
			if (!posix_parse(footer, &z->footer))
				goto bad;
			z->has_footer = true;
		}
	}
	return z;
bad:
	tz_free(z);
	return NULL;
}

struct tz *
tz_from_posix(const char *spec)
{
	struct tz *z = xcalloc(1, sizeof(*z));

	snprintf(z->name, sizeof(z->name), "%s", spec);
	z->utoff = xcalloc(1, sizeof(*z->utoff));
	z->ntypes = 1;
	if (!posix_parse(spec, &z->footer)) {
		tz_free(z);
		return NULL;
	}
	z->utoff[0] = (int32_t)z->footer.std_off;
	z->has_footer = true;
	return z;
}

static bool
name_ok(const char *name)
{
	size_t i, len;

	if (name == NULL || (len = strlen(name)) == 0 || len > TZ_NAME_MAX)
		return false;
	if (name[0] == '/' || strstr(name, "..") != NULL)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && strchr("/_-+", name[i]) == NULL)
			return false;
	return true;
}

static struct tz *
load(const char *name)
{
	char path[sizeof(TZ_DIR) + TZ_NAME_MAX + 2];
	unsigned char *data;
	struct stat st;
	struct tz *z = NULL;
	ssize_t n;
	size_t got = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", TZ_DIR, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size > TZ_FILE_MAX) {
		close(fd);
		return NULL;
	}
	data = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size &&
	    (n = read(fd, data + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (got == (size_t)st.st_size)
		z = tz_parse(name, data, got);
	free(data);
	return z;
}

const struct tz *
tz_get(const char *name)
{
	struct tz *z;

	if (!name_ok(name))
		return NULL;
	pthread_mutex_lock(&tz_cache_lock);
	for (z = tz_cache; z != NULL && strcmp(z->name, name) != 0; z = z->next)
		;
	if (z == NULL && (z = load(name)) != NULL) {
		z->next = tz_cache;
		tz_cache = z;
	}
	pthread_mutex_unlock(&tz_cache_lock);
	return z;
}
