/*
 * mail_message: turns a reminder (names, addresses, German subject and
 * body, optional iCalendar attachment) into an RFC 5322 + MIME message that
 * any relay and any mail client accept.  Pure: no I/O, no global state,
 * safe to call from any thread.
 */
#ifndef IKOND_MAIL_MESSAGE_H
#define IKOND_MAIL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

/* Bounds on what a caller may hand in; larger input is refused. */
#define MAIL_ADDRESS_MAX	254	/* RFC 5321 path limit */
#define MAIL_LOCALPART_MAX	64
#define MAIL_NAME_MAX		256	/* display names, in bytes */
#define MAIL_SUBJECT_MAX	1000	/* bytes of UTF-8 */
#define MAIL_MESSAGE_ID_MAX	250
#define MAIL_BODY_MAX		(1024 * 1024)
#define MAIL_ICS_MAX		(1024 * 1024)
#define MAIL_ICS_NAME_MAX	64

struct mail_message {
	const char	*from_name;	/* display name or NULL */
	const char	*from_addr;	/* required, mail_address_valid() */
	const char	*to_name;	/* display name or NULL */
	const char	*to_addr;	/* required, mail_address_valid() */
	const char	*subject;	/* UTF-8; NULL means empty */
	const char	*body;		/* UTF-8 plain text, LF or CRLF; NULL means empty */
	const char	*message_id;	/* required, without <>, e.g. "reminder-42.ikond@host" */
	time_t		 date;
	const char	*zone;		/* IANA zone the Date is written in; NULL: UTC */
	const char	*ics;		/* optional text/calendar attachment (method PUBLISH) */
	const char	*ics_name;	/* its file name; NULL means "termin.ics" */
	const char	*ics_base64;	/* NULL, or ics as mail_base64_lines() wrote it
					 * (shared by the messages of one event) */
};

/*
 * Appends the complete message (headers and body, CRLF line endings, 7-bit
 * clean) to out.  Control characters and invalid UTF-8 in names and the
 * subject are replaced (a space, U+FFFD) and everything non-ASCII is sent
 * as RFC 2047 encoded-words, so no input can add a header line.  Addresses,
 * the message id and the attachment name are checked instead and refused
 * with a cause.  The output depends only on the input, so composing the
 * same reminder twice gives the same bytes.
 * Returns 0, or -1 with *cause set and out unchanged.
 */
int	mail_compose(const struct mail_message *m, struct buf *out, char **cause);

/*
 * True for a plain "local@domain" address: dot-atom local part of at most
 * 64 bytes, a domain of letter-digit-hyphen labels, at most 254 bytes in all;
 * no spaces, controls, quotes, angle brackets, backslashes or non-ASCII.
 * Stricter than RFC 5321 on purpose: ikond only mails actors it knows.
 */
bool	mail_address_valid(const char *addr);
/* Appends data base64-encoded in lines of 76 characters, each ending in CRLF. */
void	mail_base64_lines(struct buf *b, const char *data, size_t n);

#endif
