/*
 * fuzz_route: route_split on arbitrary text (the --route option of
 * "process add" and "process edit").  An accepted route has 1 to
 * ROUTE_MAX committee slugs, none twice, each with no role or a known one;
 * a rejected one must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *slugs[ROUTE_MAX], *roles[ROUTE_MAX];
	char text[2048], *buf = NULL, *cause = NULL;
	size_t i, k, n;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	if (route_split(text, &buf, slugs, roles, &n, &cause) == -1) {
		if (cause == NULL || buf != NULL || n != 0)
			abort();
		free(cause);
		return 0;
	}
	if (n == 0 || n > ROUTE_MAX)
		abort();
	for (i = 0; i < n; i++) {
		if (!domain_slug_valid(slugs[i]) ||
		    (roles[i] != NULL && !vocab_has(beratung_roles, roles[i])))
			abort();
		for (k = 0; k < i; k++)
			if (strcmp(slugs[k], slugs[i]) == 0)
				abort();
	}
	free(buf);
	return 0;
}
