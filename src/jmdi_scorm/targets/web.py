"""The ``web`` target: the course as an offline web site, no LMS needed.

``dist/<course>-web.zip`` plus the same files unzipped in ``dist/<course>-web/``, whose
``index.html`` works opened straight from disk (file://) or from any web server. Progress is
kept in the browser by the ``local`` adapter (runtime/jmdi-local.js).
"""

from __future__ import annotations

from jmdi_scorm.render.site import Scope, Site
from jmdi_scorm.source import model
from jmdi_scorm.targets.base import PackageResult, Target


class WebTarget(Target):
    name = "web"
    description = "offline web site (zip and folder), progress kept in the browser"
    adapter = "local"
    unpacked = True

    def package(self, course: model.Course, site: Site, scope: Scope) -> PackageResult:
        return PackageResult(site.package_files(self.adapter, scope))


TARGET = WebTarget()
