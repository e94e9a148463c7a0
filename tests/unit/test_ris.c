/*
 * test_ris: the text rules of the RIS import: cancellation markers in
 * titles (as ALLRIS and SessionNet write them), title patterns of a
 * combined export, and the cleaning of texts and links from outside.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ris.h"

static void
marker(const char *title, bool cancelled, const char *rest)
{
	char *got = NULL;

	if (ris_cancel_marker(title, &got) != cancelled)
		fail_msg("\"%s\": expected %scancelled", title ? title : "(null)",
		    cancelled ? "" : "not ");
	if (rest == NULL)
		assert_null(got);
	else if (got == NULL || strcmp(got, rest) != 0)
		fail_msg("\"%s\": rest \"%s\", expected \"%s\"", title ? title : "(null)",
		    got ? got : "(null)", rest);
	free(got);
}

static void
test_cancel_marker(void **state)
{
	(void)state;
	marker("ENTFÄLLT: Rat der Stadt Iserlohn", true, "Rat der Stadt Iserlohn");
	marker("Entfällt - Kreistag", true, "Kreistag");
	marker("entfaellt: Kreistag", true, "Kreistag");
	marker("ENTFAELLT – Kreistag", true, "Kreistag");
	marker("Kreistag (abgesagt)", true, "Kreistag");
	marker("Kreistag - ABGESAGT", true, "Kreistag");
	marker("Sitzung fällt aus", true, "Sitzung");
	marker("FÄLLT AUS: Schulausschuss", true, "Schulausschuss");
	marker("Faellt aus: Schulausschuss", true, "Schulausschuss");
	marker("Sitzung ausgefallen", true, "Sitzung");
	/* In the middle: cancelled, the title stays. */
	marker("Rat entfällt wegen Sturm", true, "Rat entfällt wegen Sturm");
	marker("ENTFÄLLT", true, NULL);
	/* Not a marker: other words, parts of words. */
	marker("Rat der Stadt", false, "Rat der Stadt");
	marker("Entfallene Zuschüsse", false, "Entfallene Zuschüsse");
	marker("Nichtabgesagte Termine", false, "Nichtabgesagte Termine");
	marker("Abgesagtes", false, "Abgesagtes");
	marker(NULL, false, NULL);
	assert_true(ris_cancel_marker("abgesagt", NULL));
}

static void
test_pattern(void **state)
{
	(void)state;
	assert_true(ris_pattern_match("Integration", "Ausschuss für Integration"));
	assert_true(ris_pattern_match("integration", "AUSSCHUSS FÜR INTEGRATION"));
	assert_true(ris_pattern_match("für", "AUSSCHUSS FÜR INTEGRATION"));
	assert_true(ris_pattern_match("Kreistag*", "Kreistag des Landkreises"));
	assert_false(ris_pattern_match("Kreistag*", "Sitzung des Kreistags"));
	assert_true(ris_pattern_match("*Kreistag*", "Sitzung des Kreistags"));
	assert_true(ris_pattern_match("R?t", "Rat"));
	assert_true(ris_pattern_match("Ausschuss f?r *", "Ausschuss für Schule"));
	assert_false(ris_pattern_match("R?t", "Rat der Stadt"));
	assert_false(ris_pattern_match("", "Rat"));
	assert_false(ris_pattern_match("Rat", NULL));
}

static void
test_text(void **state)
{
	char *s;

	(void)state;
	s = ris_text_line("  Zeile 1\r\nZeile\t2  ", 100);
	assert_string_equal(s, "Zeile 1  Zeile 2");
	free(s);
	assert_null(ris_text_line(" \n ", 100));
	assert_null(ris_text_line(NULL, 100));
	/* Cut at a character, not inside one. */
	s = ris_text_line("Grüße", 3);
	assert_string_equal(s, "Gr");
	free(s);
	s = ris_text_line("a\xff" "b", 10);
	assert_string_equal(s, "ab");
	free(s);
	s = ris_text_block("\nTagesordnung:\n1. Eröffnung\n\n", 100);
	assert_string_equal(s, "Tagesordnung:\n1. Eröffnung");
	free(s);

	s = ris_url("https://ris.example/si0057.asp?__ksinr=1");
	assert_string_equal(s, "https://ris.example/si0057.asp?__ksinr=1");
	free(s);
	assert_null(ris_url("javascript:alert(1)"));
	assert_null(ris_url("https://ris.example/a b"));
	assert_null(ris_url("https://ris.example/\x01"));
	assert_null(ris_url("https://ris.example/ä"));
	assert_null(ris_url(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cancel_marker),
		cmocka_unit_test(test_pattern),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
