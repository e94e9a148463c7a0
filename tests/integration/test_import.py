#!/usr/bin/python3
"""Import of session calendars from council information systems.

"ikond-ctl import sessions FILE" with files shaped like ALLRIS and
SessionNet exports (a VTIMEZONE without rules, TZID on DTSTAMP, blank
lines, "ENTFÄLLT:" titles, one combined calendar of all committees):
sessions are created, changed and cancelled by UID or by committee and
day, re-importing changes nothing, a session missing from the dates an
export covers is cancelled, a change made here is never undone silently,
bad events are rejected with a reason, and a malformed file changes
nothing at all.
"""

import os
import subprocess
import sys
import tempfile
import unittest
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ikondtest  # noqa: E402

HEAD = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ratsinformationssystem//Export//DE\r\n"
        "METHOD:PUBLISH\r\n")
TAIL = "END:VCALENDAR\r\n"

# ALLRIS 4 (SiKalAbo.ics): a VTIMEZONE without rules, DTSTAMP with a TZID,
# blank lines between events, the committee in the title.
ALLRIS_HEAD = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CC e-gov GmbH//ALLRIS 4//DE\r\n"
               "X-WR-CALNAME:Sitzungskalender\r\n"
               "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nX-LIC-LOCATION:Europe/Berlin\r\n"
               "END:VTIMEZONE\r\n\r\n")


def event(uid, start, end, summary, location="Kreishaus, Sitzungssaal 1", extra=""):
    return ("BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260101T000000Z\r\n"
            "DTSTART;TZID=Europe/Berlin:%s\r\nDTEND;TZID=Europe/Berlin:%s\r\n"
            "SUMMARY:%s\r\nLOCATION:%s\r\n%sEND:VEVENT\r\n"
            % (uid, start, end, summary, location, extra))


def allris_event(uid, start, end, summary, url):
    return ("BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP;TZID=Europe/Berlin:20260105T101500\r\n"
            "DTSTART;TZID=Europe/Berlin:%s\r\nDTEND;TZID=Europe/Berlin:%s\r\n"
            "SUMMARY:%s\r\nLOCATION:Rathaus\\, Ratssaal\r\nURL:%s\r\n"
            "DESCRIPTION:Tagesordnung:\\n1. Eröffnung\\n2. Integrationskonzept\r\n"
            "END:VEVENT\r\n\r\n" % (uid, start, end, summary, url))


# The year of the sessions the tests import: the next one, so that every
# date in it is ahead and a session is "planned" whatever day the suite
# runs on (16 March is on winter time, 13 April on summer time every year).
Y = str(date.today().year + 1)


def ymd(d):
    return d.strftime("%Y%m%d")


class ImportBase(ikondtest.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.d.ctl("committee", "add", "ia", "--name", "Ausschuss für Integration",
                   "--kind", "fachausschuss")
        self.d.ctl("committee", "add", "kt", "--name", "Kreistag", "--kind", "kreistag")
        self.tmp = tempfile.mkdtemp(prefix="ikond-import-")

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return path

    def imp(self, name, text, *args):
        return self.d.json("import", "sessions", self.write(name, text), *args)

    def sessions(self):
        """Sessions by the id their export gave them (ikond's own if none)."""
        out = {}
        for s in self.d.json("session", "list"):
            ids = [x["id"] for x in s["sources"] if x["source"] == "ics"]
            out[ids[0] if ids else s["uid"]] = s
        return out

    def events(self, r, result):
        return [e for e in r["events"] if e["result"] == result]


class TestImport(ImportBase):
    def test_create_update_cancel_unchanged(self):
        first = HEAD + \
            event("allris-1001@ris.example", Y + "0316T170000", Y + "0316T193000",
                  "Sitzung des Ausschusses für Integration\\, öffentlich") + \
            event("allris-1002@ris.example", Y + "0413T170000", Y + "0413T190000",
                  "2. Sitzung") + \
            event("allris-1003@ris.example", Y + "0511T170000", Y + "0511T190000",
                  "3. Sitzung") + TAIL
        r = self.imp("a.ics", first, "--committee", "ia")
        self.assertEqual((r["created"], r["changed"], r["unchanged"], r["rejected"]), (3, 0, 0, 0))
        s = self.sessions()
        self.assertEqual(s["allris-1001@ris.example"]["title"],
                         "Sitzung des Ausschusses für Integration, öffentlich")
        self.assertEqual(s["allris-1001@ris.example"]["start"], Y + "-03-16T17:00:00+01:00")
        self.assertEqual(s["allris-1001@ris.example"]["state"], "planned")
        # The feed names the session with ikond's own UID, not the export's.
        self.assertRegex(s["allris-1001@ris.example"]["uid"], r"^session-.*\.ikond$")
        # Deadlines were derived for the imported sessions.
        self.assertTrue(self.d.json("deadline", "list"))

        r = self.imp("a.ics", first, "--committee", "ia")
        self.assertEqual((r["created"], r["changed"], r["unchanged"], r["cancelled"]),
                         (0, 0, 3, 0))

        second = HEAD + \
            event("allris-1001@ris.example", Y + "0316T180000", Y + "0316T200000",
                  "Sitzung des Ausschusses für Integration\\, öffentlich") + \
            event("allris-1002@ris.example", Y + "0413T170000", Y + "0413T190000",
                  "2. Sitzung", extra="STATUS:CANCELLED\r\n") + \
            event("allris-1003@ris.example", Y + "0511T170000", Y + "0511T190000",
                  "3. Sitzung") + TAIL
        r = self.imp("b.ics", second, "--committee", "ia")
        self.assertEqual((r["created"], r["changed"], r["unchanged"], r["cancelled"]),
                         (0, 1, 1, 1))
        moved = self.events(r, "changed")[0]
        self.assertEqual(moved["changes"], [{"field": "time", "old": Y + "-03-16 17:00–19:30",
                                             "new": Y + "-03-16 18:00–20:00"}])
        s2 = self.sessions()
        self.assertEqual(s2["allris-1001@ris.example"]["start"], Y + "-03-16T18:00:00+01:00")
        self.assertGreater(s2["allris-1001@ris.example"]["sequence"],
                           s["allris-1001@ris.example"]["sequence"])
        self.assertEqual(s2["allris-1002@ris.example"]["state"], "cancelled")
        self.assertEqual(s2["allris-1003@ris.example"]["sequence"],
                         s["allris-1003@ris.example"]["sequence"])
        human = self.d.ctl("import", "sessions", self.write("b2.ics", second), "--committee",
                           "ia").stdout
        self.assertTrue(human.startswith("0 created, 0 changed, 3 unchanged"), human)

        # The feed shows the cancelled session with STATUS:CANCELLED.
        feed = self.d.ctl("export", "--committee", "ia").stdout
        self.assertIn("UID:" + s2["allris-1002@ris.example"]["uid"], feed)
        self.assertNotIn("allris-1002@ris.example", feed)
        self.assertIn("STATUS:CANCELLED", feed)

    def test_bad_events_are_rejected_with_reasons(self):
        text = HEAD + \
            event("ok-1@ris.example", Y + "0316T170000", Y + "0316T190000", "Gut") + \
            event("bad-1@ris.example", Y + "0316T170000", Y + "0316T150000", "Ende vor Beginn") + \
            "BEGIN:VEVENT\r\nDTSTART:%s0316T170000Z\r\nSUMMARY:Ohne UID\r\nEND:VEVENT\r\n" % Y + \
            event("ok-1@ris.example", Y + "0317T170000", Y + "0317T190000", "Doppelt") + TAIL
        r = self.imp("c.ics", text, "--committee", "ia")
        self.assertEqual(r["created"], 1)
        self.assertEqual(r["rejected"], 3)
        reasons = [e.get("reason", "") for e in self.events(r, "rejected")]
        self.assertTrue(all(reasons), reasons)
        human = self.d.ctl("import", "sessions", self.write("c2.ics", text), "--committee", "ia")
        self.assertIn("rejected", human.stdout)

        # A UID of another committee's session is not moved over.
        r = self.imp("d.ics", HEAD + event("ok-1@ris.example", Y + "0316T170000",
                                           Y + "0316T190000", "Gut") + TAIL,
                     "--committee", "kt")
        self.assertEqual(r["rejected"], 1)

    def test_malformed_file_changes_nothing(self):
        self.imp("ok.ics", HEAD + event("keep@ris.example", Y + "0316T170000",
                                        Y + "0316T190000", "Bleibt") + TAIL, "--committee", "ia")
        before = self.d.json("session", "list")
        for name, text in (("html.ics", "<html><body>Fehler 500</body></html>"),
                           ("empty.ics", ""),
                           ("cut.ics", HEAD + event("new@ris.example", Y + "0316T170000",
                                                    Y + "0316T190000", "Neu")[:60]),
                           ("nested.ics", HEAD + "BEGIN:VEVENT\r\n" * 50 + TAIL)):
            with self.subTest(file=name):
                r = self.d.ctl("import", "sessions", self.write(name, text), "--committee", "ia",
                               check=False)
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                self.assertIn(name, r.stderr)
                self.assertEqual(self.d.json("session", "list"), before)
        r = self.d.ctl("import", "sessions", self.write("x.ics", HEAD + TAIL), check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--map", r.stderr)
        r = self.d.ctl("import", "sessions", self.write("y.ics", HEAD + TAIL), "--committee",
                       "nope", check=False)
        self.assertEqual(r.returncode, 1)
        r = self.d.ctl("import", "sessions", self.write("z.ics", HEAD + TAIL), "--map",
                       "Rat=nope", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("nope", r.stderr)

    def test_missing_session_is_cancelled_and_reported(self):
        three = HEAD + \
            event("m-1@ris.example", Y + "0316T170000", Y + "0316T190000", "1. Sitzung") + \
            event("m-2@ris.example", Y + "0413T170000", Y + "0413T190000", "2. Sitzung") + \
            event("m-3@ris.example", Y + "0511T170000", Y + "0511T190000", "3. Sitzung") + \
            event("m-4@ris.example", Y + "0921T170000", Y + "0921T190000", "4. Sitzung") + TAIL
        self.imp("m.ics", three, "--committee", "ia")
        # A session entered here and one of another committee are not the export's.
        self.d.ctl("session", "add", "--committee", "ia", "--start", Y + "-04-20 17:00")
        self.d.ctl("session", "add", "--committee", "kt", "--start", Y + "-04-21 17:00")
        without_2 = HEAD + \
            event("m-1@ris.example", Y + "0316T170000", Y + "0316T190000", "1. Sitzung") + \
            event("m-3@ris.example", Y + "0511T170000", Y + "0511T190000", "3. Sitzung") + TAIL

        r = self.imp("m2.ics", without_2, "--committee", "ia", "--keep-missing")
        self.assertEqual((r["cancelled"], r["missing"]), (0, 1))
        self.assertEqual(self.events(r, "missing")[0]["source_id"], "m-2@ris.example")
        self.assertEqual(self.sessions()["m-2@ris.example"]["state"], "planned")

        r = self.imp("m2.ics", without_2, "--committee", "ia")
        self.assertEqual((r["cancelled"], r["unchanged"]), (1, 2))
        gone = self.events(r, "cancelled")[0]
        self.assertEqual(gone["source_id"], "m-2@ris.example")
        self.assertIn("not in the export", gone["reason"])
        s = self.sessions()
        self.assertEqual(s["m-2@ris.example"]["state"], "cancelled")
        # After the export's last date: not covered, not touched.
        self.assertEqual(s["m-4@ris.example"]["state"], "planned")
        self.assertEqual([x["state"] for x in s.values() if not x["sources"]],
                         ["planned", "planned"])
        human = self.d.ctl("import", "sessions", self.write("m3.ics", without_2),
                           "--committee", "ia").stdout
        self.assertEqual(human.strip(), "0 created, 0 changed, 2 unchanged, 0 cancelled, "
                         "0 conflicts, 0 rejected")
        # Back in the export: planned again.
        r = self.imp("m.ics", three, "--committee", "ia")
        self.assertEqual(r["changed"], 1)
        self.assertEqual(self.sessions()["m-2@ris.example"]["state"], "planned")

    def test_local_changes_are_kept_and_conflicts_reported(self):
        one = HEAD + event("c-1@ris.example", Y + "0316T170000", Y + "0316T190000",
                           "Sitzung") + \
            event("c-2@ris.example", Y + "0413T170000", Y + "0413T190000", "Sitzung") + TAIL
        self.imp("c.ics", one, "--committee", "ia")
        s = self.sessions()
        self.d.ctl("session", "cancel", str(s["c-1@ris.example"]["id"]))
        self.d.ctl("session", "edit", str(s["c-2@ris.example"]["id"]), "--start",
                   Y + "-04-13 18:00")

        # The export did not change: the changes made here stay, nothing reported.
        r = self.imp("c.ics", one, "--committee", "ia")
        self.assertEqual((r["changed"], r["conflicts"], r["unchanged"]), (0, 0, 2))
        s = self.sessions()
        self.assertEqual(s["c-1@ris.example"]["state"], "cancelled")
        self.assertEqual(s["c-2@ris.example"]["start"], Y + "-04-13T18:00:00+02:00")

        # The export changed the same fields: conflicts, the local values stay.
        two = HEAD + event("c-1@ris.example", Y + "0316T170000", Y + "0316T190000",
                           "Sitzung", location="Rathaus") + \
            event("c-2@ris.example", Y + "0413T163000", Y + "0413T183000", "Sitzung") + TAIL
        r = self.imp("c2.ics", two, "--committee", "ia")
        self.assertEqual((r["conflicts"], r["changed"]), (1, 1))
        conflict = self.events(r, "conflict")[0]
        self.assertEqual(conflict["source_id"], "c-2@ris.example")
        self.assertEqual(conflict["conflicts"], [{
            "field": "time", "here": Y + "-04-13 18:00–20:00",
            "source": Y + "-04-13 16:30–18:30", "overwritten": False}])
        # The location changed only in the export and comes in; the cancellation stays.
        changed = self.events(r, "changed")[0]
        self.assertEqual([c["field"] for c in changed["changes"]], ["location"])
        s = self.sessions()
        self.assertEqual(s["c-1@ris.example"]["state"], "cancelled")
        self.assertEqual(s["c-1@ris.example"]["location"], "Rathaus")
        self.assertEqual(s["c-2@ris.example"]["start"], Y + "-04-13T18:00:00+02:00")
        human = self.d.ctl("import", "sessions", self.write("c3.ics", two), "--committee",
                           "ia").stdout
        self.assertIn("conflict", human)
        self.assertIn("time is %s-04-13 18:00–20:00 here, %s-04-13 16:30–18:30 in the "
                      "source; kept as it is here" % (Y, Y), human)

        # --overwrite takes the export's value where it conflicts.
        three = two.replace("Rathaus", "Rathaus, Saal 2")
        r = self.imp("c4.ics", three, "--committee", "ia", "--overwrite")
        self.assertEqual(r["conflicts"], 1)
        self.assertTrue(self.events(r, "conflict")[0]["conflicts"][0]["overwritten"])
        s = self.sessions()
        self.assertEqual(s["c-2@ris.example"]["start"], Y + "-04-13T16:30:00+02:00")
        # Settled: the next run has nothing to say.
        r = self.imp("c4.ics", three, "--committee", "ia")
        self.assertEqual((r["conflicts"], r["changed"], r["unchanged"]), (0, 0, 2))

        # A cancellation made here stays when the export moves the session.
        self.d.ctl("session", "cancel", str(s["c-2@ris.example"]["id"]))
        four = three.replace(Y + "0413T163000", Y + "0413T160000")
        r = self.imp("c5.ics", four, "--committee", "ia")
        self.assertEqual(r["conflicts"], 0)
        self.assertEqual(r["changed"], 1)
        self.assertEqual(self.sessions()["c-2@ris.example"]["state"], "cancelled")

    def test_cancellation_words_in_the_title(self):
        titles = ["ENTFÄLLT: Rat der Stadt Iserlohn", "entfällt - Ausschuss für Integration",
                  "Ausschuss für Integration (abgesagt)", "Sitzung fällt aus",
                  "ENTFAELLT: Kreistag", "Faellt aus: Jugendhilfeausschuss",
                  "Abgesagt! Sozialausschuss"]
        text = HEAD + "".join(
            event("w-%d@ris.example" % i, Y + "04%02dT170000" % (i + 1),
                  Y + "04%02dT190000" % (i + 1), t) for i, t in enumerate(titles)) + \
            event("w-9@ris.example", Y + "0420T170000", Y + "0420T190000",
                  "Bericht über entfallene Förderung") + TAIL
        r = self.imp("w.ics", text, "--committee", "ia")
        self.assertEqual(r["created"], 8)
        s = self.sessions()
        for i in range(len(titles)):
            self.assertEqual(s["w-%d@ris.example" % i]["state"], "cancelled", titles[i])
        self.assertEqual(s["w-0@ris.example"]["title"], "Rat der Stadt Iserlohn")
        self.assertEqual(s["w-1@ris.example"]["title"], "Ausschuss für Integration")
        self.assertEqual(s["w-2@ris.example"]["title"], "Ausschuss für Integration")
        self.assertEqual(s["w-3@ris.example"]["title"], "Sitzung")
        self.assertEqual(s["w-9@ris.example"]["state"], "planned")
        # The marker goes away again: the session is planned under its title.
        r = self.imp("w2.ics", text.replace("ENTFÄLLT: Rat", "Rat"), "--committee", "ia")
        self.assertEqual(r["changed"], 1)
        self.assertEqual(self.sessions()["w-0@ris.example"]["state"], "planned")

    def test_combined_export_split_by_the_map(self):
        text = ALLRIS_HEAD + \
            allris_event("a-1@allris", Y + "0316T170000", Y + "0316T190000",
                         "Ausschuss für Integration", "https://ris.example/si0057.asp?__ksinr=1") + \
            allris_event("a-2@allris", Y + "0324T180000", Y + "0324T210000",
                         "ENTFÄLLT: Kreistag des Landkreises", "https://ris.example/si0057.asp?__ksinr=2") + \
            allris_event("a-3@allris", Y + "0325T170000", Y + "0325T190000",
                         "Jugendhilfeausschuss", "https://ris.example/si0057.asp?__ksinr=3") + TAIL
        r = self.imp("all.ics", text, "--map", "Integration=ia", "--map", "kreistag*=kt")
        self.assertEqual((r["created"], r["unmapped"]), (2, 1))
        self.assertEqual(self.events(r, "unmapped")[0]["source_id"], "a-3@allris")
        s = self.sessions()
        self.assertEqual(s["a-1@allris"]["committee"], "ia")
        self.assertEqual(s["a-2@allris"]["committee"], "kt")
        self.assertEqual(s["a-2@allris"]["state"], "cancelled")
        self.assertEqual(s["a-2@allris"]["title"], "Kreistag des Landkreises")
        self.assertEqual(s["a-1@allris"]["location"], "Rathaus, Ratssaal")
        self.assertEqual(s["a-1@allris"]["url"], "https://ris.example/si0057.asp?__ksinr=1")

        # URL and description are published in the feed.
        feed = self.d.ctl("export", "--committee", "ia").stdout.replace("\n ", "")
        self.assertIn("URL:https://ris.example/si0057.asp?__ksinr=1", feed)
        self.assertIn("Im Ratsinformationssystem: https://ris.example/si0057.asp?__ksinr=1",
                      feed)
        self.assertIn("2. Integrationskonzept", feed)

    def test_map_in_the_configuration(self):
        self.d.write_config('import = { map = { ia = "Ausschuss für Integration"; '
                            'kt = [ "Kreistag*", "Kreisausschuss*" ]; }; };\n')
        self.d.ctl("reload")
        text = HEAD + \
            event("k-1@ris.example", Y + "0316T170000", Y + "0316T190000",
                  "Ausschuss für Integration") + \
            event("k-2@ris.example", Y + "0317T170000", Y + "0317T190000",
                  "Kreisausschuss") + \
            event("k-3@ris.example", Y + "0318T170000", Y + "0318T190000",
                  "Schulausschuss") + TAIL
        r = self.imp("k.ics", text)
        self.assertEqual((r["created"], r["unmapped"]), (2, 1))
        # --committee takes what no pattern matches.
        r = self.imp("k.ics", text, "--committee", "ia")
        self.assertEqual((r["created"], r["unchanged"]), (1, 2))
        self.assertEqual(self.sessions()["k-3@ris.example"]["committee"], "ia")

    def test_past_sessions_are_held_and_hand_entered_ones_not_doubled(self):
        past = date.today() - timedelta(days=30)
        ahead = date.today() + timedelta(days=60)
        self.d.ctl("session", "add", "--committee", "ia", "--start",
                   ahead.isoformat() + " 17:00", "--title", "Von Hand")
        text = HEAD + \
            event("p-1@ris.example", ymd(past) + "T170000", ymd(past) + "T190000", "Vergangen") + \
            event("p-2@ris.example", ymd(ahead) + "T170000", ymd(ahead) + "T190000",
                  "Aus dem RIS", extra="URL:https://ris.example/p2\r\n") + TAIL
        r = self.imp("p.ics", text, "--committee", "ia")
        self.assertEqual((r["created"], r["changed"]), (1, 1))
        linked = self.events(r, "changed")[0]
        self.assertIn("did not know", linked["reason"])
        self.assertEqual(sorted(c["field"] for c in linked["changes"]),
                         ["location", "time", "title", "url"])
        s = self.sessions()
        self.assertEqual(len(self.d.json("session", "list")), 2)
        self.assertEqual(s["p-1@ris.example"]["state"], "held")
        self.assertEqual(s["p-2@ris.example"]["title"], "Aus dem RIS")
        self.assertEqual(s["p-2@ris.example"]["url"], "https://ris.example/p2")
        self.assertEqual(self.imp("p.ics", text, "--committee", "ia")["unchanged"], 2)


if __name__ == "__main__":
    ikondtest.main()
