/*
 * monotonic: the clock for intervals.  Timeouts, backoff, deadlines of
 * requests and uptimes are measured on CLOCK_MONOTONIC, which no one can
 * set: a wall clock stepped back by an hour must not make anything wait an
 * hour longer.  Only the due times of reminders are wall-clock instants.
 */
#ifndef IKOND_MONOTONIC_H
#define IKOND_MONOTONIC_H

#include <stdint.h>

/* Milliseconds since an arbitrary point (boot); never goes back. */
uint64_t monotonic_ms(void);

#endif
