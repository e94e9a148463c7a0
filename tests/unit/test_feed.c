/*
 * test_feed: the parts of the feed server that need no database: the
 * SHA-256 of tokens against the FIPS 180-4 examples, tokens and request
 * paths, a web page put together for its token (plain and gzip), and the
 * HTTP header helpers (dates, Accept-Encoding, If-None-Match).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <zlib.h>

#include "buf.h"
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
	enum feed_format fmt;
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
	assert_true(feed_path_hash(path, hp, &fmt));
	assert_true(feed_hash_equal(ha, hp));
	assert_int_equal(fmt, FEED_ICS);
	/* The web page of the same feed. */
	snprintf(path, sizeof(path), "/feeds/%s.html", a);
	assert_true(feed_path_hash(path, hp, &fmt));
	assert_true(feed_hash_equal(ha, hp));
	assert_int_equal(fmt, FEED_PAGE);

	/* Everything else is no token. */
	snprintf(path, sizeof(path), "/feeds/%s.ic", a);
	assert_false(feed_path_hash(path, hp, &fmt));
	snprintf(path, sizeof(path), "/feeds/%s.icsx", a);
	assert_false(feed_path_hash(path, hp, &fmt));
	snprintf(path, sizeof(path), "/feeds/%s.htm", a);
	assert_false(feed_path_hash(path, hp, &fmt));
	snprintf(path, sizeof(path), "/feeds/%s.htmlx", a);
	assert_false(feed_path_hash(path, hp, &fmt));
	snprintf(path, sizeof(path), "/feeds/%s.ics.", a);
	assert_false(feed_path_hash(path, hp, &fmt));
	snprintf(path, sizeof(path), "/feeds/%.42s.html", a);
	assert_false(feed_path_hash(path, hp, &fmt));
	snprintf(path, sizeof(path), "/feeds/../%s.ics", a);
	assert_false(feed_path_hash(path, hp, &fmt));
	snprintf(path, sizeof(path), "/feeds/%.42s.ics", a);
	assert_false(feed_path_hash(path, hp, &fmt));
	snprintf(path, sizeof(path), "/feeds/%.42s%%.ics", a);
	assert_false(feed_path_hash(path, hp, &fmt));
	snprintf(path, sizeof(path), "/FEEDS/%s.ics", a);
	assert_false(feed_path_hash(path, hp, &fmt));
	assert_false(feed_path_hash("", hp, &fmt));
	assert_false(feed_path_hash("/", hp, &fmt));
}

/* Inflates a gzip file with zlib's own reader (which checks CRC and size). */
static char *
gunzip(const unsigned char *gz, size_t len, size_t *out_len)
{
	z_stream z;
	char *out = calloc(1, 1 << 20);

	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 16 + 15), Z_OK);
	z.next_in = (Bytef *)gz;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (1 << 20) - 1;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.avail_in, 0);
	*out_len = z.total_out;
	inflateEnd(&z);
	return out;
}

/*
 * A page is kept as the parts between the token's places and put together
 * per request: plain, and as gzip from parts deflated once with the token
 * spliced in as stored blocks.  Both must give the page with the token.
 */
static void
test_page_body(void **state)
{
	const char *token = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
	unsigned char digest[FEED_HASH_LEN], *body;
	struct feed_page page;
	struct buf text, want;
	size_t len, plain_len, i;
	char *plain;
	int k;

	(void)state;
	assert_int_equal(strlen(token), FEED_TOKEN_CHARS);
	for (k = 0; k < 4; k++) {
		buf_init(&text);
		buf_init(&want);
		/* No place, one, places at both ends, and a long repetitive page. */
		for (i = 0; i < (size_t)(k == 3 ? 2000 : 1); i++) {
			buf_printf(&text, "<p>Teil %zu: Sitzung am Mittwoch</p>\n", i);
			buf_printf(&want, "<p>Teil %zu: Sitzung am Mittwoch</p>\n", i);
		}
		if (k >= 1) {
			buf_add_str(&text, "<a href=\"webcal://x/feeds/\001.ics\">");
			buf_printf(&want, "<a href=\"webcal://x/feeds/%s.ics\">", token);
		}
		if (k >= 2) {
			buf_add_char(&text, '\001');
			buf_add_str(&want, token);
		}
		memset(&page, 0, sizeof(page));
		memset(digest, k, sizeof(digest));
		feed_page_prepare(&page, text.data, text.len, digest, 1000);
		assert_int_equal(page.len, want.len);
		assert_non_null(strstr(page.etag_gzip, "-gz"));

		body = feed_page_body(&page, token, false, &len);
		assert_int_equal(len, want.len);
		assert_memory_equal(body, want.data, len);
		free(body);

		body = feed_page_body(&page, token, true, &len);
		plain = gunzip(body, len, &plain_len);
		assert_int_equal(plain_len, want.len);
		assert_memory_equal(plain, want.data, plain_len);
		if (k == 3)
			assert_true(len < want.len / 4);
		free(plain);
		free(body);
		feed_page_clear(&page);
		buf_free(&text);
		buf_free(&want);
	}
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
		cmocka_unit_test(test_page_body),
		cmocka_unit_test(test_http_dates),
		cmocka_unit_test(test_http_gzip),
		cmocka_unit_test(test_http_etag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
