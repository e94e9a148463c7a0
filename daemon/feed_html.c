/*
 * feed_html: the web page of a feed (see feed.h), for the people who never
 * open a calendar program: at the same secret address as the feed, with
 * ".html" for ".ics", what is due next for them.
 *
 * The page is German (lang="de"), rendered here in full on the main
 * thread with the feed: a short "at a glance" (the next deadline, the
 * next session or, for a process, the adopting session, what is running
 * and what is overdue), the timeline of a process (timeline_svg.c, a wide
 * and a narrow picture, one shown by the width of the screen), the items
 * of the next months grouped by calendar week, each with its description
 * as the feed has it (for a deadline: "So wurde die Frist berechnet"),
 * and the addresses to subscribe.  It has no script and asks for nothing
 * from elsewhere: one inline style sheet, readable on a phone and in
 * print; headings, landmarks and text alternatives as BITV 2.0 asks.
 * Every text from the data goes through document_escape(); links point
 * only at the feed itself.
 *
 * The page holds the token it was asked with (in its links to subscribe),
 * so it is kept as the parts between the token's places, each also as raw
 * deflate, and put together per request (feed_page_body()): the HTTP
 * threads copy and splice, they never build or compress.
 */
#include "feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "buf.h"
#include "civil.h"
#include "document.h"
#include "german.h"
#include "log.h"
#include "timefmt.h"
#include "timeline.h"
#include "xmalloc.h"

#define PAGE_DAYS	183	/* how far ahead the page lists items */
#define PAGE_ITEMS	150	/* and how many at most */
#define NARROW_SCREEN	"40rem"	/* below this width the narrow timeline shows */

static const char page_style[] =
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
    "body{margin:0;font-family:sans-serif;font-size:1rem;line-height:1.5;color:#1a1a1a;"
    "background:#ffffff}\n"
    ".page{max-width:52rem;margin:0 auto;padding:1rem}\n"
    "a{color:#0b57a4}\n"
    "a:focus,summary:focus{outline:3px solid #1a1a1a;outline-offset:2px}\n"
    ".skip{position:absolute;left:-999em}\n"
    ".skip:focus{position:static}\n"
    "header{border-bottom:2px solid #1a1a1a;padding-bottom:.5rem}\n"
    "header p{margin:0}\n"
    ".issuer{font-weight:bold}\n"
    "h1{font-size:1.5rem;line-height:1.25;margin:.25rem 0 .5rem;overflow-wrap:anywhere}\n"
    "h2{font-size:1.25rem;margin:2rem 0 .75rem;padding-bottom:.2rem;"
    "border-bottom:1px solid #767676}\n"
    "h3{font-size:1.05rem;margin:1.5rem 0 .5rem}\n"
    "h4{font-size:1rem;margin:.15rem 0 .2rem;overflow-wrap:anywhere}\n"
    "dl.glance{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:0}\n"
    "dl.glance dt{font-weight:bold}\n"
    "dl.glance dd{margin:0;overflow-wrap:anywhere}\n"
    "ul.items{list-style:none;margin:0;padding:0}\n"
    "li.item{border-left:6px solid #767676;background:#f5f5f5;padding:.5rem .75rem;"
    "margin:0 0 .75rem;break-inside:avoid}\n"
    "li.session{border-left-color:#0072b2}\n"
    "li.deadline,li.late{border-left-color:#d55e00}\n"
    "li.window{border-left-color:#e69f00}\n"
    "li.step,li.event{border-left-color:#009e73}\n"
    "li.measure,li.evaluation{border-left-color:#cc79a7}\n"
    ".meta{margin:0;font-size:.95rem}\n"
    ".kind{display:inline-block;font-weight:bold;font-size:.85rem;padding:0 .4rem;"
    "margin-right:.4rem;border:1px solid #1a1a1a;border-radius:.2rem;background:#ffffff}\n"
    ".desc{white-space:pre-line;margin:.25rem 0 0;overflow-wrap:anywhere}\n"
    ".cancelled h4{text-decoration:line-through}\n"
    "figure{margin:0}\n"
    "figure svg{display:block;width:100%;height:auto}\n"
    "figcaption{font-size:.95rem;margin-top:.5rem}\n"
    ".narrow{display:none}\n"
    "@media (max-width:" NARROW_SCREEN "){.wide{display:none}.narrow{display:block}"
    "dl.glance{display:block}dl.glance dd{margin:0 0 .6rem}}\n"
    "summary{cursor:pointer;color:#0b57a4}\n"
    "code{font-size:.95rem;overflow-wrap:anywhere;word-break:break-all}\n"
    ".button{display:inline-block;padding:.6rem 1rem;background:#0b57a4;color:#ffffff;"
    "font-weight:bold;text-decoration:none;border-radius:.3rem}\n"
    "footer{margin-top:2rem;padding-top:.5rem;border-top:1px solid #767676;"
    "font-size:.9rem}\n"
    "@media print{.skip,.button,.narrow,details{display:none}.wide{display:block}"
    "body{font-size:10.5pt}.page{max-width:none;padding:0}li.item{background:none}"
    "a{color:#1a1a1a}h2{break-after:avoid}figure{break-inside:avoid}}\n";

static const char *const kind_classes[] = {
	"session", "deadline", "window", "measure", "evaluation", "step", "event",
};

static void
esc(struct buf *b, const char *s)
{
	document_escape(b, s, strlen(s), false);
}

/* The local first and last day of an item. */
static void
item_days(const struct agenda_item *it, const char *tz, int *first, int *last)
{
	if (it->all_day) {
		*first = it->start_days;
		*last = it->end_days > it->start_days ? it->end_days - 1 : it->start_days;
		return;
	}
	*first = timefmt_local_day(tz, it->start);
	*last = timefmt_local_day(tz, it->end > it->start ? it->end : it->start);
}

/* When an item is, in words: "Mittwoch, 13.10.2027", "Montag, 30.08.2027
 * bis Montag, 27.09.2027", "Donnerstag, 09.12.2027, 18:00 Uhr". */
static void
item_when(struct buf *b, const struct agenda_item *it, const char *tz)
{
	char d1[GERMAN_DATE_MAX], d2[GERMAN_DATE_MAX], t1[16], t2[16];
	int first, last, m1, m2;

	item_days(it, tz, &first, &last);
	german_date_weekday(first, d1, sizeof(d1));
	if (it->all_day) {
		german_date_weekday(last, d2, sizeof(d2));
		buf_printf(b, last > first ? "%s bis %s" : "%s", d1, d2);
		return;
	}
	civil_from_utc(tz, it->start, &first, &m1, NULL);
	german_time(m1, t1, sizeof(t1));
	buf_printf(b, "%s, %s", d1, t1);
	if (it->end > it->start) {
		civil_from_utc(tz, it->end, &last, &m2, NULL);
		german_time(m2, t2, sizeof(t2));
		if (last == first)
			buf_printf(b, " bis %s", t2);
		else {
			german_date_weekday(last, d2, sizeof(d2));
			buf_printf(b, " bis %s, %s", d2, t2);
		}
	}
}

static void
time_tag(struct buf *b, int day)
{
	char iso[11];

	civil_format_date(day, iso);
	buf_printf(b, "<time datetime=\"%s\">", iso);
}

static void
item_html(struct buf *b, const struct agenda *a, const struct agenda_item *it, const char *tz,
    int today, bool late)
{
	char since[GERMAN_DATE_MAX], *desc;
	int first, last;

	item_days(it, tz, &first, &last);
	buf_printf(b, "<li class=\"item %s%s\">\n<p class=\"meta\"><span class=\"kind\">",
	    late ? "late" : kind_classes[it->kind], it->cancelled ? " cancelled" : "");
	esc(b, late ? "Überfällig" : feed_category(it->kind));
	buf_add_str(b, "</span>");
	time_tag(b, first);
	item_when(b, it, tz);
	buf_add_str(b, "</time></p>\n<h4>");
	esc(b, it->title);
	buf_add_str(b, "</h4>\n");
	if (!late && first < today) {
		german_date_weekday(first, since, sizeof(since));
		buf_printf(b, "<p class=\"meta\">Läuft seit %s.</p>\n", since);
	}
	desc = agenda_feed_description(a, it);
	if (desc[0] != '\0') {
		buf_add_str(b, "<p class=\"desc\">");
		esc(b, desc);
		buf_add_str(b, "</p>\n");
	}
	free(desc);
	buf_add_str(b, "</li>\n");
}

/* Steps and measures still open after their last day. */
static bool
overdue(const struct agenda_item *it, int today, const char *tz)
{
	return (it->kind == AGENDA_STEP || it->kind == AGENDA_MEASURE) && !it->cancelled &&
	    feed_item_past(it, today, tz);
}

bool
feed_html_shows(const struct agenda_item *it, int today, const char *tz)
{
	int first, last;

	if (overdue(it, today, tz))
		return true;
	item_days(it, tz, &first, &last);
	return !feed_item_past(it, today, tz) && first <= today + PAGE_DAYS;
}

/* What is due next, by calendar week; the overdue first. */
static void
agenda_html(struct buf *b, const struct agenda *a, const char *tz, int today)
{
	char week[GERMAN_DATE_MAX + 32];
	size_t i, shown = 0, late = 0;
	int first, last, monday, open = TIMELINE_NO_DAY;

	buf_add_str(b, "<section aria-labelledby=\"faellig\">\n<h2 id=\"faellig\">Was als "
	    "Nächstes ansteht</h2>\n");
	for (i = 0; i < a->n; i++) {
		if (!overdue(&a->items[i], today, tz))
			continue;
		if (late++ == 0)
			buf_add_str(b, "<h3 id=\"ueberfaellig\">Überfällig</h3>\n"
			    "<ul class=\"items\" aria-labelledby=\"ueberfaellig\">\n");
		item_html(b, a, &a->items[i], tz, today, true);
	}
	if (late > 0)
		buf_add_str(b, "</ul>\n");
	for (i = 0; i < a->n && shown < PAGE_ITEMS; i++) {
		const struct agenda_item *it = &a->items[i];

		item_days(it, tz, &first, &last);
		if (feed_item_past(it, today, tz) || first > today + PAGE_DAYS)
			continue;
		monday = (first > today ? first : today);
		monday -= civil_weekday(monday);
		if (monday != open) {
			if (open != TIMELINE_NO_DAY)
				buf_add_str(b, "</ul>\n");
			german_week(monday, week, sizeof(week));
			buf_printf(b, "<h3 id=\"woche-%d\">%s%s</h3>\n<ul class=\"items\" "
			    "aria-labelledby=\"woche-%d\">\n", monday,
			    monday <= today ? "Diese Woche · " : monday <= today + 7 ?
			    "Nächste Woche · " : "", week, monday);
			open = monday;
		}
		item_html(b, a, it, tz, today, false);
		shown++;
	}
	if (open != TIMELINE_NO_DAY)
		buf_add_str(b, "</ul>\n");
	if (shown == 0)
		buf_add_str(b, "<p>In den nächsten sechs Monaten steht nichts an.</p>\n");
	else
		buf_add_str(b, "<p>Die Liste reicht ein halbes Jahr voraus; das Abonnement "
		    "enthält alle Termine.</p>\n");
	buf_add_str(b, "</section>\n");
}

/* The first deadline from today on: of the feed, or of the route of the
 * process (whose Vorlagenfristen the feed of a process does not hold). */
static void
glance_deadline(struct buf *b, const struct agenda *a, const struct timeline *tl,
    const char *tz, int today)
{
	const struct agenda_item *next = NULL;
	const struct timeline_session *route = NULL;
	char day[GERMAN_DATE_MAX];
	int first, last, due = TIMELINE_NO_DAY;
	size_t i;

	for (i = 0; i < a->n && next == NULL; i++) {
		item_days(&a->items[i], tz, &first, &last);
		if (a->items[i].kind == AGENDA_DEADLINE && !a->items[i].cancelled &&
		    first >= today)
			next = &a->items[i];
	}
	if (next != NULL)
		item_days(next, tz, &due, &last);
	for (i = 0; tl != NULL && i < tl->nsessions; i++) {
		const struct timeline_session *s = &tl->sessions[i];

		if (s->deadline != TIMELINE_NO_DAY && s->deadline >= today && !s->cancelled &&
		    (due == TIMELINE_NO_DAY || s->deadline < due)) {
			due = s->deadline;
			route = s;
		}
	}
	buf_add_str(b, "<dt>Nächste Frist</dt>\n<dd>");
	if (due == TIMELINE_NO_DAY) {
		buf_add_str(b, "Keine Frist in Sicht.</dd>\n");
		return;
	}
	german_date_weekday(due, day, sizeof(day));
	buf_add_str(b, "<strong>");
	time_tag(b, due);
	buf_printf(b, "%s</time></strong>: ", day);
	if (route != NULL) {
		german_date_weekday(route->day, day, sizeof(day));
		buf_add_str(b, "Vorlagenfrist für die Sitzung ");
		esc(b, route->committee);
		buf_add_str(b, " (");
		esc(b, route->target ? "Beschluss" : route->role);
		buf_printf(b, ") am %s", day);
	} else
		esc(b, next->title);
	buf_add_str(b, "</dd>\n");
}

static void
glance_session(struct buf *b, const struct agenda *a, const char *tz, int today)
{
	size_t i;
	int first, last;

	for (i = 0; i < a->n; i++) {
		item_days(&a->items[i], tz, &first, &last);
		if (a->items[i].kind != AGENDA_SESSION || a->items[i].cancelled || first < today)
			continue;
		buf_add_str(b, "<dt>Nächste Sitzung</dt>\n<dd><strong>");
		time_tag(b, first);
		item_when(b, &a->items[i], tz);
		buf_add_str(b, "</time></strong>: ");
		esc(b, a->items[i].title);
		buf_add_str(b, "</dd>\n");
		return;
	}
}

/* "Schritt 7: Konzept erarbeiten (in Arbeit, 17.05.–08.08.2027)" */
static void
step_line(struct buf *b, const struct timeline_step *s, const char *state, int start, int end)
{
	char span[GERMAN_DATE_MAX];

	german_span(start, end, span, sizeof(span));
	buf_printf(b, "<li>Schritt %d: ", s->n);
	esc(b, s->title);
	buf_printf(b, " (%s %s)</li>\n", state, span);
}

/* Where a process stands: its adopting session, the steps running today,
 * the overdue ones and those a new plan would move. */
static void
glance_process(struct buf *b, const struct timeline *tl)
{
	const struct timeline_step *s;
	char day[GERMAN_DATE_MAX], hhmm[16];
	size_t i, n;

	for (i = 0; i < tl->nsessions; i++) {
		if (!tl->sessions[i].target)
			continue;
		german_date_weekday(tl->sessions[i].day, day, sizeof(day));
		german_time(tl->sessions[i].minute, hhmm, sizeof(hhmm));
		buf_add_str(b, "<dt>Beschluss</dt>\n<dd><strong>");
		esc(b, tl->sessions[i].committee);
		buf_add_str(b, "</strong>, ");
		time_tag(b, tl->sessions[i].day);
		buf_printf(b, "%s, %s</time>%s</dd>\n", day, hhmm, tl->sessions[i].cancelled ?
		    " (abgesagt)" : tl->sessions[i].moved ? " (verlegt)" : "");
	}
	for (i = n = 0; i < tl->nsteps; i++) {
		s = &tl->steps[i];
		if (s->start == TIMELINE_NO_DAY || s->start > tl->today || s->end < tl->today ||
		    s->state == TIMELINE_DONE || s->state == TIMELINE_SKIPPED)
			continue;
		if (n++ == 0)
			buf_add_str(b, "<dt>Jetzt</dt>\n<dd><ul>\n");
		step_line(b, s, s->state == TIMELINE_IN_PROGRESS ? "in Arbeit," : "geplant,", s->start,
		    s->end);
	}
	if (n > 0)
		buf_add_str(b, "</ul></dd>\n");
	for (i = n = 0; i < tl->nsteps; i++) {
		if (!tl->steps[i].late)
			continue;
		if (n++ == 0)
			buf_add_str(b, "<dt>Überfällig</dt>\n<dd><ul>\n");
		step_line(b, &tl->steps[i], "geplant", tl->steps[i].start, tl->steps[i].end);
	}
	if (n > 0)
		buf_add_str(b, "</ul></dd>\n");
	for (i = n = 0; i < tl->nsteps; i++) {
		s = &tl->steps[i];
		if (s->moved_start == TIMELINE_NO_DAY)
			continue;
		if (n++ == 0)
			buf_add_str(b, "<dt>Verschiebt sich</dt>\n<dd><ul>\n");
		step_line(b, s, "neu", s->moved_start, s->moved_end);
	}
	if (n > 0)
		buf_add_str(b, "</ul></dd>\n");
}

static void
timeline_html(struct buf *b, const struct timeline *tl)
{
	char *desc = timeline_desc(tl);
	int height;

	buf_add_str(b, "<section aria-labelledby=\"zeitplan\">\n<h2 id=\"zeitplan\">Zeitplan"
	    "</h2>\n<figure>\n<div class=\"wide\">\n");
	timeline_svg(tl, TIMELINE_WIDTH, "zeitplan-breit", b, &height);
	buf_add_str(b, "</div>\n<div class=\"narrow\">\n");
	timeline_svg(tl, TIMELINE_NARROW, "zeitplan-schmal", b, &height);
	buf_add_str(b, "</div>\n<figcaption>Die Schritte als Balken über den Monaten, darunter "
	    "die Sitzungen der Beratungsfolge mit ihren Vorlagenfristen. Schraffiert: in Arbeit; "
	    "kreuzschraffiert: überfällig; gestrichelt: wohin sich ein Schritt verschiebt."
	    "</figcaption>\n</figure>\n<details>\n<summary>Der Zeitplan in Worten</summary>\n"
	    "<p>");
	esc(b, desc);
	buf_add_str(b, "</p>\n</details>\n</section>\n");
	free(desc);
}

/* The addresses to subscribe with, the request's token in each. */
static void
subscribe_html(struct buf *b, const struct config *cfg)
{
	char *url, *webcal, *mark;

	feed_urls(cfg, "\001", &url, &webcal);
	buf_add_str(b, "<section aria-labelledby=\"abo\">\n<h2 id=\"abo\">Im Kalender "
	    "abonnieren</h2>\n<p><a class=\"button\" href=\"");
	mark = strchr(webcal, FEED_PAGE_TOKEN);
	document_escape(b, webcal, (size_t)(mark - webcal), false);
	buf_add_char(b, FEED_PAGE_TOKEN);
	esc(b, mark + 1);
	buf_add_str(b, "\">Diese Termine im Kalender abonnieren</a></p>\n<p>Der Knopf öffnet "
	    "das Kalenderprogramm. Wo das nicht geht, tragen Sie diese Adresse dort als "
	    "Internetkalender ein (Outlook: „Kalender hinzufügen“, „Aus dem Internet“; "
	    "Thunderbird: „Neuer Kalender“, „Im Netzwerk“):</p>\n<p><code>");
	mark = strchr(url, FEED_PAGE_TOKEN);
	document_escape(b, url, (size_t)(mark - url), false);
	buf_add_char(b, FEED_PAGE_TOKEN);
	esc(b, mark + 1);
	buf_add_str(b, "</code></p>\n<p>Die Adresse dieser Seite und des Kalenders ist "
	    "persönlich: Wer sie kennt, sieht diese Termine. Bitte geben Sie sie nicht "
	    "weiter.</p>\n</section>\n");
	free(url);
	free(webcal);
}

char *
feed_html_build(struct ikond *ikd, enum feed_kind kind, sqlite3_int64 target,
    const struct agenda *a, const char *name, const char *desc, int today, size_t *len,
    char **cause)
{
	const char *tz = ikd->cfg->body_timezone;
	struct timeline tl, *process = NULL;
	char day[GERMAN_DATE_MAX];
	struct buf b;

	if (kind == FEED_PROCESS) {
		if (timeline_load(ikd, target, &tl, cause) == -1)
			return NULL;
		process = &tl;
	}
	german_date_weekday(today, day, sizeof(day));
	buf_init(&b);
	buf_add_str(&b, "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
	esc(&b, name);
	buf_printf(&b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<div class=\"page\">\n"
	    "<a class=\"skip\" href=\"#inhalt\">Zum Inhalt</a>\n<header>\n<p class=\"issuer\">",
	    page_style);
	esc(&b, ikd->cfg->body_name);
	buf_add_str(&b, "</p>\n<h1>");
	esc(&b, name);
	buf_add_str(&b, "</h1>\n<p>");
	esc(&b, desc);
	buf_printf(&b, ". Stand: %s.</p>\n</header>\n<main id=\"inhalt\">\n"
	    "<section aria-labelledby=\"blick\">\n<h2 id=\"blick\">Auf einen Blick</h2>\n"
	    "<dl class=\"glance\">\n", day);
	glance_deadline(&b, a, process, tz, today);
	if (process != NULL)
		glance_process(&b, process);
	else
		glance_session(&b, a, tz, today);
	buf_add_str(&b, "</dl>\n</section>\n");
	if (process != NULL && timeline_drawable(process))
		timeline_html(&b, process);
	agenda_html(&b, a, tz, today);
	subscribe_html(&b, ikd->cfg);
	buf_add_str(&b, "</main>\n<footer>\n<p>");
	esc(&b, ikd->cfg->body_name);
	buf_printf(&b, " · Stand: %s · Diese Seite zeigt, was das Kalender-Abonnement enthält, "
	    "und wird mit ihm neu erstellt.</p>\n</footer>\n</div>\n</body>\n</html>\n", day);
	if (process != NULL)
		timeline_clear(process);
	return buf_steal(&b, len);
}

/*
 * Raw deflate of one part of a page: a part the token follows ends with a
 * sync flush (on a byte boundary, no final block), so a stored block can
 * follow it; the last part ends the stream.  Each part starts a stream of
 * its own and refers to nothing before it.
 */
static void
deflate_part(struct feed_page_part *part, bool last)
{
	z_stream z;
	size_t cap = compressBound((uLong)part->len) + 64;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		fatalx("deflateInit2 failed");
	part->deflated = xmalloc(cap);
	z.next_in = (Bytef *)part->text;
	z.avail_in = (uInt)part->len;
	z.next_out = part->deflated;
	z.avail_out = (uInt)cap;
	if (deflate(&z, last ? Z_FINISH : Z_SYNC_FLUSH) != (last ? Z_STREAM_END : Z_OK) ||
	    z.avail_in != 0)
		fatalx("deflate of a page failed");
	part->deflated_len = z.total_out;
	deflateEnd(&z);
}

void
feed_page_prepare(struct feed_page *page, const char *text, size_t len,
    const unsigned char digest[FEED_HASH_LEN], time_t last_modified)
{
	struct feed_page_part *part;
	const char *p = text, *mark;
	size_t i;

	memcpy(page->digest, digest, FEED_HASH_LEN);
	feed_etags(digest, page->etag, page->etag_gzip);
	page->last_modified = last_modified;
	for (;;) {
		mark = memchr(p, FEED_PAGE_TOKEN, len - (size_t)(p - text));
		if (page->nparts == FEED_PAGE_SLOTS_MAX && mark != NULL)
			fatalx("a feed page has more than %d places for its token",
			    FEED_PAGE_SLOTS_MAX);
		part = &page->parts[page->nparts++];
		part->len = mark != NULL ? (size_t)(mark - p) : len - (size_t)(p - text);
		part->text = xmalloc(part->len + 1);
		memcpy(part->text, p, part->len);
		part->text[part->len] = '\0';
		part->crc = crc32(0L, (const Bytef *)part->text, (uInt)part->len);
		page->len += part->len;
		if (mark == NULL)
			break;
		page->len += FEED_TOKEN_CHARS;
		p = mark + 1;
	}
	for (i = 0; i < page->nparts; i++)
		deflate_part(&page->parts[i], i + 1 == page->nparts);
}

void
feed_page_clear(struct feed_page *page)
{
	size_t i;

	for (i = 0; i < page->nparts; i++) {
		free(page->parts[i].text);
		free(page->parts[i].deflated);
	}
	page->nparts = 0;
}

static void
put_le32(unsigned char *p, unsigned long v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)((v >> 8) & 0xff);
	p[2] = (unsigned char)((v >> 16) & 0xff);
	p[3] = (unsigned char)((v >> 24) & 0xff);
}

unsigned char *
feed_page_body(const struct feed_page *page, const char *token, bool gzip, size_t *len)
{
	/* A gzip member: magic, deflate, no flags, no time, no extra flags, Unix. */
	static const unsigned char header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	const struct feed_page_part *part;
	unsigned char *out, *p;
	unsigned long crc = 0;
	size_t i, cap;

	if (!gzip) {
		out = p = xmalloc(page->len + 1);
		for (i = 0; i < page->nparts; i++) {
			if (i > 0) {
				memcpy(p, token, FEED_TOKEN_CHARS);
				p += FEED_TOKEN_CHARS;
			}
			memcpy(p, page->parts[i].text, page->parts[i].len);
			p += page->parts[i].len;
		}
		*p = '\0';
		*len = page->len;
		return out;
	}
	cap = sizeof(header) + 8;
	for (i = 0; i < page->nparts; i++)
		cap += page->parts[i].deflated_len + 5 + FEED_TOKEN_CHARS;
	out = p = xmalloc(cap);
	memcpy(p, header, sizeof(header));
	p += sizeof(header);
	for (i = 0; i < page->nparts; i++) {
		part = &page->parts[i];
		if (i > 0) {
			/* The token as a stored block: BFINAL 0, BTYPE 00, LEN, NLEN. */
			*p++ = 0;
			*p++ = FEED_TOKEN_CHARS & 0xff;
			*p++ = (FEED_TOKEN_CHARS >> 8) & 0xff;
			*p++ = ~FEED_TOKEN_CHARS & 0xff;
			*p++ = (~FEED_TOKEN_CHARS >> 8) & 0xff;
			memcpy(p, token, FEED_TOKEN_CHARS);
			p += FEED_TOKEN_CHARS;
			crc = crc32(crc, (const Bytef *)token, FEED_TOKEN_CHARS);
		}
		memcpy(p, part->deflated, part->deflated_len);
		p += part->deflated_len;
		crc = crc32_combine(crc, part->crc, (z_off_t)part->len);
	}
	put_le32(p, crc);
	put_le32(p + 4, (unsigned long)(page->len & 0xffffffffu));
	p += 8;
	*len = (size_t)(p - out);
	return out;
}
