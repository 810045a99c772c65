"""Our runtime sources as packages ship them: comments and indentation out, code untouched.

The sources under ``runtime/`` are written to be read (comments cite the standards); a learner's
browser only needs the code. Both functions drop whole lines and leading whitespace only, so no
string, regular expression or selector can change, and the output depends on the input alone
(reproducible builds).
"""

from __future__ import annotations

import re

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_STRING = re.compile(r"(\"[^\"]*\"|'[^']*')")
# Spaces around { } ; , and after : (before it, a space is a descendant combinator: "nav :focus").
_CSS_SPACE = re.compile(r"\s*([{};,])\s*|(:)\s+")
# Code (no slash, no backtick; strings only in quotes without backslashes), then a // comment.
_TRAILING_COMMENT = re.compile(r"""^((?:[^'"`/\\]|"[^"\\]*"|'[^'\\]*')*?)\s+//(?:\s.*)?$""")
# An empty block holding only a comment, after ")" or "else" (``catch (e) { /* why */ }``).
_COMMENT_BLOCK = re.compile(r"(\)|\belse) \{ /\*[^*/]*\*/ \}")
_QUOTE = re.compile(r"[\"'`]")


def compact_js(source: str) -> str:
    """JavaScript without comments and indentation (about a quarter lighter).

    The sources follow two rules: a comment starting a line is a comment to its end (no code
    after ``*/``), and no string spans lines. A ``//`` comment after code goes only when what
    precedes it holds no slash, backslash or backtick and its quotes pair up, so it cannot sit
    inside a string or a regular expression; any other one stays. On a line without quotes, a
    block that holds only a comment after ``)`` or ``else`` becomes ``{}``.
    """
    out, in_block = [], False
    for raw in source.splitlines():
        line = raw.strip()
        if in_block:
            in_block = not line.endswith("*/")
            continue
        if line.startswith("/*"):
            in_block = not line.endswith("*/")
            continue
        if line and not line.startswith("//"):
            code = _TRAILING_COMMENT.match(line)
            line = code.group(1) if code else line
            if not _QUOTE.search(line):  # no string on the line, so the comment is no string's text
                line = _COMMENT_BLOCK.sub(r"\1 {}", line)
            out.append(line)
    return "\n".join(out) + "\n"


def compact_css(source: str) -> str:
    """A stylesheet without comments (no string in ours holds ``/*``), indentation, blank lines and
    the spaces around ``{ } ; ,`` and after ``:`` (outside quoted strings)."""
    lines = (_tight(line.strip()) for line in _CSS_COMMENT.sub("", source).splitlines())
    return "\n".join(line for line in lines if line) + "\n"


def _tight(line: str) -> str:
    parts = _CSS_STRING.split(line)  # odd items are the quoted strings, kept as they are
    for index in range(0, len(parts), 2):
        parts[index] = _CSS_SPACE.sub(lambda m: m.group(1) or m.group(2), parts[index]).replace(";}", "}")
    return "".join(parts)
