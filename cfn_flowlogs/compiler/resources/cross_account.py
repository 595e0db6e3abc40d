"""The source role for a Firehose stream in another account (DeliverLogsPermissionArn)."""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import GetAtt, Ref
from troposphere.iam import ManagedPolicy, Role

from ...config.inputs import TARGET_ARN_TYPES
from ...output.scanners import skipped
from .. import naming, policies
from ..context import BuildContext
from ..plan import Plan
from .common import tags


@dataclass(frozen=True)
class SourceRoleHandles:
    """The Firehose cross-account source role and its policy (None where not created)."""

    role: Role | None
    policy: ManagedPolicy | None  # the flow log waits for it: the role is useless before


def add_cross_account_source_role(ctx: BuildContext, plan: Plan) -> SourceRoleHandles:
    role = ctx.add(
        plan.across_accounts,
        lambda logical_id: Role(
            logical_id,
            AssumeRolePolicyDocument=policies.delivery_trust(),
            Description="Lets log delivery send this flow log to a Firehose stream in another account",
            **tags(ctx),
        ),
        naming.SOURCE_ROLE,
    )
    if role is None:
        return SourceRoleHandles(None, None)
    target_arn = plan.by_target(
        ctx,
        lambda name: ctx.sub(
            "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:${Type}/${Id}",
            Type=TARGET_ARN_TYPES[name],
            Id=ctx.value(name),
        ),
    )
    vpc_arns = [
        ctx.sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc/${Id}", Id=vpc)
        for _, _, vpc in plan.more_vpcs
    ]
    # A policy of its own: it names the role's ARN, which the role cannot hold without a cycle.
    policy = ctx.add(
        plan.across_accounts,
        lambda logical_id: ManagedPolicy(
            logical_id,
            Description="Lets log delivery pass the source role and assume the destination account's role",
            Roles=[Ref(role)],
            PolicyDocument=policies.cross_account_source_permissions(
                GetAtt(role, "Arn"), [target_arn, *vpc_arns], ctx.value("deliver_cross_account_role")
            ),
            **skipped("CKV_AWS_111"),
        ),
        naming.SOURCE_ROLE_POLICY,
    )
    return SourceRoleHandles(role, policy)
