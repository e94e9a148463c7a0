/*
 * agenda: every dated thing ikond knows, as one uniform list: sessions,
 * deadlines, feedback windows, measures, evaluation dates, process steps,
 * events of a process.
 * The feeds publish it, the reminders mail it, "ikond-ctl agenda" shows it.
 * Each item knows who it concerns (the actors who are responsible for it
 * or sit in the committee that meets), so a per-actor view is a filter.
 *
 * Collectors add items from one source each; a module that brings a new
 * kind of date adds its collector to the table in agenda.c.
 */
#ifndef IKOND_AGENDA_H
#define IKOND_AGENDA_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "buf.h"
#include "ikond.h"

enum agenda_kind {
	AGENDA_SESSION,
	AGENDA_DEADLINE,
	AGENDA_WINDOW,
	AGENDA_MEASURE,
	AGENDA_EVALUATION,
	AGENDA_STEP,
	AGENDA_EVENT,
};

struct agenda_item {
	enum agenda_kind kind;
	sqlite3_int64	 id;		/* row id in the kind's table */
	char		*uid;		/* stable iCalendar UID */
	char		*title;		/* German SUMMARY ("Abgesagt: ..." if cancelled) */
	char		*name;		/* the title without "Abgesagt: ", "Entfällt: " */
	char		*description;	/* German: what, for whom, which session, derivation */
	char		*why;		/* how the date follows, in one sentence, or NULL */
	char		*subkind;	/* a deadline's kind ("antragsfrist"), or NULL */
	char		*location;	/* may be NULL */
	char		*url;		/* its page in the council information system, or NULL */
	bool		 all_day;
	int		 start_days;	/* all-day: first day */
	int		 end_days;	/* all-day: day after the last (exclusive) */
	time_t		 start;		/* timed: instants */
	time_t		 end;
	int		 sequence;	/* as published (revision.h) */
	time_t		 updated;	/* last published change, for DTSTAMP */
	bool		 cancelled;
	sqlite3_int64	 committee_id;	/* 0 if none */
	sqlite3_int64	*committees;	/* further committees it concerns (invited) */
	size_t		 ncommittees;
	sqlite3_int64	 process_id;	/* 0 if none */
	sqlite3_int64	 session_id;	/* a session's id, a deadline's session; else 0 */
	sqlite3_int64	 submission_id;	/* a deadline's Vorlage, 0 if none */
	sqlite3_int64	*actors;	/* whom it concerns (actor ids) */
	size_t		 nactors;
	char		*reminder_kind;	/* "session", "deadline", ... (config reminders.*) */
	bool		 undescribed;	/* agenda_item_slim() let its description go */
};

struct agenda_filter {
	int		 from_days;	/* items ending on or after this day */
	int		 to_days;	/* items starting on or before this day */
	sqlite3_int64	 actor_id;	/* 0: everyone */
	sqlite3_int64	 committee_id;	/* 0: all */
	sqlite3_int64	 process_id;	/* 0: all */
};

struct agenda_membership {
	sqlite3_int64	committee_id;
	sqlite3_int64	actor_id;
};

/* A block of an agenda's descriptions and other strings (see struct
 * agenda). */
struct agenda_text_block {
	char		*data;		/* NULL once every string in it is gone */
	size_t		 used, cap;
	size_t		 live;		/* strings in it not let go */
};

struct agenda {
	struct agenda_item	*items;
	size_t			 n;
	size_t			 cap;
	/* The items' descriptions (and the other strings that
	 * agenda_item_slim() lets go), written one after another into big
	 * blocks: they are most of a collection's bytes and go first, and
	 * kept among the small strings that stay they would leave the heap
	 * full of holes no page can be given back from.  A block goes back
	 * when the last string in it does. */
	struct agenda_text_block *texts;
	size_t			 ntexts;
	/* The memberships agenda_add_members() reads, sorted by committee,
	 * then actor: every one, read once per collection, or for a narrowed
	 * collection (one actor, committee or process) those of the
	 * committees its items named so far, read as each is first named. */
	struct agenda_membership *members;
	size_t			 nmembers;
	sqlite3_int64		*loaded;	/* narrowed: committees read, in order */
	size_t			 nloaded;
	/* Actors' names by id (sorted; NULL: no such actor), for "Betrifft:"
	 * lines: everyone's, or for a narrowed or short collection those its
	 * items' lines show. */
	sqlite3_int64		*actor_ids;
	char			**actor_names;
	size_t			 nactors;
	/* While collecting: the store for the reads above, whether they are
	 * narrowed, and the first failure of one (agenda_add_members() has
	 * no way to report it; agenda_collect() does). */
	struct ikond		*ikd;
	bool			 narrowed;
	char			*error;
};

/* A filter that lets everything through. */
void agenda_filter_all(struct agenda_filter *f);
/* Collects and sorts (by start, then uid), and gives every item its
 * published sequence (revision.h).  NULL with *cause on failure. */
struct agenda *agenda_collect(struct ikond *ikd, const struct agenda_filter *f, char **cause);
void agenda_free(struct agenda *a);

/* The name of actor id, NULL if there is none.  Only the names an item's
 * description shows are sure to be read (see struct agenda). */
const char *agenda_actor_name(const struct agenda *a, sqlite3_int64 id);

/* What a feed shows as an item's description: its own, then whom it
 * concerns ("Betrifft: ..."). */
char *agenda_feed_description(const struct agenda *a, const struct agenda_item *it);

/* Lets go of what only a description, a reminder or a filter needs (the
 * description, name, why, subkind, reminder kind, actors and further
 * committees), keeping what a calendar event and a headline show.  it is
 * an item of a. */
void agenda_item_slim(struct agenda *a, struct agenda_item *it);

/* For collectors: a new zeroed item at the end of a. */
struct agenda_item *agenda_add(struct agenda *a);
/* For collectors: the description in d (emptied) as one kept in a's
 * blocks, for an item of a. */
char *agenda_description(struct agenda *a, struct buf *d);
void agenda_add_actor(struct agenda_item *it, sqlite3_int64 actor_id);
/* Lets the item pass the filter of one more committee. */
void agenda_add_committee(struct agenda_item *it, sqlite3_int64 committee_id);
/* Adds every member of a committee to it (an item of a), from the
 * memberships the collection read. */
void agenda_add_members(struct agenda *a, struct agenda_item *it,
    sqlite3_int64 committee_id);
/* True if the item passes the filter's actor, committee and process tests
 * (collectors check dates themselves, in SQL). */
bool agenda_item_matches(const struct agenda_item *it, const struct agenda_filter *f);
/* For collectors, once an item is made: drops it if it fails the
 * filter, or moves the strings agenda_item_slim() lets go into a's
 * blocks. */
void agenda_keep_if_matches(struct agenda *a, const struct agenda_filter *f);

/*
 * Following a collection of everything as rows change (the feed of
 * everything).  Which items a changed row of a table can touch: none (the
 * collectors of processes and events, which are run again in full, read
 * it, or no collector does), the item of that session (and its
 * deadlines), of that deadline, the deadlines and sessions of that
 * Vorlage, or any (a committee, an actor, a membership, a Beratung).  op
 * is SQLITE_INSERT, SQLITE_UPDATE or SQLITE_DELETE.
 */
enum agenda_touch {
	AGENDA_TOUCHES_NONE,
	AGENDA_TOUCHES_SESSION,
	AGENDA_TOUCHES_DEADLINE,
	AGENDA_TOUCHES_SUBMISSION,
	AGENDA_TOUCHES_ALL,
};
enum agenda_touch agenda_row_touches(const char *table, int op);

/* Row ids of changed rows, each list sorted and distinct. */
struct agenda_keys {
	sqlite3_int64	*sessions;
	size_t		 nsessions;
	sqlite3_int64	*deadlines;
	size_t		 ndeadlines;
	sqlite3_int64	*submissions;
	size_t		 nsubmissions;
};

/*
 * Brings a, a collection of everything (agenda_filter_all()), up to date
 * when only the rows in k changed among what agenda_row_touches() does not
 * call NONE: collects their items again and every item of processes and
 * events, gives them their revisions and puts them in place of the ones
 * they replace.  The same items as a new collection would have, but for
 * the descriptions let go before.  0, or -1 with *cause (a is then only
 * good for agenda_free()).
 */
int agenda_recollect(struct ikond *ikd, struct agenda *a, const struct agenda_keys *k,
    char **cause);

/* The item as JSON, or NULL with *cause. */
json_t *agenda_item_json(struct ikond *ikd, const struct agenda_item *it, char **cause);

typedef int (*agenda_collector)(struct ikond *ikd, const struct agenda_filter *f,
    struct agenda *a, char **cause);

/* Feedback windows, measures, evaluation occurrences, process steps
 * (agenda_process.c). */
int agenda_collect_process(struct ikond *ikd, const struct agenda_filter *f, struct agenda *a,
    char **cause);
/* Events of a process with their invitees (agenda_event.c). */
int agenda_collect_events(struct ikond *ikd, const struct agenda_filter *f, struct agenda *a,
    char **cause);

#endif
