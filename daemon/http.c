/*
 * http: the feed server (see http.h).  Each request is answered from
 * responses prepared when the snapshot was published, so serving a feed
 * is a table lookup and a reference count, never a database query.  A
 * feed's text is the parts of its blocks (ics.h), sent as they are
 * (libmicrohttpd's I/O vector response): a rebuild shares the blocks of
 * the text before and copies nothing.
 *
 * libmicrohttpd parses and answers; ikond runs its event loop.  The
 * library's own threads are not used: in libmicrohttpd 0.9.75 (Debian 12)
 * the epoll loop, having received a full batch of 128 events, waits again
 * with the whole timeout before it handles them, so a thread whose 128 or
 * more connections all sent a request at once sleeps until the next event
 * or the connection timeout (30 s) while every socket holds an unread
 * request.  Here a few worker threads each own one libmicrohttpd daemon in
 * "external" epoll mode: a worker waits on the listening socket and on the
 * daemon's epoll descriptor itself and then calls MHD_run(), which never
 * blocks.
 *
 * Owning accept() also decides what happens at the limit.  A connection is
 * "waiting" from its accept or its previous answer until its next request
 * has arrived completely, and "answering" while a response goes out.  A
 * waiting connection has http.request_timeout seconds to deliver its
 * request, however slowly it trickles (slowloris), or it is closed.  When
 * http.max_connections are open, a new connection makes room by closing
 * the connection that has been waiting longest (an idle keep-alive or an
 * incomplete request); only when every connection is answering does it get
 * a short 503 with Retry-After.  Nothing is limited per client address:
 * behind a reverse proxy every client has the proxy's address.
 *
 * The listening socket is ikond's own and has no SO_REUSEPORT, so a second
 * daemon configured with the same port fails to start instead of quietly
 * taking half of the requests.  With http.socket it is a Unix socket
 * (mode 0666: the feeds are public, their tokens are the secret) for a
 * reverse proxy in front of many daemons on one machine.
 *
 * A request for a token that does not exist, was revoked, or is not even
 * well-formed gets the same 404 after the same work: the path is hashed
 * and every published hash is compared.  Request line and headers are
 * bounded by libmicrohttpd's per-connection memory limit.
 *
 * The web page of a feed ("/feeds/<token>.html") follows the same rules;
 * its body holds the token it was asked with, so it is put together per
 * request from the snapshot's prepared parts (feed_page_body()), and it
 * is sent with a Content-Security-Policy that allows no script and
 * nothing from elsewhere, and without a Referer for its links.
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <microhttpd.h>

#include "log.h"
#include "monotonic.h"
#include "xmalloc.h"

/* Request line and headers of a connection, and its send buffer.
 * libmicrohttpd zeroes all of it between requests, so this is what every
 * keep-alive connection costs in memory: 4,096 of them hold 64 MiB. */
#define HTTP_MEMORY_LIMIT	(16 * 1024)
#define HTTP_MAX_THREADS	4
#define HTTP_BACKLOG		4096
#define HTTP_ACCEPT_BATCH	32	/* connections accepted per wake-up of a worker */
#define HTTP_ACCEPT_PAUSE_MS	100	/* no descriptors left: try again after this */
#define HTTP_EVENTS		16
#define CONTENT_TYPE		"text/calendar; charset=utf-8"
#define PAGE_CONTENT_TYPE	"text/html; charset=utf-8"
#define PAGE_POLICY		"default-src 'none'; style-src 'unsafe-inline'; img-src data:; " \
				"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
#define NOT_FOUND_BODY		"Not Found\n"
#define NOT_ALLOWED_BODY	"Method Not Allowed\n"
#define BUSY_BODY		"Service Unavailable\n"
#define BUSY_RESPONSE							\
	"HTTP/1.1 503 Service Unavailable\r\n"				\
	"Retry-After: 10\r\n"						\
	"Content-Type: text/plain; charset=utf-8\r\n"			\
	"Cache-Control: no-store\r\n"					\
	"Connection: close\r\n"						\
	"Content-Length: 20\r\n"					\
	"\r\n" BUSY_BODY

enum conn_state {
	CONN_WAITING,		/* for (the rest of) a request */
	CONN_ANSWERING,		/* a response is queued or being sent */
	CONN_CLOSING,		/* shut down by ikond; libmicrohttpd cleans up */
};

struct conn {
	int			 fd;
	enum conn_state		 state;
	uint64_t		 since;		/* monotonic ms: accepted or last answered */
	TAILQ_ENTRY(conn)	 entry;		/* in its worker's waiting list */
};
TAILQ_HEAD(conn_list, conn);

struct worker {
	struct http		*h;
	pthread_t		 thread;
	struct MHD_Daemon	*mhd;
	int			 epfd;		/* listening socket, libmicrohttpd, stop */
	bool			 accepting;
	uint64_t		 resume_accept;	/* monotonic ms, when !accepting */
	bool			 adopted;	/* libmicrohttpd took the last connection */
	struct conn_list	 waiting;	/* oldest first; under h->lock */
};

struct http {
	struct MHD_Response	*not_found;
	struct MHD_Response	*not_allowed;
	int			 listen_fd;
	char			*unix_path;	/* http.socket, removed at the end */
	int			 stop_fd;	/* eventfd: readable once the workers must end */
	struct worker		*workers;
	size_t			 nworkers;
	size_t			 started;	/* threads running */
	uint64_t		 request_ms;	/* http.request_timeout */

	pthread_mutex_t		 lock;
	size_t			 open;		/* waiting or answering */
	size_t			 capacity;
	struct http_stats	 stats;
};

static const char *const wdays[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

void
http_date(time_t t, char out[30])
{
	struct tm tm;
	char tmp[64];

	gmtime_r(&t, &tm);
	snprintf(tmp, sizeof(tmp), "%s, %02d %s %04d %02d:%02d:%02d GMT", wdays[tm.tm_wday],
	    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	snprintf(out, 30, "%.29s", tmp);
}

static int
two_digits(const char *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

bool
http_date_parse(const char *text, time_t *t)
{
	struct tm tm, back;
	int i, century, year;

	/* "Sun, 06 Nov 1994 08:49:37 GMT", every character in its place. */
	if (strlen(text) != 29 || text[3] != ',' || text[4] != ' ' || text[7] != ' ' ||
	    text[11] != ' ' || text[16] != ' ' || text[19] != ':' || text[22] != ':' ||
	    strcmp(text + 25, " GMT") != 0)
		return false;
	memset(&tm, 0, sizeof(tm));
	for (i = 0; i < 12 && strncmp(months[i], text + 8, 3) != 0; i++)
		;
	century = two_digits(text + 12);
	year = two_digits(text + 14);
	tm.tm_mday = two_digits(text + 5);
	tm.tm_hour = two_digits(text + 17);
	tm.tm_min = two_digits(text + 20);
	tm.tm_sec = two_digits(text + 23);
	if (i == 12 || century < 19 || year < 0 || tm.tm_mday < 1 || tm.tm_hour < 0 ||
	    tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 ||
	    tm.tm_sec > 59)
		return false;
	tm.tm_mon = i;
	tm.tm_year = century * 100 + year - 1900;
	back = tm;
	*t = timegm(&back);
	/* No 31 February: the date must come back as it was written. */
	gmtime_r(t, &back);
	return back.tm_mday == tm.tm_mday && back.tm_mon == tm.tm_mon;
}

/* Skips optional whitespace (RFC 7230 OWS). */
static const char *
ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

bool
http_accepts_gzip(const char *v)
{
	const char *p = v, *tok, *q;
	size_t len;

	while (p != NULL && *p != '\0') {
		tok = ows(p);
		len = strcspn(tok, ",;");
		while (len > 0 && (tok[len - 1] == ' ' || tok[len - 1] == '\t'))
			len--;
		q = tok + strcspn(tok, ",");
		if ((len == 4 && strncasecmp(tok, "gzip", 4) == 0) ||
		    (len == 1 && tok[0] == '*')) {
			const char *param = tok + strcspn(tok, ";,");

			if (*param != ';')
				return true;
			param = ows(param + 1);
			if (strncasecmp(param, "q=", 2) != 0)
				return true;
			/* q=0, q=0.0, q=0.000 refuse; any other value accepts. */
			param += 2;
			if (*param != '0')
				return true;
			for (param++; *param == '.' || *param == '0'; param++)
				;
			return *param >= '1' && *param <= '9';
		}
		p = *q == ',' ? q + 1 : NULL;
	}
	return false;
}

bool
http_etag_matches(const char *v, const char *etag)
{
	const char *p = ows(v), *end;
	size_t elen = strlen(etag);

	if (p[0] == '*' && *ows(p + 1) == '\0')
		return true;
	while (*p != '\0') {
		p = ows(p);
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"')
			return false;
		if ((end = strchr(p + 1, '"')) == NULL)
			return false;
		if ((size_t)(end + 1 - p) == elen && memcmp(p, etag, elen) == 0)
			return true;
		p = ows(end + 1);
		if (*p == ',')
			p++;
		else if (*p != '\0')
			return false;
	}
	return false;
}

static void
free_buffer(void *p)
{
	free(p);
}

static void
add_validators(struct MHD_Response *r, time_t last_modified, const char *etag)
{
	char date[30];

	MHD_add_response_header(r, "ETag", etag);
	if (last_modified > 0) {
		http_date(last_modified, date);
		MHD_add_response_header(r, "Last-Modified", date);
	}
	MHD_add_response_header(r, "Cache-Control", "private, no-cache");
	MHD_add_response_header(r, "Vary", "Accept-Encoding");
}

static void
text_release(void *t)
{
	ics_text_unref(t);
}

/* The headers of a feed's answer, plain or gzip-encoded. */
static void
body_headers(struct MHD_Response *r, const struct feed_snapshot *s, const char *etag,
    bool gzip)
{
	MHD_add_response_header(r, "Content-Type", CONTENT_TYPE);
	MHD_add_response_header(r, "Content-Disposition",
	    "inline; filename=\"integrationskonzept.ics\"");
	if (gzip)
		MHD_add_response_header(r, "Content-Encoding", "gzip");
	add_validators(r, s->last_modified, etag);
}

static struct MHD_Response *
gzip_response(const struct feed_snapshot *s, unsigned char *gz)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer_with_free_callback_cls(s->gzip_len, gz, free_buffer,
	    gz);
	if (r == NULL)
		fatalx("cannot create an HTTP response");
	body_headers(r, s, s->etag_gzip, true);
	return r;
}

/* The plain answer sends the text's parts; it holds a reference to them. */
static struct MHD_Response *
plain_response(const struct feed_snapshot *s)
{
	struct MHD_Response *r;
	struct MHD_IoVec *iov;
	size_t i, n = ics_text_nparts(s->text);

	if (n > UINT_MAX)
		fatalx("a feed of too many parts");
	iov = xreallocarray(NULL, n, sizeof(*iov));
	for (i = 0; i < n; i++)
		iov[i].iov_base = ics_text_part(s->text, i, &iov[i].iov_len);
	r = MHD_create_response_from_iovec(iov, (unsigned)n, text_release,
	    ics_text_ref(s->text));
	free(iov);
	if (r == NULL)
		fatalx("cannot create an HTTP response");
	body_headers(r, s, s->etag, false);
	return r;
}

static struct MHD_Response *
not_modified_response(time_t last_modified, const char *etag)
{
	struct MHD_Response *r;

	if ((r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT)) == NULL)
		fatalx("cannot create an HTTP response");
	add_validators(r, last_modified, etag);
	return r;
}

void
http_snapshot_prepare(struct feed_snapshot *s, unsigned char *gz)
{
	s->plain = plain_response(s);
	s->not_modified = not_modified_response(s->last_modified, s->etag);
	if (gz != NULL) {
		s->gzip = gzip_response(s, gz);
		s->not_modified_gzip = not_modified_response(s->last_modified, s->etag_gzip);
	}
	s->page.not_modified = not_modified_response(s->page.last_modified, s->page.etag);
	s->page.not_modified_gzip = not_modified_response(s->page.last_modified,
	    s->page.etag_gzip);
}

void
http_snapshot_add_gzip(struct feed_snapshot *s, unsigned char *gz)
{
	s->gzip = gzip_response(s, gz);
	s->not_modified_gzip = not_modified_response(s->last_modified, s->etag_gzip);
}

void
http_snapshot_release(struct feed_snapshot *s)
{
	if (s->plain != NULL)
		MHD_destroy_response(s->plain);
	if (s->gzip != NULL)
		MHD_destroy_response(s->gzip);
	if (s->not_modified != NULL)
		MHD_destroy_response(s->not_modified);
	if (s->not_modified_gzip != NULL)
		MHD_destroy_response(s->not_modified_gzip);
	if (s->page.not_modified != NULL)
		MHD_destroy_response(s->page.not_modified);
	if (s->page.not_modified_gzip != NULL)
		MHD_destroy_response(s->page.not_modified_gzip);
	s->plain = s->gzip = s->not_modified = s->not_modified_gzip = NULL;
	s->page.not_modified = s->page.not_modified_gzip = NULL;
}


/*
 * Connection bookkeeping.  Everything below runs on worker threads; the
 * state of every connection, the waiting lists and the counters are
 * guarded by h->lock, held only for list operations.  libmicrohttpd tells
 * a connection's end (notify_connection) before it closes the socket, so
 * a socket found in a list under the lock is still the connection's own.
 */

/* Closes a waiting connection; libmicrohttpd sees the shutdown and cleans up. */
static void
conn_close_locked(struct http *h, struct worker *w, struct conn *c)
{
	TAILQ_REMOVE(&w->waiting, c, entry);
	c->state = CONN_CLOSING;
	h->open--;
	shutdown(c->fd, SHUT_RDWR);
}

/* Makes room for one connection: the one that has waited longest, on any worker. */
static bool
evict_oldest_locked(struct http *h)
{
	struct worker *w, *oldest = NULL;
	struct conn *c;
	size_t i;

	for (i = 0; i < h->nworkers; i++) {
		w = &h->workers[i];
		if ((c = TAILQ_FIRST(&w->waiting)) != NULL &&
		    (oldest == NULL || c->since < TAILQ_FIRST(&oldest->waiting)->since))
			oldest = w;
	}
	if (oldest == NULL)
		return false;
	conn_close_locked(h, oldest, TAILQ_FIRST(&oldest->waiting));
	h->stats.evicted++;
	return true;
}

/* Closes this worker's connections whose request is overdue; returns the
 * milliseconds until the next one is, or -1 if none waits. */
static int
expire_waiting(struct worker *w, uint64_t now)
{
	struct http *h = w->h;
	struct conn *c;
	int next = -1;

	pthread_mutex_lock(&h->lock);
	while ((c = TAILQ_FIRST(&w->waiting)) != NULL && c->since + h->request_ms <= now) {
		conn_close_locked(h, w, c);
		h->stats.expired++;
	}
	if (c != NULL)
		next = (int)(c->since + h->request_ms - now);
	pthread_mutex_unlock(&h->lock);
	return next;
}

static struct conn *
conn_of(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

static void
notify_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct worker *w = cls;
	struct http *h = w->h;
	const union MHD_ConnectionInfo *ci;
	struct conn *c;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
		c = xcalloc(1, sizeof(*c));
		c->fd = ci != NULL ? ci->connect_fd : -1;
		c->state = CONN_WAITING;
		c->since = monotonic_ms();
		pthread_mutex_lock(&h->lock);
		TAILQ_INSERT_TAIL(&w->waiting, c, entry);
		pthread_mutex_unlock(&h->lock);
		*socket_context = c;
		w->adopted = true;
		return;
	}
	if ((c = *socket_context) == NULL)
		return;
	pthread_mutex_lock(&h->lock);
	if (c->state == CONN_WAITING)
		TAILQ_REMOVE(&w->waiting, c, entry);
	if (c->state != CONN_CLOSING)
		h->open--;
	pthread_mutex_unlock(&h->lock);
	free(c);
	*socket_context = NULL;
}

/* A request is answered (or abandoned): the connection waits for the next. */
static void
request_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct worker *w = cls;
	struct conn *c = conn_of(mc);

	(void)con_cls;
	(void)toe;
	if (c == NULL)
		return;
	pthread_mutex_lock(&w->h->lock);
	if (c->state == CONN_ANSWERING) {
		c->state = CONN_WAITING;
		c->since = monotonic_ms();
		TAILQ_INSERT_TAIL(&w->waiting, c, entry);
	}
	pthread_mutex_unlock(&w->h->lock);
}

/* The request is complete and will be answered now; false if ikond
 * already closed the connection. */
static bool
start_answer(struct worker *w, struct MHD_Connection *mc)
{
	struct conn *c = conn_of(mc);
	bool ok = true;

	if (c == NULL)
		return true;
	pthread_mutex_lock(&w->h->lock);
	if (c->state == CONN_CLOSING)
		ok = false;
	else if (c->state == CONN_WAITING) {
		TAILQ_REMOVE(&w->waiting, c, entry);
		c->state = CONN_ANSWERING;
	}
	pthread_mutex_unlock(&w->h->lock);
	return ok;
}

struct answer {
	struct http		*h;
	struct MHD_Connection	*conn;
	enum feed_format	 format;
	const char		*token;		/* in the path, if it is one */
	const char		*if_none_match;
	const char		*if_modified_since;
	bool			 gzip;
	enum MHD_Result		 rc;
};

static bool
is_fresh(const struct answer *a, time_t last_modified, const char *etag)
{
	time_t since;

	/* RFC 7232 section 6: If-None-Match wins over If-Modified-Since. */
	if (a->if_none_match != NULL)
		return http_etag_matches(a->if_none_match, etag);
	if (a->if_modified_since != NULL && last_modified > 0 &&
	    http_date_parse(a->if_modified_since, &since))
		return last_modified <= since;
	return false;
}

/* The web page of a feed, put together for this request's token. */
static void
serve_page(const struct feed_page *p, struct answer *a)
{
	struct MHD_Response *r;
	unsigned char *body;
	size_t len;

	if (is_fresh(a, p->last_modified, a->gzip ? p->etag_gzip : p->etag)) {
		a->rc = MHD_queue_response(a->conn, MHD_HTTP_NOT_MODIFIED, a->gzip ?
		    p->not_modified_gzip : p->not_modified);
		return;
	}
	body = feed_page_body(p, a->token, a->gzip, &len);
	r = MHD_create_response_from_buffer_with_free_callback_cls(len, body, free_buffer, body);
	if (r == NULL)
		fatalx("cannot create an HTTP response");
	MHD_add_response_header(r, "Content-Type", PAGE_CONTENT_TYPE);
	MHD_add_response_header(r, "Content-Security-Policy", PAGE_POLICY);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	if (a->gzip)
		MHD_add_response_header(r, "Content-Encoding", "gzip");
	add_validators(r, p->last_modified, a->gzip ? p->etag_gzip : p->etag);
	a->rc = MHD_queue_response(a->conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
}

/* Runs under the feed table's lock: queueing takes a reference. */
static void
serve_snapshot(const struct feed_snapshot *s, void *arg)
{
	struct answer *a = arg;
	bool gz;

	if (s == NULL) {
		a->rc = MHD_queue_response(a->conn, MHD_HTTP_NOT_FOUND, a->h->not_found);
		return;
	}
	if (a->format == FEED_PAGE) {
		serve_page(&s->page, a);
		return;
	}
	gz = a->gzip && s->gzip != NULL;
	if (is_fresh(a, s->last_modified, gz ? s->etag_gzip : s->etag))
		a->rc = MHD_queue_response(a->conn, MHD_HTTP_NOT_MODIFIED,
		    gz ? s->not_modified_gzip : s->not_modified);
	else
		a->rc = MHD_queue_response(a->conn, MHD_HTTP_OK, gz ? s->gzip : s->plain);
}

static enum MHD_Result
answer_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct worker *w = cls;
	struct answer a;
	unsigned char hash[FEED_HASH_LEN];
	const char *ae;

	static int request_seen;

	(void)version;
	(void)upload_data;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		if (!start_answer(w, conn))
			return MHD_NO;
		return MHD_queue_response(conn, MHD_HTTP_METHOD_NOT_ALLOWED, w->h->not_allowed);
	}
	/* The first call only announces the request: answering before the
	 * request is complete makes libmicrohttpd close the connection. */
	if (*con_cls == NULL) {
		*con_cls = &request_seen;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;	/* a body is read and ignored */
		return MHD_YES;
	}
	if (!start_answer(w, conn))
		return MHD_NO;
	memset(&a, 0, sizeof(a));
	a.h = w->h;
	a.conn = conn;
	ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	a.gzip = ae != NULL && http_accepts_gzip(ae);
	a.if_none_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_NONE_MATCH);
	a.if_modified_since = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	/* A malformed path hashes to something no token has: the same 404. */
	feed_path_hash(url, hash, &a.format);
	a.token = url + strlen(FEED_PATH_PREFIX);
	a.rc = MHD_NO;
	feeds_with_snapshot(hash, serve_snapshot, &a);
	return a.rc;
}

/* The server is full of connections that are all answering: say so and close. */
static void
refuse(int fd)
{
	char discard[4096];

	/* Reading what arrived keeps close() from resetting the connection
	 * before the client saw the answer. */
	(void)recv(fd, discard, sizeof(discard), MSG_DONTWAIT);
	(void)send(fd, BUSY_RESPONSE, sizeof(BUSY_RESPONSE) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	close(fd);
}

/* Hands a new connection to this worker's libmicrohttpd, or refuses it. */
static void
admit(struct worker *w, int fd, const struct sockaddr *sa, socklen_t salen)
{
	struct http *h = w->h;

	pthread_mutex_lock(&h->lock);
	if (h->open >= h->capacity && !evict_oldest_locked(h)) {
		h->stats.refused++;
		pthread_mutex_unlock(&h->lock);
		refuse(fd);
		return;
	}
	h->open++;
	h->stats.accepted++;
	pthread_mutex_unlock(&h->lock);
	/* On failure libmicrohttpd has closed the socket; the count is ours
	 * to undo unless it had taken the connection (and let it go again). */
	w->adopted = false;
	if (MHD_add_connection(w->mhd, fd, sa, salen) != MHD_YES && !w->adopted) {
		pthread_mutex_lock(&h->lock);
		h->open--;
		pthread_mutex_unlock(&h->lock);
	}
}

static void
listen_pause(struct worker *w, bool pause)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.ptr = &w->h->listen_fd;
	if (pause)
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->h->listen_fd, NULL);
	else
		epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->h->listen_fd, &ev);
	w->accepting = !pause;
}

static void
accept_some(struct worker *w)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int i, fd;

	for (i = 0; i < HTTP_ACCEPT_BATCH; i++) {
		len = sizeof(ss);
		fd = accept4(w->h->listen_fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			/* Out of descriptors: the connection waits in the
			 * backlog while others end. */
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				listen_pause(w, true);
				w->resume_accept = monotonic_ms() + HTTP_ACCEPT_PAUSE_MS;
			}
			return;
		}
		admit(w, fd, (struct sockaddr *)&ss, len);
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event ev[HTTP_EVENTS];
	MHD_UNSIGNED_LONG_LONG mhd_ms;
	uint64_t now;
	int i, n, timeout;

	for (;;) {
		now = monotonic_ms();
		if (!w->accepting && now >= w->resume_accept)
			listen_pause(w, false);
		timeout = expire_waiting(w, now);
		if (!w->accepting && (timeout == -1 || timeout > HTTP_ACCEPT_PAUSE_MS))
			timeout = HTTP_ACCEPT_PAUSE_MS;
		if (MHD_get_timeout(w->mhd, &mhd_ms) == MHD_YES &&
		    (timeout == -1 || mhd_ms < (MHD_UNSIGNED_LONG_LONG)timeout))
			timeout = mhd_ms < INT_MAX ? (int)mhd_ms : INT_MAX;
		n = epoll_wait(w->epfd, ev, HTTP_EVENTS, timeout);
		for (i = 0; i < n; i++) {
			if (ev[i].data.ptr == &w->h->stop_fd)
				return NULL;
			if (ev[i].data.ptr == &w->h->listen_fd)
				accept_some(w);
		}
		MHD_run(w->mhd);
	}
}

static struct MHD_Response *
text_response(const char *text)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)text,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		fatalx("cannot create an HTTP response");
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	return r;
}

/* http.socket: replaces a stale socket file, not one a daemon answers on. */
static int
listen_unix(const char *path, char **cause)
{
	struct sockaddr_un sun;
	mode_t old_umask;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return set_cause(cause, "cannot serve HTTP: socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		close(fd);
		return set_cause(cause, "cannot serve HTTP on %s: another server answers there "
		    "(see http.socket)", path);
	}
	close(fd);
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return set_cause(cause, "cannot serve HTTP: socket: %s", strerror(errno));
	old_umask = umask(0);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, HTTP_BACKLOG) == -1) {
		set_cause(cause, "cannot serve HTTP on %s: %s", path, strerror(errno));
		umask(old_umask);
		close(fd);
		return -1;
	}
	umask(old_umask);
	return fd;
}

/* The listening socket; config_load() has checked that the address is numeric. */
static int
listen_socket(const struct config *cfg, char **cause)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, cfg->http_listen, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)cfg->http_port);
		len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, cfg->http_listen, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)cfg->http_port);
		len = sizeof(*in6);
	} else
		return set_cause(cause, "http.listen \"%s\" is not an IPv4 or IPv6 address",
		    cfg->http_listen);
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return set_cause(cause, "cannot serve HTTP: socket: %s", strerror(errno));
	/* SO_REUSEADDR lets a restart bind while old connections linger in
	 * TIME_WAIT; a second listener on the port is still refused. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 || listen(fd, HTTP_BACKLOG) == -1) {
		if (errno == EADDRINUSE)
			set_cause(cause, "cannot serve HTTP on %s port %d: the port is in use "
			    "(another ikond or another server listens there; see http.port)",
			    cfg->http_listen, cfg->http_port);
		else
			set_cause(cause, "cannot serve HTTP on %s port %d: %s", cfg->http_listen,
			    cfg->http_port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
worker_init(struct worker *w, struct http *h, const struct config *cfg, char **cause)
{
	const union MHD_DaemonInfo *di;
	struct epoll_event ev;

	w->h = h;
	TAILQ_INIT(&w->waiting);
	/* libmicrohttpd's own limit only backs up ikond's (h->capacity): it
	 * also counts connections that are being closed. */
	w->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL,
	    answer_request, w,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)(2 * h->capacity + HTTP_ACCEPT_BATCH),
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->http_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
	    MHD_OPTION_NOTIFY_CONNECTION, notify_connection, w,
	    MHD_OPTION_NOTIFY_COMPLETED, request_completed, w,
	    MHD_OPTION_END);
	if (w->mhd == NULL)
		return set_cause(cause, "cannot serve HTTP: libmicrohttpd does not start");
	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return set_cause(cause, "cannot serve HTTP: epoll: %s", strerror(errno));
	di = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = w;
	if (di == NULL || epoll_ctl(w->epfd, EPOLL_CTL_ADD, di->epoll_fd, &ev) == -1)
		return set_cause(cause, "cannot serve HTTP: epoll of libmicrohttpd: %s",
		    strerror(errno));
	ev.data.ptr = &h->stop_fd;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, h->stop_fd, &ev) == -1)
		return set_cause(cause, "cannot serve HTTP: epoll: %s", strerror(errno));
	listen_pause(w, false);
	return 0;
}

struct http *
http_start(const struct config *cfg, size_t capacity, char **cause)
{
	struct http *h;
	sigset_t all, old;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i;
	int fd, rc;

	if (cfg->http_socket != NULL)
		fd = listen_unix(cfg->http_socket, cause);
	else if (cfg->http_port == 0)
		return NULL;
	else
		fd = listen_socket(cfg, cause);
	if (fd == -1)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->listen_fd = fd;
	if (cfg->http_socket != NULL)
		h->unix_path = xstrdup(cfg->http_socket);
	h->capacity = capacity;
	h->request_ms = (uint64_t)cfg->http_request_timeout * 1000;
	pthread_mutex_init(&h->lock, NULL);
	h->not_found = text_response(NOT_FOUND_BODY);
	h->not_allowed = text_response(NOT_ALLOWED_BODY);
	MHD_add_response_header(h->not_allowed, "Allow", "GET, HEAD");
	h->nworkers = cpus < 1 ? 1 : cpus > HTTP_MAX_THREADS ? HTTP_MAX_THREADS : (size_t)cpus;
	h->workers = xcalloc(h->nworkers, sizeof(*h->workers));
	for (i = 0; i < h->nworkers; i++)
		h->workers[i].epfd = -1;
	if ((h->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		set_cause(cause, "cannot serve HTTP: eventfd: %s", strerror(errno));
		goto fail;
	}
	for (i = 0; i < h->nworkers; i++)
		if (worker_init(&h->workers[i], h, cfg, cause) == -1)
			goto fail;
	/* The workers take no signals: the main loop reads them from its signalfd. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < h->nworkers; i++) {
		if ((rc = pthread_create(&h->workers[i].thread, NULL, worker_main,
		    &h->workers[i])) != 0) {
			set_cause(cause, "cannot start an HTTP thread: %s", strerror(rc));
			break;
		}
		h->started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (h->started == h->nworkers)
		return h;
fail:
	http_stop(h);
	return NULL;
}

void
http_stop(struct http *h)
{
	uint64_t one = 1;
	size_t i;

	if (h == NULL)
		return;
	if (h->stop_fd != -1 && write(h->stop_fd, &one, sizeof(one)) == -1)
		fatal("http: eventfd");
	for (i = 0; i < h->started; i++)
		pthread_join(h->workers[i].thread, NULL);
	/* Closing the connections calls notify_connection() on this thread. */
	for (i = 0; i < h->nworkers; i++) {
		if (h->workers[i].mhd != NULL)
			MHD_stop_daemon(h->workers[i].mhd);
		if (h->workers[i].epfd != -1)
			close(h->workers[i].epfd);
	}
	free(h->workers);
	close(h->listen_fd);
	if (h->unix_path != NULL) {
		unlink(h->unix_path);
		free(h->unix_path);
	}
	if (h->stop_fd != -1)
		close(h->stop_fd);
	MHD_destroy_response(h->not_found);
	MHD_destroy_response(h->not_allowed);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

void
http_stats(struct http *h, struct http_stats *stats)
{
	pthread_mutex_lock(&h->lock);
	*stats = h->stats;
	stats->open = h->open;
	stats->capacity = h->capacity;
	pthread_mutex_unlock(&h->lock);
}
