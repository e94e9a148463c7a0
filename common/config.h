/*
 * config: ikond.conf (libconfig syntax) and the embedded defaults.  Every
 * key has a default, so ikond runs with no file at all.  Loading checks the
 * whole file and reports every problem as "FILE:LINE: message"; a config
 * is only ever replaced by another one that loaded without errors.
 */
#ifndef IKOND_CONFIG_H
#define IKOND_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "duration.h"
#include "rule.h"
#include "workcal.h"

#define CONFIG_MAX_OFFSETS	16

/* The kinds of dated things that get reminders. */
enum reminder_kind {
	REMIND_SESSION,
	REMIND_DEADLINE,
	REMIND_WINDOW,
	REMIND_MEASURE,
	REMIND_EVALUATION,
	REMIND_EVENT,
	REMIND_KIND_COUNT
};

struct reminder_offsets {
	struct duration	offset[CONFIG_MAX_OFFSETS];
	size_t		n;
};

/* A named deadline rule, for all committees or for one. */
struct named_rule {
	char		*name;		/* "ladungsfrist", "verwaltungsvorlage", ... */
	char		*committee;	/* committee slug, or NULL for the default */
	struct rule	 rule;
	char		*text;		/* as written */
};

struct committee_reminders {
	char			*committee;
	struct reminder_offsets	 kind[REMIND_KIND_COUNT];
	bool			 set[REMIND_KIND_COUNT];
};

/* A pattern and what it means: in import.map and oparl.map the slug of
 * a committee, in oparl.kinds a committee kind. */
struct title_map {
	char		*pattern;
	char		*committee;
};
/* A deep copy of n entries (for a job that outlives a reload), and its end. */
struct title_map *title_map_copy(const struct title_map *map, size_t n);
void title_map_free(struct title_map *map, size_t n);

/* Evaluation dates (process.*); the steps are in the process file. */
struct process_config {
	enum rule_roll	 evaluation_roll;	/* occurrences on non-working days */
	int		 evaluation_horizon_months; /* series are shown this far ahead */
	int		 evaluation_horizon_days;
};

struct config {
	char		*path;		/* the file read, or NULL: embedded defaults */

	char		*state_dir;
	char		*control_socket;
	uid_t		*allow_uids;
	size_t		 n_allow_uids;
	gid_t		*allow_gids;
	size_t		 n_allow_gids;
	int		 control_max_clients;
	int		 control_max_clients_per_user;	/* users who may only read */
	bool		 control_group_set;	/* control.socket_group given */
	gid_t		 control_group;		/* the control socket's group */

	char		*http_listen;
	int		 http_port;
	char		*http_base_url;
	char		*http_socket;		/* a Unix socket instead of listen/port, or NULL */
	int		 http_max_connections;
	int		 http_timeout;		/* inactivity while answering */
	int		 http_request_timeout;	/* to deliver a whole request */

	char		*body_name;
	char		*body_land;
	char		*body_timezone;
	char		*body_kind;		/* german_body_kinds: "landkreis", "stadt" */
	char		*body_department;	/* the office that signs drafts, or NULL */
	char		*body_address;		/* postal address for drafts, or NULL */
	char		*body_head_name;	/* Landrätin, Bürgermeister: name, or NULL */
	char		*body_head_title;	/* and title, or NULL */
	struct workcal	*workcal;	/* Land holidays + local days off + breaks */

	struct named_rule *rules;
	size_t		 n_rules;

	char		*feeds_refresh;		/* ISO 8601 duration, e.g. "PT1H" */
	int		 feeds_alarm_minutes;	/* -1: no VALARM */

	char		*smtp_host;		/* NULL: deliver into the Maildir */
	int		 smtp_port;
	char		*smtp_starttls;		/* off | opportunistic | required */
	char		*smtp_user;
	char		*smtp_password_file;
	char		*smtp_from;
	int		 smtp_timeout;
	int		 smtp_max_attempts;
	int		 smtp_retry_seconds;
	int		 smtp_rate_count;	/* smtp.rate: messages per period, 0: unpaced */
	int		 smtp_rate_period;	/* seconds */
	int		 smtp_connections;	/* sessions with the relay at once */

	int		 remind_send_minute;	/* minute of day for whole-day offsets */
	enum rule_roll	 remind_non_working_days; /* RULE_EARLIER or RULE_KEEP */
	struct reminder_offsets	remind[REMIND_KIND_COUNT];
	struct committee_reminders *remind_committee;
	size_t		 n_remind_committee;

	char		*template_dir;		/* admin's templates, searched first */

	struct title_map *import_map;		/* import.map, in the file's order */
	size_t		 n_import_map;

	/* oparl: the OParl body kept in step on a timer (NULL: none). */
	char		*oparl_body;		/* URL of a body, or of a system with one */
	int		 oparl_interval;	/* seconds between runs */
	int		 oparl_timeout;		/* seconds for one request */
	bool		 oparl_persons;		/* persons and their seats, too */
	struct title_map *oparl_map;		/* committee slug = organisation pattern or id */
	size_t		 n_oparl_map;
	struct title_map *oparl_kinds;		/* committee kind = classification pattern */
	size_t		 n_oparl_kinds;

	struct process_config process;	/* evaluation dates */
};

/* The kinds of deadline a rule can be named for, NULL-terminated. */
extern const char *const config_rule_names[];
extern const char *const config_reminder_kind_names[];

/*
 * Checks that need the daemon's own code or its user: the sender the mail
 * composer accepts and the password file the daemon must read (the RRULEs
 * of evaluations live in process files, which procdef.c checks with the
 * planner's parser).  ikond installs them
 * before it loads a file, so that `ikond -n` and a reload refuse what would
 * fail later, each problem at its FILE:LINE; ikond-ctl loads without them.
 * Each returns 0, or -1 with *cause.
 */
struct config_checks {
	int	(*sender)(const char *text, char **cause);
	int	(*secret)(const char *path, char **cause);	/* smtp.password_file */
};
void config_set_checks(const struct config_checks *checks);

/* Loads path (NULL: embedded defaults only).  On failure returns NULL and
 * fills *errors with one "FILE:LINE: message" per line. */
struct config *config_load(const char *path, char **errors);
void config_free(struct config *cfg);

/* The rule named name for committee (falls back to the default rule). */
const struct named_rule *config_rule(const struct config *cfg, const char *name,
    const char *committee);
const struct reminder_offsets *config_reminders(const struct config *cfg,
    enum reminder_kind kind, const char *committee);

/*
 * One of several daemons on a machine (ikond@NAME.service): NAME chooses
 * the default locations below: /etc/ikond/NAME.conf, a state directory
 * and a control socket of its own (/var/lib/ikond/NAME,
 * /run/ikond/NAME/control.sock).  Letters, digits, '-' and '_', at most
 * CONFIG_INSTANCE_MAX bytes.  0, or -1 with *cause.
 */
#define CONFIG_INSTANCE_MAX	64
int config_set_instance(const char *name, char **cause);
/* The instance set, or NULL. */
const char *config_instance(void);

/* Default locations when the config says nothing (per instance, if set). */
char *config_default_state_dir(void);
char *config_default_socket(void);
const char *config_default_path(void);

#endif
