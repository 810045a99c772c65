"""The audit finds a page's inline ``<style>`` and ``<script>`` elements (``safety.element_texts``)
as the one regular expression ``<opening>(.*?)<closing>`` (case-insensitive, across lines) finds
them, on pages made of every piece that opens, closes or resembles those tags."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from jmdi_scorm.package.safety import HASHED, element_texts
from tests.support.budget import examples

PIECES = [
    "<script>", "<SCRIPT defer>", "<script src=a.js>", '<script type="application/json">', "<script type=module>",
    "</script>", "</SCRIPT >", "</script\n>", "</scripts>", "</script x>", "<style>", '<style media="print">',
    "<styles>", "</style>", "</STYLE  >", "</style", "<", ">", "x", "\n", " ", "<scrip", "t>", "ſ", "<ſcript>",
]  # fmt: skip
PAGES = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)


def _findall(page: str, name: str) -> list[str]:
    opening, closing = HASHED[name]
    return re.findall(f"{opening.pattern}(.*?){closing.pattern}", page, re.IGNORECASE | re.DOTALL)


@settings(max_examples=examples(2000), deadline=None)
@given(PAGES)
def test_inline_elements_are_those_of_the_one_expression(page: str) -> None:
    for name, elements in HASHED.items():
        assert element_texts(page, elements) == _findall(page, name), (name, page)


def test_a_launch_page_like_text() -> None:
    page = '<style>a{b:c}</style><script>var a = "</p>";</script ><script src="x.js"></script><script>2</script>'
    assert element_texts(page, HASHED["script-src"]) == ['var a = "</p>";', "2"] == _findall(page, "script-src")
    assert element_texts(page, HASHED["style-src"]) == ["a{b:c}"] == _findall(page, "style-src")
