"""What the ``xapi`` (TinCan) and ``cmi5`` targets share: the statement material the JS adapters
fill in, their joined scripts and the files of a package.

The activity definitions and verbs themselves are in ``xapi_activities.py`` (the xAPI 1.0.3 JSON
of each, as ``tincan`` makes it); the adapters only add actor, timestamps, results and launch
context at run time (docs/standards.md §6).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from jmdi_scorm.locale import strings
from jmdi_scorm.render.compact import compact_js
from jmdi_scorm.render.site import LAUNCH, RUNTIME_DIR, Scope, Site
from jmdi_scorm.source import model
from jmdi_scorm.targets.scorm_common import scope_is_course, scope_modules
from jmdi_scorm.targets.xapi_activities import XAPI_VERSION, Activities, activities

# The LRS (TinCan ``endpoint``) and the cmi5 fetch URL are known only at launch, so the launch
# page may connect anywhere over HTTP(S); everything else stays 'self' (render.CSP).
CSP = {"connect-src": "'self' https: http:"}

# §6.5: progress is not a score; cmi5's result extension is the established IRI for it.
EXT_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"

COMMON_FILE = "jmdi-xapi-common.js"  # joined into each adapter file at build time
COMMON_LATER_FILE = "jmdi-xapi-common-later.js"  # joined into each adapter's later file

# The adapters' notices, shown by the core in the page's status line: their catalogue keys are
# ``xapi_<name>`` (jmdi_scorm/locale).
NOTICES = ("untracked", "refused", "launch", "ended")


def runtime_data(course: model.Course, scope: Scope | None = None) -> dict[str, Any]:
    """The statement material the adapters need from the first page (issue 16): the course's base
    IRI and language; the adapter derives the verbs (``xapi_activities.verb``) and the page
    activities (``xapi_activities.course_activity``, ``module_activity``, ``topic_activity``,
    ``assessment_activity``: id, type and name, the name being the title the contents show)
    from it and the launch page's page list (``runtime/jmdi-xapi-common.js``, ``runtimeData``).
    Question definitions are larger (every choice text): one file per page under
    ``xapi_activities.QUESTIONS_DIR``, which the adapters load when a question of that page is answered.
    """
    return {
        "version": XAPI_VERSION,
        "lang": course.meta.language,
        "revision": course.meta.version,
        "course": course.id,
        "scope": None if scope_is_course(scope) else scope_modules(course, scope)[0].id,
        "base": course.iri(""),
        "ext": {"progress": EXT_PROGRESS},
    }


def question_data(
    course: model.Course, scope: Scope | None = None, found: Activities | None = None
) -> dict[str, dict[str, Any]]:
    """Page id → interaction id → ``{activity, parent}`` for every question of the package (§6.4)."""
    pages: dict[str, dict[str, Any]] = {}
    for module in (found or Activities(course)).scope(scope):
        pages.update(module.questions)
    return pages


def runtime_source(name: str) -> str:
    """The text of one file of the JS runtime shipped with the package."""
    return resources.files("jmdi_scorm").joinpath("runtime", name).read_text(encoding="utf-8")


def adapter_config(course: model.Course, scope: Scope | None = None) -> dict[str, Any]:
    """What the launch page hands the adapter (``config.adapterConfig``): the statement material
    of the first page, and the adapter's notices in the interface's language."""
    text = strings(course.meta.interface)
    return runtime_data(course, scope) | {"strings": {name: text[f"xapi_{name}"] for name in NOTICES}}


def adapter_code(adapter: str, site: Site | None = None, later: bool = False) -> bytes:
    """``runtime/jmdi-<adapter>.js`` as shipped: the common xAPI code of the first page, then the
    adapter's, compacted (once per build when ``site`` is given). ``later``: the file the adapter
    loads once the launch statements are queued, ``runtime/jmdi-<adapter>-later.js``
    (``jmdi-xapi-common-later.js``, then the adapter's later part)."""
    common, own = (COMMON_LATER_FILE, f"jmdi-{adapter}-later.js") if later else (COMMON_FILE, f"jmdi-{adapter}.js")

    def make() -> bytes:
        return (compact_js(runtime_source(common)) + compact_js(runtime_source(own))).encode()

    return make() if site is None else site.once(("xapi-adapter", adapter, later), make)


def adapter_files(
    course: model.Course, scope: Scope | None, adapter: str, found: Activities | None = None, site: Site | None = None
) -> dict[str, bytes]:
    """``runtime/jmdi-<adapter>.js`` as shipped, the later part it loads once the launch
    statements are queued (``runtime/jmdi-<adapter>-later.js``) and the question definitions it
    loads on demand.

    One script per adapter keeps the first page at five requests and within 60 KB
    (docs/architecture.md): the code both xAPI adapters share is joined in front of each part
    (``jmdi-xapi-common.js``, ``jmdi-xapi-common-later.js``).
    """
    files = {
        f"{RUNTIME_DIR}/jmdi-{adapter}.js": adapter_code(adapter, site),
        f"{RUNTIME_DIR}/jmdi-{adapter}-later.js": adapter_code(adapter, site, later=True),
    }
    for module in (found or Activities(course)).scope(scope):
        files.update(module.scripts)
    return files


def package_files(course: model.Course, site: Site, scope: Scope | None, adapter: str) -> dict[str, bytes]:
    """The files of an xAPI or cmi5 package except its descriptor: the scope's site files, the
    launch page (allowed to talk to an LRS named only at launch) and the adapter files."""
    found = activities(course, site)
    files: dict[str, bytes] = site.files_for(scope)
    files[LAUNCH] = site.shell(adapter, scope, adapter_config(course, scope), CSP)
    files.update(adapter_files(course, scope, adapter, found, site))
    return files
