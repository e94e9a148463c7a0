#!/usr/bin/python3
"""E-mail reminders end to end: the real ikond plans reminders for sessions
and delivers them to a real SMTP server (aiosmtpd, in this process), or into
its Maildir; every mail is parsed with Python's email package and its
attachment with python3-icalendar.

Reminders fall due at once without faking the clock: send_time is 00:00 and
sessions lie a day ahead, so the offsets P5D and P2D are both past (the
catch-up rule sends P2D only) and P1D and later are not.
"""

import asyncio
import datetime
import email
import email.policy
import glob
import os
import re
import signal
import sqlite3
import sys
import tempfile
import threading
import time
import unittest

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
import icalendar

sys.path.insert(0, os.path.dirname(__file__))
import faultlib  # noqa: E402
import ikondtest  # noqa: E402
from ikondtest import Daemon, free_port  # noqa: E402


class Recorder:
    """Keeps every mail; can refuse recipients or be slow on cue."""

    def __init__(self):
        self.mails = []
        self.lock = threading.Lock()
        self.rcpt_replies = {}      # address -> list of replies, used up one by one
        self.delay = 0.0
        self.max_connections = None  # more at once are answered 421
        self.open = 0               # connections now
        self.peak = 0               # most connections at once that were served
        self.served = 0             # connections served in all
        self.turned_away = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        replies = self.rcpt_replies.get(address)
        if replies:
            return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.mails.append((list(envelope.rcpt_tos), msg))
        return "250 2.0.0 Ok: queued"

    def to(self, addr):
        with self.lock:
            return [m for rcpts, m in self.mails if addr in rcpts]

    def count(self):
        with self.lock:
            return len(self.mails)


class CountingSMTP(SMTP):
    """Counts the connections open at once; beyond the handler's
    max_connections it answers 421 and closes, as a relay that takes one
    connection per client does."""

    refused = False

    def connection_made(self, transport):
        h = self.event_handler
        with h.lock:
            self.refused = h.max_connections is not None and h.open >= h.max_connections
            if self.refused:
                h.turned_away += 1
            else:
                h.open += 1
                h.served += 1
                h.peak = max(h.peak, h.open)
        if self.refused:
            transport.write(b"421 4.7.0 Too many connections, try again later\r\n")
            transport.close()
            return
        super().connection_made(transport)

    def connection_lost(self, error):
        if self.refused:
            return
        with self.event_handler.lock:
            self.event_handler.open -= 1
        super().connection_lost(error)


class CountingController(Controller):
    def factory(self):
        return CountingSMTP(self.handler, **self.SMTP_kwargs)


class Server:
    def __init__(self, port=None, **kw):
        self.handler = Recorder()
        self.port = port or free_port()
        self.kw = kw
        self.controller = None

    def start(self):
        self.controller = CountingController(self.handler, hostname="127.0.0.1",
                                             port=self.port, **self.kw)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def day(offset):
    return (datetime.date.today() + datetime.timedelta(days=offset)).isoformat()


def wait_for(pred, timeout=20, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = pred()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


REMINDERS = ('reminders = { send_time = "00:00"; session = [ "P5D", "P2D" ]; '
             'deadline = [ ]; };\n')


class ReminderTest(unittest.TestCase):
    starttls = "off"

    def setUp(self):
        self.server = Server().start()
        self.d = None

    def tearDown(self):
        if self.d is not None:
            self.d.cleanup()
        self.server.stop()

    def start(self, port=None, extra="", reminders=REMINDERS, connections=None):
        cfg = ('smtp = { host = "127.0.0.1"; port = %d; starttls = "%s"; '
               'from = "Integrationskonzept Überlingen <ikond@example.org>"; '
               'retry_seconds = 1; timeout = 5; %s};\n'
               % (port or self.server.port, self.starttls,
                  "connections = %d; " % connections if connections else "")
               ) + reminders + extra
        self.d = Daemon(cfg).start()
        return self.d

    def people(self, n=2, committee="ia"):
        self.d.ctl("committee", "add", committee, "--name", "Ausschuss für Integration",
                   "--kind", "fachausschuss")
        names = ["Ayşe Öztürk-Müller", "Jürgen Weiß"] + ["Person %d" % i for i in range(2, n)]
        for i in range(n):
            self.d.ctl("actor", "add", "p%d" % i, "--name", names[i],
                       "--email", "p%d@example.org" % i)
            self.d.ctl("actor", "join", "p%d" % i, "--committee", committee)

    def session(self, days=1, time_="18:00", committee="ia"):
        r = self.d.json("session", "add", "--committee", committee, "--start",
                        "%s %s" % (day(days), time_), "--title",
                        "Sitzung des Integrationsausschusses",
                        "--location", "Ratssaal, Rathaus Überlingen")
        return r["id"]

    def queue(self, state=None):
        args = ["mail", "queue"] + (["--state", state] if state else [])
        return self.d.json(*args)

    def session_rows(self, rows):
        return [r for r in rows if r["offset"].startswith("P")]


class Delivery(ReminderTest):
    def test_catch_up_and_message_format(self):
        self.start()
        self.people()
        self.session(days=1)
        wait_for(lambda: self.server.handler.count() >= 2, what="two reminders")
        time.sleep(0.5)
        self.assertEqual(self.server.handler.count(), 2)
        msg = self.server.handler.to("p0@example.org")[0]
        self.assertIn("Erinnerung: Sitzung des Integrationsausschusses", msg["Subject"])
        self.assertEqual(msg["To"].addresses[0].display_name, "Ayşe Öztürk-Müller")
        self.assertEqual(msg["From"].addresses[0].display_name, "Integrationskonzept Überlingen")
        self.assertEqual(msg["Auto-Submitted"], "auto-generated")
        self.assertRegex(msg["Message-ID"], r"^<reminder-\d+\.[0-9a-f]+@example\.org>$")
        self.assertIsNotNone(msg["Date"])
        body = msg.get_body(("plain",)).get_content()
        self.assertIn("Guten Tag Ayşe Öztürk-Müller", body)
        self.assertIn("Ratssaal, Rathaus Überlingen", body)
        self.assertIn("18:00", body)
        ics = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
        self.assertEqual(len(ics), 1)
        cal = icalendar.Calendar.from_ical(ics[0].get_payload(decode=True))
        ev = [c for c in cal.walk("VEVENT")][0]
        self.assertEqual(str(ev["SUMMARY"]), "Sitzung des Integrationsausschusses")
        self.assertEqual(ev["DTSTART"].dt.strftime("%H:%M"), "18:00")
        rows = self.session_rows(self.queue())
        by = {(r["actor"], r["offset"]): r for r in rows}
        self.assertEqual(by[("p0", "P2D")]["state"], "sent")
        self.assertEqual(by[("p0", "P5D")]["state"], "skipped")
        self.assertIn("later reminder", by[("p0", "P5D")]["last_error"])
        # A restart sends nothing again.
        self.d.stop()
        self.d.start()
        time.sleep(1.5)
        self.assertEqual(self.server.handler.count(), 2)
        # preview renders a stored reminder
        rid = by[("p1", "P2D")]["id"]
        r = self.d.ctl("mail", "preview", str(rid))
        self.assertIn("Message-ID:", r.stdout)

    def test_past_session_skipped(self):
        self.start()
        self.people(1)
        self.d.ctl("session", "add", "--committee", "ia", "--start", "%s 00:01" % day(0))
        time.sleep(1.5)
        if datetime.datetime.now().strftime("%H:%M") > "00:01":
            self.assertEqual(self.server.handler.count(), 0)
            rows = self.session_rows(self.queue())
            self.assertTrue(rows and all(r["state"] == "skipped" for r in rows), rows)

    def test_header_injection_refused(self):
        self.start()
        self.people(1)
        r = self.d.ctl("actor", "edit", "p0", "--name", "Eve\r\nBcc: victim@example.org",
                       check=False)
        self.assertNotEqual(r.returncode, 0)
        r = self.d.ctl("session", "add", "--committee", "ia", "--start", "%s 18:00" % day(1),
                       "--title", "X\nBcc: victim@example.org", check=False)
        self.assertNotEqual(r.returncode, 0)
        # Text that looks like a header stays inside an encoded word.
        self.d.ctl("session", "add", "--committee", "ia", "--start", "%s 18:00" % day(1),
                   "--title", "Sitzung Bcc: victim@example.org =?utf-8?q?x?=")
        wait_for(lambda: self.server.handler.count() >= 1)
        msg = self.server.handler.to("p0@example.org")[0]
        self.assertIsNone(msg["Bcc"])
        self.assertNotIn("victim@example.org", [a for rc, m in self.server.handler.mails
                                                for a in rc])

    def test_digest(self):
        self.start()
        self.people(1)
        self.d.ctl("actor", "edit", "p0", "--reminders", "digest")
        self.d.ctl("actor", "leave", "p0", "--committee", "ia")
        self.session(days=1, time_="17:00")
        self.session(days=1, time_="19:00")
        # Joining makes both sessions due for p0 in the same plan: one digest.
        self.d.ctl("actor", "join", "p0", "--committee", "ia")
        wait_for(lambda: self.server.handler.count() >= 1)
        time.sleep(1)
        mails = self.server.handler.to("p0@example.org")
        self.assertEqual(len(mails), 1)
        body = mails[0].get_body(("plain",)).get_content()
        # It says what a digest is, and promises no mail per entry.
        self.assertIn("Sammelmail", body)
        self.assertIn("Übersicht", body)
        self.assertNotIn("erhalten Sie rechtzeitig vorher eine eigene Erinnerung", body)
        self.assertEqual(mails[0].get_body(("plain",)).get_content().count("Sitzung des"), 2)
        self.assertRegex(mails[0]["Message-ID"], r"^<digest-\d+\.")

    def test_digests_whose_rows_lie_apart(self):
        # Two sessions imported at once: one plan makes every actor's two
        # reminders due together, but far apart in the queue, so the rows
        # composed at one time hold one of them only.  Each actor still gets
        # one digest with both sessions.
        n = 20
        self.start()
        self.people(n)
        for i in range(n):
            self.d.ctl("actor", "edit", "p%d" % i, "--reminders", "digest")
        when = day(1).replace("-", "")
        events = "".join(
            "BEGIN:VEVENT\r\nUID:digest-%d@test\r\nDTSTAMP:20260101T000000Z\r\n"
            "DTSTART;TZID=Europe/Berlin:%sT%s0000\r\nDTEND;TZID=Europe/Berlin:%sT%s0000\r\n"
            "SUMMARY:Sitzung des Integrationsausschusses\r\nEND:VEVENT\r\n"
            % (k, when, start, when, end) for k, start, end in ((1, "17", "18"), (2, "19", "20")))
        path = os.path.join(self.d.dir, "sessions.ics")
        with open(path, "w", newline="") as f:
            f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + events +
                    "END:VCALENDAR\r\n")
        self.d.ctl("import", "sessions", path, "--committee", "ia")
        wait_for(lambda: self.server.handler.count() >= n, what="a digest for each")
        wait_for(lambda: not self.queue("sending"), what="the outcomes recorded")
        time.sleep(1)
        for i in range(n):
            mails = self.server.handler.to("p%d@example.org" % i)
            self.assertEqual(len(mails), 1, "p%d" % i)
            body = mails[0].get_body(("plain",)).get_content()
            self.assertEqual(body.count("Sitzung des"), 2, "p%d" % i)

    def test_none_preference(self):
        self.start()
        self.people(2)
        self.d.ctl("actor", "edit", "p1", "--reminders", "none")
        self.session(days=1)
        wait_for(lambda: self.server.handler.count() >= 1)
        time.sleep(1)
        self.assertEqual(len(self.server.handler.to("p1@example.org")), 0)

    def test_moved_and_cancelled(self):
        self.start()
        self.people(2)
        sid = self.session(days=1)
        wait_for(lambda: self.server.handler.count() >= 2)
        self.d.ctl("session", "edit", str(sid), "--start", "%s 18:00" % day(20))
        wait_for(lambda: self.server.handler.count() >= 4, what="moved notices")
        time.sleep(0.5)
        for p in ("p0", "p1"):
            mails = self.server.handler.to("%s@example.org" % p)
            self.assertEqual(len(mails), 2)
            self.assertIn("Termin verschoben", mails[1]["Subject"])
            text = mails[1].get_body(("plain",)).get_content()
            self.assertIn("Bisher:", text)
        self.d.ctl("session", "cancel", str(sid))
        wait_for(lambda: self.server.handler.count() >= 6, what="cancellations")
        time.sleep(0.5)
        self.assertEqual(self.server.handler.count(), 6)
        self.assertIn("Abgesagt", self.server.handler.to("p0@example.org")[2]["Subject"])
        rows = self.queue()
        self.assertFalse([r for r in rows if r["state"] == "queued"], rows)

    def test_more_than_one_job(self):
        # More than a job holds (200): the rest is composed while the first
        # job is delivered, and every reminder goes out exactly once.
        n = 230
        self.start()
        self.people(n)
        self.session(days=1)
        wait_for(lambda: self.server.handler.count() >= n, timeout=60,
                 what="every reminder")
        wait_for(lambda: not self.queue("sending"), what="the outcomes recorded")
        time.sleep(1)
        rcpts = sorted(a for rc, m in self.server.handler.mails for a in rc)
        self.assertEqual(rcpts, sorted("p%d@example.org" % i for i in range(n)))
        ids = [m["Message-ID"] for rc, m in self.server.handler.mails]
        self.assertEqual(len(set(ids)), n)
        sent = [r for r in self.queue("sent") if r["offset"] == "P2D"]
        self.assertEqual(len(sent), n)
        # A session carries one message after another: a few per job and
        # connection, not one per message.
        self.assertLess(self.server.handler.served, n // 5)
        self.assertFalse([r for r in self.queue() if r["state"] in ("queued", "sending", "failed")
                          and r["offset"] == "P2D"])


class Failures(ReminderTest):
    def test_server_down_then_up(self):
        port = free_port()
        self.server.stop()
        self.server = Server(port=port)
        self.start(port=port)
        self.people(1)
        self.session(days=1)
        # Keep the row the wait saw: a second look may catch it claimed for
        # the next try, no longer "queued".
        failed = wait_for(lambda: [r for r in self.session_rows(self.queue())
                                   if r["attempts"] >= 1 and r["state"] == "queued"],
                          what="a failed try")
        self.assertTrue(failed[0]["last_error"], failed[0])
        self.server.start()
        wait_for(lambda: self.server.handler.count() >= 1, timeout=30)
        time.sleep(2)
        self.assertEqual(self.server.handler.count(), 1)

    def test_4xx_then_success(self):
        # A 4xx slows delivery down: the same attempt tries again after a pause.
        self.server.handler.rcpt_replies["p0@example.org"] = ["451 4.3.0 try later"]
        self.start()
        self.people(1)
        self.session(days=1)
        wait_for(lambda: self.server.handler.count() >= 1, timeout=30)
        time.sleep(1)
        self.assertEqual(self.server.handler.count(), 1)
        sent = [r for r in self.session_rows(self.queue()) if r["state"] == "sent"][0]
        self.assertEqual(sent["attempts"], 1)

    def test_4xx_that_persists_counts_as_an_attempt(self):
        # Five 4xx answers in a row (MAILER_DEFER_MAX) end the attempt; the
        # outbox retries it later as a new one.
        self.server.handler.rcpt_replies["p0@example.org"] = ["451 4.3.0 try later"] * 5
        self.start()
        self.people(1)
        self.session(days=1)
        wait_for(lambda: self.server.handler.count() >= 1, timeout=60)
        sent = [r for r in self.session_rows(self.queue()) if r["state"] == "sent"][0]
        self.assertEqual(sent["attempts"], 2)
        self.assertEqual(self.server.handler.rcpt_replies["p0@example.org"], [])

    def test_5xx_for_one_of_several(self):
        self.server.handler.rcpt_replies["p1@example.org"] = ["550 5.1.1 no such user"]
        self.start()
        self.people(3)
        self.session(days=1)
        wait_for(lambda: self.server.handler.count() >= 2)
        wait_for(lambda: self.queue("failed"), what="the failed row")
        failed = self.queue("failed")
        self.assertEqual([r["actor"] for r in failed], ["p1"])
        self.assertIn("550", failed[0]["last_error"])
        self.assertIn("no such user", failed[0]["last_error"])
        # status counts what the delivery thread did.
        wait_for(lambda: self.d.json("status")["mail"]["sent"] >= 2, what="status counts")
        mail = self.d.json("status")["mail"]
        self.assertEqual((mail["sent"], mail["failed"]), (2, 1), mail)
        # retry --failed queues it again; the server takes it now
        self.d.ctl("mail", "retry", "--failed")
        wait_for(lambda: self.server.handler.count() >= 3)

    def test_starttls_required_not_offered(self):
        self.starttls = "required"
        self.start()
        self.people(1)
        self.session(days=1)
        wait_for(lambda: any("STARTTLS" in r["last_error"] for r in self.queue()),
                 what="a STARTTLS error")
        self.assertEqual(self.server.handler.count(), 0)

    def test_mail_test_command(self):
        self.start()
        r = self.d.ctl("mail", "test", "admin@example.org")
        self.assertIn("sent: 250", r.stdout)
        self.assertEqual(len(self.server.handler.to("admin@example.org")), 1)

class Crash(ReminderTest):
    """A crash while a batch is delivered sends again only mails whose
    outcome was not recorded yet: with one connection at most the one the
    relay was taking, with several at most MAILER_UNRECORDED_MAX (8) over
    all of them, each again with its Message-ID."""

    def run_kill(self, connections):
        n = 12
        self.server.handler.delay = 0.25
        self.start(connections=connections)
        self.people(n)
        self.session(days=1)
        wait_for(lambda: self.server.handler.count() >= 4, what="part of the batch")
        self.d.proc.send_signal(signal.SIGKILL)
        self.d.proc.wait()
        self.d.proc = None
        self.server.handler.delay = 0
        self.d.start()
        wait_for(lambda: len(set(a for rc, m in self.server.handler.mails for a in rc)) >= n,
                 timeout=30, what="every reminder")
        time.sleep(1.5)
        ids = {}
        for rcpts, m in self.server.handler.mails:
            ids.setdefault(rcpts[0], []).append(m["Message-ID"])
        dups = {a: v for a, v in ids.items() if len(v) > 1}
        for v in dups.values():
            self.assertEqual(len(v), 2)
            self.assertEqual(v[0], v[1])
        self.assertFalse([r for r in self.queue() if r["state"] in ("queued", "sending")
                          and r["offset"] == "P2D"])
        return dups

    def test_kill_in_the_middle_of_a_batch(self):
        dups = self.run_kill(1)
        self.assertLessEqual(len(dups), 1, dups)

    def test_unrecorded_bound_over_all_connections(self):
        # Another writer holds the database, so no outcome can be committed:
        # the four connections together hand the relay at most
        # MAILER_UNRECORDED_MAX (8) mails beyond those recorded, then wait.
        n = 40
        self.server.handler.delay = 0.05
        self.start(connections=4)
        self.people(n)
        self.session(days=1)
        wait_for(lambda: self.server.handler.count() >= 1, what="the first mail")
        con = sqlite3.connect(os.path.join(self.d.state, "ikond.db"), isolation_level=None,
                              timeout=10)
        con.execute("BEGIN IMMEDIATE")
        recorded = con.execute("SELECT count(*) FROM reminder WHERE state = 'sent'").fetchone()[0]
        time.sleep(2)
        got = self.server.handler.count()
        con.execute("ROLLBACK")
        con.close()
        self.assertLessEqual(got - recorded, 8, (got, recorded))
        wait_for(lambda: self.server.handler.count() >= n, timeout=60, what="every reminder")
        wait_for(lambda: not self.queue("sending"), what="the outcomes recorded")
        self.assertEqual(len(self.server.handler.mails), n)
        self.assertGreater(self.server.handler.peak, 1)

    def test_kill_with_several_connections(self):
        dups = self.run_kill(4)
        self.assertLessEqual(len(dups), 8, dups)
        self.assertGreater(self.server.handler.peak, 1)


class Throttling(Recorder):
    """A relay that takes at most limit messages in any window of seconds
    and answers MAIL with 451 beyond that, as Exchange Online does at 30 a
    minute."""

    def __init__(self, limit, window):
        super().__init__()
        self.limit = limit
        self.window = window
        self.accepted_at = []
        self.refused = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        now = time.monotonic()
        with self.lock:
            recent = [t for t in self.accepted_at if now - t < self.window]
            if len(recent) >= self.limit:
                self.refused += 1
                return "451 4.7.500 Server busy. Please try again later."
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        with self.lock:
            self.accepted_at.append(time.monotonic())
        return reply


class Pace(ReminderTest):
    """smtp.rate and a relay that throttles: 30 reminders through a relay
    that takes 5 a second (the test's short window for 30 a minute)."""

    n = 30

    def setUp(self):
        self.server = Server()
        self.server.handler = Throttling(5, 1.0)
        self.server.start()
        self.d = None

    def deliver_all(self, extra_smtp):
        cfg = ('smtp = { host = "127.0.0.1"; port = %d; starttls = "off"; '
               'from = "Integrationskonzept <ikond@example.org>"; retry_seconds = 600; '
               'timeout = 5; %s };\n' % (self.server.port, extra_smtp)) + REMINDERS
        self.d = Daemon(cfg).start()
        self.people(self.n)
        self.session(days=1)
        wait_for(lambda: self.server.handler.count() >= self.n, timeout=120,
                 what="every reminder")
        wait_for(lambda: not self.queue("sending"), what="the outcomes recorded")
        # P5D is past when the session is added (skipped), P2D due at once.
        rows = [r for r in self.queue() if r["offset"] == "P2D"]
        self.assertEqual(len(rows), self.n)
        self.assertEqual({r["state"] for r in rows}, {"sent"})
        self.assertEqual({r["attempts"] for r in rows}, {1})
        self.assertEqual(self.queue("failed"), [])
        got = sorted(a for rcpts, m in self.server.handler.mails for a in rcpts)
        self.assertEqual(got, sorted("p%d@example.org" % i for i in range(self.n)))

    def test_rate_keeps_below_the_relay_limit(self):
        self.deliver_all('rate = "5/sec";')
        self.assertEqual(self.server.handler.refused, 0)

    def test_throttled_without_rate_slows_down(self):
        self.deliver_all("connections = 4;")
        # The relay did push back, and no reminder counted it as a failure.
        self.assertGreater(self.server.handler.refused, 0)

    def test_throttled_over_one_connection(self):
        self.deliver_all("connections = 1;")
        self.assertGreater(self.server.handler.refused, 0)
        self.assertEqual(self.server.handler.peak, 1)


class SummedPace(ReminderTest):
    """Several connections share one pace: 60 reminders at 20 a second
    through a relay that refuses the 21st message in any second, over four
    connections at once."""

    n = 60
    deliver_all = Pace.deliver_all

    def setUp(self):
        self.server = Server()
        self.server.handler = Throttling(20, 1.0)
        self.server.handler.delay = 0.02
        self.server.start()
        self.d = None

    def test_rate_summed_over_connections(self):
        self.deliver_all('rate = "20/sec"; connections = 4;')
        h = self.server.handler
        self.assertEqual(h.refused, 0)
        self.assertGreater(h.peak, 1)
        times = sorted(h.accepted_at)
        for i, t in enumerate(times):
            self.assertLessEqual(len([u for u in times[i:] if u - t < 1.0]), 20)


class OneConnectionRelay(ReminderTest):
    """A relay that serves one connection at a time and answers 421 to any
    other: the connections it turns away give their mails back, so every
    reminder goes out over the one it serves, none counted as an attempt
    that failed."""

    def test_421_to_the_second_connection(self):
        n = 40
        self.server.handler.max_connections = 1
        self.server.handler.delay = 0.01
        self.start(connections=4)
        self.people(n)
        self.session(days=1)
        wait_for(lambda: self.server.handler.count() >= n, timeout=60, what="every reminder")
        wait_for(lambda: not self.queue("sending"), what="the outcomes recorded")
        rows = [r for r in self.queue() if r["offset"] == "P2D"]
        self.assertEqual(len(rows), n)
        self.assertEqual({r["state"] for r in rows}, {"sent"})
        self.assertEqual({r["attempts"] for r in rows}, {1})
        self.assertGreater(self.server.handler.turned_away, 0)
        self.assertEqual(self.server.handler.peak, 1)


class Wording(ReminderTest):
    """What the mails say: one prefix per subject, the derivation once, the
    Antragsfrist in terms of motions."""

    def test_antragsfrist_and_cancellations(self):
        self.start(reminders='reminders = { send_time = "00:00"; session = [ "P20D" ]; '
                   'deadline = [ "P20D" ]; non_working_days = "keep"; };\n')
        self.people(1)
        sid = self.session(days=12)
        wait_for(lambda: self.server.handler.count() >= 2, what="session and Antragsfrist")
        mails = {m["Subject"]: m for m in self.server.handler.to("p0@example.org")}
        frist = [m for s, m in mails.items() if s.startswith("Antragsfrist")]
        self.assertEqual(len(frist), 1, list(mails))
        self.assertRegex(frist[0]["Subject"],
                         r"^Antragsfrist: Ausschuss für Integration – fällig am \w+, \d+\. ")
        body = frist[0].get_body(("plain",)).get_content()
        self.assertIn("Guten Tag Ayşe Öztürk-Müller,", body)
        self.assertIn("Anträge", body)
        self.assertNotIn("Vorlage", body)
        self.assertEqual(body.count("So wurde die Frist berechnet"), 1, body)
        self.assertIn("So wurde die Frist berechnet: 10 Kalendertage vor der Sitzung am ", body)
        self.assertNotRegex(body, r"\d{4}-\d{2}-\d{2}")
        # Cancelled: one prefix each, "Abgesagt" for the session, "Entfällt"
        # for its deadline.
        self.d.ctl("session", "cancel", str(sid))
        wait_for(lambda: self.server.handler.count() >= 4, what="two cancellations")
        subjects = [m["Subject"] for m in self.server.handler.to("p0@example.org")][2:]
        self.assertEqual(sorted(s.split(":")[0] for s in subjects), ["Abgesagt", "Entfällt"],
                         subjects)
        for s in subjects:
            self.assertNotRegex(s, r"(Abgesagt|Entfällt).*(Abgesagt|Entfällt)", s)


class NonWorkingDays(ReminderTest):
    """A reminder whose send day is not a working day goes out on the working
    day before: with the daemon's wall clock (libfaketime) at Friday
    12 March 2027, 10:00, the P1D reminder of a session on Monday 15 March
    (due Sunday 08:00) is delivered now, on Friday."""

    def start_on_friday(self, extra):
        lib = faultlib.find_faketime()
        if lib is None:
            raise AssertionError("libfaketimeMT.so.1 is not installed: apt-get install "
                                 "libfaketime")
        self.clock = tempfile.NamedTemporaryFile("w", prefix="ikond-clock-", delete=False)
        self.clock.write("@2027-03-12 10:00:00\n")
        self.clock.close()
        cfg = ('smtp = { host = "127.0.0.1"; port = %d; starttls = "off"; '
               'from = "Integrationskonzept <ikond@example.org>"; retry_seconds = 1; '
               'timeout = 5; };\n'
               'reminders = { send_time = "08:00"; session = [ "P1D" ]; deadline = [ ]; %s };\n'
               % (self.server.port, extra))
        self.d = faultlib.Daemon(cfg)
        self.d.env = {"LD_PRELOAD": lib, "FAKETIME_TIMESTAMP_FILE": self.clock.name,
                      "FAKETIME_DONT_FAKE_MONOTONIC": "1", "TZ": "Europe/Berlin",
                      "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") +
                      ":verify_asan_link_order=0"}
        self.d.start()
        self.people(1)
        self.d.ctl("session", "add", "--committee", "ia", "--start", "2027-03-15 18:00",
                   "--title", "Sitzung am Montag")

    def tearDown(self):
        super().tearDown()
        os.unlink(self.clock.name)

    def test_sunday_reminder_goes_out_on_friday(self):
        self.start_on_friday("")
        wait_for(lambda: self.server.handler.count() >= 1, what="the reminder on Friday")
        msg = self.server.handler.to("p0@example.org")[0]
        self.assertIn("Sitzung am Montag", msg["Subject"])
        self.assertIn("Montag, 15. März 2027", msg.get_body(("plain",)).get_content())
        row = self.session_rows(self.queue())[0]
        self.assertEqual(row["state"], "sent")
        self.assertEqual(row["due"], "2027-03-12T08:00:00+01:00")

    def test_keep_sends_on_sunday(self):
        self.start_on_friday('non_working_days = "keep";')
        wait_for(lambda: self.session_rows(self.queue()), what="the planned reminder")
        time.sleep(2)
        self.assertEqual(self.server.handler.count(), 0)
        row = self.session_rows(self.queue())[0]
        self.assertEqual(row["state"], "queued")
        self.assertEqual(row["due"], "2027-03-14T08:00:00+01:00")


class CleanRestart(ReminderTest):
    """A clean restart on the same day keeps the plan the daemon stopped
    with; a start after anything the plan depends on changed (the
    configuration, the database written while ikond was stopped) plans
    again.  The routine re-plan comes only after ten minutes, so a kept
    plan that should not have been kept shows here."""

    KEPT = "the plan stands"

    def start(self, reminders=('reminders = { send_time = "00:00"; session = [ "P1D" ]; '
                               'deadline = [ ]; };\n')):
        return super().start(reminders=reminders)

    def offsets(self, state="queued"):
        return sorted(r["offset"] for r in self.session_rows(self.queue(state)))

    def kept(self):
        return self.d.read_log().count(self.KEPT)

    def test_kept_until_something_changed(self):
        self.start()
        self.people(1)
        # Four days ahead: inside the window of P1D (four days) and both
        # offsets still ahead, even when the body's day is one ahead of
        # this machine's.
        self.session(days=4)
        wait_for(lambda: self.offsets() == ["P1D"], what="the P1D reminder planned")
        rows = self.queue()
        self.d.stop()
        self.d.start()
        self.assertEqual(self.kept(), 1, self.d.read_log())
        self.assertEqual(self.queue(), rows)
        # Other offsets: the old plan does not stand.
        self.d.stop()
        self.d.write_config(self.d_config('reminders = { send_time = "00:00"; '
                                          'session = [ "P2D", "P1D" ]; deadline = [ ]; };\n'))
        self.d.start()
        wait_for(lambda: self.offsets() == ["P1D", "P2D"], what="the P2D reminder planned")
        self.assertEqual(self.kept(), 1)
        # Written behind ikond's back while it was stopped: planned again.
        self.d.stop()
        with sqlite3.connect(os.path.join(self.d.state, "ikond.db")) as db:
            db.execute("UPDATE actor SET reminders = 'none'")
        db.close()
        self.d.start()
        wait_for(lambda: self.offsets() == [], what="the reminders of p0 skipped")
        self.assertEqual(self.kept(), 1)

    def test_status_counts(self):
        self.start()
        self.people(1)
        counts = self.d.json("status")["counts"]
        self.assertEqual((counts["committees"], counts["actors"]), (1, 1))
        self.d.ctl("actor", "add", "p9", "--name", "Person 9", "--email", "p9@example.org")
        self.assertEqual(self.d.json("status")["counts"]["actors"], 2)
        self.d.stop()
        self.d.start()
        self.assertEqual(self.d.json("status")["counts"]["actors"], 2)
        self.d.stop()
        with sqlite3.connect(os.path.join(self.d.state, "ikond.db")) as db:
            db.execute("INSERT INTO committee (slug, name, kind, created_at, updated_at) "
                       "VALUES ('rat', 'Rat', 'rat', 0, 0)")
        db.close()
        self.d.start()
        counts = self.d.json("status")["counts"]
        self.assertEqual((counts["committees"], counts["actors"]), (2, 2))

    def test_damaged_records_are_not_trusted(self):
        """Garbage, or a cut-off copy, in what a clean stop leaves: the
        start plans and counts as if there were none, and removes them."""
        self.start()
        self.people(1)
        self.session(days=4)
        wait_for(lambda: self.offsets() == ["P1D"], what="the P1D reminder planned")
        rows = self.queue()
        for plan, counts in ((b"\x00\xff garbage\n", b"x y z\n"), (None, b"1 1\n")):
            self.d.json("status")
            self.d.stop()
            paths = {name: os.path.join(self.d.state, name)
                     for name in ("reminder-plan", "status-counts")}
            self.assertTrue(all(os.path.exists(p) for p in paths.values()), paths)
            if plan is None:
                with open(paths["reminder-plan"], "rb") as fp:
                    plan = fp.read()[:20]
            with open(paths["reminder-plan"], "wb") as fp:
                fp.write(plan)
            with open(paths["status-counts"], "wb") as fp:
                fp.write(counts)
            self.d.start()
            self.assertEqual(self.kept(), 0, self.d.read_log())
            self.assertFalse(any(os.path.exists(p) for p in paths.values()))
            counts_now = self.d.json("status")["counts"]
            self.assertEqual((counts_now["committees"], counts_now["actors"]), (1, 1))
            self.assertEqual(self.queue(), rows)

    def d_config(self, reminders):
        return ('smtp = { host = "127.0.0.1"; port = %d; starttls = "%s"; '
                'from = "ikond <ikond@example.org>"; retry_seconds = 1; timeout = 5; };\n'
                % (self.server.port, self.starttls)) + reminders


class MaildirDefault(unittest.TestCase):
    def test_maildir_without_smtp_host(self):
        d = Daemon(REMINDERS).start()
        try:
            d.ctl("committee", "add", "ia", "--name", "Ausschuss", "--kind", "fachausschuss")
            d.ctl("actor", "add", "p0", "--name", "Jürgen", "--email", "p0@example.org")
            d.ctl("actor", "join", "p0", "--committee", "ia")
            d.ctl("session", "add", "--committee", "ia", "--start", "%s 18:00" % day(1))
            new = os.path.join(d.state, "Maildir", "new")
            wait_for(lambda: glob.glob(new + "/*"), what="a Maildir file")
            with open(glob.glob(new + "/*")[0], "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            self.assertIn("Erinnerung", msg["Subject"])
            self.assertEqual(msg["To"].addresses[0].display_name, "Jürgen")
        finally:
            d.cleanup()


if __name__ == "__main__":
    ikondtest.main()
