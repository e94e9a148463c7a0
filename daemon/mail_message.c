/*
 * mail_message: composes reminder mails (see mail_message.h).  Everything
 * that reaches the wire is 7-bit: names and subjects become RFC 2047
 * encoded-words, the body quoted-printable, the calendar attachment base64.
 * Header injection is impossible by construction: text from the caller
 * never lands in a header without being either checked (addresses, ids,
 * file names) or sanitised and encoded (names, subject).
 */
#include "mail_message.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "civil.h"
#include "utf8.h"
#include "xmalloc.h"

#define HEADER_LINE_MAX		78	/* RFC 5322 "SHOULD" line length */
#define ENCODED_WORD_MAX	75	/* RFC 2047 limit for one encoded-word */
#define QP_LINE_MAX		76	/* RFC 2045 limit, soft break included */
#define BASE64_LINE		76
#define EW_PREFIX		"=?UTF-8?B?"
#define EW_SUFFIX		"?="

static const char hex_digits[] = "0123456789ABCDEF";

/*
 * Header text (display names, subject) as clean one-line UTF-8: every C0 or
 * C1 control and DEL becomes a space, every invalid byte U+FFFD, and
 * leading and trailing spaces go.  The result holds no CR or LF whatever
 * came in.
 */
static char *
header_text_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, len;
	struct buf b;
	char *out;

	buf_init(&b);
	while (i < n) {
		len = utf8_sequence(p + i, n - i);
		if (len == 0) {
			buf_add_str(&b, "\xef\xbf\xbd");
			i++;
		} else if (len == 1 && (p[i] < 0x20 || p[i] == 0x7f)) {
			buf_add_char(&b, ' ');
			i++;
		} else if (len == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0) {
			buf_add_char(&b, ' ');
			i += 2;
		} else {
			buf_add(&b, p + i, len);
			i += len;
		}
	}
	out = buf_steal(&b, &len);
	while (len > 0 && out[len - 1] == ' ')
		out[--len] = '\0';
	i = strspn(out, " ");
	memmove(out, out + i, len - i + 1);
	return out;
}

/*
 * True if text can stand in a header as it is (as a quoted-string for
 * names): printable ASCII, nothing a decoder could mistake for an
 * encoded-word, and no word too long to fold.
 */
static bool
header_text_plain(const char *s, bool quoted)
{
	const char *p;
	size_t word = 0;

	if (strstr(s, "=?") != NULL)
		return false;
	for (p = s; *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return false;
		if (quoted && (*p == '"' || *p == '\\'))
			return false;
		word = *p == ' ' ? 0 : word + 1;
		if (word > HEADER_LINE_MAX - 12)
			return false;
	}
	return true;
}

/*
 * Appends text as a run of B-encoded words separated by folding white
 * space.  *col is the current line's length; each line stays within 78
 * characters and each word within 75, and a word always ends on a UTF-8
 * character boundary.  Text must be clean (header_text_clean()).
 */
static void
encoded_words_add(struct buf *b, const char *text, size_t *col)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n = strlen(text), i = 0, start, room, maxbytes, len;
	const size_t overhead = strlen(EW_PREFIX) + strlen(EW_SUFFIX);

	while (i < n) {
		/* Room on this line after the separating space. */
		room = HEADER_LINE_MAX - *col - 1;
		if (room > ENCODED_WORD_MAX)
			room = ENCODED_WORD_MAX;
		maxbytes = room > overhead + 4 ? (room - overhead) / 4 * 3 : 0;
		if (maxbytes < 4) {
			buf_add_str(b, "\r\n");
			*col = 0;
			continue;
		}
		start = i;
		while (i < n) {
			len = utf8_sequence(p + i, n - i);
			if (len == 0)
				len = 1;	/* cannot happen on clean text */
			if (i - start + len > maxbytes)
				break;
			i += len;
		}
		buf_add_char(b, ' ');
		buf_add_str(b, EW_PREFIX);
		base64_add(b, p + start, i - start);
		buf_add_str(b, EW_SUFFIX);
		*col += 1 + overhead + (i - start + 2) / 3 * 4;
		if (i < n) {
			buf_add_str(b, "\r\n");
			*col = 0;
		}
	}
}

/*
 * Appends " text" to a header, folding before a space where a line would
 * grow past 78 characters.  Unfolding gives back the text exactly, runs of
 * spaces included.
 */
static void
plain_words_add(struct buf *b, const char *text, size_t *col)
{
	const char *p = text, *sp;
	size_t len;

	do {
		sp = strchr(p, ' ');
		len = sp != NULL ? (size_t)(sp - p) : strlen(p);
		if (p != text && *col + 1 + len > HEADER_LINE_MAX) {
			buf_add_str(b, "\r\n");
			*col = 0;
		}
		buf_add_char(b, ' ');
		buf_add(b, p, len);
		*col += 1 + len;
		p += len + (sp != NULL);
	} while (sp != NULL);
}

static void
header_unstructured(struct buf *b, const char *field, const char *raw)
{
	char *text = header_text_clean(raw);
	size_t col;

	buf_add_str(b, field);
	buf_add_char(b, ':');
	col = strlen(field) + 1;
	/* Plain ASCII stays readable; longer or special text gets encoded. */
	if (header_text_plain(text, false))
		plain_words_add(b, text, &col);
	else
		encoded_words_add(b, text, &col);
	buf_add_str(b, "\r\n");
	free(text);
}

static void
header_mailbox(struct buf *b, const char *field, const char *name,
    const char *addr)
{
	char *text = header_text_clean(name != NULL ? name : "");
	size_t col;

	buf_add_str(b, field);
	buf_add_char(b, ':');
	col = strlen(field) + 1;
	if (*text != '\0') {
		if (header_text_plain(text, true) &&
		    col + strlen(text) + 3 <= HEADER_LINE_MAX) {
			buf_printf(b, " \"%s\"", text);
			col += strlen(text) + 3;
		} else
			encoded_words_add(b, text, &col);
		if (col + strlen(addr) + 3 > HEADER_LINE_MAX) {
			buf_add_str(b, "\r\n");
			col = 0;
		}
		buf_printf(b, " <%s>\r\n", addr);
	} else
		buf_printf(b, " %s\r\n", addr);
	free(text);
}

/* RFC 5322 date in zone (UTC if NULL or unknown), with English names
 * whatever the locale; civil.h converts without the process's TZ. */
static void
header_date(struct buf *b, time_t t, const char *zone)
{
	static const char *days[] = { "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat", "Sun" };
	static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int day, minute, off, y, mo, d;

	if (zone == NULL || civil_from_utc(zone, t, &day, &minute, &off) == -1) {
		day = (int)((t - ((t % 86400) + 86400) % 86400) / 86400);
		minute = (int)(((t % 86400) + 86400) % 86400 / 60);
		off = 0;
	}
	civil_date_from_days(day, &y, &mo, &d);
	off /= 60;
	buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d %c%02d%02d\r\n",
	    days[civil_weekday(day)], d, months[mo - 1], y, minute / 60, minute % 60,
	    (int)(((t % 60) + 60) % 60), off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
	    (off < 0 ? -off : off) % 60);
}

/*
 * Quoted-printable output is gathered in a small buffer and appended a
 * piece at a time: a call into buf per byte cost more than the encoding.
 */
struct qp_line {
	char	 text[QP_LINE_MAX + 8];	/* a line, its soft break or CRLF included */
	size_t	 len;
};

static void
qp_raw(struct buf *b, struct qp_line *l, const char *s, size_t n)
{
	if (l->len + n > sizeof(l->text)) {
		buf_add(b, l->text, l->len);
		l->len = 0;
	}
	memcpy(l->text + l->len, s, n);
	l->len += n;
}

/* Appends the next QP token for byte c; lines never exceed 76 characters. */
static void
qp_token(struct buf *b, struct qp_line *l, unsigned char c, bool encode, size_t *col)
{
	size_t need = encode ? 3 : 1;
	char tok[3];

	if (*col + need > QP_LINE_MAX - 1) {
		qp_raw(b, l, "=\r\n", 3);
		*col = 0;
	}
	if (encode) {
		tok[0] = '=';
		tok[1] = hex_digits[c >> 4];
		tok[2] = hex_digits[c & 15];
		qp_raw(b, l, tok, 3);
	} else {
		tok[0] = (char)c;
		qp_raw(b, l, tok, 1);
	}
	*col += need;
}

/*
 * Quoted-printable (RFC 2045) of text whose lines end in LF, CRLF or CR;
 * output lines end in CRLF.  Besides what the RFC demands, a "." or the
 * "F" of "From " at the start of a line is encoded too, so the body
 * survives SMTP dot handling and mbox-style storage unchanged.
 */
static void
qp_add(struct buf *b, const char *text, size_t n)
{
	const unsigned char *p = (const unsigned char *)text;
	struct qp_line l;
	size_t i, col = 0;
	bool eol, encode;

	l.len = 0;
	for (i = 0; i < n; i++) {
		if (p[i] == '\r' || p[i] == '\n') {
			if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
			qp_raw(b, &l, "\r\n", 2);
			col = 0;
			continue;
		}
		eol = i + 1 == n || p[i + 1] == '\r' || p[i + 1] == '\n';
		if (p[i] == ' ' || p[i] == '\t')
			encode = eol;
		else if (p[i] == '=' || p[i] < 0x20 || p[i] > 0x7e)
			encode = true;
		else
			encode = false;
		/* A token that wraps starts the next line: judge it there. */
		if (!encode && col + 1 > QP_LINE_MAX - 1) {
			qp_raw(b, &l, "=\r\n", 3);
			col = 0;
		}
		if (col == 0 && (p[i] == '.' ||
		    (p[i] == 'F' && n - i >= 5 && memcmp(p + i, "From ", 5) == 0)))
			encode = true;
		qp_token(b, &l, p[i], encode, &col);
	}
	buf_add(b, l.text, l.len);
	if (n > 0 && p[n - 1] != '\n' && p[n - 1] != '\r')
		buf_add_str(b, "\r\n");
}

void
mail_base64_lines(struct buf *b, const char *data, size_t n)
{
	const size_t chunk = BASE64_LINE / 4 * 3;
	size_t i;

	for (i = 0; i < n; i += chunk) {
		base64_add(b, (const unsigned char *)data + i,
		    n - i < chunk ? n - i : chunk);
		buf_add_str(b, "\r\n");
	}
}

/* Body text as valid UTF-8 (invalid bytes become U+FFFD). */
static char *
body_text_clean(const char *s, size_t *lenp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, len;
	struct buf b;

	buf_init(&b);
	while (i < n) {
		len = utf8_sequence(p + i, n - i);
		if (len == 0) {
			buf_add_str(&b, "\xef\xbf\xbd");
			i++;
		} else {
			buf_add(&b, p + i, len);
			i += len;
		}
	}
	return buf_steal(&b, lenp);
}

static bool
message_id_valid(const char *id)
{
	const char *p;

	if (*id == '\0' || strlen(id) > MAIL_MESSAGE_ID_MAX ||
	    strchr(id, '@') == NULL)
		return false;
	for (p = id; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '<' || *p == '>' ||
		    *p == '"' || *p == '\\')
			return false;
	return true;
}

static bool
ics_name_valid(const char *name)
{
	const char *p;

	if (*name == '\0' || *name == '.' || strlen(name) > MAIL_ICS_NAME_MAX)
		return false;
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == '_'))
			return false;
	return true;
}

static bool
atext(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static bool
domain_valid(const char *d)
{
	size_t label = 0;
	const char *p;

	if (*d == '\0')
		return false;
	for (p = d; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || label > 63 || p[-1] == '-')
				return false;
			if (*p == '\0')
				return true;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
		if (label == 0 && *p == '-')
			return false;
		label++;
	}
}

bool
mail_address_valid(const char *addr)
{
	const char *at, *p;

	if (addr == NULL || strlen(addr) > MAIL_ADDRESS_MAX)
		return false;
	if ((at = strchr(addr, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return false;
	if (at == addr || (size_t)(at - addr) > MAIL_LOCALPART_MAX)
		return false;
	if (addr[0] == '.' || at[-1] == '.')
		return false;
	for (p = addr; p < at; p++) {
		if (*p == '.') {
			if (p[1] == '.')
				return false;
		} else if (!atext(*p))
			return false;
	}
	return domain_valid(at + 1);
}

static int
mail_check(const struct mail_message *m, char **cause)
{
	if (m->from_addr == NULL || !mail_address_valid(m->from_addr))
		return set_cause(cause, "invalid sender address");
	if (m->to_addr == NULL || !mail_address_valid(m->to_addr))
		return set_cause(cause, "invalid recipient address");
	if (m->message_id == NULL || !message_id_valid(m->message_id))
		return set_cause(cause, "invalid message id (want printable "
		    "ASCII with an @, no spaces or angle brackets)");
	if ((m->from_name != NULL && strlen(m->from_name) > MAIL_NAME_MAX) ||
	    (m->to_name != NULL && strlen(m->to_name) > MAIL_NAME_MAX))
		return set_cause(cause, "display name longer than %d bytes",
		    MAIL_NAME_MAX);
	if (m->subject != NULL && strlen(m->subject) > MAIL_SUBJECT_MAX)
		return set_cause(cause, "subject longer than %d bytes",
		    MAIL_SUBJECT_MAX);
	if (m->body != NULL && strlen(m->body) > MAIL_BODY_MAX)
		return set_cause(cause, "body longer than %d bytes",
		    MAIL_BODY_MAX);
	if (m->ics != NULL && strlen(m->ics) > MAIL_ICS_MAX)
		return set_cause(cause, "calendar attachment longer than %d "
		    "bytes", MAIL_ICS_MAX);
	if (m->ics_name != NULL && !ics_name_valid(m->ics_name))
		return set_cause(cause, "invalid attachment name (want "
		    "letters, digits, '.', '-' or '_')");
	return 0;
}

static void
text_part_headers(struct buf *b)
{
	buf_add_str(b, "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n");
}

int
mail_compose(const struct mail_message *m, struct buf *out, char **cause)
{
	const char *ics_name;
	char *body, boundary[40];
	size_t body_len;
	uint32_t h = 2166136261u;
	const char *p;

	if (mail_check(m, cause) != 0)
		return -1;

	header_date(out, m->date, m->zone);
	header_mailbox(out, "From", m->from_name, m->from_addr);
	header_mailbox(out, "To", m->to_name, m->to_addr);
	header_unstructured(out, "Subject", m->subject != NULL ? m->subject : "");
	buf_printf(out, "Message-ID: <%s>\r\n", m->message_id);
	buf_add_str(out, "MIME-Version: 1.0\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "X-Auto-Response-Suppress: All\r\n");

	body = body_text_clean(m->body != NULL ? m->body : "", &body_len);
	if (m->ics == NULL) {
		text_part_headers(out);
		buf_add_str(out, "\r\n");
		qp_add(out, body, body_len);
		free(body);
		return 0;
	}

	/*
	 * "=_" never occurs in quoted-printable or base64 output, so the
	 * boundary cannot collide with a part; hashing the message id keeps
	 * the output deterministic.
	 */
	for (p = m->message_id; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(boundary, sizeof boundary, "=_ikond_%08x", (unsigned)h);
	ics_name = m->ics_name != NULL ? m->ics_name : "termin.ics";

	buf_printf(out, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n",
	    boundary);
	buf_add_str(out, "\r\nThis is a MIME message.\r\n");
	buf_printf(out, "\r\n--%s\r\n", boundary);
	text_part_headers(out);
	buf_add_str(out, "\r\n");
	qp_add(out, body, body_len);
	free(body);
	buf_printf(out, "\r\n--%s\r\n", boundary);
	buf_printf(out, "Content-Type: text/calendar; charset=utf-8; "
	    "method=PUBLISH;\r\n name=\"%s\"\r\n", ics_name);
	buf_printf(out, "Content-Disposition: attachment; filename=\"%s\"\r\n",
	    ics_name);
	buf_add_str(out, "Content-Transfer-Encoding: base64\r\n\r\n");
	if (m->ics_base64 != NULL)
		buf_add_str(out, m->ics_base64);
	else
		mail_base64_lines(out, m->ics, strlen(m->ics));
	buf_printf(out, "\r\n--%s--\r\n", boundary);
	return 0;
}
