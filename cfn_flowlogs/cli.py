"""`cfn-flowlogs`: compile flow-log templates. Exit 0 done, 1 findings, 2 bad input.

Each command is a module of `cfn_flowlogs.commands`; adding one is one line in COMMANDS.
"""

from __future__ import annotations

from collections.abc import Sequence

from .commands import build, rollout
from .commands.common import EXIT_FINDINGS, EXIT_USAGE, Parser

COMMANDS = (build, rollout)

__all__ = ["EXIT_FINDINGS", "EXIT_USAGE", "main", "parser"]


def parser() -> Parser:
    top = Parser(prog="cfn-flowlogs", description="Compile CloudFormation templates for VPC Flow Logs.")
    commands = top.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.add_parser(commands)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
