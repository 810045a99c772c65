"""Security of what we ship (issue 9, SECURITY.md "What it writes").

- Every HTML page of every built zip (all formats, the fixture course and the real course)
  carries a Content-Security-Policy that allows only the package's own files, and Chromium
  enforces it.
- No built zip carries credentials or tokens, even with fake ones in the environment; course
  text with a credential is refused.
- Course text with markup is escaped in every page, content script and descriptor, and
  Chromium runs none of it (even with the CSP switched off).
- Raw HTML in Markdown is shown as text by default; ``allow_html: true`` cleans it with nh3.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree
from lxml import html as lxml_html

from jmdi_scorm.build import BuildOptions, build
from jmdi_scorm.cli import main
from jmdi_scorm.errors import BuildError
from jmdi_scorm.package.safety import csp_problem, parse_csp
from jmdi_scorm.render.launch_page import CSP, launch_script
from jmdi_scorm.render.sanitize import clean_html
from tests.conftest import MINIMAL, ROOT
from tests.support.build_cache import cache_copy

REAL_COURSE = ROOT / "course"
LRS_FORMATS = ("xapi", "cmi5")
DESCRIPTORS = ("imsmanifest.xml", "tincan.xml", "cmi5.xml")

# --- built packages ---------------------------------------------------------------------------

FAKE_TOKEN = "jmdiFakeToken7Q2x9Lw4Zk"
FAKE_ENV = {
    "LRS_ENDPOINT": f"https://lrs-user:{FAKE_TOKEN}@lrs.example.org/xapi/",
    "LRS_AUTH": "Basic " + base64.b64encode(f"lrs-user:{FAKE_TOKEN}".encode()).decode(),
    "XAPI_AUTHORIZATION": f"Bearer {FAKE_TOKEN}",
    "CMI5_AUTH_TOKEN": FAKE_TOKEN,
    "JMDI_SCORM_LRS_PASSWORD": FAKE_TOKEN,
    "JMDI_SCORM_TOKEN": FAKE_TOKEN,
    "HTTP_AUTHORIZATION": f"Basic {FAKE_TOKEN}",
}


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def options(out: Path, pdf: bool = False, **changes: object) -> BuildOptions:
    """Build options; module PDFs (slow, and made from the print pages checked here) only when asked."""
    if "pdf" in BuildOptions.__dataclass_fields__:
        changes["pdf"] = pdf
    return BuildOptions(out=out, **changes)  # type: ignore[arg-type]


def build_all(
    course: Path,
    out: Path,
    split: str | None = None,
    pdf: bool = False,
    languages: tuple[str, ...] = (),
    cache: Path | None = None,
) -> dict[str, dict[str, bytes]]:
    """Every format of ``course`` (in ``languages``, default every one it has) built with fake
    credentials in the environment, its cache in ``cache`` (default: the course folder's): {zip: files}."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_ENV.items():
            patch.setenv(name, value)
        result = build(course, options(out, pdf=pdf, split=split, languages=languages, cache=cache))
    return {artifact.path.name: read_zip(artifact.path) for artifact in result.artifacts}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory, warm_pdf_cache: Path) -> dict[str, dict[str, bytes]]:
    """Every zip of the fixture course (whole, with its PDFs, and split by module) and of the real course."""
    cache = cache_copy(warm_pdf_cache, tmp_path_factory.mktemp("cache") / "cache")
    zips = build_all(MINIMAL, tmp_path_factory.mktemp("minimal"), pdf=True, cache=cache)
    zips |= build_all(MINIMAL, tmp_path_factory.mktemp("split"), split="module")
    zips |= build_all(REAL_COURSE, tmp_path_factory.mktemp("real"), languages=("en", "ar"))  # ar: right to left
    return zips


def fmt_of(zip_name: str) -> str:
    return next(
        f
        for f in ("scorm12", "scorm2004-3rd", "scorm2004-4th", "xapi", "cmi5", "web")
        if zip_name.endswith(f"-{f}.zip")
    )


def html_pages(files: dict[str, bytes]) -> dict[str, str]:
    return {name: data.decode("utf-8") for name, data in files.items() if name.endswith((".html", ".htm"))}


# Strings of a content script that the core puts into the page as HTML (jmdi-core.js: render,
# showResult); the others (desc, answers, pattern...) are data it compares or hands to adapters.
HTML_KEYS = re.compile(r"^\.html$|^\.questions\.[^.]+\.(fb\.\w+|cfb\.\w+|reveal)$")


def content_fragments(files: dict[str, bytes]) -> Iterator[tuple[str, str]]:
    """(where, html) of every HTML string inside the content scripts (pages and answer data)."""
    for name, data in files.items():
        if name.startswith("content/") and name.endswith(".js"):
            text = data.decode("utf-8")
            assert text.startswith("JMDI.page(") and text.endswith(");\n"), name
            for path, value in walk_strings(json.loads(text[len("JMDI.page(") : -3])):
                if HTML_KEYS.match(path):
                    yield f"{name}:{path}", value


def walk_strings(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk_strings(item, f"{path}[{index}]")


# --- Content-Security-Policy ------------------------------------------------------------------


def is_launch_page(page: str) -> bool:
    """``index.html``, or a language's in a web package (``fr/index.html``)."""
    return PurePosixPath(page).name == "index.html"


def style_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def expected_policy(zip_name: str, page: str, styles: list[str], scripts: list[str]) -> dict[str, list[str]]:
    """The project's policy; a launch page's also names its ``<style>`` and its ``<script>`` by hash
    (its style sheet and the core, written in: issue 16)."""
    policy = {name: value.split() for name, value in CSP.items()}
    if fmt_of(zip_name) in LRS_FORMATS and page == "index.html":
        policy["connect-src"] = ["'self'", "https:", "http:"]  # the LRS is named at launch only
    policy["style-src"] += [style_hash(text) for text in styles]
    policy["script-src"] += [style_hash(text) for text in scripts]
    return policy


def local_target(page: str, url: str, files: dict[str, bytes]) -> str:
    """The zip entry a relative URL of ``page`` points at (fails for anything else)."""
    parts = urlsplit(url)
    assert not parts.scheme and not parts.netloc and not url.startswith("/"), f"{page}: {url} is not relative"
    target = os.path.normpath(str(PurePosixPath(page).parent / parts.path)).replace(os.sep, "/")
    assert target in files, f"{page}: {url} is not in the package"
    return target


def check_page_loads_only_package_files(zip_name: str, page: str, text: str, files: dict[str, bytes]) -> None:
    doc = lxml_html.document_fromstring(text)
    metas = doc.xpath("//meta[translate(@http-equiv, 'CONTENST-PLIY', 'contenst-pliy')='content-security-policy']")
    assert len(metas) == 1, f"{zip_name}/{page}: {len(metas)} CSP metas"
    meta = metas[0]
    assert meta.getparent().tag == "head"
    loads = doc.xpath("//script | //link | //style | //img | //iframe | //object | //embed | //base")
    order = list(doc.iter())
    assert all(order.index(meta) < order.index(el) for el in loads), f"{zip_name}/{page}: CSP after a load"
    styles = [style.text or "" for style in doc.iter("style")]
    assert len(styles) == (1 if is_launch_page(page) else 0), f"{zip_name}/{page}: {len(styles)} <style>"
    # Inline scripts: the config, data that CSP never runs, and the core, allowed by its hash.
    data = [el for el in doc.iter("script") if el.get("src") is None and el.get("type") == "application/json"]
    code = [el.text or "" for el in doc.iter("script") if el.get("src") is None and el.get("type") is None]
    assert [el.get("id") for el in data] == (["jmdi-config"] if is_launch_page(page) else []), page
    assert code == ([launch_script()] if is_launch_page(page) else []), f"{zip_name}/{page}: inline scripts"
    assert parse_csp(meta.get("content")) == expected_policy(zip_name, page, styles, code), f"{zip_name}/{page}"
    for script in doc.iter("script"):
        if script.get("src") is not None:
            local_target(page, script.get("src"), files)
    for link in doc.iter("link"):
        if link.get("rel") == "icon" and link.get("href", "").startswith("data:image/svg+xml,"):
            continue  # the launch page's icon, written in the page: it loads nothing (SECURITY.md)
        local_target(page, link.get("href"), files)
    for img in doc.iter("img"):
        local_target(page, img.get("src"), files)
    assert not doc.xpath("//*[@style]"), f"{zip_name}/{page}: style attributes (blocked by the CSP)"
    assert not [el for el in doc.iter() if any(name.lower().startswith("on") for name in el.attrib)], page


def test_every_html_page_of_every_zip_allows_only_the_package(shipped) -> None:
    assert {fmt_of(name) for name in shipped} == {"scorm12", "scorm2004-3rd", "scorm2004-4th", "xapi", "cmi5", "web"}
    for zip_name, files in shipped.items():
        pages = html_pages(files)
        assert "index.html" in pages and any(name.startswith("print/") for name in pages), zip_name
        for page, text in pages.items():
            check_page_loads_only_package_files(zip_name, page, text, files)
        for where, fragment in content_fragments(files):
            root = lxml_html.fragment_fromstring(fragment, create_parent="div")
            for img in root.iter("img"):
                local_target("index.html", img.get("src"), files)  # content is shown in index.html
            assert not list(root.iter("script", "style", "iframe", "object", "embed")), where
            assert not root.xpath("//*[@style]"), where


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml")
        self.end_headers()
        self.wfile.write(b'<svg xmlns="http://www.w3.org/2000/svg"/>')

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def other_origin() -> Iterator[tuple[str, list[str]]]:
    """A loopback server on another origin that records every request it gets."""
    hits: list[str] = []
    handler = type("Recorder", (_Recorder,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", hits
    server.shutdown()
    server.server_close()


VIOLATIONS = """() => { window.__csp = [];
  document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI)); }"""


def unzip(files: dict[str, bytes], folder: Path) -> Path:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def page_ids(files: dict[str, bytes]) -> list[str]:
    shell = files["index.html"].decode()
    config = re.search(r'<script type="application/json" id="jmdi-config">(.*?)</script>', shell, re.S)
    assert config
    return [p["id"] for p in json.loads(config.group(1))["pages"]]


@pytest.mark.parametrize("fmt", ["web", "scorm2004-4th", "cmi5"])
def test_chromium_enforces_the_policy(shipped, browser, serve, tmp_path, other_origin, fmt) -> None:
    files = shipped[f"mini-course-{fmt}.zip"]
    base = serve(unzip(files, tmp_path / "pkg"))
    other, hits = other_origin
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(f"({VIOLATIONS})()")
        page.goto(base + "index.html")
        page.wait_for_selector("#jmdi-page[data-page]")
        for ident in page_ids(files):  # every page shows under the policy without a violation
            page.evaluate("id => { location.hash = '#/' + id; }", ident)
            page.wait_for_selector(f'#jmdi-page[data-page="{ident}"]')
        for name in html_pages(files):
            if name.startswith("print/"):
                page.goto(base + name)
                page.wait_for_load_state("load")
                assert page.evaluate("() => window.__csp") == [], name
        page.goto(base + "index.html")
        page.wait_for_selector("#jmdi-page[data-page]")
        assert page.evaluate("() => window.__csp") == []
        # Anything else is refused: another origin's image, script, style and frame, inline code.
        page.evaluate(
            """other => {
              const add = (tag, attrs) => document.body.appendChild(Object.assign(document.createElement(tag), attrs));
              add('img', {src: other + 'img.svg'});
              add('script', {src: other + 'x.js'});
              add('link', {rel: 'stylesheet', href: other + 'x.css'});
              add('iframe', {src: other + 'frame'});
              add('script', {textContent: 'window.__ran = true'});
              add('style', {textContent: 'body { display: none }'});
              add('div', {innerHTML: '<img src="x.png" onerror="window.__ran = true">'});
            }""",
            other,
        )
        page.wait_for_function("() => window.__csp.length >= 6")
        page.wait_for_timeout(300)
        violated = {entry.split()[0] for entry in page.evaluate("() => window.__csp")}
        assert {"img-src", "script-src-elem", "style-src-elem", "frame-src"} <= violated, violated
        assert page.evaluate("() => window.__ran") is None
        # the launch page's own <style> applies; another one, not allowed by a hash, does not
        assert page.evaluate("() => getComputedStyle(document.body).display") != "none"
        if fmt not in LRS_FORMATS:  # connect-src is 'self' except where the LRS is named at launch
            page.evaluate("other => fetch(other + 'data').catch(() => null)", other)
            page.wait_for_function("() => window.__csp.some(v => v.startsWith('connect-src'))")
        assert hits == []
    finally:
        context.close()


# --- credentials ------------------------------------------------------------------------------

CREDENTIALS = [
    re.compile(rb"Authorization\s*[\"']?\s*[:=]\s*[\"']?\s*(Basic|Bearer)\s", re.IGNORECASE),
    re.compile(rb"\b(Basic|Bearer)(\s|%20|\+)+[A-Za-z0-9+/_.~-]{12,}={0,2}"),
    re.compile(rb"passw(or)?d[\"']?\s*[:=]\s*[\"']?[^\s\"',;&]{3,}", re.IGNORECASE),
    re.compile(rb"(secret|api[_-]?key|access[_-]?token)[\"']?\s*[:=]\s*[\"'][^\"']{6,}", re.IGNORECASE),
    re.compile(rb"\b(https?|wss?)://[^\s/@:'\"<>]+:[^\s/@'\"<>]+@"),
    re.compile(rb"[?&;]auth=[^&\s'\"]", re.IGNORECASE),
    re.compile(rb"[\"']auth-token[\"']\s*:\s*[\"'][^\"']+"),
]


def fake_token_forms() -> list[bytes]:
    pair = f"lrs-user:{FAKE_TOKEN}".encode()
    return [
        FAKE_TOKEN.encode(),
        base64.b64encode(pair),
        quote(FAKE_ENV["LRS_AUTH"]).encode(),
        FAKE_TOKEN.encode()[::-1],
    ]


def texts_of(files: dict[str, bytes]) -> Iterator[tuple[str, bytes]]:
    """Every file's bytes, and the text of every PDF (its streams are compressed)."""
    for name, data in files.items():
        yield name, data
        if name.endswith(".pdf"):
            from pypdf import PdfReader

            text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
            yield f"{name} (text)", text.encode()


def credential_findings(files: dict[str, bytes]) -> list[str]:
    found = []
    for name, data in texts_of(files):
        for form in fake_token_forms():
            if form in data:
                found.append(f"{name}: the fake token")
        for pattern in CREDENTIALS:
            for match in pattern.finditer(data):
                found.append(f"{name}: {match.group(0)[:60]!r}")
    return found


def test_no_built_zip_carries_credentials(shipped) -> None:
    scanned: set[bytes] = set()  # the runtime and the images are in every zip: each content once
    for zip_name, files in shipped.items():
        unseen = {name: data for name, data in files.items() if data not in scanned}
        scanned.update(unseen.values())
        assert credential_findings(unseen) == [], zip_name


def test_the_credential_scan_finds_what_it_looks_for() -> None:
    planted = {
        "a.js": b'fetch(u, {headers: {"Authorization": "Basic '
        + base64.b64encode(b"u:" + FAKE_TOKEN.encode())
        + b'"}})',
        "b.html": b'<a href="launch.html?endpoint=x&auth=Basic%20abc">go</a>',
        "c.json": b'{"auth-token": "QWxhZGRpbjpvcGVuIHNlc2FtZQ", "password": "hunter22"}',
        "d.txt": b"https://bob:s3cret@lrs.example.org/xapi/",
    }
    found = credential_findings(planted)
    for name in planted:
        assert any(f.startswith(name) for f in found), name


SECRET_LINES = [
    "Authorization: Basic bHJzLXVzZXI6c2VjcmV0LXBhc3N3b3Jk",
    "Our LRS is https://lrs-user:secret-password@lrs.example.org/xapi/ for now.",
    "Launch with index.html?endpoint=https://lrs.example.org/&auth=Basic%20bHJzLXVzZXI6c2VjcmV0",
]


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004-4th", "xapi", "cmi5", "web"])
@pytest.mark.parametrize("line", SECRET_LINES, ids=["authorization", "url-userinfo", "auth-param"])
def test_a_credential_in_the_course_stops_the_build(minimal_course, tmp_path, fmt, line) -> None:
    topic = minimal_course / "modules" / "intro" / "intro-02.md"
    topic.write_text(topic.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    out = tmp_path / "dist"
    with pytest.raises(BuildError, match="refusing .*credential") as refused:
        build(minimal_course, options(out, formats=(fmt,)))
    assert "content/intro-02.js" in str(refused.value)
    assert not out.exists() or not list(out.glob("*.zip"))


def test_a_template_override_cannot_drop_the_policy(minimal_course, tmp_path) -> None:
    (minimal_course / "templates").mkdir()
    builtin = (ROOT / "templates" / "print.html").read_text(encoding="utf-8")
    loose = re.sub(r"<meta http-equiv=\"Content-Security-Policy\"[^>]*>\n", "", builtin)
    assert loose != builtin
    (minimal_course / "templates" / "print.html").write_text(loose, encoding="utf-8")
    with pytest.raises(BuildError, match="print/intro.html: no Content-Security-Policy"):
        build(minimal_course, options(tmp_path / "d", formats=("web",)))


def launch_page(
    style_src: str, script_src: str = "'self'", styles: tuple[str, ...] = (), scripts: tuple[str, ...] = ()
) -> str:
    policy = "; ".join(
        f"{name} {value}" for name, value in (CSP | {"style-src": style_src, "script-src": script_src}).items()
    )
    body = "".join(f"<style>{text}</style>" for text in styles)
    body += '<script type="application/json" id="jmdi-config">{"a": 1}</script><script src="x.js"></script>'
    body += "".join(f"<script>{text}</script>" for text in scripts)
    return f'<html><head><meta http-equiv="Content-Security-Policy" content="{policy}">{body}</head></html>'


SHEET = ".a{color:red}"


@pytest.mark.parametrize(
    ("style_src", "script_src", "styles", "problem"),
    [
        (f"'self' {style_hash(SHEET)}", "'self'", (SHEET,), None),
        ("'self'", "'self'", (), None),
        (f"'self' {style_hash(SHEET)}", "'self'", (), "no <style> of the page"),  # a hash for nothing
        (f"'self' {style_hash(SHEET)}", "'self'", (SHEET + " ",), "no <style> of the page"),  # another text
        ("'self'", "'self'", (SHEET,), "does not allow by its hash"),  # a style the policy blocks
        (f"'self' {style_hash(SHEET)}", "'self'", (SHEET, ".b{}"), "does not allow by its hash"),
        ("'self' 'unsafe-inline'", "'self'", (SHEET,), "style-src allows 'unsafe-inline'"),
        ("'self'", f"'self' {style_hash(SHEET)}", (), "no <script> of the page"),  # a script hash for nothing
    ],
)
def test_the_audit_allows_a_style_in_the_page_by_its_own_hash_only(
    style_src: str, script_src: str, styles: tuple[str, ...], problem: str | None
) -> None:
    found = csp_problem(launch_page(style_src, script_src, styles))
    assert found == problem if problem is None else problem in (found or ""), found


CODE = "window.x = 1;"


@pytest.mark.parametrize(
    ("script_src", "scripts", "problem"),
    [
        (f"'self' {style_hash(CODE)}", (CODE,), None),  # the config and a file need no hash
        ("'self'", (CODE,), "does not allow by its hash"),  # a script the policy blocks
        (f"'self' {style_hash(CODE)}", (CODE + " ",), "no <script> of the page"),  # another text
        (f"'self' {style_hash(CODE)}", (CODE, "y()"), "does not allow by its hash"),
        ("'self' 'unsafe-inline'", (CODE,), "script-src"),
        (f"{style_hash(CODE)}", (CODE,), "must have script-src 'self'"),
    ],
)
def test_the_audit_allows_a_script_in_the_page_by_its_own_hash_only(
    script_src: str, scripts: tuple[str, ...], problem: str | None
) -> None:
    found = csp_problem(launch_page("'self'", script_src, scripts=scripts))
    assert found == problem if problem is None else problem in (found or ""), found


# --- course text with markup --------------------------------------------------------------------

PAYLOAD = "<script>alert('s1')</script>\"><img src=x onerror=alert('s2')>'><svg onload=alert('s3')></script><!--"


def _rewrite_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _rewrite_topic(path: Path, change, body_extra: str) -> None:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    data = yaml.safe_load(front)
    change(data)
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(f"---\n{front}---\n{body}\n{body_extra}", encoding="utf-8")


def _mark_questions(questions: list[dict]) -> None:
    for q in questions:
        q["prompt"] += " " + PAYLOAD
        q["feedback"] = {k: v + " " + PAYLOAD for k, v in q["feedback"].items()}
        for choice in q.get("choices", []):
            choice["text"] += PAYLOAD
            choice["feedback"] = "Because " + PAYLOAD
        for pair in q.get("pairs", []):
            pair["left"] += PAYLOAD
        if "items" in q:
            q["items"] = [item + PAYLOAD for item in q["items"]]
        if "answers" in q:
            q["answers"].append(PAYLOAD)


BODY = f"""
## Heading {PAYLOAD}

A paragraph {PAYLOAD} with `code {PAYLOAD}` and a [link](https://example.org/ "{PAYLOAD.replace('"', "")}").

![{PAYLOAD}](../../assets/diagram.svg)

| a | b |
|---|---|
| {PAYLOAD.replace("|", "")} | cell |

::: takeaway {PAYLOAD}
A box.
:::

A footnote[^x].

[^x]: Note {PAYLOAD}
"""


def hostile_course(base: Path) -> Path:
    course = base / "hostile"
    shutil.copytree(MINIMAL, course)

    def course_yaml(d: dict) -> None:
        d["title"] = "Course " + PAYLOAD
        d["description"] = "About " + PAYLOAD
        d["how_to_use"] = "Use " + PAYLOAD
        for key in ("audience", "objectives", "outcomes"):
            d[key] = [item + PAYLOAD for item in d[key]]
        d["credits"] = [{"name": "Name " + PAYLOAD, "role": "Role " + PAYLOAD}]

    def module_yaml(d: dict) -> None:
        d["title"] += PAYLOAD
        d["aim"] += PAYLOAD
        d["objectives"] = [o + PAYLOAD for o in d["objectives"]]
        if d.get("assessment"):
            d["assessment"]["title"] += PAYLOAD
            _mark_questions(d["assessment"]["questions"])

    def topic(d: dict) -> None:
        d["title"] += PAYLOAD
        d["summary"] += PAYLOAD
        d["objectives"] = [o + PAYLOAD for o in d["objectives"]]
        _mark_questions(d.get("questions", []))

    _rewrite_yaml(course / "course.yaml", course_yaml)
    for module in (course / "modules").iterdir():
        _rewrite_yaml(module / "module.yaml", module_yaml)
        for path in module.glob("*.md"):
            _rewrite_topic(path, topic, BODY)
    _rewrite_yaml(course / "glossary.yaml", lambda d: [t.update(term=t["term"] + PAYLOAD, definition=t["definition"] + PAYLOAD, source=PAYLOAD) for t in d["terms"]])  # fmt: skip
    _rewrite_yaml(course / "resources.yaml", lambda d: [r.update(title=r["title"] + PAYLOAD, description=PAYLOAD) for r in d["resources"]])  # fmt: skip
    return course


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    base = tmp_path_factory.mktemp("hostile")
    return build_all(hostile_course(base), base / "dist")


def _a_cover(el) -> bool:
    """A module page's own cover (render/covers.py): drawn by the build, no course text in it, and
    nothing that runs (its attributes are still read for handlers below)."""
    return (
        el.tag == "svg"
        and el.get("class") == "jmdi-cover"
        and not any(child.tag in ("script", "foreignObject") for child in el.iter())
    )


def dangerous(root, injected: bool = True) -> list[str]:
    """Elements or attributes that would run code, in a parsed document or fragment (and, with
    ``injected``, the payload's ``<img src=x>``, which escaped text never becomes)."""
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        core = el.text == launch_script()  # the core, written into the launch page (issue 16)
        if el.tag == "script" and not (el.get("src") or el.get("type") == "application/json" or core):
            found.append("inline script")
        embedded = el.tag in ("svg", "iframe", "object", "embed") and not _a_cover(el)
        if embedded or (injected and el.tag == "img" and el.get("src") == "x"):
            found.append(f"<{el.tag}>")
        for name, value in el.attrib.items():
            if name.lower().startswith("on") or value.strip().lower().startswith("javascript:"):
                found.append(f"<{el.tag} {name}>")
    return found


def test_course_text_is_escaped_in_every_page_and_content_script(hostile) -> None:
    assert len(hostile) == 6
    for zip_name, files in hostile.items():
        for page, text in html_pages(files).items():
            doc = lxml_html.document_fromstring(text)
            assert dangerous(doc) == [], f"{zip_name}/{page}"
            assert len(doc.xpath("//script[@type='application/json']")) <= 1
            assert PAYLOAD in doc.text_content(), f"{zip_name}/{page}: the text is shown as typed"
        config = re.search(r'id="jmdi-config">(.*?)</script>', files["index.html"].decode(), re.S)
        assert config and "</" not in config.group(1) and "<!--" not in config.group(1)
        assert json.loads(config.group(1))["title"] == "Course " + PAYLOAD
        fragments = list(content_fragments(files))
        assert len(fragments) > 10
        for where, fragment in fragments:
            assert dangerous(lxml_html.fragment_fromstring(fragment, create_parent="div")) == [], where
        for name in DESCRIPTORS:
            if name in files:  # the XML stays well-formed and carries the title as text
                root = etree.fromstring(files[name])
                assert any(PAYLOAD in (el.text or "") for el in root.iter()), f"{zip_name}/{name}"


#: Answers every open question of the page, another answer each ``turn`` (the same answer as the
#: last try counts no try): the option numbered ``turn``, the payload and the turn typed, the
#: ``turn``-th answer in every list, an ordering item moved down.
ANSWER_ALL = """([payload, turn]) => {
  for (const form of document.querySelectorAll('form.jmdi-q')) {
    const boxes = form.querySelectorAll('input[type=radio], input[type=checkbox]');
    boxes.forEach((i, n) => { i.checked = n === turn % boxes.length; });
    form.querySelectorAll('input[type=text]').forEach(i => { i.value = payload + ' ' + turn; });
    form.querySelectorAll('select').forEach(s => { s.selectedIndex = 1 + turn % (s.options.length - 1); });
    const down = form.querySelector('[data-move="1"]:not([aria-disabled="true"])');
    if (down && turn) down.click();
    const button = form.querySelector('button[type=submit]');
    if (button && !button.hidden) form.requestSubmit(button);
  }
}"""
FIND_DANGER = """core => [...document.querySelectorAll('*')].flatMap(el => {
  const bad = [...el.attributes].filter(a => /^on/i.test(a.name) || /^\\s*javascript:/i.test(a.value)).map(a => el.tagName + ' ' + a.name);
  const cover = el.matches('svg.jmdi-cover') && !el.querySelector('script, foreignObject');  // render/covers.py
  if (['SVG', 'IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName.toUpperCase()) && !cover) bad.push(el.tagName);
  if (el.tagName === 'SCRIPT' && !el.src && el.type !== 'application/json' && el.text !== core) bad.push('inline script');
  return bad;
})"""


@pytest.mark.parametrize("fmt", ["web", "scorm12"])
def test_chromium_runs_none_of_the_course_text(hostile, browser, serve, tmp_path, fmt) -> None:
    """Escaping alone keeps the markup inert: the CSP is bypassed here, so it cannot hide a miss."""
    files = hostile[f"mini-course-{fmt}.zip"]
    base = serve(unzip(files, tmp_path / "pkg"))
    context = browser.new_context(bypass_csp=True)
    dialogs: list[str] = []
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "index.html")
        page.wait_for_selector("#jmdi-page[data-page]")
        assert PAYLOAD in page.inner_text("header")
        answered = 0
        for ident in page_ids(files):
            page.evaluate("id => { location.hash = '#/' + id; }", ident)
            page.wait_for_selector(f'#jmdi-page[data-page="{ident}"]')
            for turn in range(3):  # wrong and final answers show every feedback, choice note and reveal
                page.evaluate(ANSWER_ALL, [PAYLOAD, turn])
            feedback = page.evaluate("() => [...document.querySelectorAll('.jmdi-feedback')].map(f => f.innerText)")
            assert all(PAYLOAD in text for text in feedback), ident  # shown, as text
            answered += len(feedback)
            assert page.evaluate(FIND_DANGER, launch_script()) == [], ident
        for name in html_pages(files):
            if name.startswith("print/"):
                page.goto(base + name)
                page.wait_for_load_state("load")
                assert page.evaluate(FIND_DANGER, launch_script()) == [], name
                assert PAYLOAD in page.inner_text("body")
        page.wait_for_timeout(300)
    finally:
        context.close()
    assert answered >= 7  # every question of the course was answered and its feedback shown
    assert dialogs == [] and errors == []


def test_unsafe_link_schemes_are_rejected_at_validation(minimal_course) -> None:
    topic = minimal_course / "modules" / "intro" / "intro-02.md"
    links = ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd"]
    text = topic.read_text(encoding="utf-8") + "".join(f"\n[x{i}]({link})\n" for i, link in enumerate(links))
    topic.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(minimal_course)])
    assert result.exit_code == 1
    assert result.output.count("unsafe link scheme") == len(links), result.output


# --- raw HTML -----------------------------------------------------------------------------------

RAW = """
Press <kbd>Ctrl</kbd> and <b onclick="alert('r1')">bold</b> <a href="javascript:alert('r2')">js</a>
<img src="x" onerror="alert('r3')"> <a href="https://example.org/" target="_top">ext</a>.

<script>alert('r4')</script>

<style>body { display: none }</style>

<details>
<summary>Answer</summary>

The **answer** is <mark>42</mark>.

</details>

<iframe src="https://example.org/"></iframe><form action="https://example.org/"><input name="q"></form>
<svg onload="alert('r5')"><circle r="1"/></svg><object data="x.swf"></object>
<p id="jmdi-config" style="color: red" class="note">styled</p>
<a href="data:text/html,<script>alert('r6')</script>">data</a> <a href="#/intro-01" title="t">in course</a>

| left | right |
|:-----|------:|
| a | b |
"""


def raw_html_topic(course: Path, allow: bool) -> str:
    """The HTML of the intro-02 page when its body carries ``RAW``."""
    topic = course / "modules" / "intro" / "intro-02.md"
    topic.write_text(topic.read_text(encoding="utf-8") + RAW, encoding="utf-8")
    if allow:
        yaml_file = course / "course.yaml"
        yaml_file.write_text(yaml_file.read_text(encoding="utf-8") + "allow_html: true\n", encoding="utf-8")
    zips = build_all(course, course.parent / f"dist-{allow}")
    files = zips["mini-course-web.zip"]
    text = files["content/intro-02.js"].decode()
    return json.loads(text[len("JMDI.page(") : -3])["html"]


def test_raw_html_is_shown_as_text_by_default(minimal_course) -> None:
    html = raw_html_topic(minimal_course, allow=False)
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    assert not list(root.iter("kbd", "b", "script", "style", "details", "iframe", "svg", "object", "mark"))
    assert all("jmdi-q" in form.get("class", "").split() for form in root.iter("form"))  # the knowledge check
    assert dangerous(root) == []
    text = root.text_content()
    assert "<kbd>Ctrl</kbd>" in text and "<script>alert('r4')</script>" in text and "<details>" in text


def test_allow_html_keeps_safe_markup_and_removes_the_rest(minimal_course) -> None:
    html = raw_html_topic(minimal_course, allow=True)
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    assert dangerous(root, injected=False) == []
    assert not list(root.iter("script", "style", "iframe", "svg", "object"))
    assert not root.xpath("//form[not(contains(@class, 'jmdi-q'))] | //input[@name='q']")
    assert "alert(" not in html and "display: none" not in html
    assert root.xpath("//kbd[text()='Ctrl']") and root.xpath("//b[text()='bold'][not(@onclick)]")
    assert root.xpath("//details/summary[text()='Answer']") and root.xpath("//details//strong[text()='answer']")
    assert root.xpath("//mark[text()='42']")
    assert not root.xpath("//a[starts-with(@href, 'javascript:') or starts-with(@href, 'data:')]")
    assert root.xpath("//a[text()='js'][not(@href)]") and root.xpath("//a[text()='data'][not(@href)]")
    assert root.xpath("//a[text()='ext'][@href='https://example.org/'][not(@target)]")
    assert root.xpath("//a[text()='in course'][@href='#/intro-01']")
    styled = root.xpath("//p[@class='note']")[0]
    assert styled.get("id") is None and styled.get("style") is None
    # The renderer's own markup survives the cleaning: heading ids, course links, the table region.
    assert root.xpath("//h2[@id='section']")
    assert root.xpath("//a[@class='jmdi-term'][@href='#/glossary/term-diaspora']")
    assert root.xpath("//div[@class='jmdi-table'][@role='region'][@tabindex='0']/table")
    assert root.xpath("//th[@style='text-align:right']") or root.xpath("//th[contains(@style, 'right')]")


def test_allow_html_changes_nothing_for_texts_without_raw_html(minimal_course, tmp_path) -> None:
    plain = build_all(minimal_course, tmp_path / "off")
    yaml_file = minimal_course / "course.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8") + "allow_html: true\n", encoding="utf-8")
    allowed = build_all(minimal_course, tmp_path / "on")
    assert plain["mini-course-web.zip"] == allowed["mini-course-web.zip"]


@pytest.mark.parametrize(
    ("raw", "kept", "gone"),
    [
        ("<a href='javascript:alert(1)'>x</a>", "<a>x</a>", "javascript"),
        ("<a href='JaVaScRiPt:alert(1)'>x</a>", "<a>x</a>", "alert"),
        ("<a href='&#106;avascript:alert(1)'>x</a>", "<a>x</a>", "alert"),
        ("<img src=x onerror=alert(1)>", '<img src="x">', "onerror"),
        ("<p onmouseover='alert(1)'>p</p>", "<p>p</p>", "onmouseover"),
        ("<math><mi xlink:href='javascript:alert(1)'>m</mi></math>", "", "math"),
        ("<noscript><p title='</noscript><img src=x onerror=alert(1)>'></noscript>", "", "onerror"),
        ("<table><td style='background:url(javascript:alert(1))'>c</td></table>", "c</td>", "javascript"),
        ("<a href='https://e.org/' rel='opener' target='_self'>e</a>", 'href="https://e.org/"', "_self"),
    ],
)
def test_clean_html_cases(raw: str, kept: str, gone: str) -> None:
    out = clean_html(raw)
    assert kept in out and gone not in out.lower(), out


def test_nh3_is_a_declared_dependency() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^\s*"nh3>=', text, re.M)
