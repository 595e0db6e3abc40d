"""`cfn-flowlogs rollout PLAN -o DIR`: the StackSet rollout's template, parameter files and script."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .common import fail


def add_parser(commands: Any) -> None:
    rollout = commands.add_parser(
        "rollout",
        help="write StackSet commands and parameter files for an organization",
        description="Write the template, parameter files and AWS CLI commands of a StackSet rollout.",
    )
    rollout.add_argument("plan", metavar="PLAN", help="YAML file describing the rollout")
    rollout.add_argument("-o", "--output", metavar="DIR", required=True, help="directory to write into (new or empty)")
    rollout.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..audit.rollout import load_plan, render_rollout
    from ..errors import ConfigError
    from ..output.render import write_atomic

    directory = Path(args.output)
    try:
        files = render_rollout(load_plan(args.plan))
    except ConfigError as error:
        fail(str(error))
    if directory.exists() and any(directory.iterdir()):
        fail(f"{directory} must be a new or empty directory (nothing is overwritten)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            write_atomic(directory / name, text)
    except OSError as error:
        fail(f"cannot write into {directory}: {error.strerror}")
    print(f"cfn-flowlogs: wrote {', '.join(files)} into {directory}; run rollout.sh there", file=sys.stderr)
    return 0
