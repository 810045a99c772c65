"""Parse descriptor XML from an untrusted package: no DTD, no entities, no network, bounded size.

A descriptor with a DOCTYPE is refused before parsing: SCORM, TinCan and cmi5 descriptors never
need one, and it is where billion-laughs and external-entity attacks live. The parser is also
configured so that, were one to slip through, entities are neither expanded nor fetched.
"""

from __future__ import annotations

from lxml import etree

from jmdi_scorm.lint.report import Report
from jmdi_scorm.safexml import doctype_line, safe_parser


def parse(data: bytes, entry: str, report: Report) -> etree._Element | None:
    """The root element, or None after reporting why the XML cannot be used."""
    line = doctype_line(data)
    if line:
        report.error(
            entry,
            "XML declares a DOCTYPE or entities; refused (entity expansion and external entities are never processed)",
            line=line,
        )
        return None
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        report.error(entry, f"not well-formed XML: {exc.msg}", line=exc.lineno or 0)
        return None
    except (ValueError, etree.LxmlError) as exc:
        report.error(entry, f"unreadable XML: {exc}")
        return None
    if root is None:
        report.error(entry, "empty XML document")
    return root


def local(node: etree._Element) -> str:
    """Local name of an element ('' for comments and processing instructions)."""
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def namespace(node: etree._Element) -> str:
    return (etree.QName(node).namespace or "") if isinstance(node.tag, str) else ""


def children(node: etree._Element) -> list[etree._Element]:
    """Element children only (no comments or processing instructions)."""
    return [child for child in node if isinstance(child.tag, str)]
