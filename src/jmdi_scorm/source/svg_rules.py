"""Refuse SVG assets that could run script or load anything from outside the file.

An SVG opened on its own (a learner following a figure link, an LMS serving the package's
files on its own origin) runs its scripts on that origin. A course SVG may therefore only draw:
no ``<script>``, event handler, ``<foreignObject>``, frame or plug-in element, no
``javascript:``/``vbscript:``/non-image ``data:`` URL anywhere, no reference other than
``#id`` (``href``, ``src``, ``url(...)``, ``@import``, image functions, ``xml-stylesheet``) and
no DOCTYPE or entity declaration. Each file is parsed once, with entities, DTDs and network
off (a DOCTYPE is refused before parsing), and findings are cached by content.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from jmdi_scorm.safexml import doctype_line, safe_parser

MAX_PROBLEMS = 20  # per file: a hostile file is refused, not listed in full
MAX_TAG_LINES = 500  # how far back a start tag is looked for
XHTML = "http://www.w3.org/1999/xhtml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
PREFIXES = {"http://www.w3.org/1999/xlink": "xlink", XML_NS: "xml"}
FORBIDDEN = {
    "script": "it runs when the file is opened on its own",
    "handler": "it runs when the file is opened on its own",
    "listener": "it runs when the file is opened on its own",
    "foreignobject": "it embeds HTML",
    "iframe": "it loads another document",
    "embed": "it loads another document",
    "object": "it loads another document",
}
ANIMATIONS = {"animate", "set", "animatemotion", "animatetransform", "animatecolor"}
_BLANKS = re.compile(r"[\x00-\x20\x7f]+")  # URL parsers drop tabs and newlines, trim the rest
_SCHEME = re.compile(r"(?<![a-z0-9+.\-])(javascript|vbscript|livescript|data):")
_RASTER_DATA = re.compile(r"data:image/(?:png|jpe?g|gif|webp)[;,]")
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(.))", re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_CSS_URL = re.compile(r"url\(")
_CSS_STRING_IMAGE = re.compile(r"(?:image-set|image|cross-fade|src)\(\s*['\"]")


@dataclass(frozen=True)
class SvgProblem:
    """One reason an SVG is refused: line in the file, element or attribute, message."""

    line: int
    field: str
    message: str


def file_problems(path: Path) -> tuple[SvgProblem, ...]:
    """Why the SVG file at ``path`` is unsafe to ship (empty if it is safe)."""
    if path.name.lower().endswith(".svgz"):
        return (SvgProblem(1, "", "compressed SVG (.svgz) cannot be checked; use a plain .svg file"),)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return (SvgProblem(1, "", f"cannot read the SVG: {exc.strerror or exc}"),)
    return svg_problems(data)


@functools.lru_cache(maxsize=128)
def svg_problems(data: bytes) -> tuple[SvgProblem, ...]:
    """Why the SVG document ``data`` is unsafe (cached: each content is parsed once)."""
    line = doctype_line(data.upper())  # in any letter case
    if line:
        return (SvgProblem(line, "DOCTYPE", "DOCTYPE or ENTITY declarations are not allowed in an SVG"),)
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        return (SvgProblem(exc.lineno or 1, "", f"not well-formed XML, cannot be checked: {exc.msg}"),)
    except (ValueError, etree.LxmlError) as exc:
        return (SvgProblem(1, "", f"unreadable XML, cannot be checked: {exc}"),)
    source = _Source(data, root)
    found: list[SvgProblem] = []
    for node, field, message in _findings(root):
        found.append(SvgProblem(source.line_of(node, field), field, message))
        if len(found) == MAX_PROBLEMS:
            found.append(SvgProblem(found[-1].line, "", "more problems in this file are not listed"))
            break
    return tuple(found)


Finding = tuple[etree._Element, str, str]


def _findings(root: etree._Element) -> list[Finding]:
    """(node, field, message) of every problem, in document order."""
    nodes = [*reversed(list(root.itersiblings(preceding=True))), *root.iter(), *root.itersiblings()]
    found: list[Finding] = []
    for node in nodes:
        if isinstance(node, etree._ProcessingInstruction):
            found.extend(_instruction_findings(node))
        elif isinstance(node.tag, str):
            found.extend(_element_findings(node))
            found.extend(_attribute_findings(node))
    return found


def _instruction_findings(node: etree._ProcessingInstruction) -> list[Finding]:
    if node.target.lower() == "xml-stylesheet":
        return [(node, "xml-stylesheet", "style sheet instructions are not allowed (they load another file)")]
    return []


def _element_findings(node: etree._Element) -> list[Finding]:
    qname = etree.QName(node)
    name = qname.localname.lower()
    if name in FORBIDDEN:
        return [(node, qname.localname, f"<{qname.localname}> is not allowed in an SVG: {FORBIDDEN[name]}")]
    if qname.namespace == XHTML:
        return [(node, qname.localname, f"HTML element <{qname.localname}> is not allowed in an SVG")]
    if name in ANIMATIONS:
        target = (node.get("attributeName") or "").strip().lower().rpartition(":")[2]
        if target in ("href", "src") or target.startswith("on"):
            return [(node, "attributeName", f"animating '{target}' is not allowed in an SVG")]
    if name == "style":
        return _style_element_findings(node)
    return []


def _style_element_findings(node: etree._Element) -> list[Finding]:
    if len(node):
        return [(node, "style", "<style> may hold only CSS text (no comments or elements)")]
    problem = _value_problem(node.text or "")
    return [(node, "style", problem)] if problem else []


def _attribute_findings(node: etree._Element) -> list[Finding]:
    found: list[Finding] = []
    for key, value in node.attrib.items():
        qname = etree.QName(key)
        name = f"{PREFIXES.get(qname.namespace or '', 'ns')}:{qname.localname}" if qname.namespace else key
        local = qname.localname.lower()
        if local.startswith("on"):
            problem: str | None = "event-handler attributes are not allowed in an SVG"
        elif qname.namespace == XML_NS and local == "base":
            problem = "xml:base is not allowed in an SVG (it redirects '#id' references)"
        elif local in ("href", "src"):
            problem = _reference_problem(value) or _value_problem(value)
        else:
            problem = _value_problem(value)
        if problem:
            found.append((node, name, problem))
    return found


def _value_problem(text: str) -> str | None:
    """A script URL anywhere in ``text``, or CSS in it that loads another file."""
    return _scheme_problem(text) or _css_problem(text)


def _scheme_problem(text: str) -> str | None:
    if ":" not in text:  # character references are already decoded by the parser
        return None
    squeezed = _BLANKS.sub("", text).lower()
    for match in _SCHEME.finditer(squeezed):
        if not _RASTER_DATA.match(squeezed, match.start()):
            return f"'{match.group(1)}:' URLs are not allowed in an SVG"
    return None


def _reference_problem(target: str) -> str | None:
    """Why ``target`` (an href, src or url() value) is not a reference inside the file."""
    squeezed = _BLANKS.sub("", target)
    if not squeezed or squeezed.startswith("#") or _RASTER_DATA.match(squeezed.lower()):
        return None
    scheme = _SCHEME.match(squeezed.lower())
    if scheme:
        return f"'{scheme.group(1)}:' URLs are not allowed in an SVG"
    shown = squeezed if len(squeezed) <= 60 else squeezed[:57] + "..."
    return f"reference to '{shown}' outside the file; an SVG may only refer to its own '#id's"


def _css_problem(text: str) -> str | None:
    """``@import``, a ``url()`` that is not ``#id``, or an image function with a URL string."""
    if "\\" not in text and "(" not in text and "@" not in text:
        return None
    plain = _css_unescape(text).lower()
    for css in (plain, _CSS_COMMENT.sub("", plain)):
        if "@import" in css:
            return "@import is not allowed in an SVG"
        for match in _CSS_URL.finditer(css):
            problem = _reference_problem(_url_argument(css, match.end()))
            if problem:
                return problem
        if _CSS_STRING_IMAGE.search(css):
            return "CSS image functions with a URL are not allowed in an SVG"
    return None


def _css_unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(2)
        code = int(match.group(1), 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"

    return _CSS_ESCAPE.sub(one, text)


def _url_argument(css: str, start: int) -> str:
    """The argument of the ``url(`` that ends at ``start``, without quotes."""
    rest = css[start:].lstrip(" \t\n\r\f")
    if rest[:1] in ("'", '"'):
        end = rest.find(rest[0], 1)
        return rest[1:end] if end > 0 else rest[1:]
    end = rest.find(")")
    return rest[:end] if end >= 0 else rest


class _Source:
    """Lines of the file, to place a finding on its attribute's line rather than its tag's end."""

    def __init__(self, data: bytes, root: etree._Element) -> None:
        self.data, self.root = data, root
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            encoding = self.root.getroottree().docinfo.encoding or "utf-8"
            try:
                text = self.data.decode(encoding, errors="replace")
            except LookupError:
                text = self.data.decode("utf-8", errors="replace")
            self._lines = re.split(r"\r\n|\r|\n", text)
        return self._lines

    def line_of(self, node: etree._Element, field: str) -> int:
        """The line of ``field``'s attribute in ``node``'s start tag, else of the tag's start.

        lxml gives the line where the start tag ends; attributes may sit on the lines before.
        """
        end = node.sourceline or 1
        if not isinstance(node.tag, str) or end > len(self.lines):
            return end
        opening = re.compile(rf"<(?:[\w.-]+:)?{re.escape(etree.QName(node).localname)}(?![\w.:-])")
        attribute = re.compile(rf"(?<![\w:.-]){re.escape(field)}\s*=")
        for number in range(end, max(end - MAX_TAG_LINES, 0), -1):
            text = self.lines[number - 1]
            if opening.search(text):
                return number
            if attribute.search(text.split(">", 1)[0] if number == end else text):
                return number
        return end
