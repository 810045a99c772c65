"""How the knowledge checks look on a phone, left to right and right to left (jmdi-questions.css).

A question the learner has finished keeps the learner's answer visible. Once a question is answered right, or its tries are used up, its fieldset is disabled. Browsers
paint a disabled, checked box or radio light grey (Chromium: #d1d1d1 on white, about 1.5:1), so
without a mark of our own the learner could hardly tell which options they had chosen. Measured
on the pixels Chromium draws.

An item of an ordering question keeps its two move buttons beside its text, side by side, however
long the text: they used to wrap under it, or apart (one on the text's line, one under it).

A matching item shows the whole answer the learner chose for it, wrapped, once chosen and once
locked: a select cannot wrap, so on a phone it showed only the start of a long answer, and a
locked (disabled) one cannot even be opened to read the rest.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import MINIMAL
from tests.runtime.test_web_browser import build_web, wait_page

#: WCAG 2.2 1.4.11: what identifies a control's state needs 3:1 against what is next to it.
NON_TEXT_CONTRAST = 3.0
#: How far around the control to look, in CSS px (a ring drawn outside it counts).
MARGIN = 5


#: An item as long as the JMDI course's ("Formulation and prioritization"), which wrapped.
LONG_ITEM = "Formulation and prioritization of the actions"


#: An answer to match as long as the JMDI course's longest (module 2, topic 1), in each language.
LONG_ANSWER = {
    "en": "A formal channel for cities and regions into the state-led Global Forum on Migration and Development",
    "ar": "قناة رسمية للمدن والأقاليم إلى المنتدى العالمي المعني بالهجرة والتنمية الذي تقوده الدول",
}


def _build(folder: Path, language: str) -> Path:
    """The minimal course's web package, written in ``language``, one ordering item and one
    answer to match ("Kathmandu") made long."""
    course = folder / "course"
    shutil.copytree(MINIMAL, course)
    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("language: en", f"language: {language}"), "utf-8")
    topic = course / "modules" / "practice" / "practice-01.md"
    text = topic.read_text(encoding="utf-8").replace("Departure", LONG_ITEM)
    topic.write_text(text.replace("right: Kathmandu", f"right: {LONG_ANSWER[language]}"), encoding="utf-8")
    return build_web(course, folder / "dist")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict[str, Path]:
    """The web package, in English and in Arabic (right to left)."""
    return {language: _build(tmp_path_factory.mktemp(language), language) for language in ("en", "ar")}


def _phone(browser):
    return browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _strongest_contrast(page, selector: str) -> float:
    """The highest contrast between any pixel drawn in and around ``selector`` and the page."""
    page.locator(selector).scroll_into_view_if_needed()
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    clip = {
        "x": box["x"] - MARGIN,
        "y": box["y"] - MARGIN,
        "width": box["width"] + 2 * MARGIN,
        "height": box["height"] + 2 * MARGIN,
    }
    image = Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("RGB")
    colours = image.getcolors(image.width * image.height) or []
    return max(_contrast(colour, (255, 255, 255)) for _, colour in colours)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_locked_question_shows_the_chosen_options(browser, site, language: str) -> None:
    folder = site[language]
    context = _phone(browser)
    try:
        page = context.new_page()
        page.goto(folder.as_uri() + "/index.html#/intro-01")
        wait_page(page, "intro-01")
        page.check("#q-intro-01-q1-a")  # right: locked at once
        page.click("#q-intro-01-q1 button[type=submit]")
        for box in ("b", "a"):  # wrong twice (b, then a and b): the tries are used up
            page.check(f"#q-intro-01-q2-{box}")
            page.click("#q-intro-01-q2 button[type=submit]")
        page.wait_for_function("() => document.querySelectorAll('main fieldset:disabled').length === 2")
        page.evaluate("() => document.activeElement && document.activeElement.blur()")

        for chosen in ("#q-intro-01-q1-a", "#q-intro-01-q2-b"):
            assert page.is_checked(chosen) and page.is_disabled(chosen)
            assert _strongest_contrast(page, chosen) >= NON_TEXT_CONTRAST, chosen
        # What marks the chosen ones is their state, not every locked control: an option left
        # unchosen stays as the browser paints it.
        assert _strongest_contrast(page, "#q-intro-01-q2-c") < NON_TEXT_CONTRAST
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_move_buttons_of_an_item_sit_beside_its_text(browser, site, language: str) -> None:
    context = _phone(browser)
    try:
        page = context.new_page()
        page.goto(site[language].as_uri() + "/index.html#/practice-01")
        wait_page(page, "practice-01")
        rows = page.eval_on_selector_all(
            ".jmdi-order li",
            """items => items.map(li => {
              const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
              return {text: li.querySelector('.jmdi-order-text').textContent,
                      words: box(li.querySelector('.jmdi-order-text')),
                      buttons: [...li.querySelectorAll('.jmdi-move')].map(box),
                      list: box(li.closest('ol'))};
            })""",
        )
        assert LONG_ITEM in [row["text"] for row in rows]
        for row in rows:
            (left, top, right, bottom), buttons = row["words"], row["buttons"]
            assert len(buttons) == 2
            for b_left, b_top, b_right, b_bottom in buttons:
                middle = (b_top + b_bottom) / 2
                assert top <= middle <= bottom, f"{row['text']}: a button is not beside the text"
                assert b_right <= left or b_left >= right, f"{row['text']}: a button covers the text"
                assert row["list"][0] <= b_left and b_right <= row["list"][2], f"{row['text']}: past the list"
        # The buttons make one column: each item's stand at the same place on its row.
        assert len({tuple(round(b[0]) for b in row["buttons"]) for row in rows}) == 1
    finally:
        context.close()


#: For each select of a matching question: its chosen option's text, and what its item shows of
#: it: the texts of the elements beside the select (not the select: its text cannot wrap, and
#: what it clips cannot be measured) that show it whole (nothing clipped, inside the viewport).
_SHOWN_CHOICES = """form => [...form.querySelectorAll('select')].map(select => {
  const chosen = select.selectedOptions[0].textContent.trim();
  const whole = e => {
    const r = e.getBoundingClientRect();
    return e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight && r.width > 0 &&
      r.left >= 0 && r.right <= document.documentElement.clientWidth && e.checkVisibility({opacityProperty: true, visibilityProperty: true});
  };
  const shown = [...select.closest('li').querySelectorAll('*')]
    .filter(e => !e.closest('select') && e.textContent.trim() === chosen && whole(e));
  return {chosen, shown: shown.length};
})"""


def _choices_shown(page, form: str) -> list[dict]:
    return page.eval_on_selector(form, _SHOWN_CHOICES)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_matching_item_shows_its_whole_answer_on_a_phone(browser, site, language: str) -> None:
    context = _phone(browser)
    try:
        page = context.new_page()
        page.goto(site[language].as_uri() + "/index.html#/practice-01")
        wait_page(page, "practice-01")
        form = "#q-practice-01-q1"
        page.select_option(f"{form}-1", label="Dakar")
        page.select_option(f"{form}-2", label=LONG_ANSWER[language])
        chosen = _choices_shown(page, form)
        assert [c["chosen"] for c in chosen] == ["Dakar", LONG_ANSWER[language]]
        assert all(c["shown"] for c in chosen), chosen  # before checking, too

        page.click(f"{form} button[type=submit]")  # right: locked at once
        page.wait_for_selector(f"{form} fieldset:disabled")
        assert all(c["shown"] for c in _choices_shown(page, form))
        # The page reads its saved answers back locked, the whole answers shown without a touch.
        page.reload()
        wait_page(page, "practice-01")
        page.wait_for_selector(f"{form} fieldset:disabled")
        chosen = _choices_shown(page, form)
        assert [c["chosen"] for c in chosen] == ["Dakar", LONG_ANSWER[language]]
        assert all(c["shown"] for c in chosen), chosen
        # The long answer wraps to the phone's width: the page does not scroll sideways (1.4.10).
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    finally:
        context.close()
