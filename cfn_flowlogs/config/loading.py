"""Inputs from outside Python: config files (YAML, JSON, Terraform's `.tf` and `.tfvars`) and
`--set name=value` pairs."""

from __future__ import annotations

import json
import re
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml

from .config import FlowLogsConfig, known_inputs
from .errors import ConfigError

MAX_CONFIG_BYTES = 1_000_000
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


def load_config_file(path: str | Path, module: str | None = None, kind: type[Any] = FlowLogsConfig) -> dict[str, Any]:
    """The mapping of input names in a file, read by its extension: `.tf` (the inputs of its
    flow-log `module` block, or of the block named `module`), `.tfvars` (its assignments), `.json`
    (`.tfvars.json` too), else YAML. For a `.tf` file, `kind` decides which module blocks count:
    those whose source names vpc-flow-logs for a FlowLogsConfig, any for another kind."""
    path = Path(path)
    syntax = _syntax(path)
    if module is not None and syntax != "tf":
        raise ConfigError("--module", module, "given only with a .tf --config (it picks one of its module blocks)")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        raise ConfigError("--config", str(path), f"a readable file ({error.strerror})") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError("--config", str(path), f"a file of at most {MAX_CONFIG_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("--config", str(path), "UTF-8 text") from None
    if not text.strip() and syntax != "tf":
        return {}  # an empty file sets nothing, as an empty YAML document does
    if syntax in ("tf", "tfvars"):
        try:
            from . import hcl  # python-hcl2 and lark: only for Terraform files
        except ImportError:
            raise ConfigError("--config", str(path), "YAML or JSON: python-hcl2 is not installed to read "
                              "Terraform files (pip install 'python-hcl2>=8.1.4,<8.2')") from None  # fmt: skip

        if syntax == "tfvars":
            data = hcl.read_tfvars(text)
        else:
            source = hcl.FLOW_LOG_SOURCE if issubclass(kind, FlowLogsConfig) else None
            data = hcl.read_module(text, module, source)
    else:
        data = parse_json(text) if syntax == "json" else parse_yaml(text)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("config", type(data).__name__, "a mapping of input names to values")
    return data


def _syntax(path: Path) -> str:
    name = path.name.lower()
    for suffix in ("tf", "tfvars", "json"):
        if name.endswith("." + suffix):
            return suffix
    return "yaml"


def parse_assignment(assignment: str, kind: type[Any] = FlowLogsConfig) -> tuple[str, Any]:
    """`name=value` -> (name, value), the value typed as the input expects."""
    name, sep, text = assignment.partition("=")
    name = name.strip()
    if not sep:
        raise ConfigError("--set", assignment, "name=value")
    known_inputs(kind, {name: text}, "--set")  # an unknown name: the closest inputs
    spec = kind.SPECS.get(name)
    if spec is not None and spec.kind == "str":
        return name, text
    if spec is not None and spec.kind == "list":
        return name, [item.strip() for item in text.split(",") if item.strip()]
    return name, parse_yaml(text, name)  # numbers, booleans, null and the mapping inputs


def config_from(
    path: str | Path | None,
    assignments: list[str],
    kind: type[Any] = FlowLogsConfig,
    module: str | None = None,
) -> Any:
    """The config file (if any) overridden by `--set` assignments, validated as a `kind`
    (FlowLogsConfig or ArchiveConfig). `module` names the module block of a `.tf` file to read."""
    if path is None and module is not None:
        raise ConfigError("--module", module, "given only with a .tf --config (it picks one of its module blocks)")
    data = load_config_file(path, module, kind) if path is not None else {}
    for assignment in assignments:
        name, value = parse_assignment(assignment, kind)
        data[name] = value
    return kind.from_mapping(data)
