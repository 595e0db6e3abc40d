"""Inputs from outside Python: config files (YAML, JSON, Terraform's `.tf` and `.tfvars`) and
`--set name=value` pairs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .flow_logs import FlowLogsConfig, known_inputs
from .parsing import parse_json, parse_yaml

MAX_CONFIG_BYTES = 1_000_000


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
    return kind.from_mapping(config_data(path, assignments, kind, module))


def config_data(
    path: str | Path | None,
    assignments: list[str],
    kind: type[Any] = FlowLogsConfig,
    module: str | None = None,
) -> dict[str, Any]:
    """What `config_from` validates: the file's inputs with the `--set` assignments applied."""
    if path is None and module is not None:
        raise ConfigError("--module", module, "given only with a .tf --config (it picks one of its module blocks)")
    data = load_config_file(path, module, kind) if path is not None else {}
    for assignment in assignments:
        name, value = parse_assignment(assignment, kind)
        data[name] = value
    return data
