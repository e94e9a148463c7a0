/*
 * procdef: reads and checks process files (see procdef.h).  Every problem
 * of a file is reported together, each as "FILE:LINE: message", like the
 * configuration; a file with any problem is not used.
 *
 *   title = "Integrationskonzept";
 *   steps = (
 *     { code = "thema"; title = "Thema setzen"; weeks = 2; },
 *     { code = "startbeschluss"; title = "..."; after = [ "thema" ];
 *       produces = "verwaltungsvorlage"; },
 *     ...
 *   );
 *
 * Keys of a step: code, title, weeks or days (the duration), gap_weeks or
 * gap_days (at least this long after the steps it follows), after (codes
 * of earlier steps), optional, produces (verwaltungsvorlage,
 * beschlussvorlage, workshop, window, evaluation), and for an evaluation
 * months (from adoption to the first date) and rrule.
 */
#include "procdef.h"

#include <dirent.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libconfig.h>

#include "buf.h"
#include "domain.h"
#include "draft.h"
#include "i18n.h"
#include "process.h"
#include "xmalloc.h"

#define FILE_MAX_BYTES	(64 * 1024)
#define TITLE_MAX_BYTES	200
#define CODE_MAX_BYTES	32

static const char *const product_names[] = {
	"", "verwaltungsvorlage", "beschlussvorlage", "workshop", "window", "evaluation",
};

static const char *const step_keys[] = {
	"code", "title", "weeks", "days", "months", "gap_weeks", "gap_days", "after", "optional",
	"produces", "rrule", NULL,
};

struct reader {
	const char	*path;
	struct buf	 errors;
	size_t		 nerrors;
};

static void __attribute__((format(printf, 3, 4)))
complain(struct reader *rd, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	buf_printf(&rd->errors, "%s:%d: ", rd->path, s != NULL ? config_setting_source_line(s) : 0);
	va_start(ap, fmt);
	buf_vprintf(&rd->errors, _(fmt), ap);
	va_end(ap);
	buf_add_char(&rd->errors, '\n');
	rd->nerrors++;
}

const char *
procdef_product_name(enum procdef_product product)
{
	return product_names[product];
}

static bool
name_valid(const char *name)
{
	return name != NULL && strlen(name) <= PROCDEF_NAME_MAX && domain_slug_valid(name);
}

int
procdef_find(const struct procdef *def, const char *code)
{
	size_t i;

	for (i = 0; i < def->nsteps; i++)
		if (strcmp(def->steps[i].code, code) == 0)
			return (int)i;
	return -1;
}

void
procdef_free(struct procdef *def)
{
	size_t i;

	if (def == NULL)
		return;
	for (i = 0; i < def->nsteps; i++) {
		free(def->steps[i].code);
		free(def->steps[i].title);
		free(def->steps[i].rrule);
	}
	free(def->steps);
	free(def->name);
	free(def->path);
	free(def->title);
	free(def);
}

static bool
known_key(const char *const *keys, const char *name)
{
	for (; *keys != NULL; keys++)
		if (strcmp(*keys, name) == 0)
			return true;
	return false;
}

/* A string member of group, or NULL (and a complaint if it is there but no
 * string). */
static const char *
get_string(struct reader *rd, const config_setting_t *group, const char *key)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	if (s == NULL)
		return NULL;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		complain(rd, s, "%s must be a string", key);
		return NULL;
	}
	return config_setting_get_string(s);
}

/* One of two integer members (weeks or days), as days; def if neither. */
static int
get_span(struct reader *rd, const config_setting_t *group, const char *weeks_key,
    const char *days_key, int max_days, int def, bool *given)
{
	const config_setting_t *w = config_setting_get_member(group, weeks_key);
	const config_setting_t *d = config_setting_get_member(group, days_key);
	const config_setting_t *s = w != NULL ? w : d;
	int v;

	*given = s != NULL;
	if (s == NULL)
		return def;
	if (w != NULL && d != NULL) {
		complain(rd, d, "give %s or %s, not both", weeks_key, days_key);
		return def;
	}
	if (config_setting_type(s) != CONFIG_TYPE_INT) {
		complain(rd, s, "%s must be a whole number", config_setting_name(s));
		return def;
	}
	v = config_setting_get_int(s) * (s == w ? 7 : 1);
	if (v < 0 || v > max_days) {
		complain(rd, s, "%s must be 0 to %d", config_setting_name(s),
		    s == w ? max_days / 7 : max_days);
		return def;
	}
	return v;
}

static void
read_after(struct reader *rd, struct procdef *def, const config_setting_t *group,
    struct procdef_step *st)
{
	const config_setting_t *a = config_setting_get_member(group, "after"), *e;
	const char *code;
	size_t i, k;
	int idx;

	if (a == NULL)
		return;
	if (config_setting_type(a) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(a) != CONFIG_TYPE_LIST) {
		complain(rd, a, "after must be a list of step codes, e.g. [ \"planung\" ]");
		return;
	}
	for (i = 0; i < (size_t)config_setting_length(a); i++) {
		e = config_setting_get_elem(a, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			complain(rd, a, "after must be a list of step codes");
			return;
		}
		code = config_setting_get_string(e);
		if ((idx = procdef_find(def, code)) == -1) {
			complain(rd, a, "step \"%s\" follows \"%s\", which is not an earlier step",
			    st->code, code);
			continue;
		}
		for (k = 0; k < st->nafter; k++)
			if (st->after[k] == (size_t)idx)
				break;
		if (k < st->nafter)
			continue;
		if (st->nafter == PROCDEF_AFTER_MAX) {
			complain(rd, a, "a step follows at most %d others", PROCDEF_AFTER_MAX);
			return;
		}
		st->after[st->nafter++] = (size_t)idx;
	}
}

static enum procdef_product
read_produces(struct reader *rd, const config_setting_t *group)
{
	const config_setting_t *s = config_setting_get_member(group, "produces");
	const char *word;
	size_t i;

	if ((word = get_string(rd, group, "produces")) == NULL)
		return PRODUCT_NONE;
	for (i = 1; i < sizeof(product_names) / sizeof(product_names[0]); i++)
		if (strcmp(product_names[i], word) == 0)
			return (enum procdef_product)i;
	complain(rd, s, "produces \"%.40s\" is unknown; valid: verwaltungsvorlage "
	    "beschlussvorlage workshop window evaluation", word);
	return PRODUCT_NONE;
}

/* Reads the step in group into st (already zeroed, code set). */
static void
read_step(struct reader *rd, struct procdef *def, const config_setting_t *group,
    struct procdef_step *st)
{
	const config_setting_t *s;
	const char *title, *rrule;
	char *cause = NULL;
	bool dated, gapped, monthed;
	int i;

	for (i = 0; i < config_setting_length(group); i++) {
		s = config_setting_get_elem(group, (unsigned)i);
		if (!known_key(step_keys, config_setting_name(s)))
			complain(rd, s, "unknown key \"%s\" in step \"%s\"; valid: code title "
			    "weeks days months gap_weeks gap_days after optional produces rrule",
			    config_setting_name(s), st->code);
	}
	title = get_string(rd, group, "title");
	if (title == NULL || !domain_text_valid(title, TITLE_MAX_BYTES, false))
		complain(rd, group, "step \"%s\" needs a title of 1 to %d bytes without control "
		    "characters", st->code, TITLE_MAX_BYTES);
	st->title = xstrdup(title ? title : st->code);
	st->produces = read_produces(rd, group);
	st->days = get_span(rd, group, "weeks", "days", 3650, 0, &dated);
	st->gap_days = get_span(rd, group, "gap_weeks", "gap_days", 730, 0, &gapped);
	if ((s = config_setting_get_member(group, "optional")) != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			complain(rd, s, "optional must be true or false");
		else
			st->optional = config_setting_get_bool(s);
	}
	monthed = (s = config_setting_get_member(group, "months")) != NULL;
	if (monthed && (config_setting_type(s) != CONFIG_TYPE_INT ||
	    config_setting_get_int(s) < 1 || config_setting_get_int(s) > 120))
		complain(rd, s, "months must be 1 to 120");
	else if (monthed)
		st->months = config_setting_get_int(s);
	rrule = get_string(rd, group, "rrule");
	read_after(rd, def, group, st);

	switch (st->produces) {
	case PRODUCT_VERWALTUNGSVORLAGE:
	case PRODUCT_BESCHLUSSVORLAGE:
		if (dated)
			complain(rd, group, "step \"%s\" is dated by its sessions and has no "
			    "weeks or days", st->code);
		break;
	case PRODUCT_EVALUATION:
		if (dated)
			complain(rd, group, "step \"%s\" lasts until its first evaluation "
			    "(months), not weeks or days", st->code);
		if (!monthed)
			st->months = 12;
		st->rrule = xstrdup(rrule ? rrule : "FREQ=YEARLY");
		if (process_rrule_check(st->rrule, &cause) == -1) {
			complain(rd, group, "step \"%s\": %s", st->code, cause);
			free(cause);
		}
		break;
	default:
		if (!dated)
			complain(rd, group, "step \"%s\" needs a duration (weeks or days)",
			    st->code);
		else if (st->produces == PRODUCT_WINDOW && st->days == 0)
			complain(rd, group, "the window of step \"%s\" must last at least a day",
			    st->code);
		break;
	}
	if (st->produces != PRODUCT_EVALUATION && (monthed || rrule != NULL))
		complain(rd, group, "months and rrule belong to a step that produces an "
		    "evaluation");
}

/* The whole-file checks once every step is read. */
static void
check_steps(struct reader *rd, struct procdef *def, const config_setting_t *list)
{
	size_t i, k, adoptions = 0, decisions = 0;
	bool follows;

	def->decision = -1;
	for (i = 0; i < def->nsteps; i++) {
		if (def->steps[i].produces == PRODUCT_BESCHLUSSVORLAGE) {
			adoptions++;
			def->adoption = i;
		} else if (def->steps[i].produces == PRODUCT_VERWALTUNGSVORLAGE) {
			decisions++;
			def->decision = (int)i;
		}
	}
	if (adoptions != 1)
		complain(rd, list, "exactly one step must produce the beschlussvorlage (it "
		    "has %zu)", adoptions);
	if (decisions > 1)
		complain(rd, list, "at most one step may produce the verwaltungsvorlage (it "
		    "has %zu)", decisions);
	if (adoptions != 1)
		return;
	if (def->decision > (int)def->adoption)
		complain(rd, list, "the start decision (verwaltungsvorlage) must come before "
		    "the adoption (beschlussvorlage)");
	for (i = 0; i < def->nsteps; i++) {
		if (def->steps[i].produces != PRODUCT_EVALUATION)
			continue;
		follows = false;
		for (k = 0; k < def->steps[i].nafter; k++)
			follows |= def->steps[i].after[k] == def->adoption;
		if (!follows)
			complain(rd, list, "the evaluation step \"%s\" must follow \"%s\" (after)",
			    def->steps[i].code, def->steps[def->adoption].code);
	}
}

static void
read_steps(struct reader *rd, struct procdef *def, const config_setting_t *list)
{
	const config_setting_t *g;
	struct procdef_step *st;
	const char *code;
	size_t i, n;

	if (config_setting_type(list) != CONFIG_TYPE_LIST) {
		complain(rd, list, "steps must be a list of groups: ( { code = ...; }, ... )");
		return;
	}
	n = (size_t)config_setting_length(list);
	if (n == 0 || n > PROCDEF_STEPS_MAX) {
		complain(rd, list, "a process has 1 to %d steps", PROCDEF_STEPS_MAX);
		return;
	}
	def->steps = xcalloc(n, sizeof(*def->steps));
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(list, (unsigned)i);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			complain(rd, g, "step %zu must be a group { code = ...; title = ...; }",
			    i + 1);
			continue;
		}
		code = get_string(rd, g, "code");
		if (code == NULL || !domain_slug_valid(code) || strlen(code) > CODE_MAX_BYTES) {
			complain(rd, g, "step %zu needs a code of 1 to %d of a-z, 0-9 and -", i + 1,
			    CODE_MAX_BYTES);
			continue;
		}
		if (procdef_find(def, code) != -1) {
			complain(rd, g, "step code \"%s\" is used twice", code);
			continue;
		}
		st = &def->steps[def->nsteps++];
		st->code = xstrdup(code);
		st->line = config_setting_source_line(g);
		read_step(rd, def, g, st);
	}
	check_steps(rd, def, list);
}

/*
 * libconfig reads numbers in the C locale and then puts the thread back
 * into the global locale, not into the one it had.  A request runs in its
 * client's locale (dispatch.c), so that one is put back here; else the
 * rest of the reply would be English.
 */
static int
read_file(config_t *cf, const char *path)
{
	locale_t mine = uselocale((locale_t)0);
	int rc = config_read_file(cf, path);

	uselocale(mine);
	return rc;
}

struct procdef *
procdef_read(const char *path, const char *name, char **errors)
{
	struct reader rd = { path, { NULL, 0, 0 }, 0 };
	struct procdef *def;
	config_setting_t *root, *s;
	const char *title;
	struct stat sb;
	config_t cf;
	int i;

	buf_init(&rd.errors);
	def = xcalloc(1, sizeof(*def));
	def->name = xstrdup(name);
	def->path = xstrdup(path);
	def->decision = -1;
	config_init(&cf);
	if (stat(path, &sb) == -1 || !S_ISREG(sb.st_mode) || sb.st_size > FILE_MAX_BYTES)
		complain(&rd, NULL, "not a readable process file of at most %d bytes",
		    FILE_MAX_BYTES);
	else if (read_file(&cf, path) != CONFIG_TRUE) {
		buf_printf(&rd.errors, "%s:%d: %s\n", path, config_error_line(&cf),
		    config_error_text(&cf) ? config_error_text(&cf) : "cannot read the file");
		rd.nerrors++;
	} else {
		root = config_root_setting(&cf);
		for (i = 0; i < config_setting_length(root); i++) {
			s = config_setting_get_elem(root, (unsigned)i);
			if (strcmp(config_setting_name(s), "title") != 0 &&
			    strcmp(config_setting_name(s), "steps") != 0)
				complain(&rd, s, "unknown key \"%s\"; valid: title steps",
				    config_setting_name(s));
		}
		title = get_string(&rd, root, "title");
		if (title != NULL && !domain_text_valid(title, TITLE_MAX_BYTES, false))
			complain(&rd, config_setting_get_member(root, "title"), "title must be 1 "
			    "to %d bytes without control characters", TITLE_MAX_BYTES);
		def->title = xstrdup(title ? title : name);
		if ((s = config_setting_get_member(root, "steps")) == NULL)
			complain(&rd, NULL, "the file has no steps = ( ... );");
		else
			read_steps(&rd, def, s);
	}
	config_destroy(&cf);
	if (rd.nerrors == 0) {
		buf_free(&rd.errors);
		return def;
	}
	if (rd.errors.len > 0 && rd.errors.data[rd.errors.len - 1] == '\n')
		rd.errors.data[--rd.errors.len] = '\0';
	*errors = buf_steal(&rd.errors, NULL);
	procdef_free(def);
	return NULL;
}

static bool
is_file(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

struct procdef *
procdef_load(const char *admin_dir, const char *name, char **cause)
{
	struct draft_dir dirs[DRAFT_PATH_DIRS];
	struct procdef *def;
	size_t i, n;
	struct buf b;
	char *path;

	if (!name_valid(name)) {
		set_cause(cause, "\"%.60s\" is not a process file name: 1 to %d of a-z, 0-9 and "
		    "-, without path or .conf", name ? name : "", PROCDEF_NAME_MAX);
		return NULL;
	}
	n = draft_search_path(admin_dir, dirs);
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/process/%s.conf", dirs[i].path, name);
		if (is_file(path)) {
			def = procdef_read(path, name, cause);
			free(path);
			return def;
		}
		free(path);
	}
	buf_init(&b);
	buf_printf(&b, _("no process file %s.conf in"), name);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s/process", i == 0 ? " " : i + 1 == n ? _(" or ") : ", ",
		    dirs[i].path);
	*cause = buf_steal(&b, NULL);
	return NULL;
}

/* The names already checked, so a copy in templates.dir hides the shipped file. */
struct names {
	char	**v;
	size_t	  n;
};

static bool
names_add(struct names *seen, const char *name)
{
	size_t i;

	for (i = 0; i < seen->n; i++)
		if (strcmp(seen->v[i], name) == 0)
			return false;
	seen->v = xreallocarray(seen->v, seen->n + 1, sizeof(*seen->v));
	seen->v[seen->n++] = xstrdup(name);
	return true;
}

/* Checks the files of one directory whose names no earlier directory had. */
static void
check_dir(const char *dir, struct names *seen, struct buf *errors, size_t *nbad)
{
	struct procdef *def;
	struct dirent *de;
	char *path, *name, *msg;
	size_t len;
	DIR *d;

	xasprintf(&path, "%s/process", dir);
	d = opendir(path);
	free(path);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		name = xstrdup(de->d_name);
		name[len - 5] = '\0';
		if (name_valid(name) && names_add(seen, name)) {
			xasprintf(&path, "%s/process/%s", dir, de->d_name);
			if ((def = procdef_read(path, name, &msg)) == NULL) {
				buf_printf(errors, "%s%s", errors->len ? "\n" : "", msg);
				free(msg);
				(*nbad)++;
			}
			procdef_free(def);
			free(path);
		}
		free(name);
	}
	closedir(d);
}

int
procdef_check_all(const char *admin_dir, char **errors)
{
	struct draft_dir dirs[DRAFT_PATH_DIRS];
	struct names seen = { NULL, 0 };
	struct buf b;
	size_t i, n, nbad = 0;

	buf_init(&b);
	n = draft_search_path(admin_dir, dirs);
	for (i = 0; i < n; i++)
		check_dir(dirs[i].path, &seen, &b, &nbad);
	for (i = 0; i < seen.n; i++)
		free(seen.v[i]);
	free(seen.v);
	if (nbad == 0) {
		buf_free(&b);
		return 0;
	}
	*errors = buf_steal(&b, NULL);
	return -1;
}
