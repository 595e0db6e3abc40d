"""The README's Deploy and "Use as a library" examples, run as written: Python blocks by the
venv's python, shell blocks by bash against the local endpoint (AWS_ENDPOINT_URL)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .endpoint import BIN, Aws

ROOT = Path(__file__).resolve().parents[2]


def blocks(section: str, language: str) -> list[str]:
    """The fenced `language` blocks of the README's `### section`, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^### {re.escape(section)}\n(.*?)(?=^##)", readme, flags=re.M | re.S)
    assert match, f"README.md has no section {section!r}"
    return re.findall(rf"^```{language}\n(.*?)^```$", match.group(1), flags=re.M | re.S)


def run(command: list[str], aws: Aws, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**aws.env, "PATH": f"{BIN}:{aws.env['PATH']}"}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{command[0]} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def test_make_deploy_is_the_aws_command_the_readme_shows():
    # GIVEN the Deploy section's `make deploy` line and the command it says that is
    make_line, command = (" ".join(block.replace("\\\n", " ").split()) for block in blocks("Deploy", "sh")[:2])
    # WHEN make prints what it would run (not as a sub-make of `make test`)
    env = {"PATH": os.environ["PATH"]}
    dry_run = subprocess.run(
        ["make", "-n", *shlex.split(make_line)[1:]], cwd=ROOT, env=env, capture_output=True, text=True
    )
    (printed,) = [line for line in dry_run.stdout.replace("\\\n", " ").splitlines() if line.startswith(".venv/bin/aws")]
    # THEN it is that command, with the venv's AWS CLI
    assert shlex.split(printed) == [".venv/bin/aws", *shlex.split(command)[1:]]


def test_deploy_against_a_local_endpoint_as_written(aws: Aws):
    # GIVEN the Deploy section's local-endpoint block WHEN bash runs it from the repository
    script = blocks("Deploy", "sh")[-1]
    done = run(["bash", "-euo", "pipefail", "-c", script], aws, ROOT)
    # THEN the stack it deployed is complete and its Outputs were printed
    assert aws.stack("local-flow-logs")["StackStatus"] == "CREATE_COMPLETE"
    assert "FlowLogId" in done.stdout


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """Where a user of the library works: next to the shipped templates."""
    (tmp_path / "templates").symlink_to(ROOT / "templates")
    return tmp_path


def test_library_examples_as_written(aws: Aws, workdir: Path):
    # GIVEN the "Use as a library" section's Python blocks WHEN each runs in a fresh interpreter
    python_blocks = blocks("Use as a library", "python")
    assert len(python_blocks) == 2
    for code in python_blocks:
        run([sys.executable, "-c", code], aws, workdir)
    # AND its shell block packages and deploys what they wrote
    (script,) = blocks("Use as a library", "sh")
    run(["bash", "-euo", "pipefail", "-c", script], aws, workdir)
    # THEN the parent stack and its nested stack are complete, with both flow logs
    outputs = aws.outputs("network")
    assert aws.stack(aws.physical_id("network", "SubnetFlowLogs"))["StackStatus"] == "CREATE_COMPLETE"
    assert aws.flow_log(outputs["VpcFlowLogId"])["ResourceId"] == aws.physical_id("network", "Vpc")
    assert aws.flow_log(outputs["SubnetFlowLogId"])["ResourceId"] == aws.physical_id("network", "Private")
