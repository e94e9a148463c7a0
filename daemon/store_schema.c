/*
 * store_schema: the numbered migrations of the database.  Migration n
 * brings a database from user_version n-1 to n.  Never edit a migration
 * that has shipped; add a new one at the end.
 */
#include "store.h"

#include <stddef.h>

static const char *const migrations[] = {
	/* 1: committees, sessions, actors, memberships, submissions, audit */
	"CREATE TABLE committee ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  internal INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE TABLE session ("
	"  id INTEGER PRIMARY KEY,"
	"  committee_id INTEGER NOT NULL REFERENCES committee(id) ON DELETE CASCADE,"
	"  title TEXT NOT NULL,"
	"  start_utc INTEGER NOT NULL,"
	"  end_utc INTEGER NOT NULL,"
	"  location TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL DEFAULT 'planned'"
	"    CHECK (state IN ('planned', 'invited', 'held', 'cancelled')),"
	"  uid TEXT NOT NULL UNIQUE,"
	"  sequence INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  CHECK (end_utc > start_utc));"
	"CREATE INDEX session_by_start ON session(start_utc);"
	"CREATE INDEX session_by_committee ON session(committee_id, start_utc);"
	"CREATE TABLE actor ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  email TEXT NOT NULL,"
	"  org TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE TABLE actor_role ("
	"  actor_id INTEGER NOT NULL REFERENCES actor(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL,"
	"  PRIMARY KEY (actor_id, role));"
	"CREATE TABLE membership ("
	"  actor_id INTEGER NOT NULL REFERENCES actor(id) ON DELETE CASCADE,"
	"  committee_id INTEGER NOT NULL REFERENCES committee(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL DEFAULT 'Mitglied',"
	"  PRIMARY KEY (actor_id, committee_id));"
	"CREATE INDEX membership_by_committee ON membership(committee_id);"
	"CREATE TABLE submission ("
	"  id INTEGER PRIMARY KEY,"
	"  ref TEXT NOT NULL DEFAULT '',"
	"  title TEXT NOT NULL,"
	"  kind TEXT NOT NULL"
	"    CHECK (kind IN ('verwaltungsvorlage', 'beschlussvorlage', 'mitteilungsvorlage')),"
	"  owner_id INTEGER NOT NULL REFERENCES actor(id),"
	"  session_id INTEGER NOT NULL REFERENCES session(id),"
	"  state TEXT NOT NULL DEFAULT 'draft'"
	"    CHECK (state IN ('draft', 'submitted', 'decided', 'withdrawn')),"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX submission_by_session ON submission(session_id);"
	"CREATE INDEX submission_by_owner ON submission(owner_id);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  action TEXT NOT NULL,"
	"  entity TEXT NOT NULL,"
	"  entity_id INTEGER,"
	"  detail TEXT NOT NULL DEFAULT '');",

	/* 2: materialised deadlines of sessions and submissions */
	"CREATE TABLE deadline ("
	"  id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,"
	"  submission_id INTEGER REFERENCES submission(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL,"
	"  rule TEXT NOT NULL,"
	"  due_date TEXT NOT NULL,"
	"  due_minute INTEGER,"
	"  explanation TEXT NOT NULL,"
	"  derivation TEXT NOT NULL,"
	"  sequence INTEGER NOT NULL DEFAULT 0,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX deadline_of_session ON deadline(session_id, kind)"
	"  WHERE submission_id IS NULL;"
	"CREATE UNIQUE INDEX deadline_of_submission ON deadline(submission_id, kind)"
	"  WHERE submission_id IS NOT NULL;"
	"CREATE INDEX deadline_by_date ON deadline(due_date);",
};

int
store_schema_latest(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

const char *
store_schema_migration(int n)
{
	if (n < 1 || n > store_schema_latest())
		return NULL;
	return migrations[n - 1];
}
