#!/usr/bin/python3
"""Reads ikond's sample feed with independent parsers and checks it.

usage: ics_parsers.py ICS_SAMPLE

ICS_SAMPLE prints the feed; "ICS_SAMPLE expect" prints what each event must
come back as.  The feed is read by python3-icalendar (Debian) and by ical.js
(the parser of Thunderbird, from tests/node_modules).  Every summary,
description and location must round-trip byte for byte and every start and
end must be the intended UTC instant (or all-day date).  If khal is
installed, it must list the sessions at the right Europe/Berlin wall times.
Also checks the raw text: CRLF line ends, at most 75 octets per line, no
line split inside a UTF-8 sequence.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zoneinfo

import icalendar

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")

ICALJS = r"""
const ICAL = require('ical.js');
const text = require('fs').readFileSync(0, 'utf8');
const cal = new ICAL.Component(ICAL.parse(text));
for (const vtz of cal.getAllSubcomponents('vtimezone'))
    ICAL.TimezoneService.register(vtz);
const out = [];
for (const ve of cal.getAllSubcomponents('vevent')) {
    const ev = new ICAL.Event(ve);
    const time = (t) => t === null ? null :
        (t.isDate ? t.toString() : t.toUnixTime());
    out.push({uid: ev.uid, summary: ev.summary, description: ev.description,
              location: ev.location,
              status: ve.getFirstPropertyValue('status'),
              all_day: ev.startDate.isDate,
              start: time(ev.startDate), end: time(ev.endDate)});
}
process.stdout.write(JSON.stringify(out));
"""

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def check_raw(raw):
    if not raw.endswith(b"\r\n"):
        fail("feed does not end with CRLF")
    lines = raw.split(b"\r\n")[:-1]
    for n, line in enumerate(lines, 1):
        if b"\n" in line or b"\r" in line:
            fail(f"line {n}: bare CR or LF")
        if len(line) > 75:
            fail(f"line {n}: {len(line)} octets")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            fail(f"line {n}: split inside a UTF-8 sequence")
    if raw.count(b"BEGIN:VTIMEZONE") != 1:
        fail("not exactly one VTIMEZONE")


def compare(parser, got, want):
    if len(got) != len(want):
        fail(f"{parser}: {len(got)} events, expected {len(want)}")
        return
    for g, w in zip(got, want):
        for key in ("uid", "summary", "description", "location", "status",
                    "all_day", "start", "end"):
            if g.get(key) != w.get(key):
                fail(f"{parser}: {w['uid']}: {key} is {g.get(key)!r}, "
                     f"expected {w.get(key)!r}")


def text_or_none(ve, name):
    v = ve.get(name)
    return None if v is None else str(v)


def python_icalendar(raw):
    cal = icalendar.Calendar.from_ical(raw.decode("utf-8"))
    out = []
    for ve in cal.walk("VEVENT"):
        start = ve.decoded("DTSTART")
        end = ve.decoded("DTEND") if "DTEND" in ve else start
        all_day = not isinstance(start, datetime.datetime)

        def conv(t):
            if all_day:
                return t.isoformat()
            if t.tzinfo is None:
                raise ValueError("floating time in the feed")
            return int(t.timestamp())

        out.append({"uid": str(ve["UID"]), "summary": text_or_none(ve, "SUMMARY"),
                    "description": text_or_none(ve, "DESCRIPTION"),
                    "location": text_or_none(ve, "LOCATION"),
                    "status": text_or_none(ve, "STATUS"),
                    "all_day": all_day, "start": conv(start), "end": conv(end)})
    return out


def icaljs(raw):
    node = shutil.which("node")
    if node is None or not os.path.isdir(os.path.join(TESTS, "node_modules", "ical.js")):
        fail("node or ical.js missing: apt-get install nodejs, then npm install in tests/")
        return None
    r = subprocess.run([node, "-e", ICALJS], input=raw, capture_output=True,
                       cwd=TESTS, check=False)
    if r.returncode != 0:
        fail("ical.js: " + r.stderr.decode(errors="replace"))
        return None
    out = json.loads(r.stdout)
    for e in out:
        for key in ("start", "end"):
            # ical.js gives "YYYY-MM-DD" for dates, seconds for date-times.
            if isinstance(e[key], float):
                e[key] = int(e[key])
    return out


def khal_check(raw, want):
    khal = shutil.which("khal")
    if khal is None:
        fail("khal is not installed: apt-get install khal")
        return
    with tempfile.TemporaryDirectory() as tmp:
        vdir = os.path.join(tmp, "cal")
        os.mkdir(vdir)
        # A vdir holds one event per file, as vdirsyncer stores a feed.
        tz = raw[raw.index(b"BEGIN:VTIMEZONE"):raw.index(b"END:VTIMEZONE\r\n") + 15]
        for n, chunk in enumerate(raw.split(b"BEGIN:VEVENT\r\n")[1:]):
            event = b"BEGIN:VEVENT\r\n" + chunk[:chunk.index(b"END:VEVENT\r\n") + 12]
            with open(os.path.join(vdir, f"{n}.ics"), "wb") as f:
                f.write(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//split//\r\n" +
                        tz + event + b"END:VCALENDAR\r\n")
        conf = os.path.join(tmp, "khal.conf")
        with open(conf, "w") as f:
            f.write(f"[calendars]\n[[feed]]\npath = {vdir}\n"
                    f"[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\n"
                    f"longdateformat = %Y-%m-%d\ndatetimeformat = %Y-%m-%d %H:%M\n"
                    f"longdatetimeformat = %Y-%m-%d %H:%M\n"
                    f"local_timezone = Europe/Berlin\ndefault_timezone = Europe/Berlin\n"
                    f"[sqlite]\npath = {tmp}/khal.db\n")
        env = dict(os.environ, HOME=tmp, TZ="Europe/Berlin")
        before = len(failures)
        for w in want:
            # khal shows an event with DTEND == DTSTART as lasting an hour.
            if w["all_day"] or w["start"] == w["end"]:
                continue
            s = datetime.datetime.fromtimestamp(w["start"], BERLIN)
            e = datetime.datetime.fromtimestamp(w["end"], BERLIN)
            r = subprocess.run([khal, "-c", conf, "list", "--format",
                                "{start} {end} {uid}",
                                s.strftime("%Y-%m-%d"), "1d"],
                               capture_output=True, text=True, env=env, check=False)
            line = f"{s:%Y-%m-%d %H:%M} {e:%Y-%m-%d %H:%M} {w['uid']}"
            if r.returncode != 0:
                fail(f"khal: {r.stderr.strip()}")
                return
            if line not in r.stdout:
                fail(f"khal: expected {line!r} in {r.stdout!r}")
        if len(failures) == before:
            print("khal: ok")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sample = sys.argv[1]
    raw = subprocess.run([sample], capture_output=True, check=True).stdout
    want = json.loads(subprocess.run([sample, "expect"], capture_output=True,
                                     check=True).stdout)
    check_raw(raw)
    compare("python3-icalendar", python_icalendar(raw), want)
    got = icaljs(raw)
    if got is not None:
        compare("ical.js", got, want)
    khal_check(raw, want)
    if failures:
        print(f"{len(failures)} failures")
        sys.exit(1)
    print(f"ok: {len(want)} events read back by python3-icalendar and ical.js")


if __name__ == "__main__":
    main()
