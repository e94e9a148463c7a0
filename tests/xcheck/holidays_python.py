#!/usr/bin/python3
"""Cross-check: ikond's statewide holidays of all 16 Länder, 1995-2100,
against Debian's python3-holidays (holidays.Germany(prov=...)).

Every known difference is listed in EXCEPTIONS with its reason; anything
else fails the test.  Usage: holidays_python.py CALC_DRIVER
"""

import datetime
import sys

import holidays

sys.path.insert(0, __import__("os").path.dirname(__file__))
from engine import Engine, compare_holidays  # noqa: E402

FIRST, LAST = 1995, 2100


def exceptions():
    """(land, date) -> (in_ikond, in_reference, reason)"""
    ex = {}
    for y in range(2023, LAST + 1):
        ex[("MV", "%d-03-08" % y)] = (
            True, False, "MV made 8 March a holiday from 2023 "
            "(Feiertagsgesetz MV, amended 2022); python3-holidays 0.10.1 predates it")
    for y in range(FIRST, LAST + 1):
        ex[("BY", "%d-08-15" % y)] = (
            False, True, "python3-holidays lists Mariä Himmelfahrt for all of BY; "
            "by Art. 1 FTG Bayern it holds only in municipalities with a "
            "Catholic majority, so ikond leaves it to local configuration")
    ex[("BE", "2025-05-08")] = (
        True, False, "Berlin's one-off Tag der Befreiung 2025 (80th anniversary), "
        "enacted after python3-holidays 0.10.1")
    return ex


def reference(land, year):
    h = holidays.Germany(prov=land, years=year)
    return {d.isoformat(): name for d, name in h.items() if d.year == year}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: holidays_python.py CALC_DRIVER")
    eng = Engine(sys.argv[1])
    status = compare_holidays(
        eng, "python3-holidays", lambda land, year: set(reference(land, year)),
        exceptions(), range(FIRST, LAST + 1), [("NI", 2026), ("BE", 2025), ("SN", 2026)])
    eng.close()
    sys.exit(status)


if __name__ == "__main__":
    main()
