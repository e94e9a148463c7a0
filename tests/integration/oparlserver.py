"""A small OParl 1.1 server for the tests, on python3's http.server.

The objects follow the specification's schema and examples (System, Body,
Organization, Meeting, Person with embedded Memberships and Locations):
external lists are paginated with links.next, filtered by modified_since,
and deleted objects stay in them with "deleted": true.  A test changes the
data between runs (OParlServer.meeting(), .delete(), ...), makes pages
fail (HTTP 500, broken JSON, answers too slow) and reads which requests
came (.requests).
"""

import json
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCHEMA = "https://schema.oparl.org/1.1/"


def stamp(t=None):
    return datetime.fromtimestamp(t if t is not None else time.time(),
                                  timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def parse_stamp(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class OParlServer:
    def __init__(self, bodies=1, page_size=3):
        self.lock = threading.Lock()
        self.page_size = page_size
        self.requests = []            # (path, query dict)
        self.failures = {}            # (list name, page) -> "500" | "500once" | "json" | "slow"
        self.slow_seconds = 0         # for "slow" failures
        self.delay = 0.0              # before every answer
        self.gate = None              # a threading.Event every answer waits for
        self.nbodies = bodies
        self.lists = {"organizations": {}, "meetings": {}, "people": {}, "papers": {}}
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.httpd.daemon_threads = True
        self.base = "http://127.0.0.1:%d/oparl" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- the data ---

    def url(self, kind, n):
        return "%s/%s/%s" % (self.base, kind, n)

    def body_url(self, n=1):
        return "%s/body/%d" % (self.base, n)

    def system_url(self):
        return self.base + "/"

    def put(self, list_name, n, obj, modified=None):
        obj.setdefault("created", stamp(0))
        obj["modified"] = stamp(modified)
        with self.lock:
            self.lists[list_name][n] = obj

    def organization(self, n, name, classification="Ausschuss", org_type="Gremium", **extra):
        obj = {"id": self.url("organization", n), "type": SCHEMA + "Organization",
               "body": self.body_url(), "name": name, "classification": classification,
               "meeting": self.url("organization", n) + "/meetings"}
        if org_type is not None:
            obj["organizationType"] = org_type
        obj.update(extra)
        self.put("organizations", n, obj)
        return obj["id"]

    def meeting(self, n, org, start, end=None, name=None, **extra):
        obj = {"id": self.url("meeting", n), "type": SCHEMA + "Meeting",
               "name": name if name is not None else "%d. Sitzung" % n,
               "start": start, "organization": [self.url("organization", org)],
               "location": {"id": self.url("location", n), "type": SCHEMA + "Location",
                            "description": "Kreishaus, Sitzungssaal %d" % n},
               "web": "https://ris.example/si0057.asp?__ksinr=%d" % n}
        if end is not None:
            obj["end"] = end
        obj.update(extra)
        self.put("meetings", n, obj)
        return obj["id"]

    def person(self, n, name, orgs, **extra):
        obj = {"id": self.url("person", n), "type": SCHEMA + "Person", "body": self.body_url(),
               "name": name, "membership": [
                   {"id": self.url("membership", "%d-%d" % (n, o)), "type": SCHEMA + "Membership",
                    "organization": self.url("organization", o), "role": "Mitglied",
                    "votingRight": True, "startDate": "2021-11-01"} for o in orgs]}
        obj.update(extra)
        self.put("people", n, obj)
        return obj["id"]

    def paper(self, n, reference, name, paper_type, date, consultations, **extra):
        """consultations: (meeting number, role, authoritative) each."""
        obj = {"id": self.url("paper", n), "type": SCHEMA + "Paper", "body": self.body_url(),
               "name": name, "reference": reference, "paperType": paper_type, "date": date,
               "consultation": [
                   {"id": self.url("consultation", "%d-%d" % (n, m)),
                    "type": SCHEMA + "Consultation", "paper": self.url("paper", n),
                    "meeting": self.url("meeting", m), "role": role,
                    "authoritative": authoritative} for m, role, authoritative in consultations]}
        obj.update(extra)
        self.put("papers", n, obj)
        return obj["id"]

    def change(self, list_name, n, **fields):
        with self.lock:
            obj = dict(self.lists[list_name][n])
        obj.update(fields)
        self.put(list_name, n, obj)

    def delete(self, list_name, n):
        """A soft deletion as the specification has it: id, type, deleted, modified."""
        with self.lock:
            old = self.lists[list_name][n]
        self.put(list_name, n, {"id": old["id"], "type": old["type"], "deleted": True,
                                "created": old["created"]})

    def fail(self, list_name, page, how):
        self.failures[(list_name, page)] = how

    def list_requests(self, list_name):
        return [q for p, q in self.requests if p.endswith("/" + list_name)]

    # --- HTTP ---

    def answer(self, path, query):
        b = self.base
        if path == "/oparl/":
            return {"id": b + "/", "type": SCHEMA + "System", "oparlVersion": SCHEMA,
                    "body": b + "/bodies", "name": "Beispiel-RIS",
                    "vendor": "http://example-software.com/", "created": stamp(0),
                    "modified": stamp(0)}
        if path == "/oparl/bodies":
            return {"data": [self.body(n) for n in range(1, self.nbodies + 1)],
                    "pagination": {"totalElements": self.nbodies}, "links": {}}
        for n in range(1, self.nbodies + 1):
            if path == "/oparl/body/%d" % n:
                return self.body(n)
        for name in self.lists:
            if path == "/oparl/body/1/" + name:
                return self.page(name, query)
        return None

    def body(self, n):
        b = "%s/body/%d" % (self.base, n)
        return {"id": b, "type": SCHEMA + "Body", "system": self.base + "/",
                "name": "Landkreis Musterland" if n == 1 else "Stadt Beispiel %d" % n,
                "shortName": "Musterland", "ags": "03459000",
                "organization": b + "/organizations", "person": b + "/people",
                "meeting": b + "/meetings", "paper": b + "/papers",
                "legislativeTerm": [], "created": stamp(0), "modified": stamp(0)}

    def page(self, name, query):
        with self.lock:
            objs = [self.lists[name][k] for k in sorted(self.lists[name])]
        since = query.get("modified_since")
        if since is not None:
            objs = [o for o in objs if parse_stamp(o["modified"]) >= parse_stamp(since)]
        page = int(query.get("page", "1"))
        size = self.page_size
        chunk = objs[(page - 1) * size:page * size]
        links = {}
        rest = {k: v for k, v in query.items() if k != "page"}
        if page * size < len(objs):
            links["next"] = "%s/body/1/%s?%s" % (self.base, name, urllib.parse.urlencode(
                dict(rest, page=page + 1), safe=":+"))
        return {"data": chunk, "pagination": {"totalElements": len(objs),
                                              "elementsPerPage": size, "currentPage": page,
                                              "totalPages": max(1, -(-len(objs) // size))},
                "links": links}

    def handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                server.requests.append((parts.path, query))
                if server.gate is not None:
                    server.gate.wait(120)
                if server.delay:
                    time.sleep(server.delay)
                list_name = parts.path.rsplit("/", 1)[-1]
                key = (list_name, int(query.get("page", "1")))
                how = server.failures.get(key)
                if how == "500once":
                    del server.failures[key]
                if how in ("500", "500once"):
                    return self.send(500, b"<html><body>Internal Server Error</body></html>",
                                     "text/html")
                if how == "slow":
                    time.sleep(server.slow_seconds)
                body = server.answer(parts.path, query)
                if body is None:
                    return self.send(404, b'{"error": "not found"}', "application/json")
                data = json.dumps(body, ensure_ascii=False).encode()
                if how == "json":
                    data = data[:len(data) // 2]
                self.send(200, data, "application/json; charset=utf-8")

            def send(self, status, data, ctype):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
