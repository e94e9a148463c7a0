/*
 * control: the UNIX control socket.  It accepts ikond-ctl clients, reads
 * one framed request at a time from each (never blocking on any of them),
 * hands complete requests to dispatch, and writes the replies back.  A
 * client that sends garbage, too much, too slowly or nothing at all only
 * ever loses its own connection, and users who may only read cannot take
 * the slots of those who may change data.
 */
#ifndef IKOND_CONTROL_H
#define IKOND_CONTROL_H

#include <poll.h>
#include <stddef.h>
#include <time.h>

#include <sys/types.h>

struct ikond;
struct control;

/*
 * Listens on path, mode 0660, in the group gid if set (control.socket_group;
 * else the daemon's own).  Fails if another daemon answers on path
 * ("already running").
 */
struct control *control_new(const char *path, int max_clients, const gid_t *gid,
    char **cause);
void control_free(struct control *ctl);
/* Adds the listening socket and every client to pfd (capacity max); returns the count. */
size_t control_pollfds(struct control *ctl, struct pollfd *pfd, size_t max);
/* Acts on the poll results for the descriptors control_pollfds added. */
void control_handle(struct control *ctl, struct ikond *ikd, const struct pollfd *pfd, size_t n);
/* Closes clients whose request or reply is overdue. */
void control_expire(struct control *ctl);
size_t control_clients(const struct control *ctl);

#endif
