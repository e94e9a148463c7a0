/*
 * route: default routes by Land and the "SLUG[:ROLE],..." form (see
 * route.h).
 *
 * Who deliberates, by Land (councils-by-land notes in the README): the
 * Fachausschuss prepares, the main committee (Verwaltungsausschuss or
 * Kreisausschuss in Niedersachsen, Haupt- und Finanzausschuss in
 * Nordrhein-Westfalen, Hauptausschuss in Schleswig-Holstein) prepares the
 * decisions of the Rat or Kreistag, which decides.  An integration body
 * (Integrationsbeirat, the Integrationsrat of section 27 GO NRW, the
 * Ausländerbeirat of section 84 HGO) is heard first.  In Hessen the
 * Magistrat, the Gemeindevorstand and the Kreisausschuss are the collegial
 * executive: they adopt the Vorlage before any committee sees it.
 */
#include "route.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "domain.h"
#include "i18n.h"
#include "xmalloc.h"

#define ROUTE_TEXT_MAX	1000

static const struct {
	const char		*kind;
	enum route_group	 group;
} groups[] = {
	{ "magistrat", ROUTE_EXECUTIVE },
	{ "gemeindevorstand", ROUTE_EXECUTIVE },
	{ "integrationsbeirat", ROUTE_INTEGRATION },
	{ "integrationsrat", ROUTE_INTEGRATION },
	{ "auslaenderbeirat", ROUTE_INTEGRATION },
	{ "fachausschuss", ROUTE_FACH },
	{ "verwaltungsausschuss", ROUTE_MAIN },
	{ "kreisausschuss", ROUTE_MAIN },
	{ "hauptausschuss", ROUTE_MAIN },
	{ "rat", ROUTE_BODY },
	{ "kreistag", ROUTE_BODY },
};

enum route_group
route_group_of(const char *kind, const char *land)
{
	size_t i;

	/* The Kreisausschuss of a Hessian Landkreis is its executive (HKO). */
	if (strcmp(kind, "kreisausschuss") == 0 && land != NULL && strcmp(land, "HE") == 0)
		return ROUTE_EXECUTIVE;
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (strcmp(groups[i].kind, kind) == 0)
			return groups[i].group;
	return ROUTE_NONE;
}

const char *
route_default_role(const char *kind, const char *land)
{
	switch (route_group_of(kind, land)) {
	case ROUTE_INTEGRATION:
		return "anhoerung";
	case ROUTE_EXECUTIVE:
	case ROUTE_BODY:
		return "entscheidung";
	default:
		return "vorberatung";
	}
}

static void
add_entry(struct route *r, const struct route_committee *c, const char *land)
{
	struct route_entry *e = &r->e[r->n++];

	e->committee_id = c->id;
	e->slug = c->slug;
	e->name = c->name;
	e->kind = c->kind;
	e->role = route_default_role(c->kind, land);
	e->executive = route_group_of(c->kind, land) == ROUTE_EXECUTIVE;
}

/* The committees of group g other than target, as "a, b" into b. */
static size_t
list_group(const struct route_committee *c, size_t n, const char *land, enum route_group g,
    long long target, struct buf *b)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++) {
		if (c[i].id == target || route_group_of(c[i].kind, land) != g)
			continue;
		buf_printf(b, "%s%s", count++ ? ", " : "", c[i].slug);
	}
	return count;
}

static int
several(struct buf *b, const char *what, const char *hint, char **cause)
{
	set_cause(cause, "there are several %s (%s): %s", what, b->data, hint);
	buf_free(b);
	return -1;
}

int
route_derive(const struct route_committee *c, size_t n, const char *land, long long target,
    long long fach, struct route *out, char **cause)
{
	static const enum route_group order[] = {
		ROUTE_EXECUTIVE, ROUTE_INTEGRATION, ROUTE_FACH, ROUTE_MAIN,
	};
	const struct route_committee *t = NULL;
	enum route_group g;
	struct buf b;
	size_t i, k, count;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++)
		if (c[i].id == target)
			t = &c[i];
	if (t == NULL)
		return set_cause(cause, "the target session's committee is unknown");
	if (route_group_of(t->kind, land) != ROUTE_BODY)
		return set_cause(cause, "the target session belongs to %s (%s), and the default "
		    "route ends with a Rat or Kreistag: give the process a route that ends with "
		    "\"%s\" (--route)", t->name, vocab_label(committee_kinds, t->kind) ?
		    vocab_label(committee_kinds, t->kind) : t->kind, t->slug);
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		g = order[k];
		buf_init(&b);
		count = list_group(c, n, land, g, target, &b);
		buf_add_char(&b, '\0');
		if (g == ROUTE_FACH && fach != 0) {
			for (i = 0; i < n; i++)
				if (c[i].id == fach && c[i].id != target)
					add_entry(out, &c[i], land);
			buf_free(&b);
			continue;
		}
		if (count > 1 && g == ROUTE_FACH)
			return several(&b, _("Fachausschüsse"), _("name the responsible one with "
			    "--committee SLUG, or give the process a --route"), cause);
		if (count > 1 && g != ROUTE_INTEGRATION)
			return several(&b, g == ROUTE_EXECUTIVE ? _("executive committees") :
			    _("main committees"), _("give the process a --route"), cause);
		buf_free(&b);
		for (i = 0; i < n && out->n < ROUTE_MAX - 1; i++)
			if (c[i].id != target && route_group_of(c[i].kind, land) == g)
				add_entry(out, &c[i], land);
	}
	add_entry(out, t, land);
	return 0;
}

int
route_split(const char *text, char **buf, const char *slugs[ROUTE_MAX],
    const char *roles[ROUTE_MAX], size_t *n, char **cause)
{
	char *p, *item, *colon, *end;
	size_t i;

	*n = 0;
	*buf = NULL;
	if (strlen(text) > ROUTE_TEXT_MAX)
		return set_cause(cause, "--route is longer than %d bytes", ROUTE_TEXT_MAX);
	*buf = p = xstrdup(text);
	while ((item = strsep(&p, ",")) != NULL) {
		while (*item == ' ')
			item++;
		end = item + strlen(item);
		while (end > item && end[-1] == ' ')
			*--end = '\0';
		if (*n == ROUTE_MAX)
			goto fail_max;
		if ((colon = strchr(item, ':')) != NULL) {
			*colon++ = '\0';
			if (!vocab_has(beratung_roles, colon)) {
				set_cause(cause, "--route: unknown role \"%.40s\" of \"%.48s\"; "
				    "valid: %s", colon, item, vocab_words(beratung_roles));
				goto fail;
			}
			roles[*n] = colon;
		} else
			roles[*n] = NULL;
		if (!domain_slug_valid(item)) {
			set_cause(cause, "--route: \"%.60s\" is not a committee slug; write "
			    "SLUG[:ROLE],... e.g. \"integrationsrat:anhoerung,ia,hfa,rat\"", item);
			goto fail;
		}
		for (i = 0; i < *n; i++) {
			if (strcmp(slugs[i], item) == 0) {
				set_cause(cause, "--route names \"%s\" twice", item);
				goto fail;
			}
		}
		slugs[(*n)++] = item;
	}
	return 0;
fail_max:
	set_cause(cause, "--route has more than %d committees", ROUTE_MAX);
fail:
	free(*buf);
	*buf = NULL;
	*n = 0;
	return -1;
}
