"""German for the admin: ikond-ctl and the daemon's replies through GNU
gettext.  ikond-ctl speaks the language of its own locale and sends it
with each request; the daemon answers that request in it and in English
to everyone else, at the same time, and its log stays English.  The
catalog po/de.po translates every message the sources mark (compared with
what xgettext finds), and msgfmt checks it.
"""

import os
import re
import subprocess
import sys
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(__file__))
import ikondtest  # noqa: E402
from ikondtest import DaemonTestCase  # noqa: E402

GERMAN = {"LC_ALL": "de_DE.UTF-8"}
PO = os.path.join(ikondtest.SRC, "po", "de.po")
MESSAGES = os.path.join(ikondtest.SRC, "po", "messages.sh")


def require_german_locale():
    r = subprocess.run(["locale", "-a"], capture_output=True, text=True)
    if not re.search(r"^de_DE\.utf-?8$", r.stdout, re.M | re.I):
        raise AssertionError("the locale de_DE.UTF-8 is not generated: apt-get install "
                             "locales and run locale-gen de_DE.UTF-8 (.ci/install-deps --tests "
                             "does both)")


def po_entries(text):
    """{msgid: (msgstr, fuzzy)} of a PO file's text."""
    entries = {}
    for block in text.split("\n\n"):
        def joined(key):
            m = re.search(r'^%s ((?:"(?:[^"\\]|\\.)*"\n?)+)' % key, block, re.M)
            return None if m is None else "".join(re.findall(r'"((?:[^"\\]|\\.)*)"',
                                                             m.group(1)))
        msgid = joined("msgid")
        if msgid:
            entries[msgid] = (joined("msgstr"), "#, fuzzy" in block or ", fuzzy" in block)
    return entries


class Catalog(unittest.TestCase):

    def test_every_message_has_a_translation(self):
        ikondtest.require("xgettext", "gettext")
        msgfmt = ikondtest.require("msgfmt", "gettext")
        pot = subprocess.run(["sh", MESSAGES], capture_output=True, text=True, check=True).stdout
        wanted = po_entries(pot)
        self.assertGreater(len(wanted), 300)
        with open(PO, encoding="utf-8") as f:
            have = po_entries(f.read())
        missing = sorted(m for m in wanted if m not in have or not have[m][0])
        fuzzy = sorted(m for m in wanted if m in have and have[m][1])
        self.assertEqual(missing, [], "po/de.po lacks translations (po/messages.sh, msgmerge)")
        self.assertEqual(fuzzy, [], "po/de.po has fuzzy translations")
        stale = sorted(m for m in have if m not in wanted)
        self.assertEqual(stale, [], "po/de.po translates messages the sources no longer have")
        # The formats match their msgid (same conversions), and nothing is
        # left untranslated or fuzzy by msgfmt's count either.
        r = subprocess.run([msgfmt, "--check", "--statistics", "-o", os.devnull, PO],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, r"^\d+ translated messages\.$")


class Replies(DaemonTestCase):

    def setUp(self):
        require_german_locale()
        super().setUp()

    def fails(self, *args, env=None):
        r = self.d.ctl(*args, check=False, env=env)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        return r

    def test_daemon_answers_in_the_clients_language(self):
        self.load_example()
        de = self.fails("session", "show", "999", env=GERMAN)
        self.assertEqual(de.returncode, 1)
        self.assertIn("keine Sitzung 999 (siehe: ikond-ctl session list)", de.stderr)
        en = self.fails("session", "show", "999")
        self.assertIn("no session 999 (see: ikond-ctl session list)", en.stderr)
        # A usage error, found by the shared argument parser in the daemon.
        de = self.fails("session", "add", "--start", "2030-01-01 10:00", env=GERMAN)
        self.assertEqual(de.returncode, 2)
        self.assertIn("„session add“ braucht --committee", de.stderr)
        # The planner's reasons.
        self.d.ctl("process", "add", "ik", "--name", "Konzept", "--owner", "bildungsbuero")
        target = [s for s in self.d.json("session", "list", "--committee", "kreistag")][0]
        de = self.fails("process", "plan", "ik", "--target-session", str(target["id"]),
                        env=GERMAN)
        self.assertIn("der Plan geht nicht auf; nichts wurde gespeichert:", de.stderr)
        self.assertNotIn("not feasible", de.stderr)
        # Each reason too, not only the heading: which reasons there are
        # depends on the day the example's dates are derived from; none of
        # them may be left in English, nor any piece of one.
        reasons = [line for line in de.stderr.splitlines() if line.lstrip().startswith("- ")]
        self.assertTrue(reasons, de.stderr)
        for line in reasons:
            self.assertIsNone(re.search(r"\b(the|session|step|days?|weeks?|before|after|"
                                        r"earliest|route)\b", line), line)
        self.assertIsNone(re.search(r"\d{4}-\d\d-\d\d", de.stderr), de.stderr)
        self.assertRegex(de.stderr, r"\d\d\.\d\d\.\d{4}")
        en = self.fails("process", "plan", "ik", "--target-session", str(target["id"]))
        self.assertIn("the plan is not feasible; nothing was stored:", en.stderr)
        self.assertRegex(en.stderr, r"\d{4}-\d\d-\d\d")
        # A warning in German, the result as before.
        r = self.d.ctl("measure", "add", "--process", "ik", "--title", "Alt", "--owner",
                       "schulte", "--due", "2020-06-30", env=GERMAN)
        # Dates in German messages are German.
        self.assertIn("ikond-ctl: Warnung: der Termin 30.06.2020 ist vorbei", r.stderr)
        # A warning put together from pieces (2030-06-01 is a Saturday).
        r = self.d.ctl("session", "add", "--committee", "kreistag", "--start",
                       "2030-06-01 10:00", env=GERMAN)
        self.assertIn("ikond-ctl: Warnung: die Sitzung am 01.06.2030 liegt auf einem Samstag",
                      r.stderr)
        en = self.d.ctl("session", "add", "--committee", "kreistag", "--start",
                        "2030-06-08 10:00")
        self.assertIn("the session on 2030-06-08 falls on", en.stderr)
        # The daemon's own log stays English.
        log = self.d.read_log()
        self.assertNotIn("keine Sitzung", log)
        self.assertNotIn("Plan geht nicht auf", log)

    def test_a_background_job_answers_in_the_clients_language(self):
        """import oparl runs on a thread of its own and answers when it is
        done: in the language of the request that started it."""
        class NotOParl(BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"[]"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), NotOParl)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            url = "http://127.0.0.1:%d/oparl/body/1" % httpd.server_address[1]
            de = self.fails("import", "oparl", url, env=GERMAN)
            self.assertIn("kein OParl-Objekt; nichts wurde geändert", de.stderr)
            en = self.fails("import", "oparl", url)
            self.assertIn("not an OParl object", en.stderr)
        finally:
            httpd.shutdown()
            httpd.server_close()
        self.assertNotIn("kein OParl-Objekt", self.d.read_log())

    def test_local_commands_and_the_cli_itself(self):
        de = self.fails("holidays", "--land", "XX", env=GERMAN)
        self.assertIn("unbekanntes Land „XX“; gültig: BW", de.stderr)
        en = self.fails("holidays", "--land", "XX")
        self.assertIn('unknown Land "XX"; valid: BW', en.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            r = subprocess.run([ikondtest.IKOND_CTL, "--socket", os.path.join(tmp, "none"),
                                "status"], capture_output=True, text=True,
                               env=dict(os.environ, **GERMAN))
        self.assertEqual(r.returncode, 1)
        self.assertIn("ikond läuft nicht", r.stderr)

    def test_a_locale_that_is_not_installed_gets_english(self):
        r = self.fails("session", "show", "999", env={"LC_ALL": "xx_YY.UTF-8"})
        self.assertIn("no session 999", r.stderr)


if __name__ == "__main__":
    ikondtest.main()
