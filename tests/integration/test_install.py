"""The installed layout, the manual pages, the example configuration and
the bash completion.

`cmake --install BUILD --prefix /usr` into a temporary DESTDIR must hold
every file a deployment needs; the unit and the template (as
ikond@musterstadt.service) pass `systemd-analyze verify`;
the sysusers and tmpfiles snippets create the user and the state
directory in a scratch root; every manual page renders with
`groff -ww -man` without a warning; ikond-ctl needs none of the daemon's
libraries (SQLite, libmicrohttpd, libESMTP, libical, libzip);
ikond.conf(5) and ikond.conf.example mention every key of the schema in
common/config.c, ikond-ctl(1) every command; `ikond -n` accepts the
example; and the completion offers commands, options and the slugs of a
running daemon.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ikondtest  # noqa: E402
from ikondtest import IKOND, IKOND_CTL, SRC, Daemon  # noqa: E402

BUILD = os.environ.get("IKOND_BUILD", ".")

FILES = [
    "usr/sbin/ikond",
    "usr/bin/ikond-ctl",
    "usr/lib/sysusers.d/ikond.conf",
    "usr/lib/tmpfiles.d/ikond.conf",
    "usr/share/doc/ikond/ikond.conf.example",
    "usr/share/man/man8/ikond.8",
    "usr/share/man/man5/ikond.conf.5",
    "usr/share/man/man1/ikond-ctl.1",
    "usr/share/bash-completion/completions/ikond-ctl",
]
UNIT_DIRS = ["lib/systemd/system", "usr/lib/systemd/system"]
MAN_PAGES = [f for f in FILES if "/man/" in f]


def schema_keys():
    """The key paths of the schema table, and the rule and reminder names."""
    with open(os.path.join(SRC, "common", "config.c"), encoding="utf-8") as f:
        src = f.read()
    table = src[src.index("schema[] = {"):]
    table = table[:table.index("{ NULL")]
    keys = re.findall(r'\{ "([^"]+)", K_', table)

    def names(array):
        body = src[src.index(array):]
        body = body[:body.index("NULL")]
        return re.findall(r'"([^"]+)"', body)

    return keys, names("config_rule_names[] = {"), names("config_reminder_kind_names[] = {")


def roff_text(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"\\f[BIRP]", "", text)
    return text.replace("\\-", "-").replace("\\&", "")


class Installed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dest = tempfile.mkdtemp(prefix="ikond-install-")
        env = dict(os.environ, DESTDIR=cls.dest)
        r = subprocess.run(["cmake", "--install", BUILD, "--prefix", "/usr"], env=env,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError("cmake --install failed:\n" + r.stdout + r.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dest, ignore_errors=True)

    def path(self, rel):
        return os.path.join(self.dest, rel)

    def unit(self, name="ikond.service"):
        for d in UNIT_DIRS:
            p = self.path(os.path.join(d, name))
            if os.path.exists(p):
                return p
        self.fail(name + " is not installed in any of " + ", ".join(UNIT_DIRS))

    def test_every_file(self):
        for rel in FILES:
            self.assertTrue(os.path.isfile(self.path(rel)), rel + " is missing")
        for rel in ("usr/sbin/ikond", "usr/bin/ikond-ctl"):
            self.assertTrue(os.access(self.path(rel), os.X_OK), rel)
        self.unit()
        self.unit("ikond@.service")
        shipped = []
        for top, _, files in os.walk(os.path.join(SRC, "templates")):
            shipped += [os.path.relpath(os.path.join(top, f), os.path.join(SRC, "templates"))
                        for f in files]
        self.assertTrue(shipped)
        for t in shipped:
            self.assertTrue(os.path.isfile(self.path("usr/share/ikond/templates/" + t)), t)

    def test_ctl_needs_none_of_the_daemons_libraries(self):
        def libraries(rel):
            r = subprocess.run(["ldd", self.path(rel)], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            return [line.split()[0] for line in r.stdout.splitlines() if line.strip()]

        daemon_only = ("libsqlite3.", "libmicrohttpd.", "libesmtp.", "libical.", "libzip.")
        # ikond itself shows that the names are the ones ldd prints.
        ikond = libraries("usr/sbin/ikond")
        for lib in daemon_only:
            self.assertTrue([n for n in ikond if n.startswith(lib)], lib)
        ctl = libraries("usr/bin/ikond-ctl")
        self.assertEqual([n for n in ctl if n.startswith(daemon_only)], [])

    def test_unit_verifies(self):
        self.verify("ikond.service", "ikond.service", "ExecStart=/usr/sbin/ikond\n")

    def test_template_verifies(self):
        self.verify("ikond@.service", "ikond@musterstadt.service",
                    "ExecStart=/usr/sbin/ikond --instance %i\n")

    def verify(self, installed, name, exec_start):
        with open(self.unit(installed), encoding="utf-8") as f:
            unit = f.read()
        self.assertIn(exec_start, unit)
        ikondtest.require("systemd-analyze", "systemd")
        # verify runs `man` for every Documentation= entry.
        ikondtest.require("man", "man-db")
        # The unit names /usr/sbin/ikond; verify checks that the binary
        # exists, so point it at the installed one.
        scratch = tempfile.mkdtemp(prefix="ikond-verify-")
        try:
            copy = os.path.join(scratch, name)
            with open(copy, "w", encoding="utf-8") as f:
                f.write(unit.replace("ExecStart=/usr/sbin/ikond",
                                     "ExecStart=" + self.path("usr/sbin/ikond")))
            env = dict(os.environ, MANPATH=self.path("usr/share/man"))
            r = subprocess.run(["systemd-analyze", "verify", copy], env=env,
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual((r.stdout + r.stderr).strip(), "")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def test_sysusers_and_tmpfiles(self):
        root = tempfile.mkdtemp(prefix="ikond-root-")
        try:
            os.mkdir(os.path.join(root, "etc"))
            r = subprocess.run(["systemd-sysusers", "--root=" + root,
                                self.path("usr/lib/sysusers.d/ikond.conf")],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(root, "etc", "passwd")) as f:
                user = [l.split(":") for l in f if l.startswith("ikond:")]
            self.assertEqual(len(user), 1)
            r = subprocess.run(["systemd-tmpfiles", "--root=" + root, "--create",
                                self.path("usr/lib/tmpfiles.d/ikond.conf")],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            st = os.stat(os.path.join(root, "var", "lib", "ikond"))
            self.assertEqual(st.st_uid, int(user[0][2]))
            self.assertEqual(st.st_mode & 0o777, 0o750)
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def test_man_pages_render_without_warnings(self):
        ikondtest.require("groff", "groff-base")
        for rel in MAN_PAGES:
            r = subprocess.run(["groff", "-ww", "-man", "-Tutf8", self.path(rel)],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, rel)
            self.assertEqual(r.stderr, "", rel + ": " + r.stderr)
            self.assertGreater(len(r.stdout), 1000, rel)

    def test_conf_page_and_example_know_every_key(self):
        keys, rules, kinds = schema_keys()
        page = roff_text(self.path("usr/share/man/man5/ikond.conf.5"))
        with open(os.path.join(SRC, "ikond.conf.example"), encoding="utf-8") as f:
            example = f.read()
        for key in keys:
            shown = (key.replace(".[]", "[]").replace("*", "SLUG")
                     .replace("<rule>", "RULE").replace("<kind>", "KIND"))
            self.assertIn(shown, page, "ikond.conf(5) does not document " + key)
            if "*" not in key and "<" not in key:
                last = key.split(".")[-1]
                self.assertRegex(example, r"\b%s\s*=" % re.escape(last),
                                 "ikond.conf.example does not show " + key)
        for name in rules:
            self.assertIn("rules." + name, page)
            self.assertRegex(example, r"#?%s = " % name)
        for name in kinds:
            self.assertIn("reminders." + name, page)
            self.assertRegex(example, r"#?%s = \[" % name)

    def test_example_config_is_valid(self):
        r = subprocess.run([IKOND, "-n", "-f", os.path.join(SRC, "ikond.conf.example")],
                           capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "configuration OK"), r.stderr)

    def test_ctl_page_lists_every_command(self):
        page = roff_text(self.path("usr/share/man/man1/ikond-ctl.1"))
        commands = subprocess.run([IKOND_CTL, "--commands"], capture_output=True, text=True,
                                  check=True).stdout.splitlines()
        self.assertGreater(len(commands), 10)
        for c in commands:
            self.assertIn('.SS "%s' % c, page)


COMPLETE = r'''
source "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_ikond_ctl
printf '%s\n' "${COMPREPLY[@]}"
'''


class Completion(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon().start()
        cls.d.ctl("committee", "add", "integrationsausschuss", "--name", "Ausschuss",
                  "--kind", "fachausschuss")
        cls.d.ctl("committee", "add", "kreistag", "--name", "Kreistag", "--kind", "kreistag")
        cls.d.ctl("actor", "add", "schulte", "--name", "Petra Schulte",
                  "--email", "p.schulte@musterland.example")

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def complete(self, *words, socket=True):
        line = [IKOND_CTL] + (["--socket", self.d.socket] if socket else []) + list(words)
        r = subprocess.run(["bash", "-c", COMPLETE, "complete",
                            os.path.join(SRC, "cli", "ikond-ctl.bash"), *line],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.stderr, "")
        return sorted(w for w in r.stdout.splitlines() if w)

    def test_commands(self):
        first = self.complete("")
        for w in ("status", "committee", "session", "actor", "deadline", "holidays"):
            self.assertIn(w, first)
        self.assertEqual(self.complete("comm"), ["committee"])
        self.assertEqual(self.complete("committee", ""),
                         ["add", "edit", "list", "remove", "show"])
        self.assertEqual(self.complete("deadline", "c"), ["calc"])

    def test_options(self):
        self.assertEqual(self.complete("committee", "add", "x", "--k"), ["--kind"])
        self.assertIn("--internal", self.complete("committee", "add", "x", "--"))
        self.assertIn("--json", self.complete("session", "list", "--"))
        self.assertEqual(self.complete("holidays", "--land", "N"), ["NI", "NW"])
        self.assertEqual(self.complete("session", "edit", "1", "--state", "c"), ["cancelled"])
        self.assertEqual(self.complete("actor", "edit", "schulte", "--salutation", ""),
                         ["frau", "herr", "neutral", "org"])
        self.assertEqual(self.complete("submission", "beratung", "add", "1", "--role", "v"),
                         ["vorberatung"])
        self.assertEqual(self.complete("submission", "beratung", ""), ["add", "edit", "remove"])
        self.assertEqual(self.complete("event", ""), ["add", "edit", "list", "remove", "show"])
        self.assertEqual(self.complete("process", "plan", "ik", "--schedule", ""),
                         ["early", "late"])
        self.assertEqual(self.complete("process", "step", "ik", "4", "--state", "s"),
                         ["skipped"])
        self.assertIn("--budget", self.complete("process", "edit", "ik", "--b"))

    def test_required_options(self):
        self.assertEqual(self.complete("session", "add", ""), ["--committee", "--start"])
        self.assertEqual(self.complete("session", "add", "--committee", "kreistag", ""),
                         ["--start"])
        self.assertEqual(self.complete("session", "add", "--start=2027-03-16 17:00", ""),
                         ["--committee"])
        self.assertEqual(self.complete("deadline", "calc", "--rule", "-3wd", ""), ["--anchor"])
        self.assertEqual(self.complete("session", "list", ""), [])

    def test_slugs(self):
        self.assertEqual(self.complete("committee", "show", ""),
                         ["integrationsausschuss", "kreistag"])
        self.assertEqual(self.complete("session", "add", "--committee", "k"), ["kreistag"])
        self.assertEqual(self.complete("actor", "join", "s"), ["schulte"])
        self.assertEqual(self.complete("submission", "add", "--owner", ""), ["schulte"])
        self.assertEqual(self.complete("event", "add", "--invite", "s"), ["schulte"])
        self.assertEqual(self.complete("event", "edit", "1", "--invite-committee", "k"),
                         ["kreistag"])
        self.assertEqual(self.complete("actor", "remove", "x", "--reassign-to", ""),
                         ["schulte"])
        self.assertEqual(self.complete("draft", "render", "einladung-workshop", "--to", ""),
                         ["schulte"])
        self.assertEqual(self.complete("process", "add", "ik", "--route", "integ"),
                         ["integrationsausschuss"])
        self.assertEqual(self.complete("process", "add", "ik", "--route",
                                       "integrationsausschuss,k"),
                         ["integrationsausschuss,kreistag"])

    def test_no_daemon_no_slugs(self):
        env_socket = os.path.join(self.d.dir, "nobody-here.sock")
        r = subprocess.run(["bash", "-c", COMPLETE, "complete",
                            os.path.join(SRC, "cli", "ikond-ctl.bash"), IKOND_CTL,
                            "--socket", env_socket, "committee", "show", ""],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual((r.stdout.strip(), r.stderr), ("", ""))


if __name__ == "__main__":
    ikondtest.main()
