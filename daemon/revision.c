/*
 * revision: published sequence numbers by content (see revision.h).  The
 * digest covers every field the feeds and the reminder mails show of an
 * item: kind, title, description (with whom it concerns), location, link,
 * dates and state, each followed by a separator byte that text
 * cannot contain, so no two different items hash the same input.
 */
#include "revision.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "feed.h"

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
	sqlite3_stmt *st;
	sqlite3_int64 sequence;
	bool same;

	item_digest(a, it, digest);
	switch (store_first(ikd->store, cause, &st, "SELECT digest = ?, sequence, modified_utc "
	    "FROM item_revision WHERE uid = ?", "bt", digest, (size_t)FEED_HASH_LEN, it->uid)) {
	case -1:
		return -1;
	case 0:
		return store_exec(ikd->store, cause, "INSERT INTO item_revision (uid, digest, "
		    "sequence, modified_utc) VALUES (?, ?, ?, ?)", "tbii", it->uid, digest,
		    (size_t)FEED_HASH_LEN, (sqlite3_int64)it->sequence,
		    (sqlite3_int64)it->updated) == -1 ? -1 : 0;
	}
	same = sqlite3_column_int(st, 0) != 0;
	sequence = sqlite3_column_int64(st, 1);
	if (same) {
		it->sequence = (int)sequence;
		it->updated = (time_t)sqlite3_column_int64(st, 2);
		store_done(ikd->store, st);
		return 0;
	}
	store_done(ikd->store, st);
	sequence = sequence + 1 > it->sequence ? sequence + 1 : it->sequence;
	it->sequence = (int)sequence;
	it->updated = now;
	return store_exec(ikd->store, cause, "UPDATE item_revision SET digest = ?, sequence = ?, "
	    "modified_utc = ? WHERE uid = ?", "biit", digest, (size_t)FEED_HASH_LEN, sequence,
	    (sqlite3_int64)now, it->uid) == -1 ? -1 : 0;
}

int
revision_apply(struct ikond *ikd, struct agenda *a, time_t now, char **cause)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (revise(ikd, a, &a->items[i], now, cause) == -1)
			return -1;
	return 0;
}
