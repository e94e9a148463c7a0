/*
 * local: the commands ikond-ctl runs itself, without a daemon: holiday
 * lists and deadline arithmetic, computed by the same engine the daemon
 * uses.
 */
#ifndef IKOND_LOCAL_H
#define IKOND_LOCAL_H

#include "reply.h"

extern const struct handler local_handlers[];

#endif
