"""A light cover for each module page: a small decorative SVG made from the module's place in
the course, so every module looks its own without an image to draw, ship or translate.

The cover holds no text (nothing to translate, nothing read aloud: ``aria-hidden``): two places
joined by routes, the module's number of routes and its own colour. It is inline (no request), sized by its
attributes (no style rule in the first page's CSS) and about 500 bytes; module pages are not the first page, so the first-page budget is untouched.
"""

from __future__ import annotations

from markupsafe import Markup

#: (tint, ink) per module, in order, then again: light washes with a darker line, each pair with a
#: contrast of 3:1 or more between line and wash (decorative, but the lines stay visible).
PALETTE = (
    ("#e8f0fa", "#0b5cab"),
    ("#e7f4ee", "#1d6b45"),
    ("#fbeee6", "#9a3f0c"),
    ("#f1ebf8", "#5b3a8c"),
    ("#fdf5dc", "#7a5b00"),
    ("#e6f4f6", "#0f6470"),
)
WIDTH, HEIGHT = 640, 120


def module_cover(index: int) -> Markup:
    """The cover of the course's ``index``-th module (0 for the first)."""
    tint, ink = PALETTE[index % len(PALETTE)]
    left, right, middle = 150, WIDTH - 150, HEIGHT // 2
    routes = []
    for route in range(1 + index % 4):  # one to four routes between the two places
        sign = -1 if route % 2 == 0 else 1
        bend = middle + sign * (34 + 12 * (route // 2))
        routes.append(f"M{left} {middle}Q{WIDTH // 2} {bend} {right} {middle}")
    dash = ' stroke-dasharray="2 9"' if index % 2 else ""
    shape = (
        f'<svg class="jmdi-cover" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" aria-hidden="true" focusable="false">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" rx="8" fill="{tint}"/>'
        f'<g fill="{ink}" fill-opacity=".1"><circle cx="{left}" cy="{middle}" r="44"/>'
        f'<circle cx="{right}" cy="{middle}" r="44"/></g>'
        f'<path d="{"".join(routes)}" fill="none" stroke="{ink}" stroke-width="3" stroke-linecap="round"{dash}/>'
        f'<circle cx="{left}" cy="{middle}" r="9" fill="{ink}"/>'
        f'<circle cx="{right}" cy="{middle}" r="8" fill="{tint}" stroke="{ink}" stroke-width="4"/>'
        "</svg>"
    )
    return Markup(shape)
