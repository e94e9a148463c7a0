#!/usr/bin/python3
"""A real subscription: vdirsyncer fetches a feed URL over HTTP into a
local vdir and khal lists it.  Sessions on both sides of the spring and
autumn clock changes must show at their Europe/Berlin wall times, and the
deadlines derived from them as all-day entries.  Everything runs in
temporary config and data directories; the machine's own zone is set to
UTC so that only the feed's VTIMEZONE and khal's config decide the times.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ikondtest  # noqa: E402

SESSIONS = [  # local start, end
    ("2027-03-23 17:00", "2027-03-23 19:30"),   # CET
    ("2027-03-30 17:00", "2027-03-30 19:30"),   # CEST, after the spring change
    ("2027-10-26 09:15", "2027-10-26 11:00"),   # CET, after the autumn change
    ("2027-10-19 18:00", "2027-10-19 20:00"),   # CEST
]


class TestKhal(ikondtest.DaemonTestCase):
    def setUp(self):
        ikondtest.require("vdirsyncer", "vdirsyncer")
        ikondtest.require("khal", "khal")
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="ikond-khal-")
        self.env = dict(os.environ, TZ="UTC", HOME=self.tmp, XDG_CONFIG_HOME=self.tmp,
                        XDG_DATA_HOME=self.tmp, LANG="C.UTF-8", LC_ALL="C.UTF-8")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        super().tearDown()

    def run_tool(self, *cmd):
        r = subprocess.run(cmd, capture_output=True, text=True, env=self.env, timeout=120,
                           input="y\n" * 10)
        self.assertEqual(r.returncode, 0, "%s: %s%s" % (cmd[0], r.stdout, r.stderr))
        return r.stdout

    def test_subscription_shows_local_times_across_dst(self):
        self.d.ctl("committee", "add", "ia", "--name", "Ausschuss für Integration",
                   "--kind", "fachausschuss")
        for start, end in SESSIONS:
            self.d.ctl("session", "add", "--committee", "ia", "--start", start, "--end", end,
                       "--title", "Integrationsausschuss " + start[:10])
        url = self.d.json("feed", "add", "--committee", "ia")["url"]

        vdir = os.path.join(self.tmp, "vdir")
        os.makedirs(vdir)
        vconf = os.path.join(self.tmp, "vdirsyncer.conf")
        with open(vconf, "w", encoding="utf-8") as f:
            f.write('[general]\nstatus_path = "%s/status/"\n\n'
                    '[pair ikond]\na = "ikond_remote"\nb = "ikond_local"\n'
                    'collections = null\nconflict_resolution = "a wins"\n\n'
                    '[storage ikond_remote]\ntype = "http"\nurl = "%s"\n\n'
                    '[storage ikond_local]\ntype = "filesystem"\npath = "%s/"\n'
                    'fileext = ".ics"\n' % (self.tmp, url, vdir))
        self.run_tool("vdirsyncer", "-c", vconf, "discover", "ikond")
        self.run_tool("vdirsyncer", "-c", vconf, "sync")
        files = os.listdir(vdir)
        self.assertGreaterEqual(len(files), len(SESSIONS))

        kconf = os.path.join(self.tmp, "khal.conf")
        with open(kconf, "w", encoding="utf-8") as f:
            f.write("[calendars]\n[[ikond]]\npath = %s\n\n"
                    "[sqlite]\npath = %s/khal.db\n\n"
                    "[locale]\nlocal_timezone = Europe/Berlin\n"
                    "default_timezone = Europe/Berlin\ntimeformat = %%H:%%M\n"
                    "dateformat = %%Y-%%m-%%d\nlongdateformat = %%Y-%%m-%%d\n"
                    "datetimeformat = %%Y-%%m-%%d %%H:%%M\n"
                    "longdatetimeformat = %%Y-%%m-%%d %%H:%%M\n\n"
                    "[default]\ndefault_calendar = ikond\n" % (vdir, self.tmp))
        out = self.run_tool("khal", "-c", kconf, "list", "--format",
                            "{start}|{end}|{title}", "--day-format", "",
                            "2027-01-01", "2027-12-31")
        lines = [line for line in out.splitlines() if line.strip()]
        for start, end in SESSIONS:
            want = "%s|%s|Integrationsausschuss %s" % (start, end, start[:10])
            self.assertIn(want, lines, out)
        # The derived deadlines are all-day entries (start and end are dates).
        deadlines = [line for line in lines if "frist" in line.lower()]
        self.assertTrue(deadlines, out)
        for line in deadlines:
            start = line.split("|")[0]
            self.assertRegex(start, r"^\d{4}-\d{2}-\d{2}$", line)

        # A moved session reaches the subscriber on the next sync.
        sid = [s for s in self.d.json("session", "list")
               if s["title"].endswith("2027-03-30")][0]["id"]
        self.d.ctl("session", "edit", str(sid), "--start", "2027-03-30 16:00")
        self.run_tool("vdirsyncer", "-c", vconf, "sync")
        out = self.run_tool("khal", "-c", kconf, "list", "--format",
                            "{start}|{end}|{title}", "--day-format", "",
                            "2027-03-30", "2027-03-31")
        self.assertIn("2027-03-30 16:00|2027-03-30 18:30|Integrationsausschuss 2027-03-30", out)


if __name__ == "__main__":
    ikondtest.main()
