"""`cfn-flowlogs telemetry`: the CloudWatch telemetry rule template, from the same config as a stack.

moto has no ObservabilityAdmin, so the template is checked statically: the golden example, cfn-lint
with informational rules, the project's own checks, its shape, and every refusal."""

from __future__ import annotations

import json
import shlex
from typing import Any

import botocore.session
import pytest
from botocore import xform_name

from cfn_flowlogs import FlowLogsConfig, to_json
from cfn_flowlogs.errors import show
from cfn_flowlogs.stacks.telemetry import (
    TelemetryOptions,
    build_telemetry_template,
    log_group_selection,
    prerequisites,
    telemetry_config,
)

from ..checks import run_checks
from ..conftest import ROOT
from ..conftest import run_cli as run

MRK = "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/mrk-0123456789abcdef0123456789abcdef"
KEY = "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/0123abcd-12ab-34cd-56ef-1234567890ab"
CENTRAL_KEY = "arn:${AWS::Partition}:kms:eu-west-1:111122223333:key/0123abcd-12ab-34cd-56ef-1234567890ab"
CENTRAL = ("--central-account", "111122223333", "--central-region", "eu-west-1", "--central-key-arn", CENTRAL_KEY)
GOLDEN = ROOT / "templates/examples/telemetry-rule.yaml"
PREFIX = "cfn-flowlogs: error:"


def rendered(config: dict[str, Any], **options: Any) -> dict[str, Any]:
    template = build_telemetry_template(telemetry_config(config), TelemetryOptions(**options))
    result: dict[str, Any] = json.loads(to_json(template))
    return result


def rule_of(template: dict[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = template["Resources"]["VpcFlowLogsTelemetryRule"]
    return rule


def test_the_command_writes_the_golden_example(capsys, tmp_path):
    # GIVEN the command the example's docstring shows, with the cloudwatch-logs example's config
    # WHEN it runs
    out = tmp_path / "telemetry-rule.yaml"
    code, _, err = run(capsys, "telemetry", "--config", str(ROOT / "examples/cloudwatch-logs.yaml"),
                       "--scope", "organization", *CENTRAL, "-o", str(out))  # fmt: skip
    # THEN it writes exactly the checked-in example, which `make template` writes too
    assert code == 0, err
    assert out.read_text(encoding="utf-8") == GOLDEN.read_text(encoding="utf-8")
    # AND it says the config's VPC is not what the rule logs, and prints the prerequisites
    assert "warning: vpc_id is not used" in err
    assert "aws observabilityadmin start-telemetry-evaluation-for-organization" in err


SHAPES = {
    "organization": dict(scope="organization"),
    "account": dict(scope="account"),
    "regions": dict(scope="organization", regions=("eu-west-1", "us-west-2")),
    "all-regions": dict(scope="account", all_regions=True),
    "pattern": dict(scope="account", log_group_pattern="/vpc-flow-logs/<accountId>/<resourceId>"),
    "scoped": dict(scope="organization", rule_scope="OU = 'ou-ab12-34cd56ef'", selection_criteria="tag:team = 'a'"),
    "central": dict(scope="organization", regions=("eu-west-1",), central_account="111122223333",
                    central_region="eu-west-1", central_key_arn=CENTRAL_KEY),
}  # fmt: skip
MULTI_REGION = ("regions", "all-regions", "central")


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_lints_clean_and_passes_the_projects_checks(shape, linted):
    # GIVEN a config and the rule's options (a multi-Region key where the rule spans Regions)
    config = {"traffic_type": "ALL", **({"kms_key_arn": MRK} if shape in MULTI_REGION else {})}
    # WHEN the template is built
    template = build_telemetry_template(telemetry_config(config), TelemetryOptions(**SHAPES[shape]))
    text = to_json(template)
    # THEN cfn-lint (informational rules on) and the project's checks find nothing, and no literal partition
    assert linted(text) == []
    assert run_checks(json.loads(text)) == []
    assert "arn:aws:" not in text


def test_the_rule_carries_the_configs_flow_log_settings():
    # GIVEN a config with every setting a rule carries
    config = {"traffic_type": "REJECT", "log_format": "${version} ${srcaddr} ${dstaddr} ${action}",
              "max_aggregation_interval": 60, "cloudwatch_log_retention": 90,
              "custom_tags": {"team": "network"}}  # fmt: skip
    # WHEN the organization's rule is built
    template = rendered(config, scope="organization", log_group_pattern="/flow-logs/<accountId>/<resourceId>")
    rule = rule_of(template)
    # THEN it is the organization's rule for VPC flow logs to CloudWatch Logs with those settings
    assert rule["Type"] == "AWS::ObservabilityAdmin::OrganizationTelemetryRule"
    body = rule["Properties"]["Rule"]
    assert (body["ResourceType"], body["TelemetryType"], body["TelemetrySourceTypes"]) == (
        "AWS::EC2::VPC", "Logs", ["VPC_FLOW_LOGS"])  # fmt: skip
    destination = body["DestinationConfiguration"]
    assert destination["DestinationType"] == "cloud-watch-logs"
    assert destination["VPCFlowLogParameters"] == {
        "TrafficType": "REJECT", "LogFormat": config["log_format"], "MaxAggregationInterval": 60}  # fmt: skip
    assert destination["RetentionInDays"] == 90
    assert destination["DestinationPattern"] == "/flow-logs/<accountId>/<resourceId>"
    assert body["AllowFieldUpdates"] is True
    assert rule["Properties"]["Tags"] == [{"Key": "team", "Value": "network"}]
    # AND its key is the one made here, whose policy lets only the organization's log groups use it
    assert destination["KmsKeyArn"] == {"Fn::GetAtt": ["FlowLogsKey", "Arn"]}
    (statement,) = [s for s in template["Resources"]["FlowLogsKey"]["Properties"]["KeyPolicy"]["Statement"]
                    if s["Sid"] == "AllowCloudWatchLogsToUseKey"]  # fmt: skip
    assert statement["Principal"] == {"Service": "logs.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceOrgID": {"Ref": "OrganizationId"}}
    assert template["Parameters"]["OrganizationId"]["AllowedPattern"] == "^o-[a-z0-9]{10,32}$"


def test_an_accounts_rule_has_no_scope_and_its_key_serves_this_account_only():
    template = rendered({}, scope="account")
    rule = rule_of(template)
    assert rule["Type"] == "AWS::ObservabilityAdmin::TelemetryRule"
    assert "Scope" not in rule["Properties"]["Rule"] and "Parameters" not in template
    (statement,) = [s for s in template["Resources"]["FlowLogsKey"]["Properties"]["KeyPolicy"]["Statement"]
                    if s["Sid"] == "AllowCloudWatchLogsToUseKey"]  # fmt: skip
    assert statement["Condition"] == {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": {
        "Fn::Sub": "arn:${AWS::Partition}:logs:*:${AWS::AccountId}:log-group:*"}}}  # fmt: skip


def test_regions_scope_and_a_key_of_yours():
    # GIVEN a multi-Region key of yours and two more Regions, with AWS's Scope and selection text
    template = rendered({"kms_key_arn": MRK}, scope="organization", regions=("eu-west-1", "us-west-2"),
                        rule_scope="S", selection_criteria="C")  # fmt: skip
    body = rule_of(template)["Properties"]["Rule"]
    # THEN the rule is replicated there, scoped as given, encrypted with that key, and no key is made
    assert body["Regions"] == ["eu-west-1", "us-west-2"] and "AllRegions" not in body
    assert (body["Scope"], body["SelectionCriteria"]) == ("S", "C")
    assert body["DestinationConfiguration"]["KmsKeyArn"] == {"Fn::Sub": MRK}
    assert "FlowLogsKey" not in template["Resources"] and "Parameters" not in template
    assert rule_of(rendered({"kms_key_arn": MRK}, scope="account", all_regions=True))["Properties"]["Rule"][
        "AllRegions"] is True  # fmt: skip


def test_centralization_copies_the_rules_log_groups_with_the_central_key():
    template = rendered({"kms_key_arn": MRK}, **SHAPES["central"])
    central = template["Resources"]["VpcFlowLogsCentralizationRule"]
    assert central["Type"] == "AWS::ObservabilityAdmin::OrganizationCentralizationRule"
    rule = central["Properties"]["Rule"]
    assert rule["Source"]["Regions"] == [{"Ref": "AWS::Region"}, "eu-west-1"]
    assert rule["Source"]["SourceLogsConfiguration"] == {
        "EncryptedLogGroupStrategy": "ALLOW",
        "LogGroupSelectionCriteria": "LogGroupName LIKE '/aws/vpc/%'",
    }
    assert rule["Destination"]["Account"] == "111122223333" and rule["Destination"]["Region"] == "eu-west-1"
    encryption = rule["Destination"]["DestinationLogsConfiguration"]["LogsEncryptionConfiguration"]
    assert encryption == {"EncryptionStrategy": "CUSTOMER_MANAGED", "KmsKeyArn": {"Fn::Sub": CENTRAL_KEY},
                          "EncryptionScope": "NEW_DESTINATION_LOG_GROUPS"}  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "selection"),
    [(None, "LogGroupName LIKE '/aws/vpc/%'"), ("/flow/<accountId>/<resourceId>", "LogGroupName LIKE '/flow/%'"),
     ("/flow-logs", "LogGroupName = '/flow-logs'"), ("<resourceId>", None)],
)  # fmt: skip
def test_the_centralization_selects_the_log_groups_by_their_fixed_start(pattern, selection):
    assert log_group_selection(pattern) == selection


BAD = [
    # (arguments, the input named, its value)
    (("--set", "log_destination_type=s3"), "log_destination_type", "s3"),
    (("--set", "log_destination_type=kinesis-data-firehose", "--set",
      "kinesis_firehose_arn=arn:aws:firehose:us-east-1:111122223333:deliverystream/s"),
     "log_destination_type", "kinesis-data-firehose"),
    (("--set", "subnet_id=subnet-0123456789abcdef0"), "subnet_id", "subnet-0123456789abcdef0"),
    (("--set", "cloudwatch_iam_role_name=r"), "cloudwatch_iam_role_name", "r"),
    (("--set", "create_logs_insights_queries=true"), "create_logs_insights_queries", True),
    (("--set", "cloudwatch_log_retention=0"), "cloudwatch_log_retention", 0),
    (("--rule-name", "flow_logs"), "--rule-name", "flow_logs"),
    (("--regions", "eu-west-1", "eu-west-1", "--set", f"kms_key_arn={MRK}"), "--regions", ["eu-west-1", "eu-west-1"]),
    (("--regions", "mars-1"), "--regions", "mars-1"),
    (("--regions", "eu-west-1"), "kms_key_arn", None),
    (("--regions", "eu-west-1", "--set", f"kms_key_arn={KEY}"), "kms_key_arn", KEY),
    (("--log-group-pattern", "/flow/<vpc-id>"), "--log-group-pattern", "/flow/<vpc-id>"),
    (("--log-group-pattern", "aws/flow"), "--log-group-pattern", "aws/flow"),
    (("--log-group-pattern", "/a", "--set", "cloudwatch_log_group_name=/b"), "--log-group-pattern", "/a"),
    (("--scope", "account", "--rule-scope", "S"), "--rule-scope", "S"),
    (("--selection-criteria", " "), "--selection-criteria", " "),
    (("--central-account", "111122223333"), "--central-region", None),
    (("--scope", "account", *CENTRAL), "--central-account", "111122223333"),
    (("--regions", "all", "--set", f"kms_key_arn={MRK}", *CENTRAL), "--regions", "all"),
    (("--central-account", "1", "--central-region", "eu-west-1", "--central-key-arn", CENTRAL_KEY),
     "--central-account", "1"),
    (("--central-account", "111122223333", "--central-region", "us-east-1", "--central-key-arn", CENTRAL_KEY),
     "--central-key-arn", CENTRAL_KEY),
    (("--log-group-pattern", "<resourceId>", *CENTRAL), "--log-group-pattern", "<resourceId>"),
]  # fmt: skip


@pytest.mark.parametrize(("arguments", "name", "value"), BAD, ids=[f"{n}-{i}" for i, (_, n, _) in enumerate(BAD)])
def test_every_refusal_is_one_line_naming_the_input_and_the_value(capsys, arguments, name, value):
    # GIVEN arguments a telemetry rule cannot carry (organization scope unless they say otherwise)
    scope = () if "--scope" in arguments else ("--scope", "organization")
    # WHEN the command runs
    code, out, err = run(capsys, "telemetry", *scope, *arguments)
    # THEN it exits 2 with one line naming the input and the value as written, and writes nothing
    assert (code, out) == (2, ""), err
    assert len(err.splitlines()) == 1 and err.startswith(PREFIX), err
    assert f"{name} must be " in err or f"{name}: must be " in err, err
    assert err.rstrip().endswith(f"got {show(value)}"), err  # as a config writes it


def test_an_s3_config_is_pointed_at_the_rollouts_enrolment(capsys):
    code, _, err = run(capsys, "telemetry", "--scope", "account", "--set", "log_destination_type=s3")
    assert code == 2 and "cfn-flowlogs rollout" in err and "CloudWatch Logs as its only destination" in err


@pytest.mark.parametrize("scope", ["organization", "account"])
@pytest.mark.parametrize("regions", [(), ("eu-west-1",), "all"])
def test_the_prerequisites_are_commands_the_aws_cli_has(scope, regions):
    # GIVEN the commands printed for a rule
    options = TelemetryOptions(scope=scope, regions=regions if regions != "all" else (), all_regions=regions == "all")
    commands = [shlex.split(line, comments=True) for line in prerequisites(options) if not line.startswith("#")]
    # THEN each is an operation of the AWS CLI with options it has (read from botocore's own models)
    session = botocore.session.get_session()
    for aws, service, operation, *arguments in commands:
        assert aws == "aws"
        model = session.get_service_model(service)
        name = next(n for n in model.operation_names if _cli(n) == operation)
        members = model.operation_model(name).input_shape.members if arguments else {}
        options_given = [a for a in arguments if a.startswith("--")]
        assert {o.removeprefix("--") for o in options_given} <= {_cli(m) for m in members}, (operation, arguments)
    text = "\n".join(prerequisites(options))
    assert ("start-telemetry-evaluation-for-organization" in text) == (scope == "organization")
    assert ("--all-regions" in text) == (regions == "all")


def _cli(name: str) -> str:
    """botocore's CamelCase name as the CLI spells it: StartTelemetryEvaluation -> start-telemetry-evaluation."""
    return xform_name(name, "-")


def test_a_config_without_target_is_fine_and_a_library_caller_gets_the_same_checks():
    # GIVEN no target at all (a telemetry rule picks its VPCs)
    template = rendered({"traffic_type": "ACCEPT"}, scope="account")
    assert rule_of(template)["Properties"]["Rule"]["DestinationConfiguration"]["VPCFlowLogParameters"][
        "TrafficType"] == "ACCEPT"  # fmt: skip
    # AND a FlowLogsConfig built in Python meets the same refusals
    from cfn_flowlogs import ConfigError

    with pytest.raises(ConfigError, match="log_destination_type"):
        build_telemetry_template(FlowLogsConfig(vpc_id="vpc-00000001", log_destination_type="s3"),
                                 TelemetryOptions(scope="account"))  # fmt: skip
    with pytest.raises(ConfigError, match="--scope"):
        build_telemetry_template(FlowLogsConfig(vpc_id="vpc-00000001"), TelemetryOptions(scope="org"))


def test_a_refusal_of_a_files_value_names_its_file_and_line(capsys, tmp_path):
    # GIVEN a config file for S3
    config = tmp_path / "s3.yaml"
    config.write_text("traffic_type: ALL\nlog_destination_type: s3\n", encoding="utf-8")
    # WHEN the telemetry command reads it
    code, out, err = run(capsys, "telemetry", "--config", str(config), "--scope", "account")
    # THEN the one line says where the value is written
    assert (code, out) == (2, "")
    assert err.startswith(f"{PREFIX} {config}:2: log_destination_type: must be cloud-watch-logs"), err
