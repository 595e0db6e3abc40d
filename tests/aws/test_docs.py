"""Every page's shell and Python blocks, run as a reader runs them: in page order, in one bash
process per page (so a variable set in one block is there in the next), Python blocks by the
venv's python in the same process's order, against the local endpoint, in a scratch directory
holding copies of examples/ and templates/. A block titled with a file name (```hcl
title="main.tf"```) is that file, written before the page's blocks run. Blocks marked as not
run (see tests/docs_blocks.py) are only checked, by tests/test_docs.py."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from ..docs_blocks import DOCS, ROOT, Block, blocks, pages
from .endpoint import BIN, Aws

_FILE_TITLE = re.compile(r"^[\w./-]+\.\w+$")
RUNNABLE = {
    str(page.relative_to(ROOT)): found
    for page in pages()
    if (found := [b for b in blocks(page, "sh", "python") if b.runs])
}


def file_blocks(page: Path) -> list[Block]:
    """The blocks of `page` that are files to write (their title is a file name)."""
    return [b for b in blocks(page, "hcl", "yaml", "json", "text", "sh", "python") if _FILE_TITLE.match(b.title)]


def script(page_blocks: list[Block]) -> str:
    """One bash script for a page: each block in order, a Python block as a here-document; a
    failure names the block it happened in."""
    lines = ["set -euo pipefail", "trap 'echo \"docs block failed: $BLOCK\" >&2' ERR"]
    for block in page_blocks:
        lines.append(f"BLOCK={block.id}")
        if block.language == "python":
            lines += ["python - <<'CFN_FLOWLOGS_PYTHON_BLOCK'", block.body.rstrip("\n"), "CFN_FLOWLOGS_PYTHON_BLOCK"]
        else:
            lines.append(block.body.rstrip("\n"))
    return "\n".join(lines) + "\n"


def _stack_complete(name: str) -> Callable[[Aws], None]:
    def check(aws: Aws) -> None:
        assert aws.stack(name)["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), name

    return check


def _library(aws: Aws) -> None:
    """The parent stack and its nested stack are complete, with both flow logs where they belong."""
    outputs = aws.outputs("network")
    assert aws.stack(aws.physical_id("network", "SubnetFlowLogs"))["StackStatus"] == "CREATE_COMPLETE"
    assert aws.flow_log(outputs["VpcFlowLogId"])["ResourceId"] == aws.physical_id("network", "Vpc")
    assert aws.flow_log(outputs["SubnetFlowLogId"])["ResourceId"] == aws.physical_id("network", "Private")


# What a page's blocks leave behind, beyond running without an error.
LEFT_BEHIND: dict[str, Callable[[Aws], None]] = {
    "docs/getting-started.md": _stack_complete("first-flow-logs"),
    "docs/guides/one-vpc.md": _stack_complete("local-flow-logs"),
    "docs/guides/archive.md": _stack_complete("flow-logs-archive"),
    "docs/guides/library.md": _library,
}


@pytest.mark.parametrize("page", sorted(RUNNABLE))
def test_the_pages_blocks_run_as_written(page, aws: Aws, tmp_path):
    # GIVEN a scratch directory like a clone's: the examples, the templates, the page's files
    for folder in ("examples", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for block in file_blocks(ROOT / page):
        (tmp_path / block.title).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / block.title).write_text(block.body, encoding="utf-8")
    # WHEN bash runs the page's blocks in order against the local endpoint
    env = {**aws.env, "PATH": f"{BIN}:{aws.env['PATH']}"}
    done = subprocess.run(
        ["bash", "-c", script(RUNNABLE[page])], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    # THEN every command succeeds, and what the page made is there
    assert done.returncode == 0, f"{done.stderr[-3000:]}\n{done.stdout[-2000:]}"
    LEFT_BEHIND.get(page, lambda aws: None)(aws)


def test_every_page_left_behind_is_checked_runs():
    assert set(LEFT_BEHIND) <= set(RUNNABLE)


def test_make_deploy_is_the_aws_command_the_guide_shows():
    # GIVEN the guide's `make deploy` line and the command it says that is
    deploy = [b.body for b in blocks(DOCS / "guides/one-vpc.md", "sh") if not b.runs][:2]
    make_line, command = (" ".join(body.replace("\\\n", " ").split()) for body in deploy)
    assert make_line.startswith("make deploy") and command.startswith("aws cloudformation deploy")
    # WHEN make prints what it would run (not as a sub-make of `make test`)
    env = {"PATH": os.environ["PATH"]}
    dry_run = subprocess.run(
        ["make", "-n", *shlex.split(make_line)[1:]], cwd=ROOT, env=env, capture_output=True, text=True
    )
    printed = [line for line in dry_run.stdout.replace("\\\n", " ").splitlines() if "bin/aws " in line]
    # THEN it is that command, with the AWS CLI of the deploy virtualenv (the AWS CLI alone)
    assert len(printed) == 1, dry_run.stdout
    assert shlex.split(printed[0]) == [".venv-deploy/bin/aws", *shlex.split(command)[1:]]


def test_a_failing_block_fails_the_page_and_names_the_block(aws: Aws, tmp_path):
    failing = [Block("x.md", 3, "sh", "", "true\n"), Block("x.md", 9, "sh", "", "cfn-flowlogs build --set nope=1\n")]
    env = {**aws.env, "PATH": f"{BIN}:{aws.env['PATH']}"}
    done = subprocess.run(["bash", "-c", script(failing)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "docs block failed: x.md:9" in done.stderr
