"""``jmdi-scorm new``: a starter course that validates and builds, from the templates beside this file."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from jmdi_scorm.errors import JmdiError
from jmdi_scorm.locale import LANGUAGES
from jmdi_scorm.source.model import ID_PATTERN

TEMPLATE = "course"


def default_id(folder: Path) -> str:
    """A course id from the folder name (``My Course`` -> ``my-course``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-")[:64].strip("-")
    return slug if re.match(ID_PATTERN, slug) else "my-course"


def create_course(dest: Path, course_id: str, title: str, language: str = "en") -> list[Path]:
    """Write the starter course into ``dest`` (missing or empty); the files written."""
    if not re.match(ID_PATTERN, course_id) or len(course_id) > 64:
        raise JmdiError(f"course id '{course_id}' must be lowercase letters, digits and single hyphens")
    if language not in LANGUAGES:
        raise JmdiError(f"language '{language}' must be one of {', '.join(LANGUAGES)}")
    if dest.exists() and not dest.is_dir():
        raise JmdiError(f"{dest} exists and is not a folder")
    if dest.is_dir() and any(dest.iterdir()):
        raise JmdiError(f"{dest} is not empty; choose a new or empty folder")
    values = {
        "course_id": course_id,
        "title": json.dumps(title, ensure_ascii=False),  # a JSON string is a valid YAML scalar
        "language": language,
        "base_iri": f"https://example.org/courses/{course_id}/",
    }
    written = _copy_tree(files(__package__) / TEMPLATE, dest, values)
    written += _write_schemas(dest / "schemas")
    return written


def _copy_tree(source: Traversable, dest: Path, values: dict[str, str]) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for item in sorted(source.iterdir(), key=lambda t: t.name):
        target = dest / item.name
        if item.is_dir():
            written += _copy_tree(item, target, values)
        elif item.name.endswith((".yaml", ".md")):
            text = item.read_text(encoding="utf-8")
            for key, value in values.items():
                text = text.replace("{{" + key + "}}", value)
            target.write_text(text, encoding="utf-8")
            written.append(target)
        else:
            target.write_bytes(item.read_bytes())
            written.append(target)
    return written


def _write_schemas(folder: Path) -> list[Path]:
    """JSON Schemas next to the course, so editors autocomplete (the YAML files point at them)."""
    from jmdi_scorm.source.schema import render_schemas

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_schemas().items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    return written
