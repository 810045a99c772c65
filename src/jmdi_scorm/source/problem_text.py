"""What a pydantic validation error says to a course author, in plain words with the value given.

pydantic's own messages name its types and regular expressions ("Input should be a valid
string", "String should match pattern '^[a-z0-9]+(-[a-z0-9]+)*$'"). An author needs what to
write instead, and YAML's own traps spelt out: ``version: 1.0`` and ``title: 2030`` are numbers,
``yes``/``no``/``on``/``off`` are true and false, until put in quotes.
"""

from __future__ import annotations

from typing import Any

from jmdi_scorm.source import model

#: What each pattern of the course model asks for, as an author reads it.
PATTERNS = {
    model.ID_PATTERN: "an id is lowercase letters (a-z), digits and single hyphens, e.g. m1-02",
    model.VERSION_PATTERN: "a version is two or three numbers with dots, e.g. 1.0 or 1.0.2",
    model.BASE_IRI_PATTERN: "an http:// or https:// address with no spaces, ending with '/'",
    model.LINK_PATTERN: "a link starts with http://, https:// or mailto:",
}


def message(error: Any) -> str | None:
    """The plain-words message for one error of ``ValidationError.errors()``, or None to keep
    pydantic's (types this module does not know)."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "string_type" and isinstance(value, bool | int | float):
        return _not_text(value)
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number, not {_shown(value)}"
    if kind in ("float_parsing", "float_type"):
        return f"expected a number, not {_shown(value)}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false, not {_shown(value)}"
    if kind in _BOUNDS:
        return f"must be {_BOUNDS[kind]} {_shown(ctx.get(_BOUND_KEYS[kind]))}, not {_shown(value)}"
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}, not {_shown(value)}"
    if kind == "string_pattern_mismatch":
        wanted = PATTERNS.get(str(ctx.get("pattern")))
        return f"{_shown(value)} is not allowed here: {wanted}" if wanted else None
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is {len(str(value))} characters long; at most {ctx.get('max_length')}"
    if kind == "too_short":
        return f"needs at least {_items(ctx.get('min_length'))}, not {ctx.get('actual_length')}"
    if kind == "too_long":
        return f"takes at most {_items(ctx.get('max_length'))}, not {ctx.get('actual_length')}"
    if kind == "list_type":
        return f"expected a list (lines starting with '- '), not {_shown(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of fields (name: value lines), not {_shown(value)}"
    return None


_BOUNDS = {
    "greater_than": "more than",
    "greater_than_equal": "at least",
    "less_than": "less than",
    "less_than_equal": "at most",
}
_BOUND_KEYS = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt", "less_than_equal": "le"}


def _not_text(value: bool | float) -> str:
    if isinstance(value, bool):
        return (
            f"expected text, but YAML reads this as {str(value).lower()} (yes, no, on, off, true and false "
            "are true or false to YAML): put the text in quotes"
        )
    return f'expected text, but YAML reads {value!r} as a number: put it in quotes, e.g. "{value}"'


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return repr(value) if value else "an empty value"
    if value is None:
        return "an empty value"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _items(count: Any) -> str:
    return f"{count} item" + ("" if count == 1 else "s")
