"""Shared harness for the integration tests.

Starts the real ikond in a temporary directory with its own state
directory, control socket and HTTP port, and drives it only through
ikond-ctl.  The binaries come from the IKOND_BIN and IKOND_CTL environment
variables that CTest sets.  IKOND_WRAPPER, if set, is a command put in
front of ikond (e.g. "valgrind --error-exitcode=99 ..."); start-up and
shutdown then get more time, and the wrapper's exit status counts as the
daemon's.
"""

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

IKOND = os.environ.get("IKOND_BIN", "ikond")
IKOND_CTL = os.environ.get("IKOND_CTL", "ikond-ctl")
SRC = os.environ.get("IKOND_SRC", os.path.join(os.path.dirname(__file__), "..", ".."))
WRAPPER = shlex.split(os.environ.get("IKOND_WRAPPER", ""))
# A wrapper like valgrind slows start-up and shutdown by an order of magnitude.
SLOWDOWN = 10 if WRAPPER else 1


# CTest reads this exit status as "skipped" (SKIP_RETURN_CODE in
# tests/CMakeLists.txt).  A script exits with it when some test skipped
# itself (needs root, say) and nothing failed.  With IKOND_TESTS_NO_SKIP=1
# (CI sets it) a skip fails the script instead.
SKIP_EXIT = 77


def require(tool, package):
    """The path of tool.  A test that needs a missing tool fails, naming the
    Debian package to install; it never passes or skips by accident."""
    path = shutil.which(tool)
    if path is None:
        raise AssertionError("%s is not installed: apt-get install %s (.ci/install-deps --tests installs "
                             "everything the tests use)" % (tool, package))
    return path


def main():
    """unittest.main() with CTest's exit statuses: 0 all passed, 1 a failure,
    SKIP_EXIT when a test skipped and none failed."""
    result = unittest.main(verbosity=2, exit=False).result
    sys.exit(exit_status(result.wasSuccessful(), [reason for _, reason in result.skipped]))


def exit_status(passed, skip_reasons):
    if not passed:
        return 1
    if not skip_reasons:
        return 0
    for reason in sorted(set(skip_reasons)):
        print("skipped: " + reason, file=sys.stderr)
    if os.environ.get("IKOND_TESTS_NO_SKIP") == "1":
        print("IKOND_TESTS_NO_SKIP=1: a skipped test counts as failed", file=sys.stderr)
        return 1
    return SKIP_EXIT


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """One ikond in a private directory."""

    def __init__(self, extra_config="", directory=None):
        self.dir = directory or tempfile.mkdtemp(prefix="ikond-test-")
        os.chmod(self.dir, 0o755)
        self.state = os.path.join(self.dir, "state")
        self.socket = os.path.join(self.dir, "control.sock")
        self.http_port = free_port()
        self.config = os.path.join(self.dir, "ikond.conf")
        self.log = os.path.join(self.dir, "ikond.log")
        self.proc = None
        self.write_config(extra_config)

    def write_config(self, extra=""):
        with open(self.config, "w", encoding="utf-8") as f:
            f.write('state_dir = "%s";\n' % self.state)
            f.write('control_socket = "%s";\n' % self.socket)
            f.write('http = { listen = "127.0.0.1"; port = %d; base_url = "http://127.0.0.1:%d"; };\n'
                    % (self.http_port, self.http_port))
            f.write(extra)

    def start(self, wait=True, args=()):
        logf = open(self.log, "a", encoding="utf-8")
        self.proc = subprocess.Popen([*WRAPPER, IKOND, "-f", self.config, "-v", *args],
                                     stdout=logf, stderr=subprocess.STDOUT)
        logf.close()
        if wait:
            try:
                self.wait_ready()
            except BaseException:
                # A daemon that never became ready is not left running
                # behind a test that will not reach its cleanup.
                self.kill()
                raise
        return self

    def wait_ready(self, timeout=10):
        deadline = time.time() + timeout * SLOWDOWN
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("ikond exited with %d:\n%s" % (self.proc.returncode, self.read_log()))
            if os.path.exists(self.socket):
                r = self.ctl("status", check=False)
                if r.returncode == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("ikond did not become ready:\n" + self.read_log())

    def read_log(self):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def ctl(self, *args, check=True, input=None, env=None, user=None, timeout=60):
        cmd = [IKOND_CTL, "--socket", self.socket, *args]
        if user is not None:
            import pwd
            pw = pwd.getpwnam(user)
            cmd = ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid, "--clear-groups", *cmd]
        e = dict(os.environ)
        e.pop("IKOND_SOCKET", None)
        # English replies unless a test asks for another language.
        e["LC_ALL"] = "C.UTF-8"
        if env:
            e.update(env)
        r = subprocess.run(cmd, capture_output=True, text=True, input=input, env=e, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError("ikond-ctl %s failed (%d): %s%s" % (" ".join(args), r.returncode,
                                                                   r.stdout, r.stderr))
        return r

    def json(self, *args, **kw):
        r = self.ctl("--json", *args, **kw)
        return json.loads(r.stdout)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10 * SLOWDOWN)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        return rc

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def sanitizer_reports(self):
        """Lines in which AddressSanitizer, LeakSanitizer or UBSan complained."""
        return [l for l in self.read_log().splitlines()
                if "Sanitizer" in l or "runtime error:" in l]

    def cleanup(self):
        rc = self.stop()
        reports = self.sanitizer_reports()
        # valgrind prefixes its report with ==PID==; keep it for the message.
        wrapper_report = [l for l in self.read_log().splitlines() if l.startswith("==")]
        shutil.rmtree(self.dir, ignore_errors=True)
        if reports:
            raise AssertionError("sanitizer reports from ikond:\n" + "\n".join(reports))
        if rc not in (None, 0):
            raise AssertionError("ikond exited with status %d on SIGTERM\n%s"
                                 % (rc, "\n".join(wrapper_report[-200:])))


EXAMPLE = os.path.join(SRC, "tests", "data", "musterland.sh")


class DaemonTestCase(unittest.TestCase):
    """A test case with a fresh daemon per test."""

    extra_config = ""

    def setUp(self):
        self.d = Daemon(self.extra_config).start()

    def tearDown(self):
        self.d.cleanup()

    def load_example(self):
        env = dict(os.environ, IKOND_SOCKET=self.d.socket)
        r = subprocess.run(["sh", EXAMPLE], capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
