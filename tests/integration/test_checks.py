#!/usr/bin/python3
"""Local times must exist.

- `ikond-ctl deadline calc` (without a daemon) refuses an anchor time that
  does not exist, naming the valid ones as `session add` does; a rule's
  "at HH:MM" that falls into the gap moves as RFC 5545 3.3.5 says, in
  ikond-ctl and in the deadlines the daemon keeps, and the explanation says
  so.
"""

import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ikondtest  # noqa: E402


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60, **kw)


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
