"""Module PDFs started early (pdf_early.py): a helper process imports WeasyPrint while the build
loads the course, when a PDF is likely to be rendered, and renders the same bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jmdi_scorm.render import pdf, pdf_early
from jmdi_scorm.render.pages import RenderOptions, render_site
from jmdi_scorm.source.validate import load_course

pytestmark = pytest.mark.cold_pdf_cache


def test_a_render_is_likely_without_a_cache_or_after_a_change(tmp_path: Path) -> None:
    course, cache = tmp_path / "course", tmp_path / "course" / ".jmdi-cache"
    (course / "modules").mkdir(parents=True)
    topic = course / "modules" / "t.md"
    topic.write_text("text")
    assert pdf_early.likely_to_render(course, None)  # --no-cache renders every PDF
    assert pdf_early.likely_to_render(course, cache)  # no cache yet
    (cache / "pdf").mkdir(parents=True)
    assert pdf_early.likely_to_render(course, cache)  # an empty one
    entry = cache / "pdf" / "entry"
    entry.write_bytes(b"x")
    os.utime(topic, (1_000_000, 1_000_000))
    assert not pdf_early.likely_to_render(course, cache)  # every file older than the newest entry
    os.utime(cache / "pdf", (2_000_000_000, 2_000_000_000))  # the cache itself does not count
    assert not pdf_early.likely_to_render(course, cache)
    os.utime(topic, (2_000_000_000, 2_000_000_000))
    assert pdf_early.likely_to_render(course, cache)  # a changed topic


def test_the_helper_renders_the_same_bytes(minimal_course: Path) -> None:
    course, _ = load_course(minimal_course)
    site = render_site(course, RenderOptions(pdf_downloads=True))
    here = pdf.module_pdfs(course, site, None, jobs=1)
    with pdf_early.started(minimal_course, None, wanted=True) as early:
        assert early is not None
        there = pdf.editions_pdfs([(course, site)], None, jobs=1, renderer=early)[0]
    assert there[:2] == here[:2]
    assert (there[2].rendered, there[2].reused) == (2, 0)
    assert not early._process.is_alive()


def test_an_unused_helper_ends_with_the_build_and_a_broken_one_says_why(monkeypatch) -> None:
    with pdf_early.started(Path(), None, wanted=False) as none:
        assert none is None  # no PDFs asked for (or WeasyPrint not installed)
    unused = pdf_early.EarlyRenderer()
    unused.close()  # a build that rendered nothing: the helper is ended even mid-import
    assert not unused._process.is_alive()
    monkeypatch.setattr(pdf, "unavailable", lambda: "no libraries here")  # the helper inherits it
    broken = pdf_early.EarlyRenderer()
    try:
        with pytest.raises(pdf.Unavailable, match="no libraries here"):
            broken([{"print/m.html": b"<p>m</p>"}], [(0, "print/m.html")], None, 1)
    finally:
        broken.close()
