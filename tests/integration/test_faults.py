#!/usr/bin/python3
"""Faults caused for real, and what ikond must do about them.

- An SMTP relay that drops the connection in the middle of DATA, answers
  slower than smtp.timeout, or answers with garbage: the reminders stay
  queued for a retry (never lost, never marked sent), ikond-ctl and the
  feeds are answered meanwhile, and once the relay behaves every reminder
  arrives exactly once.
- A full disk (a small tmpfs as the state directory, as root) and a file
  size limit (RLIMIT_FSIZE, whose SIGXFSZ must not kill the daemon):
  commands fail with a clear message, nothing committed is lost, nothing
  half-written stays, and ikond recovers when space returns.
- A read-only database: changes are refused with "read-only", reads work.
- A damaged database at start: a clear error, exit status 1, the file
  left exactly as it was.
- The wall clock jumps forward and backward (libfaketime): reminders that
  fell due go out once, nothing is sent twice, nothing is lost.
"""

import glob
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ikondtest  # noqa: E402
from faultlib import (IS_ROOT, Daemon, ScriptedSMTP, big_ics, day, find_faketime,  # noqa: E402
                      http_get, integrity, wait_for)

REMINDERS = ('reminders = { send_time = "00:00"; session = [ "P5D", "P2D" ]; '
             'deadline = [ ]; };\n')


def queue(d, state=None):
    return d.json("mail", "queue", *(["--state", state] if state else []))


def people(d, n):
    d.ctl("committee", "add", "ia", "--name", "Ausschuss für Integration", "--kind", "fachausschuss")
    for i in range(n):
        d.ctl("actor", "add", "p%d" % i, "--name", "Person %d" % i, "--email", "p%d@example.org" % i)
        d.ctl("actor", "join", "p%d" % i, "--committee", "ia")


def timed_ctl(d, *args):
    t0 = time.monotonic()
    r = d.ctl(*args, check=False, timeout=30)
    return r, time.monotonic() - t0


class SmtpFaults(unittest.TestCase):
    """Each fault: three reminders fall due against a misbehaving relay."""

    N = 3

    def setUp(self):
        self.smtp = ScriptedSMTP()
        cfg = ('smtp = { host = "127.0.0.1"; port = %d; starttls = "off"; '
               'from = "ikond <ikond@example.org>"; retry_seconds = 1; timeout = 2; '
               'max_attempts = 100; };\n' % self.smtp.port) + REMINDERS
        self.d = Daemon(cfg)
        self.d.start()
        self.feed = self.d.json("feed", "add", "--all")["url"]

    def tearDown(self):
        self.d.cleanup()
        self.smtp.close()

    def responsive(self):
        r, took = timed_ctl(self.d, "status")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertLess(took, 1.0, "status took %.2f s while the relay stalls" % took)
        status, body, took = http_get(self.feed)
        self.assertEqual(status, 200)
        self.assertIn(b"BEGIN:VCALENDAR", body)
        self.assertLess(took, 1.0, "the feed took %.2f s while the relay stalls" % took)

    def session_rows(self):
        return [r for r in queue(self.d) if r["offset"] == "P2D"]

    def fault_then_recovery(self, mode, tried):
        self.smtp.mode = mode
        people(self.d, self.N)
        self.d.ctl("session", "add", "--committee", "ia", "--start", "%s 18:00" % day(1))
        wait_for(tried, timeout=30, what="the relay to be tried in mode " + mode)
        # At least one attempt concluded: queued for a retry, with the reason.
        wait_for(lambda: any(r["attempts"] >= 1 and r["state"] == "queued" and r["last_error"]
                             for r in self.session_rows()), timeout=30,
                 what="a failed attempt to be recorded")
        self.responsive()
        rows = self.session_rows()
        self.assertEqual(len(rows), self.N)
        self.assertFalse([r for r in rows if r["state"] in ("sent", "failed")], rows)
        self.assertEqual(self.smtp.count(), 0)
        self.assertTrue(self.d.alive())
        # The relay recovers: every reminder arrives, each exactly once.
        self.smtp.mode = "ok"
        wait_for(lambda: all(r["state"] == "sent" for r in self.session_rows()), timeout=40,
                 what="every reminder sent after recovery")
        time.sleep(1.5)
        got = self.smtp.message_ids()
        self.assertEqual(sorted(rc for rc, _ in got),
                         ["p%d@example.org" % i for i in range(self.N)])
        self.assertEqual(len(set(mid for _, mid in got)), self.N)
        self.assertEqual(sorted("<%s>" % r["message_id"] for r in self.session_rows()),
                         sorted(mid for _, mid in got))
        return rows

    def test_disconnect_in_the_middle_of_data(self):
        self.fault_then_recovery("drop_in_data", lambda: self.smtp.data_started >= 1)

    def test_slow_answer_after_data(self):
        # The relay stalls 30 s after the message; smtp.timeout is 2 s.
        self.fault_then_recovery("slow", lambda: self.smtp.data_started >= 1)

    def test_slow_greeting_keeps_daemon_responsive(self):
        self.smtp.mode = "slow_greet"
        people(self.d, 1)
        self.d.ctl("session", "add", "--committee", "ia", "--start", "%s 18:00" % day(1))
        wait_for(lambda: self.smtp.connections >= 1, what="a connection")
        # While the delivery thread waits for the greeting, the main loop answers.
        for _ in range(3):
            self.responsive()
            time.sleep(0.3)
        self.smtp.mode = "ok"
        wait_for(lambda: self.smtp.count() >= 1, timeout=40, what="delivery after the stall")
        time.sleep(1.5)
        self.assertEqual(self.smtp.count(), 1)

    def test_garbage_greeting(self):
        self.fault_then_recovery("garbage_greeting", lambda: self.smtp.connections >= 1)

    def test_garbage_replies(self):
        self.fault_then_recovery("garbage_replies", lambda: self.smtp.connections >= 1)


class MailTestAgainstStalledRelay(unittest.TestCase):
    """`mail test` waits for the relay on a thread of its own: while it
    waits, ikond-ctl and the feeds keep answering."""

    def setUp(self):
        self.smtp = ScriptedSMTP()
        self.smtp.mode = "slow_greet"
        cfg = ('smtp = { host = "127.0.0.1"; port = %d; starttls = "off"; '
               'from = "ikond <ikond@example.org>"; timeout = 4; };\n' % self.smtp.port)
        self.d = Daemon(cfg)
        self.d.start()
        self.feed = self.d.json("feed", "add", "--all")["url"]

    def tearDown(self):
        self.d.cleanup()
        self.smtp.close()

    def test_others_are_served_meanwhile(self):
        cmd = [ikondtest.IKOND_CTL, "--socket", self.d.socket, "mail", "test", "probe@example.org"]
        t0 = time.time()
        pending = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: self.smtp.connections >= 1, timeout=10, what="the relay to be contacted")
        r, took = timed_ctl(self.d, "status")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertLess(took, 1.0, "status took %.2f s during a stalled mail test" % took)
        status, _, took = http_get(self.feed)
        self.assertEqual(status, 200)
        self.assertLess(took, 1.0)
        self.assertIsNone(pending.poll(), "mail test returned before the relay answered")
        out, err = pending.communicate(timeout=60)
        self.assertEqual(pending.returncode, 1, out + err)
        self.assertIn("no answer within 4 seconds", out + err)
        self.assertGreaterEqual(time.time() - t0, 3)
        self.assertTrue(self.d.alive())


def session_count(d):
    return len(d.json("session", "list"))


def write_file(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return path


@unittest.skipUnless(IS_ROOT, "mounting a small tmpfs needs root")
class DiskFull(unittest.TestCase):
    def setUp(self):
        self.d = Daemon()
        os.makedirs(self.d.state)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m,mode=0750", "tmpfs",
                            self.d.state], capture_output=True, text=True)
        if r.returncode != 0:
            shutil.rmtree(self.d.dir, ignore_errors=True)
            self.skipTest("cannot mount a tmpfs here: " + r.stderr.strip())
        self.files = tempfile.mkdtemp(prefix="ikond-faults-")

    def tearDown(self):
        self.d.stop()
        subprocess.run(["umount", self.d.state], check=False)
        self.d.cleanup()
        shutil.rmtree(self.files, ignore_errors=True)

    def fill(self):
        """Fills the file system up to the last byte; returns the filler's path."""
        path = os.path.join(self.d.state, "filler")
        with open(path, "wb", buffering=0) as f:
            for size in (65536, 512):
                try:
                    while f.write(b"\0" * size) == size:
                        pass
                except OSError:
                    pass
        return path

    def test_disk_full_then_space_returns(self):
        d = self.d
        d.start()
        d.ctl("committee", "add", "ia", "--name", "Ausschuss", "--kind", "fachausschuss")
        first = write_file(self.files, "first.ics", big_ics(300, "first"))
        d.ctl("import", "sessions", first, "--committee", "ia")
        before = session_count(d)
        self.assertEqual(before, 300)
        filler = self.fill()
        second = write_file(self.files, "second.ics", big_ics(2000, "second"))
        r = d.ctl("import", "sessions", second, "--committee", "ia", check=False)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("disk full", r.stderr)
        self.assertIn("nothing was changed", r.stderr)
        self.assertTrue(d.alive())
        # All or nothing, and reads still work on a full disk.
        self.assertEqual(session_count(d), before)
        for i in range(5):
            r = d.ctl("committee", "add", "c%d" % i, "--name", "C", "--kind", "fachausschuss",
                      check=False)
            if r.returncode != 0:
                self.assertIn("disk full", r.stderr)
        self.assertEqual(d.ctl("status", check=False).returncode, 0)
        # Space returns: the same import goes through.
        os.unlink(filler)
        r = d.json("import", "sessions", second, "--committee", "ia")
        self.assertEqual(r["created"], 2000)
        self.assertEqual(session_count(d), before + 2000)
        self.assertEqual(d.stop(), 0)
        self.assertEqual(integrity(d.db), "ok")
        d.start()
        self.assertEqual(session_count(d), before + 2000)


class FileSizeLimit(unittest.TestCase):
    """RLIMIT_FSIZE: write() fails with EFBIG instead of SIGXFSZ killing ikond."""

    def setUp(self):
        self.d = Daemon()
        self.d.fsize = 1024 * 1024
        self.files = tempfile.mkdtemp(prefix="ikond-faults-")

    def tearDown(self):
        self.d.cleanup()
        shutil.rmtree(self.files, ignore_errors=True)

    def test_file_size_limit(self):
        d = self.d
        d.start()
        d.ctl("committee", "add", "ia", "--name", "Ausschuss", "--kind", "fachausschuss")
        path = write_file(self.files, "big.ics", big_ics(3000))
        r = d.ctl("import", "sessions", path, "--committee", "ia", check=False)
        self.assertTrue(d.alive(), "ikond died on a write over RLIMIT_FSIZE:\n" + d.read_log())
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("nothing was changed", r.stderr)
        self.assertEqual(session_count(d), 0)
        d.ctl("committee", "add", "kt", "--name", "Kreistag", "--kind", "kreistag", check=False)
        self.assertEqual(d.ctl("status", check=False).returncode, 0)
        # The limit is lifted: the import goes through.
        resource.prlimit(d.proc.pid, resource.RLIMIT_FSIZE,
                         (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        r = d.json("import", "sessions", path, "--committee", "ia")
        self.assertEqual(r["created"], 3000)
        self.assertEqual(d.stop(), 0)
        self.assertEqual(integrity(d.db), "ok")


class ReadOnly(unittest.TestCase):
    def setUp(self):
        self.d = Daemon()
        self.immutable = False

    def tearDown(self):
        if self.immutable:
            subprocess.run(["chattr", "-i", self.d.db], check=False)
        self.d.cleanup()

    def make_read_only(self):
        if IS_ROOT:
            # root ignores file modes; the immutable flag holds for root too.
            r = subprocess.run(["chattr", "+i", self.d.db], capture_output=True, text=True)
            if r.returncode != 0:
                self.skipTest("chattr +i not supported here: " + r.stderr.strip())
            self.immutable = True
        else:
            os.chmod(self.d.db, 0o444)

    def test_read_only_database(self):
        d = self.d
        d.start()
        d.ctl("committee", "add", "ia", "--name", "Ausschuss", "--kind", "fachausschuss")
        d.ctl("session", "add", "--committee", "ia", "--start", "%s 18:00" % day(30))
        d.stop()
        with open(d.db, "rb") as f:
            original = f.read()
        self.make_read_only()
        d.start()
        self.assertEqual(len(d.json("committee", "list")), 1)
        self.assertEqual(session_count(d), 1)
        for args in (("committee", "add", "kt", "--name", "K", "--kind", "kreistag"),
                     ("session", "add", "--committee", "ia", "--start", "%s 18:00" % day(40)),
                     ("committee", "remove", "ia", "--force")):
            r = d.ctl(*args, check=False)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("read-only", r.stderr)
        self.assertTrue(d.alive())
        self.assertEqual(d.ctl("status", check=False).returncode, 0)
        self.assertEqual(session_count(d), 1)
        d.stop()
        with open(d.db, "rb") as f:
            self.assertEqual(f.read(), original)


class DamagedAtStart(unittest.TestCase):
    def setUp(self):
        self.d = Daemon()

    def tearDown(self):
        self.d.cleanup()

    def refuses(self, damage, sessions=0):
        d = self.d
        d.start()
        d.ctl("committee", "add", "ia", "--name", "Ausschuss", "--kind", "fachausschuss")
        for i in range(40):
            d.ctl("actor", "add", "a%d" % i, "--name", "Actor %d" % i, "--email",
                  "a%d@example.org" % i)
        for i in range(sessions):
            d.ctl("session", "add", "--committee", "ia", "--start",
                  "%s 18:00" % day(30 + 30 * i))
        self.assertEqual(d.stop(), 0)
        for suffix in ("-wal", "-shm"):
            self.assertFalse(os.path.exists(d.db + suffix) and os.path.getsize(d.db + suffix),
                             "a clean stop leaves no WAL behind")
        damage(d.db)
        with open(d.db, "rb") as f:
            before = f.read()
        d.start(wait=False)
        rc = d.proc.wait(timeout=20)
        d.proc = None
        self.assertEqual(rc, 1)
        log = d.read_log()
        self.assertIn("damaged", log)
        self.assertIn(d.db, log)
        with open(d.db, "rb") as f:
            self.assertEqual(f.read(), before, "the damaged file was changed")
        self.assertEqual(glob.glob(d.db + "-wal"), [])

    def test_damaged_page(self):
        def damage(path):
            with open(path, "r+b") as f:
                f.seek(4096 + 8)
                f.write(b"\xa5" * 3000)
        self.refuses(damage)

    def test_damage_found_while_deadlines_are_built(self):
        """The check of a file written behind ikond's back runs beside the
        start, which meanwhile derives every deadline (the basis is gone):
        damage in a part the derivation never reads must still keep its
        transaction from being committed."""
        def damage(path):
            con = sqlite3.connect(path)
            with con:
                con.execute("DELETE FROM deadline_basis")
                con.execute("DELETE FROM deadline")
            page = con.execute("SELECT rootpage FROM sqlite_master WHERE type = 'index' "
                               "AND tbl_name = 'actor' ORDER BY rootpage LIMIT 1").fetchone()[0]
            size = con.execute("PRAGMA page_size").fetchone()[0]
            con.close()
            with open(path, "r+b") as f:
                f.seek((page - 1) * size)
                f.write(b"\x00" * 16)
        self.refuses(damage, sessions=3)

    def test_row_that_breaks_a_constraint(self):
        """Sound pages, but a row no statement of ikond's could have
        written: the check of a file written behind its back reads the
        rows' constraints too."""
        def damage(path):
            con = sqlite3.connect(path)
            con.execute("PRAGMA ignore_check_constraints = ON")
            with con:
                con.execute("UPDATE actor SET reminders = 'sometimes' WHERE slug = 'a7'")
            con.close()
        self.refuses(damage)

    def test_not_a_database(self):
        def damage(path):
            with open(path, "r+b") as f:
                f.write(b"this is not an SQLite file at all" + b"\x17" * 100)
        self.refuses(damage)


class ClockJumps(unittest.TestCase):
    # The reminders fall due on the days their offsets say: moved to the
    # Friday before a weekend, the first session's P2D would be due at the
    # first jump together with its P5D (on every Saturday the suite runs).
    REMINDERS = ('reminders = { send_time = "00:00"; non_working_days = "keep"; '
                 'session = [ "P5D", "P2D" ]; deadline = [ ]; };\n')

    def setUp(self):
        if find_faketime() is None:
            raise AssertionError("libfaketimeMT.so.1 is not installed: apt-get install libfaketime")
        self.tmp = tempfile.mkdtemp(prefix="ikond-clock-")
        self.clock = os.path.join(self.tmp, "faketime")
        self.jump(0)
        self.d = Daemon(self.REMINDERS)
        self.d.env = {
            "LD_PRELOAD": find_faketime(),
            "FAKETIME_TIMESTAMP_FILE": self.clock,
            "FAKETIME_NO_CACHE": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0",
        }
        self.d.start()

    def tearDown(self):
        self.d.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def jump(self, days):
        with open(self.clock + ".new", "w") as f:
            f.write("%+dd\n" % days if days else "+0\n")
        os.replace(self.clock + ".new", self.clock)

    def maildir(self):
        out = []
        import email
        import email.policy
        for path in sorted(glob.glob(os.path.join(self.d.state, "Maildir", "new", "*"))):
            with open(path, "rb") as f:
                m = email.message_from_binary_file(f, policy=email.policy.default)
            out.append((m["To"].addresses[0].addr_spec, m["Message-ID"], m["Subject"]))
        return out

    def rows(self, sid):
        return {(r["actor"], r["offset"]): r for r in queue(self.d)
                if r["offset"].startswith("P") and r["date"].startswith(day(sid))}

    def test_forward_and_back(self):
        d = self.d
        people(d, 2)
        d.ctl("session", "add", "--committee", "ia", "--start", "%s 18:00" % day(10))
        d.ctl("session", "add", "--committee", "ia", "--start", "%s 18:00" % day(20))
        time.sleep(1.5)
        self.assertEqual(self.maildir(), [])
        # Forward past the P5D reminders of the first session (due day+5 00:00).
        self.jump(6)
        wait_for(lambda: len(self.maildir()) >= 2, what="the P5D reminders")
        time.sleep(2)
        self.assertEqual(len(self.maildir()), 2)
        r = self.rows(10)
        self.assertEqual(r[("p0", "P5D")]["state"], "sent")
        self.assertEqual(r[("p0", "P2D")]["state"], "queued")
        # Back to today: nothing again, nothing lost.
        self.jump(0)
        time.sleep(3)
        self.assertEqual(len(self.maildir()), 2)
        self.assertEqual(self.rows(10)[("p1", "P2D")]["state"], "queued")
        # Far forward: the first session is past, the second's reminders are
        # all due: the catch-up rule sends only the latest (P2D) of each.
        self.jump(19)
        wait_for(lambda: len(self.maildir()) >= 4, what="the second session's reminders")
        time.sleep(2)
        self.assertEqual(len(self.maildir()), 4)
        r10, r20 = self.rows(10), self.rows(20)
        self.assertEqual(r10[("p0", "P2D")]["state"], "skipped")
        self.assertIn("past", r10[("p0", "P2D")]["last_error"])
        self.assertEqual(r20[("p0", "P2D")]["state"], "sent")
        self.assertEqual(r20[("p0", "P5D")]["state"], "skipped")
        # Back again: the first session's P2D is no longer past and returns to
        # the queue; nothing is sent twice.
        self.jump(0)
        wait_for(lambda: self.rows(10)[("p0", "P2D")]["state"] == "queued", timeout=10,
                 what="the skipped reminder to be queued again")
        time.sleep(2)
        self.assertEqual(len(self.maildir()), 4)
        self.jump(8)
        wait_for(lambda: len(self.maildir()) >= 6, what="the first session's P2D")
        time.sleep(2)
        mails = self.maildir()
        self.assertEqual(len(mails), 6)
        self.assertEqual(len(set(mid for _, mid, _ in mails)), 6, mails)
        for who in ("p0@example.org", "p1@example.org"):
            self.assertEqual(len([m for m in mails if m[0] == who]), 3)


if __name__ == "__main__":
    ikondtest.main()
