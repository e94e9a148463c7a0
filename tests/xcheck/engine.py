"""Access to ikond's deadline engine for the cross-check scripts.

The scripts ask tens of thousands of questions, so they talk to the
line-oriented calc_driver (one process, one JSON line per question).  The
same questions can be put to `ikond-ctl` (holidays / deadline calc), and
cli_spot_check() does that for a sample so the CLI is held to the same
answers.
"""

import json
import os
import subprocess
import sys

LANDS = "BW BY BE BB HB HH HE MV NI NW RP SL SN ST SH TH".split()


class Engine:
    def __init__(self, driver):
        self.driver = driver
        self.proc = subprocess.Popen([driver], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True,
                                     encoding="utf-8")

    def ask(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            sys.exit("calc_driver died on: " + line)
        return json.loads(answer)

    def holidays(self, land, year):
        out = self.ask("holidays %s %d" % (land, year))
        if isinstance(out, dict):
            sys.exit("holidays %s %d: %s" % (land, year, out.get("error")))
        return out

    def calc(self, land, anchor, rule):
        return self.ask("calc %s %s %s" % (land, anchor.replace(" ", "T"), rule))

    def calc_many(self, questions):
        """[(land, anchor, rule)] -> [answer], in one run of the driver."""
        text = "".join("calc %s %s %s\n" % (land, anchor.replace(" ", "T"), rule)
                       for land, anchor, rule in questions)
        p = subprocess.run([self.driver], input=text, capture_output=True,
                           text=True, encoding="utf-8", check=True)
        answers = [json.loads(line) for line in p.stdout.splitlines()]
        if len(answers) != len(questions):
            sys.exit("calc_driver gave %d answers to %d questions"
                     % (len(answers), len(questions)))
        return answers

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def _ctl(args):
    ctl = os.environ.get("IKOND_CTL")
    if not ctl or not os.access(ctl, os.X_OK):
        return None
    p = subprocess.run([ctl] + args, capture_output=True, text=True, timeout=30)
    if p.returncode == 2:
        return None    # the command is not there (yet): usage error
    if p.returncode != 0:
        raise RuntimeError("ikond-ctl %s: exit %d: %s" % (" ".join(args),
                           p.returncode, p.stderr.strip()))
    return json.loads(p.stdout)


def cli_spot_check(engine, holiday_samples=(), calc_samples=()):
    """Puts a few questions to ikond-ctl and compares with the driver.
    Returns a list of mismatch descriptions; prints a note when the CLI
    (or its command) is not available."""
    problems = []
    for land, year in holiday_samples:
        got = _ctl(["holidays", "--land", land, "--year", str(year), "--json"])
        if got is None:
            print("note: ikond-ctl holidays not available, CLI not checked")
            break
        want = engine.holidays(land, year)
        if [(h["date"], h["name"]) for h in got] != \
                [(h["date"], h["name"]) for h in want]:
            problems.append("ikond-ctl holidays %s %d differs from the engine"
                            % (land, year))
    for land, anchor, rule in calc_samples:
        got = _ctl(["deadline", "calc", "--anchor", anchor, "--rule", rule,
                    "--land", land, "--json"])
        if got is None:
            print("note: ikond-ctl deadline calc not available, CLI not checked")
            break
        want = engine.calc(land, anchor, rule)
        if got.get("date") != want.get("date"):
            problems.append("ikond-ctl deadline calc %s %s %s: %s, engine %s"
                            % (land, anchor, rule, got.get("date"),
                               want.get("date")))
    return problems


def compare_holidays(engine, ref_name, reference, exceptions, years, spot_samples):
    """Compares ikond's holidays of every Land and year with a reference.

    reference(land, year) gives the reference's set of ISO dates;
    exceptions maps (land, date) to (ikond_has, reference_has, reason), and
    an exception that is no longer needed is itself a problem.  Prints the
    problems and a summary; returns the exit status."""
    used = set()
    problems = []
    checked = 0
    for land in LANDS:
        for year in years:
            ours = {h["date"] for h in engine.holidays(land, year)}
            ref = reference(land, year)
            for date in sorted(ours | ref):
                checked += 1
                key = (land, date)
                state = (date in ours, date in ref)
                if state[0] == state[1]:
                    continue
                if key in exceptions and exceptions[key][:2] == state:
                    used.add(key)
                    continue
                problems.append("%s %s: ikond %s, %s %s" % (
                    land, date, "holiday" if state[0] else "-", ref_name,
                    "holiday" if state[1] else "-"))
    for key in sorted(set(exceptions) - used):
        problems.append("exception %s %s no longer needed: %s" % (key + (exceptions[key][2],)))
    problems += cli_spot_check(engine, spot_samples)
    for p in problems:
        print(p)
    print("%d land-dates compared, %d listed exceptions used, %d problems"
          % (checked, len(used), len(problems)))
    return 1 if problems else 0
