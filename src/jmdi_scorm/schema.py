"""JSON Schemas of the source files, generated from the model (never written by hand)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from . import model

#: schema file name -> model of the source file it describes
SCHEMAS: dict[str, type[BaseModel]] = {
    "course.schema.json": model.CourseFile,
    "module.schema.json": model.ModuleFile,
    "topic.schema.json": model.TopicFrontMatter,
    "glossary.schema.json": model.GlossaryFile,
    "resources.schema.json": model.ResourcesFile,
}


def render_schemas() -> dict[str, str]:
    """File name -> JSON text of every schema, deterministic."""
    out = {}
    for name, cls in SCHEMAS.items():
        schema = cls.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = name
        out[name] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return out


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_schemas().items():
        path = folder / name
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
