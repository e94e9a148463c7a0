/*
 * http: the feed server (see http.h).  libmicrohttpd runs a small pool of
 * epoll threads; each request is answered from responses prepared when
 * the snapshot was published, so serving a feed is a table lookup and a
 * reference count, never a database query or a build.  Everything a client
 * sends is bounded by libmicrohttpd's per-connection memory limit (request
 * line and headers), the connection limit and the idle timeout.
 *
 * A request for a token that does not exist, was revoked, or is not even
 * well-formed gets the same 404 after the same work: the path is hashed
 * and every published hash is compared.
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "log.h"
#include "xmalloc.h"

#define HTTP_MEMORY_LIMIT	(64 * 1024)	/* headers of a connection, and its send buffer */
#define HTTP_MAX_THREADS	4
#define CONTENT_TYPE		"text/calendar; charset=utf-8"
#define NOT_FOUND_BODY		"Not Found\n"
#define NOT_ALLOWED_BODY	"Method Not Allowed\n"

struct http {
	struct MHD_Daemon	*mhd;
	struct MHD_Response	*not_found;
	struct MHD_Response	*not_allowed;
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
add_validators(struct MHD_Response *r, const struct feed_snapshot *s, const char *etag)
{
	char date[30];

	MHD_add_response_header(r, "ETag", etag);
	if (s->last_modified > 0) {
		http_date(s->last_modified, date);
		MHD_add_response_header(r, "Last-Modified", date);
	}
	MHD_add_response_header(r, "Cache-Control", "private, no-cache");
	MHD_add_response_header(r, "Vary", "Accept-Encoding");
}

static struct MHD_Response *
body_response(const struct feed_snapshot *s, void *data, size_t len, const char *etag,
    bool gzip)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer_with_free_callback_cls(len, data, free_buffer, data);
	if (r == NULL)
		fatalx("cannot create an HTTP response");
	MHD_add_response_header(r, "Content-Type", CONTENT_TYPE);
	MHD_add_response_header(r, "Content-Disposition",
	    "inline; filename=\"integrationskonzept.ics\"");
	if (gzip)
		MHD_add_response_header(r, "Content-Encoding", "gzip");
	add_validators(r, s, etag);
	return r;
}

static struct MHD_Response *
not_modified_response(const struct feed_snapshot *s, const char *etag)
{
	struct MHD_Response *r;

	if ((r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT)) == NULL)
		fatalx("cannot create an HTTP response");
	add_validators(r, s, etag);
	return r;
}

void
http_snapshot_prepare(struct feed_snapshot *s, char *body, unsigned char *gz)
{
	s->plain = body_response(s, body, s->len, s->etag, false);
	s->not_modified = not_modified_response(s, s->etag);
	if (gz != NULL) {
		s->gzip = body_response(s, gz, s->gzip_len, s->etag_gzip, true);
		s->not_modified_gzip = not_modified_response(s, s->etag_gzip);
	}
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
	s->plain = s->gzip = s->not_modified = s->not_modified_gzip = NULL;
}

struct answer {
	struct http		*h;
	struct MHD_Connection	*conn;
	const char		*if_none_match;
	const char		*if_modified_since;
	bool			 gzip;
	enum MHD_Result		 rc;
};

static bool
is_fresh(const struct answer *a, const struct feed_snapshot *s, const char *etag)
{
	time_t since;

	/* RFC 7232 section 6: If-None-Match wins over If-Modified-Since. */
	if (a->if_none_match != NULL)
		return http_etag_matches(a->if_none_match, etag);
	if (a->if_modified_since != NULL && s->last_modified > 0 &&
	    http_date_parse(a->if_modified_since, &since))
		return s->last_modified <= since;
	return false;
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
	gz = a->gzip && s->gzip != NULL;
	if (is_fresh(a, s, gz ? s->etag_gzip : s->etag))
		a->rc = MHD_queue_response(a->conn, MHD_HTTP_NOT_MODIFIED,
		    gz ? s->not_modified_gzip : s->not_modified);
	else
		a->rc = MHD_queue_response(a->conn, MHD_HTTP_OK, gz ? s->gzip : s->plain);
}

static enum MHD_Result
answer_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct answer a;
	unsigned char hash[FEED_HASH_LEN];
	const char *ae;

	static int request_seen;

	(void)version;
	(void)upload_data;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return MHD_queue_response(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    ((struct http *)cls)->not_allowed);
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
	memset(&a, 0, sizeof(a));
	a.h = cls;
	a.conn = conn;
	ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	a.gzip = ae != NULL && http_accepts_gzip(ae);
	a.if_none_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_NONE_MATCH);
	a.if_modified_since = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	/* A malformed path hashes to something no token has: the same 404. */
	feed_path_hash(url, hash);
	a.rc = MHD_NO;
	feeds_with_snapshot(hash, serve_snapshot, &a);
	return a.rc;
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

static int
listen_address(const char *host, int port, struct sockaddr_storage *ss, unsigned *flags,
    char **cause)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*flags |= MHD_USE_IPv6;
		return 0;
	}
	return set_cause(cause, "http.listen \"%s\" is not an IPv4 or IPv6 address", host);
}

struct http *
http_start(const struct config *cfg, char **cause)
{
	struct sockaddr_storage ss;
	struct http *h;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = cpus < 1 ? 1 : cpus > HTTP_MAX_THREADS ? HTTP_MAX_THREADS :
	    (unsigned)cpus;

	if (cfg->http_port == 0)
		return NULL;
	if (listen_address(cfg->http_listen, cfg->http_port, &ss, &flags, cause) == -1)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->not_found = text_response(NOT_FOUND_BODY);
	h->not_allowed = text_response(NOT_ALLOWED_BODY);
	MHD_add_response_header(h->not_allowed, "Allow", "GET, HEAD");
	h->mhd = MHD_start_daemon(flags, (uint16_t)cfg->http_port, NULL, NULL,
	    answer_request, h,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->http_max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->http_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
	    MHD_OPTION_END);
	if (h->mhd == NULL) {
		set_cause(cause, "cannot serve HTTP on %s port %d: %s", cfg->http_listen,
		    cfg->http_port, errno ? strerror(errno) : "libmicrohttpd failed");
		MHD_destroy_response(h->not_found);
		MHD_destroy_response(h->not_allowed);
		free(h);
		return NULL;
	}
	return h;
}

void
http_stop(struct http *h)
{
	if (h == NULL)
		return;
	MHD_stop_daemon(h->mhd);
	MHD_destroy_response(h->not_found);
	MHD_destroy_response(h->not_allowed);
	free(h);
}
