"""render/bidi.py: the interface's and the content's languages, and left-to-right tokens in
right-to-left text (issue 15). Browser checks: tests/runtime/test_bidi_browser.py."""

from __future__ import annotations

import shutil

from jmdi_scorm.render.bidi import Directions, isolate_runs
from jmdi_scorm.render.pages import render_site
from jmdi_scorm.source.validate import load_course
from tests.conftest import MINIMAL


def test_mixed_tokens_are_kept_left_to_right() -> None:
    html = '<p>الغاية 10.c و COVID-19 و 2024 و <a href="x-10.c">SDG 10.c.1</a>.</p>'
    assert isolate_runs(html) == (
        '<p>الغاية <bdi dir="ltr">10.c</bdi> و <bdi dir="ltr">COVID-19</bdi> و 2024 و '
        '<a href="x-10.c">SDG <bdi dir="ltr">10.c.1</bdi></a>.</p>'
    )


def test_code_options_and_isolated_text_are_left_alone_and_a_second_pass_changes_nothing() -> None:
    html = '<p>10.c <code>m2-01</code></p><select><option>a1.b</option></select><script>x="1.a"</script>'
    once = isolate_runs(html)
    assert once == (
        '<p><bdi dir="ltr">10.c</bdi> <code>m2-01</code></p>'
        '<select><option>a1.b</option></select><script>x="1.a"</script>'
    )
    assert isolate_runs(once) == once
    assert isolate_runs("<p>1.2 and 3/4, v2</p>") == "<p>1.2 and 3/4, v2</p>"  # nothing mixed


def test_directions_add_nothing_when_interface_and_content_are_one_left_to_right_language() -> None:
    same = Directions(ui="en", content="en")
    assert (same.content_attrs, same.ui_attrs, same.inline("T & C"), same.span("T")) == ("", "", "T &amp; C", "T")
    assert not same.bidi and same.runs("<p>10.c</p>") == "<p>10.c</p>"
    arabic = Directions(ui="ar", content="ar")
    assert arabic.content_attrs == "" and arabic.inline("JMDI?") == "<bdi>JMDI?</bdi>"
    mixed = Directions(ui="ar", content="en")
    assert mixed.content_attrs == ' lang="en" dir="ltr"' and mixed.ui_attrs == ' lang="ar" dir="rtl"'
    assert mixed.inline("T") == '<span lang="en" dir="ltr">T</span>'
    assert mixed.block("<p>x</p>") == '<div lang="en" dir="ltr"><p>x</p></div>'


def test_interface_language_defaults_to_the_course_language_and_sets_the_page(tmp_path) -> None:
    course_dir = tmp_path / "course"
    shutil.copytree(MINIMAL, course_dir, ignore=shutil.ignore_patterns(".jmdi-cache"))
    course, _ = load_course(course_dir)
    assert course.meta.interface_language is None and course.meta.interface == "en"
    yaml = course_dir / "course.yaml"
    yaml.write_text(yaml.read_text().replace("language: en", "language: en\ninterface_language: ar"))
    course, _ = load_course(course_dir)
    assert course.meta.interface == "ar"
    site = render_site(course)
    shell = site.shell("local").decode()
    assert '<html lang="ar" dir="rtl">' in shell
    assert '<a href="#/intro-01"><span lang="en" dir="ltr">First topic</span></a>' in shell
    topic = site.shared["content/intro-01.js"].decode()
    assert 'class=\\"jmdi-body\\" lang=\\"en\\" dir=\\"ltr\\"' in topic
    printed = site.shared["print/intro.html"].decode()
    assert '<html lang="ar" dir="rtl">' in printed and '<h1 lang="en" dir="ltr">Introduction</h1>' in printed
