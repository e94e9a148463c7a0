/*
 * revision: published sequence numbers by content (see revision.h).  The
 * digest covers every field the feeds and the reminder mails show of an
 * item: kind, title, description (with whom it concerns), location, link,
 * dates and state, each followed by a separator byte that text
 * cannot contain, so no two different items hash the same input.
 *
 * What the table says is also kept in memory (uid -> digest, sequence,
 * time) for the items this process has seen, so that a feed rebuilt after
 * one change looks up no row for the items that did not change: only an
 * item whose digest differs from its memory (or that it has not seen)
 * goes to the table.  The memory follows every write revise() makes and
 * is forgotten when its connection rolls a transaction back (a rollback
 * hook: the writes it mirrored may be gone) or when another connection
 * comes in; the table stays the truth across restarts.
 */
#include "revision.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "feed.h"
#include "ics.h"
#include "xmalloc.h"

struct known {
	char		*uid;		/* NULL: an empty slot */
	uint64_t	 hash;
	unsigned char	 digest[FEED_HASH_LEN];
	int		 sequence;
	time_t		 modified;
};

/* The items seen, by uid (open addressing, at most half full). */
static struct {
	struct known	*slots;
	size_t		 mask;		/* slots - 1 */
	size_t		 n;
	sqlite3		*db;		/* the connection they were read from */
	bool		 lost;		/* it rolled back since */
} memory;

static void
memory_clear(void)
{
	size_t i;

	for (i = 0; memory.slots != NULL && i <= memory.mask; i++)
		free(memory.slots[i].uid);
	free(memory.slots);
	memory.slots = NULL;
	memory.mask = 0;
	memory.n = 0;
	memory.lost = false;
}

static void
on_rollback(void *arg)
{
	(void)arg;
	memory.lost = true;
}

/*
 * Keeps the memory only for the connection it came from and while that
 * connection rolled nothing back.  The hook's previous argument tells
 * whether the connection is one already hooked: a new one (even at the
 * address of a closed one) comes without.
 */
static void
memory_check(sqlite3 *db)
{
	if (sqlite3_rollback_hook(db, on_rollback, &memory) != &memory || db != memory.db ||
	    memory.lost) {
		memory_clear();
		memory.db = db;
	}
}

static struct known *
memory_slot(const char *uid, uint64_t hash)
{
	size_t i = (size_t)hash & memory.mask;

	while (memory.slots[i].uid != NULL &&
	    (memory.slots[i].hash != hash || strcmp(memory.slots[i].uid, uid) != 0))
		i = (i + 1) & memory.mask;
	return &memory.slots[i];
}

static const struct known *
memory_find(const char *uid)
{
	struct known *k;

	if (memory.slots == NULL)
		return NULL;
	k = memory_slot(uid, ics_uid_hash(uid));
	return k->uid != NULL ? k : NULL;
}

static void
memory_put(const char *uid, const unsigned char digest[FEED_HASH_LEN], int sequence,
    time_t modified)
{
	struct known *old, *k;
	size_t i, nold;
	uint64_t hash = ics_uid_hash(uid);

	if (2 * (memory.n + 1) > (memory.slots != NULL ? memory.mask + 1 : 0)) {
		old = memory.slots;
		nold = old != NULL ? memory.mask + 1 : 0;
		memory.mask = nold != 0 ? 2 * nold - 1 : 1023;
		memory.slots = xcalloc(memory.mask + 1, sizeof(*memory.slots));
		for (i = 0; i < nold; i++)
			if (old[i].uid != NULL)
				*memory_slot(old[i].uid, old[i].hash) = old[i];
		free(old);
	}
	k = memory_slot(uid, hash);
	if (k->uid == NULL) {
		k->uid = xstrdup(uid);
		k->hash = hash;
		memory.n++;
	}
	memcpy(k->digest, digest, FEED_HASH_LEN);
	k->sequence = sequence;
	k->modified = modified;
}

static void
add_field(struct buf *b, const char *text)
{
	buf_add_str(b, text != NULL ? text : "");
	buf_add_char(b, '\x1f');
}

static void
item_digest(const struct agenda *a, const struct agenda_item *it,
    unsigned char digest[FEED_HASH_LEN])
{
	struct buf b;
	char *description = agenda_feed_description(a, it);

	buf_init(&b);
	buf_printf(&b, "%d\x1f", (int)it->kind);
	add_field(&b, it->title);
	add_field(&b, description);
	add_field(&b, it->location);
	add_field(&b, it->url);
	if (it->all_day)
		buf_printf(&b, "d%d-%d\x1f", it->start_days, it->end_days);
	else
		buf_printf(&b, "t%lld-%lld\x1f", (long long)it->start, (long long)it->end);
	buf_printf(&b, "%d\x1f", it->cancelled ? 1 : 0);
	feed_hash(b.data, b.len, digest);
	buf_free(&b);
	free(description);
}

static int
revise(struct ikond *ikd, const struct agenda *a, struct agenda_item *it, time_t now,
    char **cause)
{
	unsigned char digest[FEED_HASH_LEN];
	const struct known *k;
	sqlite3_stmt *st;
	sqlite3_int64 sequence;
	bool same;

	item_digest(a, it, digest);
	if ((k = memory_find(it->uid)) != NULL &&
	    memcmp(k->digest, digest, FEED_HASH_LEN) == 0) {
		it->sequence = k->sequence;
		it->updated = k->modified;
		return 0;
	}
	switch (store_first(ikd->store, cause, &st, "SELECT digest = ?, sequence, modified_utc "
	    "FROM item_revision WHERE uid = ?", "bt", digest, (size_t)FEED_HASH_LEN, it->uid)) {
	case -1:
		return -1;
	case 0:
		if (store_exec(ikd->store, cause, "INSERT INTO item_revision (uid, digest, "
		    "sequence, modified_utc) VALUES (?, ?, ?, ?)", "tbii", it->uid, digest,
		    (size_t)FEED_HASH_LEN, (sqlite3_int64)it->sequence,
		    (sqlite3_int64)it->updated) == -1)
			return -1;
		memory_put(it->uid, digest, it->sequence, it->updated);
		return 0;
	}
	same = sqlite3_column_int(st, 0) != 0;
	sequence = sqlite3_column_int64(st, 1);
	if (same) {
		it->sequence = (int)sequence;
		it->updated = (time_t)sqlite3_column_int64(st, 2);
		store_done(ikd->store, st);
		memory_put(it->uid, digest, it->sequence, it->updated);
		return 0;
	}
	store_done(ikd->store, st);
	sequence = sequence + 1 > it->sequence ? sequence + 1 : it->sequence;
	if (store_exec(ikd->store, cause, "UPDATE item_revision SET digest = ?, sequence = ?, "
	    "modified_utc = ? WHERE uid = ?", "biit", digest, (size_t)FEED_HASH_LEN, sequence,
	    (sqlite3_int64)now, it->uid) == -1)
		return -1;
	it->sequence = (int)sequence;
	it->updated = now;
	memory_put(it->uid, digest, it->sequence, it->updated);
	return 0;
}

int
revision_apply(struct ikond *ikd, struct agenda *a, size_t from, time_t now,
    char **cause)
{
	sqlite3_stmt *st;
	size_t i;

	/* Any statement names the connection. */
	if ((st = store_query(ikd->store, cause, "SELECT 1", "")) == NULL)
		return -1;
	memory_check(sqlite3_db_handle(st));
	store_done(ikd->store, st);
	for (i = from; i < a->n; i++)
		if (revise(ikd, a, &a->items[i], now, cause) == -1)
			return -1;
	return 0;
}
