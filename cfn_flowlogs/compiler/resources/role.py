"""The role VPC Flow Logs assumes to write to the log group."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, NoValue, Ref
from troposphere.iam import ManagedPolicy, Policy, Role

from .. import naming, policies
from ..context import BuildContext
from ..plan import Plan
from .common import tags

PURPOSE = "Lets VPC Flow Logs deliver to its log group"


def add_delivery_role(ctx: BuildContext, plan: Plan, log_group: Any) -> Role | None:
    """Least privilege on the one log group, as a managed or an inline policy."""
    if log_group is None:
        return None
    permissions = policies.log_delivery_permissions(GetAtt(log_group, "Arn"))
    managed = ctx.add(
        plan.managed_policy,
        lambda logical_id: ManagedPolicy(logical_id, Description=PURPOSE, PolicyDocument=permissions),
        naming.ROLE_POLICY,
    )
    return ctx.add(
        plan.to_cloudwatch,
        lambda logical_id: Role(
            logical_id,
            AssumeRolePolicyDocument=policies.flow_logs_trust(),
            Description=PURPOSE,
            RoleName=ctx.optional("cloudwatch_iam_role_name"),
            PermissionsBoundary=ctx.optional("iam_role_permissions_boundary"),
            ManagedPolicyArns=ctx.pick(plan.managed_policy, [Ref(managed)] if managed else NoValue),
            Policies=ctx.pick(
                plan.managed_policy, NoValue, [Policy(PolicyName="DeliverToLogGroup", PolicyDocument=permissions)]
            ),
            **tags(ctx),
        ),
        naming.ROLE,
    )
