#!/usr/bin/python3
"""Availability under hostile and heavy clients, against the real daemon on
loopback, each test with a bounded load that ends on its own:

- Feeds: a normal client gets its feed in under one second while 2,000
  keep-alive connections are open (and all of them ask at once), and while
  400 connections trickle their headers (slowloris); trickling does not
  keep a connection past http.request_timeout.  A full server closes the
  connection that has waited longest for its request, and answers 503 with
  Retry-After only when every connection is being answered.  A second
  daemon on the same port refuses to start.
- Control socket: root's `ikond-ctl status` answers in under one second
  while a member of the socket's group (a real unprivileged user) holds
  200 idle and 64 trickling connections; `ikond-ctl --timeout` gives up
  with a clear message.
- A clock stepped back by one hour does not delay a retry (libfaketime).
"""

import glob
import grp
import os
import pwd
import resource
import selectors
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ikondtest  # noqa: E402
from faultlib import IS_ROOT, Daemon, ScriptedSMTP, day, http_get, wait_for  # noqa: E402

# Every connection is a descriptor, here and in the daemon (which inherits
# the limit and raises its own soft limit up to the hard one).
_soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
_want = 16384 if _hard == resource.RLIM_INFINITY else min(_hard, 16384)
if _soft < _want:
    resource.setrlimit(resource.RLIMIT_NOFILE, (_want, _hard))

MAGIC, VERSION, REQUEST = 0x494B4E44, 1, 1


def http_daemon(keys):
    """A daemon whose http group has the extra keys (a string of libconfig)."""
    d = Daemon()
    with open(d.config, encoding="utf-8") as f:
        conf = f.read()
    with open(d.config, "w", encoding="utf-8") as f:
        f.write(conf.replace("base_url = ", keys + " base_url = "))
    return d


def fetch_time(url):
    """Seconds a fresh client needs for the whole feed (status 200)."""
    status, body, took = http_get(url, timeout=10)
    assert status == 200 and b"BEGIN:VCALENDAR" in body, (status, body[:100])
    return took


def closed_by_server(s, wait):
    """True if the server closed s within wait seconds."""
    s.settimeout(wait)
    try:
        while True:
            if s.recv(65536) == b"":
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def still_open(s):
    s.setblocking(False)
    try:
        return s.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


class KeepAlive:
    """n persistent connections that send requests together and read the
    answers (Content-Length framed) with one selector."""

    def __init__(self, port, path, n):
        self.request = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode()
        self.socks = []
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.setblocking(False)
            self.socks.append(s)

    def round(self, timeout=60):
        """Sends one request on every connection; returns the status codes."""
        sel = selectors.DefaultSelector()
        bufs = {}
        for s in self.socks:
            s.send(self.request)
            bufs[s] = b""
            sel.register(s, selectors.EVENT_READ)
        codes = []
        deadline = time.monotonic() + timeout
        while bufs and time.monotonic() < deadline:
            for key, _ in sel.select(1):
                s = key.fileobj
                try:
                    chunk = s.recv(262144)
                except BlockingIOError:
                    continue
                if chunk == b"":
                    raise AssertionError("the server closed a keep-alive connection")
                bufs[s] += chunk
                head, sep, body = bufs[s].partition(b"\r\n\r\n")
                if not sep:
                    continue
                length = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
                          if l.lower().startswith(b"content-length:")][0]
                if len(body) >= length:
                    codes.append(int(head.split(b" ")[1]))
                    del bufs[s]
                    sel.unregister(s)
        sel.close()
        if bufs:
            raise AssertionError("%d connections got no answer within %d s" % (len(bufs), timeout))
        return codes

    def close(self):
        for s in self.socks:
            s.close()


class Feeds(unittest.TestCase):
    def start(self, keys=""):
        self.d = http_daemon(keys).start()
        self.d.ctl("committee", "add", "ia", "--name", "Ausschuss", "--kind", "fachausschuss")
        self.d.ctl("session", "add", "--committee", "ia", "--start", "%s 17:00" % day(30))
        self.url = self.d.json("feed", "add", "--all")["url"]
        self.path = self.url.split(str(self.d.http_port), 1)[1]
        self.port = self.d.http_port

    def tearDown(self):
        self.d.cleanup()

    def http(self):
        return self.d.json("status")["http"]

    def test_2000_keep_alive_connections(self):
        self.start()
        many = KeepAlive(self.port, self.path, 2000)
        try:
            self.assertEqual(set(many.round()), {200})
            # All of them are open and idle: a new client is served at once.
            for _ in range(3):
                took = fetch_time(self.url)
                self.assertLess(took, 1.0, "the feed took %.2f s beside 2,000 idle "
                                "keep-alive connections" % took)
            # All of them ask at once (the stall of libmicrohttpd's own
            # epoll loop needed 128 requests arriving together).
            times = []
            probe = threading.Thread(target=lambda: times.append(fetch_time(self.url)))
            probe.start()
            self.assertEqual(set(many.round()), {200})
            probe.join(30)
            self.assertLess(times[0], 1.0, "the feed took %.2f s while 2,000 keep-alive "
                            "connections asked at once" % times[0])
            h = self.http()
            self.assertGreaterEqual(h["connections"], 2000)
            self.assertEqual((h["refused"], h["evicted"]), (0, 0), h)
            self.assertEqual(h["max_connections"], 4096)
        finally:
            many.close()

    def test_400_slowloris_connections(self):
        self.start("request_timeout = 4;")
        slow = []
        for _ in range(400):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            s.sendall(b"GET " + self.path.encode() + b" HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(s)
        stop = threading.Event()

        def trickle():
            while not stop.wait(1):
                for s in slow:
                    try:
                        s.send(b"a")
                    except OSError:
                        pass

        t = threading.Thread(target=trickle)
        t.start()
        try:
            for _ in range(3):
                took = fetch_time(self.url)
                self.assertLess(took, 1.0, "the feed took %.2f s beside 400 slowloris "
                                "connections" % took)
            # One byte a second does not keep a request alive for longer
            # than http.request_timeout (4 s here).
            t0 = time.monotonic()
            for s in slow:
                self.assertTrue(closed_by_server(s, max(0.1, t0 + 12 - time.monotonic())),
                                "a trickling connection outlived http.request_timeout")
        finally:
            stop.set()
            t.join()
            for s in slow:
                s.close()
        self.assertGreaterEqual(self.http()["expired"], 400)
        self.assertLess(fetch_time(self.url), 1.0)

    def test_full_server_closes_the_longest_waiting(self):
        self.start("max_connections = 20; request_timeout = 60;")
        waiting = []
        for i in range(20):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            if i % 2:
                s.sendall(b"GET " + self.path.encode() + b" HTTP/1.1\r\nHost: x\r\n")
            waiting.append(s)
            wait_for(lambda: self.http()["connections"] == i + 1, timeout=10,
                     what="connection %d to be counted" % (i + 1))
        try:
            took = fetch_time(self.url)
            self.assertLess(took, 1.0)
            self.assertTrue(closed_by_server(waiting[0], 5), "the oldest was not closed")
            self.assertEqual([still_open(s) for s in waiting[1:]], [True] * 19)
            h = self.http()
            self.assertEqual((h["evicted"], h["refused"]), (1, 0), h)
        finally:
            for s in waiting:
                s.close()

    def test_503_when_every_connection_is_answering(self):
        # A feed of several megabytes that slow readers do not read keeps
        # their connections answering.
        self.start()
        self.d.stop()
        db = sqlite3.connect(os.path.join(self.d.state, "ikond.db"))
        db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 16000) "
            "INSERT INTO session (committee_id, title, start_utc, end_utc, location, state, uid, "
            "sequence, created_at, updated_at) SELECT (SELECT id FROM committee WHERE slug = 'ia'), "
            "'Arbeitstreffen Nr. ' || i || ': Sprache, Bildung und Teilhabe im Landkreis', "
            "1893456000 + i * 3600, 1893456000 + i * 3600 + 1800, 'Raum ' || (i % 40), 'planned', "
            "'big-' || i || '@ikond', 0, 1700000000, 1700000000 FROM n")
        db.commit()
        db.close()
        with open(self.d.config, encoding="utf-8") as f:
            conf = f.read()
        with open(self.d.config, "w", encoding="utf-8") as f:
            f.write(conf.replace("base_url = ", "max_connections = 4; timeout = 120; base_url = "))
        self.d.start()
        wait_for(lambda: len(http_get(self.url, timeout=30)[1]) > 6 * 1024 * 1024, timeout=120,
                 what="the big feed")
        slow = []
        for _ in range(4):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(("127.0.0.1", self.port))
            s.sendall(b"GET " + self.path.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            slow.append(s)
        try:
            time.sleep(1)
            c = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            t0 = time.monotonic()
            c.sendall(b"GET " + self.path.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            reply = b""
            while b"\r\n\r\n" not in reply:
                chunk = c.recv(4096)
                if not chunk:
                    break
                reply += chunk
            took = time.monotonic() - t0
            c.close()
            self.assertTrue(reply.startswith(b"HTTP/1.1 503 "), reply[:200])
            self.assertIn(b"\r\nRetry-After: ", reply)
            self.assertLess(took, 1.0)
            self.assertGreaterEqual(self.http()["refused"], 1)
        finally:
            for s in slow:
                s.close()
        wait_for(lambda: http_get(self.url, timeout=30)[0] == 200, timeout=30,
                 what="the feed once the slow readers left")

    def test_second_daemon_on_the_same_port(self):
        self.start()
        other = ikondtest.Daemon()
        other.http_port = self.port
        other.write_config()
        try:
            other.start(wait=False)
            rc = other.proc.wait(timeout=20)
            self.assertNotEqual(rc, 0)
            log = other.read_log()
            self.assertIn("port %d" % self.port, log)
            self.assertIn("in use", log)
        finally:
            other.proc = None
            other.cleanup()
        for _ in range(20):
            self.assertEqual(http_get(self.url)[0], 200)


ATTACKER = r"""
import socket, struct, sys, time
path, hold = sys.argv[1], float(sys.argv[2])
idle, trickling, refused = [], [], 0
def connect():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    return s
for i in range(264):
    s = connect()
    (idle if i < 200 else trickling).append(s)
hdr = struct.pack(">IHHI", %d, %d, %d, 100)
t0 = time.monotonic()
k = 0
while time.monotonic() - t0 < hold:
    for s in trickling:
        try:
            s.send(hdr[k %% len(hdr):k %% len(hdr) + 1])
        except OSError:
            pass
    k += 1
    time.sleep(1)
def open_(s):
    s.setblocking(False)
    try:
        while s.recv(65536) != b"":
            pass
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
print(sum(open_(s) for s in idle + trickling))
""" % (MAGIC, VERSION, REQUEST)


def as_reader(cmd):
    """cmd run as the user nobody with the group nogroup, the socket's group."""
    return ["setpriv", "--reuid=%d" % pwd.getpwnam("nobody").pw_uid,
            "--regid=%d" % grp.getgrnam("nogroup").gr_gid, "--clear-groups", *cmd]


class ControlBase(unittest.TestCase):
    extra = ""

    def setUp(self):
        self.d = Daemon(self.extra).start()
        os.chown(self.d.socket, 0, grp.getgrnam("nogroup").gr_gid)
        os.chmod(self.d.socket, 0o660)

    def tearDown(self):
        self.d.cleanup()

    def timed_status(self):
        t0 = time.monotonic()
        r = self.d.ctl("status", check=False)
        took = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stderr)
        return took


class ControlSocket(ControlBase):
    @unittest.skipUnless(IS_ROOT, "switching to the user nobody needs root")
    def test_root_answered_while_a_reader_floods(self):
        script = os.path.join(self.d.dir, "attack.py")
        with open(script, "w") as f:
            f.write(ATTACKER)
        os.chmod(script, 0o644)
        # Holds 200 idle and 64 trickling connections for 13 s.
        attacker = subprocess.Popen(as_reader(["/usr/bin/python3", script, self.d.socket, "13"]),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(2)
            for _ in range(3):
                took = self.timed_status()
                self.assertLess(took, 1.0, "root waited %.2f s during the flood" % took)
            r = subprocess.run(as_reader([ikondtest.IKOND_CTL, "--socket", self.d.socket,
                                          "status"]), capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 1)
            self.assertIn("too many connections of uid %d" % pwd.getpwnam("nobody").pw_uid,
                          r.stderr)
            out, err = attacker.communicate(timeout=60)
        finally:
            if attacker.poll() is None:
                attacker.kill()
                attacker.wait()
        self.assertEqual(attacker.returncode, 0, err)
        # Trickling kept none of them past the request deadline (10 s).
        self.assertEqual(out.strip(), "0")
        self.assertLess(self.timed_status(), 1.0)


class ControlSocketFull(ControlBase):
    extra = "control = { max_clients = 8; max_clients_per_user = 8; };\n"

    @unittest.skipUnless(IS_ROOT, "switching to the user nobody needs root")
    def test_root_takes_the_slot_of_a_waiting_reader(self):
        script = os.path.join(self.d.dir, "hold.py")
        with open(script, "w") as f:
            f.write("import socket,sys,time\nss=[]\nfor _ in range(8):\n"
                    "    s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); ss.append(s)\n"
                    "print('ready', flush=True)\ntime.sleep(8)\n")
        os.chmod(script, 0o644)
        holder = subprocess.Popen(as_reader(["/usr/bin/python3", script, self.d.socket]),
                                  stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(holder.stdout.readline().strip(), "ready")
            # Readers got 6 of the 8 slots; root holds the other two ...
            mine = []
            for _ in range(2):
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.d.socket)
                mine.append(s)
            time.sleep(0.3)
            # ... and still gets an answer: a waiting reader makes room.
            self.assertLess(self.timed_status(), 1.0)
            self.assertIn("to make room", self.d.read_log())
            for s in mine:
                self.assertTrue(still_open(s))
                s.close()
        finally:
            holder.kill()
            holder.wait()
            holder.stdout.close()


class CtlTimeout(unittest.TestCase):
    def test_timeout_names_the_socket(self):
        tmp = tempfile.mkdtemp(prefix="ikond-timeout-")
        path = os.path.join(tmp, "silent.sock")
        srv = socket.socket(socket.AF_UNIX)
        srv.bind(path)
        srv.listen(4)
        try:
            t0 = time.monotonic()
            r = subprocess.run([ikondtest.IKOND_CTL, "--socket", path, "--timeout", "1", "status"],
                               capture_output=True, text=True, timeout=30)
            took = time.monotonic() - t0
            self.assertEqual(r.returncode, 1)
            self.assertIn("no answer from ikond within 1 second (socket %s)" % path, r.stderr)
            self.assertLess(took, 5)
            r = subprocess.run([ikondtest.IKOND_CTL, "--timeout", "soon", "status"],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 2)
            self.assertIn("--timeout", r.stderr)
        finally:
            srv.close()
            shutil.rmtree(tmp, ignore_errors=True)


def find_faketime():
    for pattern in ("/usr/lib/*/faketime/libfaketimeMT.so.1", "/usr/lib/faketime/libfaketimeMT.so.1"):
        hits = glob.glob(pattern)
        if hits:
            return hits[0]
    return None


class RetryAfterClockStep(unittest.TestCase):
    def setUp(self):
        if find_faketime() is None:
            raise AssertionError("libfaketimeMT.so.1 is not installed: apt-get install libfaketime")
        self.tmp = tempfile.mkdtemp(prefix="ikond-clock-")
        self.clock = os.path.join(self.tmp, "faketime")
        self.set_clock("+0")
        self.smtp = ScriptedSMTP()
        self.d = Daemon('smtp = { host = "127.0.0.1"; port = %d; starttls = "off"; '
                        'from = "ikond <ikond@example.org>"; retry_seconds = 8; timeout = 5; '
                        'max_attempts = 10; };\n'
                        'reminders = { send_time = "00:00"; session = [ "P2D" ]; deadline = [ ]; };\n'
                        % self.smtp.port)
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
        self.smtp.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def set_clock(self, offset):
        with open(self.clock + ".new", "w") as f:
            f.write(offset + "\n")
        os.replace(self.clock + ".new", self.clock)

    def test_step_back_does_not_delay_a_retry(self):
        d = self.d
        self.smtp.mode = "drop_in_data"
        d.ctl("committee", "add", "ia", "--name", "Ausschuss", "--kind", "fachausschuss")
        d.ctl("actor", "add", "p0", "--name", "Person", "--email", "p0@example.org")
        d.ctl("actor", "join", "p0", "--committee", "ia")
        d.ctl("session", "add", "--committee", "ia", "--start", "%s 18:00" % day(1))

        def row():
            rows = [r for r in d.json("mail", "queue") if r["offset"] == "P2D"]
            return rows[0] if rows else None

        wait_for(lambda: row() and row()["attempts"] == 1 and row()["state"] == "queued",
                 timeout=30, what="the first attempt to fail")
        # The wall clock goes back one hour; the backoff (8 s) is elapsed time.
        self.set_clock("-3600")
        self.smtp.mode = "ok"
        t0 = time.monotonic()
        wait_for(lambda: row()["state"] == "sent", timeout=40, what="the retry")
        self.assertLess(time.monotonic() - t0, 30)
        self.assertEqual(row()["attempts"], 2)
        self.assertIn("set by -3600 s", d.read_log())
        self.assertEqual(self.smtp.count(), 1)


if __name__ == "__main__":
    ikondtest.main()
