"""Configurations that span the option space, shared by the lint and equivalence tests."""

from __future__ import annotations

import itertools
from typing import Any

KEY_ARN = "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/11111111-2222-3333-4444-555555555555"
BUCKET_ARN = "arn:${AWS::Partition}:s3:::example-custom-bucket"
FIREHOSE_ARN = "arn:${AWS::Partition}:firehose:${AWS::Region}:${AWS::AccountId}:deliverystream/flows"
CENTRAL_FIREHOSE_ARN = "arn:${AWS::Partition}:firehose:${AWS::Region}:111122223333:deliverystream/central"
CROSS_ACCOUNT_ROLE_ARN = "arn:${AWS::Partition}:iam::111122223333:role/AWSLogDeliveryFirehoseCrossAccountRole-flows"
BOUNDARY_ARN = "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/Boundary"

TRANSIT_GATEWAY = {"max_aggregation_interval": 60, "traffic_type": None}  # EC2 takes no other
TARGETS = (
    {"vpc_id": "vpc-0123456789abcdef0"},
    {"subnet_id": "subnet-0123456789abcdef0"},
    {"eni_id": "eni-0123456789abcdef0"},
    {"transit_gateway_id": "tgw-0123456789abcdef0", **TRANSIT_GATEWAY},
    {"transit_gateway_attachment_id": "tgw-attach-0123456789abcdef0", **TRANSIT_GATEWAY},
    {"regional_nat_gateway_id": "nat-0123456789abcdef0"},
)
PARTITIONS = tuple(
    {"destination_options": {"hive_compatible_partitions": hive, "per_hour_partition": hourly, "file_format": fmt}}
    for (hive, hourly), fmt in zip(
        itertools.product((False, True), (False, True)), ("plain-text", "parquet", "parquet", "plain-text"), strict=True
    )
)


def _destinations() -> list[dict[str, Any]]:
    """Every destination with the options that matter to it (others are rejected with it)."""
    cloudwatch = [
        {"log_destination_type": "cloud-watch-logs", "use_managed_iam_policies": managed, **key}
        for managed in (True, False)
        for key in ({}, {"kms_key_arn": KEY_ARN})
    ]
    created_bucket = [
        {"log_destination_type": "s3", **key, **options}
        for key in ({}, {"kms_key_arn": KEY_ARN})
        for options in PARTITIONS
    ]
    custom_bucket = [
        {"log_destination_type": "s3", "enable_custom_s3_destination": True, "s3_bucket": BUCKET_ARN, **options}
        for options in PARTITIONS
    ]
    firehose = [
        {"log_destination_type": "kinesis-data-firehose", "kinesis_firehose_arn": FIREHOSE_ARN},
        {
            "log_destination_type": "kinesis-data-firehose",
            "kinesis_firehose_arn": CENTRAL_FIREHOSE_ARN,
            "deliver_cross_account_role": CROSS_ACCOUNT_ROLE_ARN,
        },
    ]
    return cloudwatch + created_bucket + custom_bucket + firehose


def matrix() -> list[dict[str, Any]]:
    """Every target kind x destination (with its key, bucket, policy and partition options) x
    create_resources: 6 x 18 x 2 configurations."""
    return [
        {**target, **destination, "create_resources": create}
        for target in TARGETS
        for destination in _destinations()
        for create in (True, False)
    ]


# Configurations that turn on everything else at least once.
EXTRAS: list[dict[str, Any]] = [
    {
        **TARGETS[0],
        "cloudwatch_log_group_name": "/org/flow-logs",
        "cloudwatch_iam_role_name": "FlowLogsDelivery",
        "iam_role_permissions_boundary": BOUNDARY_ARN,
        "kms_key_users": ["arn:${AWS::Partition}:iam::${AWS::AccountId}:role/Auditor"],
        "kms_key_deletion_window_in_days": 7,
        "kms_key_prefix": None,
        "cloudwatch_log_retention": 0,
        "log_format": "${version} ${srcaddr} ${dstaddr} ${action}",
        "max_aggregation_interval": 60,
        "traffic_type": "ALL",
        "custom_tags": {"team": "network", "cost-center": "1234"},
    },
    {
        **TARGETS[1],
        "log_destination_type": "s3",
        "s3_bucket_name": "example-flow-logs-bucket",
        "s3_subfolder": "org/flows",
        "force_destroy_bucket": True,
        "s3_infrequent_access_transition": 45,
        "s3_glacier_transition": 90,
        "s3_expiration_transition": 400,
        "destination_options": {"hive_compatible_partitions": True},
        "additional_s3_bucket_policy_statements": {
            "AllowReaders": {
                "effect": "Allow",
                "actions": ["s3:GetObject"],
                "principals": {"AWS": ["arn:${AWS::Partition}:iam::${AWS::AccountId}:role/Reader"]},
                "keys": ["org/flows/*"],
                "condition": {"vpc": {"test": "StringEquals", "variable": "aws:SourceVpc", "values": ["vpc-1"]}},
            },
            "DenyOthers": {"effect": "Deny", "actions": ["s3:DeleteObject"], "principals": {"AWS": ["*"]}},
        },
        "custom_tags": {"team": "network"},
    },
]


# Central archives: each source kind, with the bucket options.
ARCHIVES: list[dict[str, Any]] = [
    {"source_account_ids": ["111122223333", "444455556666"]},
    {"source_account_ids": ["111122223333"], "s3_subfolder": "org", "hive_compatible_partitions": True,
     "force_destroy_bucket": True, "kms_key_prefix": None, "audit_role_name": "cfn-flowlogs-audit",
     "audit_principal_arn": "arn:${AWS::Partition}:iam::111122223333:role/auditor"},
    {"organization_id": "o-abcd123456", "s3_bucket_name": "example-org-archive", "kms_key_deletion_window_in_days": 30,
     "kms_key_users": ["arn:${AWS::Partition}:iam::${AWS::AccountId}:role/Analyst"], "custom_tags": {"team": "sec"},
     "audit_role_name": "cfn-flowlogs-audit"},
]  # fmt: skip
