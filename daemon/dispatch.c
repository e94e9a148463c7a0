/*
 * dispatch: authorisation and the table of command handlers (see
 * dispatch.h).  A request's command is found once; the peer's permission
 * is checked before its arguments are parsed and its handler runs.  A
 * mutating command runs in one transaction: either all of its changes are
 * committed, or none.
 */
#include "dispatch.h"

#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgjob.h"
#include "cmdtab.h"
#include "i18n.h"
#include "log.h"
#include "proto.h"
#include "xmalloc.h"

static const struct handler *const tables[] = {
	daemon_handlers,
	committee_handlers,
	session_handlers,
	actor_handlers,
	submission_handlers,
	deadline_handlers,
	mail_handlers,
	process_handlers,
	window_handlers,
	measure_handlers,
	evaluation_handlers,
	agenda_handlers,
	feed_handlers,
	import_handlers,
	draft_handlers,
	event_handlers,
	NULL,
};

static bool
in_group_list(const struct config *cfg, gid_t gid)
{
	size_t i;

	for (i = 0; i < cfg->n_allow_gids; i++)
		if (cfg->allow_gids[i] == gid)
			return true;
	return false;
}

bool
dispatch_may_change(const struct config *cfg, const struct peer *peer)
{
	struct passwd pw, *res = NULL;
	char pwbuf[4096];
	gid_t groups[256];
	int ngroups = 256, i;
	size_t k;

	if (peer->uid == 0 || peer->uid == geteuid())
		return true;
	for (k = 0; k < cfg->n_allow_uids; k++)
		if (cfg->allow_uids[k] == peer->uid)
			return true;
	if (cfg->n_allow_gids == 0)
		return false;
	if (in_group_list(cfg, peer->gid))
		return true;
	if (getpwuid_r(peer->uid, &pw, pwbuf, sizeof(pwbuf), &res) != 0 || res == NULL)
		return false;
	if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &ngroups) == -1)
		return false;
	for (i = 0; i < ngroups; i++)
		if (in_group_list(cfg, groups[i]))
			return true;
	return false;
}

void
dispatch_check_table(void)
{
	size_t i;

	for (i = 0; cmdtab[i].name != NULL; i++)
		if (!(cmdtab[i].flags & CMD_LOCAL) && command_handler(tables, &cmdtab[i]) == NULL)
			fatalx("command \"%s\" has no handler", cmdtab[i].name);
}

/* The handler of cmd, if the daemon has one and the peer may run it. */
static handler_fn
allowed_handler(const struct config *cfg, const struct peer *peer, const struct cmd_spec *cmd,
    struct reply *rep)
{
	handler_fn fn;

	if ((fn = command_handler(tables, cmd)) == NULL) {
		reply_fail(rep, 1, "\"%s\" is not handled here", cmd->name);
		return NULL;
	}
	if ((cmd->flags & CMD_MUTATING) && !dispatch_may_change(cfg, peer)) {
		reply_fail(rep, 1, "permission denied: uid %u may not run \"%s\" "
		    "(see control.allow_users and control.allow_groups)",
		    (unsigned)peer->uid, cmd->name);
		return NULL;
	}
	return fn;
}

/* Runs the handler; a mutating command inside one transaction, unless it
 * runs its own. */
static void
run(struct ikond *ikd, const struct request *base, const struct cmd_spec *cmd, handler_fn fn,
    char *const *argv, int argc, struct reply *rep)
{
	bool txn = (cmd->flags & CMD_MUTATING) && !(cmd->flags & CMD_OWN_TXN);
	char *cause = NULL;

	if (txn && store_begin(ikd->store, &cause) == -1) {
		reply_cause(rep, 1, cause);
		return;
	}
	command_run(base, cmd, fn, argv, argc, rep);
	if (!txn)
		return;
	if (rep->status != 0)
		store_rollback(ikd->store);
	else if (store_commit(ikd->store, &cause) == -1) {
		bgjob_free(rep->pending);
		reply_clear(rep);
		reply_cause(rep, 1, cause);
	} else
		ikond_data_changed(ikd);
}

json_t *
dispatch_request(struct ikond *ikd, const struct peer *peer, json_t *req,
    struct bgjob **pending)
{
	json_t *argv_json = json_object_get(req, "argv"), *input, *out;
	const char *lang = json_string_value(json_object_get(req, "lang"));
	locale_t loc = (locale_t)0, global = (locale_t)0;
	struct request base;
	struct reply rep;
	char *argv[PROTO_MAX_ARGS];
	size_t i, argc;
	const struct cmd_spec *cmd;
	handler_fn fn;
	int used;

	argc = json_array_size(argv_json);
	for (i = 0; i < argc; i++)
		argv[i] = (char *)json_string_value(json_array_get(argv_json, i));
	memset(&base, 0, sizeof(base));
	base.ikd = ikd;
	base.cfg = ikd->cfg;
	base.peer = *peer;
	base.json = json_is_true(json_object_get(req, "json"));
	if ((input = json_object_get(req, "input")) != NULL) {
		base.input = json_string_value(input);
		base.input_len = json_string_length(input);
	}
	ikd->requests++;
	/* The reply in the client's language: messages are translated on this
	 * thread only, for this request. */
	if (lang != NULL && (loc = i18n_locale(lang)) != (locale_t)0)
		global = uselocale(loc);
	memset(&rep, 0, sizeof(rep));
	if ((cmd = command_find(argv, (int)argc, &used, &rep)) != NULL &&
	    (fn = allowed_handler(ikd->cfg, peer, cmd, &rep)) != NULL)
		run(ikd, &base, cmd, fn, argv + used, (int)argc - used, &rep);
	if (loc != (locale_t)0) {
		uselocale(global);
		freelocale(loc);
	}
	/* The error went out in the client's language; the log stays English. */
	if (rep.status != 0)
		log_debug("uid %u: %s: status %d%s%s", (unsigned)peer->uid, cmd ? cmd->name : "?",
		    rep.status, loc == (locale_t)0 && rep.error ? ": " : "",
		    loc == (locale_t)0 && rep.error ? rep.error : "");
	*pending = NULL;
	if (rep.status == 0 && rep.pending != NULL) {
		*pending = rep.pending;
		reply_clear(&rep);
		return NULL;
	}
	bgjob_free(rep.pending);
	out = reply_to_json(&rep);
	reply_clear(&rep);
	return out;
}
