"""Inputs from outside Python: config files (YAML, JSON, Terraform's `.tf` and `.tfvars`) and
`--set name=value` pairs.

A `--set` replaces a file's value before that value is judged: a Terraform expression, or any
value the file gives badly, is no error when a `--set` gives the input. Every problem names the
file and line its input was written on (`Inputs.locate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError, Problem, Problems
from .flow_logs import FlowLogsConfig, known_inputs
from .parsing import Lines, Read, parse_yaml, read_json, read_yaml

MAX_CONFIG_BYTES = 1_000_000


@dataclass
class Inputs:
    """The inputs a config file and `--set` give, before a config judges them together."""

    values: dict[str, Any] = field(default_factory=dict)
    file: str | None = None  # the config file, as the user named it
    lines: Lines = field(default_factory=dict)  # where each key is written in it
    deferred: dict[str, ConfigError] = field(default_factory=dict)  # values the file gives that no --set replaced
    assigned: set[str] = field(default_factory=set)  # the names --set gave
    problems: list[Problem] = field(default_factory=list)  # bad --set assignments

    def all_problems(self) -> list[Problem]:
        """What reading found: the file's unreadable values and the bad `--set`s, located."""
        deferred = [problem for error in self.deferred.values() for problem in self.locate(error).problems]
        return [*deferred, *self.problems]

    def checked(self) -> dict[str, Any]:
        """The values, once nothing is left that only a --set could have fixed."""
        found = self.all_problems()
        if found:
            raise ConfigError.of(found)
        return self.values

    def locate(self, error: ConfigError) -> ConfigError:
        """`error` with each problem about a value of the file given the file and its line, in
        the order of the file's lines (the others after them)."""
        if self.file is None:
            return error
        located = [self._locate(problem) for problem in error.problems]
        located.sort(key=lambda problem: (problem.file is None, problem.line is None, problem.line or 0))
        return type(error).of(located)

    def _locate(self, problem: Problem) -> Problem:
        name = problem.input
        if problem.file is not None or name.startswith("-") or _top(name) in self.assigned:
            return problem  # located already, about an option, or a value --set gave
        line = problem.line or _line_of(name, self.lines)
        if line is None and name == "config" and isinstance(problem.value, str):
            line = self.lines.get(problem.value)  # an unknown key: its own line
        return replace(problem, file=self.file, line=line)


def _top(name: str) -> str:
    """The input a problem's name is about: `custom_tags.team` -> `custom_tags`."""
    for separator in (".", "["):
        name = name.partition(separator)[0]
    return name


def _line_of(name: str, lines: Lines) -> int | None:
    """The line of `name`, or of the nearest key holding it (`a.b[2].c`, then `a.b[2]`, `a.b`,
    `a`); for a problem about several inputs (`vpc_id/subnet_id`), the first written."""
    for part in name.split("/"):
        while part:
            if part in lines:
                return lines[part]
            cut = max(part.rfind("."), part.rfind("[") if part.endswith("]") else -1)
            part = part[:cut] if cut > 0 else ""
    return None


def read_config_file(path: str | Path, module: str | None = None, kind: type[Any] = FlowLogsConfig) -> Inputs:
    """The inputs of a file, read by its extension: `.tf` (the inputs of its flow-log `module`
    block, or of the block named `module`), `.tfvars` (its assignments), `.json` (`.tfvars.json`
    too), else YAML. For a `.tf` file, `kind` decides which module blocks count: those whose
    source names vpc-flow-logs for a FlowLogsConfig, any for another kind."""
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
    inputs = Inputs(file=str(path))
    try:
        read = _read(text, syntax, path, module, kind)
    except ConfigError as error:
        raise inputs.locate(error) from None
    data = {} if read.data is None else read.data
    if not isinstance(data, dict):
        raise inputs.locate(ConfigError("config", data, "a mapping of input names to values"))
    inputs.values, inputs.lines, inputs.deferred = data, read.lines, read.deferred
    return inputs


def _read(text: str, syntax: str, path: Path, module: str | None, kind: type[Any]) -> Read:
    if not text.strip() and syntax != "tf":
        return Read({}, {}, {})  # an empty file sets nothing, as an empty YAML document does
    if syntax in ("tf", "tfvars"):
        try:
            from . import hcl  # python-hcl2 and lark: only for Terraform files
        except ImportError:
            raise ConfigError("--config", str(path), "YAML or JSON: python-hcl2 is not installed to read "
                              "Terraform files (pip install 'python-hcl2>=8.1.4,<8.2')") from None  # fmt: skip
        if syntax == "tfvars":
            return hcl.read_tfvars(text)
        source = hcl.FLOW_LOG_SOURCE if issubclass(kind, FlowLogsConfig) else None
        return hcl.read_module(text, module, source)
    data, lines = read_json(text) if syntax == "json" else read_yaml(text)
    return Read(data, lines, {})


def load_config_file(path: str | Path, module: str | None = None, kind: type[Any] = FlowLogsConfig) -> dict[str, Any]:
    """The mapping of input names in a file (see `read_config_file`); a value the file could not
    give (a Terraform expression ...) is an error naming its file and line."""
    return read_config_file(path, module, kind).checked()


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


def read_inputs(
    path: str | Path | None,
    assignments: list[str],
    kind: type[Any] = FlowLogsConfig,
    module: str | None = None,
) -> Inputs:
    """The config file's inputs (if any), each `--set` assignment replacing the file's value
    unjudged. Bad assignments are kept as problems, reported with the config's own."""
    if path is None and module is not None:
        raise ConfigError("--module", module, "given only with a .tf --config (it picks one of its module blocks)")
    inputs = read_config_file(path, module, kind) if path is not None else Inputs()
    problems = Problems()
    for assignment in assignments:
        inputs.assigned.add(assignment.partition("=")[0].strip())
        with problems.gather():
            name, value = parse_assignment(assignment, kind)
            inputs.values[name] = value
            inputs.deferred.pop(name, None)
    inputs.problems.extend(problems.found)
    return inputs


def config_from(
    path: str | Path | None,
    assignments: list[str],
    kind: type[Any] = FlowLogsConfig,
    module: str | None = None,
) -> Any:
    """The config file (if any) overridden by `--set` assignments, validated as a `kind`
    (FlowLogsConfig or ArchiveConfig). `module` names the module block of a `.tf` file to read.
    A ConfigError holds every problem found, each with its file and line."""
    inputs = read_inputs(path, assignments, kind, module)
    try:
        return kind.from_mapping(inputs.values, inputs.all_problems())
    except ConfigError as error:
        raise inputs.locate(error) from None
