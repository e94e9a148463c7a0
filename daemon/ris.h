/*
 * ris: keeping sessions in step with a council information system (RIS),
 * whatever the channel: an iCalendar export (ics_import.h) or OParl
 * (oparl.h).  One session may be known to several sources; each link
 * (table session_source) keeps the source's id for it and what the source
 * said last, field by field.
 *
 * A field the source changed since it last said it is taken over, unless
 * it was changed here too (a session cancelled or moved by hand): that is
 * a conflict, reported on every run, and the local value stays unless the
 * run asks to overwrite.  A field only changed here stays silently.
 * Nothing comes in twice: a record is the session its link names, or else
 * the session of the same committee on the same day that this source does
 * not know yet (entered by hand, or from another source), or a new one.
 *
 * Every outcome goes into a report that names the session, what changed
 * from what to what, and why, for people and as JSON.
 */
#ifndef IKOND_RIS_H
#define IKOND_RIS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "ikond.h"

enum ris_source {
	RIS_ICS,
	RIS_OPARL,
};

#define RIS_TITLE_MAX		500	/* bytes, as for "session add" */
#define RIS_LOCATION_MAX	500
#define RIS_URL_MAX		2000
#define RIS_DESCRIPTION_MAX	32000

/* What a source says about one session.  Texts are UTF-8 (NULL: none). */
struct ris_session {
	const char	*source_id;	/* the export's UID, the Meeting's id */
	sqlite3_int64	 committee_id;
	const char	*title;		/* one line; NULL: "Sitzung <committee>" */
	time_t		 start, end;	/* end <= start: three hours */
	const char	*location;	/* one line */
	bool		 cancelled;
	const char	*url;		/* http(s), printable; others are dropped; */
	const char	*description;	/* NULL: the source gives none (another's stays) */
};

#define RIS_OVERWRITE		0x01	/* the source's values replace local changes */
#define RIS_KEEP_MISSING	0x02	/* sessions gone from the source are only reported */

struct ris_report;

struct ris_report *ris_report_new(void);
void ris_report_free(struct ris_report *r);
/* An event of the source that could not be used (pos 0: no position). */
void ris_report_reject(struct ris_report *r, size_t pos, const char *source_id,
    const char *reason);
/* An event no committee was found for. */
void ris_report_unmapped(struct ris_report *r, const char *source_id, const char *title);
/* What the source brought besides sessions: "committee", "actor",
 * "seat" (slug the committee's, name the actor's), "submission",
 * "beratung" (added to the submission with the reference slug) or
 * "withdrawn" (a submission whose paper was deleted). */
void ris_report_record(struct ris_report *r, const char *entity, const char *slug,
    const char *name, const char *source_id);
/* A record of the source that concerns nothing imported. */
void ris_report_ignored(struct ris_report *r);
/* Sessions created, changed or cancelled and records created so far. */
int ris_report_changes(const struct ris_report *r);
/* {"created": n, "changed", "unchanged", "cancelled", "conflicts",
 * "missing", "rejected", "unmapped", "committees_created",
 * "actors_created", "seats_created", "submissions_created",
 * "beratungen_created", "submissions_withdrawn", "ignored", "events": [...],
 * "records": [...]} (new reference). */
json_t *ris_report_json(const struct ris_report *r);
/* The counts on one line, then one line per event that is not unchanged. */
char *ris_report_text(const struct ris_report *r);
/* The counts on one line. */
char *ris_report_summary(const struct ris_report *r);

/* Creates, adopts or updates the session the source describes. */
int ris_session_apply(struct ikond *ikd, enum ris_source src, const struct ris_session *in,
    unsigned flags, struct ris_report *r, char **cause);
/*
 * The source no longer has the session it called source_id (deleted, or
 * missing from an export that covers its date): it is cancelled as if the
 * source had said so, unless RIS_KEEP_MISSING or it was held.  why is put
 * in the report.  Unknown ids are ignored.
 */
int ris_session_gone(struct ikond *ikd, enum ris_source src, const char *source_id,
    const char *why, unsigned flags, struct ris_report *r, char **cause);
/*
 * Every session of committee_id that src knows and that starts in
 * [from, to) is gone unless its id is among ids (n of them, any order).
 */
int ris_sessions_missing(struct ikond *ikd, enum ris_source src, sqlite3_int64 committee_id,
    time_t from, time_t to, char *const *ids, size_t n, unsigned flags,
    struct ris_report *r, char **cause);

/* Adds to list (for "status") what the imports left to be done: actors
 * without an e-mail address, submissions without an owner.  0 or -1. */
int ris_add_problems(struct ikond *ikd, json_t *list, char **cause);

/* --- text helpers, no store --- */

/*
 * Whether a title says the session is cancelled, as RIS exports do with
 * "ENTFÄLLT: Rat der Stadt", "Ausschuss (abgesagt)", "Sitzung fällt aus"
 * (any case, with or without umlauts).  *rest (if not NULL) is the title
 * without a leading or trailing marker, NULL if nothing is left.
 */
bool ris_cancel_marker(const char *title, char **rest);
/*
 * Whether a title matches a pattern of import.map or --map, ignoring case
 * (also of umlauts): a pattern with * or ? must match the whole title,
 * one without is looked for anywhere in it.
 */
bool ris_pattern_match(const char *pattern, const char *title);
/* One line of at most max bytes: line breaks and control characters
 * become spaces, blanks at both ends go; NULL if nothing is left. */
char *ris_text_line(const char *text, size_t max);
/* Text of at most max bytes, cut at a character; NULL if empty. */
char *ris_text_block(const char *text, size_t max);
/* A copy of url if it is an http(s) URL of printable characters
 * without spaces, at most RIS_URL_MAX bytes; else NULL. */
char *ris_url(const char *url);

#endif
