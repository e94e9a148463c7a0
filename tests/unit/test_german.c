/*
 * Unit tests of german: dates, money and recurrences in words, greetings,
 * and the grammar of the names drafts and mails put into sentences: the
 * body of every kind, names that carry their kind, committees, concepts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "german.h"
#include "rule.h"

static void
test_dates_and_money(void **state)
{
	char s[GERMAN_DATE_MAX], euro[GERMAN_EURO_MAX];
	int d;

	(void)state;
	assert_int_equal(civil_parse_date("2027-12-16", &d, NULL), 0);
	german_date_long(d, s, sizeof(s));
	assert_string_equal(s, "Donnerstag, 16. Dezember 2027");
	german_date_short(d, s, sizeof(s));
	assert_string_equal(s, "16.12.2027");
	assert_int_equal(civil_parse_date("2027-03-01", &d, NULL), 0);
	german_date_long(d, s, sizeof(s));
	assert_string_equal(s, "Montag, 1. März 2027");
	assert_int_equal(civil_parse_date("2027-12-22", &d, NULL), 0);
	german_date_weekday(d, s, sizeof(s));
	assert_string_equal(s, "Mittwoch, 22.12.2027");
	german_week(d, s, sizeof(s));
	assert_string_equal(s, "Kalenderwoche 51: 20.12.\u201326.12.2027");
	german_week(d + 7, s, sizeof(s));
	assert_string_equal(s, "Kalenderwoche 52: 27.12.2027\u201302.01.2028");
	german_span(d - 2, d, s, sizeof(s));
	assert_string_equal(s, "20.12.\u201322.12.2027");
	german_span(d, d, s, sizeof(s));
	assert_string_equal(s, "22.12.2027");
	assert_string_equal(german_month(3), "März");
	assert_string_equal(german_month_abbrev(9), "Sep.");
	assert_string_equal(german_month_abbrev(13), "");
	german_time(17 * 60 + 5, s, sizeof(s));
	assert_string_equal(s, "17:05\u00a0Uhr");

	german_euro(1250000, euro, sizeof(euro));
	assert_string_equal(euro, "12.500,00 €");
	german_euro(5, euro, sizeof(euro));
	assert_string_equal(euro, "0,05 €");
	german_euro(123456789012, euro, sizeof(euro));
	assert_string_equal(euro, "1.234.567.890,12 €");
	german_euro(100000, euro, sizeof(euro));
	assert_string_equal(euro, "1.000,00 €");
	german_euro(-80050, euro, sizeof(euro));
	assert_string_equal(euro, "-800,50 €");
}

static void
expect_rrule(const char *rrule, const char *want)
{
	char *s = german_rrule(rrule);

	assert_string_equal(s, want);
	free(s);
}

static void
test_rrule(void **state)
{
	(void)state;
	expect_rrule("FREQ=YEARLY", "jährlich");
	expect_rrule("FREQ=YEARLY;BYMONTH=3;BYDAY=1TU", "jährlich am ersten Dienstag im März");
	expect_rrule("FREQ=MONTHLY;INTERVAL=6;BYMONTH=3,9", "alle 6 Monate im März und September");
	expect_rrule("FREQ=MONTHLY;BYDAY=-1FR", "monatlich am letzten Freitag");
	expect_rrule("FREQ=YEARLY;COUNT=3", "jährlich, 3-mal");
	expect_rrule("FREQ=YEARLY;UNTIL=20310301", "jährlich, bis 01.03.2031");
	/* What the description does not cover is shown as written. */
	expect_rrule("FREQ=YEARLY;BYSETPOS=1", "FREQ=YEARLY;BYSETPOS=1");
	expect_rrule("FREQ=HOURLY", "FREQ=HOURLY");
}

static void
expect_why(const char *rule, const char *anchor, const char *raw, const char *due,
    const char *reason, const char *want)
{
	struct rule r;
	int a, rd, dd;
	char *s;

	assert_int_equal(rule_parse(rule, &r, NULL), 0);
	assert_int_equal(civil_parse_date(anchor, &a, NULL), 0);
	assert_int_equal(civil_parse_date(raw, &rd, NULL), 0);
	assert_int_equal(civil_parse_date(due, &dd, NULL), 0);
	s = german_rule_why(&r, "der Sitzung", a, rd, dd, reason);
	assert_string_equal(s, want);
	free(s);
}

static void
test_rule_why(void **state)
{
	(void)state;
	expect_why("-21d earlier", "2027-03-16", "2027-02-23", "2027-02-23", NULL,
	    "21 Kalendertage vor der Sitzung am Dienstag, 16. März 2027");
	expect_why("-10d earlier", "2027-03-16", "2027-03-06", "2027-03-05", "Sa",
	    "10 Kalendertage vor der Sitzung am Dienstag, 16. März 2027; der 06.03.2027 ist "
	    "kein Arbeitstag (Samstag), daher gilt der vorherige Arbeitstag");
	expect_why("+2w later", "2027-03-12", "2027-03-26", "2027-03-30", "Karfreitag",
	    "2 Wochen nach der Sitzung am Freitag, 12. März 2027; der 26.03.2027 ist kein "
	    "Arbeitstag (Karfreitag), daher gilt der nächste Arbeitstag");
	expect_why("-1wd", "2027-03-16", "2027-03-15", "2027-03-15", NULL,
	    "1 Arbeitstag vor der Sitzung am Dienstag, 16. März 2027");
	assert_string_equal(german_day_off("So"), "Sonntag");
	assert_string_equal(german_day_off("Heiligabend"), "Heiligabend");
	expect_why("-0d", "2027-03-16", "2027-03-16", "2027-03-16", NULL,
	    "am Tag der Sitzung, Dienstag, 16. März 2027");
}

static void
expect_when(const char *start, int minute, const char *end, int end_minute, const char *want)
{
	int d1, d2;
	char *s;

	assert_int_equal(civil_parse_date(start, &d1, NULL), 0);
	assert_int_equal(civil_parse_date(end, &d2, NULL), 0);
	s = german_when(d1, minute, d2, end_minute);
	assert_string_equal(s, want);
	free(s);
}

static void
test_when(void **state)
{
	(void)state;
	expect_when("2027-05-19", 9 * 60 + 30, "2027-05-19", 16 * 60,
	    "Mittwoch, 19. Mai 2027, 09:30 bis 16:00\u00a0Uhr");
	expect_when("2027-05-19", 9 * 60 + 30, "2027-05-19", CIVIL_NO_TIME,
	    "Mittwoch, 19. Mai 2027, ab 09:30\u00a0Uhr");
	expect_when("2027-05-19", 18 * 60, "2027-05-20", 13 * 60,
	    "Mittwoch, 19. Mai 2027, 18:00\u00a0Uhr, bis Donnerstag, 20. Mai 2027, "
	    "13:00\u00a0Uhr");
	/* A time not known yet follows. */
	expect_when("2027-05-19", CIVIL_NO_TIME, "2027-05-19", CIVIL_NO_TIME,
	    "Mittwoch, 19. Mai 2027; die Uhrzeit teilen wir Ihnen noch mit");
	expect_when("2027-05-19", CIVIL_NO_TIME, "2027-05-20", CIVIL_NO_TIME,
	    "vom Mittwoch, 19. Mai 2027, bis zum Donnerstag, 20. Mai 2027; die Uhrzeiten "
	    "teilen wir Ihnen noch mit");
}

static void
expect_greeting(const char *salutation, const char *title, const char *family,
    const char *name, const char *want)
{
	char *s = german_greeting(salutation, title, family, name);

	assert_string_equal(s, want);
	free(s);
}

static void
test_greetings(void **state)
{
	(void)state;
	expect_greeting("frau", "Dr.", NULL, "Dr. Claudia Brunken",
	    "Sehr geehrte Frau Dr. Brunken");
	expect_greeting("herr", "", NULL, "Mehmet Yilmaz", "Sehr geehrter Herr Yilmaz");
	expect_greeting("neutral", "", NULL, "Kim Koordination", "Guten Tag Kim Koordination");
	expect_greeting("org", "", NULL, "Kreisvolkshochschule Musterland",
	    "Sehr geehrte Damen und Herren");
	expect_greeting("Frau", "Dr.", "Schulte", "Dr. Petra Schulte",
	    "Sehr geehrte Frau Dr. Schulte");
	expect_greeting("Herr", NULL, "Yılmaz", "Mehmet Yılmaz", "Sehr geehrter Herr Yılmaz");
	/* Without a salutation, or an unknown one: neutral. */
	expect_greeting(NULL, NULL, NULL, "Ayşe Öztürk-Müller", "Guten Tag Ayşe Öztürk-Müller");
	expect_greeting("divers", "", NULL, "Kim Koordination", "Guten Tag Kim Koordination");
	expect_greeting("", NULL, "Haddad", "Amira Haddad", "Guten Tag Amira Haddad");
	/* Without any name: everyone. */
	expect_greeting(NULL, NULL, NULL, "", "Sehr geehrte Damen und Herren");
}

static void
test_greeting_title_and_family_name(void **state)
{
	char *f;

	(void)state;
	/* A family name of several words is given explicitly; without one
	 * it is the last word of the name. */
	expect_greeting("frau", "Prof. Dr.", "von der Heide", "Anna von der Heide",
	    "Sehr geehrte Frau Prof. Dr. von der Heide");
	expect_greeting("herr", NULL, "", "Jürgen Weiß ", "Sehr geehrter Herr Weiß");
	expect_greeting("Frau", NULL, "", "Petra Schulte", "Sehr geehrte Frau Schulte");
	/* Neutral puts the title in front unless the name carries it. */
	expect_greeting("neutral", "Dr.", NULL, "Kim Koordination",
	    "Guten Tag Dr. Kim Koordination");
	expect_greeting("neutral", "Dr.", NULL, "Dr. Kim Koordination",
	    "Guten Tag Dr. Kim Koordination");
	/* The title is a word of its own: "Dr." does not begin "Drews". */
	expect_greeting("herr", "Dr.", NULL, "Paul Drews", "Sehr geehrter Herr Dr. Drews");
	f = german_family_name(NULL, "Petra Schulte");
	assert_string_equal(f, "Schulte");
	free(f);
	f = german_family_name("", "Madonna");
	assert_string_equal(f, "Madonna");
	free(f);
	f = german_family_name("Schulte-Brink", "Petra Schulte");
	assert_string_equal(f, "Schulte-Brink");
	free(f);
}

/* kind, name: nominative, dative ("im"), genitive, accusative. */
static void
expect_body(const char *kind, const char *name, const char *nom, const char *in,
    const char *gen, const char *acc)
{
	const struct german_body_kind *k = german_body_kind(kind);
	struct german_forms f;

	assert_non_null(k);
	german_body_forms(k, name, &f);
	assert_string_equal(f.nom, nom);
	assert_string_equal(f.in, in);
	assert_string_equal(f.gen, gen);
	assert_string_equal(f.acc, acc);
	assert_true(f.nom_cap[0] >= 'A' && f.nom_cap[0] <= 'Z');
	assert_string_equal(f.nom_cap + 1, nom + 1);
	german_forms_free(&f);
}

static void
test_body_forms(void **state)
{
	const struct german_body_kind *k = german_body_kind("stadt");
	struct german_forms f;

	(void)state;
	expect_body("landkreis", "Landkreis Musterland", "der Landkreis Musterland",
	    "im Landkreis Musterland", "des Landkreises Musterland", "den Landkreis Musterland");
	expect_body("landkreis", "Musterland", "der Landkreis Musterland",
	    "im Landkreis Musterland", "des Landkreises Musterland", "den Landkreis Musterland");
	expect_body("stadt", "Stadt Iserlohn", "die Stadt Iserlohn", "in der Stadt Iserlohn",
	    "der Stadt Iserlohn", "die Stadt Iserlohn");
	expect_body("stadt", "Iserlohn", "die Stadt Iserlohn", "in der Stadt Iserlohn",
	    "der Stadt Iserlohn", "die Stadt Iserlohn");
	/* A town whose name ends like its kind is not doubled or swallowed. */
	expect_body("stadt", "Darmstadt", "die Stadt Darmstadt", "in der Stadt Darmstadt",
	    "der Stadt Darmstadt", "die Stadt Darmstadt");
	expect_body("gemeinde", "Gemeinde Wardenburg", "die Gemeinde Wardenburg",
	    "in der Gemeinde Wardenburg", "der Gemeinde Wardenburg", "die Gemeinde Wardenburg");
	expect_body("samtgemeinde", "Samtgemeinde Harsefeld", "die Samtgemeinde Harsefeld",
	    "in der Samtgemeinde Harsefeld", "der Samtgemeinde Harsefeld",
	    "die Samtgemeinde Harsefeld");
	expect_body("kreis", "Kreis Unna", "der Kreis Unna", "im Kreis Unna", "des Kreises Unna",
	    "den Kreis Unna");
	expect_body("kreis", "Rhein-Sieg-Kreis", "der Rhein-Sieg-Kreis", "im Rhein-Sieg-Kreis",
	    "des Rhein-Sieg-Kreises", "den Rhein-Sieg-Kreis");
	expect_body("kreis", "Märkischer Kreis", "der Märkische Kreis", "im Märkischen Kreis",
	    "des Märkischen Kreises", "den Märkischen Kreis");
	expect_body("kreis", "Hochsauerlandkreis", "der Hochsauerlandkreis",
	    "im Hochsauerlandkreis", "des Hochsauerlandkreises", "den Hochsauerlandkreis");
	expect_body("region", "Region Hannover", "die Region Hannover", "in der Region Hannover",
	    "der Region Hannover", "die Region Hannover");
	expect_body("markt", "Markt Garmisch-Partenkirchen", "der Markt Garmisch-Partenkirchen",
	    "im Markt Garmisch-Partenkirchen", "des Markts Garmisch-Partenkirchen",
	    "den Markt Garmisch-Partenkirchen");
	expect_body("kreisfreie_stadt", "Hansestadt Lübeck", "die Hansestadt Lübeck",
	    "in der Hansestadt Lübeck", "der Hansestadt Lübeck", "die Hansestadt Lübeck");
	expect_body("stadt", "Große Kreisstadt Meißen", "die Große Kreisstadt Meißen",
	    "in der Großen Kreisstadt Meißen", "der Großen Kreisstadt Meißen",
	    "die Große Kreisstadt Meißen");
	/* The name's own kind wins over a configured one that differs. */
	expect_body("landkreis", "Stadt Iserlohn", "die Stadt Iserlohn", "in der Stadt Iserlohn",
	    "der Stadt Iserlohn", "die Stadt Iserlohn");

	german_body_forms(k, "Iserlohn", &f);
	assert_string_equal(f.name, "Stadt Iserlohn");
	assert_string_equal(f.dat, "der Stadt Iserlohn");
	assert_string_equal(f.in_cap, "In der Stadt Iserlohn");
	assert_string_equal(f.poss, "ihrer");
	german_forms_free(&f);

	assert_null(german_body_kind("bezirk"));
	assert_string_equal(german_body_kind_of_name("Stadt Iserlohn")->key, "stadt");
	assert_string_equal(german_body_kind_of_name("Kreis Unna")->key, "kreis");
	assert_string_equal(german_body_kind_of_name("Hansestadt Lüneburg")->key, "stadt");
	assert_null(german_body_kind_of_name("Musterland"));
	assert_null(german_body_kind_of_name("Stadtallendorf"));
}

static void
expect_committee(const char *name, const char *nom, const char *dat, const char *gen,
    const char *poss)
{
	struct german_forms f;

	german_committee_forms(name, &f);
	assert_string_equal(f.nom, nom);
	assert_string_equal(f.dat, dat);
	assert_string_equal(f.gen, gen);
	assert_string_equal(f.poss, poss);
	german_forms_free(&f);
}

static void
test_committee_forms(void **state)
{
	(void)state;
	expect_committee("Kreistag", "der Kreistag", "dem Kreistag", "des Kreistags", "seiner");
	expect_committee("Ausschuss für Integration und Teilhabe",
	    "der Ausschuss für Integration und Teilhabe",
	    "dem Ausschuss für Integration und Teilhabe",
	    "des Ausschusses für Integration und Teilhabe", "seiner");
	expect_committee("Regionsversammlung", "die Regionsversammlung",
	    "der Regionsversammlung", "der Regionsversammlung", "ihrer");
	expect_committee("Haupt- und Finanzausschuss", "der Haupt- und Finanzausschuss",
	    "dem Haupt- und Finanzausschuss", "des Haupt- und Finanzausschusses", "seiner");
	expect_committee("Integrationsbeirat des Landkreises", "der Integrationsbeirat des "
	    "Landkreises", "dem Integrationsbeirat des Landkreises", "des Integrationsbeirats des "
	    "Landkreises", "seiner");
	expect_committee("Stadtverordnetenversammlung", "die Stadtverordnetenversammlung",
	    "der Stadtverordnetenversammlung", "der Stadtverordnetenversammlung", "ihrer");
	expect_committee("Kernteam Integrationskonzept", "das Kernteam Integrationskonzept",
	    "dem Kernteam Integrationskonzept", "des Kernteams Integrationskonzept", "seiner");
	expect_committee("Fachleitungsrunde Bildung", "die Fachleitungsrunde Bildung",
	    "der Fachleitungsrunde Bildung", "der Fachleitungsrunde Bildung", "ihrer");
}

static void
test_concept_forms(void **state)
{
	struct german_forms f;

	(void)state;
	german_concept_forms("Integrationskonzept Landkreis Musterland 2027", &f);
	assert_string_equal(f.nom, "das Integrationskonzept Landkreis Musterland 2027");
	assert_string_equal(f.gen, "des Integrationskonzepts Landkreis Musterland 2027");
	assert_string_equal(f.nom_cap, "Das Integrationskonzept Landkreis Musterland 2027");
	german_forms_free(&f);
	german_concept_forms("Bildung gemeinsam gestalten", &f);
	assert_string_equal(f.nom, "das Integrationskonzept „Bildung gemeinsam gestalten“");
	assert_string_equal(f.dat, "dem Integrationskonzept „Bildung gemeinsam gestalten“");
	assert_string_equal(f.gen, "des Integrationskonzepts „Bildung gemeinsam gestalten“");
	assert_string_equal(f.name, "Integrationskonzept „Bildung gemeinsam gestalten“");
	german_forms_free(&f);
	german_concept_forms("Musterland-Integrationskonzept", &f);
	assert_string_equal(f.nom, "das Musterland-Integrationskonzept");
	german_forms_free(&f);
	german_concept_forms("Leitlinien Integrationskonzept 2030", &f);
	assert_string_equal(f.nom, "das „Leitlinien Integrationskonzept 2030“");
	assert_string_equal(f.gen, "des „Leitlinien Integrationskonzept 2030“");
	german_forms_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates_and_money),
		cmocka_unit_test(test_rrule),
		cmocka_unit_test(test_rule_why),
		cmocka_unit_test(test_when),
		cmocka_unit_test(test_greetings),
		cmocka_unit_test(test_greeting_title_and_family_name),
		cmocka_unit_test(test_body_forms),
		cmocka_unit_test(test_committee_forms),
		cmocka_unit_test(test_concept_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
