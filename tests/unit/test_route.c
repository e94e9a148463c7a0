/*
 * test_route: the default Beratungsfolge by Land and by the committees a
 * body has (the four examples of the README and Hessen's executive), and
 * the "SLUG[:ROLE],..." form.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain.h"
#include "route.h"

/* The route as "slug:role,slug:role". */
static char *
route_text(const struct route *r)
{
	char *text = calloc(1, ROUTE_MAX * 80);
	size_t i;

	for (i = 0; i < r->n; i++)
		snprintf(text + strlen(text), ROUTE_MAX * 80 - strlen(text), "%s%s:%s",
		    i ? "," : "", r->e[i].slug, r->e[i].role);
	return text;
}

static void
assert_route(const struct route_committee *c, size_t n, const char *land, long long target,
    long long fach, const char *want)
{
	struct route r;
	char *cause = NULL, *text;

	if (route_derive(c, n, land, target, fach, &r, &cause) == -1)
		fail_msg("%s: %s", land, cause);
	text = route_text(&r);
	assert_string_equal(text, want);
	free(text);
}

static void
test_examples(void **state)
{
	/* A Landkreis in Niedersachsen. */
	static const struct route_committee ni_kreis[] = {
		{ 1, "ia", "Ausschuss für Integration", "fachausschuss" },
		{ 2, "ka", "Kreisausschuss", "kreisausschuss" },
		{ 3, "kt", "Kreistag", "kreistag" },
		{ 4, "beirat", "Integrationsbeirat", "integrationsbeirat" },
		{ 5, "flr", "Fachleitungsrunde", "fachleitungsrunde" },
	};
	/* A Gemeinde in Niedersachsen. */
	static const struct route_committee ni_gemeinde[] = {
		{ 1, "rat", "Rat", "rat" },
		{ 2, "va", "Verwaltungsausschuss", "verwaltungsausschuss" },
		{ 3, "schule", "Ausschuss für Schule und Soziales", "fachausschuss" },
	};
	/* A Stadt in Nordrhein-Westfalen. */
	static const struct route_committee nw_stadt[] = {
		{ 1, "rat", "Rat der Stadt", "rat" },
		{ 2, "hfa", "Haupt- und Finanzausschuss", "hauptausschuss" },
		{ 3, "ir", "Integrationsrat", "integrationsrat" },
		{ 4, "soz", "Ausschuss für Soziales", "fachausschuss" },
	};
	/* A Landkreis in Bayern. */
	static const struct route_committee by_kreis[] = {
		{ 1, "kt", "Kreistag", "kreistag" },
		{ 2, "ka", "Kreisausschuss", "kreisausschuss" },
	};
	/* A Stadt in Hessen: the Magistrat adopts the Vorlage first. */
	static const struct route_committee he_stadt[] = {
		{ 1, "stvv", "Stadtverordnetenversammlung", "rat" },
		{ 2, "mag", "Magistrat", "magistrat" },
		{ 3, "ab", "Ausländerbeirat", "auslaenderbeirat" },
		{ 4, "soz", "Sozialausschuss", "fachausschuss" },
		{ 5, "hfa", "Haupt- und Finanzausschuss", "hauptausschuss" },
	};

	(void)state;
	assert_route(ni_kreis, 5, "NI", 3, 0, "beirat:anhoerung,ia:vorberatung,ka:vorberatung,"
	    "kt:entscheidung");
	assert_route(ni_gemeinde, 3, "NI", 1, 0, "schule:vorberatung,va:vorberatung,"
	    "rat:entscheidung");
	assert_route(nw_stadt, 4, "NW", 1, 0, "ir:anhoerung,soz:vorberatung,hfa:vorberatung,"
	    "rat:entscheidung");
	assert_route(by_kreis, 2, "BY", 1, 0, "ka:vorberatung,kt:entscheidung");
	assert_route(he_stadt, 5, "HE", 1, 0, "mag:entscheidung,ab:anhoerung,soz:vorberatung,"
	    "hfa:vorberatung,stvv:entscheidung");
	/* In Hessen the Kreisausschuss is the executive, elsewhere it prepares. */
	assert_route(by_kreis, 2, "HE", 1, 0, "ka:entscheidung,kt:entscheidung");
	assert_int_equal(route_group_of("kreisausschuss", "HE"), ROUTE_EXECUTIVE);
	assert_int_equal(route_group_of("kreisausschuss", "NI"), ROUTE_MAIN);
}

static void
test_every_kind_has_a_place(void **state)
{
	static const char *const internal[] = { "verwaltungsvorstand", "fachleitungsrunde",
	    "arbeitsgruppe", NULL };
	const struct vocab *v;
	size_t i;
	bool is_internal;

	(void)state;
	for (v = committee_kinds; v->word != NULL; v++) {
		is_internal = false;
		for (i = 0; internal[i] != NULL; i++)
			is_internal |= strcmp(internal[i], v->word) == 0;
		if (is_internal != (route_group_of(v->word, "NI") == ROUTE_NONE))
			fail_msg("committee kind %s has no place in the default route", v->word);
	}
}

static void
test_ambiguous(void **state)
{
	static const struct route_committee two_fach[] = {
		{ 1, "rat", "Rat", "rat" },
		{ 2, "schule", "Schulausschuss", "fachausschuss" },
		{ 3, "soz", "Sozialausschuss", "fachausschuss" },
	};
	struct route r;
	char *cause = NULL;

	(void)state;
	assert_int_equal(route_derive(two_fach, 3, "NI", 1, 0, &r, &cause), -1);
	assert_string_equal(cause, "there are several Fachausschüsse (schule, soz): name the "
	    "responsible one with --committee SLUG, or give the process a --route");
	free(cause);
	cause = NULL;
	assert_route(two_fach, 3, "NI", 1, 3, "soz:vorberatung,rat:entscheidung");
	/* A target that is no Rat or Kreistag needs a route of its own. */
	assert_int_equal(route_derive(two_fach, 3, "NI", 2, 0, &r, &cause), -1);
	assert_non_null(strstr(cause, "the target session belongs to Schulausschuss "
	    "(Fachausschuss)"));
	free(cause);
}

static void
test_split(void **state)
{
	const char *slugs[ROUTE_MAX], *roles[ROUTE_MAX];
	char *buf, *cause = NULL;
	size_t n;

	(void)state;
	assert_int_equal(route_split("ir:anhoerung, soz,hfa:vorberatung,rat", &buf, slugs, roles,
	    &n, &cause), 0);
	assert_int_equal(n, 4);
	assert_string_equal(slugs[1], "soz");
	assert_null(roles[1]);
	assert_string_equal(roles[2], "vorberatung");
	assert_string_equal(slugs[3], "rat");
	free(buf);
	assert_int_equal(route_split("ia:beschluss,rat", &buf, slugs, roles, &n, &cause), -1);
	assert_string_equal(cause, "--route: unknown role \"beschluss\" of \"ia\"; valid: "
	    "anhoerung vorberatung entscheidung kenntnisnahme");
	free(cause);
	cause = NULL;
	assert_int_equal(route_split("ia,rat,ia", &buf, slugs, roles, &n, &cause), -1);
	assert_string_equal(cause, "--route names \"ia\" twice");
	free(cause);
	cause = NULL;
	assert_int_equal(route_split("ia,,rat", &buf, slugs, roles, &n, &cause), -1);
	assert_non_null(strstr(cause, "is not a committee slug"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_every_kind_has_a_place),
		cmocka_unit_test(test_ambiguous),
		cmocka_unit_test(test_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
