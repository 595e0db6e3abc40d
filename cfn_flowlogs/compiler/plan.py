"""What the template creates, decided once: each answer is known (bool) or a named Condition."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from ..config.inputs import ADDITIONAL_VPC_SLOTS, ADDITIONAL_VPCS, TARGETS
from . import naming
from .context import BuildContext, Decision

TRANSIT_GATEWAY_TARGETS = ("transit_gateway_id", "transit_gateway_attachment_id")


@dataclass(frozen=True)
class Plan:
    """What the template creates, each a Decision: known now, or a Condition's name."""

    create: Decision  # the flow log itself
    targets: dict[str, Decision]  # target input -> whether it is the one set
    transit_gateway: Decision  # the target is a transit gateway or one of its attachments
    to_cloudwatch: Decision
    to_s3: Decision
    to_firehose: Decision
    create_bucket: Decision
    create_key: Decision
    create_key_alias: Decision
    uses_key: Decision
    managed_policy: Decision
    force_destroy: Decision
    across_accounts: Decision  # Firehose in another account, through a source role made here
    athena: Decision = False  # the Glue table, Athena workgroup and named queries (compile time only)
    # A Glue table reads the bucket (this template's or the archive's): its log objects move only to
    # storage classes Athena reads (compile time only).
    table: Decision = False
    logs_insights: Decision = False  # the Logs Insights query definitions (compile time only)
    # Each further VPC's flow log: (logical ID base, whether it exists, the VPC ID).
    more_vpcs: tuple[tuple[str, Decision, Any], ...] = ()
    enrol: Decision = False  # the enrolment: a function that logs every VPC of the account and Region

    def by_target(self, ctx: BuildContext, value: Callable[[str], Any]) -> Any:
        """`value(target)` for the one target set: a chain of Fn::If when only deploy time knows."""
        *others, last = TARGETS
        result = value(last)
        for name in reversed(others):
            result = ctx.pick_lazy(self.targets[name], partial(value, name), result)
        return result


def plan(ctx: BuildContext) -> Plan:
    """Name every decision the builders share; folded ones are plain booleans."""
    c = ctx.condition
    # No Condition is named as a Parameter is: engines that read templates confuse the two.
    create = ctx.enabled("create_resources")
    destination = "log_destination_type"
    to_cloudwatch = c("DeliverToCloudWatchLogs", ctx.all(create, ctx.equals(destination, "cloud-watch-logs")))
    to_s3 = c("DeliverToS3", ctx.all(create, ctx.equals(destination, "s3")))
    custom_bucket = ctx.is_true("enable_custom_s3_destination")
    create_bucket = c("CreateBucket", ctx.all(to_s3, ctx.not_(custom_bucket)))
    uses_key = c("UseKmsKey", ctx.any(to_cloudwatch, create_bucket))
    create_key = c("CreateKmsKey", ctx.all(uses_key, ctx.not_(ctx.has("kms_key_arn"))))
    to_firehose = c("DeliverToFirehose", ctx.all(create, ctx.equals(destination, "kinesis-data-firehose")))
    return Plan(
        create=create,
        targets={name: ctx.has(name) for name in TARGETS},
        transit_gateway=c("TargetIsTransitGateway", ctx.any(*(ctx.has(n) for n in TRANSIT_GATEWAY_TARGETS))),
        to_cloudwatch=to_cloudwatch,
        to_s3=to_s3,
        to_firehose=to_firehose,
        create_bucket=create_bucket,
        create_key=create_key,
        create_key_alias=c("CreateKmsKeyAlias", ctx.all(create_key, ctx.has("kms_key_prefix"))),
        uses_key=uses_key,
        managed_policy=c("UseManagedIamPolicy", ctx.all(to_cloudwatch, ctx.is_true("use_managed_iam_policies"))),
        force_destroy=c("DestroyBucketOnDelete", ctx.all(create_bucket, ctx.is_true("force_destroy_bucket"))),
        across_accounts=c("DeliverAcrossAccounts", ctx.all(to_firehose, ctx.has("deliver_cross_account_role"))),
        # Compile-time inputs, never Parameters: absent from the shipped template's values.
        athena=ctx.all(to_s3, bool(ctx.values.get("create_athena_table"))),
        table=ctx.all(create_bucket, bool(ctx.values.get("create_athena_table"))),
        logs_insights=ctx.all(to_cloudwatch, bool(ctx.values.get("create_logs_insights_queries"))),
        more_vpcs=_more_vpcs(ctx, create),
        # The StackSet template's input: absent from the other templates' values.
        enrol=ctx.enabled("enrol_vpcs") if "enrol_vpcs" in ctx.values else False,
    )


def _more_vpcs(ctx: BuildContext, create: Decision) -> tuple[tuple[str, Decision, Any], ...]:
    """The StackSet template's slots when it has them, else additional_vpc_ids: a literal ID named
    by itself (stable when the list is reordered or shortened), an expression by its position."""
    slots = [spec for spec in ADDITIONAL_VPC_SLOTS if spec.name in ctx.parameters]
    if slots:
        return tuple(
            (f"{naming.ADDITIONAL_FLOW_LOG}{index}",
             ctx.condition(f"LogAdditionalVpc{index}", ctx.all(create, ctx.has(spec.name))),
             ctx.value(spec.name))
            for index, spec in enumerate(slots, 1)
        )  # fmt: skip
    return tuple(
        (naming.FLOW_LOG + "".join(part.capitalize() for part in vpc.split("-"))
         if isinstance(vpc, str) else f"{naming.ADDITIONAL_FLOW_LOG}{index}", create, vpc)
        for index, vpc in enumerate(ctx.values.get(ADDITIONAL_VPCS.name) or (), 1)
    )  # fmt: skip
