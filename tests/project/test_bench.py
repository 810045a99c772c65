"""Smoke test of the benchmark's synthetic course generator (bench/synthetic.py): no timings here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from jmdi_scorm.source.model import QUESTION_TYPES
from jmdi_scorm.source.validate import load_course

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _synthetic():
    spec = importlib.util.spec_from_file_location("bench_synthetic", BENCH / "synthetic.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_small_synthetic_course_validates(tmp_path: Path) -> None:
    course_dir = _synthetic().generate(tmp_path / "course", topics=12, per_module=5)
    course, ctx = load_course(course_dir)
    assert ctx.problems == []  # no warnings either
    assert [len(module.topics) for module in course.modules] == [5, 5, 2]
    types = {q.type for topic in course.topics for q in topic.questions}
    assert types == set(QUESTION_TYPES)
    assert all(module.meta.assessment for module in course.modules)
    images = [name for name in course.assets if name.endswith((".svg", ".png"))]
    assert len(images) == 2 * len(course.modules)
    assert min(topic.word_count for topic in course.topics) > 1500


def test_the_same_arguments_give_the_same_course(tmp_path: Path) -> None:
    synthetic = _synthetic()
    first = synthetic.generate(tmp_path / "a", topics=3)
    second = synthetic.generate(tmp_path / "b", topics=3)
    files = sorted(path.relative_to(first) for path in first.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(second) for path in second.rglob("*") if path.is_file())
    assert all((first / name).read_bytes() == (second / name).read_bytes() for name in files)
