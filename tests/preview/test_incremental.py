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
