/*
 * control: the control socket and its clients (see control.h).  Every
 * client has its own input and output buffer; a request is dispatched only
 * when it is complete, and the reply is written as the socket accepts it.
 * Large payloads (imports) are accepted only from peers that may change
 * data, so an unprivileged client cannot make the daemon hold much memory.
 *
 * Users who may only read cannot keep those who may change data out: each
 * of them holds at most control.max_clients_per_user connections, all of
 * them together leave a quarter of control.max_clients free, and when every
 * slot is taken a user who may change data takes the slot of the reader
 * that has waited longest for its own request.  Every client has a deadline
 * (monotonic.h): CONTROL_REQUEST_SECONDS to deliver a whole request from
 * its connect or its previous reply, however slowly it trickles, and
 * CONTROL_REPLY_SECONDS to read a reply.  A command that is still working
 * has no deadline.
 */
#include "control.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bgjob.h"
#include "buf.h"
#include "dispatch.h"
#include "log.h"
#include "monotonic.h"
#include "proto.h"
#include "xmalloc.h"

#define CONTROL_REQUEST_SECONDS	10
#define CONTROL_REPLY_SECONDS	30
#define CONTROL_BACKLOG		256
#define CONTROL_ACCEPT_BATCH	64
#define CONTROL_SMALL_PAYLOAD	(1024u * 1024)

struct client {
	int		 fd;
	struct peer	 peer;
	uint8_t		 hdr[PROTO_HEADER_SIZE];
	size_t		 hdr_got;
	struct proto_header h;
	int		 mismatch;
	struct buf	 in;
	struct buf	 out;
	size_t		 out_sent;
	uint64_t	 deadline;	/* monotonic ms; none while a job works */
	bool		 may_change;	/* root, the daemon's user, control.allow_* */
	bool		 closing;	/* stop reading requests once the output is written */
	bool		 draining;	/* reply sent; discard input until the peer closes */
	struct bgjob	*job;		/* a command still working on its reply */
};

struct control {
	int		 fd;
	char		*path;
	struct client	*clients;
	size_t		 nclients;
	size_t		 max;
};

static bool
someone_listens(const struct sockaddr_un *sun)
{
	int fd, rc;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return false;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	return rc == 0;
}

/* Creates the directories above path that are missing (mode 0750); the
 * socket's own directory gets its group, so that the group can reach it. */
static int
make_parent_dir(const char *path, const gid_t *gid, char **cause)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/'), *s;
	int rc = 0;

	if (slash == NULL || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	for (s = dir + 1; rc == 0 && (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(dir, 0750) == -1 && errno != EEXIST)
			rc = set_cause(cause, "cannot create %s: %s", dir, strerror(errno));
		*s = '/';
	}
	if (rc == 0 && mkdir(dir, 0750) == 0) {
		if (gid != NULL && chown(dir, (uid_t)-1, *gid) == -1)
			rc = set_cause(cause, "cannot give %s to group %u: %s", dir,
			    (unsigned)*gid, strerror(errno));
	} else if (rc == 0 && errno != EEXIST)
		rc = set_cause(cause, "cannot create %s: %s", dir, strerror(errno));
	free(dir);
	return rc;
}

struct control *
control_new(const char *path, int max_clients, const gid_t *gid, char **cause)
{
	struct sockaddr_un sun;
	struct control *ctl;
	mode_t old_umask;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		set_cause(cause, "control socket path too long: %s", path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	if (make_parent_dir(path, gid, cause) == -1)
		return NULL;
	if (someone_listens(&sun)) {
		set_cause(cause, "another ikond already answers on %s", path);
		return NULL;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1) {
		set_cause(cause, "socket: %s", strerror(errno));
		return NULL;
	}
	unlink(path);
	old_umask = umask(S_IXUSR | S_IXGRP | S_IRWXO);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		set_cause(cause, "bind %s: %s", path, strerror(errno));
		umask(old_umask);
		close(fd);
		return NULL;
	}
	umask(old_umask);
	if ((gid != NULL && chown(path, (uid_t)-1, *gid) == -1) || chmod(path, 0660) == -1 ||
	    listen(fd, CONTROL_BACKLOG) == -1) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return NULL;
	}
	ctl = xcalloc(1, sizeof(*ctl));
	ctl->fd = fd;
	ctl->path = xstrdup(path);
	ctl->max = (size_t)max_clients;
	ctl->clients = xcalloc(ctl->max, sizeof(*ctl->clients));
	return ctl;
}

static void
client_close(struct control *ctl, size_t i)
{
	struct client *c = &ctl->clients[i];

	bgjob_free(c->job);
	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	ctl->clients[i] = ctl->clients[--ctl->nclients];
}

void
control_free(struct control *ctl)
{
	if (ctl == NULL)
		return;
	while (ctl->nclients > 0)
		client_close(ctl, 0);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl->clients);
	free(ctl);
}

size_t
control_clients(const struct control *ctl)
{
	return ctl->nclients;
}

size_t
control_pollfds(struct control *ctl, struct pollfd *pfd, size_t max)
{
	size_t i, n = 0;

	if (max == 0)
		return 0;
	pfd[n].fd = ctl->fd;
	pfd[n].events = POLLIN;
	pfd[n].revents = 0;
	n++;
	for (i = 0; i < ctl->nclients && n < max; i++, n++) {
		/* A client whose command is still working waits on its job. */
		pfd[n].fd = ctl->clients[i].job != NULL ? bgjob_fd(ctl->clients[i].job) :
		    ctl->clients[i].fd;
		pfd[n].events = ctl->clients[i].out.len > ctl->clients[i].out_sent ?
		    POLLOUT : POLLIN;
		pfd[n].revents = 0;
	}
	return n;
}

/* Sends a refusal to a connection that gets no slot, and closes it. */
static void __attribute__((format(printf, 2, 3)))
refuse(int fd, const char *fmt, ...)
{
	json_t *r = json_object();
	va_list ap;
	char *text, *msg;
	size_t len;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	json_object_set_new(r, "status", json_integer(1));
	json_object_set_new(r, "error", json_string(text));
	msg = proto_encode(PROTO_REPLY, r, &len);
	/* A new socket's buffer takes a short reply whole. */
	(void)send(fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	close(fd);
	free(msg);
	free(text);
	json_decref(r);
}

/* True while the client only waits for (the rest of) its next request. */
static bool
client_waiting(const struct client *c)
{
	return c->job == NULL && c->out.len == 0 && !c->draining;
}

/* Closes the reader that has waited longest for its request; false if none. */
static bool
evict_reader(struct control *ctl)
{
	size_t i, oldest = ctl->nclients;

	for (i = 0; i < ctl->nclients; i++)
		if (!ctl->clients[i].may_change && client_waiting(&ctl->clients[i]) &&
		    (oldest == ctl->nclients ||
		    ctl->clients[i].deadline < ctl->clients[oldest].deadline))
			oldest = i;
	if (oldest == ctl->nclients)
		return false;
	log_info("control: closing a waiting connection of uid %u to make room",
	    (unsigned)ctl->clients[oldest].peer.uid);
	client_close(ctl, oldest);
	return true;
}

/*
 * Closes the connections whose client has gone (POLLHUP: closed, not just
 * half-closed) before the loop read their end: a client that finished one
 * command and connected for the next, or sent garbage and left, would
 * otherwise hold a slot until the next poll.  A client whose command still
 * runs keeps its slot until the command is done.
 */
static void
reap_gone(struct control *ctl)
{
	struct pollfd p;
	size_t i = 0;

	while (i < ctl->nclients) {
		p.fd = ctl->clients[i].fd;
		p.events = 0;
		p.revents = 0;
		if (ctl->clients[i].job == NULL && poll(&p, 1, 0) == 1 &&
		    (p.revents & (POLLHUP | POLLERR)))
			client_close(ctl, i);
		else
			i++;
	}
}

/* Decides whether a new client gets a slot; false after refusing it. */
static bool
admit(struct control *ctl, const struct config *cfg, int fd, uid_t uid, bool may_change)
{
	size_t i, readers = 0, mine = 0;
	size_t reserved = ctl->max / 4;

	if (ctl->nclients >= ctl->max - reserved)
		reap_gone(ctl);

	if (may_change) {
		if (ctl->nclients < ctl->max || evict_reader(ctl))
			return true;
		refuse(fd, "ikond is busy: all %zu connections are in use; try again",
		    ctl->max);
		return false;
	}
	for (i = 0; i < ctl->nclients; i++) {
		if (ctl->clients[i].may_change)
			continue;
		readers++;
		mine += ctl->clients[i].peer.uid == uid;
	}
	if (mine >= (size_t)cfg->control_max_clients_per_user) {
		refuse(fd, "too many connections of uid %u (control.max_clients_per_user = %d)",
		    (unsigned)uid, cfg->control_max_clients_per_user);
		return false;
	}
	if (readers >= ctl->max - reserved || ctl->nclients >= ctl->max) {
		refuse(fd, "ikond is busy: the connections for users who may only read are "
		    "in use; try again");
		return false;
	}
	return true;
}

static void
accept_client(struct control *ctl, const struct config *cfg)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct peer peer;
	struct client *c;
	bool may_change;
	int fd;

	fd = accept4(ctl->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("control: accept");
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("control: SO_PEERCRED");
		close(fd);
		return;
	}
	memset(&peer, 0, sizeof(peer));
	peer.uid = cred.uid;
	peer.gid = cred.gid;
	peer.pid = cred.pid;
	may_change = dispatch_may_change(cfg, &peer);
	if (!admit(ctl, cfg, fd, peer.uid, may_change))
		return;
	c = &ctl->clients[ctl->nclients++];
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->peer = peer;
	c->may_change = may_change;
	c->deadline = monotonic_ms() + CONTROL_REQUEST_SECONDS * 1000;
	buf_init(&c->in);
	buf_init(&c->out);
}

static void
queue_reply(struct client *c, json_t *reply, bool then_close)
{
	size_t len;
	char *msg = proto_encode(PROTO_REPLY, reply, &len);

	buf_add(&c->out, msg, len);
	free(msg);
	c->closing = then_close;
	c->deadline = monotonic_ms() + CONTROL_REPLY_SECONDS * 1000;
}

static void __attribute__((format(printf, 2, 3)))
queue_error(struct client *c, const char *fmt, ...)
{
	json_t *r = json_object();
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	json_object_set_new(r, "status", json_integer(1));
	json_object_set_new(r, "error", json_string(text));
	queue_reply(c, r, true);
	json_decref(r);
	free(text);
}

static void
finish_request(struct client *c, struct ikond *ikd)
{
	char *cause = NULL;
	json_t *req = NULL, *reply;

	if (c->mismatch) {
		char detail[96];

		snprintf(detail, sizeof(detail), "client speaks protocol %u, ikond speaks %d",
		    c->h.version, PROTO_VERSION);
		queue_error(c, "incompatible ikond-ctl and ikond: %s", detail);
		return;
	}
	if (proto_payload_decode(c->in.data, c->in.len, &req, &cause) == -1 ||
	    proto_request_check(req, &cause) == -1) {
		queue_error(c, "bad request: %s", cause);
		free(cause);
		json_decref(req);
		return;
	}
	reply = dispatch_request(ikd, &c->peer, req, &c->job);
	json_decref(req);
	if (reply != NULL) {
		queue_reply(c, reply, false);
		json_decref(reply);
	}
	c->hdr_got = 0;
	buf_reset(&c->in);
}

/* Returns false when the client must be dropped at once. */
static bool
client_read(struct client *c, struct ikond *ikd)
{
	char tmp[65536], *cause = NULL;
	size_t want;
	ssize_t n;

	/* After an error reply the rest of a bad request is read and dropped, so
	 * closing does not reset the connection before the client saw why. */
	if (c->draining) {
		n = read(c->fd, tmp, sizeof(tmp));
		return n > 0 || (n == -1 && (errno == EAGAIN || errno == EINTR));
	}

	if (c->hdr_got < PROTO_HEADER_SIZE) {
		n = read(c->fd, c->hdr + c->hdr_got, PROTO_HEADER_SIZE - c->hdr_got);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return true;
		if (n <= 0)
			return false;
		c->hdr_got += (size_t)n;
		if (c->hdr_got < PROTO_HEADER_SIZE)
			return true;
		if (proto_header_decode(c->hdr, &c->h, &c->mismatch, &cause) == -1 ||
		    c->h.type != PROTO_REQUEST) {
			queue_error(c, "bad request: %s", cause ? cause : "not a request");
			free(cause);
			return true;
		}
		if (c->h.length > CONTROL_SMALL_PAYLOAD &&
		    !dispatch_may_change(ikd->cfg, &c->peer)) {
			queue_error(c, "bad request: %s", "payload too large for this user");
			return true;
		}
		buf_reset(&c->in);
		return true;
	}
	want = c->h.length - c->in.len;
	n = read(c->fd, tmp, want < sizeof(tmp) ? want : sizeof(tmp));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false;
	buf_add(&c->in, tmp, (size_t)n);
	if (c->in.len == c->h.length)
		finish_request(c, ikd);
	return true;
}

/* Returns false when the client is done or broken. */
static bool
client_write(struct client *c)
{
	ssize_t n;

	n = write(c->fd, c->out.data + c->out_sent, c->out.len - c->out_sent);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false;
	c->out_sent += (size_t)n;
	if (c->out_sent < c->out.len)
		return true;
	buf_reset(&c->out);
	c->out_sent = 0;
	if (c->closing) {
		shutdown(c->fd, SHUT_WR);
		c->draining = true;
	}
	c->deadline = monotonic_ms() + CONTROL_REQUEST_SECONDS * 1000;
	return true;
}

/* Queues the reply of a job that is done. */
static void
job_finished(struct client *c, struct ikond *ikd)
{
	json_t *reply;

	if (!bgjob_done(c->job))
		return;
	bgjob_finish(c->job, ikd);
	reply = bgjob_reply(c->job);
	bgjob_free(c->job);
	c->job = NULL;
	queue_reply(c, reply, false);
	json_decref(reply);
}

void
control_handle(struct control *ctl, struct ikond *ikd, const struct pollfd *pfd, size_t n)
{
	size_t i, j;
	bool keep;

	/* Clients are found by descriptor: closing one reorders the array. */
	for (i = 1; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		for (j = 0; j < ctl->nclients && ctl->clients[j].fd != pfd[i].fd &&
		    (ctl->clients[j].job == NULL || bgjob_fd(ctl->clients[j].job) != pfd[i].fd);
		    j++)
			;
		if (j == ctl->nclients)
			continue;
		keep = true;
		if (ctl->clients[j].job != NULL)
			job_finished(&ctl->clients[j], ikd);
		else if (pfd[i].revents & POLLOUT)
			keep = client_write(&ctl->clients[j]);
		else if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
			keep = client_read(&ctl->clients[j], ikd);
		if (!keep)
			client_close(ctl, j);
	}
	for (i = 0; n > 0 && (pfd[0].revents & POLLIN) && i < CONTROL_ACCEPT_BATCH; i++)
		accept_client(ctl, ikd->cfg);
}

void
control_expire(struct control *ctl)
{
	uint64_t now = monotonic_ms();
	size_t i = 0;

	while (i < ctl->nclients) {
		if (ctl->clients[i].job == NULL && ctl->clients[i].deadline <= now)
			client_close(ctl, i);
		else
			i++;
	}
}
