"""A small standard local LMS side for xAPI and cmi5 packages (development aid, loopback only).

``LocalLMS`` serves a package, launches it the TinCan or cmi5 way (cmi5 fetch endpoint,
``LMS.LaunchData``, learner preferences) and answers the State and Agent Profile APIs; statements
go to an ``Upstream`` LRS or to its own SQLite store.
"""

from jmdi_scorm.lms.server import Fault, LocalLMS, LoggedRequest, Package
from jmdi_scorm.lms.xapi_api import Upstream

__all__ = ["Fault", "LocalLMS", "LoggedRequest", "Package", "Upstream"]
