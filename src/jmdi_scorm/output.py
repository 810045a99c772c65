"""Making and writing a build's packages: each one packaged by its target, audited, zipped and
staged under a hidden name, in this process or spread over forked workers (``workers.fork_map``).

The packages are made in groups, one per language and scope (the formats of one module's
packages share most of their files, so a worker compresses each of them once), and come back in
the build's order. What a worker staged is handed to the build's :class:`Staging`, which renames
everything into place once every package is written (``build.py``); when a package fails, what
the others staged is removed: no partial output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jmdi_scorm import workers
from jmdi_scorm.package.archive import Deflated, iter_zips, sha256
from jmdi_scorm.package.safety import audit_memo, audit_package
from jmdi_scorm.package.staging import Staged, Staging
from jmdi_scorm.package.upload import advice, over_limit_text, over_upload_limit
from jmdi_scorm.render.site import Scope, Site
from jmdi_scorm.targets.base import PackageResult, Target

#: A build of fewer packages is made in its own process: a pool's start and the contents each
#: worker compresses again cost more than they save (the JMDI course in one language makes six).
POOL_FROM = 12


@dataclass(frozen=True)
class Artifact:
    """One written package."""

    path: Path
    format: str
    scope: Scope
    files: int
    size: int
    sha256: str
    folder: Path | None = None
    language: str = ""  # the source language (course.yaml) or the catalogue's (``fr``, ``pt_BR``)

    def as_dict(self) -> dict[str, Any]:
        return {
            "package": str(self.path),
            "format": self.format,
            "language": self.language,
            "module": self.scope.module,
            "files": self.files,
            "size": self.size,
            "sha256": self.sha256,
            "folder": str(self.folder) if self.folder else None,
        }


@dataclass(frozen=True)
class Job:
    """One package to make: ``target``'s package of ``scope`` from ``sites[edition]``."""

    target: Target
    edition: int  # the language: index in the build's sites
    scope: Scope


@dataclass(frozen=True)
class Made:
    """A written package: what the summary shows, its notes and details (``<name>: <text>``)."""

    artifact: Artifact
    notes: tuple[str, ...]
    details: tuple[str, ...] = ()
    uploaded: bool = True  # its zip goes into an LMS (``Target.uploaded``)


@dataclass(frozen=True)
class _Group:
    """What one group's packages gave: (job index, package) in order, and their staged files."""

    made: tuple[tuple[int, Made], ...]
    staged: Staged


def write_packages(
    jobs: Sequence[Job],
    sites: Sequence[Site],
    out: Path,
    staging: Staging,
    processes: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Made]:
    """Make every package of ``jobs`` and stage it in ``out`` (``staging`` commits or discards
    them with the rest of the build), in the order of ``jobs``. ``processes``: how many
    processes (``build --jobs``; default one per core when there are at least
    :data:`POOL_FROM` packages). ``progress`` gets ``packaging <name>`` as each is made."""
    groups: dict[tuple[int, Scope], list[tuple[int, Job]]] = {}
    for index, job in enumerate(jobs):
        groups.setdefault((job.edition, job.scope), []).append((index, job))
    parts = list(groups.values())
    count = workers.count(processes, len(parts), pays=len(jobs) >= POOL_FROM)
    threads = 1 if count > 1 else None  # one process: compress on every core (zlib's threads)
    deflated: dict[bytes, Deflated] = {}  # per process: a worker keeps what it compressed

    def make(part: list[tuple[int, Job]]) -> _Group:
        return _make_group(part, sites, out, deflated, threads)

    def adopt(group: _Group) -> None:
        staging.adopt(group.staged)  # flushed to disk by the build's staging while the workers go on
        for _, made in group.made:
            if progress is not None:
                progress(f"packaging {made.artifact.path.name}")

    done = workers.fork_map(make, parts, count, each=adopt, undo=_discard)
    return [made for _, made in sorted((pair for group in done for pair in group.made), key=lambda p: p[0])]


def _discard(group: _Group) -> None:
    with Staging(flush=False) as staging:  # removed on leaving
        staging.adopt(group.staged)


def _make_group(
    part: list[tuple[int, Job]], sites: Sequence[Site], out: Path, deflated: dict[bytes, Deflated], threads: int | None
) -> _Group:
    with Staging(flush=False) as staging:  # a failing package removes what the group staged
        results = [(index, job, _package(job, sites[job.edition])) for index, job in part]
        archives = iter_zips([result.files for _, _, result in results], threads, deflated)
        made = []
        for (index, job, result), archive in zip(results, archives, strict=True):
            made.append((index, _stage(job, sites[job.edition], result, archive, out, staging)))
        return _Group(tuple(made), staging.detach())


def _package(job: Job, site: Site) -> PackageResult:
    result = job.target.package(site.course, site, job.scope)
    name = job.target.archive_name(site.course, job.scope)
    audit_package(result.files, name, audit_memo(site))  # last gate: CSP everywhere, no credentials
    return result


def _stage(job: Job, site: Site, result: PackageResult, archive: bytes, out: Path, staging: Staging) -> Made:
    name = job.target.archive_name(site.course, job.scope)
    dest = out / name
    folder = dest.with_suffix("") if job.target.unpacked and job.scope.module is None else None
    staging.write(dest, archive)
    if folder is not None:
        staging.write_tree(result.files, folder)
    for side, make in result.side_files.items():  # after the zip: they state its size
        staging.write(out / side, make(len(archive)))
    language = site.course.translation or site.course.meta.language
    artifact = Artifact(
        dest, job.target.name, job.scope, len(result.files), len(archive), sha256(archive), folder, language
    )
    notes = tuple(f"{name}: {note}" for note in result.notes)
    details = tuple(f"{name}: {detail}" for detail in result.details)
    return Made(artifact, notes, details, job.target.uploaded)


def upload_notes(made: Sequence[Made], split: bool, pdfs: bool) -> list[str]:
    """One note naming the packages too large for PHP's default upload limit, if any, and what to
    do (``package/upload.py``); ``split``: the build was ``--split module``, ``pdfs``: its
    packages hold the module PDFs."""
    over = [
        package.artifact.path.name for package in made if package.uploaded and over_upload_limit(package.artifact.size)
    ]
    if not over:
        return []
    return [f"{len(over)} package(s) {over_limit_text('them')}: {', '.join(over)}; {advice(split, pdfs)}"]
