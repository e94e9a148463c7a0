/*
 * bgjob: a command whose answer takes long (a test mail to a slow relay)
 * runs on a thread of its own, so the main loop keeps serving everybody
 * else; the control socket sends the reply when the job is done.  A job
 * never touches the database or struct ikond: it gets copies of what it
 * needs and fills a struct reply.
 */
#ifndef IKOND_BGJOB_H
#define IKOND_BGJOB_H

#include <stdbool.h>

#include <jansson.h>

#include "reply.h"

struct bgjob;

typedef void (*bgjob_fn)(void *arg, struct reply *rep);

/* Starts fn(arg, rep) on a new thread; free_arg (may be NULL) releases arg
 * once the job is done. */
struct bgjob *bgjob_start(bgjob_fn fn, void *arg, void (*free_arg)(void *), char **cause);
/* Readable once the job is done. */
int bgjob_fd(const struct bgjob *job);
bool bgjob_done(struct bgjob *job);
/* The finished job's reply as the protocol's JSON object (new reference). */
json_t *bgjob_reply(struct bgjob *job);
/* Waits for the thread and frees everything; accepts NULL. */
void bgjob_free(struct bgjob *job);

#endif
