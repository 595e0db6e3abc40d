"""The flow log itself."""

from __future__ import annotations

from functools import partial
from typing import Any

from troposphere import GetAtt, If, NoValue, Ref, Tags
from troposphere.ec2 import DestinationOptions, FlowLog, TagFieldSpecification

from ...config.inputs import TARGETS
from ...config.marks import STACK_MARK
from .. import naming
from ..context import BuildContext, Decision
from ..plan import Plan
from .bucket import BucketHandles
from .cross_account import SourceRoleHandles


def flow_log_properties(
    ctx: BuildContext, plan: Plan, *, log_group: Any, role: Any, bucket: BucketHandles, source: SourceRoleHandles
) -> dict[str, Any]:
    """The properties every flow log of the template shares, whatever it logs: destination, format,
    interval, options, tags. The enrolment's function gets the same (resources/enrolment.py).
    Call it only where a flow log can exist: the Conditions it uses are written into the template."""
    pick = partial(_pick, ctx, plan)
    s3_options = DestinationOptions(
        FileFormat=ctx.value("file_format"),
        HiveCompatiblePartitions=ctx.value("hive_compatible_partitions"),
        PerHourPartition=ctx.value("per_hour_partition"),
    )
    return {
        "TagFieldSpecifications": [
            TagFieldSpecification(ResourceType=s["resource_type"], TagKeys=s["tag_keys"])
            for s in ctx.tag_field_specifications
        ]
        or NoValue,
        "LogDestinationType": ctx.value("log_destination_type"),
        "LogGroupName": pick(plan.to_cloudwatch, Ref(log_group) if log_group else NoValue),
        "DeliverLogsPermissionArn": pick(
            plan.to_cloudwatch,
            GetAtt(role, "Arn") if role else NoValue,
            pick(plan.across_accounts, GetAtt(source.role, "Arn") if source.role else NoValue),
        ),
        "DeliverCrossAccountRole": pick(plan.across_accounts, ctx.value("deliver_cross_account_role")),
        "LogDestination": pick(
            plan.to_s3, bucket.destination, pick(plan.to_firehose, ctx.value("kinesis_firehose_arn"))
        ),
        "DestinationOptions": pick(plan.to_s3, s3_options),
        "LogFormat": ctx.optional("log_format"),
        "MaxAggregationInterval": ctx.value("max_aggregation_interval"),
        # The config's tags, and the mark that tells the audit a stack of cfn-flowlogs made it.
        "Tags": Tags(**dict(sorted(ctx.tags.items()))) + Tags({STACK_MARK: Ref("AWS::StackName")}),
    }


def add_flow_log(
    ctx: BuildContext, plan: Plan, *, log_group: Any, role: Any, bucket: BucketHandles, source: SourceRoleHandles
) -> tuple[FlowLog | None, tuple[FlowLog, ...]]:
    """The target's flow log, and one for each further VPC (additional_vpc_ids, or the StackSet
    template's slots), all with the same destination and settings."""
    pick = partial(_pick, ctx, plan)
    shared: dict[str, Any] = {}  # built for the first flow log that can exist

    dependencies = {
        "BucketPolicy": (plan.create_bucket, bucket.policy),
        "EmptyBucket": (plan.force_destroy, bucket.emptier),
        "SourceRolePolicy": (plan.across_accounts, source.policy),
    }

    def make(logical_id: str, **target: Any) -> FlowLog:
        if not shared:
            shared.update(flow_log_properties(ctx, plan, log_group=log_group, role=role, bucket=bucket, source=source))
        return FlowLog(logical_id, **target, **shared)

    def add(decision: Decision, base: str, **target: Any) -> FlowLog | None:
        flow_log = ctx.add(decision, lambda logical_id: make(logical_id, **target), base)
        if flow_log is not None:
            _wait_for(ctx, flow_log, dependencies)
        return flow_log

    flow_log = add(
        plan.create,
        naming.FLOW_LOG,
        ResourceType=plan.by_target(ctx, TARGETS.__getitem__),
        ResourceId=plan.by_target(ctx, ctx.value),
        TrafficType=pick(plan.transit_gateway, NoValue, ctx.value("traffic_type")),
    )
    more = [
        add(decision, base, ResourceType="VPC", ResourceId=vpc, TrafficType=ctx.value("traffic_type"))
        for base, decision, vpc in plan.more_vpcs
    ]
    return flow_log, tuple(f for f in more if f is not None)


def _pick(ctx: BuildContext, plan: Plan, decision: Decision, if_true: Any, if_false: Any = NoValue) -> Any:
    """`ctx.pick` where a flow log exists: `create` holds there, so it is known (the StackSet
    template's destination is just `create`), and Fn::If on it would be unreachable."""
    return ctx.pick(True if decision is plan.create else decision, if_true, if_false)


def _wait_for(ctx: BuildContext, flow_log: FlowLog, dependencies: dict[str, tuple[Any, Any]]) -> None:
    """Create the flow log after the bucket policy (or VPC Flow Logs writes its own policy and
    races the stack) and delete it before the bucket is emptied.

    A DependsOn on a resource that may not exist is invalid, so an open dependency is carried
    by a `Ref` under `Fn::If` in the flow log's Metadata instead.
    """
    depends_on, metadata = [], {}
    for label, (decision, resource) in dependencies.items():
        if resource is None:
            continue
        if decision is True:
            depends_on.append(resource.title)
        else:
            metadata[label] = If(ctx.use(decision), Ref(resource), NoValue)
    if depends_on:
        flow_log.DependsOn = depends_on
    if metadata:
        flow_log.Metadata = {"DependsOn": metadata}
