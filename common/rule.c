/*
 * rule: parses deadline rules ("-3wd", "-14d earlier", "+1m later at
 * 12:00") and applies them to an anchor under a municipality's working
 * days.  The arithmetic is on day numbers only.  Every result explains
 * itself twice: as German text for the people who must trust the date,
 * and as JSON for the feed, the API and the tests.
 *
 * Semantics:
 *   d, w, m   anchor plus or minus the period (months clamp to the month's
 *             end, BGB section 188(3)); then, if that day is not a working
 *             day, "earlier" moves to the previous and "later" to the next
 *             working day, "keep" leaves it.
 *   wd        counts working days away from the anchor, not counting the
 *             anchor itself; the result is always a working day.  "0wd" is
 *             the anchor if it is a working day, else the nearest working
 *             day in the direction of the sign.  A roll word is accepted
 *             for wd but changes nothing and is dropped from the canonical
 *             form.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "civil.h"
#include "german.h"
#include "holiday.h"
#include "rule.h"
#include "xmalloc.h"

#define RULE_COUNT_MAX	3660

static const char *const unit_names[] = { "d", "wd", "w", "m" };
static const char *const roll_names[] = { "keep", "earlier", "later" };

static bool
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static const char *
skip_space(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

/* Copies the word at p (up to a blank) into word, bounded; returns its end. */
static const char *
take_word(const char *p, char *word, size_t size)
{
	size_t n = 0;

	while (*p != '\0' && !is_space(*p)) {
		if (n + 1 < size)
			word[n++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
		p++;
	}
	word[n] = '\0';
	if (n + 1 == size && size > 4)
		memcpy(word + size - 4, "...", 4);
	return p;
}

int
rule_parse(const char *text, struct rule *out, char **cause)
{
	struct rule r = { .sign = 1, .count = 0, .unit = RULE_DAYS, .roll = RULE_KEEP,
	    .minute = CIVIL_NO_TIME };
	const char *p;
	char word[24];
	int digits = 0;
	size_t i, ulen;
	bool have_roll = false;

	if (text == NULL)
		return set_cause(cause, "empty rule: expected e.g. \"-3wd\" or \"-14d earlier\"");
	if (strlen(text) > RULE_TEXT_MAX * 4)
		return set_cause(cause, "rule is too long (at most %d characters)",
		    RULE_TEXT_MAX * 4);
	p = skip_space(text);
	if (*p == '\0')
		return set_cause(cause, "empty rule: expected e.g. \"-3wd\" or \"-14d earlier\"");
	if (*p != '+' && *p != '-') {
		take_word(p, word, sizeof(word));
		return set_cause(cause, "rule must start with + or -, not \"%s\" "
		    "(e.g. \"-3wd\", \"+2w later\")", word);
	}
	r.sign = *p == '-' ? -1 : 1;
	p = skip_space(p + 1);
	while (*p >= '0' && *p <= '9') {
		if (++digits > 5)
			break;
		r.count = r.count * 10 + (*p - '0');
		p++;
	}
	if (digits == 0) {
		take_word(p, word, sizeof(word));
		return set_cause(cause, "expected a number after the sign, not \"%s\"", word);
	}
	if (digits > 5 || r.count > RULE_COUNT_MAX)
		return set_cause(cause, "offset is too large (at most %d)", RULE_COUNT_MAX);
	p = skip_space(p);
	for (ulen = 0; (p[ulen] >= 'a' && p[ulen] <= 'z') || (p[ulen] >= 'A' && p[ulen] <= 'Z');
	    ulen++)
		;
	for (i = 0; i < 4; i++)
		if (strlen(unit_names[i]) == ulen && strncmp(p, unit_names[i], ulen) == 0)
			break;
	if (i == 4 || (p[ulen] != '\0' && !is_space(p[ulen]))) {
		take_word(p, word, sizeof(word));
		return set_cause(cause, "unknown unit \"%s\": expected d (days), wd (working "
		    "days), w (weeks) or m (months)", word);
	}
	r.unit = (enum rule_unit)(i == 0 ? RULE_DAYS : i == 1 ? RULE_WORKING_DAYS :
	    i == 2 ? RULE_WEEKS : RULE_MONTHS);
	p = skip_space(p + ulen);

	while (*p != '\0') {
		p = take_word(p, word, sizeof(word));
		if (!have_roll && r.minute == CIVIL_NO_TIME &&
		    (strcmp(word, "earlier") == 0 || strcmp(word, "later") == 0 ||
		    strcmp(word, "keep") == 0)) {
			r.roll = word[0] == 'e' ? RULE_EARLIER : word[0] == 'l' ? RULE_LATER :
			    RULE_KEEP;
			have_roll = true;
		} else if (r.minute == CIVIL_NO_TIME && strcmp(word, "at") == 0) {
			p = skip_space(p);
			if (*p == '\0')
				return set_cause(cause, "\"at\" needs a time, e.g. \"at 12:00\"");
			p = take_word(p, word, sizeof(word));
			if (civil_parse_time(word, &r.minute, cause) == -1)
				return -1;
		} else if (r.minute != CIVIL_NO_TIME)
			return set_cause(cause, "unexpected \"%s\" after the time; the time "
			    "comes last", word);
		else if (have_roll)
			return set_cause(cause, "unexpected \"%s\": expected \"at HH:MM\" or "
			    "the end of the rule", word);
		else
			return set_cause(cause, "unknown word \"%s\": expected earlier, later, "
			    "keep or at HH:MM", word);
		p = skip_space(p);
	}
	if (r.unit == RULE_WORKING_DAYS)
		r.roll = RULE_KEEP;
	*out = r;
	return 0;
}

void
rule_format(const struct rule *r, char out[static RULE_TEXT_MAX])
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "%c%d%s", r->sign < 0 ? '-' : '+', r->count,
	    unit_names[r->unit == RULE_DAYS ? 0 : r->unit == RULE_WORKING_DAYS ? 1 :
	    r->unit == RULE_WEEKS ? 2 : 3]);
	if (r->unit != RULE_WORKING_DAYS)
		buf_printf(&b, " %s", roll_names[r->roll]);
	if (r->minute != CIVIL_NO_TIME)
		buf_printf(&b, " at %02d:%02d", r->minute / 60 % 100, r->minute % 60);
	snprintf(out, RULE_TEXT_MAX, "%s", b.data);
	buf_free(&b);
}

/* "Di, 07.04.2026" */
static void
add_day(struct buf *b, int days)
{
	int y, m, d;

	civil_date_from_days(days, &y, &m, &d);
	buf_printf(b, "%s, %02d.%02d.%04d", civil_weekday_abbrev(days), d, m, y);
}

static void
note_skip(struct buf *expl, json_t *skipped, const struct workcal *wc, int days)
{
	const char *reason = workcal_reason(wc, days);
	char iso[11];

	civil_format_date(days, iso);
	json_array_append_new(skipped, json_pack("{s:s, s:s}", "date", iso, "reason", reason));
	buf_add_str(expl, "  übersprungen: ");
	add_day(expl, days);
	buf_printf(expl, " (%s)\n", german_day_off(reason));
}

static bool
in_range(int days)
{
	int y;

	civil_date_from_days(days, &y, NULL, NULL);
	return y >= HOLIDAY_FIRST_YEAR && y <= HOLIDAY_LAST_YEAR;
}

static int
out_of_range(int days, char **cause)
{
	char iso[11];

	civil_format_date(days, iso);
	return set_cause(cause, "%s is outside the years %d to %d for which the public "
	    "holidays are known", iso, HOLIDAY_FIRST_YEAR, HOLIDAY_LAST_YEAR);
}

int
rule_apply(const struct rule *r, const struct workcal *wc, struct civil_moment anchor,
    struct rule_result *res, char **cause)
{
	struct buf expl;
	json_t *der, *skipped;
	char iso[11], rtext[RULE_TEXT_MAX], anchor_text[40];
	int raw, d, step, left, ay, am, ad, y, m, dd;
	bool clamped = false;

	memset(res, 0, sizeof(*res));
	if (r->count < 0 || r->count > RULE_COUNT_MAX || (r->sign != 1 && r->sign != -1) ||
	    r->minute < CIVIL_NO_TIME || r->minute >= 24 * 60 ||
	    anchor.minute < CIVIL_NO_TIME || anchor.minute >= 24 * 60)
		return set_cause(cause, "invalid rule or anchor");
	if (!in_range(anchor.days))
		return out_of_range(anchor.days, cause);

	rule_format(r, rtext);
	civil_format_date(anchor.days, iso);
	if (anchor.minute == CIVIL_NO_TIME)
		snprintf(anchor_text, sizeof(anchor_text), "%s", iso);
	else
		snprintf(anchor_text, sizeof(anchor_text), "%sT%02d:%02d", iso,
		    anchor.minute / 60, anchor.minute % 60);

	buf_init(&expl);
	skipped = json_array();
	buf_add_str(&expl, "Bezugstag: ");
	add_day(&expl, anchor.days);
	if (anchor.minute != CIVIL_NO_TIME)
		buf_printf(&expl, " %02d:%02d Uhr", anchor.minute / 60, anchor.minute % 60);
	buf_printf(&expl, "\nRegel: %s = %d %s %s", rtext, r->count, german_rule_unit(r),
	    r->sign < 0 ? "vorher" : "danach");
	if (r->unit == RULE_WORKING_DAYS)
		buf_add_str(&expl, " (der Bezugstag zählt nicht mit; Arbeitstage sind "
		    "Mo-Fr ohne Feiertage und örtliche freie Tage)\n");
	else
		buf_add_str(&expl, " (der Bezugstag zählt nicht mit)\n");

	step = r->sign;
	if (r->unit == RULE_WORKING_DAYS) {
		d = anchor.days;
		left = r->count;
		if (left == 0) {
			while (!workcal_is_working_day(wc, d)) {
				note_skip(&expl, skipped, wc, d);
				d += step;
				if (!in_range(d))
					goto range;
			}
		}
		while (left > 0) {
			d += step;
			if (!in_range(d))
				goto range;
			if (workcal_is_working_day(wc, d))
				left--;
			else
				note_skip(&expl, skipped, wc, d);
		}
		raw = d;
	} else {
		if (r->unit == RULE_MONTHS) {
			raw = civil_add_months(anchor.days, step * r->count);
			civil_date_from_days(anchor.days, &ay, &am, &ad);
			civil_date_from_days(raw, &y, &m, &dd);
			clamped = dd != ad;
		} else
			raw = anchor.days + step * r->count * (r->unit == RULE_WEEKS ? 7 : 1);
		d = raw;
		if (!in_range(d))
			goto range;
		buf_add_str(&expl, "rechnerischer Tag: ");
		add_day(&expl, raw);
		if (clamped)
			buf_printf(&expl, " (den %d. gibt es in diesem Monat nicht: Monatsende "
			    "nach § 188 Abs. 3 BGB)", ad);
		buf_add_char(&expl, '\n');
		if (!workcal_is_working_day(wc, d)) {
			if (r->roll == RULE_KEEP)
				buf_printf(&expl, "  kein Arbeitstag (%s), bleibt unverändert\n",
				    german_day_off(workcal_reason(wc, d)));
			else {
				int dir = r->roll == RULE_EARLIER ? -1 : 1;

				buf_printf(&expl, "  kein Arbeitstag: verschoben auf den %s "
				    "Arbeitstag\n", dir < 0 ? "vorherigen" : "nächsten");
				while (!workcal_is_working_day(wc, d)) {
					note_skip(&expl, skipped, wc, d);
					d += dir;
					if (!in_range(d))
						goto range;
				}
			}
		}
	}

	res->due.days = d;
	res->due.minute = r->minute;
	buf_add_str(&expl, "Ergebnis: ");
	add_day(&expl, d);
	if (r->minute != CIVIL_NO_TIME)
		buf_printf(&expl, " %02d:%02d Uhr", r->minute / 60, r->minute % 60);
	buf_add_char(&expl, '\n');

	der = json_object();
	json_object_set_new(der, "anchor", json_string(anchor_text));
	json_object_set_new(der, "rule", json_string(rtext));
	json_object_set_new(der, "land", json_string(workcal_land(wc)));
	json_object_set_new(der, "unit", json_string(unit_names[r->unit == RULE_DAYS ? 0 :
	    r->unit == RULE_WORKING_DAYS ? 1 : r->unit == RULE_WEEKS ? 2 : 3]));
	json_object_set_new(der, "offset", json_integer((json_int_t)r->sign * r->count));
	civil_format_date(raw, iso);
	json_object_set_new(der, "raw_date", json_string(iso));
	if (clamped)
		json_object_set_new(der, "clamped", json_true());
	civil_format_date(d, iso);
	json_object_set_new(der, "date", json_string(iso));
	if (r->minute != CIVIL_NO_TIME) {
		char t[16];

		snprintf(t, sizeof(t), "%02d:%02d", r->minute / 60 % 100, r->minute % 60);
		json_object_set_new(der, "time", json_string(t));
	}
	json_object_set_new(der, "weekday", json_string(civil_weekday_abbrev(d)));
	json_object_set_new(der, "skipped", skipped);
	json_object_set_new(der, "roll", json_string(r->unit == RULE_WORKING_DAYS ?
	    "workdays" : roll_names[r->roll]));
	res->derivation = der;
	res->explanation = buf_steal(&expl, NULL);
	return 0;

range:
	buf_free(&expl);
	json_decref(skipped);
	return out_of_range(d, cause);
}

int
rule_parse_and_apply(const char *text, const struct workcal *wc, struct civil_moment anchor,
    struct rule_result *res, char **cause)
{
	struct rule r;

	if (rule_parse(text, &r, cause) == -1)
		return -1;
	return rule_apply(&r, wc, anchor, res, cause);
}

int
rule_result_in_zone(struct rule_result *res, const char *zone, char **cause)
{
	enum civil_local_kind kind;
	struct buf expl;
	char *last, *p, t[16];
	time_t at;
	int days, minute;

	if (res->due.minute == CIVIL_NO_TIME)
		return 0;
	if (civil_to_utc(zone, res->due.days, res->due.minute, &at, &kind, cause) == -1)
		return -1;
	if (kind != CIVIL_LOCAL_GAP)
		return 0;
	/* RFC 5545 section 3.3.5: read with the offset before the gap. */
	if (civil_from_utc(zone, at, &days, &minute, NULL) == -1)
		return set_cause(cause, "cannot convert the time in %s", zone);
	buf_init(&expl);
	for (last = p = res->explanation; (p = strstr(p, "Ergebnis: ")) != NULL; p++)
		last = p;
	buf_add(&expl, res->explanation, (size_t)(last - res->explanation));
	buf_printf(&expl, "  %02d:%02d Uhr gibt es an diesem Tag nicht (die Uhr springt auf "
	    "Sommerzeit um): es gilt die Uhrzeit nach dem Sprung, %02d:%02d Uhr "
	    "(RFC 5545, Abschnitt 3.3.5)\nErgebnis: ", res->due.minute / 60,
	    res->due.minute % 60, minute / 60, minute % 60);
	add_day(&expl, days);
	buf_printf(&expl, " %02d:%02d Uhr\n", minute / 60, minute % 60);
	free(res->explanation);
	res->explanation = buf_steal(&expl, NULL);
	snprintf(t, sizeof(t), "%02d:%02d", res->due.minute / 60 % 100, res->due.minute % 60);
	json_object_set_new(res->derivation, "nonexistent_time", json_string(t));
	snprintf(t, sizeof(t), "%02d:%02d", minute / 60 % 100, minute % 60);
	json_object_set_new(res->derivation, "time", json_string(t));
	res->due.days = days;
	res->due.minute = minute;
	return 0;
}

void
rule_result_clear(struct rule_result *res)
{
	if (res == NULL)
		return;
	free(res->explanation);
	json_decref(res->derivation);
	res->explanation = NULL;
	res->derivation = NULL;
}
