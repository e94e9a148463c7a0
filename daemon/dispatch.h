/*
 * dispatch: the daemon's side of a control request: who may change data,
 * and which handler serves which command.
 */
#ifndef IKOND_DISPATCH_H
#define IKOND_DISPATCH_H

#include <stdbool.h>

#include <jansson.h>

#include "config.h"
#include "ikond.h"
#include "reply.h"

/* Decoded, shape-checked request object to a reply object (new reference).
 * A command that answers later returns NULL and its job in *pending. */
json_t *dispatch_request(struct ikond *ikd, const struct peer *peer, json_t *req,
    struct bgjob **pending);
/* Root, the daemon's own uid, and the users and groups the config names. */
bool dispatch_may_change(const struct config *cfg, const struct peer *peer);
/* Checks at start-up that every daemon command has a handler. */
void dispatch_check_table(void);

/* The handler tables of the command modules. */
extern const struct handler daemon_handlers[];
extern const struct handler committee_handlers[];
extern const struct handler session_handlers[];
extern const struct handler actor_handlers[];
extern const struct handler submission_handlers[];
extern const struct handler deadline_handlers[];
extern const struct handler mail_handlers[];
extern const struct handler process_handlers[];
extern const struct handler window_handlers[];
extern const struct handler measure_handlers[];
extern const struct handler evaluation_handlers[];
extern const struct handler agenda_handlers[];
extern const struct handler feed_handlers[];
extern const struct handler import_handlers[];
extern const struct handler draft_handlers[];
extern const struct handler event_handlers[];

#endif
