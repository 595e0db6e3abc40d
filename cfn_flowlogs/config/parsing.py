"""Config text as plain Python data: YAML and JSON, safely. Every failure is a ConfigError, and
nesting deeper than a config needs is refused before any parser (Terraform's included) sees it."""

from __future__ import annotations

import json
import re
from collections.abc import Hashable
from typing import Any

import yaml

from ..errors import ConfigError

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
            raise ConfigError("config", f"alias *{event.anchor}", "YAML without anchors and aliases")
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable) or key in seen:
                raise ConfigError("config", key, "a mapping without duplicate or unhashable keys")
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
    check_nesting(text, name, "YAML")
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except ConfigError as error:  # an alias or a duplicate key
        if name == "config":
            raise
        raise ConfigError(name, text, error.allowed) from None
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        shown = text if name != "config" else f"invalid YAML{line}"
        raise ConfigError(name, shown, f"valid YAML ({problem})") from None
    except (RecursionError, ValueError) as error:
        raise ConfigError(name, _summary(text), _PLAIN.format(kind="YAML", reason=_reason(error))) from None


def parse_json(text: str) -> Any:
    """JSON without duplicate keys; every failure a ConfigError."""
    check_nesting(text, "config", "JSON")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except ConfigError:
        raise
    except json.JSONDecodeError as error:
        raise ConfigError("config", f"invalid JSON at line {error.lineno}", f"valid JSON ({error.msg})") from None
    except (RecursionError, ValueError) as error:
        raise ConfigError("config", _summary(text), _PLAIN.format(kind="JSON", reason=_reason(error))) from None


_PLAIN = "{kind} of plain nesting and numbers ({reason})"


def _reason(error: Exception) -> str:
    return "nested too deeply" if isinstance(error, RecursionError) else str(error).split(";")[0]


def _summary(text: str) -> str:
    return text if len(text) <= 40 else f"{len(text)} characters starting {text[:20]!r}"
