"""JSON Schemas of the source files, generated from the model (never written by hand)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from jmdi_scorm.atomic import atomic_write
from jmdi_scorm.source import model

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


REFERENCE_TITLES = {
    "course.schema.json": "course.yaml",
    "module.schema.json": "modules/<folder>/module.yaml",
    "topic.schema.json": "Topic front matter (modules/<folder>/<topic>.md)",
    "glossary.schema.json": "glossary.yaml",
    "resources.schema.json": "resources.yaml",
}


def render_reference() -> str:
    """The field reference of every source file, as Markdown tables generated from the model."""
    lines = ["# Course format reference", "", "Generated from the model by `jmdi-scorm schema`; do not edit.", ""]
    for name, cls in SCHEMAS.items():
        schema = cls.model_json_schema()
        lines += [f"## {REFERENCE_TITLES[name]}", "", cls.__doc__.strip() if cls.__doc__ else "", ""]
        lines += _field_table(schema, schema.get("$defs", {}))
        for def_name, definition in sorted(schema.get("$defs", {}).items()):
            if "properties" in definition:
                lines += [f"### {def_name}", "", definition.get("description", "").strip(), ""]
                lines += _field_table(definition, schema.get("$defs", {}))
    return "\n".join(lines).rstrip() + "\n"


def _field_table(schema: dict, defs: dict) -> list[str]:
    required = set(schema.get("required", []))
    rows = ["| field | type | required | description |", "|---|---|---|---|"]
    for field, spec in schema.get("properties", {}).items():
        description = spec.get("description", "").replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{field}` | {_type_name(spec)} | {'yes' if field in required else 'no'} | {description} |")
    return [*rows, ""]


def _type_name(spec: dict) -> str:
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if "enum" in spec:
        return " / ".join(f"`{v}`" for v in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    if "anyOf" in spec or "oneOf" in spec:
        return " or ".join(_type_name(s) for s in spec.get("anyOf", spec.get("oneOf", [])))
    if spec.get("type") == "array":
        return f"list of {_type_name(spec.get('items', {}))}"
    return str(spec.get("type", "any"))


def write_reference(path: Path) -> Path:
    atomic_write(path, render_reference().encode("utf-8"))
    return path


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_schemas().items():
        path = folder / name
        atomic_write(path, text.encode("utf-8"))
        written.append(path)
    return written
