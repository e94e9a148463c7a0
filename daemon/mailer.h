/*
 * mailer: the delivery thread.  The main thread composes messages and
 * hands them over as one job; the thread delivers them (SMTP batch over
 * one session, or the local Maildir) and reports each message's outcome
 * as soon as it is known through a descriptor the main loop polls.  The
 * thread never touches the database or the daemon's state, so a slow or
 * dead relay stalls nothing but itself.
 */
#ifndef IKOND_MAILER_H
#define IKOND_MAILER_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "smtp.h"

struct mailer_item {
	/* in */
	sqlite3_int64	*rows;		/* the reminder rows this message covers */
	size_t		 nrows;
	char		*from_addr;
	char		*to_addr;
	char		*data;		/* the composed message */
	size_t		 len;
	/* out, valid once done */
	bool		 done;
	enum smtp_outcome outcome;
	int		 code;
	char		 reply[256];
	/* the main thread's own bookkeeping */
	bool		 applied;
};

/* Where the messages go: smtp.host is NULL for the Maildir. */
struct mailer_transport {
	char		*maildir;	/* NULL: SMTP */
	char		*host;
	int		 port;
	enum smtp_tls	 tls;
	char		*user;
	char		*password;
	int		 timeout;
};

struct mailer_job {
	struct mailer_transport	 transport;
	struct mailer_item	*items;
	size_t			 n;
	bool			 finished;
};

struct mailer;

/* Starts the thread; NULL with *cause if it cannot. */
struct mailer *mailer_new(char **cause);
/* Waits for the job in flight, then stops the thread. */
void mailer_free(struct mailer *m);
/* Readable when results are waiting. */
int mailer_fd(const struct mailer *m);
bool mailer_idle(const struct mailer *m);
/* Hands a job to the thread (which must be idle); the mailer owns it from now on. */
void mailer_submit(struct mailer *m, struct mailer_job *job);
/*
 * Calls apply for every item that finished since the last call (the
 * caller marks it applied).  Returns true once the job is complete and
 * every item was applied; the job is then freed and the mailer idle.
 */
bool mailer_collect(struct mailer *m, void (*apply)(struct mailer_item *, void *),
    void *arg);

struct mailer_job *mailer_job_new(size_t n);
void mailer_job_free(struct mailer_job *job);
void mailer_transport_clear(struct mailer_transport *t);

#endif
