"""Integration tests of the foundation: the real ikond in a temporary
directory, driven only with ikond-ctl (and, for the abuse cases, raw
sockets).  Every entity gets a full add/list/edit/remove round."""

import datetime
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ikondtest  # noqa: E402
from ikondtest import Daemon, DaemonTestCase, IKOND, IKOND_CTL  # noqa: E402


class Committees(DaemonTestCase):
    def test_round(self):
        d = self.d
        c = d.json("committee", "add", "ia", "--name", "Ausschuss für Integration", "--kind", "fachausschuss")
        self.assertEqual(c["slug"], "ia")
        self.assertEqual(c["kind_de"], "Fachausschuss")
        self.assertFalse(c["internal"])
        d.ctl("committee", "add", "ka", "--name", "Kreisausschuss", "--kind", "kreisausschuss", "--internal")
        lst = d.json("committee", "list")
        self.assertEqual([x["slug"] for x in lst], ["ia", "ka"])
        self.assertTrue(lst[1]["internal"])
        human = d.ctl("committee", "list").stdout
        self.assertIn("Ausschuss für Integration", human)
        e = d.json("committee", "edit", "ia", "--name", "Ausschuss für Integration und Teilhabe", "--internal")
        self.assertEqual(e["name"], "Ausschuss für Integration und Teilhabe")
        self.assertTrue(e["internal"])
        show = d.json("committee", "show", "ia")
        self.assertEqual(show["members"], [])
        d.ctl("committee", "remove", "ka")
        self.assertEqual([x["slug"] for x in d.json("committee", "list")], ["ia"])

    def test_errors_name_the_bad_word(self):
        d = self.d
        r = d.ctl("committee", "add", "ia", "--name", "X", "--kind", "stadtrat", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('"stadtrat"', r.stderr)
        self.assertIn("fachausschuss", r.stderr)
        r = d.ctl("committee", "add", "Bad Slug", "--name", "X", "--kind", "rat", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("Bad Slug", r.stderr)
        d.ctl("committee", "add", "rat", "--name", "Rat", "--kind", "rat")
        r = d.ctl("committee", "add", "rat", "--name", "Rat", "--kind", "rat", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("already exists", r.stderr)
        r = d.ctl("committee", "add", "x", "--name", "X", "--colour", "red", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--colour", r.stderr)
        self.assertIn("--kind", r.stderr)
        r = d.ctl("committee", "frobnicate", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("add", r.stderr)
        r = d.ctl("committee", "add", "x", "--name", "Zeile\nzwei", "--kind", "rat", check=False)
        self.assertEqual(r.returncode, 1)

    def test_missing_required_options_are_usage_errors(self):
        d = self.d
        r = d.ctl("committee", "add", "ia", "--name", "X", check=False)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr, 'ikond-ctl: "committee add" needs --kind KIND\n')
        r = d.ctl("session", "add", "--title", "Sitzung", check=False)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn('"session add" needs --committee SLUG and --start', r.stderr)
        self.assertEqual(d.json("committee", "list"), [])
        # The commands ikond-ctl runs itself are checked the same way.
        r = subprocess.run([IKOND_CTL, "deadline", "calc", "--rule", "-3wd"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn('"deadline calc" needs --anchor', r.stderr)

    def test_remove_with_sessions_needs_force(self):
        d = self.d
        d.ctl("committee", "add", "kt", "--name", "Kreistag", "--kind", "kreistag")
        d.ctl("session", "add", "--committee", "kt", "--start", "2031-03-06 18:00")
        r = d.ctl("committee", "remove", "kt", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--force", r.stderr)
        self.assertEqual(len(d.json("session", "list")), 1)
        out = d.json("committee", "remove", "kt", "--force")
        self.assertEqual(out["sessions"], 1)
        self.assertEqual(d.json("session", "list"), [])


class Sessions(DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.d.ctl("committee", "add", "ia", "--name", "Integrationsausschuss", "--kind", "fachausschuss")
        self.d.ctl("committee", "add", "kt", "--name", "Kreistag", "--kind", "kreistag")

    def test_round(self):
        d = self.d
        s = d.json("session", "add", "--committee", "ia", "--start", "2031-03-18 17:00",
                   "--location", "Kreishaus, Saal 1")
        self.assertEqual(s["start"], "2031-03-18T17:00:00+01:00")
        self.assertEqual(s["end"], "2031-03-18T20:00:00+01:00")
        self.assertEqual(s["sequence"], 0)
        self.assertRegex(s["uid"], r"^session-[0-9a-f]{32}@[0-9a-f]{12}\.ikond$")
        s2 = d.json("session", "add", "--committee", "kt", "--start", "2031-04-03T18:00",
                    "--end", "2031-04-03 21:30", "--title", "Kreistag: Haushalt")
        self.assertEqual(s2["start"], "2031-04-03T18:00:00+02:00")
        self.assertEqual(len(d.json("session", "list")), 2)
        self.assertEqual(len(d.json("session", "list", "--committee", "kt")), 1)
        self.assertEqual(len(d.json("session", "list", "--from", "2031-03-19")), 1)
        self.assertEqual(len(d.json("session", "list", "--to", "2031-03-18")), 1)
        e = d.json("session", "edit", str(s["id"]), "--start", "2031-03-25 17:00")
        self.assertEqual(e["start"], "2031-03-25T17:00:00+01:00")
        self.assertEqual(e["end"], "2031-03-25T20:00:00+01:00")
        self.assertEqual(e["sequence"], 1)
        shown = d.json("session", "show", str(s["id"]))
        kinds = sorted(x["kind"] for x in shown["deadlines"])
        self.assertEqual(kinds, ["antragsfrist", "bekanntmachung", "ladungsfrist"])
        c = d.json("session", "cancel", str(s["id"]))
        self.assertEqual(c["state"], "cancelled")
        self.assertEqual(c["sequence"], 2)
        d.ctl("session", "remove", str(s2["id"]))
        self.assertEqual(len(d.json("session", "list")), 1)

    def test_bad_times(self):
        d = self.d
        r = d.ctl("session", "add", "--committee", "ia", "--start", "2031-03-30 02:30", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("does not exist", r.stderr)
        self.assertIn("03:00", r.stderr)
        for bad in ("2031-02-30 17:00", "morgen", "2031-03-18", "2031-03-18 25:00"):
            r = d.ctl("session", "add", "--committee", "ia", "--start", bad, check=False)
            self.assertEqual(r.returncode, 1, bad)
            self.assertIn("--start", r.stderr)
        r = d.ctl("session", "add", "--committee", "ia", "--start", "2031-03-18 17:00",
                  "--end", "2031-03-18 16:00", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("after", r.stderr)
        r = d.ctl("session", "add", "--committee", "nope", "--start", "2031-03-18 17:00", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('"nope"', r.stderr)
        r = d.ctl("session", "show", "abc", check=False)
        self.assertEqual(r.returncode, 1)
        r = d.ctl("session", "show", "999", check=False)
        self.assertIn("no session 999", r.stderr)
        self.assertEqual(d.json("session", "list"), [])

    def test_fold_time_is_first_occurrence(self):
        s = self.d.json("session", "add", "--committee", "ia", "--start", "2031-10-26 02:30")
        self.assertEqual(s["start"], "2031-10-26T02:30:00+02:00")


class Actors(DaemonTestCase):
    def test_round(self):
        d = self.d
        d.ctl("committee", "add", "ib", "--name", "Integrationsbeirat", "--kind", "integrationsbeirat")
        a = d.json("actor", "add", "haddad", "--name", "Amira Haddad", "--email", "a.haddad@example.org",
                   "--org", "Integrationsbeirat", "--role", "Vorsitz", "--role", "Sprecherin")
        self.assertEqual(a["roles"], ["Sprecherin", "Vorsitz"])
        d.ctl("actor", "add", "vhs", "--name", "VHS Musterland", "--email", "vhs@example.org")
        self.assertEqual(len(d.json("actor", "list")), 2)
        d.json("actor", "join", "haddad", "--committee", "ib", "--role", "Vorsitz")
        self.assertEqual([x["slug"] for x in d.json("actor", "list", "--committee", "ib")], ["haddad"])
        show = d.json("actor", "show", "haddad")
        self.assertEqual(show["committees"][0]["committee"], "ib")
        self.assertEqual(show["committees"][0]["role"], "Vorsitz")
        self.assertEqual(d.json("committee", "show", "ib")["members"][0]["slug"], "haddad")
        e = d.json("actor", "edit", "haddad", "--email", "vorsitz@example.org", "--role", "Vorsitz")
        self.assertEqual(e["email"], "vorsitz@example.org")
        self.assertEqual(e["roles"], ["Vorsitz"])
        d.ctl("actor", "leave", "haddad", "--committee", "ib")
        r = d.ctl("actor", "leave", "haddad", "--committee", "ib", check=False)
        self.assertEqual(r.returncode, 1)
        d.ctl("actor", "remove", "vhs")
        self.assertEqual([x["slug"] for x in d.json("actor", "list")], ["haddad"])

    def test_bad_addresses(self):
        for bad in ("no-at-sign", "a b@example.org", "x@", "<x@example.org>", "x@example.org\r\nBcc: y@z"):
            r = self.d.ctl("actor", "add", "x", "--name", "X", "--email", bad, check=False)
            self.assertEqual(r.returncode, 1, bad)
            self.assertIn("--email", r.stderr)
        self.assertEqual(self.d.json("actor", "list"), [])


class Submissions(DaemonTestCase):
    def setUp(self):
        super().setUp()
        d = self.d
        d.ctl("committee", "add", "ia", "--name", "Integrationsausschuss", "--kind", "fachausschuss")
        # The third Tuesday of March two years on, and eight weeks later: always
        # ahead of today, and 21 days before either is a Tuesday in late
        # February or in April, when no Land has a public holiday on a Tuesday.
        march = datetime.date(datetime.date.today().year + 2, 3, 1)
        self.day = march + datetime.timedelta(days=(1 - march.weekday()) % 7 + 14)
        self.day2 = self.day + datetime.timedelta(weeks=8)
        self.sid = d.json("session", "add", "--committee", "ia", "--start", f"{self.day} 17:00")["id"]
        self.sid2 = d.json("session", "add", "--committee", "ia", "--start", f"{self.day2} 17:00")["id"]
        d.ctl("actor", "add", "schulte", "--name", "Petra Schulte", "--email", "p.schulte@example.org")
        d.ctl("actor", "add", "weber", "--name", "Jonas Weber", "--email", "j.weber@example.org")

    def test_round(self):
        d = self.d
        b = d.json("submission", "add", "--title", "Integrationskonzept: Start", "--kind", "verwaltungsvorlage",
                   "--session", str(self.sid), "--owner", "schulte", "--ref", "V/2026/007")
        self.assertEqual(b["owner"], "schulte")
        self.assertEqual(b["deadlines"][0]["kind"], "verwaltungsvorlage")
        due = str(self.day - datetime.timedelta(days=21))
        self.assertEqual(b["deadlines"][0]["date"], due)
        lst = d.json("submission", "list")
        self.assertEqual(lst[0]["deadline"], due)
        self.assertFalse(lst[0]["late"])
        e = d.json("submission", "edit", str(b["id"]), "--session", str(self.sid2), "--owner", "weber",
                   "--state", "submitted")
        self.assertEqual(e["session"], self.sid2)
        self.assertEqual(e["deadlines"][0]["date"], str(self.day2 - datetime.timedelta(days=21)))
        self.assertEqual(len(d.json("deadline", "list", "--actor", "weber")), 1)
        self.assertEqual(d.json("deadline", "list", "--actor", "schulte"), [])
        r = d.ctl("actor", "remove", "weber", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--force", r.stderr)
        r = d.ctl("session", "remove", str(self.sid2), check=False)
        self.assertEqual(r.returncode, 1)
        d.ctl("submission", "remove", str(b["id"]))
        self.assertEqual(d.json("submission", "list"), [])
        d.ctl("actor", "remove", "weber")

    def test_late_submission_is_flagged(self):
        d = self.d
        past = d.json("session", "add", "--committee", "ia", "--start",
                      time.strftime("%Y-%m-%d 17:00", time.localtime(time.time() + 3 * 86400)))
        r = d.ctl("--json", "submission", "add", "--title", "Eilig", "--kind", "beschlussvorlage",
                  "--session", str(past["id"]), "--owner", "schulte")
        self.assertEqual(r.returncode, 0)
        self.assertIn("late", r.stderr)
        self.assertTrue(d.json("submission", "list")[0]["late"])
        status = d.json("status")
        self.assertTrue(any("missed its deadline" in p for p in status["problems"]))

    def test_cancelled_session_with_open_submission_is_flagged(self):
        d = self.d
        d.ctl("submission", "add", "--title", "T", "--kind", "mitteilungsvorlage",
              "--session", str(self.sid), "--owner", "schulte")
        d.ctl("session", "cancel", str(self.sid))
        status = d.json("status")
        self.assertTrue(any("cancelled session" in p for p in status["problems"]), status["problems"])

    def test_bad_kind_and_references(self):
        d = self.d
        r = d.ctl("submission", "add", "--title", "T", "--kind", "antrag", "--session", str(self.sid),
                  "--owner", "schulte", check=False)
        self.assertIn("verwaltungsvorlage", r.stderr)
        r = d.ctl("submission", "add", "--title", "T", "--kind", "antrag", check=False)
        self.assertEqual(r.returncode, 2)
        r = d.ctl("submission", "add", "--title", "T", "--kind", "beschlussvorlage", "--session", "77",
                  "--owner", "schulte", check=False)
        self.assertIn("no session 77", r.stderr)
        self.assertEqual(d.json("submission", "list"), [])


class Daemonic(DaemonTestCase):
    def test_data_survives_restart(self):
        d = self.d
        self.load_example()
        before = {k: d.ctl("--json", k, "list").stdout for k in ("committee", "session", "actor", "submission")}
        d.stop()
        d.start()
        after = {k: d.ctl("--json", k, "list").stdout for k in ("committee", "session", "actor", "submission")}
        self.assertEqual(before, after)
        self.assertGreater(len(json.loads(after["session"])), 20)

    def test_reload_with_broken_config_keeps_old(self):
        d = self.d
        d.write_config('body = { name = "Stadt Neuhaus"; };\n')
        out = d.ctl("reload")
        self.assertIn("reloaded", out.stdout)
        self.assertEqual(d.json("status")["body"], "Stadt Neuhaus")
        d.write_config('body = { name = "Kaputt"; land = "XX"; };\ncontrol = { max_clients = "x"; };\n')
        r = d.ctl("reload", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("ikond.conf:4: unknown Land", r.stderr)
        self.assertIn("ikond.conf:5:", r.stderr)
        self.assertEqual(d.json("status")["body"], "Stadt Neuhaus")
        d.signal(signal.SIGHUP)
        time.sleep(0.3)
        self.assertEqual(d.json("status")["body"], "Stadt Neuhaus")
        self.assertIn("not reloading", d.read_log())

    def test_reload_recomputes_deadlines(self):
        d = self.d
        d.ctl("committee", "add", "kt", "--name", "Kreistag", "--kind", "kreistag")
        s = d.json("session", "add", "--committee", "kt", "--start", "2031-03-20 18:00")
        before = {x["kind"]: x["date"] for x in d.json("session", "show", str(s["id"]))["deadlines"]}
        self.assertEqual(before["ladungsfrist"], "2031-03-13")
        d.write_config('rules = { committee = { kt = { ladungsfrist = "-10d earlier"; }; }; };\n')
        d.ctl("reload")
        after = {x["kind"]: x["date"] for x in d.json("session", "show", str(s["id"]))["deadlines"]}
        self.assertEqual(after["ladungsfrist"], "2031-03-10")

    def test_fifty_concurrent_clients(self):
        d = self.d
        d.ctl("committee", "add", "kt", "--name", "Kreistag", "--kind", "kreistag")
        errors = []

        def worker(i):
            r = d.ctl("session", "add", "--committee", "kt", "--start",
                      "2031-%02d-%02d 18:00" % (1 + i % 12, 1 + i % 28), "--title", "S%d" % i, check=False)
            if r.returncode != 0:
                errors.append(r.stderr)
            r = d.ctl("--json", "session", "list", check=False)
            if r.returncode != 0:
                errors.append(r.stderr)
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(d.json("session", "list")), 50)

    def raw(self, payload, read=True):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # Connect blocking: with a timeout set, a full listen backlog (a slow
        # daemon, e.g. under valgrind) fails at once with EAGAIN.
        s.connect(self.d.socket)
        s.settimeout(5)
        s.sendall(payload)
        data = b""
        if read:
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except socket.timeout:
                pass
        s.close()
        return data

    def test_garbage_on_the_socket(self):
        d = self.d
        rnd = random.Random(5545)
        for _ in range(200):
            self.raw(bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 400))), read=False)
        # An HTTP request, an oversized length, a wrong version, trailing bytes, a bad shape.
        reply = self.raw(b"GET / HTTP/1.0\r\n\r\n")
        self.assertIn(b"magic", reply)
        reply = self.raw(struct.pack("!IHHI", 0x494B4E44, 2, 1, 0x7FFFFFFF))
        self.assertIn(b"out of range", reply)
        body = b'{"argv":["status"]}'
        reply = self.raw(struct.pack("!IHHI", 0x494B4E44, 99, 1, len(body)) + body)
        self.assertIn(b"incompatible", reply)
        body = b'{"argv":["status"]}xx'
        reply = self.raw(struct.pack("!IHHI", 0x494B4E44, 2, 1, len(body)) + body)
        self.assertIn(b"bad request", reply)
        body = b'{"argv":"status"}'
        reply = self.raw(struct.pack("!IHHI", 0x494B4E44, 2, 1, len(body)) + body)
        self.assertIn(b"bad request", reply)
        # Truncated: the header promises more than arrives, then the client leaves.
        self.raw(struct.pack("!IHHI", 0x494B4E44, 2, 1, 1000) + b'{"argv"', read=False)
        self.assertEqual(d.json("status")["body"], "Landkreis Musterland")
        self.assertIsNone(d.proc.poll())

    def test_idle_client_blocks_nobody(self):
        d = self.d
        idle = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(5)]
        for s in idle:
            s.connect(d.socket)
        idle[0].sendall(struct.pack("!IHHI", 0x494B4E44, 2, 1, 100))  # half a request
        t0 = time.time()
        d.ctl("status")
        self.assertLess(time.time() - t0, 5)
        for s in idle:
            s.close()

    def test_unprivileged_user_may_list_but_not_change(self):
        d = self.d
        os.chmod(d.socket, 0o666)
        d.ctl("committee", "add", "kt", "--name", "Kreistag", "--kind", "kreistag")
        r = d.ctl("committee", "list", user="nobody", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Kreistag", r.stdout)
        r = d.ctl("committee", "add", "ia", "--name", "X", "--kind", "fachausschuss", user="nobody", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("permission denied", r.stderr)
        r = d.ctl("committee", "remove", "kt", "--force", user="nobody", check=False)
        self.assertEqual(r.returncode, 1)
        # Permission comes first: nobody learns which options a change needs.
        r = d.ctl("session", "add", user="nobody", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("permission denied", r.stderr)
        self.assertEqual(len(d.json("committee", "list")), 1)

    def test_allowed_user_from_config_may_change(self):
        d = self.d
        d.write_config('control = { allow_users = [ "nobody" ]; };\n')
        d.ctl("reload")
        os.chmod(d.socket, 0o666)
        r = d.ctl("committee", "add", "ia", "--name", "X", "--kind", "fachausschuss", user="nobody", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_audit_log_names_the_uid(self):
        d = self.d
        d.ctl("committee", "add", "kt", "--name", "Kreistag", "--kind", "kreistag")
        d.stop()
        out = subprocess.run(["sqlite3", os.path.join(d.state, "ikond.db"),
                              "SELECT uid, action, entity, detail FROM audit"],
                             capture_output=True, text=True).stdout
        self.assertIn("%d|add|committee|kt" % os.getuid(), out)
        d.start()

    def test_second_instance_is_refused(self):
        r = subprocess.run([IKOND, "-f", self.d.config], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 1)
        self.assertIn("pid %d" % self.d.proc.pid, r.stderr)


class Notify(unittest.TestCase):
    """sd_notify: READY, RELOADING then READY, STOPPING, read from a real
    notification socket as systemd would."""

    def test_notify_protocol(self):
        d = Daemon()
        sock_path = os.path.join(d.dir, "notify.sock")
        ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        ns.bind(sock_path)
        ns.settimeout(10)
        old = os.environ.get("NOTIFY_SOCKET")
        os.environ["NOTIFY_SOCKET"] = sock_path
        try:
            d.start()
        finally:
            if old is None:
                del os.environ["NOTIFY_SOCKET"]
            else:
                os.environ["NOTIFY_SOCKET"] = old
        try:
            msgs = []

            def expect(word):
                while not any(word in m for m in msgs):
                    msgs.append(ns.recv(4096).decode())
            expect("READY=1")
            d.signal(signal.SIGHUP)
            expect("RELOADING=1")
            self.assertIn("MONOTONIC_USEC=", [m for m in msgs if "RELOADING=1" in m][0])
            msgs.clear()
            expect("READY=1")
            d.signal(signal.SIGTERM)
            expect("STOPPING=1")
            self.assertEqual(d.proc.wait(timeout=10), 0)
        finally:
            ns.close()
            d.cleanup()


class WithoutDaemon(unittest.TestCase):
    def test_help_and_usage(self):
        r = subprocess.run([IKOND_CTL, "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("session add", r.stdout)
        r = subprocess.run([IKOND_CTL, "session", "add", "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("--committee", r.stdout)
        r = subprocess.run([IKOND_CTL], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)

    def test_daemon_not_running_names_socket(self):
        r = subprocess.run([IKOND_CTL, "--socket", "/nonexistent/ikond.sock", "status"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not running", r.stderr)
        self.assertIn("/nonexistent/ikond.sock", r.stderr)
        r = subprocess.run([IKOND_CTL, "status"], capture_output=True, text=True,
                           env=dict(os.environ, IKOND_SOCKET="/nonexistent/env.sock"))
        self.assertIn("/nonexistent/env.sock", r.stderr)

    def test_config_check(self):
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write('body = { land = "NI"; timezone = "Europe/Berlin"; };\n')
        r = subprocess.run([IKOND, "-n", "-f", f.name], capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "configuration OK"))
        with open(f.name, "w") as g:
            g.write('body = { land = "ZZ";\n  timezone = "Europe/Nowhere"; };\nhttp = { port = 99999; };\nfoo = 1;\n')
        r = subprocess.run([IKOND, "-n", "-f", f.name], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        for line in ("%s:1: unknown Land" % f.name, "%s:2: unknown time zone" % f.name,
                     "%s:3: \"http.port\" is 99999" % f.name, "%s:4: unknown key \"foo\"" % f.name):
            self.assertIn(line, r.stderr)
        os.unlink(f.name)

    def test_newer_database_is_refused(self):
        d = Daemon()
        try:
            os.makedirs(d.state)
            db = os.path.join(d.state, "ikond.db")
            subprocess.run(["sqlite3", db, "CREATE TABLE t(x); PRAGMA user_version = 4242;"], check=True)
            before = open(db, "rb").read()
            r = subprocess.run([IKOND, "-f", d.config], capture_output=True, text=True, timeout=10)
            self.assertEqual(r.returncode, 1)
            self.assertIn("schema version 4242", r.stderr)
            self.assertEqual(open(db, "rb").read(), before)
        finally:
            d.cleanup()


if __name__ == "__main__":
    ikondtest.main()
