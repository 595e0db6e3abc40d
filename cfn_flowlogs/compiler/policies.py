"""Policy documents (awacs), pure: each function returns statements for the given ARNs.

The confused-deputy conditions, prefixes and actions follow AWS's documentation for flow-log
delivery; see ../shared/REFERENCE.md in the project's workspace for the sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import awacs.cloudformation as cloudformation
import awacs.cloudtrail as cloudtrail
import awacs.ec2 as ec2
import awacs.iam as iam
import awacs.kms as kms
import awacs.logs as logs
import awacs.s3 as s3
import awacs.ssm as ssm
import awacs.sts as sts
from awacs.aws import (
    Allow,
    ArnLike,
    Bool,
    Condition,
    ConditionElement,
    Deny,
    Policy,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
    StringEqualsIfExists,
    StringLike,
)
from troposphere import Ref, Sub

from ..config.marks import ENROLMENT_MARK

VERSION: Final = "2012-10-17"
FLOW_LOGS_SERVICE: Final = "vpc-flow-logs.amazonaws.com"
DELIVERY_SERVICE: Final = "delivery.logs.amazonaws.com"
ACCOUNT_ID: Final = Ref("AWS::AccountId")

KEY_USE_ACTIONS: Final = [
    kms.Encrypt,
    kms.Decrypt,
    kms.Action("ReEncrypt*"),
    kms.Action("GenerateDataKey*"),
    kms.DescribeKey,
]


def document(statements: list[Any]) -> Policy | dict[str, Any]:
    """A policy document. Statements that are `Fn::If` make it plain data (awacs refuses them)."""
    if all(isinstance(s, Statement) for s in statements):
        return PolicyDocument(Version=VERSION, Statement=statements)
    return {"Version": VERSION, "Statement": statements}


@dataclass(frozen=True)
class DeliverySources:
    """Whose log delivery may write to the bucket and use its key.

    This account (the default), a list of accounts (literal IDs, or an expression such as a
    comma-separated Parameter, split), or a whole organization (aws:SourceOrgID).
    """

    accounts: Any = None  # None: this account
    organization: Any = None

    def condition(self, extra: dict[str, dict[str, Any]] | None = None) -> Condition:
        """The confused-deputy conditions, merged with `extra` ({operator: {key: value}})."""
        merged: dict[str, dict[str, Any]] = {op: dict(keys) for op, keys in (extra or {}).items()}
        if self.organization is not None:
            merged.setdefault("StringEquals", {})["aws:SourceOrgID"] = self.organization
        elif self.accounts is None:
            merged.setdefault("StringEquals", {})["aws:SourceAccount"] = ACCOUNT_ID
            merged.setdefault("ArnLike", {})["aws:SourceArn"] = Sub(
                "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*"
            )
        else:
            merged.setdefault("StringEquals", {})["aws:SourceAccount"] = self.accounts
            if isinstance(self.accounts, (list, tuple)):  # flow logs of any region of each account
                merged.setdefault("ArnLike", {})["aws:SourceArn"] = [
                    Sub(f"arn:${{AWS::Partition}}:logs:*:{account}:*") for account in self.accounts
                ]
        operators = {"StringEquals": StringEquals, "ArnLike": ArnLike}
        return Condition([operators[op](keys) for op, keys in sorted(merged.items())])

    @property
    def account_paths(self) -> list[str]:
        """The `<account>` of each `AWSLogs/<account>/` prefix the sources write under."""
        if self.organization is not None or (
            self.accounts is not None and not isinstance(self.accounts, (list, tuple))
        ):
            return ["*"]  # not known when the template is built: the conditions name the accounts
        if self.accounts is None:
            return ["${AWS::AccountId}"]
        return list(self.accounts)


def _source_account() -> StringEquals:
    return StringEquals("aws:SourceAccount", ACCOUNT_ID)


def _source_account_if_sent() -> StringEqualsIfExists:
    """This account, where the service sends aws:SourceAccount. AWS documents the key for VPC Flow
    Logs' role but not for Lambda's or log delivery's: a plain StringEquals would deny every
    assume where the key is absent ("the policy can fail the evaluation"), IfExists cannot."""
    return StringEqualsIfExists("aws:SourceAccount", ACCOUNT_ID)


# --- the delivery role (CloudWatch Logs destination) ---------------------------------------


def _service_trust(sid: str, service: str, *conditions: ConditionElement) -> Policy:
    """A trust policy: only `service`, under `conditions` (which name this account)."""
    return PolicyDocument(
        Version=VERSION,
        Statement=[
            Statement(
                Sid=sid,
                Effect=Allow,
                Principal=Principal("Service", service),
                Action=[sts.AssumeRole],
                Condition=Condition(list(conditions)),
            )
        ],
    )


def flow_logs_trust() -> Policy:
    """Only VPC Flow Logs, acting for this account's flow logs, may assume the role."""
    source_arn = Sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*")
    return _service_trust(
        "AllowVpcFlowLogsToAssume", FLOW_LOGS_SERVICE, _source_account(), ArnLike("aws:SourceArn", source_arn)
    )


def log_delivery_permissions(log_group_arn: Any) -> Policy:
    """Write to one log group. `GetAtt LogGroup.Arn` ends in `:*`, which covers its streams.

    No logs:CreateLogGroup (it would re-create a deleted group) and no logs:DescribeLogGroups
    (it has no resource-level permission, so it would need `Resource: "*"`).
    """
    return PolicyDocument(
        Version=VERSION,
        Statement=[
            Statement(
                Sid="DeliverToLogGroup",
                Effect=Allow,
                Action=[logs.CreateLogStream, logs.PutLogEvents, logs.DescribeLogStreams],
                Resource=[log_group_arn],
            )
        ],
    )


# --- the source role for Firehose in another account ------------------------------------------------

# Log delivery actions without resource-level permissions: AWS documents them on "*".
LOG_DELIVERY_ACTIONS: Final = [
    logs.CreateLogDelivery,
    logs.DeleteLogDelivery,
    logs.ListLogDeliveries,
    logs.GetLogDelivery,
]


def log_delivery_statement() -> Statement:
    """Set up and remove log delivery (to S3 or Firehose) for the flow logs a principal creates."""
    return Statement(Sid="ManageLogDelivery", Effect=Allow, Action=LOG_DELIVERY_ACTIONS, Resource=["*"])


def delivery_trust() -> Policy:
    """Only log delivery, acting for this account, may assume the source role."""
    return _service_trust("AllowLogDeliveryToAssume", DELIVERY_SERVICE, _source_account_if_sent())


def cross_account_source_permissions(role_arn: Any, target_arns: list[Any], destination_role_arn: Any) -> Policy:
    """AWS's documented source-role policy: pass itself to log delivery for these targets only
    (the target and any further VPCs), manage the log delivery, and assume the destination
    account's role."""
    return PolicyDocument(
        Version=VERSION,
        Statement=[
            Statement(
                Sid="PassToLogDeliveryForTarget",
                Effect=Allow,
                Action=[iam.PassRole],
                Resource=[role_arn],
                Condition=Condition(
                    [
                        StringEquals("iam:PassedToService", DELIVERY_SERVICE),
                        StringLike("iam:AssociatedResourceARN", target_arns),
                    ]
                ),
            ),
            log_delivery_statement(),
            Statement(
                Sid="AssumeDestinationRole", Effect=Allow, Action=[sts.AssumeRole], Resource=[destination_role_arn]
            ),
        ],
    )


# --- the KMS key -----------------------------------------------------------------------------


def key_admin_statement() -> Statement:
    """The account root administers the key, so the key can never lock its owner out."""
    return Statement(
        Sid="EnableRootAccess",
        Effect=Allow,
        Principal=Principal("AWS", Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")),
        Action=[kms.Action("*")],
        Resource=["*"],
    )


def key_users_statement(users: Any) -> Statement:
    """Principals that may use the key for data, not administer it."""
    return Statement(
        Sid="AllowKeyUsers",
        Effect=Allow,
        Principal=Principal("AWS", users),
        Action=KEY_USE_ACTIONS,
        Resource=["*"],
    )


def key_logs_statement(log_group_arn: Any) -> Statement:
    """CloudWatch Logs may use the key for this one log group (its encryption context)."""
    return Statement(
        Sid="AllowCloudWatchLogs",
        Effect=Allow,
        Principal=Principal("Service", Sub("logs.${AWS::Region}.amazonaws.com")),
        Action=[
            kms.Action("Encrypt*"),
            kms.Action("Decrypt*"),
            kms.Action("ReEncrypt*"),
            kms.Action("GenerateDataKey*"),
            kms.Action("Describe*"),
        ],
        Resource=["*"],
        Condition=Condition(ArnLike("kms:EncryptionContext:aws:logs:arn", log_group_arn)),
    )


def telemetry_key_statement(organization_id: Any = None) -> Statement:
    """CloudWatch Logs may use the key for the log groups a telemetry rule creates: AWS's own
    statement for an organization's rule (aws:SourceOrgID); for one account's rule, the log groups
    of this account alone (the key's encryption context, as for any encrypted log group)."""
    if organization_id is not None:
        conditions = [StringEquals("aws:SourceOrgID", organization_id),
                      ArnLike("kms:EncryptionContext:aws:logs:arn",
                              Sub("arn:${AWS::Partition}:logs:*:*:log-group:*"))]  # fmt: skip
    else:
        conditions = [ArnLike("kms:EncryptionContext:aws:logs:arn",
                              Sub("arn:${AWS::Partition}:logs:*:${AWS::AccountId}:log-group:*"))]  # fmt: skip
    return Statement(
        Sid="AllowCloudWatchLogsToUseKey",
        Effect=Allow,
        Principal=Principal("Service", "logs.amazonaws.com"),
        Action=[kms.Encrypt, kms.Decrypt, kms.Action("GenerateDataKey*"), kms.DescribeKey],
        Resource=["*"],
        Condition=Condition(conditions),
    )


def key_delivery_statement(sources: DeliverySources) -> Statement:
    """Log delivery writes SSE-KMS objects with the bucket key, for the sources only."""
    return Statement(
        Sid="AllowLogDeliveryToEncrypt",
        Effect=Allow,
        Principal=Principal("Service", DELIVERY_SERVICE),
        Action=KEY_USE_ACTIONS,
        Resource=["*"],
        Condition=sources.condition(),
    )


# --- the bucket --------------------------------------------------------------------------------


def delivery_write_statement(sources: DeliverySources, objects_arns: list[Any]) -> Statement:
    """Log delivery may put objects under `[prefix/]AWSLogs/[aws-account-id=]<account>/`."""
    return Statement(
        Sid="AWSLogDeliveryWrite",
        Effect=Allow,
        Principal=Principal("Service", DELIVERY_SERVICE),
        Action=[s3.PutObject],
        Resource=objects_arns,
        Condition=sources.condition({"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}),
    )


def delivery_acl_check_statement(sources: DeliverySources, bucket_arn: Any) -> Statement:
    return Statement(
        Sid="AWSLogDeliveryAclCheck",
        Effect=Allow,
        Principal=Principal("Service", DELIVERY_SERVICE),
        Action=[s3.GetBucketAcl, s3.ListBucket],
        Resource=[bucket_arn],
        Condition=sources.condition(),
    )


def audit_role_list_statement(sources: DeliverySources, bucket_arn: Any, role_arns: Any, prefixes: Any) -> Statement:
    """The audit role (`role_arns`: `arn:...:iam::*:role/<name>`) of the source accounts may list
    the keys under `prefixes` (`[subfolder/]AWSLogs/*`): object names, never their contents.

    For an organization the principal is `*` held to the organization's fixed ID, which keeps the
    policy non-public for S3 Block Public Access (a wildcard role ARN alone would not); for listed
    accounts, the accounts themselves."""
    conditions: list[ConditionElement] = [ArnLike("aws:PrincipalArn", role_arns), StringLike("s3:prefix", prefixes)]
    if sources.organization is not None:
        principal = Principal("*")
        conditions.insert(0, StringEquals("aws:PrincipalOrgID", sources.organization))
    else:
        principal = Principal("AWS", ACCOUNT_ID if sources.accounts is None else sources.accounts)
    return Statement(
        Sid="AllowAuditRoleToList",
        Effect=Allow,
        Principal=principal,
        Action=[s3.ListBucket],
        Resource=[bucket_arn],
        Condition=Condition(conditions),
    )


def audit_principal_list_statement(bucket_arn: Any, principal_arn: Any, prefixes: Any) -> Statement:
    """One named IAM principal may list the keys under `prefixes`: object names only."""
    return Statement(
        Sid="AllowAuditPrincipalToList",
        Effect=Allow,
        Principal=Principal("AWS", principal_arn),
        Action=[s3.ListBucket],
        Resource=[bucket_arn],
        Condition=Condition(StringLike("s3:prefix", prefixes)),
    )


def deny_insecure_transport_statement(bucket_arn: Any, objects_arn: Any) -> Statement:
    return Statement(
        Sid="DenyInsecureTransport",
        Effect=Deny,
        Principal=Principal("*"),
        Action=[s3.Action("*")],
        Resource=[bucket_arn, objects_arn],
        Condition=Condition(Bool("aws:SecureTransport", False)),
    )


# --- the function that empties the bucket (force_destroy_bucket) -------------------------------


def empty_bucket_permissions(bucket_arn: Any, objects_arn: Any) -> Policy:
    """List and delete every object version, then the bucket: nothing else, nowhere else."""
    return PolicyDocument(
        Version=VERSION,
        Statement=[
            Statement(
                Sid="ListAndDeleteBucket",
                Effect=Allow,
                Action=[s3.ListBucket, s3.ListBucketVersions, s3.DeleteBucket],
                Resource=[bucket_arn],
            ),
            Statement(
                Sid="DeleteObjects",
                Effect=Allow,
                Action=[s3.DeleteObject, s3.DeleteObjectVersion],
                Resource=[objects_arn],
            ),
        ],
    )


def lambda_trust() -> Policy:
    """Only Lambda, for a function of this account, may assume the role."""
    return _service_trust("AllowLambdaToAssume", "lambda.amazonaws.com", _source_account_if_sent())


def function_logs_statement(log_group_arn: Any) -> Statement:
    """A function writes its own log group's streams, nothing else: no logs:CreateLogGroup (the
    stack makes the group) and no `*`. `GetAtt LogGroup.Arn` ends in `:*`, which covers its streams.
    """
    return Statement(
        Sid="WriteFunctionLogs",
        Effect=Allow,
        Action=[logs.CreateLogStream, logs.PutLogEvents],
        Resource=[log_group_arn],
    )


# --- the enrolment's function (the StackSet template's) ---------------------------------------


def enrolment_permissions(*, stacks_arn: Any, log_groups_arn: Any, status_arn: Any) -> Policy:
    """Read VPCs, flow logs and trails; create flow logs only with the enrolment's mark, and tag,
    retag or delete only flow logs that carry it; read its stacks, write its status and its log."""
    flow_logs = Sub("arn:${AWS::Partition}:ec2:*:${AWS::AccountId}:vpc-flow-log/*")
    marked = f"aws:ResourceTag/{ENROLMENT_MARK}"
    return PolicyDocument(
        Version=VERSION,
        Statement=[
            Statement(Sid="DescribeVpcsAndFlowLogs", Effect=Allow, Action=[ec2.DescribeVpcs, ec2.DescribeFlowLogs],
                      Resource=["*"]),
            Statement(Sid="CreateFlowLogsOfVpcs", Effect=Allow, Action=[ec2.CreateFlowLogs],
                      Resource=[Sub("arn:${AWS::Partition}:ec2:*:${AWS::AccountId}:vpc/*")]),
            Statement(Sid="CreateMarkedFlowLogs", Effect=Allow, Action=[ec2.CreateFlowLogs], Resource=[flow_logs],
                      Condition=Condition(StringLike(f"aws:RequestTag/{ENROLMENT_MARK}", "*"))),
            Statement(Sid="TagFlowLogsOnCreate", Effect=Allow, Action=[ec2.CreateTags], Resource=[flow_logs],
                      Condition=Condition(StringEquals("ec2:CreateAction", "CreateFlowLogs"))),
            Statement(Sid="ManageMarkedFlowLogs", Effect=Allow,
                      Action=[ec2.DeleteFlowLogs, ec2.CreateTags, ec2.DeleteTags], Resource=[flow_logs],
                      Condition=Condition(StringLike(marked, "*"))),
            log_delivery_statement(),
            Statement(Sid="ReadEnrolmentStacks", Effect=Allow, Action=[cloudformation.DescribeStacks],
                      Resource=[stacks_arn]),
            Statement(Sid="ListTrails", Effect=Allow, Action=[cloudtrail.DescribeTrails], Resource=["*"]),
            Statement(Sid="ReadTrails", Effect=Allow,
                      Action=[cloudtrail.GetTrailStatus, cloudtrail.GetEventSelectors],
                      Resource=[Sub("arn:${AWS::Partition}:cloudtrail:*:*:trail/*")]),
            Statement(Sid="WriteEnrolmentStatus", Effect=Allow, Action=[ssm.PutParameter], Resource=[status_arn]),
            function_logs_statement(log_groups_arn),
        ],
    )  # fmt: skip
