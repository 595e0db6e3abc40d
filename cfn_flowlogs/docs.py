"""The README's generated sections (inputs, scanner skips, the example's diagram), from the code
that enforces or builds them."""

from __future__ import annotations

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


# The example whose template the README draws, in the source tree `make template` runs in.
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
    """The IAM policy an analyst needs, for the README's example stack (see resources/queries.py)."""
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


def generated_readme(readme: str) -> str:
    """The README with each generated section (between its markers) made anew."""
    for name, make in SECTIONS.items():
        start, end = f"<!-- {name}:start (generated by `make template`) -->", f"<!-- {name}:end -->"
        head, found_start, rest = readme.partition(start)
        _, found_end, tail = rest.partition(end)
        if not found_start or not found_end:
            raise ValueError(f"README.md lacks the markers {start} ... {end}")
        readme = f"{head}{start}\n{make()}\n{end}{tail}"
    return readme
