"""Issue 15 in headless Chromium: glossary terms explained in place, the reader's place kept across
the glossary, the home page's module cards and Continue link, the exit page's way back in, the
contents in view on wide screens; axe-core on the home page and with a definition open."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MINIMAL
from tests.runtime.test_web_browser import build_web, build_web_ar, wait_page
from tests.support.axe import axe_violations
from tests.support.build_cache import cache_copy

TERM = "#jmdi-page a.jmdi-term[href='#/glossary/term-remittances']"


@pytest.fixture(scope="module")
def web(tmp_path_factory, warm_pdf_cache: Path) -> Path:
    cache = cache_copy(warm_pdf_cache, tmp_path_factory.mktemp("issue15-cache") / "cache")
    return build_web(MINIMAL, tmp_path_factory.mktemp("issue15"), cache)


@pytest.fixture(scope="module")
def web_ar(tmp_path_factory) -> Path:
    return build_web_ar(tmp_path_factory.mktemp("issue15-ar"))


@pytest.fixture
def tab(browser, web):
    """A tab on the package at 1280×500 (short, so that topics scroll), axe allowed in."""
    context = browser.new_context(viewport={"width": 1280, "height": 500}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(web.as_uri() + "/index.html")
    wait_page(page, "home")
    yield page
    assert errors == []
    context.close()


def go(page, page_id: str) -> None:
    page.evaluate("id => { location.hash = '#/' + id; }", page_id)
    wait_page(page, page_id)


def focused(page) -> str:
    return page.evaluate("document.activeElement.outerHTML.slice(0, 80)")


@pytest.mark.parametrize("how", ["click", "Enter"])
def test_a_glossary_term_opens_its_definition_in_place(tab, how: str) -> None:
    go(tab, "intro-01")
    if how == "click":
        tab.click(TERM)
    else:
        tab.focus(TERM)
        tab.keyboard.press("Enter")
    box = tab.wait_for_selector("#jmdi-term-box")
    assert tab.evaluate("location.hash") == "#/intro-01"  # no navigation
    assert "Remittances" in box.inner_text() and "Money that migrants send home." in box.inner_text()
    assert box.get_attribute("role") == "dialog"
    assert tab.get_attribute(TERM, "aria-expanded") == "true"
    assert tab.evaluate("document.activeElement.id") == "jmdi-term-box"
    full = tab.locator("#jmdi-term-box a")
    assert full.inner_text() == "Full glossary" and full.get_attribute("href") == "#/glossary/term-remittances"
    tab.keyboard.press("Escape")
    tab.wait_for_selector("#jmdi-term-box", state="detached")
    assert "term-remittances" in focused(tab)
    assert tab.get_attribute(TERM, "aria-expanded") == "false"
    # The close button does the same.
    tab.click(TERM)
    tab.click("#jmdi-term-box button")
    tab.wait_for_selector("#jmdi-term-box", state="detached")
    assert "term-remittances" in focused(tab)


@pytest.mark.parametrize("way", ["back", "link"])
def test_coming_back_from_the_glossary_restores_the_place(tab, way: str) -> None:
    go(tab, "intro-01")
    tab.evaluate(
        "() => document.querySelector(\"a.jmdi-term[href='#/glossary/term-remittances']\").scrollIntoView({block: 'center'})"
    )
    tab.click(TERM)
    tab.wait_for_selector("#jmdi-term-box")
    y = tab.evaluate("scrollY")
    assert y > 100  # the page is scrolled: there is a place to lose
    tab.click("#jmdi-term-box a")
    wait_page(tab, "glossary")
    back = tab.locator("#jmdi-page h1 + p a.jmdi-btn")
    assert back.inner_text().startswith("Back to ") and back.get_attribute("href") == "#/intro-01"
    if way == "back":
        tab.go_back()
    else:
        back.click()
    wait_page(tab, "intro-01")
    tab.wait_for_function("y => Math.abs(scrollY - y) <= 50", arg=y)
    assert "term-remittances" in focused(tab)
    # Once used, the place is forgotten: the next visit starts at the top.
    go(tab, "intro-02")
    go(tab, "intro-01")
    assert tab.evaluate("scrollY") == 0


def states(page) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#jmdi-page .jmdi-cards a[data-state-of]')]
            .map(a => [a.getAttribute('data-state-of'), a.querySelector('.jmdi-state-text').textContent.trim()]))"""
    )


def answer_intro_01(page) -> None:
    """Settles every question of intro-01 (answers as tests/runtime/test_web_browser.py knows them)."""
    for form, answer in (
        ("#q-intro-01-q1", "a"),
        ("#q-intro-01-q2", "b"),
        ("#q-intro-01-q2", "a"),  # a and b: another wrong answer, the tries are used up
        ("#q-intro-01-q3", "t"),
    ):
        page.check(f"{form} input[value='{answer}']")
        page.click(f"{form} button[type=submit]")
        page.wait_for_function("f => document.querySelector(f + ' .jmdi-feedback').textContent", arg=form)


def test_home_cards_show_each_modules_state_and_continue_leads_to_the_bookmark(tab) -> None:
    assert states(tab) == {"intro": "(not started)", "practice": "(not started)"}
    assert tab.is_hidden("[data-jmdi-out=resume]")  # no bookmark yet
    card = tab.locator("#jmdi-page .jmdi-cards li").first
    assert "min" in card.inner_text()  # estimated time: the sum of its topics' minutes
    tab.wait_for_selector("#home-how")  # below the fold: put in once the page is up
    home_text = tab.inner_text("#jmdi-page")
    assert "Progress counts the topics and assessments done" in home_text
    go(tab, "intro-01")
    answer_intro_01(tab)
    assert tab.get_attribute("#jmdi-toc a[href='#/intro-01']", "data-state") == "2"
    go(tab, "intro")
    assert states(tab)["intro-01"] == "(done)"
    go(tab, "intro-02")
    go(tab, "glossary")  # reference pages, like home, are no bookmark
    go(tab, "home")
    assert states(tab) == {"intro": "(in progress)", "practice": "(not started)"}
    resume = tab.locator("[data-jmdi-out=resume]")
    assert resume.is_visible() and resume.text_content() == "Continue where you left off (Second topic)"
    resume.click()
    wait_page(tab, "intro-02")


def test_the_home_pages_part_below_the_fold_comes_after_the_first_page(tab, web) -> None:
    launch = (web / "index.html").read_text(encoding="utf-8")
    assert 'data-jmdi-later="home.later"' in launch and 'id="home-how"' not in launch
    assert launch.index('id="home-modules"') < launch.index("data-jmdi-later")  # the cards come first
    for _ in range(2):  # from the package, then from the core's cache
        tab.wait_for_selector("#jmdi-page #home-how")
        assert tab.locator("[data-jmdi-later]").count() == 0
        ids = tab.eval_on_selector_all("#jmdi-page section", "s => s.map(e => e.getAttribute('aria-labelledby'))")
        assert (
            ids
            == ["home-modules", "home-audience", "home-objectives", "home-outcomes", "home-how", "home-credits"][
                : len(ids)
            ]
            and len(ids) >= 5
        )
        assert tab.inner_text("#jmdi-page [data-jmdi-out=mastery]").strip() == "80"  # the course's pass mark
        go(tab, "intro-01")
        go(tab, "home")


def test_the_exit_page_leads_back_in(tab) -> None:
    go(tab, "intro-02")
    tab.click(".jmdi-exit")
    again = tab.wait_for_selector("#jmdi-page a.jmdi-btn")
    assert again.inner_text() == "Return to the course"
    again.click()
    tab.wait_for_selector("#jmdi-page[data-page='intro-02']")


def test_the_contents_stay_in_view_on_wide_screens(browser, web) -> None:
    for width, sticky in ((1280, True), (375, False)):
        context = browser.new_context(viewport={"width": width, "height": 500})
        page = context.new_page()
        page.goto(web.as_uri() + "/index.html#/intro-01")
        wait_page(page, "intro-01")
        page.evaluate("scrollTo(0, 600)")
        page.wait_for_timeout(50)
        if sticky:
            assert page.evaluate("document.getElementById('jmdi-toc').getBoundingClientRect().top") == 0
            # Nothing covers the page's content: the contents have a column of their own.
            toc = page.evaluate("document.getElementById('jmdi-toc').getBoundingClientRect().right")
            main = page.evaluate("document.getElementById('jmdi-main').getBoundingClientRect().left")
            assert toc <= main
        else:
            assert page.evaluate("getComputedStyle(document.getElementById('jmdi-toc')).position") == "static"
        context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_axe_finds_no_violation_on_the_home_cards_and_an_open_definition(browser, request, language: str) -> None:
    folder = request.getfixturevalue("web" if language == "en" else "web_ar")
    for width in (1280, 375):
        context = browser.new_context(viewport={"width": width, "height": 740}, bypass_csp=True)
        page = context.new_page()
        page.goto(folder.as_uri() + "/index.html#/intro-01")
        wait_page(page, "intro-01")
        go(page, "home")  # cards with a module in progress, Continue shown
        assert page.is_visible("[data-jmdi-out=resume]")
        found = {"home": axe_violations(page)}
        go(page, "intro-01")
        page.click(TERM)
        page.wait_for_selector("#jmdi-term-box")
        found["definition"] = axe_violations(page)
        page.click("#jmdi-term-box a")
        wait_page(page, "glossary")
        found["glossary"] = axe_violations(page)  # with its return link
        assert {k: v for k, v in found.items() if v} == {}, (width, found)
        context.close()
