"""`cfn-flowlogs`: compile flow-log templates. Exit 0 done, 1 findings, 2 bad input.

Each command is a module of `cfn_flowlogs.commands`; adding one is an entry in COMMANDS.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

from .commands import audit, build, diagram, policies, query, rollout, telemetry
from .commands.common import EXIT_FINDINGS, EXIT_USAGE, Parser
from .version import __version__

# Command name -> the module that declares and runs it.
COMMANDS = {
    "build": build,
    "archive": build,
    "rollout": rollout,
    "policies": policies,
    "diagram": diagram,
    "audit": audit,
    "query": query,
    "telemetry": telemetry,
}

__all__ = ["EXIT_FINDINGS", "EXIT_USAGE", "main", "parser"]


def parser(argv: Sequence[str] | None = None) -> Parser:
    """The command line's parser; given the arguments, with only the module of the command they
    name declared (declaring every command's arguments is most of a short command's parsing time)."""
    top = Parser(prog="cfn-flowlogs", description="Compile CloudFormation templates for VPC Flow Logs.")
    top.add_argument("--version", action="version", version=f"cfn-flowlogs {__version__}")
    commands = top.add_subparsers(dest="command", required=True, parser_class=Parser)
    chosen = COMMANDS.get(argv[0]) if argv else None
    # No command, or an unknown one: all of them, for the help or the error.
    for module in [chosen] if chosen else dict.fromkeys(COMMANDS.values()):
        module.add_parser(commands)
    return top


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
