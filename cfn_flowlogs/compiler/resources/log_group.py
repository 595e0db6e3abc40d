"""The KMS-encrypted log group (CloudWatch Logs destination)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import Ref
from troposphere.logs import LogGroup

from ...output.scanners import skipped
from .. import naming
from ..context import BuildContext
from ..plan import Plan
from .common import KEEP_DATA, tags


@dataclass(frozen=True)
class LogGroupHandles:
    """The log group (None where not created), its name and ARN."""

    log_group: LogGroup | None
    name: Any
    arn: Any  # built from the name, so the key policy can name it without a dependency cycle


def log_group_name(ctx: BuildContext) -> Any:
    """The configured name, or `/aws/vpc-flow-logs/<stack name>[<prefix>]`."""
    default = ctx.sub("/aws/vpc-flow-logs/${AWS::StackName}${Suffix}", Suffix=ctx.suffix)
    return ctx.optional("cloudwatch_log_group_name", default)


def log_group_arn(ctx: BuildContext) -> Any:
    return ctx.sub(
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Name}",
        Name=log_group_name(ctx),
    )


def add_log_group(ctx: BuildContext, plan: Plan, key_arn: Any) -> LogGroupHandles:
    retention = ctx.condition("HasLogRetention", ctx.not_(ctx.equals("cloudwatch_log_retention", 0)))  # 0: forever
    log_group = ctx.add(
        plan.to_cloudwatch,
        lambda logical_id: LogGroup(
            logical_id,
            LogGroupName=log_group_name(ctx),
            KmsKeyId=key_arn,
            RetentionInDays=ctx.pick(retention, ctx.value("cloudwatch_log_retention")),
            **tags(ctx),
            **KEEP_DATA,
            **(skipped("CKV_AWS_66") if retention is False else {}),
        ),
        naming.LOG_GROUP,
    )
    name = Ref(log_group) if log_group is not None else None
    return LogGroupHandles(log_group, name, log_group_arn(ctx))
