#!/usr/bin/python3
"""Cross-check: ikond's own time-zone conversion (TZif files read by
common/tz.c, the POSIX TZ footer beyond the table) against Python's
zoneinfo, an independent reader of the same files.

For a set of zones with unusual rules (southern hemisphere, negative summer
time, 30- and 45-minute offsets, a skipped day, DST all year) it compares
the UTC offset at every transition from 1950 to 2060, one second before
and after, and at instants far ahead (to 2400, where only the footer
speaks); and the instant of wall-clock times around each transition, with
its kind (normal, gap, fold; RFC 5545 3.3.5 reads a gap time with the
offset before the gap, which is Python's fold=0).
Usage: zones_python.py CALC_DRIVER
"""

import datetime
import os
import random
import sys
import zoneinfo

sys.path.insert(0, os.path.dirname(__file__))
from engine import Engine  # noqa: E402

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Sao_Paulo",
         "Africa/Casablanca", "Europe/Dublin", "Asia/Tehran", "Pacific/Chatham",
         "America/Santiago", "Pacific/Apia", "Australia/Lord_Howe", "Asia/Kolkata",
         "America/St_Johns", "Antarctica/Troll", "Europe/London", "Asia/Gaza"]
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
DAY0 = datetime.date(1970, 1, 1)


def offset(zone, t):
    return int(datetime.datetime.fromtimestamp(t, zone).utcoffset().total_seconds())


def transitions(zone, first, last):
    """Instants at which the offset changes, found hour by hour, then to the second."""
    out = []
    t = int((datetime.datetime(first, 1, 1, tzinfo=datetime.timezone.utc) - EPOCH).total_seconds())
    end = int((datetime.datetime(last, 1, 1, tzinfo=datetime.timezone.utc) - EPOCH).total_seconds())
    prev = offset(zone, t)
    step = 6 * 3600
    while t < end:
        cur = offset(zone, t + step)
        if cur != prev:
            lo, hi = t, t + step
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset(zone, mid) == prev:
                    lo = mid
                else:
                    hi = mid
            out.append(hi)
            prev = cur
        t += step
    return out


def wall(zone, local):
    """(instant, kind) of a naive local datetime: fold=0 as RFC 5545 wants."""
    a = local.replace(tzinfo=zone, fold=0)
    b = local.replace(tzinfo=zone, fold=1)
    ta, tb = int(a.timestamp()), int(b.timestamp())
    back = datetime.datetime.fromtimestamp(ta, zone).replace(tzinfo=None)
    if back != local:
        return ta, "gap"
    if ta != tb:
        return min(ta, tb), "fold"
    return ta, "normal"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: zones_python.py CALC_DRIVER")
    eng = Engine(sys.argv[1])
    rng = random.Random(20260329)
    failures, checked = [], 0
    for name in ZONES:
        zone = zoneinfo.ZoneInfo(name)
        instants = []
        for tr in transitions(zone, 1950, 2060):
            instants += [tr - 3601, tr - 1, tr, tr + 1, tr + 3600]
        for _ in range(300):
            instants.append(rng.randrange(-2208988800, 13569465600))  # 1900 .. 2400
        for t in instants:
            want = offset(zone, t)
            local = datetime.datetime.fromtimestamp(t, zone)
            got = eng.ask("local %s %d" % (name, t))
            checked += 1
            days = (local.date() - DAY0).days
            minute = local.hour * 60 + local.minute
            if (got.get("offset"), got.get("days"), got.get("minute")) != (want, days, minute):
                failures.append("%s at %d: ikond %s, zoneinfo offset %d, %s" %
                                (name, t, got, want, local.isoformat()))
        for tr in transitions(zone, 1970, 2060)[::3] + transitions(zone, 2300, 2302):
            base = datetime.datetime.fromtimestamp(tr, zone).replace(tzinfo=None)
            for delta in (-90, -61, -60, -30, -1, 0, 1, 30, 59, 60, 61, 90):
                local = (base + datetime.timedelta(minutes=delta)).replace(second=0)
                if local.year < 1 or local.year > 9999:
                    continue
                want = wall(zone, local)
                got = eng.ask("utc %s %s" % (name, local.strftime("%Y-%m-%dT%H:%M")))
                checked += 1
                if (got.get("t"), got.get("kind")) != want:
                    failures.append("%s %s: ikond %s, zoneinfo %s" % (name, local, got, want))
    eng.close()
    print("%d conversions compared with zoneinfo in %d zones" % (checked, len(ZONES)))
    for f in failures[:40]:
        print("DIFFERENT: " + f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
