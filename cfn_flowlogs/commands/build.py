"""`cfn-flowlogs build` (a flow-log template) and `cfn-flowlogs archive` (a central archive)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .common import (
    EXIT_FINDINGS,
    STDOUT,
    add_config_arguments,
    add_output_arguments,
    emit,
    fail,
    progress,
    report,
    warn,
    write,
)

WHAT = {"build": "a flow-log template", "archive": "a central log archive template"}


def add_parser(commands: Any) -> None:
    for name, what in WHAT.items():
        command = commands.add_parser(name, help=f"write {what}", description=f"Write {what}.")
        add_config_arguments(command, many=True)
        command.add_argument("--parameterized", action="store_true",
                             help="every input a Parameter (the config gives their defaults)")  # fmt: skip
        command.add_argument("--format", choices=("yaml", "json"), default=None,
                             help="output format (default: from -o's extension, else yaml)")  # fmt: skip
        add_output_arguments(command, what="file to write (default and -: standard output); with several "
                             "--config, the directory (existing, or ending in /) to write each <config name>.yaml "
                             "(or .json) into")  # fmt: skip
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
        if _slow_to_read(args.config):
            progress(args, f"reading {args.config}")
        config = config_from(args.config, args.assignments, kind, args.module) if given else None
        template = build(config, parameterized=args.parameterized or config is None)  # may refuse a value
    except ConfigError as error:
        fail(error)
    output = args.output if args.output != STDOUT else None
    fmt = args.format or ("json" if output and Path(output).suffix.lower() == ".json" else "yaml")
    text = to_json(template) if fmt == "json" else to_yaml(template)
    try:
        warnings = limits.check(template, text)
    except ConfigError as error:
        fail(error)
    for warning in warnings:
        warn(warning)
    if args.lint:
        progress(args, "linting with cfn-lint")
        from ..output.linting import lint  # cfn-lint is slow to import: only when asked

        findings = lint(text)
        say_lint(findings, "no findings")
        if findings:
            return EXIT_FINDINGS
    emit(args, text)
    _report_version(config)
    return 0


def run_many(args: argparse.Namespace, paths: list[str]) -> int:
    """Several configs in one process: every template built and checked (and with --lint, linted
    in one cfn-lint session) before any is written, each to DIR/<config stem>.<format>; every
    problem of every config reported at once; all the files written, or none."""
    from ..compiler import limits
    from ..config.loading import config_from
    from ..errors import ConfigError, Problems
    from ..output.render import to_json, to_yaml

    if not args.output or args.output == STDOUT:
        fail("with several --config, -o must name the directory to write their templates into")
    directory = Path(args.output)
    if not directory.is_dir() and not args.output.endswith(("/", os.sep)):
        fail(f"with several --config, -o must be a directory: an existing one, or a path ending in / "
             f"(got {args.output})")  # fmt: skip
    fmt = args.format or "yaml"
    targets: dict[str, str] = {}  # file name -> the config it comes from
    for path in paths:
        name = f"{Path(path).stem}.{fmt}"
        if name in targets:
            fail(f"--config {targets[name]} and {path} would both write {directory / name}: rename one")
        targets[name] = path
    kind, build = _kind(args.command)
    built: list[tuple[str, Path, str, list[str], Any]] = []  # config file, target, text, warnings, config
    problems = Problems()
    for index, (name, path) in enumerate(targets.items(), 1):
        progress(args, f"building {index} of {len(targets)}: {path}")
        with problems.gather():
            config = config_from(path, args.assignments, kind, args.module)
            template = build(config, parameterized=args.parameterized)
            text = to_json(template) if fmt == "json" else to_yaml(template)
            try:
                warnings = limits.check(template, text)
            except ConfigError as error:  # about the template: name the config it comes from
                raise error.located(path) from None
            built.append((path, directory / name, text, warnings, config))
    if problems:  # each once: a bad --set is the same problem for every config
        fail(ConfigError.of({str(problem): problem for problem in problems.found}.values()))
    for path, _, _, warnings, _ in built:
        for warning in warnings:
            warn(f"{path}: {warning}")
    if args.lint:
        progress(args, f"linting {len(built)} templates with cfn-lint")
        from ..output.linting import Session  # one cfn-lint setup for every template

        session = Session()
        found = [(path, finding) for path, _, text, _, _ in built for finding in session.lint(text)]
        say_lint([f"{path}: {finding}" for path, finding in found], f"no findings in {len(built)} templates")
        if found:
            return EXIT_FINDINGS
    write(args, {target: text for _, target, text, _, _ in built}, create=directory)
    for path, _, _, _, config in built:
        _report_version(config, f"{path}: ")
    return 0


def _slow_to_read(path: str | None) -> bool:
    """A Terraform file: its parser takes a second to load, and a large file seconds to read."""
    return path is not None and Path(path).suffix.lower() in (".tf", ".tfvars")


def say_lint(findings: list[Any], clean: str) -> None:
    """cfn-lint's findings, a line each, or that it found none."""
    for finding in findings:
        report(f"lint: {finding}")
    if not findings:
        report(f"lint: {clean}")


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
        report(f"{prefix}log_format gives version {config.record_version} records")
