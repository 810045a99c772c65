"""The runtime files a package ships (``runtime/``): the core's companions as files, compacted,
with the interface strings they need written in, and the adapter scripts with the files they
join and the spec limits they enforce."""

from __future__ import annotations

import json
import re
from importlib import resources

from jmdi_scorm.errors import BuildError
from jmdi_scorm.render.compact import compact_css, compact_js
from jmdi_scorm.render.site import RUNTIME_DIR
from jmdi_scorm.source import spec_limits

#: The runtime every package ships as files; jmdi-questions.js and .css are loaded by the core with the
#: first page that has questions (issue 15), jmdi-viewer.js (which loads its .css) when a figure is
#: first opened, jmdi-glossary.js (which loads its .css) when a glossary term is first opened in a
#: page, jmdi-pages.css (the other pages' content and print rules) once the first page is up; jmdi.css
#: is the print pages' (the launch page carries it written in, as it carries the core, jmdi-core.js:
#: launch_style, launch_script).
CORE_FILES = (
    "jmdi-questions.js",
    "jmdi-viewer.js",
    "jmdi-glossary.js",
    "jmdi.css",
    "jmdi-pages.css",
    "jmdi-questions.css",
    "jmdi-viewer.css",
    "jmdi-glossary.css",
    "jmdi-print.css",
    "jmdi-icon.svg",
)
#: The first page's own files, shipped without comments or indentation (compact.py); with the
#: adapter scripts they are most of its weight.
COMPACTED = {
    "jmdi-questions.js": compact_js,
    "jmdi.css": compact_css,
    "jmdi-pages.css": compact_css,
    "jmdi-questions.css": compact_css,
    "jmdi-viewer.js": compact_js,
    "jmdi-viewer.css": compact_css,
    "jmdi-glossary.js": compact_js,
    "jmdi-glossary.css": compact_css,
}
#: Interface strings of the figure viewer, written into jmdi-viewer.js for ``VIEWER_STRINGS``: the
#: launch page does not carry them (first-page budget, tests/targets/test_build_web.py).
VIEWER_KEYS = (
    "viewer_close",
    "viewer_zoom_in",
    "viewer_zoom_out",
    "viewer_fit",
    "viewer_actual",
    "viewer_image",
    "viewer_description",
    "percent",
)
#: Interface strings of the question code, written into jmdi-questions.js for ``QUESTION_STRINGS``
#: (loaded with the first page that has questions): the launch page does not carry them either.
QUESTION_KEYS = (
    "correct",
    "incorrect",
    "try_again",
    "tries_left",
    "answer_is",
    "choose_first",
    "same_answer",
    "position",
)
#: A line ``// JOIN <file>`` in an adapter's source: the build puts that runtime file there.
JOIN = re.compile(r"^[ \t]*// JOIN (\S+)$", re.MULTILINE)
#: The placeholder in an adapter's source for its spec limits (``spec_limits.runtime_limits``).
SPEC_LIMITS = re.compile(r"\bSPEC_LIMITS\b")


def core_files(strings: dict[str, str], runtime: dict[str, bytes]) -> dict[str, bytes]:
    """``runtime/<name>`` of every file of ``CORE_FILES`` as a package ships it, from ``runtime``
    (:func:`runtime_files`): compacted, and the figure viewer and the question code with their
    interface strings written in."""
    files = {f"{RUNTIME_DIR}/{name}": shipped(name, runtime[name]) for name in CORE_FILES}
    for name, placeholder, keys in (
        ("jmdi-viewer.js", "VIEWER_STRINGS", VIEWER_KEYS),
        ("jmdi-questions.js", "QUESTION_STRINGS", QUESTION_KEYS),
    ):
        text = json.dumps({key: strings[key] for key in keys}, ensure_ascii=False, separators=(",", ":"))
        path = f"{RUNTIME_DIR}/{name}"
        files[path] = files[path].decode().replace(placeholder, text, 1).encode()
    return files


def adapter_script(name: str, runtime: dict[str, bytes] | None = None) -> bytes:
    """The file a package ships as runtime/jmdi-<name>.js: the adapter's source with the runtime
    file each of its ``// JOIN <file>`` lines names put in there (the SCORM adapters share
    jmdi-scorm-common.js, so a package still loads one adapter script), the limits of
    ``spec_limits.runtime_limits(name)`` written in for ``SPEC_LIMITS``, compacted."""
    runtime = runtime or runtime_files()
    source = JOIN.sub(lambda line: runtime[line.group(1)].decode(), runtime[f"jmdi-{name}.js"].decode())
    code = compact_js(source)
    placeholders = len(SPEC_LIMITS.findall(code))
    if placeholders:
        if placeholders > 1:
            raise BuildError(f"runtime/jmdi-{name}.js: SPEC_LIMITS {placeholders} times; the build writes in one")
        limits = json.dumps(spec_limits.runtime_limits(name), separators=(",", ":"))
        code = SPEC_LIMITS.sub(limits, code)
    return code.encode()


def runtime_files() -> dict[str, bytes]:
    folder = resources.files("jmdi_scorm") / "runtime"
    return {item.name: item.read_bytes() for item in folder.iterdir() if item.is_file()}


def shipped(name: str, data: bytes) -> bytes:
    compact = COMPACTED.get(name)
    return compact(data.decode()).encode() if compact else data
