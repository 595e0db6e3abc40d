"""cfn-lint as a library, informational rules on. Imported only when linting is asked for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cfnlint.api import ManualArgs
from cfnlint.api import lint as cfnlint_lint
from troposphere import Template

from .render import to_json

REGIONS = ["us-east-1"]


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    path: str

    def __str__(self) -> str:
        return f"{self.rule} {self.path}: {self.message}"


def lint(template: Template | str, regions: list[str] | None = None) -> list[Finding]:
    """Every cfn-lint finding (errors, warnings and informational) for a template or its text."""
    text = template if isinstance(template, str) else to_json(template)
    matches: list[Any] = cfnlint_lint(text, config=ManualArgs(regions=regions or REGIONS, include_checks=["I"]))
    return [Finding(m.rule.id, m.message, "/".join(str(p) for p in m.path)) for m in matches]
