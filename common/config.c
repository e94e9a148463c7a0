/*
 * config: reads ikond.conf with libconfig, checks its shape against a
 * schema (unknown keys, wrong types) and its values (ranges, Land codes,
 * time zones, rules, durations), and builds a struct config.  All problems
 * of a file are reported together, each as "FILE:LINE: message".
 */
#include "config.h"

#include <arpa/inet.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>

#include "buf.h"
#include "civil.h"
#include "german.h"
#include "holiday.h"
#include "i18n.h"
#include "log.h"
#include "utf8.h"
#include "xmalloc.h"

const char *const config_rule_names[] = {
	"ladungsfrist", "bekanntmachung", "antragsfrist",
	"verwaltungsvorlage", "beschlussvorlage", "mitteilungsvorlage", NULL,
};

const char *const config_reminder_kind_names[] = {
	"session", "deadline", "window", "measure", "evaluation", "event", NULL,
};

/*
 * Embedded defaults for the deadline rules.  Law leaves these lead times to
 * each Geschäftsordnung; these are conservative values seen in Lower Saxony
 * (one week Ladungsfrist as in NKomVG section 59 for the constituent
 * session, motions ten days ahead) and are documented in ikond.conf(5).
 */
static const char *const default_rules[] = {
	"-7d earlier",		/* ladungsfrist */
	"-7d earlier",		/* bekanntmachung */
	"-10d earlier",		/* antragsfrist */
	"-21d earlier",		/* verwaltungsvorlage */
	"-21d earlier",		/* beschlussvorlage */
	"-14d earlier",		/* mitteilungsvorlage */
};

static const char *const default_offsets[REMIND_KIND_COUNT][5] = {
	{ "P7D", "P1D", NULL },
	{ "P14D", "P7D", "P2D", "P0D", NULL },
	{ "P7D", "P2D", NULL },
	{ "P14D", NULL },
	{ "P30D", "P7D", NULL },
	{ "P7D", "P1D", NULL },
};

enum key_type { K_STRING, K_INT, K_BOOL, K_GROUP, K_STRINGS, K_IDS, K_GROUPS, K_TEXTS };

struct key_spec {
	const char	*path;	/* "*" any name, "[]" list element, "<rule>", "<kind>" */
	enum key_type	 type;
};

static const struct key_spec schema[] = {
	{ "state_dir", K_STRING },
	{ "control_socket", K_STRING },
	{ "control", K_GROUP },
	{ "control.allow_users", K_IDS },
	{ "control.allow_groups", K_IDS },
	{ "control.max_clients", K_INT },
	{ "control.max_clients_per_user", K_INT },
	{ "control.socket_group", K_STRING },
	{ "http", K_GROUP },
	{ "http.listen", K_STRING },
	{ "http.port", K_INT },
	{ "http.base_url", K_STRING },
	{ "http.socket", K_STRING },
	{ "http.max_connections", K_INT },
	{ "http.timeout", K_INT },
	{ "http.request_timeout", K_INT },
	{ "body", K_GROUP },
	{ "body.name", K_STRING },
	{ "body.land", K_STRING },
	{ "body.timezone", K_STRING },
	{ "body.kind", K_STRING },
	{ "body.department", K_STRING },
	{ "body.address", K_STRING },
	{ "body.head_name", K_STRING },
	{ "body.head_title", K_STRING },
	{ "body.days_off", K_GROUPS },
	{ "body.days_off.[].date", K_STRING },
	{ "body.days_off.[].name", K_STRING },
	{ "body.breaks", K_GROUPS },
	{ "body.breaks.[].from", K_STRING },
	{ "body.breaks.[].to", K_STRING },
	{ "body.breaks.[].name", K_STRING },
	{ "rules", K_GROUP },
	{ "rules.<rule>", K_STRING },
	{ "rules.committee", K_GROUP },
	{ "rules.committee.*", K_GROUP },
	{ "rules.committee.*.<rule>", K_STRING },
	{ "feeds", K_GROUP },
	{ "feeds.refresh", K_STRING },
	{ "feeds.alarm_minutes", K_INT },
	{ "smtp", K_GROUP },
	{ "smtp.host", K_STRING },
	{ "smtp.port", K_INT },
	{ "smtp.starttls", K_STRING },
	{ "smtp.user", K_STRING },
	{ "smtp.password_file", K_STRING },
	{ "smtp.from", K_STRING },
	{ "smtp.timeout", K_INT },
	{ "smtp.max_attempts", K_INT },
	{ "smtp.retry_seconds", K_INT },
	{ "smtp.rate", K_STRING },
	{ "smtp.connections", K_INT },
	{ "reminders", K_GROUP },
	{ "reminders.send_time", K_STRING },
	{ "reminders.non_working_days", K_STRING },
	{ "reminders.<kind>", K_STRINGS },
	{ "reminders.committee", K_GROUP },
	{ "reminders.committee.*", K_GROUP },
	{ "reminders.committee.*.<kind>", K_STRINGS },
	{ "templates", K_GROUP },
	{ "templates.dir", K_STRING },
	{ "import", K_GROUP },
	{ "import.map", K_GROUP },
	{ "import.map.*", K_TEXTS },
	{ "oparl", K_GROUP },
	{ "oparl.body", K_STRING },
	{ "oparl.interval", K_STRING },
	{ "oparl.timeout", K_INT },
	{ "oparl.persons", K_BOOL },
	{ "oparl.map", K_GROUP },
	{ "oparl.map.*", K_TEXTS },
	{ "oparl.kinds", K_GROUP },
	{ "oparl.kinds.*", K_TEXTS },
	{ "process", K_GROUP },
	{ "process.evaluation_roll", K_STRING },
	{ "process.evaluation_horizon", K_STRING },
	{ NULL, 0 },
};

/* Keys that moved into the process file (templates/process/), and the
 * step whose field took each over. */
static const struct {
	const char	*path;
	const char	*where;
} moved_keys[] = {
	{ "process.topic_weeks", N_("weeks of step \"thema\"") },
	{ "process.backing_weeks", N_("weeks of step \"rueckhalt\"") },
	{ "process.planning_weeks", N_("weeks of step \"planung\"") },
	{ "process.decision_lead_weeks", N_("gap_weeks of step \"workshop\"") },
	{ "process.workshop_weeks", N_("weeks of step \"workshop\"") },
	{ "process.drafting_weeks", N_("weeks of step \"erarbeitung\"") },
	{ "process.alignment_weeks", N_("weeks of step \"abstimmung\" and gap_weeks of step "
	    "\"beschluss\"") },
	{ "process.feedback_weeks", N_("weeks of step \"feedback\"") },
	{ "process.publicity_weeks", N_("weeks of step \"oeffentlichkeit\"") },
	{ "process.evaluation_first_months", N_("months of step \"evaluation\"") },
	{ "process.evaluation_rrule", N_("rrule of step \"evaluation\"") },
};

struct loader {
	const char	*file;
	struct buf	 errors;
	size_t		 nerrors;
};

static const struct config_checks *checks;

void
config_set_checks(const struct config_checks *c)
{
	checks = c;
}

/* Messages quote values from the file: bytes that are not UTF-8 text, or
 * control characters, are shown as '?' so the message stays one line of text. */
static void __attribute__((format(printf, 3, 4)))
complain(struct loader *ld, const config_setting_t *s, const char *fmt, ...)
{
	const unsigned char *p;
	va_list ap;
	char *msg;
	size_t n, left;

	buf_printf(&ld->errors, "%s:%d: ", ld->file,
	    s != NULL ? config_setting_source_line(s) : 0);
	va_start(ap, fmt);
	if (vasprintf(&msg, _(fmt), ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	for (p = (const unsigned char *)msg, left = strlen(msg); left > 0; p += n, left -= n) {
		n = utf8_sequence(p, left);
		if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f))) {
			buf_add_char(&ld->errors, '?');
			n = 1;
		} else
			buf_add(&ld->errors, p, n);
	}
	free(msg);
	buf_add_char(&ld->errors, '\n');
	ld->nerrors++;
}

static bool
in_list(const char *const *list, const char *word, size_t len)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == len && strncmp(*list, word, len) == 0)
			return true;
	return false;
}

static bool
segment_matches(const char *pat, size_t plen, const char *seg, size_t slen)
{
	if (plen == 1 && pat[0] == '*')
		return slen > 0 && !(slen == 2 && strncmp(seg, "[]", 2) == 0);
	if (plen == 6 && strncmp(pat, "<rule>", 6) == 0)
		return in_list(config_rule_names, seg, slen);
	if (plen == 6 && strncmp(pat, "<kind>", 6) == 0)
		return in_list(config_reminder_kind_names, seg, slen);
	return plen == slen && strncmp(pat, seg, slen) == 0;
}

static const struct key_spec *
schema_find(const char *path)
{
	const struct key_spec *k;
	const char *p, *q;
	size_t pl, ql;

	for (k = schema; k->path != NULL; k++) {
		p = k->path;
		q = path;
		for (;;) {
			pl = strcspn(p, ".");
			ql = strcspn(q, ".");
			if (!segment_matches(p, pl, q, ql))
				break;
			p += pl;
			q += ql;
			if (*p == '\0' || *q == '\0')
				break;
			p++;
			q++;
		}
		if (*p == '\0' && *q == '\0')
			return k;
	}
	return NULL;
}

static const char *
type_word(enum key_type t)
{
	switch (t) {
	case K_STRING: return _("a string in double quotes");
	case K_INT: return _("an integer");
	case K_BOOL: return _("true or false");
	case K_GROUP: return _("a group { ... }");
	case K_STRINGS: return _("a list of strings [ \"...\", ... ]");
	case K_IDS: return _("a list of user or group names or numbers");
	case K_GROUPS: return _("a list of groups ( { ... }, ... )");
	case K_TEXTS: return _("a string or a list of strings");
	}
	return "?";
}

static bool
type_ok(const config_setting_t *s, enum key_type t)
{
	int type = config_setting_type(s), i, n;
	const config_setting_t *e;

	switch (t) {
	case K_STRING: return type == CONFIG_TYPE_STRING;
	case K_INT: return type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64;
	case K_BOOL: return type == CONFIG_TYPE_BOOL;
	case K_GROUP: return type == CONFIG_TYPE_GROUP;
	case K_GROUPS:
		if (type != CONFIG_TYPE_LIST)
			return false;
		n = config_setting_length(s);
		for (i = 0; i < n; i++)
			if (config_setting_type(config_setting_get_elem(s, i)) != CONFIG_TYPE_GROUP)
				return false;
		return true;
	case K_TEXTS:
		if (type == CONFIG_TYPE_STRING)
			return true;
		/* FALLTHROUGH */
	case K_STRINGS:
	case K_IDS:
		if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
			return false;
		n = config_setting_length(s);
		for (i = 0; i < n; i++) {
			e = config_setting_get_elem(s, i);
			if (config_setting_type(e) == CONFIG_TYPE_STRING)
				continue;
			if (t == K_IDS && config_setting_type(e) == CONFIG_TYPE_INT)
				continue;
			return false;
		}
		return true;
	}
	return false;
}

static void
complain_unknown(struct loader *ld, const config_setting_t *s, const char *path)
{
	size_t i;

	for (i = 0; i < sizeof(moved_keys) / sizeof(moved_keys[0]); i++) {
		if (strcmp(moved_keys[i].path, path) == 0) {
			complain(ld, s, "\"%s\" moved into the process file: copy templates/"
			    "process/integrationskonzept.conf into templates.dir/process/ and set "
			    "the %s there", path, _(moved_keys[i].where));
			return;
		}
	}
	complain(ld, s, "unknown key \"%s\"", path);
}

static void
check_shape(struct loader *ld, const config_setting_t *group, const char *prefix)
{
	const struct key_spec *k;
	config_setting_t *s;
	char path[256];
	int i, j, n;

	n = config_setting_length(group);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(group, i);
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "",
		    config_setting_name(s));
		if ((k = schema_find(path)) == NULL) {
			complain_unknown(ld, s, path);
			continue;
		}
		if (!type_ok(s, k->type)) {
			complain(ld, s, "\"%s\" must be %s", path, type_word(k->type));
			continue;
		}
		if (k->type == K_GROUP)
			check_shape(ld, s, path);
		if (k->type == K_GROUPS) {
			char elem[300];

			snprintf(elem, sizeof(elem), "%s.[]", path);
			for (j = 0; j < config_setting_length(s); j++)
				check_shape(ld, config_setting_get_elem(s, j), elem);
		}
	}
}

/*
 * Every string of the file ends up in a mail header, a feed, a document or
 * a path: it must be valid UTF-8 and hold no control character, which could
 * add a header line (CR, LF) or break a line of a feed.  Only body.address,
 * a postal address, may span lines.
 */
static void
check_strings(struct loader *ld, const config_setting_t *s, const char *path)
{
	const config_setting_t *e;
	const unsigned char *p;
	const char *text;
	char sub[300];
	size_t bad;
	int i, type = config_setting_type(s);

	if (type == CONFIG_TYPE_GROUP || type == CONFIG_TYPE_LIST || type == CONFIG_TYPE_ARRAY) {
		for (i = 0; i < config_setting_length(s); i++) {
			e = config_setting_get_elem(s, i);
			if (config_setting_name(e) != NULL)
				snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "",
				    config_setting_name(e));
			else
				snprintf(sub, sizeof(sub), "%s[%d]", path, i);
			check_strings(ld, e, sub);
		}
		return;
	}
	if (type != CONFIG_TYPE_STRING)
		return;
	text = config_setting_get_string(s);
	if ((bad = utf8_invalid_at(text, strlen(text))) != strlen(text)) {
		complain(ld, s, "\"%s\" is not valid UTF-8 (byte %zu); save the file as UTF-8",
		    path, bad + 1);
		return;
	}
	for (p = (const unsigned char *)text; *p != '\0'; p++) {
		if (*p >= 0x20 && *p != 0x7f)
			continue;
		if (*p == '\n' && strcmp(path, "body.address") == 0)
			continue;
		complain(ld, s, "\"%s\" contains a control character (byte %zu: %s); it must "
		    "be one line of text", path, (size_t)(p - (const unsigned char *)text) + 1,
		    *p == '\r' ? "CR" : *p == '\n' ? "LF" : *p == '\t' ? "TAB" : "control");
		return;
	}
}

static const config_setting_t *
lookup(const config_t *cf, const char *path)
{
	return cf != NULL ? config_lookup(cf, path) : NULL;
}

static char *
get_string(const config_t *cf, const char *path, const char *def)
{
	const config_setting_t *s = lookup(cf, path);

	if (s != NULL && config_setting_type(s) == CONFIG_TYPE_STRING)
		return xstrdup(config_setting_get_string(s));
	return def != NULL ? xstrdup(def) : NULL;
}

static int
get_int(struct loader *ld, const config_t *cf, const char *path, int def, int min, int max)
{
	const config_setting_t *s = lookup(cf, path);
	long long v;

	if (s == NULL || (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64))
		return def;
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		complain(ld, s, "\"%s\" is %lld; it must be between %d and %d", path, v, min, max);
		return def;
	}
	return (int)v;
}

static char instance[CONFIG_INSTANCE_MAX + 1];

int
config_set_instance(const char *name, char **cause)
{
	size_t i, n = strlen(name);

	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '-' || name[i] == '_'))
			break;
	if (n == 0 || n > CONFIG_INSTANCE_MAX || i < n || name[0] == '-')
		return set_cause(cause, "instance name \"%.80s\" is not valid: use 1 to %d "
		    "letters, digits, '-' or '_', not starting with '-'", name,
		    CONFIG_INSTANCE_MAX);
	memcpy(instance, name, n + 1);
	return 0;
}

const char *
config_instance(void)
{
	return instance[0] != '\0' ? instance : NULL;
}

/* dir, or dir/NAME for an instance. */
static char *
instance_dir(const char *dir)
{
	char *path;

	if (instance[0] == '\0')
		return xstrdup(dir);
	xasprintf(&path, "%s/%s", dir, instance);
	return path;
}

char *
config_default_state_dir(void)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *base, *dir;

	if (geteuid() == 0)
		return instance_dir("/var/lib/ikond");
	if (xdg != NULL && *xdg == '/')
		xasprintf(&base, "%s/ikond", xdg);
	else if (home != NULL && *home == '/')
		xasprintf(&base, "%s/.local/state/ikond", home);
	else
		base = xstrdup("./var");
	dir = instance_dir(base);
	free(base);
	return dir;
}

char *
config_default_socket(void)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	char *path, *dir, *base;

	dir = instance_dir("/run/ikond");
	xasprintf(&path, "%s/control.sock", dir);
	free(dir);
	if (geteuid() == 0 || access(path, F_OK) == 0)
		return path;
	free(path);
	if (run != NULL && *run == '/') {
		xasprintf(&base, "%s/ikond", run);
		dir = instance_dir(base);
		xasprintf(&path, "%s/control.sock", dir);
		free(base);
		free(dir);
		return path;
	}
	dir = config_default_state_dir();
	xasprintf(&path, "%s/control.sock", dir);
	free(dir);
	return path;
}

const char *
config_default_path(void)
{
	static char path[sizeof(IKOND_SYSCONFDIR) + CONFIG_INSTANCE_MAX + 8];

	if (instance[0] == '\0')
		return IKOND_SYSCONFDIR "/ikond.conf";
	snprintf(path, sizeof(path), "%s/%s.conf", IKOND_SYSCONFDIR, instance);
	return path;
}

/*
 * Under systemd, StateDirectory= and RuntimeDirectory= hand the daemon its
 * directories in $STATE_DIRECTORY and $RUNTIME_DIRECTORY (a colon-separated
 * list if a unit names several).  Returns the first one joined with file
 * (if not NULL), or NULL when the variable is unset or not an absolute path.
 * Only the daemon's defaults use this, not ikond-ctl's.
 */
static char *
systemd_directory(const char *var, const char *file)
{
	const char *v = getenv(var);
	char *path;

	if (v == NULL || *v != '/')
		return NULL;
	if (file == NULL)
		return xstrndup(v, strcspn(v, ":"));
	xasprintf(&path, "%.*s/%s", (int)strcspn(v, ":"), v, file);
	return path;
}

/* The daemon binds exactly this address (http.c): no name is resolved. */
static bool
listen_address_valid(const char *text)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, text, &a4) == 1 || inet_pton(AF_INET6, text, &a6) == 1;
}

static void
load_ids(struct loader *ld, const config_t *cf, struct config *cfg)
{
	const config_setting_t *s, *e;
	struct passwd *pw;
	struct group *gr;
	const char *name;
	long long id;
	int i, n;

	if ((s = lookup(cf, "control.allow_users")) != NULL) {
		n = config_setting_length(s);
		cfg->allow_uids = n ? xcalloc((size_t)n, sizeof(uid_t)) : NULL;
		for (i = 0; i < n; i++) {
			e = config_setting_get_elem(s, i);
			if (config_setting_type(e) == CONFIG_TYPE_INT) {
				id = config_setting_get_int64(e);
				if (id < 0 || id >= UINT32_MAX || getpwuid((uid_t)id) == NULL)
					complain(ld, e, "no user has the uid %lld (control.allow_users)",
					    id);
				else
					cfg->allow_uids[cfg->n_allow_uids++] = (uid_t)id;
				continue;
			}
			name = config_setting_get_string(e);
			if ((pw = getpwnam(name)) == NULL)
				complain(ld, e, "unknown user \"%s\" in control.allow_users", name);
			else
				cfg->allow_uids[cfg->n_allow_uids++] = pw->pw_uid;
		}
	}
	if ((s = lookup(cf, "control.allow_groups")) != NULL) {
		n = config_setting_length(s);
		cfg->allow_gids = n ? xcalloc((size_t)n, sizeof(gid_t)) : NULL;
		for (i = 0; i < n; i++) {
			e = config_setting_get_elem(s, i);
			if (config_setting_type(e) == CONFIG_TYPE_INT) {
				id = config_setting_get_int64(e);
				if (id < 0 || id >= UINT32_MAX || getgrgid((gid_t)id) == NULL)
					complain(ld, e, "no group has the gid %lld (control.allow_groups)",
					    id);
				else
					cfg->allow_gids[cfg->n_allow_gids++] = (gid_t)id;
				continue;
			}
			name = config_setting_get_string(e);
			if ((gr = getgrnam(name)) == NULL)
				complain(ld, e, "unknown group \"%s\" in control.allow_groups", name);
			else
				cfg->allow_gids[cfg->n_allow_gids++] = gr->gr_gid;
		}
	}
}

/* control.socket_group: who may open the control socket (a group name). */
static void
load_socket_group(struct loader *ld, const config_t *cf, struct config *cfg)
{
	const config_setting_t *s = lookup(cf, "control.socket_group");
	const char *name;
	struct group *gr;

	if (s == NULL || (name = config_setting_get_string(s)) == NULL)
		return;
	if ((gr = getgrnam(name)) == NULL) {
		complain(ld, s, "unknown group \"%s\" in control.socket_group", name);
		return;
	}
	cfg->control_group = gr->gr_gid;
	cfg->control_group_set = true;
}

static void
load_body(struct loader *ld, const config_t *cf, struct config *cfg)
{
	const config_setting_t *s, *e, *f;
	const char *spec, *name, *from, *to;
	char *cause = NULL;
	int i, d1, d2;

	cfg->body_name = get_string(cf, "body.name", "Landkreis Musterland");
	cfg->body_land = get_string(cf, "body.land", "NI");
	cfg->body_timezone = get_string(cf, "body.timezone", "Europe/Berlin");
	cfg->body_kind = get_string(cf, "body.kind", NULL);
	if (cfg->body_kind == NULL)
		cfg->body_kind = xstrdup(german_body_kind_of_name(cfg->body_name) != NULL ?
		    german_body_kind_of_name(cfg->body_name)->key : "landkreis");
	else if (german_body_kind(cfg->body_kind) == NULL) {
		complain(ld, lookup(cf, "body.kind"), "unknown kind of body \"%s\"; valid: %s",
		    cfg->body_kind, german_body_kind_list());
		free(cfg->body_kind);
		cfg->body_kind = xstrdup("landkreis");
	}
	cfg->body_department = get_string(cf, "body.department", NULL);
	cfg->body_address = get_string(cf, "body.address", NULL);
	cfg->body_head_name = get_string(cf, "body.head_name", NULL);
	cfg->body_head_title = get_string(cf, "body.head_title", NULL);
	if (!holiday_land_valid(cfg->body_land)) {
		complain(ld, lookup(cf, "body.land"), "unknown Land \"%s\"; valid: %s",
		    cfg->body_land, holiday_land_codes());
		free(cfg->body_land);
		cfg->body_land = xstrdup("NI");
	}
	if (!civil_zone_valid(cfg->body_timezone))
		complain(ld, lookup(cf, "body.timezone"), "unknown time zone \"%s\" "
		    "(an IANA name such as Europe/Berlin)", cfg->body_timezone);
	cfg->workcal = workcal_new(cfg->body_land, &cause);
	if (cfg->workcal == NULL) {
		complain(ld, lookup(cf, "body.land"), "%s", cause);
		free(cause);
		return;
	}
	if ((s = lookup(cf, "body.days_off")) != NULL) {
		for (i = 0; i < config_setting_length(s); i++) {
			e = config_setting_get_elem(s, i);
			if (config_setting_lookup_string(e, "date", &spec) == CONFIG_FALSE) {
				complain(ld, e, "a day off needs date = \"MM-DD\", \"YYYY-MM-DD\" "
				    "or \"easter+N\"");
				continue;
			}
			if (config_setting_lookup_string(e, "name", &name) == CONFIG_FALSE)
				name = "örtlicher freier Tag";
			f = config_setting_get_member(e, "date");
			if (workcal_add_day_off(cfg->workcal, spec, name, &cause) == -1) {
				complain(ld, f, "%s", cause);
				free(cause);
				cause = NULL;
			}
		}
	}
	if ((s = lookup(cf, "body.breaks")) != NULL) {
		for (i = 0; i < config_setting_length(s); i++) {
			e = config_setting_get_elem(s, i);
			if (config_setting_lookup_string(e, "from", &from) == CONFIG_FALSE ||
			    config_setting_lookup_string(e, "to", &to) == CONFIG_FALSE) {
				complain(ld, e, "a break needs from = \"YYYY-MM-DD\" and to = \"YYYY-MM-DD\"");
				continue;
			}
			if (config_setting_lookup_string(e, "name", &name) == CONFIG_FALSE)
				name = "sitzungsfreie Zeit";
			if (civil_parse_date(from, &d1, &cause) == -1 ||
			    civil_parse_date(to, &d2, &cause) == -1 ||
			    workcal_add_break(cfg->workcal, d1, d2, name, &cause) == -1) {
				complain(ld, e, "%s", cause);
				free(cause);
				cause = NULL;
			}
		}
	}
}

static void
add_rule(struct loader *ld, struct config *cfg, const config_setting_t *s, const char *name,
    const char *committee, const char *text)
{
	struct named_rule *nr;
	char *cause = NULL;
	struct rule r;

	if (rule_parse(text, &r, &cause) == -1) {
		complain(ld, s, "rule %s%s%s: %s", committee ? committee : "",
		    committee ? "." : "", name, cause);
		free(cause);
		return;
	}
	cfg->rules = xreallocarray(cfg->rules, cfg->n_rules + 1, sizeof(*cfg->rules));
	nr = &cfg->rules[cfg->n_rules++];
	nr->name = xstrdup(name);
	nr->committee = committee ? xstrdup(committee) : NULL;
	nr->rule = r;
	nr->text = xstrdup(text);
}

static void
load_rules(struct loader *ld, const config_t *cf, struct config *cfg)
{
	const config_setting_t *s, *c, *e;
	char path[64];
	size_t i;
	int j, k;

	for (i = 0; config_rule_names[i] != NULL; i++) {
		snprintf(path, sizeof(path), "rules.%s", config_rule_names[i]);
		s = lookup(cf, path);
		add_rule(ld, cfg, s, config_rule_names[i], NULL,
		    s ? config_setting_get_string(s) : default_rules[i]);
	}
	if ((s = lookup(cf, "rules.committee")) == NULL)
		return;
	for (j = 0; j < config_setting_length(s); j++) {
		c = config_setting_get_elem(s, j);
		if (config_setting_type(c) != CONFIG_TYPE_GROUP)
			continue;
		for (k = 0; k < config_setting_length(c); k++) {
			e = config_setting_get_elem(c, k);
			if (config_setting_type(e) == CONFIG_TYPE_STRING)
				add_rule(ld, cfg, e, config_setting_name(e), config_setting_name(c),
				    config_setting_get_string(e));
		}
	}
}

static void
load_offsets(struct loader *ld, const config_setting_t *s, struct reminder_offsets *ro)
{
	const config_setting_t *e;
	char *cause = NULL;
	int i;

	ro->n = 0;
	for (i = 0; i < config_setting_length(s); i++) {
		e = config_setting_get_elem(s, i);
		if (ro->n >= CONFIG_MAX_OFFSETS) {
			complain(ld, e, "at most %d reminder offsets", CONFIG_MAX_OFFSETS);
			return;
		}
		if (duration_parse(config_setting_get_string(e), &ro->offset[ro->n], &cause) == -1) {
			complain(ld, e, "%s", cause);
			free(cause);
			cause = NULL;
			continue;
		}
		ro->n++;
	}
}

/*
 * What key says happens on a day that is not a working day: one of the
 * words of valid ("later earlier keep"), def if the key is not set.
 */
static enum rule_roll
get_roll(struct loader *ld, const config_t *cf, const char *key, enum rule_roll def,
    const char *valid)
{
	static const char *const words[] = {
		[RULE_KEEP] = "keep", [RULE_EARLIER] = "earlier", [RULE_LATER] = "later",
	};
	enum rule_roll roll = def;
	const char *v;
	char *text;
	size_t r, n;

	if ((text = get_string(cf, key, NULL)) == NULL)
		return def;
	for (v = valid; *v != '\0'; v += n, v += strspn(v, " ")) {
		n = strcspn(v, " ");
		if (strlen(text) == n && strncmp(text, v, n) == 0)
			break;
	}
	for (r = 0; *v != '\0' && r < sizeof(words) / sizeof(words[0]); r++)
		if (strcmp(text, words[r]) == 0)
			roll = (enum rule_roll)r;
	if (*v == '\0')
		complain(ld, lookup(cf, key), "%s is \"%s\"; valid: %s", key, text, valid);
	free(text);
	return roll;
}

static void
load_reminders(struct loader *ld, const config_t *cf, struct config *cfg)
{
	const config_setting_t *s, *c, *e;
	struct committee_reminders *cr;
	char *text, *cause = NULL, path[64];
	size_t k;
	int j;

	text = get_string(cf, "reminders.send_time", "08:00");
	if (civil_parse_time(text, &cfg->remind_send_minute, &cause) == -1) {
		complain(ld, lookup(cf, "reminders.send_time"), "%s", cause);
		free(cause);
		cause = NULL;
		cfg->remind_send_minute = 8 * 60;
	}
	free(text);
	cfg->remind_non_working_days = get_roll(ld, cf, "reminders.non_working_days",
	    RULE_EARLIER, "earlier keep");
	for (k = 0; k < REMIND_KIND_COUNT; k++) {
		snprintf(path, sizeof(path), "reminders.%s", config_reminder_kind_names[k]);
		if ((s = lookup(cf, path)) != NULL) {
			load_offsets(ld, s, &cfg->remind[k]);
			continue;
		}
		for (j = 0; default_offsets[k][j] != NULL; j++)
			duration_parse(default_offsets[k][j], &cfg->remind[k].offset[j], NULL);
		cfg->remind[k].n = (size_t)j;
	}
	if ((s = lookup(cf, "reminders.committee")) == NULL)
		return;
	for (j = 0; j < config_setting_length(s); j++) {
		c = config_setting_get_elem(s, j);
		if (config_setting_type(c) != CONFIG_TYPE_GROUP)
			continue;
		cfg->remind_committee = xreallocarray(cfg->remind_committee,
		    cfg->n_remind_committee + 1, sizeof(*cfg->remind_committee));
		cr = &cfg->remind_committee[cfg->n_remind_committee++];
		memset(cr, 0, sizeof(*cr));
		cr->committee = xstrdup(config_setting_name(c));
		for (k = 0; k < REMIND_KIND_COUNT; k++) {
			e = config_setting_get_member(c, config_reminder_kind_names[k]);
			if (e != NULL && type_ok(e, K_STRINGS)) {
				load_offsets(ld, e, &cr->kind[k]);
				cr->set[k] = true;
			}
		}
	}
}

/*
 * Evaluation dates (the steps of the process and their durations are in
 * the process file, templates/process/integrationskonzept.conf):
 *
 *   evaluation_roll = "later"      an evaluation date on a weekend or holiday moves to
 *                                  the next ("later") or previous ("earlier") working
 *                                  day, or stays ("keep")
 *   evaluation_horizon = "P3Y"     feeds, agendas and "evaluation list" show a series
 *                                  up to this far ahead (PnY, PnM, PnW or PnD; at most
 *                                  30 years)
 */
static void
load_process(struct loader *ld, const config_t *cf, struct config *cfg)
{
	struct process_config *p = &cfg->process;
	char *horizon, unit, *end;
	long n;

	p->evaluation_roll = get_roll(ld, cf, "process.evaluation_roll", RULE_LATER,
	    "later earlier keep");

	horizon = get_string(cf, "process.evaluation_horizon", "P3Y");
	p->evaluation_horizon_months = 36;
	p->evaluation_horizon_days = 0;
	n = horizon[0] == 'P' && horizon[1] >= '0' && horizon[1] <= '9' ?
	    strtol(horizon + 1, &end, 10) : -1;
	unit = n > 0 ? *end : '\0';
	if (n > 0 && end[0] != '\0' && end[1] == '\0' && ((unit == 'Y' && n <= 30) ||
	    (unit == 'M' && n <= 360) || (unit == 'W' && n <= 1565) || (unit == 'D' &&
	    n <= 10957))) {
		p->evaluation_horizon_months = unit == 'Y' ? (int)n * 12 : unit == 'M' ? (int)n : 0;
		p->evaluation_horizon_days = unit == 'W' ? (int)n * 7 : unit == 'D' ? (int)n : 0;
	} else
		complain(ld, lookup(cf, "process.evaluation_horizon"), "process.evaluation_horizon "
		    "is \"%s\"; write PnY, PnM, PnW or PnD of at most 30 years, e.g. \"P3Y\"",
		    horizon);
	free(horizon);
}

static void
add_title_map(struct title_map **map, size_t *n, const char *pattern, const char *key)
{
	*map = xreallocarray(*map, *n + 1, sizeof(**map));
	(*map)[*n].pattern = xstrdup(pattern);
	(*map)[(*n)++].committee = xstrdup(key);
}

/*
 * A group of NAME = pattern or [ patterns ] (import.map, oparl.map,
 * oparl.kinds), in the order of the file.
 */
static void
load_patterns(struct loader *ld, const config_t *cf, const char *path, struct title_map **map,
    size_t *n)
{
	const config_setting_t *s, *c, *e;
	int i, j, len;

	if ((s = lookup(cf, path)) == NULL)
		return;
	for (i = 0; i < config_setting_length(s); i++) {
		c = config_setting_get_elem(s, i);
		if (config_setting_type(c) == CONFIG_TYPE_STRING) {
			e = c;
			len = 1;
		} else if (type_ok(c, K_STRINGS)) {
			e = NULL;
			len = config_setting_length(c);
		} else
			continue;
		for (j = 0; j < len; j++) {
			if (e == NULL || j > 0)
				e = config_setting_get_elem(c, j);
			if (config_setting_get_string(e)[0] == '\0')
				complain(ld, e, "%s.%s: the pattern is empty", path,
				    config_setting_name(c));
			else
				add_title_map(map, n, config_setting_get_string(e),
				    config_setting_name(c));
		}
	}
}

/* smtp.rate: "N/sec", "N/min" or "N/hour", the most the relay takes. */
static void
load_smtp_rate(struct loader *ld, const config_t *cf, struct config *cfg)
{
	static const struct {
		const char	*unit;
		int		 seconds;
	} units[] = { { "sec", 1 }, { "min", 60 }, { "hour", 3600 } };
	const config_setting_t *s = lookup(cf, "smtp.rate");
	const char *text, *slash;
	char *end;
	long n;
	size_t i;

	if (s == NULL || (text = config_setting_get_string(s)) == NULL)
		return;
	n = strtol(text, &end, 10);
	slash = end;
	if (end != text && *slash == '/' && n >= 1 && n <= 100000)
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strcmp(slash + 1, units[i].unit) == 0) {
				cfg->smtp_rate_count = (int)n;
				cfg->smtp_rate_period = units[i].seconds;
				return;
			}
	complain(ld, s, "smtp.rate is \"%s\"; write messages per "
	    "period as \"30/min\" (1 to 100000 per sec, min or hour)", text);
}

/* An interval: an ISO 8601 duration ("PT1H", "P1D", "PT30S"), in seconds. */
static int
get_interval(struct loader *ld, const config_t *cf, const char *path, const char *def)
{
	const config_setting_t *s = lookup(cf, path);
	char *text = get_string(cf, path, def), *cause = NULL, *end;
	struct duration d;
	long secs = 0;

	if (strncmp(text, "PT", 2) == 0 && text[2] >= '0' && text[2] <= '9' &&
	    (secs = strtol(text + 2, &end, 10)) > 0 && strcmp(end, "S") == 0 &&
	    secs <= 86400 * 31) {
		free(text);
		return (int)secs;
	}
	if (duration_parse(text, &d, &cause) == -1) {
		complain(ld, s, "%s: %s", path, cause);
		free(cause);
		free(text);
		return 3600;
	}
	free(text);
	secs = (long)d.days * 86400 + (long)d.minutes * 60;
	if (secs < 1 || secs > 86400 * 31) {
		complain(ld, s, "%s must be between PT1S and P31D", path);
		return 3600;
	}
	return (int)secs;
}

static void
load_oparl(struct loader *ld, const config_t *cf, struct config *cfg)
{
	const config_setting_t *s;

	cfg->oparl_body = get_string(cf, "oparl.body", NULL);
	if (cfg->oparl_body != NULL && strncmp(cfg->oparl_body, "http://", 7) != 0 &&
	    strncmp(cfg->oparl_body, "https://", 8) != 0)
		complain(ld, lookup(cf, "oparl.body"), "oparl.body must be an http:// or "
		    "https:// URL");
	cfg->oparl_interval = get_interval(ld, cf, "oparl.interval", "PT1H");
	cfg->oparl_timeout = get_int(ld, cf, "oparl.timeout", 60, 1, 3600);
	if ((s = lookup(cf, "oparl.persons")) != NULL && config_setting_type(s) == CONFIG_TYPE_BOOL)
		cfg->oparl_persons = config_setting_get_bool(s);
	load_patterns(ld, cf, "oparl.map", &cfg->oparl_map, &cfg->n_oparl_map);
	load_patterns(ld, cf, "oparl.kinds", &cfg->oparl_kinds, &cfg->n_oparl_kinds);
}

static void
load_values(struct loader *ld, const config_t *cf, struct config *cfg)
{
	char *cause = NULL;
	char *def;

	if ((def = systemd_directory("STATE_DIRECTORY", NULL)) == NULL)
		def = config_default_state_dir();
	cfg->state_dir = get_string(cf, "state_dir", def);
	free(def);
	if ((def = systemd_directory("RUNTIME_DIRECTORY", "control.sock")) == NULL)
		def = config_default_socket();
	cfg->control_socket = get_string(cf, "control_socket", def);
	free(def);
	if (cfg->state_dir[0] == '\0')
		complain(ld, lookup(cf, "state_dir"), "state_dir must not be empty");
	if (cfg->control_socket[0] == '\0' || strlen(cfg->control_socket) >= 108)
		complain(ld, lookup(cf, "control_socket"),
		    "control_socket must be a path of 1 to 107 bytes");
	load_ids(ld, cf, cfg);
	load_socket_group(ld, cf, cfg);
	cfg->control_max_clients = get_int(ld, cf, "control.max_clients", 64, 1, 4096);
	cfg->control_max_clients_per_user = get_int(ld, cf, "control.max_clients_per_user", 8,
	    1, 4096);

	cfg->http_listen = get_string(cf, "http.listen", "127.0.0.1");
	cfg->http_port = get_int(ld, cf, "http.port", 8080, 0, 65535);
	cfg->http_base_url = get_string(cf, "http.base_url", NULL);
	cfg->http_socket = get_string(cf, "http.socket", NULL);
	if (cfg->http_socket != NULL && (cfg->http_socket[0] != '/' ||
	    strlen(cfg->http_socket) >= 108))
		complain(ld, lookup(cf, "http.socket"),
		    "http.socket must be an absolute path of at most 107 bytes");
	if (cfg->http_base_url == NULL)
		xasprintf(&cfg->http_base_url, "http://localhost:%d", cfg->http_port);
	if (strncmp(cfg->http_base_url, "http://", 7) != 0 &&
	    strncmp(cfg->http_base_url, "https://", 8) != 0)
		complain(ld, lookup(cf, "http.base_url"),
		    "http.base_url must start with http:// or https://");
	if (!listen_address_valid(cfg->http_listen))
		complain(ld, lookup(cf, "http.listen"), "http.listen \"%s\" is not an IPv4 or "
		    "IPv6 address; ikond listens on one address, e.g. \"127.0.0.1\", \"::1\" or "
		    "\"0.0.0.0\" (a host name is not resolved)", cfg->http_listen);
	cfg->http_max_connections = get_int(ld, cf, "http.max_connections", 4096, 1, 65536);
	cfg->http_timeout = get_int(ld, cf, "http.timeout", 30, 1, 3600);
	cfg->http_request_timeout = get_int(ld, cf, "http.request_timeout", 10, 1, 3600);

	load_body(ld, cf, cfg);
	load_rules(ld, cf, cfg);

	cfg->feeds_refresh = get_string(cf, "feeds.refresh", "PT1H");
	/* The check the feed writer applies (a REFRESH-INTERVAL). */
	if (!duration_rfc5545_valid(cfg->feeds_refresh))
		complain(ld, lookup(cf, "feeds.refresh"), "feeds.refresh \"%s\" is not an RFC 5545 "
		    "duration such as PT1H, P1D or P1W", cfg->feeds_refresh);
	cfg->feeds_alarm_minutes = get_int(ld, cf, "feeds.alarm_minutes", -1, -1, 60 * 24 * 60);

	cfg->smtp_host = get_string(cf, "smtp.host", NULL);
	cfg->smtp_port = get_int(ld, cf, "smtp.port", 587, 1, 65535);
	cfg->smtp_starttls = get_string(cf, "smtp.starttls", "required");
	if (strcmp(cfg->smtp_starttls, "off") != 0 &&
	    strcmp(cfg->smtp_starttls, "opportunistic") != 0 &&
	    strcmp(cfg->smtp_starttls, "required") != 0)
		complain(ld, lookup(cf, "smtp.starttls"), "smtp.starttls is \"%s\"; valid: "
		    "off opportunistic required", cfg->smtp_starttls);
	cfg->smtp_user = get_string(cf, "smtp.user", NULL);
	cfg->smtp_password_file = get_string(cf, "smtp.password_file", NULL);
	if (cfg->smtp_password_file != NULL && checks != NULL && checks->secret != NULL &&
	    checks->secret(cfg->smtp_password_file, &cause) == -1) {
		complain(ld, lookup(cf, "smtp.password_file"), "smtp.password_file: %s", cause);
		free(cause);
		cause = NULL;
	}
	cfg->smtp_from = get_string(cf, "smtp.from", NULL);
	if (cfg->smtp_from == NULL)
		xasprintf(&cfg->smtp_from, "Integrationskonzept <ikond@localhost>");
	else if (checks != NULL && checks->sender != NULL &&
	    checks->sender(cfg->smtp_from, &cause) == -1) {
		complain(ld, lookup(cf, "smtp.from"), "smtp.from: %s", cause);
		free(cause);
		cause = NULL;
	}
	cfg->smtp_timeout = get_int(ld, cf, "smtp.timeout", 60, 1, 3600);
	cfg->smtp_max_attempts = get_int(ld, cf, "smtp.max_attempts", 12, 1, 1000);
	cfg->smtp_retry_seconds = get_int(ld, cf, "smtp.retry_seconds", 60, 1, 86400);
	load_smtp_rate(ld, cf, cfg);
	cfg->smtp_connections = get_int(ld, cf, "smtp.connections", 4, 1, 16);

	load_reminders(ld, cf, cfg);

	def = NULL;
	xasprintf(&def, "%s/templates", IKOND_SYSCONFDIR);
	cfg->template_dir = get_string(cf, "templates.dir", def);
	free(def);

	load_process(ld, cf, cfg);
	load_patterns(ld, cf, "import.map", &cfg->import_map, &cfg->n_import_map);
	load_oparl(ld, cf, cfg);
}

struct config *
config_load(const char *path, char **errors)
{
	struct loader ld;
	struct config *cfg;
	config_t cf;
	bool have_file = path != NULL;

	memset(&ld, 0, sizeof(ld));
	buf_init(&ld.errors);
	ld.file = path ? path : "(defaults)";
	cfg = xcalloc(1, sizeof(*cfg));
	cfg->path = path ? xstrdup(path) : NULL;

	config_init(&cf);
	if (have_file && config_read_file(&cf, path) == CONFIG_FALSE) {
		if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
			buf_printf(&ld.errors, "%s:0: cannot read the file\n", path);
		else
			buf_printf(&ld.errors, "%s:%d: %s\n",
			    config_error_file(&cf) ? config_error_file(&cf) : path,
			    config_error_line(&cf), config_error_text(&cf));
		ld.nerrors++;
	} else {
		if (have_file) {
			check_shape(&ld, config_root_setting(&cf), "");
			check_strings(&ld, config_root_setting(&cf), "");
		}
		load_values(&ld, have_file ? &cf : NULL, cfg);
	}
	config_destroy(&cf);
	if (ld.nerrors > 0) {
		config_free(cfg);
		if (ld.errors.len > 0 && ld.errors.data[ld.errors.len - 1] == '\n')
			ld.errors.data[--ld.errors.len] = '\0';
		*errors = buf_steal(&ld.errors, NULL);
		return NULL;
	}
	buf_free(&ld.errors);
	*errors = NULL;
	return cfg;
}

struct title_map *
title_map_copy(const struct title_map *map, size_t n)
{
	struct title_map *c = xcalloc(n ? n : 1, sizeof(*c));
	size_t i;

	for (i = 0; i < n; i++) {
		c[i].pattern = xstrdup(map[i].pattern);
		c[i].committee = xstrdup(map[i].committee);
	}
	return c;
}

void
title_map_free(struct title_map *map, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(map[i].pattern);
		free(map[i].committee);
	}
	free(map);
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->state_dir);
	free(cfg->control_socket);
	free(cfg->allow_uids);
	free(cfg->allow_gids);
	free(cfg->http_listen);
	free(cfg->http_socket);
	free(cfg->http_base_url);
	free(cfg->body_name);
	free(cfg->body_land);
	free(cfg->body_timezone);
	free(cfg->body_kind);
	free(cfg->body_department);
	free(cfg->body_address);
	free(cfg->body_head_name);
	free(cfg->body_head_title);
	workcal_free(cfg->workcal);
	for (i = 0; i < cfg->n_rules; i++) {
		free(cfg->rules[i].name);
		free(cfg->rules[i].committee);
		free(cfg->rules[i].text);
	}
	free(cfg->rules);
	free(cfg->feeds_refresh);
	free(cfg->smtp_host);
	free(cfg->smtp_starttls);
	free(cfg->smtp_user);
	free(cfg->smtp_password_file);
	free(cfg->smtp_from);
	for (i = 0; i < cfg->n_remind_committee; i++)
		free(cfg->remind_committee[i].committee);
	free(cfg->remind_committee);
	free(cfg->template_dir);
	title_map_free(cfg->import_map, cfg->n_import_map);
	free(cfg->oparl_body);
	title_map_free(cfg->oparl_map, cfg->n_oparl_map);
	title_map_free(cfg->oparl_kinds, cfg->n_oparl_kinds);
	free(cfg);
}

const struct named_rule *
config_rule(const struct config *cfg, const char *name, const char *committee)
{
	const struct named_rule *def = NULL;
	size_t i;

	for (i = 0; i < cfg->n_rules; i++) {
		if (strcmp(cfg->rules[i].name, name) != 0)
			continue;
		if (cfg->rules[i].committee == NULL)
			def = &cfg->rules[i];
		else if (committee != NULL && strcmp(cfg->rules[i].committee, committee) == 0)
			return &cfg->rules[i];
	}
	return def;
}

const struct reminder_offsets *
config_reminders(const struct config *cfg, enum reminder_kind kind, const char *committee)
{
	size_t i;

	for (i = 0; committee != NULL && i < cfg->n_remind_committee; i++)
		if (strcmp(cfg->remind_committee[i].committee, committee) == 0 &&
		    cfg->remind_committee[i].set[kind])
			return &cfg->remind_committee[i].kind[kind];
	return &cfg->remind[kind];
}
