#!/usr/bin/python3
"""SIGKILL at random moments, fifty times, into one state directory.

The kills land in the middle of an import of 3,000 sessions, of
"process plan --apply" and of mail batches against aiosmtpd.  After each
kill and before the restart the database passes PRAGMA integrity_check
(on a copy with its WAL); after the restart an import is there entirely
or not at all, a plan is stored entirely or not at all, and in the end
every reminder has been delivered at least once and at most twice, the
second time with the same Message-ID, and each kill delivered at most
UNRECORDED_MAX mails again: the daemon lets no more mails be accepted by
the relay ahead of recording their outcome (MAILER_UNRECORDED_MAX in
daemon/mailer.h).

Under the sanitizers (IKOND_SANITIZED set) the default is fewer kills.
"""

import os
import random
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ikondtest  # noqa: E402
from faultlib import Daemon, big_ics, day, integrity, wait_for  # noqa: E402
from test_reminders import Server  # noqa: E402

DEFAULT_KILLS = "4,6,10" if os.environ.get("IKOND_SANITIZED") else "12,18,20"
IMPORTS, PLANS, MAILS = (int(n) for n in os.environ.get("IKOND_KILLS", DEFAULT_KILLS).split(","))
UNRECORDED_MAX = 8  # MAILER_UNRECORDED_MAX in daemon/mailer.h
ACTORS = 25
IMPORT_EVENTS = 3000


class KillTest(unittest.TestCase):
    def setUp(self):
        self.rng = random.Random(os.environ.get("IKOND_KILL_SEED", str(time.time())))
        self.server = Server().start()
        self.server.handler.delay = 0.01
        cfg = ('smtp = { host = "127.0.0.1"; port = %d; starttls = "off"; '
               'from = "ikond <ikond@example.org>"; retry_seconds = 1; timeout = 5; };\n'
               'reminders = { send_time = "00:00"; session = [ "P2D" ]; deadline = [ ]; '
               'window = [ ]; measure = [ ]; evaluation = [ ]; };\n' % self.server.port)
        self.d = Daemon(cfg).start()
        self.files = tempfile.mkdtemp(prefix="ikond-kill-")
        self.kills = 0

    def tearDown(self):
        self.d.cleanup()
        self.server.stop()
        subprocess.run(["rm", "-rf", self.files], check=False)

    def ctl_async(self, *args):
        return subprocess.Popen([ikondtest.IKOND_CTL, "--socket", self.d.socket, *args],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill_after(self, ms, client):
        time.sleep(ms / 1000.0)
        self.d.sigkill()
        self.kills += 1
        client.wait(timeout=10)
        self.assertEqual(integrity(self.d.db), "ok", "after kill %d" % self.kills)
        self.d.start()

    # --- imports: two versions of the same 3,000 UIDs, alternately ---

    def import_state(self):
        rows = self.d.json("session", "list", "--committee", "imp")
        if not rows:
            return "none"
        titles = set(r["title"].split(" ")[0] for r in rows)
        self.assertEqual(len(rows), IMPORT_EVENTS, "half an import is stored")
        self.assertEqual(len(titles), 1, "sessions of two imports are mixed: %s" % titles)
        return titles.pop()

    def kill_imports(self):
        versions = {}
        for v in ("Alpha", "Beta"):
            text = big_ics(IMPORT_EVENTS, "imp").replace("SUMMARY:Sitzung", "SUMMARY:" + v)
            versions[v] = os.path.join(self.files, v + ".ics")
            with open(versions[v], "w", encoding="utf-8", newline="") as f:
                f.write(text)
        # One import uncut, to know how long one takes.
        t0 = time.monotonic()
        self.d.ctl("import", "sessions", versions["Alpha"], "--committee", "imp", timeout=120)
        took = time.monotonic() - t0
        self.assertEqual(self.import_state(), "Alpha")
        completed = 0
        for i in range(IMPORTS):
            before = self.import_state()
            target = "Beta" if before == "Alpha" else "Alpha"
            client = self.ctl_async("import", "sessions", versions[target], "--committee", "imp")
            self.kill_after(self.rng.uniform(0, took * 1000 * 1.2), client)
            after = self.import_state()
            self.assertIn(after, (before, target))
            completed += after != before
        return completed

    # --- plans: a new process per kill, each for another Kreistag session ---

    def plan_footprint(self):
        return (len(self.d.json("submission", "list")), len(self.d.json("window", "list")),
                len(self.d.json("evaluation", "list")))

    def kill_plans(self):
        kt = [self.d.json("session", "add", "--committee", "kt", "--start",
                          "%s 18:00" % day(700 + 70 * i))["id"] for i in range(PLANS + 1)]
        for i in range(32):
            self.d.ctl("session", "add", "--committee", "fa", "--start", "%s 17:00" % day(300 + 60 * i))
            self.d.ctl("session", "add", "--committee", "ka", "--start", "%s 14:00" % day(320 + 60 * i))
        before = self.plan_footprint()
        self.d.ctl("process", "add", "ref", "--name", "Referenz", "--target-session", str(kt[0]))
        t0 = time.monotonic()
        self.d.ctl("process", "plan", "ref", "--apply", "--committee", "fa", "--owner", "coord")
        took = time.monotonic() - t0
        after = self.plan_footprint()
        delta = tuple(a - b for a, b in zip(after, before))
        self.assertGreater(sum(delta), 0, "the reference plan stores something")
        completed = 0
        for i in range(PLANS):
            slug = "p%d" % i
            self.d.ctl("process", "add", slug, "--name", "Plan %d" % i, "--target-session",
                       str(kt[i + 1]))
            before = self.plan_footprint()
            client = self.ctl_async("process", "plan", slug, "--apply", "--committee", "fa", "--owner", "coord")
            self.kill_after(self.rng.uniform(0, took * 1000 * 1.5), client)
            now = self.plan_footprint()
            planned = self.d.json("process", "show", slug)["planned_at"] is not None
            got = tuple(a - b for a, b in zip(now, before))
            if planned:
                self.assertEqual(got, delta, "plan %s stored in part" % slug)
                completed += 1
            else:
                self.assertEqual(got, (0, 0, 0), "plan %s left something behind" % slug)
        return completed

    # --- mail batches ---

    def drained(self):
        return not [r for r in self.d.json("mail", "queue")
                    if r["state"] in ("queued", "sending") and r["offset"] == "P2D"]

    def delivered_ids(self):
        with self.server.handler.lock:
            return [m["Message-ID"] for _, m in self.server.handler.mails]

    def kill_mails(self):
        worst = 0
        for i in range(MAILS):
            before = len(self.delivered_ids())
            self.d.ctl("session", "add", "--committee", "ia", "--start",
                       "%s %02d:%02d" % (day(1), 8 + i // 60, i % 60))
            self.kill_after(self.rng.uniform(0, ACTORS * self.server.handler.delay * 1000 * 2.5),
                            self.ctl_async("status"))
            wait_for(self.drained, timeout=60, what="the queue to drain after kill %d" % self.kills,
                     step=0.1)
            ids = self.delivered_ids()
            again = len(ids[before:]) - len(set(ids[before:]))
            self.assertLessEqual(again, UNRECORDED_MAX, "kill %d: %d mails delivered twice"
                                 % (self.kills, again))
            worst = max(worst, again)
        rows = [r for r in self.d.json("mail", "queue") if r["offset"] == "P2D"]
        self.assertEqual(len(rows), MAILS * ACTORS)
        self.assertEqual(set(r["state"] for r in rows), {"sent"})
        got = {}
        with self.server.handler.lock:
            for rcpts, m in self.server.handler.mails:
                got.setdefault(m["Message-ID"], []).append(rcpts)
        for r in rows:
            mid = "<%s>" % r["message_id"]
            self.assertIn(mid, got, "reminder %d was never delivered" % r["id"])
            self.assertLessEqual(len(got[mid]), 2, "reminder %d delivered %d times"
                                 % (r["id"], len(got[mid])))
            for rcpts in got[mid]:
                self.assertEqual(rcpts, [r["email"]])
        self.assertEqual(set(got), set("<%s>" % r["message_id"] for r in rows))
        return sum(1 for v in got.values() if len(v) == 2), worst

    def test_fifty_kills(self):
        ctl = self.d.ctl
        ctl("committee", "add", "imp", "--name", "Importierter Ausschuss", "--kind", "fachausschuss")
        ctl("committee", "add", "ia", "--name", "Ausschuss für Integration", "--kind",
            "fachausschuss")
        ctl("committee", "add", "fa", "--name", "Fachausschuss", "--kind", "fachausschuss")
        ctl("committee", "add", "kt", "--name", "Kreistag", "--kind", "kreistag")
        ctl("committee", "add", "ka", "--name", "Kreisausschuss", "--kind", "kreisausschuss",
            "--internal")
        ctl("actor", "add", "coord", "--name", "Koordination", "--email", "coord@example.org")
        for i in range(ACTORS):
            ctl("actor", "add", "a%d" % i, "--name", "Person %d" % i, "--email",
                "a%d@example.org" % i)
            ctl("actor", "join", "a%d" % i, "--committee", "ia")
        # Imports last: 3,000 more sessions make every later re-plan slower.
        t0 = time.monotonic()
        plans = self.kill_plans()
        t1 = time.monotonic()
        dups, worst = self.kill_mails()
        t2 = time.monotonic()
        imports = self.kill_imports()
        t3 = time.monotonic()
        self.assertEqual(self.kills, IMPORTS + PLANS + MAILS)
        print("\n%d kills: plans %d/%d stored (%.0f s), mails %d of %d sent twice with the "
              "same Message-ID, at most %d per kill (%.0f s), imports %d/%d completed (%.0f s)"
              % (self.kills, plans, PLANS, t1 - t0, dups, MAILS * ACTORS, worst, t2 - t1,
                 imports, IMPORTS, t3 - t2), file=sys.stderr)


if __name__ == "__main__":
    ikondtest.main()
