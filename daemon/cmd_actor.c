/*
 * cmd_actor: the "actor" commands.  Actors are the people and
 * organisations ikond reminds: Fachleitungen, the Dezernent, the
 * Integrationsbeirat, welfare associations, the VHS, working-group leads.
 * They hold roles and seats in committees and own submissions.
 */
#include <string.h>
#include <time.h>

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

static int
actor_remove(struct request *req, struct reply *rep)
{
	const char *slug = args_pos(req->args, 0);
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id, owned;
	char *cause = NULL;

	if (entity_actor_id(ikd, slug, &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (store_get_int(ikd->store, &cause, &owned, "SELECT count(*) FROM submission "
	    "WHERE owner_id = ?", "i", id) == -1)
		return reply_cause(rep, 1, cause);
	if (owned > 0 && !args_has(req->args, "force"))
		return reply_fail(rep, 1, "actor \"%s\" is responsible for %lld submission(s); "
		    "nothing removed (give them another owner with submission edit, or use "
		    "--force to remove them too)", slug, (long long)owned);
	if (store_exec(ikd->store, &cause, "DELETE FROM submission WHERE owner_id = ?", "i", id)
	    == -1 ||
	    store_exec(ikd->store, &cause, "DELETE FROM actor WHERE id = ?", "i", id) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "remove", "actor", id, slug) == -1)
		return reply_cause(rep, 1, cause);
	xasprintf(&rep->text, "removed actor %s and %lld submission(s)", slug, (long long)owned);
	rep->data = json_pack("{s:s, s:I}", "removed", slug, "submissions", (json_int_t)owned);
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
