/*
 * log: priority-prefixed messages on stderr (see log.h).  The functions save
 * and restore errno so that logging never changes what a caller inspects.
 */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static int verbose;
static bool with_prefix = true;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void
log_init(int verbosity, bool priority_prefix)
{
	verbose = verbosity;
	with_prefix = priority_prefix;
}

int
log_verbosity(void)
{
	return verbose;
}

static void __attribute__((format(printf, 2, 0)))
vlog(int priority, const char *fmt, va_list ap, const char *suffix)
{
	int saved_errno = errno;

	pthread_mutex_lock(&log_lock);
	if (with_prefix)
		fprintf(stderr, "<%d>", priority);
	vfprintf(stderr, fmt, ap);
	if (suffix != NULL)
		fprintf(stderr, ": %s", suffix);
	fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
	errno = saved_errno;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	const char *reason = strerror(errno);

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, reason);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	const char *reason = strerror(errno);

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, reason);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
