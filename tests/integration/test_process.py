"""The Integrationskonzept process against a fixed Kreis calendar.

A Landkreis in Lower Saxony with a monthly Fachausschuss and Kreisausschuss,
a quarterly Kreistag, an Integrationsbeirat every six weeks, a summer break
(July and August 2027) and local days off at Christmas.  Every date the
planner produces is worked out by hand in the comments; the default rules
are 21 days before the session for a Beschlussvorlage and for a
Verwaltungsvorlage, rolled to the earlier working day.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ikondtest  # noqa: E402
from ikondtest import DaemonTestCase  # noqa: E402

CONFIG = """
body = {
  land = "NI";
  days_off = ( { date = "12-24"; name = "Heiligabend"; },
               { date = "12-31"; name = "Silvester"; } );
  breaks = ( { from = "2027-07-01"; to = "2027-08-31"; name = "Sommerpause"; } );
};
"""

FACH = ["2026-10-13", "2026-11-10", "2026-12-08", "2027-01-19", "2027-02-16", "2027-03-16",
        "2027-04-13", "2027-05-11", "2027-06-08", "2027-09-14", "2027-10-12", "2027-11-09",
        "2027-12-07"]
KA = ["2026-10-26", "2026-11-23", "2026-12-14", "2027-02-01", "2027-03-01", "2027-03-29",
      "2027-04-26", "2027-05-24", "2027-06-21", "2027-09-27", "2027-10-25", "2027-11-22",
      "2027-12-13", "2027-12-20"]
KT = ["2027-03-11", "2027-06-24", "2027-09-30", "2027-12-16"]
BEIRAT = ["2026-10-21", "2026-12-02", "2027-01-13", "2027-02-24", "2027-04-07", "2027-05-19",
          "2027-06-30", "2027-09-08", "2027-10-20", "2027-12-01"]


class ProcessTest(DaemonTestCase):
    extra_config = CONFIG

    def setUp(self):
        super().setUp()
        ctl = self.d.ctl
        ctl("committee", "add", "ia", "--name", "Ausschuss für Integration", "--kind", "fachausschuss")
        ctl("committee", "add", "ka", "--name", "Kreisausschuss", "--kind", "kreisausschuss",
            "--internal")
        ctl("committee", "add", "kt", "--name", "Kreistag", "--kind", "kreistag")
        ctl("committee", "add", "beirat", "--name", "Integrationsbeirat", "--kind",
            "integrationsbeirat")
        ctl("committee", "add", "flr", "--name", "Fachleitungsrunde", "--kind", "fachleitungsrunde")
        self.sessions = {}
        for slug, days, time in (("ia", FACH, "17:00"), ("ka", KA, "14:00"), ("kt", KT, "18:00"),
                                 ("beirat", BEIRAT, "16:00")):
            for day in days:
                s = self.d.json("session", "add", "--committee", slug, "--start", day + " " + time)
                self.sessions[(slug, day)] = s["id"]
        ctl("actor", "add", "bb", "--name", "Bildungsbüro", "--email", "bb@example.org",
            "--role", "Koordination")
        ctl("actor", "add", "vorsitz", "--name", "Amira Haddad", "--email", "v@example.org")
        ctl("actor", "join", "vorsitz", "--committee", "beirat")
        ctl("actor", "add", "fl", "--name", "Petra Schulte", "--email", "fl@example.org")

    def sid(self, slug, day):
        return str(self.sessions[(slug, day)])

    def plan(self, *args, check=True):
        return self.d.ctl("--json", "process", "plan", "ik", "--from", "2027-01-04", *args,
                          check=check)

    def test_feasible_plan_every_date(self):
        self.d.ctl("process", "add", "ik", "--name", "Integrationskonzept Landkreis Musterland 2027",
                   "--target-session", self.sid("kt", "2027-12-16"))
        import json
        p = json.loads(self.plan().stdout)
        steps = {s["n"]: (s["start"], s["end"]) for s in p["steps"]}
        # The steps come in the seed's order.
        self.assertEqual([s["code"] for s in p["steps"]],
                         ["thema", "rueckhalt", "planung", "buendnis", "startbeschluss",
                          "workshop", "erarbeitung", "abstimmung", "feedback", "beschluss",
                          "oeffentlichkeit", "evaluation"])
        # The route derived from the committees: Beirat (heard), Fachausschuss,
        # Kreisausschuss, Kreistag.
        self.assertTrue(p["route_derived"])
        self.assertEqual([(r["committee"], r["role"]) for r in p["route"]],
                         [("beirat", "anhoerung"), ("ia", "vorberatung"),
                          ("ka", "vorberatung"), ("kt", "entscheidung")])
        # Each committee takes its latest session before the next one:
        # Beirat 01.12., Fachausschuss 07.12., Kreisausschuss 13.12.;
        # Vorlagenfristen 21 days before each.
        chain = {(l["code"], l["committee"]): (l["session_date"], l["deadline"], l["role"])
                 for l in p["sessions"]}
        self.assertEqual(chain[("beschluss", "beirat")], ("2027-12-01", "2027-11-10", "anhoerung"))
        self.assertEqual(chain[("beschluss", "ia")], ("2027-12-07", "2027-11-16", "vorberatung"))
        self.assertEqual(chain[("beschluss", "ka")], ("2027-12-13", "2027-11-22", "vorberatung"))
        self.assertEqual(chain[("beschluss", "kt")], ("2027-12-16", "2027-11-25", "entscheidung"))
        # Steps 1-4 from 04.01.: 2 + 2 + 3 weeks, then 4 weeks of alliance.
        self.assertEqual(steps[1], ("2027-01-04", "2027-01-17"))
        self.assertEqual(steps[2], ("2027-01-18", "2027-01-31"))
        self.assertEqual(steps[3], ("2027-02-01", "2027-02-21"))
        self.assertEqual(steps[4], ("2027-02-22", "2027-03-21"))
        # Step 5: the first Fachausschuss whose Vorlagenfrist comes after step 3:
        # 16.03. (Verwaltungsvorlage due 23.02.); its Verwaltungsvorlage belongs to
        # that session, not to the Kreistag.
        self.assertEqual(chain[("startbeschluss", "ia")], ("2027-03-16", "2027-02-23",
                                                          "entscheidung"))
        self.assertEqual(steps[5], ("2027-02-23", "2027-03-16"))
        # Step 6 two weeks after step 4 (later than two weeks after step 5); 6 weeks.
        self.assertEqual(steps[6], ("2027-04-05", "2027-05-16"))
        self.assertEqual(p["workshops"], [{"step": 6, "code": "workshop", "date": "2027-04-05"}])
        # Step 7: 12 weeks, step 8: 3 weeks, ending before step 9 starts.
        self.assertEqual(steps[7], ("2027-05-17", "2027-08-08"))
        self.assertEqual(steps[8], ("2027-08-09", "2027-08-29"))
        # Step 9 could open Mon 30.08., in the summer break: it opens Wed 01.09.
        # and closes four weeks later, Wed 29.09.
        self.assertEqual(steps[9], ("2027-09-01", "2027-09-29"))
        self.assertLess(steps[8][1], steps[9][0])
        self.assertEqual(p["window"], {"opens": "2027-09-01", "closes": "2027-09-29"})
        # Step 10 from the earliest Vorlagenfrist to the Kreistag.
        self.assertEqual(steps[10], ("2027-11-10", "2027-12-16"))
        # After adoption: 8 weeks of public relations; first evaluation a year later,
        # Sat 16.12.2028 rolled to Mon 18.12.2028.
        self.assertEqual(steps[11], ("2027-12-17", "2028-02-10"))
        self.assertEqual(steps[12], ("2027-12-17", "2028-12-18"))
        self.assertEqual(p["first_evaluation"], "2028-12-18")
        self.assertFalse(p["applied"])
        self.assertEqual(p["moves"], [])
        # Only shown: nothing stored.
        self.assertEqual(self.d.json("submission", "list"), [])
        self.assertIsNone(self.d.json("process", "show", "ik")["planned_at"])

        p = json.loads(self.plan("--apply").stdout)
        self.assertTrue(p["applied"])
        subs = self.d.json("submission", "list")
        self.assertEqual(sorted((s["kind"], s["deadline"]) for s in subs),
                         [("beschlussvorlage", "2027-11-10"), ("verwaltungsvorlage", "2027-02-23")])
        # One Beschlussvorlage goes through the four committees of the route,
        # each Beratung with its own Vorlagenfrist.
        b = [s for s in subs if s["kind"] == "beschlussvorlage"][0]
        b = self.d.json("submission", "show", str(b["id"]))
        self.assertEqual([x["deadline"] for x in b["beratungen"]],
                         ["2027-11-10", "2027-11-16", "2027-11-22", "2027-11-25"])
        self.assertEqual(b["beratungen"][-1]["role"], "entscheidung")
        show = self.d.json("process", "show", "ik")
        self.assertEqual(show["owner"], "bb")
        self.assertEqual(show["changes"], [])
        self.assertEqual([(s["start"], s["end"]) for s in show["steps"]][8],
                         ("2027-09-01", "2027-09-29"))
        windows = self.d.json("window", "list", "--process", "ik")
        self.assertEqual(len(windows), 1)
        self.assertEqual((windows[0]["opens"], windows[0]["closes"]), ("2027-09-01", "2027-09-29"))
        self.assertIn("beirat", windows[0]["audience"])
        evals = self.d.json("evaluation", "list", "--from", "2028-01-01")
        self.assertEqual(evals[0]["next"], "2028-12-18")
        self.assertEqual(evals[0]["committee"], "ia")
        # Applying again changes nothing: no moves, no new rows, no new sequence.
        before = self.d.json("process", "show", "ik")
        p = json.loads(self.plan("--apply").stdout)
        self.assertEqual(p["moves"], [])
        self.assertEqual(p["submissions_created"], [])
        after = self.d.json("process", "show", "ik")
        self.assertEqual([s["sequence"] for s in before["steps"]],
                         [s["sequence"] for s in after["steps"]])
        self.assertEqual(len(self.d.json("submission", "list")), 2)
        self.assertEqual(len(self.d.json("window", "list")), 1)
        # The window appears in the Beirat chair's agenda.
        agenda = self.d.json("agenda", "--actor", "vorsitz", "--from", "2027-09-01", "--days", "60")
        self.assertIn("window", [i["kind"] for i in agenda])
        self.assertTrue(any(i["kind"] == "session" for i in agenda))
        # Status: nothing about the process.
        self.assertEqual([p for p in self.d.json("status")["problems"]
                          if p.startswith("process ")], [])

    def test_infeasible_targets(self):
        self.d.ctl("process", "add", "ik", "--name", "IK")
        # Kreistag 24.06.2027: the route's first Vorlagenfrist is 28.04. (Beirat 19.05.);
        # from 04.01. the window closes 29.09. at the earliest, two weeks later is
        # 14.10.: 169 days too early.  The Kreistag of 16.12. works.
        r = self.plan("--target-session", self.sid("kt", "2027-06-24"), "--apply", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("target session 2027-06-24 is 169 days too early", r.stderr)
        self.assertIn("could be 2027-10-14 at the earliest, but it is 2027-04-28", r.stderr)
        self.assertIn("the nearest target session that works is Kreistag's on 2027-12-16 "
                      "(session %s)" % self.sid("kt", "2027-12-16"), r.stderr)
        self.assertIn("nothing was stored", r.stderr)
        self.assertEqual(self.d.json("submission", "list"), [])
        # Kreistag 30.09.2027: the window was pushed past the summer break.
        r = self.plan("--target-session", self.sid("kt", "2027-09-30"), check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("Sommerpause", r.stderr)
        self.assertIn("2027-07-01 to 2027-08-31", r.stderr)
        # Not a Kreistag session: the default route cannot end there.
        r = self.plan("--target-session", self.sid("ia", "2027-12-07"), check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("the default route ends with a Rat or Kreistag", r.stderr)
        # No Kreisausschuss before the target: cancel the ones before 11.03.; the
        # next one, 29.03., misses the Kreistag by 18 days.
        for day in KA[:5]:
            self.d.ctl("session", "cancel", self.sid("ka", day))
        r = self.plan("--target-session", self.sid("kt", "2027-03-11"), check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("Kreisausschuss (ka) has no usable session before the session of Kreistag "
                      "on 2027-03-11; its next session, on 2027-03-29, misses it by 18 days",
                      r.stderr)
        self.assertEqual(self.d.json("process", "show", "ik")["planned_at"], None)

    def test_moved_session_shifts_plan(self):
        import json
        self.d.ctl("process", "add", "ik", "--name", "IK", "--target-session",
                   self.sid("kt", "2027-12-16"), "--owner", "bb")
        self.plan("--apply")
        # The Kreisausschuss of 13.12. moves after the Kreistag.
        self.d.ctl("session", "edit", self.sid("ka", "2027-12-13"), "--start", "2027-12-17 14:00")
        show = self.d.json("process", "show", "ik")
        text = "\n".join(show["changes"])
        self.assertIn("moved from 2027-12-13 14:00 to 2027-12-17 14:00", text)
        # Replanned: Kreisausschuss 22.11., Fachausschuss 09.11., Beirat 20.10.
        # (Vorlagenfrist 29.09.): the window closes 29.09., too late.
        self.assertIn("the plan no longer fits: target session 2027-12-16 is 15 days too early",
                      text)
        status = self.d.json("status")
        self.assertTrue(any("process ik:" in p for p in status["problems"]))
        # Moving it back restores the plan.
        self.d.ctl("session", "edit", self.sid("ka", "2027-12-13"), "--start", "2027-12-13 14:00")
        self.assertEqual(self.d.json("process", "show", "ik")["changes"], [])
        # A moved Beirat session moves its Vorlagenfrist and step 10, nothing before it.
        self.d.ctl("session", "edit", self.sid("beirat", "2027-12-01"), "--start",
                   "2027-11-24 16:00")
        changes = self.d.json("process", "show", "ik")["changes"]
        text = "\n".join(changes)
        self.assertIn("moved from 2027-11-10 to 2027-11-03", text)
        self.assertIn("step 10 (Beratung und Beschluss in den Gremien) moves from "
                      "2027-11-10 - 2027-12-16 to 2027-11-03 - 2027-12-16", text)
        self.assertFalse(any("step 9" in c or "step 5" in c for c in changes), changes)
        # The plan lists what would move before anything is stored.
        p = json.loads(self.plan().stdout)
        self.assertEqual([(m["kind"], m["code"], m["old"], m["new"]) for m in p["moves"]],
                         [("step", "beschluss", "2027-11-10 - 2027-12-16",
                           "2027-11-03 - 2027-12-16"),
                          ("deadline", "beschluss", "2027-11-10", "2027-11-03")])
        text = self.d.ctl("process", "plan", "ik", "--from", "2027-01-04").stdout
        self.assertIn("move: step 10: the Vorlagenfrist for Integrationsbeirat moves from "
                      "2027-11-10 to 2027-11-03", text)
        # Re-applying follows the calendar; the window stays.
        p = json.loads(self.plan("--apply").stdout)
        self.assertEqual(p["window"], {"opens": "2027-09-01", "closes": "2027-09-29"})
        self.assertEqual(self.d.json("process", "show", "ik")["changes"], [])
        self.assertEqual(len(self.d.json("submission", "list")), 2)

        # With the Beirat back on 01.12., the start decision's session is
        # cancelled: step 5 takes the next
        # Fachausschuss (13.04., due 23.03.) and steps 6-9 follow it; steps 1-4
        # and the adoption stay.
        self.d.ctl("session", "edit", self.sid("beirat", "2027-12-01"), "--start",
                   "2027-12-01 16:00")
        self.plan("--apply")
        before = {s["code"]: (s["start"], s["end"], s["sequence"])
                  for s in self.d.json("process", "show", "ik")["steps"]}
        self.d.ctl("session", "cancel", self.sid("ia", "2027-03-16"))
        p = json.loads(self.plan("--apply").stdout)
        moved = sorted(m["code"] for m in p["moves"] if m["kind"] == "step")
        self.assertEqual(moved, ["abstimmung", "erarbeitung", "feedback", "startbeschluss",
                                 "workshop"])
        texts = [m["text"] for m in p["moves"]]
        self.assertIn("step 9: the feedback window moves from 2027-09-01 - 2027-09-29 to "
                      "2027-09-22 - 2027-10-20", texts)
        self.assertIn("step 5: the Beratung in Ausschuss für Integration moves from session %s "
                      "on 2027-03-16 to session %s on 2027-04-13 (Vorlagenfrist 2027-03-23)"
                      % (self.sid("ia", "2027-03-16"), self.sid("ia", "2027-04-13")), texts)
        after = {s["code"]: (s["start"], s["end"], s["sequence"])
                 for s in self.d.json("process", "show", "ik")["steps"]}
        self.assertEqual(after["startbeschluss"][:2], ("2027-03-23", "2027-04-13"))
        self.assertEqual(after["workshop"][:2], ("2027-04-28", "2027-06-08"))
        self.assertEqual(after["feedback"][:2], ("2027-09-22", "2027-10-20"))
        for code in ("thema", "rueckhalt", "planung", "buendnis", "beschluss",
                     "oeffentlichkeit", "evaluation"):
            self.assertEqual(before[code], after[code], code)
        vorlage = [s for s in self.d.json("submission", "list")
                   if s["kind"] == "verwaltungsvorlage"]
        self.assertEqual([(v["session"], v["deadline"]) for v in vorlage],
                         [(int(self.sid("ia", "2027-04-13")), "2027-03-23")])

    def test_hand_dates_and_late_schedule(self):
        import json
        self.d.ctl("process", "add", "ik", "--name", "IK", "--target-session",
                   self.sid("kt", "2027-12-16"), "--owner", "bb")
        self.plan("--apply")
        # A workshop date set by hand stays; the steps after it follow it: it
        # is no problem in status, only what it moves is.
        self.d.ctl("process", "step", "ik", "6", "--date", "2027-04-19..2027-05-30")
        changes = self.d.json("process", "show", "ik")["changes"]
        self.assertFalse(any("step 6" in c for c in changes), changes)
        self.assertIn("step 7 (Konzept in Arbeitsgruppen erarbeiten) moves from 2027-05-17 - "
                      "2027-08-08 to 2027-05-31 - 2027-08-22", changes)
        p = json.loads(self.plan("--apply").stdout)
        steps = {s["code"]: s for s in p["steps"]}
        self.assertEqual((steps["workshop"]["start"], steps["workshop"]["fixed"]),
                         ("2027-04-19", "by_hand"))
        self.assertEqual(steps["erarbeitung"]["start"], "2027-05-31")
        self.assertEqual(self.d.json("process", "show", "ik")["steps"][5]["pinned"], True)
        # --unpin gives it back to the planner.
        self.d.ctl("process", "step", "ik", "6", "--unpin")
        p = json.loads(self.plan("--apply").stdout)
        self.assertEqual({s["code"]: s["start"] for s in p["steps"]}["workshop"], "2027-04-05")
        # A step in progress stays where it is.
        self.d.ctl("process", "step", "ik", "2", "--state", "in_progress")
        p = json.loads(self.plan("--from", "2027-01-11").stdout)
        self.assertEqual(p["steps"][1]["fixed"], "in_progress")
        self.assertEqual(p["steps"][1]["start"], "2027-01-18")
        # Step 5 may not be left out; step 4 may.
        r = self.d.ctl("process", "step", "ik", "5", "--state", "skipped", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("may not be left out", r.stderr)
        # --schedule late: the window closes two weeks before the first
        # Vorlagenfrist (Tue 26.10.), the start decision is the latest possible.
        p = json.loads(self.plan("--schedule", "late").stdout)
        steps = {s["code"]: (s["start"], s["end"]) for s in p["steps"]}
        self.assertEqual(p["schedule"], "late")
        self.assertEqual(steps["feedback"], ("2027-09-28", "2027-10-26"))
        self.assertEqual(steps["startbeschluss"], ("2027-03-23", "2027-04-13"))

    def test_steps_windows_measures_evaluations(self):
        self.d.ctl("process", "add", "ik", "--name", "IK")
        s = self.d.json("process", "step", "ik", "4", "--state", "skipped", "--notes",
                        "im Workshop")
        self.assertEqual(s["state"], "skipped")
        s = self.d.json("process", "step", "ik", "1", "--date", "2027-01-04..2027-01-15",
                        "--owner", "bb", "--owner", "fl", "--title", "Auftakt")
        self.assertEqual((s["start"], s["end"], s["owners"]), ("2027-01-04", "2027-01-15",
                                                                ["bb", "fl"]))
        s = self.d.json("process", "insert", "ik", "7", "--title", "Datenmonitoring")
        self.assertEqual(s["n"], 7)
        s = self.d.json("process", "step", "ik", "7", "--move-to", "2")
        self.assertEqual(s["n"], 2)
        steps = self.d.json("process", "show", "ik")["steps"]
        self.assertEqual([x["n"] for x in steps], list(range(1, 14)))
        self.assertEqual(steps[1]["title"], "Datenmonitoring")
        r = self.d.ctl("process", "step", "ik", "99", "--state", "done", check=False)
        self.assertEqual(r.returncode, 1)
        r = self.d.ctl("process", "step", "ik", "1", "--state", "finished", check=False)
        self.assertIn("valid: ", r.stderr)

        # Windows: a rule counts from the opening day; 4 weeks from Mon 20.12.2027
        # is Mon 17.01.2028.  "+11d earlier" from 20.12. is Fri 31.12. (Silvester),
        # rolled to Thu 30.12.
        w = self.d.json("window", "add", "--process", "ik", "--title", "Entwurf",
                        "--opens", "2027-12-20", "--rule", "+4w earlier", "--audience", "beirat",
                        "--audience", "fl")
        self.assertEqual(w["closes"], "2028-01-17")
        self.assertEqual(sorted(w["audience"]), ["beirat", "fl"])
        w = self.d.json("window", "edit", str(w["id"]), "--rule", "+11d earlier")
        self.assertEqual(w["closes"], "2027-12-30")
        self.assertIn("Silvester", w["explanation"])
        r = self.d.ctl("window", "add", "--process", "ik", "--title", "x", "--opens",
                       "2027-12-20", "--closes", "2027-12-01", check=False)
        self.assertEqual(r.returncode, 1)

        # Measures: budget, owner, overdue flag.
        m = self.d.json("measure", "add", "--process", "ik", "--title", "Sprachcafés",
                        "--owner", "fl", "--budget", "12.500,50", "--due", "2020-06-30")
        self.assertEqual(m["budget_eur"], "12500.50")
        self.assertTrue(m["overdue"])
        self.assertEqual(len(self.d.json("measure", "list", "--overdue")), 1)
        self.assertTrue(any("overdue" in p for p in self.d.json("status")["problems"]))
        m = self.d.json("measure", "done", str(m["id"]))
        self.assertFalse(m["overdue"])
        self.assertEqual(self.d.json("measure", "list", "--overdue"), [])

        # Evaluations: quarterly from a month end, across DST changes and year ends.
        # 31.03., 30.06. (clamped), 30.09., 31.12.2027 (Silvester -> Mon 03.01.2028),
        # 31.03.2028 (Fri).
        self.d.ctl("evaluation", "add", "--process", "ik", "--title", "Quartalsbericht",
                   "--owner", "bb", "--start", "2027-03-31", "--rrule",
                   "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1", "--committee", "flr")
        ev = self.d.json("evaluation", "list", "--from", "2027-01-01", "--count", "5")[0]
        self.assertEqual([o["date"] for o in ev["occurrences"]],
                         ["2027-03-31", "2027-06-30", "2027-09-30", "2028-01-03", "2028-03-31"])
        self.assertEqual(ev["occurrences"][3]["nominal"], "2027-12-31")
        # Yearly on 25.12.: 2027 is a Saturday -> Mon 27.12.; 2028 a Monday (holiday)
        # -> Wed 27.12. (26.12. is a holiday too).
        self.d.ctl("evaluation", "add", "--process", "ik", "--title", "Jahresbericht",
                   "--owner", "bb", "--start", "2027-12-25", "--rrule", "FREQ=YEARLY")
        ev = self.d.json("evaluation", "list", "--from", "2027-01-01")[1]
        self.assertEqual([o["date"] for o in ev["occurrences"]],
                         ["2027-12-27", "2028-12-27", "2029-12-27"])
        ev = self.d.json("evaluation", "done", str(ev["id"]), "2027-12-27", "--note", "vorgelegt")
        self.assertTrue(ev["occurrences"][0]["done"])
        r = self.d.ctl("evaluation", "add", "--process", "ik", "--title", "x", "--owner", "bb",
                       "--start", "2027-01-01", "--rrule", "FREQ=SOMETIMES", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("RRULE", r.stderr)
        r = self.d.ctl("evaluation", "done", "1", "2027-05-05", check=False)
        self.assertEqual(r.returncode, 1)

        # The agenda has all of it, sorted by date.
        agenda = self.d.json("agenda", "--from", "2027-12-01", "--days", "40")
        kinds = [i["kind"] for i in agenda]
        for k in ("window", "evaluation", "session"):
            self.assertIn(k, kinds)
        whens = [i["when"][:10] for i in agenda]
        self.assertEqual(whens, sorted(whens))
        mine = self.d.json("agenda", "--actor", "fl", "--from", "2027-12-01", "--days", "40")
        self.assertEqual([i["kind"] for i in mine], ["window"])


if __name__ == "__main__":
    ikondtest.main()
