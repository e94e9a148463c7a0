/*
 * timeline_svg: draws a process's timeline (see timeline.h) as SVG.
 *
 * From top to bottom: the title and the day it shows; a month axis with
 * German month names under the years; one row per step, its number and
 * title above a bar from its first to its last day, with its dates and
 * state beside the bar; the feedback windows; the sessions of the route
 * as marks with their committees and Vorlagenfristen; a legend.  Behind
 * everything the months are striped, the session-free breaks shaded and
 * today is a dashed line.
 *
 * Readable without colour: every state is also a pattern (an outline, a
 * hatch, a solid bar, a cross-hatch, a dashed outline) and a word beside
 * the bar; the colours are the Okabe-Ito palette, which colour-blind
 * readers tell apart.  Hatching is drawn as lines, not as an SVG pattern:
 * LibreOffice rasterises patterns when it prints, lines stay lines.
 * Text widths are estimated (0.6 em a character, generous for the
 * generic sans-serif fonts), so long titles wrap instead of running out
 * of the picture.  All coordinates are whole pixels.
 */
#include "timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "document.h"
#include "german.h"
#include "xmalloc.h"

#define PAD		8
#define FONT		13	/* step titles */
#define SMALL		11	/* dates, states, labels, axis */
#define LINE		16	/* a line of FONT */
#define SMALL_LINE	14	/* a line of SMALL */
#define BAR		12	/* height of a bar */
#define ROW_GAP		10
#define NUMBER_W	26	/* the step number left of its title */
#define MARK		5	/* half the size of a session's mark */
#define LABEL_GAP	10	/* between labels on one line */
#define TODAY_NEAR	92	/* days outside the plan today is still shown */

/* Okabe-Ito, and the greys. */
#define C_BLUE		"#0072B2"
#define C_SKY		"#56B4E9"
#define C_VERMILLION	"#D55E00"
#define C_YELLOW	"#F0E442"
#define C_PURPLE	"#CC79A7"
#define C_TEXT		"#000000"
#define C_MUTED		"#444444"	/* 9.7:1 on white */
#define C_STRIPE	"#f3f3f3"
#define C_BREAK		"#e2e2e2"
#define C_RULE		"#767676"	/* 4.5:1 on white */

struct layout {
	int	width;
	int	x0, x1;		/* the chart */
	int	from, to;	/* first and last day shown */
	bool	today_shown;
};

/* ---- text ---------------------------------------------------------------- */

static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int
text_width(const char *s, int size)
{
	return (int)chars(s) * size * 3 / 5;
}

/* How many characters of size fit into px; callers give bold text 90 %
 * of its room, bold letters are wider. */
static size_t
capacity(int px, int size)
{
	int n = px * 5 / (size * 3);

	return n < 8 ? 8 : (size_t)n;
}

/* Splits s at spaces into lines of at most max characters (a longer word
 * gets a line of its own); the lines are allocated into *lines. */
static size_t
wrap(const char *s, size_t max, char ***lines)
{
	size_t n = 0, len, have = 0, word, i;
	const char *p = s, *start;
	struct buf line;

	*lines = NULL;
	buf_init(&line);
	for (;;) {
		p += strspn(p, " ");
		if (*p == '\0')
			break;
		start = p;
		len = strcspn(p, " ");
		p += len;
		for (i = 0, word = 0; i < len; i++)
			word += ((unsigned char)start[i] & 0xc0) != 0x80;
		if (line.len > 0 && have + 1 + word > max) {
			*lines = xreallocarray(*lines, n + 1, sizeof(**lines));
			(*lines)[n++] = buf_steal(&line, NULL);
			have = 0;
		}
		if (line.len > 0) {
			buf_add_char(&line, ' ');
			have++;
		}
		buf_add(&line, start, len);
		have += word;
	}
	if (line.len > 0 || n == 0) {
		*lines = xreallocarray(*lines, n + 1, sizeof(**lines));
		(*lines)[n++] = buf_steal(&line, NULL);
	}
	return n;
}

static void
lines_free(char **lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static void
escape(struct buf *b, const char *s)
{
	document_escape(b, s, strlen(s), false);
}

/* One line of text; attrs are further attributes (" font-weight=..."). */
static void
text(struct buf *b, int x, int y, int size, const char *attrs, const char *s)
{
	buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"%d\"%s>", x, y, size, attrs);
	escape(b, s);
	buf_add_str(b, "</text>\n");
}

/* ---- geometry ------------------------------------------------------------ */

static int
x_of(const struct layout *l, int day)
{
	long span = (long)l->to - l->from + 1;

	if (day < l->from)
		day = l->from;
	if (day > l->to + 1)
		day = l->to + 1;
	return l->x0 + (int)((long)(day - l->from) * (l->x1 - l->x0) / span);
}

/* The middle of a day. */
static int
x_mid(const struct layout *l, int day)
{
	return (x_of(l, day) + x_of(l, day + 1)) / 2;
}

static void
widen(int *from, int *to, int a, int b)
{
	if (a == TIMELINE_NO_DAY)
		return;
	if (*from == TIMELINE_NO_DAY || a < *from)
		*from = a;
	if (*to == TIMELINE_NO_DAY || b > *to)
		*to = b;
}

static void
layout_init(struct layout *l, const struct timeline *tl, int width)
{
	int from = TIMELINE_NO_DAY, to = TIMELINE_NO_DAY, y, m, d;
	size_t i;

	l->width = width < TIMELINE_MIN_WIDTH ? TIMELINE_MIN_WIDTH : width;
	l->x0 = PAD;
	l->x1 = l->width - PAD;
	for (i = 0; i < tl->nsteps; i++) {
		widen(&from, &to, tl->steps[i].start, tl->steps[i].end);
		widen(&from, &to, tl->steps[i].moved_start, tl->steps[i].moved_end);
	}
	for (i = 0; i < tl->nsessions; i++) {
		widen(&from, &to, tl->sessions[i].day, tl->sessions[i].day);
		widen(&from, &to, tl->sessions[i].deadline, tl->sessions[i].deadline);
	}
	for (i = 0; i < tl->nwindows; i++)
		widen(&from, &to, tl->windows[i].from, tl->windows[i].to);
	if (from == TIMELINE_NO_DAY)
		from = to = tl->today;
	l->today_shown = tl->today >= from - TODAY_NEAR && tl->today <= to + TODAY_NEAR;
	if (l->today_shown)
		widen(&from, &to, tl->today, tl->today);
	/* Whole months. */
	civil_date_from_days(from, &y, &m, &d);
	l->from = civil_days_from_date(y, m, 1);
	civil_date_from_days(to, &y, &m, &d);
	l->to = civil_days_from_date(y, m, civil_days_in_month(y, m));
}

/*
 * Diagonal lines every gap pixels inside a rectangle, rising ("/") or
 * falling ("\"), as one path; computed here rather than left to an SVG
 * pattern.
 */
static void
hatch(struct buf *b, int x, int y, int w, int h, int gap, bool rising, const char *colour)
{
	int t, lo, hi;

	if (w <= 0 || h <= 0)
		return;
	buf_printf(b, "<path stroke=\"%s\" stroke-width=\"1\" fill=\"none\" d=\"", colour);
	for (t = -h + gap / 2; t < w; t += gap) {
		lo = t < 0 ? -t : 0;
		hi = w - t < h ? w - t : h;
		if (lo >= hi)
			continue;
		if (rising)
			buf_printf(b, "M%d %dL%d %d", x + t + lo, y + h - lo, x + t + hi, y + h - hi);
		else
			buf_printf(b, "M%d %dL%d %d", x + t + lo, y + lo, x + t + hi, y + hi);
	}
	buf_add_str(b, "\"/>\n");
}

/* ---- what a step looks like ---------------------------------------------- */

enum look {
	LOOK_OPEN,
	LOOK_IN_PROGRESS,
	LOOK_DONE,
	LOOK_LATE,
	LOOK_MOVED,
	LOOK_WINDOW,
	LOOK_BREAK,
};

static enum look
step_look(const struct timeline_step *s)
{
	if (s->late)
		return LOOK_LATE;
	switch (s->state) {
	case TIMELINE_IN_PROGRESS:
		return LOOK_IN_PROGRESS;
	case TIMELINE_DONE:
		return LOOK_DONE;
	default:
		return LOOK_OPEN;
	}
}

static void
box(struct buf *b, int x, int y, int w, int h, enum look look)
{
	if (w < 2)
		w = 2;
	switch (look) {
	case LOOK_OPEN:
		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" "
		    "stroke=\"" C_BLUE "\" stroke-width=\"2\"/>\n", x, y, w, h);
		break;
	case LOOK_IN_PROGRESS:
		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"" C_SKY
		    "\"/>\n", x, y, w, h);
		hatch(b, x, y, w, h, 5, true, C_TEXT);
		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
		    "stroke=\"" C_TEXT "\" stroke-width=\"1\"/>\n", x, y, w, h);
		break;
	case LOOK_DONE:
		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"" C_BLUE
		    "\" stroke=\"" C_TEXT "\" stroke-width=\"1\"/>\n", x, y, w, h);
		break;
	case LOOK_LATE:
		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\""
		    C_VERMILLION "\"/>\n", x, y, w, h);
		hatch(b, x, y, w, h, 6, true, C_TEXT);
		hatch(b, x, y, w, h, 6, false, C_TEXT);
		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
		    "stroke=\"" C_TEXT "\" stroke-width=\"2\"/>\n", x, y, w, h);
		break;
	case LOOK_MOVED:
		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" "
		    "stroke=\"" C_TEXT "\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>\n", x, y,
		    w, h);
		break;
	case LOOK_WINDOW:
		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"" C_YELLOW
		    "\" stroke=\"" C_TEXT "\" stroke-width=\"1\"/>\n", x, y, w, h);
		hatch(b, x, y, w, h, 4, false, "#8a7f00");
		break;
	case LOOK_BREAK:
		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"" C_BREAK
		    "\"/>\n", x, y, w, h);
		hatch(b, x, y, w, h, 5, false, C_RULE);
		break;
	}
}

static const char *
state_word(const struct timeline_step *s)
{
	switch (s->state) {
	case TIMELINE_IN_PROGRESS:
		return "in Arbeit";
	case TIMELINE_DONE:
		return "erledigt";
	case TIMELINE_SKIPPED:
		return "übersprungen";
	default:
		return "geplant";
	}
}

/* What stands beside a step's bar: "05.04.–16.05.2027 · in Arbeit ·
 * überfällig". */
static void
step_status(const struct timeline_step *s, struct buf *b)
{
	char span[GERMAN_DATE_MAX];

	buf_reset(b);
	if (s->start == TIMELINE_NO_DAY)
		buf_add_str(b, s->state == TIMELINE_SKIPPED ? "übersprungen" :
		    "noch nicht terminiert");
	else {
		german_span(s->start, s->end, span, sizeof(span));
		buf_printf(b, "%s · %s", span, state_word(s));
	}
	if (s->late)
		buf_add_str(b, " · überfällig");
	if (s->by_hand)
		buf_add_str(b, " · von Hand datiert");
}

/* Text beside a bar from xa to xb on the line whose top is y: right of
 * it, else left of it; *below set if it fits neither and must go on the
 * next line. */
static void
beside(struct buf *b, const struct layout *l, int xa, int xb, int y, const char *s,
    bool *below)
{
	int w = text_width(s, SMALL);

	*below = false;
	if (xb + 6 + w <= l->x1)
		text(b, xb + 6, y + BAR - 1, SMALL, " fill=\"" C_MUTED "\"", s);
	else if (xa - 6 - w >= l->x0)
		text(b, xa - 6, y + BAR - 1, SMALL, " fill=\"" C_MUTED "\" text-anchor=\"end\"", s);
	else
		*below = true;
}

/* One step: number and title, its bar with its status beside it, and
 * where it is moving to. */
static int
draw_step(struct buf *b, const struct layout *l, const struct timeline_step *s, int y)
{
	char num[16], span[GERMAN_DATE_MAX], **lines;
	struct buf status;
	size_t n, i;
	bool below;
	int xa, xb;

	snprintf(num, sizeof(num), "%d", s->n);
	text(b, l->x0, y + FONT - 1, FONT, " font-weight=\"bold\"", num);
	n = wrap(s->title, capacity(l->x1 - l->x0 - NUMBER_W, FONT), &lines);
	for (i = 0; i < n; i++)
		text(b, l->x0 + NUMBER_W, y + FONT - 1 + (int)i * LINE, FONT, "", lines[i]);
	lines_free(lines, n);
	y += (int)n * LINE;
	buf_init(&status);
	step_status(s, &status);
	if (s->start == TIMELINE_NO_DAY) {
		text(b, l->x0 + NUMBER_W, y + BAR - 1, SMALL, " fill=\"" C_MUTED "\"", status.data);
		buf_free(&status);
		return y + SMALL_LINE;
	}
	xa = x_of(l, s->start);
	xb = x_of(l, s->end + 1);
	if (s->state == TIMELINE_SKIPPED)
		buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"" C_RULE "\" "
		    "stroke-width=\"2\" stroke-dasharray=\"2 3\"/>\n", xa, y + BAR / 2, xb,
		    y + BAR / 2);
	else
		box(b, xa, y, xb - xa, BAR, step_look(s));
	beside(b, l, xa, xb, y, status.data, &below);
	y += BAR + 2;
	if (below) {
		text(b, l->x0 + NUMBER_W, y + SMALL - 1, SMALL, " fill=\"" C_MUTED "\"",
		    status.data);
		y += SMALL_LINE;
	}
	buf_free(&status);
	if (s->moved_start != TIMELINE_NO_DAY) {
		xa = x_of(l, s->moved_start);
		xb = x_of(l, s->moved_end + 1);
		box(b, xa, y + 2, xb - xa, BAR, LOOK_MOVED);
		german_span(s->moved_start, s->moved_end, span, sizeof(span));
		buf_init(&status);
		buf_printf(&status, "verschiebt sich: neu %s", span);
		beside(b, l, xa, xb, y + 2, status.data, &below);
		y += BAR + 4;
		if (below) {
			text(b, l->x0 + NUMBER_W, y + SMALL - 1, SMALL, " fill=\"" C_MUTED "\"",
			    status.data);
			y += SMALL_LINE;
		}
		buf_free(&status);
	}
	return y;
}

/* ---- lanes --------------------------------------------------------------- */

static int
heading(struct buf *b, const struct layout *l, int y, const char *s)
{
	char **lines;
	size_t n, i;

	n = wrap(s, capacity((l->x1 - l->x0) * 9 / 10, FONT), &lines);
	for (i = 0; i < n; i++)
		text(b, l->x0, y + FONT - 1 + (int)i * LINE, FONT, " font-weight=\"bold\"",
		    lines[i]);
	lines_free(lines, n);
	return y + (int)n * LINE;
}

static int
draw_windows(struct buf *b, const struct layout *l, const struct timeline *tl, int y)
{
	char span[GERMAN_DATE_MAX];
	size_t i;
	bool below;
	int xa, xb;

	if (tl->nwindows == 0)
		return y;
	y = heading(b, l, y, "Rückmeldefenster");
	for (i = 0; i < tl->nwindows; i++) {
		xa = x_of(l, tl->windows[i].from);
		xb = x_of(l, tl->windows[i].to + 1);
		box(b, xa, y, xb - xa, BAR, LOOK_WINDOW);
		german_span(tl->windows[i].from, tl->windows[i].to, span, sizeof(span));
		beside(b, l, xa, xb, y, span, &below);
		y += BAR + 4;
		if (below) {
			text(b, l->x0, y + SMALL - 1, SMALL, " fill=\"" C_MUTED "\"", span);
			y += SMALL_LINE;
		}
	}
	return y + ROW_GAP;
}

static void
diamond(struct buf *b, int x, int y, int r, const char *fill)
{
	buf_printf(b, "<path d=\"M%d %dL%d %dL%d %dL%d %dZ\" fill=\"%s\" stroke=\"" C_TEXT "\" "
	    "stroke-width=\"1.5\"/>\n", x, y - r, x + r, y, x, y + r, x - r, y, fill);
}

/* A Vorlagenfrist: a triangle pointing down at its day. */
static void
triangle(struct buf *b, int x, int y)
{
	buf_printf(b, "<path d=\"M%d %dL%d %dL%d %dZ\" fill=\"#ffffff\" stroke=\"" C_TEXT "\" "
	    "stroke-width=\"1.5\"/>\n", x - MARK, y - MARK, x + MARK, y - MARK, x, y + MARK);
}

/* The lines under a session's mark: committee and role (wrapped to the
 * chart's width), then day, Vorlagenfrist and what happened to it. */
static size_t
session_label(const struct layout *l, const struct timeline_session *s, char ***lines,
    int *width)
{
	char day[GERMAN_DATE_MAX], due[GERMAN_DATE_MAX];
	struct buf b;
	size_t n, i;

	buf_init(&b);
	buf_printf(&b, "%s (%s)", s->committee, s->target ? "Beschluss" : s->role);
	n = wrap(b.data, capacity((l->x1 - l->x0) * 9 / 10, SMALL), lines);
	buf_reset(&b);
	german_date_short(s->day, day, sizeof(day));
	buf_printf(&b, "%s %s", civil_weekday_abbrev(s->day), day);
	if (s->deadline != TIMELINE_NO_DAY) {
		german_date_short(s->deadline, due, sizeof(due));
		buf_printf(&b, " · Vorlagenfrist %s", due);
	}
	if (s->cancelled)
		buf_add_str(&b, " · abgesagt");
	else if (s->moved)
		buf_add_str(&b, " · verlegt");
	*lines = xreallocarray(*lines, n + 1, sizeof(**lines));
	(*lines)[n++] = buf_steal(&b, NULL);
	*width = 0;
	for (i = 0; i < n; i++)
		if (text_width((*lines)[i], SMALL) > *width)
			*width = text_width((*lines)[i], SMALL);
	return n;
}

#define LABEL_ROWS_MAX	32

struct label {
	char	**lines;
	size_t	  n;
	int	  width;
};

/*
 * The sessions of the route on one line: their Vorlagenfristen as
 * triangles joined to them by a dotted line, the sessions as diamonds
 * (the adopting one larger, a cancelled one hollow), and their labels
 * below.  Labels are placed from the right: each on the first row where
 * it ends before whatever that row already holds, a label or the leader
 * line of a label further down, so no leader crosses a label.
 */
static int
draw_sessions(struct buf *b, const struct layout *l, const struct timeline *tl, int y)
{
	int limit[LABEL_ROWS_MAX], rows = 0, r, k, left, x, xd, ym, top, ly, pitch;
	const struct timeline_session *s;
	struct label *labels;
	size_t i, j, most = 1;

	if (tl->nsessions == 0)
		return y;
	y = heading(b, l, y, "Sitzungen der Beratungsfolge und Vorlagenfristen");
	ym = y + MARK + 4;
	buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"" C_RULE "\" "
	    "stroke-width=\"1\"/>\n", l->x0, ym, l->x1, ym);
	for (i = 0; i < tl->nsessions; i++) {
		s = &tl->sessions[i];
		if (s->deadline == TIMELINE_NO_DAY)
			continue;
		x = x_mid(l, s->day);
		xd = x_mid(l, s->deadline);
		buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"" C_TEXT "\" "
		    "stroke-width=\"1\" stroke-dasharray=\"1 2\"/>\n", xd, ym - MARK - 3, x,
		    ym - MARK - 3);
		triangle(b, xd, ym);
	}
	for (i = 0; i < tl->nsessions; i++) {
		s = &tl->sessions[i];
		diamond(b, x_mid(l, s->day), ym, s->target ? MARK + 3 : MARK,
		    s->cancelled ? "#ffffff" : s->target ? C_PURPLE : C_TEXT);
	}
	labels = xcalloc(tl->nsessions, sizeof(*labels));
	for (i = 0; i < tl->nsessions; i++) {
		labels[i].n = session_label(l, &tl->sessions[i], &labels[i].lines,
		    &labels[i].width);
		if (labels[i].n > most)
			most = labels[i].n;
	}
	pitch = (int)most * SMALL_LINE + 2;
	top = ym + MARK + 8;
	for (i = tl->nsessions; i-- > 0;) {
		x = x_mid(l, tl->sessions[i].day);
		left = x - 4;
		if (left + labels[i].width > l->x1)
			left = l->x1 - labels[i].width;
		if (left < l->x0)
			left = l->x0;
		for (r = 0; r < rows && left + labels[i].width + LABEL_GAP > limit[r]; r++)
			;
		if (r == rows && rows < LABEL_ROWS_MAX)
			limit[rows++] = l->x1 + LABEL_GAP;
		if (r == LABEL_ROWS_MAX)
			r = LABEL_ROWS_MAX - 1;
		limit[r] = left;
		for (k = 0; k < r; k++)
			if (x - 2 < limit[k])
				limit[k] = x - 2;
		ly = top + r * pitch;
		buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"" C_RULE "\" "
		    "stroke-width=\"1\"/>\n", x, ym + MARK + 2, x, ly + 1);
		for (j = 0; j < labels[i].n; j++)
			text(b, left, ly + SMALL + (int)j * SMALL_LINE, SMALL, j + 1 < labels[i].n ?
			    " font-weight=\"bold\"" : "", labels[i].lines[j]);
		lines_free(labels[i].lines, labels[i].n);
	}
	free(labels);
	return top + rows * pitch + ROW_GAP;
}

/* ---- the frame ----------------------------------------------------------- */

struct legend {
	struct buf	*b;
	const struct layout *l;
	int		 x, y;
};

static void
legend_item(struct legend *g, int kind, const char *label)
{
	int w = 22 + text_width(label, SMALL);

	if (g->x > g->l->x0 && g->x + w > g->l->x1) {
		g->x = g->l->x0;
		g->y += SMALL_LINE + 4;
	}
	switch (kind) {
	case 'd':	/* a session */
		diamond(g->b, g->x + 8, g->y + 5, MARK, C_TEXT);
		break;
	case 'D':	/* the adopting session */
		diamond(g->b, g->x + 8, g->y + 5, MARK + 2, C_PURPLE);
		break;
	case 't':	/* a Vorlagenfrist */
		triangle(g->b, g->x + 8, g->y + 5);
		break;
	case 'h':	/* today */
		buf_printf(g->b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\""
		    C_VERMILLION "\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>\n", g->x + 8,
		    g->y - 1, g->x + 8, g->y + 11);
		break;
	default:
		box(g->b, g->x, g->y, 16, 10, (enum look)kind);
		break;
	}
	text(g->b, g->x + 20, g->y + 9, SMALL, "", label);
	g->x += w + 12;
}

static int
draw_legend(struct buf *b, const struct layout *l, const struct timeline *tl, int y)
{
	struct legend g = { b, l, l->x0, y + 2 };
	char span[GERMAN_DATE_MAX];
	struct buf label;
	size_t i;
	bool target = false;

	legend_item(&g, LOOK_OPEN, "geplant");
	legend_item(&g, LOOK_IN_PROGRESS, "in Arbeit");
	legend_item(&g, LOOK_DONE, "erledigt");
	legend_item(&g, LOOK_LATE, "überfällig");
	for (i = 0; i < tl->nsteps; i++)
		if (tl->steps[i].moved_start != TIMELINE_NO_DAY)
			break;
	if (i < tl->nsteps)
		legend_item(&g, LOOK_MOVED, "verschiebt sich");
	if (tl->nwindows > 0)
		legend_item(&g, LOOK_WINDOW, "Rückmeldefenster");
	if (tl->nsessions > 0) {
		for (i = 0; i < tl->nsessions; i++)
			target = target || tl->sessions[i].target;
		legend_item(&g, 'd', "Sitzung");
		if (target)
			legend_item(&g, 'D', "Beschluss");
		legend_item(&g, 't', "Vorlagenfrist");
	}
	if (l->today_shown)
		legend_item(&g, 'h', "heute");
	buf_init(&label);
	for (i = 0; i < tl->nbreaks; i++) {
		if (tl->breaks[i].to < l->from || tl->breaks[i].from > l->to)
			continue;
		german_span(tl->breaks[i].from, tl->breaks[i].to, span, sizeof(span));
		buf_reset(&label);
		buf_printf(&label, "sitzungsfrei: %s %s", tl->breaks[i].name, span);
		legend_item(&g, LOOK_BREAK, label.data);
	}
	buf_free(&label);
	return g.y + SMALL_LINE + PAD;
}

/* Years at their first month, then the months: all by their full name
 * where every one fits, else all by their abbreviation, else by their
 * initial. */
static void
draw_axis(struct buf *b, const struct layout *l, int y)
{
	const char *(*name)(int) = german_month;
	char label[16];
	int d, next, m, dd, xa, xb, year, narrowest = l->x1, widest = 0, full = 0, abbrev = 0;

	for (d = l->from; d <= l->to; d = next) {
		civil_date_from_days(d, &year, &m, &dd);
		next = civil_days_from_date(year, m, civil_days_in_month(year, m)) + 1;
		if (x_of(l, next) - x_of(l, d) < narrowest)
			narrowest = x_of(l, next) - x_of(l, d);
		if (m == 1 || d == l->from) {
			snprintf(label, sizeof(label), "%d", year);
			xb = next > l->to ? l->x1 : x_of(l, civil_days_from_date(year + 1, 1, 1));
			if (xb - x_of(l, d) >= text_width(label, SMALL) + 4)
				text(b, x_of(l, d) + 3, y + SMALL, SMALL, " font-weight=\"bold\"",
				    label);
		}
	}
	for (m = 1; m <= 12; m++) {
		if (text_width(german_month(m), SMALL) > full)
			full = text_width(german_month(m), SMALL);
		if (text_width(german_month_abbrev(m), SMALL) > abbrev)
			abbrev = text_width(german_month_abbrev(m), SMALL);
	}
	widest = full + 4;
	if (narrowest < widest) {
		name = german_month_abbrev;
		widest = abbrev + 1;
	}
	for (d = l->from; d <= l->to; d = next) {
		civil_date_from_days(d, &year, &m, &dd);
		next = civil_days_from_date(year, m, civil_days_in_month(year, m)) + 1;
		xa = x_of(l, d);
		xb = x_of(l, next);
		if (narrowest >= widest)
			snprintf(label, sizeof(label), "%s", name(m));
		else if (narrowest >= SMALL)
			snprintf(label, sizeof(label), "%.1s", german_month(m));
		else
			continue;
		text(b, (xa + xb) / 2, y + SMALL_LINE + SMALL, SMALL, " text-anchor=\"middle\"",
		    label);
	}
}

/* Month stripes, breaks, year rules and today, from top to bottom. */
static void
draw_background(struct buf *b, const struct layout *l, const struct timeline *tl, int top,
    int bottom)
{
	int d, next, y, m, dd, k = 0, xa, xb, x;
	size_t i;

	for (d = l->from; d <= l->to; d = next, k++) {
		civil_date_from_days(d, &y, &m, &dd);
		next = civil_days_from_date(y, m, civil_days_in_month(y, m)) + 1;
		if (k % 2 == 0)
			buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\""
			    C_STRIPE "\"/>\n", x_of(l, d), top, x_of(l, next) - x_of(l, d),
			    bottom - top);
	}
	for (i = 0; i < tl->nbreaks; i++) {
		if (tl->breaks[i].to < l->from || tl->breaks[i].from > l->to)
			continue;
		xa = x_of(l, tl->breaks[i].from);
		xb = x_of(l, tl->breaks[i].to + 1);
		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\""
		    C_BREAK "\"/>\n", xa, top, xb - xa, bottom - top);
		/* The hatch where no text stands: beside the years. */
		hatch(b, xa, top, xb - xa, SMALL_LINE, 5, false, C_RULE);
	}
	for (d = l->from; d <= l->to; d = next) {
		civil_date_from_days(d, &y, &m, &dd);
		next = civil_days_from_date(y, m, civil_days_in_month(y, m)) + 1;
		x = x_of(l, d);
		buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
		    "stroke-width=\"1\"/>\n", x, m == 1 || d == l->from ? top : top + SMALL_LINE, x,
		    bottom, m == 1 ? C_RULE : "#d0d0d0");
	}
}

static void
draw_today(struct buf *b, const struct layout *l, int today, int top, int bottom)
{
	int x = x_mid(l, today);

	buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"" C_VERMILLION
	    "\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>\n", x, top, x, bottom);
	buf_printf(b, "<path d=\"M%d %dL%d %dL%d %dZ\" fill=\"" C_VERMILLION "\"/>\n", x - 5,
	    top - 7, x + 5, top - 7, x, top);
	text(b, x + 7 + text_width("heute", SMALL) > l->x1 ? x - 7 : x + 7, top - 1, SMALL,
	    x + 7 + text_width("heute", SMALL) > l->x1 ?
	    " font-weight=\"bold\" text-anchor=\"end\"" : " font-weight=\"bold\"", "heute");
}

bool
timeline_drawable(const struct timeline *tl)
{
	size_t i;

	for (i = 0; i < tl->nsteps; i++)
		if (tl->steps[i].start != TIMELINE_NO_DAY)
			return true;
	return false;
}

char *
timeline_title(const struct timeline *tl)
{
	char *s;

	xasprintf(&s, "Zeitplan: %s", tl->title);
	return s;
}

char *
timeline_desc(const struct timeline *tl)
{
	char span[GERMAN_DATE_MAX], day[GERMAN_DATE_MAX];
	const struct timeline_session *s;
	struct buf b, status;
	size_t i;

	buf_init(&b);
	buf_init(&status);
	german_date_short(tl->today, day, sizeof(day));
	buf_printf(&b, "Zeitplan in %zu Schritten, Stand %s.", tl->nsteps, day);
	for (i = 0; i < tl->nsteps; i++) {
		step_status(&tl->steps[i], &status);
		buf_printf(&b, " Schritt %d, %s: %s", tl->steps[i].n, tl->steps[i].title,
		    status.data);
		if (tl->steps[i].moved_start != TIMELINE_NO_DAY) {
			german_span(tl->steps[i].moved_start, tl->steps[i].moved_end, span,
			    sizeof(span));
			buf_printf(&b, "; verschiebt sich auf %s", span);
		}
		buf_add_char(&b, '.');
	}
	for (i = 0; i < tl->nsessions; i++) {
		s = &tl->sessions[i];
		german_date_short(s->day, day, sizeof(day));
		buf_printf(&b, "%s %s (%s) am %s", i == 0 ? " Sitzungen:" : ";", s->committee,
		    s->target ? "Beschluss" : s->role, day);
		if (s->deadline != TIMELINE_NO_DAY) {
			german_date_short(s->deadline, day, sizeof(day));
			buf_printf(&b, ", Vorlagenfrist %s", day);
		}
		if (s->cancelled)
			buf_add_str(&b, ", abgesagt");
		else if (s->moved)
			buf_add_str(&b, ", verlegt");
	}
	if (tl->nsessions > 0)
		buf_add_char(&b, '.');
	for (i = 0; i < tl->nwindows; i++) {
		german_span(tl->windows[i].from, tl->windows[i].to, span, sizeof(span));
		buf_printf(&b, " Rückmeldefenster %s.", span);
	}
	for (i = 0; i < tl->nbreaks; i++) {
		german_span(tl->breaks[i].from, tl->breaks[i].to, span, sizeof(span));
		buf_printf(&b, " Sitzungsfrei: %s %s.", tl->breaks[i].name, span);
	}
	buf_free(&status);
	return buf_steal(&b, NULL);
}

void
timeline_svg(const struct timeline *tl, int width, const char *id, struct buf *out,
    int *height)
{
	struct layout l;
	struct buf fg;
	char *title, *desc, day[GERMAN_DATE_MAX], **lines;
	size_t i, n;
	int y, top, bottom;

	layout_init(&l, tl, width);
	title = timeline_title(tl);
	desc = timeline_desc(tl);

	/* The foreground first, to know how tall the picture is. */
	buf_init(&fg);
	n = wrap(title, capacity((l.x1 - l.x0) * 9 / 10, 15), &lines);
	for (i = 0; i < n; i++)
		text(&fg, l.x0, PAD + 15 + (int)i * 19, 15, " font-weight=\"bold\"", lines[i]);
	lines_free(lines, n);
	y = PAD + (int)n * 19;
	german_date_weekday(tl->today, day, sizeof(day));
	{
		char stand[GERMAN_DATE_MAX + 8];

		snprintf(stand, sizeof(stand), "Stand: %s", day);
		text(&fg, l.x0, y + SMALL + 2, SMALL, " fill=\"" C_MUTED "\"", stand);
	}
	y += SMALL_LINE + 14;	/* room for "heute" above the axis */
	top = y;
	draw_axis(&fg, &l, y);
	y += 2 * SMALL_LINE + 8;
	for (i = 0; i < tl->nsteps; i++)
		y = draw_step(&fg, &l, &tl->steps[i], y) + ROW_GAP;
	y = draw_windows(&fg, &l, tl, y);
	y = draw_sessions(&fg, &l, tl, y);
	bottom = y;
	y = draw_legend(&fg, &l, tl, y + 6);

	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"", l.width, y, l.width, y);
	escape(out, id);
	buf_add_str(out, "-title ");
	escape(out, id);
	buf_add_str(out, "-desc\" font-family=\"sans-serif\" fill=\"" C_TEXT "\">\n<title id=\"");
	escape(out, id);
	buf_add_str(out, "-title\">");
	escape(out, title);
	buf_add_str(out, "</title>\n<desc id=\"");
	escape(out, id);
	buf_add_str(out, "-desc\">");
	escape(out, desc);
	buf_printf(out, "</desc>\n<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", l.width,
	    y);
	draw_background(out, &l, tl, top, bottom);
	if (l.today_shown)
		draw_today(out, &l, tl->today, top, bottom);
	buf_add(out, fg.data, fg.len);
	buf_add_str(out, "</svg>\n");
	buf_free(&fg);
	free(title);
	free(desc);
	*height = y;
}
