"""The central archive across two accounts of an organization, on the local endpoint:
templates/flow-logs-archive.yaml deployed with `aws cloudformation deploy` in the log-archive
account, once for a list of source accounts and once for the whole organization, then the shipped
flow-log template in the workload account delivering to each archive's bucket.

moto skips the bucket policy (who may deliver where) and evaluates no Rules (exactly one of
SourceAccountIds and OrganizationId): tests/stacks/test_archive.py checks those statically. The key
policy, which moto keeps, names the sources here."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .accounts import Organization, organization
from .endpoint import ACCOUNT, Aws
from .test_deploy import SHIPPED

ARCHIVE = Path(__file__).resolve().parents[2] / "templates/flow-logs-archive.yaml"
SUBFOLDER = "vpc-flow-logs"

# Archive stack -> its Parameters, in the organization the tests create.
ARCHIVES: dict[str, Callable[[Organization], dict[str, str]]] = {
    "archive-accounts": lambda org: {"SourceAccountIds": f"{org.workload.id},{ACCOUNT}", "S3Subfolder": SUBFOLDER},
    "archive-organization": lambda org: {"OrganizationId": org.id},
}


def outputs(stack: dict[str, Any]) -> dict[str, str]:
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


@dataclass(frozen=True)
class Archive:
    parameters: dict[str, str]
    stack: dict[str, Any]  # as described after the deploy
    source: dict[str, Any]  # the workload account's stack that delivers here

    @property
    def outputs(self) -> dict[str, str]:
        return outputs(self.stack)


@pytest.fixture(scope="module")
def org(aws: Aws) -> Organization:
    return organization(aws)


@pytest.fixture(scope="module")
def vpc(org: Organization) -> str:
    """A VPC of the workload account."""
    return str(org.workload.aws("ec2", "create-vpc", "--cidr-block", "10.8.0.0/16")["Vpc"]["VpcId"])


@pytest.fixture(scope="module")
def archives(org: Organization, vpc: str) -> dict[str, Archive]:
    """GIVEN each archive deployed in the log-archive account, and a flow-log stack in the workload
    account that delivers the VPC's flow logs to its bucket (as the README says to)."""

    def deploy(name: str) -> Archive:
        parameters = ARCHIVES[name](org)
        archive = org.log_archive.aws.deploy(name, ARCHIVE, parameters)
        assert archive["StackStatus"] == "CREATE_COMPLETE", archive
        source = org.workload.aws.deploy(f"to-{name}", SHIPPED, {
            "VpcId": vpc, "TrafficType": "ALL", "LogDestinationType": "s3", "EnableCustomS3Destination": "true",
            "S3Bucket": outputs(archive)["S3BucketArn"], "S3Subfolder": parameters.get("S3Subfolder", ""),
        })  # fmt: skip
        assert source["StackStatus"] == "CREATE_COMPLETE", source
        return Archive(parameters, archive, source)

    return {name: deploy(name) for name in ARCHIVES}


each_archive = pytest.mark.parametrize("name", list(ARCHIVES))


@each_archive
def test_archive_and_its_source_are_two_accounts(org: Organization, archives: dict[str, Archive], name: str):
    # GIVEN an archive and the stack that delivers to it THEN each lives in its own account
    assert org.log_archive.id != org.workload.id
    assert f":{org.log_archive.id}:stack/{name}/" in archives[name].stack["StackId"]
    assert f":{org.workload.id}:stack/to-{name}/" in archives[name].source["StackId"]


@each_archive
def test_archive_outputs_name_its_bucket_and_key(org: Organization, archives: dict[str, Archive], name: str):
    # GIVEN a deployed archive THEN its Outputs are the bucket and the key it created, in its account
    given = archives[name].outputs
    resources = org.log_archive.aws("cloudformation", "describe-stack-resources", "--stack-name", name)
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources["StackResources"]}
    bucket, key_id = physical["FlowLogsBucket"], physical["FlowLogsKey"]
    assert given == {
        "S3BucketArn": f"arn:aws:s3:::{bucket}",
        "S3BucketName": bucket,
        "KmsKeyArn": f"arn:aws:kms:us-east-1:{org.log_archive.id}:key/{key_id}",
    }
    # AND the stack holds them, the key's alias and nothing else moto creates (it skips the bucket policy)
    assert set(physical) == {"FlowLogsBucket", "FlowLogsKey", "FlowLogsKeyAlias"}


@each_archive
def test_archive_bucket_is_encrypted_with_its_key_and_versioned(
    org: Organization, archives: dict[str, Archive], name: str
):
    # GIVEN a deployed archive WHEN its bucket is read in the log-archive account
    aws, outputs = org.log_archive.aws, archives[name].outputs
    bucket = outputs["S3BucketName"]
    encryption = aws("s3api", "get-bucket-encryption", "--bucket", bucket)["ServerSideEncryptionConfiguration"]
    # THEN it is encrypted with the archive's key (SSE-KMS) and versioned
    (rule,) = encryption["Rules"]
    key_arn = outputs["KmsKeyArn"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}
    assert aws("s3api", "get-bucket-versioning", "--bucket", bucket) == {"Status": "Enabled"}


@each_archive
def test_archive_key_lets_log_delivery_encrypt_for_its_sources(
    org: Organization, archives: dict[str, Archive], name: str
):
    # GIVEN a deployed archive WHEN its key and key policy are read in the log-archive account
    aws, archive = org.log_archive.aws, archives[name]
    key_arn = archive.outputs["KmsKeyArn"]
    key = aws("kms", "describe-key", "--key-id", key_arn)["KeyMetadata"]
    policy = json.loads(aws("kms", "get-key-policy", "--key-id", key_arn, "--policy-name", "default")["Policy"])
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}
    # THEN the key is the archive account's, symmetric, rotating, with the archive's alias
    assert key["AWSAccountId"] == org.log_archive.id
    assert (key["KeyState"], key["KeySpec"]) == ("Enabled", "SYMMETRIC_DEFAULT")
    assert aws("kms", "get-key-rotation-status", "--key-id", key_arn)["KeyRotationEnabled"] is True
    aliases = aws("kms", "list-aliases", "--key-id", key_arn)["Aliases"]
    assert [alias["AliasName"] for alias in aliases] == [f"alias/flow_logs_archive_{name}"]
    # AND its policy lets the archive account administer it, and log delivery use it for exactly
    # the sources given: the listed accounts (aws:SourceAccount) or the organization (aws:SourceOrgID)
    assert set(statements) == {"EnableRootAccess", "AllowLogDeliveryToEncrypt"}
    assert statements["EnableRootAccess"]["Principal"] == {"AWS": f"arn:aws:iam::{org.log_archive.id}:root"}
    delivery = statements["AllowLogDeliveryToEncrypt"]
    assert delivery["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    if "OrganizationId" in archive.parameters:
        assert delivery["Condition"] == {"StringEquals": {"aws:SourceOrgID": org.id}}
    else:
        assert delivery["Condition"] == {"StringEquals": {"aws:SourceAccount": [org.workload.id, ACCOUNT]}}


@each_archive
def test_source_flow_log_delivers_to_the_archive_bucket(
    org: Organization, archives: dict[str, Archive], vpc: str, name: str
):
    # GIVEN the workload account's stack that delivers to an archive
    archive = archives[name]
    # WHEN its flow log is described in the workload account
    source_outputs = outputs(archive.source)
    flow_log = org.workload.aws.flow_log(source_outputs["FlowLogId"])
    # THEN it logs the workload's VPC into the archive's bucket, under the archive's prefix
    subfolder = archive.parameters.get("S3Subfolder")
    assert (flow_log["ResourceId"], flow_log["TrafficType"]) == (vpc, "ALL")
    assert flow_log["LogDestinationType"] == "s3"
    # AWS's forms: the bare bucket ARN, or `<bucket ARN>/<subfolder>/`
    assert flow_log["LogDestination"] == archive.outputs["S3BucketArn"] + (f"/{subfolder}/" if subfolder else "")
    assert "DeliverLogsPermissionArn" not in flow_log
    # AND the stack created the flow log alone (no bucket, key or role of its own), and its Outputs
    # name the archive's bucket
    assert org.workload.aws.logical_ids(f"to-{name}") == {"FlowLog"}
    assert source_outputs == {
        "FlowLogId": flow_log["FlowLogId"],
        "S3BucketArn": archive.outputs["S3BucketArn"],
        "S3BucketName": archive.outputs["S3BucketName"],
    }
    # AND the flow log is the workload account's: the log-archive account has none of it
    assert flow_log["FlowLogId"] not in org.log_archive.aws.flow_log_ids()
