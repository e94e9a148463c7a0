#!/usr/bin/python3
"""The iCalendar feeds over HTTP, end to end.

Starts ikond with the Musterland data, hands out feed addresses with
ikond-ctl and fetches them with curl and raw sockets: every feed kind is
parsed by python3-icalendar and by ical.js (Thunderbird's parser, from
tests/node_modules); folding and escaping are checked on titles with
umlauts, the euro sign, emoji, commas and semicolons; conditional requests,
gzip, HEAD, token rotation and revocation; and hostile clients (wrong
methods, huge headers, "..", garbage, slow and idle connections).
"""

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import unittest
import zoneinfo
from datetime import date, datetime, timedelta

import icalendar

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ikondtest  # noqa: E402

TESTS = os.path.join(ikondtest.SRC, "tests")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")

ICALJS = r"""
const ICAL = require('ical.js');
const text = require('fs').readFileSync(0, 'utf8');
const cal = new ICAL.Component(ICAL.parse(text));
for (const vtz of cal.getAllSubcomponents('vtimezone'))
    ICAL.TimezoneService.register(vtz);
// ical.js does not know NAME or X-WR-CALNAME and keeps them raw; its own TEXT
// decoder reads them as a client that knows them would.
const rawName = cal.getFirstPropertyValue('name');
const out = {name: ICAL.design.icalendar.value.text.fromICAL(rawName), events: []};
for (const ve of cal.getAllSubcomponents('vevent')) {
    const ev = new ICAL.Event(ve);
    const time = (t) => t === null ? null : (t.isDate ? t.toString() : t.toUnixTime());
    out.events.push({uid: ev.uid, summary: ev.summary, description: ev.description,
        location: ev.location, status: ve.getFirstPropertyValue('status'),
        sequence: ev.sequence, all_day: ev.startDate.isDate,
        start: time(ev.startDate), end: time(ev.endDate)});
}
process.stdout.write(JSON.stringify(out));
"""

TRICKY = "Haushalt, Stellenplan; Anlage \\ 2 – Übersicht für Ämter: 5 € 😀 ß"


def curl(url, *args, body=True):
    """(status, headers dict with lower-case names, body bytes)."""
    if body:
        cmd = ["curl", "-s", "-D", "-", "--max-time", "10", *args, url]
    else:
        cmd = ["curl", "-s", "-I", "--max-time", "10", *args, url]
    r = subprocess.run(cmd, capture_output=True, check=True)
    head, _, rest = r.stdout.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, rest


def raw_request(port, data, timeout=5):
    """Sends bytes, returns everything the server answers until it closes or times out."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()


def check_raw(test, raw):
    test.assertTrue(raw.startswith(b"BEGIN:VCALENDAR\r\n"))
    test.assertTrue(raw.endswith(b"END:VCALENDAR\r\n"))
    for n, line in enumerate(raw.split(b"\r\n")[:-1], 1):
        test.assertNotIn(b"\n", line, "line %d has a bare LF" % n)
        test.assertLessEqual(len(line), 75, "line %d: %d octets" % (n, len(line)))
        line.decode("utf-8")  # a fold inside a UTF-8 sequence fails here
    test.assertEqual(raw.count(b"BEGIN:VTIMEZONE"), 1)
    test.assertIn(b"REFRESH-INTERVAL;VALUE=DURATION:", raw)
    test.assertIn(b"X-PUBLISHED-TTL:", raw)


def parse_icaljs(raw):
    node = ikondtest.require("node", "nodejs")
    if not os.path.isdir(os.path.join(TESTS, "node_modules", "ical.js")):
        raise AssertionError("ical.js is missing: run `npm install` in tests/ (.ci/install-deps --tests does)")
    r = subprocess.run([node, "-e", ICALJS], input=raw, capture_output=True, cwd=TESTS,
                       check=False)
    if r.returncode != 0:
        raise AssertionError("ical.js failed: " + r.stderr.decode())
    return json.loads(r.stdout)


def parse_python(raw):
    cal = icalendar.Calendar.from_ical(raw)
    out = []
    for ev in cal.walk("VEVENT"):
        start = ev.decoded("DTSTART")
        end = ev.decoded("DTEND") if "DTEND" in ev else None
        out.append({"uid": str(ev["UID"]), "summary": str(ev.get("SUMMARY")),
                    "description": str(ev.get("DESCRIPTION")),
                    "status": str(ev.get("STATUS")), "start": start, "end": end,
                    "transp": str(ev.get("TRANSP", "OPAQUE")),
                    "sequence": int(ev.get("SEQUENCE", 0)),
                    "tzid": ev["DTSTART"].params.get("TZID")})
    return cal, out


class FeedsBase(unittest.TestCase):
    extra_config = "http = { timeout = 3; max_connections = 64; };\n"

    @classmethod
    def setUpClass(cls):
        cls.d = ikondtest.Daemon()
        # The harness writes the http group; merge our limits into it.
        with open(cls.d.config, encoding="utf-8") as f:
            conf = f.read()
        conf = conf.replace("base_url = ", "timeout = 3; max_connections = 64; base_url = ")
        with open(cls.d.config, "w", encoding="utf-8") as f:
            f.write(conf)
        cls.d.start()
        env = dict(os.environ, IKOND_SOCKET=cls.d.socket)
        r = subprocess.run(["sh", ikondtest.EXAMPLE], capture_output=True, text=True, env=env)
        if r.returncode != 0:
            raise RuntimeError(r.stdout + r.stderr)
        cls.base = "http://127.0.0.1:%d" % cls.d.http_port

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def add_feed(self, *target):
        return self.d.json("feed", "add", *target)

    def get_feed(self, url, *args):
        # The daemon rebuilds on its main loop; a change shows within a tick.
        return curl(url, *args)


class TestFeedKinds(FeedsBase):
    def test_every_kind_parses_and_matches_export(self):
        kinds = [("--all",), ("--actor", "bildungsbuero"), ("--actor", "sitzungsdienst"),
                 ("--committee", "integrationsausschuss")]
        procs = self.d.ctl("--json", "process", "list", check=False)
        if procs.returncode == 0 and procs.stdout.strip().startswith("["):
            plist = json.loads(procs.stdout)
            if plist:
                kinds.append(("--process", plist[0]["slug"]))
        names = {"--all": "Fristen und Sitzungen (Landkreis Musterland)",
                 "--actor": "Fristen und Sitzungen für ",
                 "--committee": "Ausschuss für Integration und Teilhabe"}
        for target in kinds:
            with self.subTest(target=target):
                feed = self.add_feed(*target)
                self.assertTrue(feed["url"].startswith(self.base + "/feeds/"))
                self.assertTrue(feed["webcal"].startswith("webcal://"))
                self.assertGreaterEqual(len(feed["token"]), 22)  # >= 128 bits
                status, headers, raw = self.get_feed(feed["url"])
                self.assertEqual(status, 200)
                self.assertEqual(headers["content-type"], "text/calendar; charset=utf-8")
                check_raw(self, raw)
                exported = subprocess.run([ikondtest.IKOND_CTL, "--socket", self.d.socket,
                                           "export", *target], capture_output=True,
                                          check=True).stdout
                self.assertEqual(exported, raw, "export differs from the served feed")
                cal, py = parse_python(raw)
                js = parse_icaljs(raw)
                self.assertIn(names.get(target[0], "Integrationskonzept"), js["name"])
                self.assertEqual(str(cal["X-WR-CALNAME"]), js["name"])
                self.assertEqual(str(cal["NAME"]), js["name"])
                self.assertEqual(len(py), len(js["events"]))
                self.assertGreater(len(py), 0)
                for p, j in zip(py, js["events"]):
                    self.assertEqual(p["uid"], j["uid"])
                    self.assertEqual(p["summary"], j["summary"])
                    self.assertEqual(p["description"], j["description"])
                    if isinstance(p["start"], datetime):
                        self.assertEqual(int(p["start"].timestamp()), j["start"])
                        if p["transp"] == "OPAQUE":
                            self.assertEqual(p["tzid"], "Europe/Berlin")
                    else:
                        self.assertTrue(j["all_day"])
                        self.assertEqual(p["start"].isoformat(), j["start"])
                        self.assertGreater(p["end"], p["start"])  # exclusive DTEND
                        self.assertEqual(p["transp"], "TRANSPARENT")
                if target[0] == "--actor" and target[1] == "bildungsbuero":
                    # Owner of V/IA/001 and member of the Integrationsausschuss only.
                    self.assertTrue(any("V/IA/001" in p["description"] for p in py))
                    self.assertTrue(any("Bildungsbüro Musterland" in p["description"]
                                        for p in py))
                    self.assertFalse(any(p["summary"].startswith("Sitzung Kreistag")
                                         for p in py))

    def test_sessions_are_local_times_and_deadlines_all_day(self):
        feed = self.add_feed("--committee", "integrationsausschuss")
        _, _, raw = self.get_feed(feed["url"])
        _, py = parse_python(raw)
        sessions = [p for p in py if p["transp"] == "OPAQUE"]
        deadlines = [p for p in py if p["transp"] == "TRANSPARENT"]
        self.assertTrue(sessions and deadlines)
        for s in sessions:
            local = s["start"].astimezone(BERLIN)
            self.assertEqual((local.hour, local.minute), (17, 0), s)
        self.assertTrue(any(isinstance(d["start"], date) and not isinstance(d["start"], datetime)
                            for d in deadlines))
        self.assertTrue(all("So wurde die Frist berechnet" in d["description"]
                            for d in deadlines if d["summary"].startswith(("Antragsfrist",
                                                                         "Ladungsfrist"))))

    def test_escaping_and_folding_of_tricky_titles(self):
        self.d.ctl("committee", "add", "sonder", "--name", "Sonderausschuss; Bildung, Teilhabe",
                   "--kind", "arbeitsgruppe")
        title = TRICKY + " " + "Überlänge " * 8
        self.d.ctl("session", "add", "--committee", "sonder", "--start", "2031-03-04 17:00",
                   "--title", title, "--location", "Raum 1, Flur B; Eingang \\ Süd")
        feed = self.add_feed("--committee", "sonder")
        _, _, raw = self.get_feed(feed["url"])
        check_raw(self, raw)
        self.assertIn("SUMMARY:Haushalt\\, Stellenplan\\; Anlage \\\\ 2".encode(), raw)
        self.assertIn("X-WR-CALNAME:Integrationskonzept – Sonderausschuss\\; Bildung\\,".encode(),
                      raw.replace(b"\r\n ", b""))
        cal, py = parse_python(raw)
        js = parse_icaljs(raw)
        session = [p for p in py if p["transp"] == "OPAQUE"][0]
        self.assertEqual(session["summary"], title)
        jss = [e for e in js["events"] if e["uid"] == session["uid"]][0]
        self.assertEqual(jss["summary"], title)
        self.assertEqual(jss["location"], "Raum 1, Flur B; Eingang \\ Süd")
        self.assertIn("\n", jss["description"])
        self.assertEqual(js["name"], "Integrationskonzept – Sonderausschuss; Bildung, Teilhabe")
        self.assertEqual(str(cal["X-WR-CALNAME"]), js["name"])


class TestHttp(FeedsBase):
    def setUp(self):
        self.feed = self.add_feed("--all")
        self.url = self.feed["url"]

    def test_stable_bytes_and_validators(self):
        s1, h1, b1 = self.get_feed(self.url)
        s2, h2, b2 = self.get_feed(self.url)
        self.assertEqual((s1, s2), (200, 200))
        self.assertEqual(b1, b2)
        self.assertEqual(h1["etag"], h2["etag"])
        self.assertTrue(h1["etag"].startswith('"'))  # strong
        self.assertIn("last-modified", h1)
        # DTSTAMP comes from the data, not from the clock.
        time.sleep(1.1)
        self.assertEqual(self.get_feed(self.url)[2], b1)

        status, h, body = self.get_feed(self.url, "-H", "If-None-Match: " + h1["etag"])
        self.assertEqual((status, body), (304, b""))
        self.assertEqual(h["etag"], h1["etag"])
        status, _, _ = self.get_feed(self.url, "-H", "If-Modified-Since: " + h1["last-modified"])
        self.assertEqual(status, 304)
        status, _, _ = self.get_feed(self.url, "-H", 'If-None-Match: "other"',
                                     "-H", "If-Modified-Since: " + h1["last-modified"])
        self.assertEqual(status, 200)  # If-None-Match wins
        status, _, _ = self.get_feed(self.url, "-H",
                                     "If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT")
        self.assertEqual(status, 200)

    def test_gzip_and_head(self):
        _, plain_h, plain = self.get_feed(self.url)
        status, h, body = self.get_feed(self.url, "-H", "Accept-Encoding: gzip")
        self.assertEqual(status, 200)
        self.assertEqual(h["content-encoding"], "gzip")
        self.assertIn("Accept-Encoding", h["vary"])
        self.assertNotEqual(h["etag"], plain_h["etag"])
        self.assertLess(len(body), len(plain))
        self.assertEqual(gzip.decompress(body), plain)
        status, _, _ = self.get_feed(self.url, "-H", "Accept-Encoding: gzip",
                                     "-H", "If-None-Match: " + h["etag"])
        self.assertEqual(status, 304)
        status, _, body = self.get_feed(self.url, "-H", "Accept-Encoding: gzip;q=0")
        self.assertEqual(body, plain)
        status, hh, body = curl(self.url, body=False)
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(hh["etag"], plain_h["etag"])
        self.assertEqual(int(hh["content-length"]), len(plain))

    def test_change_rebuilds_with_higher_sequence(self):
        _, h1, b1 = self.get_feed(self.url)
        cal, py = parse_python(b1)
        sess = self.d.json("session", "list", "--committee", "kreistag")[0]
        before = [p for p in py if p["uid"] == sess["uid"]][0]
        self.d.ctl("session", "edit", str(sess["id"]), "--location", "Neuer Saal")
        _, h2, b2 = self.get_feed(self.url)
        self.assertNotEqual(h1["etag"], h2["etag"])
        _, py2 = parse_python(b2)
        after = [p for p in py2 if p["uid"] == sess["uid"]][0]
        self.assertGreater(after["sequence"], before["sequence"])

        self.d.ctl("session", "cancel", str(sess["id"]))
        _, _, b3 = self.get_feed(self.url)
        _, py3 = parse_python(b3)
        cancelled = [p for p in py3 if p["uid"] == sess["uid"]][0]
        self.assertEqual(cancelled["status"], "CANCELLED")

    def test_same_bytes_after_restart(self):
        _, h1, b1 = self.get_feed(self.url)
        self.d.stop()
        self.d.start()
        _, h2, b2 = self.get_feed(self.url)
        self.assertEqual(b1, b2)
        self.assertEqual(h1["etag"], h2["etag"])
        self.assertEqual(h1["last-modified"], h2["last-modified"])

    def test_rotation_and_revocation(self):
        unknown = self.base + "/feeds/" + "A" * 43 + ".ics"
        s0, h0, body404 = curl(unknown)
        self.assertEqual(s0, 404)
        feed = self.add_feed("--actor", "yilmaz")
        self.assertEqual(curl(feed["url"])[0], 200)
        listing = self.d.ctl("feed", "list").stdout
        self.assertNotIn(feed["token"], listing)
        self.assertNotIn(feed["token"], self.d.ctl("--json", "feed", "list").stdout)

        rotated = self.d.json("feed", "rotate", str(feed["id"]))
        self.assertNotEqual(rotated["token"], feed["token"])
        s, h, b = curl(feed["url"])
        self.assertEqual((s, b), (404, body404))
        self.assertEqual(h.get("content-type"), h0.get("content-type"))
        self.assertEqual(curl(rotated["url"])[0], 200)

        self.d.ctl("feed", "revoke", str(feed["id"]))
        s, _, b = curl(rotated["url"])
        self.assertEqual((s, b), (404, body404))
        row = [f for f in self.d.json("feed", "list") if f["id"] == feed["id"]][0]
        self.assertIsNotNone(row["revoked"])
        self.assertIsNotNone(row["rotated"])
        r = self.d.ctl("feed", "rotate", str(feed["id"]), check=False)
        self.assertEqual(r.returncode, 1)
        r = self.d.ctl("feed", "add", "--actor", "yilmaz", "--all", check=False)
        self.assertEqual(r.returncode, 2)
        r = self.d.ctl("feed", "add", "--actor", "nobody", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("nobody", r.stderr)


class TestHostileClients(FeedsBase):
    def setUp(self):
        self.url = self.add_feed("--all")["url"]
        self.port = self.d.http_port
        self.path = self.url[len(self.base):]

    def alive(self):
        self.assertEqual(curl(self.url)[0], 200)

    def test_methods(self):
        for method in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "BREW"):
            with self.subTest(method=method):
                s, h, _ = curl(self.url, "-X", method)
                self.assertEqual(s, 405)
                self.assertEqual(h["allow"], "GET, HEAD")
        self.alive()

    def test_paths(self):
        for path in ("/", "/feeds/", "/feeds/../../etc/passwd", "/feeds/%2e%2e/ikond.db",
                     self.path + "/..", self.path.replace(".ics", ".ICS"),
                     self.path[:-5] + ".ics", "/feeds/" + "A" * 5000 + ".ics",
                     self.path + "?x=1&y=2"):
            with self.subTest(path=path[:60]):
                reply = raw_request(self.port, b"GET " + path.encode() +
                                    b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                status = int(reply.split(b" ", 2)[1])
                if path.endswith("?x=1&y=2"):
                    self.assertEqual(status, 200)  # a query string does not matter
                else:
                    self.assertEqual(status, 404, reply[:200])
        self.alive()

    def test_huge_headers_and_garbage(self):
        reply = raw_request(self.port, b"GET " + self.path.encode() + b" HTTP/1.1\r\nHost: x\r\n" +
                            b"X-Pad: " + b"a" * 100000 + b"\r\n\r\n")
        self.assertTrue(reply == b"" or reply.split(b" ", 2)[1] in (b"400", b"413", b"431"),
                        reply[:100])
        many = b"".join(b"X-H%d: v\r\n" % i for i in range(3000))
        reply = raw_request(self.port, b"GET " + self.path.encode() + b" HTTP/1.1\r\nHost: x\r\n" +
                            many + b"\r\n")
        self.assertTrue(reply == b"" or not reply.startswith(b"HTTP/1.1 200"), reply[:100])
        for junk in (b"\x00\x01\x02\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                     b"\xff" * 1000 + b"\r\n\r\n", b"GET /feeds/x.ics HTTP/1.1\r\n" +
                     b"Content-Length: -1\r\n\r\n"):
            reply = raw_request(self.port, junk, timeout=5)
            self.assertFalse(reply.startswith(b"HTTP/1.1 200"), reply[:100])
        self.alive()

    def test_slow_and_idle_clients(self):
        # Twenty clients that send half a request and stall must not keep
        # others waiting, and are dropped after http.timeout (3 s here).
        slow = []
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", self.port))
            s.sendall(b"GET " + self.path.encode() + b" HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(s)
        t0 = time.monotonic()
        self.alive()
        self.assertLess(time.monotonic() - t0, 2.0)
        idle = socket.create_connection(("127.0.0.1", self.port))
        idle.settimeout(15)
        t0 = time.monotonic()
        self.assertEqual(idle.recv(100), b"")  # closed by the server
        self.assertLess(time.monotonic() - t0, 10)
        for s in slow:
            s.settimeout(10)
            try:
                self.assertEqual(s.recv(100), b"")
            except ConnectionResetError:
                pass
            s.close()
        idle.close()
        self.alive()

    def test_unknown_tokens_take_the_same_time(self):
        # Coarse check: a well-formed unknown token, a revoked one and
        # garbage are answered alike and quickly.
        paths = ["/feeds/" + "B" * 43 + ".ics", "/feeds/short.ics", "/nothing"]
        bodies = set()
        for p in paths:
            reply = raw_request(self.port, b"GET " + p.encode() +
                                b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            head, _, body = reply.partition(b"\r\n\r\n")
            self.assertTrue(head.startswith(b"HTTP/1.1 404"))
            bodies.add(body)
        self.assertEqual(len(bodies), 1)


class TestRebuild(ikondtest.DaemonTestCase):
    """A rebuild copies unchanged events from the last snapshot (ics.h):
    what it serves is the same bytes as a build from nothing."""

    def test_a_rebuild_is_the_same_bytes_as_a_fresh_build(self):
        d = self.d
        self.load_example()
        feed = d.json("feed", "add", "--all")
        _, headers, first = curl(feed["url"])
        sessions = d.json("session", "list")
        d.ctl("session", "edit", str(sessions[0]["id"]), "--title", "Umbenannte Sitzung")
        d.ctl("session", "edit", str(sessions[-1]["id"]), "--location", "Kreishaus, Raum 2")
        raw, later = first, headers
        until = time.time() + 10 * ikondtest.SLOWDOWN
        while (raw == first or b"Raum 2" not in raw) and time.time() < until:
            time.sleep(0.1)
            _, later, raw = curl(feed["url"])
        exported = subprocess.run([ikondtest.IKOND_CTL, "--socket", d.socket, "export", "--all"],
                                  capture_output=True, check=True).stdout
        self.assertEqual(raw, exported, "the rebuilt feed differs from a fresh build")
        self.assertIn(b"SUMMARY:Umbenannte Sitzung", raw)
        self.assertNotEqual(headers["etag"], later["etag"])


def vevents(raw):
    """The VEVENT blocks of a feed by UID, as bytes."""
    out = {}
    for block in raw.split(b"BEGIN:VEVENT\r\n")[1:]:
        block = block.split(b"END:VEVENT\r\n")[0]
        uid = block.split(b"UID:", 1)[1].split(b"\r\n", 1)[0]
        out[uid.decode()] = block
    return out


class TestNarrowedFeeds(ikondtest.DaemonTestCase):
    """An actor's or a committee's feed reads only its share of the data
    (the memberships and names of the committees its items name): each of
    its events is the same bytes as in the feed of everything, and an
    actor's feed holds exactly the events that name the actor."""

    def export(self, *target):
        return subprocess.run([ikondtest.IKOND_CTL, "--socket", self.d.socket, "export",
                               *target], capture_output=True, check=True).stdout

    def test_same_events_as_the_feed_of_everything(self):
        self.load_example()
        everything = self.export("--all")
        every = vevents(everything)
        _, parsed = parse_python(everything)
        named = {}
        for ev in parsed:
            self.assertNotIn(" weitere", ev["description"])
            for line in ev["description"].split("\n"):
                if line.startswith("Betrifft: "):
                    for name in line[len("Betrifft: "):].split(", "):
                        named.setdefault(name, set()).add(ev["uid"])
        actors = self.d.json("actor", "list")
        self.assertGreater(len(actors), 3)
        shown = 0
        for a in actors:
            with self.subTest(actor=a["slug"]):
                mine = vevents(self.export("--actor", a["slug"]))
                for uid, block in mine.items():
                    self.assertEqual(block, every[uid], uid)
                self.assertEqual(set(mine), named.get(a["name"], set()))
                shown += len(mine) > 0
        self.assertGreater(shown, 3)
        shown = 0
        for c in self.d.json("committee", "list"):
            with self.subTest(committee=c["slug"]):
                mine = vevents(self.export("--committee", c["slug"]))
                for uid, block in mine.items():
                    self.assertEqual(block, every[uid], uid)
                shown += len(mine) > 0
        self.assertGreater(shown, 1)


class TestBigExport(unittest.TestCase):
    """A feed above the 16 MiB request limit still exports: replies may be
    larger.  It is served plain at once and gzip-encoded a tick later."""

    def test_export_of_36000_events(self):
        import sqlite3
        d = ikondtest.Daemon()
        try:
            d.start()
            d.ctl("committee", "add", "kernteam", "--name", "Kernteam", "--kind", "fachausschuss")
            url = d.json("feed", "add", "--all")["url"]
            d.stop()
            db = sqlite3.connect(os.path.join(d.state, "ikond.db"))
            db.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 36000) "
                "INSERT INTO session (committee_id, title, start_utc, end_utc, location, state, "
                "uid, sequence, created_at, updated_at) "
                "SELECT (SELECT id FROM committee WHERE slug = 'kernteam'), "
                "'Arbeitstreffen Nr. ' || i || ': Sprache, Bildung; Teilhabe – Übersicht zur "
                "Fortschreibung des Konzepts', "
                "1893456000 + i * 3600, 1893456000 + i * 3600 + 1800, 'Raum ' || (i % 40), "
                "'planned', 'big-' || i || '@ikond', 0, 1700000000, 1700000000 FROM n")
            db.commit()
            db.close()
            d.start()
            # Under valgrind (SLOWDOWN) the export takes longer than
            # ikond-ctl's default wait for an answer.
            r = subprocess.run([ikondtest.IKOND_CTL, "--socket", d.socket, "--timeout",
                                str(30 * ikondtest.SLOWDOWN), "export", "--all"],
                               capture_output=True, timeout=300 * ikondtest.SLOWDOWN)
            self.assertEqual(r.returncode, 0, r.stderr[:300])
            self.assertGreater(len(r.stdout), 16 * 1024 * 1024)
            self.assertEqual(r.stdout.count(b"BEGIN:VEVENT\r\n"), 36000)
            self.assertTrue(r.stdout.endswith(b"END:VCALENDAR\r\n"))
            status, plain_h, body = curl(url)
            self.assertEqual(status, 200)
            self.assertEqual(body, r.stdout)
            # A body over 1 MiB is published plain and gets its gzip copy
            # a tick later: until then a client that accepts gzip gets the
            # plain body with the plain ETag, never another body's.
            until = time.time() + 10 * ikondtest.SLOWDOWN
            while True:
                status, h, got = curl(url, "-H", "Accept-Encoding: gzip")
                self.assertEqual(status, 200)
                if h.get("content-encoding") == "gzip":
                    break
                self.assertEqual((h["etag"], got), (plain_h["etag"], body))
                self.assertLess(time.time(), until, "no gzip copy after 10 s")
                time.sleep(0.1)
            self.assertEqual(gzip.decompress(got), body)
            self.assertEqual(h["etag"], plain_h["etag"][:-1] + '-gz"')
        finally:
            d.cleanup()


if __name__ == "__main__":
    ikondtest.main()
