"""German as a Verwaltung writes it, for every kind of body: the real
ikond with the Musterland example and a planned process, configured as a
Gemeinde, a Stadt, a Samtgemeinde, a Landkreis, a Kreis (and a few more
names), renders every draft template and sends every kind of reminder mail
into its Maildir.  Each text is spell-checked with hunspell (de_DE, plus
tests/data/wording-words.txt for names and domain words) and searched for
forms known to be wrong: the body with the wrong article or its kind
doubled, ISO dates in running text, doubled subject prefixes, the concept's
name wrapped twice, the planner's internal notes.
"""

import datetime
import email
import email.policy
import glob
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ikondtest  # noqa: E402
from ikondtest import Daemon  # noqa: E402

DRAFTS = ["verwaltungsvorlage", "beschlussvorlage", "einladung-workshop", "feedback-anfrage",
          "pressemitteilung", "evaluationsbericht", "konzept-gliederung"]

# Every mail template, recognised by its subject.
MAILS = {
    "sitzung": r"^Erinnerung: (?!Zukunftswerkstatt)",
    "termin": r"^Erinnerung: Zukunftswerkstatt",
    "frist": r" – fällig am ",
    "fenster": r"^Rückmeldung erbeten bis ",
    "massnahme": r"^Maßnahme fällig am ",
    "evaluation": r"^Evaluation fällig am ",
    "verschoben": r"^Termin verschoben: ",
    "abgesagt": r"^(Abgesagt|Entfällt): ",
    "digest": r"^Ihre Termine und Fristen",
}

# (kind or None for the default, name, head title, what the text must say)
BODIES = [
    ("gemeinde", "Wardenburg", "Bürgermeisterin",
     ["die Gemeinde Wardenburg", "in der Gemeinde Wardenburg"]),
    (None, "Stadt Iserlohn", "Bürgermeister",
     ["Die Stadt Iserlohn erarbeitet", "in der Stadt Iserlohn"]),
    (None, "Samtgemeinde Harsefeld", "Samtgemeindebürgermeister",
     ["die Samtgemeinde Harsefeld", "In der Samtgemeinde Harsefeld gibt es"]),
    ("landkreis", "Musterland", "Landrätin",
     ["Der Landkreis Musterland hat", "im Landkreis Musterland", "für den Landkreis Musterland"]),
    (None, "Kreis Unna", "Landrat", ["Der Kreis Unna hat", "im Kreis Unna"]),
    ("kreis", "Rhein-Sieg-Kreis", "Landrat", ["Der Rhein-Sieg-Kreis hat", "im Rhein-Sieg-Kreis"]),
    (None, "Region Hannover", "Regionspräsident", ["Die Region Hannover hat",
                                                   "in der Region Hannover"]),
]

# Forms known to be wrong: (regular expression, what is wrong).
WRONG = [
    (r"\b([Dd]en|[Dd]em|[Dd]es|[Ii]m|vom|zum|beim) (Stadt|Gemeinde|Samtgemeinde|Region)\b",
     "a feminine body with a masculine article"),
    (r"\b(die|in der|zur) (Landkreis|Kreis|Rhein-Sieg-Kreis)\b",
     "a masculine body with a feminine article"),
    (r"\bdes (Landkreis|Kreis|Rhein-Sieg-Kreis)\b", "a genitive without -es"),
    (r"(^|[.:!?] +)(Landkreis|Kreis|Stadt|Gemeinde|Samtgemeinde|Region) [\w-]+ "
     r"(erarbeitet|hat|beschließt)\b", "the body without its article at a sentence's start"),
    (r"\b(Stadt Stadt|Kreis Kreis|Landkreis Landkreis|Region Region|Gemeinde Gemeinde|"
     r"Kreis Rhein-Sieg|Landkreis Rhein|Samtgemeinde Samtgemeinde)\b", "the kind doubled"),
    (r"\b\d{4}-\d{2}-\d{2}\b", "an ISO date in German text"),
    (r"(Abgesagt|Entfällt): (Abgesagt|Entfällt)", "a doubled subject prefix"),
    (r"Integrationskonzept „Integrationskonzept|Integrationskonzept Integrationskonzept|"
     r"Integrationskonzept: Integrationskonzept", "the concept's name wrapped twice"),
    (r"Schlusstag fest eingetragen|früheste Vorlagenfrist|Ab heute\.|Im Anschluss an Schritt|"
     r"Rückmeldefenster dauert|Rückmeldefenster öffnet am|erste Vorlagenfrist ist der|"
     r"Uhrzeit und Ort folgen|Erste Evaluation am|Nach der sitzungsfreien Zeit|"
     r"nach dem Evaluationstermin|der Plan lässt den Schritt", "an internal note of the planner"),
    (r"\{\{|\}\}", "a template tag"),
    (r"sagt [^ ,.]+/", "a title with a slash in a quote"),
    (r"Guten Tag ,|, ,|\(\)", "an empty value in a sentence"),
]

WORDS = os.path.join(ikondtest.SRC, "tests", "data", "wording-words.txt")


def known_words():
    with open(WORDS, encoding="utf-8") as f:
        return {w.strip() for w in f if w.strip() and not w.startswith("#")}


def plain(markdown):
    """Markdown as the words a reader sees: a figure's caption, not its address."""
    text = re.sub(r"(?<!\\)!\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"\\(.)", r"\1", text)
    text = re.sub(r"^\|?[-:| ]+\|?$", "", text, flags=re.M)
    return re.sub(r"[*_#|>]", " ", text)


def misspelled(text, words):
    r = subprocess.run([ikondtest.require("hunspell", "hunspell"), "-d", "de_DE", "-l"],
                       input=text, capture_output=True, text=True, check=True)
    out = set()
    for w in r.stdout.split():
        w = w.strip(".,;:!?„“\"'()–-")
        if w and w not in words and not re.fullmatch(r"[\d.,:/%€-]+", w):
            out.add(w)
    return out


class Wording(unittest.TestCase):

    def setUp(self):
        ikondtest.require("hunspell", "hunspell")
        if not os.path.exists("/usr/share/hunspell/de_DE.dic"):
            raise AssertionError("the German dictionary is not installed: apt-get install "
                                 "hunspell-de-de")
        self.words = known_words()
        self.problems = []

    def check(self, where, text):
        for rx, what in WRONG:
            for m in re.finditer(rx, text, flags=re.M):
                line = text[text.rfind("\n", 0, m.start()) + 1:text.find("\n", m.end())]
                self.problems.append("%s: %s: %r in %r" % (where, what, m.group(0), line))
        for w in sorted(misspelled(text, self.words)):
            self.problems.append("%s: hunspell does not know %r" % (where, w))

    def body(self, kind, name, head):
        today = datetime.date.today()
        cfg = ('body = { name = "%s"; %s department = "Bildungsbüro"; '
               'address = "Am Markt 1, 12345 Musterstadt"; head_name = "Anna Beispiel"; '
               'head_title = "%s"; };\n'
               'reminders = { send_time = "00:00"; non_working_days = "keep"; '
               'session = [ "P800D" ]; deadline = [ "P800D" ]; window = [ "P800D" ]; '
               'measure = [ "P900D" ]; evaluation = [ "P900D" ]; event = [ "P800D" ]; };\n'
               % (name, 'kind = "%s";' % kind if kind else "", head))
        d = Daemon(cfg).start()
        try:
            env = dict(os.environ, IKOND_SOCKET=d.socket)
            r = subprocess.run(["sh", ikondtest.EXAMPLE], capture_output=True, text=True,
                               env=env)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            d.ctl("actor", "edit", "vhs", "--reminders", "digest")
            day = today + datetime.timedelta(days=450)
            while day.weekday() != 3 or any((day - datetime.timedelta(days=k)).month in (7, 8)
                                            for k in (0, 10, 16, 22)):
                day += datetime.timedelta(days=1)
            ids = {}
            for committee, offset, hm in (("integrationsbeirat", 22, "16:00"),
                                          ("integrationsausschuss", 16, "17:00"),
                                          ("kreisausschuss", 10, "14:00"),
                                          ("kreistag", 0, "18:00")):
                ids[committee] = d.json("session", "add", "--committee", committee, "--start",
                                        "%s %s" % (day - datetime.timedelta(days=offset),
                                                   hm))["id"]
            d.ctl("process", "add", "ik", "--name", "Integrationskonzept %s 2028" %
                  name.split()[-1], "--owner", "bildungsbuero")
            d.ctl("process", "plan", "ik", "--target-session", str(ids["kreistag"]),
                  "--apply")
            d.ctl("measure", "add", "--process", "ik", "--title", "Elternlotsen an Grundschulen",
                  "--owner", "schulte", "--goal", "Eltern kennen das Schulsystem.",
                  "--budget", "12500", "--due", (today + datetime.timedelta(days=600)).isoformat())
            # An event whose time and place are still to follow.
            d.ctl("event", "add", "--process", "ik", "--title", "Zukunftswerkstatt Bildung",
                  "--start", (today + datetime.timedelta(days=120)).isoformat(), "--invite",
                  "schulte", "--invite-committee", "integrationsbeirat")
            drafts = {n: d.ctl("draft", "render", n, "--process", "ik").stdout for n in DRAFTS}
            # The first sessions were reminded of: move one, cancel another.
            sessions = d.json("session", "list", "--committee", "integrationsausschuss")
            new = os.path.join(d.state, "Maildir", "new")
            ikondtest_wait(lambda: len(glob.glob(new + "/*")) > 20, "the first reminders")
            d.ctl("session", "edit", str(sessions[0]["id"]), "--start",
                  "%s 17:00" % (today + datetime.timedelta(days=3)))
            d.ctl("session", "cancel", str(sessions[1]["id"]))
            mails = {}

            def collect():
                for path in glob.glob(new + "/*"):
                    with open(path, "rb") as f:
                        m = email.message_from_binary_file(f, policy=email.policy.default)
                    for kind, rx in MAILS.items():
                        if re.search(rx, m["Subject"]):
                            mails.setdefault(kind, m)
                return len(mails) == len(MAILS)
            ikondtest_wait(collect, "a mail of every template", timeout=60)
            return drafts, mails
        finally:
            d.cleanup()

    def test_every_body_kind(self):
        for kind, name, head, wants in BODIES:
            with self.subTest(body=name):
                drafts, mails = self.body(kind, name, head)
                for n, md in drafts.items():
                    self.check("%s %s" % (name, n), plain(md))
                everything = " ".join(re.sub(r"\s+", " ", plain(md)) for md in drafts.values())
                for want in wants:
                    self.assertIn(want, everything, name)
                self.assertIn("sagt %s Anna Beispiel" % head, everything, name)
                for kind_, m in sorted(mails.items()):
                    self.check("%s mail %s" % (name, kind_),
                               m["Subject"] + "\n\n" + m.get_body(("plain",)).get_content())
        self.assertEqual(self.problems, [], "\n".join(self.problems))


def ikondtest_wait(pred, what, timeout=30):
    deadline = time.time() + timeout * ikondtest.SLOWDOWN
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


if __name__ == "__main__":
    ikondtest.main()
