/*
 * local: "holidays" and "deadline calc" inside ikond-ctl (see local.h).
 * Named rules and the default Land come from the configuration file when
 * it is readable, else from the embedded defaults.
 */
#include "local.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civil.h"
#include "config.h"
#include "holiday.h"
#include "rule.h"
#include "workcal.h"
#include "xmalloc.h"

static struct config *
readable_config(void)
{
	const char *path = getenv("IKOND_CONFIG");
	char *errors = NULL;
	struct config *cfg = NULL;

	if (path == NULL && access(config_default_path(), R_OK) == 0)
		path = config_default_path();
	if (path != NULL)
		cfg = config_load(path, &errors);
	free(errors);
	if (cfg == NULL)
		cfg = config_load(NULL, &errors);
	free(errors);
	return cfg;
}

static int
land_arg(struct request *req, struct reply *rep, const struct config *cfg, const char **land)
{
	*land = args_get(req->args, "land");
	if (*land == NULL)
		*land = cfg != NULL ? cfg->body_land : "NI";
	if (!holiday_land_valid(*land))
		return reply_fail(rep, 2, "unknown Land \"%.8s\"; valid: %s", *land,
		    holiday_land_codes());
	return 0;
}

static int
local_holidays(struct request *req, struct reply *rep)
{
	const char *year = args_get(req->args, "year"), *from = args_get(req->args, "from");
	const char *to = args_get(req->args, "to"), *land;
	struct config *cfg = readable_config();
	struct holiday *list = NULL;
	int d_from, d_to, y, n, i;
	char *cause = NULL, *end, date[11];
	json_t *obj;

	if (land_arg(req, rep, cfg, &land) == -1)
		goto fail;
	if (year != NULL && (from != NULL || to != NULL)) {
		reply_fail(rep, 2, "give either --year or --from and --to");
		goto fail;
	}
	if ((from == NULL) != (to == NULL)) {
		reply_fail(rep, 2, "--from and --to go together");
		goto fail;
	}
	if (from != NULL) {
		if (civil_parse_date(from, &d_from, &cause) == -1 ||
		    civil_parse_date(to, &d_to, &cause) == -1) {
			reply_cause(rep, 2, cause);
			goto fail;
		}
		if (d_to < d_from) {
			reply_fail(rep, 2, "--to is before --from");
			goto fail;
		}
	} else {
		if (year != NULL) {
			y = (int)strtol(year, &end, 10);
			if (*year == '\0' || *end != '\0') {
				reply_fail(rep, 2, "--year \"%.16s\" is not a year", year);
				goto fail;
			}
		} else {
			int today;

			/* This year on the body's wall clock, not the machine's. */
			if (civil_from_utc(cfg != NULL ? cfg->body_timezone : "Europe/Berlin",
			    time(NULL), &today, NULL, NULL) == -1) {
				reply_fail(rep, 1, "cannot tell today's date; give --year");
				goto fail;
			}
			civil_date_from_days(today, &y, NULL, NULL);
		}
		if (y < HOLIDAY_FIRST_YEAR || y > HOLIDAY_LAST_YEAR) {
			reply_fail(rep, 1, "--year %d is outside %d..%d", y, HOLIDAY_FIRST_YEAR,
			    HOLIDAY_LAST_YEAR);
			goto fail;
		}
		d_from = civil_days_from_date(y, 1, 1);
		d_to = civil_days_from_date(y, 12, 31);
	}
	n = holiday_list(land, d_from, d_to, NULL, 0, &cause);
	if (n == -1) {
		reply_cause(rep, 1, cause);
		goto fail;
	}
	if (n > 0) {
		list = xcalloc((size_t)n, sizeof(*list));
		holiday_list(land, d_from, d_to, list, (size_t)n, NULL);
	}
	rep->data = json_array();
	for (i = 0; i < n; i++) {
		civil_format_date(list[i].days, date);
		obj = json_pack("{s:s, s:s}", "date", date, "name", list[i].name);
		if (!req->json)
			json_object_set_new(obj, "day", json_string(civil_weekday_abbrev(list[i].days)));
		json_array_append_new(rep->data, obj);
	}
	reply_columns(rep, "date day name");
	free(list);
	config_free(cfg);
	return 0;
fail:
	config_free(cfg);
	return -1;
}

static int
local_deadline_calc(struct request *req, struct reply *rep)
{
	const char *anchor_text = args_get(req->args, "anchor"), *text = args_get(req->args, "rule");
	struct config *cfg = readable_config();
	const char *zone = cfg != NULL ? cfg->body_timezone : "Europe/Berlin";
	const struct named_rule *nr;
	struct civil_moment anchor;
	struct rule_result res;
	struct workcal *wc = NULL;
	struct rule rule;
	const char *land;
	char *cause = NULL, date[11], tm[16];
	time_t at;
	int rc = -1;

	memset(&res, 0, sizeof(res));
	if (land_arg(req, rep, cfg, &land) == -1)
		goto out;
	/* A time of day must exist on the body's wall clock, as in the daemon. */
	if (civil_parse_moment(anchor_text, &anchor, &cause) == -1 ||
	    (anchor.minute != CIVIL_NO_TIME && civil_to_utc_strict(zone, anchor.days,
	    anchor.minute, &at, &cause) == -1)) {
		reply_cause(rep, 2, cause);
		goto out;
	}
	if (rule_parse(text, &rule, &cause) == -1) {
		if (cfg == NULL || (nr = config_rule(cfg, text, NULL)) == NULL) {
			reply_cause(rep, 2, cause);
			goto out;
		}
		free(cause);
		cause = NULL;
		rule = nr->rule;
	}
	/* The configured local days off count only for the configured Land. */
	if ((wc = workcal_new(land, &cause)) == NULL) {
		reply_cause(rep, 1, cause);
		goto out;
	}
	if (rule_apply(&rule, cfg != NULL && strcmp(land, cfg->body_land) == 0 ?
	    cfg->workcal : wc, anchor, &res, &cause) == -1 ||
	    rule_result_in_zone(&res, zone, &cause) == -1) {
		reply_cause(rep, 1, cause);
		goto out;
	}
	rep->data = json_deep_copy(res.derivation);
	civil_format_date(res.due.days, date);
	json_object_set_new(rep->data, "date", json_string(date));
	if (res.due.minute != CIVIL_NO_TIME) {
		snprintf(tm, sizeof(tm), "%02d:%02d", res.due.minute / 60, res.due.minute % 60);
		json_object_set_new(rep->data, "time", json_string(tm));
	}
	json_object_set_new(rep->data, "weekday", json_string(civil_weekday_abbrev(res.due.days)));
	json_object_set_new(rep->data, "land", json_string(land));
	json_object_set_new(rep->data, "explanation", json_string(res.explanation));
	rep->text = xstrdup(res.explanation);
	rc = 0;
out:
	rule_result_clear(&res);
	workcal_free(wc);
	config_free(cfg);
	return rc;
}

const struct handler local_handlers[] = {
	{ "holidays", local_holidays },
	{ "deadline calc", local_deadline_calc },
	{ NULL, NULL },
};
