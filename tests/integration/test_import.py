#!/usr/bin/python3
"""Import of session calendars from council information systems.

"ikond-ctl import sessions FILE --committee SLUG" with files shaped like
ALLRIS and SessionNet exports: sessions are created, updated and
cancelled by UID, re-importing changes nothing, bad events are rejected
with a reason, and a malformed file changes nothing at all.
"""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ikondtest  # noqa: E402

HEAD = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ratsinformationssystem//Export//DE\r\n"
        "METHOD:PUBLISH\r\n")
TAIL = "END:VCALENDAR\r\n"


def event(uid, start, end, summary, location="Kreishaus, Sitzungssaal 1", extra=""):
    return ("BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260101T000000Z\r\n"
            "DTSTART;TZID=Europe/Berlin:%s\r\nDTEND;TZID=Europe/Berlin:%s\r\n"
            "SUMMARY:%s\r\nLOCATION:%s\r\n%sEND:VEVENT\r\n"
            % (uid, start, end, summary, location, extra))


class TestImport(ikondtest.DaemonTestCase):
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

    def sessions(self):
        return {s["uid"]: s for s in self.d.json("session", "list")}

    def test_create_update_cancel_unchanged(self):
        first = HEAD + \
            event("allris-1001@ris.example", "20270316T170000", "20270316T193000",
                  "Sitzung des Ausschusses für Integration\\, öffentlich") + \
            event("allris-1002@ris.example", "20270413T170000", "20270413T190000",
                  "2. Sitzung") + \
            event("allris-1003@ris.example", "20270511T170000", "20270511T190000",
                  "3. Sitzung") + TAIL
        path = self.write("a.ics", first)
        r = self.d.json("import", "sessions", path, "--committee", "ia")
        self.assertEqual((r["created"], r["updated"], r["unchanged"], r["rejected"]), (3, 0, 0, 0))
        s = self.sessions()
        self.assertEqual(s["allris-1001@ris.example"]["title"],
                         "Sitzung des Ausschusses für Integration, öffentlich")
        self.assertEqual(s["allris-1001@ris.example"]["start"], "2027-03-16T17:00:00+01:00")
        # Deadlines were derived for the imported sessions.
        self.assertTrue(self.d.json("deadline", "list"))

        r = self.d.json("import", "sessions", path, "--committee", "ia")
        self.assertEqual((r["created"], r["updated"], r["unchanged"]), (0, 0, 3))

        second = HEAD + \
            event("allris-1001@ris.example", "20270316T180000", "20270316T200000",
                  "Sitzung des Ausschusses für Integration\\, öffentlich") + \
            event("allris-1002@ris.example", "20270413T170000", "20270413T190000",
                  "2. Sitzung", extra="STATUS:CANCELLED\r\n") + \
            event("allris-1003@ris.example", "20270511T170000", "20270511T190000",
                  "3. Sitzung") + TAIL
        r = self.d.json("import", "sessions", self.write("b.ics", second), "--committee", "ia")
        self.assertEqual((r["created"], r["updated"], r["unchanged"]), (0, 2, 1))
        s2 = self.sessions()
        self.assertEqual(s2["allris-1001@ris.example"]["start"], "2027-03-16T18:00:00+01:00")
        self.assertGreater(s2["allris-1001@ris.example"]["sequence"],
                           s["allris-1001@ris.example"]["sequence"])
        self.assertEqual(s2["allris-1002@ris.example"]["state"], "cancelled")
        self.assertEqual(s2["allris-1003@ris.example"]["sequence"],
                         s["allris-1003@ris.example"]["sequence"])

        # The feed shows the cancelled session with STATUS:CANCELLED.
        feed = self.d.ctl("export", "--committee", "ia").stdout
        self.assertIn("UID:allris-1002@ris.example", feed)
        self.assertIn("STATUS:CANCELLED", feed)

    def test_bad_events_are_rejected_with_reasons(self):
        text = HEAD + \
            event("ok-1@ris.example", "20270316T170000", "20270316T190000", "Gut") + \
            event("bad-1@ris.example", "20270316T170000", "20270316T150000", "Ende vor Beginn") + \
            "BEGIN:VEVENT\r\nDTSTART:20270316T170000Z\r\nSUMMARY:Ohne UID\r\nEND:VEVENT\r\n" + \
            event("ok-1@ris.example", "20270317T170000", "20270317T190000", "Doppelt") + TAIL
        r = self.d.json("import", "sessions", self.write("c.ics", text), "--committee", "ia")
        self.assertEqual(r["created"], 1)
        self.assertEqual(r["rejected"], 3)
        reasons = [e.get("reason", "") for e in r["events"] if e["result"] == "rejected"]
        self.assertTrue(all(reasons), reasons)
        human = self.d.ctl("import", "sessions", self.write("c2.ics", text), "--committee", "ia")
        self.assertIn("rejected", human.stdout)

        # A UID of another committee's session is not moved over.
        r = self.d.json("import", "sessions", self.write("d.ics", HEAD + event(
            "ok-1@ris.example", "20270316T170000", "20270316T190000", "Gut") + TAIL),
            "--committee", "kt")
        self.assertEqual(r["rejected"], 1)

    def test_malformed_file_changes_nothing(self):
        self.d.json("import", "sessions", self.write("ok.ics", HEAD + event(
            "keep@ris.example", "20270316T170000", "20270316T190000", "Bleibt") + TAIL),
            "--committee", "ia")
        before = self.d.json("session", "list")
        for name, text in (("html.ics", "<html><body>Fehler 500</body></html>"),
                           ("empty.ics", ""),
                           ("cut.ics", HEAD + event("new@ris.example", "20270316T170000",
                                                    "20270316T190000", "Neu")[:60]),
                           ("nested.ics", HEAD + "BEGIN:VEVENT\r\n" * 50 + TAIL)):
            with self.subTest(file=name):
                r = self.d.ctl("import", "sessions", self.write(name, text), "--committee", "ia",
                               check=False)
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                self.assertIn(name, r.stderr)
                self.assertEqual(self.d.json("session", "list"), before)
        r = self.d.ctl("import", "sessions", self.write("x.ics", HEAD + TAIL), check=False)
        self.assertEqual(r.returncode, 2)
        r = self.d.ctl("import", "sessions", self.write("y.ics", HEAD + TAIL), "--committee",
                       "nope", check=False)
        self.assertEqual(r.returncode, 1)


if __name__ == "__main__":
    ikondtest.main()
