"""The rules of a figure's narrow layout (``NAME.narrow.svg``, issue 15), as ``validate`` reports them:
its words are the wide figure's (errors), its text is at least 14 px and it is at most 400 wide
(warnings), each with the narrow file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from jmdi_scorm.cli import main
from jmdi_scorm.errors import CourseError, Problem
from jmdi_scorm.source.narrow_rules import font_size, layout_problems
from jmdi_scorm.source.validate import load_course, validate_course

NS = 'xmlns="http://www.w3.org/2000/svg"'
WIDE = (
    f'<svg {NS} viewBox="0 0 800 200" width="800" height="200" role="img" aria-labelledby="w-title">\n'
    '<title id="w-title">Three steps</title>\n'
    '<text x="100" y="50" font-size="14">Plan</text>\n'
    '<text x="300" y="50" font-size="14">Act <tspan font-weight="bold">now</tspan></text>\n'
    '<text x="500" y="50" font-size="14">Review</text>\n'
    "</svg>\n"
)
NARROW_OPEN = f'<svg {NS} viewBox="0 0 360 400" width="360" height="400" role="img" aria-labelledby="wn-title">\n'
GOOD = [
    '<title id="wn-title">Three steps</title>',
    '<text x="180" y="40" font-size="14">Plan</text>',
    '<text x="180" y="140" font-size="15">Act <tspan font-weight="bold">now</tspan></text>',
    '<text x="180" y="240" font-size="14">Review</text>',
]
SHOWN = "course/assets/steps.narrow.svg"


def narrow(lines: list[str], opening: str = NARROW_OPEN) -> str:
    return opening + "\n".join(lines) + "\n</svg>\n"


@pytest.fixture
def course(minimal_course: Path) -> Path:
    """The minimal course showing the figure ``assets/steps.svg`` (WIDE) in a topic."""
    (minimal_course / "assets/steps.svg").write_text(WIDE, encoding="utf-8")
    topic = minimal_course / "modules/intro/intro-02.md"
    topic.write_text(
        topic.read_text(encoding="utf-8") + '\n![Three steps](../../assets/steps.svg "Steps. Source: us.")\n',
        encoding="utf-8",
    )
    return minimal_course


def problems_of(course: Path, text: str) -> list[Problem]:
    (course / "assets/steps.narrow.svg").write_text(text, encoding="utf-8")
    return [p for p in validate_course(course) if p.path == SHOWN]


def test_a_narrow_layout_with_the_figures_words_passes(course: Path) -> None:
    assert problems_of(course, narrow(GOOD)) == []
    loaded, _ = load_course(course)
    assert "assets/steps.narrow.svg" in loaded.assets  # no Markdown names it: found beside the figure


def test_a_text_the_figure_lacks_is_an_error_at_its_line(course: Path) -> None:
    found = problems_of(course, narrow([*GOOD[:3], '<text x="9" y="300" font-size="14">Reviews</text>']))
    assert [(p.line, p.field, p.severity) for p in found] == [(1, "text", "error"), (5, "text/3", "error")]
    assert "'Review' (assets/steps.svg, line 5) is missing" in found[0].message
    assert "'Reviews' is not a text of assets/steps.svg" in found[1].message
    with pytest.raises(CourseError):  # an error: the build stops
        load_course(course)


def test_a_title_that_differs_is_an_error(course: Path) -> None:
    found = problems_of(course, narrow(['<title id="wn-title">Three stages</title>', *GOOD[1:]]))
    assert {(p.line, p.field) for p in found} == {(2, "#wn-title"), (1, "text")}
    assert all(p.severity == "error" for p in found)


def test_a_missing_text_is_an_error_but_a_repeated_one_is_not(course: Path) -> None:
    found = problems_of(course, narrow(GOOD[:3]))
    assert [(p.line, p.severity) for p in found] == [(1, "error")]
    assert "'Review' (assets/steps.svg, line 5) is missing" in found[0].message
    assert problems_of(course, narrow([*GOOD, GOOD[1].replace('y="40"', 'y="340"')])) == []


def test_small_text_is_a_warning_at_its_line(course: Path) -> None:
    lines = [
        GOOD[0],
        '<g font-size="13"><text x="180" y="40">Plan</text></g>',  # inherited
        '<text x="180" y="140" style="font-size: 12px">Act <tspan font-weight="bold">now</tspan></text>',
        '<g transform="scale(0.5)"><text x="180" y="240" font-size="20">Review</text></g>',  # 10 on screen
    ]
    found = problems_of(course, narrow(lines))
    assert [(p.line, p.field, p.severity) for p in found] == [
        (3, "font-size", "warning"),
        (4, "font-size", "warning"),
        (4, "font-size", "warning"),  # "now" (its own tspan) and "Act" (the text's) both at 12 px
        (5, "font-size", "warning"),
    ]
    assert found[0].message.startswith("text at 13 px: a narrow layout's text is at least 14 px")
    assert "text at 10 px" in found[3].message
    load_course(course)  # warnings: the build goes on


def test_a_layout_wider_than_400_is_a_warning(course: Path) -> None:
    wide_open = NARROW_OPEN.replace("0 0 360 400", "0 0 420 400")
    found = problems_of(course, narrow(GOOD, wide_open))
    assert [(p.line, p.field, p.severity) for p in found] == [(1, "viewBox", "warning")]
    assert found[0].message.startswith("420 units wide: a narrow layout is at most 400 wide")
    sizeless = f"<svg {NS}>\n"
    assert [p.field for p in problems_of(course, narrow(GOOD, sizeless))] == ["viewBox"]


def test_validate_prints_file_and_line(course: Path) -> None:
    (course / "assets/steps.narrow.svg").write_text(narrow(GOOD[:3]), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(course)])
    assert result.exit_code == 1
    assert f"{SHOWN}:1: text: 'Review' (assets/steps.svg, line 5) is missing" in result.output


def test_a_narrow_layout_linked_out_of_the_course_is_refused(course: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.svg"
    outside.write_text(narrow(GOOD), encoding="utf-8")
    (course / "assets/steps.narrow.svg").symlink_to(outside)
    with pytest.raises(CourseError) as raised:
        load_course(course)
    assert [(p.path, p.message) for p in raised.value.problems] == [
        (SHOWN, "symbolic link points outside the course directory: the narrow layout of assets/steps.svg "
         "must be a file of the course"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("svg", "size"),
    [
        ('<svg {ns}><text font-size="14">a</text></svg>', 14.0),
        ("<svg {ns}><text>a</text></svg>", 16.0),  # a browser's default
        ('<svg {ns} font-size="20"><g style="font-size:0.5em"><text>a</text></g></svg>', 10.0),
        ('<svg {ns}><text font-size="12pt">a</text></svg>', 16.0),
        ('<svg {ns}><g transform="translate(5 5) matrix(2 0 0 2 0 0)"><text font-size="8">a</text></g></svg>', 16.0),
        ('<svg {ns} font-size="10"><text font-size="150%" style="font-size: small">a</text></svg>', 13.0),
        ('<svg {ns}><text transform="translate(9,9) scale(0.7,1)" font-size="15">a</text></svg>', 15.0),  # condensed
        ('<svg {ns}><g transform="scale(1 0.5)"><text font-size="30">a</text></g></svg>', 15.0),
        ('<svg {ns}><g transform="rotate(90)"><text transform="scale(1,2)" font-size="8">a</text></g></svg>', 16.0),
        ('<svg {ns}><g transform="scale(1,2)"><text transform="rotate(90)" font-size="8">a</text></g></svg>', 8.0),
    ],
)
def test_font_size_in_user_units(svg: str, size: float) -> None:
    root = etree.fromstring(svg.format(ns=NS))
    text = root.find(".//{http://www.w3.org/2000/svg}text")
    assert font_size(text) == pytest.approx(size)


def test_unparsable_files_are_left_to_the_svg_rules() -> None:
    assert layout_problems(WIDE.encode(), "w.svg", b"<svg", "w.narrow.svg") == []
    assert layout_problems(b"<svg", "w.svg", narrow(GOOD).encode(), "w.narrow.svg") == []
