/*
 * maildir: the embedded mail transport.  With no SMTP relay configured,
 * ikond delivers every reminder into a local Maildir that any mail client
 * (mutt, Thunderbird with a maildir account, Dovecot) can read.
 */
#ifndef IKOND_MAILDIR_H
#define IKOND_MAILDIR_H

#include <stddef.h>

/*
 * Creates dir and its cur/, new/ and tmp/ with mode 0700 where missing
 * (the parent of dir must exist).  Returns 0, or -1 with *cause set.
 */
int	maildir_create(const char *dir, char **cause);

/*
 * Delivers one composed message: creates the Maildir if needed, writes the
 * bytes to tmp/ under a unique name, fsyncs the file, links it into new/,
 * removes the tmp/ entry and fsyncs new/, so a message that was reported
 * delivered survives a crash.  Line endings are stored as LF, the Maildir
 * convention; CRLF input is converted.  If name is not NULL it receives the
 * allocated file name inside new/.  Returns 0, or -1 with *cause set and
 * nothing left behind.  Safe to call from several threads at once.
 */
int	maildir_deliver(const char *dir, const char *data, size_t len,
	    char **name, char **cause);

#endif
