"""A parsed SCORM manifest as the manifest checks see it (edition, namespaces, ids, items)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from jmdi_scorm.lint.xmlsafe import children, namespace

ADLCP12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
ADLCP2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"


@dataclass
class Manifest:
    root: etree._Element
    entry: str
    edition: str
    ids: dict[str, etree._Element] = field(default_factory=dict)
    resources: dict[str, etree._Element] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.cp = namespace(self.root)  # the content-packaging namespace the manifest uses

    @property
    def is2004(self) -> bool:
        return self.edition.startswith("2004")

    @property
    def adlcp(self) -> str:
        return ADLCP2004 if self.is2004 else ADLCP12

    def all(self, name: str, ns: str | None = None) -> Iterator[etree._Element]:
        return self.root.iter(f"{{{ns or self.cp}}}{name}")

    def first(self, parent: etree._Element, name: str) -> etree._Element | None:
        return parent.find(f"{{{self.cp}}}{name}")


def item_identifiers(manifest: Manifest) -> set[str]:
    return {i.get("identifier") for i in manifest.all("item") if i.get("identifier")}


def item_children(manifest: Manifest) -> Iterator[tuple[etree._Element, etree._Element]]:
    """(item, child element) for every child of every item."""
    for item in manifest.all("item"):
        for child in children(item):
            yield item, child
