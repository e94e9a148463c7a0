/*
 * oparl_fetch: the HTTP side of an OParl run (see oparl_fetch.h).  One
 * curl handle per run keeps the connection open across pages.  Real
 * servers answer oddly at times, so a 5xx or a broken transfer is tried
 * once more after a second (ALLRIS and SessionNet servers throw spurious
 * 500s), and a 404 for a list asked with modified_since counts as an
 * empty list (SD.NET answers so when nothing changed).  modified_since is
 * sent in UTC with "Z" and nothing to escape, since SessionNet refuses
 * escaped query strings.  Everything else that is not 200 and JSON ends
 * the run.
 */
#include "oparl_fetch.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "xmalloc.h"

static const char *const list_names[OPARL_LIST_COUNT] = {
	"organisations", "meetings", "persons", "papers",
};

struct answer {
	struct buf	 body;
	bool		 too_big;
};

struct oparl_params *
oparl_params_new(const char *url, const char *tz, int timeout)
{
	struct oparl_params *p = xcalloc(1, sizeof(*p));

	p->url = xstrdup(url);
	p->tz = xstrdup(tz);
	p->timeout = timeout;
	p->papers.since = -1;
	atomic_init(&p->cancel, false);
	return p;
}

void
oparl_params_free(struct oparl_params *p)
{
	size_t i;

	if (p == NULL)
		return;
	free(p->url);
	free(p->tz);
	for (i = 0; i < OPARL_LIST_COUNT; i++)
		free(p->since[i]);
	for (i = 0; i < p->papers.nrefs; i++)
		free(p->papers.refs[i]);
	free(p->papers.refs);
	free(p->papers.type);
	free(p);
}

void
oparl_result_clear(struct oparl_result *r)
{
	free(r->body_id);
	free(r->body_name);
	oparl_data_free(r->data);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

void
oparl_fetch_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t
on_data(char *data, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;

	if (a->body.len + size * n > OPARL_FETCH_MAX_BYTES) {
		a->too_big = true;
		return 0;
	}
	buf_add(&a->body, data, size * n);
	return size * n;
}

static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct oparl_params *p = arg;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return atomic_load(&p->cancel) ? 1 : 0;
}

static CURL *
handle_new(struct oparl_params *p, struct answer *a)
{
	CURL *h = curl_easy_init();

	if (h == NULL)
		return NULL;
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)p->timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(p->timeout < 10 ? p->timeout : 10));
	curl_easy_setopt(h, CURLOPT_USERAGENT, "ikond/" IKOND_VERSION);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, p);
	return h;
}

static bool
cancelled_sleep(struct oparl_params *p, int seconds)
{
	int i;

	for (i = 0; i < seconds * 10 && !atomic_load(&p->cancel); i++)
		usleep(100000);
	return atomic_load(&p->cancel);
}

/*
 * GETs url into a->body.  1 on 200, 0 on a 404 that may_be_empty allows,
 * -1 with r->error naming the URL.
 */
static int
get(CURL *h, struct oparl_params *p, struct oparl_result *r, struct answer *a,
    const char *url, bool may_be_empty)
{
	long status = 0;
	CURLcode rc;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		if (atomic_load(&p->cancel)) {
			xasprintf(&r->error, "%s: the run was stopped", url);
			return -1;
		}
		buf_reset(&a->body);
		a->too_big = false;
		curl_easy_setopt(h, CURLOPT_URL, url);
		rc = curl_easy_perform(h);
		r->requests++;
		r->bytes += a->body.len;
		if (atomic_load(&p->cancel)) {
			xasprintf(&r->error, "%s: the run was stopped", url);
			return -1;
		}
		if (rc == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (rc == CURLE_OK && status == 200) {
			buf_add(&a->body, "", 0);
			return 1;
		}
		if (rc == CURLE_OK && status == 404 && may_be_empty)
			return 0;
		/* A server error or a broken transfer gets one more try. */
		if (attempt == 0 && ((rc == CURLE_OK && status >= 500) || rc == CURLE_RECV_ERROR ||
		    rc == CURLE_PARTIAL_FILE || rc == CURLE_GOT_NOTHING) &&
		    !cancelled_sleep(p, 1))
			continue;
		break;
	}
	if (a->too_big)
		xasprintf(&r->error, "%s: the answer is larger than %d MiB", url,
		    OPARL_FETCH_MAX_BYTES / (1024 * 1024));
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		xasprintf(&r->error, "%s: no complete answer within %d seconds", url, p->timeout);
	else if (rc != CURLE_OK)
		xasprintf(&r->error, "%s: %s", url, curl_easy_strerror(rc));
	else
		xasprintf(&r->error, "%s: HTTP status %ld", url, status);
	return -1;
}

/* The list's first URL, with modified_since (raw: nothing in it needs escaping). */
static char *
first_url(const char *list, const char *since)
{
	char *url;

	if (since == NULL)
		return xstrdup(list);
	xasprintf(&url, "%s%cmodified_since=%s", list, strchr(list, '?') ? '&' : '?', since);
	return url;
}

static int
fetch_list(CURL *h, struct oparl_params *p, struct oparl_result *r, struct answer *a,
    enum oparl_list list, const char *list_url)
{
	char *url = first_url(list_url, p->since[list]), *next = NULL, *cause = NULL;
	int pages = 0, rc = 0;

	while (url != NULL) {
		if (++pages > OPARL_FETCH_MAX_PAGES) {
			xasprintf(&r->error, "%s: the list of %s has more than %d pages", list_url,
			    list_names[list], OPARL_FETCH_MAX_PAGES);
			rc = -1;
			break;
		}
		switch (get(h, p, r, a, url, pages == 1 && p->since[list] != NULL)) {
		case -1:
			rc = -1;
			goto out;
		case 0:
			goto out;	/* nothing modified */
		}
		if (oparl_read_page(r->data, list, a->body.data, a->body.len, p->tz, &next,
		    &cause) == -1) {
			xasprintf(&r->error, "%s: %s", url, cause);
			free(cause);
			rc = -1;
			break;
		}
		if (next != NULL && strcmp(next, url) == 0) {
			xasprintf(&r->error, "%s: links.next names the page itself", url);
			free(next);
			rc = -1;
			break;
		}
		free(url);
		url = next;
		next = NULL;
		/* Papers asked for by reference: no need to read the rest. */
		if (list == OPARL_PAPERS && oparl_papers_complete(r->data))
			break;
	}
out:
	free(url);
	return rc;
}

/* The system's body to read: the Nth, or its only one. */
static char *
pick_body(CURL *h, struct oparl_params *p, struct oparl_result *r, struct answer *a,
    const char *list)
{
	char **ids = NULL, **names = NULL, *url = xstrdup(list), *next = NULL, *cause = NULL;
	char *chosen = NULL;
	size_t i, n = 0;
	struct buf b;
	int pages = 0;

	while (url != NULL && ++pages <= 100) {
		if (get(h, p, r, a, url, false) != 1)
			goto out;
		if (oparl_read_bodies(a->body.data, a->body.len, &ids, &names, &n, &next,
		    &cause) == -1) {
			xasprintf(&r->error, "%s: %s", url, cause);
			free(cause);
			goto out;
		}
		free(url);
		url = next;
	}
	if (p->body_index >= 1 && (size_t)p->body_index <= n)
		chosen = xstrdup(ids[p->body_index - 1]);
	else if (p->body_index == 0 && n == 1)
		chosen = xstrdup(ids[0]);
	else {
		buf_init(&b);
		if (p->body_index == 0)
			buf_printf(&b, "%s: the system has %zu bodies; choose one with --body N "
			    "(or oparl.body = its URL):", p->url, n);
		else
			buf_printf(&b, "%s: the system has no body %d; it has:", p->url,
			    p->body_index);
		for (i = 0; i < n; i++)
			buf_printf(&b, " %zu = %s%s%s%s", i + 1, names[i] ? names[i] : "",
			    names[i] ? " (" : "", ids[i], names[i] ? ")" : "");
		r->error = buf_steal(&b, NULL);
	}
out:
	for (i = 0; i < n; i++) {
		free(ids[i]);
		free(names[i]);
	}
	free(ids);
	free(names);
	free(url);
	return chosen;
}

void
oparl_fetch(struct oparl_params *p, struct oparl_result *r)
{
	struct oparl_object obj;
	struct answer a;
	char *cause = NULL, *body_url = NULL;
	CURL *h;
	size_t i;

	memset(r, 0, sizeof(*r));
	memset(&a, 0, sizeof(a));
	buf_init(&a.body);
	r->started = time(NULL);
	if ((h = handle_new(p, &a)) == NULL) {
		xasprintf(&r->error, "%s: cannot set up libcurl", p->url);
		buf_free(&a.body);
		return;
	}
	r->data = oparl_data_new();
	r->data->paper_filter = &p->papers;
	body_url = xstrdup(p->url);
	for (;;) {
		if (get(h, p, r, &a, body_url, false) != 1)
			goto fail;
		if (oparl_read_object(a.body.data, a.body.len, &obj, &cause) == -1) {
			xasprintf(&r->error, "%s: %s", body_url, cause);
			free(cause);
			goto fail;
		}
		if (obj.kind == OPARL_BODY)
			break;
		if (obj.kind != OPARL_SYSTEM || obj.bodies == NULL ||
		    strcmp(body_url, p->url) != 0) {
			xasprintf(&r->error, "%s: neither an OParl body nor a system with bodies",
			    body_url);
			oparl_object_clear(&obj);
			goto fail;
		}
		free(body_url);
		body_url = pick_body(h, p, r, &a, obj.bodies);
		oparl_object_clear(&obj);
		if (body_url == NULL)
			goto fail;
	}
	r->body_id = xstrdup(obj.id != NULL ? obj.id : body_url);
	r->body_name = obj.name != NULL ? xstrdup(obj.name) : NULL;
	for (i = 0; i < OPARL_LIST_COUNT; i++) {
		if (!p->lists[i])
			continue;
		if (obj.lists[i] == NULL) {
			xasprintf(&r->error, "%s: the body names no list of %s", body_url,
			    list_names[i]);
			break;
		}
		if (fetch_list(h, p, r, &a, (enum oparl_list)i, obj.lists[i]) == -1)
			break;
	}
	oparl_object_clear(&obj);
	if (r->error == NULL)
		goto done;
fail:
	oparl_data_free(r->data);
	r->data = NULL;
done:
	free(body_url);
	buf_free(&a.body);
	curl_easy_cleanup(h);
}
