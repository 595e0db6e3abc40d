"""`cfn-flowlogs build` (a flow-log template) and `cfn-flowlogs archive` (a central archive)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .common import EXIT_FINDINGS, add_config_arguments, emit, fail, warn

WHAT = {"build": "a flow-log template", "archive": "a central log archive template"}


def add_parser(commands: Any) -> None:
    for name, what in WHAT.items():
        command = commands.add_parser(name, help=f"write {what}", description=f"Write {what}.")
        add_config_arguments(command)
        command.add_argument("--parameterized", action="store_true",
                             help="every input a Parameter (the config gives their defaults)")  # fmt: skip
        command.add_argument("--format", choices=("yaml", "json"), default=None,
                             help="output format (default: from -o's extension, else yaml)")  # fmt: skip
        command.add_argument("-o", "--output", metavar="PATH", help="file to write (default: standard output)")
        command.add_argument("--lint", action="store_true", help="run cfn-lint first; write nothing on findings")
        command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .. import limits
    from ..config import FlowLogsConfig
    from ..errors import ConfigError
    from ..loading import config_from
    from ..render import to_json, to_yaml

    kind: type[Any] = FlowLogsConfig
    build: Callable[..., Any]
    if args.command == "archive":
        from ..archive import ArchiveConfig, build_archive_template

        kind, build = ArchiveConfig, build_archive_template
    else:
        from ..template import build_template as build
    try:
        config = config_from(args.config, args.assignments, kind) if args.config or args.assignments else None
    except ConfigError as error:
        fail(str(error))
    template = build(config, parameterized=args.parameterized or config is None)
    fmt = args.format or ("json" if args.output and Path(args.output).suffix.lower() == ".json" else "yaml")
    text = to_json(template) if fmt == "json" else to_yaml(template)
    try:
        warnings = limits.check(template, text)
    except ConfigError as error:
        fail(str(error))
    for warning in warnings:
        warn(warning)
    if args.lint:
        from ..linting import lint  # cfn-lint is slow to import: only when asked

        findings = lint(text)
        for finding in findings:
            print(f"cfn-flowlogs: lint: {finding}", file=sys.stderr)
        if findings:
            return EXIT_FINDINGS
        print("cfn-flowlogs: lint: no findings", file=sys.stderr)
    emit(args.output, text)
    if isinstance(config, FlowLogsConfig) and isinstance(config.log_format, str):
        # A custom format decides the record version its readers (Athena, a SIEM) must expect.
        print(f"cfn-flowlogs: log_format gives version {config.record_version} records", file=sys.stderr)
    return 0
