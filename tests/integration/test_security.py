#!/usr/bin/python3
"""Abuse from the outside: unauthorised users on the control socket,
requests for paths outside the daemon's data, clients that try to make the
daemon hold memory, hostile HTTP clients beyond the connection limit, the
SMTP password, and attempts to use ikond as a mail relay.

Extends test_foundation (garbage on the socket, nobody refused for two
commands) and test_feeds (hostile HTTP requests, a few slow clients).
"""

import json
import os
import pwd
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ikondtest  # noqa: E402
from faultlib import IS_ROOT, Daemon, ScriptedSMTP, day, http_get, wait_for  # noqa: E402

MAGIC, VERSION, REQUEST = 0x494B4E44, 2, 1


def mutating_commands():
    """(name, positionals) of every CMD_MUTATING row of the command table."""
    with open(os.path.join(ikondtest.SRC, "common", "cmdtab.c"), encoding="utf-8") as f:
        src = f.read()
    out = []
    for m in re.finditer(r'\{ "([a-z ]+)", (NULL|"[^"]*"),((?:[^{}"]|"(?:[^"\\]|\\.)*")*?)\}',
                         src):
        if "CMD_MUTATING" in m.group(3):
            pos = [] if m.group(2) == "NULL" else m.group(2).strip('"').split()
            out.append((m.group(1), [p for p in pos if not p.startswith("[")]))
    return out


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def threads(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


@unittest.skipUnless(IS_ROOT, "switching to the user nobody needs root")
class ControlSocket(unittest.TestCase):
    def setUp(self):
        self.d = Daemon().start()
        os.chmod(self.d.socket, 0o666)
        self.d.ctl("committee", "add", "ia", "--name", "Ausschuss", "--kind", "fachausschuss")
        self.tmp = tempfile.mkdtemp(prefix="ikond-sec-")
        os.chmod(self.tmp, 0o755)
        self.ics = os.path.join(self.tmp, "x.ics")
        with open(self.ics, "w") as f:
            f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
        os.chmod(self.ics, 0o644)

    def tearDown(self):
        self.d.cleanup()
        subprocess.run(["rm", "-rf", self.tmp], check=False)

    def test_every_mutating_command_is_refused(self):
        cmds = mutating_commands()
        self.assertGreater(len(cmds), 30)
        self.assertIn("mail test", [c for c, _ in cmds])  # no relaying for the unauthorised
        before = self.d.json("committee", "list")
        for name, pos in cmds:
            args = name.split() + [self.ics if name == "import sessions" else
                                   ("1" if p in ("ID", "N", "DATE") else "ia") for p in pos]
            if name == "mail test":
                args[-1] = "victim@example.org"
            with self.subTest(command=name):
                r = self.d.ctl(*args, user="nobody", check=False)
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                self.assertIn("permission denied", r.stderr)
        self.assertEqual(self.d.json("committee", "list"), before)
        self.assertFalse([a for a in self.d.json("mail", "queue")])

    def raw(self, header_len, body=b"", user=None):
        """Sends a header announcing header_len bytes; returns the reply (as nobody if user)."""
        code = ("import socket,struct,sys\n"
                "s=socket.socket(socket.AF_UNIX);s.connect(sys.argv[1]);s.settimeout(5)\n"
                "s.sendall(struct.pack('>IHHI',%d,%d,%d,%d)+%r)\n"
                "d=b''\n"
                "try:\n"
                "  while True:\n"
                "    c=s.recv(65536)\n"
                "    if not c: break\n"
                "    d+=c\n"
                "except Exception: pass\n"
                "sys.stdout.write(d[12:].decode('utf-8','replace'))\n"
                % (MAGIC, VERSION, REQUEST, header_len, body))
        cmd = ["/usr/bin/python3", "-c", code, self.d.socket]
        if user:
            pw = pwd.getpwnam(user)
            cmd = ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid,
                   "--clear-groups", *cmd]
        t0 = time.monotonic()
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
        return out, time.monotonic() - t0

    def test_unprivileged_large_payload_refused_at_once(self):
        out, took = self.raw(2 * 1024 * 1024, b"{", user="nobody")
        self.assertIn("payload too large", out)
        self.assertLess(took, 3)

    def test_memory_per_client_is_bounded(self):
        pid = self.d.proc.pid
        base = rss_kib(pid)
        conns = []
        for _ in range(48):
            s = socket.socket(socket.AF_UNIX)
            s.connect(self.d.socket)
            s.sendall(struct.pack(">IHHI", MAGIC, VERSION, REQUEST, 16 * 1024 * 1024))
            conns.append(s)
        for _ in range(20):
            for s in conns:
                s.sendall(b"x" * 1024)
            time.sleep(0.02)
        # Others are served meanwhile.
        t0 = time.monotonic()
        self.d.ctl("status")
        self.assertLess(time.monotonic() - t0, 2)
        grown = rss_kib(pid) - base
        # 48 clients x 20 KiB sent: the buffers hold what arrived, not what was announced.
        self.assertLess(grown, 16 * 1024, "RSS grew by %d KiB" % grown)
        for s in conns:
            s.close()
        self.d.ctl("status")

    def test_no_paths_outside_the_data(self):
        for name in ("../../etc/passwd", "/etc/passwd", "x/../../etc", "..", "a/b"):
            with self.subTest(name=name):
                r = self.d.ctl("draft", "render", name, check=False)
                self.assertNotEqual(r.returncode, 0)
                self.assertNotIn("root:x:0", r.stdout + r.stderr)
        # An import is the content ikond-ctl read as its user, never a path the
        # daemon opens: nobody cannot import a file only root can read.
        secret = os.path.join(self.tmp, "secret.ics")
        with open(secret, "w") as f:
            f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
        os.chmod(secret, 0o600)
        r = self.d.ctl("import", "sessions", secret, "--committee", "ia", user="nobody",
                       check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertNotIn("0 created", r.stdout)


class Http(unittest.TestCase):
    def setUp(self):
        self.d = Daemon()
        with open(self.d.config, encoding="utf-8") as f:
            conf = f.read()
        conf = conf.replace("base_url = ", "timeout = 3; max_connections = 16; base_url = ")
        with open(self.d.config, "w", encoding="utf-8") as f:
            f.write(conf)
        self.d.start()
        self.d.ctl("committee", "add", "ia", "--name", "Ausschuss", "--kind", "fachausschuss")
        self.feed = self.d.json("feed", "add", "--all")
        self.port = self.d.http_port

    def tearDown(self):
        self.d.cleanup()

    def raw(self, data, timeout=5):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        s.sendall(data)
        out = b""
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                out += c
        except (socket.timeout, ConnectionResetError):
            pass
        s.close()
        return out

    def test_error_pages_tell_nothing(self):
        token = self.feed["token"]
        path = self.feed["url"].split(str(self.port), 1)[1]
        for req in (b"GET /feeds/" + b"A" * 43 + b".ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    b"Content-Length: 0\r\n\r\n",
                    b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    b"GARBAGE\r\n\r\n"):
            with self.subTest(request=req[:40]):
                reply = self.raw(req).decode("latin-1")
                low = reply.lower()
                for leak in (token, self.d.state, self.d.dir, "ikond", "libmicrohttpd", "0.1",
                             "sqlite", "passwd"):
                    self.assertNotIn(leak.lower(), low, reply)

    def test_slowloris_beyond_the_limit(self):
        pid = self.d.proc.pid
        path = self.feed["url"].split(str(self.port), 1)[1].encode()
        slow = []
        for _ in range(40):     # 16 allowed
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
                s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                slow.append(s)
            except OSError:
                pass
        for _ in range(4):
            for s in slow:
                try:
                    s.sendall(b"a")
                except OSError:
                    pass
            time.sleep(0.5)
        self.assertLessEqual(threads(pid), 16, "threads: %d" % threads(pid))
        # Once the idle timeout (3 s) dropped them, legitimate clients are served.
        wait_for(self._try, timeout=20, what="a feed after the flood")
        for s in slow:
            s.close()
        self.assertEqual(http_get(self.feed["url"])[0], 200)
        self.assertEqual(self.d.ctl("status", check=False).returncode, 0)

    def _try(self):
        try:
            return http_get(self.feed["url"], timeout=2)[0] == 200
        except OSError:
            return False


class Secrets(unittest.TestCase):
    PASSWORD = "Zq7-ikond-SECRET-pw-31415"

    def setUp(self):
        self.smtp = ScriptedSMTP()
        self.tmp = tempfile.mkdtemp(prefix="ikond-sec-")
        self.pwfile = os.path.join(self.tmp, "smtp-password")
        with open(self.pwfile, "w") as f:
            f.write(self.PASSWORD + "\n")
        self.cfg = ('smtp = { host = "127.0.0.1"; port = %%d; starttls = "off"; user = "ikond"; '
                    'password_file = "%s"; from = "ikond <ikond@example.org>"; '
                    'retry_seconds = 1; timeout = 2; };\n'
                    'reminders = { send_time = "00:00"; session = [ "P2D" ]; deadline = [ ]; };\n'
                    % self.pwfile)
        self.d = Daemon(self.cfg % self.smtp.port).start()
        self.outputs = []

    def tearDown(self):
        self.d.cleanup()
        self.smtp.close()
        subprocess.run(["rm", "-rf", self.tmp], check=False)

    def ctl(self, *args):
        r = self.d.ctl(*args, check=False)
        self.outputs.append(r.stdout + r.stderr)
        r2 = self.d.ctl("--json", *args, check=False)
        self.outputs.append(r2.stdout + r2.stderr)
        return r

    def test_password_never_shown(self):
        self.ctl("committee", "add", "ia", "--name", "A", "--kind", "fachausschuss")
        self.ctl("actor", "add", "p0", "--name", "P", "--email", "p0@example.org")
        self.ctl("actor", "join", "p0", "--committee", "ia")
        self.ctl("session", "add", "--committee", "ia", "--start", "%s 18:00" % day(1))
        # The relay offers no AUTH: the configured login fails.
        wait_for(lambda: any(r["attempts"] >= 1 for r in self.d.json("mail", "queue")),
                 what="a failed delivery")
        self.ctl("mail", "test", "admin@example.org")
        self.ctl("mail", "queue")
        self.ctl("status")
        # A relay that is not there.
        self.smtp.close()
        self.ctl("mail", "test", "admin@example.org")
        time.sleep(2.5)
        self.ctl("mail", "queue")
        # A reload with errors, then one that works.
        with open(self.d.config, "a") as f:
            f.write("smtp = { port = \"not a number\"; };\n")
        self.ctl("reload")
        self.d.write_config(self.cfg % 1)
        self.ctl("reload")
        self.ctl("status")
        self.d.signal(1)
        time.sleep(1)
        for out in self.outputs:
            self.assertNotIn(self.PASSWORD, out)
        self.assertNotIn(self.PASSWORD, self.d.read_log())
        self.assertNotIn(self.PASSWORD.encode(), json.dumps(self.outputs).encode())


if __name__ == "__main__":
    ikondtest.main()
