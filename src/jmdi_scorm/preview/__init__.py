"""``jmdi-scorm preview``: build one format into a temporary folder, serve it on 127.0.0.1 with a
debug page (the course in a frame next to a live LMS panel), rebuild when a course file changes.

- ``builder.py``  the build stages of ``build.py`` into a folder, no zip; SCO launch data;
- ``server.py``   the HTTP side: debug page, package files, JSON endpoints for the panel;
- ``watcher.py``  watchfiles in a thread;
- ``xapi.py``     the local LMS (``jmdi_scorm.lms``) for xAPI and cmi5, with its SQLite log;
- ``session.py``  ties them together (``Preview``);
- ``static/``     the debug page: the panel, and for SCORM an in-page LMS API of our own.
"""

from jmdi_scorm.preview.builder import formats
from jmdi_scorm.preview.session import Preview, PreviewOptions

__all__ = ["Preview", "PreviewOptions", "formats"]
