/*
 * test_greeting: the German salutations of mails and letters, for each way
 * an actor wants to be greeted, with and without title and family name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>

#include <cmocka.h>

#include "greeting.h"

static void
check(const char *salutation, const char *title, const char *family, const char *name,
    const char *want)
{
	char *got = greeting_de(salutation, title, family, name);

	assert_string_equal(got, want);
	free(got);
}

static void
test_forms(void **state)
{
	(void)state;
	check("frau", "Dr.", NULL, "Dr. Claudia Brunken", "Sehr geehrte Frau Dr. Brunken");
	check("herr", "", NULL, "Mehmet Yilmaz", "Sehr geehrter Herr Yilmaz");
	check("neutral", "", NULL, "Kim Koordination", "Guten Tag Kim Koordination");
	check("org", "", NULL, "Kreisvolkshochschule Musterland", "Sehr geehrte Damen und Herren");
	/* Without a salutation, or an unknown one: neutral. */
	check(NULL, NULL, NULL, "Ayşe Öztürk-Müller", "Guten Tag Ayşe Öztürk-Müller");
	check("divers", "", NULL, "Kim Koordination", "Guten Tag Kim Koordination");
}

static void
test_title_and_family_name(void **state)
{
	(void)state;
	/* A family name of several words is given explicitly. */
	check("frau", "Prof. Dr.", "von der Heide", "Anna von der Heide",
	    "Sehr geehrte Frau Prof. Dr. von der Heide");
	check("herr", NULL, "", "Jürgen Weiß ", "Sehr geehrter Herr Weiß");
	/* Neutral puts the title in front unless the name carries it. */
	check("neutral", "Dr.", NULL, "Kim Koordination", "Guten Tag Dr. Kim Koordination");
	check("neutral", "Dr.", NULL, "Dr. Kim Koordination", "Guten Tag Dr. Kim Koordination");
	/* The title is a word of its own: "Dr." does not begin "Drews". */
	check("herr", "Dr.", NULL, "Paul Drews", "Sehr geehrter Herr Dr. Drews");
}

static void
test_family_name(void **state)
{
	char *f;

	(void)state;
	f = greeting_family_name(NULL, "Petra Schulte");
	assert_string_equal(f, "Schulte");
	free(f);
	f = greeting_family_name("", "Madonna");
	assert_string_equal(f, "Madonna");
	free(f);
	f = greeting_family_name("Schulte-Brink", "Petra Schulte");
	assert_string_equal(f, "Schulte-Brink");
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_title_and_family_name),
		cmocka_unit_test(test_family_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
