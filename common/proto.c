/*
 * proto: framing and checks of control messages (see proto.h).  Both the
 * daemon and ikond-ctl use these functions, so a length or shape rule is
 * written once.
 */
#include "proto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "xmalloc.h"

void
proto_header_encode(uint8_t out[PROTO_HEADER_SIZE], enum proto_type type, uint32_t length)
{
	uint32_t magic = htonl(PROTO_MAGIC), len = htonl(length);
	uint16_t version = htons(PROTO_VERSION), t = htons((uint16_t)type);

	memcpy(out, &magic, 4);
	memcpy(out + 4, &version, 2);
	memcpy(out + 6, &t, 2);
	memcpy(out + 8, &len, 4);
}

int
proto_header_decode(const uint8_t in[PROTO_HEADER_SIZE], struct proto_header *h,
    int *version_mismatch, char **cause)
{
	uint32_t magic, len, max;
	uint16_t version, type;

	memcpy(&magic, in, 4);
	memcpy(&version, in + 4, 2);
	memcpy(&type, in + 6, 2);
	memcpy(&len, in + 8, 4);
	h->magic = ntohl(magic);
	h->version = ntohs(version);
	h->type = ntohs(type);
	h->length = ntohl(len);
	*version_mismatch = 0;
	if (h->magic != PROTO_MAGIC)
		return set_cause(cause, "not an ikond control message (bad magic)");
	if (h->type != PROTO_REQUEST && h->type != PROTO_REPLY)
		return set_cause(cause, "unknown message type %u", h->type);
	max = h->type == PROTO_REPLY ? PROTO_MAX_REPLY : PROTO_MAX_PAYLOAD;
	if (h->length == 0 || h->length > max)
		return set_cause(cause, "message length %u out of range (1..%u)",
		    h->length, max);
	if (h->version != PROTO_VERSION)
		*version_mismatch = 1;
	return 0;
}

int
proto_payload_decode(const char *data, size_t len, json_t **out, char **cause)
{
	json_error_t err;
	json_t *obj;

	obj = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
	if (obj == NULL)
		return set_cause(cause, "malformed message: %s at byte %d", err.text, err.position);
	if (!json_is_object(obj)) {
		json_decref(obj);
		return set_cause(cause, "malformed message: not a JSON object");
	}
	*out = obj;
	return 0;
}

int
proto_request_check(json_t *req, char **cause)
{
	json_t *argv, *v;
	const char *key;
	size_t i;

	json_object_foreach(req, key, v) {
		if (strcmp(key, "argv") != 0 && strcmp(key, "json") != 0 &&
		    strcmp(key, "input") != 0 && strcmp(key, "lang") != 0)
			return set_cause(cause, "unknown request field \"%.32s\"", key);
	}
	argv = json_object_get(req, "argv");
	if (!json_is_array(argv) || json_array_size(argv) == 0)
		return set_cause(cause, "request without a command");
	if (json_array_size(argv) > PROTO_MAX_ARGS)
		return set_cause(cause, "too many arguments (at most %d)", PROTO_MAX_ARGS);
	json_array_foreach(argv, i, v) {
		if (!json_is_string(v))
			return set_cause(cause, "argument %zu is not a string", i + 1);
		if (json_string_length(v) > PROTO_MAX_ARG_LEN)
			return set_cause(cause, "argument %zu is longer than %u bytes", i + 1,
			    PROTO_MAX_ARG_LEN);
		if (strlen(json_string_value(v)) != json_string_length(v))
			return set_cause(cause, "argument %zu contains a NUL byte", i + 1);
	}
	v = json_object_get(req, "json");
	if (v != NULL && !json_is_boolean(v))
		return set_cause(cause, "field \"json\" must be true or false");
	v = json_object_get(req, "input");
	if (v != NULL && !json_is_string(v))
		return set_cause(cause, "field \"input\" must be a string");
	v = json_object_get(req, "lang");
	if (v != NULL && (!json_is_string(v) || !i18n_lang_valid(json_string_value(v))))
		return set_cause(cause, "field \"lang\" must be a locale name such as "
		    "\"de_DE.UTF-8\"");
	return 0;
}

char *
proto_encode(enum proto_type type, json_t *obj, size_t *len)
{
	char *payload, *msg;
	size_t plen;

	payload = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY);
	if (payload == NULL)
		payload = xstrdup("{\"status\":1,\"error\":\"reply could not be encoded\"}");
	plen = strlen(payload);
	if (plen > (type == PROTO_REPLY ? PROTO_MAX_REPLY : PROTO_MAX_PAYLOAD)) {
		free(payload);
		payload = xstrdup("{\"status\":1,\"error\":\"reply too large\"}");
		plen = strlen(payload);
	}
	msg = xmalloc(PROTO_HEADER_SIZE + plen);
	proto_header_encode((uint8_t *)msg, type, (uint32_t)plen);
	memcpy(msg + PROTO_HEADER_SIZE, payload, plen);
	free(payload);
	*len = PROTO_HEADER_SIZE + plen;
	return msg;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
read_all(int fd, char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0)
			errno = ECONNRESET;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
proto_send(int fd, enum proto_type type, json_t *obj, char **cause)
{
	size_t len;
	char *msg = proto_encode(type, obj, &len);
	int rc = write_all(fd, msg, len);

	free(msg);
	if (rc == -1)
		return set_cause(cause, "sending to ikond: %s", strerror(errno));
	return 0;
}

int
proto_recv(int fd, enum proto_type expect, json_t **out, char **cause)
{
	uint8_t hdr[PROTO_HEADER_SIZE];
	struct proto_header h;
	int mismatch, rc;
	char *payload;

	if (read_all(fd, (char *)hdr, sizeof(hdr)) == -1)
		return set_cause(cause, "reading from ikond: %s", strerror(errno));
	if (proto_header_decode(hdr, &h, &mismatch, cause) == -1)
		return -1;
	if (h.type != expect)
		return set_cause(cause, "unexpected message type %u", h.type);
	payload = xmalloc(h.length);
	if (read_all(fd, payload, h.length) == -1) {
		free(payload);
		return set_cause(cause, "reading from ikond: %s", strerror(errno));
	}
	rc = proto_payload_decode(payload, h.length, out, cause);
	free(payload);
	if (rc == 0 && mismatch && json_object_get(*out, "error") == NULL) {
		json_decref(*out);
		return set_cause(cause, "incompatible ikond-ctl and ikond "
		    "(protocol %d here, %u there)", PROTO_VERSION, h.version);
	}
	return rc;
}
