"""The ``web`` target: the course as an offline web site, no LMS needed.

``dist/<course>-web.zip`` plus the same files unzipped in ``dist/<course>-web/``, whose
``index.html`` works opened straight from disk (file://) or from any web server. Progress is
kept in the browser by the ``local`` adapter (runtime/jmdi-local.js).

A build of several languages makes one web package holding them all (docs/translating.md): the
first language of the build at the root, each other one in a folder named by its language
(``fr/index.html``), each launch page with a language switch in its header. Page and question
ids are the same in every language and every launch page keeps progress under the same key, so
a learner who switches keeps what they did.
"""

from __future__ import annotations

import posixpath

from jmdi_scorm.errors import BuildError
from jmdi_scorm.locale import language_name
from jmdi_scorm.render.site import LAUNCH, LanguageLink, Scope, Site
from jmdi_scorm.source import model
from jmdi_scorm.targets.base import PackageResult, Target


class WebTarget(Target):
    name = "web"
    description = (
        "offline web site (zip, and folder for the whole course), progress kept in the browser; every language"
    )
    adapter = "local"
    unpacked = True
    all_languages = True
    uploaded = False

    def package(self, course: model.Course, site: Site, scope: Scope) -> PackageResult:
        editions = site.editions or (site,)
        if len(editions) == 1:
            return PackageResult(site.package_files(self.adapter, scope))
        folders = ["", *(f"{edition_name(edition)}/" for edition in editions[1:])]
        files: dict[str, bytes] = {}
        for edition, folder in zip(editions, folders, strict=True):
            links = language_links(editions, folders, folder)
            for name, data in edition.package_files(self.adapter, scope, languages=links).items():
                if not folder and name.startswith(tuple(folders[1:])):
                    raise BuildError(f"{name}: a course file in the folder of a language of the web package")
                files[folder + name] = data
        return PackageResult(files)


def edition_name(site: Site) -> str:
    """The folder of a language in the web package: the catalogue's name (``fr``, ``pt_BR``)."""
    return site.course.translation or site.course.meta.language


def language_links(editions: tuple[Site, ...], folders: list[str], here: str) -> list[LanguageLink]:
    """The switch of the launch page in folder ``here``: every language, each link relative to it."""
    links = []
    for edition, folder in zip(editions, folders, strict=True):
        lang = edition.course.meta.language
        href = posixpath.relpath(folder + LAUNCH, here or ".")
        links.append(LanguageLink(lang, language_name(edition_name(edition)), href, folder == here))
    return links


TARGET = WebTarget()
