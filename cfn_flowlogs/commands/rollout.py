"""`cfn-flowlogs rollout PLAN -o DIR`: the StackSet rollout's template, parameter files and script."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import add_output_arguments, fail, say, write


def add_parser(commands: Any) -> None:
    rollout = commands.add_parser(
        "rollout",
        help="write StackSet commands and parameter files for an organization",
        description="Write the template, parameter files and AWS CLI commands of a StackSet rollout into a "
        "directory. Files of the same names are overwritten only with --force; no other file is touched.",
    )
    rollout.add_argument("plan", metavar="PLAN", help="YAML file describing the rollout")
    add_output_arguments(rollout, what="directory to write into (made if missing)", metavar="DIR", required=True)
    rollout.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..audit.rollout import load_plan, render_rollout
    from ..errors import ConfigError

    directory = Path(args.output)
    try:
        files = render_rollout(load_plan(args.plan))
    except ConfigError as error:
        fail(error)
    if directory.exists() and not directory.is_dir():
        fail(f"{directory}: -o must be a directory")
    write(args, {directory / name: text for name, text in files.items()}, inputs=[args.plan], create=directory)
    say(args, f"run rollout.sh in {directory}")
    return 0
