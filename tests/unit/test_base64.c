/*
 * test_base64: the one base64 of ikond against the test vectors of
 * RFC 4648, section 10, in its three forms (allocated, appended to a
 * buffer across the chunk size, URL-safe without padding), and the strict
 * decoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base64.h"
#include "buf.h"

static const char *const vectors[][2] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static void
test_rfc4648_vectors(void **state)
{
	size_t i;
	char *s;
	struct buf b;
	unsigned char *raw;
	size_t len;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		s = base64_encode((const unsigned char *)vectors[i][0], strlen(vectors[i][0]));
		assert_string_equal(s, vectors[i][1]);
		free(s);
		buf_init(&b);
		base64_add(&b, (const unsigned char *)vectors[i][0], strlen(vectors[i][0]));
		buf_add(&b, "", 1);
		assert_string_equal(b.data, vectors[i][1]);
		buf_free(&b);
		assert_int_equal(base64_decode(vectors[i][1], &raw, &len), 0);
		assert_int_equal(len, strlen(vectors[i][0]));
		assert_memory_equal(raw, vectors[i][0], len);
		free(raw);
	}
}

static void
test_chunks_join(void **state)
{
	unsigned char data[2000];
	struct buf b;
	char *whole;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + 3);
	whole = base64_encode(data, sizeof(data));
	assert_int_equal(strlen(whole), base64_length(sizeof(data)));
	buf_init(&b);
	base64_add(&b, data, sizeof(data));
	assert_int_equal(b.len, strlen(whole));
	assert_memory_equal(b.data, whole, b.len);
	buf_free(&b);
	free(whole);
}

static void
test_url_safe(void **state)
{
	const unsigned char data[] = { 0xfb, 0xff, 0xbf, 0xfe };
	char out[(4 * sizeof(data) + 2) / 3 + 1];

	(void)state;
	base64url_encode(data, sizeof(data), out);
	assert_string_equal(out, "-_-__g");
	base64url_encode((const unsigned char *)"foob", 4, out);
	assert_string_equal(out, "Zm9vYg");
}

static void
test_decode_is_strict(void **state)
{
	unsigned char *raw;
	size_t len;

	(void)state;
	assert_int_equal(base64_decode("Zm9v!", &raw, &len), -1);
	assert_int_equal(base64_decode("Zm9", &raw, &len), -1);
	assert_int_equal(base64_decode("Zg=a", &raw, &len), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_chunks_join),
		cmocka_unit_test(test_url_safe),
		cmocka_unit_test(test_decode_is_strict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
