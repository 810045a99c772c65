"""The JMDI course's resource links: each on its publisher's own site, shown as a link (issue 14).

The rule (docs/authoring.md, "Link only a certain publisher address"): a resource gets a `url`
only when that address was seen as the publisher's own for the document; otherwise it has none.
The allow-list below names, for each domain, whose address it is.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from jmdi_scorm.build import BuildOptions, build
from jmdi_scorm.source.validate import load_course

COURSE = Path(__file__).resolve().parents[2] / "course"

PUBLISHER_DOMAINS = {
    "iom.int": "IOM: iom.int, its publications platform and the Reintegration Handbook site",
    "undp.org": "UNDP publications",
    "unwomen.org": "UN Women digital library",
    "undocs.org": "United Nations Official Document System, by document symbol",
    "coe.int": "Council of Europe: treaty office, document repository (rm) and bookshop (edoc)",
    "oecd.org": "OECD publications",
    "worldbank.org": "World Bank: Remittance Prices Worldwide and the Open Knowledge Repository",
    "cgdev.org": "Center for Global Development publications",
    "ecdpm.org": "ECDPM publications",
    "mayorsmechanism.org": "Mayors Mechanism (UCLG, Mayors Migration Council, IOM)",
    "doi.org": "a DOI the publisher registered and printed on the work (OECD, World Bank, journals)",
}


def publisher_of(url: str) -> str | None:
    """The allow-listed domain `url` is on (the domain itself or one of its subdomains)."""
    host = urlsplit(url).hostname or ""
    return next((d for d in PUBLISHER_DOMAINS if host == d or host.endswith("." + d)), None)


class _ResourceLinks(HTMLParser):
    """Each resource item of the resources page (`<li id="res-ID">`) and its link, if any."""

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, list[str]] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "li" and (attributes.get("id") or "").startswith("res-"):
            self._current = (attributes["id"] or "")[len("res-") :]
            self.items[self._current] = []
        elif tag == "a" and self._current is not None:
            self.items[self._current].append(attributes.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self._current = None


@pytest.fixture(scope="module")
def resources():
    course, _ = load_course(COURSE)
    return course.resources


@pytest.fixture(scope="module")
def page_links(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Resource id -> the links its item shows, on the resources page of a built English web package."""
    out = tmp_path_factory.mktemp("jmdi-web-resources")
    build(COURSE, BuildOptions(formats=("web",), out=out, pdf=False, languages=("en",)))
    (script,) = out.glob("*/content/resources.js")
    text = script.read_text(encoding="utf-8")
    assert text.startswith("JMDI.page(") and text.endswith(");\n")
    parser = _ResourceLinks()
    parser.feed(json.loads(text[len("JMDI.page(") : -3])["html"])
    return parser.items


def test_every_link_is_https_on_a_publisher_domain(resources) -> None:
    linked = [r for r in resources if r.url]
    assert linked
    for resource in linked:
        parts = urlsplit(resource.url)
        assert parts.scheme == "https" and parts.hostname, resource.id
        assert publisher_of(resource.url), f"{resource.id}: {parts.hostname} is not an allowed publisher domain"
    assert len({r.url for r in linked}) == len(linked), "two resources share one address"


def test_at_least_half_of_the_resources_are_linked(resources) -> None:
    """Issue 14 found 4 of 54 linked; every certain publisher address is now given."""
    assert 2 * sum(1 for r in resources if r.url) >= len(resources)


def test_publisher_domain_check_rejects_lookalikes() -> None:
    assert publisher_of("https://publications.iom.int/books/x") == "iom.int"
    assert publisher_of("https://www.coe.int/en/web/conventions") == "coe.int"
    assert publisher_of("https://notiom.int/x") is None
    assert publisher_of("https://iom.int.example.com/x") is None
    assert publisher_of("https://www.scribd.com/document/1") is None


def test_the_resources_page_links_exactly_the_linked_resources(resources, page_links) -> None:
    assert set(page_links) == {r.id for r in resources}
    for resource in resources:
        expected = [resource.url] if resource.url else []
        assert page_links[resource.id] == expected, resource.id
    shown = sum(1 for links in page_links.values() if links)
    assert shown == sum(1 for r in resources if r.url)
