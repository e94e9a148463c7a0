/*
 * smtp: the relay transport for reminders (see smtp.h), built on libESMTP.
 * libESMTP runs the whole protocol inside smtp_start_session(); this file
 * prepares the session, feeds it the message bytes and afterwards reads
 * the status libESMTP recorded for each envelope step, turning it into the
 * three outcomes the outbox acts on.
 *
 * A session grows while it runs: libESMTP reports the end of each message
 * (SMTP_EV_MESSAGESENT) before it looks for the next one in its list, so a
 * message added at that event goes out in the same session.  The caller's
 * more callback is asked there, after the last message if the relay took
 * it, and one connection carries a whole job without reconnecting.
 *
 * libESMTP has no API that says whether AUTH succeeded (on failure it goes
 * on without authenticating), so the protocol monitor watches the replies
 * to AUTH; it never looks at what the client writes beyond the verb, so
 * credentials are never copied anywhere.
 *
 * libESMTP writes through a 2 KiB buffer, so every message larger than
 * that leaves in several writes.  With Nagle's algorithm the last one
 * waits for the relay to acknowledge the one before, and a relay that is
 * still reading the message delays that acknowledgement (40 ms on Linux):
 * one stall per message, which capped delivery at about 20 messages a
 * second.  libESMTP 1.1.0 has no accessor for its socket and its
 * SMTP_EV_CONNECT event carries none, so at that event smtp_nodelay()
 * looks for it among the process's descriptors (see there).
 */
#include "smtp.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <auth-client.h>
#include <libesmtp.h>

#include "buf.h"
#include "log.h"
#include "mail_message.h"
#include "monotonic.h"
#include "xmalloc.h"

#define SMTP_DEFAULT_PORT	25
#define SMTP_DEFAULT_TIMEOUT	60
#define SMTP_CHUNK		65536

struct smtp_reader {
	const char	*data;
	size_t		 len;
	size_t		 off;
};

/* What the callbacks learn during one session. */
struct smtp_run {
	const struct smtp_config *cfg;
	int		 port;		/* the relay's */
	bool		 starttls_missing;
	char		 tls_problem[128];
	bool		 auth_pending;	/* AUTH written, final reply not yet read */
	int		 auth_code;	/* final reply to the last AUTH, 0 if none */
	char		 auth_reply[128];
	struct smtp_item *items;	/* to turn a message back into its index */
	size_t		 n;		/* items in the session so far */
	smtp_message_t	*msgs;		/* per item, NULL if not sent */
	smtp_recipient_t *rcpts;
	struct smtp_reader *readers;
	char		**copies;	/* CRLF copies of the items' data */
	struct timespec	 last_read;	/* when the relay last said something */
};

static pthread_once_t smtp_auth_once = PTHREAD_ONCE_INIT;

static void
smtp_auth_init(void)
{
	auth_client_init();
}

const char *
smtp_tls_name(enum smtp_tls tls)
{
	switch (tls) {
	case SMTP_TLS_OFF:
		return "off";
	case SMTP_TLS_OPPORTUNISTIC:
		return "opportunistic";
	case SMTP_TLS_REQUIRED:
		return "required";
	}
	return "unknown";
}

int
smtp_tls_parse(const char *name, enum smtp_tls *tls, char **cause)
{
	if (strcmp(name, "off") == 0)
		*tls = SMTP_TLS_OFF;
	else if (strcmp(name, "opportunistic") == 0)
		*tls = SMTP_TLS_OPPORTUNISTIC;
	else if (strcmp(name, "required") == 0)
		*tls = SMTP_TLS_REQUIRED;
	else
		return set_cause(cause, "unknown TLS mode \"%.32s\" (want off, "
		    "opportunistic or required)", name);
	return 0;
}

const char *
smtp_outcome_name(enum smtp_outcome outcome)
{
	switch (outcome) {
	case SMTP_SENT:
		return "sent";
	case SMTP_TEMPFAIL:
		return "tempfail";
	case SMTP_PERMFAIL:
		return "permfail";
	}
	return "unknown";
}

/* Copies server text into dst as one printable line. */
static void
smtp_copy_text(char *dst, size_t dstlen, const char *src)
{
	size_t i, j = 0;

	if (dstlen == 0)
		return;
	for (i = 0; src != NULL && src[i] != '\0' && j + 1 < dstlen; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[j++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	while (j > 0 && dst[j - 1] == ' ')
		j--;
	dst[j] = '\0';
}

static void
smtp_item_set(struct smtp_item *it, enum smtp_outcome outcome, int code,
    const char *text)
{
	it->outcome = outcome;
	it->pushed_back = false;
	it->status_code = code;
	smtp_copy_text(it->server_reply, sizeof it->server_reply, text);
}

/* libESMTP pulls the message through this; len == NULL means rewind. */
static const char *
smtp_message_cb(void **ctx, int *len, void *arg)
{
	struct smtp_reader *r = arg;
	const char *p;
	size_t n;

	(void)ctx;
	if (len == NULL) {
		r->off = 0;
		return NULL;
	}
	n = r->len - r->off;
	if (n > SMTP_CHUNK)
		n = SMTP_CHUNK;
	p = r->data + r->off;
	r->off += n;
	*len = (int)n;
	return p;
}

/*
 * The message as SMTP wants it: CRLF after every line, the last one
 * included.  Returns NULL if data already is in that form.
 */
static char *
smtp_crlf_copy(const char *data, size_t len, size_t *outlen)
{
	const char *p, *end = data + len;
	struct buf b;
	size_t i;
	bool clean = len >= 2 && data[len - 2] == '\r' && data[len - 1] == '\n';

	/* memchr() from line end to line end: a byte loop here cost each
	 * connection a fifth of its instructions. */
	for (p = data; clean && (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		if (p == data || p[-1] != '\r')
			clean = false;
	for (p = data; clean && (p = memchr(p, '\r', (size_t)(end - p))) != NULL; p++)
		if (p + 1 == end || p[1] != '\n')
			clean = false;
	if (clean)
		return NULL;
	buf_init(&b);
	for (i = 0; i < len; i++) {
		if (data[i] == '\r') {
			if (i + 1 < len && data[i + 1] == '\n')
				i++;
			buf_add_str(&b, "\r\n");
		} else if (data[i] == '\n')
			buf_add_str(&b, "\r\n");
		else
			buf_add_char(&b, data[i]);
	}
	if (b.len < 2 || b.data[b.len - 1] != '\n')
		buf_add_str(&b, "\r\n");
	return buf_steal(&b, outlen);
}

/* Adds item i to the session; false if it is not sent (its outcome is set). */
static bool
smtp_queue_item(struct smtp_run *run, smtp_session_t session, size_t i)
{
	struct smtp_item *it = &run->items[i];

	/* Checked here too: an address goes verbatim into MAIL/RCPT. */
	if (!mail_address_valid(it->from_addr) ||
	    !mail_address_valid(it->to_addr) || it->data == NULL ||
	    it->len == 0 || it->len > INT_MAX) {
		smtp_item_set(it, SMTP_PERMFAIL, 0,
		    "invalid envelope address or empty message");
		return false;
	}
	run->readers[i].data = it->data;
	run->readers[i].len = it->len;
	if ((run->copies[i] = smtp_crlf_copy(it->data, it->len,
	    &run->readers[i].len)) != NULL)
		run->readers[i].data = run->copies[i];
	run->msgs[i] = smtp_add_message(session);
	if (run->msgs[i] == NULL ||
	    !smtp_set_reverse_path(run->msgs[i], it->from_addr) ||
	    (run->rcpts[i] = smtp_add_recipient(run->msgs[i], it->to_addr)) == NULL ||
	    !smtp_set_messagecb(run->msgs[i], smtp_message_cb, &run->readers[i]))
		fatalx("smtp: cannot set up a message");
	smtp_message_set_application_data_release(run->msgs[i], it, NULL);
	return true;
}

/*
 * At the end of a message: reports it if the relay accepted it and, if it
 * was the last one, asks for more.  libESMTP moves on to the next message
 * after this event, so a message added now goes out in this session.
 */
static void
smtp_message_done(struct smtp_run *run, smtp_session_t session, smtp_message_t msg)
{
	const smtp_status_t *st = smtp_message_transfer_status(msg);
	struct smtp_item *it = smtp_message_get_application_data(msg);
	const struct smtp_config *cfg = run->cfg;
	size_t i, added, queued;

	if (it == NULL || st == NULL || st->code < 200 || st->code >= 300)
		return;
	if (cfg->accepted != NULL)
		cfg->accepted((size_t)(it - run->items), st->code, st->text != NULL ? st->text : "",
		    cfg->accepted_arg);
	while (cfg->more != NULL && it == &run->items[run->n - 1] && run->n < cfg->capacity) {
		if ((added = cfg->more(run->items, run->n, cfg->more_arg)) == 0)
			return;
		if (added > cfg->capacity - run->n)
			fatalx("smtp: more messages than room");
		for (i = run->n, queued = 0; i < run->n + added; i++)
			queued += smtp_queue_item(run, session, i);
		run->n += added;
		if (queued > 0)
			return;
		/* None of them could be sent: ask again. */
		it = &run->items[run->n - 1];
	}
}

/* The peer's port of a connected TCP socket, or -1 for anything else. */
static int
smtp_tcp_peer_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	int proto;
	socklen_t len = sizeof(proto);

	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == -1 ||
	    proto != IPPROTO_TCP ||
	    getpeername(fd, (struct sockaddr *)&ss, &sslen) == -1)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

/*
 * Turns Nagle's algorithm off on libESMTP's socket (see the top of the
 * file), called at SMTP_EV_CONNECT, just after libESMTP connected it.
 * Without a way to ask for the descriptor, it sets TCP_NODELAY on every
 * TCP socket of the process whose peer port is the relay's.  Any other
 * such socket belongs to another SMTP session of ours, for which the
 * option is as right; a socket it cannot inspect is left alone.  Without
 * /proc (or if the socket is missed) delivery stays correct, only slow.
 */
static void
smtp_nodelay(int port)
{
	struct dirent *de;
	DIR *d;
	char *end;
	long fd;
	int one = 1;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		fd = strtol(de->d_name, &end, 10);
		if (end == de->d_name || *end != '\0' || fd < 0 || fd > INT_MAX ||
		    fd == dirfd(d))
			continue;
		if (smtp_tcp_peer_port((int)fd) == port)
			(void)setsockopt((int)fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
	}
	closedir(d);
}

static void
smtp_event_cb(smtp_session_t session, int event, void *arg, ...)
{
	struct smtp_run *run = arg;
	va_list ap;
	long verify;

	va_start(ap, arg);
	switch (event) {
	case SMTP_EV_CONNECT:
		smtp_nodelay(run->port);
		break;
	case SMTP_EV_MESSAGESENT:
		smtp_message_done(run, session, va_arg(ap, smtp_message_t));
		break;
	case SMTP_EV_EXTNA_STARTTLS:
		run->starttls_missing = true;
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
		verify = va_arg(ap, long);
		snprintf(run->tls_problem, sizeof run->tls_problem,
		    "TLS: the server's certificate did not verify (OpenSSL "
		    "verify result %ld)", verify);
		break;
	case SMTP_EV_NO_PEER_CERTIFICATE:
		snprintf(run->tls_problem, sizeof run->tls_problem,
		    "TLS: the server presented no certificate");
		break;
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
		snprintf(run->tls_problem, sizeof run->tls_problem,
		    "TLS: the server's certificate is for another host name");
		break;
	case SMTP_EV_WEAK_CIPHER:
		snprintf(run->tls_problem, sizeof run->tls_problem,
		    "TLS: only a weak cipher was offered");
		break;
	default:
		break;
	}
	va_end(ap);
}

/* Watches the replies to AUTH (see the comment at the top). */
static void
smtp_monitor_cb(const char *buf, int buflen, int writing, void *arg)
{
	struct smtp_run *run = arg;
	char line[sizeof run->auth_reply];
	int code;

	if (writing == SMTP_CB_READING)
		clock_gettime(CLOCK_MONOTONIC, &run->last_read);
	if (writing == SMTP_CB_WRITING) {
		if (buflen >= 5 && strncasecmp(buf, "AUTH ", 5) == 0)
			run->auth_pending = true;
		return;
	}
	if (writing != SMTP_CB_READING || !run->auth_pending || buflen < 3 ||
	    !isdigit((unsigned char)buf[0]) || !isdigit((unsigned char)buf[1]) ||
	    !isdigit((unsigned char)buf[2]))
		return;
	code = (buf[0] - '0') * 100 + (buf[1] - '0') * 10 + (buf[2] - '0');
	if (code == 334)
		return;
	run->auth_pending = false;
	run->auth_code = code;
	snprintf(line, sizeof line, "%.*s", buflen, buf);
	smtp_copy_text(run->auth_reply, sizeof run->auth_reply, line);
}

static int
smtp_auth_interact(auth_client_request_t request, char **result, int fields,
    void *arg)
{
	const struct smtp_config *cfg = arg;
	int i;

	for (i = 0; i < fields; i++) {
		if (request[i].flags & AUTH_PASS)
			result[i] = (char *)(cfg->password != NULL ?
			    cfg->password : "");
		else if (request[i].flags & AUTH_USER)
			result[i] = (char *)cfg->user;
		else
			result[i] = (char *)"";
	}
	return 1;
}

static bool
smtp_auth_failed(const struct smtp_run *run)
{
	return run->auth_code >= 400;
}

/* Decides an item from the reply code that ended its transaction. */
static void
smtp_item_from_status(struct smtp_item *it, const smtp_status_t *st,
    const struct smtp_run *run)
{
	char text[sizeof it->server_reply];

	if (smtp_auth_failed(run)) {
		snprintf(text, sizeof text, "authentication failed: %s",
		    run->auth_reply);
		smtp_item_set(it, SMTP_TEMPFAIL, st->code, text);
	} else if (st->code >= 400 && st->code < 500) {
		smtp_item_set(it, SMTP_TEMPFAIL, st->code, st->text);
		it->pushed_back = true;
	}
	else if (st->code == 530)
		smtp_item_set(it, SMTP_TEMPFAIL, st->code, st->text);
	else
		smtp_item_set(it, SMTP_PERMFAIL, st->code, st->text);
}

/*
 * True if the session ended because the relay stayed silent for the
 * timeout.  libESMTP reports a read timeout as SMTP_ERR_DROPPED_CONNECTION,
 * like a closed connection, so the silence since the relay's last line
 * tells the two apart.
 */
static bool
smtp_stalled(const struct smtp_run *run, int err, long timeout_ms)
{
	struct timespec now;
	long long silent_ms;

	if (err == -ETIMEDOUT)
		return true;
	if (err != SMTP_ERR_DROPPED_CONNECTION)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	silent_ms = (long long)(now.tv_sec - run->last_read.tv_sec) * 1000 +
	    (now.tv_nsec - run->last_read.tv_nsec) / 1000000;
	return silent_ms >= timeout_ms * 9 / 10;
}

/*
 * Why the session ended without an answer for some message.  The reason is
 * kept with each message (server_reply), so a very long host name is cut
 * to leave room for what went wrong.
 */
#define SERVER_SHOWN	64

static void
smtp_session_reason(char *dst, size_t dstlen, const struct smtp_run *run,
    const char *server, bool answered, bool timed_out, int timeout_s)
{
	char err[128];
	int e = smtp_errno();

	if (run->starttls_missing)
		snprintf(dst, dstlen, "%.*s: STARTTLS required but not offered "
		    "by the server; nothing was sent", SERVER_SHOWN, server);
	else if (run->tls_problem[0] != '\0')
		snprintf(dst, dstlen, "%.*s: %s", SERVER_SHOWN, server, run->tls_problem);
	else if (smtp_auth_failed(run))
		snprintf(dst, dstlen, "%.*s: authentication failed: %s", SERVER_SHOWN, server,
		    run->auth_reply);
	else if (answered && timed_out)
		snprintf(dst, dstlen, "%.*s: timeout: no answer within %d seconds; "
		    "the session ended before this message was transferred", SERVER_SHOWN, server,
		    timeout_s);
	else if (answered)
		snprintf(dst, dstlen, "%.*s: the session ended before this "
		    "message was transferred (%s)", SERVER_SHOWN, server,
		    smtp_strerror(e, err, sizeof err));
	else if (timed_out)
		snprintf(dst, dstlen, "%.*s: no answer within %d seconds", SERVER_SHOWN, server,
		    timeout_s);
	else
		snprintf(dst, dstlen, "%.*s: %s", SERVER_SHOWN, server,
		    smtp_strerror(e, err, sizeof err));
}

static void
smtp_item_result(struct smtp_item *it, smtp_message_t msg,
    smtp_recipient_t rcpt, const struct smtp_run *run, const char *reason)
{
	const smtp_status_t *st;

	st = smtp_reverse_path_status(msg);
	if (st != NULL && st->code >= 400) {
		smtp_item_from_status(it, st, run);
		return;
	}
	st = smtp_recipient_status(rcpt);
	if (st != NULL && st->code >= 400) {
		smtp_item_from_status(it, st, run);
		return;
	}
	st = smtp_message_transfer_status(msg);
	if (st != NULL && st->code >= 200 && st->code < 300) {
		smtp_item_set(it, SMTP_SENT, st->code, st->text);
		return;
	}
	if (st != NULL && st->code >= 400) {
		smtp_item_from_status(it, st, run);
		return;
	}
	smtp_item_set(it, SMTP_TEMPFAIL, 0, reason);
}

int
smtp_send_batch(const struct smtp_config *cfg, struct smtp_item *items,
    size_t n, char **cause)
{
	smtp_session_t session;
	auth_context_t auth = NULL;
	struct smtp_run run;
	char server[300], reason[sizeof items->server_reply];
	size_t i, room, queued = 0, answered = 0;
	long timeout_ms;
	uint64_t started;
	bool timed_out;
	int ok, port, t;
	static const int timeouts[] = { Timeout_GREETING, Timeout_ENVELOPE,
	    Timeout_DATA, Timeout_TRANSFER, Timeout_DATA2 };

	memset(&run, 0, sizeof run);
	run.cfg = cfg;
	run.items = items;
	run.n = n;
	port = cfg->port > 0 ? cfg->port : SMTP_DEFAULT_PORT;
	run.port = port;
	snprintf(server, sizeof server, "%s:%d",
	    cfg->host != NULL && *cfg->host != '\0' ? cfg->host : "localhost",
	    port);

	room = cfg->more != NULL && cfg->capacity > n ? cfg->capacity : n;
	if (room == 0)
		room = 1;
	run.msgs = xcalloc(room, sizeof *run.msgs);
	run.rcpts = xcalloc(room, sizeof *run.rcpts);
	run.readers = xcalloc(room, sizeof *run.readers);
	run.copies = xcalloc(room, sizeof *run.copies);

	pthread_once(&smtp_auth_once, smtp_auth_init);
	if ((session = smtp_create_session()) == NULL) {
		for (i = 0; i < n; i++)
			smtp_item_set(&items[i], SMTP_TEMPFAIL, 0,
			    "cannot create an SMTP session");
		set_cause(cause, "cannot create an SMTP session");
		ok = -1;
		goto out;
	}
	smtp_set_server(session, server);
	/* libESMTP takes these in milliseconds, whatever its comments say. */
	timeout_ms = 1000L * (cfg->timeout_seconds > 0 ?
	    cfg->timeout_seconds : SMTP_DEFAULT_TIMEOUT);
	for (t = 0; t < (int)(sizeof timeouts / sizeof timeouts[0]); t++)
		smtp_set_timeout(session,
		    timeouts[t] | Timeout_OVERRIDE_RFC2822_MINIMUM, timeout_ms);
	smtp_starttls_enable(session, cfg->tls == SMTP_TLS_REQUIRED ?
	    Starttls_REQUIRED : cfg->tls == SMTP_TLS_OPPORTUNISTIC ?
	    Starttls_ENABLED : Starttls_DISABLED);
	smtp_set_eventcb(session, smtp_event_cb, &run);
	smtp_set_monitorcb(session, smtp_monitor_cb, &run, 0);
	if (cfg->user != NULL && *cfg->user != '\0') {
		if ((auth = auth_create_context()) == NULL)
			fatalx("smtp: out of memory");
		auth_set_mechanism_flags(auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(auth, smtp_auth_interact, (void *)cfg);
		smtp_auth_set_context(session, auth);
	}

	for (i = 0; i < n; i++)
		queued += smtp_queue_item(&run, session, i);
	if (queued == 0) {
		ok = 0;
		goto out;
	}

	/*
	 * smtp_start_session() reports success for sessions that ended
	 * before any message (a missing STARTTLS, a silent server), so
	 * whether the relay answered is judged from the statuses instead.
	 */
	started = monotonic_ms();
	clock_gettime(CLOCK_MONOTONIC, &run.last_read);
	ok = smtp_start_session(session) ? 0 : -1;
	/* A long batch is no timeout; silence for the timeout is. */
	timed_out = smtp_stalled(&run, smtp_errno(), timeout_ms);
	for (i = 0; i < run.n; i++) {
		const smtp_status_t *st;

		if (run.msgs[i] == NULL)
			continue;
		st = smtp_reverse_path_status(run.msgs[i]);
		if (st != NULL && st->code != 0)
			answered++;
	}
	if (answered == 0 && monotonic_ms() - started >= (uint64_t)timeout_ms)
		timed_out = true;
	smtp_session_reason(reason, sizeof reason, &run, server,
	    answered > 0, timed_out, (int)(timeout_ms / 1000));
	for (i = 0; i < run.n; i++)
		if (run.msgs[i] != NULL)
			smtp_item_result(&items[i], run.msgs[i], run.rcpts[i], &run,
			    reason);
	if (answered == 0) {
		set_cause(cause, "%s", reason);
		ok = -1;
	} else
		ok = 0;

out:
	if (session != NULL)
		smtp_destroy_session(session);
	if (auth != NULL)
		auth_destroy_context(auth);
	for (i = 0; i < run.n; i++)
		free(run.copies[i]);
	free(run.copies);
	free(run.readers);
	free(run.rcpts);
	free(run.msgs);
	return ok;
}

int
smtp_test_send(const struct smtp_config *cfg, const char *from,
    const char *to, const char *data, size_t len, char *result,
    size_t resultlen)
{
	struct smtp_item item;
	char *cause = NULL;
	const char *what;

	memset(&item, 0, sizeof item);
	item.from_addr = from;
	item.to_addr = to;
	item.data = data;
	item.len = len;
	smtp_send_batch(cfg, &item, 1, &cause);
	free(cause);
	switch (item.outcome) {
	case SMTP_SENT:
		what = "sent";
		break;
	case SMTP_TEMPFAIL:
		what = "temporary failure";
		break;
	default:
		what = "permanent failure";
		break;
	}
	if (item.status_code != 0)
		snprintf(result, resultlen, "%s: %d %s", what, item.status_code,
		    item.server_reply);
	else
		snprintf(result, resultlen, "%s: %s", what, item.server_reply);
	return item.outcome == SMTP_SENT ? 0 : -1;
}
