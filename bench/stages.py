"""Where a build's CPU time goes, stage by stage (the profile summary of ``bench/RESULTS.md``).

    python3 bench/stages.py COURSE_DIR [--split module]

Runs the stages of ``jmdi_scorm.build`` one after the other in this process (imports, load and
check, render, each target's packaging, zipping) and prints their CPU seconds as JSON; writing
to disk is left out. For a call-level profile of the same run use
``python3 -m cProfile -s cumtime bench/stages.py COURSE_DIR``.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("course", type=Path)
    parser.add_argument("--split", choices=["module"])
    args = parser.parse_args()
    print(json.dumps(stages(args.course, args.split)))


def stages(course_dir: Path, split: str | None) -> dict[str, float]:
    sys.path.insert(0, str(ROOT / "src"))
    clock = time.process_time
    gc.disable()  # as the build does (build._collector_paused)
    seconds: dict[str, float] = {}
    started = clock()
    from jmdi_scorm.build import scopes
    from jmdi_scorm.package.archive import zip_many
    from jmdi_scorm.render.pages import render_site
    from jmdi_scorm.source.validate import load_course
    from jmdi_scorm.targets import TARGETS

    seconds["imports"] = clock() - started
    mark = clock()
    course, ctx = load_course(course_dir)
    seconds["load and check"], mark = clock() - mark, clock()
    site = render_site(course, context=ctx.build)
    seconds["render"], mark = clock() - mark, clock()
    trees = []
    for name, target in TARGETS.items():
        trees += [target.package(course, site, scope).files for scope in scopes(course, split)]
        seconds[f"package {name}"], mark = clock() - mark, clock()
    audit = _auditor()
    if audit is not None:
        for tree in trees:
            audit(tree, "package", site)
        seconds["audit (every package)"], mark = clock() - mark, clock()
    zip_many(trees)
    seconds["zip (every package)"] = clock() - mark
    seconds["total"] = clock() - started
    seconds["peak memory MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6
    return seconds


def _auditor():
    """The build's last safety gate over each package (each distinct file checked once per build,
    as ``build`` does), when this checkout has one."""
    try:
        from jmdi_scorm.package.safety import audit_memo, audit_package
    except ImportError:
        return None
    return lambda tree, label, site: audit_package(tree, label, audit_memo(site))


if __name__ == "__main__":
    main()
