"""The library inside a user's own troposphere template: `add_flow_logs` inline, `nested_stack`
for the shipped template. Deployed for real in tests/aws/test_nested.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from troposphere import GetAtt, Join, Output, Parameter, Ref, Template, encode_to_dict
from troposphere.ec2 import VPC, Subnet

from cfn_flowlogs import ConfigError, FlowLogsConfig, add_flow_logs, lint, nested_stack, to_json

from ..matrix import KEY_ARN


def users_template() -> tuple[Template, VPC, Subnet]:
    """GIVEN a user's template with a VPC and a subnet of its own."""
    template = Template(Description="a user's network")
    vpc = template.add_resource(VPC("Vpc", CidrBlock="10.0.0.0/16"))
    subnet = template.add_resource(Subnet("Subnet", VpcId=Ref(vpc), CidrBlock="10.0.1.0/24"))
    return template, vpc, subnet


def as_json(value: Any) -> Any:
    """A template, resource or expression as CloudFormation reads it."""
    if isinstance(value, Template):
        return json.loads(to_json(value))
    return json.loads(json.dumps(encode_to_dict(value)))


NAMED = {"AWS::Logs::LogGroup": "LogGroupName", "AWS::KMS::Alias": "AliasName"}


def generated_names(template: dict[str, Any]) -> list[Any]:
    """The physical names the template makes up: log group names and key alias names."""
    return [r["Properties"][NAMED[r["Type"]]] for r in template["Resources"].values() if r["Type"] in NAMED]


# --- add_flow_logs ----------------------------------------------------------------------------


def test_two_prefixes_on_one_template_never_collide():
    template, vpc, subnet = users_template()
    # WHEN flow logs are added twice, for the VPC and the subnet, with different prefixes
    first = add_flow_logs(template, FlowLogsConfig(vpc_id=Ref(vpc)), prefix="Vpc")
    second = add_flow_logs(template, FlowLogsConfig(subnet_id=Ref(subnet)), prefix="Subnet")
    rendered = as_json(template)
    # THEN each set's logical IDs, Outputs and export names carry its own prefix
    for handles, prefix in ((first, "Vpc"), (second, "Subnet")):
        assert all(title.startswith(prefix + "FlowLog") for title in handles.logical_ids.values())
    outputs = rendered["Outputs"]
    assert len(outputs) == 8 and {name[:3] for name in outputs} == {"Vpc", "Sub"}
    exports = [output["Export"]["Name"]["Fn::Sub"] for output in outputs.values()]
    assert sorted(exports) == sorted(f"${{AWS::StackName}}-{name}" for name in outputs)
    # AND the generated log group and alias names differ
    names = generated_names(rendered)
    assert len(names) == 4 and len({json.dumps(name) for name in names}) == 4
    # AND the whole template lints clean
    assert [str(finding) for finding in lint(template)] == []


def test_no_prefix_and_a_prefix_do_not_collide_either():
    template, vpc, subnet = users_template()
    add_flow_logs(template, FlowLogsConfig(vpc_id=Ref(vpc)))
    add_flow_logs(template, FlowLogsConfig(subnet_id=Ref(subnet)), prefix="Subnet")
    names = generated_names(as_json(template))
    assert len({json.dumps(name) for name in names}) == len(names) == 4
    assert lint(template) == []


def test_the_same_prefix_twice_is_refused():
    template, vpc, subnet = users_template()
    add_flow_logs(template, FlowLogsConfig(vpc_id=Ref(vpc)), prefix="Logs")
    with pytest.raises(ConfigError, match=r"^prefix must be a prefix no other add_flow_logs call used"):
        add_flow_logs(template, FlowLogsConfig(subnet_id=Ref(subnet)), prefix="Logs")


@pytest.mark.parametrize("prefix", ["vpc-a", "Vpc_A", "Vpc A", "x" * 65, 7, None])
def test_a_prefix_that_cannot_start_logical_ids_is_refused(prefix: Any):
    template, vpc, _ = users_template()
    with pytest.raises(ConfigError, match=r"^prefix must be up to 64 letters and digits") as error:
        add_flow_logs(template, FlowLogsConfig(vpc_id=Ref(vpc)), prefix=prefix)
    assert error.value.value == prefix
    assert set(template.resources) == {"Vpc", "Subnet"}  # nothing added


def test_targets_a_ref_to_the_users_own_vpc():
    template, vpc, _ = users_template()
    handles = add_flow_logs(template, FlowLogsConfig(vpc_id=Ref(vpc), traffic_type="ALL"), prefix="Vpc")
    flow_log = as_json(template)["Resources"][handles.logical_ids["flow_log"]]["Properties"]
    assert (flow_log["ResourceType"], flow_log["ResourceId"]) == ("VPC", {"Ref": "Vpc"})


def test_handles_for_cloudwatch_logs_with_a_created_key():
    template, vpc, _ = users_template()
    handles = add_flow_logs(template, FlowLogsConfig(vpc_id=Ref(vpc)), prefix="Vpc")
    assert handles.logical_ids == {
        "flow_log": "VpcFlowLog",
        "log_group": "VpcFlowLogsLogGroup",
        "role": "VpcFlowLogsRole",
        "key": "VpcFlowLogsKey",
    }
    assert as_json(handles.flow_log_id) == {"Ref": "VpcFlowLog"}
    assert as_json(handles.log_group_name) == {"Ref": "VpcFlowLogsLogGroup"}
    assert as_json(handles.log_group_arn) == {"Fn::GetAtt": ["VpcFlowLogsLogGroup", "Arn"]}
    assert as_json(handles.key_arn) == {"Fn::GetAtt": ["VpcFlowLogsKey", "Arn"]}
    assert (handles.bucket, handles.bucket_arn, handles.bucket_name) == (None, None, None)


def test_handles_for_a_created_bucket_with_a_given_key():
    template, _, subnet = users_template()
    config = FlowLogsConfig(subnet_id=Ref(subnet), log_destination_type="s3", kms_key_arn=KEY_ARN)
    handles = add_flow_logs(template, config, prefix="Subnet")
    assert handles.logical_ids == {"flow_log": "SubnetFlowLog", "bucket": "SubnetFlowLogsBucket"}
    assert as_json(handles.bucket_arn) == {"Fn::GetAtt": ["SubnetFlowLogsBucket", "Arn"]}
    assert as_json(handles.bucket_name) == {"Ref": "SubnetFlowLogsBucket"}
    assert as_json(handles.key_arn) == {"Fn::Sub": KEY_ARN}
    assert (handles.log_group, handles.role, handles.key) == (None, None, None)


def test_handles_serve_the_users_own_outputs():
    # GIVEN an inline set added without its Outputs
    template, vpc, _ = users_template()
    handles = add_flow_logs(template, FlowLogsConfig(vpc_id=Ref(vpc)), prefix="Vpc", outputs=False)
    assert template.outputs == {}
    # WHEN the user's own Outputs refer to its handles
    template.add_output(Output("FlowLogId", Value=handles.flow_log_id))
    template.add_output(Output("FlowLogsKeyArn", Value=handles.key_arn))
    template.add_output(Output("FlowLogsGroupArn", Value=handles.log_group_arn))
    # THEN the template is valid
    assert [str(finding) for finding in lint(template)] == []


# --- nested_stack -----------------------------------------------------------------------------


def test_nested_stack_passes_only_what_differs_from_the_shipped_defaults():
    config = FlowLogsConfig(
        subnet_id="subnet-0123456789abcdef0",
        traffic_type="REJECT",  # the default: not passed
        log_destination_type="s3",
        destination_options={"file_format": "parquet", "hive_compatible_partitions": True},
        max_aggregation_interval=60,
    )
    stack = as_json(nested_stack("FlowLogs", "https://bucket.s3.amazonaws.com/vpc-flow-logs.yaml", config))
    assert stack["Properties"]["Parameters"] == {
        "SubnetId": "subnet-0123456789abcdef0",
        "LogDestinationType": "s3",
        "FileFormat": "parquet",
        "HiveCompatiblePartitions": "true",
        "MaxAggregationInterval": "60",
    }
    assert stack["Properties"]["TemplateURL"] == "https://bucket.s3.amazonaws.com/vpc-flow-logs.yaml"


def test_nested_stack_parameters_are_text_lists_comma_separated():
    # A nested stack's Parameters are strings: a list input goes as one comma-separated string
    users = ["arn:aws:iam::123456789012:role/Auditor", "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/Ops"]
    stack = nested_stack("FlowLogs", "url", FlowLogsConfig(vpc_id="vpc-0123456789abcdef0", kms_key_users=users))
    assert as_json(stack.Parameters["KmsKeyUsers"]) == as_json(
        Join(",", ["arn:aws:iam::123456789012:role/Auditor", {"Fn::Sub": users[1]}])
    )
    literal = nested_stack("FlowLogs", "url", FlowLogsConfig(vpc_id="vpc-0123456789abcdef0", kms_key_users=users[:1]))
    assert literal.Parameters["KmsKeyUsers"] == users[0]


def test_nested_stack_takes_the_shipped_templates_parameters_by_name():
    _, vpc, _ = users_template()
    parameters = {"VpcId": Ref(vpc), "TrafficType": "ALL", "CloudwatchLogRetention": "30"}
    stack = nested_stack("FlowLogs", "url", parameters)
    assert as_json(stack.Parameters) == {"VpcId": {"Ref": "Vpc"}, "TrafficType": "ALL", "CloudwatchLogRetention": "30"}


def test_nested_stack_refuses_a_parameter_the_shipped_template_does_not_have():
    with pytest.raises(ConfigError, match=r"^parameters must be Parameters of the shipped template: VpcId, ") as error:
        nested_stack("FlowLogs", "url", {"VpcId": "vpc-0123456789abcdef0", "Retention": "30"})
    assert error.value.value == "Retention"


@pytest.mark.parametrize(
    ("parameters", "name"),
    [
        ({"VpcId": "vpc-0123456789abcdef0", "TrafficType": "SOME"}, "traffic_type"),
        ({"VpcId": "vpc-0123456789abcdef0", "MaxAggregationInterval": "61"}, "max_aggregation_interval"),
        ({"VpcId": "vpc-0123456789abcdef0", "CloudwatchLogRetention": "4"}, "cloudwatch_log_retention"),
        ({"VpcId": "vpc-0123456789abcdef0", "SubnetId": "subnet-0123456789abcdef0"}, "vpc_id"),
        ({"VpcId": "vpc-0123456789abcdef0", "UseManagedIamPolicies": "yes"}, "use_managed_iam_policies"),
        ({"VpcId": "not-a-vpc"}, "vpc_id"),
    ],
)
def test_nested_stack_refuses_a_bad_value_before_anything_is_deployed(parameters: dict[str, str], name: str):
    with pytest.raises(ConfigError) as error:
        nested_stack("FlowLogs", "url", parameters)
    assert name in error.value.name  # exactly-one-target errors name every target input


def test_nested_stack_refuses_compile_time_only_bucket_statements():
    config = FlowLogsConfig(
        vpc_id="vpc-0123456789abcdef0",
        log_destination_type="s3",
        additional_s3_bucket_policy_statements={
            "Readers": {"effect": "Allow", "actions": ["s3:GetObject"],
                        "principals": {"AWS": ["arn:aws:iam::123456789012:root"]}},
        },
    )  # fmt: skip
    with pytest.raises(ConfigError, match=r"^additional_s3_bucket_policy_statements must be unset for a nested stack"):
        nested_stack("FlowLogs", "url", config)


def test_nested_stack_custom_tags_become_stack_tags():
    config = FlowLogsConfig(vpc_id="vpc-0123456789abcdef0", custom_tags={"team": "network", "env": "prod"})
    stack = as_json(nested_stack("FlowLogs", "url", config))
    assert stack["Properties"]["Tags"] == [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "network"}]
    assert "CustomTags" not in stack["Properties"]["Parameters"]


def test_a_parent_with_inline_and_nested_flow_logs_lints_clean():
    # GIVEN a parent template: flow logs inline for the VPC, the shipped template nested for the subnet
    template, vpc, subnet = users_template()
    url = template.add_parameter(Parameter("FlowLogsTemplateUrl", Type="String"))
    add_flow_logs(template, FlowLogsConfig(vpc_id=Ref(vpc)), prefix="Vpc")
    nested = template.add_resource(
        nested_stack("SubnetFlowLogs", Ref(url), FlowLogsConfig(subnet_id=Ref(subnet), log_destination_type="s3"))
    )
    template.add_output(Output("SubnetFlowLogId", Value=GetAtt(nested, "Outputs.FlowLogId")))
    # THEN cfn-lint finds nothing
    assert [str(finding) for finding in lint(template)] == []
