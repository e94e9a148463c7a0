/*
 * german: German words for dates, money, recurrences, greetings and the
 * grammar of names (see german.h).  The grammar is the small part of
 * German that official names need: a definite article per case and
 * gender, the genitive -s/-es of a masculine or neuter head noun, weak
 * adjective endings after the article ("des Märkischen Kreises"), and
 * "im"/"in der".  Everything else is left as the name is written.
 */
#include "german.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "civil.h"
#include "i18n.h"
#include "rule.h"
#include "xmalloc.h"

static const char *const weekdays[] = {
	"Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag",
};

static const char *const months[] = {
	"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
	"September", "Oktober", "November", "Dezember",
};

/* The abbreviations of the Duden, with "Sep." as calendars print it. */
static const char *const months_abbrev[] = {
	"Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sep.", "Okt.", "Nov.",
	"Dez.",
};

void
german_date_long(int days, char *out, size_t len)
{
	int y, m, d;

	civil_date_from_days(days, &y, &m, &d);
	snprintf(out, len, "%s, %d. %s %d", weekdays[civil_weekday(days)], d, months[m - 1], y);
}

void
german_date_short(int days, char *out, size_t len)
{
	int y, m, d;

	civil_date_from_days(days, &y, &m, &d);
	snprintf(out, len, "%02d.%02d.%04d", d, m, y);
}

void
german_date_weekday(int days, char *out, size_t len)
{
	int y, m, d;

	civil_date_from_days(days, &y, &m, &d);
	snprintf(out, len, "%s, %02d.%02d.%04d", weekdays[civil_weekday(days)], d, m, y);
}

const char *
german_month(int month)
{
	return month >= 1 && month <= 12 ? months[month - 1] : "";
}

const char *
german_month_abbrev(int month)
{
	return month >= 1 && month <= 12 ? months_abbrev[month - 1] : "";
}

void
german_span(int from, int to, char *out, size_t len)
{
	int y1, m1, d1, y2, m2, d2;

	civil_date_from_days(from, &y1, &m1, &d1);
	civil_date_from_days(to, &y2, &m2, &d2);
	if (from == to)
		snprintf(out, len, "%02d.%02d.%04d", d1, m1, y1);
	else if (y1 == y2)
		snprintf(out, len, "%02d.%02d.\u2013%02d.%02d.%04d", d1, m1, d2, m2, y2);
	else
		snprintf(out, len, "%02d.%02d.%04d\u2013%02d.%02d.%04d", d1, m1, y1, d2, m2, y2);
}

void
german_week(int days, char *out, size_t len)
{
	int monday = days - civil_weekday(days), year, week;
	char span[GERMAN_DATE_MAX];

	week = civil_iso_week(days, &year);
	german_span(monday, monday + 6, span, sizeof(span));
	snprintf(out, len, "Kalenderwoche %d: %s", week, span);
}

void
german_date_for_reader(int days, char *out, size_t len)
{
	/* TRANSLATORS: how a date is written in messages; only DD.MM.YYYY
	 * and YYYY-MM-DD are understood. */
	if (strcmp(_("YYYY-MM-DD"), "DD.MM.YYYY") == 0)
		german_date_short(days, out, len);
	else {
		if (len < 11)
			return;
		civil_format_date(days, out);
	}
}

void
german_iso_for_reader(const char *iso, char *out, size_t len)
{
	int day;

	if (civil_parse_date(iso, &day, NULL) == 0)
		german_date_for_reader(day, out, len);
	else
		snprintf(out, len, "%s", iso);
}

void
german_time(int minute, char *out, size_t len)
{
	/* A no-break space: "17:00" and "Uhr" stay on one line. */
	snprintf(out, len, "%02d:%02d\u00a0Uhr", minute / 60, minute % 60);
}

char *
german_when(int day, int minute, int end_day, int end_minute)
{
	char d1[GERMAN_DATE_MAX], d2[GERMAN_DATE_MAX], h1[GERMAN_TIME_MAX], h2[GERMAN_TIME_MAX];
	struct buf b;

	german_date_long(day, d1, sizeof(d1));
	german_date_long(end_day, d2, sizeof(d2));
	buf_init(&b);
	if (minute == CIVIL_NO_TIME) {
		if (end_day > day)
			buf_printf(&b, "vom %s, bis zum %s; die Uhrzeiten teilen wir Ihnen "
			    "noch mit", d1, d2);
		else
			buf_printf(&b, "%s; die Uhrzeit teilen wir Ihnen noch mit", d1);
	} else if (end_minute == CIVIL_NO_TIME) {
		german_time(minute, h1, sizeof(h1));
		buf_printf(&b, "%s, ab %s", d1, h1);
	} else if (end_day == day) {
		/* One "Uhr" for both: "09:30 bis 16:00 Uhr". */
		snprintf(h1, sizeof(h1), "%02d:%02d", minute / 60, minute % 60);
		german_time(end_minute, h2, sizeof(h2));
		buf_printf(&b, "%s, %s bis %s", d1, h1, h2);
	} else {
		german_time(minute, h1, sizeof(h1));
		german_time(end_minute, h2, sizeof(h2));
		buf_printf(&b, "%s, %s, bis %s, %s", d1, h1, d2, h2);
	}
	buf_add_char(&b, '\0');
	return buf_steal(&b, NULL);
}

void
german_euro(long long cents, char *out, size_t len)
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
join_and(struct buf *b, const char *const *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? " und " : ", ", words[i]);
}

static const char *
weekday_of_code(const char *code)
{
	static const char *const codes[] = { "MO", "TU", "WE", "TH", "FR", "SA", "SU" };
	size_t i;

	for (i = 0; i < 7; i++)
		if (strcmp(codes[i], code) == 0)
			return weekdays[i];
	return NULL;
}

char *
german_rrule(const char *rrule)
{
	static const char *const ordinals[] = {
		"ersten", "zweiten", "dritten", "vierten", "fünften",
	};
	static const struct {
		const char *freq, *one, *unit_pl;
	} freqs[] = {
		{ "YEARLY", "jährlich", "Jahre" },
		{ "MONTHLY", "monatlich", "Monate" },
		{ "WEEKLY", "wöchentlich", "Wochen" },
		{ "DAILY", "täglich", "Tage" },
	};
	const char *freq = NULL, *in_months[12];
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
					in_months[nmonths++] = months[v - 1];
			}
		} else if (strcmp(part, "BYDAY") == 0 && strchr(val, ',') == NULL) {
			ord = strtol(val, &end, 10);
			byday = weekday_of_code(end);
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
		buf_printf(&b, " am %s %s", ordinals[ord - 1], byday);
	else if (byday != NULL)
		buf_printf(&b, " am %s", byday);
	if (monthday != 0)
		buf_printf(&b, " am %ld.", monthday);
	if (nmonths > 0) {
		buf_add_str(&b, " im ");
		join_and(&b, in_months, nmonths);
	}
	if (count > 0)
		buf_printf(&b, ", %ld-mal", count);
	if (until != NULL)
		buf_printf(&b, ", bis %.2s.%.2s.%.4s", until + 6, until + 4, until);
	free(copy);
	buf_add_char(&b, '\0');
	return buf_steal(&b, NULL);
}

const char *
german_day_off(const char *reason)
{
	if (strcmp(reason, "Sa") == 0)
		return "Samstag";
	if (strcmp(reason, "So") == 0)
		return "Sonntag";
	return reason;
}

const char *
german_rule_unit(const struct rule *r)
{
	switch (r->unit) {
	case RULE_DAYS:
		return r->count == 1 ? "Kalendertag" : "Kalendertage";
	case RULE_WORKING_DAYS:
		return r->count == 1 ? "Arbeitstag" : "Arbeitstage";
	case RULE_WEEKS:
		return r->count == 1 ? "Woche" : "Wochen";
	case RULE_MONTHS:
		return r->count == 1 ? "Monat" : "Monate";
	}
	return "";
}

char *
german_rule_why(const struct rule *r, const char *anchor, int anchor_day, int raw_day,
    int due_day, const char *reason)
{
	char date[GERMAN_DATE_MAX], raw[GERMAN_DATE_MAX];
	struct buf b;

	buf_init(&b);
	german_date_long(anchor_day, date, sizeof(date));
	if (r->count == 0)
		buf_printf(&b, "am Tag %s, %s", anchor, date);
	else
		buf_printf(&b, "%d %s %s %s am %s", r->count, german_rule_unit(r),
		    r->sign < 0 ? "vor" : "nach", anchor, date);
	if (raw_day != due_day) {
		german_date_short(raw_day, raw, sizeof(raw));
		buf_printf(&b, "; der %s ist kein Arbeitstag", raw);
		if (reason != NULL && reason[0] != '\0')
			buf_printf(&b, " (%s)", german_day_off(reason));
		buf_printf(&b, ", daher gilt der %s Arbeitstag", due_day < raw_day ?
		    "vorherige" : "nächste");
	}
	buf_add_char(&b, '\0');
	return buf_steal(&b, NULL);
}

static bool
filled(const char *s)
{
	return s != NULL && s[strspn(s, " \t")] != '\0';
}

char *
german_family_name(const char *family_name, const char *name)
{
	const char *p, *end;

	if (filled(family_name))
		return xstrdup(family_name);
	if (name == NULL)
		return xstrdup("");
	end = name + strlen(name);
	while (end > name && end[-1] == ' ')
		end--;
	for (p = end; p > name && p[-1] != ' '; p--)
		;
	return xstrndup(p, (size_t)(end - p));
}

/* The title and a space in front of rest, unless rest starts with it. */
static char *
titled(const char *title, const char *rest)
{
	size_t len = filled(title) ? strlen(title) : 0;
	char *s;

	if (len == 0 || (strncmp(rest, title, len) == 0 && rest[len] == ' '))
		return xstrdup(rest);
	xasprintf(&s, "%s %s", title, rest);
	return s;
}

char *
german_greeting(const char *salutation, const char *title, const char *family_name,
    const char *name)
{
	bool frau = salutation != NULL && strcasecmp(salutation, "frau") == 0;
	bool herr = salutation != NULL && strcasecmp(salutation, "herr") == 0;
	bool org = salutation != NULL && strcasecmp(salutation, "org") == 0;
	char *family, *who, *s;

	if (org || (!filled(name) && !filled(family_name)))
		return xstrdup("Sehr geehrte Damen und Herren");
	if (frau || herr) {
		family = german_family_name(family_name, name);
		who = titled(title, family);
		xasprintf(&s, "Sehr geehrte%s %s %s", herr ? "r" : "", herr ? "Herr" : "Frau",
		    who);
		free(family);
	} else {
		who = titled(title, filled(name) ? name : family_name);
		xasprintf(&s, "Guten Tag %s", who);
	}
	free(who);
	return s;
}

/* --- names --- */

enum german_case {
	CASE_NOM,
	CASE_ACC,
	CASE_DAT,
	CASE_GEN,
};

static const char *const articles[3][4] = {
	[GERMAN_MASCULINE] = { "der", "den", "dem", "des" },
	[GERMAN_FEMININE] = { "die", "die", "der", "der" },
	[GERMAN_NEUTER] = { "das", "das", "dem", "des" },
};

static bool
ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && strncasecmp(s + len - n, suffix, n) == 0;
}

enum german_gender
german_noun_gender(const char *noun)
{
	static const char *const feminine[] = {
		"ung", "ion", "schaft", "heit", "keit", "stadt", "gemeinde", "runde", "gruppe",
		"konferenz", "region", "kammer", "vertretung", "versammlung", "verwaltung",
	};
	static const char *const neuter[] = {
		"team", "gremium", "büro", "amt", "konzept", "forum", "parlament", "plenum",
		"kollegium", "präsidium",
	};
	size_t len = strlen(noun), i;

	for (i = 0; i < sizeof(feminine) / sizeof(feminine[0]); i++)
		if (ends_with(noun, len, feminine[i]))
			return GERMAN_FEMININE;
	for (i = 0; i < sizeof(neuter) / sizeof(neuter[0]); i++)
		if (ends_with(noun, len, neuter[i]))
			return GERMAN_NEUTER;
	return GERMAN_MASCULINE;
}

/* The genitive of a masculine or neuter noun: -es after s, ß, x, z, sch,
 * else -s ("des Kreistags", "des Ausschusses", "des Gremiums"). */
static void
add_genitive(struct buf *b, const char *noun, size_t len, enum german_gender g)
{
	buf_add(b, noun, len);
	if (g == GERMAN_FEMININE || len == 0)
		return;
	if (ends_with(noun, len, "s") || ends_with(noun, len, "ß") ||
	    ends_with(noun, len, "x") || ends_with(noun, len, "z") ||
	    ends_with(noun, len, "sch"))
		buf_add_str(b, "es");
	else if (!ends_with(noun, len, "“"))
		buf_add_str(b, "s");
}

/*
 * The words before the head noun, declined after a definite article:
 * an adjective ("Märkischer", "Große", "Freie") gets the weak ending,
 * anything else ("und", "Haupt-") stays.
 */
static void
add_before(struct buf *b, const char *before, enum german_gender g, enum german_case c)
{
	const char *p = before, *end;
	size_t len, stem;
	bool adjective;

	while (*p != '\0') {
		len = strcspn(p, " ");
		end = p + len;
		adjective = len > 3 && p[0] >= 'A' && p[0] <= 'Z' &&
		    (ends_with(p, len, "er") || ends_with(p, len, "e"));
		if (adjective) {
			stem = len - (ends_with(p, len, "er") ? 2 : 1);
			buf_add(b, p, stem);
			if (c == CASE_DAT || c == CASE_GEN ||
			    (c == CASE_ACC && g == GERMAN_MASCULINE))
				buf_add_str(b, "en");
			else
				buf_add_str(b, "e");
		} else
			buf_add(b, p, len);
		p = end;
		while (*p == ' ')
			buf_add_char(b, *p++);
	}
}

/* One case: article, declined words before the head, the head (in the
 * genitive if c is), the rest as written. */
static char *
one_form(const char *article, const char *before, const char *head, size_t headlen,
    const char *after, enum german_gender g, enum german_case c)
{
	struct buf b;

	buf_init(&b);
	if (article != NULL)
		buf_printf(&b, "%s ", article);
	add_before(&b, before, g, c);
	if (c == CASE_GEN)
		add_genitive(&b, head, headlen, g);
	else
		buf_add(&b, head, headlen);
	buf_add_str(&b, after);
	buf_add_char(&b, '\0');
	return buf_steal(&b, NULL);
}

/*
 * All forms of a name made of before (adjectives or other words), the
 * head noun and after (the rest, with its leading space).
 */
static void
forms_build(struct german_forms *f, const char *before, const char *head, size_t headlen,
    const char *after, enum german_gender g)
{
	char *dat;

	memset(f, 0, sizeof(*f));
	xasprintf(&f->name, "%s%.*s%s", before, (int)headlen, head, after);
	f->nom = one_form(articles[g][CASE_NOM], before, head, headlen, after, g, CASE_NOM);
	f->nom_cap = xstrdup(f->nom);
	f->nom_cap[0] = (char)(f->nom_cap[0] - 'a' + 'A');
	f->acc = one_form(articles[g][CASE_ACC], before, head, headlen, after, g, CASE_ACC);
	f->dat = one_form(articles[g][CASE_DAT], before, head, headlen, after, g, CASE_DAT);
	f->gen = one_form(articles[g][CASE_GEN], before, head, headlen, after, g, CASE_GEN);
	dat = one_form(NULL, before, head, headlen, after, g, CASE_DAT);
	xasprintf(&f->in, "%s%s", g == GERMAN_FEMININE ? "in der " : "im ", dat);
	xasprintf(&f->in_cap, "%s%s", g == GERMAN_FEMININE ? "In der " : "Im ", dat);
	free(dat);
	f->poss = xstrdup(g == GERMAN_FEMININE ? "ihrer" : "seiner");
}

void
german_forms_free(struct german_forms *f)
{
	if (f == NULL)
		return;
	free(f->name);
	free(f->nom);
	free(f->nom_cap);
	free(f->acc);
	free(f->dat);
	free(f->gen);
	free(f->in);
	free(f->in_cap);
	free(f->poss);
	memset(f, 0, sizeof(*f));
}

const struct german_body_kind german_body_kinds[] = {
	{ "gemeinde", "Gemeinde", GERMAN_FEMININE, "Rat", "Bürgermeisterin/Bürgermeister" },
	{ "stadt", "Stadt", GERMAN_FEMININE, "Rat", "Bürgermeisterin/Bürgermeister" },
	{ "kreisfreie_stadt", "Stadt", GERMAN_FEMININE, "Rat",
	  "Oberbürgermeisterin/Oberbürgermeister" },
	{ "samtgemeinde", "Samtgemeinde", GERMAN_FEMININE, "Samtgemeinderat",
	  "Samtgemeindebürgermeisterin/Samtgemeindebürgermeister" },
	{ "verbandsgemeinde", "Verbandsgemeinde", GERMAN_FEMININE, "Verbandsgemeinderat",
	  "Bürgermeisterin/Bürgermeister" },
	{ "markt", "Markt", GERMAN_MASCULINE, "Marktgemeinderat",
	  "Erste Bürgermeisterin/Erster Bürgermeister" },
	{ "landkreis", "Landkreis", GERMAN_MASCULINE, "Kreistag", "Landrätin/Landrat" },
	{ "kreis", "Kreis", GERMAN_MASCULINE, "Kreistag", "Landrätin/Landrat" },
	{ "region", "Region", GERMAN_FEMININE, "Regionsversammlung",
	  "Regionspräsidentin/Regionspräsident" },
	{ NULL, NULL, GERMAN_MASCULINE, NULL, NULL },
};

/* Names of bodies start with their kind, or with a title that says it. */
static const struct {
	const char	*phrase;	/* its last word is the head noun */
	const char	*kind;
} name_titles[] = {
	{ "Freie und Hansestadt", "stadt" }, { "Große Kreisstadt", "stadt" },
	{ "Kreisfreie Stadt", "kreisfreie_stadt" }, { "Hansestadt", "stadt" },
	{ "Kreisstadt", "stadt" }, { "Universitätsstadt", "stadt" },
	{ "Landeshauptstadt", "kreisfreie_stadt" }, { "Lutherstadt", "stadt" },
	{ "Stadt", "stadt" }, { "Samtgemeinde", "samtgemeinde" },
	{ "Verbandsgemeinde", "verbandsgemeinde" }, { "Ortsgemeinde", "gemeinde" },
	{ "Stadtgemeinde", "gemeinde" }, { "Marktgemeinde", "markt" },
	{ "Gemeinde", "gemeinde" }, { "Markt", "markt" }, { "Landkreis", "landkreis" },
	{ "Kreis", "kreis" }, { "Region", "region" },
};

const struct german_body_kind *
german_body_kind(const char *key)
{
	size_t i;

	for (i = 0; key != NULL && german_body_kinds[i].key != NULL; i++)
		if (strcmp(german_body_kinds[i].key, key) == 0)
			return &german_body_kinds[i];
	return NULL;
}

/* The title a name starts with (followed by a space), or -1. */
static int
name_title(const char *name)
{
	size_t i, n;

	for (i = 0; i < sizeof(name_titles) / sizeof(name_titles[0]); i++) {
		n = strlen(name_titles[i].phrase);
		if (strncmp(name, name_titles[i].phrase, n) == 0 && name[n] == ' ')
			return (int)i;
	}
	return -1;
}

const struct german_body_kind *
german_body_kind_of_name(const char *name)
{
	int t = name_title(name);

	return t == -1 ? NULL : german_body_kind(name_titles[t].kind);
}

const char *
german_body_kind_list(void)
{
	return "gemeinde, stadt, kreisfreie_stadt, samtgemeinde, verbandsgemeinde, markt, "
	    "landkreis, kreis, region";
}

void
german_body_forms(const struct german_body_kind *kind, const char *name,
    struct german_forms *f)
{
	const char *last, *head;
	char *before, *after;
	size_t n;
	int t;

	if ((t = name_title(name)) != -1) {
		/* "Große Kreisstadt X": "Große " before, "Kreisstadt" the head. */
		n = strlen(name_titles[t].phrase);
		head = name;
		for (last = name; last < name + n; last++)
			if (*last == ' ')
				head = last + 1;
		before = xstrndup(name, (size_t)(head - name));
		forms_build(f, before, head, (size_t)(name + n - head), name + n,
		    german_noun_gender(name_titles[t].phrase));
		free(before);
		return;
	}
	last = strrchr(name, ' ');
	last = last != NULL ? last + 1 : name;
	if (ends_with(kind->word, strlen(kind->word), "kreis") &&
	    ends_with(last, strlen(last), "kreis")) {
		/* "Rhein-Sieg-Kreis", "Märkischer Kreis" */
		before = xstrndup(name, (size_t)(last - name));
		forms_build(f, before, last, strlen(last), "", GERMAN_MASCULINE);
		free(before);
		return;
	}
	xasprintf(&after, " %s", name);
	forms_build(f, "", kind->word, strlen(kind->word), after, kind->gender);
	free(after);
}

void
german_committee_forms(const char *name, struct german_forms *f)
{
	const char *head = name, *p;
	char *before, *word;
	size_t len;

	/* "Haupt- und Finanzausschuss": the head is the last compound. */
	for (p = name; *p != '\0';) {
		len = strcspn(p, " ");
		if (len > 0 && p[len - 1] == '-') {
			p += len;
			p += strspn(p, " ");
			len = strcspn(p, " ");
			if ((len == 3 && strncmp(p, "und", 3) == 0) ||
			    (len == 4 && strncmp(p, "oder", 4) == 0)) {
				p += len;
				p += strspn(p, " ");
			}
			head = p;
			continue;
		}
		break;
	}
	len = strcspn(head, " ");
	before = xstrndup(name, (size_t)(head - name));
	word = xstrndup(head, len);
	forms_build(f, before, head, len, head + len, german_noun_gender(word));
	free(word);
	free(before);
}

void
german_concept_forms(const char *name, struct german_forms *f)
{
	size_t len = strcspn(name, " ");
	char *after;

	if (ends_with(name, len, "konzept")) {
		forms_build(f, "", name, len, name + len, GERMAN_NEUTER);
		return;
	}
	if (strcasestr(name, "konzept") != NULL) {
		xasprintf(&after, "„%s“", name);
		forms_build(f, "", after, strlen(after), "", GERMAN_NEUTER);
		free(after);
		return;
	}
	xasprintf(&after, " „%s“", name);
	forms_build(f, "", "Integrationskonzept", strlen("Integrationskonzept"), after,
	    GERMAN_NEUTER);
	free(after);
}
