"""Helpers shared by the fault, kill and security tests: a daemon that can
be started with extra environment and resource limits, a scripted SMTP
server whose misbehaviour the test switches at run time, a generator of
large session calendars, and small HTTP and database probes.
"""

import datetime
import glob
import os
import resource
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.request

import ikondtest

IS_ROOT = os.geteuid() == 0


def day(offset):
    return (datetime.date.today() + datetime.timedelta(days=offset)).isoformat()


def find_faketime():
    """libfaketime's multi-threaded library, or None."""
    for pattern in ("/usr/lib/*/faketime/libfaketimeMT.so.1", "/usr/lib/faketime/libfaketimeMT.so.1",
                    "/usr/local/lib/faketime/libfaketimeMT.so.1"):
        hits = glob.glob(pattern)
        if hits:
            return hits[0]
    return None


def wait_for(pred, timeout=20, what="condition", step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out waiting for " + what)


class Daemon(ikondtest.Daemon):
    """ikondtest.Daemon plus environment, RLIMIT_FSIZE and SIGKILL."""

    env = None
    fsize = None

    def start(self, wait=True, args=()):
        logf = open(self.log, "a", encoding="utf-8")
        env = dict(os.environ)
        if self.env:
            env.update(self.env)
        fsize = self.fsize

        def limits():
            if fsize is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, resource.RLIM_INFINITY))

        wrapper = getattr(ikondtest, "WRAPPER", [])
        self.proc = subprocess.Popen([*wrapper, ikondtest.IKOND, "-f", self.config, "-v", *args],
                                     stdout=logf, stderr=subprocess.STDOUT, env=env,
                                     preexec_fn=limits)
        logf.close()
        if wait:
            self.wait_ready()
        return self

    def sigkill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    @property
    def db(self):
        return os.path.join(self.state, "ikond.db")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None


def integrity(db_path):
    """PRAGMA integrity_check of a copy (with its WAL), while the daemon is down."""
    import shutil
    import tempfile
    tmp = tempfile.mkdtemp(prefix="ikond-icheck-")
    try:
        for suffix in ("", "-wal"):
            if os.path.exists(db_path + suffix):
                shutil.copyfile(db_path + suffix, os.path.join(tmp, "copy.db" + suffix))
        con = sqlite3.connect(os.path.join(tmp, "copy.db"))
        try:
            return con.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            con.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def http_get(url, timeout=5):
    """(status, body, seconds)."""
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    return status, body, time.monotonic() - t0


HEAD = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ratsinformationssystem//Export//DE\r\n"
        "METHOD:PUBLISH\r\n")
TAIL = "END:VCALENDAR\r\n"


def big_ics(n, tag="ris", first=None):
    """n sessions on consecutive days, starting a year ahead."""
    start = first or (datetime.date.today() + datetime.timedelta(days=365))
    out = [HEAD]
    for i in range(n):
        d = start + datetime.timedelta(days=i)
        s = d.strftime("%Y%m%d")
        out.append("BEGIN:VEVENT\r\nUID:%s-%d@ris.example\r\nDTSTAMP:20260101T000000Z\r\n"
                   "DTSTART;TZID=Europe/Berlin:%sT170000\r\nDTEND;TZID=Europe/Berlin:%sT190000\r\n"
                   "SUMMARY:Sitzung %d des Ausschusses\r\nLOCATION:Kreishaus\\, Saal %d\r\n"
                   "END:VEVENT\r\n" % (tag, i, s, s, i, i % 7))
    out.append(TAIL)
    return "".join(out)


class ScriptedSMTP:
    """A raw SMTP server on 127.0.0.1 whose behaviour is switched by mode:

    ok           a plain relay; a message counts once 250 is sent after DATA
    drop_in_data reads part of the DATA and closes the connection
    slow         stalls (up to 30 s) before answering the end of DATA
    slow_greet   stalls (up to 30 s) before the greeting
    garbage_greeting   answers the connection with binary junk
    garbage_replies    greets properly, then answers every command with junk
    """

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.mode = "ok"
        self.lock = threading.Lock()
        self.accepted = []        # (rcpt, raw message bytes)
        self.connections = 0
        self.data_started = 0     # connections that reached DATA
        self.stop_event = threading.Event()
        self.threads = []
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self.threads.append(t)

    def close(self):
        self.stop_event.set()
        try:
            self.sock.close()
        except OSError:
            pass

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self.stop_event.is_set():
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.connections += 1
            t = threading.Thread(target=self._serve, args=(c, self.mode), daemon=True)
            t.start()

    def message_ids(self):
        import email
        import email.policy
        with self.lock:
            out = []
            for rcpt, raw in self.accepted:
                m = email.message_from_bytes(raw, policy=email.policy.default)
                out.append((rcpt, m["Message-ID"]))
            return out

    def count(self):
        with self.lock:
            return len(self.accepted)

    def _serve(self, c, mode):
        c.settimeout(60)
        f = c.makefile("rb")

        def say(line):
            c.sendall(line if isinstance(line, bytes) else line.encode() + b"\r\n")

        try:
            if mode == "slow_greet":
                self.stop_event.wait(30)
                return
            if mode == "garbage_greeting":
                say(b"\x00\xff\xfe garbage \x1b[31m\r\nnot smtp at all\r\n")
                self.stop_event.wait(2)
                return
            say("220 faults.example ESMTP")
            rcpt = None
            while not self.stop_event.is_set():
                line = f.readline(1000)
                if not line:
                    return
                cmd = line.strip().upper()
                if mode == "garbage_replies":
                    say(b"\x01\x02 ??? \xff\r\n")
                    continue
                if cmd.startswith(b"EHLO"):
                    say("250-faults.example\r\n250 8BITMIME")
                elif cmd.startswith(b"HELO") or cmd.startswith(b"MAIL") or cmd.startswith(b"RSET") \
                        or cmd.startswith(b"NOOP"):
                    say("250 OK")
                elif cmd.startswith(b"RCPT"):
                    rcpt = line.split(b":", 1)[1].strip().strip(b"<>").decode()
                    say("250 OK")
                elif cmd == b"DATA":
                    with self.lock:
                        self.data_started += 1
                    say("354 go ahead")
                    data = []
                    while True:
                        l2 = f.readline(100000)
                        if not l2:
                            return
                        if l2 in (b".\r\n", b".\n"):
                            break
                        data.append(l2[1:] if l2.startswith(b"..") else l2)
                        if mode == "drop_in_data" and len(data) >= 5:
                            c.shutdown(socket.SHUT_RDWR)
                            return
                    if mode == "slow":
                        self.stop_event.wait(30)
                        return
                    with self.lock:
                        self.accepted.append((rcpt, b"".join(data)))
                    say("250 2.0.0 queued")
                elif cmd == b"QUIT":
                    say("221 bye")
                    return
                else:
                    say("500 what")
        except OSError:
            pass
        finally:
            try:
                c.close()
            except OSError:
                pass
