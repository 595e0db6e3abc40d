"""The one exception users see for bad input, and the problems it holds.

A `ConfigError` holds one `Problem` or several (every bad input of a file is reported in one run).
Each problem names the input, the value received and what is allowed and, when the value came
from a file, the file and line: `file:line: input: must be <allowed>, got <value>`. Values are
shown as a config would write them (`null`, `true`, `"text"`, `{key: value}`), never as Python
reprs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

MAX_SHOWN = 120


class Written(str):
    """A value shown exactly as the user wrote it (a Terraform expression, a line of a file):
    never quoted."""


@dataclass(frozen=True)
class Problem:
    """One bad input: where it was written (file and line, when it came from a file), its name,
    the value received and what is allowed."""

    input: str
    value: Any
    allowed: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        message = f"must be {self.allowed}, got {show(self.value)}"
        if self.file is None:
            return f"{self.input} {message}"
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.input}: {message}"


class ConfigError(ValueError):
    """Invalid input: every problem found, one line each. `name`, `value` and `allowed` are the
    first problem's (what a single-problem error always had)."""

    problems: tuple[Problem, ...]

    def __init__(
        self, name: str, value: Any, allowed: str, *, file: str | None = None, line: int | None = None
    ) -> None:
        self._hold((Problem(name, value, allowed, file, line),))

    @classmethod
    def of(cls, problems: Iterable[Problem]) -> ConfigError:
        """One error holding `problems` (at least one), in the order given."""
        error = cls.__new__(cls)
        error._hold(tuple(problems))
        return error

    def _hold(self, problems: tuple[Problem, ...]) -> None:
        if not problems:
            raise ValueError("a ConfigError holds at least one problem")
        self.problems = problems
        ValueError.__init__(self, "\n".join(str(problem) for problem in problems))

    @property
    def name(self) -> str:
        return self.problems[0].input

    @property
    def value(self) -> Any:
        return self.problems[0].value

    @property
    def allowed(self) -> str:
        return self.problems[0].allowed

    def located(self, file: str) -> ConfigError:
        """The same problems, each without a file said to be about `file`."""
        return type(self).of(problem if problem.file else replace(problem, file=file) for problem in self.problems)

    def renamed(self, rename: Callable[[str], str]) -> ConfigError:
        """The same problems, each input renamed (`vpc_id` -> `overrides.1111.us-east-1.vpc_id`)."""
        return type(self).of(replace(problem, input=rename(problem.input)) for problem in self.problems)


class Problems:
    """Problems gathered one check at a time, raised together: `with problems.gather():` around
    each check, then `problems.raise_any()`."""

    def __init__(self, found: Iterable[Problem] = ()) -> None:
        self.found: list[Problem] = list(found)

    def gather(self) -> _Gather:
        """A context in which a ConfigError is recorded instead of raised."""
        return _Gather(self)

    def add(self, error: ConfigError) -> None:
        self.found.extend(error.problems)

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_any(self) -> None:
        if self.found:
            raise ConfigError.of(self.found)


class _Gather:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> bool:
        if isinstance(error, ConfigError):
            self.problems.add(error)
            return True
        return False


def show(value: Any) -> str:
    """`value` as a config writes it, cut at MAX_SHOWN characters."""
    text = _flow(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def _flow(value: Any) -> str:
    """YAML's flow style, which JSON and HCL read too: null, true, 3, "text", [a, b], {k: v}."""
    if isinstance(value, Written):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_flow(key)}: {_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    to_dict = getattr(value, "to_dict", None)  # a troposphere expression: {"Ref": "Vpc"}
    if callable(to_dict):
        return _flow(to_dict())
    return str(value)
