"""The shipped template deployed with `aws cloudformation deploy` on the local endpoint, for every
destination, every target kind and a created or given key; then read back with the describe
calls of each service. What moto drops (bucket policy, public access block, lifecycle,
DestinationOptions, Rules) is checked statically by test_structure.py and test_equivalence.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .endpoint import ACCOUNT, Aws

SHIPPED = Path(__file__).resolve().parents[2] / "templates/vpc-flow-logs.yaml"
AWS_DEFAULT_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
    "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
)


@dataclass(frozen=True)
class Case:
    """One deployment: the target kind's Parameter and the other Parameters. `<key_arn>`,
    `<bucket>` and `<firehose_arn>` stand for resources the test creates first."""

    stack: str
    target: str
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def destination(self) -> str:
        return self.parameters.get("LogDestinationType", "cloud-watch-logs")

    @property
    def creates_bucket(self) -> bool:
        return self.destination == "s3" and self.parameters.get("EnableCustomS3Destination") != "true"

    @property
    def creates_key(self) -> bool:
        return "KmsKeyArn" not in self.parameters and (self.destination == "cloud-watch-logs" or self.creates_bucket)


CASES = [
    Case("cwl-vpc-created-key", "VpcId", {
        "TrafficType": "ALL", "CloudwatchLogRetention": "30", "MaxAggregationInterval": "60",
        "LogFormat": "${version} ${srcaddr} ${dstaddr} ${action} ${flow-direction}",
        "KmsKeyDeletionWindowInDays": "7",
    }),
    Case("cwl-subnet-given-key", "SubnetId", {
        "KmsKeyArn": "<key_arn>", "UseManagedIamPolicies": "false",
        "CloudwatchIamRoleName": "subnet-flow-logs-delivery", "CloudwatchLogGroupName": "/network/subnet-flows",
    }),
    Case("cwl-eni-defaults", "EniId"),
    Case("s3-eni-created-bucket", "EniId", {
        "LogDestinationType": "s3", "TrafficType": "ACCEPT", "S3BucketName": "eni-flow-logs-created",
        "S3Subfolder": "flows/eni", "FileFormat": "parquet", "HiveCompatiblePartitions": "true",
    }),
    Case("s3-vpc-given-key", "VpcId", {"LogDestinationType": "s3", "KmsKeyArn": "<key_arn>"}),
    Case("s3-subnet-custom-bucket", "SubnetId", {
        "LogDestinationType": "s3", "EnableCustomS3Destination": "true",
        "S3Bucket": "arn:aws:s3:::<bucket>", "S3Subfolder": "central",
    }),
    Case("firehose-vpc", "VpcId", {
        "LogDestinationType": "kinesis-data-firehose", "KinesisFirehoseArn": "<firehose_arn>",
    }),
]  # fmt: skip


def fill(value: str, given: dict[str, str]) -> str:
    for name, text in given.items():
        value = value.replace(f"<{name}>", text)
    return value


def given_resources(aws: Aws) -> dict[str, str]:
    """What a user brings: a KMS key, a bucket, a Firehose stream tagged for log delivery."""
    key_arn = aws("kms", "create-key", "--description", "given")["KeyMetadata"]["Arn"]
    bucket = "given-flow-logs-bucket"
    aws("s3api", "create-bucket", "--bucket", bucket)
    aws("iam", "create-role", "--role-name", "firehose-writer", "--assume-role-policy-document", "{}")
    firehose_arn = aws(
        "firehose", "create-delivery-stream", "--delivery-stream-name", "given-flow-logs",
        "--extended-s3-destination-configuration",
        f"RoleARN=arn:aws:iam::{ACCOUNT}:role/firehose-writer,BucketARN=arn:aws:s3:::{bucket}",
        "--tags", "Key=LogDeliveryEnabled,Value=true",
    )["DeliveryStreamARN"]  # fmt: skip
    return {"key_arn": key_arn, "bucket": bucket, "firehose_arn": firehose_arn}


@dataclass(frozen=True)
class Deployed:
    case: Case
    parameters: dict[str, str]  # as passed, placeholders filled in
    outputs: dict[str, str]


@pytest.fixture(scope="module")
def deployed(aws: Aws, network: dict[str, str]) -> dict[str, Deployed]:
    """GIVEN every case deployed, one after the other (each takes about a second)."""
    given = given_resources(aws)

    def deploy(case: Case) -> Deployed:
        parameters = {case.target: network[case.target]}
        parameters.update({name: fill(value, given) for name, value in case.parameters.items()})
        stack = aws.deploy(case.stack, SHIPPED, parameters)
        assert stack["StackStatus"] == "CREATE_COMPLETE", stack
        return Deployed(case, parameters, aws.outputs(case.stack))

    return {case.stack: deploy(case) for case in CASES}


def cases(predicate: Callable[[Case], bool]) -> list[Any]:
    """The stacks of the cases that `predicate` selects, as pytest parameters."""
    return [pytest.param(case.stack, id=case.stack) for case in CASES if predicate(case)]


@pytest.mark.parametrize("stack", cases(lambda case: True))
def test_flow_log_is_what_the_parameters_say(aws: Aws, deployed: dict[str, Deployed], stack: str):
    # GIVEN a deployed stack
    d = deployed[stack]
    # WHEN its flow log is described
    flow_log = aws.flow_log(d.outputs["FlowLogId"])
    # THEN it logs the target, with the traffic type, format and interval asked for
    assert flow_log["ResourceId"] == d.parameters[d.case.target]
    assert flow_log["TrafficType"] == d.parameters.get("TrafficType", "REJECT")
    assert flow_log["LogFormat"] == d.parameters.get("LogFormat", AWS_DEFAULT_FORMAT)
    assert flow_log["MaxAggregationInterval"] == int(d.parameters.get("MaxAggregationInterval", "600"))
    # AND it delivers where the stack's Outputs say
    assert flow_log["LogDestinationType"] == d.case.destination
    if d.case.destination == "cloud-watch-logs":
        assert flow_log["LogGroupName"] == d.outputs["CloudWatchLogsGroupName"]
        role = aws.physical_id(stack, "FlowLogsRole")
        assert flow_log["DeliverLogsPermissionArn"] == aws("iam", "get-role", "--role-name", role)["Role"]["Arn"]
    elif d.case.destination == "s3":
        subfolder = d.parameters.get("S3Subfolder")
        # AWS's forms: the bare bucket ARN, or `<bucket ARN>/<subfolder>/`
        assert flow_log["LogDestination"] == d.outputs["S3BucketArn"] + (f"/{subfolder}/" if subfolder else "")
        assert "DeliverLogsPermissionArn" not in flow_log
    else:
        assert flow_log["LogDestination"] == d.parameters["KinesisFirehoseArn"]


@pytest.mark.parametrize("stack", cases(lambda case: case.destination == "cloud-watch-logs"))
def test_cloudwatch_logs_group_is_encrypted_and_kept_as_asked(aws: Aws, deployed: dict[str, Deployed], stack: str):
    # GIVEN a stack delivering to CloudWatch Logs WHEN its log group is described
    d = deployed[stack]
    name = d.parameters.get("CloudwatchLogGroupName", f"/aws/vpc-flow-logs/{stack}")
    (group,) = aws("logs", "describe-log-groups", "--log-group-name-prefix", name)["logGroups"]
    # THEN it has the name, retention and key asked for, and the Outputs name it
    assert d.outputs["CloudWatchLogsGroupName"] == group["logGroupName"] == name
    assert d.outputs["CloudWatchLogsGroupArn"] == group["arn"]  # ends in :*
    assert group["retentionInDays"] == int(d.parameters.get("CloudwatchLogRetention", "731"))
    assert group["kmsKeyId"] == d.outputs["CloudWatchKmsKeyArn"]


@pytest.mark.parametrize("stack", cases(lambda case: case.destination == "cloud-watch-logs"))
def test_delivery_role_only_vpc_flow_logs_may_assume(aws: Aws, deployed: dict[str, Deployed], stack: str):
    # GIVEN a stack delivering to CloudWatch Logs WHEN its role is described
    d = deployed[stack]
    name = d.parameters.get("CloudwatchIamRoleName") or aws.physical_id(stack, "FlowLogsRole")
    role = aws("iam", "get-role", "--role-name", name)["Role"]
    # THEN only VPC Flow Logs acting for this account may assume it
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    # AND its permissions are the managed or the inline policy, as asked
    managed = aws("iam", "list-attached-role-policies", "--role-name", name)["AttachedPolicies"]
    inline = aws("iam", "list-role-policies", "--role-name", name)["PolicyNames"]
    if d.parameters.get("UseManagedIamPolicies") == "false":
        assert (managed, inline) == ([], ["DeliverToLogGroup"])
    else:
        assert ([p["PolicyArn"] for p in managed], inline) == ([aws.physical_id(stack, "FlowLogsRolePolicy")], [])


@pytest.mark.parametrize("stack", cases(lambda case: case.creates_bucket))
def test_created_bucket_is_encrypted_with_the_key_and_versioned(aws: Aws, deployed: dict[str, Deployed], stack: str):
    # GIVEN a stack that created its bucket
    d = deployed[stack]
    bucket = d.outputs["S3BucketName"]
    # THEN the bucket the Outputs name exists, encrypted with the stack's key, and versioned
    assert d.outputs["S3BucketArn"] == f"arn:aws:s3:::{bucket}"
    assert bucket == d.parameters.get("S3BucketName", aws.physical_id(stack, "FlowLogsBucket"))
    aws("s3api", "head-bucket", "--bucket", bucket)
    (rule,) = aws("s3api", "get-bucket-encryption", "--bucket", bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": d.outputs["CloudWatchKmsKeyArn"],
    }
    assert aws("s3api", "get-bucket-versioning", "--bucket", bucket) == {"Status": "Enabled"}


@pytest.mark.parametrize("stack", cases(lambda case: case.creates_key))
def test_created_key_rotates_and_has_an_alias(aws: Aws, deployed: dict[str, Deployed], stack: str):
    # GIVEN a stack that created its key
    key_arn = deployed[stack].outputs["CloudWatchKmsKeyArn"]
    # THEN the key is enabled and symmetric, rotates, and has the alias from the prefix and stack name
    key = aws("kms", "describe-key", "--key-id", key_arn)["KeyMetadata"]
    assert (key["Arn"], key["KeyState"], key["KeySpec"]) == (key_arn, "Enabled", "SYMMETRIC_DEFAULT")
    assert aws("kms", "get-key-rotation-status", "--key-id", key_arn)["KeyRotationEnabled"] is True
    aliases = aws("kms", "list-aliases", "--key-id", key_arn)["Aliases"]
    assert [a["AliasName"] for a in aliases] == [f"alias/flow_logs_key_{stack}"]


@pytest.mark.parametrize("stack", cases(lambda case: "KmsKeyArn" in case.parameters))
def test_given_key_is_used_and_no_key_is_created(aws: Aws, deployed: dict[str, Deployed], stack: str):
    # GIVEN a stack given a key THEN it uses that key and creates none
    d = deployed[stack]
    assert d.outputs["CloudWatchKmsKeyArn"] == d.parameters["KmsKeyArn"]
    assert not aws.logical_ids(stack) & {"FlowLogsKey", "FlowLogsKeyAlias"}


CWL_OUTPUTS = {"FlowLogId", "CloudWatchLogsGroupArn", "CloudWatchLogsGroupName", "CloudWatchKmsKeyArn"}
S3_OUTPUTS = {"FlowLogId", "S3BucketArn", "S3BucketName"}


@pytest.mark.parametrize(
    ("stack", "resources", "outputs"),
    [
        ("cwl-vpc-created-key",
         {"FlowLogsKey", "FlowLogsKeyAlias", "FlowLogsLogGroup", "FlowLogsRole", "FlowLogsRolePolicy"}, CWL_OUTPUTS),
        ("cwl-subnet-given-key", {"FlowLogsLogGroup", "FlowLogsRole"}, CWL_OUTPUTS),
        ("s3-eni-created-bucket", {"FlowLogsKey", "FlowLogsKeyAlias", "FlowLogsBucket"},
         S3_OUTPUTS | {"CloudWatchKmsKeyArn"}),
        ("s3-vpc-given-key", {"FlowLogsBucket"}, S3_OUTPUTS | {"CloudWatchKmsKeyArn"}),
        ("s3-subnet-custom-bucket", set(), S3_OUTPUTS),
        ("firehose-vpc", set(), {"FlowLogId"}),
    ],
)  # fmt: skip
def test_stack_holds_exactly_what_its_destination_needs(
    aws: Aws, deployed: dict[str, Deployed], stack: str, resources: set[str], outputs: set[str]
):
    # GIVEN a deployed stack THEN besides the flow log it holds only its destination's own resources
    # (and FlowLogsBucketPolicy, which moto skips), and only the Outputs that apply
    assert aws.logical_ids(stack) == {"FlowLog"} | resources
    assert set(deployed[stack].outputs) == outputs


def test_custom_bucket_is_the_destination_as_given(deployed: dict[str, Deployed]):
    # GIVEN a stack given a bucket THEN its Outputs name that bucket
    d = deployed["s3-subnet-custom-bucket"]
    assert d.outputs["S3BucketArn"] == d.parameters["S3Bucket"]
    assert d.outputs["S3BucketName"] == d.parameters["S3Bucket"].rpartition(":")[2]


def test_create_resources_false_deploys_and_creates_nothing(aws: Aws):
    # GIVEN nothing but CreateResources=false (no target either: the Rules do not apply)
    before = aws.flow_log_ids()
    # WHEN deployed
    stack = aws.deploy("nothing", SHIPPED, {"CreateResources": "false"})
    # THEN the stack is complete, empty, without Outputs, and no flow log appeared
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert aws.logical_ids("nothing") == set()
    assert "Outputs" not in stack
    assert aws.flow_log_ids() == before
