"""A test-wise learner and a keyboard user on a 360 px phone (Chromium, the web package): what the
questions give away, what a double click costs, what still works after Exit.

Found by playing the JMDI course that way: a multiple-response question's first try named every
wrong option ticked (tick all, read, untick those: right at the second try); a double click on
"Check answer" used both tries on one answer and revealed the key; the options were shown as
written (the first one right in 24 of 25 multiple-response questions); after Exit the contents
still navigated and "Check answer" silently did nothing; the course title, shown above Contents,
was focused after it; Move up on the first item of an ordering question did nothing and said
nothing. (The home page scrolling sideways at 200 % text: test_wcag22_browser.py.)

One build of the minimal course (each option of intro-01's multiple-response question with its
own feedback) and one walk through it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jmdi_scorm.build import BuildOptions, build
from tests.conftest import MINIMAL
from tests.runtime.test_web_browser import wait_page

#: Each option of intro-01 q2 ("Which are even numbers?": 2 and 4 are) with its own feedback.
OPTION_FEEDBACK = {"2": "Two halves to one.", "3": "Three leaves one over.", "4": "Four halves to two."}
Q2 = "#q-intro-01-q2"
ORDER = "#q-practice-01-q2"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("test-wise")
    course = folder / "course"
    shutil.copytree(MINIMAL, course, ignore=shutil.ignore_patterns(".jmdi-cache"))
    topic = course / "modules" / "intro" / "intro-01.md"
    text = topic.read_text(encoding="utf-8")
    for option, feedback in OPTION_FEEDBACK.items():
        line = f'      - text: "{option}"\n'
        assert line in text
        text = text.replace(line, f"{line}        feedback: {feedback}\n", 1)
    topic.write_text(text, encoding="utf-8")
    build(course, BuildOptions(formats=("web",), out=folder / "dist", pdf=False))
    return folder / "dist" / "mini-course-web"


def labels(page, form: str) -> list[str]:
    return page.eval_on_selector_all(f"{form} .jmdi-choices label", "ls => ls.map(l => l.textContent.trim())")


def tick(page, form: str, texts: set[str]) -> None:
    """Ticks the options whose text is in ``texts``, by their text (not their place or value)."""
    for label in page.query_selector_all(f"{form} .jmdi-choices label"):
        box = page.query_selector(f"#{label.get_attribute('for')}")
        box.set_checked(label.text_content().strip() in texts)


def check(page, form: str, expected: str, *, double: bool = False) -> str:
    """Presses "Check answer" (twice in a row with ``double``) and waits for ``expected``."""
    button = f"{form} button[type=submit]"
    page.dblclick(button) if double else page.click(button)
    page.wait_for_function(
        "([f, t]) => document.querySelector(f + ' .jmdi-feedback').textContent.includes(t)", arg=[form, expected]
    )
    return page.text_content(f"{form} .jmdi-feedback") or ""


def answer_of(page, key: str) -> str:
    """The answer the state keeps for ``key``: tries, y/n, response (``1nab``)."""
    page_id, qid = key.rsplit(".", 1)
    entry = next(
        e
        for e in page.evaluate("() => JMDI.snapshot().stateText").split("~")[2].split(",")
        if e.startswith(page_id + "*")
    )
    return next(part[len(qid) + 1 :] for part in entry.split("!")[1:] if part.startswith(qid + "."))


def ends(page) -> list[tuple[str, str | None, str | None]]:
    """Each ordering item with the aria-disabled of its Move up and Move down buttons."""
    rows = page.eval_on_selector_all(
        f"{ORDER} .jmdi-order li",
        "ls => ls.map(l => [l.dataset.item, l.querySelector('[data-move=\"-1\"]').getAttribute('aria-disabled'),"
        " l.querySelector('[data-move=\"1\"]').getAttribute('aria-disabled')])",
    )
    return [tuple(row) for row in rows]


def test_a_test_wise_learner_on_a_phone(browser, site: Path) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site.as_uri() + "/index.html#/home")
    wait_page(page, "home")

    # The header's focus order is its reading order: the title (its own line), Contents, Exit.
    focused = []
    for _ in range(4):
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate("() => document.activeElement.className || document.activeElement.parentNode.className")
        )
    assert focused == ["jmdi-skip", "jmdi-course-title", "jmdi-btn jmdi-menu", "jmdi-btn jmdi-exit"]

    page.evaluate("() => { location.hash = '#/intro-01'; }")
    wait_page(page, "intro-01")
    shown = labels(page, Q2)
    assert sorted(shown) == ["2", "3", "4"] and shown != ["2", "3", "4"]  # shuffled

    # Every box ticked: not right yet, and no word on which option is wrong.
    tick(page, Q2, {"2", "3", "4"})
    first = check(page, Q2, "Tries left: 1")
    assert "Try again" in first and not [f for f in OPTION_FEEDBACK.values() if f in first]
    assert answer_of(page, "intro-01.q2") == "1nabc"

    # The same answer twice in a row (a double click) costs no try.
    again = check(page, Q2, "already checked", double=True)
    assert "Tries left: 1" in again and not [f for f in OPTION_FEEDBACK.values() if f in again]
    assert answer_of(page, "intro-01.q2") == "1nabc" and not page.is_disabled(f"{Q2} fieldset")

    # Final (wrong): the feedback of the option chosen comes with the verdict. The state keeps its
    # identifier as written ("3" is b), not its place on the page.
    tick(page, Q2, {"3"})
    last = check(page, Q2, "Incorrect")
    assert OPTION_FEEDBACK["3"] in last and OPTION_FEEDBACK["2"] not in last and "The right answer" in last
    assert answer_of(page, "intro-01.q2") == "2nb"

    page.reload()
    wait_page(page, "intro-01")
    assert labels(page, Q2) == shown  # the same order after a relaunch

    # Ordering: the ends' buttons say they cannot move; the focus stays with the moved item.
    page.evaluate("() => { location.hash = '#/practice-01'; }")
    wait_page(page, "practice-01")
    before = ends(page)
    assert [(up, down) for _, up, down in before] == [
        ("true", "false"),
        ("false", "false"),
        ("false", "false"),
        ("false", "true"),
    ]
    second = before[1][0]
    page.focus(f"{ORDER} li[data-item='{second}'] [data-move='-1']")
    page.keyboard.press("Enter")
    after = ends(page)
    assert after[0] == (second, "true", "false") and after[1] == (before[0][0], "false", "false")
    assert page.evaluate(
        "s => document.activeElement === document.querySelector(s)",
        f"{ORDER} li[data-item='{second}'] [data-move='-1']",
    )
    page.keyboard.press("Enter")  # already first: nothing moves
    assert ends(page) == after

    # Exit: the notice, and no way left to a page whose questions would check nothing.
    page.click(".jmdi-exit")
    page.wait_for_function("() => document.querySelector('#jmdi-page h1').textContent.includes('left the course')")
    assert (
        page.evaluate(
            "() => ['#jmdi-toc', '.jmdi-menu', '#jmdi-prev', '#jmdi-next', '.jmdi-exit'].map(s => document.querySelector(s).hidden)"
        )
        == [True] * 5
    )
    assert page.get_attribute(".jmdi-course-title a", "href") is None
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.evaluate(
        "() => new Promise(done => { addEventListener('hashchange', () => setTimeout(done, 300), { once: true }); location.hash = '#/intro-02'; })"
    )
    assert page.get_attribute("#jmdi-page", "data-page") == "" and "left the course" in page.text_content(
        "#jmdi-page h1"
    )
    assert not [url for url in requests if "intro-02" in url] and not page.query_selector("form.jmdi-q")
    assert errors == []
    context.close()
