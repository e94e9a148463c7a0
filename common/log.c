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

/*
 * Formats one line into buf (size bytes) and returns the length it needs,
 * newline included, like snprintf().
 */
static size_t __attribute__((format(printf, 4, 0)))
format_line(char *buf, size_t size, int priority, const char *fmt, va_list ap,
    const char *suffix)
{
	size_t len = 0;
	int n;

	if (with_prefix && (n = snprintf(buf, size, "<%d>", priority)) > 0)
		len += (size_t)n;
	if ((n = vsnprintf(buf + (len < size ? len : size),
	    len < size ? size - len : 0, fmt, ap)) > 0)
		len += (size_t)n;
	if (suffix != NULL && (n = snprintf(buf + (len < size ? len : size),
	    len < size ? size - len : 0, ": %s", suffix)) > 0)
		len += (size_t)n;
	if (len + 1 < size)
		buf[len] = '\n';
	return len + 1;
}

/*
 * One write per line: stderr is unbuffered, and a line written in pieces
 * costs a system call each (with -vv, several per mail sent) and can
 * interleave with another process's output on the same stream.
 */
static void __attribute__((format(printf, 2, 0)))
vlog(int priority, const char *fmt, va_list ap, const char *suffix)
{
	char line[1024], *out = line;
	size_t len;
	va_list again;
	int saved_errno = errno;

	va_copy(again, ap);
	len = format_line(line, sizeof(line), priority, fmt, ap, suffix);
	if (len >= sizeof(line)) {
		if ((out = malloc(len + 1)) != NULL)
			format_line(out, len + 1, priority, fmt, again, suffix);
		else {
			out = line;
			len = sizeof(line);
			line[len - 1] = '\n';
		}
	}
	va_end(again);
	pthread_mutex_lock(&log_lock);
	fwrite(out, 1, len, stderr);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
	if (out != line)
		free(out);
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
