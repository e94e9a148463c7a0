/*
 * log: one place that decides how ikond talks about itself.  Messages go
 * to stderr with the "<N>" priority prefix that journald understands, so the
 * daemon needs no syslog connection under systemd and stays readable in a
 * terminal.  log_warn() appends strerror(errno), log_warnx() does not;
 * fatal() and fatalx() are for start-up failures and broken invariants only.
 */
#ifndef IKOND_LOG_H
#define IKOND_LOG_H

#include <stdarg.h>
#include <stdbool.h>

void log_init(int verbosity, bool priority_prefix);
int log_verbosity(void);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
