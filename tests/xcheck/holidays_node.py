#!/usr/bin/python3
"""Cross-check: ikond's statewide holidays of all 16 Länder, 1995-2100,
against the npm package date-holidays (public holidays of DE-<Land>),
which follows the recent changes of the law.

Every known difference is listed in EXCEPTIONS with its reason; anything
else fails the test.  date-holidays is installed by `npm install` in
tests/ (see tests/package.json).  Usage: holidays_node.py CALC_DRIVER
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from engine import LANDS, Engine, cli_spot_check  # noqa: E402

FIRST, LAST = 1995, 2100

NODE_DUMP = r"""
const Holidays = require('date-holidays');
const [first, last] = [+process.argv[1], +process.argv[2]];
const out = {};
for (const land of process.argv[3].split(',')) {
  const hd = new Holidays('DE', land);
  out[land] = {};
  for (let y = first; y <= last; y++)
    out[land][y] = hd.getHolidays(y, 'de')
      .filter(h => h.type === 'public')
      .map(h => [h.date.slice(0, 10), h.name]);
}
process.stdout.write(JSON.stringify(out));
"""


def exceptions():
    """(land, date) -> (in_ikond, in_reference, reason)"""
    return {
        ("BE", "2028-06-17"): (
            False, True, "75th anniversary of the 1953 uprising: so far only a "
            "resolution of the Abgeordnetenhaus, no amendment of the Berlin "
            "holiday law found; a Saturday, so no working day changes"),
    }


def reference():
    modules = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                           "node_modules")
    if not os.path.isdir(os.path.join(modules, "date-holidays")):
        sys.exit("date-holidays is missing: run `npm install` in tests/")
    env = dict(os.environ, NODE_PATH=modules)
    p = subprocess.run(["node", "-e", NODE_DUMP, str(FIRST), str(LAST),
                        ",".join(LANDS)], capture_output=True, text=True,
                       env=env, timeout=120, check=True)
    return json.loads(p.stdout)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: holidays_node.py CALC_DRIVER")
    ref_all = reference()
    eng = Engine(sys.argv[1])
    ex = exceptions()
    used = set()
    problems = []
    checked = 0
    for land in LANDS:
        for year in range(FIRST, LAST + 1):
            ours = {h["date"] for h in eng.holidays(land, year)}
            ref = {d for d, _ in ref_all[land][str(year)]}
            for date in sorted(ours | ref):
                checked += 1
                key = (land, date)
                state = (date in ours, date in ref)
                if state[0] == state[1]:
                    continue
                if key in ex and ex[key][:2] == state:
                    used.add(key)
                    continue
                problems.append("%s %s: ikond %s, date-holidays %s" % (
                    land, date, "holiday" if state[0] else "-",
                    "holiday" if state[1] else "-"))
    for key in sorted(set(ex) - used):
        problems.append("exception %s %s no longer needed: %s" % (key + (ex[key][2],)))
    problems += cli_spot_check(eng, [("MV", 2024), ("TH", 2026), ("BB", 2026)])
    eng.close()
    for p in problems:
        print(p)
    print("%d land-dates compared, %d listed exceptions used, %d problems"
          % (checked, len(used), len(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
