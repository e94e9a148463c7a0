/*
 * cmd_actor: the "actor" commands.  Actors are the people and
 * organisations ikond reminds: Fachleitungen, the Dezernent, the
 * Integrationsbeirat, welfare associations, the VHS, working-group leads.
 * They hold roles and seats in committees, own submissions, measures,
 * evaluations, processes and steps and are invited to events and
 * feedback windows.  An actor who leaves hands all of that over to a
 * successor in one step ("actor remove --reassign-to").
 */
#include <string.h>
#include <time.h>

#include "buf.h"
#include "dispatch.h"
#include "domain.h"
#include "entity.h"
#include "mail_message.h"
#include "xmalloc.h"

#define ACTOR_TEXT_MAX	200
#define TITLE_MAX	40

static int
check_fields(struct request *req, struct reply *rep)
{
	const char *name = args_get(req->args, "name"), *email = args_get(req->args, "email");
	const char *org = args_get(req->args, "org"), *role;
	size_t i;

	if (name != NULL && !domain_text_valid(name, ACTOR_TEXT_MAX, false))
		return reply_fail(rep, 1, "--name must be 1 to %d bytes of text without control "
		    "characters", ACTOR_TEXT_MAX);
	if (email != NULL && !mail_address_valid(email))
		return reply_fail(rep, 1, "--email \"%.80s\" is not a valid address "
		    "(local@domain, no spaces or control characters)", email);
	if (org != NULL && org[0] != '\0' && !domain_text_valid(org, ACTOR_TEXT_MAX, false))
		return reply_fail(rep, 1, "--org must be text without control characters");
	for (i = 0; (role = args_nth(req->args, "role", i)) != NULL; i++)
		if (!domain_text_valid(role, 80, false))
			return reply_fail(rep, 1, "--role \"%.40s\" must be 1 to 80 bytes of text", role);
	if ((role = args_get(req->args, "reminders")) != NULL && strcmp(role, "each") != 0 &&
	    strcmp(role, "digest") != 0 && strcmp(role, "none") != 0)
		return reply_fail(rep, 1, "--reminders \"%.40s\": valid are each, digest, none", role);
	if ((role = args_get(req->args, "salutation")) != NULL && !vocab_has(salutations, role))
		return reply_fail(rep, 1, "unknown salutation \"%.40s\"; valid: %s", role,
		    vocab_words(salutations));
	if ((role = args_get(req->args, "title")) != NULL && role[0] != '\0' &&
	    !domain_text_valid(role, TITLE_MAX, false))
		return reply_fail(rep, 1, "--title must be up to %d bytes of text, e.g. Dr.",
		    TITLE_MAX);
	if ((role = args_get(req->args, "family-name")) != NULL && role[0] != '\0' &&
	    !domain_text_valid(role, ACTOR_TEXT_MAX, false))
		return reply_fail(rep, 1, "--family-name must be up to %d bytes of text",
		    ACTOR_TEXT_MAX);
	return 0;
}

static int
set_roles(struct request *req, struct reply *rep, sqlite3_int64 id)
{
	struct ikond *ikd = req->ikd;
	char *cause = NULL;
	const char *role;
	size_t i;

	if (store_exec(ikd->store, &cause, "DELETE FROM actor_role WHERE actor_id = ?", "i", id)
	    == -1)
		return reply_cause(rep, 1, cause);
	for (i = 0; (role = args_nth(req->args, "role", i)) != NULL; i++)
		if (store_exec(ikd->store, &cause, "INSERT OR IGNORE INTO actor_role (actor_id, role) "
		    "VALUES (?, ?)", "it", id, role) == -1)
			return reply_cause(rep, 1, cause);
	return 0;
}

static int
actor_add(struct request *req, struct reply *rep)
{
	const char *slug = args_pos(req->args, 0);
	const char *name = args_get(req->args, "name"), *email = args_get(req->args, "email");
	const char *org = args_get(req->args, "org");
	struct ikond *ikd = req->ikd;
	time_t now = time(NULL);
	sqlite3_int64 id;
	char *cause = NULL;

	if (!domain_slug_valid(slug))
		return reply_fail(rep, 1, "bad actor slug \"%.60s\": use 1 to 48 of a-z, 0-9 and -",
		    slug);
	if (check_fields(req, rep) == -1)
		return -1;
	switch (entity_find_actor(ikd, slug, &id, &cause)) {
	case -1:
		return reply_cause(rep, 1, cause);
	case 1:
		return reply_fail(rep, 1, "actor \"%s\" already exists", slug);
	}
	if (store_exec(ikd->store, &cause, "INSERT INTO actor (slug, name, email, org, salutation, "
	    "title, family_name, created_at, updated_at) VALUES (?, ?, ?, ?, "
	    "coalesce(?, 'neutral'), coalesce(?, ''), nullif(?, ''), ?, ?)", "tttttttii", slug,
	    name, email, org ? org : "", args_get(req->args, "salutation"),
	    args_get(req->args, "title"), args_get(req->args, "family-name"), (sqlite3_int64)now,
	    (sqlite3_int64)now) == -1)
		return reply_cause(rep, 1, cause);
	id = store_last_id(ikd->store);
	if (args_get(req->args, "reminders") != NULL && store_exec(ikd->store, &cause,
	    "UPDATE actor SET reminders = ? WHERE id = ?", "ti", args_get(req->args, "reminders"),
	    id) == -1)
		return reply_cause(rep, 1, cause);
	if (set_roles(req, rep, id) == -1)
		return -1;
	if (store_audit(ikd->store, &cause, req->peer.uid, "add", "actor", id, slug) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = entity_actor(ikd, id, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
actor_list(struct request *req, struct reply *rep)
{
	const char *slug = args_get(req->args, "committee");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 cid = 0;
	char *cause = NULL;

	if (slug != NULL && entity_committee_id(ikd, slug, &cid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = entity_list(ikd, entity_actor, &cause, "SELECT a.id FROM actor a "
	    "WHERE ?1 = 0 OR EXISTS (SELECT 1 FROM membership m WHERE m.actor_id = a.id AND "
	    "m.committee_id = ?1) ORDER BY a.slug", "i", cid)) == NULL)
		return reply_cause(rep, 1, cause);
	reply_columns(rep, "id slug name email org roles");
	return 0;
}

static int
actor_show(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id;
	char *cause = NULL;
	json_t *obj;

	if (entity_actor_id(ikd, args_pos(req->args, 0), &id, &cause) == -1 ||
	    (obj = entity_actor(ikd, id, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	if (entity_attach(obj, "committees", store_get_rows(ikd->store, &cause, "SELECT "
	    "c.slug AS committee, c.name, m.role FROM membership m JOIN committee c ON "
	    "c.id = m.committee_id WHERE m.actor_id = ? ORDER BY c.slug", "i", id)) == -1 ||
	    entity_attach(obj, "submissions", entity_list(ikd, entity_submission, &cause,
	    "SELECT id FROM submission WHERE owner_id = ? ORDER BY id", "i", id)) == -1) {
		json_decref(obj);
		return reply_cause(rep, 1, cause);
	}
	rep->data = obj;
	return 0;
}

static int
actor_edit(struct request *req, struct reply *rep)
{
	const char *slug = args_pos(req->args, 0);
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id;
	char *cause = NULL;

	if (entity_actor_id(ikd, slug, &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (req->args->nopt == 0)
		return reply_fail(rep, 2, "actor edit needs --name, --email, --org, --role, "
		    "--reminders, --salutation, --title or --family-name");
	if (check_fields(req, rep) == -1)
		return -1;
	if (store_exec(ikd->store, &cause, "UPDATE actor SET name = coalesce(?1, name), "
	    "email = coalesce(?2, email), org = coalesce(?3, org), "
	    "reminders = coalesce(?4, reminders), salutation = coalesce(?5, salutation), "
	    "title = coalesce(?6, title), family_name = CASE WHEN ?7 IS NULL THEN family_name "
	    "ELSE nullif(?7, '') END, updated_at = ?8 WHERE id = ?9",
	    "tttttttii", args_get(req->args, "name"), args_get(req->args, "email"),
	    args_get(req->args, "org"), args_get(req->args, "reminders"),
	    args_get(req->args, "salutation"), args_get(req->args, "title"),
	    args_get(req->args, "family-name"), (sqlite3_int64)time(NULL), id) == -1)
		return reply_cause(rep, 1, cause);
	if (args_has(req->args, "role") && set_roles(req, rep, id) == -1)
		return -1;
	if (store_audit(ikd->store, &cause, req->peer.uid, "edit", "actor", id, slug) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = entity_actor(ikd, id, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

/*
 * What an actor is responsible for or invited to, kind by kind: how to
 * name the records (list_sql, ?1 the actor), how to hand them over to
 * another actor (move_sql, ?1 from, ?2 to) and what --force removes with
 * the actor (force_sql, NULL: the rows go with the actor by the schema).
 */
static const struct actor_reference {
	const char	*kind;
	const char	*list_sql;
	const char	*move_sql;
	const char	*force_sql;
} references[] = {
	{ "submissions",
	  "SELECT printf('submission %d \"%s\"', id, title) FROM submission WHERE owner_id = ?1 "
	  "ORDER BY id",
	  "UPDATE submission SET owner_id = ?2, updated_at = strftime('%s', 'now') "
	  "WHERE owner_id = ?1",
	  "DELETE FROM submission WHERE owner_id = ?1" },
	{ "measures",
	  "SELECT printf('measure %d \"%s\"', id, title) FROM measure WHERE owner_id = ?1 "
	  "ORDER BY id",
	  "UPDATE measure SET owner_id = ?2, sequence = sequence + 1, "
	  "updated_at = strftime('%s', 'now') WHERE owner_id = ?1",
	  "DELETE FROM measure WHERE owner_id = ?1" },
	{ "evaluations",
	  "SELECT printf('evaluation %d \"%s\"', id, title) FROM evaluation WHERE owner_id = ?1 "
	  "ORDER BY id",
	  "UPDATE evaluation SET owner_id = ?2, sequence = sequence + 1, "
	  "updated_at = strftime('%s', 'now') WHERE owner_id = ?1",
	  "DELETE FROM evaluation WHERE owner_id = ?1" },
	{ "processes",
	  "SELECT printf('process %s', slug) FROM process WHERE owner_id = ?1 ORDER BY id",
	  "UPDATE process SET owner_id = ?2, updated_at = strftime('%s', 'now') "
	  "WHERE owner_id = ?1",
	  NULL },
	{ "steps",
	  "SELECT printf('step %d of process %s', s.n, p.slug) FROM step_owner o JOIN "
	  "process_step s ON s.id = o.step_id JOIN process p ON p.id = s.process_id "
	  "WHERE o.actor_id = ?1 ORDER BY p.slug, s.n",
	  "INSERT OR IGNORE INTO step_owner (step_id, actor_id) SELECT step_id, ?2 FROM "
	  "step_owner WHERE actor_id = ?1",
	  NULL },
	{ "events",
	  "SELECT printf('event %d \"%s\"', e.id, e.title) FROM event_invitee i JOIN event e ON "
	  "e.id = i.event_id WHERE i.actor_id = ?1 ORDER BY e.id",
	  "INSERT OR IGNORE INTO event_invitee (event_id, actor_id) SELECT event_id, ?2 FROM "
	  "event_invitee WHERE actor_id = ?1",
	  NULL },
	{ "windows",
	  "SELECT printf('window %d \"%s\"', w.id, w.title) FROM window_audience a JOIN "
	  "feedback_window w ON w.id = a.window_id WHERE a.actor_id = ?1 ORDER BY w.id",
	  "INSERT INTO window_audience (window_id, actor_id) SELECT DISTINCT window_id, ?2 "
	  "FROM window_audience a WHERE actor_id = ?1 AND NOT EXISTS (SELECT 1 FROM "
	  "window_audience b WHERE b.window_id = a.window_id AND b.actor_id = ?2)",
	  NULL },
};
#define NREFERENCES	(sizeof(references) / sizeof(references[0]))
#define NAMED_MAX	20	/* records the refusal names */

/* The records that refer to the actor: their names (at most NAMED_MAX)
 * into b, their number into counts; the total or -1. */
static int
referring(struct ikond *ikd, sqlite3_int64 id, struct buf *b, json_int_t *counts,
    char **cause)
{
	json_t *names, *v;
	size_t k, i;
	int total = 0;

	for (k = 0; k < NREFERENCES; k++) {
		if ((names = store_get_column(ikd->store, cause, references[k].list_sql, "i", id))
		    == NULL)
			return -1;
		counts[k] = (json_int_t)json_array_size(names);
		json_array_foreach(names, i, v) {
			if (total < NAMED_MAX)
				buf_printf(b, "%s%s", total ? ", " : "", json_string_value(v));
			total++;
		}
		json_decref(names);
	}
	if (total > NAMED_MAX)
		buf_printf(b, " and %d more", total - NAMED_MAX);
	buf_add_char(b, '\0');
	return total;
}

/* Hands everything over to actor to, also the seats in committees. */
static int
reassign(struct ikond *ikd, sqlite3_int64 id, sqlite3_int64 to, json_int_t *seats,
    char **cause)
{
	size_t k;
	int n;

	for (k = 0; k < NREFERENCES; k++)
		if (store_exec(ikd->store, cause, references[k].move_sql, "ii", id, to) == -1)
			return -1;
	if ((n = store_exec(ikd->store, cause, "INSERT OR IGNORE INTO membership (actor_id, "
	    "committee_id, role) SELECT ?2, committee_id, role FROM membership WHERE "
	    "actor_id = ?1", "ii", id, to)) == -1)
		return -1;
	*seats = n;
	return 0;
}

static int
force_remove(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	size_t k;

	for (k = 0; k < NREFERENCES; k++)
		if (references[k].force_sql != NULL &&
		    store_exec(ikd->store, cause, references[k].force_sql, "i", id) == -1)
			return -1;
	return 0;
}

static int
actor_remove(struct request *req, struct reply *rep)
{
	const char *slug = args_pos(req->args, 0), *heir = args_get(req->args, "reassign-to");
	struct ikond *ikd = req->ikd;
	json_int_t counts[NREFERENCES], seats = 0;
	sqlite3_int64 id, to = 0;
	json_t *what;
	char *cause = NULL;
	struct buf names;
	size_t k;
	int total;

	if (entity_actor_id(ikd, slug, &id, &cause) == -1 ||
	    (heir != NULL && entity_actor_id(ikd, heir, &to, &cause) == -1))
		return reply_cause(rep, 1, cause);
	if (to == id)
		return reply_fail(rep, 1, "--reassign-to names the actor being removed");
	if (heir != NULL && args_has(req->args, "force"))
		return reply_fail(rep, 2, "give --reassign-to or --force, not both");
	buf_init(&names);
	if ((total = referring(ikd, id, &names, counts, &cause)) == -1) {
		buf_free(&names);
		return reply_cause(rep, 1, cause);
	}
	if (total > 0 && heir == NULL && !args_has(req->args, "force")) {
		reply_fail(rep, 1, "actor \"%s\" is still responsible for or invited to: %s; "
		    "nothing removed (hand them over with --reassign-to ACTOR, or use --force to "
		    "remove the submissions, measures and evaluations too)", slug, names.data);
		buf_free(&names);
		return -1;
	}
	buf_free(&names);
	if ((heir != NULL ? reassign(ikd, id, to, &seats, &cause) :
	    force_remove(ikd, id, &cause)) == -1 ||
	    store_exec(ikd->store, &cause, "DELETE FROM feed WHERE kind = 'actor' AND "
	    "target_id = ?", "i", id) == -1 ||
	    store_exec(ikd->store, &cause, "DELETE FROM actor WHERE id = ?", "i", id) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "remove", "actor", id, slug) == -1)
		return reply_cause(rep, 1, cause);
	what = json_object();
	buf_init(&names);
	for (k = 0; k < NREFERENCES; k++) {
		json_object_set_new(what, references[k].kind, json_integer(counts[k]));
		if (counts[k] > 0)
			buf_printf(&names, ", %s %lld", references[k].kind, (long long)counts[k]);
	}
	if (heir != NULL) {
		json_object_set_new(what, "memberships", json_integer(seats));
		if (seats > 0)
			buf_printf(&names, ", memberships %lld", (long long)seats);
		rep->data = json_pack("{s:s, s:s, s:o}", "removed", slug, "reassigned_to", heir,
		    "moved", what);
	} else
		rep->data = json_pack("{s:s, s:n, s:o}", "removed", slug, "reassigned_to",
		    "removed_with", what);
	buf_add_char(&names, '\0');
	if (names.len == 1)
		xasprintf(&rep->text, "removed actor %s", slug);
	else if (heir != NULL)
		xasprintf(&rep->text, "removed actor %s; handed over to %s:%s", slug, heir,
		    names.data + 1);
	else
		xasprintf(&rep->text, "removed actor %s and what referred to it:%s", slug,
		    names.data + 1);
	buf_free(&names);
	return 0;
}

static int
actor_join(struct request *req, struct reply *rep)
{
	const char *slug = args_pos(req->args, 0), *cslug = args_get(req->args, "committee");
	const char *role = args_get(req->args, "role");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id, cid;
	char *cause = NULL;

	if (entity_actor_id(ikd, slug, &id, &cause) == -1 ||
	    entity_committee_id(ikd, cslug, &cid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (role != NULL && !domain_text_valid(role, 80, false))
		return reply_fail(rep, 1, "--role must be 1 to 80 bytes of text");
	if (store_exec(ikd->store, &cause, "INSERT INTO membership (actor_id, committee_id, role) "
	    "VALUES (?1, ?2, coalesce(?3, 'Mitglied')) ON CONFLICT (actor_id, committee_id) "
	    "DO UPDATE SET role = coalesce(?3, role)", "iit", id, cid, role) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "join", "actor", id, cslug) == -1)
		return reply_cause(rep, 1, cause);
	rep->data = json_pack("{s:s, s:s, s:s}", "actor", slug, "committee", cslug, "role",
	    role ? role : "Mitglied");
	return 0;
}

static int
actor_leave(struct request *req, struct reply *rep)
{
	const char *slug = args_pos(req->args, 0), *cslug = args_get(req->args, "committee");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id, cid;
	char *cause = NULL;
	int n;

	if (entity_actor_id(ikd, slug, &id, &cause) == -1 ||
	    entity_committee_id(ikd, cslug, &cid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	n = store_exec(ikd->store, &cause, "DELETE FROM membership WHERE actor_id = ? AND "
	    "committee_id = ?", "ii", id, cid);
	if (n == -1)
		return reply_cause(rep, 1, cause);
	if (n == 0)
		return reply_fail(rep, 1, "actor \"%s\" has no seat in \"%s\"", slug, cslug);
	if (store_audit(ikd->store, &cause, req->peer.uid, "leave", "actor", id, cslug) == -1)
		return reply_cause(rep, 1, cause);
	rep->data = json_pack("{s:s, s:s}", "actor", slug, "left", cslug);
	return 0;
}

const struct handler actor_handlers[] = {
	{ "actor add", actor_add },
	{ "actor list", actor_list },
	{ "actor show", actor_show },
	{ "actor edit", actor_edit },
	{ "actor remove", actor_remove },
	{ "actor join", actor_join },
	{ "actor leave", actor_leave },
	{ NULL, NULL },
};
