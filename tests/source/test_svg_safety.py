"""Course SVG files that could run script or load other files are refused by validate (and build)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from jmdi_scorm.cli import main
from jmdi_scorm.source.svg_rules import svg_problems

ROOT = Path(__file__).resolve().parents[2]
SHOWN = "course/assets/diagram.svg"  # the image of the fixture's intro-01.md
OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">\n'
BAD_LINE = 3  # each unsafe element or attribute below sits on line 3

UNSAFE = {
    "script": ("<g/>\n<script>alert(1)</script>", "script", "<script> is not allowed"),
    "script-xhtml": (
        '<g/>\n<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>',
        "script",
        "<script> is not allowed",
    ),
    "onload": ('<g/>\n<rect width="1" onload="alert(1)"/>', "onload", "event-handler attributes"),
    "onclick-upper": ('<g/>\n<rect onClick="alert(1)"/>', "onClick", "event-handler attributes"),
    "javascript-entity": (
        '<g/>\n<a href="java&#x09;script:alert(1)"><text>x</text></a>',
        "href",
        "'javascript:' URLs",
    ),
    "javascript-case-space": (
        '<g/>\n<a xlink:href="  JaVa&#x0A;Script&#58;alert(1)"><text>x</text></a>',
        "xlink:href",
        "'javascript:' URLs",
    ),
    "vbscript": ('<g/>\n<a href="vbscript:msgbox(1)"><text>x</text></a>', "href", "'vbscript:' URLs"),
    "data-html": ('<g/>\n<a href="data:text/html,&lt;script&gt;">x</a>', "href", "'data:' URLs"),
    "animate-href": (
        '<a><text>x</text>\n<set attributeName="href" to="javascript:alert(1)"/></a>',
        "attributeName",
        "animating 'href'",
    ),
    "xlink-external": (
        '<g/>\n<image xlink:href="https://evil.example/x.png" width="5"/>',
        "xlink:href",
        "outside the file",
    ),
    "use-other-file": ('<g/>\n<use href="other.svg#x"/>', "href", "outside the file"),
    "file-url": ('<g/>\n<image href="file:///etc/passwd"/>', "href", "outside the file"),
    "foreign-object": (
        "<g/>\n<foreignObject><p>x</p></foreignObject>",
        "foreignObject",
        "<foreignObject> is not allowed",
    ),
    "iframe": ("<g/>\n<iframe/>", "iframe", "<iframe> is not allowed"),
    "embed": ("<g/>\n<embed/>", "embed", "<embed> is not allowed"),
    "object": ("<g/>\n<object/>", "object", "<object> is not allowed"),
    "style-url": ('<g/>\n<rect style="fill: url(http://evil.example/p.svg#g)"/>', "style", "outside the file"),
    "style-url-escaped": ("<g/>\n<rect style=\"fill: u\\72 l('//evil.example/p')\"/>", "style", "outside the file"),
    "fill-url": ("<g/>\n<rect fill=\"url('p.svg#g')\"/>", "fill", "outside the file"),
    "style-import": ('<g/>\n<style>@import "https://evil.example/x.css";</style>', "style", "@import"),
    "style-element-url": (
        "<g/>\n<style><![CDATA[ rect { background: url( https://evil.example/x.png ) } ]]></style>",
        "style",
        "outside the file",
    ),
    "xml-base": ('<g/>\n<g xml:base="https://evil.example/"><use href="#a"/></g>', "xml:base", "xml:base"),
}


def validate(course: Path, svg: str | bytes, name: str = "diagram.svg") -> tuple[int, str]:
    """``validate`` of ``course`` with ``svg`` as ``assets/<name>``; the figure's narrow layout
    is removed when the figure is replaced (its words would no longer be the figure's)."""
    if name == "diagram.svg":
        (course / "assets/diagram.narrow.svg").unlink(missing_ok=True)
    path = course / "assets" / name
    path.write_bytes(svg.encode("utf-8") if isinstance(svg, str) else svg)
    result = CliRunner().invoke(main, ["validate", str(course)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("name", sorted(UNSAFE))
def test_unsafe_svg_is_refused_with_file_and_line(minimal_course: Path, name: str) -> None:
    body, field, message = UNSAFE[name]
    code, output = validate(minimal_course, OPEN + body + "\n</svg>\n")
    assert code == 1, output
    assert f"{SHOWN}:{BAD_LINE}: {field}: " in output, output
    assert message in output


def test_doctype_with_entities_is_refused_before_parsing(minimal_course: Path) -> None:
    laughs = '<?xml version="1.0"?>\n<!DOCTYPE svg [\n <!ENTITY a "aaaaaaaaaa">\n <!ENTITY b "&a;&a;&a;&a;">\n]>\n'
    code, output = validate(minimal_course, laughs + OPEN + "<text>&b;</text></svg>\n")
    assert code == 1
    assert f"{SHOWN}:2: DOCTYPE: DOCTYPE or ENTITY declarations are not allowed" in output


def test_external_entity_in_utf16_is_refused(minimal_course: Path) -> None:
    xxe = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    code, output = validate(minimal_course, (xxe + OPEN + "<text>&x;</text></svg>\n").encode("utf-16"))
    assert code == 1
    assert f"{SHOWN}:2: DOCTYPE: " in output
    assert "root:" not in output


def test_stylesheet_instruction_and_malformed_xml_are_refused(minimal_course: Path) -> None:
    code, output = validate(minimal_course, '<?xml-stylesheet href="https://evil.example/x.css"?>\n' + OPEN + "</svg>")
    assert code == 1 and f"{SHOWN}:1: xml-stylesheet: " in output
    code, output = validate(minimal_course, OPEN + "<g>\n<rect>\n</svg>")
    assert code == 1 and "not well-formed XML, cannot be checked" in output


def test_attribute_on_its_own_line_is_reported_there(minimal_course: Path) -> None:
    inkscape_like = (
        OPEN + '<image\n   id="photo"\n   xlink:href="https://evil.example/x.png"\n   width="5" />\n</svg>\n'
    )
    code, output = validate(minimal_course, inkscape_like)
    assert code == 1
    assert f"{SHOWN}:4: xlink:href: " in output


def test_svg_linked_or_listed_as_resource_is_checked(minimal_course: Path) -> None:
    (minimal_course / "assets/poster.svg").write_text(OPEN + '<rect onclick="x()"/></svg>', encoding="utf-8")
    resources = minimal_course / "resources.yaml"
    text = resources.read_text(encoding="utf-8")
    resources.write_text(text.replace("assets/handout.txt", "assets/poster.svg"), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(minimal_course)])
    assert result.exit_code == 1
    assert "course/assets/poster.svg:2: onclick: event-handler attributes are not allowed" in result.output


def test_unused_svg_is_not_checked(minimal_course: Path) -> None:
    (minimal_course / "assets/unused.svg").write_text(OPEN + "<script>x</script></svg>", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(minimal_course)])
    assert result.exit_code == 0, result.output


def test_safe_svg_passes(minimal_course: Path) -> None:
    safe = (
        OPEN
        + '<title id="t">Boxes</title>\n<desc>Text may mention javascript: and url(x) freely.</desc>\n'
        + '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>\n'
        + '<marker id="m"><path d="M0,0 L1,1"/></marker><rect id="box" width="2" height="2"/></defs>\n'
        + "<style>.a { fill: url(#g); stroke: url( '#g' ) }</style>\n"
        + '<rect class="a" fill="url(#g)" style="fill: url(&quot;#g&quot;)" marker-end="url(#m)"/>\n'
        + '<use href="#box" x="4"/><use xlink:href="#box" x="6"/><a href="#t"><text>x</text></a>\n'
        + '<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>\n'
        + "</svg>\n"
    )
    code, output = validate(minimal_course, safe)
    assert code == 0, output


def test_build_stops_on_an_unsafe_svg(minimal_course: Path, tmp_path: Path) -> None:
    (minimal_course / "assets/diagram.svg").write_text(OPEN + "<script>x</script></svg>", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(minimal_course), "--out", str(tmp_path / "out"), "--no-pdf"])
    assert result.exit_code == 1
    assert f"{SHOWN}:2: script: " in result.output
    assert not list((tmp_path / "out").glob("*.zip"))


def test_each_svg_is_parsed_once_per_content() -> None:
    svg_problems.cache_clear()
    data = (OPEN + "<g/></svg>").encode()
    assert svg_problems(data) == svg_problems(data) == ()
    assert svg_problems.cache_info().misses == 1


def test_jmdi_course_svgs_pass() -> None:
    figures = sorted((ROOT / "course/assets").rglob("*.svg"))
    assert len(figures) >= 13
    assert {f.name: svg_problems(f.read_bytes()) for f in figures} == {f.name: () for f in figures}


def test_a_figures_narrow_layout_is_refused_like_the_figure(minimal_course: Path) -> None:
    """The narrow layout beside the fixture's figure (no Markdown names it) is checked as strictly."""
    unsafe = OPEN + "<title>Two boxes</title>\n<script>x</script>\n</svg>\n"
    code, output = validate(minimal_course, unsafe, name="diagram.narrow.svg")
    assert code == 1, output
    assert "course/assets/diagram.narrow.svg:3: script: <script> is not allowed" in output
