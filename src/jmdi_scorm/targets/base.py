"""The target contract: what the build asks of every output standard (docs/architecture.md).

A target is configuration only (its name, adapter, SCO mode…): ``package()`` hands back
everything it made for one scope in a :class:`PackageResult` and keeps nothing, so the
registry's targets can be shared by builds, the preview and the benchmarks.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from jmdi_scorm.render.site import Scope, Site
    from jmdi_scorm.source.model import Course

#: ``--sco``: one SCO (or cmi5 AU) per package, per module or per topic.
ScoMode = Literal["course", "module", "topic"]
SCO_MODES: tuple[ScoMode, ...] = ("course", "module", "topic")


@dataclass(frozen=True)
class PackageResult:
    """What packaging one scope made."""

    files: dict[str, bytes]  # the package's file tree, zipped as it is
    notes: tuple[str, ...] = ()  # what the builder should act on: shown after the build's summary
    #: Facts about the package (its control files, how full its suspend data can get, its launch):
    #: ``build --verbose`` and ``--json`` show them; a SCORM package's import sheet states them too.
    details: tuple[str, ...] = ()
    #: Files written next to the zip (an LMS import sheet), each made from the zip's size in bytes
    #: once the zip is made: the sheet states it.
    side_files: dict[str, Callable[[int], bytes]] = field(default_factory=dict)


class Target(ABC):
    """One output standard: registered as a module-level ``TARGET`` (see ``targets/__init__.py``)."""

    name: str  # the --format value
    description: str = ""  # one line of ``build --list-formats``
    adapter: str  # the JS runtime adapter the launch page loads (runtime/jmdi-<adapter>.js)
    #: Also write the whole-course package as a folder next to its zip (a ``--split module``
    #: build's module packages are zips only: a module's site is a copy of part of the course's).
    unpacked: bool = False
    #: One package holds every language of the build (``Site.editions``): the build packages the
    #: first language only. Otherwise one package per language (an LMS picks the language).
    all_languages: bool = False
    #: Its zip is uploaded into an LMS, so the build warns when it is over PHP's default upload
    #: limit (``package/upload.py``); the offline web site is not.
    uploaded: bool = True

    @abstractmethod
    def package(self, course: Course, site: Site, scope: Scope) -> PackageResult:
        """The complete package of ``scope``: site files, launch page, descriptor, and its notes."""

    def archive_name(self, course: Course, scope: Scope) -> str:
        """The zip's file name (``<course>[-<language>][-<module>]-<format>.zip``)."""
        return f"{course.package_id}{scope.suffix}-{self.name}.zip"

    def with_sco(self, mode: ScoMode) -> Target | None:
        """A copy of this target making one SCO (or AU) per ``mode`` (``--sco``); None when the
        standard has no such units."""
        return None
