"""CloudFormation StackSets on the local endpoint, as far as moto has them: the shipped template as
a self-managed StackSet, and the `rollout.sh` that `cfn-flowlogs rollout` writes (with the StackSet
template, vpc-flow-logs-stackset.yaml), run as written for a self-managed plan and for a
service-managed one, delivering to the central archive; one stack instance logging two VPCs, and
an update that clears the second.

moto creates StackSets of either permission model and, for CreateStackInstances, a stack per
account and region (for OU targets, per account of the OU in its organization). It ignores
AutoDeployment (DescribeStackSet reports none; a new account of the OU gets nothing) and
OperationPreferences. Its defects in naming the instances' stacks and in UpdateStackInstances
are fixed by moto_fixes/stacksets.py. Of a service-managed instance moto keeps the stack to itself
(the member account cannot describe it), so its flow log is looked up in the member account.

moto ignores capabilities (a StackSet reports none), so the template shows that it needs none.
It does not model AWS::CloudFormation::WaitConditionHandle (NULL_MODELS in its parsing.py): the
stack of an instance without an override (only NothingToCreate) lists no resource at all.
DescribeFlowLogs has no ResourceType (in AWS neither): a flow log's ResourceId is the VPC, which
moto looks up as a VPC only for ResourceType VPC."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from cfn_flowlogs.audit.rollout import TEMPLATE_FILE
from cfn_flowlogs.config.marks import STACK_MARK

from .accounts import Member, Organization, as_account, organization
from .auditing import Audit
from .endpoint import ACCOUNT, BIN, REGION, Aws, isolated_session
from .endpoint import run_program as run
from .enrolling import sweep
from .test_archive_deploy import ARCHIVE, outputs
from .test_deploy import SHIPPED

SUBFOLDER = "vpc-flow-logs"
R2 = "eu-west-1"


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


def rollout_plan(name: str, archive_bucket_arn: str, *, regions: tuple[str, ...] = (REGION,), traffic: str = "ALL",
                 enrolment: bool = False, **targets: Any) -> dict[str, Any]:  # fmt: skip
    return {"stack_set_name": name, "archive_bucket_arn": archive_bucket_arn, "regions": list(regions),
            "enrolment": enrolment, "inputs": {"traffic_type": traffic, "s3_subfolder": SUBFOLDER},
            **targets}  # fmt: skip


def assert_delivers_to_the_archive(
    flow_log: dict[str, Any], vpc: str, archive_bucket_arn: str, traffic: str = "ALL"
) -> None:
    assert (flow_log["ResourceId"], flow_log["TrafficType"]) == (vpc, traffic)
    assert (flow_log["LogDestinationType"], flow_log["LogDestination"]) == ("s3", f"{archive_bucket_arn}/{SUBFOLDER}/")


class _Shapes(yaml.SafeLoader):
    """Reads a template with every short form (!Ref, !If ...) as null: its keys and types remain."""


_Shapes.add_multi_constructor("!", lambda loader, suffix, node: None)


def assert_written_stack_set(aws: Aws, name: str, written: Path) -> dict[str, Any]:
    """The StackSet holds the StackSet template and the parameters the rollout wrote. rollout.sh
    passes it no --capabilities, and the template needs none: no IAM resource, no transform or
    nested stack (moto ignores capabilities, so only the template can show it)."""
    stack_set: dict[str, Any] = aws("cloudformation", "describe-stack-set", "--stack-set-name", name)["StackSet"]
    assert stack_set["TemplateBody"] == (written / TEMPLATE_FILE).read_text(encoding="utf-8")
    assert stack_set["Parameters"] == json.loads((written / "parameters.json").read_text())
    script = (written / "rollout.sh").read_text()
    assert "--capabilities" not in script.split("# 2. ")[-1]  # only the enrolment role's StackSet asks
    template = yaml.load(stack_set["TemplateBody"], Loader=_Shapes)  # _Shapes is a SafeLoader
    assert "Transform" not in template
    assert {r["Type"] for r in template["Resources"].values()} == {
        "AWS::EC2::FlowLog", "AWS::CloudFormation::WaitConditionHandle",
        # the enrolment, under its Condition; its role comes from the role's own StackSet
        "AWS::Lambda::Function", "AWS::Lambda::Permission", "AWS::Events::Rule", "AWS::Logs::LogGroup",
        "AWS::SSM::Parameter",
    }  # fmt: skip
    return stack_set


def test_rollout_self_managed_as_written(aws: Aws, archive_bucket_arn: str, tmp_path: Path):
    # GIVEN a self-managed plan for this account, its VPC as the override
    vpc = aws("ec2", "create-vpc", "--cidr-block", "10.9.0.0/16")["Vpc"]["VpcId"]
    plan = rollout_plan(
        "rollout-self", archive_bucket_arn, accounts=[ACCOUNT], overrides={ACCOUNT: {REGION: {"vpc_id": vpc}}}
    )
    # WHEN the command writes the rollout and its script runs
    written = roll_out(aws, tmp_path, plan)
    # THEN the StackSet is self-managed with the StackSet template and the shared parameters, and
    # the account's instance carries the override
    stack_set = assert_written_stack_set(aws, "rollout-self", written)
    assert stack_set["PermissionModel"] == "SELF_MANAGED"
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
    written = roll_out(aws, tmp_path, plan)
    # THEN the StackSet is service-managed, with the StackSet template and an instance in each
    # account of the OU
    stack_set = assert_written_stack_set(aws, "rollout-org", written)
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


def new_account(aws: Aws, name: str) -> Member:
    """A member account of the organization of its own: every flow log in it is the test's."""
    status = aws("organizations", "create-account", "--email", f"{name}@example.com", "--account-name", name)
    return as_account(aws, status["CreateAccountStatus"]["AccountId"])


def flow_logs(member: Member, region: str = REGION) -> dict[str, dict[str, Any]]:
    """Every flow log of the member account in the region, by the resource it logs."""
    found = member.aws("ec2", "describe-flow-logs", "--region", region)["FlowLogs"]
    by_resource = {flow_log["ResourceId"]: flow_log for flow_log in found}
    assert len(by_resource) == len(found), found
    return by_resource


def stack_resources(member: Member, stack_id: str, region: str = REGION) -> dict[str, str]:
    """Logical ID -> physical ID of every resource of a stack in the member account."""
    listed = member.aws("cloudformation", "describe-stack-resources", "--stack-name", stack_id, "--region", region)
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in listed["StackResources"]}


def two_vpcs(member: Member) -> tuple[str, str]:
    first, second = (member.aws("ec2", "create-vpc", "--cidr-block", cidr)["Vpc"]["VpcId"]
                     for cidr in ("10.20.0.0/16", "10.21.0.0/16"))  # fmt: skip
    return first, second


def test_one_stack_instance_logs_two_vpcs(
    aws: Aws, org: Organization, archive_bucket_arn: str, audit: Audit, tmp_path: Path
):
    # GIVEN an account with two VPCs, and a self-managed plan for it in two regions whose override
    # in one names the first VPC and the second as an additional VPC, traffic type REJECT
    member = new_account(aws, "stackset-two-vpcs")
    first, second = two_vpcs(member)
    override = {"vpc_id": first, "additional_vpc_ids": [second]}
    plan = rollout_plan("rollout-two-vpcs", archive_bucket_arn, regions=(REGION, R2), traffic="REJECT",
                        accounts=[member.id], overrides={member.id: {REGION: override}})  # fmt: skip
    # WHEN the command writes the rollout and its script runs
    written = roll_out(aws, tmp_path, plan)
    # THEN there is an instance per region; the one in the override's region carries both VPCs
    assert_written_stack_set(aws, "rollout-two-vpcs", written)
    found = instances(aws, "rollout-two-vpcs")
    assert set(found) == {(member.id, REGION), (member.id, R2)}
    assert parameters(found[member.id, REGION]["ParameterOverrides"]) == {
        "AdditionalVpcId1": second, "CreateResources": "true", "VpcId": first
    }  # fmt: skip
    # AND its stack holds two flow logs, the account and region exactly these: one per VPC, to the
    # archive's subfolder, with the plan's traffic type
    stack_id = found[member.id, REGION]["StackId"]
    logged = flow_logs(member)
    assert set(logged) == {first, second}
    for vpc in (first, second):
        assert_delivers_to_the_archive(logged[vpc], vpc, archive_bucket_arn, traffic="REJECT")
    assert stack_resources(member, stack_id) == {
        "FlowLog": logged[first]["FlowLogId"], "FlowLogAdditionalVpc1": logged[second]["FlowLogId"]
    }  # fmt: skip
    assert outputs(member.aws.stack(stack_id))["FlowLogId"] == logged[first]["FlowLogId"]
    # AND each flow log carries the name of the stack that made it, so the audit says who made it
    stack_name = stack_id.split("/")[1]
    for vpc in (first, second):
        assert {tag["Key"]: tag["Value"] for tag in logged[vpc]["Tags"]}[STACK_MARK] == stack_name
    done = audit("--accounts", member.id, "--regions", REGION, "--format", "json")
    made = {
        log["flow_log_id"]: (log["made_by"], log["made_by_detail"]) for row in done.rows() for log in row["flow_logs"]
    }
    assert made == {logged[vpc]["FlowLogId"]: ("stack", stack_name) for vpc in (first, second)}
    # AND the instance without an override created nothing: no flow log in its region
    other = found[member.id, R2]
    assert other["ParameterOverrides"] == []
    assert flow_logs(member, R2) == {}
    assert stack_resources(member, other["StackId"], R2) == {}


def update_only(script: str, account: str, region: str) -> str:
    """rollout.sh's preamble and its update-stack-instances for one account and region: how a
    changed override is rolled out to a StackSet that exists (create-stack-set would fail)."""
    preamble, *commands = script.split("\n\n")
    (update,) = [command for command in commands if command.startswith(f"# {account} in {region}:")]
    return f"{preamble}\n\n{update}\n"


def roll_out_override(aws: Aws, workdir: Path, plan: dict[str, Any], account: str, into: str) -> list[dict[str, str]]:
    """`cfn-flowlogs rollout` of the changed plan into `into/`, then its update of the account's
    instance in REGION, as written; the override file it wrote."""
    (workdir / "plan.yaml").write_text(yaml.safe_dump(plan))
    run([str(BIN / "cfn-flowlogs"), "rollout", "plan.yaml", "-o", into], aws, workdir)
    written = workdir / into
    (written / "update.sh").write_text(update_only((written / "rollout.sh").read_text(), account, REGION))
    run(["bash", f"{into}/update.sh"], aws, workdir)
    overrides: list[dict[str, str]] = json.loads((written / f"overrides-{account}-{REGION}.json").read_text())
    return overrides


def test_clearing_the_second_vpc_keeps_the_first_flow_log(
    aws: Aws, org: Organization, archive_bucket_arn: str, tmp_path: Path
):
    # GIVEN an account whose stack instance logs two VPCs, rolled out from a plan
    member = new_account(aws, "stackset-clear-vpc")
    first, second = two_vpcs(member)
    override = {"vpc_id": first, "additional_vpc_ids": [second]}
    plan = rollout_plan("rollout-clear-vpc", archive_bucket_arn, accounts=[member.id],
                        overrides={member.id: {REGION: dict(override)}})  # fmt: skip
    roll_out(aws, tmp_path, plan)
    before = flow_logs(member)
    assert set(before) == {first, second}
    # WHEN the plan drops the second VPC and the rollout's update of that instance runs
    del plan["overrides"][member.id][REGION]["additional_vpc_ids"]
    overrides = roll_out_override(aws, tmp_path, plan, member.id, "cleared")
    # THEN the override no longer names AdditionalVpcId1 (so AWS sets it back to the StackSet's
    # empty value), and the instance carries it
    assert parameters(overrides) == {"CreateResources": "true", "VpcId": first}
    instance = instances(aws, "rollout-clear-vpc")[member.id, REGION]
    assert instance["ParameterOverrides"] == overrides
    # AND the first VPC's flow log is the same one; the second's is deleted, and so is its resource
    after = flow_logs(member)
    assert set(after) == {first} and after[first]["FlowLogId"] == before[first]["FlowLogId"]
    assert stack_resources(member, instance["StackId"]) == {"FlowLog": before[first]["FlowLogId"]}
    # WHEN the second VPC is put back THEN it has a flow log again (a new one), the first the same
    plan["overrides"][member.id][REGION] = override
    roll_out_override(aws, tmp_path, plan, member.id, "restored")
    restored = flow_logs(member)
    assert set(restored) == {first, second} and restored[first]["FlowLogId"] == before[first]["FlowLogId"]
    assert restored[second]["FlowLogId"] != before[second]["FlowLogId"]
    assert_delivers_to_the_archive(restored[second], second, archive_bucket_arn)


def test_rollout_with_the_enrolment_as_written(aws: Aws, org: Organization, archive_bucket_arn: str, tmp_path: Path):
    # GIVEN an OU of its own with an account that has a VPC in each of two regions, and a
    # service-managed plan for it with the enrolment (the default) and no override at all
    root = aws("organizations", "list-roots")["Roots"][0]["Id"]
    unit = aws("organizations", "create-organizational-unit", "--parent-id", root, "--name", "enrolled")
    member = new_account(aws, "stackset-enrolled")
    aws("organizations", "move-account", "--account-id", member.id, "--source-parent-id", root,
        "--destination-parent-id", unit["OrganizationalUnit"]["Id"])  # fmt: skip
    sessions = {region: isolated_session(member.aws.home, region_name=region,
                                         aws_access_key_id=member.aws.env["AWS_ACCESS_KEY_ID"],
                                         aws_secret_access_key=member.aws.env["AWS_SECRET_ACCESS_KEY"],
                                         aws_session_token=member.aws.env["AWS_SESSION_TOKEN"])
                for region in (REGION, R2)}  # fmt: skip

    def client(service: str, region: str = REGION) -> Any:
        return sessions[region].client(service, endpoint_url=aws.endpoint)  # type: ignore[call-overload]

    vpcs = {region: client("ec2", region).create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"] for region in sessions}
    plan = rollout_plan("rollout-enrolled", archive_bucket_arn, regions=(REGION, R2), enrolment=True,
                        organizational_units=[unit["OrganizationalUnit"]["Id"]])  # fmt: skip
    # WHEN the management account writes the rollout and runs its script
    written = roll_out(aws, tmp_path, plan)
    # THEN the role's StackSet has one instance per account, in the first region, and the account has the role
    assert set(instances(aws, "rollout-enrolled-enrolment-role")) == {(member.id, REGION)}
    role = client("iam").get_role(RoleName="cfn-flowlogs-enrolment")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    # AND the StackSet has an instance in each region, each with the enrolment's function and triggers in the
    # account, and no flow log of its own (moto keeps a service-managed instance's stack to itself: its
    # resources are looked up)
    assert_written_stack_set(aws, "rollout-enrolled", written)
    assert set(instances(aws, "rollout-enrolled")) == {(member.id, REGION), (member.id, R2)}
    for region in sessions:
        assert [f for f in client("lambda", region).list_functions()["Functions"]
                if "EnrolmentFunction" in f["FunctionName"]]  # fmt: skip
        rules = client("events", region).list_rules()["Rules"]
        assert {r["ScheduleExpression"] for r in rules if "EnrolmentSweep" in r["Name"]} == {"rate(10 minutes)"}
        assert client("ec2", region).describe_flow_logs()["FlowLogs"] == []
    # WHEN the function of the second region sweeps (moto runs no Lambda: its handler, here)
    result = sweep(aws, lambda service: client(service, R2), "rollout-enrolled")
    # THEN the VPC of that region has the organization's flow log, to the archive (and so has the region's
    # default VPC); the first region's has none yet
    assert result["results"][vpcs[R2]].startswith("created ")
    (flow_log,) = client("ec2", R2).describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpcs[R2]]}])[
        "FlowLogs"]  # fmt: skip
    assert_delivers_to_the_archive(flow_log, vpcs[R2], archive_bucket_arn)
    assert client("ec2").describe_flow_logs()["FlowLogs"] == []
