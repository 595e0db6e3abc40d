"""`cfn-flowlogs`: compile flow-log templates. Exit 0 done, 1 findings, 2 bad input.

Each command is a module of `cfn_flowlogs.commands`; adding one is one line in COMMANDS.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from typing import Any

from . import __version__
from .commands import audit, build, diagram, policies, rollout
from .commands.common import EXIT_FINDINGS, EXIT_USAGE, Parser

COMMANDS = (build, rollout, policies, diagram, audit)

__all__ = ["EXIT_FINDINGS", "EXIT_USAGE", "main", "parser"]


def parser(argv: Sequence[str] | None = None) -> Parser:
    """The command line's parser; given the arguments, with only the command they name declared
    (declaring every command's arguments is most of a short command's parsing time)."""
    top = Parser(prog="cfn-flowlogs", description="Compile CloudFormation templates for VPC Flow Logs.")
    top.add_argument("--version", action="version", version=f"cfn-flowlogs {__version__}")
    commands = top.add_subparsers(dest="command", required=True, parser_class=Parser)
    chosen = argv[0] if argv and not argv[0].startswith("-") else None
    modules = [_Recorder(command, chosen) for command in COMMANDS] if chosen else []
    if any(module.found for module in modules):
        for module in modules:
            module.declare(commands)
    else:  # no command, or one no module declares: all of them, for the help or the error
        for command in COMMANDS:
            command.add_parser(commands)
    return top


def _names(name: str, kwargs: Any) -> tuple[str, ...]:
    return (name, *kwargs.get("aliases", ()))


class _Recorder:
    """A command module's `add_parser` run against a stand-in, to learn whether it declares the
    chosen command; then, for real, with only that command made."""

    def __init__(self, command: Any, chosen: str) -> None:
        self.command, self.chosen, self.found = command, chosen, False
        command.add_parser(self)

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        self.found = self.found or self.chosen in _names(name, kwargs)
        return _Ignored()

    def declare(self, commands: Any) -> None:
        if self.found:
            self.command.add_parser(_Only(commands, self.chosen))


class _Only:
    """The subcommands action, making only the chosen command's parser."""

    def __init__(self, commands: Any, chosen: str) -> None:
        self.commands, self.chosen = commands, chosen

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        return self.commands.add_parser(name, **kwargs) if self.chosen in _names(name, kwargs) else _Ignored()


class _Ignored:
    """Takes any declaration (arguments, groups, defaults) and keeps none."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: self


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command. With no `argv`, as the process's own command (the console script, `-m`):
    the cyclic garbage collector is off while it runs and what it made is frozen when it ends.
    A command runs once and exits, and building makes no cyclic garbage: the collector would
    only walk every object the imports create, pass after pass and once more at exit, and
    find nothing (a tenth to a quarter of a short build's time, by `make bench`)."""
    if argv is not None:
        return _run(list(argv))
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(sys.argv[1:])
    finally:
        gc.freeze()  # the exit's own collection then skips all of it
        if collecting:
            gc.enable()


def _run(argv: list[str]) -> int:
    args = parser(argv).parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
