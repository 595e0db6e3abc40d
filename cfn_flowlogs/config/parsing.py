"""Config text as plain Python data: YAML and JSON, safely. Every failure is a ConfigError, and
nesting deeper than a config needs is refused before any parser (Terraform's included) sees it."""

from __future__ import annotations

import json
import re
from collections.abc import Hashable
from typing import Any, NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import ConfigError, Written

# Where each key of a config file is written: its path ("custom_tags.team", "a[0].b") -> line.
Lines = dict[str, int]


class Read(NamedTuple):
    """A config file read: its data, the line of each key, and the inputs whose value could not be
    read (a Terraform expression ...): input -> the error, which only a --set for it clears."""

    data: Any
    lines: Lines
    deferred: dict[str, ConfigError]


# Brackets deeper than this are refused before parsing: a config needs about five levels, and
# the parsers recurse once per level (PyYAML in Python, so 200 kB of '[' would take seconds).
MAX_NESTING = 32
# One linear pass: quoted strings and comments (whose brackets mean nothing), and brackets.
_NESTING_TOKENS = re.compile(
    r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|(?:^|(?<=\s))#[^\n]*|([\[{])|[\]}]""", re.MULTILINE
)


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML without aliases (no billion-laughs) and without duplicate keys."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ConfigError("config", Written(f"*{event.anchor}"), "YAML without anchors and aliases",
                              line=event.start_mark.line + 1)  # fmt: skip
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable) or key in seen:
                raise ConfigError("config", key, "a mapping without duplicate or unhashable keys",
                                  line=key_node.start_mark.line + 1)  # fmt: skip
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            raise ConfigError("config", key, "a JSON object without duplicate keys")
        mapping[key] = value
    return mapping


def check_nesting(text: str, name: str, kind: str) -> None:
    """Refuse flow-style nesting deeper than MAX_NESTING before any parser sees the text."""
    depth = 0
    for match in _NESTING_TOKENS.finditer(text):
        if match.group(1):
            depth += 1
            if depth > MAX_NESTING:
                reason = f"nested over {MAX_NESTING} deep"
                raise ConfigError(name, _summary(text), _PLAIN.format(kind=kind, reason=reason))
        elif match.group() in "]}":
            depth = max(depth - 1, 0)


def parse_yaml(text: str, name: str = "config") -> Any:
    """Safe YAML; every failure (syntax, aliases, duplicates, absurd nesting or numbers) a ConfigError."""
    data, _ = _load_yaml(text, name, located=False)
    return data


def read_yaml(text: str) -> tuple[Any, Lines]:
    """A YAML config's data and the line of each key in it (see `Lines`)."""
    return _load_yaml(text, "config", located=True)


def _load_yaml(text: str, name: str, *, located: bool) -> tuple[Any, Lines]:
    check_nesting(text, name, "YAML")
    try:
        loader = _StrictLoader(text)  # its reader refuses control characters at once
        try:
            node = loader.get_single_node()
            data = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except ConfigError as error:  # an alias or a duplicate key
        if name == "config":
            raise
        raise ConfigError(name, text, error.allowed) from None
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        line = where.line + 1 if where is not None else None
        shown: Any = text if name != "config" else _line_of(text, line)
        raise ConfigError(name, shown, f"valid YAML ({problem})", line=line if name == "config" else None) from None
    except (RecursionError, ValueError) as error:
        raise ConfigError(name, _summary(text), _PLAIN.format(kind="YAML", reason=_reason(error))) from None
    lines: Lines = {}
    if located and node is not None:
        _node_lines(node, "", lines)
    return data, lines


def _node_lines(node: Node, path: str, lines: Lines) -> None:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                child = f"{path}.{key_node.value}" if path else key_node.value
                lines.setdefault(child, key_node.start_mark.line + 1)
                _node_lines(value_node, child, lines)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            child = f"{path}[{index}]"
            lines.setdefault(child, item.start_mark.line + 1)
            _node_lines(item, child, lines)


def parse_json(text: str) -> Any:
    """JSON without duplicate keys; every failure a ConfigError."""
    data, _ = read_json(text)
    return data


def read_json(text: str) -> tuple[Any, Lines]:
    """A JSON config's data and the line of each key in it (see `Lines`)."""
    check_nesting(text, "config", "JSON")
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except ConfigError as error:  # a duplicate key: its line from the scan below
        raise ConfigError("config", error.value, error.allowed, line=_json_lines(text)[1]) from None
    except json.JSONDecodeError as error:
        shown = _line_of(text, error.lineno)
        raise ConfigError("config", shown, f"valid JSON ({error.msg})", line=error.lineno) from None
    except (RecursionError, ValueError) as error:
        raise ConfigError("config", _summary(text), _PLAIN.format(kind="JSON", reason=_reason(error))) from None
    return data, _json_lines(text)[0]


# The tokens of JSON text that give its structure: a key (a string and its colon), another string
# (whose brackets and commas mean nothing), brackets, commas and line ends.
_JSON_TOKEN = re.compile(r'("(?:[^"\\\n]|\\.)*")\s*:|"(?:[^"\\\n]|\\.)*"|[{}\[\],\n]')


class _Frame:
    """An object or array being read by `_json_lines`: its path, its current key or index."""

    __slots__ = ("child", "index", "is_object", "path", "seen")

    def __init__(self, path: str, is_object: bool) -> None:
        self.path, self.is_object = path, is_object
        self.child = f"{path}[0]"  # the path of the value being read in it
        self.index = 0
        self.seen: set[str] = set()


def _json_lines(text: str) -> tuple[Lines, int | None]:
    """The line of every key of JSON text that json.loads accepted (the standard library keeps
    no positions), and the line of the first key repeated in its object (None if none is)."""
    lines: Lines = {}
    duplicate: int | None = None
    stack: list[_Frame] = []
    line = 1
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        quoted = match.group(1)
        if quoted is not None:  # a key of the innermost object
            frame = stack[-1]
            key = quoted[1:-1] if "\\" not in quoted else json.loads(quoted)
            frame.child = f"{frame.path}.{key}" if frame.path else key
            if key in frame.seen and duplicate is None:
                duplicate = line
            frame.seen.add(key)
            lines.setdefault(frame.child, line)
            line += token.count("\n")  # between the key and its colon
        elif token == "\n":
            line += 1
        elif token == "{" or token == "[":
            path = stack[-1].child if stack else ""
            if stack and not stack[-1].is_object:
                lines.setdefault(path, line)
            stack.append(_Frame(path, token == "{"))
        elif token == "}" or token == "]":
            stack.pop()
        elif token == "," and not stack[-1].is_object:
            frame = stack[-1]
            frame.index += 1
            frame.child = f"{frame.path}[{frame.index}]"
    return lines, duplicate


def _line_of(text: str, line: int | None) -> Any:
    """The text of line `line` (1-based), as written, for an error about it."""
    lines = text.splitlines()
    if line is None or not 0 < line <= len(lines):
        return Written("(the end of the file)")
    return Written(lines[line - 1].strip().lstrip("\ufeff")[:80] or "(an empty line)")


_PLAIN = "{kind} of plain nesting and numbers ({reason})"


def _reason(error: Exception) -> str:
    return "nested too deeply" if isinstance(error, RecursionError) else str(error).split(";")[0]


def _summary(text: str) -> Any:
    return text if len(text) <= 40 else Written(f"{len(text)} characters starting {json.dumps(text[:20])}")
