"""One code path, two kinds of template: the shipped template, given a config's values as
Parameters, creates exactly what the specialized template for that config creates, and its
Rules reject at deploy time what the Python validation rejects at compile time."""

from __future__ import annotations

import json

import pytest
import yaml
from cfn_flip import to_json as yaml_to_json

from cfn_flowlogs import ConfigError, FlowLogsConfig
from cfn_flowlogs.audit.rollout import TEMPLATE_FILE, parse_plan, render_rollout
from cfn_flowlogs.compiler import naming
from cfn_flowlogs.config.inputs import INPUTS

from ..cfn_eval import condition, created_resources, failed_rules, parameter_values
from ..conftest import ROOT, rendered
from ..matrix import EXTRAS, FIREHOSE_ARN, matrix


def as_parameters(config: FlowLogsConfig) -> dict[str, str]:
    values = config.values()
    out = {}
    for spec in INPUTS:
        value = values[spec.name]
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, tuple):
            text = ",".join(value)
        elif value is None:
            # a Number's null is AWS's default; a null traffic type (transit gateways) its default
            text = {"kms_key_deletion_window_in_days": "30", "traffic_type": "REJECT"}.get(spec.name, "")
        else:
            text = str(value)
        out[spec.parameter] = text
    return out


CASES = matrix() + [
    {k: v for k, v in e.items() if k not in ("custom_tags", "additional_s3_bucket_policy_statements")} for e in EXTRAS
]


@pytest.mark.parametrize("values", CASES)
def test_shipped_template_creates_what_the_specialized_one_does(shipped, values):
    config = FlowLogsConfig(**values)
    parameters = as_parameters(config)
    specialized = rendered(config)
    assert created_resources(shipped, parameters) == set(specialized.get("Resources", {}))
    assert failed_rules(shipped, parameters) == []
    outputs = {
        name
        for name, output in shipped["Outputs"].items()
        if condition(output["Condition"], parameter_values(shipped, parameters), shipped["Conditions"], {})
    }
    assert outputs == set(specialized.get("Outputs", {}))


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({}, "ExactlyOneTarget"),
        ({"VpcId": "vpc-01234567", "SubnetId": "subnet-01234567"}, "ExactlyOneTarget"),
        ({"VpcId": "vpc-01234567", "LogDestinationType": "kinesis-data-firehose"}, "FirehoseArnWithFirehose"),
        ({"VpcId": "vpc-01234567", "KinesisFirehoseArn": FIREHOSE_ARN}, "FirehoseArnWithFirehose"),
        (
            {"VpcId": "vpc-01234567", "EnableCustomS3Destination": "true", "LogDestinationType": "s3"},
            "CustomBucketWithS3",
        ),
        (
            {"VpcId": "vpc-01234567", "EnableCustomS3Destination": "true", "S3Bucket": "arn:aws-cn:s3:::b"},
            "CustomBucketWithS3",
        ),
        (
            {"VpcId": "vpc-01234567", "S3Bucket": "arn:aws-cn:s3:::b", "LogDestinationType": "s3"},
            "S3BucketOnlyWithCustomDestination",
        ),
        ({"VpcId": "vpc-01234567", "FileFormat": "parquet"}, "DestinationOptionsOnlyWithS3"),
        ({"VpcId": "vpc-01234567", "HiveCompatiblePartitions": "true"}, "DestinationOptionsOnlyWithS3"),
    ],
)
def test_rules_reject_impossible_deployments(shipped, overrides, rule):
    assert rule in failed_rules(shipped, overrides)


def test_rules_let_create_resources_false_through(shipped):
    assert failed_rules(shipped, {"CreateResources": "false"}) == []
    assert created_resources(shipped, {"CreateResources": "false"}) == {naming.PLACEHOLDER}


@pytest.mark.parametrize("values", CASES)
def test_a_stack_never_has_no_resource(shipped, values):
    # GIVEN any configuration of the matrix, as the shipped template's Parameters
    config = FlowLogsConfig(**values)
    created = created_resources(shipped, as_parameters(config))
    # THEN CloudFormation has at least one resource to create ("At least one Resources member must be
    # defined"), and with create_resources off, nothing but the free placeholder
    assert created
    assert (created == {naming.PLACEHOLDER}) is (not config.create_resources)
    assert (naming.PLACEHOLDER in created) is (not config.create_resources)


ENROLMENT = {naming.ENROLMENT_FUNCTION, naming.ENROLMENT_LOG_GROUP, naming.ENROLMENT_STATUS, naming.ENROLMENT_SWEEP,
             naming.ENROLMENT_ON_EVENTS, naming.ENROLMENT_SWEEP + "Permission",
             naming.ENROLMENT_ON_EVENTS + "Permission"}  # fmt: skip


@pytest.mark.parametrize(("plan_file", "expected"), [("plan.yaml", {naming.PLACEHOLDER, *ENROLMENT}),
                                                     ("plan-slots.yaml", {naming.PLACEHOLDER})])  # fmt: skip
def test_the_rollouts_default_instance_creates_no_flow_log(shipped, plan_file, expected):
    # GIVEN the StackSet's own parameters.json (every instance without an override runs on it)
    plan = parse_plan(yaml.safe_load((ROOT / "examples/rollout" / plan_file).read_text(encoding="utf-8")))
    files = render_rollout(plan)
    defaults = {p["ParameterKey"]: p["ParameterValue"] for p in json.loads(files["parameters.json"])}
    template = json.loads(yaml_to_json(files[TEMPLATE_FILE]))  # the short forms read as CloudFormation does
    # THEN its Rules pass and it creates no flow log of its own: the placeholder, and the enrolment if on
    assert failed_rules(template, defaults) == []
    assert created_resources(template, defaults) == expected


@pytest.mark.parametrize(
    "overrides",
    [
        {"vpc_id": "vpc-01234567", "subnet_id": "subnet-01234567"},
        {"vpc_id": "vpc-01234567", "log_destination_type": "kinesis-data-firehose"},
        {"vpc_id": "vpc-01234567", "destination_options": {"file_format": "parquet"}},
    ],
)
def test_python_rejects_what_rules_reject(overrides):
    with pytest.raises(ConfigError):
        FlowLogsConfig(**overrides)


@pytest.mark.parametrize(
    ("overrides", "fails"),
    [
        ({"TransitGatewayId": "tgw-0123456789abcdef0"}, True),  # interval 600
        ({"TransitGatewayId": "tgw-0123456789abcdef0", "MaxAggregationInterval": "60"}, False),
        (
            {
                "TransitGatewayAttachmentId": "tgw-attach-0123456789abcdef0",
                "MaxAggregationInterval": "60",
                "TrafficType": "ALL",
            },
            True,
        ),
        (
            {"TransitGatewayId": "tgw-0123456789abcdef0", "MaxAggregationInterval": "60", "CreateResources": "false"},
            False,
        ),
    ],
)
def test_transit_gateway_rule(shipped, overrides, fails):
    assert ("TransitGatewayFlowLogs" in failed_rules(shipped, overrides)) is fails
