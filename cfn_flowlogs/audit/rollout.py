"""An organization-wide rollout on CloudFormation StackSets, described in a small YAML plan.

Every stack instance delivers to the central archive bucket through the StackSet template
(`stackset.py`). With the enrolment (`enrolment: true`, the default) each instance's function
gives every VPC of its account and region the flow log, new ones within minutes: overrides are
only for exceptions (another traffic type for one account, a subnet or transit gateway target). Its
role comes from a second StackSet, deployed in one region of each account (IAM is global), which
the first depends on. Without it, instances create nothing until an override names their targets,
up to ten VPCs per account and region. `render_rollout` writes the templates, the parameter files
and `rollout.sh`.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ..config.flow_logs import FlowLogsConfig
from ..config.inputs import ADDITIONAL_VPCS, BY_NAME, PLACEHOLDER_VPC, TARGETS
from ..config.loading import read_config_file
from ..config.validators import (
    ACCOUNT,
    BUCKET_NAME_PATTERN,
    PARTITION,
    REGION,
    check_bool,
    check_mapping,
    check_str,
    check_str_list,
)
from ..errors import ConfigError
from ..output.render import to_yaml
from ..stacks.stackset import build_enrolment_role_template, build_stackset_template, stackset_parameters

TEMPLATE_FILE: Final = "vpc-flow-logs-stackset.yaml"
ROLE_TEMPLATE_FILE: Final = "vpc-flow-logs-enrolment-role.yaml"
_KEYS: Final = ("stack_set_name", "archive_bucket_arn", "regions", "organizational_units", "accounts", "enrolment",
                "inputs", "overrides")  # fmt: skip
# What a plan may set: the StackSet template's flow log settings for every instance (and tags,
# which a StackSet gives its stacks), and per account and region the targets as well.
_SHARED: Final = ("traffic_type", "log_format", "max_aggregation_interval", "s3_subfolder", "destination_options")
_PER_INSTANCE: Final = (*TARGETS, ADDITIONAL_VPCS.name, *_SHARED)
# One archive prefix, one record shape, one table: why an override may not change the shape.
_ONE_SHAPE: Final = ("one archive prefix holds one record shape, which its one table reads (a second shape needs a "
                     "plan, and a table, of its own)")  # fmt: skip
_OU: Final = r"(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})"


@dataclass(frozen=True)
class RolloutPlan:
    stack_set_name: str
    archive_bucket_arn: str
    regions: tuple[str, ...]
    organizational_units: tuple[str, ...]  # service-managed, with auto-deployment
    accounts: tuple[str, ...]  # self-managed
    base: FlowLogsConfig  # the shared inputs (its placeholder target is never deployed)
    overrides: dict[tuple[str, str], FlowLogsConfig]  # (account, region) -> its whole config
    enrolment: bool = True  # every VPC by the enrolment; else the targets and slots the overrides name

    @property
    def role_stack_set_name(self) -> str:
        """The StackSet of the enrolment's role (once per account, in the plan's first region)."""
        return f"{self.stack_set_name}-enrolment-role"


def load_plan(path: str | Path) -> RolloutPlan:
    """The plan in a file; every problem names the file and line."""
    plan = read_config_file(path)
    try:
        return parse_plan(plan.checked())
    except ConfigError as error:
        raise plan.locate(error) from None


def parse_plan(data: Mapping[str, Any]) -> RolloutPlan:
    """Validate a plan; every input is checked the way FlowLogsConfig checks it."""
    for key in data:
        if key not in _KEYS:
            raise ConfigError("plan", key, "one of " + ", ".join(_KEYS))
    name = check_str("stack_set_name", data.get("stack_set_name"), r"[a-zA-Z][-a-zA-Z0-9]{0,127}",
                     "a StackSet name: a letter, then up to 127 letters, digits and hyphens")  # fmt: skip
    bucket_arn = f"arn:{PARTITION}:s3:::{BUCKET_NAME_PATTERN}"
    bucket = check_str("archive_bucket_arn", data.get("archive_bucket_arn"), bucket_arn, "the archive's S3BucketArn")
    regions = _list("regions", data.get("regions"), REGION, "region names like us-east-1")
    units = _list(
        "organizational_units", data.get("organizational_units", []), _OU, "OU IDs or the root ID", empty=True
    )
    accounts = _list("accounts", data.get("accounts", []), ACCOUNT, "12-digit account IDs", empty=True)
    enrolment = check_bool("enrolment", data.get("enrolment", True))
    if enrolment and len(name) > 128 - len("-enrolment-role"):
        raise ConfigError("stack_set_name", name, "at most 113 characters with the enrolment (its role's StackSet "
                          "is named <name>-enrolment-role)")  # fmt: skip
    if bool(units) == bool(accounts):
        raise ConfigError("organizational_units/accounts", {"organizational_units": units, "accounts": accounts},
                          "exactly one: OUs (service-managed) or accounts (self-managed)")  # fmt: skip
    inputs = dict(check_mapping("inputs", data.get("inputs", {})))
    for key in inputs:
        if key in _PER_INSTANCE and key not in _SHARED:
            raise ConfigError(f"inputs.{key}", inputs[key], "left to overrides (targets differ per account)")
        if key not in (*_SHARED, "custom_tags"):
            allowed = ", ".join((*_SHARED, "custom_tags"))
            allowed += " (every instance delivers to the archive)"
            raise ConfigError(f"inputs.{key}", inputs[key], f"one of {allowed}")
    destination = {"log_destination_type": "s3", "enable_custom_s3_destination": True, "s3_bucket": bucket}
    base = FlowLogsConfig.from_mapping({**inputs, **destination, "vpc_id": PLACEHOLDER_VPC})
    inputs.pop("custom_tags", None)  # the StackSet's tags, not Parameters
    overrides = {}
    # The first override (where, config): the target kind every other one must share. With the
    # enrolment every instance writes VPC records: the first is the enrolment.
    first = ("the enrolment", base) if enrolment else None
    for account, by_region in check_mapping("overrides", data.get("overrides", {})).items():
        check_str("overrides", account, ACCOUNT, "12-digit account IDs as keys")
        if accounts and account not in accounts:
            raise ConfigError("overrides", account, "accounts listed in accounts")
        # A target lives in one region: overrides go by account, then region.
        for region, override in check_mapping(f"overrides.{account}", by_region).items():
            where = f"overrides.{account}.{region}"
            if region not in regions:
                raise ConfigError(f"overrides.{account}", region, "regions of the plan: " + ", ".join(regions))
            override = dict(check_mapping(where, override))
            for key in override:
                if key not in _PER_INSTANCE:
                    allowed = "one of " + ", ".join(_PER_INSTANCE) + " (custom_tags go in inputs: a StackSet's tags)"
                    raise ConfigError(f"{where}.{key}", override[key], allowed)
            try:
                own = _target(override) if enrolment else override
                config = FlowLogsConfig.from_mapping({**inputs, **destination, **own})
                stackset_parameters(config, enrol_vpcs=enrolment)  # the slots it needs exist
            except ConfigError as error:
                if enrolment and error.name == "vpc_id/additional_vpc_ids":
                    key = next(k for k in ("vpc_id", ADDITIONAL_VPCS.name) if k in override)
                    raise ConfigError(f"{where}.{key}", override[key], "unset with the enrolment (enrolment: true, "
                                      "the default), which logs every VPC of the account and region; "
                                      "enrolment: false keeps the slots") from None  # fmt: skip
                raise error.renamed(f"{where}.{{}}".format) from None
            first = _same_shape(where, override, config, base, first)
            overrides[(account, region)] = config
    return RolloutPlan(name, bucket, regions, units, accounts, base, overrides, enrolment)


def _target(override: Mapping[str, Any]) -> dict[str, Any]:
    """An override without a target (an exception of settings alone, beside the enrolment) is
    checked as any VPC's settings."""
    if any(override.get(name) is not None for name in TARGETS):
        return dict(override)
    return {**override, "vpc_id": PLACEHOLDER_VPC}


def _shape_inputs(config: FlowLogsConfig) -> dict[str, Any]:
    """The inputs that shape the records, as they shape them (destination_options: its three)."""
    shape = config.record_shape
    options = {"file_format": "parquet" if shape.parquet else "plain-text",
               "hive_compatible_partitions": shape.hive, "per_hour_partition": shape.per_hour}  # fmt: skip
    return {"log_format": config.log_format, "s3_subfolder": shape.subfolder, "destination_options": options}


def _same_shape(
    where: str, override: Mapping[str, Any], config: FlowLogsConfig, base: FlowLogsConfig, first: Any
) -> tuple[str, FlowLogsConfig]:
    """Every instance writes one record shape under the archive's one prefix, which its one table
    reads: an override may not change the format, prefixes or subfolder, nor log another kind of
    target (a transit gateway's records carry other fields) than the first override. Returns the
    first override (where, config)."""
    own, shared = _shape_inputs(config), _shape_inputs(base)
    for name in own:
        if name in override and own[name] != shared[name]:
            plan = "unset" if shared[name] is None else repr(shared[name])
            raise ConfigError(f"{where}.{name}", override[name], f"{plan} as in inputs: {_ONE_SHAPE}")
    if first is None:
        return where, config
    first_where, first_config = first
    if config.record_shape != first_config.record_shape:
        target = next(name for name in TARGETS if getattr(config, name) is not None)
        kind = first_config.resource_type
        raise ConfigError(f"{where}.{target}", getattr(config, target),
                          f"a target whose records are shaped as {first_where}'s ({kind}): {_ONE_SHAPE}")  # fmt: skip
    return first


def _list(name: str, value: Any, pattern: str, allowed: str, *, empty: bool = False) -> tuple[str, ...]:
    items = check_str_list(name, value)
    if not items and not empty:
        raise ConfigError(name, value, f"a non-empty list of {allowed}")
    for item in items:
        check_str(name, item, pattern, allowed)
    return items


def _parameters(values: Mapping[str, Any]) -> str:
    entries = [{"ParameterKey": k, "ParameterValue": _text(v)} for k, v in sorted(values.items())]
    return json.dumps(entries, indent=2) + "\n"


def _text(value: Any) -> str:
    return ",".join(value) if isinstance(value, list) else str(value)


def render_rollout(plan: RolloutPlan) -> dict[str, str]:
    """File name -> text: the template, parameters.json, overrides-<account>-<region>.json and
    rollout.sh; with the enrolment, its role's template and role-parameters.json too."""
    # Every Parameter an override sets is given a value in the StackSet itself (AWS overrides
    # only Parameters the StackSet specifies); the targets are empty and nothing is created.
    base = stackset_parameters(plan.base, enrol_vpcs=plan.enrolment)
    base.update({BY_NAME[name].parameter: "" for name in TARGETS}, CreateResources="false")
    files = {TEMPLATE_FILE: to_yaml(build_stackset_template()), "parameters.json": _parameters(base)}
    if plan.enrolment:
        files[ROLE_TEMPLATE_FILE] = to_yaml(build_enrolment_role_template())
        role = {"StackSetName": plan.stack_set_name, "RoleName": base["EnrolmentRoleName"]}
        files["role-parameters.json"] = _parameters(role)
    for (account, region), config in sorted(plan.overrides.items()):
        own = {k: v for k, v in stackset_parameters(config, enrol_vpcs=plan.enrolment).items() if base.get(k) != v}
        own["CreateResources"] = "true"
        if config.vpc_id == PLACEHOLDER_VPC:  # settings alone, beside the enrolment: no target
            del own["CreateResources"]
        files[_override_file(account, region)] = _parameters(own)
    files["rollout.sh"] = _script(plan)
    return files


def _override_file(account: str, region: str) -> str:
    return f"overrides-{account}-{region}.json"


WAIT_FOR: Final = """\
wait_for() {  # a StackSet operation, until it ends: the next step needs what it made
  local status
  while true; do
    status=$(aws cloudformation describe-stack-set-operation --stack-set-name "$1" --operation-id "$2" \\
      --query StackSetOperation.Status --output text)
    case "$status" in
      SUCCEEDED) return 0 ;;
      FAILED|STOPPED) echo "rollout.sh: operation $2 of $1 ended $status" >&2; return 1 ;;
    esac
    sleep 15
  done
}"""


def _script(plan: RolloutPlan) -> str:
    q = shlex.quote
    regions = " ".join(q(r) for r in plan.regions)
    managed = bool(plan.organizational_units)
    # A StackSet's tags go to its stacks and their resources.
    # JSON, which the CLI reads exactly (its Key=,Value= shorthand strips spaces at the ends).
    entries = [{"Key": k, "Value": v} for k, v in sorted(plan.base.custom_tags.items())]
    tags = f" --tags {q(json.dumps(entries, separators=(',', ':')))}" if entries else ""
    auto = "Enabled=true,RetainStacksOnAccountRemoval=true"
    if managed:
        targets = "--deployment-targets " + q("OrganizationalUnitIds=" + ",".join(plan.organizational_units))
    else:
        targets = "--accounts " + " ".join(plan.accounts)
    lines = [
        "#!/usr/bin/env bash",
        f"# StackSet rollout of VPC flow logs to {plan.archive_bucket_arn}, written by cfn-flowlogs.",
        "# Deploy the archive first (templates/flow-logs-archive.yaml) in the log-archive account.",
        "set -euo pipefail",
        'cd "$(dirname "$0")"',
        f"STACK_SET={q(plan.stack_set_name)}",
    ]
    if plan.enrolment:
        # IAM is global: the role once per account, in one region, before any function names it.
        lines += [
            f"ROLE_STACK_SET={q(plan.role_stack_set_name)}",
            WAIT_FOR,
            "",
            "# 1. The enrolment's role, once per account (IAM is global): in one region.",
            'aws cloudformation create-stack-set --stack-set-name "$ROLE_STACK_SET" \\',
            f"  --template-body file://{ROLE_TEMPLATE_FILE} --parameters file://role-parameters.json{tags} \\",
            "  --capabilities CAPABILITY_NAMED_IAM" + (f" --permission-model SERVICE_MANAGED --auto-deployment {auto}"
                                                      if managed else ""),
            'OPERATION=$(aws cloudformation create-stack-instances --stack-set-name "$ROLE_STACK_SET" \\',
            f"  {targets} --regions {q(plan.regions[0])} --query OperationId --output text)",
            'wait_for "$ROLE_STACK_SET" "$OPERATION"',
        ]  # fmt: skip
        if managed:  # a new account of the OUs gets the role before the functions that name it
            lines += [
                'ROLE_STACK_SET_ARN=$(aws cloudformation describe-stack-set --stack-set-name "$ROLE_STACK_SET" \\',
                "  --query StackSet.StackSetARN --output text)",
                'AUTO_DEPLOYMENT=$(printf \'{"Enabled":true,"RetainStacksOnAccountRemoval":true,'
                '"DependsOn":["%s"]}\' "$ROLE_STACK_SET_ARN")',
            ]
            auto = '"$AUTO_DEPLOYMENT"'
        lines += ["", "# 2. The flow logs and the enrolment, in every region."]
    else:
        lines.append("")
    lines += [
        'aws cloudformation create-stack-set --stack-set-name "$STACK_SET" \\',
        f"  --template-body file://{TEMPLATE_FILE} --parameters file://parameters.json{tags}"
        + (f" \\\n  --permission-model SERVICE_MANAGED --auto-deployment {auto}" if managed else ""),
        "",
        'aws cloudformation create-stack-instances --stack-set-name "$STACK_SET" \\',
        f"  {targets} --regions {regions} \\",
        "  --operation-preferences RegionConcurrencyType=PARALLEL,MaxConcurrentPercentage=25",
    ]
    for account, region in sorted(plan.overrides):
        if managed:
            target = q(f"OrganizationalUnitIds={','.join(plan.organizational_units)},Accounts={account},"
                       "AccountFilterType=INTERSECTION")  # fmt: skip
            where = f"--deployment-targets {target}"
        else:
            where = f"--accounts {account}"
        lines += ["", f"# {account} in {region}: its own inputs" + ("" if plan.enrolment else " and targets"),
                  "aws cloudformation update-stack-instances --stack-set-name \"$STACK_SET\" \\",
                  f"  {where} --regions {q(region)} \\",
                  f"  --parameter-overrides file://{_override_file(account, region)}"]  # fmt: skip
    return "\n".join(lines) + "\n"


__all__ = ["ROLE_TEMPLATE_FILE", "TEMPLATE_FILE", "RolloutPlan", "load_plan", "parse_plan", "render_rollout"]
