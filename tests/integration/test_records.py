"""Records a coordinator keeps up to date, against the real ikond: one
Vorlage through its Beratungsfolge, each Beratung with its own
Vorlagenfrist; dated events of the process with their invitees, in their
feeds, reminders and invitation letters; edit and remove for every record,
and removing an actor who still owns records; how actors are greeted.

Sessions lie in 2031, so no date is past; the default rule for a
Beschlussvorlage is 21 days before the session, on a working day.
"""

import json
import os
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ikondtest  # noqa: E402
from ikondtest import DaemonTestCase  # noqa: E402

# committee slug, name, kind, session start, Vorlagenfrist (start - 21 days)
CHAIN = [("beirat", "Integrationsbeirat", "integrationsbeirat", "2031-03-05 16:00", "2031-02-12"),
         ("ia", "Ausschuss für Integration", "fachausschuss", "2031-03-11 17:00", "2031-02-18"),
         ("ka", "Kreisausschuss", "kreisausschuss", "2031-03-17 14:00", "2031-02-24"),
         ("kt", "Kreistag", "kreistag", "2031-03-20 18:00", "2031-02-27")]
ROLES = ["anhoerung", "vorberatung", "vorberatung", "entscheidung"]


class Records(DaemonTestCase):
    """Committees with one session each, a coordinator and a process."""

    def setUp(self):
        super().setUp()
        ctl = self.d.ctl
        self.sessions = {}
        for slug, name, kind, start, _ in CHAIN:
            ctl("committee", "add", slug, "--name", name, "--kind", kind)
            self.sessions[slug] = self.d.json("session", "add", "--committee", slug,
                                              "--start", start)["id"]
        ctl("actor", "add", "bb", "--name", "Bildungsbüro", "--email", "bb@example.org",
            "--salutation", "org")
        ctl("process", "add", "ik", "--name", "Integrationskonzept 2031", "--owner", "bb",
            "--target-session", str(self.sessions["kt"]))

    def sid(self, slug):
        return str(self.sessions[slug])

    def beschlussvorlage(self):
        """One Beschlussvorlage through all four committees of CHAIN."""
        d = self.d
        sub = d.json("submission", "add", "--title", "Integrationskonzept 2031",
                     "--kind", "beschlussvorlage", "--owner", "bb", "--ref", "BV/2031/7",
                     "--session", self.sid("kt"))
        for (slug, *_), role in list(zip(CHAIN, ROLES))[:3]:
            d.json("submission", "beratung", "add", str(sub["id"]), "--session", self.sid(slug),
                   "--role", role)
        return sub["id"]


class Beratungen(Records):

    def test_one_vorlage_four_beratungen(self):
        d = self.d
        sub = self.beschlussvorlage()
        show = d.json("submission", "show", str(sub))
        self.assertEqual(show["ref"], "BV/2031/7")
        self.assertEqual([(b["session"], b["committee"], b["start"][:16], b["role"], b["deadline"])
                          for b in show["beratungen"]],
                         [(self.sessions[slug], slug, start.replace(" ", "T"), role, due)
                          for (slug, _, _, start, due), role in zip(CHAIN, ROLES)])
        self.assertEqual(show["session"], self.sessions["kt"])
        self.assertEqual(sorted((x["session"], x["date"]) for x in show["deadlines"]),
                         sorted((self.sessions[c[0]], c[4]) for c in CHAIN))
        # One submission, four deadlines in the list of all deadlines.
        self.assertEqual(len(d.json("submission", "list")), 1)
        mine = [x for x in d.json("deadline", "list") if x["submission"] == sub]
        self.assertEqual(sorted(x["date"] for x in mine), sorted(c[4] for c in CHAIN))
        # Each Beratung's session lists the submission; each deadline reminds its owner.
        for slug, *_ in CHAIN:
            s = d.json("session", "show", self.sid(slug))
            self.assertEqual([x["id"] for x in s["submissions"]], [sub])
        agenda = d.json("agenda", "--actor", "bb", "--from", "2031-02-01", "--days", "60")
        self.assertEqual(sorted(i["date"] for i in agenda if i["kind"] == "deadline"),
                         sorted(c[4] for c in CHAIN))

        # The Beschlussvorlage draft shows the Beratungsfolge from it.
        md = d.ctl("draft", "render", "beschlussvorlage", "--process", "ik", "--submission",
                   str(sub)).stdout
        table = [line for line in md.splitlines() if line.startswith("| ") and " Uhr | " in line]
        self.assertEqual(len(table), 4, md)
        for line, (slug, name, _, start, _), role in zip(table, CHAIN, ROLES):
            self.assertIn(name, line)
            self.assertIn(start[8:10].lstrip("0") + ". März 2031", line)
            self.assertIn({"anhoerung": "Anhörung", "vorberatung": "Vorberatung",
                           "entscheidung": "Entscheidung"}[role], line)
        # Its first deadline is the Beirat's.
        self.assertIn("Mittwoch, 12. Februar 2031", md)

    def test_edit_and_remove_beratungen(self):
        d = self.d
        sub = str(self.beschlussvorlage())
        # A moved session moves its Beratung's deadline only.
        d.ctl("session", "edit", self.sid("ia"), "--start", "2031-03-04 17:00")
        b = {x["committee"]: x for x in d.json("submission", "show", sub)["beratungen"]}
        self.assertEqual(b["ia"]["deadline"], "2031-02-11")
        self.assertEqual(b["kt"]["deadline"], "2031-02-27")
        # Role and session of one Beratung.
        extra = d.json("session", "add", "--committee", "ka", "--start", "2031-03-18 14:00")["id"]
        e = d.json("submission", "beratung", "edit", sub, "--session", self.sid("ka"),
                   "--role", "kenntnisnahme", "--to-session", str(extra))
        b = {x["committee"]: x for x in e["beratungen"]}
        self.assertEqual((b["ka"]["session"], b["ka"]["role"], b["ka"]["deadline"]),
                         (extra, "kenntnisnahme", "2031-02-25"))
        self.assertEqual(len(e["deadlines"]), 4)
        # Removing a Beratung removes its deadline.
        r = d.json("submission", "beratung", "remove", sub, "--session", self.sid("beirat"))
        self.assertEqual([x["committee"] for x in r["beratungen"]], ["ia", "ka", "kt"])
        self.assertEqual(len(r["deadlines"]), 3)
        # Mistakes are named.
        r = d.ctl("submission", "beratung", "add", sub, "--session", self.sid("kt"), "--role",
                  "vorberatung", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("already goes to session", r.stderr)
        r = d.ctl("submission", "beratung", "add", sub, "--session", self.sid("beirat"),
                  "--role", "beschluss", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('"beschluss"', r.stderr)
        self.assertIn("anhoerung vorberatung entscheidung kenntnisnahme", r.stderr)
        r = d.ctl("submission", "beratung", "remove", sub, "--session", self.sid("beirat"),
                  check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no Beratung in session", r.stderr)
        r = d.ctl("submission", "edit", sub, "--session", self.sid("beirat"), check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("3 Beratungen", r.stderr)
        r = d.ctl("submission", "beratung", "add", sub, "--session", self.sid("beirat"),
                  check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--role", r.stderr)
        for s in (self.sid("ia"), str(extra)):
            d.ctl("submission", "beratung", "remove", sub, "--session", s)
        r = d.ctl("submission", "beratung", "remove", sub, "--session", self.sid("kt"),
                  check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("only Beratung", r.stderr)
        # With one Beratung left, "submission edit --session" moves it.
        e = d.json("submission", "edit", sub, "--session", self.sid("beirat"))
        self.assertEqual([(x["committee"], x["role"]) for x in e["beratungen"]],
                         [("beirat", "entscheidung")])
        self.assertEqual([x["date"] for x in e["deadlines"]], ["2031-02-12"])

    def test_removing_a_session_keeps_the_other_beratungen(self):
        d = self.d
        sub = str(self.beschlussvorlage())
        single = d.json("submission", "add", "--title", "Mitteilung", "--kind",
                        "mitteilungsvorlage", "--owner", "bb", "--session", self.sid("ia"),
                        "--role", "kenntnisnahme")
        r = d.ctl("session", "remove", self.sid("ia"), check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("2 submission(s)", r.stderr)
        r = d.json("session", "remove", self.sid("ia"), "--force")
        self.assertEqual(r["submissions"], 1)
        self.assertEqual([x["committee"] for x in d.json("submission", "show", sub)["beratungen"]],
                         ["beirat", "ka", "kt"])
        r = d.ctl("submission", "show", str(single["id"]), check=False)
        self.assertEqual(r.returncode, 1)
        d.json("committee", "remove", "kt", "--force")
        self.assertEqual(len(d.json("submission", "show", sub)["deadlines"]), 2)


class Greetings(Records):

    def test_salutation_title_family_name(self):
        d = self.d
        a = d.json("actor", "add", "brunken", "--name", "Dr. Claudia Brunken", "--email",
                   "c.brunken@example.org", "--salutation", "frau", "--title", "Dr.")
        self.assertEqual((a["salutation"], a["title"], a["family_name"], a["greeting"]),
                         ("frau", "Dr.", "Brunken", "Sehr geehrte Frau Dr. Brunken"))
        a = d.json("actor", "add", "yilmaz", "--name", "Mehmet Yilmaz", "--email",
                   "m.yilmaz@example.org", "--salutation", "herr")
        self.assertEqual(a["greeting"], "Sehr geehrter Herr Yilmaz")
        a = d.json("actor", "add", "kim", "--name", "Kim Koordination", "--email",
                   "kim@example.org")
        self.assertEqual((a["salutation"], a["greeting"]), ("neutral", "Guten Tag Kim Koordination"))
        self.assertEqual(d.json("actor", "show", "bb")["greeting"], "Sehr geehrte Damen und Herren")
        a = d.json("actor", "edit", "brunken", "--family-name", "Brunken-Ahlers", "--title", "")
        self.assertEqual(a["greeting"], "Sehr geehrte Frau Brunken-Ahlers")
        a = d.json("actor", "edit", "brunken", "--family-name", "")
        self.assertEqual(a["family_name"], "Brunken")
        r = d.ctl("actor", "edit", "kim", "--salutation", "divers", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('"divers"', r.stderr)
        self.assertIn("frau herr neutral org", r.stderr)


if __name__ == "__main__":
    ikondtest.main()
