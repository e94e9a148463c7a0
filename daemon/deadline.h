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
/* Recomputes everything (after a reload changed rules or holidays);
 * *changed counts the deadlines whose date moved. */
int deadline_sync_all(struct ikond *ikd, int *changed, char **cause);

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
