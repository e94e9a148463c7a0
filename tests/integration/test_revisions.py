#!/usr/bin/python3
"""SEQUENCE and UIDs in the feeds, fetched over HTTP.

Every change of what a feed shows for an item raises exactly that item's
SEQUENCE, DTSTAMP and LAST-MODIFIED: the feed is fetched before and after
each kind of change (a session cancelled, moved, renamed, a deadline
recomputed by a new rule, an actor renamed, a no-op edit) and the set of
events with a higher SEQUENCE must be exactly the set whose content
changed.  UIDs carry the installation's id: two installations never share
one, and a restart or a restored backup keeps them.  The feed of everything,
rebuilt from the rows a change wrote, has the bytes of a build from nothing.
"""

import datetime
import gzip
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import unittest
import urllib.request

import icalendar

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ikondtest  # noqa: E402


def fetch(url):
    ikondtest.require("curl", "curl")
    r = subprocess.run(["curl", "-s", "--fail", "--max-time", "10", url], capture_output=True,
                       check=True)
    return r.stdout


def fetch_gzip(url):
    """The gzip-encoded answer, decompressed, and the plain answer's
    Content-Length from a HEAD request."""
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=10) as r:
        encoding, body = r.headers.get("Content-Encoding"), r.read()
    head = urllib.request.Request(url, method="HEAD")
    with urllib.request.urlopen(head, timeout=10) as r:
        length = int(r.headers["Content-Length"])
    return gzip.decompress(body) if encoding == "gzip" else None, length


def events(raw):
    """uid -> dict of what a calendar client compares."""
    out = {}
    for ev in icalendar.Calendar.from_ical(raw).walk("VEVENT"):
        uid = str(ev["UID"])
        out[uid] = {
            "sequence": int(ev["SEQUENCE"]),
            "dtstamp": ev.decoded("DTSTAMP"),
            "last_modified": ev.decoded("LAST-MODIFIED"),
            "content": (str(ev.get("SUMMARY")), str(ev.get("DESCRIPTION")),
                        str(ev.get("LOCATION")), str(ev.get("STATUS")),
                        ev["DTSTART"].to_ical(), ev["DTEND"].to_ical() if "DTEND" in ev else b""),
        }
    return out


def vevents_raw(raw):
    """The VEVENT blocks of a feed by UID, as bytes."""
    out = {}
    for block in raw.split(b"BEGIN:VEVENT\r\n")[1:]:
        uid = block.split(b"UID:", 1)[1].split(b"\r\n", 1)[0]
        out[uid.decode()] = block.split(b"END:VEVENT\r\n")[0]
    return out


def same_weekdays_as_2031():
    """The first year at least two ahead whose days fall on the weekdays of
    2031, the year the dates below were chosen in: they stay ahead of today."""
    year = datetime.date.today().year + 2
    while (datetime.date(year, 1, 1).weekday() != datetime.date(2031, 1, 1).weekday()
           or (year % 4 == 0) != (2031 % 4 == 0)):
        year += 1
    return year


YEAR = same_weekdays_as_2031()


def day(text):
    """text, a date or time in 2031, in YEAR."""
    return text.replace("2031", str(YEAR), 1)


def setup_data(d):
    d.ctl("committee", "add", "ia", "--name", "Ausschuss für Integration", "--kind",
          "fachausschuss")
    d.ctl("committee", "add", "kt", "--name", "Kreistag", "--kind", "kreistag")
    d.ctl("actor", "add", "schulte", "--name", "Petra Schulte", "--email", "p@example.org")
    d.ctl("actor", "add", "demir", "--name", "Can Demir", "--email", "c@example.org")
    d.ctl("actor", "join", "schulte", "--committee", "ia")
    s = [d.json("session", "add", "--committee", c, "--start", start)["id"]
         for c, start in (("ia", day("2031-03-18 17:00")), ("ia", day("2031-05-13 17:00")),
                          ("kt", day("2031-06-24 18:00")))]
    d.ctl("submission", "add", "--title", "Integrationskonzept", "--kind", "beschlussvorlage",
          "--session", str(s[0]), "--owner", "schulte")
    d.ctl("submission", "add", "--title", "Bericht", "--kind", "mitteilungsvorlage",
          "--session", str(s[2]), "--owner", "demir")
    return s


class Sequence(ikondtest.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.sessions = setup_data(self.d)
        self.url = self.d.json("feed", "add", "--all")["url"]

    def uids(self):
        """(session id -> uid, session id -> uids of its deadlines)."""
        s = {x["id"]: x["uid"] for x in self.d.json("session", "list")}
        inst = re.match(r".*@([0-9a-f]+)\.ikond$", next(iter(s.values()))).group(1)
        dl = {}
        for x in self.d.json("deadline", "list"):
            dl.setdefault(x["session"], set()).add("deadline-%d@%s.ikond" % (x["id"], inst))
        return s, dl

    def change(self, expected, *args):
        """Runs a change and checks that exactly the events in expected (a set
        of UIDs) got a higher SEQUENCE and a later DTSTAMP and LAST-MODIFIED."""
        before = events(fetch(self.url))
        for cmd in args:
            self.d.ctl(*cmd)
        after = events(fetch(self.url))
        self.assertEqual(set(before), set(after))
        raised = {u for u in after if after[u]["sequence"] > before[u]["sequence"]}
        changed = {u for u in after if after[u]["content"] != before[u]["content"]}
        self.assertEqual(raised, expected)
        self.assertEqual(changed, expected)
        for u in after:
            if u in expected:
                self.assertGreater(after[u]["dtstamp"], before[u]["dtstamp"], u)
                self.assertEqual(after[u]["dtstamp"], after[u]["last_modified"], u)
            else:
                self.assertEqual(after[u], before[u], u)
        return after

    def test_each_kind_of_change(self):
        s1, s2, s3 = self.sessions
        uid, dl = self.uids()
        # DTSTAMP counts whole seconds: each step gets one of its own, so a
        # stamp that was not renewed shows.
        subprocess.run(["sleep", "1.1"], check=True)
        with self.subTest("cancelled"):
            self.change({uid[s1]} | dl[s1], ("session", "cancel", str(s1)))
        with self.subTest("moved"):
            subprocess.run(["sleep", "1.1"], check=True)
            self.change({uid[s2]} | dl[s2], ("session", "edit", str(s2), "--start",
                                               day("2031-05-20 17:00")))
        with self.subTest("renamed"):
            subprocess.run(["sleep", "1.1"], check=True)
            self.change({uid[s3]} | dl[s3], ("session", "edit", str(s3), "--title",
                                               "Kreistag: Haushalt"))
        with self.subTest("deadline recomputed"):
            subprocess.run(["sleep", "1.1"], check=True)
            ladung = [x for x in self.d.json("deadline", "list")
                      if x["session"] == s3 and x["kind"] == "ladungsfrist"][0]
            self.d.write_config('rules = { committee = { kt = { ladungsfrist = '
                                '"-14d earlier"; }; }; };\n')
            inst = uid[s3].split("@")[1]
            self.change({"deadline-%d@%s" % (ladung["id"], inst)}, ("reload",))
        with self.subTest("actor renamed"):
            subprocess.run(["sleep", "1.1"], check=True)
            now = events(fetch(self.url))
            concerned = {u for u, e in now.items() if "Petra Schulte" in e["content"][1]}
            # Her committee's sessions and motions deadlines, her Vorlage's deadline.
            self.assertIn(uid[s2], concerned)
            self.assertNotIn(uid[s3], concerned)
            self.change(concerned, ("actor", "edit", "schulte", "--name", "Petra Schulte-Berg"))
        with self.subTest("nothing shown changed"):
            before = fetch(self.url)
            self.change(set(), ("session", "edit", str(s3), "--state", "planned"))
            self.assertEqual(fetch(self.url), before)

    def test_restart_keeps_revisions(self):
        before = fetch(self.url)
        self.d.stop()
        self.d.start()
        self.assertEqual(fetch(self.url), before)


class Following(unittest.TestCase):
    """The feed of everything follows the changed rows where it can; after
    every kind of change its bytes are those of a build from nothing
    (ikond-ctl export builds one), plain (parts shared with the text
    before) and gzip-encoded, and a restart serves the same feed and
    page."""

    def setUp(self):
        self.d = ikondtest.Daemon()
        self.d.start(args=("-v",))  # -vv: the log tells how a feed was built

    def tearDown(self):
        self.d.cleanup()

    def followed(self):
        return self.d.read_log().count("following the changed rows")

    def write_beside(self):
        db = sqlite3.connect(os.path.join(self.d.state, "ikond.db"), timeout=10)
        with db:
            db.execute("UPDATE session SET title = 'Von nebenan' WHERE id = ("
                       "SELECT min(id) FROM session)")
        db.close()

    def built_from_nothing(self):
        out = os.path.join(self.d.dir, "export.ics")
        self.d.ctl("export", "--all", "--output", out)
        with open(out, "rb") as f:
            return f.read()

    def changed(self, before):
        """The feed once the change shows (the feeds follow on the next tick)."""
        deadline = time.time() + 10 * ikondtest.SLOWDOWN
        while True:
            now = fetch(self.url)
            if now != before or time.time() > deadline:
                return now
            time.sleep(0.05)

    def test_each_kind_of_change_gives_the_bytes_of_a_build_from_nothing(self):
        d = self.d
        s = setup_data(d)
        self.url = d.json("feed", "add", "--all")["url"]
        page_url = self.url[:-len(".ics")] + ".html"
        d.ctl("process", "add", "ik", "--name", "Integrationskonzept 2031")
        vorlage = d.json("submission", "list")[0]["id"]
        steps = [
            # (what, commands, whether it follows the rows)
            ("session renamed", [("session", "edit", str(s[0]), "--title", "Neu")], True),
            ("session moved", [("session", "edit", str(s[1]), "--start",
                                day("2031-05-20 17:00"))], True),
            ("session cancelled", [("session", "cancel", str(s[2]))], True),
            ("Vorlage renamed", [("submission", "edit", str(vorlage), "--title", "Konzept")],
             True),
            ("session added", [("session", "add", "--committee", "ia", "--start",
                                day("2031-09-09 17:00"))], True),
            ("window added", [("window", "add", "--process", "ik", "--title", "Runde",
                               "--opens", day("2031-04-01"), "--closes",
                               day("2031-04-20"))], True),
            ("actor renamed", [("actor", "edit", "demir", "--name", "Can Demir-Ak")], False),
            ("session removed", [("session", "remove", str(s[1]))], True),
            # No hook sees another connection's rows: the next change has
            # everything collected anew.
            ("written beside the daemon", [self.write_beside, ("session", "edit", str(s[2]),
                                                               "--location", "Saal 2")], False),
            ("reload", [("reload",)], False),
        ]
        feed = fetch(self.url)
        for what, cmds, follows in steps:
            with self.subTest(what):
                n = self.followed()
                for cmd in cmds:
                    if callable(cmd):
                        cmd()
                    else:
                        d.ctl(*cmd)
                feed = self.changed(feed)
                self.assertEqual(feed, self.built_from_nothing())
                self.assertEqual(fetch_gzip(self.url), (feed, len(feed)))
                self.assertEqual(self.followed() - n, 1 if follows else 0)
        page = fetch(page_url)
        d.stop()
        d.start()
        self.assertEqual(fetch(self.url), feed)
        self.assertEqual(fetch(page_url), page)


class Uids(unittest.TestCase):
    def setUp(self):
        self.a = ikondtest.Daemon().start()
        self.b = ikondtest.Daemon().start()

    def tearDown(self):
        self.a.cleanup()
        self.b.cleanup()

    def feed_uids(self, d):
        return set(events(d.ctl("export", "--all").stdout.encode()))

    def test_unique_per_installation_stable_across_restart_and_backup(self):
        setup_data(self.a)
        setup_data(self.b)
        ua, ub = self.feed_uids(self.a), self.feed_uids(self.b)
        self.assertEqual(len(ua), len(ub))
        self.assertEqual(ua & ub, set(), "two installations share UIDs")
        inst = {u.split("@")[1] for u in ua}
        self.assertEqual(len(inst), 1)
        self.assertRegex(inst.pop(), r"^[0-9a-f]{12}\.ikond$")

        self.a.stop()
        self.a.start()
        self.assertEqual(self.feed_uids(self.a), ua)

        # A backup restored into a new state directory keeps the UIDs.
        backup = os.path.join(self.a.dir, "backup.db")
        src = sqlite3.connect(os.path.join(self.a.state, "ikond.db"))
        dst = sqlite3.connect(backup)
        src.backup(dst)
        src.close()
        dst.close()
        c = ikondtest.Daemon()
        try:
            os.makedirs(c.state)
            shutil.copy(backup, os.path.join(c.state, "ikond.db"))
            c.start()
            self.assertEqual(self.feed_uids(c), ua)
        finally:
            c.cleanup()


class ShortCollections(ikondtest.DaemonTestCase):
    """The reminders' plan collects a few days only and reads only the names
    its items' "Betrifft:" lines show (of a large committee, the first
    twelve with a name); the revision it records for an item must be the
    one the feed of everything computes from every name, or a plan would
    raise SEQUENCE by itself.  Also with an actor among the first twelve
    gone behind ikond's back (its membership left over): the next member's
    name takes its place in both."""

    def export(self, *target):
        return subprocess.run([ikondtest.IKOND_CTL, "--socket", self.d.socket, "export",
                               *target], capture_output=True, check=True).stdout

    def plans(self):
        return self.d.read_log().count("reminders: planned in")

    def wait_for_plan(self, after):
        deadline = time.time() + 30 * ikondtest.SLOWDOWN
        while self.plans() <= after:
            self.assertLess(time.time(), deadline, "no plan:\n" + self.d.read_log())
            time.sleep(0.05)

    def wait_for_revision(self, uid):
        deadline = time.time() + 30 * ikondtest.SLOWDOWN
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.d.state, "ikond.db"),
                             uri=True)
        try:
            while db.execute("SELECT count(*) FROM item_revision WHERE uid = ?",
                             (uid,)).fetchone()[0] == 0:
                self.assertLess(time.time(), deadline, "no plan:\n" + self.d.read_log())
                time.sleep(0.05)
        finally:
            db.close()

    def session_event(self, uid):
        ev = events(self.export("--all"))[uid]
        lines = [l for l in ev["content"][1].split("\n") if l.startswith("Betrifft: ")]
        self.assertEqual(len(lines), 1, ev["content"][1])
        return ev["sequence"], lines[0]

    def test_plan_records_the_feeds_revision(self):
        self.d.ctl("committee", "add", "ia", "--name", "Ausschuss für Integration", "--kind",
                   "fachausschuss")
        for i in range(15):
            self.d.ctl("actor", "add", "m%02d" % i, "--name", "Mitglied %02d" % i, "--email",
                       "m%02d@example.org" % i)
            self.d.ctl("actor", "join", "m%02d" % i, "--committee", "ia")
        day = datetime.date.today() + datetime.timedelta(days=2)
        sid = self.d.json("session", "add", "--committee", "ia", "--start",
                          "%s 17:00" % day.isoformat())["id"]
        uid = [x["uid"] for x in self.d.json("session", "list") if x["id"] == sid][0]
        # Without a feed token, the plan after the change is the first to
        # collect the session and record its revision.
        self.wait_for_revision(uid)
        sequence, names = self.session_event(uid)
        self.assertEqual(sequence, 0)
        self.assertEqual(names, "Betrifft: " + ", ".join("Mitglied %02d" % i for i in range(12))
                         + " und 3 weitere")

        self.d.stop()
        db = sqlite3.connect(os.path.join(self.d.state, "ikond.db"))
        with db:
            db.execute("PRAGMA foreign_keys = OFF")
            db.execute("DELETE FROM actor WHERE slug = 'm03'")
        db.close()
        before = self.plans()
        self.d.start()
        self.wait_for_plan(before)
        sequence, names = self.session_event(uid)
        self.assertEqual(sequence, 1)
        self.assertEqual(names, "Betrifft: " + ", ".join("Mitglied %02d" % i for i in range(13)
                                                         if i != 3) + " und 3 weitere")
        committee = vevents_raw(self.export("--committee", "ia"))
        everything = vevents_raw(self.export("--all"))
        self.assertEqual(committee[uid], everything[uid])


if __name__ == "__main__":
    ikondtest.main()
