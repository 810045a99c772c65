"""Module covers (issue 15): a light, decorative SVG at the top of each module page."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from jmdi_scorm.build import BuildOptions, build
from jmdi_scorm.render.covers import module_cover
from jmdi_scorm.source.validate import load_course

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> etree._Element:
    return etree.fromstring(markup.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def test_each_of_six_modules_gets_its_own_light_decorative_cover() -> None:
    covers = [str(module_cover(index)) for index in range(6)]
    assert len(set(covers)) == 6
    for markup in covers:
        root = parse(markup)
        assert root.get("aria-hidden") == "true" and root.get("focusable") == "false"
        assert "".join(root.itertext()).strip() == ""  # nothing to translate or read aloud
        assert root.find(f"{SVG}path") is not None and len(markup.encode()) < 1024
        assert "style=" not in markup  # the packages' CSP allows no inline style


def test_every_module_page_of_a_build_starts_with_its_cover(minimal_course: Path, tmp_path: Path) -> None:
    result = build(minimal_course, BuildOptions(out=tmp_path / "dist", formats=("web",), pdf=False))
    site = next(a.path for a in result.artifacts if a.format == "web").with_suffix("")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "jmdi-cover" not in home  # the first page carries no cover: its budget is untouched
    course, _ = load_course(minimal_course)
    modules = {f"{module.id}.js" for module in course.modules}
    covers = {}
    for script in (site / "content").glob("*.js"):  # a file per page
        covers[script.name] = len(re.findall(r'<svg class=\\?"jmdi-cover', script.read_text(encoding="utf-8")))
    assert {name for name, count in covers.items() if count} == modules
    assert {covers[name] for name in modules} == {1}
