"""`cfn-flowlogs build`: compile a flow-log template. Exit 0 done, 1 lint findings, 2 bad input."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import limits
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
    build = commands.add_parser("build", help="write a template", description="Write a template.")
    build.add_argument("--config", metavar="FILE", help="YAML or JSON file of the module's inputs")
    build.add_argument(
        "--set",
        dest="assignments",
        metavar="INPUT=VALUE",
        action="append",
        default=[],
        help="set one input (repeatable; overrides --config)",
    )
    build.add_argument(
        "--parameterized", action="store_true", help="every input a Parameter (the config gives their defaults)"
    )
    build.add_argument(
        "--format",
        choices=("yaml", "json"),
        default=None,
        help="output format (default: from -o's extension, else yaml)",
    )
    build.add_argument("-o", "--output", metavar="PATH", help="file to write (default: standard output)")
    build.add_argument("--lint", action="store_true", help="run cfn-lint first; write nothing on findings")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        config = config_from(args.config, args.assignments) if args.config or args.assignments else None
    except ConfigError as error:
        _fail(str(error))
    template = build_template(config, parameterized=args.parameterized or config is None)
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
    if config is not None and isinstance(config.log_format, str):
        # A custom format decides the record version its readers (Athena, a SIEM) must expect.
        print(f"cfn-flowlogs: log_format gives version {config.record_version} records", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
