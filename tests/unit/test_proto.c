/*
 * test_proto: the control protocol's framing and checks: round trips over
 * a real socket pair, and every way a message can be wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto.h"

static void
test_round_trip(void **state)
{
	json_t *req = json_pack("{s:[s,s,s], s:b, s:s}", "argv", "committee", "add", "kt",
	    "json", 1, "input", "BEGIN:VCALENDAR\r\nÄÖÜ€\r\n"), *got = NULL;
	char *cause = NULL;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(proto_send(sv[0], PROTO_REQUEST, req, &cause), 0);
	assert_int_equal(proto_recv(sv[1], PROTO_REQUEST, &got, &cause), 0);
	assert_true(json_equal(req, got));
	assert_int_equal(proto_request_check(got, &cause), 0);
	json_decref(req);
	json_decref(got);
	close(sv[0]);
	close(sv[1]);
}

static void
test_header_checks(void **state)
{
	uint8_t h[PROTO_HEADER_SIZE];
	struct proto_header hdr;
	char *cause = NULL;
	int mismatch;

	(void)state;
	proto_header_encode(h, PROTO_REQUEST, 10);
	assert_int_equal(proto_header_decode(h, &hdr, &mismatch, &cause), 0);
	assert_int_equal(mismatch, 0);
	assert_int_equal(hdr.length, 10);

	/* Oversized. */
	proto_header_encode(h, PROTO_REQUEST, PROTO_MAX_PAYLOAD + 1);
	assert_int_equal(proto_header_decode(h, &hdr, &mismatch, &cause), -1);
	assert_non_null(strstr(cause, "out of range"));
	free(cause);
	/* A reply may carry more than a request: an exported feed above 16 MiB. */
	proto_header_encode(h, PROTO_REPLY, PROTO_MAX_PAYLOAD + 1);
	assert_int_equal(proto_header_decode(h, &hdr, &mismatch, &cause), 0);
	proto_header_encode(h, PROTO_REPLY, PROTO_MAX_REPLY + 1);
	assert_int_equal(proto_header_decode(h, &hdr, &mismatch, &cause), -1);
	assert_non_null(strstr(cause, "out of range"));
	free(cause);
	/* Empty. */
	proto_header_encode(h, PROTO_REQUEST, 0);
	assert_int_equal(proto_header_decode(h, &hdr, &mismatch, &cause), -1);
	free(cause);
	/* Bad magic: an HTTP request sent to the socket. */
	memcpy(h, "GET / HTTP/1", PROTO_HEADER_SIZE);
	assert_int_equal(proto_header_decode(h, &hdr, &mismatch, &cause), -1);
	assert_non_null(strstr(cause, "magic"));
	free(cause);
	/* Unknown type. */
	proto_header_encode(h, PROTO_REQUEST, 10);
	h[7] = 9;
	assert_int_equal(proto_header_decode(h, &hdr, &mismatch, &cause), -1);
	free(cause);
	/* Another version: valid header, flagged as a mismatch. */
	proto_header_encode(h, PROTO_REQUEST, 10);
	h[5] = PROTO_VERSION + 1;
	assert_int_equal(proto_header_decode(h, &hdr, &mismatch, &cause), 0);
	assert_int_equal(mismatch, 1);
}

static void
test_payload_checks(void **state)
{
	json_t *obj = NULL;
	char *cause = NULL;
	static const char *const bad[] = {
		"{\"argv\": [\"status\"]} trailing",	/* trailing bytes */
		"[\"status\"]",				/* not an object */
		"{\"argv\": [\"status\"]",		/* truncated */
		"{\"argv\": 1, \"argv\": 2}",		/* duplicate key */
		"\xff\xfe{}",				/* not UTF-8 */
		"",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(proto_payload_decode(bad[i], strlen(bad[i]), &obj, &cause), -1);
		assert_non_null(cause);
		free(cause);
		cause = NULL;
	}
	assert_int_equal(proto_payload_decode("{\"argv\":[\"status\"]}", 19, &obj, &cause), 0);
	json_decref(obj);
}

static void
test_request_shape(void **state)
{
	static const char *const bad[] = {
		"{}",
		"{\"argv\": []}",
		"{\"argv\": [1]}",
		"{\"argv\": [\"a\\u0000b\"]}",
		"{\"argv\": [\"status\"], \"json\": \"yes\"}",
		"{\"argv\": [\"status\"], \"input\": 5}",
		"{\"argv\": [\"status\"], \"evil\": true}",
		"{\"argv\": [\"status\"], \"lang\": 7}",
		"{\"argv\": [\"status\"], \"lang\": \"\"}",
		"{\"argv\": [\"status\"], \"lang\": \"de_DE.UTF-8/../../x\"}",
		"{\"argv\": [\"status\"], \"lang\": \"de DE\"}",
	};
	json_t *obj, *many;
	char *cause = NULL;
	size_t i;

	(void)state;
	/* Each is refused, by the decoder (a NUL inside a string) or by the check. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		obj = NULL;
		if (proto_payload_decode(bad[i], strlen(bad[i]), &obj, &cause) == 0)
			assert_int_equal(proto_request_check(obj, &cause), -1);
		assert_non_null(cause);
		free(cause);
		cause = NULL;
		json_decref(obj);
	}
	many = json_array();
	for (i = 0; i <= PROTO_MAX_ARGS; i++)
		json_array_append_new(many, json_string("x"));
	obj = json_pack("{s:o}", "argv", many);
	assert_int_equal(proto_request_check(obj, &cause), -1);
	assert_non_null(strstr(cause, "too many"));
	free(cause);
	json_decref(obj);
	/* The locale for messages is a plain locale name. */
	obj = json_pack("{s:[s], s:s}", "argv", "status", "lang", "de_DE.UTF-8");
	assert_int_equal(proto_request_check(obj, &cause), 0);
	json_decref(obj);
}

static void
test_truncated_stream(void **state)
{
	uint8_t h[PROTO_HEADER_SIZE];
	json_t *got = NULL;
	char *cause = NULL;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	proto_header_encode(h, PROTO_REPLY, 100);
	assert_int_equal(write(sv[0], h, sizeof(h)), (ssize_t)sizeof(h));
	assert_int_equal(write(sv[0], "{\"status\"", 9), 9);
	close(sv[0]);
	assert_int_equal(proto_recv(sv[1], PROTO_REPLY, &got, &cause), -1);
	assert_non_null(cause);
	free(cause);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_header_checks),
		cmocka_unit_test(test_payload_checks),
		cmocka_unit_test(test_request_shape),
		cmocka_unit_test(test_truncated_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
