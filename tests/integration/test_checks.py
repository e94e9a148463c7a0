#!/usr/bin/python3
"""What `ikond -n` calls OK must work later, and local times must exist.

- Each configuration that passed `ikond -n` and then failed at start or at
  use is refused with FILE:LINE: invalid UTF-8 in any string, a host name
  as http.listen, an evaluation RRULE left in ikond.conf (it lives in
  the process file now), CR/LF in a mail
  header field, an address-less sender, uids and gids that do not exist, a
  feed refresh interval the feed writer refuses, an unreadable password
  file.  The daemon refuses the same file at start and on reload.
- `ikond-ctl deadline calc` (without a daemon) refuses an anchor time that
  does not exist, naming the valid ones as `session add` does; a rule's
  "at HH:MM" that falls into the gap moves as RFC 5545 3.3.5 says, in
  ikond-ctl and in the deadlines the daemon keeps, and the explanation says
  so.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ikondtest  # noqa: E402

# (name, file content, expected line, what the message must contain)
BAD = [
    ("utf8 in body.name", b'# Musterland\nbody = {\n  name = "Landkreis \xc3\x28";\n};\n', 3,
     '"body.name" is not valid UTF-8'),
    ("overlong utf8 in a list", b'reminders = {\n  committee = { kt = { session = [ "P1D", '
     b'"\xc0\xaf" ]; }; };\n};\n', 2, "not valid UTF-8"),
    ("host name as listen", b'http = {\n  listen = "localhost";\n};\n', 2,
     'http.listen "localhost" is not an IPv4 or IPv6 address'),
    ("evaluation rrule left in ikond.conf", b'process = {\n\n  evaluation_rrule = "FREQ=YEARLY";\n};\n',
     3, '"process.evaluation_rrule" moved into the process file'),
    ("CR LF in smtp.from", b'smtp = {\n  from = "ikond <a@example.org>\\r\\nBcc: x@example.org";\n};\n',
     2, '"smtp.from" contains a control character'),
    ("LF in body.name", b'body = { name = "Kreis\\nBcc: x"; };\n', 1, "control character"),
    ("sender without address", b'smtp = { from = "Integrationskonzept"; };\n', 1,
     "smtp.from: \"Integrationskonzept\" has no valid address"),
    ("uid -1", b'control = {\n  allow_users = [ -1 ];\n};\n', 2, "no user has the uid -1"),
    ("gid that does not exist", b'control = { allow_groups = [ 3999999 ]; };\n', 1,
     "no group has the gid 3999999"),
    ("refresh the feed writer refuses", b'feeds = { refresh = "P1W2D"; };\n', 1,
     'feeds.refresh "P1W2D" is not an RFC 5545 duration'),
    ("relative feed socket", b'http = {\n  socket = "run/feeds.sock";\n};\n', 2,
     "http.socket must be an absolute path"),
    ("unknown socket group", b'control = { socket_group = "no-such-group-here"; };\n', 1,
     'unknown group "no-such-group-here" in control.socket_group'),
    ("smtp.rate per day", b'smtp = {\n\n  rate = "30/day";\n};\n', 3, 'smtp.rate is "30/day"'),
    ("too many connections", b'smtp = {\n  connections = 17;\n};\n', 2,
     '"smtp.connections" is 17; it must be between 1 and 16'),
    ("unreadable password file", b'smtp = { host = "mail.example"; password_file = '
     b'"/nonexistent/ikond-password"; };\n', 1, "smtp.password_file: cannot read"),
]


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60, **kw)


class ConfigCheck(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ikond-check-")
        self.conf = os.path.join(self.dir, "ikond.conf")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_each_case_is_refused_with_file_and_line(self):
        for name, content, line, message in BAD:
            with self.subTest(case=name):
                with open(self.conf, "wb") as f:
                    f.write(content)
                r = run(ikondtest.IKOND, "-n", "-f", self.conf)
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                self.assertIn("%s:%d: " % (self.conf, line), r.stderr)
                self.assertIn(message, r.stderr)
                self.assertNotIn("configuration OK", r.stdout)

    def test_good_values_pass(self):
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write('body = { name = "Landkreis Öhringen – Süd"; address = "Kreishaus\\n'
                    'Marktplatz 1\\n12345 Öhringen"; };\n'
                    'http = { listen = "::1"; };\n'
                    'control = { allow_users = ( 0, "root" ); allow_groups = [ "root" ]; };\n'
                    'smtp = { from = "Bildungsbüro <bildung@musterland.example>"; };\n'
                    'feeds = { refresh = "P1D"; };\n')
        r = run(ikondtest.IKOND, "-n", "-f", self.conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("configuration OK", r.stdout)

    def test_daemon_refuses_at_start_and_on_reload(self):
        d = ikondtest.Daemon()
        try:
            d.write_config('smtp = { from = "Integrationskonzept"; };\n')
            d.start(wait=False)
            self.assertEqual(d.proc.wait(timeout=20), 1)
            self.assertIn('ikond.conf:4: smtp.from: "Integrationskonzept" has no valid address',
                          d.read_log())
            d.proc = None
            d.write_config()
            d.start()
            d.write_config('smtp = { from = "a@example.org\\r\\nBcc: b@example.org"; };\n')
            r = d.ctl("reload", check=False)
            self.assertEqual(r.returncode, 1)
            self.assertIn("ikond.conf:4:", r.stderr)
            self.assertIn("control character", r.stderr)
        finally:
            d.cleanup()


class LocalTimes(unittest.TestCase):
    def ctl(self, *args):
        env = dict(os.environ, IKOND_CONFIG="/nonexistent")
        return run(ikondtest.IKOND_CTL, *args, env=env)

    def test_anchor_in_the_gap_is_refused(self):
        r = self.ctl("deadline", "calc", "--anchor", "2026-03-29 02:30", "--rule", "-1d")
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("2026-03-29 02:30 does not exist in Europe/Berlin", r.stderr)
        self.assertIn("use 01:59 or 03:00", r.stderr)
        # The fold exists (twice) and a date without a time has no gap.
        self.assertEqual(self.ctl("deadline", "calc", "--anchor", "2026-10-25 02:30",
                                  "--rule", "-1d").returncode, 0)
        self.assertEqual(self.ctl("deadline", "calc", "--anchor", "2026-03-29",
                                  "--rule", "-1d").returncode, 0)

    def test_result_in_the_gap_moves(self):
        r = self.ctl("--json", "deadline", "calc", "--anchor", "2026-04-05 10:00",
                     "--rule", "-7d at 02:30")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual((out["date"], out["time"], out["nonexistent_time"]),
                         ("2026-03-29", "03:30", "02:30"))
        self.assertIn("RFC 5545", out["explanation"])
        self.assertIn("Ergebnis: So, 29.03.2026 03:30 Uhr", out["explanation"])
        self.assertNotIn("02:30 Uhr\n", out["explanation"].split("Ergebnis")[-1])

    def test_daemon_deadline_in_the_gap_moves(self):
        d = ikondtest.Daemon('rules = { ladungsfrist = "-7d keep at 02:30"; };\n').start()
        try:
            d.ctl("committee", "add", "kt", "--name", "Kreistag", "--kind", "kreistag")
            s = d.json("session", "add", "--committee", "kt", "--start", "2026-04-05 18:00")
            got = {x["kind"]: x for x in d.json("session", "show", str(s["id"]))["deadlines"]}
            self.assertEqual((got["ladungsfrist"]["date"], got["ladungsfrist"]["time"]),
                             ("2026-03-29", "03:30"))
            self.assertIn("RFC 5545", got["ladungsfrist"]["explanation"])
        finally:
            d.cleanup()


if __name__ == "__main__":
    ikondtest.main()
