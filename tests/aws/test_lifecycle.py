"""Stacks over time on the local endpoint: updates that replace the flow log or keep it, and a
delete that keeps the data. moto runs no Lambda function (it would need Docker), so with
ForceDestroyBucket the wiring is checked here and the emptying code in test_empty_bucket.py."""

from __future__ import annotations

from pathlib import Path

from cfn_flowlogs import FlowLogsConfig, build_template, to_yaml
from cfn_flowlogs.config.marks import STACK_MARK

from .endpoint import Aws
from .test_deploy import SHIPPED


def test_changing_traffic_type_replaces_the_flow_log(aws: Aws, network: dict[str, str]):
    # GIVEN a deployed stack
    parameters = {"SubnetId": network["SubnetId"]}
    aws.deploy("update-traffic", SHIPPED, parameters)
    old = aws.outputs("update-traffic")["FlowLogId"]
    # WHEN only TrafficType changes (a create-only property)
    stack = aws.deploy("update-traffic", SHIPPED, {**parameters, "TrafficType": "ALL"})
    # THEN a new flow log with the new traffic type stands in for the old one, which is gone
    new = aws.outputs("update-traffic")["FlowLogId"]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert new != old
    assert aws.flow_log(new)["TrafficType"] == "ALL"
    assert old not in aws.flow_log_ids()


def test_changing_only_tags_keeps_the_flow_log(aws: Aws, network: dict[str, str], tmp_path: Path):
    # GIVEN a specialized template with custom_tags, deployed
    template = tmp_path / "tagged.yaml"

    def deploy_tagged(tags: dict[str, str]) -> str:
        config = FlowLogsConfig(eni_id=network["EniId"], custom_tags=tags)
        template.write_text(to_yaml(build_template(config)), encoding="utf-8")
        aws.deploy("update-tags", template)
        return aws.outputs("update-tags")["FlowLogId"]

    before = deploy_tagged({"team": "network"})
    # WHEN only the tags change
    after = deploy_tagged({"team": "platform", "cost-center": "42"})
    # THEN the flow log is the same one, with the new tags and without the old (and its stack's name)
    assert after == before
    tags = {tag["Key"]: tag["Value"] for tag in aws.flow_log(after)["Tags"]}
    assert tags == {"team": "platform", "cost-center": "42", STACK_MARK: "update-tags"}


def test_delete_keeps_log_group_key_and_bucket(aws: Aws, network: dict[str, str]):
    # GIVEN a stack delivering to CloudWatch Logs (made by create-stack, the other way in) and
    # one delivering to a created bucket
    vpc = f"ParameterKey=VpcId,ParameterValue={network['VpcId']}"
    aws("cloudformation", "create-stack", "--stack-name", "delete-cwl", "--template-body", f"file://{SHIPPED}",
        "--capabilities", "CAPABILITY_NAMED_IAM", "--parameters", vpc)  # fmt: skip
    aws("cloudformation", "wait", "stack-create-complete", "--stack-name", "delete-cwl")
    aws.deploy("delete-s3", SHIPPED, {"VpcId": network["VpcId"], "LogDestinationType": "s3"})
    kept = {stack: aws.outputs(stack) for stack in ("delete-cwl", "delete-s3")}
    role = aws.physical_id("delete-cwl", "FlowLogsRole")
    # WHEN both are deleted
    for stack in kept:
        aws("cloudformation", "delete-stack", "--stack-name", stack)
        aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", stack)
    # THEN the flow logs and the role are gone
    assert not {outputs["FlowLogId"] for outputs in kept.values()} & aws.flow_log_ids()
    assert role not in {r["RoleName"] for r in aws("iam", "list-roles")["Roles"]}
    # AND the log group, the keys and the bucket are retained
    group = kept["delete-cwl"]["CloudWatchLogsGroupName"]
    assert aws("logs", "describe-log-groups", "--log-group-name-prefix", group)["logGroups"]
    for outputs in kept.values():
        key = aws("kms", "describe-key", "--key-id", outputs["CloudWatchKmsKeyArn"])["KeyMetadata"]
        assert key["KeyState"] == "Enabled"
    aws("s3api", "head-bucket", "--bucket", kept["delete-s3"]["S3BucketName"])


def test_force_destroy_wires_the_emptier_to_the_bucket(aws: Aws, network: dict[str, str]):
    # GIVEN ForceDestroyBucket
    aws.deploy("force-destroy", SHIPPED, {"VpcId": network["VpcId"], "LogDestinationType": "s3",
                                          "ForceDestroyBucket": "true"})  # fmt: skip
    # THEN the stack holds the function (the inlined emptier), its role and the custom resource
    assert {"EmptyBucketFunction", "EmptyBucketRole", "EmptyBucketOnDelete"} <= aws.logical_ids("force-destroy")
    function = aws("lambda", "get-function-configuration", "--function-name",
                   aws.physical_id("force-destroy", "EmptyBucketFunction"))  # fmt: skip
    assert (function["Handler"], function["Timeout"]) == ("index.handler", 900)
    assert function["Role"].endswith("/" + aws.physical_id("force-destroy", "EmptyBucketRole"))
