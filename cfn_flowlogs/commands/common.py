"""What every command shares: exit codes, the one-line error, config arguments, output."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

EXIT_FINDINGS = 1
EXIT_USAGE = 2


class Parser(argparse.ArgumentParser):
    """argparse whose usage errors are the same one line, exit 2, as every other bad input."""

    def error(self, message: str) -> NoReturn:
        fail(message)

    def _get_formatter(self) -> argparse.HelpFormatter:
        # The width argparse would take from shutil.get_terminal_size, without importing shutil
        # (argparse makes a formatter for every argument declared: every command would pay).
        return self.formatter_class(prog=self.prog, width=_columns() - 2)  # type: ignore[call-arg]


def _columns() -> int:
    """shutil.get_terminal_size().columns: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        stdout = sys.__stdout__
        try:
            columns = os.get_terminal_size(stdout.fileno()).columns if stdout is not None else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def fail(message: str) -> NoReturn:
    print(f"cfn-flowlogs: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def warn(message: str) -> None:
    print(f"cfn-flowlogs: warning: {message}", file=sys.stderr)


def add_config_arguments(parser: argparse.ArgumentParser, *, many: bool = False) -> None:
    """--config FILE (repeatable with `many`: a list), repeatable --set INPUT=VALUE, and --module
    NAME for a .tf config."""
    what = "file of the inputs: YAML, JSON, a Terraform .tf (module block) or .tfvars"
    if many:
        parser.add_argument("--config", metavar="FILE", action="append",
                            help=f"{what}; repeatable: one template per file, -o a directory")  # fmt: skip
    else:
        parser.add_argument("--config", metavar="FILE", help=what)
    parser.add_argument("--module", metavar="NAME",
                        help="with a .tf --config: the module block to read (when several fit)")  # fmt: skip
    parser.add_argument("--set", dest="assignments", metavar="INPUT=VALUE", action="append", default=[],
                        help="set one input (repeatable; overrides --config)")  # fmt: skip


def emit(output: str | None, text: str) -> None:
    """Write `text` to the file `output` whole (atomically), or to standard output."""
    if not output:
        sys.stdout.write(text)
        return
    from ..output.render import write_atomic

    try:
        write_atomic(Path(output), text)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror}")
