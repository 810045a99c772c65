"""The Jinja2 environment of the site: an ordered template search path.

1. the course's own ``templates/`` folder (if any), so a course can replace any template;
2. the built-in theme, also reachable as ``theme/<name>`` so a course template can extend the
   built-in one and override only some of its blocks::

       {# course/templates/pages/home.html #}
       {% extends "theme/pages/home.html" %}
       {% block after %}<p>Funded by …</p>{% endblock %}

The built-in theme is the wheel's ``jmdi_scorm/_templates`` (force-included from the repository's
top-level ``templates/``), or that folder itself when running from a source checkout.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import escape

from jmdi_scorm.errors import BuildError

MARKER = "shell.html"  # a file every theme folder has


def builtin_templates() -> Path:
    """The folder of the built-in templates (installed package first, then the source tree)."""
    packaged = resources.files("jmdi_scorm") / "_templates"
    if packaged.is_dir() and (packaged / MARKER).is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "templates"
    if (checkout / MARKER).is_file():
        return checkout
    raise BuildError("the built-in templates are missing (jmdi_scorm/_templates or templates/)")


def environment(course_root: Path | None = None) -> Environment:
    """The environment for a course; compiled templates are reused while their files are unchanged."""
    overrides = course_root / "templates" if course_root is not None else None
    return _environment(builtin_templates(), overrides if overrides and overrides.is_dir() else None)


@lru_cache(maxsize=8)
def _environment(builtin_dir: Path, overrides: Path | None) -> Environment:
    builtin = FileSystemLoader(str(builtin_dir))
    loaders: list[BaseLoader] = [PrefixLoader({"theme": builtin}, delimiter="/"), builtin]
    if overrides is not None:
        loaders.insert(0, FileSystemLoader(str(overrides)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=True,  # a cached environment still sees edited templates
    )
    # Markup fields (course text isolated in an interface sentence, render/bidi.py) stay markup.
    env.filters["fmt"] = lambda text, **fields: escape(text).format(**fields)
    return env
