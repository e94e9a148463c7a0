/*
 * route: the Beratungsfolge of a Vorlage, the ordered committees that
 * deliberate on it, each with its role (anhoerung, vorberatung,
 * entscheidung, kenntnisnahme).  The admin writes a route as
 * "SLUG[:ROLE],..."; without one, the default route is derived from the
 * committees the body has and the Land's municipal law.  Pure: committees
 * come in as plain values, nothing here reads the store.
 */
#ifndef IKOND_ROUTE_H
#define IKOND_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#define ROUTE_MAX	12	/* committees in one route */

/* Where a kind of committee stands in the default route. */
enum route_group {
	ROUTE_EXECUTIVE,	/* adopts the Vorlage first (Magistrat, Gemeindevorstand) */
	ROUTE_INTEGRATION,	/* Integrationsbeirat, Integrationsrat, Ausländerbeirat */
	ROUTE_FACH,		/* the Fachausschuss */
	ROUTE_MAIN,		/* Verwaltungs-, Kreis-, Hauptausschuss: prepares */
	ROUTE_BODY,		/* Rat or Kreistag: decides */
	ROUTE_NONE,		/* internal: Verwaltungsvorstand, Fachleitungsrunde, ... */
};

/* A committee as the route sees it. */
struct route_committee {
	long long	 id;
	const char	*slug;
	const char	*name;
	const char	*kind;
};

struct route_entry {
	long long	 committee_id;
	const char	*slug;		/* borrowed from the committee list */
	const char	*name;
	const char	*kind;
	const char	*role;		/* static: "anhoerung", ... */
	bool		 executive;
};

struct route {
	struct route_entry	 e[ROUTE_MAX];
	size_t			 n;
};

/* The group of a committee kind in land (a two-letter code). */
enum route_group route_group_of(const char *kind, const char *land);
/* The role a committee of kind has when the route does not say. */
const char *route_default_role(const char *kind, const char *land);

/*
 * The default route for a decision of the committee target (an id in c):
 * the executive (where the Land has one), the integration bodies, the
 * Fachausschuss fach (0: the only one), the main committee, and target,
 * which must be a Rat or Kreistag.  Kinds the body lacks are skipped.
 * 0, or -1 with *cause (several candidates, a target that is no Rat).
 */
int route_derive(const struct route_committee *c, size_t n, const char *land, long long target,
    long long fach, struct route *out, char **cause);

/* Splits "SLUG[:ROLE],..." into slugs and roles (NULL: default role);
 * the strings point into buf, a copy of text the caller frees.  Checks
 * the form, the roles and repeated slugs. */
int route_split(const char *text, char **buf, const char *slugs[ROUTE_MAX],
    const char *roles[ROUTE_MAX], size_t *n, char **cause);

#endif
