"""The customer managed KMS key for the log group and the bucket, and its alias."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import Ref
from troposphere.kms import Alias, Key

from .. import naming, policies
from ..context import BuildContext
from ..plan import Plan
from .common import KEEP_DATA, arn_of, present, tags


@dataclass(frozen=True)
class KeyHandles:
    """The created key (None where not created) and the key in use."""

    key: Key | None
    arn: Any  # the key in use: created or provided


def service_statements(ctx: BuildContext, plan: Plan, log_group_arn: Any) -> list[Any]:
    """What the services that use the key need from its policy: CloudWatch Logs for the log
    group, log delivery for the created bucket. In the created key's policy, and printed by
    `cfn-flowlogs policies` for a key you provide."""
    return [
        ctx.pick_lazy(plan.to_cloudwatch, lambda: policies.key_logs_statement(log_group_arn)),
        ctx.pick_lazy(plan.create_bucket, lambda: ctx.per_sources(policies.key_delivery_statement)),
    ]


def add_kms_key(ctx: BuildContext, plan: Plan, log_group_arn: Any, services: list[Any] | None = None) -> KeyHandles:
    """The key (unless kms_key_arn names one) for `plan`'s services, or for `services` when given."""

    def make(logical_id: str) -> Key:
        statements = [
            policies.key_admin_statement(),
            ctx.pick_lazy(ctx.has("kms_key_users"), lambda: policies.key_users_statement(ctx.value("kms_key_users"))),
            *(services if services is not None else service_statements(ctx, plan, log_group_arn)),
        ]
        return Key(
            logical_id,
            Description="Encrypts VPC flow logs",
            EnableKeyRotation=True,
            KeySpec="SYMMETRIC_DEFAULT",
            KeyUsage="ENCRYPT_DECRYPT",
            KeyPolicy=policies.document(present(statements)),
            PendingWindowInDays=ctx.optional("kms_key_deletion_window_in_days"),
            **tags(ctx),
            **KEEP_DATA,
        )

    key = ctx.add(plan.create_key, make, naming.KEY)
    ctx.add(
        plan.create_key_alias,
        lambda logical_id: Alias(
            logical_id,
            AliasName=ctx.sub(
                "${Prefix}${AWS::StackName}${Suffix}", Prefix=ctx.value("kms_key_prefix"), Suffix=ctx.suffix
            ),
            TargetKeyId=Ref(key),
        ),
        naming.KEY_ALIAS,
    )
    # Branch on the input itself, so cfn-lint never resolves an empty KmsKeyArn into a KMS property.
    return KeyHandles(key, ctx.pick(ctx.has("kms_key_arn"), ctx.value("kms_key_arn"), arn_of(key)))
