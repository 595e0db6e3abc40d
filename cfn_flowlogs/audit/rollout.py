"""An organization-wide rollout on CloudFormation StackSets, described in a small YAML plan.

Every stack instance delivers to the central archive bucket through the StackSet template
(`stackset.py`): up to ten VPCs per account and region. Instances create nothing until an
override names their targets (VPC IDs differ per account), so auto-deployment into a new
account is safe. `render_rollout` writes the template, the parameter files and `rollout.sh`.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ..config.flow_logs import FlowLogsConfig
from ..config.inputs import ADDITIONAL_VPCS, BY_NAME, TARGETS
from ..config.loading import read_config_file
from ..config.validators import (
    ACCOUNT,
    BUCKET_NAME_PATTERN,
    PARTITION,
    REGION,
    check_mapping,
    check_str,
    check_str_list,
)
from ..errors import ConfigError
from ..output.render import to_yaml
from ..stacks.stackset import build_stackset_template, stackset_parameters

TEMPLATE_FILE: Final = "vpc-flow-logs-stackset.yaml"
_KEYS: Final = ("stack_set_name", "archive_bucket_arn", "regions", "organizational_units", "accounts", "inputs",
                "overrides")  # fmt: skip
# What a plan may set: the StackSet template's flow log settings for every instance (and tags,
# which a StackSet gives its stacks), and per account and region the targets as well.
_SHARED: Final = ("traffic_type", "log_format", "max_aggregation_interval", "s3_subfolder", "destination_options")
_PER_INSTANCE: Final = (*TARGETS, ADDITIONAL_VPCS.name, *_SHARED)
# One archive prefix, one record shape, one table: why an override may not change the shape.
_ONE_SHAPE: Final = ("one archive prefix holds one record shape, which its one table reads (a second shape needs a "
                     "plan, and a table, of its own)")  # fmt: skip
_PLACEHOLDER_VPC: Final = "vpc-00000000"  # validates the shared inputs as they would be for any VPC
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
    base = FlowLogsConfig.from_mapping({**inputs, **destination, "vpc_id": _PLACEHOLDER_VPC})
    inputs.pop("custom_tags", None)  # the StackSet's tags, not Parameters
    overrides = {}
    first = None  # the first override (where, config): the target kind every other one must share
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
                config = FlowLogsConfig.from_mapping({**inputs, **destination, **override})
                stackset_parameters(config)  # the slots it needs exist
            except ConfigError as error:
                raise error.renamed(f"{where}.{{}}".format) from None
            first = _same_shape(where, override, config, base, first)
            overrides[(account, region)] = config
    return RolloutPlan(name, bucket, regions, units, accounts, base, overrides)


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
    rollout.sh."""
    # Every Parameter an override sets is given a value in the StackSet itself (AWS overrides
    # only Parameters the StackSet specifies); the targets are empty and nothing is created.
    base = stackset_parameters(plan.base)
    base.update({BY_NAME[name].parameter: "" for name in TARGETS}, CreateResources="false")
    files = {TEMPLATE_FILE: to_yaml(build_stackset_template()), "parameters.json": _parameters(base)}
    for (account, region), config in sorted(plan.overrides.items()):
        own = {k: v for k, v in stackset_parameters(config).items() if base.get(k) != v}
        files[_override_file(account, region)] = _parameters({**own, "CreateResources": "true"})
    files["rollout.sh"] = _script(plan)
    return files


def _override_file(account: str, region: str) -> str:
    return f"overrides-{account}-{region}.json"


def _script(plan: RolloutPlan) -> str:
    q = shlex.quote
    regions = " ".join(q(r) for r in plan.regions)
    managed = bool(plan.organizational_units)
    # A StackSet's tags go to its stacks and their resources; its template needs no capability.
    # JSON, which the CLI reads exactly (its Key=,Value= shorthand strips spaces at the ends).
    entries = [{"Key": k, "Value": v} for k, v in sorted(plan.base.custom_tags.items())]
    tags = f" --tags {q(json.dumps(entries, separators=(',', ':')))}" if entries else ""
    lines = [
        "#!/usr/bin/env bash",
        f"# StackSet rollout of VPC flow logs to {plan.archive_bucket_arn}, written by cfn-flowlogs.",
        "# Deploy the archive first (templates/flow-logs-archive.yaml) in the log-archive account.",
        "set -euo pipefail",
        'cd "$(dirname "$0")"',
        f"STACK_SET={q(plan.stack_set_name)}",
        "",
        'aws cloudformation create-stack-set --stack-set-name "$STACK_SET" \\',
        f"  --template-body file://{TEMPLATE_FILE} --parameters file://parameters.json{tags} \\",
    ]
    if managed:
        lines.append(
            "  --permission-model SERVICE_MANAGED --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=true"
        )
        targets = "OrganizationalUnitIds=" + ",".join(plan.organizational_units)
        lines += ["", "aws cloudformation create-stack-instances --stack-set-name \"$STACK_SET\" \\",
                  f"  --deployment-targets {q(targets)} --regions {regions} \\"]  # fmt: skip
    else:
        lines[-1] = lines[-1].removesuffix(" \\")
        accounts = " ".join(plan.accounts)
        lines += ["", "aws cloudformation create-stack-instances --stack-set-name \"$STACK_SET\" \\",
                  f"  --accounts {accounts} --regions {regions} \\"]  # fmt: skip
    lines.append("  --operation-preferences RegionConcurrencyType=PARALLEL,MaxConcurrentPercentage=25")
    for account, region in sorted(plan.overrides):
        if managed:
            target = q(f"OrganizationalUnitIds={','.join(plan.organizational_units)},Accounts={account},"
                       "AccountFilterType=INTERSECTION")  # fmt: skip
            where = f"--deployment-targets {target}"
        else:
            where = f"--accounts {account}"
        lines += ["", f"# {account} in {region}: its target and own inputs",
                  "aws cloudformation update-stack-instances --stack-set-name \"$STACK_SET\" \\",
                  f"  {where} --regions {q(region)} \\",
                  f"  --parameter-overrides file://{_override_file(account, region)}"]  # fmt: skip
    return "\n".join(lines) + "\n"


__all__ = ["RolloutPlan", "load_plan", "parse_plan", "render_rollout"]
