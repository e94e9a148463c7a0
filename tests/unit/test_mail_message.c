/*
 * test_mail_message: composition of reminder mails: encoded-words, folding,
 * quoted-printable, the calendar attachment, and that nothing a caller
 * passes in can add a header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "mail_message.h"

static struct mail_message
sample(void)
{
	struct mail_message m;

	memset(&m, 0, sizeof m);
	m.from_name = "Integrationskonzept";
	m.from_addr = "ikond@example.org";
	m.to_name = "Jürgen Müller";
	m.to_addr = "j.mueller@stadt.example";
	m.subject = "Erinnerung: Vorlagenfrist für den Integrationsausschuss";
	m.body = "Guten Tag,\n\ndie Frist endet am 12.03.2026.\n";
	m.message_id = "reminder-42.ikond@host.example";
	m.date = 1767225600;	/* 2026-01-01 00:00:00 UTC */
	return m;
}

static char *
compose_ok(const struct mail_message *m)
{
	struct buf b;
	char *cause = NULL;

	buf_init(&b);
	assert_int_equal(mail_compose(m, &b, &cause), 0);
	assert_null(cause);
	return buf_steal(&b, NULL);
}

/* The header block (up to the first empty line), without the body. */
static char *
headers_of(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n");

	assert_non_null(end);
	return strndup(msg, (size_t)(end - msg) + 2);
}

/* Number of header fields: lines that do not start with white space. */
static int
count_fields(const char *headers)
{
	const char *p = headers;
	int n = 0;

	while (*p != '\0') {
		if (*p != ' ' && *p != '\t')
			n++;
		p = strstr(p, "\r\n");
		assert_non_null(p);
		p += 2;
	}
	return n;
}

/* Every line ends in CRLF, is at most max long, and the text is 7-bit. */
static void
assert_lines(const char *s, size_t max)
{
	const char *p = s, *eol;

	for (; *p != '\0'; p = eol + 2) {
		eol = strstr(p, "\r\n");
		assert_non_null(eol);
		assert_true((size_t)(eol - p) <= max);
	}
	for (p = s; *p != '\0'; p++) {
		assert_true((unsigned char)*p < 0x80);
		if (*p == '\r')
			assert_true(p[1] == '\n');
		if (*p == '\n')
			assert_true(p > s && p[-1] == '\r');
	}
}

static int
hexval(char c)
{
	return c >= 'A' ? c - 'A' + 10 : c - '0';
}

/* Decodes a quoted-printable body (CRLF lines) for comparison. */
static char *
qp_decode(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	while (*s != '\0') {
		if (s[0] == '=' && s[1] == '\r' && s[2] == '\n')
			s += 3;
		else if (s[0] == '=') {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 3;
		} else if (s[0] == '\r' && s[1] == '\n') {
			*o++ = '\n';
			s += 2;
		} else
			*o++ = *s++;
	}
	*o = '\0';
	return out;
}

static int
b64val(char c)
{
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/";

	return (int)(strchr(a, c) - a);
}

/*
 * Decodes a header's encoded-words (B encoding only, as composed) and
 * unfolds it; plain text stays as it is.
 */
static char *
header_decode(const char *value)
{
	char *out = calloc(1, strlen(value) + 1), *o = out;
	const char *p = value, *end;
	uint32_t v;
	int bits;

	while (*p != '\0') {
		if (strncmp(p, "=?UTF-8?B?", 10) == 0) {
			p += 10;
			end = strstr(p, "?=");
			assert_non_null(end);
			v = 0, bits = 0;
			for (; p < end; p++) {
				if (*p == '=')
					continue;
				v = v << 6 | (uint32_t)b64val(*p);
				bits += 6;
				if (bits >= 8) {
					bits -= 8;
					*o++ = (char)(v >> bits & 0xff);
				}
			}
			p = end + 2;
			/* White space between encoded-words is dropped. */
			while (*p == '\r' || *p == '\n' || *p == ' ') {
				if (strncmp(p + strspn(p, "\r\n "), "=?UTF-8?B?",
				    10) != 0)
					break;
				p++;
			}
		} else if (p[0] == '\r' && p[1] == '\n')
			p += 2;
		else
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/* The unfolded, decoded value of header field name. */
static char *
header_value(const char *msg, const char *name)
{
	char *hdr = headers_of(msg), *p, *start, *end, *raw, *dec;
	size_t nlen = strlen(name);

	for (p = hdr; *p != '\0'; p = strstr(p, "\r\n") + 2) {
		if (strncmp(p, name, nlen) == 0 && p[nlen] == ':')
			break;
	}
	assert_true(*p != '\0');
	start = p + nlen + 1;
	while (*start == ' ')
		start++;
	end = start;
	for (;;) {
		end = strstr(end, "\r\n");
		if (end[2] != ' ' && end[2] != '\t')
			break;
		end += 2;
	}
	raw = strndup(start, (size_t)(end - start));
	dec = header_decode(raw);
	free(raw);
	free(hdr);
	return dec;
}

static char *
body_of(const char *msg)
{
	return strdup(strstr(msg, "\r\n\r\n") + 4);
}

static void
test_basic_headers(void **state)
{
	struct mail_message m = sample();
	char *msg, *v;

	(void)state;
	m.zone = "Europe/Berlin";
	msg = compose_ok(&m);
	assert_lines(msg, 78);
	assert_non_null(strstr(msg, "Date: Thu, 01 Jan 2026 01:00:00 +0100\r\n"));
	assert_non_null(strstr(msg, "From: \"Integrationskonzept\" "
	    "<ikond@example.org>\r\n"));
	assert_non_null(strstr(msg,
	    "Message-ID: <reminder-42.ikond@host.example>\r\n"));
	assert_non_null(strstr(msg, "MIME-Version: 1.0\r\n"));
	assert_non_null(strstr(msg, "Auto-Submitted: auto-generated\r\n"));
	assert_non_null(strstr(msg,
	    "Content-Type: text/plain; charset=utf-8\r\n"));
	assert_non_null(strstr(msg,
	    "Content-Transfer-Encoding: quoted-printable\r\n"));
	v = header_value(msg, "Subject");
	assert_string_equal(v, m.subject);
	free(v);
	v = header_value(msg, "To");
	assert_string_equal(v, "Jürgen Müller <j.mueller@stadt.example>");
	free(v);
	free(msg);

	m.zone = NULL;
	msg = compose_ok(&m);
	assert_non_null(strstr(msg, "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"));
	free(msg);
	/* The process's TZ plays no part. */
	setenv("TZ", "America/New_York", 1);
	tzset();
	m.zone = "Europe/Berlin";
	m.date = 1782864000 + 7 * 3600 + 5 * 60 + 9;	/* 2026-07-01 07:05:09 UTC */
	msg = compose_ok(&m);
	assert_non_null(strstr(msg, "Date: Wed, 01 Jul 2026 09:05:09 +0200\r\n"));
	free(msg);
	unsetenv("TZ");
	tzset();
}

static void
test_deterministic(void **state)
{
	struct mail_message m = sample();
	char *a, *b;

	(void)state;
	m.ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
	a = compose_ok(&m);
	b = compose_ok(&m);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void
test_long_subject(void **state)
{
	struct mail_message m = sample();
	char subject[MAIL_SUBJECT_MAX + 1], *msg, *v, *hdr, *p;
	size_t i;

	(void)state;
	/* 2-byte and 3-byte characters at every alignment. */
	subject[0] = '\0';
	for (i = 0; strlen(subject) + 12 < 600; i++)
		strcat(subject, i % 3 == 0 ? "Äußerung " : i % 3 == 1 ?
		    "– Frist € " : "x");
	strcat(subject, "Ende");
	m.subject = subject;
	msg = compose_ok(&m);
	assert_lines(msg, 78);
	hdr = headers_of(msg);
	/* Every encoded-word is at most 75 characters. */
	for (p = hdr; (p = strstr(p, "=?UTF-8?B?")) != NULL; p++)
		assert_true(strstr(p, "?=") + 2 - p <= 75);
	v = header_value(msg, "Subject");
	assert_string_equal(v, subject);
	free(v);
	free(hdr);
	free(msg);

	/* A long plain-ASCII subject is folded at spaces. */
	m.subject = "Reminder for the meeting of the integration committee "
	    "and the council on the draft concept, step nine, feedback";
	msg = compose_ok(&m);
	assert_lines(msg, 78);
	v = header_value(msg, "Subject");
	assert_string_equal(v, m.subject);
	free(v);
	free(msg);
}

static void
test_header_injection(void **state)
{
	struct mail_message m = sample();
	char *msg, *hdr, *v;
	int fields;

	(void)state;
	msg = compose_ok(&m);
	hdr = headers_of(msg);
	fields = count_fields(hdr);
	free(hdr);
	free(msg);

	m.subject = "Evil\r\nBcc: x@y";
	m.to_name = "Evil\r\nBcc: x@y";
	m.from_name = "Bad\nX-Injected: 1\r\n\r\nbody";
	msg = compose_ok(&m);
	assert_lines(msg, 78);
	hdr = headers_of(msg);
	assert_int_equal(count_fields(hdr), fields);
	assert_null(strstr(hdr, "\r\nBcc:"));
	assert_null(strstr(hdr, "\r\nX-Injected:"));
	v = header_value(msg, "Subject");
	assert_string_equal(v, "Evil  Bcc: x@y");
	free(v);
	free(hdr);
	free(msg);

	/* Control characters, DEL, C1 controls and bad UTF-8 are replaced. */
	m.subject = "A\tB\x7f" "C\xc2\x85" "D\xff" "E";
	msg = compose_ok(&m);
	v = header_value(msg, "Subject");
	assert_string_equal(v, "A B C D\xef\xbf\xbd" "E");
	free(v);
	free(msg);

	/* Text that looks like an encoded-word is encoded itself. */
	m.subject = "=?UTF-8?B?QmNjOiB4QHk=?=";
	msg = compose_ok(&m);
	v = header_value(msg, "Subject");
	assert_string_equal(v, "=?UTF-8?B?QmNjOiB4QHk=?=");
	free(v);
	free(msg);
}

static void
test_bad_addresses_refused(void **state)
{
	static const char *bad[] = {
		"Evil\r\nBcc: x@y", "a@b\r\nRCPT TO:<x@y>", "a b@c.de",
		"<a@b.de>", "\"a\"@b.de", "a@b.de>", "a@@b.de", "@b.de", "a@",
		"a.@b.de", ".a@b.de", "a..b@c.de", "a@-b.de", "a@b-.de",
		"a@b..de", "a@b.de.", "ä@b.de", "a@bä.de", "a@[127.0.0.1]",
		"a\\b@c.de", "", "a@b.de\n", "a\x01@b.de", "a(b)@c.de",
	};
	struct mail_message m = sample();
	struct buf b;
	char *cause = NULL;
	size_t i;

	(void)state;
	buf_init(&b);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(mail_address_valid(bad[i]));
		m.to_addr = bad[i];
		assert_int_equal(mail_compose(&m, &b, &cause), -1);
		assert_non_null(cause);
		assert_int_equal(b.len, 0);
		free(cause);
		cause = NULL;
	}
	m = sample();
	m.from_addr = "x@y\r\nBcc: z@w";
	assert_int_equal(mail_compose(&m, &b, &cause), -1);
	assert_string_equal(cause, "invalid sender address");
	free(cause);
	cause = NULL;
	m = sample();
	m.message_id = "id@host>\r\nBcc: x@y";
	assert_int_equal(mail_compose(&m, &b, &cause), -1);
	free(cause);
	cause = NULL;
	m = sample();
	m.ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
	m.ics_name = "a\"b.ics";
	assert_int_equal(mail_compose(&m, &b, &cause), -1);
	free(cause);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void
test_address_valid(void **state)
{
	char local[80], longaddr[300];

	(void)state;
	assert_true(mail_address_valid("a@b"));
	assert_true(mail_address_valid("ikond@example.org"));
	assert_true(mail_address_valid("j.mueller+frist@stadt-x.example.de"));
	assert_true(mail_address_valid("o'brien@example.org"));
	assert_true(mail_address_valid("x@localhost"));
	assert_false(mail_address_valid(NULL));
	memset(local, 'a', 65);
	local[65] = '\0';
	snprintf(longaddr, sizeof longaddr, "%s@b.de", local);
	assert_false(mail_address_valid(longaddr));
	local[64] = '\0';
	snprintf(longaddr, sizeof longaddr, "%s@b.de", local);
	assert_true(mail_address_valid(longaddr));
	snprintf(longaddr, sizeof longaddr, "a@%0*d.de", 64, 0);
	assert_false(mail_address_valid(longaddr));	/* 64-char label */
}

static void
check_qp(const char *body)
{
	struct mail_message m = sample();
	char *msg, *enc, *dec, *want, *w;
	const char *p;

	m.body = body;
	msg = compose_ok(&m);
	assert_lines(msg, 78);
	enc = body_of(msg);
	assert_lines(enc, 76);
	/* No line ends in white space. */
	for (p = enc; (p = strstr(p, "\r\n")) != NULL; p += 2)
		assert_true(p == enc || (p[-1] != ' ' && p[-1] != '\t'));
	dec = qp_decode(enc);
	/* The decoded text is the input with LF line ends and a final one. */
	want = malloc(strlen(body) + 2);
	for (p = body, w = want; *p != '\0'; p++) {
		if (p[0] == '\r' && p[1] == '\n')
			continue;
		*w++ = *p == '\r' ? '\n' : *p;
	}
	if (w > want && w[-1] != '\n')
		*w++ = '\n';
	*w = '\0';
	assert_string_equal(dec, want);
	free(want);
	free(dec);
	free(enc);
	free(msg);
}

static void
test_quoted_printable(void **state)
{
	char longline[400];
	size_t i;

	(void)state;
	check_qp("Grüße aus dem Bildungsbüro\n");
	check_qp("trailing spaces   \nand a tab\t\nend ");
	check_qp("a=b, =41, == and =\r\nCRLF line\r\n");
	check_qp(".\n.. leading dots\nFrom the office\nFrom: not a header\n");
	check_qp("");
	for (i = 0; i < sizeof longline - 1; i++)
		longline[i] = "abc= d"[i % 6];
	longline[sizeof longline - 1] = '\0';
	check_qp(longline);
	for (i = 0; i + 2 < sizeof longline; i += 2)
		memcpy(longline + i, "\xc3\xa4", 2);
	longline[i] = '\0';
	check_qp(longline);
	memset(longline, ' ', 200);
	longline[200] = '\0';
	check_qp(longline);
	memset(longline, 'x', 75);
	strcpy(longline + 75, " \n");
	check_qp(longline);
	memset(longline, 'x', 74);
	strcpy(longline + 74, "=\n");
	check_qp(longline);

	/* Exactly the expected encoding for a short German line. */
	{
		struct mail_message m = sample();
		char *msg, *enc;

		m.body = "Frist: 12.03. =Ende \n";
		msg = compose_ok(&m);
		enc = body_of(msg);
		assert_string_equal(enc, "Frist: 12.03. =3DEnde=20\r\n");
		free(enc);
		free(msg);
	}
}

static void
test_attachment(void **state)
{
	struct mail_message m = sample();
	const char *ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\n"
	    "PRODID:-//ikond//DE\r\nBEGIN:VEVENT\r\nUID:x@y\r\n"
	    "SUMMARY:Sitzung des Integrationsausschusses – Ratssaal\r\n"
	    "DTSTART:20260312T170000Z\r\nDTSTAMP:20260101T000000Z\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n";
	char *msg;

	(void)state;
	m.ics = ics;
	msg = compose_ok(&m);
	assert_lines(msg, 78);
	assert_non_null(strstr(msg, "Content-Type: multipart/mixed; boundary="));
	assert_non_null(strstr(msg, "Content-Type: text/calendar; charset=utf-8; "
	    "method=PUBLISH;\r\n name=\"termin.ics\"\r\n"));
	assert_non_null(strstr(msg,
	    "Content-Disposition: attachment; filename=\"termin.ics\"\r\n"));
	assert_non_null(strstr(msg, "Content-Transfer-Encoding: base64\r\n"));
	/* "BEGIN:VCALENDAR\r\nVERSION" in base64. */
	assert_non_null(strstr(msg, "QkVHSU46VkNBTEVOREFSDQpWRVJTSU9O"));
	assert_non_null(strstr(msg, "--\r\n"));
	free(msg);

	m.ics_name = "sitzung-2026-03-12.ics";
	msg = compose_ok(&m);
	assert_non_null(strstr(msg, "filename=\"sitzung-2026-03-12.ics\""));
	free(msg);
}

static void
test_bounds(void **state)
{
	struct mail_message m = sample();
	struct buf b;
	char *cause = NULL, *big;

	(void)state;
	buf_init(&b);
	big = malloc(MAIL_SUBJECT_MAX + 2);
	memset(big, 'a', MAIL_SUBJECT_MAX + 1);
	big[MAIL_SUBJECT_MAX + 1] = '\0';
	m.subject = big;
	assert_int_equal(mail_compose(&m, &b, &cause), -1);
	assert_non_null(strstr(cause, "subject"));
	free(cause);
	free(big);
	buf_free(&b);

	/* No display name: a bare address. */
	m = sample();
	m.to_name = NULL;
	m.from_name = "";
	big = compose_ok(&m);
	assert_non_null(strstr(big, "\r\nTo: j.mueller@stadt.example\r\n"));
	assert_non_null(strstr(big, "\r\nFrom: ikond@example.org\r\n"));
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_headers),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_long_subject),
		cmocka_unit_test(test_header_injection),
		cmocka_unit_test(test_bad_addresses_refused),
		cmocka_unit_test(test_address_valid),
		cmocka_unit_test(test_quoted_printable),
		cmocka_unit_test(test_attachment),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
