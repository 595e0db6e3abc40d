"""The enrolment in the StackSet template and its role's template, read as CloudFormation reads them:
the function's settings are the stack's flow-log properties, its code is the module the deploy tests
run, its triggers, its least-privilege role once per account, and the Rule that keeps the stack's
own VPC flow logs from meeting it."""

from __future__ import annotations

import ast
import importlib
import json
from typing import Any

import pytest

from cfn_flowlogs import to_json
from cfn_flowlogs.compiler import naming
from cfn_flowlogs.compiler.limits import MAX_INLINE_BODY_BYTES
from cfn_flowlogs.compiler.policies import ENROLMENT_MARK
from cfn_flowlogs.compiler.resources.enrolment import EVENTS, SETTINGS, SWEEP_MINUTES, inline_source
from cfn_flowlogs.config import marks
from cfn_flowlogs.output.render import to_yaml
from cfn_flowlogs.stacks.stackset import build_enrolment_role_template, build_stackset_template

from ..cfn_eval import created_resources, failed_rules
from ..checks import run_checks
from ..compiler.test_emptier import without_docstrings
from ..conftest import ROOT

enrol = importlib.import_module("cfn_flowlogs.lambda.enrol_vpcs")  # `lambda` is a keyword
SOURCE = ROOT / "cfn_flowlogs/lambda/enrol_vpcs.py"
BUCKET_ARN = "arn:aws:s3:::example-flow-logs"


@pytest.fixture(scope="module")
def stackset() -> dict[str, Any]:
    return json.loads(to_json(build_stackset_template()))


@pytest.fixture(scope="module")
def role() -> dict[str, Any]:
    return json.loads(to_json(build_enrolment_role_template()))


def test_the_functions_settings_are_the_stacks_own_flow_log_properties(stackset):
    # GIVEN the stack's flow log and the enrolment's function, as the template writes them
    resources = stackset["Resources"]
    flow_log = resources[naming.FLOW_LOG]["Properties"]
    variables = resources[naming.ENROLMENT_FUNCTION]["Properties"]["Environment"]["Variables"]
    # THEN each setting the function gets is the very expression the flow log has: they cannot disagree
    for name in SETTINGS:
        assert variables.get(name) == flow_log.get(name), name
    assert {k: variables[k] for k in flow_log["DestinationOptions"]} == flow_log["DestinationOptions"]
    # the traffic type of a VPC's flow log: the slots' (the target's is left out for a transit gateway)
    slot = resources[f"{naming.ADDITIONAL_FLOW_LOG}1"]["Properties"]
    assert variables["TrafficType"] == slot["TrafficType"] == {"Ref": "TrafficType"}
    # AND the destination is the archive's, as the stack's own flow logs deliver
    assert variables["LogDestinationType"] == "s3" and "S3Bucket" in json.dumps(variables["LogDestination"])


def test_its_code_is_the_module_the_deploy_tests_run_without_comments(stackset):
    code = stackset["Resources"][naming.ENROLMENT_FUNCTION]["Properties"]["Code"]["ZipFile"]
    assert code == inline_source()
    assert ast.dump(ast.parse(code)) == without_docstrings(ast.parse(SOURCE.read_text(encoding="utf-8")))
    assert "import cfn_flowlogs" not in code and "from cfn_flowlogs" not in code


def test_the_function_the_role_and_the_audit_spell_the_marks_alike():
    assert enrol.MARK == ENROLMENT_MARK == marks.ENROLMENT_MARK == "cfn-flowlogs:enrolment"
    assert enrol.OPT_OUT == marks.OPT_OUT == "cfn-flowlogs:opt-out"
    assert EVENTS[:2] == enrol.VPC_EVENTS


def test_it_runs_on_cloudtrails_vpc_events_and_on_a_sweep(stackset):
    resources = stackset["Resources"]
    events = resources[naming.ENROLMENT_ON_EVENTS]["Properties"]
    assert events["EventPattern"] == {
        "source": ["aws.ec2"], "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventSource": ["ec2.amazonaws.com"],
                   "eventName": ["CreateVpc", "CreateDefaultVpc", "DeleteFlowLogs"]},
    }  # fmt: skip
    sweep = resources[naming.ENROLMENT_SWEEP]["Properties"]
    # the design's bound (docs/evidence.md 5.2): a sweep every 10 minutes, a run of at most 5
    assert (sweep["ScheduleExpression"], SWEEP_MINUTES) == ("rate(10 minutes)", 10)
    for rule in (naming.ENROLMENT_ON_EVENTS, naming.ENROLMENT_SWEEP):
        (target,) = resources[rule]["Properties"]["Targets"]
        assert target["Arn"] == {"Fn::GetAtt": [naming.ENROLMENT_FUNCTION, "Arn"]} and "RoleArn" not in target
        permission = resources[rule + "Permission"]["Properties"]
        assert permission["SourceArn"] == {"Fn::GetAtt": [rule, "Arn"]}
        assert permission["Principal"] == "events.amazonaws.com"
    function = resources[naming.ENROLMENT_FUNCTION]["Properties"]
    # a sweep stops its margin before Lambda's timeout, so the next one goes on
    assert (function["Runtime"], function["Timeout"], enrol.MARGIN_MS) == ("python3.13", 300, 30_000)
    assert function["Role"]["Fn::Sub"][0] == "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Name}"


def test_the_template_stays_deployable_without_a_bucket(stackset):
    assert len(to_yaml(build_stackset_template()).encode()) < MAX_INLINE_BODY_BYTES


PARAMETERS = {"S3Bucket": BUCKET_ARN, "EnrolVpcs": "true"}


@pytest.mark.parametrize(
    ("given", "failed"),
    [
        pytest.param({}, [], id="enrolment-alone"),
        pytest.param({"VpcId": "vpc-0123456789abcdef0", "CreateResources": "true"}, ["EnrolmentCoversEveryVpc"],
                     id="and-a-vpc"),
        pytest.param({"AdditionalVpcId3": "vpc-0aaaaaaa"}, ["EnrolmentCoversEveryVpc"], id="and-a-slot"),
        pytest.param({"SubnetId": "subnet-0123456789abcdef0", "CreateResources": "true"}, [], id="and-a-subnet"),
        pytest.param({"EnrolVpcs": "false", "VpcId": "vpc-0123456789abcdef0", "CreateResources": "true"}, [],
                     id="slots-without-it"),
    ],
)  # fmt: skip
def test_with_the_enrolment_the_stack_makes_no_vpc_flow_log_of_its_own(stackset, given, failed):
    # GIVEN the instance's parameters WHEN CloudFormation checks its Rules THEN a VPC target or slot beside
    # the enrolment is refused (the two flow logs would be the same configuration: FlowLogAlreadyExists)
    parameters = {**PARAMETERS, "CreateResources": "false", **given}
    assert failed_rules(stackset, parameters) == failed
    if not failed and parameters["EnrolVpcs"] == "true":
        assert naming.ENROLMENT_FUNCTION in created_resources(stackset, parameters)


def statements_of(role: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (policy,) = role["Resources"][naming.ENROLMENT_ROLE]["Properties"]["Policies"]
    return {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}


def test_the_role_creates_only_marked_flow_logs_and_touches_no_other(role):
    statements = statements_of(role)
    flow_logs = {"Fn::Sub": "arn:${AWS::Partition}:ec2:*:${AWS::AccountId}:vpc-flow-log/*"}
    # a flow log it creates must carry the mark; tags on create only through CreateFlowLogs
    assert statements["CreateMarkedFlowLogs"]["Resource"] == [flow_logs]
    assert statements["CreateMarkedFlowLogs"]["Condition"] == {"StringLike": {f"aws:RequestTag/{ENROLMENT_MARK}": "*"}}
    assert statements["TagFlowLogsOnCreate"]["Condition"] == {"StringEquals": {"ec2:CreateAction": "CreateFlowLogs"}}
    # it deletes or retags only flow logs that carry the mark
    managed = statements["ManageMarkedFlowLogs"]
    assert sorted(managed["Action"]) == ["ec2:CreateTags", "ec2:DeleteFlowLogs", "ec2:DeleteTags"]
    assert managed["Condition"] == {"StringLike": {f"aws:ResourceTag/{ENROLMENT_MARK}": "*"}}
    # nothing else may change EC2; what is on "*" only reads (or has no resource-level permission)
    for sid, statement in statements.items():
        ec2 = [a for a in statement["Action"] if a.startswith("ec2:")]
        if sid not in ("CreateFlowLogsOfVpcs", "CreateMarkedFlowLogs", "TagFlowLogsOnCreate", "ManageMarkedFlowLogs"):
            assert all(a.startswith("ec2:Describe") for a in ec2), sid
        if statement["Resource"] == ["*"]:
            assert sid in ("DescribeVpcsAndFlowLogs", "ListTrails", "ManageLogDelivery"), sid


def test_the_role_is_named_once_per_account_and_reads_only_its_stack_sets_stacks(role):
    properties = role["Resources"][naming.ENROLMENT_ROLE]["Properties"]
    assert properties["RoleName"] == {"Ref": "RoleName"}
    assert properties["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    statements = statements_of(role)
    stacks = json.dumps(statements["ReadEnrolmentStacks"]["Resource"])
    assert "stack/${Stacks}/*" in stacks and "StackSet-${Name}-*" in stacks
    assert "/aws/lambda/${Stacks}-enrolment:*" in json.dumps(statements["WriteFunctionLogs"]["Resource"])
    assert "parameter/cfn-flowlogs/enrolment/${Stacks}" in json.dumps(statements["WriteEnrolmentStatus"]["Resource"])


@pytest.mark.parametrize("which", ["stackset", "role"])
def test_both_templates_lint_clean_and_pass_the_projects_checks(which, stackset, role, linted):
    template = stackset if which == "stackset" else role
    text = json.dumps(template)
    assert linted(text) == [] and "arn:aws:" not in text
    assert run_checks(template) == []
