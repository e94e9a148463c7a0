/*
 * cmd_feed: the "feed" commands, which hand out, list, rotate and revoke
 * the secret feed URLs, and "export", which writes a feed to stdout.  A
 * token is shown once, when it is made; the store keeps only its SHA-256,
 * so a lost URL is replaced by rotating, never recovered.
 */
#include <string.h>
#include <time.h>

#include "dispatch.h"
#include "entity.h"
#include "feed.h"
#include "timefmt.h"
#include "xmalloc.h"

/* Which of --actor, --committee, --process, --all was given (exactly one). */
static int
target_option(struct request *req, struct reply *rep, enum feed_kind *kind,
    sqlite3_int64 *id)
{
	static const char *const opts[] = { "all", "actor", "committee", "process" };
	char *cause = NULL;
	size_t i, given = 0;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (args_has(req->args, opts[i])) {
			given++;
			*kind = (enum feed_kind)i;
		}
	}
	if (given != 1)
		return reply_fail(rep, 2, "%s needs exactly one of --actor SLUG, --committee SLUG, "
		    "--process SLUG or --all", req->args->cmd->name);
	if (feed_target_id(req->ikd, *kind, args_get(req->args, opts[*kind]), id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	return 0;
}

/* The slug of a feed's target in *slug ("-" for all, a note if it was
 * removed).  0 or -1. */
static int
target_slug(struct ikond *ikd, const char *kind, sqlite3_int64 id, char **slug, char **cause)
{
	const char *sql = NULL;

	if (strcmp(kind, "actor") == 0)
		sql = "SELECT slug FROM actor WHERE id = ?";
	else if (strcmp(kind, "committee") == 0)
		sql = "SELECT slug FROM committee WHERE id = ?";
	else if (strcmp(kind, "process") == 0)
		sql = "SELECT slug FROM process WHERE id = ?";
	if (sql == NULL) {
		*slug = xstrdup("-");
		return 0;
	}
	switch (store_get_text(ikd->store, cause, slug, sql, "i", id)) {
	case -1:
		return -1;
	case 0:
		xasprintf(slug, "(removed %s %lld)", kind, (long long)id);
		break;
	}
	return 0;
}

/* The reply for a new or rotated token: its URLs, shown this once. */
static void
token_reply(struct request *req, struct reply *rep, sqlite3_int64 id, const char *kind,
    const char *target, const char *token)
{
	char *url, *webcal, *page;

	feed_urls(req->cfg, token, &url, &webcal);
	xasprintf(&page, "%.*s" FEED_PAGE_SUFFIX, (int)(strlen(url) - strlen(FEED_PATH_SUFFIX)),
	    url);
	rep->data = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)id,
	    "kind", kind, "target", target, "url", url, "webcal", webcal, "page", page,
	    "token", token);
	xasprintf(&rep->text, "feed %lld (%s %s):\n  %s\n  %s\nweb page: %s\nThe address is "
	    "shown only now; ikond keeps no copy of it.  \"ikond-ctl feed rotate %lld\" makes a "
	    "new one.", (long long)id, kind, target, url, webcal, page, (long long)id);
	free(url);
	free(webcal);
	free(page);
}

static int
feed_add(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	enum feed_kind kind = FEED_ALL;
	sqlite3_int64 target = 0, id;
	unsigned char hash[FEED_HASH_LEN];
	char token[FEED_TOKEN_CHARS + 1], *cause = NULL, *slug;
	time_t now = time(NULL);

	if (target_option(req, rep, &kind, &target) == -1)
		return -1;
	if (target_slug(ikd, feed_kind_name(kind), target, &slug, &cause) == -1)
		return reply_cause(rep, 1, cause);
	feed_token_new(token, hash);
	/* The feed of everything has no target: target is 0, stored as NULL. */
	if (store_exec(ikd->store, &cause, "INSERT INTO feed (kind, target_id, token_hash, "
	    "created_at) VALUES (?, nullif(?, 0), ?, ?)", "tibi", feed_kind_name(kind), target,
	    hash, (size_t)FEED_HASH_LEN, (sqlite3_int64)now) == -1)
		goto fail;
	id = store_last_id(ikd->store);
	if (store_audit(ikd->store, &cause, req->peer.uid, "add", "feed", id, slug) == -1)
		goto fail;
	token_reply(req, rep, id, feed_kind_name(kind), slug, token);
	free(slug);
	explicit_bzero(token, sizeof(token));
	return 0;
fail:
	explicit_bzero(token, sizeof(token));
	free(slug);
	return reply_cause(rep, 1, cause);
}

static json_t *
time_or_null(const char *tz, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	return timefmt_iso_json(tz, (time_t)sqlite3_column_int64(st, col));
}

static int
feed_list(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	const char *tz = req->cfg->body_timezone;
	char *cause = NULL, *slug;
	sqlite3_stmt *st;
	json_t *list, *obj;
	int rc;

	if ((st = store_query(ikd->store, &cause, "SELECT id, kind, coalesce(target_id, 0), "
	    "created_at, rotated_at, revoked_at FROM feed ORDER BY id", "")) == NULL)
		return reply_cause(rep, 1, cause);
	list = json_array();
	while ((rc = store_next(ikd->store, st, &cause)) == 1) {
		if ((rc = target_slug(ikd, (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_int64(st, 2), &slug, &cause)) == -1)
			break;
		obj = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "kind", (const char *)sqlite3_column_text(st, 1), "target", slug,
		    "created", time_or_null(tz, st, 3), "rotated", time_or_null(tz, st, 4),
		    "revoked", time_or_null(tz, st, 5));
		json_array_append_new(list, obj);
		free(slug);
	}
	store_done(ikd->store, st);
	if (rc == -1) {
		json_decref(list);
		return reply_cause(rep, 1, cause);
	}
	rep->data = list;
	reply_columns(rep, "id kind target created rotated revoked");
	return 0;
}

/* The feed row named by the first positional; fails if it does not exist or is revoked. */
static int
live_feed(struct request *req, struct reply *rep, sqlite3_int64 *id, char **kind,
    sqlite3_int64 *target)
{
	struct ikond *ikd = req->ikd;
	char *cause = NULL;
	sqlite3_stmt *st;
	int found = 0;

	if (entity_parse_id("feed", args_pos(req->args, 0), id, &cause) == -1)
		return reply_cause(rep, 2, cause);
	switch (store_first(ikd->store, &cause, &st, "SELECT kind, coalesce(target_id, 0), "
	    "revoked_at IS NOT NULL FROM feed WHERE id = ?", "i", *id)) {
	case -1:
		return reply_cause(rep, 1, cause);
	case 1:
		found = sqlite3_column_int(st, 2) ? 2 : 1;
		*kind = store_column_dup(st, 0);
		*target = sqlite3_column_int64(st, 1);
		store_done(ikd->store, st);
		break;
	}
	if (found == 0)
		return reply_fail(rep, 1, "no feed %s (see: ikond-ctl feed list)",
		    args_pos(req->args, 0));
	if (found == 2) {
		free(*kind);
		return reply_fail(rep, 1, "feed %s is revoked; add a new one with ikond-ctl feed add",
		    args_pos(req->args, 0));
	}
	return 0;
}

static int
feed_rotate(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id, target;
	unsigned char hash[FEED_HASH_LEN];
	char token[FEED_TOKEN_CHARS + 1], *kind, *slug, *cause = NULL;

	if (live_feed(req, rep, &id, &kind, &target) == -1)
		return -1;
	if (target_slug(ikd, kind, target, &slug, &cause) == -1) {
		free(kind);
		return reply_cause(rep, 1, cause);
	}
	feed_token_new(token, hash);
	if (store_exec(ikd->store, &cause, "UPDATE feed SET token_hash = ?, rotated_at = ? "
	    "WHERE id = ?", "bii", hash, (size_t)FEED_HASH_LEN, (sqlite3_int64)time(NULL), id) == -1 ||
	    store_audit(ikd->store, &cause, req->peer.uid, "rotate", "feed", id, NULL) == -1) {
		explicit_bzero(token, sizeof(token));
		free(slug);
		free(kind);
		return reply_cause(rep, 1, cause);
	}
	token_reply(req, rep, id, kind, slug, token);
	explicit_bzero(token, sizeof(token));
	free(slug);
	free(kind);
	return 0;
}

static int
feed_revoke(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id, target;
	char *kind, *cause = NULL;

	if (live_feed(req, rep, &id, &kind, &target) == -1)
		return -1;
	free(kind);
	if (store_exec(ikd->store, &cause, "UPDATE feed SET revoked_at = ? WHERE id = ?", "ii",
	    (sqlite3_int64)time(NULL), id) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "revoke", "feed", id, NULL) == -1)
		return reply_cause(rep, 1, cause);
	rep->data = json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1);
	xasprintf(&rep->text, "feed %lld revoked: its address now answers 404", (long long)id);
	return 0;
}

static int
feed_export(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	enum feed_kind kind = FEED_ALL;
	sqlite3_int64 target = 0;
	char *cause = NULL, *body;
	size_t len;
	time_t lm;

	if (target_option(req, rep, &kind, &target) == -1)
		return -1;
	body = feed_build(ikd, kind, target, timefmt_local_day(req->cfg->body_timezone,
	    time(NULL)), &len, &lm, &cause);
	if (body == NULL)
		return reply_cause(rep, 1, cause);
	rep->text = body;
	return 0;
}

const struct handler feed_handlers[] = {
	{ "feed add", feed_add },
	{ "feed list", feed_list },
	{ "feed rotate", feed_rotate },
	{ "feed revoke", feed_revoke },
	{ "export", feed_export },
	{ NULL, NULL },
};
