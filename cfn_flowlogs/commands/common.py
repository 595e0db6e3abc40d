"""What every command shares: exit codes, errors (one line per problem), config arguments, and
output: `add_output_arguments` declares -o, --force and --quiet, `emit` and `write` write through
the package's one writer (output/files.py) and say what they wrote, `progress` shows a slow step
on a terminal.

A new command that writes one text needs two lines: `add_output_arguments(parser)` and
`emit(args, text)`; a bad input is `except ConfigError as error: fail(error)`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ..output.files import STDOUT, Refused, write_files

if TYPE_CHECKING:
    from ..errors import ConfigError

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


def fail(error: str | ConfigError | OSError) -> NoReturn:
    """Exit 2 with one line per problem: a message, every problem of a ConfigError
    (`file:line: input: must be ..., got ...`), or a file that could not be written."""
    _end_progress()
    if isinstance(error, str):
        lines = [error]
    elif isinstance(error, OSError):
        lines = [_file_error(error)]
    else:
        lines = [str(problem) for problem in error.problems]
    for line in lines:
        print(f"cfn-flowlogs: error: {line}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def _file_error(error: OSError) -> str:
    if isinstance(error, Refused):
        return str(error)
    return f"cannot write {error.filename}: {error.strerror or error}"


def warn(message: str) -> None:
    _end_progress()
    print(f"cfn-flowlogs: warning: {message}", file=sys.stderr)


def report(message: str) -> None:
    """A line on standard error that --quiet does not silence (lint findings, what a config means)."""
    _end_progress()
    print(f"cfn-flowlogs: {message}", file=sys.stderr)


def say(args: argparse.Namespace, message: str) -> None:
    """A line on standard error about what was done; `--quiet` silences it."""
    if not getattr(args, "quiet", False):
        report(message)


_progress_shown = False


def progress(args: argparse.Namespace, message: str) -> None:
    """A step that may take seconds, shown on a terminal only (never in a log or a pipe): the
    line is replaced by the next one, and cleared before anything else is printed."""
    global _progress_shown
    if getattr(args, "quiet", False) or not sys.stderr.isatty():
        return
    sys.stderr.write(f"\r\x1b[Kcfn-flowlogs: {message} ...")
    sys.stderr.flush()
    _progress_shown = True


def _end_progress() -> None:
    global _progress_shown
    if _progress_shown:
        sys.stderr.write("\r\x1b[K")
        _progress_shown = False


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


def add_output_arguments(
    parser: argparse.ArgumentParser, *, what: str = "file to write (default and -: standard output)", **kwargs: Any
) -> None:
    """-o PATH (`what` says what it names; `kwargs` go to its add_argument), --force and --quiet."""
    parser.add_argument("-o", "--output", metavar=kwargs.pop("metavar", "PATH"), help=what, **kwargs)
    parser.add_argument("--force", action="store_true",
                        help="overwrite a file that exists (never one the command reads)")  # fmt: skip
    parser.add_argument("-q", "--quiet", action="store_true", help="do not say which files were written")


def read_files(args: argparse.Namespace) -> list[str]:
    """The files a command reads from its arguments (every --config): never written over."""
    config = getattr(args, "config", None)
    return [config] if isinstance(config, str) else list(config or [])


def emit(args: argparse.Namespace, text: str, *, inputs: Iterable[str] = ()) -> None:
    """Write `text` to -o's path: standard output without one, or with `-`."""
    write(args, {getattr(args, "output", None) or STDOUT: text}, inputs=inputs)


def write(
    args: argparse.Namespace,
    files: Mapping[str | Path, str],
    *,
    inputs: Iterable[str] = (),
    create: str | Path | None = None,
) -> None:
    """Write every file or none (output/files.py: an existing file only with --force, never a
    file the command reads, a device written to and never replaced), and say so, a line each.
    `inputs` are files read besides --config; `create` a directory to make for them."""
    try:
        outcomes = write_files(files, force=getattr(args, "force", False),
                               inputs=[*read_files(args), *inputs], create=create)  # fmt: skip
    except OSError as error:
        fail(error)
    for outcome in outcomes:
        if outcome.status != "stdout":
            say(args, str(outcome))
