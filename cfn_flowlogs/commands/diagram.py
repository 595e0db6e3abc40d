"""`cfn-flowlogs diagram`: a Mermaid flowchart of the template a config compiles to."""

from __future__ import annotations

import argparse
from typing import Any

from .common import add_config_arguments, add_output_arguments, emit, fail

EPILOG = """\
examples:
  cfn-flowlogs diagram                                   # the shipped template
  cfn-flowlogs diagram --config examples/s3.yaml -o s3.mmd
"""


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "diagram",
        help="print a Mermaid flowchart of the template",
        description="Print a Mermaid flowchart of the template the config compiles to (no config: the\n"
        "shipped template): every resource by family, an arrow for each reference between resources.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_arguments(command)
    add_output_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..compiler.template import build_template
    from ..config.loading import config_from
    from ..errors import ConfigError
    from ..output.diagram import to_mermaid

    try:
        given = args.config or args.assignments or args.module
        config = config_from(args.config, args.assignments, module=args.module) if given else None
        template = build_template(config)
    except ConfigError as error:
        fail(error)
    emit(args, to_mermaid(template))
    return 0
