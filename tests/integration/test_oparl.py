#!/usr/bin/python3
"""OParl 1.1 against a local server (oparlserver.py, on python3's http.server).

"ikond-ctl import oparl URL" reads the body's organisations, meetings and
persons page by page along links.next and turns them into committees,
sessions and actors; the second run asks with modified_since and reports
no changes; a deleted meeting cancels its session and raises its SEQUENCE
in the feed; a server that fails halfway (HTTP 500, broken JSON, too slow)
leaves the database as it was and the error names the URL; quirks of real
servers (null and missing fields, a date without a time, wrong types, HTML
in names) are survived.  With oparl.body in the configuration the daemon
syncs on its own thread, and the control socket and the feeds keep
answering while its fetch waits at the server.
"""

import datetime
import os
import subprocess
import sys
import threading
import time
import unittest

import icalendar

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ikondtest  # noqa: E402
from oparlserver import OParlServer  # noqa: E402

CONFIG = "oparl = { timeout = 3; };\n"
# The year of the meetings: the next one, so that every meeting is ahead
# whatever day the suite runs on (a past one is not cancelled when the
# source deletes it).  The papers keep their own dates.
Y = str(datetime.date.today().year + 1)


def fill(srv):
    """A Landkreis: two committees, a Fraktion, meetings with the quirks of real servers."""
    srv.organization(1, "Ausschuss für Integration", "Ausschuss", shortName="Integrationsausschuss")
    srv.organization(2, "Kreistag", "Parlament")
    srv.organization(3, "SPD-Fraktion", "Fraktion", org_type="Fraktion")
    srv.organization(4, "Integrationsbeirat", "Beirat", org_type=None)
    srv.meeting(1, 1, Y + "-03-16T17:00:00+01:00", Y + "-03-16T19:30:00+01:00")
    # HTML in the name, null fields, no end.
    srv.meeting(2, 1, Y + "-04-13T17:00:00+02:00",
                name="<b>2. Sitzung</b> des Ausschusses f&uuml;r Integration",
                location=None, web=None, end=None)
    # A date without a time, the organisation as a bare string, a wrong type.
    srv.meeting(3, 2, Y + "-05-20", organization=srv.url("organization", 2),
                cancelled="true")
    # Local time without an offset, a location without "type" and without description.
    srv.meeting(4, 2, Y + "-06-24T18:00:00", Y + "-06-24T21:00:00",
                location={"streetAddress": "Kreishaus", "room": "Saal 1",
                          "postalCode": "12345", "locality": "Musterstadt"})
    srv.meeting(5, 3, Y + "-03-17T19:00:00+01:00")          # the Fraktion's: not imported
    srv.meeting(6, 4, Y + "-03-18T17:00:00+01:00", name="Integrationsbeirat")
    srv.meeting(7, 1, None)                                  # no start: reported, skipped
    srv.person(1, "Petra Schulte", [1, 2])
    srv.person(2, "Can Demir", [3])                          # only in the Fraktion


def fetch(url):
    r = subprocess.run(["curl", "-s", "--fail", "--max-time", "10", url], capture_output=True,
                       check=True)
    return r.stdout


def sequences(raw):
    return {str(e["UID"]): int(e["SEQUENCE"])
            for e in icalendar.Calendar.from_ical(raw).walk("VEVENT")}


class OParlBase(ikondtest.DaemonTestCase):
    extra_config = CONFIG

    def setUp(self):
        super().setUp()
        self.srv = OParlServer().start()
        fill(self.srv)

    def tearDown(self):
        self.srv.stop()
        super().tearDown()

    def oparl(self, *args, check=True):
        return self.d.ctl("--json", "import", "oparl", self.srv.body_url(), *args, check=check)

    def run_json(self, *args):
        import json
        return json.loads(self.oparl(*args).stdout)

    def sessions(self):
        out = {}
        for s in self.d.json("session", "list"):
            for x in s["sources"]:
                if x["source"] == "oparl":
                    out[int(x["id"].rsplit("/", 1)[1])] = s
        return out

    def state(self):
        """Everything an import may change."""
        return (self.d.json("session", "list"), self.d.json("committee", "list"),
                self.d.json("actor", "list"), self.d.json("deadline", "list"))


class TestImport(OParlBase):
    def test_committees_sessions_and_a_second_run(self):
        r = self.run_json()
        self.assertEqual(r["body_name"], "Landkreis Musterland")
        committees = {c["slug"]: c for c in self.d.json("committee", "list")}
        self.assertEqual(sorted(committees), ["integrationsausschuss", "integrationsbeirat",
                                              "kreistag"])
        self.assertEqual(committees["integrationsausschuss"]["name"], "Ausschuss für Integration")
        self.assertEqual(committees["integrationsausschuss"]["kind"], "fachausschuss")
        self.assertEqual(committees["kreistag"]["kind"], "kreistag")
        self.assertEqual(committees["integrationsbeirat"]["kind"], "integrationsbeirat")
        self.assertEqual(r["committees_created"], 3)
        self.assertEqual((r["created"], r["rejected"], r["ignored"]), (5, 1, 1))
        self.assertIn("no \"start\"", self.events(r, "rejected")[0]["reason"])

        s = self.sessions()
        self.assertEqual(s[1]["start"], Y + "-03-16T17:00:00+01:00")
        self.assertEqual(s[1]["end"], Y + "-03-16T19:30:00+01:00")
        self.assertEqual(s[1]["location"], "Kreishaus, Sitzungssaal 1")
        self.assertEqual(s[1]["url"], "https://ris.example/si0057.asp?__ksinr=1")
        self.assertEqual(s[1]["committee"], "integrationsausschuss")
        self.assertEqual(s[2]["title"], "2. Sitzung des Ausschusses für Integration")
        self.assertEqual(s[2]["location"], "")
        self.assertEqual(s[2]["end"], Y + "-04-13T20:00:00+02:00")
        self.assertEqual(s[3]["start"], Y + "-05-20T00:00:00+02:00")
        self.assertEqual(s[3]["state"], "cancelled")
        self.assertEqual(s[3]["committee"], "kreistag")
        self.assertEqual(s[4]["start"], Y + "-06-24T18:00:00+02:00")
        self.assertEqual(s[4]["location"], "Kreishaus, Saal 1, 12345 Musterstadt")
        self.assertNotIn(5, s)
        self.assertTrue(self.d.json("deadline", "list"))
        # Pages were followed: 7 meetings, 3 to a page.
        self.assertEqual(len(self.srv.list_requests("meetings")), 3)

        r = self.run_json()
        self.assertEqual((r["created"], r["changed"], r["cancelled"], r["conflicts"],
                          r["committees_created"]), (0, 0, 0, 0, 0))
        self.assertTrue(self.oparl().stdout)
        human = self.d.ctl("import", "oparl", self.srv.body_url()).stdout
        self.assertTrue(human.startswith("0 created, 0 changed, 5 unchanged"), human)
        # After the first run only what changed is asked for.
        self.assertNotIn("modified_since", self.srv.list_requests("meetings")[0])
        self.assertIn("modified_since", self.srv.list_requests("meetings")[-1])

        # A moved meeting comes in through modified_since.
        self.srv.change("meetings", 1, start=Y + "-03-16T18:00:00+01:00",
                        end=Y + "-03-16T20:00:00+01:00")
        r = self.run_json()
        self.assertEqual(r["changed"], 1)
        self.assertEqual(self.events(r, "changed")[0]["changes"][0]["field"], "time")
        self.assertEqual(self.sessions()[1]["start"], Y + "-03-16T18:00:00+01:00")

        status = self.d.json("status")["oparl"]
        self.assertEqual(status["last_run"]["result"], "ok")
        self.assertEqual(status["last_run"]["trigger"], "command")
        self.assertEqual(status["servers"][0]["server"], self.srv.body_url())

    def events(self, r, result):
        return [e for e in r["events"] if e["result"] == result]

    def test_deleted_meeting_cancels_and_raises_sequence(self):
        self.run_json()
        url = self.d.json("feed", "add", "--all")["url"]
        before = sequences(fetch(url))
        s1 = self.sessions()[1]
        deadlines = {"deadline-%d@%s" % (x["id"], s1["uid"].split("@")[1])
                     for x in self.d.json("deadline", "list") if x["session"] == s1["id"]}
        self.srv.delete("meetings", 1)
        r = self.run_json()
        self.assertEqual(r["cancelled"], 1)
        self.assertEqual(self.events(r, "cancelled")[0]["reason"], "deleted in the source")
        self.assertEqual(self.sessions()[1]["state"], "cancelled")
        after = sequences(fetch(url))
        raised = {u for u in after if after[u] > before.get(u, 0)}
        self.assertEqual(raised, {s1["uid"]} | deadlines)

    def test_a_failing_server_changes_nothing(self):
        self.run_json()
        self.srv.meeting(8, 1, Y + "-09-14T17:00:00+02:00")
        self.srv.change("meetings", 2, start=Y + "-04-13T18:00:00+02:00")
        self.srv.delete("meetings", 4)
        self.srv.page_size = 1
        before = self.state()
        for how, words in (("500", "HTTP status 500"), ("json", "not JSON"),
                           ("slow", "no complete answer within 3 seconds")):
            with self.subTest(how):
                self.srv.failures.clear()
                self.srv.slow_seconds = 5
                self.srv.fail("meetings", 2, how)
                r = self.oparl(check=False)
                self.assertEqual(r.returncode, 1, r.stdout)
                self.assertIn(self.srv.body_url() + "/meetings?", r.stderr)
                self.assertIn("page=2", r.stderr)
                self.assertIn(words, r.stderr)
                self.assertIn("nothing was changed", r.stderr)
                self.assertEqual(self.state(), before)
                status = self.d.json("status")["oparl"]["last_run"]
                self.assertEqual(status["result"], "failed")
                self.assertIn(words, status["error"])
        # A 500 once is a spurious one: tried again, and it works.
        self.srv.failures.clear()
        self.srv.fail("meetings", 2, "500once")
        r = self.run_json()
        self.assertEqual((r["created"], r["changed"], r["cancelled"]), (1, 1, 1))

    def test_system_with_several_bodies(self):
        self.srv.nbodies = 2
        r = self.d.ctl("import", "oparl", self.srv.system_url(), check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("2 bodies", r.stderr)
        self.assertIn("1 = Landkreis Musterland", r.stderr)
        self.assertEqual(self.d.json("committee", "list"), [])
        r = self.d.json("import", "oparl", self.srv.system_url(), "--body", "1")
        self.assertEqual(r["body"], self.srv.body_url(1))
        self.assertEqual(r["created"], 5)
        r = self.d.ctl("import", "oparl", "ftp://x", check=False)
        self.assertEqual(r.returncode, 2)


class TestNothingTwice(OParlBase):
    def test_sessions_from_ics_or_by_hand_and_mapped_committees(self):
        d = self.d
        d.ctl("committee", "add", "ia", "--name", "Ausschuss für Integration", "--kind",
              "fachausschuss")
        d.ctl("committee", "add", "kt", "--name", "Der Kreistag", "--kind", "kreistag")
        by_hand = d.json("session", "add", "--committee", "ia", "--start", Y + "-03-16 17:00",
                         "--title", "Von Hand")
        ics = os.path.join(d.dir, "kt.ics")
        with open(ics, "w", encoding="utf-8", newline="") as f:
            f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\n"
                    "UID:allris-4@ris.example\r\nDTSTART;TZID=Europe/Berlin:%s0624T180000\r\n"
                    "DTEND;TZID=Europe/Berlin:%s0624T210000\r\nSUMMARY:Kreistag\r\n"
                    "DESCRIPTION:Tagesordnung\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n" % (Y, Y))
        d.ctl("import", "sessions", ics, "--committee", "kt")
        r = self.run_json("--map", "Kreistag=kt", "--map", "Ausschuss für Integration=ia")
        # Only the mapped organisations; the existing committees are theirs.
        self.assertEqual(sorted(c["slug"] for c in d.json("committee", "list")), ["ia", "kt"])
        self.assertEqual(r["committees_created"], 0)
        s = self.sessions()
        self.assertEqual(s[1]["id"], by_hand["id"])
        self.assertEqual(s[1]["title"], "1. Sitzung")
        self.assertEqual(sorted(x["source"] for x in s[4]["sources"]), ["ics", "oparl"])
        # The server gives no text: the export's stays; its link comes in.
        shown = d.json("session", "show", str(s[4]["id"]))
        self.assertEqual(shown["description"], "Tagesordnung")
        self.assertEqual(shown["url"], "https://ris.example/si0057.asp?__ksinr=4")
        self.assertEqual(len(d.json("session", "list")), 4)
        # The beirat is not in the map: its meeting is not imported.
        self.assertEqual(r["ignored"], 2)

    def events(self, r, result):
        return [e for e in r["events"] if e["result"] == result]

    def test_changes_here_against_the_server(self):
        self.run_json()
        s = self.sessions()
        self.d.ctl("session", "cancel", str(s[1]["id"]))
        self.srv.change("meetings", 1, start=Y + "-03-16T16:00:00+01:00",
                        end=Y + "-03-16T18:00:00+01:00", cancelled=False,
                        name="1. Sitzung (verlegt)")
        r = self.run_json()
        # Time and title came from the server; the cancellation made here stays.
        self.assertEqual(r["changed"], 1)
        s = self.sessions()
        self.assertEqual(s[1]["state"], "cancelled")
        self.assertEqual(s[1]["start"], Y + "-03-16T16:00:00+01:00")
        self.d.ctl("session", "edit", str(s[2]["id"]), "--start", Y + "-04-13 19:00")
        self.srv.change("meetings", 2, start=Y + "-04-13T18:30:00+02:00")
        r = self.run_json()
        self.assertEqual(r["conflicts"], 1)
        self.assertEqual(self.sessions()[2]["start"], Y + "-04-13T19:00:00+02:00")
        r = self.run_json("--overwrite")
        self.assertEqual(self.sessions()[2]["start"], Y + "-04-13T18:30:00+02:00")


class TestPersons(OParlBase):
    def test_persons_only_on_request_without_mail(self):
        self.run_json()
        self.assertEqual(self.d.json("actor", "list"), [])
        r = self.run_json("--persons")
        self.assertEqual(r["actors_created"], 1)
        a = self.d.json("actor", "show", "petra-schulte")
        self.assertEqual(a["email"], "")
        self.assertTrue(a["incomplete"])
        self.assertEqual(sorted(c["committee"] for c in a["committees"]),
                         ["integrationsausschuss", "kreistag"])
        problems = self.d.json("status")["problems"]
        self.assertTrue(any("petra-schulte" in p and "incomplete" in p for p in problems),
                        problems)
        r = self.run_json("--persons")
        self.assertEqual(r["actors_created"], 0)
        self.assertEqual(len(r["records"]), 0)


class TestPapers(OParlBase):
    def setUp(self):
        super().setUp()
        srv = self.srv
        srv.paper(1, "V/2027/013", "Integrationskonzept: Beschluss", "Beschlussvorlage",
                  "2027-02-01", [(1, "Vorberatung", False), (4, "Entscheidung", True)])
        srv.paper(2, "V/2027/020", "Bericht über die Workshops", "Mitteilungsvorlage",
                  "2027-03-01", [(2, "Anhörung", False), (3, "Zur Information", False),
                                 (5, "Beratung", False)])
        srv.paper(3, "V/2026/099", "Haushalt 2027", "Beschlussvorlage", "2026-05-01",
                  [(1, "Beschlussfassung", True)])
        srv.paper(4, "A/2027/001", "Antrag der Fraktion", "Antrag", "2027-02-10",
                  [(5, "Beratung", True)])
        self.run_json()

    def test_by_reference_without_owner(self):
        r = self.run_json("--paper", "V/2027/013")
        self.assertEqual(r["submissions_created"], 1)
        b = self.d.json("submission", "list")
        self.assertEqual(len(b), 1)
        sub = self.d.json("submission", "show", str(b[0]["id"]))
        self.assertEqual((sub["ref"], sub["kind"], sub["owner"]),
                         ("V/2027/013", "beschlussvorlage", None))
        self.assertTrue(sub["incomplete"])
        s = self.sessions()
        self.assertEqual([(x["session"], x["role"], x["role_text"]) for x in sub["beratungen"]],
                         [(s[1]["id"], "vorberatung", "Vorberatung"),
                          (s[4]["id"], "entscheidung", "Entscheidung")])
        self.assertTrue(all(x["deadline"] for x in sub["beratungen"]))
        problems = self.d.json("status")["problems"]
        self.assertTrue(any("V/2027/013" in p and "nobody is responsible" in p
                            for p in problems), problems)
        # Nothing twice; an owner set here stays.
        self.d.ctl("actor", "add", "bb", "--name", "Bildungsbüro", "--email", "bb@example.org")
        self.d.ctl("submission", "edit", str(sub["id"]), "--owner", "bb")
        r = self.run_json("--paper", "V/2027/013")
        self.assertEqual((r["submissions_created"], r["beratungen_created"]), (0, 0))
        self.assertEqual(self.d.json("submission", "show", str(sub["id"]))["owner"], "bb")
        # Deleted in the source: withdrawn.
        self.srv.delete("papers", 1)
        r = self.run_json("--papers-since", "2027-01-01")
        self.assertEqual(r["submissions_withdrawn"], 1)
        self.assertEqual(self.d.json("submission", "show", str(sub["id"]))["state"],
                         "withdrawn")

    def test_a_vorlage_made_here_is_the_paper_with_its_reference(self):
        s = self.sessions()
        self.d.ctl("actor", "add", "bb", "--name", "Bildungsbüro", "--email", "bb@example.org")
        mine = self.d.json("submission", "add", "--title", "Bericht Workshops", "--kind",
                           "mitteilungsvorlage", "--session", str(s[2]["id"]), "--owner", "bb",
                           "--ref", "V/2027/020", "--role", "anhoerung")
        r = self.run_json("--papers-since", "2027-01-01", "--paper-type", "Mitteilung")
        self.assertEqual((r["submissions_created"], r["beratungen_created"]), (0, 1))
        b = self.d.json("submission", "list")
        self.assertEqual(len(b), 1)
        sub = self.d.json("submission", "show", str(mine["id"]))
        self.assertEqual(sub["title"], "Bericht Workshops")
        self.assertEqual(sub["owner"], "bb")
        # An unknown role is kept as the server wrote it; the Fraktion's meeting is not here.
        self.assertEqual([(x["session"], x["role"], x["role_text"]) for x in sub["beratungen"]],
                         [(s[2]["id"], "anhoerung", "Anhörung"),
                          (s[3]["id"], "vorberatung", "Zur Information")])

    def test_by_date_and_type(self):
        r = self.run_json("--papers-since", "2027-01-01", "--paper-type", "Beschluss*")
        self.assertEqual(r["submissions_created"], 1)
        self.assertEqual([b["ref"] for b in self.d.json("submission", "list")], ["V/2027/013"])
        # The Fraktion's Antrag has no consultation at an imported meeting.
        r = self.run_json("--papers-since", "2027-01-01")
        self.assertEqual(r["submissions_created"], 1)
        self.assertTrue(any("A/2027/001" in e.get("reason", "") for e in r["events"]
                            if e["result"] == "rejected"))
        for args in (("--paper", "X", "--papers-since", "2027-01-01"),
                     ("--paper-type", "Antrag"), ("--papers-since", "gestern")):
            self.assertEqual(self.oparl(*args, check=False).returncode, 2, args)


class TestPeriodicSync(unittest.TestCase):
    def setUp(self):
        self.srv = OParlServer(page_size=1).start()
        fill(self.srv)
        self.d = ikondtest.Daemon('oparl = { body = "%s"; interval = "PT2S"; timeout = 30; };\n'
                                  % self.srv.body_url())
        # The first run waits at the server until the test lets it go.
        self.srv.gate = threading.Event()
        self.d.start()

    def tearDown(self):
        self.d.cleanup()
        self.srv.stop()

    def test_runs_on_its_own_thread(self):
        d = self.d
        url = d.json("feed", "add", "--all")["url"]
        deadline = time.time() + 60
        while not (d.json("status")["oparl"].get("running") and self.srv.requests):
            self.assertLess(time.time(), deadline, "the timer did not start a run")
            time.sleep(0.1)
        # While the fetch waits at the server, the control socket and the
        # feeds answer: a client that waited for the run would hang here
        # until the server is let go, and ikond-ctl's --timeout would fail it.
        for _ in range(3):
            self.assertTrue(d.json("--timeout", "20", "status")["oparl"]["running"])
            self.assertIn(b"BEGIN:VCALENDAR", fetch(url))
        self.srv.gate.set()
        deadline = time.time() + 60
        while not (st := d.json("status")["oparl"]).get("last_run"):
            self.assertLess(time.time(), deadline, "the run did not end")
            time.sleep(0.1)
        self.assertEqual(st["last_run"]["result"], "ok", st)
        self.assertEqual(st["last_run"]["trigger"], "timer")
        self.assertEqual(len([s for s in d.json("session", "list") if s["sources"]]), 5)

        # The next run comes by itself and picks up a change.
        self.srv.change("meetings", 2, name="2. Sitzung (geändert)")
        deadline = time.time() + 30
        while time.time() < deadline:
            if any(s["title"] == "2. Sitzung (geändert)" for s in d.json("session", "list")):
                break
            time.sleep(0.2)
        else:
            self.fail("the periodic run did not pick up the change")
        self.assertIn("modified_since", self.srv.list_requests("meetings")[-1])


if __name__ == "__main__":
    ikondtest.main()
