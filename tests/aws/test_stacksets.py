"""CloudFormation StackSets on the local endpoint, as far as moto has them: the shipped template as
a self-managed StackSet, and the `rollout.sh` that `cfn-flowlogs rollout` writes, run as written
for a self-managed plan and for a service-managed one, delivering to the central archive.

moto creates StackSets of either permission model and, for CreateStackInstances, a stack per
account and region (for OU targets, per account of the OU in its organization). It ignores
AutoDeployment (DescribeStackSet reports none; a new account of the OU gets nothing) and
OperationPreferences. Its defects in naming the instances' stacks and in UpdateStackInstances
are fixed by moto_fixes/stacksets.py. Of a service-managed instance moto keeps the stack to itself
(the member account cannot describe it), so its flow log is looked up in the member account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from .accounts import Organization, organization
from .endpoint import ACCOUNT, BIN, REGION, Aws
from .test_archive_deploy import ARCHIVE, outputs
from .test_deploy import SHIPPED
from .test_readme import run

SUBFOLDER = "vpc-flow-logs"


@pytest.fixture(scope="module")
def org(aws: Aws) -> Organization:
    return organization(aws)


@pytest.fixture(scope="module")
def archive_bucket_arn(org: Organization) -> str:
    """The organization's archive, deployed in its log-archive account: step 1 of the README."""
    archive = org.log_archive.aws.deploy(
        "rollout-archive", ARCHIVE, {"OrganizationId": org.id, "S3Subfolder": SUBFOLDER}
    )
    return outputs(archive)["S3BucketArn"]


def parameters(entries: list[dict[str, str]]) -> dict[str, str]:
    return {entry["ParameterKey"]: entry["ParameterValue"] for entry in entries}


def instances(aws: Aws, stack_set: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(account, region) -> the stack instance, as DescribeStackInstance shows it."""
    summaries = aws("cloudformation", "list-stack-instances", "--stack-set-name", stack_set)["Summaries"]
    return {
        (s["Account"], s["Region"]): aws(
            "cloudformation", "describe-stack-instance", "--stack-set-name", stack_set,
            "--stack-instance-account", s["Account"], "--stack-instance-region", s["Region"],
        )["StackInstance"]
        for s in summaries
    }  # fmt: skip


def test_shipped_template_as_a_self_managed_stack_set(aws: Aws, network: dict[str, str], tmp_path: Path):
    # GIVEN the shipped template and a parameters file for a VPC of this account (CloudWatch Logs)
    given = [{"ParameterKey": "VpcId", "ParameterValue": network["VpcId"]},
             {"ParameterKey": "TrafficType", "ParameterValue": "ALL"}]  # fmt: skip
    (tmp_path / "parameters.json").write_text(json.dumps(given))
    # WHEN a StackSet is created from them and given an instance in this account and region
    aws("cloudformation", "create-stack-set", "--stack-set-name", "shipped", "--template-body", f"file://{SHIPPED}",
        "--parameters", f"file://{tmp_path / 'parameters.json'}", "--capabilities", "CAPABILITY_NAMED_IAM")  # fmt: skip
    aws("cloudformation", "create-stack-instances", "--stack-set-name", "shipped",
        "--accounts", ACCOUNT, "--regions", REGION)  # fmt: skip
    # THEN the StackSet holds the template and the parameters, self-managed
    stack_set = aws("cloudformation", "describe-stack-set", "--stack-set-name", "shipped")["StackSet"]
    assert (stack_set["Status"], stack_set["PermissionModel"]) == ("ACTIVE", "SELF_MANAGED")
    assert stack_set["TemplateBody"] == SHIPPED.read_text(encoding="utf-8")
    assert parameters(stack_set["Parameters"]) == parameters(given)
    # AND it has the one instance, whose stack (named as CloudFormation names it) is complete
    ((where, instance),) = instances(aws, "shipped").items()
    assert where == (ACCOUNT, REGION) and instance["Status"] == "CURRENT"
    stack = aws.stack(instance["StackId"])
    assert stack["StackName"].startswith("StackSet-shipped-") and stack["StackStatus"] == "CREATE_COMPLETE"
    # AND its flow log logs the VPC into a log group named after that stack
    flow_log = aws.flow_log(outputs(stack)["FlowLogId"])
    assert (flow_log["ResourceId"], flow_log["TrafficType"]) == (network["VpcId"], "ALL")
    assert flow_log["LogGroupName"] == f"/aws/vpc-flow-logs/{stack['StackName']}"


def roll_out(aws: Aws, workdir: Path, plan: dict[str, Any]) -> Path:
    """`cfn-flowlogs rollout plan.yaml -o rollout/`, then `rollout/rollout.sh` as written, with
    the venv's `aws` and the local endpoint."""
    (workdir / "plan.yaml").write_text(yaml.safe_dump(plan))
    run([str(BIN / "cfn-flowlogs"), "rollout", "plan.yaml", "-o", "rollout"], aws, workdir)
    run(["bash", "rollout/rollout.sh"], aws, workdir)
    return workdir / "rollout"


def rollout_plan(name: str, archive_bucket_arn: str, **targets: Any) -> dict[str, Any]:
    return {"stack_set_name": name, "archive_bucket_arn": archive_bucket_arn, "regions": [REGION],
            "inputs": {"traffic_type": "ALL", "s3_subfolder": SUBFOLDER}, **targets}  # fmt: skip


def assert_delivers_to_the_archive(flow_log: dict[str, Any], vpc: str, archive_bucket_arn: str) -> None:
    assert (flow_log["ResourceId"], flow_log["TrafficType"]) == (vpc, "ALL")
    assert flow_log["LogDestination"] == f"{archive_bucket_arn}/{SUBFOLDER}/"


def test_rollout_self_managed_as_written(aws: Aws, archive_bucket_arn: str, tmp_path: Path):
    # GIVEN a self-managed plan for this account, its VPC as the override
    vpc = aws("ec2", "create-vpc", "--cidr-block", "10.9.0.0/16")["Vpc"]["VpcId"]
    plan = rollout_plan(
        "rollout-self", archive_bucket_arn, accounts=[ACCOUNT], overrides={ACCOUNT: {REGION: {"vpc_id": vpc}}}
    )
    # WHEN the command writes the rollout and its script runs
    written = roll_out(aws, tmp_path, plan)
    # THEN the StackSet is self-managed with the shared parameters, and the account's instance
    # carries the override
    stack_set = aws("cloudformation", "describe-stack-set", "--stack-set-name", "rollout-self")["StackSet"]
    assert stack_set["PermissionModel"] == "SELF_MANAGED"
    assert stack_set["Parameters"] == json.loads((written / "parameters.json").read_text())
    ((where, instance),) = instances(aws, "rollout-self").items()
    overrides = json.loads((written / f"overrides-{ACCOUNT}-{REGION}.json").read_text())
    assert where == (ACCOUNT, REGION) and instance["ParameterOverrides"] == overrides
    # AND the instance's stack was updated with them: it now holds the flow log, to the archive
    stack = aws.stack(instance["StackId"])
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    given = parameters(stack_set["Parameters"]) | parameters(overrides)  # the rest are the template's defaults
    assert given.items() <= parameters(stack["Parameters"]).items()
    assert aws.logical_ids(stack["StackName"]) == {"FlowLog"}
    flow_log = aws.flow_log(outputs(stack)["FlowLogId"])
    assert_delivers_to_the_archive(flow_log, vpc, archive_bucket_arn)


def test_rollout_service_managed_as_written(aws: Aws, org: Organization, archive_bucket_arn: str, tmp_path: Path):
    # GIVEN a service-managed plan for the OU of `workload` and `sandbox`, each with a VPC; only
    # `workload` has an override (its VPC)
    vpc, _ = (member.aws("ec2", "create-vpc", "--cidr-block", "10.10.0.0/16")["Vpc"]["VpcId"]
              for member in (org.workload, org.sandbox))  # fmt: skip
    plan = rollout_plan("rollout-org", archive_bucket_arn, organizational_units=[org.workloads],
                        overrides={org.workload.id: {REGION: {"vpc_id": vpc}}})  # fmt: skip
    # WHEN the management account writes the rollout and runs its script
    roll_out(aws, tmp_path, plan)
    # THEN the StackSet is service-managed, with an instance in each account of the OU
    stack_set = aws("cloudformation", "describe-stack-set", "--stack-set-name", "rollout-org")["StackSet"]
    assert stack_set["PermissionModel"] == "SERVICE_MANAGED"
    found = instances(aws, "rollout-org")
    assert set(found) == {(org.workload.id, REGION), (org.sandbox.id, REGION)}
    # AND only `workload`'s instance has the override, which gave its VPC a flow log to the archive
    assert parameters(found[org.workload.id, REGION]["ParameterOverrides"]) == {"CreateResources": "true", "VpcId": vpc}
    assert found[org.sandbox.id, REGION]["ParameterOverrides"] == []
    flow_logs = org.workload.aws("ec2", "describe-flow-logs", "--filter", f"Name=resource-id,Values={vpc}")
    (flow_log,) = flow_logs["FlowLogs"]
    assert_delivers_to_the_archive(flow_log, vpc, archive_bucket_arn)
    # AND `sandbox`, without an override, got no flow log (CreateResources=false)
    assert org.sandbox.aws.flow_log_ids() == set()
