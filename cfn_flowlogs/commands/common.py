"""What every command shares: exit codes, the one-line error, config arguments, output."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

EXIT_FINDINGS = 1
EXIT_USAGE = 2


class Parser(argparse.ArgumentParser):
    """argparse whose usage errors are the same one line, exit 2, as every other bad input."""

    def error(self, message: str) -> NoReturn:
        fail(message)


def fail(message: str) -> NoReturn:
    print(f"cfn-flowlogs: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def warn(message: str) -> None:
    print(f"cfn-flowlogs: warning: {message}", file=sys.stderr)


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """--config FILE and repeatable --set INPUT=VALUE."""
    parser.add_argument("--config", metavar="FILE", help="YAML or JSON file of the inputs")
    parser.add_argument("--set", dest="assignments", metavar="INPUT=VALUE", action="append", default=[],
                        help="set one input (repeatable; overrides --config)")  # fmt: skip


def emit(output: str | None, text: str) -> None:
    """Write `text` to the file `output` whole (atomically), or to standard output."""
    if not output:
        sys.stdout.write(text)
        return
    from ..render import write_atomic

    try:
        write_atomic(Path(output), text)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror}")
