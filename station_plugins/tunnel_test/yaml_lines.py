"""A YAML loader that remembers line numbers, so every rejection names file and line.

Mappings load as :class:`LineDict` (``.line`` and ``.key_lines``), sequences as
:class:`LineList` (``.line`` and ``.item_lines``). Duplicate keys are rejected (plain
PyYAML silently keeps the last one, which would hide a typo in a limit).

Scanning and composing run in libyaml (C) when PyYAML has it: the shipped C-arm sequence
(2,500 lines) loads in ~0.1 s instead of ~0.4 s of pure Python, which held the GUI
process's interpreter (and so its event loop) while a console thread loaded it.
"""
from __future__ import annotations

from typing import Any

import yaml


class LineDict(dict):
    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list


class YamlLineError(ValueError):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


class _LineLoader(yaml.SafeLoader):
    pass


class _CLineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise YamlLineError(key_node.start_mark.line + 1,
                                f"key {key!r} must be text")
        if key in out:
            raise YamlLineError(key_node.start_mark.line + 1,
                                f"duplicate key '{key}' (first at line {out.key_lines[key]})")
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


for _loader in (_LineLoader, _CLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_FAST = _CLineLoader if getattr(yaml, "__with_libyaml__", False) else _LineLoader


def load_with_lines(text: str, *, pure_python: bool = False) -> Any:
    """Parse YAML text; syntax errors raise YamlLineError with the 1-based line."""
    try:
        return yaml.load(text, Loader=_LineLoader if pure_python else _FAST)  # noqa: S506 - SafeLoader subclasses
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise YamlLineError(line, f"YAML syntax: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise YamlLineError(0, f"YAML: {exc}") from None
