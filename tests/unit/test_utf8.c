/*
 * test_utf8: the one UTF-8 validator against the cases of RFC 3629 and
 * Markus Kuhn's decoder stress test: every boundary of every length,
 * overlong forms, surrogates, values above U+10FFFF, the bytes that never
 * occur, truncated and interrupted sequences.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

static size_t
seq(const char *s)
{
	return utf8_sequence((const unsigned char *)s, strlen(s));
}

static void
test_boundaries(void **state)
{
	uint32_t cp;

	(void)state;
	assert_int_equal(seq("A"), 1);
	assert_int_equal(seq("\x7f"), 1);
	assert_int_equal(seq("\xc2\x80"), 2);		/* U+0080 */
	assert_int_equal(seq("\xdf\xbf"), 2);		/* U+07FF */
	assert_int_equal(seq("\xe0\xa0\x80"), 3);	/* U+0800 */
	assert_int_equal(seq("\xed\x9f\xbf"), 3);	/* U+D7FF */
	assert_int_equal(seq("\xee\x80\x80"), 3);	/* U+E000 */
	assert_int_equal(seq("\xef\xbf\xbf"), 3);	/* U+FFFF */
	assert_int_equal(seq("\xf0\x90\x80\x80"), 4);	/* U+10000 */
	assert_int_equal(seq("\xf4\x8f\xbf\xbf"), 4);	/* U+10FFFF */
	assert_int_equal(utf8_decode((const unsigned char *)"\xc3\xa4", 2, &cp), 2);
	assert_int_equal(cp, 0xe4);
	assert_int_equal(utf8_decode((const unsigned char *)"\xe2\x82\xac", 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
}

static void
test_overlong(void **state)
{
	(void)state;
	assert_int_equal(seq("\xc0\xaf"), 0);		/* '/' in two bytes */
	assert_int_equal(seq("\xc1\xbf"), 0);
	assert_int_equal(seq("\xe0\x80\xaf"), 0);
	assert_int_equal(seq("\xe0\x9f\xbf"), 0);	/* U+07FF in three */
	assert_int_equal(seq("\xf0\x80\x80\xaf"), 0);
	assert_int_equal(seq("\xf0\x8f\xbf\xbf"), 0);	/* U+FFFF in four */
}

static void
test_surrogates_and_range(void **state)
{
	(void)state;
	assert_int_equal(seq("\xed\xa0\x80"), 0);	/* U+D800 */
	assert_int_equal(seq("\xed\xbf\xbf"), 0);	/* U+DFFF */
	assert_int_equal(seq("\xed\xa0\x80\xed\xb0\x80"), 0); /* CESU-8 pair */
	assert_int_equal(seq("\xf4\x90\x80\x80"), 0);	/* U+110000 */
	assert_int_equal(seq("\xf5\x80\x80\x80"), 0);
	assert_int_equal(seq("\xf7\xbf\xbf\xbf"), 0);
	assert_int_equal(seq("\xf8\x88\x80\x80\x80"), 0);
	assert_int_equal(seq("\xfc\x84\x80\x80\x80\x80"), 0);
	assert_int_equal(seq("\xfe"), 0);
	assert_int_equal(seq("\xff"), 0);
}

static void
test_broken_sequences(void **state)
{
	(void)state;
	assert_int_equal(seq("\x80"), 0);		/* lone continuation */
	assert_int_equal(seq("\xbf"), 0);
	assert_int_equal(seq("\xc3"), 0);		/* truncated */
	assert_int_equal(seq("\xe2\x82"), 0);
	assert_int_equal(seq("\xf0\x9f\x98"), 0);
	assert_int_equal(seq("\xc3" "A"), 0);		/* interrupted */
	assert_int_equal(seq("\xe2\x82" "A"), 0);
	assert_int_equal(seq("\xf0\x9f\x98\xc0"), 0);
	/* Only n bytes may be read, whatever follows. */
	assert_int_equal(utf8_sequence((const unsigned char *)"\xe2\x82\xac", 2), 0);
}

static void
test_strings(void **state)
{
	const char ok[] = "Sitzung des Ausschusses f\xc3\xbcr Integration \xe2\x80\x93 \xe2\x82\xac 12.500";
	const char bad[] = "Stra\xc3\x9f" "e \xed\xa0\x80 und mehr";

	(void)state;
	assert_true(utf8_valid_string(ok));
	assert_true(utf8_valid_string(""));
	assert_true(utf8_valid(ok, strlen(ok)));
	assert_false(utf8_valid_string(bad));
	assert_int_equal(utf8_invalid_at(bad, strlen(bad)), 8);
	assert_int_equal(utf8_invalid_at(ok, strlen(ok)), strlen(ok));
	/* A cut inside a character is invalid at the cut's character. */
	assert_int_equal(utf8_invalid_at("ab\xc3\xbc", 3), 2);
	/* NUL is a character like any other when a length is given. */
	assert_true(utf8_valid("a\0b", 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_surrogates_and_range),
		cmocka_unit_test(test_broken_sequences),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
