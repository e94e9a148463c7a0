/*
 * fuzz_http_path: the parts of the feed server that read what an HTTP
 * client sends: the request path with its token, and the Accept-Encoding,
 * If-None-Match and If-Modified-Since values.  A path is accepted only if
 * it is exactly "/feeds/<43 token characters>.ics" or the same with
 * ".html" (the feed's page), and then its hash must be the hash of the
 * token.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char hash[FEED_HASH_LEN], again[FEED_HASH_LEN];
	enum feed_format format;
	char *text;
	time_t t;

	if (size > 4096)
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (feed_path_hash(text, hash, &format)) {
		if (strlen(text) != strlen(FEED_PATH_PREFIX) + FEED_TOKEN_CHARS +
		    strlen(format == FEED_PAGE ? FEED_PAGE_SUFFIX : FEED_PATH_SUFFIX))
			abort();
		feed_hash(text + strlen(FEED_PATH_PREFIX), FEED_TOKEN_CHARS, again);
		if (!feed_hash_equal(hash, again))
			abort();
	}
	(void)http_accepts_gzip(text);
	(void)http_etag_matches(text, "\"0123456789abcdef\"");
	if (http_date_parse(text, &t)) {
		char back[30];

		http_date(t, back);
		if (strcmp(back, text) != 0 && strncmp(back + 3, text + 3, 26) != 0)
			abort();
	}
	free(text);
	return 0;
}
