"""Drafts from live data: "draft list" and "draft render" against a running
ikond with the Musterland example and a planned process.

Renders every template in md, html and odt through ikond-ctl, converts the
ODT files with LibreOffice and checks with pdftotext that the session date,
the deadline and the responsible person are in the document.  Also: hostile
actor names stay literal text, an admin's template overrides the shipped
one, a broken template gives NAME:LINE: message and no file, and missing
data is said plainly.
"""

import datetime
import glob
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

TEMPLATES = ["verwaltungsvorlage", "beschlussvorlage", "einladung-workshop",
             "feedback-anfrage", "pressemitteilung", "evaluationsbericht",
             "konzept-gliederung"]
WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
          "September", "Oktober", "November", "Dezember"]
SCRIPT = "<script>alert(1)</script>"
BRACES = "{{body.name}}"
COORDINATOR = "Bildungsbüro Musterland"


def long_de(iso):
    d = datetime.date.fromisoformat(iso[:10])
    return "%s, %d. %s %d" % (WEEKDAYS[d.weekday()], d.day, MONTHS[d.month - 1], d.year)


def squash(text):
    return re.sub(r"\s+", " ", text)


def pdf_texts(odts, workdir):
    """Converts ODT files with LibreOffice; returns {odt path: pdftotext output}."""
    lo = ikondtest.require("libreoffice", "libreoffice-writer-nogui")
    ikondtest.require("pdftotext", "poppler-utils")
    profile = tempfile.mkdtemp(prefix="lo-", dir=workdir)
    outdir = os.path.join(workdir, "pdf")
    os.makedirs(outdir, exist_ok=True)
    r = subprocess.run([lo, "-env:UserInstallation=file://" + profile, "--headless",
                        "--norestore", "--convert-to", "pdf", "--outdir", outdir] + odts,
                       capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, HOME=profile))
    texts = {}
    for odt in odts:
        pdf = os.path.join(outdir, os.path.basename(odt)[:-4] + ".pdf")
        if not os.path.exists(pdf):
            raise AssertionError("LibreOffice made no PDF of %s: %s %s" % (odt, r.stdout, r.stderr))
        t = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], capture_output=True,
                           text=True, check=True)
        texts[odt] = squash(t.stdout)
    return texts


class DraftCommandTest(DaemonTestCase):

    def setUp(self):
        self.tpl = tempfile.mkdtemp(prefix="ikond-tpl-")
        self.extra_config = ('templates = { dir = "%s"; };\n'
                             'body = { department = "Bildungsbüro"; '
                             'address = "Am Markt 1, 12345 Musterstadt"; };\n' % self.tpl)
        super().setUp()
        self.out = tempfile.mkdtemp(prefix="ikond-drafts-")

    def tearDown(self):
        super().tearDown()
        shutil.rmtree(self.tpl, ignore_errors=True)
        shutil.rmtree(self.out, ignore_errors=True)

    def render(self, name, *args, check=True):
        return self.d.ctl("draft", "render", name, *args, check=check)

    def plan(self):
        """Musterland plus a Beratungsfolge far enough ahead for a feasible plan."""
        self.load_example()
        ctl = self.d.ctl
        today = datetime.date.today()
        day = today + datetime.timedelta(days=450)
        while day.weekday() != 3 or any((day - datetime.timedelta(days=k)).month in (7, 8)
                                        for k in (0, 10, 16, 22)):
            day += datetime.timedelta(days=1)

        def add(committee, offset, hm):
            d = (day - datetime.timedelta(days=offset)).isoformat()
            return self.d.json("session", "add", "--committee", committee, "--start",
                               d + " " + hm)["id"]
        add("integrationsbeirat", 22, "16:00")
        add("integrationsausschuss", 16, "17:00")
        add("kreisausschuss", 10, "14:00")
        target = add("kreistag", 0, "18:00")
        ctl("actor", "add", "hostile", "--name", SCRIPT, "--email", "x@example.org",
            "--org", "*Verein* [Test] # | _x_")
        ctl("actor", "add", "braces", "--name", BRACES, "--email", "y@example.org")
        ctl("process", "add", "ik", "--name", "Integrationskonzept Musterland 2028")
        ctl("process", "plan", "ik", "--target-session", str(target), "--apply")
        ctl("measure", "add", "--process", "ik", "--title", "Elternlotsen an Grundschulen",
            "--owner", "schulte", "--goal", "Eltern kennen das Schulsystem.",
            "--budget", "12500", "--due", (today + datetime.timedelta(days=600)).isoformat())
        ctl("measure", "add", "--process", "ik", "--title", "Sprachcafé", "--owner", "hostile",
            "--budget", "800,50", "--due", (today + datetime.timedelta(days=700)).isoformat())
        return target

    def test_every_template_in_every_format(self):
        target = self.plan()
        show = self.d.json("process", "show", "ik")
        kt = self.d.json("session", "show", str(target))
        linked = {l["submission"] for s in show["steps"] for l in s["sessions"]}
        subs = {}
        for s in sorted(self.d.json("submission", "list"), key=lambda s: s["deadline"] or "",
                        reverse=True):
            if s["id"] in linked:
                subs[s["kind"]] = s    # the one due first wins, as in ikond
        window = show["windows"][0]
        steps = {s["code"]: s for s in show["steps"]}
        evaluation = self.d.json("evaluation", "list", "--process", "ik")[0]

        def sub_dates(kind):
            s = subs[kind]
            session = self.d.json("session", "show", str(s["session"]))
            return [long_de(session["start"]), long_de(s["deadline"])]
        # What each draft must show: the date, the deadline, the person responsible.
        expect = {
            "verwaltungsvorlage": sub_dates("verwaltungsvorlage") + [COORDINATOR,
                                                                     long_de(kt["start"])],
            "beschlussvorlage": sub_dates("beschlussvorlage") + [COORDINATOR, "12.500,00 €",
                                                                 "13.300,50 €"],
            "einladung-workshop": [long_de(steps["workshop"]["start"]), COORDINATOR,
                                   long_de((datetime.date.fromisoformat(
                                       steps["workshop"]["start"]) -
                                       datetime.timedelta(days=14)).isoformat())],
            "feedback-anfrage": [long_de(window["opens"]), long_de(window["closes"]),
                                 COORDINATOR],
            "pressemitteilung": [long_de(kt["start"]), COORDINATOR, "Kreistag"],
            "evaluationsbericht": [long_de(evaluation["next"]), COORDINATOR, "Petra Schulte",
                                   "12.500,00 €"],
            "konzept-gliederung": [long_de(kt["start"]), COORDINATOR, "Petra Schulte",
                                   "Leitbild", "Bestandsaufnahme"],
        }
        listed = {t["name"]: t for t in self.d.json("draft", "list")}
        self.assertEqual(sorted(listed), sorted(TEMPLATES))
        self.assertTrue(all(t["origin"] == "shipped" for t in listed.values()))

        odts = []
        for name in TEMPLATES:
            md = self.render(name, "--process", "ik").stdout
            for want in expect[name]:
                self.assertIn(want, md, "%s.md lacks %r" % (name, want))
            html = self.render(name, "--process", "ik", "--format", "html").stdout
            self.assertTrue(html.lstrip().lower().startswith("<!doctype html"), name)
            self.assertNotIn("<script>", html, name)
            for want in expect[name]:
                self.assertIn(want.replace("&", "&amp;"), html, "%s.html lacks %r" % (name, want))
            odt = os.path.join(self.out, name + ".odt")
            r = self.render(name, "--process", "ik", "--format", "odt", "-o", odt)
            self.assertEqual(r.stdout, "")
            with open(odt, "rb") as f:
                self.assertEqual(f.read(2), b"PK", name)
            odts.append(odt)
            # -o works for text formats too.
            path = os.path.join(self.out, name + ".html")
            self.render(name, "--process", "ik", "--format", "html", "-o", path)
            with open(path, encoding="utf-8") as f:
                self.assertEqual(f.read().rstrip("\n"), html.rstrip("\n"))

        # Escaping end to end: the hostile names are in the actor lists.
        md = self.render("konzept-gliederung", "--process", "ik").stdout
        html = self.render("konzept-gliederung", "--process", "ik", "--format", "html").stdout
        self.assertNotIn(SCRIPT, md)
        self.assertIn("alert(1)", md)
        self.assertNotIn("<script", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
        self.assertIn(BRACES, html)
        self.assertIn("*Verein* [Test] # | _x_", html)
        self.assertEqual(html.count("Landkreis Musterland") > 0, True)
        escaped = os.path.join(self.out, "escaped.odt")
        self.render("konzept-gliederung", "--process", "ik", "--format", "odt", "-o", escaped)
        odts.append(escaped)

        texts = pdf_texts(odts, self.out)
        for name in TEMPLATES:
            text = texts[os.path.join(self.out, name + ".odt")]
            for want in expect[name]:
                self.assertIn(want, text, "PDF of %s lacks %r" % (name, want))
            # The letterhead on top, the page count in the footer.
            self.assertIn("Landkreis Musterland Bildungsbüro · Am Markt 1, 12345 Musterstadt",
                          text, name)
            self.assertRegex(text, r"Seite 1 von [1-9]", name)
        self.assertIn("Vorlage Nr. (noch ohne Nummer)",
                      texts[os.path.join(self.out, "verwaltungsvorlage.odt")])
        text = texts[escaped]
        self.assertIn(SCRIPT, text)
        self.assertIn(BRACES, text)
        self.assertIn("*Verein* [Test] # | _x_", text)

    def test_verwaltungsvorlage_asks_the_start_decision(self):
        """The Vorlage of step 5 asks the committee of the start decision, at
        that session, to start the process: not the session that adopts the
        finished concept."""
        target = self.plan()
        show = self.d.json("process", "show", "ik")
        start = [l for s in show["steps"] for l in s["sessions"] if l["role"] == "start"]
        self.assertEqual(len(start), 1)
        session = self.d.json("session", "show", str(start[0]["session"]))
        kt = self.d.json("session", "show", str(target))
        md = squash(self.render("verwaltungsvorlage", "--process", "ik").stdout)
        proposal = md[md.index("## Beschlussvorschlag"):md.index("## Sachverhalt")]
        self.assertIn("Der Ausschuss für Integration und Teilhabe fasst in seiner Sitzung am "
                      "%s folgenden Beschluss:" % long_de(session["start"]), proposal)
        self.assertIn("Integrationskonzept mit dem Schwerpunkt Bildung für den Landkreis "
                      "Musterland zu erarbeiten", proposal)
        # The adopting session only as what comes after.
        self.assertIn("dem Kreistag zur Sitzung am %s zur Beschlussfassung vorgelegt"
                      % long_de(kt["start"]), proposal)
        self.assertNotIn("Der Kreistag fasst", proposal)
        # Its Beratungsfolge is that one session, which decides.
        chain = md[md.index("### Beratungsfolge"):md.index("## Beschlussvorschlag")]
        self.assertIn("| %s | Ausschuss für Integration und Teilhabe | Entscheidung |"
                      % long_de(session["start"]), chain)
        self.assertNotIn("Kreistag", chain)

    def test_head_names_the_lead_office(self):
        """Federfuehrung is the owner's office; an owner without one leaves it
        to the body's department, and without that too the cell says so."""
        self.plan()
        self.d.ctl("actor", "add", "ohneamt", "--name", "Kim Ohneamt",
                   "--email", "kim@example.org")

        def head(owner):
            sub = self.d.json("submission", "list")[0]
            self.d.ctl("submission", "edit", str(sub["id"]), "--owner", owner)
            md = self.render("verwaltungsvorlage", "--process", "ik", "--submission",
                             str(sub["id"])).stdout
            return md.splitlines()[2].replace("\\", "")
        owner = self.d.json("actor", "show", "schulte")
        self.assertIn("| %s | %s |" % (owner["org"], owner["name"]), head("schulte"))
        self.assertIn("| Bildungsbüro | Kim Ohneamt |", head("ohneamt"))
        self.d.write_config('templates = { dir = "%s"; };\n' % self.tpl)
        self.d.ctl("reload")
        self.assertIn("| noch nicht benannt | Kim Ohneamt |", head("ohneamt"))

    def test_verwaltungsvorlage_names_the_money(self):
        """Finanzielle Auswirkungen: the process's own budget and note as
        "process edit" stored them, and each measure's money with its
        Haushaltsjahr."""
        self.plan()

        def money():
            md = squash(self.render("verwaltungsvorlage", "--process", "ik").stdout)
            return md[md.index("## Finanzielle Auswirkungen"):]
        self.assertIn("sind noch keine Mittel beziffert", money())
        self.d.ctl("process", "edit", "ik", "--budget", "18000", "--budget-note",
                   "Darin enthalten sind Moderation und Dolmetschkosten.")
        measure = [m for m in self.d.json("measure", "list")
                   if m["title"] == "Elternlotsen an Grundschulen"][0]
        self.d.ctl("measure", "edit", str(measure["id"]), "--year", "2028")
        text = money()
        self.assertIn("Für die Erarbeitung des Konzepts sind **18.000,00 €** vorgesehen. "
                      "Darin enthalten sind Moderation und Dolmetschkosten.", text)
        self.assertNotIn("noch keine Mittel", text)
        self.assertIn("zusammen 13.300,50 € veranschlagt", text)
        self.assertIn("- Elternlotsen an Grundschulen: 12.500,00 € im Haushaltsjahr 2028", text)
        self.assertIn("- Sprachcafé: 800,50 €, Haushaltsjahr noch offen", text)

    def test_only_what_the_reader_should_read(self):
        """The planner's notes and a window's derivation stay with the
        coordinator: not in drafts, not in the feed; dates in text are German."""
        self.plan()
        show = self.d.json("process", "show", "ik")
        opens = show["windows"][0]["opens"]
        closes = (datetime.date.fromisoformat(opens) + datetime.timedelta(days=30)).isoformat()
        self.d.ctl("window", "add", "--process", "ik", "--title", "Zweite Runde", "--opens",
                   opens, "--closes", closes, "--audience", "schulte")
        notes = [s["plan_note"] for s in show["steps"] if s.get("plan_note")]
        self.assertTrue(any("erste Vorlagenfrist" in n for n in notes), notes)
        internal = ["Schlusstag fest eingetragen", "früheste Vorlagenfrist",
                    "Rückmeldefenster dauert"] + notes
        for name in TEMPLATES:
            md = self.render(name, "--process", "ik").stdout
            for bad in internal:
                self.assertNotIn(bad, md, name)
            text = re.sub(r"\|[^\n]*\|", "", md)     # tables hold only dates we wrote
            self.assertNotRegex(text, r"\b\d{4}-\d{2}-\d{2}\b", name)
        ics = self.d.ctl("export", "--process", "ik").stdout.replace("\n ", "")
        descriptions = [l for l in ics.splitlines() if l.startswith("DESCRIPTION")]
        self.assertTrue(descriptions)
        for line in descriptions:
            for bad in internal:
                self.assertNotIn(bad.replace(",", "\\,").replace(";", "\\;"), line)
            self.assertNotRegex(line, r"\b\d{4}-\d{2}-\d{2}\b", line)

    def test_admin_template_overrides_and_errors(self):
        self.plan()
        with open(os.path.join(self.tpl, "pressemitteilung.md"), "w", encoding="utf-8") as f:
            f.write("# Eigene Mitteilung\n\n{{body.name}}: {{process.name}}\n")
        listed = {t["name"]: t for t in self.d.json("draft", "list")}
        self.assertEqual(listed["pressemitteilung"]["origin"], "admin")
        self.assertEqual(listed["beschlussvorlage"]["origin"], "shipped")
        md = self.render("pressemitteilung", "--process", "ik").stdout
        self.assertIn("Eigene Mitteilung", md)
        self.assertIn("Integrationskonzept Musterland 2028", md)

        # A broken admin template: NAME:LINE: message, exit 1, no file.
        with open(os.path.join(self.tpl, "kaputt.md"), "w", encoding="utf-8") as f:
            f.write("# Kaputt\n\n{{#process.steps}}\n{{title}}\n")
        for fmt in ("md", "odt"):
            out = os.path.join(self.out, "kaputt." + fmt)
            r = self.render("kaputt", "--process", "ik", "--format", fmt, "-o", out, check=False)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertRegex(r.stderr, r"kaputt:3: .*never closed")
            self.assertFalse(os.path.exists(out))
        with open(os.path.join(self.tpl, "tippfehler.md"), "w", encoding="utf-8") as f:
            f.write("Hallo\n{{process.targt}}\n")
        r = self.render("tippfehler", "--process", "ik", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('tippfehler:2: unknown variable "process.targt"', r.stderr)
        self.assertEqual(r.stdout, "")

    def test_missing_data_is_said_plainly(self):
        self.load_example()
        self.d.ctl("process", "add", "neu", "--name", "Neues Konzept")
        for name in TEMPLATES:
            r = self.render(name, "--process", "neu")
            self.assertNotIn("{{", r.stdout)
        self.assertIn("Noch keine Zielsitzung festgelegt",
                      self.render("konzept-gliederung", "--process", "neu").stdout)
        self.assertIn("noch keine Vorlage angelegt",
                      self.render("beschlussvorlage", "--process", "neu").stdout)
        self.assertIn("noch kein Workshop",
                      self.render("einladung-workshop", "--process", "neu").stdout)
        # A template that needs the target session names what is missing.
        with open(os.path.join(self.tpl, "termin.md"), "w", encoding="utf-8") as f:
            f.write("Beschluss am {{process.target_session.date_de}}\n")
        out = os.path.join(self.out, "termin.md")
        r = self.render("termin", "--process", "neu", "-o", out, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("termin:1:", r.stderr)
        self.assertIn("target_session", r.stderr)
        self.assertFalse(os.path.exists(out))
        # An explicit submission of the example is drafted with its session.
        sub = self.d.json("submission", "list")[0]
        md = self.render("verwaltungsvorlage", "--process", "neu", "--submission",
                         str(sub["id"])).stdout
        self.assertIn("V/IA/001", md.replace("\\", ""))
        self.assertIn(long_de(sub["deadline"]), md)

    def test_usage_errors(self):
        self.load_example()
        self.d.ctl("process", "add", "ik", "--name", "Konzept")
        r = self.render("beschlussvorlage", "--process", "ik", "--format", "odt", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("-o FILE", r.stderr)
        self.assertEqual(r.stdout, "")
        r = self.render("beschlussvorlage", "--process", "ik", "--format", "pdf", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("odt", r.stderr)
        for bad in ("../etc/passwd", "Beschluss", "x.md", "/tmp/x"):
            r = self.render(bad, "--process", "ik", check=False)
            self.assertEqual(r.returncode, 1, bad)
            self.assertIn("not a template name", r.stderr)
        r = self.render("gibtsnicht", "--process", "ik", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('no template "gibtsnicht"', r.stderr)
        r = self.render("beschlussvorlage", "--process", "fehlt", check=False)
        self.assertEqual(r.returncode, 1)
        r = self.render("beschlussvorlage", check=False)
        self.assertEqual(r.returncode, 2)
        help_text = self.d.ctl("draft", "render", "--help").stdout
        self.assertIn("odt", help_text)
        self.assertIn("-o FILE", help_text)


if __name__ == "__main__":
    ikondtest.main()
