/*
 * oparl: reads the JSON of an OParl 1.1 server (council information
 * systems publish bodies, organisations, meetings and persons this way)
 * into plain records.  No network, no store: oparl_fetch.h brings the
 * pages, oparl_sync.h applies the records.
 *
 * The JSON comes from outside and real servers bend the specification,
 * so every field is optional and every value is checked: null, "" and
 * "N/A" are missing; a single value stands for a list of one; "true",
 * 1 and true are true; numbers stand for strings; names lose HTML tags
 * and entities; a date without a time is local midnight and a time
 * without an offset is local; an embedded object without "type" is read
 * by where it stands.  Everything is bounded before it is kept.
 */
#ifndef IKOND_OPARL_H
#define IKOND_OPARL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define OPARL_MAX_ID		1000	/* bytes of an id (a URL) */
#define OPARL_MAX_NAME		500
#define OPARL_MAX_REFS		64	/* organisations of a meeting, memberships */
#define OPARL_MAX_OBJECTS	200000	/* per run, all lists together */

enum oparl_list {
	OPARL_ORGANIZATIONS,
	OPARL_MEETINGS,
	OPARL_PERSONS,
	OPARL_PAPERS,
	OPARL_LIST_COUNT
};

struct oparl_organization {
	char	*id;
	bool	 deleted;
	char	*name;			/* NULL if none */
	char	*short_name;
	char	*type;			/* organizationType: "Gremium", "Fraktion", ... */
	char	*classification;	/* "Ausschuss", "Beirat", "Parlament", ... */
};

struct oparl_meeting {
	char	*id;
	bool	 deleted;
	char	*name;
	bool	 has_start;
	time_t	 start, end;		/* end == start: none given */
	char	*location;
	bool	 cancelled;
	char	*web;			/* its page, or NULL */
	char	**organizations;	/* ids; the first is the one in charge */
	size_t	 norganizations;
};

struct oparl_membership {
	char	*organization;
	char	*role;
	bool	 ended;			/* endDate before today */
};

struct oparl_person {
	char	*id;
	bool	 deleted;
	char	*name;
	struct oparl_membership *memberships;
	size_t	 nmemberships;
};

struct oparl_consultation {
	char	*meeting;		/* id, or NULL if not yet on a meeting */
	char	*role;			/* free text: "Vorberatung", "Entscheidung", ... */
	bool	 authoritative;		/* the meeting decides */
};

struct oparl_paper {
	char	*id;
	bool	 deleted;
	char	*name;
	char	*reference;		/* "V/2027/013" */
	char	*type;			/* paperType: "Beschlussvorlage", ... */
	int	 date;			/* day number (civil.h), -1 if none */
	struct oparl_consultation *consultations;
	size_t	 nconsultations;
};

/* Which papers of a list are kept (a city has thousands). */
struct oparl_paper_filter {
	char	**refs;			/* these references, or ... */
	size_t	 nrefs;
	int	 since;			/* ... those dated on or after (day number; -1: any) */
	char	*type;			/* of this paperType (pattern as in ris.h; NULL: any) */
};

struct oparl_data {
	struct oparl_organization *organizations;
	size_t	 norganizations;
	struct oparl_meeting *meetings;
	size_t	 nmeetings;
	struct oparl_person *persons;
	size_t	 npersons;
	struct oparl_paper *papers;
	size_t	 npapers;
	const struct oparl_paper_filter *paper_filter;	/* NULL: no paper is kept */
	/* The latest "modified" of each list (0: none seen). */
	time_t	 modified[OPARL_LIST_COUNT];
	/* Objects skipped, with a reason each (e.g. a meeting without start). */
	char	**skipped;
	size_t	 nskipped;
};

/* Whether every reference the filter asks for is among d's papers. */
bool oparl_papers_complete(const struct oparl_data *d);

/* What kind of object a JSON document is. */
enum oparl_kind {
	OPARL_OTHER,
	OPARL_SYSTEM,
	OPARL_BODY,
};

struct oparl_data *oparl_data_new(void);
void oparl_data_free(struct oparl_data *d);

/*
 * Reads one page of an external list (or a bare array, as some servers
 * send) of the given kind into d.  tz is the zone of times without an
 * offset.  *next is the URL of the next page (NULL at the end).  Returns 0,
 * or -1 with *cause (not JSON, not a list, too many objects).
 */
int oparl_read_page(struct oparl_data *d, enum oparl_list list, const char *json,
    size_t len, const char *tz, char **next, char **cause);

/*
 * A single object (the URL a person typed): its kind, its id, and for a
 * body the URLs of its lists (NULL if it names none), for a system the URL
 * of its list of bodies in lists[0].  0, or -1 with *cause.
 */
struct oparl_object {
	enum oparl_kind	 kind;
	char		*id;
	char		*name;
	char		*lists[OPARL_LIST_COUNT];	/* organization, meeting, person, paper */
	char		*bodies;			/* a system's list of bodies */
};
int oparl_read_object(const char *json, size_t len, struct oparl_object *o, char **cause);
void oparl_object_clear(struct oparl_object *o);

/* The ids and names of a system's bodies, from one page of its list:
 * appended to *ids and *names (n of them). */
int oparl_read_bodies(const char *json, size_t len, char ***ids, char ***names, size_t *n,
    char **next, char **cause);

/*
 * An OParl date-time ("2027-03-16T17:00:00+01:00", "...Z", with fractions,
 * without an offset: local in tz; "2027-03-16": local midnight) as an
 * instant.  0, or -1 if it is none of these.
 */
int oparl_parse_time(const char *text, const char *tz, time_t *out);
/* A name from outside: HTML tags dropped, entities decoded, blanks folded,
 * bounded; NULL if nothing is left. */
char *oparl_plain_text(const char *text, size_t max);

#endif
