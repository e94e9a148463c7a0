/*
 * test_oparl: OParl 1.1 JSON to records: the specification's examples
 * (Meeting-01, Organization-01, Person-01, a paginated list), and the
 * quirks of real servers: null and "N/A" values, a bare array instead of
 * a list page, a date without a time, a time without an offset, values of
 * the wrong type, HTML in names, raw control characters in strings,
 * deleted objects with nothing but an id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civil.h"
#include "oparl.h"

#define TZ	"Europe/Berlin"

static time_t
utc(int y, int mo, int d, int h, int mi)
{
	return (time_t)civil_days_from_date(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

static struct oparl_data *
page(enum oparl_list list, const char *json, const char *want_next)
{
	struct oparl_data *d = oparl_data_new();
	char *next = NULL, *cause = NULL;

	if (oparl_read_page(d, list, json, strlen(json), TZ, &next, &cause) == -1)
		fail_msg("%s", cause);
	if (want_next == NULL)
		assert_null(next);
	else
		assert_string_equal(next, want_next);
	free(next);
	return d;
}

static void
test_times(void **state)
{
	time_t t;

	(void)state;
	assert_int_equal(oparl_parse_time("2013-01-04T08:00:00+01:00", TZ, &t), 0);
	assert_int_equal(t, utc(2013, 1, 4, 7, 0));
	assert_int_equal(oparl_parse_time("2013-01-04T08:00:00Z", TZ, &t), 0);
	assert_int_equal(t, utc(2013, 1, 4, 8, 0));
	assert_int_equal(oparl_parse_time("2013-07-04T08:00:00.123+0200", TZ, &t), 0);
	assert_int_equal(t, utc(2013, 7, 4, 6, 0));
	assert_int_equal(oparl_parse_time("2013-07-04T08:00:00-05", TZ, &t), 0);
	assert_int_equal(t, utc(2013, 7, 4, 13, 0));
	/* No offset: local; a date alone: local midnight. */
	assert_int_equal(oparl_parse_time("2027-06-24T18:00:00", TZ, &t), 0);
	assert_int_equal(t, utc(2027, 6, 24, 16, 0));
	assert_int_equal(oparl_parse_time("2027-06-24 18:00", TZ, &t), 0);
	assert_int_equal(t, utc(2027, 6, 24, 16, 0));
	assert_int_equal(oparl_parse_time("2027-05-20", TZ, &t), 0);
	assert_int_equal(t, utc(2027, 5, 19, 22, 0));
	assert_int_equal(oparl_parse_time("2027-02-30", TZ, &t), -1);
	assert_int_equal(oparl_parse_time("2027-05-20T25:00:00Z", TZ, &t), -1);
	assert_int_equal(oparl_parse_time("2027-05-20T10:00:00+01:00x", TZ, &t), -1);
	assert_int_equal(oparl_parse_time("20.05.2027", TZ, &t), -1);
	assert_int_equal(oparl_parse_time("", TZ, &t), -1);
	assert_int_equal(oparl_parse_time(NULL, TZ, &t), -1);
}

static void
test_plain_text(void **state)
{
	char *s;

	(void)state;
	s = oparl_plain_text("<b>2. Sitzung</b> des Ausschusses f&uuml;r Integration", 500);
	assert_string_equal(s, "2. Sitzung des Ausschusses für Integration");
	free(s);
	s = oparl_plain_text("Haushalt<br/>Stellenplan &amp; Anlage &#8211; &#x20AC;&nbsp;5", 500);
	assert_string_equal(s, "Haushalt Stellenplan & Anlage – € 5");
	free(s);
	/* Not tags: a comparison; not entities: a lone ampersand. */
	s = oparl_plain_text("a < b & c > d", 500);
	assert_string_equal(s, "a < b & c > d");
	free(s);
	assert_null(oparl_plain_text("<p></p>", 500));
	assert_null(oparl_plain_text(NULL, 500));
}

static void
test_meeting_example(void **state)
{
	struct oparl_data *d;
	const struct oparl_meeting *m;

	(void)state;
	d = page(OPARL_MEETINGS, "{\"data\": [{"
	    "\"id\": \"https://oparl.example.org/meeting/281\","
	    "\"type\": \"https://schema.oparl.org/1.1/Meeting\","
	    "\"name\": \"4. Sitzung des Finanzausschusses\","
	    "\"start\": \"2013-01-04T08:00:00+01:00\", \"end\": \"2013-01-04T12:00:00+01:00\","
	    "\"location\": {\"id\": \"https://oparl.example.org/location/0\","
	    "  \"type\": \"https://schema.oparl.org/1.1/Location\","
	    "  \"description\": \"Rathaus der Beispielstadt, Ratshausplatz 1, 12345 Beispielstadt\"},"
	    "\"organization\": [\"https://oparl.example.org/organization/34\"],"
	    "\"created\": \"2012-01-06T12:01:00+01:00\", \"modified\": \"2012-01-08T14:05:27+01:00\""
	    "}], \"pagination\": {\"totalElements\": 2}, \"links\": {"
	    "\"next\": \"https://oparl.example.org/meeting/?page=2\"}}",
	    "https://oparl.example.org/meeting/?page=2");
	assert_int_equal(d->nmeetings, 1);
	m = &d->meetings[0];
	assert_string_equal(m->id, "https://oparl.example.org/meeting/281");
	assert_string_equal(m->name, "4. Sitzung des Finanzausschusses");
	assert_int_equal(m->start, utc(2013, 1, 4, 7, 0));
	assert_int_equal(m->end, utc(2013, 1, 4, 11, 0));
	assert_string_equal(m->location,
	    "Rathaus der Beispielstadt, Ratshausplatz 1, 12345 Beispielstadt");
	assert_int_equal(m->norganizations, 1);
	assert_string_equal(m->organizations[0], "https://oparl.example.org/organization/34");
	assert_false(m->cancelled);
	assert_false(m->deleted);
	assert_int_equal(d->modified[OPARL_MEETINGS], utc(2012, 1, 8, 13, 5) + 27);
	oparl_data_free(d);
}

static void
test_meeting_quirks(void **state)
{
	struct oparl_data *d;
	const struct oparl_meeting *m;

	(void)state;
	/* A bare array, raw control characters, nulls, wrong types. */
	d = page(OPARL_MEETINGS, "[{\"id\": \"m1\", \"name\": \"Rat\tder\nStadt\","
	    "\"start\": \"2027-05-20\", \"end\": null, \"location\": null, \"cancelled\": \"true\","
	    "\"organization\": \"o1\", \"web\": \"N/A\"},"
	    "{\"id\": \"m2\", \"deleted\": true},"
	    "{\"id\": \"m3\", \"name\": \"ohne Beginn\"},"
	    "{\"name\": \"ohne id\", \"start\": \"2027-05-20\"},"
	    "{\"id\": 17, \"start\": \"2027-05-21T18:00:00\", \"end\": \"2027-05-21T17:00:00\","
	    " \"cancelled\": 1, \"organizations\": [\"o1\", 5, \"o2\"],"
	    " \"streetAddress\": \"Markt 1\", \"locality\": \"Musterstadt\"},"
	    "\"kein Objekt\"]", NULL);
	assert_int_equal(d->nmeetings, 3);
	m = &d->meetings[0];
	assert_string_equal(m->name, "Rat der Stadt");
	assert_int_equal(m->start, utc(2027, 5, 19, 22, 0));
	assert_int_equal(m->end, m->start);
	assert_null(m->location);
	assert_null(m->web);
	assert_true(m->cancelled);
	assert_int_equal(m->norganizations, 1);
	assert_string_equal(m->organizations[0], "o1");
	assert_true(d->meetings[1].deleted);
	assert_string_equal(d->meetings[1].id, "m2");
	m = &d->meetings[2];
	assert_string_equal(m->id, "17");
	assert_int_equal(m->end, m->start);	/* an end before the start is none */
	assert_true(m->cancelled);
	assert_int_equal(m->norganizations, 3);
	assert_string_equal(m->location, "Markt 1, Musterstadt");
	assert_int_equal(d->nskipped, 2);
	assert_non_null(strstr(d->skipped[0], "m3: no \"start\""));
	assert_non_null(strstr(d->skipped[1], "without a usable \"id\""));
	oparl_data_free(d);
}

static void
test_organizations_and_persons(void **state)
{
	struct oparl_data *d;
	const struct oparl_person *p;

	(void)state;
	d = page(OPARL_ORGANIZATIONS, "{\"data\": [{"
	    "\"id\": \"https://oparl.example.org/organization/34\","
	    "\"type\": \"https://schema.oparl.org/1.1/Organization\","
	    "\"name\": \"Ausschuss f&uuml;r Haushalt und Finanzen\","
	    "\"shortName\": \"Finanzausschuss\", \"organizationType\": \"Gremium\","
	    "\"classification\": \"Ausschuss\"}], \"links\": {}}", NULL);
	assert_int_equal(d->norganizations, 1);
	assert_string_equal(d->organizations[0].name, "Ausschuss für Haushalt und Finanzen");
	assert_string_equal(d->organizations[0].short_name, "Finanzausschuss");
	assert_string_equal(d->organizations[0].type, "Gremium");
	assert_string_equal(d->organizations[0].classification, "Ausschuss");
	oparl_data_free(d);

	d = page(OPARL_PERSONS, "{\"data\": [{"
	    "\"id\": \"https://oparl.example.org/person/29\", \"name\": \"Prof. Dr. Max Mustermann\","
	    "\"membership\": [{\"id\": \"https://oparl.example.org/memberships/385\","
	    "  \"organization\": \"https://oparl.example.org/organizations/5\","
	    "  \"role\": \"Vorsitzende\", \"startDate\": \"2013-12-03\"},"
	    " {\"organization\": \"https://oparl.example.org/organizations/9\","
	    "  \"role\": \"Sachkundige Bürgerin\", \"endDate\": \"2014-07-28\"}]},"
	    "{\"id\": \"p2\", \"givenName\": \"Ayşe\", \"familyName\": \"Öztürk\","
	    " \"membership\": {\"organization\": {\"id\": \"o1\"}}},"
	    "{\"id\": \"p3\"}]}", NULL);
	assert_int_equal(d->npersons, 2);
	p = &d->persons[0];
	assert_string_equal(p->name, "Prof. Dr. Max Mustermann");
	assert_int_equal(p->nmemberships, 2);
	assert_string_equal(p->memberships[0].role, "Vorsitzende");
	assert_false(p->memberships[0].ended);
	assert_true(p->memberships[1].ended);
	p = &d->persons[1];
	assert_string_equal(p->name, "Ayşe Öztürk");
	assert_int_equal(p->nmemberships, 1);
	assert_string_equal(p->memberships[0].organization, "o1");
	assert_int_equal(d->nskipped, 1);
	oparl_data_free(d);
}

static void
test_papers(void **state)
{
	static const char *const page_json = "{\"data\": [{"
	    "\"id\": \"https://oparl.example.org/paper/749\","
	    "\"type\": \"https://schema.oparl.org/1.1/Paper\","
	    "\"name\": \"Antwort auf Anfrage 1200/2014\", \"reference\": \"1234/2014\","
	    "\"date\": \"2014-04-04\", \"paperType\": \"Beantwortung einer Anfrage\","
	    "\"consultation\": [{\"id\": \"https://oparl.example.org/consultation/47594\","
	    "  \"agendaItem\": \"https://oparl.example.org/agendaitem/15569\","
	    "  \"meeting\": \"https://oparl.example.org/meeting/243\","
	    "  \"organization\": [\"https://oparl.example.org/organization/96\"],"
	    "  \"authoritative\": false, \"role\": \"Beschlussfassung\"},"
	    " {\"role\": \"Vorberatung\"}]},"
	    "{\"id\": \"p2\", \"reference\": \"V/1\", \"date\": \"2013-01-01\","
	    " \"paperType\": \"Beschlussvorlage\", \"consultation\": {\"meeting\": \"m1\","
	    " \"authoritative\": \"true\"}}]}";
	struct oparl_paper_filter since = { NULL, 0, 0, NULL };
	char *refs[] = { "V/1" }, *next = NULL, *cause = NULL;
	struct oparl_paper_filter by_ref = { refs, 1, -1, NULL };
	struct oparl_data *d;
	const struct oparl_paper *p;

	(void)state;
	/* Without a filter no paper is kept. */
	d = page(OPARL_PAPERS, page_json, NULL);
	assert_int_equal(d->npapers, 0);
	oparl_data_free(d);

	since.since = civil_days_from_date(2014, 1, 1);
	d = oparl_data_new();
	d->paper_filter = &since;
	assert_int_equal(oparl_read_page(d, OPARL_PAPERS, page_json, strlen(page_json), TZ, &next,
	    &cause), 0);
	assert_int_equal(d->npapers, 1);
	p = &d->papers[0];
	assert_string_equal(p->reference, "1234/2014");
	assert_string_equal(p->type, "Beantwortung einer Anfrage");
	assert_int_equal(p->date, civil_days_from_date(2014, 4, 4));
	assert_int_equal(p->nconsultations, 2);
	assert_string_equal(p->consultations[0].meeting, "https://oparl.example.org/meeting/243");
	assert_string_equal(p->consultations[0].role, "Beschlussfassung");
	assert_false(p->consultations[0].authoritative);
	assert_null(p->consultations[1].meeting);
	assert_false(oparl_papers_complete(d));
	oparl_data_free(d);

	d = oparl_data_new();
	d->paper_filter = &by_ref;
	assert_int_equal(oparl_read_page(d, OPARL_PAPERS, page_json, strlen(page_json), TZ, &next,
	    &cause), 0);
	assert_int_equal(d->npapers, 1);
	assert_string_equal(d->papers[0].reference, "V/1");
	assert_true(d->papers[0].consultations[0].authoritative);
	assert_true(oparl_papers_complete(d));
	oparl_data_free(d);
}

static int
object(const char *json, struct oparl_object *o)
{
	char *cause = NULL;

	if (oparl_read_object(json, strlen(json), o, &cause) == -1)
		fail_msg("%s", cause);
	return 0;
}

static void
test_objects_and_errors(void **state)
{
	struct oparl_object o;
	struct oparl_data *d = oparl_data_new();
	char *next = NULL, *cause = NULL, **ids = NULL, **names = NULL;
	const char *s;
	size_t n = 0;

	(void)state;
	object("{\"id\": \"https://oparl.example.org/\","
	    "\"type\": \"https://schema.oparl.org/1.1/System\","
	    "\"body\": \"https://oparl.example.org/bodies\"}", &o);
	assert_int_equal(o.kind, OPARL_SYSTEM);
	assert_string_equal(o.bodies, "https://oparl.example.org/bodies");
	oparl_object_clear(&o);
	/* A body without "type" is known by its lists. */
	object("{\"id\": \"b\", \"meeting\": \"b/m\", \"organization\": \"b/o\"}", &o);
	assert_int_equal(o.kind, OPARL_BODY);
	assert_string_equal(o.lists[OPARL_MEETINGS], "b/m");
	assert_null(o.lists[OPARL_PERSONS]);
	oparl_object_clear(&o);

	s = "{\"data\": [{\"id\": \"b1\", \"name\": \"Kreis\"}, \"b2\"]}";
	assert_int_equal(oparl_read_bodies(s, strlen(s), &ids, &names, &n, &next, &cause), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ids[1], "b2");
	assert_string_equal(names[0], "Kreis");
	assert_null(names[1]);
	free(ids[0]);
	free(ids[1]);
	free(names[0]);
	free(ids);
	free(names);

	assert_int_equal(oparl_read_page(d, OPARL_MEETINGS, "<html>500</html>", 16, TZ, &next,
	    &cause), -1);
	assert_non_null(strstr(cause, "not JSON"));
	free(cause);
	cause = NULL;
	assert_int_equal(oparl_read_page(d, OPARL_MEETINGS, "{\"error\": 1}", 12, TZ, &next,
	    &cause), -1);
	assert_non_null(strstr(cause, "no \"data\""));
	free(cause);
	/* Only len bytes count. */
	cause = NULL;
	assert_int_equal(oparl_read_page(d, OPARL_MEETINGS, "[]garbage", 2, TZ, &next, &cause),
	    0);
	oparl_data_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_meeting_example),
		cmocka_unit_test(test_meeting_quirks),
		cmocka_unit_test(test_organizations_and_persons),
		cmocka_unit_test(test_papers),
		cmocka_unit_test(test_objects_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
