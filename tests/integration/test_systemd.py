"""The systemd unit, its sandbox, and ikond living in it.

- systemd-analyze security rates systemd/ikond.service at 1.5 or lower,
  and the template ikond@.service as ikond@musterstadt.service too; the
  template is the unit with per-instance paths and nothing else changed;
- the unit runs ikond as Type=notify, as the user its sysusers snippet
  creates, with the state and runtime directories the daemon uses;
- ikond started the way the unit starts it (an unprivileged user, umask
  0077, STATE_DIRECTORY and RUNTIME_DIRECTORY set, no configuration file)
  keeps its database and socket there, makes the socket 0660 with the
  daemon's group, answers ikond-ctl, serves a feed over HTTP and reloads
  on SIGHUP; strace watches it, and every system call it makes must be one
  the unit's SystemCallFilter allows.

There is no running systemd here, so the sandbox itself is not entered;
the checks above are what can be checked without one.
"""

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
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import ikondtest  # noqa: E402
from ikondtest import IKOND, IKOND_CTL, SRC, free_port  # noqa: E402

UNIT = os.path.join(SRC, "systemd", "ikond.service")
TEMPLATE = os.path.join(SRC, "systemd", "ikond@.service")
BUILD = os.environ.get("IKOND_BUILD", ".")
SYSUSERS = os.path.join(SRC, "systemd", "ikond.sysusers")
MAX_EXPOSURE = 1.5


def sanitized():
    """True for an ASan/UBSan build: the sanitizers make system calls of
    their own (setrlimit, ptrace for leak checks) and cannot run under
    strace, so such a build runs the life test without the trace."""
    try:
        with open(os.path.join(BUILD, "CMakeCache.txt"), encoding="utf-8") as f:
            return "IKOND_SANITIZE:BOOL=ON" in f.read()
    except OSError:
        return False


def unit_settings(path=UNIT):
    """The unit's settings as a dict of lists by (section, key) (a key may repeat)."""
    settings = {}
    section = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            key, _, value = line.partition("=")
            settings.setdefault((section, key), []).append(value)
    return settings


def syscall_groups():
    """Every @group of systemd-analyze syscall-filter, with its members."""
    out = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True,
                         text=True, check=True).stdout
    groups, current = {}, None
    for line in out.splitlines():
        if line.startswith("@"):
            current = groups.setdefault(line.split()[0], [])
        elif current is not None and line.strip() and not line.strip().startswith("#"):
            current.append(line.split()[0])
    return groups


def expand(names, groups, seen=None):
    seen = set() if seen is None else seen
    calls = set()
    for n in names:
        if n.startswith("@"):
            if n not in seen:
                seen.add(n)
                calls |= expand(groups.get(n, []), groups, seen)
        else:
            calls.add(n)
    return calls


def allowed_syscalls(filters):
    """The syscalls a list of SystemCallFilter= lines lets through."""
    groups = syscall_groups()
    allowed = set()
    for f in filters:
        deny = f.startswith("~")
        names = expand(f.lstrip("~").split(), groups)
        allowed = allowed - names if deny else allowed | names
    return allowed


class Unit(unittest.TestCase):
    def test_security_exposure(self):
        r = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager", UNIT],
                           capture_output=True, text=True)
        m = re.search(r"Overall exposure level for ikond\.service: ([0-9.]+)", r.stdout + r.stderr)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        exposure = float(m.group(1))
        print("exposure %.1f" % exposure)
        self.assertLessEqual(exposure, MAX_EXPOSURE, r.stdout)

    def test_template_security_exposure(self):
        scratch = tempfile.mkdtemp(prefix="ikond-template-")
        try:
            unit = os.path.join(scratch, "ikond@musterstadt.service")
            shutil.copy(TEMPLATE, unit)
            r = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager",
                                unit], capture_output=True, text=True)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        m = re.search(r"Overall exposure level for ikond@musterstadt\.service: ([0-9.]+)",
                      r.stdout + r.stderr)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        self.assertLessEqual(float(m.group(1)), MAX_EXPOSURE, r.stdout)

    def test_template_is_the_unit_per_instance(self):
        plain, template = unit_settings(), unit_settings(TEMPLATE)
        per_instance = {
            ("Unit", "Description"):
                [plain[("Unit", "Description")][0].replace("ikond:", "ikond %i:")],
            ("Service", "ExecStart"): ["/usr/sbin/ikond --instance %i"],
            ("Service", "StateDirectory"): ["ikond/%i"],
            ("Service", "RuntimeDirectory"): ["ikond/%i"],
            # the proxy reaches http.socket, an instance's group its control socket
            ("Service", "RuntimeDirectoryMode"): ["0755"],
        }
        expected = dict(plain)
        expected.update(per_instance)
        self.assertEqual(template, expected)

    def test_shape(self):
        s = unit_settings()
        self.assertEqual(s[("Service", "Type")], ["notify"])
        self.assertTrue(s[("Service", "ExecReload")][0].endswith("-HUP $MAINPID"))
        self.assertIn(("Service", "WatchdogSec"), s)
        self.assertEqual(s[("Service", "Restart")], ["on-failure"])
        self.assertEqual(s[("Service", "StateDirectory")], ["ikond"])
        self.assertEqual(s[("Service", "RuntimeDirectory")], ["ikond"])
        self.assertEqual(s[("Service", "ConfigurationDirectory")], ["ikond"])
        self.assertEqual(s[("Service", "CapabilityBoundingSet")], [""])
        # The user and group the sysusers snippet creates own the socket.
        with open(SYSUSERS, encoding="utf-8") as f:
            users = [l.split()[1] for l in f if l.startswith("u ")]
        self.assertEqual(s[("Service", "User")], users)
        self.assertEqual(s[("Service", "Group")], users)
        # Room for the default http.max_connections and control.max_clients
        # (one descriptor each) and the daemon's own descriptors.
        self.assertGreaterEqual(int(s[("Service", "LimitNOFILE")][0]), 4096 + 64 + 64)
        # PrivateUsers= would show the uids of admins listed in
        # control.allow_users as "nobody" to the daemon.
        self.assertNotIn(("Service", "PrivateUsers"), s)


@unittest.skipUnless(os.geteuid() == 0, "running ikond as the unit's user needs root")
class LikeTheUnit(unittest.TestCase):
    """ikond as the unit starts it, under strace."""

    def setUp(self):
        ikondtest.require("setpriv", "util-linux")
        ikondtest.require("strace", "strace")
        self.dir = tempfile.mkdtemp(prefix="ikond-unit-")
        os.chmod(self.dir, 0o755)
        self.user = pwd.getpwnam("nobody")
        self.state = os.path.join(self.dir, "state")
        self.runtime = os.path.join(self.dir, "run")
        for d in (self.state, self.runtime):
            os.mkdir(d, 0o750)
            os.chown(d, self.user.pw_uid, self.user.pw_gid)
        self.socket = os.path.join(self.runtime, "control.sock")
        self.trace = os.path.join(self.dir, "strace.out")
        self.log = os.path.join(self.dir, "ikond.log")
        self.port = free_port()
        # No ikond.conf: HTTP on a free port comes through a config that
        # sets nothing else, so the directories are the unit's defaults.
        self.conf = os.path.join(self.dir, "ikond.conf")
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write("http = { port = %d; base_url = \"http://127.0.0.1:%d\"; };\n"
                    % (self.port, self.port))
        os.chmod(self.conf, 0o644)
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "STATE_DIRECTORY": self.state,
               "RUNTIME_DIRECTORY": self.runtime, "HOME": "/nonexistent", "LANG": "C.UTF-8"}
        self.traced = not sanitized()
        cmd = ["strace", "-f", "-qq", "-o", self.trace] if self.traced else []
        cmd += ["setpriv", "--reuid=%d" % self.user.pw_uid, "--regid=%d" % self.user.pw_gid,
               "--clear-groups", "--", IKOND, "-f", self.conf]
        with open(self.log, "w") as logf:
            self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, env=env,
                                         preexec_fn=lambda: os.umask(0o077))

    def tearDown(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def ctl(self, *args):
        r = subprocess.run([IKOND_CTL, "--socket", self.socket, *args], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(r.returncode, 0, "ikond-ctl %s: %s%s" % (args, r.stdout, r.stderr))
        return r.stdout

    def wait_ready(self):
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                break
            if os.path.exists(self.socket):
                r = subprocess.run([IKOND_CTL, "--socket", self.socket, "status"],
                                   capture_output=True)
                if r.returncode == 0:
                    return
            time.sleep(0.1)
        with open(self.log) as f:
            self.fail("ikond did not answer:\n" + f.read())

    def test_life(self):
        self.wait_ready()
        st = os.stat(self.socket)
        self.assertEqual(st.st_mode & 0o777, 0o660)
        self.assertEqual(st.st_uid, self.user.pw_uid)
        self.assertEqual(st.st_gid, self.user.pw_gid)
        self.assertTrue(os.path.exists(os.path.join(self.state, "ikond.db")))
        self.assertEqual(os.stat(os.path.join(self.state, "ikond.db")).st_mode & 0o077, 0)

        self.ctl("committee", "add", "ia", "--name", "Ausschuss für Integration",
                 "--kind", "fachausschuss")
        self.ctl("session", "add", "--committee", "ia", "--start", "2030-03-12 17:00")
        url = re.search(r"http://\S+", self.ctl("feed", "add", "--all")).group(0)
        with urllib.request.urlopen(url, timeout=10) as r:
            self.assertIn(b"BEGIN:VCALENDAR", r.read())

        ikond_pid = self.ikond_pid()
        os.kill(ikond_pid, signal.SIGHUP)
        time.sleep(0.5)
        self.ctl("status")
        os.kill(ikond_pid, signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=20), 0)
        self.assertFalse(os.path.exists(self.socket))

        if not self.traced:
            return
        # setpriv's own calls (setresuid, setgroups) come before the exec.
        calls = self.traced_syscalls_after_exec()
        allowed = allowed_syscalls(unit_settings()[("Service", "SystemCallFilter")])
        self.assertEqual(calls - allowed, set(),
                         "system calls outside the unit's SystemCallFilter")

    def ikond_pid(self):
        with open(os.path.join(self.state, "ikond.lock")) as f:
            return int(f.read().strip())

    def traced_syscalls_after_exec(self):
        """Every call in the trace after setpriv executed ikond."""
        calls, execed = set(), False
        with open(self.trace, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.match(r"\d+\s+([a-z0-9_]+)\(", line)
                if not m:
                    continue
                if not execed:
                    # The execve whose program (not merely an argument) is ikond.
                    e = re.match(r'\d+\s+execve\("([^"]*)"', line)
                    execed = e is not None and e.group(1) == IKOND
                    continue
                calls.add(m.group(1))
        self.assertTrue(execed, "no execve of ikond in the trace")
        return calls

if __name__ == "__main__":
    ikondtest.main()
