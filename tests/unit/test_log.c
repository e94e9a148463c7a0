/*
 * test_log: each line leaves in one write, whole, with its priority prefix,
 * its strerror() suffix and its newline, also when it is longer than the
 * formatting buffer.  stderr is pointed at a SOCK_SEQPACKET socket, which
 * keeps the boundaries of writes, so a line written in pieces shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

static int peer, saved_stderr;

static int
setup(void **state)
{
	int sv[2];

	(void)state;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == -1)
		return -1;
	saved_stderr = dup(STDERR_FILENO);
	if (saved_stderr == -1 || dup2(sv[0], STDERR_FILENO) == -1)
		return -1;
	close(sv[0]);
	peer = sv[1];
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	close(peer);
	return 0;
}

/* The next write to stderr, NUL-terminated; its length in *len. */
static char *
next_write(size_t *len)
{
	static char msg[8192];
	ssize_t n;

	n = recv(peer, msg, sizeof(msg) - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	msg[n] = '\0';
	*len = (size_t)n;
	return msg;
}

static void
assert_nothing_more(void)
{
	char c;

	assert_int_equal(recv(peer, &c, 1, MSG_DONTWAIT), -1);
}

static void
test_short_lines(void **state)
{
	size_t len;

	(void)state;
	log_init(2, true);
	log_info("store: %d sessions", 12);
	assert_string_equal(next_write(&len), "<6>store: 12 sessions\n");
	errno = ENOENT;
	log_warn("cannot open %s", "ikond.conf");
	assert_string_equal(next_write(&len), "<4>cannot open ikond.conf: No such file or directory\n");
	assert_int_equal(errno, ENOENT);
	log_init(0, false);
	log_debug("not shown");
	log_warnx("plain");
	assert_string_equal(next_write(&len), "plain\n");
	assert_nothing_more();
}

static void
test_long_lines_stay_whole(void **state)
{
	char *text, *msg;
	size_t len, sizes[] = { 1000, 1017, 1018, 1019, 1020, 1024, 5000 };
	size_t i;

	(void)state;
	log_init(0, true);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		text = malloc(sizes[i] + 1);
		assert_non_null(text);
		memset(text, 'x', sizes[i]);
		text[sizes[i]] = '\0';
		text[sizes[i] - 1] = 'y';
		errno = EACCES;
		log_warn("%s", text);
		msg = next_write(&len);
		assert_int_equal(len, 3 + sizes[i] + strlen(": Permission denied") + 1);
		assert_memory_equal(msg, "<4>", 3);
		assert_memory_equal(msg + 3, text, sizes[i]);
		assert_string_equal(msg + 3 + sizes[i], ": Permission denied\n");
		free(text);
	}
	assert_nothing_more();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_lines),
		cmocka_unit_test(test_long_lines_stay_whole),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
