"""YAML read with the line of every node (``files.parse_yaml``): the data PyYAML's safe loader
gives, merge keys (``<<``) and value keys (``=``) included, each key at its own line (a key
given again over a merged one is refused as a duplicate, like any other)."""

from __future__ import annotations

import pytest
import yaml

from jmdi_scorm.source.files import SourceProblem, parse_yaml

TEXT = """\
base: &base
  a: one
  b: two
item:
  <<: *base
  e: three
  c: [x, y]
items:
  - <<: [*base]
    d: four
=: value
"""


def test_merge_and_value_keys_read_as_the_safe_loader_reads_them() -> None:
    data, positions = parse_yaml(TEXT, "x.yaml")
    assert data == yaml.safe_load(TEXT)
    assert data["item"] == {"a": "one", "b": "two", "e": "three", "c": ["x", "y"]} and data["="] == "value"
    assert positions.line(("item",)) == 4 and positions.line(("item", "e")) == 6
    assert positions.line(("item", "c", 1)) == 7 and positions.line(("items", 0, "d")) == 10
    assert positions.line(("item", "a")) == 2  # merged from the anchor: its own line there
    assert positions.line(("=",)) == 11


def test_a_key_given_again_over_a_merged_one_is_a_duplicate() -> None:
    with pytest.raises(SourceProblem, match="item.b: duplicate key"):
        parse_yaml("base: &base\n  b: two\nitem:\n  <<: *base\n  b: three\n", "x.yaml")
