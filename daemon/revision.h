/*
 * revision: the SEQUENCE and LAST-MODIFIED that calendars see for every
 * dated item.  A calendar client replaces its copy of an event only when
 * the SEQUENCE grows, so any change of what a feed shows for an item (it
 * was cancelled, moved, renamed, its deadline recomputed, its session
 * renamed, the names of whom it concerns) must raise it, and nothing else
 * may.  Rather than have every command that touches a row guess which
 * items' texts it changed, the published content itself is compared: the
 * table item_revision keeps a digest of what was published per UID, and a
 * different digest raises the sequence and stamps the change.
 */
#ifndef IKOND_REVISION_H
#define IKOND_REVISION_H

#include <time.h>

#include "agenda.h"
#include "ikond.h"

/*
 * Gives every item of a from the from-th on its published sequence and modification time
 * (it->sequence, it->updated).  An item seen for the first time keeps the
 * values of its row (so an upgraded installation's feeds stay the same
 * bytes); an item whose content changed since it was last seen gets the
 * next sequence (at least its row's) and now as its time.  Writes to the
 * store: call inside a transaction when many items may be new.  0, or -1
 * with *cause.
 */
int revision_apply(struct ikond *ikd, struct agenda *a, size_t from, time_t now,
    char **cause);

#endif
