/*
 * draft: draft documents from the templates in templates/.  draft.c finds
 * a template on the search path (the admin's copies first, then the
 * shipped ones) and renders it as Markdown, HTML or OpenDocument;
 * draft_data.c builds the data tree the templates expect
 * (templates/README.md, "The data") from the store.  The daemon never
 * writes the document anywhere: the caller gets the bytes.
 */
#ifndef IKOND_DRAFT_H
#define IKOND_DRAFT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <sqlite3.h>

#include "buf.h"
#include "config.h"
#include "document.h"
#include "ikond.h"

#define DRAFT_NAME_MAX		64	/* bytes of a template name */
#define DRAFT_PATH_DIRS		3	/* admin, shipped, source tree */

/* Where a directory of the search path comes from. */
struct draft_dir {
	const char	*path;
	const char	*origin;	/* "admin" or "shipped" */
};

/* A template name: 1 to DRAFT_NAME_MAX of [a-z0-9-], no path, no suffix. */
bool draft_name_valid(const char *name);

/*
 * The search path for admin_dir (the config's templates.dir, may be NULL):
 * admin_dir, the installed templates, the source tree's.  Fills dirs and
 * returns how many there are.
 */
size_t draft_search_path(const char *admin_dir, struct draft_dir dirs[DRAFT_PATH_DIRS]);

/*
 * The file of template name on the search path (allocated), and where it
 * comes from in *origin.  NULL with *cause for a bad or unknown name.
 */
char *draft_find(const char *admin_dir, const char *name, const char **origin,
    char **cause);

/* Every template on the search path, the first of each name only, sorted:
 * [{name, origin, title, path}]. */
json_t *draft_list(const char *admin_dir);

/* draft_data.c */

/* What a draft is about besides its process; 0 where it says nothing. */
struct draft_subject {
	sqlite3_int64	submission_id;	/* the Vorlage being drafted */
	sqlite3_int64	event_id;	/* the workshop invited to (0: the next one) */
	sqlite3_int64	to_actor_id;	/* the invitee a personal letter goes to */
};

/*
 * The data tree for process_id and subject as the templates expect it.
 * Every key is present; what does not exist yet is null.  NULL with
 * *cause if the process, submission or event does not exist, if the
 * addressee is not invited, or if the store fails.
 */
json_t *draft_data(struct ikond *ikd, sqlite3_int64 process_id,
    const struct draft_subject *subject, char **cause);

/* The process's submission of kind that is due first: 1 with *id set, 0
 * if it has none, -1 with *cause. */
int draft_default_submission(struct ikond *ikd, sqlite3_int64 process_id, const char *kind,
    sqlite3_int64 *id, char **cause);

/*
 * Renders template name against data into out in fmt.  Errors of the
 * template come as "NAME:LINE: message"; out is left as it was on error.
 */
int draft_render(const char *admin_dir, const char *name, json_t *data,
    enum document_format fmt, struct buf *out, char **cause);
/* The same for the len bytes of a template's text. */
int draft_render_text(const char *name, const char *text, size_t len, json_t *data,
    enum document_format fmt, struct buf *out, char **cause);
/* The letterhead and footer of a draft from its data: body.name,
 * body.department, body.address, today_de, submission.ref; and the figure
 * "timeline" from process.timeline (title, desc, svg, width, height) if
 * the process has one.  The strings stay data's; title is name. */
void draft_document_info(json_t *data, const char *name, struct document_info *info);


#endif
