/*
 * draft: finds draft templates on the search path and renders them (see
 * draft.h).  The data they are rendered against is draft_data.c's.
 */
#include "draft.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "template.h"
#include "xmalloc.h"

#define LIST_MAX		500		/* templates "draft list" shows */

/* ---- the search path ---------------------------------------------------- */

bool
draft_name_valid(const char *name)
{
	size_t i;

	if (name == NULL || name[0] == '\0' || strlen(name) > DRAFT_NAME_MAX)
		return false;
	for (i = 0; name[i] != '\0'; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		    name[i] == '-'))
			return false;
	return true;
}

size_t
draft_search_path(const char *admin_dir, struct draft_dir dirs[DRAFT_PATH_DIRS])
{
	size_t n = 0;

	if (admin_dir != NULL && admin_dir[0] != '\0') {
		dirs[n].path = admin_dir;
		dirs[n++].origin = "admin";
	}
	dirs[n].path = IKOND_DATADIR "/templates";
	dirs[n++].origin = "shipped";
#ifdef IKOND_SOURCE_TEMPLATES
	/* So that a daemon run from the build tree finds the templates. */
	if (strcmp(IKOND_SOURCE_TEMPLATES, IKOND_DATADIR "/templates") != 0) {
		dirs[n].path = IKOND_SOURCE_TEMPLATES;
		dirs[n++].origin = "shipped";
	}
#endif
	return n;
}

static bool
is_file(const char *path)
{
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return false;
	fclose(f);
	return true;
}

char *
draft_find(const char *admin_dir, const char *name, const char **origin, char **cause)
{
	struct draft_dir dirs[DRAFT_PATH_DIRS];
	size_t i, n;
	char *path;
	struct buf b;

	if (!draft_name_valid(name)) {
		set_cause(cause, "\"%.80s\" is not a template name: 1 to %d of a-z, 0-9 and -, "
		    "without path or .md (see: ikond-ctl draft list)", name ? name : "",
		    DRAFT_NAME_MAX);
		return NULL;
	}
	n = draft_search_path(admin_dir, dirs);
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s.md", dirs[i].path, name);
		if (is_file(path)) {
			if (origin != NULL)
				*origin = dirs[i].origin;
			return path;
		}
		free(path);
	}
	buf_init(&b);
	buf_printf(&b, _("no template \"%s\" in"), name);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i == 0 ? " " : i + 1 == n ? _(" or ") : ", ", dirs[i].path);
	buf_printf(&b, " %s", _("(see: ikond-ctl draft list)"));
	if (cause != NULL)
		*cause = buf_steal(&b, NULL);
	else
		buf_free(&b);
	return NULL;
}

static char *
read_template(const char *path, size_t *len, char **cause)
{
	char chunk[8192];
	struct buf b;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > TEMPLATE_MAX_SOURCE)
			break;
	}
	if (ferror(f) || b.len > TEMPLATE_MAX_SOURCE) {
		set_cause(cause, ferror(f) ? "%s: read error" : "%s: larger than %d bytes", path,
		    TEMPLATE_MAX_SOURCE);
		fclose(f);
		buf_free(&b);
		return NULL;
	}
	fclose(f);
	buf_add_char(&b, '\0');
	return buf_steal(&b, len);
}

/* The first sentence of the opening comment, or the first heading. */
static char *
template_title(const char *path)
{
	char *text, *p, *end;
	size_t len, n;
	struct buf b;

	if ((text = read_template(path, &len, NULL)) == NULL)
		return xstrdup("");
	buf_init(&b);
	p = text + strspn(text, " \t\r\n");
	if (strncmp(p, "{{!", 3) == 0) {
		p += 3;
		if ((end = strstr(p, "}}")) != NULL)
			*end = '\0';
		if ((end = strstr(p, ". ")) != NULL || (end = strstr(p, ".\n")) != NULL)
			end[1] = '\0';
		while (*p != '\0') {
			n = strcspn(p, " \t\r\n");
			if (n > 0)
				buf_printf(&b, "%s%.*s", b.len ? " " : "", (int)n, p);
			p += n;
			p += strspn(p, " \t\r\n");
		}
	} else {
		for (; *p != '\0'; p += strcspn(p, "\n"), p += *p == '\n') {
			if (*p == '#') {
				p += strspn(p, "# ");
				buf_add(&b, p, strcspn(p, "\r\n"));
				break;
			}
		}
	}
	free(text);
	buf_add_char(&b, '\0');
	return buf_steal(&b, NULL);
}

static int
by_name(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;

	return strcmp(json_string_value(json_object_get(x, "name")),
	    json_string_value(json_object_get(y, "name")));
}

json_t *
draft_list(const char *admin_dir)
{
	struct draft_dir dirs[DRAFT_PATH_DIRS];
	json_t *seen = json_object(), *items[LIST_MAX], *list, *obj;
	size_t i, n, count = 0;
	struct dirent *de;
	char name[DRAFT_NAME_MAX + 1], *path, *title;
	size_t len;
	DIR *d;

	n = draft_search_path(admin_dir, dirs);
	for (i = 0; i < n; i++) {
		if ((d = opendir(dirs[i].path)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL && count < LIST_MAX) {
			len = strlen(de->d_name);
			if (len < 4 || len - 3 > DRAFT_NAME_MAX ||
			    strcmp(de->d_name + len - 3, ".md") != 0)
				continue;
			memcpy(name, de->d_name, len - 3);
			name[len - 3] = '\0';
			if (!draft_name_valid(name) || json_object_get(seen, name) != NULL)
				continue;
			xasprintf(&path, "%s/%s", dirs[i].path, de->d_name);
			if (!is_file(path)) {
				free(path);
				continue;
			}
			title = template_title(path);
			obj = json_pack("{s:s, s:s, s:s, s:s}", "name", name, "origin",
			    dirs[i].origin, "title", title, "path", path);
			free(title);
			free(path);
			json_object_set_new(seen, name, json_true());
			items[count++] = obj;
		}
		closedir(d);
	}
	json_decref(seen);
	qsort(items, count, sizeof(items[0]), by_name);
	list = json_array();
	for (i = 0; i < count; i++)
		json_array_append_new(list, items[i]);
	return list;
}

/* The value at path in data (dot-separated), or NULL. */
static json_t *
data_get(json_t *data, const char *path)
{
	char key[64];
	size_t n;

	while (data != NULL && (n = strcspn(path, ".")) < sizeof(key)) {
		memcpy(key, path, n);
		key[n] = '\0';
		data = json_object_get(data, key);
		if (path[n] == '\0')
			return data;
		path += n + 1;
	}
	return NULL;
}

static const char *
data_string(json_t *data, const char *path)
{
	return json_string_value(data_get(data, path));
}

void
draft_document_info(json_t *data, const char *name, struct document_info *info)
{
	json_t *timeline = data_get(data, "process.timeline");
	struct document_figure *f;

	memset(info, 0, sizeof(*info));
	info->title = name;
	info->issuer = data_string(data, "body.name");
	info->department = data_string(data, "body.department");
	info->address = data_string(data, "body.address");
	info->date = data_string(data, "today_de");
	info->number = data_string(data, "submission.ref");
	if (json_is_string(json_object_get(timeline, "svg"))) {
		f = &info->figures[info->nfigures++];
		f->name = "timeline";
		f->svg = data_string(timeline, "svg");
		f->width = (int)json_integer_value(json_object_get(timeline, "width"));
		f->height = (int)json_integer_value(json_object_get(timeline, "height"));
		f->title = json_string_value(json_object_get(timeline, "title"));
		f->desc = json_string_value(json_object_get(timeline, "desc"));
		if (f->title == NULL)
			f->title = "";
		if (f->desc == NULL)
			f->desc = "";
	}
}

int
draft_render_text(const char *name, const char *text, size_t len, json_t *data,
    enum document_format fmt, struct buf *out, char **cause)
{
	struct document_info info;
	struct template *t;
	struct buf md;
	int rc = -1;

	if ((t = template_parse(name, text, len, cause)) == NULL)
		return -1;
	buf_init(&md);
	draft_document_info(data, name, &info);
	if (template_render(t, data, TEMPLATE_ESCAPE_MARKDOWN, &md, cause) == 0 &&
	    document_render(md.data ? md.data : "", md.len, fmt, &info, out, cause) == 0)
		rc = 0;
	buf_free(&md);
	template_free(t);
	return rc;
}

int
draft_render(const char *admin_dir, const char *name, json_t *data, enum document_format fmt,
    struct buf *out, char **cause)
{
	const char *origin;
	char *path, *text;
	size_t len;
	int rc;

	if ((path = draft_find(admin_dir, name, &origin, cause)) == NULL)
		return -1;
	text = read_template(path, &len, cause);
	free(path);
	if (text == NULL)
		return -1;
	rc = draft_render_text(name, text, len - 1, data, fmt, out, cause);
	free(text);
	return rc;
}
