#!/usr/bin/python3
"""Writes a generated data set into a database that ikond created (and is
not running on): committees, their monthly sessions over twenty years,
actors with memberships, and enough submissions that materialising every
deadline gives the wanted total.  Deadlines themselves are left to ikond:
the basis they were computed from is removed, so its next start derives
them all.

    gen_data.py DB FRACTION

FRACTION 1 is 200 committees over 20 years (48,000 sessions), 100,000
actors and 1,000,000 deadlines; 0.01 is a hundredth of each.
"""

import datetime
import sqlite3
import sys
import time
import zoneinfo

FULL_COMMITTEES = 200
FULL_ACTORS = 100_000
FULL_DEADLINES = 1_000_000
YEARS = 20
SESSION_DEADLINES = 3           # ladungsfrist, bekanntmachung, antragsfrist
KINDS = ("fachausschuss", "rat", "kreistag", "kreisausschuss", "integrationsbeirat")
SUB_KINDS = ("verwaltungsvorlage", "beschlussvorlage", "mitteilungsvorlage")


def main():
    db, fraction = sys.argv[1], float(sys.argv[2])
    tz = zoneinfo.ZoneInfo("Europe/Berlin")
    now = int(time.time())
    ncomm = max(1, round(FULL_COMMITTEES * fraction))
    nact = max(10, round(FULL_ACTORS * fraction))
    first_year = datetime.date.today().year - YEARS // 2

    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO committee (id, slug, name, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        [(c, "gremium-%d" % c, "Gremium %d" % c, KINDS[c % len(KINDS)], now, now)
         for c in range(1, ncomm + 1)])
    sessions = []
    for c in range(1, ncomm + 1):
        for month in range(YEARS * 12):
            y, m = first_year + month // 12, month % 12 + 1
            day = 1 + (c * 7 + month) % 27
            start = datetime.datetime(y, m, day, 17, 0, tzinfo=tz)
            s = int(start.timestamp())
            sessions.append((len(sessions) + 1, c, "Sitzung %d/%d" % (c, month), s, s + 9000,
                             "Rathaus, Saal %d" % (c % 9 + 1), "session-gen-%d@ikond" % (len(sessions) + 1),
                             now, now))
    con.executemany(
        "INSERT INTO session (id, committee_id, title, start_utc, end_utc, location, uid, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", sessions)
    con.executemany(
        "INSERT INTO actor (id, slug, name, email, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        [(a, "person-%d" % a, "Person %d" % a, "person-%d@example.org" % a, now, now)
         for a in range(1, nact + 1)])
    # Every actor sits in one committee, every tenth in a second one.
    members = set()
    for a in range(1, nact + 1):
        members.add((a, 1 + a % ncomm))
        if a % 10 == 0 and ncomm > 1:
            members.add((a, 1 + (a // 10) % ncomm))
    con.executemany("INSERT INTO membership (actor_id, committee_id) VALUES (?, ?)", sorted(members))
    nsub = max(0, round(FULL_DEADLINES * fraction) - SESSION_DEADLINES * len(sessions))
    subs, beratungen = [], []
    for i in range(1, nsub + 1):
        sess = sessions[(i * 7919) % len(sessions)]
        subs.append((i, "V/%d" % i, "Vorlage %d" % i, SUB_KINDS[i % 3], 1 + (i * 31) % nact,
                     now, now))
        beratungen.append((i, sess[0]))
    con.executemany(
        "INSERT INTO submission (id, ref, title, kind, owner_id, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", subs)
    # Each submission goes to one session (one Beratung, as a migrated database has).
    con.executemany(
        "INSERT INTO beratung (submission_id, session_id, role) VALUES (?, ?, 'entscheidung')",
        beratungen)
    # Rows written behind ikond's back: without a basis the next start
    # derives every deadline.
    con.execute("DELETE FROM deadline_basis")
    con.commit()
    con.close()
    print("%d committees, %d sessions, %d actors, %d memberships, %d submissions, "
          "%d deadlines to materialise" % (ncomm, len(sessions), nact, len(members), nsub,
                                           SESSION_DEADLINES * len(sessions) + nsub))


if __name__ == "__main__":
    main()
