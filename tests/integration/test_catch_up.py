"""Integration tests of how the stored deadlines follow the configuration:
a reload recomputes only the sessions a changed day can reach, a rule
change the deadlines of its kind, a start after the configuration changed
while the daemon was stopped catches up before it answers, a start with
nothing changed recomputes nothing, and rows written without a basis are
all derived at the next start."""

import contextlib
import os
import re
import socket
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ikondtest  # noqa: E402
from ikondtest import DaemonTestCase  # noqa: E402

BASE = 'body = { land = "NI"; days_off = ( %s ); };\n'


class CatchUp(DaemonTestCase):
    extra_config = BASE % ""

    def setUp(self):
        super().setUp()
        d = self.d
        d.ctl("committee", "add", "kt", "--name", "Kreistag", "--kind", "kreistag")
        self.may = d.json("session", "add", "--committee", "kt", "--start", "2031-05-20 18:00")["id"]
        self.nov = d.json("session", "add", "--committee", "kt", "--start", "2031-11-20 18:00")["id"]

    def deadlines(self, session):
        return {x["kind"]: x["date"] for x in self.d.json("session", "show", str(session))["deadlines"]}

    def last_catch_up(self):
        lines = re.findall(r"deadlines ([a-z ]+): (\d+) session\(s\)", self.d.read_log())
        return lines[-1]

    def test_a_day_off_recomputes_the_sessions_it_reaches(self):
        d = self.d
        nov = self.deadlines(self.nov)
        self.assertEqual(self.deadlines(self.may)["ladungsfrist"], "2031-05-13")
        d.write_config(BASE % '{ date = "2031-05-13"; name = "Brückentag"; }')
        d.ctl("reload")
        self.assertEqual(self.last_catch_up(), ("recomputed where the change reaches", "1"))
        may = self.deadlines(self.may)
        self.assertEqual(may["ladungsfrist"], "2031-05-12")
        self.assertEqual(may["bekanntmachung"], "2031-05-12")
        self.assertEqual(self.deadlines(self.nov), nov)
        # The same again: nothing to do.
        d.ctl("reload")
        self.assertEqual(self.last_catch_up(), ("unchanged", "0"))

    def test_a_rule_recomputes_its_kind(self):
        d = self.d
        d.write_config(BASE % "" + 'rules = { antragsfrist = "-12d earlier"; };\n')
        d.ctl("reload")
        self.assertEqual(self.last_catch_up(), ("recomputed where the change reaches", "2"))
        self.assertEqual(self.deadlines(self.may)["antragsfrist"], "2031-05-08")
        self.assertEqual(self.deadlines(self.nov)["antragsfrist"], "2031-11-07")
        self.assertEqual(self.deadlines(self.may)["ladungsfrist"], "2031-05-13")

    def test_a_start_catches_up_with_a_change_made_while_stopped(self):
        d = self.d
        d.stop()
        d.write_config(BASE % '{ date = "11-13"; name = "Martini-Brückentag"; }')
        d.start()
        self.assertEqual(self.last_catch_up(), ("recomputed where the change reaches", "1"))
        self.assertEqual(self.deadlines(self.nov)["ladungsfrist"], "2031-11-12")
        self.assertEqual(self.deadlines(self.may)["ladungsfrist"], "2031-05-13")
        d.stop()
        d.start()
        self.assertEqual(self.last_catch_up(), ("unchanged", "0"))

    def test_rows_without_a_basis_are_derived_at_the_next_start(self):
        d = self.d
        d.stop()
        db = sqlite3.connect(os.path.join(d.state, "ikond.db"))
        with db:
            db.execute("DELETE FROM deadline")
            db.execute("DELETE FROM deadline_basis")
        db.close()
        # Recomputing everything can take minutes at full size: systemd
        # hears of it before READY, so its start timeout does not strike.
        msgs = []
        with self.notified(20) as ns:
            d.start()
            while not any("READY=1" in m for m in msgs):
                msgs.append(ns.recv(4096).decode())
        busy = [m for m in msgs if "EXTEND_TIMEOUT_USEC=" in m]
        self.assertTrue(busy, msgs)
        self.assertLess(msgs.index(busy[0]), len(msgs) - 1)
        self.assertIn("STATUS=recomputing deadlines, sessions: 0 of 2", busy[0])
        self.assertEqual(self.last_catch_up(), ("all recomputed", "2"))
        self.assertEqual(self.deadlines(self.may)["ladungsfrist"], "2031-05-13")
        self.assertEqual(len(self.deadlines(self.nov)), 3)

    @contextlib.contextmanager
    def notified(self, timeout):
        """A notify socket the daemon started inside the block reports to,
        as systemd's would."""
        sock_path = os.path.join(self.d.dir, "notify.sock")
        ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        ns.bind(sock_path)
        ns.settimeout(timeout)
        os.environ["NOTIFY_SOCKET"] = sock_path
        try:
            yield ns
        finally:
            os.environ.pop("NOTIFY_SOCKET", None)
            ns.close()
            os.unlink(sock_path)

    def db(self):
        return sqlite3.connect(os.path.join(self.d.state, "ikond.db"))

    def count(self, sql):
        db = self.db()
        try:
            return db.execute(sql).fetchone()[0]
        finally:
            db.close()

    def test_sessions_at_one_time_share_their_texts_until_they_go(self):
        d = self.d
        d.ctl("committee", "add", "ka", "--name", "Kreisausschuss", "--kind", "kreisausschuss")
        ka = d.json("session", "add", "--committee", "ka", "--start", "2031-05-20 18:00")["id"]
        self.assertEqual(self.count("SELECT count(*) FROM deadline"), 9)
        # Two rules (Ladungsfrist and Bekanntmachung share one), two
        # anchors: May (two sessions) and November.
        self.assertEqual(self.count("SELECT count(DISTINCT rule) FROM deadline"), 2)
        self.assertEqual(self.count("SELECT count(*) FROM deadline_text"), 4)
        self.assertEqual(self.deadlines(ka), self.deadlines(self.may))
        d.ctl("session", "remove", str(ka))
        self.assertEqual(self.count("SELECT count(*) FROM deadline_text"), 4)
        d.ctl("session", "remove", str(self.may))
        self.assertEqual(self.count("SELECT count(*) FROM deadline_text"), 2)
        d.ctl("session", "edit", str(self.nov), "--start", "2031-11-21 18:00")
        self.assertEqual(self.count("SELECT count(*) FROM deadline_text"), 2)
        self.assertEqual(self.count("SELECT count(*) FROM deadline_text WHERE anchor "
                                    "LIKE '2031-11-20%'"), 0)

    def test_a_renamed_day_off_changes_words_and_sequence_not_the_date(self):
        d = self.d
        d.write_config(BASE % '{ date = "2031-05-13"; name = "Brückentag"; }')
        d.ctl("reload")
        lf = [x for x in d.json("session", "show", str(self.may))["deadlines"]
              if x["kind"] == "ladungsfrist"][0]
        before = d.json("deadline", "explain", str(lf["id"]))
        self.assertEqual(before["date"], "2031-05-12")
        self.assertIn("Brückentag", before["explanation"])
        d.write_config(BASE % '{ date = "2031-05-13"; name = "Betriebsausflug"; }')
        d.ctl("reload")
        after = d.json("deadline", "explain", str(lf["id"]))
        self.assertEqual(after["date"], "2031-05-12")
        self.assertIn("Betriebsausflug", after["explanation"])
        self.assertNotIn("Brückentag", after["explanation"])
        self.assertEqual(after["sequence"], before["sequence"] + 1)
        self.assertEqual(after["derivation"]["skipped"][0]["reason"], "Betriebsausflug")

    def test_deadlines_derived_from_nothing_are_the_ones_edits_made(self):
        """Every Vorlagenfrist derived at a start from rows without
        deadlines reads as the one the edits made: Vorlagen of several
        kinds in one session, one Vorlage in two sessions, and a committee
        with a rule of its own, at a time of day."""
        d = self.d
        d.stop()
        d.write_config(BASE % "" + 'rules = { mitteilungsvorlage = "-3wd later at 12:00"; '
                       'committee = { ia = { beschlussvorlage = "-30d keep"; }; }; };\n')
        d.start()
        d.ctl("committee", "add", "ia", "--name", "Integrationsausschuss", "--kind",
              "fachausschuss")
        ia = d.json("session", "add", "--committee", "ia", "--start", "2031-06-04 17:00")["id"]
        d.ctl("actor", "add", "bb", "--name", "Bildungsbüro", "--email", "bb@example.org")
        for n, kind in enumerate(("verwaltungsvorlage", "beschlussvorlage",
                                  "mitteilungsvorlage", "beschlussvorlage")):
            sub = d.json("submission", "add", "--title", "V %d" % n, "--kind", kind,
                         "--owner", "bb", "--session", str(ia if n % 2 else self.nov),
                         "--role", "vorberatung")["id"]
            if n % 2:
                d.ctl("submission", "beratung", "add", str(sub), "--session", str(self.may),
                      "--role", "entscheidung")
        rows = ("SELECT d.session_id, d.submission_id, d.kind, d.rule, d.due_date, "
                "d.due_minute, d.sequence, t.rule, t.anchor, t.explanation, t.derivation "
                "FROM deadline d JOIN deadline_text t ON t.id = d.text_id "
                "ORDER BY d.session_id, d.submission_id, d.kind")
        d.stop()
        db = self.db()
        made = db.execute(rows).fetchall()
        self.assertEqual(len([r for r in made if r[1] is not None]), 6)
        with db:
            db.execute("DELETE FROM deadline")
            db.execute("DELETE FROM deadline_basis")
        db.close()
        d.start()
        self.assertEqual(self.last_catch_up(), ("all recomputed", "3"))
        db = self.db()
        self.assertEqual(db.execute(rows).fetchall(), made)
        self.assertEqual(db.execute("SELECT count(*) FROM deadline_text WHERE id NOT IN "
                                    "(SELECT text_id FROM deadline)").fetchone()[0], 0)
        db.close()

    def test_a_kill_while_every_deadline_is_derived_leaves_all_or_nothing(self):
        d = self.d
        d.stop()
        db = self.db()
        now = 1700000000
        with db:
            db.execute("DELETE FROM deadline")
            db.execute("DELETE FROM deadline_basis")
            owner = db.execute("INSERT INTO actor (slug, name, email, created_at, updated_at) "
                               "VALUES ('bb', 'Bildungsbüro', 'bb@example.org', 0, 0)").lastrowid
            kt = db.execute("SELECT id FROM committee WHERE slug = 'kt'").fetchone()[0]
            for i in range(3000):
                start = 1900000000 + i * 86400
                sid = db.execute("INSERT INTO session (committee_id, title, start_utc, end_utc, uid, "
                                 "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (kt, "S %d" % i, start, start + 3600, "s-%d@test" % i, now, now)).lastrowid
                for j in range(3):
                    sub = db.execute("INSERT INTO submission (ref, title, kind, owner_id, created_at, "
                                     "updated_at) VALUES (?, ?, 'beschlussvorlage', ?, ?, ?)",
                                     ("V/%d/%d" % (i, j), "V", owner, now, now)).lastrowid
                    db.execute("INSERT INTO beratung (submission_id, session_id, role) "
                               "VALUES (?, ?, 'entscheidung')", (sub, sid))
        sessions = db.execute("SELECT count(*) FROM session").fetchone()[0]
        db.close()
        want = sessions * 3 + 9000
        with self.notified(60) as ns:
            d.start(wait=False)
            while "sessions: 1000 of" not in ns.recv(4096).decode():
                pass
            d.kill()
        # All or nothing: the basis is written with the last deadline.
        basis = self.count("SELECT count(*) FROM deadline_basis")
        self.assertEqual(self.count("SELECT count(*) FROM deadline"), want if basis else 0)
        d.start()
        self.assertEqual(self.last_catch_up(), ("unchanged", "0") if basis else
                         ("all recomputed", str(sessions)))
        self.assertEqual(self.count("SELECT count(*) FROM deadline"), want)
        self.assertEqual(self.count("SELECT count(*) FROM deadline_basis"), 1)
        self.assertEqual(self.deadlines(self.may)["ladungsfrist"], "2031-05-13")
        db = self.db()
        self.assertEqual(db.execute("PRAGMA foreign_key_check").fetchall(), [])
        db.close()


if __name__ == "__main__":
    ikondtest.main()
