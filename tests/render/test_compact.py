"""compact.py: the runtime as packages ship it loses comments and spaces, never behaviour."""

from __future__ import annotations

from pathlib import Path

import pytest

from jmdi_scorm.render.compact import compact_css, compact_js
from tests.conftest import ROOT
from tests.support.node_syntax import syntax_errors

RUNTIME = ROOT / "src" / "jmdi_scorm" / "runtime"


@pytest.mark.parametrize(
    ("line", "shipped"),
    [
        ('var a = "x"; // why', 'var a = "x";'),
        ("f('//', \"b\"); // why", "f('//', \"b\");"),
        ('var url = "https://example.org/";', 'var url = "https://example.org/";'),  # no comment
        ('var a = "x // y";', 'var a = "x // y";'),  # inside a string
        ('var a = "x \\" // y";', 'var a = "x \\" // y";'),  # escaped quote: left alone
        ("var r = /a\\/\\/b/; // c", "var r = /a\\/\\/b/; // c"),  # a regular expression: left alone
        ("x = a / b; // c", "x = a / b; // c"),  # a slash before: left alone
        ("  call(); // a comment", "call();"),
        ("// a whole line", None),
        ("} catch (e) { /* another origin */ }", "} catch (e) {}"),  # a block holding only a comment
        ("} else { /* nothing to do */ }", "} else {}"),
        ('f("x) { /* y */ }");', 'f("x) { /* y */ }");'),  # a quote in the line: left alone
        ("try { a(); /* why */ } catch (e) {}", "try { a(); /* why */ } catch (e) {}"),  # code beside it
    ],
)
def test_js_comments_go_only_where_they_cannot_be_code(line: str, shipped: str | None) -> None:
    assert compact_js(f"{line}\nnext();\n") == (f"{shipped}\nnext();\n" if shipped else "next();\n")


def test_js_block_comments_and_indentation_go() -> None:
    source = "/* head\n * more\n */\nfunction f() {\n  /* one line */\n  return 1;\n}\n"
    assert compact_js(source) == "function f() {\nreturn 1;\n}\n"


SCRIPTS = sorted(RUNTIME.glob("*.js"))


@pytest.fixture(scope="module")
def shipped_syntax() -> dict[str, str | None]:
    """Node's syntax error of each runtime script as packages ship it (compacted), or None."""
    return syntax_errors({path.name: compact_js(path.read_text(encoding="utf-8")) for path in SCRIPTS})


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_every_runtime_script_stays_valid(path: Path, shipped_syntax: dict[str, str | None]) -> None:
    source = path.read_text(encoding="utf-8")
    assert shipped_syntax[path.name] is None, shipped_syntax[path.name]
    assert compact_js(source) == compact_js(compact_js(source))  # nothing left to take away


CSSOM = """css => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);
  const walk = rules => Array.from(rules).map(r => r.cssRules ? [r.cssText.split('{')[0], walk(r.cssRules)] : r.cssText);
  return walk(sheet.cssRules); }"""


@pytest.mark.parametrize("name", ["jmdi.css", "jmdi-print.css"])
def test_stylesheets_keep_every_rule(page, name: str) -> None:
    """Chromium reads the same rules from the compact stylesheet as from the source."""
    source = (RUNTIME / name).read_text(encoding="utf-8")
    shipped = compact_css(source)
    assert len(shipped) < 0.9 * len(source) and "/*" not in shipped
    assert page.evaluate(CSSOM, shipped) == page.evaluate(CSSOM, source)


def test_css_keeps_strings_and_descendant_pseudo_classes() -> None:
    source = '.a :focus { content: " ( " attr(href) " ) "; }\n.b > :first-child , .c { margin: 0 ; }\n'
    assert compact_css(source) == '.a :focus{content:" ( " attr(href) " ) "}\n.b > :first-child,.c{margin:0}\n'
