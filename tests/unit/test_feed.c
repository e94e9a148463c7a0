/*
 * test_feed: the parts of the feed server that need no database: the
 * SHA-256 of tokens against the FIPS 180-4 examples, tokens and request
 * paths, and the HTTP header helpers (dates, Accept-Encoding,
 * If-None-Match).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed.h"
#include "http.h"

static void
hex_of(const void *data, size_t len, char out[65])
{
	unsigned char d[FEED_HASH_LEN];
	size_t i;

	feed_hash(data, len, d);
	for (i = 0; i < FEED_HASH_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Feed tokens are stored as SHA-256 (libmd's): the FIPS 180-4 examples. */
static void
test_sha256_fips(void **state)
{
	char hex[65];
	char *million;

	(void)state;
	hex_of("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hex_of("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	million = malloc(1000000);
	memset(million, 'a', 1000000);
	hex_of(million, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

static void
test_tokens(void **state)
{
	char a[FEED_TOKEN_CHARS + 1], b[FEED_TOKEN_CHARS + 1], path[128];
	unsigned char ha[FEED_HASH_LEN], hb[FEED_HASH_LEN], hp[FEED_HASH_LEN];
	size_t i;

	(void)state;
	feed_token_new(a, ha);
	feed_token_new(b, hb);
	assert_int_equal(strlen(a), FEED_TOKEN_CHARS);
	assert_string_not_equal(a, b);
	assert_false(feed_hash_equal(ha, hb));
	for (i = 0; i < FEED_TOKEN_CHARS; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_", a[i]));
	snprintf(path, sizeof(path), "/feeds/%s.ics", a);
	assert_true(feed_path_hash(path, hp));
	assert_true(feed_hash_equal(ha, hp));

	/* Everything else is no token. */
	snprintf(path, sizeof(path), "/feeds/%s.ic", a);
	assert_false(feed_path_hash(path, hp));
	snprintf(path, sizeof(path), "/feeds/%s.icsx", a);
	assert_false(feed_path_hash(path, hp));
	snprintf(path, sizeof(path), "/feeds/../%s.ics", a);
	assert_false(feed_path_hash(path, hp));
	snprintf(path, sizeof(path), "/feeds/%.42s.ics", a);
	assert_false(feed_path_hash(path, hp));
	snprintf(path, sizeof(path), "/feeds/%.42s%%.ics", a);
	assert_false(feed_path_hash(path, hp));
	snprintf(path, sizeof(path), "/FEEDS/%s.ics", a);
	assert_false(feed_path_hash(path, hp));
	assert_false(feed_path_hash("", hp));
	assert_false(feed_path_hash("/", hp));
}

static void
test_http_dates(void **state)
{
	char d[30];
	time_t t;

	(void)state;
	http_date(784111777, d);
	assert_string_equal(d, "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_true(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t));
	assert_int_equal(t, 784111777);
	assert_false(http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t));
	assert_false(http_date_parse("Sun, 06 Nov 1994 08:49:37 UTC", &t));
	assert_false(http_date_parse("Sun, 06 Foo 1994 08:49:37 GMT", &t));
	assert_false(http_date_parse("", &t));
}

static void
test_http_gzip(void **state)
{
	(void)state;
	assert_true(http_accepts_gzip("gzip"));
	assert_true(http_accepts_gzip("gzip, deflate, br"));
	assert_true(http_accepts_gzip("deflate, GZIP;q=0.5"));
	assert_true(http_accepts_gzip("*"));
	assert_true(http_accepts_gzip("br, gzip ; q=1"));
	assert_false(http_accepts_gzip("gzip;q=0"));
	assert_false(http_accepts_gzip("gzip;q=0.000"));
	assert_true(http_accepts_gzip("gzip;q=0.001"));
	assert_false(http_accepts_gzip("identity"));
	assert_false(http_accepts_gzip("x-gzip2"));
	assert_false(http_accepts_gzip(""));
}

static void
test_http_etag(void **state)
{
	(void)state;
	assert_true(http_etag_matches("\"abc\"", "\"abc\""));
	assert_true(http_etag_matches("W/\"abc\"", "\"abc\""));
	assert_true(http_etag_matches("\"x\", \"abc\"", "\"abc\""));
	assert_true(http_etag_matches("*", "\"abc\""));
	assert_false(http_etag_matches("\"abcd\"", "\"abc\""));
	assert_false(http_etag_matches("abc", "\"abc\""));
	assert_false(http_etag_matches("\"ab", "\"abc\""));
	assert_false(http_etag_matches("", "\"abc\""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_fips),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_http_dates),
		cmocka_unit_test(test_http_gzip),
		cmocka_unit_test(test_http_etag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
