/*
 * timeline: the time plan of a process as a picture, for people who would
 * rather look than read twelve date ranges.
 *
 *   timeline.c      reads a process from the store into plain data: its
 *                   steps with dates and state, which are late and which
 *                   a plan made today would move; the sessions of its
 *                   route with their Vorlagenfristen, whether they moved
 *                   or were cancelled; its feedback windows; the body's
 *                   session-free breaks; today.
 *   timeline_svg.c  draws that data as SVG: pure, no store, no clock.
 *
 * The SVG is drawn by ikond itself, with no script and nothing outside
 * it (generic font families only), so the same text goes into a file,
 * an OpenDocument draft and a web page.
 */
#ifndef IKOND_TIMELINE_H
#define IKOND_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "buf.h"
#include "ikond.h"

#define TIMELINE_NO_DAY		(-1000000)
#define TIMELINE_WIDTH		760	/* pixels: a draft's text width, a wide page */
#define TIMELINE_NARROW		360	/* pixels: a phone */
#define TIMELINE_MIN_WIDTH	300

enum timeline_state {
	TIMELINE_OPEN,
	TIMELINE_IN_PROGRESS,
	TIMELINE_DONE,
	TIMELINE_SKIPPED,
};

struct timeline_step {
	int			 n;		/* its number in the process */
	char			*title;
	int			 start;		/* first day; TIMELINE_NO_DAY: not dated */
	int			 end;		/* last day */
	enum timeline_state	 state;
	bool			 by_hand;	/* dated with "process step --date" */
	bool			 late;		/* its end has passed and it is not done */
	int			 moved_start;	/* where a plan made today puts it, */
	int			 moved_end;	/* or TIMELINE_NO_DAY if it stays */
};

/* A session of the route: the start decision's and the Beratungen. */
struct timeline_session {
	int		 day;
	int		 minute;	/* local start */
	char		*committee;	/* the committee's name */
	char		*role;		/* German: "Anhörung", "Entscheidung" ... */
	int		 deadline;	/* its Vorlagenfrist, or TIMELINE_NO_DAY */
	bool		 start;		/* of the start decision */
	bool		 target;	/* the session that adopts the concept */
	bool		 cancelled;
	bool		 moved;		/* not on the day the plan was made for */
};

/* A feedback window or a session-free break. */
struct timeline_span {
	char	*name;
	int	 from;
	int	 to;		/* inclusive */
};

struct timeline {
	char			*title;		/* the process's name */
	struct timeline_step	*steps;		/* in the process's order */
	size_t			 nsteps;
	struct timeline_session	*sessions;	/* by day */
	size_t			 nsessions;
	struct timeline_span	*windows;
	size_t			 nwindows;
	struct timeline_span	*breaks;
	size_t			 nbreaks;
	int			 today;
};

/* timeline.c */

/* The timeline of process pid as it is stored now.  -1 with *cause if
 * the store fails or there is no such process.  Clear it afterwards. */
int timeline_load(struct ikond *ikd, sqlite3_int64 pid, struct timeline *tl, char **cause);
void timeline_clear(struct timeline *tl);

/* timeline_svg.c */

/* True if there is something to draw: at least one dated step. */
bool timeline_drawable(const struct timeline *tl);

/*
 * Appends the picture as an <svg> element (no XML declaration) width
 * pixels wide (at least TIMELINE_MIN_WIDTH), as tall as it needs; its
 * height goes to *height.  id prefixes the ids of its <title> and <desc>,
 * so two pictures can share a page.  Everything from the data is escaped
 * for XML.
 */
void timeline_svg(const struct timeline *tl, int width, const char *id, struct buf *out,
    int *height);
/* The picture's title ("Zeitplan: ...") and its text alternative in
 * German sentences: every step with its dates and state, the sessions
 * with their Vorlagenfristen, windows and breaks.  Allocated. */
char *timeline_title(const struct timeline *tl);
char *timeline_desc(const struct timeline *tl);

#endif
