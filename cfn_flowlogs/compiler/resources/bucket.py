"""The log bucket, its policy, and the custom resource that empties it on delete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import GetAtt, NoValue, Ref, Select, Split
from troposphere.cloudformation import CustomResource
from troposphere.s3 import (
    AbortIncompleteMultipartUpload,
    Bucket,
    BucketEncryption,
    BucketPolicy,
    LifecycleConfiguration,
    LifecycleRule,
    LifecycleRuleTransition,
    NoncurrentVersionExpiration,
    OwnershipControls,
    OwnershipControlsRule,
    PublicAccessBlockConfiguration,
    ServerSideEncryptionByDefault,
    ServerSideEncryptionRule,
    VersioningConfiguration,
)

from ...config import layout
from ...output.scanners import skipped
from .. import naming, policies, statements
from ..context import BuildContext
from ..plan import Plan
from .common import KEEP_DATA, RETAIN, arn_of, tags
from .emptier import add_emptier

NONCURRENT_VERSION_DAYS = 30
# Where log objects end: Glacier Flexible Retrieval, or, under a Glue table, Glacier Instant
# Retrieval: Athena skips Flexible Retrieval and Deep Archive objects (a short answer, no error).
ARCHIVE = "GLACIER"
ARCHIVE_QUERIED = "GLACIER_IR"


@dataclass(frozen=True)
class BucketHandles:
    """The bucket, its policy and emptier (None where not created), and the bucket in use."""

    bucket: Bucket | None
    policy: BucketPolicy | None
    emptier: CustomResource | None
    arn: Any  # the bucket in use: created or provided
    name: Any
    destination: Any  # the flow log's LogDestination: the bucket ARN, with the subfolder if any


def add_bucket(ctx: BuildContext, plan: Plan, key_arn: Any) -> BucketHandles:
    bucket = ctx.add(plan.create_bucket, lambda logical_id: _bucket(ctx, logical_id, key_arn, plan), naming.BUCKET)
    arn = ctx.pick(plan.create_bucket, arn_of(bucket), ctx.value("s3_bucket"))
    name = ctx.pick(plan.create_bucket, Ref(bucket) if bucket else NoValue, _name_from_arn(ctx))
    prefix = key_prefix(ctx)
    policy = ctx.add(
        plan.create_bucket,
        lambda logical_id: BucketPolicy(
            logical_id,
            Bucket=Ref(bucket),
            PolicyDocument=_bucket_policy(ctx, GetAtt(bucket, "Arn"), prefix),
            **RETAIN,
        ),
        naming.BUCKET_POLICY,
    )
    emptier = add_emptier(ctx, plan, bucket) if bucket is not None else None
    return BucketHandles(bucket, policy, emptier, arn, name, log_destination(ctx, arn))


def _bucket(ctx: BuildContext, logical_id: str, key_arn: Any, plan: Plan) -> Bucket:
    transitions = [
        LifecycleRuleTransition(
            StorageClass="STANDARD_IA", TransitionInDays=ctx.value("s3_infrequent_access_transition")
        ),
        LifecycleRuleTransition(
            StorageClass=ctx.pick(plan.table, ARCHIVE_QUERIED, ARCHIVE),
            TransitionInDays=ctx.value("s3_glacier_transition"),
        ),
    ]
    return Bucket(
        logical_id,
        BucketName=ctx.optional("s3_bucket_name"),
        BucketEncryption=BucketEncryption(
            ServerSideEncryptionConfiguration=[
                ServerSideEncryptionRule(
                    # The key ARN, not its ID: delivery can fail with an ID. aws/s3 cannot work.
                    ServerSideEncryptionByDefault=ServerSideEncryptionByDefault(
                        SSEAlgorithm="aws:kms", KMSMasterKeyID=key_arn
                    ),
                    BucketKeyEnabled=True,
                )
            ]
        ),
        PublicAccessBlockConfiguration=PublicAccessBlockConfiguration(
            BlockPublicAcls=True, BlockPublicPolicy=True, IgnorePublicAcls=True, RestrictPublicBuckets=True
        ),
        # Log delivery still sends bucket-owner-full-control, which such a bucket accepts.
        OwnershipControls=OwnershipControls(Rules=[OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]),
        VersioningConfiguration=VersioningConfiguration(Status="Enabled"),
        LifecycleConfiguration=LifecycleConfiguration(
            Rules=[
                LifecycleRule(
                    Id="FlowLogsLifecycle",
                    Status="Enabled",
                    Transitions=transitions,
                    ExpirationInDays=ctx.value("s3_expiration_transition"),
                    NoncurrentVersionExpiration=NoncurrentVersionExpiration(NoncurrentDays=NONCURRENT_VERSION_DAYS),
                    AbortIncompleteMultipartUpload=AbortIncompleteMultipartUpload(DaysAfterInitiation=7),
                ),
                *([_results_rule(ctx)] if plan.athena is True else []),
            ]
        ),
        **tags(ctx),
        **KEEP_DATA,
        **skipped("CKV_AWS_18"),
    )


def _results_rule(ctx: BuildContext) -> LifecycleRule:
    """Athena's query results (create_athena_table) expire after athena_results_expiration_days."""
    from ...query.catalog import RESULTS_PREFIX  # the query layer's, imported only when it is built

    return LifecycleRule(
        Id="AthenaResultsExpiration",
        Status="Enabled",
        Prefix=RESULTS_PREFIX,
        ExpirationInDays=ctx.value("athena_results_expiration_days"),
        NoncurrentVersionExpiration=NoncurrentVersionExpiration(NoncurrentDays=1),
        AbortIncompleteMultipartUpload=AbortIncompleteMultipartUpload(DaysAfterInitiation=1),
    )


def key_prefix(ctx: BuildContext) -> Any:
    """`s3_subfolder` and a `/`, or nothing: what the object keys start with."""
    return ctx.pick(ctx.has("s3_subfolder"), ctx.sub("${Prefix}/", Prefix=ctx.value("s3_subfolder")), "")


def log_destination(ctx: BuildContext, bucket_arn: Any) -> Any:
    """The flow log's LogDestination as AWS writes it: the bare bucket ARN, or
    `<bucket ARN>/<subfolder>/` (never a lone trailing `/`, which risks `//AWSLogs/` keys)."""
    with_subfolder = ctx.sub("${Bucket}/${Subfolder}/", Bucket=bucket_arn, Subfolder=ctx.value("s3_subfolder"))
    return ctx.pick(ctx.has("s3_subfolder"), with_subfolder, bucket_arn)


def delivery_path(ctx: BuildContext, bucket: Any, prefix: Any, tail: str, *, scheme: str = "") -> Any:
    """`<bucket>/[<subfolder>/]AWSLogs/[aws-account-id=]<tail>`: where VPC Flow Logs writes, for
    the bucket policy's grant (`bucket` an ARN) and the Athena table's location (`scheme` s3://,
    `bucket` a name), so the two can never disagree. `prefix` is `key_prefix(ctx)`."""
    hive = ctx.pick(ctx.enabled("hive_compatible_partitions"), layout.HIVE_ACCOUNT, "")
    return ctx.sub(
        scheme + "${Bucket}/${Prefix}" + layout.LOGS + "${Hive}" + tail, Bucket=bucket, Prefix=prefix, Hive=hive
    )


def delivery_statements(ctx: BuildContext, bucket_arn: Any, prefix: Any) -> list[Any]:
    """What log delivery needs from a bucket's policy (ACL check, write under the prefix that
    follows `s3_subfolder` and the Hive option), and the TLS-only deny. Used for the created
    bucket's policy and printed by `cfn-flowlogs policies` for a custom bucket."""

    def write(sources: policies.DeliverySources) -> Any:
        objects = [delivery_path(ctx, bucket_arn, prefix, f"{account}/*") for account in sources.account_paths]
        return policies.delivery_write_statement(sources, objects)

    return [
        ctx.per_sources(lambda sources: policies.delivery_acl_check_statement(sources, bucket_arn)),
        ctx.per_sources(write),
        policies.deny_insecure_transport_statement(bucket_arn, ctx.sub("${Bucket}/*", Bucket=bucket_arn)),
    ]


def reader_statements(ctx: BuildContext, bucket_arn: Any, prefix: Any) -> list[Any]:
    """The archive's reader grant: the audit role of its source accounts (`audit_role_name`) or
    one principal (`audit_principal_arn`) may list the keys under `[subfolder/]AWSLogs/`, so the
    audit can prove each flow log's delivery. Only the archive has these inputs."""
    listed = ctx.sub("${Prefix}" + layout.LOGS + "*", Prefix=prefix)
    found = []
    if "audit_role_name" in ctx.values:

        def by_role() -> Any:
            role_arns = ctx.sub("arn:${AWS::Partition}:iam::*:role/${Name}", Name=ctx.value("audit_role_name"))
            return ctx.per_sources(lambda sources: policies.audit_role_list_statement(sources, bucket_arn,
                                                                                      role_arns, listed))  # fmt: skip

        found.append(ctx.pick_lazy(ctx.has("audit_role_name"), by_role))
    if "audit_principal_arn" in ctx.values:
        principal = ctx.has("audit_principal_arn")
        found.append(ctx.pick_lazy(principal, lambda: policies.audit_principal_list_statement(
            bucket_arn, ctx.value("audit_principal_arn"), listed)))  # fmt: skip
    return [statement for statement in found if statement is not NoValue]


def _bucket_policy(ctx: BuildContext, bucket_arn: Any, prefix: Any) -> Any:
    return policies.document(
        [*delivery_statements(ctx, bucket_arn, prefix), *reader_statements(ctx, bucket_arn, prefix),
         *statements.build(ctx.bucket_statements, bucket_arn, ctx.sub)]
    )  # fmt: skip


def _name_from_arn(ctx: BuildContext) -> Any:
    """The custom bucket's name from its ARN, `arn:<partition>:s3:::<name>`."""
    arn = ctx.values.get("s3_bucket") if "s3_bucket" not in ctx.parameters else None
    if isinstance(arn, str):
        return arn.rpartition(":::")[2]
    return Select(5, Split(":", ctx.value("s3_bucket")))
