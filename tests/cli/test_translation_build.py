"""``build --lang`` (issue 17): one package per language and LMS format, one web package holding every
language, from the course's catalogues.

The fixture course gets a pseudo-translated French catalogue (``translation_pseudo.pseudo_catalog``:
every text ⟦Áççéñtéd⟧), so what comes from the catalogue is visible in the packages.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from jmdi_scorm import build as build_module
from jmdi_scorm.cli import main
from jmdi_scorm.errors import JmdiError
from jmdi_scorm.lint import check_package
from jmdi_scorm.render import pdf_renderer
from jmdi_scorm.source.translation_files import catalog_path, po_bytes, template_of
from jmdi_scorm.source.translation_pseudo import pseudo_catalog
from jmdi_scorm.source.validate import checked_course, load_course, validate_course
from tests.conftest import MINIMAL
from tests.targets.test_scorm_manifest import DEFINITIONS, EDITIONS, WRAPPER

FORMATS = ("web", "scorm12", "scorm2004-3rd", "scorm2004-4th", "xapi", "cmi5")
BASE_IRI = "https://example.org/courses/mini/"


def _with_catalogue(target: Path, language: str = "fr") -> Path:
    shutil.copytree(MINIMAL, target, ignore=shutil.ignore_patterns(".jmdi-cache", "locale"))
    course, ctx = checked_course(target)
    path = catalog_path(target, language)
    path.parent.mkdir()
    path.write_bytes(po_bytes(pseudo_catalog(template_of(course, ctx), language)))
    return target


def _build(course: Path, out: Path, *languages: str, pdfs: bool = False) -> build_module.BuildResult:
    options = build_module.BuildOptions(formats=FORMATS, out=out, pdf=pdfs, languages=languages)
    return build_module.build(course, options)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.zip"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, build_module.BuildResult]:
    root = tmp_path_factory.mktemp("lang")
    course = _with_catalogue(root / "course")
    return root / "dist", _build(course, root / "dist")


def test_every_language_by_default_each_package_named_by_its_language(built) -> None:
    """One package per language and LMS format; one web package holding every language."""
    out, result = built
    names = sorted(a.path.name for a in result.artifacts)
    lms = [f for f in FORMATS if f != "web"]
    assert names == sorted([f"mini-course-{f}.zip" for f in FORMATS] + [f"mini-course-fr-{f}.zip" for f in lms])
    assert {a.language for a in result.artifacts} == {"en", "fr"}
    assert (out / "mini-course-web" / "fr" / "index.html").is_file()
    assert "in `fr`: its own course in the LMS (manifest `mini-course-fr`)" in (
        out / "mini-course-fr-scorm12-lms-import.md"
    ).read_text(encoding="utf-8")


def test_the_french_package_shows_the_catalogue(built) -> None:
    out, _ = built
    archive = zipfile.ZipFile(out / "mini-course-web.zip")
    shell = archive.read("fr/index.html").decode()
    assert '<html lang="fr"' in shell and "⟦" in shell
    topic = archive.read("fr/content/intro-01.js").decode()
    assert "⟦" in topic
    assert b"<title>\xe2\x9f\xa6" in archive.read("fr/assets/diagram.svg")  # the figure's words translated
    english = archive.read("index.html").decode()
    assert '<html lang="en"' in english and "⟦" not in english
    assert b"<title>Two boxes</title>" in archive.read("assets/diagram.svg")
    scorm = zipfile.ZipFile(out / "mini-course-fr-scorm12.zip").read("index.html").decode()
    assert '<html lang="fr"' in scorm and "⟦" in scorm


def test_every_package_carries_the_figures_narrow_layout_in_its_language(built) -> None:
    """The narrow layout of the fixture's figure (issue 15) is in every format and language, its
    words translated with the figure's (it has no keys of its own), its page showing it on phones."""
    out, result = built
    for artifact in result.artifacts:
        archive = zipfile.ZipFile(artifact.path)
        editions = [("", "en"), ("fr/", "fr")] if artifact.format == "web" else [("", artifact.language)]
        for folder, language in editions:
            names = {name.removeprefix(folder) for name in archive.namelist() if name.startswith(folder)}
            assert {"assets/diagram.svg", "assets/diagram.narrow.svg"} <= names, artifact.path.name
            narrow = archive.read(f"{folder}assets/diagram.narrow.svg")
            title = "⟦Twó bóxés⟧" if language == "fr" else "Two boxes"
            assert f"<title>{title}</title>".encode() in narrow, artifact.path.name
            assert b'srcset=\\"assets/diagram.narrow.svg\\"' in archive.read(f"{folder}content/intro-01.js")


def test_the_web_package_switches_language_on_every_launch_page(built) -> None:
    """Each language named in itself, a link to the other's launch page; none in LMS packages."""
    out, _ = built
    archive = zipfile.ZipFile(out / "mini-course-web.zip")
    switch = re.compile(r'<nav class="jmdi-langs" aria-label="([^"]+)">(.*?)</nav>', re.S)
    found = {name: switch.search(archive.read(name).decode()) for name in ("index.html", "fr/index.html")}
    assert found["index.html"][1] == "Language" and found["fr/index.html"][1] == "Langue"
    assert re.findall(r"<li>(.*?)</li>", found["index.html"][2]) == [
        '<span class="jmdi-lang" lang="en" aria-current="true">English</span>',
        '<a class="jmdi-lang" href="fr/index.html" hreflang="fr" lang="fr" data-jmdi-lang="fr/index.html">Français</a>',
    ]
    assert re.findall(r"<li>(.*?)</li>", found["fr/index.html"][2]) == [
        '<a class="jmdi-lang" href="../index.html" hreflang="en" lang="en" data-jmdi-lang="../index.html">English</a>',
        '<span class="jmdi-lang" lang="fr" aria-current="true">Français</span>',
    ]
    root = {n for n in archive.namelist() if not n.startswith("fr/")}
    assert {f"fr/{n}" for n in root} == {n for n in archive.namelist() if n.startswith("fr/")}  # each one whole
    for fmt in FORMATS[1:]:
        for name in (f"mini-course-{fmt}.zip", f"mini-course-fr-{fmt}.zip"):
            assert b"jmdi-langs" not in zipfile.ZipFile(out / name).read("index.html"), name


def test_adding_a_catalogue_leaves_the_source_packages_as_they_were(built, tmp_path: Path) -> None:
    """Same names; same bytes but for the French texts the xAPI and cmi5 language maps gain."""
    out, _ = built
    plain = tmp_path / "course"
    shutil.copytree(MINIMAL, plain, ignore=shutil.ignore_patterns(".jmdi-cache", "locale"))
    alone = _build(plain, tmp_path / "dist")
    assert [a.path.name for a in alone.artifacts] == [f"mini-course-{f}.zip" for f in FORMATS]
    before, after = _digests(tmp_path / "dist"), _digests(out)
    for fmt in ("scorm12", "scorm2004-3rd", "scorm2004-4th"):
        assert before[f"mini-course-{fmt}.zip"] == after[f"mini-course-{fmt}.zip"], fmt
    # the web package: the English files as they were but the launch page, which gains the switch
    # and its rules (in the page's style sheet, allowed by its hash)
    one, two = (zipfile.ZipFile(folder / "mini-course-web.zip") for folder in (tmp_path / "dist", out))
    assert [n for n in two.namelist() if not n.startswith("fr/")] == one.namelist()
    assert [n for n in one.namelist() if one.read(n) != two.read(n)] == ["index.html"]
    style = re.compile(r"<style>(.*?)</style>", re.S)
    alone, with_switch = (style.search(z.read("index.html").decode()).group(1) for z in (one, two))
    assert with_switch.startswith(alone + ".jmdi-langs ul{")
    switch = re.compile(r'<nav class="jmdi-langs".*?</nav>\n', re.S)
    hashes = re.compile(r"'sha256-[^']+'|&#39;sha256-[^&]+&#39;")
    plain = [hashes.sub("", style.sub("", text)) for text in (switch.sub("", two.read("index.html").decode(), 1),
                                                           one.read("index.html").decode())]  # fmt: skip
    assert plain[0] == plain[1]
    for fmt in ("xapi", "cmi5"):
        one, two = (zipfile.ZipFile(folder / f"mini-course-{fmt}.zip") for folder in (tmp_path / "dist", out))
        assert one.namelist() == two.namelist()
        changed = [n for n in one.namelist() if one.read(n) != two.read(n)]
        assert changed and all(n.endswith((".xml", ".js")) and "fr" not in n for n in changed)
        assert all("⟦" in two.read(n).decode() and "⟦" not in one.read(n).decode() for n in changed)


def test_scorm_manifests_are_distinct_packages_and_validate(built, tmp_path: Path) -> None:
    out, _ = built
    for fmt in ("scorm12", "scorm2004-3rd", "scorm2004-4th"):
        if fmt == "scorm12":
            schema = etree.XMLSchema(etree.parse(str(DEFINITIONS / "scorm12edition" / "adlcp_rootv1p2.xsd")))
        else:
            folder = tmp_path / fmt
            shutil.copytree(DEFINITIONS / EDITIONS[fmt][1], folder)
            (folder / "wrapper.xsd").write_text(WRAPPER, encoding="utf-8")
            schema = etree.XMLSchema(etree.parse(str(folder / "wrapper.xsd")))
        ids = {}
        for name in (f"mini-course-{fmt}.zip", f"mini-course-fr-{fmt}.zip"):
            root = etree.fromstring(zipfile.ZipFile(out / name).read("imsmanifest.xml"))
            schema.assertValid(root)
            organization = root.find("{*}organizations/{*}organization")
            ids[name] = (root.get("identifier"), organization.get("identifier"), organization.findtext("{*}title"))
        assert ids[f"mini-course-{fmt}.zip"][:2] == ("mini-course", "org-mini-course")
        assert ids[f"mini-course-fr-{fmt}.zip"][:2] == ("mini-course-fr", "org-mini-course-fr")
        assert ids[f"mini-course-fr-{fmt}.zip"][2].startswith("⟦")


def test_xapi_descriptors_tag_the_language_and_keep_activity_ids(built) -> None:
    out, _ = built
    tincan = {
        lang: etree.fromstring(zipfile.ZipFile(out / f"mini-course{suffix}-xapi.zip").read("tincan.xml"))
        for lang, suffix in (("en", ""), ("fr", "-fr"))
    }
    for lang, other in (("fr", "en"), ("en", "fr")):  # every language of the build, the package's first
        for activity in tincan[lang].iter("{*}activity"):
            for field in ("name", "description"):
                assert [n.get("lang") for n in activity.findall(f"{{*}}{field}")] == [lang, other]
    fr_names = tincan["fr"].findall(".//{*}activity/{*}name")
    assert fr_names[0].text.startswith("⟦") and not fr_names[1].text.startswith("⟦")
    ids = {lang: [a.get("id") for a in root.iter("{*}activity")] for lang, root in tincan.items()}
    assert ids["fr"] == ids["en"] and ids["en"][0] == BASE_IRI  # one activity, shown in two languages
    launch = zipfile.ZipFile(out / "mini-course-fr-xapi.zip").read("index.html").decode()
    assert '"lang":"fr"' in launch.replace(" ", "")

    cmi5 = {
        lang: etree.fromstring(zipfile.ZipFile(out / f"mini-course{suffix}-cmi5.zip").read("cmi5.xml"))
        for lang, suffix in (("en", ""), ("fr", "-fr"))
    }
    assert cmi5["en"].find("{*}course").get("id") == BASE_IRI
    assert cmi5["fr"].find("{*}course").get("id") == BASE_IRI + "fr/"
    assert [au.get("id") for au in cmi5["fr"].iter("{*}au")] == [BASE_IRI + "fr/au/mini-course"]
    for holder in cmi5["fr"].iter("{*}title", "{*}description"):
        assert [s.get("lang") for s in holder.findall("{*}langstring")] == ["fr", "en"]
    assert cmi5["fr"].find("{*}course/{*}title/{*}langstring").text.startswith("⟦")
    question = zipfile.ZipFile(out / "mini-course-fr-cmi5.zip").read("runtime/xapi-questions/intro-01.js").decode()
    assert '"en":' in question and '"fr":"⟦' in question  # statements' definitions: both languages


def test_the_package_checker_finds_nothing_in_any_language(built) -> None:
    out, result = built
    for artifact in [a for a in result.artifacts if a.format != "web"]:
        report = check_package(artifact.path, DEFINITIONS)
        assert report.errors == 0 and report.warnings == 0, (artifact.path.name, report.lines())


def test_lang_chooses_the_languages(tmp_path: Path) -> None:
    course = _with_catalogue(tmp_path / "course")
    source, _ = load_course(course)
    assert build_module.build_languages(source) == [None, "fr"]
    assert build_module.build_languages(source, ("en",)) == [None]
    assert build_module.build_languages(source, ("fr,en", "fr")) == ["fr", None]
    result = _build(course, tmp_path / "dist", "fr")
    assert sorted(a.path.name for a in result.artifacts) == sorted(f"mini-course-fr-{f}.zip" for f in FORMATS)
    assert b"jmdi-langs" not in zipfile.ZipFile(tmp_path / "dist" / "mini-course-fr-web.zip").read("index.html")
    with pytest.raises(JmdiError, match="no catalogue"):
        _build(course, tmp_path / "dist", "es")
    with pytest.raises(JmdiError, match="no interface strings"):
        _build(course, tmp_path / "dist", "de")
    catalog_path(course, "de").write_bytes(catalog_path(course, "fr").read_bytes())
    assert build_module.build_languages(source) == [None, "fr"]  # a translation begun: left out, said
    result = build_module.build(course, build_module.BuildOptions(formats=("web",), out=tmp_path / "de", pdf=False))
    assert len(result.artifacts) == 1 and any(n.startswith("locale/de.po: not built") for n in result.notes)
    plain = tmp_path / "plain"
    shutil.copytree(MINIMAL, plain, ignore=shutil.ignore_patterns(".jmdi-cache", "locale"))
    assert build_module.build_languages(load_course(plain)[0]) == [None]


def test_the_cli_takes_lang(tmp_path: Path) -> None:
    course = _with_catalogue(tmp_path / "course")
    out = tmp_path / "dist"
    args = ["build", str(course), "--out", str(out), "--lang", "fr", "--format", "web", "--no-pdf"]  # PDFs: below
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.zip")) == ["mini-course-fr-web.zip"]


@pytest.mark.skipif(bool(pdf_renderer.not_installed()), reason="WeasyPrint not installed")
def test_module_pdfs_per_language(tmp_path: Path, warm_pdf_cache: Path) -> None:
    course = _with_catalogue(tmp_path / "course")
    shutil.copytree(warm_pdf_cache, course / ".jmdi-cache")  # the English PDFs, rendered once for the session
    options = build_module.BuildOptions(formats=("web",), out=tmp_path / "dist")
    result = build_module.build(course, options)
    assert (result.pdf_stats.rendered, result.pdf_stats.reused) == (2, 2)  # the French ones are new
    names = sorted(d.path.name for d in result.downloads)
    assert names == [
        "mini-course-fr-intro.pdf",
        "mini-course-fr-practice.pdf",
        "mini-course-intro.pdf",
        "mini-course-practice.pdf",
    ]
    assert (tmp_path / "dist" / "mini-course-fr-intro.pdf").read_bytes() != (
        tmp_path / "dist" / "mini-course-intro.pdf"
    ).read_bytes()
    fr = zipfile.ZipFile(tmp_path / "dist" / "mini-course-web.zip")
    assert (
        fr.read("fr/downloads/mini-course-intro.pdf") == (tmp_path / "dist" / "mini-course-fr-intro.pdf").read_bytes()
    )


def test_validate_reports_the_translation_checks(tmp_path: Path) -> None:
    course = _with_catalogue(tmp_path / "course")
    assert not [p for p in validate_course(course) if "fr.po" in p.path]
    po = catalog_path(course, "fr")
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "⟦', 'msgstr "⟦7 ', 1), encoding="utf-8")  # a number the English lacks
    found = [p for p in validate_course(course) if "fr.po" in p.path]
    assert found and {p.severity for p in found} == {"warning"} and "numbers" in " ".join(p.message for p in found)
    assert CliRunner().invoke(main, ["validate", str(course)]).exit_code == 0
    assert CliRunner().invoke(main, ["validate", str(course), "--strict"]).exit_code != 0
