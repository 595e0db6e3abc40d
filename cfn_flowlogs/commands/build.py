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
        add_config_arguments(command, many=True)
        command.add_argument("--parameterized", action="store_true",
                             help="every input a Parameter (the config gives their defaults)")  # fmt: skip
        command.add_argument("--format", choices=("yaml", "json"), default=None,
                             help="output format (default: from -o's extension, else yaml)")  # fmt: skip
        command.add_argument("-o", "--output", metavar="PATH",
                             help="file to write (default: standard output); with several --config, the "
                             "directory to write each <config name>.yaml (or .json) into")  # fmt: skip
        command.add_argument("--lint", action="store_true", help="run cfn-lint first; write nothing on findings")
        command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    paths: list[str] = args.config or []
    if len(paths) > 1:
        return run_many(args, paths)
    args.config = paths[0] if paths else None
    from ..compiler import limits
    from ..config.loading import config_from
    from ..errors import ConfigError
    from ..output.render import to_json, to_yaml

    kind, build = _kind(args.command)
    try:
        given = args.config or args.assignments or args.module
        config = config_from(args.config, args.assignments, kind, args.module) if given else None
        template = build(config, parameterized=args.parameterized or config is None)  # may refuse a value
    except ConfigError as error:
        fail(str(error))
    fmt = args.format or ("json" if args.output and Path(args.output).suffix.lower() == ".json" else "yaml")
    text = to_json(template) if fmt == "json" else to_yaml(template)
    try:
        warnings = limits.check(template, text)
    except ConfigError as error:
        fail(str(error))
    for warning in warnings:
        warn(warning)
    if args.lint:
        from ..output.linting import lint  # cfn-lint is slow to import: only when asked

        findings = lint(text)
        for finding in findings:
            print(f"cfn-flowlogs: lint: {finding}", file=sys.stderr)
        if findings:
            return EXIT_FINDINGS
        print("cfn-flowlogs: lint: no findings", file=sys.stderr)
    emit(args.output, text)
    _report_version(config)
    return 0


def run_many(args: argparse.Namespace, paths: list[str]) -> int:
    """Several configs in one process: every template built and checked (and with --lint, linted
    in one cfn-lint session) before any is written, each to DIR/<config stem>.<format>."""
    from ..compiler import limits
    from ..config.loading import config_from
    from ..errors import ConfigError
    from ..output.render import to_json, to_yaml, write_atomic

    if not args.output:
        fail("with several --config, -o must name the directory to write their templates into")
    directory = Path(args.output)
    if directory.exists() and not directory.is_dir():
        fail(f"with several --config, -o must be a directory, got the file {directory}")
    fmt = args.format or "yaml"
    targets: dict[str, str] = {}  # file name -> the config it comes from
    for path in paths:
        name = f"{Path(path).stem}.{fmt}"
        if name in targets:
            fail(f"--config {targets[name]} and {path} would both write {directory / name}: rename one")
        targets[name] = path
    kind, build = _kind(args.command)
    built: list[tuple[str, Path, str, list[str], Any]] = []  # config file, target, text, warnings, config
    for name, path in targets.items():
        try:
            config = config_from(path, args.assignments, kind, args.module)
            template = build(config, parameterized=args.parameterized)
            text = to_json(template) if fmt == "json" else to_yaml(template)
            warnings = limits.check(template, text)
        except ConfigError as error:
            fail(f"{path}: {error}")
        built.append((path, directory / name, text, warnings, config))
    for path, _, _, warnings, _ in built:
        for warning in warnings:
            warn(f"{path}: {warning}")
    if args.lint:
        from ..output.linting import Session  # one cfn-lint setup for every template

        session = Session()
        found = 0
        for path, _, text, _, _ in built:
            for finding in session.lint(text):
                print(f"cfn-flowlogs: lint: {path}: {finding}", file=sys.stderr)
                found += 1
        if found:
            return EXIT_FINDINGS
        print(f"cfn-flowlogs: lint: no findings in {len(built)} templates", file=sys.stderr)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for _, target, text, _, _ in built:
            write_atomic(target, text)
    except OSError as error:
        fail(f"cannot write into {directory}: {error.strerror}")
    for path, _, _, _, config in built:
        _report_version(config, f"{path}: ")
    return 0


def _kind(command: str) -> tuple[type[Any], Callable[..., Any]]:
    """The config class and the template builder of `build` or `archive`."""
    if command == "archive":
        from ..stacks.archive import ArchiveConfig, build_archive_template

        return ArchiveConfig, build_archive_template
    from ..compiler.template import build_template
    from ..config.flow_logs import FlowLogsConfig

    return FlowLogsConfig, build_template


def _report_version(config: Any, prefix: str = "") -> None:
    from ..config.flow_logs import FlowLogsConfig

    if isinstance(config, FlowLogsConfig) and isinstance(config.log_format, str):
        # A custom format decides the record version its readers (Athena, a SIEM) must expect.
        print(f"cfn-flowlogs: {prefix}log_format gives version {config.record_version} records", file=sys.stderr)
