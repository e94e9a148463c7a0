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
from engine import LANDS, Engine, compare_holidays  # noqa: E402

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
    status = compare_holidays(
        eng, "date-holidays",
        lambda land, year: {d for d, _ in ref_all[land][str(year)]},
        exceptions(), range(FIRST, LAST + 1), [("MV", 2024), ("TH", 2026), ("BB", 2026)])
    eng.close()
    sys.exit(status)


if __name__ == "__main__":
    main()
