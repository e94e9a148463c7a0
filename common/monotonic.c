/*
 * monotonic: CLOCK_MONOTONIC in milliseconds (see monotonic.h).
 */
#include "monotonic.h"

#include <time.h>

uint64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
