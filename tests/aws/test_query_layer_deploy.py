"""What issue 22 changed in the query layer, deployed on the local endpoint and read back: the
results' owner and key on a bucket of your own, a transit gateway's table over the `service=`
prefix, the integer date projection and the restored-objects property. (The bucket's lifecycle,
Glacier Instant Retrieval under a table, is dropped by moto's CloudFormation: it is checked in the
rendered templates, tests/query/test_no_silent_gaps.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from .endpoint import ACCOUNT, Aws
from .test_queries_deploy import Deployed, compile_template, deploy

OWNER = "111122223333"
KEY_ARN = f"arn:aws:kms:us-east-1:{OWNER}:key/11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def custom_bucket(aws: Aws, network: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    """GIVEN a table over a bucket of your own, whose results must go to OWNER's bucket under KEY_ARN."""
    bucket = "query-layer-custom-results"
    aws("s3api", "create-bucket", "--bucket", bucket)
    inputs = {"vpc_id": network["VpcId"], "log_destination_type": "s3", "enable_custom_s3_destination": "true",
              "s3_bucket": f"arn:aws:s3:::{bucket}", "create_athena_table": "true",
              "athena_results_expected_bucket_owner": OWNER, "athena_results_kms_key_arn": KEY_ARN}  # fmt: skip
    options = [option for name, value in inputs.items() for option in ("--set", f"{name}={value}")]
    return deploy(aws, "query-layer-custom", compile_template(tmp_path_factory.mktemp("custom"), "build", *options))


@pytest.fixture(scope="module")
def transit_gateway(aws: Aws, tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    """GIVEN a transit gateway's flow log to a created bucket, Hive-compatible, with a table."""
    gateway = aws("ec2", "create-transit-gateway", "--description", "query layer")["TransitGateway"]
    inputs = {"transit_gateway_id": gateway["TransitGatewayId"], "max_aggregation_interval": "60",
              "log_destination_type": "s3", "create_athena_table": "true",
              "destination_options": "{hive_compatible_partitions: true}"}  # fmt: skip
    options = [option for name, value in inputs.items() for option in ("--set", f"{name}={value}")]
    return deploy(aws, "query-layer-tgw", compile_template(tmp_path_factory.mktemp("tgw"), "build", *options))


def test_the_workgroup_writes_results_only_to_the_expected_owner_with_your_key(aws: Aws, custom_bucket: Deployed):
    configuration = aws("athena", "get-work-group", "--work-group", custom_bucket.outputs["AthenaWorkGroupName"])[
        "WorkGroup"
    ]["Configuration"]
    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["ResultConfiguration"] == {
        "OutputLocation": "s3://query-layer-custom-results/athena-results/",
        "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": KEY_ARN},
        "ExpectedBucketOwner": OWNER,
    }


def test_a_transit_gateways_table_reads_its_guides_prefix(aws: Aws, transit_gateway: Deployed):
    table = aws("glue", "get-table", "--database-name", transit_gateway.outputs["GlueDatabaseName"],
                "--name", transit_gateway.outputs["GlueTableName"])["Table"]  # fmt: skip
    bucket = transit_gateway.outputs["S3BucketName"]
    parameters = table["Parameters"]
    assert parameters["storage.location.template"] == (
        f"s3://{bucket}/AWSLogs/aws-account-id=${{aws_account_id}}/service=vpcflowlogs/"
        "aws-region=${aws_region}/year=${year}/month=${month}/day=${day}/"
    )
    # AND its dates are integer projections; restored objects are read; its columns are a transit
    # gateway's, typed from their Parquet types
    assert {parameters[f"projection.{key}.type"] for key in ("year", "month", "day")} == {"integer"}
    assert parameters["projection.year.range"] == "2024,2099"
    assert parameters["read_restored_glacier_objects"] == "true"
    columns = {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}
    assert (columns["tgw_id"], columns["protocol"], columns["packets_lost_no_route"]) == ("string", "bigint", "bigint")
    assert parameters["projection.aws_account_id.values"] == ACCOUNT


def test_the_stacks_go(aws: Aws, custom_bucket: Deployed, transit_gateway: Deployed, tmp_path: Path):
    for deployed in (custom_bucket, transit_gateway):
        aws("cloudformation", "delete-stack", "--stack-name", deployed.name)
        aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", deployed.name)
        assert "InvalidRequestException" in aws.fails(
            "athena", "get-work-group", "--work-group", deployed.outputs["AthenaWorkGroupName"]
        )
