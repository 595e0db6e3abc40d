"""`cfn-flowlogs build`: compile a flow-log template. Exit 0 done, 1 lint findings, 2 bad input."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import limits
from .archive import ArchiveConfig, build_archive_template
from .config import FlowLogsConfig
from .errors import ConfigError
from .loading import config_from
from .render import to_json, to_yaml, write_atomic
from .template import build_template

EXIT_FINDINGS = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        _fail(message)


def _fail(message: str) -> None:
    print(f"cfn-flowlogs: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="cfn-flowlogs", description="Compile CloudFormation templates for VPC Flow Logs.")
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, what in (("build", "a flow-log template"), ("archive", "a central log archive template")):
        command = commands.add_parser(name, help=f"write {what}", description=f"Write {what}.")
        command.add_argument("--config", metavar="FILE", help="YAML or JSON file of the inputs")
        command.add_argument("--set", dest="assignments", metavar="INPUT=VALUE", action="append", default=[],
                             help="set one input (repeatable; overrides --config)")  # fmt: skip
        command.add_argument("--parameterized", action="store_true",
                             help="every input a Parameter (the config gives their defaults)")  # fmt: skip
        command.add_argument("--format", choices=("yaml", "json"), default=None,
                             help="output format (default: from -o's extension, else yaml)")  # fmt: skip
        command.add_argument("-o", "--output", metavar="PATH", help="file to write (default: standard output)")
        command.add_argument("--lint", action="store_true", help="run cfn-lint first; write nothing on findings")
    rollout = commands.add_parser(
        "rollout",
        help="write StackSet commands and parameter files for an organization",
        description="Write the template, parameter files and AWS CLI commands of a StackSet rollout.",
    )
    rollout.add_argument("plan", metavar="PLAN", help="YAML file describing the rollout")
    rollout.add_argument("-o", "--output", metavar="DIR", required=True, help="directory to write into (new or empty)")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "rollout":
        return _rollout(args.plan, Path(args.output))
    archive = args.command == "archive"
    kind = ArchiveConfig if archive else FlowLogsConfig
    try:
        config = config_from(args.config, args.assignments, kind) if args.config or args.assignments else None
    except ConfigError as error:
        _fail(str(error))
    build = build_archive_template if archive else build_template
    template = build(config, parameterized=args.parameterized or config is None)
    fmt = args.format or ("json" if args.output and Path(args.output).suffix.lower() == ".json" else "yaml")
    text = to_json(template) if fmt == "json" else to_yaml(template)
    try:
        warnings = limits.check(template, text)
    except ConfigError as error:
        _fail(str(error))
    for warning in warnings:
        print(f"cfn-flowlogs: warning: {warning}", file=sys.stderr)
    if args.lint:
        from .linting import lint  # cfn-lint is slow to import: only when asked

        findings = lint(text)
        for finding in findings:
            print(f"cfn-flowlogs: lint: {finding}", file=sys.stderr)
        if findings:
            return EXIT_FINDINGS
        print("cfn-flowlogs: lint: no findings", file=sys.stderr)
    if args.output:
        try:
            write_atomic(Path(args.output), text)
        except OSError as error:
            _fail(f"cannot write {args.output}: {error.strerror}")
    else:
        sys.stdout.write(text)
    if isinstance(config, FlowLogsConfig) and isinstance(config.log_format, str):
        # A custom format decides the record version its readers (Athena, a SIEM) must expect.
        print(f"cfn-flowlogs: log_format gives version {config.record_version} records", file=sys.stderr)
    return 0


def _rollout(plan_file: str, directory: Path) -> int:
    from .rollout import load_plan, render_rollout

    try:
        files = render_rollout(load_plan(plan_file))
    except ConfigError as error:
        _fail(str(error))
    if directory.exists() and any(directory.iterdir()):
        _fail(f"{directory} must be a new or empty directory (nothing is overwritten)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            write_atomic(directory / name, text)
    except OSError as error:
        _fail(f"cannot write into {directory}: {error.strerror}")
    print(f"cfn-flowlogs: wrote {', '.join(files)} into {directory}; run rollout.sh there", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
