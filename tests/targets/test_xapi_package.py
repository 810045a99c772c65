"""The xAPI and cmi5 packages as files: tincan.xml (PKG-16), cmi5.xml (PKG-15), what the adapters
are given at build time, no LRS credentials anywhere (issue 5), and the course's xAPI profile."""

from __future__ import annotations

import html
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree

from jmdi_scorm.build import BuildOptions, build
from jmdi_scorm.errors import BuildError
from jmdi_scorm.package.credentials import find_credentials
from jmdi_scorm.source.translation_files import translated_course
from jmdi_scorm.source.validate import load_course
from jmdi_scorm.targets import xapi_profile
from jmdi_scorm.targets.cmi5 import NS_CMI5, cmi5_xml
from jmdi_scorm.targets.xapi import NS_TINCAN
from jmdi_scorm.targets.xapi_activities import INTERACTION_TYPES, VERBS, XAPI_VERSION, Activities, nodes, verb
from jmdi_scorm.targets.xapi_common import compact_js, question_data, runtime_source
from tests.conftest import MINIMAL, ROOT
from tests.lrs.ralph_lrs import PASSWORD
from tests.support.node_syntax import syntax_errors

IRI = re.compile(r"^https?://[^\s/]+/\S*$")
T = f"{{{NS_TINCAN}}}"
C = f"{{{NS_CMI5}}}"


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, zipfile.ZipFile]:
    out = tmp_path_factory.mktemp("dist")
    result = build(MINIMAL, BuildOptions(formats=("xapi,cmi5",), out=out, pdf=False))
    return {artifact.format: zipfile.ZipFile(artifact.path) for artifact in result.artifacts}


@pytest.fixture(scope="module")
def course():
    return load_course(MINIMAL)[0]


def test_tincan_xml(packages: dict[str, zipfile.ZipFile]) -> None:
    archive = packages["xapi"]
    names = archive.namelist()
    assert names.count("tincan.xml") == 1 and "cmi5.xml" not in names and "imsmanifest.xml" not in names
    root = etree.fromstring(archive.read("tincan.xml"))
    assert root.tag == f"{T}tincan"
    activities = root.findall(f"{T}activities/{T}activity")
    launching = [a for a in activities if a.find(f"{T}launch") is not None]
    assert len(launching) == 1  # the root activity (docs/standards.md §7.1)
    assert launching[0].get("id") == "https://example.org/courses/mini/"
    assert launching[0].findtext(f"{T}launch") in names  # relative, inside the zip, no query
    ids = [a.get("id") for a in activities]
    assert len(ids) == len(set(ids)) and all(IRI.match(i) for i in ids)
    for activity in activities:
        assert activity.find(f"{T}name").get("lang") == "en"
        assert activity.findtext(f"{T}name").strip()
        assert activity.get("type").startswith("http://adlnet.gov/expapi/activities/")
    questions = [a for a in activities if a.get("type").endswith("cmi.interaction")]
    assert len(questions) == 7
    assert all(q.findtext(f"{T}correctResponsePatterns/{T}correctResponsePattern") for q in questions)


@pytest.mark.parametrize("mode", ["course", "module", "topic"])
def test_cmi5_xml(course, packages: dict[str, zipfile.ZipFile], mode: str) -> None:
    root = etree.fromstring(cmi5_xml(course, None, mode))
    assert root.tag == f"{C}courseStructure"
    children = [child.tag for child in root]
    assert children[0] == f"{C}course" and all(tag in (f"{C}au", f"{C}block") for tag in children[1:])
    ids = [node.get("id") for node in root.iter(f"{C}course", f"{C}block", f"{C}au")]
    assert len(ids) == len(set(ids)) and all(IRI.match(i) for i in ids)
    for node in root.iter(f"{C}course", f"{C}block", f"{C}au"):
        for part in ("title", "description"):
            strings = node.findall(f"{C}{part}/{C}langstring")
            assert strings and all(s.get("lang") == "en" and s.text for s in strings)
    for block in root.iter(f"{C}block"):
        assert block.findall(f"{C}au") or block.findall(f"{C}block")
    aus = list(root.iter(f"{C}au"))
    assert len(aus) == {"course": 1, "module": 2, "topic": 4}[mode]
    files = packages["cmi5"].namelist()
    for au in aus:
        # Children in schema order: title, description, url (§8.1).
        assert [child.tag for child in au] == [f"{C}title", f"{C}description", f"{C}url"]
        assert au.get("moveOn") in ("Completed", "CompletedAndPassed")
        if au.get("moveOn") == "CompletedAndPassed":
            assert re.fullmatch(r"0(\.\d{1,4})?|1(\.0{1,4})?", au.get("masteryScore"))
            assert float(au.get("masteryScore")) == 0.8
        url = urlsplit(au.findtext(f"{C}url"))
        assert not url.scheme and url.path in files


def test_cmi5_xml_in_the_package_is_one_au(packages: dict[str, zipfile.ZipFile]) -> None:
    root = etree.fromstring(packages["cmi5"].read("cmi5.xml"))
    [au] = root.iter(f"{C}au")
    assert au.get("moveOn") == "CompletedAndPassed" and au.findtext(f"{C}url") == "index.html"
    assert "tincan.xml" not in packages["cmi5"].namelist()


def test_split_module_packages_cover_their_module(tmp_path: Path) -> None:
    result = build(MINIMAL, BuildOptions(formats=("xapi,cmi5",), out=tmp_path, split="module", pdf=False))
    assert len(result.artifacts) == 4
    for artifact in result.artifacts:
        archive = zipfile.ZipFile(artifact.path)
        module = artifact.scope.module
        if artifact.format == "xapi":
            root = etree.fromstring(archive.read("tincan.xml"))
            launching = [a for a in root.iter(f"{T}activity") if a.find(f"{T}launch") is not None]
            assert [a.get("id") for a in launching] == [f"https://example.org/courses/mini/module/{module}"]
        else:
            root = etree.fromstring(archive.read("cmi5.xml"))
            assert root.find(f"{C}course").get("id") == f"https://example.org/courses/mini/module/{module}"


def test_no_credentials_in_any_package(packages: dict[str, zipfile.ZipFile]) -> None:
    for archive in packages.values():
        files = {name: archive.read(name) for name in archive.namelist()}
        assert find_credentials(files) == []
        for name, data in files.items():
            assert PASSWORD.encode() not in data and b"lrs-tester" not in data, name
        shell = html.unescape(files["index.html"].decode())
        assert "connect-src 'self' https: http:" in shell  # the LRS is named at launch only


@pytest.mark.parametrize(
    "leak",
    [
        "endpoint=https://lrs.example.org/xapi/&auth=Basic%20bHJzOnNlY3JldHNlY3JldA==",
        "Authorization: Basic bHJzOnNlY3JldHNlY3JldA==",
        "https://lrs-user:s3cret@lrs.example.org/xapi/",
    ],
)
def test_the_build_refuses_credentials(minimal_course: Path, tmp_path: Path, leak: str) -> None:
    topic = minimal_course / "modules" / "intro" / "intro-02.md"
    topic.write_text(topic.read_text() + f"\nOur LRS: `{leak}`\n")
    # Without module PDFs: the changed module's would be rendered afresh, and the refusal is the packages'.
    with pytest.raises(BuildError, match=r"refusing to package .*content/intro-02\.js:\d+"):
        build(minimal_course, BuildOptions(formats=("xapi",), out=tmp_path, pdf=False))
    with pytest.raises(BuildError, match="LRS credentials"):
        build(minimal_course, BuildOptions(formats=("cmi5",), out=tmp_path, pdf=False))
    assert not list(tmp_path.glob("*.zip"))


def test_credential_patterns_spare_ordinary_text() -> None:
    harmless = {
        "a.js": b'headers.Authorization = "Basic " + token; var auth = params.auth;',
        "b.html": b'<a href="https://example.org/a?b=1&amp;c=2">x</a> mailto:someone@example.org',
        "c.txt": b"Basic literacy and Bearer bonds are covered in module 3.",
        "d.js": b'"Basic infrastructure remains weak where remittances go."',  # a long word after "Basic"
    }
    assert find_credentials(harmless) == []
    assert find_credentials({"d.json": b'{"auth-token": "QWxhZGRpbjpvcGVu"}'}) == ["d.json:1"]
    assert find_credentials({"e.js": b'h = "Basic bHJzLXVzZXI6c2VjcmV0"'}) == ["e.js:1"]


@pytest.mark.parametrize(
    "text",
    [
        '{"auth-token": "QWxhZGRpbjpvcGVu"}',
        '{"AUTH-TOKEN": "QWxhZGRpbjpvcGVu"}',
        '{"auth-to\u212aen": "QWxhZGRpbjpvcGVu"}',  # the Kelvin sign: "k" in lower case, not ASCII
        "caf\u00e9 \u0130stanbul ?AUTH=x",  # not ASCII: "İ" lowers to "i" and a dot
        "caf\u00e9 ?auth=&x",  # "auth=" with nothing after it is no credential
        "plain text, nothing to see",
    ],
)
def test_the_quick_credential_test_finds_what_the_line_scan_finds(text: str) -> None:
    """``credential_lines`` reads a file line by line only when a quick test on the whole text
    (lower-cased bytes, most of the time) says it may hold a credential: it never misses one."""
    from jmdi_scorm.package.credentials import _CREDENTIAL_PATTERNS, credential_lines

    lines = text.splitlines()
    scanned = tuple(n for n, line in enumerate(lines, 1) if any(p.search(line) for p in _CREDENTIAL_PATTERNS))
    assert credential_lines(text.encode()) == scanned


def test_question_definitions_follow_section_5_4(course) -> None:
    pages = question_data(course)
    assert sorted(pages) == ["intro-01", "intro-02", "practice-01", "practice.assessment"]
    data = {key: value for questions in pages.values() for key, value in questions.items()}
    definition = {key: value["activity"]["definition"] for key, value in data.items()}
    assert definition["intro-01.q1"]["correctResponsesPattern"] == ["a"]
    assert definition["intro-01.q2"]["correctResponsesPattern"] == ["a[,]c"]
    assert [c["id"] for c in definition["intro-01.q2"]["choices"]] == ["a", "b", "c"]
    assert definition["intro-01.q3"] | {"name": None, "description": None} == {
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
        "interactionType": "true-false",
        "correctResponsesPattern": ["true"],
        "name": None,
        "description": None,
    }
    assert definition["intro-02.q1"]["correctResponsesPattern"] == ["remittances", "remittance"]
    matching = definition["practice-01.q1"]
    assert matching["correctResponsesPattern"] == ["1[.]a[,]2[.]b"]
    assert [c["id"] for c in matching["source"]] == ["1", "2"] and [c["id"] for c in matching["target"]] == ["a", "b"]
    assert matching["source"][0]["description"] == {"en": "Senegal"}
    assert definition["practice-01.q2"]["interactionType"] == "sequencing"
    assert definition["practice-01.q2"]["correctResponsesPattern"] == ["a[,]b[,]c[,]d"]
    assert data["practice.assessment.a1"]["parent"] == "practice.assessment"


def test_tincan_reads_back_every_activity_as_the_same_json() -> None:
    """``xapi_activities`` writes the xAPI JSON itself, without ``tincan``'s objects (docs/architecture.md,
    xAPI objects): ``tincan``, the authority, reads each object of the JMDI course (with its French
    texts in the language maps) and of the minimal course back and gives the very same JSON, keys
    in the same order."""
    from tincan import Activity, Verb

    jmdi = load_course(ROOT / "course")[0]
    french = translated_course(jmdi, "fr")[0]
    minimal = load_course(MINIMAL)[0]
    objects = [node.activity for node in nodes(jmdi, None, Activities(jmdi, (french,)))]
    objects += [node.activity for node in nodes(minimal)]
    kinds = {activity["definition"].get("interactionType") for activity in objects}
    assert kinds >= set(INTERACTION_TYPES.values())  # every kind of question, and the pages
    assert any(len(activity["definition"]["name"]) == 2 for activity in objects)  # English and French
    for activity in objects:
        ours = json.dumps(activity, ensure_ascii=False)
        assert json.dumps(Activity.from_json(ours).as_version(XAPI_VERSION), ensure_ascii=False) == ours
    for name in VERBS:
        ours = json.dumps(verb(name))
        assert json.dumps(Verb.from_json(ours).as_version(XAPI_VERSION)) == ours


def test_adapter_files_are_compact_and_valid_javascript(packages: dict[str, zipfile.ZipFile]) -> None:
    adapters = {}
    for fmt, part in [(fmt, part) for fmt in ("xapi", "cmi5") for part in ("", "-later")]:
        shipped = packages[fmt].read(f"runtime/jmdi-{fmt}{part}.js").decode()
        assert shipped == compact_js(runtime_source(f"jmdi-xapi-common{part}.js")) + compact_js(
            runtime_source(f"jmdi-{fmt}{part}.js")
        )
        assert not re.search(r"^\s*//", shipped, re.MULTILINE)
        adapters[f"{fmt}{part}.js"] = shipped
        names = packages[fmt].namelist()
        assert f"runtime/jmdi-xapi-common{part}.js" not in names  # joined in, not shipped
        loaded_later = sorted(n for n in names if n.startswith("runtime/xapi-questions/"))
        assert loaded_later == [
            f"runtime/xapi-questions/{p}.js" for p in ("intro-01", "intro-02", "practice-01", "practice.assessment")
        ]
    assert syntax_errors(adapters) == dict.fromkeys(adapters)


def test_first_page_is_one_request(packages: dict[str, zipfile.ZipFile]) -> None:
    """index.html is all the first page loads: the style sheet and the core are written in, the icon
    is a data: URI. The adapter comes once the first page is up, the LRS's answers after it (issue
    16); the question definitions with the first answer."""
    for fmt, archive in packages.items():
        shell = archive.read("index.html").decode()
        loaded = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(?!data:)([^"#]+)"', shell)
        assert loaded == [], fmt
        assert f"runtime/jmdi-{fmt}.js" in archive.namelist()
        # the icon is in index.html itself (a data: URI): no request of its own
        assert re.search(r'<link rel="icon" href="data:image/svg\+xml,%3Csvg[^"]*" type="image/svg\+xml">', shell)


def test_profile_document_is_up_to_date() -> None:
    """schemas/xapi-profile.jsonld is generated from course/; regenerate it with
    ``python -m jmdi_scorm.targets.xapi_profile course schemas/xapi-profile.jsonld``."""
    jmdi, _ = load_course(ROOT / "course")
    committed = (ROOT / "schemas" / "xapi-profile.jsonld").read_text(encoding="utf-8")
    assert committed == xapi_profile.profile_json(jmdi), xapi_profile.__doc__


def test_profile_document_shape(course) -> None:
    profile = json.loads(xapi_profile.profile_json(course))
    assert profile["@context"] == "https://w3id.org/xapi/profiles/context"
    assert profile["type"] == "Profile" and profile["conformsTo"] == "https://w3id.org/xapi/profiles#1.0"
    version = profile["versions"][0]["id"]
    ids = [c["id"] for c in profile["concepts"]] + [t["id"] for t in profile["templates"]]
    assert len(ids) == len(set(ids)) and all(IRI.match(i) for i in ids)
    assert all(item["inScheme"] == version for item in profile["concepts"] + profile["templates"])
    verbs = {t["verb"].rsplit("/", 1)[-1] for t in profile["templates"]}
    assert {"initialized", "answered", "completed", "passed", "failed", "terminated"} <= verbs
    assert len(profile["concepts"]) == 1 + 2 + 3 + 1 + 7  # course, modules, topics, assessment, questions
