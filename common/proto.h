/*
 * proto: the wire protocol between ikond-ctl and ikond.  Bump
 * PROTO_VERSION whenever the framing or the meaning of a field changes.
 *
 * A message is a 12-byte header followed by a JSON object:
 *
 *   uint32 magic "IKND" | uint16 version | uint16 type | uint32 payload length
 *
 * all in network byte order.  The payload length is bounded by
 * PROTO_MAX_PAYLOAD for requests (what the daemon accepts from any local
 * user) and by PROTO_MAX_REPLY for replies, which can carry a whole feed
 * ("export" of tens of thousands of events); the payload must be exactly
 * one JSON object with nothing after it.
 *
 * request: {"argv": ["committee", "add", ...], "json": bool, "input": "...",
 *          "lang": "de_DE.UTF-8"}
 *          argv holds the command words and their arguments as typed;
 *          input carries a file the CLI read for the daemon (imports);
 *          lang, optional, is the CLI's locale for messages: the reply's
 *          error and warnings come in that language (version 2).
 * reply:   {"status": 0|1|2, "error": "...", "data": ..., "columns": [...],
 *          "text": "...", "file": "<base64>", "warnings": ["..."]}
 *          status is the CLI's exit status: 0 ok, 1 failure, 2 usage.
 */
#ifndef IKOND_PROTO_H
#define IKOND_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define PROTO_MAGIC		0x494b4e44u	/* "IKND" */
#define PROTO_VERSION		2
#define PROTO_HEADER_SIZE	12
#define PROTO_MAX_PAYLOAD	(16u * 1024 * 1024)
#define PROTO_MAX_REPLY		(256u * 1024 * 1024)
#define PROTO_MAX_ARGS		256
#define PROTO_MAX_ARG_LEN	(64u * 1024)

enum proto_type {
	PROTO_REQUEST = 1,
	PROTO_REPLY = 2,
};

struct proto_header {
	uint32_t	magic;
	uint16_t	version;
	uint16_t	type;
	uint32_t	length;
};

void proto_header_encode(uint8_t out[PROTO_HEADER_SIZE], enum proto_type type, uint32_t length);
/* Checks magic, type and length.  A wrong version is reported through
 * *version_mismatch (the header is otherwise valid) so the daemon can answer
 * in a form an older or newer client can still read. */
int proto_header_decode(const uint8_t in[PROTO_HEADER_SIZE], struct proto_header *h,
    int *version_mismatch, char **cause);
/* Parses a payload into a JSON object; rejects anything else. */
int proto_payload_decode(const char *data, size_t len, json_t **out, char **cause);
/* Checks the shape of a request object (argv, json, input, lang). */
int proto_request_check(json_t *req, char **cause);
/* Header plus payload in one allocation. */
char *proto_encode(enum proto_type type, json_t *obj, size_t *len);

/* Blocking helpers for the CLI. */
int proto_send(int fd, enum proto_type type, json_t *obj, char **cause);
int proto_recv(int fd, enum proto_type expect, json_t **out, char **cause);

#endif
