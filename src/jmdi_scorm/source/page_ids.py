"""Page ids the site derives from the course: the site's own pages and module assessments.

They belong to the source stage because they constrain the course's ids (a topic cannot be
called ``glossary``): the rules check them (``id_rules.check_page_ids``), the site uses them
(``render/site.py``).
"""

from __future__ import annotations

HOME, GLOSSARY, RESOURCES, SUMMARY = "home", "glossary", "resources", "summary"
#: Page ids of the site's own pages: no module or topic may have one of them as its id.
RESERVED_PAGE_IDS = frozenset({HOME, GLOSSARY, RESOURCES, SUMMARY})


def assessment_page_id(module_id: str) -> str:
    """The page (and interaction-id prefix) of a module assessment: ``m1.assessment``."""
    return f"{module_id}.assessment"
