/*
 * fuzz_proto: the control protocol as a hostile client sends it: the
 * 12-byte header, then the payload through the JSON decoder and the
 * request shape check.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_header h;
	json_t *obj = NULL;
	char *cause = NULL;
	int mismatch;

	if (size < PROTO_HEADER_SIZE)
		return 0;
	if (proto_header_decode(data, &h, &mismatch, &cause) == 0 &&
	    proto_payload_decode((const char *)data + PROTO_HEADER_SIZE, size - PROTO_HEADER_SIZE,
	    &obj, &cause) == 0) {
		proto_request_check(obj, &cause);
		json_decref(obj);
	}
	free(cause);
	return 0;
}
