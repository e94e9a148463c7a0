"""The timeline of a process: the picture, the drafts that embed it and the
web page of every feed.

A realistic process, fixed in time with libfaketime so that dates and
pictures do not depend on the day the suite runs: a Landkreis in Lower
Saxony plans its Integrationskonzept on Monday 04.01.2027 (Integrationsbeirat,
Fachausschuss, Kreisausschuss, Kreistag; a summer break), steps 1 to 5 are
done, the workshops and the drafting are in progress, and on Wednesday
16.06.2027 the workshops are overdue and the Integrationsbeirat has moved
its session a week earlier, so the adoption step would move.

- "process show --svg FILE" writes an SVG that python3's XML parser reads,
  with every step's title, today, the late and the moving step and the
  sessions with their Vorlagenfristen.
- The Verwaltungsvorlage and the Beschlussvorlage place it as their
  Zeitplan figure: inline in HTML; in the ODT an SVG picture that
  LibreOffice converts to PDF, where the page that holds the Zeitplan
  draws it (its text, and its fills in the colours of the picture, read
  back with pdftotext and pdftocairo -svg).
- The web page of the process's feed (its address with ".html") opens in
  headless Chromium at 1280 and 390 pixels; the screenshots are kept in
  the build directory (named in the output), and the DOM Chromium built
  holds the next deadline, the adopting session, the timeline with its
  text alternative, and a title with markup as text.  The page is served
  with the .ics address's rules: ETag and 304, gzip, 404, and a
  Content-Security-Policy without script.
"""

import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ikondtest  # noqa: E402
from faultlib import Daemon, find_faketime  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"
MARKUP = "Workshop <b>Sprache & Kita</b> <script>alert(1)</script>"
BUILD = os.environ.get("IKOND_BUILD", ".")
CONFIG = ('body = { name = "Landkreis Musterland"; land = "NI"; '
          'breaks = ( { name = "Sommerpause"; from = "2027-07-05"; to = "2027-08-13"; } ); };\n')
COMMITTEES = (("beirat", "Integrationsbeirat", "integrationsbeirat"),
              ("ia", "Ausschuss für Integration und Teilhabe", "fachausschuss"),
              ("ka", "Kreisausschuss", "kreisausschuss"),
              ("kt", "Kreistag", "kreistag"))
SESSIONS = (("ia", "2027-03-16 17:00"), ("beirat", "2027-11-10 16:00"), ("ia", "2027-11-16 17:00"),
            ("ka", "2027-11-29 14:00"), ("kt", "2027-12-09 18:00"))


class Scenario(unittest.TestCase):
    """One daemon for all tests, its clock set by a file (libfaketime)."""

    @classmethod
    def setUpClass(cls):
        if find_faketime() is None:
            raise AssertionError("libfaketimeMT.so.1 is not installed: apt-get install libfaketime")
        cls.tmp = tempfile.mkdtemp(prefix="ikond-timeline-")
        cls.clock = os.path.join(cls.tmp, "faketime")
        cls.set_clock("2027-01-04 09:00:00")
        cls.d = Daemon(CONFIG)
        cls.d.env = {
            "LD_PRELOAD": find_faketime(),
            "FAKETIME_TIMESTAMP_FILE": cls.clock,
            "FAKETIME_NO_CACHE": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0",
        }
        cls.d.start()
        try:
            cls.build()
        except BaseException:
            cls.d.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def set_clock(cls, when):
        with open(cls.clock + ".new", "w") as f:
            f.write("@%s\n" % when)
        os.replace(cls.clock + ".new", cls.clock)

    @classmethod
    def build(cls):
        ctl = cls.d.ctl
        for slug, name, kind in COMMITTEES:
            ctl("committee", "add", slug, "--name", name, "--kind", kind)
        cls.sessions = {}
        for slug, start in SESSIONS:
            cls.sessions[(slug, start[:10])] = cls.d.json("session", "add", "--committee", slug,
                                                          "--start", start)["id"]
        ctl("actor", "add", "bb", "--name", "Bildungsbüro Musterland", "--email",
            "bb@example.org", "--role", "Koordination")
        ctl("process", "add", "ik", "--name", "Integrationskonzept Landkreis Musterland 2027",
            "--target-session", str(cls.sessions[("kt", "2027-12-09")]), "--owner", "bb")
        ctl("process", "plan", "ik", "--apply")
        for n in range(1, 6):
            ctl("process", "step", "ik", str(n), "--state", "done")
        ctl("process", "step", "ik", "6", "--state", "in_progress")
        ctl("process", "step", "ik", "7", "--state", "in_progress")
        cls.d.ctl("event", "add", "--process", "ik", "--title", MARKUP, "--start",
                  "2027-06-23 17:00", "--end", "19:00", "--step", "6")
        cls.set_clock("2027-06-16 09:00:00")
        ctl("session", "edit", str(cls.sessions[("beirat", "2027-11-10")]), "--start",
            "2027-11-03 16:00")
        cls.process = cls.d.json("process", "show", "ik")


class TestPicture(Scenario):
    def test_svg_file(self):
        path = os.path.join(self.tmp, "zeitplan.svg")
        r = self.d.ctl("process", "show", "ik", "--svg", path)
        self.assertEqual(r.stdout, "")
        root = ET.parse(path).getroot()     # well-formed, or this raises
        self.assertEqual(root.tag, SVG + "svg")
        self.assertEqual(root.get("role"), "img")
        self.assertEqual(root.get("aria-labelledby"), "zeitplan-title zeitplan-desc")
        self.assertEqual(root.find(SVG + "title").text,
                         "Zeitplan: Integrationskonzept Landkreis Musterland 2027")
        desc = root.find(SVG + "desc").text
        texts = [t.text for t in root.iter(SVG + "text")]
        words = " ".join(texts)
        for step in self.process["steps"]:
            self.assertIn(step["title"], words)
            self.assertIn(step["title"], desc)
        for want in ("heute", "Stand: Mittwoch, 16.06.2027",
                     "05.04.\u201316.05.2027 · in Arbeit · überfällig",
                     "verschiebt sich: neu 13.10.\u201309.12.2027",
                     "Kreistag (Beschluss)", "Do 09.12.2027 · Vorlagenfrist 18.11.2027",
                     "Mi 03.11.2027 · Vorlagenfrist 13.10.2027 · verlegt",
                     "Ausschuss für Integration und Teilhabe (Startbeschluss)",
                     "30.08.\u201327.09.2027", "sitzungsfrei: Sommerpause 05.07.\u201313.08.2027",
                     "Juni", "2028"):
            self.assertIn(want, texts)
        with open(path, encoding="utf-8") as f:
            self.assertTrue(f.read().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg '))

        # --svg=FILE too; without a file it is a usage error.
        other = os.path.join(self.tmp, "other.svg")
        self.d.ctl("process", "show", "ik", "--svg=" + other)
        with open(path, "rb") as a, open(other, "rb") as b:
            self.assertEqual(a.read(), b.read())
        r = self.d.ctl("process", "show", "ik", "--svg", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--svg needs a FILE", r.stderr)

    def test_nothing_to_draw(self):
        self.d.ctl("process", "add", "leer", "--name", "Noch ungeplant")
        path = os.path.join(self.tmp, "leer.svg")
        r = self.d.ctl("process", "show", "leer", "--svg", path, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no dated steps", r.stderr)
        self.assertFalse(os.path.exists(path))
        self.d.ctl("process", "remove", "leer")


# The colours of the picture as poppler's SVG output writes fills:
# Okabe-Ito blue (done) and vermillion (overdue).
BLUE = "fill:rgb(0%,44.7"
VERMILLION = "fill:rgb(83.5"


class TestDrafts(Scenario):
    def render(self, name, fmt):
        path = os.path.join(self.tmp, "%s.%s" % (name, fmt))
        self.d.ctl("draft", "render", name, "--process", "ik", "--format", fmt, "-o", path)
        return path

    def pdf(self, odt):
        lo = ikondtest.require("libreoffice", "libreoffice-writer-nogui")
        profile = tempfile.mkdtemp(prefix="lo-", dir=self.tmp)
        r = subprocess.run([lo, "-env:UserInstallation=file://" + profile, "--headless",
                            "--norestore", "--convert-to", "pdf", "--outdir", self.tmp, odt],
                           capture_output=True, text=True, timeout=600,
                           env=dict(os.environ, HOME=profile))
        pdf = odt[:-4] + ".pdf"
        self.assertTrue(os.path.exists(pdf), r.stdout + r.stderr)
        return pdf

    def page_text(self, pdf, page):
        r = subprocess.run([ikondtest.require("pdftotext", "poppler-utils"), "-f", str(page),
                            "-l", str(page), "-enc", "UTF-8", pdf, "-"],
                           capture_output=True, text=True, check=True)
        return re.sub(r"\s+", " ", r.stdout)

    def page_drawing(self, pdf, page):
        out = os.path.join(self.tmp, "page.svg")
        subprocess.run([ikondtest.require("pdftocairo", "poppler-utils"), "-svg", "-f",
                        str(page), "-l", str(page), pdf, out], check=True)
        with open(out, encoding="utf-8") as f:
            return f.read()

    def figure_page(self, pdf, heading):
        """The page that holds the picture (and the heading above it, if given)."""
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True)
        pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
        for page in range(1, pages + 1):
            text = self.page_text(pdf, page)
            if "Stand: Mittwoch, 16.06.2027" in text:
                if heading is not None:
                    self.assertIn(heading, text)
                return page, text
        self.fail("no page of %s shows the timeline" % pdf)

    def test_odt_figure_in_pdf(self):
        for name, heading in (("verwaltungsvorlage", "3. Zeitplan"), ("beschlussvorlage", None)):
            with self.subTest(draft=name):
                pdf = self.pdf(self.render(name, "odt"))
                page, text = self.figure_page(pdf, heading)
                for want in ("Zeitplan: Integrationskonzept Landkreis Musterland 2027",
                             "Kreistag (Beschluss)", "Vorlagenfrist 18.11.2027",
                             "in Arbeit · überfällig", "verschiebt sich: neu",
                             "Zeitplan: die Schritte des Verfahrens, die Sitzungen der "
                             "Beratungsfolge und ihre Vorlagenfristen"):
                    self.assertIn(want, text)
                # Drawn, not written: the bars are fills in the picture's colours.
                drawing = self.page_drawing(pdf, page)
                self.assertIn(BLUE, drawing)
                self.assertIn(VERMILLION, drawing)

    def test_html_figure_inline(self):
        with open(self.render("verwaltungsvorlage", "html"), encoding="utf-8") as f:
            page = f.read()
        self.assertEqual(page.count("<svg "), 1)
        self.assertIn('<figure>\n<svg xmlns="http://www.w3.org/2000/svg"', page)
        self.assertIn('aria-labelledby="zeitplan-title zeitplan-desc"', page)
        self.assertIn("<figcaption>Zeitplan: die Schritte des Verfahrens", page)
        self.assertLess(page.index("<h3>3. Zeitplan</h3>"), page.index("<figure>"))
        with open(self.render("verwaltungsvorlage", "md"), encoding="utf-8") as f:
            self.assertIn("](figure:timeline)", f.read())


def curl(url, *args):
    """(status, headers with lower-case names, body bytes)."""
    r = subprocess.run([ikondtest.require("curl", "curl"), "-s", "-D", "-", "--max-time", "10",
                        *args, url], capture_output=True, check=True)
    head, _, body = r.stdout.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return int(lines[0].split()[1]), headers, body


class TestPage(Scenario):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.feed = cls.d.json("feed", "add", "--process", "ik")
        cls.page = cls.feed["page"]

    def chromium(self, *args):
        browser = ikondtest.require("chromium", "chromium")
        profile = tempfile.mkdtemp(prefix="chromium-", dir=self.tmp)
        r = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                            "--disable-quic", "--no-first-run", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                            "--user-data-dir=" + profile, *args],
                           capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, HOME=profile))
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        return r.stdout

    def test_page_in_chromium(self):
        self.assertTrue(self.page.endswith(".html"))
        self.assertEqual(self.page[:-5], self.feed["url"][:-4])
        outdir = os.path.join(os.path.abspath(BUILD), "artifacts", "timeline")
        os.makedirs(outdir, exist_ok=True)
        for width in (1280, 390):
            with self.subTest(width=width):
                shot = os.path.join(outdir, "feed-page-%d.png" % width)
                if os.path.exists(shot):
                    os.unlink(shot)
                dom = self.chromium("--window-size=%d,900" % width, "--dump-dom", self.page)
                self.chromium("--window-size=%d,%d" % (width, 2600 if width > 400 else 5200),
                              "--screenshot=" + shot, self.page)
                self.assertTrue(os.path.getsize(shot) > 10000)
                print("screenshot: " + shot, file=sys.stderr)
                self.check_dom(dom)

    def check_dom(self, dom):
        self.assertIn('<html lang="de">', dom)
        self.assertIn("<main id=\"inhalt\">", dom)
        # The heading is the concept's name, said once.
        self.assertIn("<h1>Integrationskonzept Landkreis Musterland 2027</h1>", dom)
        # The next deadline: the Vorlagenfrist of the moved Beirat session.
        glance = dom[dom.index('<dl class="glance">'):dom.index("</dl>")]
        self.assertIn("Nächste Frist", glance)
        self.assertIn("Mittwoch, 13.10.2027</time></strong>: Vorlagenfrist für die Sitzung "
                      "Integrationsbeirat", glance)
        # The adopting session.
        self.assertIn("Beschluss</dt>\n<dd><strong>Kreistag</strong>, <time datetime="
                      "\"2027-12-09\">Donnerstag, 09.12.2027, 18:00", glance)
        # The timeline, inline, with its text alternative; every step named.
        self.assertEqual(dom.count('<svg xmlns="http://www.w3.org/2000/svg"'), 2)
        self.assertIn('aria-labelledby="zeitplan-breit-title zeitplan-breit-desc"', dom)
        self.assertIn("Der Zeitplan in Worten", dom)
        for step in self.process["steps"]:
            self.assertIn(step["title"].replace("&", "&amp;"), dom)
        # Grouped by week, German dates, each with its explanation.
        self.assertIn("Diese Woche · Kalenderwoche 24: 14.06.\u201320.06.2027", dom)
        self.assertIn("Mittwoch, 23.06.2027, 17:00", dom)
        self.assertIn('href="webcal://127.0.0.1:%d/feeds/%s.ics"'
                      % (self.d.http_port, self.feed["token"]), dom)
        # Markup in a title is text: no element made of it, no script run.
        self.assertIn("Workshop &lt;b&gt;Sprache &amp; Kita&lt;/b&gt; "
                      "&lt;script&gt;alert(1)&lt;/script&gt;", dom)
        self.assertNotIn("<b>Sprache", dom)
        self.assertNotIn("<script", dom)

    def test_deadline_explained(self):
        """A deadline in a page says how it was computed: the Vorlagenfrist of
        the process's Beschlussvorlage for the Kreistag, in its owner's page."""
        feed = self.d.json("feed", "add", "--actor", "bb")
        status, _, body = curl(feed["page"])
        self.assertEqual(status, 200)
        text = body.decode("utf-8")
        title = ("<h4>Vorlagenfrist Beschlussvorlage: Beschluss: Integrationskonzept Landkreis "
                 "Musterland 2027 (Kreistag)</h4>")
        item = text[text.index(title):]
        item = item[:item.index("</li>")]
        self.assertIn("So wurde die Frist berechnet", item)
        before = text[:text.index(title)]
        self.assertIn("Donnerstag, 18.11.2027", before[before.rindex("<li "):])
        self.assertIn("Kalenderwoche 46: 15.11.\u201321.11.2027", before)
        # No timeline but for a process.
        self.assertNotIn("<svg", text)

    def test_page_served_like_the_feed(self):
        status, headers, body = curl(self.page)
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "text/html; charset=utf-8")
        self.assertEqual(headers["content-security-policy"].split("; ")[:3],
                         ["default-src 'none'", "style-src 'unsafe-inline'", "img-src data:"])
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        text = body.decode("utf-8")
        self.assertTrue(text.startswith("<!DOCTYPE html>\n<html lang=\"de\">"))
        self.assertEqual(text.count(self.feed["token"]), 2)
        etag = headers["etag"]

        # Conditional requests answer 304 without a body.
        status, headers, body = curl(self.page, "-H", "If-None-Match: " + etag)
        self.assertEqual((status, body), (304, b""))
        self.assertEqual(headers["etag"], etag)
        status, _, _ = curl(self.page, "-H", "If-None-Match: \"other\"")
        self.assertEqual(status, 200)

        # gzip: a valid file of the same page, with an ETag of its own.
        status, headers, gz = curl(self.page, "-H", "Accept-Encoding: gzip")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-encoding"], "gzip")
        self.assertNotEqual(headers["etag"], etag)
        self.assertEqual(gzip.decompress(gz).decode("utf-8"), text)
        self.assertLess(len(gz), len(text.encode("utf-8")) // 2)
        status, _, _ = curl(self.page, "-H", "Accept-Encoding: gzip", "-H",
                            "If-None-Match: " + headers["etag"])
        self.assertEqual(status, 304)

        # A second address of the same feed shows its own token.
        other = self.d.json("feed", "add", "--process", "ik")
        _, _, body = curl(other["page"])
        self.assertEqual(body.decode("utf-8"), text.replace(self.feed["token"], other["token"]))

        # A revoked or unknown token, or a near miss of the path: the same 404.
        self.d.ctl("feed", "revoke", str(other["id"]))
        base = self.page[:self.page.index("/feeds/")]
        for url in (other["page"], base + "/feeds/" + "A" * 43 + ".html",
                    self.page[:-1], self.page + "l", self.page.replace(".html", ".HTML")):
            with self.subTest(url=url):
                status, headers, body = curl(url)
                self.assertEqual((status, body), (404, b"Not Found\n"))
                self.assertNotIn("content-security-policy", headers)


if __name__ == "__main__":
    ikondtest.main()
