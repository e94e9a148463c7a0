/*
 * cmd_agenda: "agenda", everything due in the next days across sessions,
 * deadlines, feedback windows, measures, evaluations and process steps,
 * for everyone or for one actor: the same list the feeds and reminders
 * publish.
 */
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "civil.h"
#include "dispatch.h"
#include "entity.h"
#include "process.h"
#include "xmalloc.h"

#define DEFAULT_DAYS	30
#define MAX_DAYS	3660

static int
agenda_cmd(struct request *req, struct reply *rep)
{
	const char *actor = args_get(req->args, "actor"), *days = args_get(req->args, "days");
	const char *from = args_get(req->args, "from"), *committee = args_get(req->args, "committee");
	const char *process = args_get(req->args, "process");
	struct ikond *ikd = req->ikd;
	struct agenda_filter f;
	struct agenda *a;
	sqlite3_int64 ndays = DEFAULT_DAYS;
	char *cause = NULL;
	json_t *list, *obj, *when;
	size_t i;
	int start = process_today(ikd);

	agenda_filter_all(&f);
	if ((actor != NULL && entity_actor_id(ikd, actor, &f.actor_id, &cause) == -1) ||
	    (committee != NULL && entity_committee_id(ikd, committee, &f.committee_id,
	    &cause) == -1) ||
	    (process != NULL && process_id(ikd, process, &f.process_id, &cause) == -1))
		return reply_cause(rep, 1, cause);
	if (from != NULL && civil_parse_date(from, &start, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (days != NULL && (entity_parse_id("number of days", days, &ndays, &cause) == -1 ||
	    ndays > MAX_DAYS)) {
		free(cause);
		return reply_fail(rep, 1, "--days must be between 1 and %d", MAX_DAYS);
	}
	f.from_days = start;
	f.to_days = start + (int)ndays;
	if ((a = agenda_collect(ikd, &f, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	list = json_array();
	for (i = 0; i < a->n; i++) {
		if ((obj = agenda_item_json(ikd, &a->items[i], &cause)) == NULL) {
			json_decref(list);
			agenda_free(a);
			return reply_cause(rep, 1, cause);
		}
		when = json_object_get(obj, "date");
		if (when == NULL)
			when = json_object_get(obj, "start");
		json_object_set(obj, "when", when);
		json_array_append_new(list, obj);
	}
	agenda_free(a);
	rep->data = list;
	reply_columns(rep, "when kind title actors");
	return 0;
}

const struct handler agenda_handlers[] = {
	{ "agenda", agenda_cmd },
	{ NULL, NULL },
};
