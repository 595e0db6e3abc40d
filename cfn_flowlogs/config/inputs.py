"""Every scalar input of the module, described once.

The table drives three things that must agree: the Python validation of a `FlowLogsConfig`,
the CloudFormation Parameters of the parameterized template (with the same constraints), and
the console's parameter groups and labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal, TypedDict

from .fields import deploy_time_pattern
from .validators import ACCOUNT, BOOLEAN, BUCKET_NAME_PATTERN, REGION, arn_pattern, int_range, one_of

RETENTION_DAYS: Final = (
    0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip
TRAFFIC_TYPES: Final = ("ACCEPT", "REJECT", "ALL")
DESTINATION_TYPES: Final = ("cloud-watch-logs", "s3", "kinesis-data-firehose")
FILE_FORMATS: Final = ("plain-text", "parquet")
AGGREGATION_INTERVALS: Final = (60, 600)

_NAME = r"[a-zA-Z0-9_+=,.@-]+"
ROLE_NAME_PATTERN: Final = r"[a-zA-Z0-9_+=,.@-]{1,64}"
LOG_GROUP_NAME_PATTERN: Final = r"(?!aws/)[.\-_/#A-Za-z0-9]{1,512}"  # aws/ is reserved
ALIAS_PREFIX_PATTERN: Final = r"alias/(?!aws/)[a-zA-Z0-9/_-]{0,128}"
# S3's safe key characters but `*`: a glob pattern in a table location (AWS: "Do not use ...
# wildcards, or glob patterns") and a wildcard in the bucket policy's grant.
KMS_KEY: Final = "key/(mrk-[0-9a-f]{32}|[0-9a-f-]{36})"  # a key's ARN resource: key/<id>
_KMS_KEY_ALLOWED: Final = "a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)"
SUBFOLDER_PATTERN: Final = r"(?!AWSLogs)[a-zA-Z0-9!_.'()-]+(/[a-zA-Z0-9!_.'()-]+)*"

Kind = Literal["str", "int", "bool", "list"]


@dataclass(frozen=True)
class Input:
    """One scalar input: its name, type, default, constraints and how the console shows it."""

    name: str
    kind: Kind
    default: Any
    group: str
    label: str
    description: str
    allowed: str = ""  # what is allowed, in words, for errors and ConstraintDescription
    choices: tuple[Any, ...] = ()
    pattern: str = ""  # literal values, Python and CloudFormation alike
    pseudo_pattern: str = ""  # Python only: also accepts ${AWS::Partition} and friends
    parameter_pattern: str = ""  # the Parameter's, where deploy time can check less than Python
    parameter_allowed: str = ""  # what parameter_pattern allows, in words
    low: int | None = None
    high: int | None = None
    parameter_default: Any = None  # a Number Parameter's default where the input's is null
    nullable: bool = False  # null is allowed although the default is not

    @property
    def constraint(self) -> str:
        """What is allowed, in words: for errors, ConstraintDescription and the README."""
        if self.kind == "bool":
            return BOOLEAN
        if self.choices:
            return one_of(self.choices)
        if self.kind == "int":
            return int_range(self.low, self.high)
        return self.allowed

    @property
    def parameter(self) -> str:
        return parameter_name(self.name)


def parameter_name(name: str) -> str:
    """An input's Parameter name: `cloudwatch_log_retention` -> `CloudwatchLogRetention`."""
    return "".join(word.capitalize() for word in name.split("_"))


class _Patterns(TypedDict):
    pattern: str
    pseudo_pattern: str


def _arn(service: str, region: str, account: str, resource: str) -> _Patterns:
    return {
        "pattern": arn_pattern(service, region, account, resource, pseudo=False),
        "pseudo_pattern": arn_pattern(service, region, account, resource, pseudo=True),
    }


def _id(name: str, prefix: str, label: str, what: str) -> Input:
    return Input(
        name, "str", None, "Target", label,
        f"ID of the {what} to log (exactly one target).",
        allowed=f"a {what} ID like {prefix}-0123456789abcdef0",
        pattern=prefix + "-[0-9a-f]{8,17}",
    )  # fmt: skip


INPUTS: Final[tuple[Input, ...]] = (
    _id("vpc_id", "vpc", "VPC ID", "VPC"),
    _id("subnet_id", "subnet", "Subnet ID", "subnet"),
    _id("eni_id", "eni", "Network interface ID", "network interface"),
    _id("transit_gateway_id", "tgw", "Transit gateway ID", "transit gateway"),
    _id("transit_gateway_attachment_id", "tgw-attach", "Transit gateway attachment ID", "transit gateway attachment"),
    _id("regional_nat_gateway_id", "nat", "Regional NAT gateway ID", "regional NAT gateway"),
    Input(
        "traffic_type", "str", "REJECT", "Flow log", "Traffic type",
        "Which traffic to log (left out for transit gateway targets, which take none).",
        choices=TRAFFIC_TYPES, nullable=True,
    ),
    Input(
        "log_destination_type", "str", "cloud-watch-logs", "Flow log", "Destination type",
        "Where to deliver the records.", choices=DESTINATION_TYPES,
    ),
    Input(
        "log_format", "str", None, "Flow log", "Log format",
        "Fields to record as ${field} tokens separated by single spaces; empty: AWS's default.",
        allowed="${field} tokens separated by single spaces",
        pattern=r"\$\{[a-z0-9-]+\}( \$\{[a-z0-9-]+\})*",
        parameter_pattern=deploy_time_pattern(),
        parameter_allowed="${field} tokens of flow log fields separated by single spaces (the tag fields "
        "instance-tag, interface-tag and asg-tag need TagFieldSpecifications: compile a template with "
        "cfn-flowlogs build)",
    ),
    Input(
        "max_aggregation_interval", "int", 600, "Flow log", "Aggregation interval (seconds)",
        "Maximum seconds over which a flow is captured into one record (60 for transit gateways).",
        choices=AGGREGATION_INTERVALS,
    ),
    Input(
        "create_resources", "bool", True, "Flow log", "Create resources",
        "false: the stack creates nothing (the module's create_resources).",
    ),
    Input(
        "cloudwatch_log_group_name", "str", None, "CloudWatch Logs", "Log group name",
        "Name of the log group to create; empty: /aws/vpc-flow-logs/<stack name>.",
        allowed="a log group name: 1-512 of a-z A-Z 0-9 . - _ / #, not starting with aws/",
        pattern=LOG_GROUP_NAME_PATTERN,
    ),
    Input(
        "cloudwatch_log_retention", "int", 731, "CloudWatch Logs", "Retention (days)",
        "Days to keep log events; 0 keeps them forever.", choices=RETENTION_DAYS,
    ),
    Input(
        "cloudwatch_iam_role_name", "str", None, "CloudWatch Logs", "Delivery role name",
        "Name of the IAM role that delivers to the log group; empty: generated by CloudFormation.",
        allowed="an IAM role name: 1-64 of letters, digits and +=,.@_-",
        pattern=ROLE_NAME_PATTERN,
    ),
    Input(
        "iam_role_permissions_boundary", "str", None, "CloudWatch Logs",
        "Role permissions boundary", "ARN of a managed policy to use as the role's boundary.",
        allowed="an IAM managed policy ARN",
        **_arn("iam", "", f"({ACCOUNT}|aws)", f"policy/({_NAME}/)*{_NAME}"),
    ),
    Input(
        "use_managed_iam_policies", "bool", True, "CloudWatch Logs", "Use a managed policy",
        "true: the role's permissions are a managed policy; false: an inline policy.",
    ),
    Input(
        "kms_key_arn", "str", None, "Encryption", "KMS key ARN",
        "Customer managed key for the log group and bucket; empty: a key is created.",
        allowed=_KMS_KEY_ALLOWED, **_arn("kms", REGION, ACCOUNT, KMS_KEY),
    ),
    Input(
        "kms_key_users", "list", None, "Encryption", "Key users",
        "IAM ARNs that may use (not administer) the created key, comma separated.",
        allowed="IAM user, role or account root ARNs",
        **_arn("iam", "", ACCOUNT, f"(root|(user|role)/({_NAME}/)*{_NAME})"),
    ),
    Input(
        "kms_key_deletion_window_in_days", "int", None, "Encryption", "Key deletion window (days)",
        "Waiting period before a scheduled key deletion (AWS's default is 30).", low=7, high=30,
        parameter_default=30,
    ),
    Input(
        "kms_key_prefix", "str", "alias/flow_logs_key_", "Encryption", "Key alias prefix",
        "The created key's alias is this prefix and the stack name; empty: no alias.",
        allowed="'alias/' then up to 128 of a-z A-Z 0-9 / _ -, not 'alias/aws/'",
        pattern=ALIAS_PREFIX_PATTERN,
    ),
    Input(
        "s3_bucket_name", "str", None, "S3", "Bucket name",
        "Name of the bucket to create; empty: generated by CloudFormation.",
        allowed="an S3 bucket name (3-63 of a-z 0-9 . -)", pattern=BUCKET_NAME_PATTERN,
    ),
    Input(
        "enable_custom_s3_destination", "bool", False, "S3", "Use your own bucket",
        "true: deliver to the bucket in S3Bucket instead of creating one.",
    ),
    Input(
        "s3_bucket", "str", None, "S3", "Your bucket's ARN",
        "ARN of your own bucket (with EnableCustomS3Destination).",
        allowed="an S3 bucket ARN (arn:<partition>:s3:::<bucket>)",
        **_arn("s3", "", "", BUCKET_NAME_PATTERN),
    ),
    Input(
        "s3_subfolder", "str", "", "S3", "Key prefix",
        "Prefix for the log objects, without leading or trailing '/'; must not start with AWSLogs.",
        allowed="a key prefix of a-z A-Z 0-9 ! _ . ' ( ) - separated by single '/', not "
        "starting with AWSLogs",
        pattern=SUBFOLDER_PATTERN,
    ),
    Input(
        "file_format", "str", "plain-text", "S3", "File format",
        "Format of the log objects.", choices=FILE_FORMATS,
    ),
    Input(
        "hive_compatible_partitions", "bool", False, "S3", "Hive-compatible prefixes",
        "true: use Hive-compatible S3 prefixes (aws-account-id=...).",
    ),
    Input(
        "per_hour_partition", "bool", False, "S3", "Per-hour partitions",
        "true: partition the objects per hour instead of per day.",
    ),
    Input(
        "s3_infrequent_access_transition", "int", 30, "S3", "Days to Standard-IA",
        "Days after which objects move to S3 Standard-IA.", low=30,
    ),
    Input(
        "s3_glacier_transition", "int", 180, "S3", "Days to Glacier",
        "Days after which objects move to S3 Glacier Flexible Retrieval, or Instant Retrieval with an Athena "
        "table (at least 30 after Standard-IA).", low=60,
    ),
    Input(
        "s3_expiration_transition", "int", 365, "S3", "Days to expiration",
        "Days after which objects expire (after the Glacier transition).", low=61,
    ),
    Input(
        "force_destroy_bucket", "bool", False, "S3", "Force destroy bucket",
        "true: deleting the stack empties and deletes the bucket; false: the bucket is kept.",
    ),
    Input(
        "kinesis_firehose_arn", "str", None, "Firehose", "Delivery stream ARN",
        "ARN of the Firehose delivery stream (with destination kinesis-data-firehose).",
        allowed="a Firehose delivery stream ARN",
        **_arn("firehose", REGION, ACCOUNT, r"deliverystream/[a-zA-Z0-9_.-]{1,64}"),
    ),
    Input(
        "deliver_cross_account_role", "str", None, "Firehose", "Cross-account role ARN",
        "For a stream in another account: that account's role for log delivery (its name starts "
        "with AWSLogDeliveryFirehoseCrossAccountRole); a source role is created here.",
        allowed="an IAM role ARN whose name starts with AWSLogDeliveryFirehoseCrossAccountRole",
        **_arn("iam", "", ACCOUNT, f"role/({_NAME}/)*AWSLogDeliveryFirehoseCrossAccountRole[a-zA-Z0-9_+=,.@-]*"),
    ),
)  # fmt: skip

BY_NAME: Final[dict[str, Input]] = {spec.name: spec for spec in INPUTS}

VPC_ID_PATTERN: Final = BY_NAME["vpc_id"].pattern
# Stands in for the target where settings are checked for any VPC (a rollout's shared inputs, a
# telemetry rule's): never deployed.
PLACEHOLDER_VPC: Final = "vpc-00000000"
# More VPCs logged the same way as the target, a flow log each. Not a Parameter of the shipped
# template, where a VPC's flow log would cost 2.2 KB of the 1.7 KB left under 51,200 bytes: a
# compiled template takes any number, the StackSet template (stackset.py) has slots for them.
ADDITIONAL_VPCS: Final = Input(
    "additional_vpc_ids", "list", None, "Target", "More VPC IDs",
    "More VPCs to log with the same settings, a flow log each (not with a transit gateway target).",
    allowed="distinct VPC IDs like vpc-0123456789abcdef0, none of them vpc_id", pattern=VPC_ID_PATTERN,
)  # fmt: skip
# The StackSet template's slots for them: a String Parameter each, so that a slot's Condition is
# a plain Ref (the documented form) and each slot, its flow log, keeps its identity.
ADDITIONAL_VPC_SLOTS: Final[tuple[Input, ...]] = tuple(
    Input(
        f"additional_vpc_id_{index}", "str", None, "More VPCs", f"More VPC ID {index}",
        "A VPC to log like the target; empty: none. Clear a slot to drop its VPC: the others keep theirs.",
        allowed=BY_NAME["vpc_id"].allowed, pattern=VPC_ID_PATTERN,
    )
    for index in range(1, 10)
)  # fmt: skip

# The enrolment (the StackSet template's): a function gives every VPC of the account and Region the
# flow log its stack instance describes. Its role is made once per account, by a template of its own.
ENROLMENT_ROLE_NAME: Final = "cfn-flowlogs-enrolment"
ENROLMENT_INPUTS: Final[tuple[Input, ...]] = (
    Input(
        "enrol_vpcs", "bool", False, "Enrolment", "Enrol every VPC",
        "true: every VPC of the account and Region gets this flow log, new ones within minutes, by a function "
        "(leave VpcId and the slots empty: it covers them).",
    ),
    Input(
        "enrolment_role_name", "str", ENROLMENT_ROLE_NAME, "Enrolment", "Enrolment role name",
        "The function's role, made once per account by templates/vpc-flow-logs-enrolment-role.yaml.",
        allowed="an IAM role name: 1-64 of letters, digits and +=,.@_-", pattern=ROLE_NAME_PATTERN,
    ),
)  # fmt: skip

# The query layer: decided at compile time (the table's columns are the log format's), so never
# Parameters; the README's inputs table lists them as config only.
GLUE_NAME_PATTERN: Final = r"[a-z0-9_]{1,255}"  # what Athena reads: lowercase letters, digits, _
WORKGROUP_NAME_PATTERN: Final = r"[a-zA-Z0-9._-]{1,128}"  # Athena's WorkGroup pattern
GIB: Final = 1024**3
QUERY_INPUTS: Final[tuple[Input, ...]] = (
    Input(
        "create_athena_table", "bool", False, "Queries", "Athena table",
        "true: a Glue database and table over the delivered objects (partitions projected), an Athena "
        "workgroup and named queries (s3 only).",
    ),
    Input(
        "glue_database_name", "str", None, "Queries", "Glue database name",
        "Name of the Glue database; empty: <stack name, - as _>_flow_logs.",
        allowed="a Glue database name: 1-255 of a-z 0-9 _", pattern=GLUE_NAME_PATTERN,
    ),
    Input(
        "glue_table_name", "str", "vpc_flow_logs", "Queries", "Glue table name",
        "Name of the table in that database.",
        allowed="a Glue table name: 1-255 of a-z 0-9 _", pattern=GLUE_NAME_PATTERN,
    ),
    Input(
        "athena_workgroup_name", "str", None, "Queries", "Athena workgroup name",
        "Name of the Athena workgroup; empty: <stack name>-flow-logs (a stack name of at most 118 characters).",
        allowed="an Athena workgroup name: 1-128 of a-z A-Z 0-9 . _ -", pattern=WORKGROUP_NAME_PATTERN,
    ),
    Input(
        "athena_bytes_scanned_cutoff_per_query", "int", 10 * GIB, "Queries", "Bytes scanned per query",
        "Athena cancels a query of the workgroup that scans more (10 GiB by default; Athena's minimum is 10 MB).",
        low=10_000_000,
    ),
    Input(
        "athena_results_expiration_days", "int", 7, "Queries", "Days to keep query results",
        "Days after which query results (athena-results/ in the created bucket) expire.", low=1,
    ),
    Input(
        "athena_results_expected_bucket_owner", "str", None, "Queries", "Results bucket owner",
        "With your own bucket: the account that must own it for Athena to write query results there; "
        "empty: this account.",
        allowed="a 12-digit account ID", pattern=ACCOUNT,
    ),
    Input(
        "athena_results_kms_key_arn", "str", None, "Queries", "Results KMS key ARN",
        "With your own bucket: query results are encrypted SSE-KMS with this key; empty: SSE-S3.",
        allowed=_KMS_KEY_ALLOWED, **_arn("kms", REGION, ACCOUNT, KMS_KEY),
    ),
    Input(
        "create_logs_insights_queries", "bool", False, "Queries", "Logs Insights queries",
        "true: saved Logs Insights queries on the flow-log group (cloud-watch-logs only).",
    ),
)  # fmt: skip
QUERY_BY_NAME: Final[dict[str, Input]] = {spec.name: spec for spec in QUERY_INPUTS}
# Target input -> the flow log's ResourceType. Exactly one target is set.
TARGETS: Final[dict[str, str]] = {
    "vpc_id": "VPC",
    "subnet_id": "Subnet",
    "eni_id": "NetworkInterface",
    "transit_gateway_id": "TransitGateway",
    "transit_gateway_attachment_id": "TransitGatewayAttachment",
    "regional_nat_gateway_id": "RegionalNatGateway",
}
# Target input -> the resource part of its EC2 ARN (arn:<partition>:ec2:<region>:<account>:<part>/<id>).
TARGET_ARN_TYPES: Final[dict[str, str]] = {
    "vpc_id": "vpc",
    "subnet_id": "subnet",
    "eni_id": "network-interface",
    "transit_gateway_id": "transit-gateway",
    "transit_gateway_attachment_id": "transit-gateway-attachment",
    "regional_nat_gateway_id": "natgateway",
}
