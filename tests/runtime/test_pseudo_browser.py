"""Pseudo-localisation round trip (issue 17): nothing the learner reads is left out of the catalogues.

The minimal course gets a French catalogue made by ``translate update`` and pseudo-translated
(every text ⟦Áççéñtéd⟧), and the interface a pseudo French catalogue given with
``JMDI_UI_CATALOGUES`` (docs/translating.md, "Previewing an interface catalogue"). The web and
SCORM 1.2 packages are built from both and walked in Chromium: every page type, the texts the
runtime writes (feedback, tries, the ordering status, progress, results, the exit page), the
glossary popover and the figure viewer. Every visible text and every learner-facing attribute
must come from a catalogue, apart from :data:`ALLOWED`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import MINIMAL
from tests.runtime.test_scorm_runtime import HARNESS, NODE_MODULES, RIGHT, Learner, Lms
from tests.support.pseudo import pseudo_course, pseudo_interface

LANGUAGE = "fr"
WRONG = {"intro-01.q1": "b", "intro-01.q2": "ab", "intro-01.q3": "f", "intro-02.q1": "diaspora", "practice-01.q1": "ba"}
#: What no catalogue holds, and may show as it is: the fixture's credited name (a proper name),
#: web addresses and the figure viewer's "1:1" button (a symbol; its name is from the catalogue).
#: The letters that identify choices on paper (``.jmdi-print-letter``: the answer key's
#: identifiers) count as translated. Outside ⟦…⟧ a text may hold punctuation and spaces, and a
#: number alone (an answer choice ``2``, a question's number ``1.`` on paper), nothing else: a
#: letter there, or a number in a format (``0 / 2``, ``80%``), was written by the code.
BARE_NUMBER = re.compile(r"\s*\d+(?:[.,]\d+)?\.?\s*")
ALLOWED = [re.compile(r"The jmdi-scorm developers"), re.compile(r"https?://\S+"), re.compile(r"^1:1$")]

#: Every visible text, grouped by the block that holds it, and the attributes a learner meets
#: (read aloud, shown on hover or, for ``data-label``, shown by the phone layout).
COLLECT = """() => {
  const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "PROGRESS", "METER"]);
  const attrs = ["aria-label", "title", "alt", "placeholder", "aria-description", "aria-valuetext", "data-label"];
  const shown = (el) => el.checkVisibility({ visibilityProperty: true });
  const block = (el) => { while (el.parentElement && getComputedStyle(el).display.startsWith("inline")) el = el.parentElement; return el; };
  const groups = new Map(), out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.nodeType === 1 ? node : node.parentElement;
    if (!el || skip.has(el.tagName) || el.closest("script,style,noscript,template,progress,meter") || !shown(el)) continue;
    if (node.nodeType === 1) {
      for (const a of attrs) if (node.hasAttribute(a)) out.push([node.tagName + "@" + a, node.getAttribute(a)]);
      if (node.matches("input[type=submit],input[type=button]")) out.push([node.tagName + "@value", node.value]);
    } else if (node.textContent.trim()) {
      const home = block(el);
      if (!groups.has(home)) groups.set(home, [home.tagName + "." + home.className, []]);
      groups.get(home)[1].push(el.matches(".jmdi-print-letter") ? "⟦" + node.textContent + "⟧" : node.textContent);
    }
  }
  for (const [where, parts] of groups.values()) out.push([where, parts.join("")]);
  out.push(["document.title", document.title]);
  return out;
}"""


def outside(text: str) -> str:
    """The characters of ``text`` outside every ⟦…⟧ (nested pairs too)."""
    depth, kept = 0, []
    for char in text:
        if char == "⟦":
            depth += 1
        elif char == "⟧":
            depth = max(0, depth - 1)
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


def test_outside_keeps_what_no_bracket_holds() -> None:
    assert outside("⟦⟦Módúlés⟧: sçróll⟧ 0 / 2 ⟦á⟧b") == " 0 / 2 b"


def leftovers(target, label: str) -> list[str]:
    """The texts of ``target`` (a page or frame) with a letter outside the pseudo brackets."""
    found = []
    for where, text in target.evaluate(COLLECT):
        rest = text
        for allowed in ALLOWED:
            rest = allowed.sub("", rest)
        left = outside(rest)
        if re.search(r"[^\W\d_]", left) or (re.search(r"\d", left) and not BARE_NUMBER.fullmatch(left)):
            found.append(f"{label}: {where}: {text!r}")
    return found


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, Path]:
    """The web and SCORM 1.2 packages of the pseudo-translated course, unzipped, by format."""
    root = tmp_path_factory.mktemp("pseudo")
    course = root / "course"
    shutil.copytree(MINIMAL, course, ignore=shutil.ignore_patterns(".jmdi-cache", "locale"))
    pseudo_course(course, LANGUAGE)
    pseudo_interface(root / "ui", LANGUAGE)
    command = [sys.executable, "-m", "jmdi_scorm", "build", str(course), "--lang", LANGUAGE, "--no-pdf"]
    command += ["--format", "web", "--format", "scorm12", "--out", str(root / "dist")]
    env = os.environ | {"JMDI_UI_CATALOGUES": str(root / "ui")}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    folders = {}
    for fmt in ("web", "scorm12"):
        folders[fmt] = root / fmt
        zipfile.ZipFile(root / "dist" / f"mini-course-{LANGUAGE}-{fmt}.zip").extractall(folders[fmt])
    return folders


def test_the_seam_gives_the_pseudo_interface(packages) -> None:
    """The interface catalogue of ``JMDI_UI_CATALOGUES`` replaced the shipped French one."""
    shell = (packages["web"] / "index.html").read_text(encoding="utf-8")
    assert 'lang="fr"' in shell and "⟦Próg" in shell and "Progression" not in shell


class OnPage(Learner):
    """The SCORM tests' learner, answering in a page of its own instead of the LMS's frame."""

    def __init__(self, frame) -> None:
        self._frame = frame

    @property
    def frame(self):
        return self._frame


class Walk:
    """A learner on the pseudo package, gathering every text that did not come from a catalogue."""

    def __init__(self, page, frame=None) -> None:
        self.page = page
        self.target = frame or page
        self.found: list[str] = []
        self.seen: list[str] = []

    def look(self, label: str) -> None:
        self.found += leftovers(self.target, label)
        self.seen.append(label)

    def open(self, page_id: str) -> None:
        self.target.evaluate("id => { location.hash = '#/' + id; }", page_id)
        self.target.wait_for_function(
            "id => document.querySelector('#jmdi-page').getAttribute('data-page') === id", arg=page_id
        )
        self.look(page_id)


def test_every_page_of_the_web_package_shows_catalogue_texts_only(browser, serve, packages) -> None:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    base = serve(packages["web"])
    page.goto(base + "index.html")
    walk = Walk(page)
    page.wait_for_function("() => document.querySelector('#jmdi-page').getAttribute('data-page') === 'home'")
    page.wait_for_selector("#jmdi-page #home-how")  # the part below the fold comes once the page is up
    walk.look("home")
    walk.open("intro")
    walk.open("intro-01")
    learner = OnPage(page.main_frame)
    for key in ("intro-01.q1", "intro-01.q2"):
        learner.answer(key, WRONG[key])
        walk.look(f"{key} wrong")
        if key == "intro-01.q1":
            learner.answer(key, WRONG[key])  # the same answer again: no try, and a note says so
            walk.look(f"{key} the same again")
        learner.answer(key, RIGHT[key])
        walk.look(f"{key} right")
    page.click("a.jmdi-term")
    page.wait_for_selector(".jmdi-term-box, [role=dialog], dialog[open]", state="visible")
    walk.look("glossary popover")
    page.keyboard.press("Escape")
    page.click("a.jmdi-zoom")
    page.wait_for_selector("dialog.jmdi-viewer[open]")
    walk.look("figure viewer")
    page.keyboard.press("Escape")
    walk.open("intro-02")
    learner.answer("intro-02.q1", "")
    walk.look("fill-in empty")
    learner.answer("intro-02.q1", WRONG["intro-02.q1"])
    walk.look("fill-in wrong")
    walk.open("practice-01")
    page.click("form[data-key='practice-01.q2'] button[data-move='1']")
    walk.look("ordering moved")
    learner.answer("practice-01.q1", WRONG["practice-01.q1"])
    learner.answer("practice-01.q1", RIGHT["practice-01.q1"])
    walk.look("matching right")
    walk.open("practice.assessment")
    learner.answer("practice.assessment.a1", RIGHT["practice.assessment.a1"])
    walk.look("assessment answered")
    for page_id in ("glossary", "resources", "summary", "home"):
        walk.open(page_id)
    page.click("button[data-jmdi-action=exit] >> visible=true")
    page.wait_for_function("() => document.querySelector('.jmdi-exit').hidden")
    walk.look("exited")
    assert "⟦" in (page.text_content("#jmdi-page h1") or "")
    for module in ("intro", "practice"):
        page.goto(base + f"print/{module}.html")
        walk.look(f"print {module}")
    context.close()
    assert not errors
    assert walk.found == [], "\n".join(walk.found)


def test_the_scorm_12_package_in_the_test_lms_shows_catalogue_texts_only(page, serve, packages, tmp_path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / "harness").symlink_to(HARNESS)
    (root / "scorm-again").symlink_to(NODE_MODULES / "scorm-again" / "dist")
    (root / "package").symlink_to(packages["scorm12"])
    lms = Lms(page, serve(root))
    lms.launch("1.2", "../package/index.html")
    learner = OnPage(lms.sco)
    learner.wait_page("home")
    lms.sco.wait_for_selector("#jmdi-page #home-how")
    walk = Walk(page, lms.sco)
    walk.look("home")
    walk.open("intro-01")
    learner.answer("intro-01.q1", WRONG["intro-01.q1"])
    walk.look("answered wrong")
    walk.open("summary")
    learner.exit()
    walk.look("exited")
    assert "⟦" in (lms.sco.text_content("#jmdi-page h1") or "")  # the exit page is shown, in the catalogue's words
    assert not lms.errors
    assert walk.found == [], "\n".join(walk.found)
