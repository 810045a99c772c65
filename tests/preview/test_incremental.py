"""What a topic edit makes the preview do again, and no more: the checks look at no other file,
only the edited topic's content script is written, its module's print page waits until it is
asked for; the problems and the folder are still a full build's (``test_preview.py`` compares
the folders after every kind of edit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from jmdi_scorm.preview import Preview, PreviewOptions
from jmdi_scorm.source import rules, svg_rules
from jmdi_scorm.source.validate import checked_course
from jmdi_scorm.targets import xapi_activities


@pytest.fixture
def session(minimal_course: Path, tmp_path: Path):
    preview = Preview(PreviewOptions(minimal_course, "scorm12", workdir=tmp_path / "work", watch=False))
    preview.start()
    yield preview
    preview.stop()


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file of ``folder`` with what changes when it is written again (inode, modification time)."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            stat = path.stat()
            found[path.relative_to(folder).as_posix()] = (stat.st_ino, stat.st_mtime_ns)
    return found


def test_a_body_edit_writes_the_topic_page_only(session: Preview, minimal_course: Path) -> None:
    before = _files(session.package_dir)
    topic = minimal_course / "modules" / "intro" / "intro-01.md"
    topic.write_text(topic.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    build = session.rebuild([str(topic)])
    assert build.ok and build.pages == ["intro-01"], (build.error, build.problems)
    after = _files(session.package_dir)
    assert sorted(name for name in after if after[name] != before.get(name)) == ["content/intro-01.js"]
    assert sorted(set(before) - set(after)) == ["print/intro.html"]  # out of date: rendered when asked for
    answer = requests.get(session.url + "course/print/intro.html", timeout=10)
    assert answer.status_code == 200 and b"One more sentence." in answer.content
    assert (session.package_dir / "print" / "intro.html").read_bytes() == answer.content
    # Another module's print page was never out of date: it is served as it is.
    unchanged = _files(session.package_dir)
    assert requests.get(session.url + "course/print/practice.html", timeout=10).status_code == 200
    assert _files(session.package_dir) == unchanged


def test_a_topic_recheck_reads_no_other_file(
    session: Preview, minimal_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules learn what the file system says of the course's other files once per full load:
    a topic edit asks again of none (the preview saw no other file change), and reports the same
    problems as a full check, a figure's warnings too."""
    narrow = minimal_course / "assets" / "diagram.narrow.svg"
    narrow.write_text(narrow.read_text(encoding="utf-8").replace('viewBox="0 0 360', 'viewBox="0 0 500'))
    assert session.rebuild().ok  # a full build (the figure changed)
    asked: list[Any] = []

    def spy(module: Any, name: str) -> None:
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *args: asked.append((name, args)) or real(*args))

    spy(rules, "inside_course")
    spy(svg_rules, "file_problems")
    topic = minimal_course / "modules" / "intro" / "intro-02.md"
    topic.write_text(topic.read_text(encoding="utf-8") + "\n# A level-one heading\n", encoding="utf-8")
    build = session.rebuild([str(topic)])
    assert build.ok and build.pages == ["intro-02"], (build.error, build.problems)
    assert asked == []
    monkeypatch.undo()
    _, ctx = checked_course(minimal_course)
    full = [str(problem) for problem in ctx.problems]
    assert build.problems == full
    assert any("500 units wide" in problem for problem in full) and any("level 1" in problem for problem in full)


def test_an_xapi_topic_edit_makes_the_activities_of_its_module_only(
    minimal_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    preview = Preview(PreviewOptions(minimal_course, "xapi", workdir=tmp_path / "work", watch=False))
    preview.start()
    try:
        made: list[str] = []
        real = xapi_activities._module_nodes
        monkeypatch.setattr(
            xapi_activities, "_module_nodes", lambda course, module: made.append(module.id) or real(course, module)
        )
        topic = minimal_course / "modules" / "intro" / "intro-01.md"
        topic.write_text(topic.read_text(encoding="utf-8").replace("Blue", "Azure", 1), encoding="utf-8")
        build = preview.rebuild([str(topic)])
        assert build.ok, (build.error, build.problems)
        assert made == ["intro"]  # (a full build makes every module's)
        assert b"Azure" in (preview.package_dir / "runtime" / "xapi-questions" / "intro-01.js").read_bytes()
    finally:
        preview.stop()


@pytest.mark.parametrize("fmt", ["scorm12", "xapi"])
def test_the_new_page_comes_with_the_status(fmt: str, page, minimal_course: Path, tmp_path: Path) -> None:
    """The course learns of a topic edit from the status the panel waits on, which carries the
    page's new content: it shows it without asking for the page's content script. Told of a page
    without its content, it loads that page's script again."""
    preview = Preview(PreviewOptions(minimal_course, fmt, workdir=tmp_path / "work", watch=False))
    preview.start()
    try:
        page.goto(preview.url)
        page.wait_for_selector("#build.ok")
        frame = _course_frame(page)
        frame.evaluate("() => { location.hash = '#/intro-01'; window.learnerWasHere = true; }")
        frame.wait_for_function("() => document.querySelector('#jmdi-page')?.getAttribute('data-page') === 'intro-01'")
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        topic = minimal_course / "modules" / "intro" / "intro-01.md"
        topic.write_text(topic.read_text(encoding="utf-8") + "\nSent with the status.\n", encoding="utf-8")
        assert preview.rebuild([str(topic)]).pages == ["intro-01"]
        frame.wait_for_function(
            "() => document.querySelector('#jmdi-page').textContent.includes('Sent with the status.')"
        )
        assert frame.evaluate("() => window.learnerWasHere === true")
        assert [url for url in asked if "intro-01.js" in url] == []
        status = requests.get(preview.url + "__preview/status", timeout=10).json()
        assert status["content"]["build"] == 2 and list(status["content"]["pages"]) == ["intro-01"]
        page.evaluate("() => document.getElementById('course').contentWindow.postMessage("
                      "{jmdiPreview: 'pages', pages: ['intro-01'], build: 99}, '*')")  # fmt: skip
        frame.wait_for_function(
            "() => performance.getEntriesByType('resource').some(e => e.name.includes('preview-build=99'))"
        )
        assert any("content/intro-01.js?preview-build=99" in url for url in asked)
        assert "Sent with the status." in frame.evaluate("() => document.querySelector('#jmdi-page').textContent")
    finally:
        preview.stop()


def _course_frame(page) -> Any:
    for _ in range(200):
        frame = page.frame(url=lambda url: "/index.html" in url)
        if frame and frame.evaluate("() => !!window.JMDI && !!document.querySelector('#jmdi-page')"):
            return frame
        page.wait_for_timeout(50)
    raise AssertionError("the course frame never loaded")


def test_answers_are_not_held_back_by_nagle() -> None:
    """The preview and its local LMS write an answer's headers and body apart: with Nagle's
    algorithm the body waited ~40 ms for the browser's delayed ACK on a kept-alive connection."""
    from jmdi_scorm.lms.server import _Handler as LmsHandler
    from jmdi_scorm.preview.server import _Handler as PreviewHandler

    assert PreviewHandler.disable_nagle_algorithm and LmsHandler.disable_nagle_algorithm
