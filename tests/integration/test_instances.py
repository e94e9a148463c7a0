#!/usr/bin/python3
"""Many bodies on one machine (ikond@.service):

- `ikond --instance NAME` and `ikond-ctl --instance NAME` (or
  IKOND_INSTANCE) find the instance's own state directory and control
  socket; --socket still wins, a bad name is refused;
- two instances serve their feeds on Unix sockets (http.socket) behind
  nginx running the server block of the README, and each feed address an
  instance prints answers through the proxy, with that instance's data
  only;
- with control.socket_group each instance's admins (two unprivileged
  users, switched to with setpriv) reach their own instance and not the
  other one.
"""

import grp
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import ikondtest  # noqa: E402
from ikondtest import IKOND, IKOND_CTL, SRC, free_port  # noqa: E402

IS_ROOT = os.geteuid() == 0


def wait_for(pred, timeout=15, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def as_user(uid, gid, cmd):
    return ["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid, "--clear-groups", *cmd]


class Instance:
    """One ikond --instance NAME, laid out as ikond@NAME.service lays it out."""

    def __init__(self, top, name, base_url, extra=""):
        self.name = name
        # RuntimeDirectory=ikond/%i, RuntimeDirectoryMode=0755
        self.run = os.path.join(top, "run", name)
        os.makedirs(self.run)
        os.chmod(os.path.dirname(self.run), 0o755)
        os.chmod(self.run, 0o755)
        self.socket = os.path.join(self.run, "control.sock")
        self.http = os.path.join(self.run, "http.sock")
        self.state = os.path.join(top, "state", name)
        self.config = os.path.join(top, name + ".conf")
        self.log = os.path.join(top, name + ".log")
        with open(self.config, "w", encoding="utf-8") as f:
            f.write('state_dir = "%s";\ncontrol_socket = "%s";\n' % (self.state, self.socket))
            f.write('http = { socket = "%s"; base_url = "%s"; };\n' % (self.http, base_url))
            f.write(extra)
        self.proc = None

    def start(self):
        with open(self.log, "a", encoding="utf-8") as logf:
            self.proc = subprocess.Popen([*ikondtest.WRAPPER, IKOND, "--instance", self.name,
                                          "-f", self.config, "-v"],
                                         stdout=logf, stderr=subprocess.STDOUT)
        wait_for(lambda: self.ctl("status", check=False).returncode == 0,
                 what="instance %s" % self.name)
        return self

    def ctl(self, *args, check=True, user=None):
        cmd = [IKOND_CTL, "--socket", self.socket, *args]
        if user is not None:
            cmd = as_user(*user, cmd)
        env = dict(os.environ, LC_ALL="C.UTF-8")
        env.pop("IKOND_SOCKET", None)
        env.pop("IKOND_INSTANCE", None)
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        if check and r.returncode != 0:
            raise AssertionError("ikond-ctl %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        rc = self.proc.returncode if self.proc is not None else None
        self.proc = None
        return rc


class Defaults(unittest.TestCase):
    """Where an instance lives when the configuration does not say."""

    def setUp(self):
        self.top = tempfile.mkdtemp(prefix="ikond-inst-")
        os.chmod(self.top, 0o755)
        self.proc = None
        # As root the defaults are /var/lib/ikond/NAME and /run/ikond/NAME:
        # run as nobody, whose defaults follow XDG_STATE_HOME and XDG_RUNTIME_DIR.
        self.user = None
        if IS_ROOT:
            nobody = pwd.getpwnam("nobody")
            self.user = (nobody.pw_uid, nobody.pw_gid)
            os.chown(self.top, *self.user)
        self.env = dict(os.environ, LC_ALL="C.UTF-8", HOME=self.top,
                        XDG_STATE_HOME=os.path.join(self.top, "state"),
                        XDG_RUNTIME_DIR=os.path.join(self.top, "run"))
        for k in ("IKOND_SOCKET", "IKOND_INSTANCE"):
            self.env.pop(k, None)
        self.config = os.path.join(self.top, "http.conf")
        with open(self.config, "w", encoding="utf-8") as f:
            f.write("http = { port = 0; };\n")

    def tearDown(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        shutil.rmtree(self.top, ignore_errors=True)

    def run_as(self, cmd, env=None, **kw):
        if self.user is not None:
            cmd = as_user(*self.user, cmd)
        return subprocess.run(cmd, capture_output=True, text=True, env=env or self.env,
                              timeout=60, **kw)

    def test_instance_paths(self):
        cmd = [*ikondtest.WRAPPER, IKOND, "--instance", "musterstadt", "-f", self.config]
        if self.user is not None:
            cmd = as_user(*self.user, cmd)
        with open(os.path.join(self.top, "log"), "w", encoding="utf-8") as logf:
            self.proc = subprocess.Popen(cmd, env=self.env, stdout=logf,
                                         stderr=subprocess.STDOUT)
        sock = os.path.join(self.top, "run", "ikond", "musterstadt", "control.sock")
        wait_for(lambda: os.path.exists(sock), what="the instance's control socket")
        self.assertTrue(os.path.exists(os.path.join(self.top, "state", "ikond", "musterstadt",
                                                    "ikond.db")))
        r = self.run_as([IKOND_CTL, "--instance", "musterstadt", "committee", "add", "ia",
                         "--name", "Ausschuss für Integration", "--kind", "fachausschuss"])
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.run_as([IKOND_CTL, "committee", "list"],
                        env=dict(self.env, IKOND_INSTANCE="musterstadt"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Ausschuss für Integration", r.stdout)
        # Another instance has another socket, which nobody answers on.
        r = self.run_as([IKOND_CTL, "--instance", "nachbarort", "status"])
        self.assertEqual(r.returncode, 1)
        self.assertIn(os.path.join("ikond", "nachbarort", "control.sock"), r.stderr)
        # --socket beats --instance; --instance beats IKOND_SOCKET.
        r = self.run_as([IKOND_CTL, "--instance", "nachbarort", "--socket", sock, "status"])
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.run_as([IKOND_CTL, "--instance", "musterstadt", "status"],
                        env=dict(self.env, IKOND_SOCKET="/nonexistent/control.sock"))
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_bad_names(self):
        for name in ("../etc", "", "-x", "a/b", "x" * 65):
            r = subprocess.run([IKOND, "--instance", name, "-n"], capture_output=True,
                               text=True, env=self.env)
            self.assertEqual(r.returncode, 2, name)
            self.assertIn("instance name", r.stderr)
            r = subprocess.run([IKOND_CTL, "--instance", name, "status"], capture_output=True,
                               text=True, env=self.env)
            self.assertEqual(r.returncode, 2, name)
            self.assertIn("instance name", r.stderr)


def nginx_block(top, port):
    """The README's nginx server block, on a local port and the test's paths."""
    with open(os.path.join(SRC, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    blocks = re.findall(r"```nginx\n(.*?)```", readme, re.S)
    if len(blocks) != 1:
        raise AssertionError("the README has %d nginx blocks, not one" % len(blocks))
    lines = []
    for line in blocks[0].splitlines():
        if line.strip() == "listen 443 ssl;":
            line = line.replace("listen 443 ssl;", "listen 127.0.0.1:%d;" % port)
        elif line.strip().startswith("ssl_"):
            continue
        lines.append(line.replace("/run/ikond/", os.path.join(top, "run") + "/"))
    return "\n".join(lines)


class TwoInstances(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ikondtest.require("nginx", "nginx")
        cls.top = tempfile.mkdtemp(prefix="ikond-inst-")
        os.chmod(cls.top, 0o755)
        cls.port = free_port()
        cls.instances = {}
        cls.groups = {"musterstadt": "users", "nachbarort": "staff"}
        for name, group in cls.groups.items():
            extra = ('control = { socket_group = "%s"; allow_groups = [ "%s" ]; };\n'
                     % (group, group)) if IS_ROOT else ""
            cls.instances[name] = Instance(cls.top, name, "http://127.0.0.1:%d/%s"
                                           % (cls.port, name), extra).start()
        cls.nginx = None
        conf = os.path.join(cls.top, "nginx.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write("daemon off;\nworker_processes 1;\npid %s/nginx.pid;\n"
                    "error_log %s/nginx-error.log;\nevents { worker_connections 64; }\n"
                    "http {\naccess_log off;\n" % (cls.top, cls.top))
            for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
                f.write("%s_temp_path %s/nginx-%s;\n" % (t, cls.top, t))
            f.write(nginx_block(cls.top, cls.port) + "\n}\n")
        cls.nginx = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-p", cls.top,
                                      "-c", conf, "-e", os.path.join(cls.top, "nginx-stderr")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @classmethod
    def tearDownClass(cls):
        if cls.nginx is not None:
            cls.nginx.send_signal(signal.SIGQUIT)
            cls.nginx.wait(timeout=30)
        failed = {n: i.stop() for n, i in cls.instances.items()}
        shutil.rmtree(cls.top, ignore_errors=True)
        failed = {n: rc for n, rc in failed.items() if rc not in (None, 0)}
        if failed:
            raise AssertionError("instances exited with %s" % failed)

    def fetch(self, url):
        deadline = time.time() + 15
        while True:
            try:
                with urllib.request.urlopen(url, timeout=10) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, ""
            except (ConnectionError, urllib.error.URLError):
                if time.time() > deadline:
                    raise
                time.sleep(0.1)

    def test_feeds_through_nginx(self):
        urls = {}
        for name, inst in self.instances.items():
            inst.ctl("committee", "add", "rat", "--name", "Rat von %s" % name.capitalize(),
                     "--kind", "rat")
            inst.ctl("session", "add", "--committee", "rat", "--start", "2031-03-04 18:00")
            r = inst.ctl("--json", "feed", "add", "--all")
            urls[name] = re.search(r'"url": "([^"]+)"', r.stdout).group(1)
            self.assertTrue(urls[name].startswith("http://127.0.0.1:%d/%s/feeds/"
                                                  % (self.port, name)), urls[name])
        for name, url in urls.items():
            # the feed's snapshot follows the change within a moment
            wait_for(lambda: "Rat von %s" % name.capitalize() in self.fetch(url)[1],
                     what="the feed of %s through nginx" % name)
            status, body = self.fetch(url)
            self.assertEqual(status, 200)
            self.assertTrue(body.startswith("BEGIN:VCALENDAR"), body[:80])
            other = [n for n in urls if n != name][0]
            self.assertNotIn("Rat von %s" % other.capitalize(), body)
        # A token is valid at its own instance only.
        crossed = urls["musterstadt"].replace("/musterstadt/", "/nachbarort/")
        self.assertEqual(self.fetch(crossed)[0], 404)

    @unittest.skipUnless(IS_ROOT, "switching to other users needs root")
    def test_admins_reach_their_instance_only(self):
        admins = {"musterstadt": (pwd.getpwnam("daemon").pw_uid, grp.getgrnam("users").gr_gid),
                  "nachbarort": (pwd.getpwnam("bin").pw_uid, grp.getgrnam("staff").gr_gid)}
        for name, inst in self.instances.items():
            self.assertEqual(os.stat(inst.socket).st_gid, grp.getgrnam(self.groups[name]).gr_gid)
            self.assertEqual(os.stat(inst.socket).st_mode & 0o777, 0o660)
            for admin_of, user in admins.items():
                r = inst.ctl("committee", "add", "ag-%s" % admin_of, "--name", "AG",
                             "--kind", "arbeitsgruppe", user=user, check=False)
                if admin_of == name:
                    self.assertEqual(r.returncode, 0, r.stderr)
                else:
                    self.assertEqual(r.returncode, 1)
                    self.assertIn("ermission denied", r.stderr)
            slugs = inst.ctl("committee", "list").stdout
            self.assertIn("ag-%s" % name, slugs)
            self.assertNotIn("ag-%s" % [n for n in admins if n != name][0], slugs)


if __name__ == "__main__":
    ikondtest.main()
