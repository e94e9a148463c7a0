#!/usr/bin/python3
"""Sends reminder mails through ikond's SMTP module (via smtp_driver) to a
real SMTP server, aiosmtpd, started in this process, and checks what
arrives with Python's own MIME and iCalendar parsers.

usage: test_smtp.py PATH/TO/smtp_driver
"""

import email
import email.policy
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import unittest
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
import icalendar

DRIVER = None

ICS = (
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "PRODID:-//ikond//Integrationskonzept//DE\r\n"
    "METHOD:PUBLISH\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:sitzung-17@ikond.example\r\n"
    "DTSTAMP:20260101T000000Z\r\n"
    "DTSTART:20260312T170000Z\r\n"
    "DTEND:20260312T190000Z\r\n"
    "SUMMARY:Sitzung des Integrationsausschusses\r\n"
    "LOCATION:Ratssaal\\, Rathaus Überlingen\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)

BODY = (
    "Guten Tag Frau Öztürk,\n"
    "\n"
    "die Vorlagenfrist für die Sitzung des Integrationsausschusses endet am\n"
    "Donnerstag, 26.02.2026, um 12:00 Uhr. Größere Änderungen = bitte früh.\n"
    ".\n"
    "From the Bildungsbüro with trailing spaces   \n"
    + "Eine sehr lange Zeile " * 12 + "\n"
    "Mit freundlichen Grüßen\n"
    "Ihr Bildungsbüro\n"
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def message(i, **kw):
    m = {
        "from_name": "Integrationskonzept Überlingen",
        "from_addr": "ikond@example.org",
        "to_name": "Ayşe Öztürk-Müller",
        "to_addr": f"person{i}@example.org",
        "subject": f"Erinnerung {i}: Vorlagenfrist für den Integrationsausschuss "
                   "läuft ab – bitte prüfen Sie die Unterlagen für die Sitzung",
        "body": BODY,
        "message_id": f"reminder-{i}.ikond@host.example",
        "date": 1772100000,
    }
    m.update(kw)
    return m


class Recorder:
    """An aiosmtpd handler that keeps every mail and can refuse on cue."""

    def __init__(self):
        self.mails = []
        self.peers = set()
        self.rcpt_replies = {}   # address -> reply to RCPT
        self.data_replies = {}   # address -> reply to DATA
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, options):
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            if rcpt in self.data_replies:
                return self.data_replies[rcpt]
        with self.lock:
            self.peers.add(session.peer)
            self.mails.append((envelope.mail_from, list(envelope.rcpt_tos),
                               envelope.content, session.authenticated))
        return "250 2.0.0 Ok: queued"


class Server:
    def __init__(self, handler=None, **kw):
        self.handler = handler or Recorder()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1",
                                     port=self.port, **kw)

    def __enter__(self):
        self.controller.start()
        return self.handler

    def __exit__(self, *exc):
        self.controller.stop()


def run_driver(port, tls, messages, extra=(), env=None, timeout=60):
    lines = "".join(json.dumps(m) + "\n" for m in messages)
    proc = subprocess.run([DRIVER, *extra, "127.0.0.1", str(port), tls],
                          input=lines.encode(), capture_output=True,
                          timeout=timeout, env=env)
    if proc.returncode != 0:
        raise AssertionError(f"driver failed: {proc.stderr.decode()}")
    out = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    return out, proc.stdout.decode() + proc.stderr.decode()


def results(out):
    return {r["index"]: r for r in out if "outcome" in r}


def batch(out):
    return [r for r in out if "batch" in r][0]


class SmtpTest(unittest.TestCase):

    def test_messages_parse_and_decode(self):
        msgs = [message(i) for i in range(3)]
        msgs[1]["ics"] = ICS
        msgs[2]["ics"] = ICS
        msgs[2]["ics_name"] = "sitzung-2026-03-12.ics"
        with Server() as rec:
            out, _ = run_driver(rec_port(rec), "off", msgs)
        res = results(out)
        self.assertEqual(batch(out)["batch"], 0)
        for i in range(3):
            self.assertEqual(res[i]["outcome"], "sent", res[i])
            self.assertEqual(res[i]["code"], 250)
        self.assertEqual(len(rec.mails), 3)
        self.assertEqual(len(rec.peers), 1, "all mails over one connection")
        for i, (mail_from, rcpts, content, _) in enumerate(rec.mails):
            self.assertEqual(mail_from, "ikond@example.org")
            self.assertEqual(rcpts, [f"person{i}@example.org"])
            # 7-bit on the wire, CRLF only.
            content.decode("ascii")
            self.assertNotIn(b"\n", content.replace(b"\r\n", b""))
            for line in content.split(b"\r\n"):
                self.assertLessEqual(len(line), 78)
            msg = email.message_from_bytes(content, policy=email.policy.default)
            self.assertEqual(len(msg.defects), 0, msg.defects)
            self.assertEqual(str(msg["Subject"]), msgs[i]["subject"])
            self.assertEqual(msg["To"].addresses[0].display_name,
                             "Ayşe Öztürk-Müller")
            self.assertEqual(msg["To"].addresses[0].addr_spec,
                             f"person{i}@example.org")
            self.assertEqual(msg["From"].addresses[0].display_name,
                             "Integrationskonzept Überlingen")
            self.assertEqual(msg["Message-ID"],
                             f"<reminder-{i}.ikond@host.example>")
            self.assertEqual(msg["Auto-Submitted"], "auto-generated")
            self.assertEqual(msg["MIME-Version"], "1.0")
            self.assertEqual(int(msg["Date"].datetime.timestamp()), 1772100000)
            body = msg.get_body(("plain",))
            self.assertEqual(body["Content-Transfer-Encoding"],
                             "quoted-printable")
            self.assertEqual(body.get_content().replace("\r\n", "\n"), BODY)
            attachments = list(msg.iter_attachments())
            if i == 0:
                self.assertFalse(msg.is_multipart())
                self.assertEqual(attachments, [])
                continue
            self.assertEqual(msg.get_content_type(), "multipart/mixed")
            self.assertEqual(len(attachments), 1)
            att = attachments[0]
            self.assertEqual(att.get_content_type(), "text/calendar")
            self.assertEqual(att.get_param("method"), "PUBLISH")
            self.assertEqual(att.get_filename(),
                             "termin.ics" if i == 1 else "sitzung-2026-03-12.ics")
            raw = att.get_payload(decode=True)
            self.assertEqual(raw.decode("utf-8"), ICS)
            cal = icalendar.Calendar.from_ical(raw)
            events = [c for c in cal.walk("VEVENT")]
            self.assertEqual(len(events), 1)
            self.assertEqual(str(events[0]["LOCATION"]),
                             "Ratssaal, Rathaus Überlingen")
            self.assertEqual(str(cal["METHOD"]), "PUBLISH")

    def test_4xx_is_tempfail(self):
        msgs = [message(i) for i in range(3)]
        rec = Recorder()
        rec.rcpt_replies["person1@example.org"] = "451 4.3.0 Bitte später erneut"
        rec.data_replies["person2@example.org"] = "452 4.3.1 Insufficient storage"
        with Server(rec):
            out, _ = run_driver(rec_port(rec), "off", msgs)
        res = results(out)
        self.assertEqual(res[0]["outcome"], "sent")
        self.assertEqual(res[1]["outcome"], "tempfail")
        self.assertEqual(res[1]["code"], 451)
        self.assertEqual(res[2]["outcome"], "tempfail")
        self.assertEqual(res[2]["code"], 452)
        self.assertIn("Insufficient storage", res[2]["reply"])
        self.assertEqual(len(rec.mails), 1)

    def test_5xx_for_one_recipient(self):
        msgs = [message(i) for i in range(4)]
        rec = Recorder()
        rec.rcpt_replies["person2@example.org"] = \
            "550 5.1.1 Mailbox person2 unknown here"
        with Server(rec):
            out, _ = run_driver(rec_port(rec), "off", msgs)
        res = results(out)
        self.assertEqual(batch(out)["batch"], 0)
        for i in (0, 1, 3):
            self.assertEqual(res[i]["outcome"], "sent", res[i])
        self.assertEqual(res[2]["outcome"], "permfail")
        self.assertEqual(res[2]["code"], 550)
        self.assertIn("Mailbox person2 unknown here", res[2]["reply"])
        self.assertEqual(sorted(r[1][0] for r in rec.mails),
                         [f"person{i}@example.org" for i in (0, 1, 3)])
        self.assertEqual(len(rec.peers), 1)

    def test_server_down(self):
        port = free_port()
        out, _ = run_driver(port, "off", [message(0), message(1)])
        res = results(out)
        self.assertEqual(batch(out)["batch"], -1)
        self.assertIn(str(port), batch(out)["cause"])
        for r in res.values():
            self.assertEqual(r["outcome"], "tempfail")
            self.assertEqual(r["code"], 0)
            self.assertIn(f"127.0.0.1:{port}", r["reply"])
            self.assertGreater(len(r["reply"]), len(f"127.0.0.1:{port}: "))

    def test_silent_server_times_out(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(5)
            port = s.getsockname()[1]
            start = time.monotonic()
            out, _ = run_driver(port, "off", [message(0)], extra=["-t", "2"])
            elapsed = time.monotonic() - start
        self.assertEqual(results(out)[0]["outcome"], "tempfail")
        self.assertEqual(batch(out)["batch"], -1)
        self.assertLess(elapsed, 30, "timeout_seconds must be honoured")

    def test_starttls_required_not_offered(self):
        with Server() as rec:
            out, _ = run_driver(rec_port(rec), "required",
                                [message(0), message(1)])
        self.assertEqual(rec.mails, [])
        self.assertEqual(batch(out)["batch"], -1)
        self.assertIn("STARTTLS required but not offered", batch(out)["cause"])
        for r in results(out).values():
            self.assertEqual(r["outcome"], "tempfail")
            self.assertIn("STARTTLS required but not offered", r["reply"])

    def test_starttls_opportunistic_without_tls(self):
        with Server() as rec:
            out, _ = run_driver(rec_port(rec), "opportunistic", [message(0)])
        self.assertEqual(results(out)[0]["outcome"], "sent")
        self.assertEqual(len(rec.mails), 1)

    def test_auth_plain(self):
        secret = "Geheim-Passwort-42"
        seen = []

        def authenticator(server, session, envelope, mechanism, auth_data):
            seen.append(mechanism)
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login == b"ikond"
                  and auth_data.password == secret.encode())
            # handled=False: aiosmtpd answers 535 itself.
            return AuthResult(success=ok, handled=False)

        env = dict(os.environ, IKOND_SMTP_PASSWORD=secret)
        # aiosmtpd offers LOGIN first; without it libESMTP must use PLAIN.
        for exclude, mechanism in (([], "LOGIN"), (["LOGIN"], "PLAIN")):
            seen.clear()
            with Server(authenticator=authenticator, auth_require_tls=False,
                        auth_required=True,
                        auth_exclude_mechanism=exclude) as rec:
                out, text = run_driver(rec_port(rec), "off", [message(0)],
                                       extra=["-u", "ikond"], env=env)
            self.assertEqual(results(out)[0]["outcome"], "sent", out)
            self.assertTrue(rec.mails[0][3], "session was authenticated")
            self.assertEqual(seen, [mechanism])
            self.assertNotIn(secret, text)

        env = dict(os.environ, IKOND_SMTP_PASSWORD="falsch")
        with Server(authenticator=authenticator, auth_require_tls=False,
                    auth_required=True) as rec:
            out, text = run_driver(rec_port(rec), "off",
                                   [message(0), message(1)],
                                   extra=["-u", "ikond"], env=env)
        self.assertEqual(rec.mails, [])
        for r in results(out).values():
            self.assertEqual(r["outcome"], "tempfail", r)
            self.assertIn("authentication failed", r["reply"])
        self.assertNotIn("falsch", text)

    def test_header_injection(self):
        evil = "Evil\r\nBcc: victim@example.org"
        msgs = [message(0, subject=evil, to_name=evil,
                        from_name="Amt\nX-Injected: yes"),
                message(1, to_addr="a@example.org\r\nRCPT TO:<victim@example.org>"),
                message(2, message_id="x@y>\r\nBcc: victim@example.org")]
        with Server() as rec:
            out, _ = run_driver(rec_port(rec), "off", msgs)
        errors = {r["index"]: r["compose_error"] for r in out
                  if "compose_error" in r}
        self.assertEqual(sorted(errors), [1, 2])
        self.assertEqual(results(out)[0]["outcome"], "sent")
        self.assertEqual(len(rec.mails), 1)
        _, rcpts, content, _ = rec.mails[0]
        self.assertEqual(rcpts, ["person0@example.org"])
        msg = email.message_from_bytes(content, policy=email.policy.default)
        self.assertIsNone(msg["Bcc"])
        self.assertIsNone(msg["X-Injected"])
        self.assertEqual(sorted(k.lower() for k in msg.keys()),
                         sorted(["date", "from", "to", "subject", "message-id",
                                 "mime-version", "auto-submitted",
                                 "x-auto-response-suppress", "content-type",
                                 "content-transfer-encoding"]))
        self.assertEqual(str(msg["Subject"]), "Evil  Bcc: victim@example.org")
        self.assertEqual(msg["To"].addresses[0].addr_spec,
                         "person0@example.org")

    def test_test_send(self):
        with Server() as rec:
            out, _ = run_driver(rec_port(rec), "off", [message(0)],
                                extra=["-1"])
        self.assertEqual(out[0]["test"], 0)
        self.assertTrue(out[0]["result"].startswith("sent: 250"), out)
        port = free_port()
        out, _ = run_driver(port, "off", [message(0)], extra=["-1"])
        self.assertEqual(out[0]["test"], -1)
        self.assertTrue(out[0]["result"].startswith("temporary failure: "),
                        out)


_ports = {}


def rec_port(rec):
    return _ports[id(rec)]


_orig_enter = Server.__enter__


def _enter(self):
    _ports[id(self.handler)] = self.port
    return _orig_enter(self)


Server.__enter__ = _enter


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    DRIVER = sys.argv[1]
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    unittest.main(argv=[sys.argv[0], "-v"])
