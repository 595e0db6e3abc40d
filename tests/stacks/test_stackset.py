"""Several VPCs per stack: the StackSet template's slots, its Parameters, and further VPCs in
compiled templates (additional_vpc_ids)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from troposphere import Parameter, Ref, Template

from cfn_flowlogs import ConfigError, FlowLogsConfig, build_template, to_json, to_yaml
from cfn_flowlogs.compiler.limits import MAX_INLINE_BODY_BYTES
from cfn_flowlogs.stacks.library import add_flow_logs, nested_stack, stack_parameters
from cfn_flowlogs.stacks.stackset import SLOTS, SPECS, build_stackset_template, stackset_parameters

from ..cfn_eval import created_resources, evaluate, failed_rules, parameter_values
from ..conftest import rendered

VPC = "vpc-0123456789abcdef0"
MORE = ["vpc-0aaaaaaa", "vpc-0bbbbbbb", "vpc-0ccccccc"]
TGW = "tgw-0123456789abcdef0"
BUCKET_ARN = "arn:aws:s3:::example-flow-logs"
SLOT_NUMBERS = range(1, SLOTS + 1)
# What a Condition may hold: AWS documents only Ref, Fn::FindInMap and condition functions inside
# Fn::Equals, and the condition functions themselves; this template needs no mapping.
CONDITION_KEYS = {"Ref", "Condition", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"}


@pytest.fixture(scope="module")
def stackset() -> dict[str, Any]:
    """The StackSet template as CloudFormation reads it (JSON round trip)."""
    return json.loads(to_json(build_stackset_template()))


def custom_bucket(**kwargs: Any) -> FlowLogsConfig:
    """A config the StackSet template can deploy: one VPC to a bucket of your own."""
    return FlowLogsConfig(
        **{"vpc_id": VPC, "log_destination_type": "s3", "enable_custom_s3_destination": True, "s3_bucket": BUCKET_ARN,
           **kwargs}
    )  # fmt: skip


def keys_in(expr: Any) -> set[str]:
    """Every key of every object in an expression: the functions it uses."""
    if isinstance(expr, list):
        return set().union(*(keys_in(item) for item in expr))
    if isinstance(expr, dict):
        return set(expr).union(*(keys_in(value) for value in expr.values()))
    return set()


# --- the StackSet template ------------------------------------------------------------------------


def test_its_parameters_are_exactly_the_specs(stackset):
    assert SLOTS == 9
    assert sorted(stackset["Parameters"]) == sorted(spec.parameter for spec in SPECS)
    assert {f"AdditionalVpcId{n}" for n in SLOT_NUMBERS} <= set(stackset["Parameters"])


def test_it_creates_flow_logs_and_the_enrolment_only_so_it_needs_no_capability(stackset):
    # no role, key, data log group or bucket: no IAM capability; flow logs, and the enrolment's
    # function with its own log group, status and triggers (its role comes from another template)
    types = {resource["Type"] for resource in stackset["Resources"].values()}
    assert not [t for t in types if t.startswith(("AWS::IAM::", "AWS::KMS::", "AWS::S3::"))], types
    assert set(stackset["Resources"]) == {
        "FlowLog",
        *(f"FlowLogAdditionalVpc{n}" for n in SLOT_NUMBERS),
        "NothingToCreate",
        "EnrolmentFunction", "EnrolmentLogGroup", "EnrolmentStatus", "EnrolmentOnVpcEvents",
        "EnrolmentOnVpcEventsPermission", "EnrolmentSweep", "EnrolmentSweepPermission",
    }  # fmt: skip
    enrolment = {name for name, r in stackset["Resources"].items() if name.startswith("Enrolment")}
    assert {stackset["Resources"][name]["Condition"] for name in enrolment} == {"EnrolVpcsEnabled"}
    assert len(to_yaml(build_stackset_template()).encode()) <= MAX_INLINE_BODY_BYTES  # rollout.sh's --template-body


@pytest.mark.parametrize("n", SLOT_NUMBERS)
def test_each_slot_is_its_own_flow_log_like_the_targets(stackset, n):
    resources, conditions = stackset["Resources"], stackset["Conditions"]
    slot = resources[f"FlowLogAdditionalVpc{n}"]
    assert slot["Condition"] == f"LogAdditionalVpc{n}"
    assert conditions[f"LogAdditionalVpc{n}"] == {
        "Fn::And": [{"Condition": "CreateResourcesEnabled"}, {"Condition": f"HasAdditionalVpcId{n}"}]
    }
    assert conditions[f"HasAdditionalVpcId{n}"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": f"AdditionalVpcId{n}"}, ""]}]}
    properties = slot["Properties"]
    assert properties["ResourceId"] == {"Ref": f"AdditionalVpcId{n}"} and properties["ResourceType"] == "VPC"
    assert properties["TrafficType"] == {"Ref": "TrafficType"}
    # the same destination, format and interval as the target's flow log
    target = resources["FlowLog"]["Properties"]
    differ = ("ResourceId", "ResourceType", "TrafficType")
    assert {k: v for k, v in properties.items() if k not in differ} == {
        k: v for k, v in target.items() if k not in differ
    }
    assert slot.get("DependsOn") == resources["FlowLog"].get("DependsOn")


def test_conditions_use_only_the_functions_aws_documents_for_them(stackset):
    for name, condition in stackset["Conditions"].items():
        assert keys_in(condition) <= CONDITION_KEYS, (name, keys_in(condition) - CONDITION_KEYS)


def test_rules_refuse_slots_with_a_transit_gateway_and_know_the_destination_is_fixed(stackset):
    rules = stackset["Rules"]
    # the delivery is folded in: no Rule asks about it any more
    assert "EnableCustomS3Destination" not in json.dumps(rules) and "LogDestinationType" not in json.dumps(rules)
    empty_slots = {"Fn::And": [{"Fn::Equals": [{"Ref": f"AdditionalVpcId{n}"}, ""]} for n in SLOT_NUMBERS]}
    assert empty_slots in [a["Assert"] for a in rules["TransitGatewayFlowLogs"]["Assertions"]]


GOOD = {"VpcId": VPC, "S3Bucket": BUCKET_ARN}
TRANSIT_GATEWAY = {"TransitGatewayId": TGW, "MaxAggregationInterval": "60", "S3Bucket": BUCKET_ARN}


@pytest.mark.parametrize(
    ("parameters", "failed"),
    [
        pytest.param(GOOD, [], id="vpc"),
        pytest.param({**GOOD, **{f"AdditionalVpcId{n}": f"vpc-0{n:07x}" for n in SLOT_NUMBERS}}, [], id="every-slot"),
        pytest.param({**GOOD, "AdditionalVpcId2": MORE[0], "SubnetId": "subnet-0123"}, ["ExactlyOneTarget"],
                     id="two-targets"),
        pytest.param({"VpcId": VPC}, ["CustomBucketWithS3"], id="no-bucket"),
        pytest.param(TRANSIT_GATEWAY, [], id="transit-gateway"),
        pytest.param({**TRANSIT_GATEWAY, "AdditionalVpcId3": MORE[0]}, ["TransitGatewayFlowLogs"],
                     id="transit-gateway-and-a-slot"),
        pytest.param({"CreateResources": "false", "S3Bucket": BUCKET_ARN, "AdditionalVpcId1": MORE[0]}, [],
                     id="nothing-to-create"),
    ],
)  # fmt: skip
def test_rules_at_deploy_time(stackset, parameters, failed):
    assert failed_rules(stackset, parameters) == failed


def slot_vpcs(template: dict[str, Any], parameters: dict[str, str]) -> dict[str, str]:
    """Each created slot flow log -> the VPC it logs, for these Parameter values."""
    values = parameter_values(template, parameters)
    resources = template["Resources"]
    return {
        name: evaluate(resources[name]["Properties"]["ResourceId"], values, {}, {})
        for name in created_resources(template, parameters)
        if name.startswith("FlowLogAdditionalVpc")
    }


THREE_SLOTS = {**GOOD, **{f"AdditionalVpcId{n}": vpc for n, vpc in enumerate(MORE, 1)}}


@pytest.mark.parametrize(
    ("parameters", "created"),
    [
        pytest.param({**THREE_SLOTS, "CreateResources": "false"}, {"NothingToCreate"}, id="create-resources-false"),
        pytest.param(GOOD, {"FlowLog"}, id="vpc-only"),
        pytest.param({**GOOD, "AdditionalVpcId1": MORE[0], "AdditionalVpcId2": MORE[1]},
                     {"FlowLog", "FlowLogAdditionalVpc1", "FlowLogAdditionalVpc2"}, id="vpc-and-two-slots"),
        pytest.param({**GOOD, "AdditionalVpcId9": MORE[0]}, {"FlowLog", "FlowLogAdditionalVpc9"}, id="last-slot"),
    ],
)  # fmt: skip
def test_what_an_instance_creates(stackset, parameters, created):
    assert created_resources(stackset, parameters) == created


def test_clearing_a_slot_leaves_the_others_alone(stackset):
    # GIVEN three slots in use
    before = slot_vpcs(stackset, THREE_SLOTS)
    assert before == {f"FlowLogAdditionalVpc{n}": vpc for n, vpc in enumerate(MORE, 1)}
    # WHEN slot 2 is cleared THEN only its flow log goes: slots 1 and 3 keep their logical IDs and VPCs
    after = slot_vpcs(stackset, {**THREE_SLOTS, "AdditionalVpcId2": ""})
    assert after == {k: v for k, v in before.items() if k != "FlowLogAdditionalVpc2"}
    assert "FlowLog" in created_resources(stackset, {**THREE_SLOTS, "AdditionalVpcId2": ""})


# --- stackset_parameters --------------------------------------------------------------------------


def cloudwatch_with_retention() -> FlowLogsConfig:
    # a config may set cloudwatch_log_retention only with CloudWatch Logs, which the template folds out
    return FlowLogsConfig(vpc_id=VPC, cloudwatch_log_retention=30)


@pytest.mark.parametrize(
    ("make", "name", "allowed"),
    [
        pytest.param(lambda: FlowLogsConfig(vpc_id=VPC), "log_destination_type", "must be s3 (the StackSet template",
                     id="cloud-watch-logs"),
        pytest.param(cloudwatch_with_retention, "log_destination_type", "must be s3", id="cloudwatch-log-retention"),
        pytest.param(lambda: FlowLogsConfig(vpc_id=VPC, log_destination_type="s3"), "enable_custom_s3_destination",
                     "must be true", id="created-bucket"),
        pytest.param(lambda: custom_bucket(use_managed_iam_policies=False), "use_managed_iam_policies",
                     "left at its default for the StackSet template", id="input-it-has-not"),
        pytest.param(lambda: custom_bucket(kms_key_prefix="alias/mine"), "kms_key_prefix",
                     "left at its default for the StackSet template", id="key-prefix"),
        pytest.param(lambda: custom_bucket(additional_vpc_ids=[f"vpc-0{i:07x}" for i in range(SLOTS + 1)]),
                     "additional_vpc_ids", f"at most {SLOTS} VPCs", id="ten-more-vpcs"),
        # the query layer is compile time only (FlowLogsConfig.compile_time_only names the StackSet)
        pytest.param(lambda: custom_bucket(create_athena_table=True), "create_athena_table", "left at its default",
                     id="query-layer"),
    ],
)  # fmt: skip
def test_stackset_parameters_refuse_what_the_template_cannot_do(make, name, allowed):
    config = make()
    with pytest.raises(ConfigError) as caught:
        stackset_parameters(config)
    assert caught.value.name == name and allowed in str(caught.value), str(caught.value)


def test_stackset_parameters_give_every_parameter_slots_in_order():
    parameters = stackset_parameters(custom_bucket(additional_vpc_ids=MORE[:2], traffic_type="ALL"))
    # every Parameter: a StackSet instance overrides only Parameters the StackSet specifies
    assert sorted(parameters) == sorted(spec.parameter for spec in SPECS)
    assert all(isinstance(value, str) for value in parameters.values()), parameters
    assert [parameters[f"AdditionalVpcId{n}"] for n in SLOT_NUMBERS] == [*MORE[:2], *[""] * (SLOTS - 2)]
    assert {k: parameters[k] for k in ("VpcId", "SubnetId", "S3Bucket", "TrafficType", "CreateResources")} == {
        "VpcId": VPC, "SubnetId": "", "S3Bucket": BUCKET_ARN, "TrafficType": "ALL", "CreateResources": "true"
    }  # fmt: skip


def test_stackset_parameters_deploy_what_the_config_says(stackset):
    parameters = stackset_parameters(custom_bucket(additional_vpc_ids=MORE))
    assert failed_rules(stackset, parameters) == []
    assert slot_vpcs(stackset, parameters) == {f"FlowLogAdditionalVpc{n}": vpc for n, vpc in enumerate(MORE, 1)}


# --- compiled templates: additional_vpc_ids -------------------------------------------------------


def flow_logs(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == "AWS::EC2::FlowLog"}


def test_each_further_vpc_gets_a_flow_log_named_by_its_id_whatever_the_order():
    # GIVEN a created bucket emptied on delete: the flow logs wait for its policy and emptier
    settings = {"vpc_id": VPC, "log_destination_type": "s3", "force_destroy_bucket": True}
    template = rendered(FlowLogsConfig(**settings, additional_vpc_ids=MORE[:2]))
    logs = flow_logs(template)
    assert set(logs) == {"FlowLog", "FlowLogVpc0aaaaaaa", "FlowLogVpc0bbbbbbb"}
    main = logs["FlowLog"]
    assert main["DependsOn"]  # something to wait for, so the check below can tell
    for name, vpc in (("FlowLogVpc0aaaaaaa", MORE[0]), ("FlowLogVpc0bbbbbbb", MORE[1])):
        properties = logs[name]["Properties"]
        assert (properties["ResourceType"], properties["ResourceId"]) == ("VPC", vpc)
        assert properties["LogDestination"] == main["Properties"]["LogDestination"]
        assert logs[name]["DependsOn"] == main["DependsOn"]
    # AND the list reordered gives the same template: no flow log is replaced
    assert rendered(FlowLogsConfig(**settings, additional_vpc_ids=MORE[1::-1])) == template


def test_an_expression_is_named_by_its_position():
    template = Template()
    other = template.add_parameter(Parameter("OtherVpc", Type="AWS::EC2::VPC::Id"))
    handles = add_flow_logs(template, FlowLogsConfig(vpc_id=VPC, additional_vpc_ids=[MORE[0], Ref(other)]))
    assert [f.title for f in handles.more_flow_logs] == ["FlowLogVpc0aaaaaaa", "FlowLogAdditionalVpc2"]
    assert all(template.resources[f.title] is f for f in handles.more_flow_logs)
    assert handles.more_flow_logs[1].to_dict()["Properties"]["ResourceId"] == {"Ref": "OtherVpc"}


def test_add_flow_logs_returns_no_further_flow_logs_without_further_vpcs():
    assert add_flow_logs(Template(), FlowLogsConfig(vpc_id=VPC)).more_flow_logs == ()


CROSS = {
    "vpc_id": VPC,
    "log_destination_type": "kinesis-data-firehose",
    "kinesis_firehose_arn": "arn:${AWS::Partition}:firehose:${AWS::Region}:111122223333:deliverystream/central",
    "deliver_cross_account_role": "arn:${AWS::Partition}:iam::111122223333:role/AWSLogDeliveryFirehoseCrossAccountRole",
}


def test_firehose_across_accounts_lets_the_source_role_be_passed_for_every_vpc():
    template = rendered(FlowLogsConfig(**CROSS, additional_vpc_ids=MORE[:2]))
    document = template["Resources"]["FirehoseSourceRolePolicy"]["Properties"]["PolicyDocument"]
    (passing,) = [s for s in document["Statement"] if s["Sid"] == "PassToLogDeliveryForTarget"]
    assert passing["Condition"]["StringLike"]["iam:AssociatedResourceARN"] == [
        {"Fn::Sub": f"arn:${{AWS::Partition}}:ec2:${{AWS::Region}}:${{AWS::AccountId}}:vpc/{vpc}"}
        for vpc in (VPC, *MORE[:2])
    ]
    for name, resource in flow_logs(template).items():
        assert resource["DependsOn"] == ["FirehoseSourceRolePolicy"], name
        assert resource["Properties"]["DeliverLogsPermissionArn"] == {"Fn::GetAtt": ["FirehoseSourceRole", "Arn"]}


# --- the shipped template logs one target ---------------------------------------------------------


def test_the_shipped_template_has_no_further_vpcs(shipped):
    assert not [p for p in shipped["Parameters"] if p.startswith("AdditionalVpc")]
    assert set(flow_logs(shipped)) == {"FlowLog"}


@pytest.mark.parametrize(
    "use",
    [
        pytest.param(stack_parameters, id="stack-parameters"),
        pytest.param(lambda config: stack_parameters(config, changed_only=False), id="stack-parameters-all"),
        pytest.param(lambda config: nested_stack("FlowLogs", "vpc-flow-logs.yaml", config), id="nested-stack"),
        pytest.param(lambda config: build_template(config, parameterized=True), id="parameterized"),
    ],
)
def test_the_shipped_template_refuses_further_vpcs_instead_of_dropping_them(use):
    with pytest.raises(ConfigError) as caught:
        use(FlowLogsConfig(vpc_id=VPC, additional_vpc_ids=MORE[:1]))
    assert caught.value.name == "additional_vpc_ids", str(caught.value)
