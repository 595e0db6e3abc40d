from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cfn_flowlogs import FlowLogsConfig, build_template, to_json

ROOT = Path(__file__).resolve().parents[1]
# The scanners' and Sceptre's own virtualenvs (`make pytest` installs them and names them).
CHECKOV = Path(os.environ.get("CHECKOV", ROOT / ".venv-checkov/bin/checkov"))
SCEPTRE = Path(os.environ.get("SCEPTRE", ROOT / ".venv-sceptre/bin/sceptre"))
# Each virtualenv the tests run a program from, and its lock (make installs them from these).
LOCKED_ENVIRONMENTS = {
    Path(sys.prefix): ROOT / "requirements/test.lock.txt",
    CHECKOV.parents[1]: ROOT / "requirements/checkov.lock.txt",
    SCEPTRE.parents[1]: ROOT / "requirements/sceptre.lock.txt",
    ROOT / ".venv-deploy": ROOT / "requirements/deploy.lock.txt",
    ROOT / ".venv-endpoint": ROOT / "requirements/endpoint.lock.txt",
    ROOT / ".venv-build": ROOT / "requirements/build.lock.txt",
    ROOT / ".venv-docs": ROOT / "requirements/docs.lock.txt",
}
_HOME: Path | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Nothing a test runs reads this machine's or its user's settings. Every process of the
    run (each xdist worker, and what it starts) gets a home of its own with empty AWS config and
    credentials files, no AWS variable from outside, no instance metadata lookups, and no global
    or system git configuration. The tests that talk to AWS set what they need on top."""
    global _HOME
    _HOME = Path(tempfile.mkdtemp(prefix="cfn-flowlogs-home-"))
    aws = _HOME / ".aws"
    aws.mkdir()
    for path in (aws / "config", aws / "credentials", _HOME / ".gitconfig"):
        path.touch()
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(
        HOME=str(_HOME),
        XDG_CONFIG_HOME=str(_HOME / ".config"),
        AWS_CONFIG_FILE=str(aws / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(aws / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        GIT_CONFIG_GLOBAL=str(_HOME / ".gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    if _HOME is not None:
        shutil.rmtree(_HOME, ignore_errors=True)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once, with one message, when an environment is not what its lock says: a version
    that moved under a lock would otherwise show as many unrelated failures."""
    if hasattr(session.config, "workerinput"):
        return  # xdist's controller has checked for every worker
    problems = []
    for prefix, lock in LOCKED_ENVIRONMENTS.items():
        python = prefix / "bin" / "python"
        if not python.exists():
            continue  # not installed: the tests that need it say so
        done = subprocess.run(
            [str(python), str(ROOT / "requirements/check.py"), str(lock)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            problems.append(done.stderr.strip() or f"{python} could not check {lock}")
    if problems:
        pytest.exit("\n".join(problems), returncode=pytest.ExitCode.USAGE_ERROR)


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
    from cfn_flowlogs.output.linting import Session

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
