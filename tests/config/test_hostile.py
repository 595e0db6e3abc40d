"""A catalogue of hostile and broken inputs, through the library and through the CLI.

Each row is a config file's mapping and the input its error must name. Through the library:
a ConfigError naming it. Through `cfn-flowlogs build`: exit code 2, one line on stderr, no
traceback, and the output file, if one existed, byte-for-byte untouched (none created if not).
"""

from __future__ import annotations

import pytest
import yaml

from cfn_flowlogs import ConfigError, FlowLogsConfig
from cfn_flowlogs.cli import main

VPC = {"vpc_id": "vpc-0123456789abcdef0"}
S3 = {**VPC, "log_destination_type": "s3"}
FIREHOSE = {**VPC, "log_destination_type": "kinesis-data-firehose"}
KEY = "arn:aws-cn:kms:cn-north-1:123456789012:key/11111111-2222-3333-4444-555555555555"


def statement(**body):
    return {**S3, "additional_s3_bucket_policy_statements": {"Extra": {"actions": ["s3:GetObject"],
            "principals": {"AWS": ["arn:aws-us-gov:iam::123456789012:root"]}, **body}}}  # fmt: skip


CATALOGUE = [
    # --- wrong types -------------------------------------------------------------------------------
    ({"vpc_id": 123}, "vpc_id"),
    ({**VPC, "traffic_type": ["ALL"]}, "traffic_type"),
    ({**VPC, "create_resources": "yes"}, "create_resources"),
    ({**VPC, "cloudwatch_log_retention": "731"}, "cloudwatch_log_retention"),
    ({**VPC, "max_aggregation_interval": 60.0}, "max_aggregation_interval"),
    ({**VPC, "custom_tags": ["team=network"]}, "custom_tags"),
    ({**S3, "destination_options": "parquet"}, "destination_options"),
    ({**VPC, "kms_key_users": "arn:aws-cn:iam::123456789012:root"}, "kms_key_users"),
    ({**S3, "s3_infrequent_access_transition": 29.5}, "s3_infrequent_access_transition"),
    ({**VPC, "use_managed_iam_policies": None}, "use_managed_iam_policies"),
    ({**S3, "force_destroy_bucket": 1}, "force_destroy_bucket"),
    # --- out of range --------------------------------------------------------------------------------
    ({**VPC, "cloudwatch_log_retention": 2}, "cloudwatch_log_retention"),
    ({**VPC, "cloudwatch_log_retention": -1}, "cloudwatch_log_retention"),
    ({**VPC, "max_aggregation_interval": 300}, "max_aggregation_interval"),
    ({**VPC, "kms_key_deletion_window_in_days": 6}, "kms_key_deletion_window_in_days"),
    ({**VPC, "kms_key_deletion_window_in_days": 31}, "kms_key_deletion_window_in_days"),
    ({**S3, "s3_infrequent_access_transition": 29}, "s3_infrequent_access_transition"),
    ({**S3, "s3_glacier_transition": 40}, "s3_glacier_transition"),
    ({**S3, "s3_expiration_transition": 180}, "s3_expiration_transition"),
    ({**S3, "s3_expiration_transition": 0}, "s3_expiration_transition"),
    # --- ARNs of the wrong service, shape or partition -----------------------------------------------
    ({**VPC, "kms_key_arn": "arn:aws-cn:s3:::bucket"}, "kms_key_arn"),
    ({**VPC, "kms_key_arn": "arn:azure:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"},
     "kms_key_arn"),
    ({**VPC, "kms_key_arn": "arn:aws-cn:kms:cn-north-1:123456789012:alias/flow-logs"}, "kms_key_arn"),
    ({**VPC, "kms_key_arn": "11111111-2222-3333-4444-555555555555"}, "kms_key_arn"),
    ({**S3, "enable_custom_s3_destination": True, "s3_bucket": "arn:aws-cn:s3:::bucket/prefix"}, "s3_bucket"),
    ({**S3, "enable_custom_s3_destination": True, "s3_bucket": "my-bucket"}, "s3_bucket"),
    ({**FIREHOSE, "kinesis_firehose_arn": "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/flows"},
     "kinesis_firehose_arn"),
    ({**VPC, "iam_role_permissions_boundary": "arn:aws-cn:iam::123456789012:role/Boundary"},
     "iam_role_permissions_boundary"),
    ({**VPC, "kms_key_users": ["arn:aws-cn:sts::123456789012:federated-user/x"]}, "kms_key_users"),
    ({**VPC, "kms_key_users": ["*"]}, "kms_key_users"),
    ({**VPC, "kms_key_arn": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::StackName}:key/x"}, "kms_key_arn"),
    # --- malformed names ---------------------------------------------------------------------------------
    ({"vpc_id": "vpc-123"}, "vpc_id"),
    ({"subnet_id": "subnet-XYZ01234"}, "subnet_id"),
    ({"eni_id": "vpc-0123456789abcdef0"}, "eni_id"),
    ({**S3, "s3_bucket_name": "My_Bucket"}, "s3_bucket_name"),
    ({**S3, "s3_bucket_name": "192.168.1.1"}, "s3_bucket_name"),
    ({**S3, "s3_bucket_name": "a" * 64}, "s3_bucket_name"),
    ({**VPC, "cloudwatch_iam_role_name": "r" * 65}, "cloudwatch_iam_role_name"),
    ({**VPC, "cloudwatch_log_group_name": "aws/reserved"}, "cloudwatch_log_group_name"),
    ({**VPC, "kms_key_prefix": "alias/aws/mine"}, "kms_key_prefix"),
    ({**VPC, "kms_key_prefix": "flow_logs_key_"}, "kms_key_prefix"),
    ({**S3, "s3_subfolder": "AWSLogs/x"}, "s3_subfolder"),
    ({**S3, "s3_subfolder": "/leading"}, "s3_subfolder"),
    # --- injection attempts: references, quotes, newlines ------------------------------------------------
    ({**VPC, "cloudwatch_log_group_name": "${AWS::AccountId}"}, "cloudwatch_log_group_name"),
    ({**VPC, "cloudwatch_log_group_name": "/flows\nResources: {}"}, "cloudwatch_log_group_name"),
    ({**VPC, "cloudwatch_iam_role_name": "${AWS::StackName}"}, "cloudwatch_iam_role_name"),
    ({**VPC, "cloudwatch_iam_role_name": "role\"name"}, "cloudwatch_iam_role_name"),
    ({**S3, "s3_bucket_name": "${AWS::AccountId}-logs"}, "s3_bucket_name"),
    ({**S3, "s3_subfolder": "logs/${AWS::Region}"}, "s3_subfolder"),
    ({**S3, "s3_subfolder": 'say "hi"'}, "s3_subfolder"),
    ({**VPC, "kms_key_prefix": "alias/${AWS::StackName}"}, "kms_key_prefix"),
    ({"vpc_id": "vpc-01234567' OR '1'='1"}, "vpc_id"),
    ({**VPC, "custom_tags": {"team": "${AWS::AccountId}"}}, "custom_tags"),
    ({**VPC, "custom_tags": {"team\n": "net"}}, "custom_tags"),
    ({**VPC, "kms_key_users": ["arn:aws-cn:iam::123456789012:role/${Evil}"]}, "kms_key_users"),
    (statement(keys=["${AWS::Region}/*"]), "additional_s3_bucket_policy_statements"),
    (statement(principals={"AWS": ["arn:aws-cn:iam::${Evil}:root"]}), "additional_s3_bucket_policy_statements"),
    ({**S3, "additional_s3_bucket_policy_statements": {"X${Y}": {"actions": ["s3:GetObject"]}}},
     "additional_s3_bucket_policy_statements"),
    # --- log format ---------------------------------------------------------------------------------------
    ({**VPC, "log_format": "${version} ${no-such-field}"}, "log_format"),
    ({**VPC, "log_format": "${version}  ${srcaddr}"}, "log_format"),
    ({**VPC, "log_format": "${version} ${srcaddr} "}, "log_format"),
    ({**VPC, "log_format": "${version} ${version}"}, "log_format"),
    ({**VPC, "log_format": "${version}\n${srcaddr}"}, "log_format"),
    ({**VPC, "log_format": "${version} ${AWS::AccountId}"}, "log_format"),
    ({**VPC, "log_format": "version srcaddr"}, "log_format"),
    ({**VPC, "log_format": "${version} ${instance-tag}"}, "tag_field_specifications"),
    ({**VPC, "log_format": "${version} ${tgw-id}"}, "log_format"),
    ({"transit_gateway_id": "tgw-0123456789abcdef0", "traffic_type": None}, "max_aggregation_interval"),
    # --- unknown config keys ---------------------------------------------------------------------------------
    ({**VPC, "vpc": "vpc-0123456789abcdef0"}, "config"),
    ({**VPC, "tags": {"team": "network"}}, "config"),
    ({**VPC, "cloudwatch_log_retention_days": 30}, "config"),
    ({**S3, "destination_options": {"compression": "gzip"}}, "destination_options"),
    (statement(resources=["*"]), "additional_s3_bucket_policy_statements"),
    # --- conflicting options ------------------------------------------------------------------------------------
    ({}, "vpc_id/subnet_id/eni_id"),
    ({**VPC, "subnet_id": "subnet-0123456789abcdef0"}, "vpc_id/subnet_id/eni_id"),
    (FIREHOSE, "kinesis_firehose_arn"),
    ({**S3, "kinesis_firehose_arn": "arn:aws-cn:firehose:cn-north-1:123456789012:deliverystream/x"},
     "kinesis_firehose_arn"),
    ({**S3, "enable_custom_s3_destination": True}, "s3_bucket"),
    ({**VPC, "enable_custom_s3_destination": True}, "enable_custom_s3_destination"),
    ({**VPC, "destination_options": {"file_format": "parquet"}}, "destination_options"),
    ({**S3, "cloudwatch_iam_role_name": "Delivery"}, "cloudwatch_iam_role_name"),
    ({**VPC, "kms_key_arn": KEY, "kms_key_users": ["arn:aws-cn:iam::123456789012:root"]}, "kms_key_users"),
    ({**S3, "enable_custom_s3_destination": True, "s3_bucket": "arn:aws-cn:s3:::b1b", "s3_bucket_name": "b2b"},
     "s3_bucket_name"),
    # --- oversized maps --------------------------------------------------------------------------------------------
    ({**VPC, "custom_tags": {f"k{i}": "v" for i in range(51)}}, "custom_tags"),
    ({**VPC, "custom_tags": {"k" * 129: "v"}}, "custom_tags"),
    ({**VPC, "custom_tags": {"k": "v" * 257}}, "custom_tags"),
    ({**S3, "additional_s3_bucket_policy_statements": {
        f"S{i}": {"actions": ["s3:GetObject"], "principals": {"AWS": ["arn:aws-cn:iam::123456789012:root"]},
                  "keys": [f"prefix-{j}/*" for j in range(20)]} for i in range(60)}},
     "additional_s3_bucket_policy_statements"),
]  # fmt: skip


def _id(row):
    return f"{CATALOGUE.index(row):02d}-{row[1]}"


def test_the_catalogue_is_large():
    assert len(CATALOGUE) >= 60


@pytest.mark.parametrize(("config", "name"), CATALOGUE, ids=[_id(r) for r in CATALOGUE])
def test_library_names_the_input(config, name):
    with pytest.raises(ConfigError) as caught:
        FlowLogsConfig.from_mapping(config)
    assert caught.value.name.startswith(name), str(caught.value)
    assert name.split("/")[0] in str(caught.value)


@pytest.mark.parametrize(("config", "name"), CATALOGUE, ids=[_id(r) for r in CATALOGUE])
def test_cli_exits_2_with_one_line_and_touches_nothing(tmp_path, capsys, config, name):
    # GIVEN the bad config as a file, and an output file that exists already
    config_file = tmp_path / "config.yaml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    output = tmp_path / "flow-logs.yaml"
    output.write_bytes(b"the previous template\n")
    # WHEN the CLI builds from it
    with pytest.raises(SystemExit) as exited:
        main(["build", "--config", str(config_file), "-o", str(output)])
    # THEN exit 2, one line naming the input, no traceback, and nothing written
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("cfn-flowlogs: error: "), err
    assert name.split("/")[0] in err and "Traceback" not in err
    assert output.read_bytes() == b"the previous template\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml", "flow-logs.yaml"]
