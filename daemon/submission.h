/*
 * submission: a Vorlage and its Beratungsfolge.  A submission has one
 * number (ref), title, kind and owner and goes through an ordered list of
 * Beratungen: each one a session and the role the session's committee has
 * (Anhörung, Vorberatung, Entscheidung, Kenntnisnahme), as a council
 * information system and OParl (Paper with Consultations) keep it.  Each
 * Beratung has its own Vorlagenfrist, from the rules of its committee for
 * the submission's kind.  The list is ordered by the sessions' dates.
 *
 * Every function works inside the caller's transaction and keeps the
 * deadlines current (deadline.h); none writes the audit log.
 */
#ifndef IKOND_SUBMISSION_H
#define IKOND_SUBMISSION_H

#include <stddef.h>

#include <jansson.h>
#include <sqlite3.h>

#include "ikond.h"

/* At most this many Beratungen per submission. */
#define SUBMISSION_BERATUNGEN_MAX	20

struct submission_spec {
	const char	*ref;		/* reference number, NULL or "" for none */
	const char	*title;
	const char	*kind;		/* a word of submission_kinds */
	sqlite3_int64	 owner_id;	/* 0: none yet (imported) */
};

struct beratung_spec {
	sqlite3_int64	 session_id;
	const char	*role;		/* a word of beratung_roles */
};

/* Creates a draft submission with the Beratungen b[0..n-1] (1 <= n <=
 * SUBMISSION_BERATUNGEN_MAX, sessions distinct) and their deadlines;
 * *id is the new submission. */
int submission_create(struct ikond *ikd, const struct submission_spec *s,
    const struct beratung_spec *b, size_t n, sqlite3_int64 *id, char **cause);
/* Makes the Beratungen of submission id exactly b[0..n-1]: Beratungen at
 * sessions no longer listed go, the others keep their deadline rows. */
int submission_set_beratungen(struct ikond *ikd, sqlite3_int64 id,
    const struct beratung_spec *b, size_t n, char **cause);
/* Adds a Beratung at a session the submission does not go to yet. */
int submission_beratung_add(struct ikond *ikd, sqlite3_int64 id, const struct beratung_spec *b,
    char **cause);
/* Changes the Beratung at session from: its role (NULL keeps it) and its
 * session (to; 0 keeps it). */
int submission_beratung_change(struct ikond *ikd, sqlite3_int64 id, sqlite3_int64 from,
    const char *role, sqlite3_int64 to, char **cause);
/* Removes the Beratung at a session; the last one cannot be removed. */
int submission_beratung_remove(struct ikond *ikd, sqlite3_int64 id, sqlite3_int64 session_id,
    char **cause);
/* Removes every Beratung at the session, and the submissions that then
 * have none (a session about to be removed); *removed counts those. */
int submission_leave_session(struct ikond *ikd, sqlite3_int64 session_id, int *removed,
    char **cause);

/* The Beratungen of a submission in order, as [{session, committee,
 * committee_name, start, role, role_text (a council information system's
 * own word for it, or ""), role_de, deadline}]; NULL with *cause. */
json_t *submission_beratungen(struct ikond *ikd, sqlite3_int64 id, char **cause);
/* The session that decides: the last Beratung with the role entscheidung,
 * else the last one.  1 with *session_id set, 0 if there is none, -1. */
int submission_deciding_session(struct ikond *ikd, sqlite3_int64 id,
    sqlite3_int64 *session_id, char **cause);

#endif
