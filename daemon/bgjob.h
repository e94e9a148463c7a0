/*
 * bgjob: a command whose answer takes long (a test mail to a slow relay)
 * runs on a thread of its own, so the main loop keeps serving everybody
 * else; the control socket sends the reply when the job is done.  A job
 * never touches the database or struct ikond: it gets copies of what it
 * needs and fills a struct reply.  Its messages are in the language of the
 * request that started it, as the rest of the reply is.
 */
#ifndef IKOND_BGJOB_H
#define IKOND_BGJOB_H

#include <stdbool.h>

#include <jansson.h>

#include "reply.h"

struct bgjob;

struct ikond;

typedef void (*bgjob_fn)(void *arg, struct reply *rep);
typedef void (*bgjob_finish_fn)(struct ikond *ikd, void *arg, struct reply *rep);

/* Starts fn(arg, rep) on a new thread; free_arg (may be NULL) releases arg
 * once the job is done. */
struct bgjob *bgjob_start(bgjob_fn fn, void *arg, void (*free_arg)(void *), char **cause);
/* Likewise, and finish(ikd, arg, rep) runs in bgjob_finish(); cancel(arg)
 * (may be NULL) asks fn to stop when the job is freed before it is done
 * (its client went away). */
struct bgjob *bgjob_start_then(bgjob_fn fn, bgjob_finish_fn finish, void (*cancel)(void *),
    void *arg, void (*free_arg)(void *), char **cause);
/* Readable once the job is done. */
int bgjob_fd(const struct bgjob *job);
bool bgjob_done(struct bgjob *job);
/* On the main thread, once done: runs the job's finish function (once). */
void bgjob_finish(struct bgjob *job, struct ikond *ikd);
/* The finished job's reply as the protocol's JSON object (new reference). */
json_t *bgjob_reply(struct bgjob *job);
/* Cancels the job if it can be, waits for the thread and frees
 * everything; accepts NULL. */
void bgjob_free(struct bgjob *job);

#endif
