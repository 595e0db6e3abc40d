"""cfn-lint as a library, informational rules on. Imported only when linting is asked for."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any

from cfnlint.api import ManualArgs
from cfnlint.config import ConfigMixIn
from cfnlint.decode.decode import decode_str
from cfnlint.runner import Runner
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


class Session:
    """One cfn-lint setup for any number of templates. `cfnlint.api.lint` loads every rule (and
    the schemas they read) afresh for each template, most of its time; a session loads them
    once, then checks each template as `cfnlint.api.lint` would: the same configuration, the
    same runner, as cfn-lint's own command line does for several files."""

    def __init__(self, regions: list[str] | None = None) -> None:
        self.regions = list(regions or REGIONS)
        self._runner = Runner(ConfigMixIn(**ManualArgs(regions=self.regions, include_checks=["I"])))

    def lint(self, template: Template | str) -> list[Finding]:
        """Every cfn-lint finding (errors, warnings and informational) for a template or its text.
        cfn-lint leaves cyclic garbage (megabytes a template): it runs with the collector on, even
        in a command that turned it off (cli.main)."""
        text = template if isinstance(template, str) else to_json(template)
        collecting = gc.isenabled()
        gc.enable()
        try:
            data, errors = decode_str(text)
            matches: list[Any] = errors or ([] if data is None else list(self._runner.validate_template(data)))
        finally:
            if not collecting:
                gc.disable()
        # A parse error has no path into the template.
        return [Finding(m.rule.id, m.message, "/".join(str(p) for p in getattr(m, "path", ()))) for m in matches]


_SESSIONS: dict[tuple[str, ...], Session] = {}  # one per set of regions, for the process


def lint(template: Template | str, regions: list[str] | None = None) -> list[Finding]:
    """Every cfn-lint finding (errors, warnings and informational) for a template or its text,
    in this process's session for those regions (made on first use)."""
    key = tuple(regions or REGIONS)
    session = _SESSIONS.get(key)
    if session is None:
        session = _SESSIONS[key] = Session(list(key))
    return session.lint(template)
