"""The build reports its steps, so the CLI can show a progress bar on long work."""

from __future__ import annotations

from pathlib import Path

from jmdi_scorm.build import BuildOptions, build


def test_build_reports_every_step_in_order(minimal_course: Path, tmp_path: Path) -> None:
    steps: list[tuple[str, int, int]] = []
    options = BuildOptions(
        formats=("web", "scorm12"), out=tmp_path / "dist", pdf=False, progress=lambda *s: steps.append(s)
    )
    result = build(minimal_course, options)
    labels = [label for label, _, _ in steps]
    assert labels[0] == "loading the course"
    assert labels[-1] == "compressing and writing"
    packaged = [label for label in labels if label.startswith("packaging ")]
    assert sorted(packaged) == sorted(f"packaging {a.path.name}" for a in result.artifacts)
    assert [done for _, done, _ in steps] == list(range(len(steps)))
    assert all(done < total for _, done, total in steps)
    assert steps[-1][2] == len(steps)


def test_quiet_build_prints_nothing_and_still_writes(minimal_course: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from jmdi_scorm.cli import main

    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", str(minimal_course), "--out", str(out), "--format", "web", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert (out / "mini-course-web.zip").is_file()
