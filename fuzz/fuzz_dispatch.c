/*
 * fuzz_dispatch: whole commands against a daemon state with an in-memory
 * database.  The input is split at newlines into argv words, so the fuzzer
 * reaches every handler's argument checks and its SQL with hostile values.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgjob.h"
#include "config.h"
#include "dispatch.h"
#include "entity.h"
#include "ikond.h"
#include "proto.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ikond ikd;
static unsigned runs;

static void
fresh_state(void)
{
	char *errors = NULL, *cause = NULL;

	store_close(ikd.store);
	if (ikd.cfg == NULL)
		ikd.cfg = config_load(NULL, &errors);
	ikd.store = store_open(":memory:", &cause);
	if (ikd.cfg == NULL || ikd.store == NULL || entity_installation_load(&ikd, &cause) == -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct peer peer = { 0, 0, 1 };
	json_t *req, *argv, *reply;
	struct bgjob *job;
	const char *p = (const char *)data, *end = p + size, *nl;

	if (size > 4096)
		return 0;
	if (runs++ % 2000 == 0)
		fresh_state();
	argv = json_array();
	while (p < end && json_array_size(argv) < 32) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		json_array_append_new(argv, json_stringn(p, (size_t)(nl - p)));
		p = nl + 1;
	}
	req = json_pack("{s:o, s:b}", "argv", argv, "json", 1);
	/* Words that are not UTF-8 become null; the request check refuses them
	 * just as the control socket would. */
	if (proto_request_check(req, NULL) == 0) {
		reply = dispatch_request(&ikd, &peer, req, &job);
		json_decref(reply);
		bgjob_free(job);
	}
	json_decref(req);
	return 0;
}
