/*
 * smtp: hands composed messages to an SMTP relay with libESMTP, one session
 * for a whole batch, and reports for every message whether the relay took
 * it, refused it for now, or refused it for good.
 *
 * Thread safety: smtp_send_batch() keeps all its state on the stack and in
 * the libESMTP session it creates, so several threads may each run a batch
 * (the mailer runs one per connection to the relay).
 * The first call initialises libESMTP's SASL module once per process.  The
 * process must ignore SIGPIPE (the daemon does at start-up): a relay that
 * drops the connection would otherwise kill it in the middle of a write.
 * The call blocks for up to timeout_seconds per protocol step; run it off
 * the daemon's main loop.
 */
#ifndef IKOND_SMTP_H
#define IKOND_SMTP_H

#include <stdbool.h>
#include <stddef.h>

enum smtp_tls {
	SMTP_TLS_OFF,		/* never STARTTLS */
	SMTP_TLS_OPPORTUNISTIC,	/* STARTTLS when offered */
	SMTP_TLS_REQUIRED	/* refuse to send without STARTTLS */
};

struct smtp_item;

struct smtp_config {
	const char	*host;		/* NULL means "localhost"; no IPv6 literals */
	int		 port;		/* 0 means 25 */
	enum smtp_tls	 tls;
	const char	*user;		/* NULL or "" means no AUTH */
	const char	*password;	/* never logged, never in a cause or reply */
	int		 timeout_seconds; /* per protocol step; <= 0 means 60 */
	/*
	 * Optional, NULL for none: called inside smtp_send_batch() as soon
	 * as the relay accepted item index (2xx after DATA), before the
	 * session ends, so that a caller can record each delivery at once
	 * instead of after the whole batch.
	 */
	void		(*accepted)(size_t index, int code, const char *reply, void *arg);
	void		*accepted_arg;
	/*
	 * Optional, NULL for none: a session that grows.  When the relay
	 * accepted the last message the session holds (after accepted),
	 * more may fill in items[n..capacity) and returns how many it added;
	 * they go out in the same session.  0 lets the session end.  The
	 * session does not grow after a refused message, so that a relay
	 * pushing back ends it.
	 */
	size_t		(*more)(struct smtp_item *items, size_t n, void *arg);
	void		*more_arg;
	size_t		 capacity;	/* room in items for more */
};

enum smtp_outcome {
	SMTP_SENT,	/* the relay answered 2xx after DATA */
	SMTP_TEMPFAIL,	/* 4xx, no connection, timeout, TLS or AUTH trouble: retry later */
	SMTP_PERMFAIL	/* 5xx for this message or its recipient: do not retry */
};

struct smtp_item {
	/* in */
	const char	*from_addr;	/* envelope sender */
	const char	*to_addr;	/* exactly one envelope recipient */
	const char	*data;		/* the composed message; bare LF becomes CRLF */
	size_t		 len;
	/* out */
	int		 status_code;	/* the deciding SMTP reply code, 0 if none */
	char		 server_reply[256]; /* its text, or why there was none */
	enum smtp_outcome outcome;
	bool		 pushed_back;	/* SMTP_TEMPFAIL from a 4xx answer to this message */
};

/*
 * Sends every item over one SMTP session (and those more adds, see
 * struct smtp_config) and fills in each item's outcome.
 * Returns 0 if the session ran (each item says how it went), or -1 with
 * *cause set if no message reached the relay's answer at all: nothing
 * listening, a timeout, TLS failure, or STARTTLS required but not offered.
 * Then every item is SMTP_TEMPFAIL with the same reason in server_reply:
 * that includes the STARTTLS case, which is a configuration mistake to fix,
 * not a reason to drop reminders.  A failed AUTH also makes every unsent
 * item SMTP_TEMPFAIL, and so does a 530 ("authentication required").
 */
int	smtp_send_batch(const struct smtp_config *cfg, struct smtp_item *items,
	    size_t n, char **cause);

/*
 * One message, for `ikond-ctl mail test`: writes a line such as
 * "sent: 250 Ok" or "temporary failure: connection refused" to result.
 * Returns 0 if the relay accepted the message, -1 otherwise.
 */
int	smtp_test_send(const struct smtp_config *cfg, const char *from,
	    const char *to, const char *data, size_t len, char *result,
	    size_t resultlen);

/* "off", "opportunistic", "required". */
const char *smtp_tls_name(enum smtp_tls tls);
/* Parses one of the names above; 0, or -1 with *cause naming the valid words. */
int	smtp_tls_parse(const char *name, enum smtp_tls *tls, char **cause);
/* "sent", "tempfail", "permfail". */
const char *smtp_outcome_name(enum smtp_outcome outcome);

#endif
