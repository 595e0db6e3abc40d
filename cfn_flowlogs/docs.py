"""The documentation's generated parts, from the code that enforces or builds them: the inputs
table, the scanner skips, the example's diagram, the query layer's questions and the analyst's
policy (sections between markers in pages of docs/), and the command line reference (a page of
its own, from the argparse parsers the command runs)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final

from .config.flow_logs import DESTINATION_OPTIONS
from .config.inputs import ADDITIONAL_VPC_SLOTS, ADDITIONAL_VPCS, BY_NAME, INPUTS, QUERY_INPUTS, Input
from .errors import show
from .output.scanners import CHECKOV_SKIPS

COMPILE_TIME = "compile time only"
# The inputs that are maps: compile-time only (a config file or Python), never Parameters.
MAPS: Final = (
    (
        "destination_options",
        "`null`",
        "a mapping of the keys below; only with `s3`",
        "S3 object format and partitions (in a template with Parameters: the Parameters of its keys)",
    ),
    (
        "custom_tags",
        "`{}`",
        "at most 50; keys 1-128 chars, not `aws:`; values up to 256 chars",
        "Tags on every taggable resource (at deploy time, stack tags do the same)",
    ),
    (
        "additional_s3_bucket_policy_statements",
        "`null`",
        "SID -> {effect, actions, principals, keys, condition}; "
        "no `not_actions`/`not_principals`; no public Allow; created bucket only",
        "Extra bucket policy statements",
    ),
)


def _default(spec: Input) -> str:
    """The default as a config writes it (`null`, `false`, `""`); a word as it is."""
    default = spec.default
    return f"`{default}`" if isinstance(default, str) and default else f"`{show(default)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _row(name: str, parameter: str, spec: Input) -> str:
    cells = [f"`{name}`", parameter, _default(spec), _cell(spec.constraint), _cell(spec.description)]
    return "| " + " | ".join(cells) + " |"


def inputs_table() -> str:
    """Every input by the name a config gives it: a key of `destination_options` as
    `destination_options.file_format`, and the inputs no template with Parameters can take
    marked compile time only."""
    rows = [
        "| input | Parameter | default | allowed | what it does |",
        "|---|---|---|---|---|",
    ]
    rows += [_row(spec.name, f"`{spec.parameter}`", spec) for spec in INPUTS if spec.name not in DESTINATION_OPTIONS]
    slots = f"`{ADDITIONAL_VPC_SLOTS[0].parameter}`-`{len(ADDITIONAL_VPC_SLOTS)}` (StackSet template only)"
    rows.append(_row(ADDITIONAL_VPCS.name, slots, ADDITIONAL_VPCS))
    for name, default, allowed, what in MAPS:
        rows.append(f"| `{name}` | {COMPILE_TIME} | {default} | {_cell(allowed)} | {_cell(what)} |")
        if name == "destination_options":  # its keys, nested as a config writes them
            rows += [_row(f"{name}.{key}", f"`{BY_NAME[key].parameter}`", BY_NAME[key]) for key in DESTINATION_OPTIONS]
    rows += [_row(spec.name, COMPILE_TIME, spec) for spec in QUERY_INPUTS]  # the query layer
    rows.append("")
    rows.append(
        f"*{COMPILE_TIME}*: read when `cfn-flowlogs build` compiles a config; a template with Parameters "
        "(the shipped one, a nested stack, a StackSet) cannot take it."
    )
    return "\n".join(rows)


def skips_table() -> str:
    rows = ["| checkov check | skipped because |", "|---|---|"]
    rows += [f"| `{check}` | {_cell(reason)} |" for check, reason in CHECKOV_SKIPS.items()]
    return "\n".join(rows)


# The example whose template the docs draw, in the source tree `make template` runs in.
DIAGRAM_EXAMPLE: Final = Path(__file__).resolve().parents[1] / "examples" / "s3.yaml"


def example_diagram() -> str:
    """The Mermaid flowchart of the template DIAGRAM_EXAMPLE compiles to, as a fenced block."""
    from .compiler.template import build_template
    from .config.loading import config_from
    from .output.diagram import to_mermaid

    return "```mermaid\n" + to_mermaid(build_template(config_from(DIAGRAM_EXAMPLE, []))) + "```"


def queries_table() -> str:
    """Each question the query layer asks, and the fields each way of asking it needs."""
    from .query.catalog import QUESTIONS

    rows = ["| named query / saved Logs Insights query | logical IDs | needs the fields |", "|---|---|---|"]
    for question in QUESTIONS:
        needs = " or ".join(", ".join(f"`{name}`" for name in answer.fields) for answer in question.answers)
        ids = f"`FlowLogsQuery{question.key}`, `FlowLogsInsights{question.key}`"
        rows.append(f"| {_cell(question.title)}: {_cell(question.description)} | {ids} | {needs} |")
    return "\n".join(rows)


def analyst_policy_example() -> str:
    """The IAM policy an analyst needs, for the guide's example stack (see compiler/resources/queries.py)."""
    from .compiler.resources.queries import AnalystScope, analyst_policy

    scope = AnalystScope(
        partition="aws", region="us-east-1", account="111122223333", bucket="example-flow-logs", subfolder="",
        key_arn="arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555",
        workgroup="net-prod-flow-logs", database="net_prod_flow_logs", table="vpc_flow_logs",
    )  # fmt: skip
    return "```json\n" + analyst_policy(scope).to_json(indent=2) + "\n```"


SECTIONS: Final = {
    "inputs": inputs_table,
    "checkov-skips": skips_table,
    "diagram": example_diagram,
    "queries": queries_table,
    "analyst-policy": analyst_policy_example,
}
# Each page of docs/ that holds generated sections, and which.
PAGES: Final = {
    "docs/reference/inputs.md": ("inputs",),
    "docs/security.md": ("checkov-skips",),
    "docs/concepts.md": ("diagram",),
    "docs/guides/s3-athena.md": ("queries", "analyst-policy"),
}
CLI_REFERENCE: Final = "docs/reference/cli.md"


def generated_section(page: str, text: str, names: tuple[str, ...]) -> str:
    """`text` with each generated section `names` (between its markers) made anew."""
    for name in names:
        start, end = f"<!-- {name}:start (generated by `make template`) -->", f"<!-- {name}:end -->"
        head, found_start, rest = text.partition(start)
        _, found_end, tail = rest.partition(end)
        if not found_start or not found_end:
            raise ValueError(f"{page} lacks the markers {start} ... {end}")
        text = f"{head}{start}\n{SECTIONS[name]()}\n{end}{tail}"
    return text


def generated_docs(root: Path) -> dict[Path, str]:
    """Relative path -> text of every page with generated parts, made from the code."""
    pages = {
        Path(page): generated_section(page, (root / page).read_text(encoding="utf-8"), names)
        for page, names in PAGES.items()
    }
    pages[Path(CLI_REFERENCE)] = cli_reference()
    return pages


# --- the command line reference ---------------------------------------------------------------

WIDTH: Final = 100  # usage lines are wrapped here, whatever the terminal: the page is the same everywhere


def cli_reference() -> str:
    """docs/reference/cli.md: every command's usage, description, options and examples, read from
    the parsers `cfn-flowlogs` itself runs, so the page cannot drift from the command."""
    from .cli import COMMANDS, parser

    top = parser()
    (commands,) = (a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    lines = [
        "# Command line",
        "",
        "<!-- generated by `make template` from the parsers of cfn-flowlogs: do not edit -->",
        "",
        "`cfn-flowlogs COMMAND [options]`. Exit codes: 0 done, 1 findings (lint findings, VPCs not",
        "covered), 2 bad input (one line per problem on standard error, nothing written), and for",
        "`audit`, 3 when an account or region could not be read. `cfn-flowlogs --version` prints the",
        "version; `python -m cfn_flowlogs` is the same command.",
        "",
    ]
    for name in COMMANDS:
        lines += _command(name, commands.choices[name])
    return "\n".join(lines).rstrip() + "\n"


def _command(name: str, command: argparse.ArgumentParser) -> list[str]:
    usage = argparse.HelpFormatter(prog=command.prog, width=WIDTH)
    usage.add_usage(command.usage, command._actions, command._mutually_exclusive_groups, prefix="")
    lines = [
        f"## {name}",
        "",
        " ".join((command.description or "").split()),
        "",
        "```text",
        usage.format_help().strip(),
        "```",
        "",
    ]
    for group in command._action_groups:
        rows = [_option_row(action) for action in group._group_actions if action.help != argparse.SUPPRESS]
        if not rows:
            continue
        title = {"positional arguments": "Arguments", "options": "Options"}.get(group.title or "", group.title or "")
        lines += [f"**{title[0].upper()}{title[1:]}**", "", "| option | what it does |", "|---|---|", *rows, ""]
    if command.epilog:
        lines += ["```text", command.epilog.strip(), "```", ""]
    return lines


def _option_row(action: argparse.Action) -> str:
    names = ", ".join(action.option_strings) or action.dest
    if action.option_strings and action.nargs != 0:
        names += f" {action.metavar or action.dest.upper()}"
    text = (action.help or "").replace("%(default)s", str(action.default))
    if action.choices and "{" not in names:
        text += f" (one of: {', '.join(str(c) for c in action.choices)})"
    return f"| `{_cell(names)}` | {_cell(text).replace('<', '&lt;').replace('>', '&gt;')} |"
