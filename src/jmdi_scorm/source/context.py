"""The one context of a load or build: what is computed once from the course and kept until it ends.

Created by the loader (``LoadContext.build``), handed to ``render_site`` and kept by the site
(``Site.context``), so nothing outlives the build that made it and two builds share nothing
(no module-level cache to reset).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from jmdi_scorm.source.token_cache import TokenCache

T = TypeVar("T")


@dataclass(eq=False)
class BuildContext:
    """The parsed Markdown of every text (checks, then the site) and what is derived from the site.

    ``tokens``: each distinct text parsed once for the checks, the pages and the targets.
    ``memo``: what targets derive from the rendered site (activity definitions, compacted
    scripts, audited contents), see ``once``; emptied when a site is rendered (``new_site``).
    """

    tokens: TokenCache = field(default_factory=TokenCache)
    memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    def once(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, computed on the first call with ``key`` and kept until the next site."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    def new_site(self) -> None:
        """Forget what was derived from the previous site (a build may render twice: ``build.py``)."""
        self.memo.clear()
