"""From an audit to the rollout plan `cfn-flowlogs rollout` reads (`cfn_flowlogs.audit.rollout`).

The plan enrols: each stack instance's function gives every VPC of its account and region the
flow log, new ones within minutes, so the plan names no VPC and has no waves. Overrides are left
for exceptions, which the audit cannot know (another traffic type for one account). The VPCs the
audit found `missing` or `partial` are listed in comments at the end of the file, as what the
enrolment will cover; so are those it will not fix: a failing, silent or unverifiable flow log
needs repair, not a second flow log, and a service-managed StackSet never deploys to the
management account.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import yaml

from ..errors import ConfigError
from .judge import REQUIREMENTS, UNPROVEN, Finding
from .records import Unreadable
from .rollout import RolloutPlan, parse_plan

DEFAULT_STACK_SET_NAME: Final = "org-vpc-flow-logs"
ENROLLED: Final = "missing or partial: the enrolment gives each its flow log (new VPCs too)"
REPAIR: Final = "failing: repair its delivery (a second flow log would not fix it)"
UNPROVEN_DELIVERY: Final = "silent or unverifiable: check its delivery (a second flow log would not fix it)"
MANAGEMENT: Final = ("management account: a service-managed StackSet never deploys there (deploy both templates "
                     "there as stacks: docs/guides/coverage.md)")  # fmt: skip


@dataclass(frozen=True)
class PlanSettings:
    """What the plan says beyond the audit: the archive, the StackSet's name, shared inputs."""

    archive_bucket_arn: str
    stack_set_name: str = DEFAULT_STACK_SET_NAME
    inputs: Mapping[str, Any] = field(default_factory=dict)
    require: str = "any"  # the audit's --require-traffic-type: the plan's traffic type must meet it


@dataclass(frozen=True)
class PlanScope:
    """Where the StackSet deploys, from the audit's scope: OUs (service-managed) or accounts."""

    regions: tuple[str, ...]
    organizational_units: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    management_account: str | None = None  # where a service-managed StackSet never deploys


@dataclass(frozen=True)
class Plan:
    data: dict[str, Any]  # the plan file's content
    planned: tuple[Finding, ...]  # the VPCs not covered that the enrolment will cover
    left_out: tuple[tuple[Finding, str], ...]  # every VPC not covered, and what becomes of it
    unreadable: tuple[Unreadable, ...]
    rollout: RolloutPlan  # the plan as `cfn-flowlogs rollout` reads it

    def text(self) -> str:
        """The plan file: YAML, with the VPCs not covered, and what becomes of each, at the end."""
        head = [
            "# StackSet rollout plan written by `cfn-flowlogs audit`: run `cfn-flowlogs rollout <this file> -o DIR`,",
            "# then DIR/rollout.sh. The enrolment gives every VPC of these accounts and regions the flow log, new",
            "# ones within minutes: add an override only for an exception (another traffic type for one account).",
        ]
        body = yaml.safe_dump(self.data, sort_keys=False, default_flow_style=False, width=120)
        tail = []
        for reason in (ENROLLED, REPAIR, UNPROVEN_DELIVERY, MANAGEMENT):
            entries = [finding for finding, why in self.left_out if why == reason]
            if entries:
                tail += ["", f"# Not covered now: {reason}:"]
                tail += [f"#   {_line(finding)}" for finding in entries]
        if self.unreadable:
            tail += ["", "# Not read, so not known (the enrolment covers them all the same):"]
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
    data["enrolment"] = True  # every VPC, by each instance's function: no VPC named, no wave
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
    """The plan for the audit's scope: the enrolment everywhere, no VPC named; each VPC not covered
    listed with what becomes of it."""
    service_managed = bool(scope.organizational_units)
    left_out: list[tuple[Finding, str]] = []
    for finding in findings:
        vpc = finding.vpc
        if finding.status == "covered":
            continue
        if finding.status == "failing":
            left_out.append((finding, REPAIR))
        elif finding.status in UNPROVEN:
            left_out.append((finding, UNPROVEN_DELIVERY))
        elif service_managed and vpc.account_id == scope.management_account:
            left_out.append((finding, MANAGEMENT))
        else:
            left_out.append((finding, ENROLLED))
    data = plan_data(settings, scope, {})
    rollout = parse_plan(data)  # the same checks `cfn-flowlogs rollout` makes
    left_out.sort(key=lambda item: (item[0].vpc.account_id, item[0].vpc.region, *_rank(item[0])))
    planned = tuple(finding for finding, why in left_out if why == ENROLLED)
    return Plan(data, planned, tuple(left_out), tuple(unreadable), rollout)


__all__ = ["DEFAULT_STACK_SET_NAME", "Plan", "PlanScope", "PlanSettings", "build_plan", "check_settings"]
