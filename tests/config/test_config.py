"""FlowLogsConfig validation: every rule, table-driven, plus the defaults and ownership of inputs.

Each rejection row is (kwargs, input name, bad value fragment): building the config must raise
ConfigError naming that input, and the message must show both the name and the bad value.
"""

from __future__ import annotations

import copy
from dataclasses import fields

import pytest
from troposphere import GetAtt, Ref

from cfn_flowlogs import ConfigError, FlowLogsConfig, build_template, to_json

VPC = "vpc-0123456789abcdef0"
SUBNET = "subnet-0123456789abcdef0"
ENI = "eni-0123456789abcdef0"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
MRK_ARN = "arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
BUCKET_ARN = "arn:aws:s3:::example-flow-logs"
FIREHOSE_ARN = "arn:aws:firehose:us-east-1:123456789012:deliverystream/flows"
BOUNDARY_ARN = "arn:aws:iam::123456789012:policy/Boundary"
READER_ARN = "arn:aws:iam::123456789012:role/Readers"
STATEMENTS = "additional_s3_bucket_policy_statements"
READERS = f"{STATEMENTS}.Readers"


def vpc(**kwargs):
    """Kwargs for a config of one VPC (the CloudWatch Logs default destination)."""
    return {"vpc_id": VPC, **kwargs}


def s3(**kwargs):
    """Kwargs for a config of one VPC delivering to a created bucket."""
    return vpc(**{"log_destination_type": "s3", **kwargs})


def custom_bucket(**kwargs):
    """Kwargs for a config of one VPC delivering to an existing bucket."""
    return s3(**{"enable_custom_s3_destination": True, "s3_bucket": BUCKET_ARN, **kwargs})


def firehose(**kwargs):
    return vpc(**{"log_destination_type": "kinesis-data-firehose", **kwargs})


def statement(*, without=(), **overrides):
    """An s3 config with one bucket policy statement `Readers`, changed by `overrides`."""
    body = {"effect": "Allow", "actions": ["s3:GetObject"], "principals": {"AWS": [READER_ARN]}, **overrides}
    for key in without:
        del body[key]
    return s3(**{STATEMENTS: {"Readers": body}})


def condition(**cond):
    return statement(condition={"vpc": cond})


def tags(count):
    return {f"key{i}": "value" for i in range(count)}


def config_error(kwargs):
    """The ConfigError that building a config from `kwargs` raises; any other outcome fails."""
    try:
        config = FlowLogsConfig(**kwargs)
    except ConfigError as error:
        return error
    except Exception as error:  # a crash instead of a clear message is a bug
        pytest.fail(f"crashed with {type(error).__name__}: {error} (expected ConfigError)")
    pytest.fail(f"accepted: {config!r}")


REJECTED = [
    # --- exactly one target, each ID's format ---------------------------------------------
    pytest.param({}, "vpc_id/subnet_id/eni_id", "{}", id="target-none"),
    pytest.param({"vpc_id": VPC, "subnet_id": SUBNET}, "vpc_id/subnet_id/eni_id", SUBNET, id="target-two"),
    pytest.param(
        {"vpc_id": VPC, "subnet_id": SUBNET, "eni_id": ENI}, "vpc_id/subnet_id/eni_id", ENI, id="target-three"
    ),
    pytest.param({"vpc_id": "vpc-123"}, "vpc_id", "vpc-123", id="vpc-id-too-short"),
    pytest.param({"vpc_id": "vpc-0123456789abcdef01"}, "vpc_id", "vpc-0123456789abcdef01", id="vpc-id-too-long"),
    pytest.param({"vpc_id": "vpc-0123456789ABCDEF0"}, "vpc_id", "ABCDEF0", id="vpc-id-uppercase"),
    pytest.param({"vpc_id": SUBNET}, "vpc_id", SUBNET, id="vpc-id-is-a-subnet-id"),
    pytest.param({"vpc_id": 12345678}, "vpc_id", "12345678", id="vpc-id-not-a-string"),
    pytest.param({"subnet_id": "subnet-xyz12345"}, "subnet_id", "subnet-xyz12345", id="subnet-id-not-hex"),
    pytest.param({"subnet_id": VPC}, "subnet_id", VPC, id="subnet-id-is-a-vpc-id"),
    pytest.param({"eni_id": "eni-0123"}, "eni_id", "eni-0123", id="eni-id-too-short"),
    pytest.param({"eni_id": "eni_0123456789abcdef0"}, "eni_id", "eni_0123456789abcdef0", id="eni-id-underscore"),
    # --- additional_vpc_ids: VPC IDs, each VPC once (EC2 refuses a second identical flow log) ----
    pytest.param(vpc(additional_vpc_ids=["vpc-1"]), "additional_vpc_ids", "distinct VPC IDs like", id="more-vpcs-bad"),
    pytest.param(vpc(additional_vpc_ids=[SUBNET]), "additional_vpc_ids", SUBNET, id="more-vpcs-subnet-id"),
    pytest.param(vpc(additional_vpc_ids="vpc-0aaaaaaa"), "additional_vpc_ids", "a list", id="more-vpcs-not-a-list"),
    pytest.param(
        vpc(additional_vpc_ids=["vpc-0aaaaaaa", "vpc-0bbbbbbb", "vpc-0aaaaaaa"]),
        "additional_vpc_ids",
        "vpc-0aaaaaaa is twice",
        id="more-vpcs-duplicate",
    ),
    pytest.param(vpc(additional_vpc_ids=[VPC]), "additional_vpc_ids", "none of them vpc_id", id="more-vpcs-is-vpc-id"),
    pytest.param(
        {
            "transit_gateway_id": "tgw-0123456789abcdef0",
            "max_aggregation_interval": 60,
            "traffic_type": None,
            "additional_vpc_ids": ["vpc-0aaaaaaa"],
        },
        "additional_vpc_ids",
        "unset with a transit gateway target",
        id="more-vpcs-with-transit-gateway",
    ),
    # --- choices ---------------------------------------------------------------------------
    pytest.param(vpc(traffic_type="DENY"), "traffic_type", "DENY", id="traffic-type-unknown"),
    pytest.param(vpc(traffic_type="reject"), "traffic_type", "reject", id="traffic-type-lowercase"),
    pytest.param(
        vpc(log_destination_type="cloudwatch"), "log_destination_type", "cloudwatch", id="destination-unknown"
    ),
    pytest.param(vpc(log_destination_type="S3"), "log_destination_type", "S3", id="destination-uppercase"),
    pytest.param(
        s3(destination_options={"file_format": "csv"}),
        "destination_options.file_format",
        "csv",
        id="file-format-unknown",
    ),
    pytest.param(vpc(cloudwatch_log_retention=42), "cloudwatch_log_retention", "42", id="retention-not-in-aws-list"),
    pytest.param(vpc(cloudwatch_log_retention=-1), "cloudwatch_log_retention", "-1", id="retention-negative"),
    pytest.param(vpc(cloudwatch_log_retention=True), "cloudwatch_log_retention", "true", id="retention-bool"),
    pytest.param(vpc(cloudwatch_log_retention="30"), "cloudwatch_log_retention", '"30"', id="retention-string"),
    pytest.param(vpc(cloudwatch_log_retention=None), "cloudwatch_log_retention", "null", id="retention-none"),
    pytest.param(
        vpc(cloudwatch_log_retention=30.0),
        "cloudwatch_log_retention",
        "30.0",
        id="retention-float",
    ),
    pytest.param(vpc(max_aggregation_interval=300), "max_aggregation_interval", "300", id="aggregation-300"),
    pytest.param(vpc(max_aggregation_interval=True), "max_aggregation_interval", "true", id="aggregation-bool"),
    pytest.param(
        vpc(max_aggregation_interval=60.0),
        "max_aggregation_interval",
        "60.0",
        id="aggregation-float",
    ),
    # --- ranges ----------------------------------------------------------------------------
    pytest.param(
        vpc(kms_key_deletion_window_in_days=6), "kms_key_deletion_window_in_days", "6", id="deletion-window-6"
    ),
    pytest.param(
        vpc(kms_key_deletion_window_in_days=31), "kms_key_deletion_window_in_days", "31", id="deletion-window-31"
    ),
    pytest.param(
        vpc(kms_key_deletion_window_in_days=True), "kms_key_deletion_window_in_days", "true", id="deletion-window-bool"
    ),
    pytest.param(
        vpc(kms_key_deletion_window_in_days="7"), "kms_key_deletion_window_in_days", '"7"', id="deletion-window-string"
    ),
    pytest.param(
        s3(s3_infrequent_access_transition=29), "s3_infrequent_access_transition", "29", id="lifecycle-ia-under-30"
    ),
    pytest.param(
        s3(s3_infrequent_access_transition=60, s3_glacier_transition=89),
        "s3_glacier_transition",
        "89",
        id="lifecycle-glacier-under-ia-plus-30",
    ),
    pytest.param(s3(s3_glacier_transition=59), "s3_glacier_transition", "59", id="lifecycle-glacier-under-60"),
    pytest.param(
        s3(s3_expiration_transition=180), "s3_expiration_transition", "180", id="lifecycle-expiration-equals-glacier"
    ),
    pytest.param(
        s3(s3_expiration_transition=100), "s3_expiration_transition", "100", id="lifecycle-expiration-before-glacier"
    ),
    pytest.param(s3(s3_glacier_transition=200.0), "s3_glacier_transition", "200.0", id="lifecycle-float"),
    pytest.param(
        s3(s3_infrequent_access_transition=True), "s3_infrequent_access_transition", "true", id="lifecycle-bool"
    ),
    # --- bucket name -----------------------------------------------------------------------
    pytest.param(s3(s3_bucket_name="ab"), "s3_bucket_name", '"ab"', id="bucket-name-too-short"),
    pytest.param(s3(s3_bucket_name="b" * 64), "s3_bucket_name", "b" * 60, id="bucket-name-too-long"),
    pytest.param(s3(s3_bucket_name="Flow-Logs"), "s3_bucket_name", "Flow-Logs", id="bucket-name-uppercase"),
    pytest.param(s3(s3_bucket_name="flow_logs"), "s3_bucket_name", "flow_logs", id="bucket-name-underscore"),
    pytest.param(s3(s3_bucket_name="-flow-logs"), "s3_bucket_name", "-flow-logs", id="bucket-name-leading-hyphen"),
    pytest.param(s3(s3_bucket_name="flow-logs."), "s3_bucket_name", "flow-logs.", id="bucket-name-trailing-dot"),
    pytest.param(s3(s3_bucket_name="flow..logs"), "s3_bucket_name", "flow..logs", id="bucket-name-double-dot"),
    pytest.param(s3(s3_bucket_name="192.168.1.10"), "s3_bucket_name", "192.168.1.10", id="bucket-name-ip-address"),
    pytest.param(s3(s3_bucket_name="xn--flowlogs"), "s3_bucket_name", "xn--flowlogs", id="bucket-name-prefix-xn"),
    pytest.param(s3(s3_bucket_name="sthree-logs"), "s3_bucket_name", "sthree-logs", id="bucket-name-prefix-sthree"),
    pytest.param(
        s3(s3_bucket_name="amzn-s3-demo-logs"), "s3_bucket_name", "amzn-s3-demo-logs", id="bucket-name-prefix-demo"
    ),
    pytest.param(
        s3(s3_bucket_name="flowlogs-s3alias"), "s3_bucket_name", "flowlogs-s3alias", id="bucket-name-suffix-s3alias"
    ),
    pytest.param(s3(s3_bucket_name="logs--ol-s3"), "s3_bucket_name", "logs--ol-s3", id="bucket-name-suffix-ol-s3"),
    pytest.param(s3(s3_bucket_name="logs.mrap"), "s3_bucket_name", "logs.mrap", id="bucket-name-suffix-mrap"),
    pytest.param(s3(s3_bucket_name="logs--x-s3"), "s3_bucket_name", "logs--x-s3", id="bucket-name-suffix-x-s3"),
    pytest.param(
        s3(s3_bucket_name="logs--table-s3"), "s3_bucket_name", "logs--table-s3", id="bucket-name-suffix-table-s3"
    ),
    # --- names -----------------------------------------------------------------------------
    pytest.param(vpc(cloudwatch_iam_role_name="r" * 65), "cloudwatch_iam_role_name", "r" * 65, id="role-name-too-long"),
    pytest.param(
        vpc(cloudwatch_iam_role_name="flow logs"), "cloudwatch_iam_role_name", "flow logs", id="role-name-space"
    ),
    pytest.param(
        vpc(cloudwatch_iam_role_name="path/role"), "cloudwatch_iam_role_name", "path/role", id="role-name-slash"
    ),
    pytest.param(
        vpc(cloudwatch_log_group_name="flow logs"), "cloudwatch_log_group_name", "flow logs", id="log-group-space"
    ),
    pytest.param(
        vpc(cloudwatch_log_group_name="flow*logs"), "cloudwatch_log_group_name", "flow*logs", id="log-group-star"
    ),
    pytest.param(
        vpc(cloudwatch_log_group_name="g" * 513), "cloudwatch_log_group_name", "g" * 60, id="log-group-too-long"
    ),
    pytest.param(
        vpc(cloudwatch_log_group_name="aws/flow-logs"),
        "cloudwatch_log_group_name",
        "aws/flow-logs",
        id="log-group-reserved-aws-prefix",
    ),
    pytest.param(vpc(kms_key_prefix="flow_logs_key_"), "kms_key_prefix", "flow_logs_key_", id="kms-prefix-no-alias"),
    pytest.param(
        vpc(kms_key_prefix="alias/aws/flow"), "kms_key_prefix", "alias/aws/flow", id="kms-prefix-aws-reserved"
    ),
    pytest.param(vpc(kms_key_prefix="alias/flow logs"), "kms_key_prefix", "alias/flow logs", id="kms-prefix-space"),
    pytest.param(vpc(kms_key_prefix="alias/" + "k" * 129), "kms_key_prefix", "alias/kkkk", id="kms-prefix-too-long"),
    pytest.param(s3(s3_subfolder="AWSLogs"), "s3_subfolder", "AWSLogs", id="subfolder-awslogs"),
    pytest.param(s3(s3_subfolder="AWSLogs/flows"), "s3_subfolder", "AWSLogs/flows", id="subfolder-starts-awslogs"),
    pytest.param(s3(s3_subfolder="/flows"), "s3_subfolder", "/flows", id="subfolder-leading-slash"),
    pytest.param(s3(s3_subfolder="flows/"), "s3_subfolder", "flows/", id="subfolder-trailing-slash"),
    pytest.param(s3(s3_subfolder="flows//vpc"), "s3_subfolder", "flows//vpc", id="subfolder-double-slash"),
    pytest.param(s3(s3_subfolder="flow logs"), "s3_subfolder", "flow logs", id="subfolder-space"),
    pytest.param(s3(s3_subfolder=["flows"]), "s3_subfolder", '["flows"]', id="subfolder-not-a-string"),
    # --- ARNs ------------------------------------------------------------------------------
    pytest.param(
        vpc(kms_key_arn="arn:aws:iam::123456789012:key/11111111-2222-3333-4444-555555555555"),
        "kms_key_arn",
        "arn:aws:iam::",
        id="kms-arn-wrong-service",
    ),
    pytest.param(vpc(kms_key_arn=BUCKET_ARN), "kms_key_arn", BUCKET_ARN, id="kms-arn-is-an-s3-arn"),
    pytest.param(
        vpc(kms_key_arn="arn:aws:kms:us-east-1:123456789012:alias/flows"),
        "kms_key_arn",
        "alias/flows",
        id="kms-arn-alias",
    ),
    pytest.param(
        vpc(kms_key_arn="arn:aws:kms:us-east-1:12345:key/11111111-2222-3333-4444-555555555555"),
        "kms_key_arn",
        ":12345:",
        id="kms-arn-short-account",
    ),
    pytest.param(
        vpc(kms_key_arn="arn:${AWS::StackName}:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"),
        "kms_key_arn",
        "${AWS::StackName}",
        id="kms-arn-foreign-placeholder",
    ),
    pytest.param(
        vpc(kms_key_arn="11111111-2222-3333-4444-555555555555"), "kms_key_arn", "11111111-2222", id="kms-arn-bare-id"
    ),
    pytest.param(
        firehose(kinesis_firehose_arn="arn:aws:firehose:us-east-1:123456789012:stream/flows"),
        "kinesis_firehose_arn",
        "stream/flows",
        id="firehose-arn-not-deliverystream",
    ),
    pytest.param(
        firehose(kinesis_firehose_arn="arn:aws:firehose:us-east-1:123456789012:deliverystream/"),
        "kinesis_firehose_arn",
        "deliverystream/",
        id="firehose-arn-empty-name",
    ),
    pytest.param(
        firehose(kinesis_firehose_arn="arn:aws:kinesis:us-east-1:123456789012:stream/flows"),
        "kinesis_firehose_arn",
        "arn:aws:kinesis",
        id="firehose-arn-is-a-kinesis-arn",
    ),
    pytest.param(
        vpc(iam_role_permissions_boundary="arn:aws:iam::123456789012:role/Boundary"),
        "iam_role_permissions_boundary",
        "role/Boundary",
        id="boundary-is-a-role-arn",
    ),
    pytest.param(
        vpc(iam_role_permissions_boundary="Boundary"),
        "iam_role_permissions_boundary",
        "Boundary",
        id="boundary-not-an-arn",
    ),
    pytest.param(
        custom_bucket(s3_bucket="example-flow-logs"), "s3_bucket", "example-flow-logs", id="s3-bucket-not-an-arn"
    ),
    pytest.param(
        custom_bucket(s3_bucket="arn:aws:s3:::Example_Bucket"),
        "s3_bucket",
        "Example_Bucket",
        id="s3-bucket-arn-bad-name",
    ),
    pytest.param(vpc(kms_key_users=["alice"]), "kms_key_users", "alice", id="key-users-not-arns"),
    pytest.param(vpc(kms_key_users=READER_ARN), "kms_key_users", READER_ARN, id="key-users-not-a-list"),
    pytest.param(
        vpc(kms_key_users=["arn:aws:iam::123456789012:group/Admins"]),
        "kms_key_users",
        "group/Admins",
        id="key-users-group-arn",
    ),
    pytest.param(vpc(kms_key_users=[READER_ARN, 42]), "kms_key_users", "42", id="key-users-non-string-item"),
    # --- inputs that belong to another destination ---------------------------------------------
    pytest.param(vpc(s3_subfolder="flows"), "s3_subfolder", "flows", id="subfolder-with-cloudwatch"),
    pytest.param(vpc(force_destroy_bucket=True), "force_destroy_bucket", "true", id="force-destroy-with-cloudwatch"),
    pytest.param(vpc(s3_expiration_transition=400), "s3_expiration_transition", "400", id="expiration-with-cloudwatch"),
    pytest.param(s3(cloudwatch_log_retention=30), "cloudwatch_log_retention", "30", id="retention-with-s3"),
    pytest.param(
        firehose(
            kinesis_firehose_arn="arn:aws-cn:firehose:cn-north-1:123456789012:deliverystream/s",
            kms_key_arn="arn:aws-cn:kms:cn-north-1:123456789012:key/11111111-2222-3333-4444-555555555555",
        ),
        "kms_key_arn",
        "arn:aws-cn:kms",
        id="key-with-firehose",
    ),
    pytest.param(
        custom_bucket(s3_glacier_transition=200), "s3_glacier_transition", "200", id="lifecycle-with-custom-bucket"
    ),
    pytest.param(
        custom_bucket(force_destroy_bucket=True), "force_destroy_bucket", "true", id="force-destroy-with-custom-bucket"
    ),
    pytest.param(
        custom_bucket(kms_key_arn="arn:aws-cn:kms:cn-north-1:123456789012:key/11111111-2222-3333-4444-555555555555"),
        "kms_key_arn",
        "arn:aws-cn:kms",
        id="key-with-custom-bucket",
    ),
    # --- destination_options ---------------------------------------------------------------
    pytest.param(
        s3(destination_options={"compression": "gzip"}), "destination_options", "compression", id="options-unknown-key"
    ),
    pytest.param(
        s3(destination_options={"hive_compatible_partitions": "yes"}),
        "destination_options.hive_compatible_partitions",
        '"yes"',
        id="options-bad-bool",
    ),
    pytest.param(
        s3(destination_options={"per_hour_partition": 1}),
        "destination_options.per_hour_partition",
        "1",
        id="options-int-for-bool",
    ),
    pytest.param(s3(destination_options=["parquet"]), "destination_options", '["parquet"]', id="options-not-a-mapping"),
    pytest.param(
        vpc(destination_options={"file_format": "parquet"}),
        "destination_options",
        "parquet",
        id="options-with-cloudwatch",
    ),
    # --- log_format ------------------------------------------------------------------------
    pytest.param(
        vpc(log_format="${version} ${no-such-field}"), "log_format", "no-such-field", id="format-unknown-field"
    ),
    pytest.param(
        vpc(log_format="${version}  ${srcaddr}"), "log_format", "${version}  ${srcaddr}", id="format-double-space"
    ),
    pytest.param(vpc(log_format="${version} ${srcaddr} "), "log_format", '${srcaddr} "', id="format-trailing-space"),
    pytest.param(vpc(log_format=" ${version}"), "log_format", '" ${version}', id="format-leading-space"),
    pytest.param(vpc(log_format="${version} ${version}"), "log_format", "${version} ${version}", id="format-duplicate"),
    pytest.param(
        vpc(log_format="${version} ${instance-tag}"),
        "tag_field_specifications",
        "instance-tag",
        id="format-tag-field-without-specifications",
    ),
    pytest.param(
        vpc(log_format="${version} ${tgw-id}"),
        "log_format",
        "not a field of vpc flow logs",
        id="format-tgw-field-on-vpc",
    ),
    pytest.param(
        {
            "transit_gateway_id": "tgw-0123456789abcdef0",
            "max_aggregation_interval": 60,
            "traffic_type": None,
            "log_format": "${version} ${action}",
        },
        "log_format",
        "not a field of transit-gateway flow logs",
        id="format-vpc-field-on-tgw",
    ),
    pytest.param(
        {"transit_gateway_id": "tgw-0123456789abcdef0", "traffic_type": None},
        "max_aggregation_interval",
        "600",
        id="tgw-interval-600",
    ),
    pytest.param(
        {
            "transit_gateway_attachment_id": "tgw-attach-0123456789abcdef0",
            "max_aggregation_interval": 60,
            "traffic_type": "ALL",
        },
        "traffic_type",
        "ALL",
        id="tgw-traffic-type",
    ),
    pytest.param(vpc(traffic_type=None), "traffic_type", "null", id="vpc-without-traffic-type"),
    pytest.param(
        vpc(
            log_format="${version} ${instance-tag}",
            tag_field_specifications=[{"resource_type": "vm", "tag_keys": ["a"]}],
        ),
        "tag_field_specifications[0].resource_type",
        "vm",
        id="tag-spec-resource-type",
    ),
    pytest.param(
        vpc(
            log_format="${version} ${asg-tag}",
            tag_field_specifications=[{"resource_type": "instance", "tag_keys": ["a", "b", "c"]}],
        ),
        "tag_field_specifications[0].tag_keys",
        '"c"',
        id="tag-spec-three-keys",
    ),
    pytest.param(
        vpc(tag_field_specifications=[{"resource_type": "instance", "tag_keys": ["Name"]}]),
        "tag_field_specifications",
        "instance",
        id="tag-spec-without-tag-field",
    ),
    pytest.param(
        vpc(
            log_format="${version} ${asg-tag}",
            tag_field_specifications=[{"resource_type": "instance", "tag_keys": ["a"]}] * 4,
        ),
        "tag_field_specifications",
        "instance",
        id="tag-spec-four",
    ),
    pytest.param(
        vpc(log_format="${version} ${asg-tag-2}"), "tag_field_specifications", "asg-tag-2", id="format-asg-tag-field"
    ),
    pytest.param(vpc(log_format="version srcaddr"), "log_format", "version srcaddr", id="format-no-braces"),
    pytest.param(vpc(log_format="${Version}"), "log_format", "${Version}", id="format-uppercase-field"),
    pytest.param(vpc(log_format=42), "log_format", "42", id="format-not-a-string"),
    # --- combinations ----------------------------------------------------------------------
    pytest.param(
        vpc(kinesis_firehose_arn=FIREHOSE_ARN),
        "kinesis_firehose_arn",
        "deliverystream/flows",
        id="firehose-arn-with-cloudwatch",
    ),
    pytest.param(
        s3(kinesis_firehose_arn=FIREHOSE_ARN), "kinesis_firehose_arn", "deliverystream/flows", id="firehose-arn-with-s3"
    ),
    pytest.param(firehose(), "kinesis_firehose_arn", "null", id="firehose-without-arn"),
    pytest.param(s3(s3_bucket=BUCKET_ARN), "s3_bucket", BUCKET_ARN, id="s3-bucket-without-custom-flag"),
    pytest.param(s3(enable_custom_s3_destination=True), "s3_bucket", "null", id="custom-flag-without-s3-bucket"),
    pytest.param(
        vpc(enable_custom_s3_destination=True, s3_bucket=BUCKET_ARN),
        "enable_custom_s3_destination",
        "true",
        id="custom-flag-with-cloudwatch",
    ),
    pytest.param(
        firehose(kinesis_firehose_arn=FIREHOSE_ARN, enable_custom_s3_destination=True, s3_bucket=BUCKET_ARN),
        "enable_custom_s3_destination",
        "true",
        id="custom-flag-with-firehose",
    ),
    pytest.param(
        s3(cloudwatch_log_group_name="flow-logs"), "cloudwatch_log_group_name", "flow-logs", id="log-group-with-s3"
    ),
    pytest.param(
        s3(cloudwatch_iam_role_name="FlowLogs"), "cloudwatch_iam_role_name", "FlowLogs", id="role-name-with-s3"
    ),
    pytest.param(
        s3(iam_role_permissions_boundary=BOUNDARY_ARN),
        "iam_role_permissions_boundary",
        "policy/Boundary",
        id="boundary-with-s3",
    ),
    pytest.param(
        firehose(kinesis_firehose_arn=FIREHOSE_ARN, cloudwatch_log_group_name="flow-logs"),
        "cloudwatch_log_group_name",
        "flow-logs",
        id="log-group-with-firehose",
    ),
    pytest.param(vpc(s3_bucket_name="flow-logs"), "s3_bucket_name", "flow-logs", id="bucket-name-with-cloudwatch"),
    pytest.param(
        custom_bucket(s3_bucket_name="flow-logs"), "s3_bucket_name", "flow-logs", id="bucket-name-with-custom-bucket"
    ),
    pytest.param(
        custom_bucket(**{STATEMENTS: {"Readers": {"actions": ["s3:GetObject"], "principals": {"AWS": [READER_ARN]}}}}),
        STATEMENTS,
        "Readers",
        id="statements-with-custom-bucket",
    ),
    pytest.param(
        vpc(kms_key_arn=KEY_ARN, kms_key_users=[READER_ARN]),
        "kms_key_users",
        "role/Readers",
        id="key-users-with-key-arn",
    ),
    pytest.param(
        vpc(kms_key_arn=KEY_ARN, kms_key_deletion_window_in_days=7),
        "kms_key_deletion_window_in_days",
        "7",
        id="deletion-window-with-key-arn",
    ),
    # --- custom_tags -----------------------------------------------------------------------
    pytest.param(vpc(custom_tags=tags(51)), "custom_tags", "51 tags", id="tags-51"),
    pytest.param(vpc(custom_tags=tags(50)), "custom_tags", "50 tags", id="tags-50-with-the-stacks-mark"),
    pytest.param(
        vpc(custom_tags={"cfn-flowlogs:stack": "x"}),
        "custom_tags",
        "cfn-flowlogs:stack",
        id="tags-a-mark-of-who-made-it",
    ),
    pytest.param(vpc(custom_tags={"": "value"}), "custom_tags", '""', id="tags-empty-key"),
    pytest.param(vpc(custom_tags={"k" * 129: "value"}), "custom_tags", "k" * 100, id="tags-key-129-chars"),
    pytest.param(vpc(custom_tags={"team": "v" * 257}), "custom_tags.team", "v" * 100, id="tags-value-257-chars"),
    pytest.param(vpc(custom_tags={"aws:team": "network"}), "custom_tags", "aws:team", id="tags-aws-prefix"),
    pytest.param(vpc(custom_tags={"AWS:team": "network"}), "custom_tags", "AWS:team", id="tags-aws-prefix-uppercase"),
    pytest.param(vpc(custom_tags={"team!": "network"}), "custom_tags", "team!", id="tags-key-bad-char"),
    pytest.param(vpc(custom_tags={"team": "net<work>"}), "custom_tags.team", "net<work>", id="tags-value-bad-char"),
    pytest.param(vpc(custom_tags={"team": 42}), "custom_tags.team", "42", id="tags-value-not-a-string"),
    pytest.param(vpc(custom_tags={"team": None}), "custom_tags.team", "null", id="tags-value-none"),
    pytest.param(vpc(custom_tags={1: "one"}), "custom_tags", '{1: "one"}', id="tags-key-not-a-string"),
    pytest.param(vpc(custom_tags=["team"]), "custom_tags", '["team"]', id="tags-not-a-mapping"),
    pytest.param(vpc(custom_tags=None), "custom_tags", "null", id="tags-none"),
    pytest.param(
        vpc(custom_tags={"team\nname": "network"}),
        "custom_tags",
        "team\\nname",
        id="tags-key-newline",
    ),
    pytest.param(
        vpc(custom_tags={"team": "net\twork"}),
        "custom_tags.team",
        "net\\twork",
        id="tags-value-tab",
    ),
    # --- additional_s3_bucket_policy_statements --------------------------------------------
    pytest.param(s3(**{STATEMENTS: ["Readers"]}), STATEMENTS, '["Readers"]', id="statements-not-a-mapping"),
    pytest.param(s3(**{STATEMENTS: {"Allow-Readers": {}}}), STATEMENTS, "Allow-Readers", id="statements-bad-sid"),
    pytest.param(s3(**{STATEMENTS: {"": {}}}), STATEMENTS, '""', id="statements-empty-sid"),
    pytest.param(
        s3(**{STATEMENTS: {"AWSLogDeliveryWrite": {}}}),
        STATEMENTS,
        "AWSLogDeliveryWrite",
        id="statements-reserved-sid-write",
    ),
    pytest.param(
        s3(**{STATEMENTS: {"DenyInsecureTransport": {}}}),
        STATEMENTS,
        "DenyInsecureTransport",
        id="statements-reserved-sid-tls",
    ),
    pytest.param(
        s3(**{STATEMENTS: {"Readers": "s3:GetObject"}}), READERS, "s3:GetObject", id="statement-not-a-mapping"
    ),
    pytest.param(statement(resources=["*"]), READERS, "resources", id="statement-unknown-key"),
    pytest.param(
        statement(not_actions=["s3:PutObject"]), f"{READERS}.not_actions", "s3:PutObject", id="statement-not-actions"
    ),
    pytest.param(
        statement(not_principals={"AWS": [READER_ARN]}),
        f"{READERS}.not_principals",
        "role/Readers",
        id="statement-not-principals",
    ),
    pytest.param(statement(effect="Maybe"), f"{READERS}.effect", "Maybe", id="statement-effect-maybe"),
    pytest.param(statement(effect="allow"), f"{READERS}.effect", "allow", id="statement-effect-lowercase"),
    pytest.param(statement(actions=[]), f"{READERS}.actions", "[]", id="statement-actions-empty"),
    pytest.param(statement(without=("actions",)), f"{READERS}.actions", "null", id="statement-actions-missing"),
    pytest.param(
        statement(actions="s3:GetObject"), f"{READERS}.actions", "s3:GetObject", id="statement-actions-string"
    ),
    pytest.param(statement(actions=["GetObject"]), f"{READERS}.actions", "GetObject", id="statement-action-no-service"),
    pytest.param(statement(actions=["s3:Get Object"]), f"{READERS}.actions", "Get Object", id="statement-action-space"),
    pytest.param(
        statement(actions=[42]),
        f"{READERS}.actions",
        "42",
        id="statement-action-not-a-string",
    ),
    pytest.param(
        statement(principals={"User": [READER_ARN]}), f"{READERS}.principals", "User", id="statement-principal-type"
    ),
    pytest.param(statement(principals={}), f"{READERS}.principals", "{}", id="statement-principals-empty"),
    pytest.param(
        statement(without=("principals",)), f"{READERS}.principals", "null", id="statement-principals-missing"
    ),
    pytest.param(
        statement(principals={"AWS": []}), f"{READERS}.principals.AWS", "[]", id="statement-principal-ids-empty"
    ),
    pytest.param(
        statement(principals={"AWS": READER_ARN}),
        f"{READERS}.principals.AWS",
        "role/Readers",
        id="statement-principal-ids-string",
    ),
    pytest.param(
        statement(principals={"AWS": ["arn:aws:iam::${Account}:root"]}),
        f"{READERS}.principals.AWS",
        "${Account}",
        id="statement-principal-foreign-placeholder",
    ),
    pytest.param(statement(principals={"AWS": ["*"]}), f"{READERS}.principals.AWS", '"*"', id="statement-allow-star"),
    pytest.param(
        statement(principals={"AWS": [READER_ARN, "*"]}),
        f"{READERS}.principals.AWS",
        '"*"',
        id="statement-allow-star-among-others",
    ),
    pytest.param(
        statement(principals={"AWS": [42]}),
        f"{READERS}.principals.AWS",
        "42",
        id="statement-principal-not-a-string",
    ),
    pytest.param(
        statement(keys=["logs/${aws:username}"]), f"{READERS}.keys", "${aws:username}", id="statement-key-var"
    ),
    pytest.param(statement(keys=[""]), f"{READERS}.keys", '""', id="statement-key-empty"),
    pytest.param(statement(keys="logs/*"), f"{READERS}.keys", "logs/*", id="statement-keys-string"),
    pytest.param(
        statement(keys=[42]),
        f"{READERS}.keys",
        "42",
        id="statement-key-not-a-string",
    ),
    pytest.param(
        condition(test="StringEqual", variable="aws:SourceVpc", values=[VPC]),
        f"{READERS}.condition.vpc.test",
        "StringEqual",
        id="condition-bad-operator",
    ),
    pytest.param(
        condition(test="StringEquals", variable="aws:SourceVpc"),
        f"{READERS}.condition.vpc",
        '["test", "variable"]',
        id="condition-missing-values",
    ),
    pytest.param(
        condition(test="StringEquals", variable="aws:SourceVpc", values=[VPC], extra="x"),
        f"{READERS}.condition.vpc",
        '"extra"',
        id="condition-extra-key",
    ),
    pytest.param(
        condition(test="StringEquals", variable="SourceVpc", values=[VPC]),
        f"{READERS}.condition.vpc.variable",
        "SourceVpc",
        id="condition-bad-variable",
    ),
    pytest.param(
        condition(test="StringEquals", variable="aws:SourceVpc", values=[]),
        f"{READERS}.condition.vpc.values",
        "[]",
        id="condition-values-empty",
    ),
    pytest.param(
        condition(test="StringEquals", variable="aws:SourceVpc", values=VPC),
        f"{READERS}.condition.vpc.values",
        VPC,
        id="condition-values-string",
    ),
    pytest.param(
        statement(condition=["StringEquals"]), f"{READERS}.condition", '["StringEquals"]', id="condition-not-a-mapping"
    ),
    pytest.param(
        condition(test=["StringEquals"], variable="aws:SourceVpc", values=[VPC]),
        f"{READERS}.condition.vpc.test",
        '["StringEquals"]',
        id="condition-operator-not-a-string",
    ),
    pytest.param(
        vpc(**{STATEMENTS: {"Readers": {"actions": ["s3:GetObject"], "principals": {"AWS": [READER_ARN]}}}}),
        STATEMENTS,
        "Readers",
        id="statements-with-cloudwatch",
    ),
    pytest.param(
        firehose(kinesis_firehose_arn=FIREHOSE_ARN, **{STATEMENTS: {}}),
        STATEMENTS,
        "{}",
        id="statements-with-firehose",
    ),
    # --- wrong types for bools and ints ----------------------------------------------------
    pytest.param(vpc(create_resources="true"), "create_resources", '"true"', id="create-resources-string"),
    pytest.param(vpc(create_resources=1), "create_resources", "1", id="create-resources-int"),
    pytest.param(vpc(create_resources=None), "create_resources", "null", id="create-resources-none"),
    pytest.param(vpc(use_managed_iam_policies="false"), "use_managed_iam_policies", '"false"', id="managed-string"),
    pytest.param(s3(force_destroy_bucket="yes"), "force_destroy_bucket", '"yes"', id="force-destroy-string"),
    pytest.param(
        s3(enable_custom_s3_destination="true", s3_bucket=BUCKET_ARN),
        "enable_custom_s3_destination",
        '"true"',
        id="custom-flag-string",
    ),
    pytest.param(s3(s3_expiration_transition="400"), "s3_expiration_transition", '"400"', id="expiration-string"),
]


@pytest.mark.parametrize(("kwargs", "name", "fragment"), REJECTED)
def test_invalid_input_is_rejected_naming_the_input_and_the_value(kwargs, name, fragment):
    # GIVEN inputs that break one rule
    # WHEN a config is built from them
    error = config_error(kwargs)
    # THEN the error names the input and shows the bad value
    assert error.name.startswith(name), f"error names {error.name!r}, expected {name!r}"
    message = str(error)
    assert name in message
    assert fragment in message, f"{fragment!r} not in {message!r}"
    assert message.startswith(f"{error.name} must be ")
    assert "\n" not in message


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param(vpc(kms_key_arn=KEY_ARN.replace(":aws:", ":aws-cn:")), id="kms-arn-aws-cn"),
        pytest.param(vpc(kms_key_arn=KEY_ARN.replace(":aws:", ":aws-us-gov:")), id="kms-arn-aws-us-gov"),
        pytest.param(vpc(kms_key_arn=MRK_ARN), id="kms-arn-multi-region-key"),
        pytest.param(
            vpc(
                kms_key_arn="arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/"
                "11111111-2222-3333-4444-555555555555"
            ),
            id="kms-arn-pseudo",
        ),
        pytest.param(vpc(kms_key_users=["arn:aws-cn:iam::123456789012:root"]), id="key-users-aws-cn"),
        pytest.param(vpc(kms_key_users=["arn:aws-us-gov:iam::123456789012:user/ops/alice"]), id="key-users-us-gov"),
        pytest.param(vpc(kms_key_users=["arn:${AWS::Partition}:iam::${AWS::AccountId}:role/R"]), id="key-users-pseudo"),
        pytest.param(
            vpc(iam_role_permissions_boundary="arn:aws-us-gov:iam::123456789012:policy/B"), id="boundary-us-gov"
        ),
        pytest.param(vpc(iam_role_permissions_boundary="arn:aws:iam::aws:policy/PowerUserAccess"), id="boundary-aws"),
        pytest.param(
            vpc(iam_role_permissions_boundary="arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/B"),
            id="boundary-pseudo",
        ),
        pytest.param(custom_bucket(s3_bucket="arn:aws-cn:s3:::example-flow-logs"), id="s3-bucket-aws-cn"),
        pytest.param(custom_bucket(s3_bucket="arn:${AWS::Partition}:s3:::example-flow-logs"), id="s3-bucket-pseudo"),
        pytest.param(
            firehose(
                kinesis_firehose_arn=FIREHOSE_ARN.replace(":aws:", ":aws-us-gov:").replace("us-east-1", "us-gov-west-1")
            ),
            id="firehose-us-gov",
        ),
        pytest.param(
            firehose(
                kinesis_firehose_arn="arn:${AWS::Partition}:firehose:${AWS::Region}:${AWS::AccountId}:deliverystream/f"
            ),
            id="firehose-pseudo",
        ),
    ],
)
def test_arns_of_every_partition_and_the_pseudo_form_are_accepted(kwargs):
    # GIVEN an ARN in another partition or spelled with ${AWS::...} pseudo parameters
    # WHEN a config is built THEN it is accepted
    FlowLogsConfig(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param(vpc(cloudwatch_log_retention=0), id="retention-0-forever"),
        pytest.param(vpc(cloudwatch_log_retention=3653), id="retention-3653"),
        pytest.param(vpc(kms_key_deletion_window_in_days=7), id="deletion-window-7"),
        pytest.param(vpc(kms_key_deletion_window_in_days=30), id="deletion-window-30"),
        pytest.param(vpc(kms_key_prefix=""), id="kms-prefix-empty-no-alias"),
        pytest.param(vpc(kms_key_prefix="alias/awsome/"), id="kms-prefix-aws-lookalike"),
        pytest.param(vpc(cloudwatch_iam_role_name="r" * 64), id="role-name-64"),
        pytest.param(vpc(cloudwatch_log_group_name="/vpc/flow-logs#1." + "g" * (512 - 17)), id="log-group-512"),
        pytest.param(s3(s3_bucket_name="abc"), id="bucket-name-3"),
        pytest.param(s3(s3_bucket_name="b" * 63), id="bucket-name-63"),
        pytest.param(s3(s3_bucket_name="flow.logs-1"), id="bucket-name-dot"),
        pytest.param(s3(s3_subfolder="flows/vpc-1/a.b"), id="subfolder-nested"),
        pytest.param(s3(s3_subfolder="awslogs"), id="subfolder-lowercase-awslogs"),
        pytest.param(
            s3(s3_infrequent_access_transition=60, s3_glacier_transition=90, s3_expiration_transition=91),
            id="lifecycle-minimum-gaps",
        ),
        pytest.param(s3(destination_options={}), id="options-empty"),
        pytest.param(
            s3(
                destination_options={
                    "file_format": "parquet",
                    "hive_compatible_partitions": True,
                    "per_hour_partition": True,
                }
            ),
            id="options-all",
        ),
        pytest.param(vpc(log_format="${version} ${srcaddr} ${reject-reason} ${next-hop-vpc-id}"), id="format-v11"),
        pytest.param(vpc(log_format=""), id="format-empty-is-aws-default"),
        pytest.param(vpc(custom_tags=tags(49)), id="tags-49"),  # and cfn-flowlogs:stack: AWS's 50
        pytest.param(vpc(custom_tags={"k" * 128: "v" * 256}), id="tags-max-lengths"),
        pytest.param(vpc(custom_tags={"team": ""}), id="tags-empty-value"),
        pytest.param(vpc(custom_tags={"équipe": "réseau", "a b": "c:d/e=f+g-h@i_j.k"}), id="tags-unicode-and-specials"),
        pytest.param(statement(effect="Deny", principals={"AWS": ["*"]}), id="statement-deny-star"),
        pytest.param(statement(not_actions=[], not_principals={}), id="statement-empty-not-keys"),
        pytest.param(statement(without=("effect",)), id="statement-default-effect"),
        pytest.param(statement(keys=["logs/*", "/other/*"]), id="statement-keys"),
        pytest.param(
            statement(principals={"Service": ["athena.amazonaws.com"], "AWS": [READER_ARN]}),
            id="statement-two-principal-types",
        ),
        pytest.param(statement(actions=["s3:Get*", "s3:List?ucket"]), id="statement-wildcard-actions"),
        pytest.param(
            condition(test="ForAnyValue:StringLike", variable="aws:PrincipalOrgPaths", values=["o-a/*"]),
            id="condition-set-operator",
        ),
        pytest.param(
            statement(principals={"AWS": ["arn:${AWS::Partition}:iam::${AWS::AccountId}:root"]}),
            id="statement-pseudo-principal",
        ),
        pytest.param({"subnet_id": SUBNET}, id="subnet-target"),
        pytest.param({"eni_id": "eni-01234567"}, id="eni-target-8-hex"),
        pytest.param(vpc(create_resources=False), id="create-resources-false"),
        pytest.param(vpc(additional_vpc_ids=["vpc-0aaaaaaa", "vpc-0123456789abcdef1"]), id="more-vpcs"),
        pytest.param(vpc(additional_vpc_ids=[]), id="more-vpcs-empty"),
        pytest.param({"subnet_id": SUBNET, "additional_vpc_ids": [VPC]}, id="more-vpcs-with-a-subnet-target"),
    ],
)
def test_boundary_values_are_accepted(kwargs):
    # GIVEN inputs at the edge of what the rules allow
    # WHEN a config is built THEN it is accepted
    FlowLogsConfig(**kwargs)


def test_defaults_plus_one_vpc_build_a_template():
    # GIVEN only a VPC ID
    config = FlowLogsConfig(vpc_id=VPC)
    # WHEN the template is built
    text = to_json(build_template(config))
    # THEN it names the VPC and has resources
    assert VPC in text
    assert '"Resources"' in text


def test_defaults_are_the_terraform_modules():
    # GIVEN the Terraform module's variable defaults
    expected = {
        "traffic_type": "REJECT",
        "log_destination_type": "cloud-watch-logs",
        "cloudwatch_log_retention": 731,
        "use_managed_iam_policies": True,
        "kms_key_prefix": "alias/flow_logs_key_",
        "s3_subfolder": "",
        "s3_infrequent_access_transition": 30,
        "s3_glacier_transition": 180,
        "s3_expiration_transition": 365,
        "force_destroy_bucket": False,
        "max_aggregation_interval": 600,
        "create_resources": True,
        "enable_custom_s3_destination": False,
        "kms_key_deletion_window_in_days": None,
        "log_format": None,
        "kinesis_firehose_arn": None,
    }
    # WHEN a config is built from a VPC ID alone
    config = FlowLogsConfig(vpc_id=VPC)
    # THEN the declared defaults and the built config's values are the module's
    declared = {f.name: f.default for f in fields(FlowLogsConfig)}
    for name, value in expected.items():
        assert declared[name] == value, name
        assert getattr(config, name) == value, name
    assert config.custom_tags == {}
    assert FlowLogsConfig(vpc_id=VPC).custom_tags is not config.custom_tags  # no shared default dict


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"vpc_id": Ref("MyVpc")}, id="vpc-ref"),
        pytest.param({"subnet_id": GetAtt("Subnet", "SubnetId")}, id="subnet-getatt"),
        pytest.param(vpc(kms_key_arn=Ref("KeyArn")), id="kms-arn-ref"),
        pytest.param(s3(s3_bucket_name=Ref("BucketName")), id="bucket-name-ref"),
        pytest.param(vpc(cloudwatch_log_group_name=Ref("LogGroupName")), id="log-group-ref"),
        pytest.param(vpc(kms_key_users=[Ref("AuditorArn")]), id="key-user-ref"),
        pytest.param(
            vpc(log_format=Ref("LogFormat")),
            id="log-format-ref",
        ),
    ],
)
def test_troposphere_expressions_skip_the_literal_checks(kwargs):
    # GIVEN a troposphere expression where a free-form string input is expected
    # WHEN a config is built
    config = FlowLogsConfig(**kwargs)
    # THEN it is accepted and kept as the very same expression
    for name, value in kwargs.items():
        if isinstance(value, list):
            assert list(getattr(config, name)) == value
        else:
            assert getattr(config, name) is value


def test_a_ref_vpc_config_builds_a_template():
    config = FlowLogsConfig(vpc_id=Ref("MyVpc"))
    assert '"Ref": "MyVpc"' in to_json(build_template(config))


def test_the_callers_dicts_and_lists_are_neither_mutated_nor_aliased():
    # GIVEN mutable inputs
    custom_tags = {"team": "network"}
    options = {"file_format": "parquet"}
    statements = {"Readers": {"actions": ["s3:GetObject"], "principals": {"AWS": [READER_ARN]}}}
    users = [READER_ARN]
    before = copy.deepcopy((custom_tags, options, statements, users))
    # WHEN configs are built from them
    config = FlowLogsConfig(**s3(custom_tags=custom_tags, destination_options=options, **{STATEMENTS: statements}))
    cloudwatch = FlowLogsConfig(vpc_id=VPC, kms_key_users=users)
    # THEN building did not change them
    assert (custom_tags, options, statements, users) == before
    # AND changing them afterwards does not change the configs
    custom_tags["team"] = "changed"
    custom_tags["new"] = "tag"
    options["file_format"] = "plain-text"
    statements["Readers"]["actions"].append("s3:PutObject")
    statements["Readers"]["principals"]["AWS"].append("*")
    statements["Other"] = {}
    users.append("arn:aws:iam::123456789012:root")
    assert config.custom_tags == {"team": "network"}
    assert config.destination_options == {"file_format": "parquet"}
    assert config.additional_s3_bucket_policy_statements == before[2]
    assert tuple(cloudwatch.kms_key_users) == (READER_ARN,)


def test_config_is_frozen():
    config = FlowLogsConfig(vpc_id=VPC)
    with pytest.raises(AttributeError):
        config.vpc_id = "vpc-11111111"  # type: ignore[misc]


def test_from_mapping_builds_a_config():
    config = FlowLogsConfig.from_mapping({"vpc_id": VPC, "traffic_type": "ALL"})
    assert (config.vpc_id, config.traffic_type) == (VPC, "ALL")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        pytest.param({"vpc_id": VPC, "vpcid": VPC}, "vpcid", id="unknown-key"),
        pytest.param({"vpc_id": VPC, "Traffic_Type": "ALL"}, "Traffic_Type", id="wrong-case-key"),
        pytest.param(
            {"vpc_id": VPC, "hive_compatible_partitions": True},
            "hive_compatible_partitions",
            id="destination-option-at-top-level",
        ),
        pytest.param(["vpc_id"], '["vpc_id"]', id="not-a-mapping"),
        pytest.param({1: VPC}, "{1: ", id="non-string-key"),
    ],
)
def test_from_mapping_rejects_unknown_keys_naming_the_key(data, fragment):
    # GIVEN a mapping with a key that is no input of the module
    # WHEN a config is built from it
    with pytest.raises(ConfigError) as caught:
        FlowLogsConfig.from_mapping(data)
    # THEN the error names the key
    assert caught.value.name == "config"
    assert fragment in str(caught.value)
