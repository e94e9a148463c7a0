"""Renders every shipped draft template from tests/data/draft-example.json
to md, html and odt, converts each ODT to PDF with LibreOffice and checks
with pdftotext that the dates, deadlines and names the draft is about are
really in the document, and that every page carries the letterhead and
"Seite X von Y".  Also checks that hostile values stay literal text
end to end and that missing data is reported, not rendered as a hole.

usage: test_drafts.py RENDER_DRIVER
"""
import copy
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("IKOND_SRC") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATES = os.path.join(SRC, "templates")
EXAMPLE = os.path.join(SRC, "tests", "data", "draft-example.json")

# What each draft must show: the session or event date, the deadline, and
# the person responsible.
EXPECT = {
    "verwaltungsvorlage": ["Dienstag, 16. März 2027", "Dienstag, 16. Februar 2027",
                           "Dr. Anna Beispiel", "Donnerstag, 22. April 2027",
                           "Kreisausschuss", "18.000,00 €", "Beratungsfolge"],
    "beschlussvorlage": ["Dienstag, 16. März 2027", "Dienstag, 16. Februar 2027",
                         "Dr. Anna Beispiel", "41.300,00 €", "Beschlussvorschlag"],
    "einladung-workshop": ["Mittwoch, 19. Mai 2027", "Mittwoch, 5. Mai 2027",
                           "Dr. Anna Beispiel", "Petra Vorbild"],
    "feedback-anfrage": ["Mittwoch, 1. September 2027",
                         "Donnerstag, 30. September 2027", "Dr. Anna Beispiel"],
    "pressemitteilung": ["Donnerstag, 22. April 2027", "Dr. Anna Beispiel",
                         "41.300,00 €"],
    "evaluationsbericht": ["Dienstag, 7. März 2028", "30.10.2026",
                           "Dr. Anna Beispiel", "überfällig"],
    "konzept-gliederung": ["Donnerstag, 22. April 2027", "30.06.2028",
                           "Jonas Muster", "Leitbild", "Bestandsaufnahme",
                           "12.500,00 €"],
}

LETTERHEAD = ["Landkreis Musterland Bildungsbüro · Kreishaus, Am Markt 1, 12345 Musterstadt"]

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_BODY = "{{body.name}}"
HOSTILE_TITLE = "*x* und _y_"

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def render(driver, template, data, fmt, out):
    r = subprocess.run([driver, template, data, fmt, out],
                       capture_output=True, text=True)
    return r.returncode, r.stderr.strip()


def squash(text):
    return re.sub(r"\s+", " ", text)


def to_pdf_text(odts, workdir):
    """Converts the ODT files with LibreOffice; returns {path: text}."""
    profile = tempfile.mkdtemp(prefix="lo-profile-", dir=workdir)
    outdir = os.path.join(workdir, "pdf")
    os.makedirs(outdir, exist_ok=True)
    lo = shutil.which("libreoffice") or shutil.which("soffice")
    if lo is None:
        sys.exit("libreoffice is not installed (libreoffice-writer-nogui)")
    if shutil.which("pdftotext") is None:
        sys.exit("pdftotext is not installed (poppler-utils)")
    env = dict(os.environ, HOME=profile)
    r = subprocess.run([lo, "-env:UserInstallation=file://" + profile,
                        "--headless", "--norestore", "--convert-to", "pdf",
                        "--outdir", outdir] + odts,
                       capture_output=True, text=True, env=env, timeout=500)
    if r.returncode != 0:
        fail("libreoffice: exit %d: %s" % (r.returncode, r.stderr))
    texts = {}
    for odt in odts:
        pdf = os.path.join(outdir, os.path.basename(odt)[:-4] + ".pdf")
        if not os.path.exists(pdf):
            fail("%s: LibreOffice made no PDF" % odt)
            continue
        t = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"],
                           capture_output=True, text=True, check=True)
        texts[odt] = squash(t.stdout)
    return texts


def set_actor_name(node, slug, name):
    if isinstance(node, dict):
        if node.get("slug") == slug and "email" in node:
            node["name"] = name
        for v in node.values():
            set_actor_name(v, slug, name)
    elif isinstance(node, list):
        for v in node:
            set_actor_name(v, slug, name)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    driver = sys.argv[1]
    templates = sorted(glob.glob(os.path.join(TEMPLATES, "*.md")))
    templates = [t for t in templates if os.path.basename(t) != "README.md"]
    names = [os.path.basename(t)[:-3] for t in templates]
    for want in EXPECT:
        if want not in names:
            fail("template %s.md is missing" % want)

    with tempfile.TemporaryDirectory(prefix="ikond-drafts-") as work:
        odts = []
        for tpl, name in zip(templates, names):
            for fmt in ("md", "html", "odt"):
                out = os.path.join(work, "%s.%s" % (name, fmt))
                rc, err = render(driver, tpl, EXAMPLE, fmt, out)
                if rc != 0:
                    fail("%s.%s: %s" % (name, fmt, err))
                    continue
                with open(out, "rb") as f:
                    data = f.read()
                if fmt == "md":
                    text = data.decode()
                    if "{{" in text or "}}" in text:
                        fail("%s.md: a tag survived rendering" % name)
                    for s in EXPECT.get(name, []):
                        if s not in squash(text):
                            fail("%s.md lacks %r" % (name, s))
                elif fmt == "html":
                    text = data.decode()
                    if not text.startswith("<!DOCTYPE html>") or \
                            '<meta charset="utf-8">' not in text:
                        fail("%s.html is not a complete page" % name)
                else:
                    if data[30:38] != b"mimetype":
                        fail("%s.odt: mimetype is not the first entry" % name)
                    odts.append(out)

        # Hostile values: an actor named like a script tag, a body named
        # like a tag, a measure title full of Markdown.
        hostile = json.load(open(EXAMPLE, encoding="utf-8"))
        set_actor_name(hostile, "anna-beispiel", HOSTILE_NAME)
        hostile["body"]["name"] = HOSTILE_BODY
        hostile["process"]["measures"][0]["title"] = HOSTILE_TITLE
        hpath = os.path.join(work, "hostile.json")
        json.dump(hostile, open(hpath, "w", encoding="utf-8"),
                  ensure_ascii=False)
        for name in ("verwaltungsvorlage", "evaluationsbericht"):
            tpl = os.path.join(TEMPLATES, name + ".md")
            base = os.path.join(work, "hostile-" + name)
            for fmt in ("md", "html", "odt"):
                rc, err = render(driver, tpl, hpath, fmt, base + "." + fmt)
                if rc != 0:
                    fail("hostile %s.%s: %s" % (name, fmt, err))
            html = open(base + ".html", encoding="utf-8").read()
            if "<script>" in html:
                fail("hostile %s.html contains a live <script>" % name)
            if "&lt;script&gt;alert(1)&lt;/script&gt;" not in html:
                fail("hostile %s.html lost the escaped name" % name)
            if HOSTILE_BODY not in html:
                fail("hostile %s.html did not keep {{body.name}}" % name)
            md = open(base + ".md", encoding="utf-8").read()
            if "\\<script\\>" not in md:
                fail("hostile %s.md did not escape the name" % name)
            odts.append(base + ".odt")

        texts = to_pdf_text(odts, work)
        for odt, text in texts.items():
            name = os.path.basename(odt)[:-4]
            if name.startswith("hostile-"):
                for s in (HOSTILE_NAME, HOSTILE_BODY):
                    if s not in text:
                        fail("%s.pdf lacks literal %r" % (name, s))
                if name == "hostile-evaluationsbericht" and \
                        HOSTILE_TITLE not in text:
                    fail("%s.pdf lacks literal %r" % (name, HOSTILE_TITLE))
                continue
            for s in EXPECT.get(name, []):
                if s not in text:
                    fail("%s.pdf lacks %r" % (name, s))
            # Every page: the letterhead on top, number, date and page below.
            for s in LETTERHEAD:
                if s not in text:
                    fail("%s.pdf lacks the letterhead %r" % (name, s))
            if not re.search(r"Seite 1 von [1-9]", text):
                fail("%s.pdf lacks \"Seite 1 von N\" in its footer" % name)
            if name in ("verwaltungsvorlage", "beschlussvorlage") and \
                    "Vorlage Nr. V/2027/0042 · Stand: 27.11.2026" not in text:
                fail("%s.pdf lacks the Vorlage number and date in its footer" % name)

        # Missing data is said plainly, in German, instead of a hole.
        sparse = json.load(open(EXAMPLE, encoding="utf-8"))
        sparse["process"]["target_session"] = None
        sparse["submission"] = None
        spath = os.path.join(work, "sparse.json")
        json.dump(sparse, open(spath, "w", encoding="utf-8"))
        for name, want in (("konzept-gliederung",
                            "Noch keine Zielsitzung festgelegt."),
                           ("verwaltungsvorlage",
                            "ist noch keine Vorlage angelegt")):
            out = os.path.join(work, "sparse-%s.md" % name)
            rc, err = render(driver, os.path.join(TEMPLATES, name + ".md"),
                             spath, "md", out)
            if rc != 0:
                fail("sparse %s: %s" % (name, err))
            elif want not in open(out, encoding="utf-8").read():
                fail("sparse %s lacks %r" % (name, want))

        # A typo in a template is an error that names template and line.
        typo = os.path.join(work, "kaputt.md")
        with open(typo, "w", encoding="utf-8") as f:
            f.write("# Titel\n\nSitzung: {{process.targt}}\n")
        rc, err = render(driver, typo, EXAMPLE, "md",
                         os.path.join(work, "kaputt.out"))
        if rc == 0 or 'kaputt:3: unknown variable "process.targt"' not in err:
            fail("typo not reported as expected: rc=%d %r" % (rc, err))

    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("ok: %d templates in md, html and odt" % len(templates))
    return 0


if __name__ == "__main__":
    sys.exit(main())
