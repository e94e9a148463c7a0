/*
 * deadline: the deadlines of sessions and submissions, materialised in
 * the store and kept current.  A session of a council body gets its
 * Ladungsfrist, agenda publication and motions deadline; a submission gets
 * the Vorlagenfrist of its kind in each session it goes to (one per
 * Beratung, see submission.h).  Each row keeps the rule it came from and
 * its derivation, so every date can explain itself; a row whose date
 * changes gets a higher sequence number for the calendar feeds.
 */
#ifndef IKOND_DEADLINE_H
#define IKOND_DEADLINE_H

#include <jansson.h>
#include <sqlite3.h>

#include "ikond.h"

/* Recomputes the deadlines of a session and of all its submissions. */
int deadline_sync_session(struct ikond *ikd, sqlite3_int64 session_id, char **cause);
int deadline_sync_submission(struct ikond *ikd, sqlite3_int64 submission_id, char **cause);

/*
 * Brings the stored deadlines up to the current configuration (at start-up
 * and after a reload): nothing if their basis (time zone, Land, local days
 * off, rules) is the one they were computed from; after a change of rules
 * the deadlines of those kinds; after a change of days the sessions whose
 * deadlines may count over one of them; everything if the basis is not
 * known (a database from before it was kept, or rows written behind the
 * daemon's back with the basis removed) or the time zone changed.
 */
struct deadline_catch_up {
	enum { DEADLINE_NOTHING, DEADLINE_CHANGES, DEADLINE_ALL } what;
	size_t	sessions;	/* sessions recomputed */
	int	moved;		/* stored deadlines that changed */
};
int deadline_catch_up(struct ikond *ikd, struct deadline_catch_up *out, char **cause);

/* The deadlines of a session or a submission as a JSON array, or NULL
 * with *cause. */
json_t *deadline_list_session(struct ikond *ikd, sqlite3_int64 session_id, char **cause);
json_t *deadline_list_submission(struct ikond *ikd, sqlite3_int64 submission_id, char **cause);
/* The submission's first Vorlagenfrist as "YYYY-MM-DD", JSON null if it
 * has none, or NULL with *cause. */
json_t *deadline_submission_date(struct ikond *ikd, sqlite3_int64 submission_id,
    char **cause);
/* 1 if the submission is still a draft and its deadline has passed, with
 * *late = {"kind_de", "date"} unless late is NULL; 0 if not; -1 with
 * *cause. */
int deadline_submission_late(struct ikond *ikd, sqlite3_int64 submission_id, json_t **late,
    char **cause);
/* Problems for "status": late submissions, cancelled sessions with open
 * submissions; NULL with *cause. */
json_t *deadline_problems(struct ikond *ikd, char **cause);

#endif
