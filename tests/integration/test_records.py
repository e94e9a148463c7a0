"""Records a coordinator keeps up to date, against the real ikond: one
Vorlage through its Beratungsfolge, each Beratung with its own
Vorlagenfrist; dated events of the process with their invitees, in their
feeds, reminders and invitation letters; edit and remove for every record,
and removing an actor who still owns records; how actors are greeted.

Sessions lie in 2031, so no date is past; the default rule for a
Beschlussvorlage is 21 days before the session, on a working day.
"""

import datetime
import email
import email.policy
import glob
import os
import sqlite3
import sys
import time
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
        self.assertEqual(sorted((i["date"], i["title"]) for i in agenda if i["kind"] == "deadline"),
                         sorted((c[4], "Vorlagenfrist Beschlussvorlage: Integrationskonzept 2031 "
                                 "(%s)" % c[1]) for c in CHAIN))

        # The Beschlussvorlage draft shows the Beratungsfolge from it.
        md = d.ctl("draft", "render", "beschlussvorlage", "--process", "ik", "--submission",
                   str(sub)).stdout
        table = [line for line in md.splitlines() if line.startswith("| ") and "\u00a0Uhr | " in line]
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


class EditAndRemove(Records):
    """Every record that can be added can be shown, edited and removed; an
    actor who leaves hands everything over."""

    def leaver(self, slug):
        """An actor who owns one record of each kind that refers to actors."""
        d = self.d
        d.ctl("actor", "add", slug, "--name", "Petra Schulte", "--email", slug + "@example.org",
              "--salutation", "frau")
        d.ctl("actor", "join", slug, "--committee", "ia", "--role", "Vorsitz")
        d.ctl("process", "add", slug + "-p", "--name", "Zweiter Prozess", "--owner", slug)
        d.ctl("process", "step", "ik", "6", "--owner", slug, "--owner", "bb")
        sub = d.json("submission", "add", "--title", "Vorlage von " + slug, "--kind",
                     "beschlussvorlage", "--owner", slug, "--session", self.sid("kt"))["id"]
        mea = d.json("measure", "add", "--process", "ik", "--title", "Elternlotsen " + slug,
                     "--owner", slug, "--budget", "12500", "--year", "2031")["id"]
        ev = d.json("evaluation", "add", "--process", "ik", "--title", "Bericht " + slug,
                    "--owner", slug, "--start", "2032-03-01", "--rrule", "FREQ=YEARLY")["id"]
        evt = d.json("event", "add", "--process", "ik", "--title", "Workshop " + slug,
                     "--start", "2031-05-14", "--invite", slug)["id"]
        win = d.json("window", "add", "--process", "ik", "--title", "Entwurf " + slug,
                     "--opens", "2031-06-02", "--closes", "2031-06-30", "--audience", slug)["id"]
        d.ctl("feed", "add", "--actor", slug)
        return {"submission": sub, "measure": mea, "evaluation": ev, "event": evt, "window": win}

    def references_to(self, actor_id):
        """Rows of every table whose foreign keys point at actor, for actor_id;
        and the actor feeds aimed at it."""
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.d.state, "ikond.db"), uri=True)
        found = []
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        checked = 0
        for t in tables:
            for fk in db.execute("PRAGMA foreign_key_list(%s)" % t):
                if fk[2] == "actor":
                    checked += 1
                    n = db.execute("SELECT count(*) FROM %s WHERE %s = ?" % (t, fk[3]),
                                   (actor_id,)).fetchone()[0]
                    if n:
                        found.append("%s.%s" % (t, fk[3]))
        if db.execute("SELECT count(*) FROM feed WHERE kind = 'actor' AND target_id = ?",
                      (actor_id,)).fetchone()[0]:
            found.append("feed.target_id")
        db.close()
        self.assertGreaterEqual(checked, 10)
        return found

    def test_reassign_leaves_no_reference(self):
        d = self.d
        d.ctl("actor", "add", "nachfolge", "--name", "Jonas Weber", "--email", "jw@example.org")
        ids = self.leaver("schulte")
        aid = d.json("actor", "show", "schulte")["id"]
        r = d.ctl("actor", "remove", "schulte", check=False)
        self.assertEqual(r.returncode, 1)
        for name in ('submission %d "Vorlage von schulte"' % ids["submission"],
                     'measure %d "Elternlotsen schulte"' % ids["measure"],
                     'evaluation %d "Bericht schulte"' % ids["evaluation"],
                     "process schulte-p", "step 6 of process ik",
                     'event %d "Workshop schulte"' % ids["event"],
                     'window %d "Entwurf schulte"' % ids["window"], "--reassign-to"):
            self.assertIn(name, r.stderr)
        self.assertNotEqual(self.references_to(aid), [])

        r = d.json("actor", "remove", "schulte", "--reassign-to", "nachfolge")
        self.assertEqual(r["moved"], {"submissions": 1, "measures": 1, "evaluations": 1,
                                      "processes": 1, "steps": 1, "events": 1, "windows": 1,
                                      "memberships": 1})
        self.assertEqual(self.references_to(aid), [])
        # Everything is the successor's now.
        self.assertEqual(d.json("submission", "show", str(ids["submission"]))["owner"], "nachfolge")
        m = d.json("measure", "show", str(ids["measure"]))
        self.assertEqual((m["owner"], m["budget_eur"], m["year"]), ("nachfolge", "12500.00", 2031))
        self.assertEqual(d.json("evaluation", "show", str(ids["evaluation"]))["owner"], "nachfolge")
        self.assertEqual(d.json("process", "show", "schulte-p")["owner"], "nachfolge")
        steps = {s["n"]: s for s in d.json("process", "show", "ik")["steps"]}
        self.assertEqual(sorted(steps[6]["owners"]), ["bb", "nachfolge"])
        self.assertEqual(d.json("event", "show", str(ids["event"]))["invite"], ["nachfolge"])
        self.assertEqual(d.json("window", "show", str(ids["window"]))["audience"], ["nachfolge"])
        self.assertEqual([(c["committee"], c["role"]) for c in
                          d.json("actor", "show", "nachfolge")["committees"]], [("ia", "Vorsitz")])
        self.assertEqual([f for f in d.json("feed", "list") if f["kind"] == "actor"], [])
        r = d.ctl("actor", "remove", "nachfolge", "--reassign-to", "nachfolge", check=False)
        self.assertEqual(r.returncode, 1)

    def test_force_removes_what_the_actor_owns(self):
        d = self.d
        ids = self.leaver("weg")
        aid = d.json("actor", "show", "weg")["id"]
        r = d.json("actor", "remove", "weg", "--force")
        self.assertEqual(r["removed_with"]["submissions"], 1)
        self.assertEqual(self.references_to(aid), [])
        for kind in ("submission", "measure", "evaluation"):
            self.assertEqual(d.ctl(kind, "show", str(ids[kind]), check=False).returncode, 1)
        self.assertEqual(d.json("event", "show", str(ids["event"]))["invite"], [])
        self.assertIsNone(d.json("process", "show", "weg-p")["owner"])

    def test_measure_and_evaluation_round(self):
        d = self.d
        m = d.json("measure", "add", "--process", "ik", "--title", "Sprachcafé", "--owner", "bb",
                   "--budget", "800,50", "--year", "2032")
        self.assertEqual((m["budget_eur"], m["year"]), ("800.50", 2032))
        m = d.json("measure", "edit", str(m["id"]), "--year", "2033")
        self.assertEqual((m["budget_eur"], m["year"]), ("800.50", 2033))
        r = d.ctl("measure", "edit", str(m["id"]), "--year", "33", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("Haushaltsjahr", r.stderr)
        # A duplicate no longer doubles the budget: it can be removed.
        dup = d.json("measure", "add", "--process", "ik", "--title", "Sprachcafé", "--owner", "bb",
                     "--budget", "800,50")
        self.assertEqual(d.json("measure", "remove", str(dup["id"]))["removed"], dup["id"])
        self.assertEqual([x["id"] for x in d.json("measure", "list")], [m["id"]])

        # The first of a month a quarter ahead: its occurrences two years
        # apart both lie within process.evaluation_horizon (three years).
        first = (datetime.date.today() + datetime.timedelta(days=90)).replace(day=1)
        then = first.replace(year=first.year + 2)
        e = d.json("evaluation", "add", "--process", "ik", "--title", "Bericht", "--owner", "bb",
                   "--start", first.isoformat(), "--rrule", "FREQ=YEARLY", "--committee", "ia")
        md = d.ctl("draft", "render", "evaluationsbericht", "--process", "ik").stdout
        self.assertIn("800,50 €", md)
        self.assertNotIn("1.601,00 €", md)
        e = d.json("evaluation", "edit", str(e["id"]), "--title", "Jahresbericht", "--rrule",
                   "FREQ=YEARLY;INTERVAL=2", "--committee", "")
        self.assertEqual((e["title"], e["rrule"], e["committee"]),
                         ("Jahresbericht", "FREQ=YEARLY;INTERVAL=2", None))
        self.assertEqual([o["nominal"] for o in e["occurrences"]][:2],
                         [first.isoformat(), then.isoformat()])
        self.assertEqual(d.json("evaluation", "show", str(e["id"]))["title"], "Jahresbericht")
        r = d.ctl("evaluation", "edit", str(e["id"]), "--rrule", "FREQ=SOMETIMES", check=False)
        self.assertEqual(r.returncode, 1)


def day(offset):
    return (datetime.date.today() + datetime.timedelta(days=offset)).isoformat()


def long_de(iso):
    weekdays = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
    months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
              "September", "Oktober", "November", "Dezember"]
    d = datetime.date.fromisoformat(iso[:10])
    return "%s, %d. %s %d" % (weekdays[d.weekday()], d.day, months[d.month - 1], d.year)


def wait_for(pred, timeout=60, what="condition"):
    deadline = time.time() + timeout * ikondtest.SLOWDOWN
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class Events(Records):
    """A workshop tomorrow; reminders fall due at once (send_time 00:00, the
    offsets two and five days ahead are past, the catch-up sends one)."""

    extra_config = ('reminders = { send_time = "00:00"; event = [ "P5D", "P2D" ]; '
                    'session = [ ]; deadline = [ ]; };\n')

    def setUp(self):
        super().setUp()
        ctl = self.d.ctl
        people = [("haddad", "Amira Haddad", "frau", "", "beirat"),
                  ("awo", "AWO Kreisverband", "org", "", "beirat"),
                  ("brunken", "Dr. Claudia Brunken", "frau", "Dr.", "ia"),
                  ("yilmaz", "Mehmet Yilmaz", "herr", "", "ia"),
                  ("kt-member", "Karl Kreistag", "herr", "", "kt")]
        for slug, name, salutation, title, committee in people:
            ctl("actor", "add", slug, "--name", name, "--email", slug + "@example.org",
                "--salutation", salutation, "--title", title)
            ctl("actor", "join", slug, "--committee", committee)
        self.invited = {"haddad", "awo", "brunken", "yilmaz"}

    def maildir(self):
        mails = {}
        for path in glob.glob(os.path.join(self.d.state, "Maildir", "new", "*")):
            with open(path, "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            mails.setdefault(msg["To"].addresses[0].addr_spec.split("@")[0], []).append(msg)
        return mails

    def uids(self, *target):
        feed = self.d.ctl("export", *target).stdout
        return {line[4:] for line in feed.replace("\r\n ", "").splitlines()
                if line.startswith("UID:")}

    def test_workshop_with_time_place_and_two_committees(self):
        d = self.d
        e = d.json("event", "add", "--process", "ik", "--step", "6", "--title",
                   "Workshop Bildung und Integration", "--start", day(1) + " 10:00",
                   "--end", "16:00", "--location", "Kreishaus, Saal 2",
                   "--invite-committee", "beirat", "--invite-committee", "ia")
        self.assertEqual(e["invitees"], sorted(self.invited))
        self.assertEqual(e["invite_committees"], ["beirat", "ia"])
        self.assertEqual((e["date"], e["start"][:16], e["end"][:16], e["step"]),
                         (day(1), day(1) + "T10:00", day(1) + "T16:00", 6))
        # In exactly the invitees' feeds, the committees' and the process's.
        uid = e["uid"]
        for slug in ("haddad", "awo", "brunken", "yilmaz", "kt-member", "bb"):
            self.assertEqual(uid in self.uids("--actor", slug), slug in self.invited, slug)
        self.assertIn(uid, self.uids("--committee", "beirat"))
        self.assertIn(uid, self.uids("--committee", "ia"))
        self.assertNotIn(uid, self.uids("--committee", "kt"))
        self.assertIn(uid, self.uids("--process", "ik"))
        self.assertIn(uid, self.uids("--all"))
        feed = d.ctl("export", "--actor", "brunken").stdout.replace("\r\n ", "")
        event = feed[feed.index("UID:" + uid):]
        event = event[:event.index("END:VEVENT")]
        self.assertIn("DTSTART;TZID=Europe/Berlin:" + day(1).replace("-", "") + "T100000", event)
        self.assertIn("DTEND;TZID=Europe/Berlin:" + day(1).replace("-", "") + "T160000", event)
        self.assertIn("LOCATION:Kreishaus\\, Saal 2", event)
        self.assertIn("TRANSP:OPAQUE", event)
        self.assertEqual([i["id"] for i in d.json("event", "list", "--actor", "yilmaz")],
                         [e["id"]])
        self.assertEqual(d.json("event", "list", "--actor", "kt-member"), [])

        # It reminds the invitees, through the real delivery path, each with
        # their greeting.
        wait_for(lambda: set(self.maildir()) >= self.invited, what="a reminder to every invitee")
        wait_for(lambda: all(m["state"] in ("sent", "skipped") for m in d.json("mail", "queue")),
                 what="an empty queue")
        mails = self.maildir()
        self.assertEqual(set(mails), self.invited)
        for slug in self.invited:
            self.assertEqual(len(mails[slug]), 1, slug)
        body = mails["brunken"][0].get_body(("plain",)).get_content()
        self.assertTrue(body.startswith("Sehr geehrte Frau Dr. Brunken,"), body)
        self.assertIn("Workshop Bildung und Integration", body)
        self.assertIn("10:00 Uhr", body)
        self.assertIn("Kreishaus, Saal 2", body)
        self.assertIn("Sehr geehrte Damen und Herren,",
                      mails["awo"][0].get_body(("plain",)).get_content())
        self.assertIn("Sehr geehrter Herr Yilmaz,",
                      mails["yilmaz"][0].get_body(("plain",)).get_content())

        # The circular letter and the personal one.
        md = d.ctl("draft", "render", "einladung-workshop", "--process", "ik", "--event",
                   str(e["id"])).stdout
        self.assertIn("**Termin:** %s, 10:00 bis 16:00\u00a0Uhr" % long_de(day(1)), md)
        self.assertIn("Kreishaus, Saal 2", md)
        self.assertIn("Integrationsbeirat (alle Mitglieder)", md)
        self.assertIn("Ausschuss für Integration (alle Mitglieder)", md)
        self.assertIn("Sehr geehrte Damen und Herren,", md)
        self.assertNotIn("(Uhrzeit)", md)
        self.assertNotIn("(Ort)", md)
        self.assertNotIn("Karl Kreistag", md)
        md = d.ctl("draft", "render", "einladung-workshop", "--process", "ik", "--event",
                   str(e["id"]), "--to", "brunken").stdout
        self.assertIn("Sehr geehrte Frau Dr. Brunken,", md)
        self.assertIn("Dr. Claudia Brunken", md.split("# Einladung")[0])
        self.assertNotIn("Sehr geehrte Damen und Herren", md)
        r = d.ctl("draft", "render", "einladung-workshop", "--process", "ik", "--event",
                  str(e["id"]), "--to", "kt-member", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("kt-member is not invited to event", r.stderr)

    def test_time_and_place_to_follow(self):
        d = self.d
        e = d.json("event", "add", "--process", "ik", "--title", "Zukunftswerkstatt",
                   "--start", "2031-05-14", "--invite", "brunken", "--invite", "awo")
        self.assertEqual((e["date"], e["start"], e["end"], e["location"]),
                         ("2031-05-14", None, None, ""))
        feed = d.ctl("export", "--actor", "brunken").stdout
        self.assertIn("DTSTART;VALUE=DATE:20310514", feed)
        md = d.ctl("draft", "render", "einladung-workshop", "--process", "ik").stdout
        self.assertIn("Mittwoch, 14. Mai 2031; die Uhrzeit teilen wir Ihnen noch mit", md)
        self.assertIn("**Ort:** wird Ihnen noch mitgeteilt", md)
        self.assertIn("Dr. Claudia Brunken", md)
        self.assertNotIn("(Uhrzeit)", md)
        self.assertNotIn("(Ort)", md)
        self.assertNotIn("{{", md)
        # Completed later: a moved start keeps the length.
        e = d.json("event", "edit", str(e["id"]), "--start", "2031-05-14 09:30", "--end",
                   "12:00", "--location", "VHS, Forum")
        self.assertEqual((e["start"][:16], e["end"][:16], e["location"]),
                         ("2031-05-14T09:30", "2031-05-14T12:00", "VHS, Forum"))
        e = d.json("event", "edit", str(e["id"]), "--start", "2031-05-15 10:00")
        self.assertEqual((e["start"][:16], e["end"][:16]), ("2031-05-15T10:00", "2031-05-15T12:30"))
        md = d.ctl("draft", "render", "einladung-workshop", "--process", "ik").stdout
        self.assertIn("**Termin:** Donnerstag, 15. Mai 2031, 10:00 bis 12:30\u00a0Uhr", md)
        self.assertIn("**Ort:** VHS, Forum", md)
        # Invitees replaced; then removed.
        e = d.json("event", "edit", str(e["id"]), "--invite-committee", "kt")
        self.assertEqual(e["invitees"], ["kt-member"])
        self.assertEqual(d.json("event", "show", str(e["id"]))["invite"], [])
        d.ctl("event", "remove", str(e["id"]))
        self.assertEqual(d.json("event", "list"), [])
        self.assertIn("noch kein Workshop", d.ctl("draft", "render", "einladung-workshop",
                                                  "--process", "ik").stdout)

    def test_mistakes_are_named(self):
        d = self.d
        base = ["event", "add", "--process", "ik", "--title", "W"]
        for args, want in ((["--start", "2031-05-14", "--end", "12:00"], "--start has none"),
                           (["--start", "2031-05-14 10:00", "--end", "2031-05-15"],
                            "needs one too"),
                           (["--start", "2031-05-14 10:00", "--end", "09:00"], "after --start"),
                           (["--start", "2031-03-30 02:30"], "02:30"),
                           (["--start", "2031-05-14", "--step", "13"], "no step 13"),
                           (["--start", "2031-05-14", "--invite", "nobody"], '"nobody"')):
            r = d.ctl(*base, *args, check=False)
            self.assertEqual(r.returncode, 1, args)
            self.assertIn(want, r.stderr, args)
        r = d.ctl("event", "add", "--process", "ik", "--start", "2031-05-14", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--title", r.stderr)
        r = d.ctl("event", "show", "99", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no event 99", r.stderr)
        e = d.ctl("event", "add", *base[2:], "--start", "2031-05-14")
        self.assertIn("invites no one", e.stderr)


if __name__ == "__main__":
    ikondtest.main()
