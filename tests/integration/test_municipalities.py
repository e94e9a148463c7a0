"""Plans the way each municipality works: the four examples of the README
(a Landkreis and a Gemeinde in Lower Saxony, a Stadt in North
Rhine-Westphalia, a Landkreis in Bavaria) driven through ikond-ctl, each
with the route derived from its committees; explicit routes; a process file
of the admin's; evaluation series that stay finite in feeds; sessions on
odd days; the budget, editing and removing a process.

All four plan from Monday 04.01.2027 with the shipped process file:
steps 1-3 end 21.02., step 4 on 21.03., the start decision is the first
session of the first deliberating committee whose Vorlagenfrist (21 days
before, rolled to the earlier working day) is on or after 22.02., the
workshops start two weeks after step 4 on 05.04. and last six weeks,
drafting twelve and alignment three, so the feedback window opens on
Mon 30.08. and closes four weeks later, Mon 27.09. (Wed 01.09. to Wed 29.09.
in North Rhine-Westphalia, whose summer break runs to 31.08.); the first
Vorlagenfrist of the route must be two weeks after that.
"""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ikondtest  # noqa: E402
from ikondtest import DaemonTestCase  # noqa: E402

COMMON_STEPS = {
    1: ("2027-01-04", "2027-01-17"), 2: ("2027-01-18", "2027-01-31"),
    3: ("2027-02-01", "2027-02-21"), 4: ("2027-02-22", "2027-03-21"),
    6: ("2027-04-05", "2027-05-16"), 7: ("2027-05-17", "2027-08-08"),
    8: ("2027-08-09", "2027-08-29"),
}


class Municipality(DaemonTestCase):
    """Adds committees and sessions, then plans from 04.01.2027."""

    committees = ()     # (slug, name, kind)
    sessions = ()       # (slug, "YYYY-MM-DD HH:MM")

    def setUp(self):
        super().setUp()
        self.ids = {}
        for slug, name, kind in self.committees:
            self.d.ctl("committee", "add", slug, "--name", name, "--kind", kind)
        for slug, start in self.sessions:
            self.ids[(slug, start[:10])] = self.d.json("session", "add", "--committee", slug,
                                                       "--start", start)["id"]
        self.d.ctl("actor", "add", "bb", "--name", "Bildungsbüro", "--email", "bb@example.org",
                   "--role", "Koordination")

    def sid(self, slug, day):
        return str(self.ids[(slug, day)])

    def plan(self, *args, check=True):
        r = self.d.ctl("--json", "process", "plan", "ik", "--from", "2027-01-04", *args,
                       check=check)
        return json.loads(r.stdout) if check else r

    def check_plan(self, p, route, decision, beratungen, window):
        self.assertEqual([(r["committee"], r["role"]) for r in p["route"]], route)
        steps = {s["n"]: (s["start"], s["end"]) for s in p["steps"]}
        for n, span in COMMON_STEPS.items():
            self.assertEqual(steps[n], span, "step %d" % n)
        self.assertEqual(steps[9], window)
        self.assertLess(steps[8][1], steps[9][0])
        links = [(l["code"], l["committee"], l["role"], l["session_date"], l["deadline"])
                 for l in p["sessions"]]
        self.assertEqual(links[0], ("startbeschluss",) + decision)
        self.assertEqual(links[1:], [("beschluss",) + b for b in beratungen])
        self.assertEqual(steps[5], (decision[3], decision[2]))
        self.assertEqual(steps[10], (min(b[3] for b in beratungen), beratungen[-1][2]))


class NiedersachsenLandkreis(Municipality):
    extra_config = 'body = { name = "Landkreis Musterland"; land = "NI"; };\n'
    committees = (
        ("beirat", "Integrationsbeirat", "integrationsbeirat"),
        ("ia", "Ausschuss für Integration", "fachausschuss"),
        ("ka", "Kreisausschuss", "kreisausschuss"),
        ("kt", "Kreistag", "kreistag"),
    )
    sessions = (
        ("ia", "2027-03-16 17:00"), ("beirat", "2027-11-10 16:00"), ("ia", "2027-11-16 17:00"),
        ("ka", "2027-11-29 14:00"), ("kt", "2027-12-09 18:00"),
    )

    def test_plan(self):
        self.d.ctl("process", "add", "ik", "--name", "Integrationskonzept", "--target-session",
                   self.sid("kt", "2027-12-09"))
        p = self.plan("--apply")
        self.check_plan(
            p, [("beirat", "anhoerung"), ("ia", "vorberatung"), ("ka", "vorberatung"),
                ("kt", "entscheidung")],
            ("ia", "entscheidung", "2027-03-16", "2027-02-23"),
            [("beirat", "anhoerung", "2027-11-10", "2027-10-20"),
             ("ia", "vorberatung", "2027-11-16", "2027-10-26"),
             ("ka", "vorberatung", "2027-11-29", "2027-11-08"),
             ("kt", "entscheidung", "2027-12-09", "2027-11-18")],
            ("2027-08-30", "2027-09-27"))
        # One Verwaltungsvorlage, and one Beschlussvorlage through the four
        # committees of the route, each Beratung with its own Vorlagenfrist.
        self.assertEqual(len(self.d.json("submission", "list")), 2)
        b = [s for s in self.d.json("submission", "list") if s["kind"] == "beschlussvorlage"][0]
        b = self.d.json("submission", "show", str(b["id"]))
        self.assertEqual([(x["committee"], x["role"], x["deadline"]) for x in b["beratungen"]],
                         [("beirat", "anhoerung", "2027-10-20"), ("ia", "vorberatung", "2027-10-26"),
                          ("ka", "vorberatung", "2027-11-08"), ("kt", "entscheidung", "2027-11-18")])
        # Drafts find the Verwaltungsvorlage of the start decision in the
        # session of the Fachausschuss, not in the Kreistag's.
        subs = {s["kind"]: s for s in self.d.json("submission", "list")}
        self.assertEqual(subs["verwaltungsvorlage"]["session"], int(self.sid("ia", "2027-03-16")))

        # A later Kreistag moves the adoption and what follows it, not the
        # start decision (step 5) nor anything before the adoption.
        later = str(self.d.json("session", "add", "--committee", "kt", "--start",
                                "2027-12-16 18:00")["id"])
        p = self.plan("--target-session", later)
        texts = [m["text"] for m in p["moves"]]
        self.assertEqual(sorted({m["code"] for m in p["moves"]}),
                         ["beschluss", "evaluation", "oeffentlichkeit"])
        self.assertIn("step 10: the Beratung in Kreistag moves from session %s on 2027-12-09 to "
                      "session %s on 2027-12-16 (Vorlagenfrist 2027-11-25)"
                      % (self.sid("kt", "2027-12-09"), later), texts)
        self.assertIn("step 12: the evaluation series starts 2028-12-16 instead of 2028-12-09",
                      texts)
        # Read in German, the same moves carry German dates; the data stays ISO.
        r = self.d.ctl("--json", "process", "plan", "ik", "--from", "2027-01-04",
                       "--target-session", later, env={"LC_ALL": "de_DE.UTF-8"})
        de = json.loads(r.stdout)["moves"]
        self.assertIn("Schritt 10: die Beratung in Kreistag wechselt von der Sitzung %s am "
                      "09.12.2027 zur Sitzung %s am 16.12.2027 (Vorlagenfrist 25.11.2027)"
                      % (self.sid("kt", "2027-12-09"), later), [m["text"] for m in de])
        self.assertEqual([(m["old"], m["new"]) for m in de],
                         [(m["old"], m["new"]) for m in p["moves"]])
        # The Beirat meets a week earlier instead: its Beratung moves.
        beirat = str(self.d.json("session", "add", "--committee", "beirat", "--start",
                                 "2027-11-03 16:00")["id"])
        self.d.ctl("session", "cancel", self.sid("beirat", "2027-11-10"))
        p = self.plan()
        self.assertIn("step 10: the Beratung in Integrationsbeirat moves from session %s on "
                      "2027-11-10 to session %s on 2027-11-03 (Vorlagenfrist 2027-10-13)"
                      % (self.sid("beirat", "2027-11-10"), beirat),
                      [m["text"] for m in p["moves"]])

    def test_explicit_route(self):
        # Without the Kreisausschuss, and the Beirat only told.
        self.d.ctl("process", "add", "ik", "--name", "IK", "--target-session",
                   self.sid("kt", "2027-12-09"), "--route", "beirat:kenntnisnahme,ia,kt")
        show = self.d.json("process", "show", "ik")
        self.assertFalse(show["route_derived"])
        self.assertEqual([(r["committee"], r["role"]) for r in show["route"]],
                         [("beirat", "kenntnisnahme"), ("ia", "vorberatung"),
                          ("kt", "entscheidung")])
        p = self.plan("--apply")
        self.assertEqual([l["committee"] for l in p["sessions"]], ["ia", "beirat", "ia", "kt"])
        # Adding the Kreisausschuss back moves nothing else; a committee that
        # leaves the route takes its draft Vorlage with it.
        self.d.ctl("process", "edit", "ik", "--route", "ia,ka,kt")
        p = self.plan()
        self.assertIn("step 10: Integrationsbeirat leaves the route (its session on 2027-11-10)",
                      [m["text"] for m in p["moves"]])
        p = self.plan("--apply")
        # The one Beschlussvorlage stays and no longer goes to the Beirat.
        subs = [s for s in self.d.json("submission", "list") if s["kind"] == "beschlussvorlage"]
        self.assertEqual([s["state"] for s in subs], ["draft"])
        b = self.d.json("submission", "show", str(subs[0]["id"]))
        self.assertEqual([x["session"] for x in b["beratungen"]],
                         [int(self.sid("ia", "2027-11-16")), int(self.sid("ka", "2027-11-29")),
                          int(self.sid("kt", "2027-12-09"))])
        # Back to the default route.
        self.d.ctl("process", "edit", "ik", "--route", "default")
        self.assertTrue(self.d.json("process", "show", "ik")["route_derived"])
        # Errors name the bad word.
        r = self.d.ctl("process", "edit", "ik", "--route", "ia:beschluss,kt", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("unknown role \"beschluss\"", r.stderr)
        r = self.d.ctl("process", "edit", "ik", "--route", "ia,rat", check=False)
        self.assertIn("no committee \"rat\"", r.stderr)
        # A route that cannot be served says which committee and by how much.
        self.d.ctl("process", "edit", "ik", "--route", "ka,ia,kt")
        r = self.plan(check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("Kreisausschuss (ka) has no usable session before the session of "
                      "Ausschuss für Integration on 2027-11-16; its next session, on 2027-11-29, "
                      "misses it by 13 days", r.stderr)

    def test_budget_edit_remove(self):
        self.d.ctl("process", "add", "ik", "--name", "IK", "--budget", "12.000,50",
                   "--budget-note", "Landesprogramm, 50 % Eigenanteil")
        show = self.d.json("process", "show", "ik")
        self.assertEqual((show["budget_eur"], show["budget_note"]),
                         ("12000.50", "Landesprogramm, 50 % Eigenanteil"))
        self.assertIn("Budget: 12000.50 EUR", self.d.ctl("process", "show", "ik").stdout)
        e = self.d.json("process", "edit", "ik", "--budget", "9000", "--name", "IK 2027",
                        "--target-session", self.sid("kt", "2027-12-09"))
        self.assertEqual(e["name"], "IK 2027")
        self.assertEqual(self.d.json("process", "show", "ik")["budget_eur"], "9000.00")
        self.d.ctl("process", "edit", "ik", "--budget", "none")
        self.assertIsNone(self.d.json("process", "show", "ik")["budget_eur"])
        r = self.d.ctl("process", "edit", "ik", "--budget", "viel", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--budget \"viel\" is not an amount in euros", r.stderr)
        r = self.d.ctl("process", "edit", "ik", check=False)
        self.assertEqual(r.returncode, 2)
        r = self.d.ctl("process", "edit", "ik", "--schedule", "soon", check=False)
        self.assertIn("valid: early late", r.stderr)
        # A planned process is only removed with --force; its draft Vorlagen
        # and its feed go with it.
        self.plan("--apply")
        feed = self.d.json("feed", "add", "--process", "ik")
        r = self.d.ctl("process", "remove", "ik", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("give --force", r.stderr)
        removed = self.d.json("process", "remove", "ik", "--force")
        self.assertEqual((removed["removed"], removed["submissions"], removed["windows"]),
                         ("ik", 5, 1))
        self.assertEqual(self.d.json("submission", "list"), [])
        self.assertEqual(self.d.json("process", "list"), [])
        feeds = {f["id"]: f for f in self.d.json("feed", "list")}
        self.assertIsNotNone(feeds[feed["id"]]["revoked"])


class NiedersachsenGemeinde(Municipality):
    extra_config = 'body = { name = "Gemeinde Musterdorf"; land = "NI"; };\n'
    committees = (
        ("rat", "Rat der Gemeinde", "rat"),
        ("va", "Verwaltungsausschuss", "verwaltungsausschuss"),
        ("schule", "Ausschuss für Schule, Soziales und Integration", "fachausschuss"),
    )
    sessions = (
        ("schule", "2027-03-18 18:00"), ("schule", "2027-11-18 18:00"),
        ("va", "2027-11-25 17:00"), ("rat", "2027-12-02 19:00"),
    )

    def test_plan(self):
        self.d.ctl("process", "add", "ik", "--name", "Integrationskonzept", "--target-session",
                   self.sid("rat", "2027-12-02"))
        self.check_plan(
            self.plan("--apply"),
            [("schule", "vorberatung"), ("va", "vorberatung"), ("rat", "entscheidung")],
            ("schule", "entscheidung", "2027-03-18", "2027-02-25"),
            [("schule", "vorberatung", "2027-11-18", "2027-10-28"),
             ("va", "vorberatung", "2027-11-25", "2027-11-04"),
             ("rat", "entscheidung", "2027-12-02", "2027-11-11")],
            ("2027-08-30", "2027-09-27"))


class NordrheinWestfalenStadt(Municipality):
    extra_config = ('body = { name = "Stadt Musterhausen"; land = "NW";\n'
                    '  breaks = ( { from = "2027-07-15"; to = "2027-08-31"; '
                    'name = "Sommerpause"; } ); };\n')
    committees = (
        ("rat", "Rat der Stadt", "rat"),
        ("hfa", "Haupt- und Finanzausschuss", "hauptausschuss"),
        ("ir", "Integrationsrat", "integrationsrat"),
        ("soz", "Ausschuss für Soziales und Integration", "fachausschuss"),
    )
    sessions = (
        ("soz", "2027-03-17 17:00"), ("ir", "2027-11-10 17:00"), ("soz", "2027-11-17 17:00"),
        ("hfa", "2027-11-24 16:00"), ("rat", "2027-12-08 16:00"),
    )

    def test_plan(self):
        self.d.ctl("process", "add", "ik", "--name", "Integrationskonzept", "--target-session",
                   self.sid("rat", "2027-12-08"))
        # The window could open Mon 30.08., in the summer break: Wed 01.09.-29.09.
        p = self.plan("--apply")
        self.check_plan(
            p, [("ir", "anhoerung"), ("soz", "vorberatung"), ("hfa", "vorberatung"),
                ("rat", "entscheidung")],
            ("soz", "entscheidung", "2027-03-17", "2027-02-24"),
            [("ir", "anhoerung", "2027-11-10", "2027-10-20"),
             ("soz", "vorberatung", "2027-11-17", "2027-10-27"),
             ("hfa", "vorberatung", "2027-11-24", "2027-11-03"),
             ("rat", "entscheidung", "2027-12-08", "2027-11-17")],
            ("2027-09-01", "2027-09-29"))
        self.assertIn("Sommerpause", p["steps"][8]["note"])
        # The window's audience includes the Integrationsrat.
        self.assertIn("ir", self.d.json("window", "list", "--process", "ik")[0]["audience"])


class BayernLandkreis(Municipality):
    extra_config = 'body = { name = "Landkreis Musterau"; land = "BY"; };\n'
    committees = (
        ("kt", "Kreistag", "kreistag"),
        ("ka", "Kreisausschuss", "kreisausschuss"),
    )
    sessions = (
        ("ka", "2027-03-15 14:00"), ("ka", "2027-11-22 14:00"), ("kt", "2027-12-06 14:00"),
    )

    def test_plan(self):
        self.d.ctl("process", "add", "ik", "--name", "Integrationskonzept", "--target-session",
                   self.sid("kt", "2027-12-06"))
        # The Kreisausschuss takes the start decision; its Vorlagenfrist for
        # 22.11. would be Mon 01.11., Allerheiligen in Bavaria: Fri 29.10.
        self.check_plan(
            self.plan("--apply"),
            [("ka", "vorberatung"), ("kt", "entscheidung")],
            ("ka", "entscheidung", "2027-03-15", "2027-02-22"),
            [("ka", "vorberatung", "2027-11-22", "2027-10-29"),
             ("kt", "entscheidung", "2027-12-06", "2027-11-15")],
            ("2027-08-30", "2027-09-27"))


class HessenStadt(Municipality):
    extra_config = 'body = { name = "Stadt Musterbach"; land = "HE"; };\n'
    committees = (
        ("stvv", "Stadtverordnetenversammlung", "rat"),
        ("mag", "Magistrat", "magistrat"),
        ("ab", "Ausländerbeirat", "auslaenderbeirat"),
        ("soz", "Sozialausschuss", "fachausschuss"),
    )
    sessions = (
        ("soz", "2027-03-16 17:00"), ("mag", "2027-11-03 10:00"), ("ab", "2027-11-10 18:00"),
        ("soz", "2027-11-16 17:00"), ("stvv", "2027-12-02 18:00"),
    )

    def test_executive_first(self):
        self.d.ctl("process", "add", "ik", "--name", "Integrationskonzept", "--target-session",
                   self.sid("stvv", "2027-12-02"))
        p = self.plan()
        self.assertEqual([(r["committee"], r["role"], r["executive"]) for r in p["route"]],
                         [("mag", "entscheidung", True), ("ab", "anhoerung", False),
                          ("soz", "vorberatung", False), ("stvv", "entscheidung", False)])
        # The Magistrat adopts the Vorlage before the committees see it; the
        # start decision is the Sozialausschuss's, not the Magistrat's.
        self.assertEqual([(l["code"], l["committee"], l["session_date"]) for l in p["sessions"]],
                         [("startbeschluss", "soz", "2027-03-16"),
                          ("beschluss", "mag", "2027-11-03"), ("beschluss", "ab", "2027-11-10"),
                          ("beschluss", "soz", "2027-11-16"), ("beschluss", "stvv", "2027-12-02")])


class AdminProcessFile(Municipality):
    """A process file of the admin's: a second workshop, no step 4."""

    committees = NiedersachsenLandkreis.committees
    sessions = NiedersachsenLandkreis.sessions

    def setUp(self):
        self.tpl = tempfile.mkdtemp(prefix="ikond-tpl-")
        os.makedirs(os.path.join(self.tpl, "process"))
        self.extra_config = 'templates = { dir = "%s"; };\n' % self.tpl
        with open(os.path.join(ikondtest.SRC, "templates", "process",
                               "integrationskonzept.conf"), encoding="utf-8") as f:
            shipped = f.read()
        # Leave out step 4, add a second workshop after the drafting.
        custom = re.sub(r'  # May also happen in the workshop.*?optional = true; },\n\n', '',
                        shipped, flags=re.S)
        custom = custom.replace('after = [ "startbeschluss", "buendnis" ];',
                                'after = [ "startbeschluss" ];')
        custom = custom.replace('''  # The department heads''', '''  { code = "workshop2";
    title = "Zweiter Workshop: Maßnahmen";
    weeks = 1;
    after = [ "erarbeitung" ];
    produces = "workshop"; },

  # The department heads''')
        custom = custom.replace('after = [ "erarbeitung" ]; },\n\n  { code = "feedback"',
                                'after = [ "workshop2" ]; },\n\n  { code = "feedback"')
        self.assertNotIn("buendnis", custom)
        with open(os.path.join(self.tpl, "process", "zwei-workshops.conf"), "w",
                  encoding="utf-8") as f:
            f.write(custom)
        super().setUp()

    def tearDown(self):
        super().tearDown()
        shutil.rmtree(self.tpl, ignore_errors=True)

    def test_second_workshop_no_step_4(self):
        self.d.ctl("process", "add", "ik", "--name", "IK", "--template", "zwei-workshops",
                   "--target-session", self.sid("kt", "2027-12-09"))
        p = self.plan("--apply")
        self.assertEqual(p["process_file"], "zwei-workshops")
        codes = [s["code"] for s in p["steps"]]
        self.assertNotIn("buendnis", codes)
        self.assertEqual(codes[5:8], ["erarbeitung", "workshop2", "abstimmung"])
        steps = {s["code"]: (s["start"], s["end"]) for s in p["steps"]}
        # Without step 4 the workshops follow the start decision (16.03.) by two
        # weeks: 31.03.-11.05.; drafting to 03.08., the second workshop to
        # 10.08., alignment to 31.08., the window 01.09.-29.09.
        self.assertEqual(steps["workshop"], ("2027-03-31", "2027-05-11"))
        self.assertEqual(steps["erarbeitung"], ("2027-05-12", "2027-08-03"))
        self.assertEqual(steps["workshop2"], ("2027-08-04", "2027-08-10"))
        self.assertEqual(steps["abstimmung"], ("2027-08-11", "2027-08-31"))
        self.assertEqual(steps["feedback"], ("2027-09-01", "2027-09-29"))
        self.assertEqual(p["workshops"], [
            {"step": 5, "code": "workshop", "date": "2027-03-31"},
            {"step": 7, "code": "workshop2", "date": "2027-08-04"}])
        # Each workshop is a dated event of the process, time and place to
        # follow; applying again makes no second one.
        events = self.d.json("event", "list", "--process", "ik")
        self.assertEqual(sorted((e["date"], e["start"]) for e in events),
                         [("2027-03-31", None), ("2027-08-04", None)])
        self.plan("--apply")
        self.assertEqual(len(self.d.json("event", "list", "--process", "ik")), 2)
        # Once the admin has given the first one a time, later plans leave it.
        first = [e for e in events if e["date"] == "2027-03-31"][0]
        self.d.ctl("event", "edit", str(first["id"]), "--start", "2027-04-01 10:00", "--end",
                   "16:00", "--location", "Kreishaus")
        self.plan("--apply", "--from", "2027-01-11")
        again = self.d.json("event", "show", str(first["id"]))
        self.assertEqual((again["date"], again["location"]), ("2027-04-01", "Kreishaus"))
        show = self.d.json("process", "show", "ik")
        self.assertEqual([s["code"] for s in show["steps"]], codes)
        self.assertEqual(self.d.json("process", "list")[0]["process_file"], "zwei-workshops")
        # A process file broken after planning is a problem in status, which
        # keeps working.
        with open(os.path.join(self.tpl, "process", "zwei-workshops.conf"), "w",
                  encoding="utf-8") as f:
            f.write("steps = ( { code = \"a\"; } );\n")
        problems = self.d.json("status")["problems"]
        self.assertTrue(any(p.startswith("process ik: the plan cannot be checked: %s/process/"
                                         "zwei-workshops.conf:1: " % self.tpl) for p in problems),
                        problems)
        # An unknown process file is named with the places searched.
        r = self.d.ctl("process", "add", "x", "--name", "X", "--template", "fehlt", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no process file fehlt.conf in %s/process" % self.tpl, r.stderr)

    def test_check_names_file_and_line(self):
        with open(os.path.join(self.tpl, "process", "kaputt.conf"), "w", encoding="utf-8") as f:
            f.write('title = "Kaputt";\nsteps = (\n  { code = "a"; title = "A"; },\n'
                    '  { code = "b"; title = "B"; produces = "beschlussvorlage"; } );\n')
        r = subprocess.run([ikondtest.IKOND, "-n", "-f", self.d.config], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("%s/process/kaputt.conf:3: step \"a\" needs a duration (weeks or days)"
                      % self.tpl, r.stderr)
        r = self.d.ctl("process", "add", "x", "--name", "X", "--template", "kaputt", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("kaputt.conf:3:", r.stderr)


class FiniteSeries(DaemonTestCase):
    """An evaluation without an end adds at most its horizon's dates."""

    extra_config = 'process = { evaluation_horizon = "P2Y"; };\n'

    def test_horizon_in_feeds_and_lists(self):
        ctl = self.d.ctl
        ctl("actor", "add", "bb", "--name", "Bildungsbüro", "--email", "bb@example.org")
        ctl("process", "add", "ik", "--name", "IK")
        # A day of the month every month has: RFC 5545 skips a 31 March + 3
        # months, so a start on the 29th-31st would count fewer quarters.
        start = datetime.date.today() + datetime.timedelta(days=30)
        start = start.replace(day=min(start.day, 28)).isoformat()
        ctl("evaluation", "add", "--process", "ik", "--title", "Jahresbericht", "--owner", "bb",
            "--start", start, "--rrule", "FREQ=YEARLY")
        ctl("evaluation", "add", "--process", "ik", "--title", "Quartalsbericht", "--owner", "bb",
            "--start", start, "--rrule", "FREQ=MONTHLY;INTERVAL=3")
        ics = ctl("export", "--all").stdout
        events = ics.count("BEGIN:VEVENT")
        yearly = len(re.findall(r"SUMMARY:Evaluation: Jahresbericht", ics))
        quarterly = len(re.findall(r"SUMMARY:Evaluation: Quartalsbericht", ics))
        # Two years ahead: start, +1 year; +2 years lies 30 days beyond.
        self.assertEqual(yearly, 2)
        self.assertEqual(quarterly, 8)
        self.assertEqual(events, yearly + quarterly)
        listed = self.d.json("evaluation", "list", "--count", "100")
        self.assertEqual([len(e["occurrences"]) for e in listed], [2, 8])
        agenda = self.d.json("agenda", "--days", "3660")
        self.assertEqual(len([i for i in agenda if i["kind"] == "evaluation"]), 10)
        # A view that begins later sees the horizon from there.
        later = (datetime.date.today() + datetime.timedelta(days=3000)).isoformat()
        listed = self.d.json("evaluation", "list", "--from", later, "--count", "100")
        self.assertEqual(len(listed[0]["occurrences"]), 2)

    def test_month_end_start_warns(self):
        ctl = self.d.ctl
        ctl("actor", "add", "bb", "--name", "Bildungsbüro", "--email", "bb@example.org")
        ctl("process", "add", "ik", "--name", "IK")
        year = datetime.date.today().year + 1
        r = ctl("evaluation", "add", "--process", "ik", "--title", "Quartal", "--owner", "bb",
                "--start", "%d-03-31" % year, "--rrule", "FREQ=MONTHLY;INTERVAL=3")
        self.assertIn("ikond-ctl: warning: the series starts on day 31 of its month", r.stderr)
        dates = [o["nominal"] for o in self.d.json("evaluation", "list", "--from",
                                                   "%d-01-01" % year)[0]["occurrences"]]
        self.assertEqual(dates[:2], ["%d-03-31" % year, "%d-12-31" % year])
        # The advice given works: every quarter's last day, no warning.
        r = ctl("evaluation", "edit", "1", "--rrule", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1")
        self.assertNotIn("warning", r.stderr)
        dates = [o["nominal"] for o in self.d.json("evaluation", "list", "--from",
                                                   "%d-01-01" % year)[0]["occurrences"]]
        self.assertEqual(dates[:3], ["%d-03-31" % year, "%d-06-30" % year, "%d-09-30" % year])
        # A day every month has: nothing to say.
        r = ctl("evaluation", "edit", "1", "--start", "%d-03-28" % year, "--rrule",
                "FREQ=MONTHLY;INTERVAL=3")
        self.assertNotIn("warning", r.stderr)
        r = ctl("evaluation", "add", "--process", "ik", "--title", "Schalttag", "--owner", "bb",
                "--start", "2028-02-29", "--rrule", "FREQ=YEARLY")
        self.assertIn("starts on day 29", r.stderr)


class OddDays(DaemonTestCase):
    extra_config = ('body = { land = "NI"; days_off = ( { date = "12-24"; '
                    'name = "Heiligabend"; } ); };\n')

    def test_sessions_on_odd_days_warn(self):
        self.d.ctl("committee", "add", "kt", "--name", "Kreistag", "--kind", "kreistag")
        today = datetime.date.today()
        # Of Lower Saxony's holidays only the fixed-date ones can fall on a
        # Saturday (and would join the problem's words): step past them.
        fixed = ((1, 1), (5, 1), (10, 3), (10, 31), (12, 25), (12, 26))
        saturday = today + datetime.timedelta(days=14 + (5 - today.weekday()) % 7)
        while (saturday.month, saturday.day) in fixed:
            saturday += datetime.timedelta(days=7)
        r = self.d.ctl("session", "add", "--committee", "kt", "--start",
                       saturday.isoformat() + " 10:00")
        self.assertIn("ikond-ctl: warning: the session on %s falls on a Saturday"
                      % saturday.isoformat(),
                      r.stderr)
        sid = json.loads(self.d.ctl("--json", "session", "list").stdout)[0]["id"]
        problems = self.d.json("status")["problems"]
        self.assertIn("session %d of Kreistag on %s falls on a Saturday" % (sid,
                      saturday.isoformat()), problems)
        # Moved to a Tuesday: no warning, no problem.  Only the fixed-date
        # holidays (and the local Heiligabend) can fall on a Tuesday; a week
        # later is clear of them.
        tuesday = saturday + datetime.timedelta(days=3)
        while (tuesday.month, tuesday.day) in fixed + ((12, 24),):
            tuesday += datetime.timedelta(days=7)
        r = self.d.ctl("session", "edit", str(sid), "--start", tuesday.isoformat() + " 17:00")
        self.assertNotIn("warning", r.stderr)
        self.assertEqual(self.d.json("status")["problems"], [])
        # Status names twenty of them and counts the rest.
        for k in range(22):
            self.d.ctl("session", "add", "--committee", "kt", "--start",
                       (saturday + datetime.timedelta(days=7 * k)).isoformat() + " 10:00")
        problems = self.d.json("status")["problems"]
        self.assertEqual(len(problems), 21)
        self.assertEqual(problems[-1], "2 more sessions ahead fall on a weekend, a holiday, a "
                         "local day off or in a break")
        # Christmas Eve is a local day off (in a year where it is a weekday).
        eve = datetime.date(today.year + 1, 12, 24)
        while eve.weekday() >= 5:
            eve = eve.replace(year=eve.year + 1)
        r = self.d.ctl("session", "add", "--committee", "kt", "--start", eve.isoformat() + " 10:00")
        self.assertIn("a local day off (Heiligabend)", r.stderr)


if __name__ == "__main__":
    ikondtest.main()
