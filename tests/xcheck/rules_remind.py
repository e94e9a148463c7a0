#!/usr/bin/python3
"""Cross-check: deadline rules evaluated by ikond against remind(1).

For every day of 2025-2031 as anchor, several Länder and a set of rules,
ikond's date must equal the trigger date remind computes with the Land's
holidays OMITted (taken from ikond; the holiday tables have their own
cross-checks) and Saturday/Sunday omitted locally:

  -Nwd           REM <anchor> -N OMIT Sat Sun            (N non-omitted days back)
  -Nd earlier    REM <anchor> --N OMIT Sat Sun BEFORE    (N calendar days, then back)
  -Nd later      REM <anchor> --N OMIT Sat Sun AFTER
  -Nd keep       REM <anchor> --N OMIT Sat Sun
  +P later/earlier (forward d/w/m): the raw end is computed here with
                 Python's date arithmetic (months clamped to the month end),
                 then REM <raw end> OMIT Sat Sun AFTER/BEFORE.

Usage: rules_remind.py CALC_DRIVER
"""

import calendar
import datetime
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from engine import Engine, cli_spot_check  # noqa: E402

LANDS = ["NI", "BY", "SN", "BE", "TH", "MV"]
FIRST = datetime.date(2025, 1, 1)
LAST = datetime.date(2031, 12, 31)
MONTHS = [None] + [calendar.month_abbr[i] for i in range(1, 13)]

# rule -> (kind, n, roll) for the remind translation
RULES = {
    "-1wd": ("back_wd", 1, None),
    "-3wd": ("back_wd", 3, None),
    "-5wd": ("back_wd", 5, None),
    "-10wd": ("back_wd", 10, None),
    "-7d earlier": ("back_d", 7, "BEFORE"),
    "-14d earlier": ("back_d", 14, "BEFORE"),
    "-2w earlier": ("back_d", 14, "BEFORE"),
    "-14d later": ("back_d", 14, "AFTER"),
    "-7d keep": ("back_d", 7, ""),
    "-1m earlier": ("months", -1, "BEFORE"),
    "+10d later": ("fwd_d", 10, "AFTER"),
    "+2w later": ("fwd_d", 14, "AFTER"),
    "+1m later": ("months", 1, "AFTER"),
    "+1m earlier": ("months", 1, "BEFORE"),
}


def rdate(d):
    return "%d %s %d" % (d.day, MONTHS[d.month], d.year)


def add_months(d, n):
    idx = d.year * 12 + d.month - 1 + n
    y, m = divmod(idx, 12)
    m += 1
    return datetime.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def rem_line(anchor, rule, tag):
    kind, n, roll = RULES[rule]
    if kind == "back_wd":
        return "REM %s -%d OMIT Sat Sun MSG %s" % (rdate(anchor), n, tag)
    if kind == "back_d":
        return "REM %s --%d OMIT Sat Sun %s MSG %s" % (rdate(anchor), n, roll, tag)
    raw = anchor + datetime.timedelta(days=n) if kind == "fwd_d" else add_months(anchor, n)
    return "REM %s OMIT Sat Sun %s MSG %s" % (rdate(raw), roll, tag)


def run_remind(lines):
    with tempfile.NamedTemporaryFile("w", suffix=".rem", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    if shutil.which("remind") is None:
        sys.exit("remind is not installed: apt-get install remind")
    try:
        p = subprocess.run(["remind", "-n", path, "1", "Jan", "1995"],
                           capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(path)
    if p.returncode != 0 or p.stderr.strip():
        sys.exit("remind failed: " + p.stderr[:2000])
    out = {}
    for line in p.stdout.splitlines():
        date, tag = line.split(" ", 1)
        out[tag.strip()] = date.replace("/", "-")
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: rules_remind.py CALC_DRIVER")
    eng = Engine(sys.argv[1])
    problems = []
    compared = 0
    for land in LANDS:
        lines = []
        for year in range(FIRST.year - 1, LAST.year + 2):
            for h in eng.holidays(land, year):
                lines.append("OMIT %s" % rdate(datetime.date.fromisoformat(h["date"])))
        questions, tags = [], []
        d = FIRST
        while d <= LAST:
            for i, rule in enumerate(RULES):
                tag = "%s_%d" % (d.isoformat(), i)
                lines.append(rem_line(d, rule, tag))
                questions.append((land, d.isoformat(), rule))
                tags.append(tag)
            d += datetime.timedelta(days=1)
        ours = {}
        for tag, q, got in zip(tags, questions, eng.calc_many(questions)):
            if "error" in got:
                problems.append("%s %s %s: %s" % (land, q[1], q[2], got["error"]))
            ours[tag] = (q[2], got.get("date"))
        ref = run_remind(lines)
        for tag, (rule, date) in ours.items():
            compared += 1
            if ref.get(tag) != date:
                problems.append("%s anchor %s rule %s: ikond %s, remind %s"
                                % (land, tag.split("_")[0], rule, date, ref.get(tag)))
    problems += cli_spot_check(eng, calc_samples=[
        ("NI", "2026-04-07", "-3wd"), ("NI", "2026-01-02", "-7d earlier"),
        ("NI", "2026-01-31", "+1m later"), ("SN", "2026-11-19", "-1wd")])
    eng.close()
    for p in problems[:50]:
        print(p)
    print("%d rule results compared with remind, %d problems" % (compared, len(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
