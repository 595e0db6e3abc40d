from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from cfn_flowlogs import FlowLogsConfig, build_template, to_json


def rendered(config: FlowLogsConfig | None = None, *, parameterized: bool = False) -> dict[str, Any]:
    """The template as CloudFormation reads it (JSON round trip)."""
    return json.loads(to_json(build_template(config, parameterized=parameterized)))


@pytest.fixture(scope="session")
def shipped() -> dict[str, Any]:
    return rendered()


@pytest.fixture(scope="session")
def linted() -> Callable[..., list[str]]:
    """cfn-lint's findings (as text) for a template's text, informational rules on. One cfn-lint
    session per set of regions for the whole test run: its rules load once (a lone
    `cfnlint.api.lint` call spends most of its time loading them), and a template seen twice is
    linted once."""
    from cfn_flowlogs.linting import Session

    sessions: dict[tuple[str, ...], Session] = {}
    seen: dict[tuple[str, tuple[str, ...]], list[str]] = {}

    def findings(text: str, regions: tuple[str, ...] = ("us-east-1",)) -> list[str]:
        if (text, regions) not in seen:
            session = sessions.get(regions) or sessions.setdefault(regions, Session(list(regions)))
            seen[text, regions] = [str(finding) for finding in session.lint(text)]
        return seen[text, regions]

    return findings


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `cfn-flowlogs *argv` in-process: (exit code, stdout, stderr).

    Any exception but SystemExit is what the console script would show as a traceback: it fails.
    """
    from cfn_flowlogs.cli import main

    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else int(exit_.code or 0)
    except Exception as error:
        pytest.fail(f"traceback: {type(error).__name__}: {str(error)[:200]}", pytrace=False)
    out, err = capsys.readouterr()
    return code, out, err
