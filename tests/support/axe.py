"""axe-core (the npm package in node_modules) run in a Playwright page: the one helper every
browser test uses for its accessibility checks."""

from __future__ import annotations

from tests.conftest import NODE_MODULES

AXE = NODE_MODULES / "axe-core" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2, levels A and AA (axe has no ``wcag22a`` rule yet; 2.2's AA one is target-size).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page, tags: list[str] | None = None) -> list[str]:
    """axe's violations on the page's current state, one line each (rule, help, first targets).

    The page's context needs ``bypass_csp=True``: the packages' own CSP (rightly) refuses the
    injected script."""
    if not page.evaluate("!!window.axe"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        tags or AXE_TAGS,
    )
    assert len(result["passes"]) >= 10  # the rules really ran
    return [f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]]
