"""From an audit to the rollout plan `cfn-flowlogs rollout` reads (`cfn_flowlogs.audit.rollout`).

A StackSet has one stack instance per account and region, and the StackSet template logs up to
ten VPCs (its target and nine slots), so a plan covers up to ten VPCs per account and region: its
`missing` VPCs (with `include_partial`, then its `partial` ones), a team's VPC before the default
VPC, then by VPC ID. Every VPC the plan leaves out is listed, with why, in comments at the end of
the file; after the rollout, a new audit plans the rest of each account and region for a StackSet
of another name (one StackSet per wave). A covered VPC is never in a plan; nor is a failing,
silent or unverifiable one (its flow log needs repair, not a second flow log).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import yaml

from ..errors import ConfigError
from ..stacks.stackset import SLOTS
from .judge import REQUIREMENTS, UNPROVEN, Finding
from .records import Unreadable
from .rollout import RolloutPlan, parse_plan

DEFAULT_STACK_SET_NAME: Final = "org-vpc-flow-logs"
NEXT_WAVE: Final = f"next wave (up to {1 + SLOTS} VPCs per account and region: audit again after this rollout)"
NOT_INCLUDED: Final = "partial (--include-partial plans it)"
REPAIR: Final = "failing: repair its delivery (a second flow log would not fix it)"
UNPROVEN_DELIVERY: Final = "silent or unverifiable: check its delivery (a second flow log would not fix it)"
MANAGEMENT: Final = "management account: a service-managed StackSet never deploys there (deploy a stack)"


@dataclass(frozen=True)
class PlanSettings:
    """What the plan says beyond the audit: the archive, the StackSet's name, shared inputs."""

    archive_bucket_arn: str
    stack_set_name: str = DEFAULT_STACK_SET_NAME
    inputs: Mapping[str, Any] = field(default_factory=dict)
    include_partial: bool = False
    require: str = "any"  # the audit's --require-traffic-type: the plan's traffic type must meet it


@dataclass(frozen=True)
class PlanScope:
    """Where the StackSet deploys, from the audit's scope: OUs (service-managed) or accounts."""

    regions: tuple[str, ...]
    organizational_units: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    management_account: str | None = None  # left out of a service-managed plan's overrides


@dataclass(frozen=True)
class Plan:
    data: dict[str, Any]  # the plan file's content
    planned: tuple[Finding, ...]  # a VPC per override
    left_out: tuple[tuple[Finding, str], ...]  # every other VPC not covered, and why
    unreadable: tuple[Unreadable, ...]
    rollout: RolloutPlan  # the plan as `cfn-flowlogs rollout` reads it

    def text(self) -> str:
        """The plan file: YAML, with what it leaves out in comments at the end."""
        head = [
            "# StackSet rollout plan written by `cfn-flowlogs audit`: run `cfn-flowlogs rollout <this file> -o DIR`,",
            "# then DIR/rollout.sh. Each override holds the VPCs the audit found without flow logs in one account",
            f"# and region: a stack instance logs up to {1 + SLOTS}, its target and additional_vpc_ids.",
        ]
        body = yaml.safe_dump(self.data, sort_keys=False, default_flow_style=False, width=120)
        tail = []
        for reason in (NEXT_WAVE, NOT_INCLUDED, REPAIR, UNPROVEN_DELIVERY, MANAGEMENT):
            entries = [finding for finding, why in self.left_out if why == reason]
            if entries:
                tail += ["", f"# Not in this plan: {reason}:"]
                tail += [f"#   {_line(finding)}" for finding in entries]
        if self.unreadable:
            tail += ["", "# Not read, so nothing planned there:"]
            tail += [f"#   {u.account_id} {u.region or '(every region)'}: {_clean(u.message)}" for u in self.unreadable]
        return "\n".join(head) + "\n" + body + ("\n".join(tail) + "\n" if tail else "")


def _line(finding: Finding) -> str:
    vpc = finding.vpc
    name = f" {_clean(vpc.name)!r}" if vpc.name else ""
    default = " (default VPC)" if vpc.is_default else ""
    return f"{vpc.account_id} {vpc.region} {vpc.vpc_id}{name}{default}: {finding.status}"


def _clean(text: str) -> str:
    """One comment line whatever a Name tag or a message holds: no newline can start YAML."""
    return "".join(char if char.isprintable() else "?" for char in text)


def _rank(finding: Finding) -> tuple[int, bool, str]:
    return (finding.status != "missing", finding.vpc.is_default, finding.vpc.vpc_id)


def plan_inputs(settings: PlanSettings) -> dict[str, Any]:
    """The shared inputs, with a traffic type that meets the audit's requirement."""
    inputs = dict(settings.inputs)
    if settings.require not in REQUIREMENTS:
        raise ConfigError("--require-traffic-type", settings.require, "one of " + ", ".join(REQUIREMENTS))
    if settings.require != "any":
        traffic = inputs.setdefault("traffic_type", settings.require)
        if traffic not in ("ALL", settings.require):
            allowed = "ALL" if settings.require == "ALL" else f"ALL or {settings.require}"
            raise ConfigError("traffic_type", traffic, f"{allowed}, as --require-traffic-type asks")
    return inputs


def plan_data(settings: PlanSettings, scope: PlanScope, overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {"stack_set_name": settings.stack_set_name}
    data["archive_bucket_arn"] = settings.archive_bucket_arn
    if scope.organizational_units:
        data["organizational_units"] = list(scope.organizational_units)
    else:
        data["accounts"] = list(scope.accounts)
    data["regions"] = list(scope.regions)
    data["enrolment"] = False  # each override names its VPCs, in the slots
    data["inputs"] = plan_inputs(settings)
    data["overrides"] = {account: {region: dict(o) for region, o in by_region.items()}
                         for account, by_region in overrides.items()}  # fmt: skip
    return data


def check_settings(settings: PlanSettings) -> None:
    """Refuse bad plan options before anything is read: the archive, the name, the inputs. The
    error names the option (`--archive-bucket-arn`, `--stack-set-name`, `--set <input>`)."""
    try:
        parse_plan(plan_data(settings, PlanScope(regions=("us-east-1",), accounts=("111111111111",)), {}))
    except ConfigError as error:
        raise error.renamed(lambda name: _OPTIONS.get(name) or "--set " + name.removeprefix("inputs.")) from None


_OPTIONS: Final = {"archive_bucket_arn": "--archive-bucket-arn", "stack_set_name": "--stack-set-name"}


def build_plan(
    findings: Sequence[Finding], unreadable: Sequence[Unreadable], settings: PlanSettings, scope: PlanScope
) -> Plan:
    wanted = ("missing", "partial") if settings.include_partial else ("missing",)
    service_managed = bool(scope.organizational_units)
    slots: dict[tuple[str, str], list[Finding]] = {}
    left_out: list[tuple[Finding, str]] = []
    for finding in sorted(findings, key=lambda f: (f.vpc.account_id, f.vpc.region, *_rank(f))):
        vpc = finding.vpc
        if finding.status == "failing":
            left_out.append((finding, REPAIR))
        elif finding.status in UNPROVEN:
            left_out.append((finding, UNPROVEN_DELIVERY))
        elif finding.status == "partial" and not settings.include_partial:
            left_out.append((finding, NOT_INCLUDED))
        elif finding.status in wanted:
            if service_managed and vpc.account_id == scope.management_account:
                left_out.append((finding, MANAGEMENT))
            else:
                slots.setdefault((vpc.account_id, vpc.region), []).append(finding)
    overrides: dict[str, dict[str, dict[str, Any]]] = {}
    planned = []
    for (account, region), candidates in sorted(slots.items()):
        first, *more = candidates[: 1 + SLOTS]
        override: dict[str, Any] = {"vpc_id": first.vpc.vpc_id}
        if more:
            override["additional_vpc_ids"] = [finding.vpc.vpc_id for finding in more]
        overrides.setdefault(account, {})[region] = override
        planned += [first, *more]
        left_out += [(finding, NEXT_WAVE) for finding in candidates[1 + SLOTS :]]
    data = plan_data(settings, scope, overrides)
    rollout = parse_plan(data)  # the same checks `cfn-flowlogs rollout` makes
    left_out.sort(key=lambda item: (item[0].vpc.account_id, item[0].vpc.region, *_rank(item[0])))
    return Plan(data, tuple(planned), tuple(left_out), tuple(unreadable), rollout)


__all__ = ["DEFAULT_STACK_SET_NAME", "Plan", "PlanScope", "PlanSettings", "build_plan", "check_settings"]
