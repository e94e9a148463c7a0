/*
 * smtp_driver: composes messages with mail_compose() and sends them with
 * one smtp_send_batch() call, so the tests can drive the real modules
 * against a real SMTP server.
 *
 *   smtp_driver [-u user] [-t seconds] [-1] host port off|opportunistic|required
 *
 * Reads one JSON object per line on stdin with the fields of struct
 * mail_message (from_name, from_addr, to_name, to_addr, subject, body,
 * message_id, date, ics, ics_name).  The AUTH password comes from the
 * environment variable IKOND_SMTP_PASSWORD.  Prints one JSON line per input
 * line: {"index", "outcome", "code", "reply"} or {"index", "compose_error"},
 * then {"batch": 0|-1, "cause": ...}.  With -1 it sends the first message
 * with smtp_test_send() instead and prints {"test": rc, "result": ...}.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "mail_message.h"
#include "smtp.h"
#include "xmalloc.h"

#define MAX_ITEMS 1000

static const char *
field(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void
print_json(json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);

	puts(s);
	free(s);
	json_decref(obj);
}

static void
usage(void)
{
	fprintf(stderr, "usage: smtp_driver [-u user] [-t seconds] [-1] "
	    "host port off|opportunistic|required\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct smtp_config cfg;
	struct smtp_item *items;
	struct buf *bufs;
	size_t n = 0, i;
	char line[1 << 16], *cause = NULL, result[512];
	int c, rc, test_mode = 0, *index;
	json_t *obj;
	json_error_t err;

	signal(SIGPIPE, SIG_IGN);
	memset(&cfg, 0, sizeof cfg);
	cfg.timeout_seconds = 10;
	while ((c = getopt(argc, argv, "u:t:1")) != -1) {
		switch (c) {
		case 'u':
			cfg.user = optarg;
			break;
		case 't':
			cfg.timeout_seconds = atoi(optarg);
			break;
		case '1':
			test_mode = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 3)
		usage();
	cfg.host = argv[optind];
	cfg.port = atoi(argv[optind + 1]);
	if (smtp_tls_parse(argv[optind + 2], &cfg.tls, &cause) != 0) {
		fprintf(stderr, "smtp_driver: %s\n", cause);
		return 2;
	}
	cfg.password = getenv("IKOND_SMTP_PASSWORD");

	items = xcalloc(MAX_ITEMS, sizeof *items);
	bufs = xcalloc(MAX_ITEMS, sizeof *bufs);
	index = xcalloc(MAX_ITEMS, sizeof *index);
	for (i = 0; fgets(line, sizeof line, stdin) != NULL && n < MAX_ITEMS;
	    i++) {
		struct mail_message m;
		json_t *date;

		if ((obj = json_loads(line, 0, &err)) == NULL) {
			fprintf(stderr, "smtp_driver: line %zu: %s\n", i + 1,
			    err.text);
			return 2;
		}
		memset(&m, 0, sizeof m);
		m.from_name = field(obj, "from_name");
		m.from_addr = field(obj, "from_addr");
		m.to_name = field(obj, "to_name");
		m.to_addr = field(obj, "to_addr");
		m.subject = field(obj, "subject");
		m.body = field(obj, "body");
		m.message_id = field(obj, "message_id");
		m.ics = field(obj, "ics");
		m.ics_name = field(obj, "ics_name");
		date = json_object_get(obj, "date");
		m.date = json_is_integer(date) ? (time_t)json_integer_value(date)
		    : 1767225600;
		buf_init(&bufs[n]);
		if (mail_compose(&m, &bufs[n], &cause) != 0) {
			print_json(json_pack("{s:I,s:s}", "index", (json_int_t)i,
			    "compose_error", cause));
			free(cause);
			cause = NULL;
			json_decref(obj);
			continue;
		}
		items[n].from_addr = xstrdup(m.from_addr);
		items[n].to_addr = xstrdup(m.to_addr);
		items[n].data = bufs[n].data;
		items[n].len = bufs[n].len;
		index[n] = (int)i;
		n++;
		json_decref(obj);
	}

	if (test_mode) {
		if (n == 0)
			usage();
		rc = smtp_test_send(&cfg, items[0].from_addr, items[0].to_addr,
		    items[0].data, items[0].len, result, sizeof result);
		print_json(json_pack("{s:i,s:s}", "test", rc, "result", result));
	} else {
		rc = smtp_send_batch(&cfg, items, n, &cause);
		for (i = 0; i < n; i++)
			print_json(json_pack("{s:i,s:s,s:i,s:s}", "index",
			    index[i], "outcome",
			    smtp_outcome_name(items[i].outcome), "code",
			    items[i].status_code, "reply",
			    items[i].server_reply));
		print_json(json_pack("{s:i,s:s?}", "batch", rc, "cause",
		    cause));
		free(cause);
	}
	for (i = 0; i < n; i++) {
		free((char *)items[i].from_addr);
		free((char *)items[i].to_addr);
		buf_free(&bufs[i]);
	}
	free(items);
	free(bufs);
	free(index);
	return 0;
}
