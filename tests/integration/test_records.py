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


def day(offset):
    return (datetime.date.today() + datetime.timedelta(days=offset)).isoformat()


def long_de(iso):
    weekdays = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
    months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
              "September", "Oktober", "November", "Dezember"]
    d = datetime.date.fromisoformat(iso[:10])
    return "%s, %d. %s %d" % (weekdays[d.weekday()], d.day, months[d.month - 1], d.year)


def wait_for(pred, timeout=20, what="condition"):
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
        time.sleep(0.5)
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
        self.assertIn(long_de(day(1)) + ", 10:00 bis 16:00 Uhr", md)
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
        self.assertIn("| **Ort** | wird Ihnen noch mitgeteilt |", md)
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
        self.assertIn("Donnerstag, 15. Mai 2031, 10:00 bis 12:30 Uhr", md)
        self.assertIn("| **Ort** | VHS, Forum |", md)
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
