"""Package targets: one module per output standard, each exposing a ``Target``.

A target subclasses :class:`Target` (``targets/base.py``: the contract the build relies on);
registering it is one line at the bottom of its module::

    TARGET = WebTarget()

Every module of this package is imported on first use of :data:`TARGETS`, and each module-level
``TARGET`` or ``TARGET_<SUFFIX>`` object is registered under its ``name`` (the ``--format`` value).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from jmdi_scorm.targets.base import SCO_MODES, PackageResult, ScoMode, Target

__all__ = ["BROKEN", "PREFERRED_ORDER", "SCO_MODES", "TARGETS", "PackageResult", "ScoMode", "Target"]

#: Order of the formats in ``--format all`` and in the build summary; others follow by name.
PREFERRED_ORDER = ("scorm12", "scorm2004-3rd", "scorm2004-4th", "xapi", "cmi5", "web")

#: Every registered target by ``--format`` name (built on first use, see ``__getattr__``).
TARGETS: dict[str, Target]

#: Target modules that failed to import, by module name: a build asking for every format (or
#: for a format no module provides) re-raises their error, others still work.
BROKEN: dict[str, BaseException] = {}


def _discover() -> dict[str, Target]:
    found: dict[str, Target] = {}
    for info in pkgutil.iter_modules(__path__):
        try:
            module = importlib.import_module(f"{__name__}.{info.name}")
        except Exception as exc:  # a bug in one target must not stop the others
            BROKEN[info.name] = exc
            continue
        for attr, value in vars(module).items():
            if (attr == "TARGET" or attr.startswith("TARGET_")) and isinstance(value, Target):
                found[value.name] = value
    rank = {name: index for index, name in enumerate(PREFERRED_ORDER)}
    return dict(sorted(found.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0])))


_registry: dict[str, Target] | None = None


def __getattr__(name: str) -> Any:
    # TARGETS is built lazily so importing one target module does not import all the others.
    global _registry
    if name == "TARGETS":
        if _registry is None:
            _registry = _discover()
        return _registry
    raise AttributeError(name)
