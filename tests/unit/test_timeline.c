/*
 * test_timeline: the picture of a process's time plan (timeline_svg.c)
 * from plain data: every step's title and its state in words beside its
 * bar, late and moving steps, the sessions with their committees and
 * Vorlagenfristen, the window, the breaks, today, German month names,
 * the accessible name and description, titles that contain markup kept
 * as text, and long titles wrapped inside the picture.  That the SVG is
 * well-formed XML is checked by integration.timeline with python3's
 * parser, on a plan the daemon made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civil.h"
#include "timeline.h"

#define D(y, m, d)	civil_days_from_date(y, m, d)

static struct timeline_step steps[5];
static struct timeline_session sessions[3];
static struct timeline_span window, summer;
static struct timeline tl;

static void
step(size_t i, const char *title, int start, int end, enum timeline_state state)
{
	memset(&steps[i], 0, sizeof(steps[i]));
	steps[i].n = (int)i + 1;
	steps[i].title = (char *)title;
	steps[i].start = start;
	steps[i].end = end;
	steps[i].state = state;
	steps[i].moved_start = steps[i].moved_end = TIMELINE_NO_DAY;
}

static void
session(size_t i, const char *committee, const char *role, int day, int deadline)
{
	memset(&sessions[i], 0, sizeof(sessions[i]));
	sessions[i].committee = (char *)committee;
	sessions[i].role = (char *)role;
	sessions[i].day = day;
	sessions[i].minute = 17 * 60;
	sessions[i].deadline = deadline;
}

/* A plan in the middle of its way: two steps done, one late, one moving,
 * one not dated yet. */
static int
setup(void **state)
{
	(void)state;
	memset(&tl, 0, sizeof(tl));
	step(0, "Thema setzen & Kernteam <benennen>", D(2027, 1, 4), D(2027, 1, 17),
	    TIMELINE_DONE);
	step(1, "Startbeschluss im Fachausschuss (Verwaltungsvorlage)", D(2027, 2, 23),
	    D(2027, 3, 16), TIMELINE_DONE);
	step(2, "Akteursübergreifende Workshops", D(2027, 4, 5), D(2027, 5, 16),
	    TIMELINE_IN_PROGRESS);
	steps[2].late = true;
	step(3, "Beratung und Beschluss in den Gremien", D(2027, 10, 20), D(2027, 12, 9),
	    TIMELINE_OPEN);
	steps[3].moved_start = D(2027, 10, 13);
	steps[3].moved_end = D(2027, 12, 9);
	step(4, "Öffentlichkeitsarbeit", TIMELINE_NO_DAY, TIMELINE_NO_DAY, TIMELINE_OPEN);
	session(0, "Ausschuss für Integration", "Startbeschluss", D(2027, 3, 16), D(2027, 2, 23));
	sessions[0].start = true;
	session(1, "Integrationsbeirat", "Anhörung", D(2027, 11, 3), D(2027, 10, 13));
	sessions[1].moved = true;
	session(2, "Kreistag", "Entscheidung", D(2027, 12, 9), D(2027, 11, 18));
	sessions[2].target = true;
	window.name = (char *)"Rückmeldungen";
	window.from = D(2027, 8, 30);
	window.to = D(2027, 9, 27);
	summer.name = (char *)"Sommerpause";
	summer.from = D(2027, 7, 5);
	summer.to = D(2027, 8, 13);
	tl.title = (char *)"Integrationskonzept \"Bildung\" 2027";
	tl.steps = steps;
	tl.nsteps = 5;
	tl.sessions = sessions;
	tl.nsessions = 3;
	tl.windows = &window;
	tl.nwindows = 1;
	tl.breaks = &summer;
	tl.nbreaks = 1;
	tl.today = D(2027, 6, 16);
	return 0;
}

static char *
draw(int width, int *height)
{
	struct buf b;

	buf_init(&b);
	timeline_svg(&tl, width, "zp", &b, height);
	return buf_steal(&b, NULL);
}

static void
assert_has(const char *svg, const char *want)
{
	if (strstr(svg, want) == NULL)
		fail_msg("the SVG lacks \"%s\"", want);
}

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)) != NULL; s += strlen(what))
		n++;
	return n;
}

static void
test_contents(void **state)
{
	char *svg, head[128];
	int height;

	(void)state;
	svg = draw(TIMELINE_WIDTH, &height);
	snprintf(head, sizeof(head), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\"", TIMELINE_WIDTH, height, TIMELINE_WIDTH,
	    height);
	assert_true(strncmp(svg, head, strlen(head)) == 0);
	assert_true(height > 400);
	/* An image with a name and a description that screen readers find. */
	assert_has(svg, "role=\"img\" aria-labelledby=\"zp-title zp-desc\"");
	assert_has(svg, "<title id=\"zp-title\">Zeitplan: Integrationskonzept &quot;Bildung&quot; "
	    "2027</title>");
	assert_has(svg, "<desc id=\"zp-desc\">Zeitplan in 5 Schritten, Stand 16.06.2027. "
	    "Schritt 1, Thema setzen &amp; Kernteam &lt;benennen&gt;: 04.01.\u201317.01.2027 "
	    "· erledigt.");
	assert_has(svg, "font-family=\"sans-serif\"");
	/* Every step's title, markup kept as text. */
	assert_has(svg, ">Thema setzen &amp; Kernteam &lt;benennen&gt;</text>");
	assert_null(strstr(svg, "<benennen"));
	assert_has(svg, ">Startbeschluss im Fachausschuss (Verwaltungsvorlage)</text>");
	assert_has(svg, ">Akteursübergreifende Workshops</text>");
	assert_has(svg, ">Beratung und Beschluss in den Gremien</text>");
	assert_has(svg, ">Öffentlichkeitsarbeit</text>");
	/* States in words, not only in colour and pattern. */
	assert_has(svg, ">04.01.\u201317.01.2027 · erledigt</text>");
	assert_has(svg, ">05.04.\u201316.05.2027 · in Arbeit · überfällig</text>");
	assert_has(svg, ">20.10.\u201309.12.2027 · geplant</text>");
	assert_has(svg, ">verschiebt sich: neu 13.10.\u201309.12.2027</text>");
	assert_has(svg, ">noch nicht terminiert</text>");
	assert_has(svg, "stroke-dasharray=\"5 3\"");	/* the outline it moves to */
	/* The sessions with their committees and Vorlagenfristen. */
	assert_has(svg, ">Ausschuss für Integration (Startbeschluss)</text>");
	assert_has(svg, ">Di 16.03.2027 · Vorlagenfrist 23.02.2027</text>");
	assert_has(svg, ">Integrationsbeirat (Anhörung)</text>");
	assert_has(svg, ">Mi 03.11.2027 · Vorlagenfrist 13.10.2027 · verlegt</text>");
	assert_has(svg, ">Kreistag (Beschluss)</text>");
	/* Window, break, today and the legend. */
	assert_has(svg, ">Rückmeldefenster</text>");
	assert_has(svg, ">30.08.\u201327.09.2027</text>");
	assert_has(svg, ">sitzungsfrei: Sommerpause 05.07.\u201313.08.2027</text>");
	assert_has(svg, ">heute</text>");
	assert_has(svg, ">Stand: Mittwoch, 16.06.2027</text>");
	assert_has(svg, ">Vorlagenfrist</text>");
	assert_has(svg, ">Beschluss</text>");
	/* Two years of months: abbreviated German names under the years. */
	assert_has(svg, ">2027</text>");
	assert_has(svg, ">Dez.</text>");
	assert_has(svg, ">März</text>");
	/* Hatching is lines: LibreOffice turns patterns into pixels. */
	assert_null(strstr(svg, "<pattern"));
	assert_null(strstr(svg, "<script"));
	assert_int_equal(count(svg, "<svg"), 1);
	assert_int_equal(count(svg, "</svg>"), 1);
	free(svg);
}

static void
test_states(void **state)
{
	char *svg;
	int height;

	(void)state;
	steps[4].state = TIMELINE_SKIPPED;
	sessions[2].cancelled = true;
	svg = draw(TIMELINE_WIDTH, &height);
	assert_has(svg, ">übersprungen</text>");
	assert_has(svg, ">Do 09.12.2027 · Vorlagenfrist 18.11.2027 · abgesagt</text>");
	free(svg);

	/* Today a year before the plan is not drawn, and not in the legend. */
	tl.today = D(2026, 1, 5);
	svg = draw(TIMELINE_WIDTH, &height);
	assert_null(strstr(svg, ">heute</text>"));
	assert_has(svg, ">Stand: Montag, 05.01.2026</text>");
	free(svg);
	tl.today = D(2027, 6, 16);
	steps[4].state = TIMELINE_OPEN;
	sessions[2].cancelled = false;
}

/* A phone's width: long titles wrap, months shrink to their initials, and
 * no text is placed beyond the right edge. */
static void
test_narrow(void **state)
{
	char *svg, *p, *end;
	int height, wide, x;

	(void)state;
	free(draw(TIMELINE_WIDTH, &wide));
	svg = draw(TIMELINE_NARROW, &height);
	assert_has(svg, "viewBox=\"0 0 360 ");
	assert_true(height > wide);
	assert_has(svg, ">Startbeschluss im Fachausschuss</text>");
	assert_has(svg, ">(Verwaltungsvorlage)</text>");
	assert_null(strstr(svg, ">Dez.</text>"));
	assert_has(svg, ">D</text>");
	for (p = svg; (p = strstr(p, "<text x=\"")) != NULL; p = end) {
		x = (int)strtol(p + 9, &end, 10);
		assert_true(x >= 0 && x <= TIMELINE_NARROW);
	}
	free(svg);
}

static void
test_drawable(void **state)
{
	struct timeline empty;

	(void)state;
	assert_true(timeline_drawable(&tl));
	memset(&empty, 0, sizeof(empty));
	empty.steps = &steps[4];
	empty.nsteps = 1;
	assert_false(timeline_drawable(&empty));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contents),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_narrow),
		cmocka_unit_test(test_drawable),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
