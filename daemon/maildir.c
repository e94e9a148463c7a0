/*
 * maildir: delivery into a Maildir (see maildir.h), following the
 * tmp -> fsync -> link into new protocol so readers never see a partial
 * message and a crash never loses one that was reported delivered.
 */
#include "maildir.h"

#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "xmalloc.h"

static atomic_uint maildir_counter;

static int
maildir_mkdir(const char *path, char **cause)
{
	struct stat st;

	if (mkdir(path, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return set_cause(cause, "mkdir %s: %s", path, strerror(errno));
	if (stat(path, &st) != 0)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return set_cause(cause, "%s: not a directory", path);
	return 0;
}

int
maildir_create(const char *dir, char **cause)
{
	static const char *subdirs[] = { "tmp", "new", "cur" };
	char *path;
	size_t i;
	int rc;

	if (maildir_mkdir(dir, cause) != 0)
		return -1;
	for (i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
		xasprintf(&path, "%s/%s", dir, subdirs[i]);
		rc = maildir_mkdir(path, cause);
		free(path);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* The host part of a Maildir name: '/' and ':' are escaped as the spec says. */
static void
maildir_host(struct buf *b)
{
	char host[256];
	const char *p;

	if (gethostname(host, sizeof host) != 0 || host[0] == '\0')
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	for (p = host; *p != '\0'; p++) {
		if (*p == '/')
			buf_add_str(b, "\\057");
		else if (*p == ':')
			buf_add_str(b, "\\072");
		else
			buf_add_char(b, *p);
	}
}

/* time.M<usec>P<pid>Q<counter>R<random>.host: unique across threads and restarts. */
static char *
maildir_unique_name(void)
{
	struct timeval tv;
	unsigned int rnd = 0;
	struct buf b;

	gettimeofday(&tv, NULL);
	if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != sizeof rnd)
		rnd = (unsigned int)tv.tv_usec * 2654435761u;
	buf_init(&b);
	buf_printf(&b, "%lld.M%06ldP%ldQ%uR%08x.", (long long)tv.tv_sec,
	    (long)tv.tv_usec, (long)getpid(),
	    atomic_fetch_add(&maildir_counter, 1), rnd);
	maildir_host(&b);
	return buf_steal(&b, NULL);
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
fsync_dir(const char *path)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* The message with CRLF turned into LF. */
static void
maildir_text(struct buf *b, const char *data, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n') {
			buf_add(b, data + start, i - start);
			start = i + 1;
		}
	}
	buf_add(b, data + start, len - start);
}

int
maildir_deliver(const char *dir, const char *data, size_t len, char **name,
    char **cause)
{
	char *unique = NULL, *tmp = NULL, *new = NULL, *newdir = NULL;
	struct buf text;
	int fd = -1, rc = -1, saved;

	if (maildir_create(dir, cause) != 0)
		return -1;
	buf_init(&text);
	maildir_text(&text, data, len);
	unique = maildir_unique_name();
	xasprintf(&tmp, "%s/tmp/%s", dir, unique);
	xasprintf(&new, "%s/new/%s", dir, unique);
	xasprintf(&newdir, "%s/new", dir);

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		set_cause(cause, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, text.data != NULL ? text.data : "", text.len) != 0 ||
	    fsync(fd) != 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		set_cause(cause, "%s: %s", tmp, strerror(saved));
		goto out;
	}
	if (close(fd) != 0) {
		saved = errno;
		unlink(tmp);
		set_cause(cause, "%s: %s", tmp, strerror(saved));
		goto out;
	}
	/* link() refuses to overwrite; rename() is the fallback where
	 * hard links are not supported. */
	if (link(tmp, new) != 0) {
		saved = errno;
		if ((saved != EPERM && saved != ENOTSUP && saved != ENOSYS) ||
		    rename(tmp, new) != 0) {
			unlink(tmp);
			set_cause(cause, "%s: %s", new, strerror(saved));
			goto out;
		}
	} else
		unlink(tmp);
	if (fsync_dir(newdir) != 0) {
		saved = errno;
		unlink(new);
		set_cause(cause, "fsync %s: %s", newdir, strerror(saved));
		goto out;
	}
	if (name != NULL) {
		*name = unique;
		unique = NULL;
	}
	rc = 0;
out:
	buf_free(&text);
	free(unique);
	free(tmp);
	free(new);
	free(newdir);
	return rc;
}
