"""`cfn-flowlogs rollout`: a StackSet rollout from a small plan."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys

import botocore.session
import pytest
import yaml
from awscli.argprocess import unpack_cli_arg
from awscli.arguments import CLIArgument
from awscli.shorthand import ShorthandParser
from cfn_flip import to_json as yaml_to_json

from cfn_flowlogs import ConfigError, FlowLogsConfig
from cfn_flowlogs.audit.rollout import ROLE_TEMPLATE_FILE, TEMPLATE_FILE, parse_plan, render_rollout
from cfn_flowlogs.cli import main

from ..conftest import ROOT, run_cli

VPC = "vpc-0123456789abcdef0"
PLAN = {
    "stack_set_name": "org-flow-logs",
    "archive_bucket_arn": "arn:aws-cn:s3:::org-archive",
    "regions": ["cn-north-1", "cn-northwest-1"],
    "organizational_units": ["ou-ab12-34cd56ef"],
    "enrolment": False,
    "inputs": {"traffic_type": "ALL"},
    "overrides": {"111122223333": {"cn-north-1": {"vpc_id": "vpc-0123456789abcdef0", "traffic_type": "REJECT"}}},
}


def parameters(text):
    return {p["ParameterKey"]: p["ParameterValue"] for p in json.loads(text)}


def template_parameters(files):
    """The Parameters of the template the rollout deploys, as CloudFormation reads the file."""
    return set(json.loads(yaml_to_json(files[TEMPLATE_FILE]))["Parameters"])


SLOTS = [f"AdditionalVpcId{n}" for n in range(1, 10)]


def test_every_instance_delivers_to_the_archive_and_creates_nothing_without_a_target():
    files = render_rollout(parse_plan(PLAN))
    assert TEMPLATE_FILE == "vpc-flow-logs-stackset.yaml"
    assert files[TEMPLATE_FILE] == (ROOT / "templates" / TEMPLATE_FILE).read_text(encoding="utf-8")
    shared = parameters(files["parameters.json"])
    # every Parameter of the template has a value in the StackSet (AWS overrides only Parameters the
    # StackSet specifies); targets and slots empty, nothing made
    assert set(shared) == template_parameters(files)
    assert {k: shared[k] for k in ("CreateResources", "S3Bucket", "TrafficType", "VpcId", "SubnetId",
                                   "TransitGatewayId", *SLOTS)} == {
        "CreateResources": "false",
        "S3Bucket": "arn:aws-cn:s3:::org-archive",
        "TrafficType": "ALL",
        "VpcId": "",
        "SubnetId": "",
        "TransitGatewayId": "",
        **dict.fromkeys(SLOTS, ""),
    }  # fmt: skip
    # the delivery is folded into the template: no Parameter for it, no key or log group
    assert not {"EnableCustomS3Destination", "LogDestinationType", "KmsKeyDeletionWindowInDays"} & set(shared)
    # the override gives the target and what differs, even a module default (REJECT)
    assert parameters(files["overrides-111122223333-cn-north-1.json"]) == {
        "CreateResources": "true",
        "TrafficType": "REJECT",
        "VpcId": "vpc-0123456789abcdef0",
    }


def test_an_override_fills_the_slots_with_its_additional_vpcs():
    more = ["vpc-0aaaaaaa", "vpc-0bbbbbbb"]
    override = {"vpc_id": "vpc-0123456789abcdef0", "additional_vpc_ids": more}
    files = render_rollout(parse_plan({**PLAN, "overrides": {"111122223333": {"cn-north-1": override}}}))
    own = parameters(files["overrides-111122223333-cn-north-1.json"])
    assert own == {"CreateResources": "true", "VpcId": "vpc-0123456789abcdef0", "AdditionalVpcId1": more[0],
                   "AdditionalVpcId2": more[1]}  # fmt: skip
    assert set(own) <= template_parameters(files)


SELF_MANAGED = {**PLAN, "organizational_units": [], "accounts": ["111122223333"]}


@pytest.mark.parametrize("plan", [PLAN, SELF_MANAGED], ids=["service-managed", "self-managed"])
def test_script_is_valid_bash_and_asks_for_no_capability(plan):
    script = render_rollout(parse_plan(plan))["rollout.sh"]
    subprocess.run(["bash", "-n"], input=script, text=True, check=True)
    # AWS asks for capabilities only for IAM resources, and the StackSet template has none
    assert "--capabilities" not in script and "CAPABILITY_" not in script


def test_script_has_service_managed_commands():
    script = render_rollout(parse_plan(PLAN))["rollout.sh"]
    assert "--permission-model SERVICE_MANAGED --auto-deployment Enabled=true" in script
    assert "--deployment-targets OrganizationalUnitIds=ou-ab12-34cd56ef --regions cn-north-1 cn-northwest-1" in script
    assert "Accounts=111122223333,AccountFilterType=INTERSECTION --regions cn-north-1 \\" in script
    assert "--parameter-overrides file://overrides-111122223333-cn-north-1.json" in script


def test_self_managed_uses_accounts():
    script = render_rollout(parse_plan(SELF_MANAGED))["rollout.sh"]
    assert "SERVICE_MANAGED" not in script and "--accounts 111122223333 --regions" in script


def aws_calls(tmp_path, plan):
    """Run rollout.sh as written, `aws` a stand-in that records its arguments: what bash passes."""
    out, bin_, log = tmp_path / "rollout", tmp_path / "bin", tmp_path / "calls.jsonl"
    out.mkdir()
    bin_.mkdir()
    for name, text in render_rollout(parse_plan(plan)).items():
        (out / name).write_text(text, encoding="utf-8")
    aws = bin_ / "aws"
    # what rollout.sh reads back: an operation that succeeded, and a StackSet's ARN
    aws.write_text(f"#!{sys.executable}\nimport json, sys\nwith open({str(log)!r}, 'a') as f:\n"
                   "    f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
                   "if 'describe-stack-set-operation' in sys.argv: print('SUCCEEDED')\n"
                   "elif 'describe-stack-set' in sys.argv: print(f'arn:aws:cloudformation:::stackset/{sys.argv[4]}')\n"
                   "elif '--query' in sys.argv: print('operation-1')\n")  # fmt: skip
    aws.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["bash", str(out / "rollout.sh")], env=env, check=True)
    return [json.loads(line) for line in log.read_text().splitlines()]


def tags_of(call):
    """The --tags of one AWS CLI call, read as the AWS CLI reads them: one JSON list through its
    own unpacking for CreateStackSet's Tags, else each item in its shorthand."""
    if "--tags" not in call:
        return None
    items = list(itertools.takewhile(lambda arg: not arg.startswith("--"), call[call.index("--tags") + 1 :]))
    if len(items) == 1 and items[0].lstrip().startswith("["):
        operation = botocore.session.get_session().get_service_model("cloudformation").operation_model("CreateStackSet")
        tags = CLIArgument("tags", operation.input_shape.members["Tags"], operation, event_emitter=None)
        return unpack_cli_arg(tags, items)
    return [ShorthandParser().parse(item) for item in items]


@pytest.mark.parametrize(
    ("custom_tags", "expected"),
    [
        pytest.param(None, None, id="no-tags"),
        pytest.param(
            {"team": "net ops", "cost-centre": "a=b", "Name": "x:y/z@+-_."},
            [{"Key": "Name", "Value": "x:y/z@+-_."}, {"Key": "cost-centre", "Value": "a=b"},
             {"Key": "team", "Value": "net ops"}],
            id="tags-sorted",
        ),
        pytest.param({"owner": ""}, [{"Key": "owner", "Value": ""}], id="empty-value"),
    ],
)  # fmt: skip
def test_the_stack_sets_tags_reach_the_aws_cli_as_written(tmp_path, custom_tags, expected):
    inputs = {**PLAN["inputs"], **({"custom_tags": custom_tags} if custom_tags is not None else {})}
    calls = aws_calls(tmp_path, {**PLAN, "inputs": inputs})
    assert [call[:2] for call in calls] == [
        ["cloudformation", "create-stack-set"], ["cloudformation", "create-stack-instances"],
        ["cloudformation", "update-stack-instances"],
    ]  # fmt: skip
    # the StackSet's tags, which AWS gives its stacks and their resources; on no other call
    assert tags_of(calls[0]) == expected
    assert [tags_of(call) for call in calls[1:]] == [None, None]


def test_a_tag_with_spaces_at_its_ends_reaches_aws_as_configured(tmp_path):
    # GIVEN tags AWS and FlowLogsConfig accept (spaces are allowed anywhere in a tag)
    tags = {"team": " network ", " padded": "x"}
    FlowLogsConfig(vpc_id="vpc-0123456789abcdef0", custom_tags=tags)
    # THEN the AWS CLI reads the same tags from the script
    (call, *_) = aws_calls(tmp_path, {**PLAN, "inputs": {**PLAN["inputs"], "custom_tags": tags}})
    assert tags_of(call) == [{"Key": key, "Value": value} for key, value in sorted(tags.items())]


WHERE = "overrides.111122223333.cn-north-1"
SHARED = "one of traffic_type, log_format, max_aggregation_interval, s3_subfolder, destination_options, custom_tags"
PER_INSTANCE = ("one of vpc_id, subnet_id, eni_id, transit_gateway_id, transit_gateway_attachment_id, "
                "regional_nat_gateway_id, additional_vpc_ids, traffic_type")  # fmt: skip


def override(**values):
    return {"overrides": {"111122223333": {"cn-north-1": values}}}


PLAN_ERRORS = [
    pytest.param({"inputs": {"vpc_id": VPC}}, "inputs.vpc_id", "left to overrides", id="inputs-vpc-id"),
    pytest.param({"inputs": {"additional_vpc_ids": ["vpc-0aaaaaaa"]}}, "inputs.additional_vpc_ids",
                 "left to overrides", id="inputs-additional-vpc-ids"),
    pytest.param({"inputs": {"cloudwatch_log_retention": 30}}, "inputs.cloudwatch_log_retention", SHARED,
                 id="inputs-not-a-stackset-input"),
    pytest.param({"inputs": {"kms_key_arn": "arn:aws-cn:kms:cn-north-1:123456789012:key/"
                                            "11111111-2222-3333-4444-555555555555"}},
                 "inputs.kms_key_arn", SHARED, id="inputs-key"),
    pytest.param(override(vpc_id=VPC, custom_tags={"team": "x"}), f"{WHERE}.custom_tags", PER_INSTANCE,
                 id="tags-per-instance"),
    pytest.param(override(vpc_id=VPC, additional_vpc_ids=[f"vpc-0{n:07x}" for n in range(1, 11)]),
                 f"{WHERE}.additional_vpc_ids", "at most 9 VPCs", id="ten-more-vpcs"),
    pytest.param(override(vpc_id=VPC, additional_vpc_ids=["vpc-0aaaaaaa", "vpc-0aaaaaaa"]),
                 f"{WHERE}.additional_vpc_ids", "distinct VPC IDs", id="more-vpcs-duplicate"),
    pytest.param(override(vpc_id=VPC, additional_vpc_ids=[VPC]), f"{WHERE}.additional_vpc_ids",
                 "none of them vpc_id", id="more-vpcs-has-vpc-id"),
    # a valid transit gateway override (interval 60, no traffic type) but for its further VPCs
    pytest.param(override(transit_gateway_id="tgw-0123456789abcdef0", max_aggregation_interval=60,
                          traffic_type=None, additional_vpc_ids=["vpc-0aaaaaaa"]),
                 f"{WHERE}.additional_vpc_ids", "unset with a transit gateway target", id="more-vpcs-transit-gateway"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "name", "allowed"), PLAN_ERRORS)
def test_plan_errors_name_the_exact_key_and_what_is_allowed(change, name, allowed):
    with pytest.raises(ConfigError) as caught:
        parse_plan({**PLAN, **change})
    message = str(caught.value)
    assert caught.value.name == name, message
    assert message.startswith(f"{name} must be ") and allowed in message, message


def test_cli_refuses_a_bad_plan_in_one_line_and_writes_nothing(tmp_path, capsys):
    change, name, _ = next(case.values for case in PLAN_ERRORS if case.id == "ten-more-vpcs")
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump({**PLAN, **change}))
    out = tmp_path / "rollout"
    code, stdout, stderr = run_cli(capsys, "rollout", str(plan), "-o", str(out))
    assert (code, stdout) == (2, "")
    # (the plan's file and the line of the override's key)
    assert len(stderr.splitlines()) == 1 and stderr.startswith(f"cfn-flowlogs: error: {plan}:"), stderr
    assert f": {name}: must be " in stderr, stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"stack_set_name": "1bad"}, "stack_set_name"),
        ({"archive_bucket_arn": "my-bucket"}, "archive_bucket_arn"),
        ({"regions": []}, "regions"),
        ({"regions": ["mars-1"]}, "regions"),
        ({"organizational_units": []}, "organizational_units/accounts"),
        ({"accounts": ["111122223333"]}, "organizational_units/accounts"),
        ({"inputs": {"traffic_type": "SOME"}}, "traffic_type"),
        ({"overrides": {"1234": {}}}, "overrides"),
        ({"overrides": {"111122223333": {"eu-west-1": {"vpc_id": "vpc-0123456789abcdef0"}}}}, "overrides.111122223333"),
        (
            {"overrides": {"111122223333": {"cn-north-1": {"vpc_id": "vpc-1"}}}},
            "overrides.111122223333.cn-north-1.vpc_id",
        ),
        ({"overrides": {"111122223333": {"cn-north-1": {}}}}, "overrides.111122223333.cn-north-1.vpc_id/subnet_id"),
        (
            {"overrides": {"111122223333": {"cn-north-1": {"s3_bucket": "x"}}}},
            "overrides.111122223333.cn-north-1.s3_bucket",
        ),
        ({"unknown": 1}, "plan"),
    ],
)
def test_bad_plans_name_the_key(change, name):
    with pytest.raises(ConfigError) as caught:
        parse_plan({**PLAN, **change})
    assert caught.value.name.startswith(name), str(caught.value)


def test_cli_writes_its_own_files_and_overwrites_them_only_with_force(tmp_path, capsys):
    # GIVEN a plan WHEN the rollout is written into a new directory THEN it holds the rollout's files
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump(PLAN))
    out = tmp_path / "rollout"
    assert main(["rollout", str(plan), "-o", str(out)]) == 0
    names = ["overrides-111122223333-cn-north-1.json", "parameters.json", "rollout.sh", "vpc-flow-logs-stackset.yaml"]
    assert sorted(p.name for p in out.iterdir()) == names
    (out / "notes.txt").write_text("mine\n")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # WHEN the same plan is written again THEN nothing changes, exit 0
    assert main(["rollout", str(plan), "-o", str(out)]) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    # WHEN a changed plan is written without --force THEN exit 2, one line naming a file, nothing written
    plan.write_text(yaml.safe_dump({**PLAN, "stack_set_name": "other-name"}))
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(["rollout", str(plan), "-o", str(out)])
    (line,) = capsys.readouterr().err.splitlines()
    assert exited.value.code == 2 and line.endswith("exists (give --force to overwrite it)"), line
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    # WHEN it is written with --force THEN its own files change and the other file is left alone
    assert main(["rollout", str(plan), "-o", str(out), "--force"]) == 0
    assert "other-name" in (out / "rollout.sh").read_text()
    assert (out / "notes.txt").read_text() == "mine\n"


def test_the_example_plan_is_valid():
    assert parse_plan(yaml.safe_load((ROOT / "examples/rollout/plan.yaml").read_text())).overrides


def test_each_region_gets_its_own_target():
    # GIVEN an account whose VPCs differ per region (a VPC lives in one region)
    overrides = {"111122223333": {"cn-north-1": {"vpc_id": "vpc-0123456789abcdef0"},
                                  "cn-northwest-1": {"vpc_id": "vpc-0fedcba9876543210"}}}  # fmt: skip
    files = render_rollout(parse_plan({**PLAN, "overrides": overrides}))
    # THEN one override file and one update per account and region
    assert parameters(files["overrides-111122223333-cn-northwest-1.json"])["VpcId"] == "vpc-0fedcba9876543210"
    script = files["rollout.sh"]
    assert script.count("update-stack-instances") == 2
    assert (
        "--regions cn-northwest-1 \\\n  --parameter-overrides file://overrides-111122223333-cn-northwest-1.json"
        in script
    )


# --- with the enrolment ------------------------------------------------------------------------

ENROLLED = {**PLAN, "enrolment": True, "overrides": {"111122223333": {"cn-north-1": {"traffic_type": "REJECT"}}}}


def test_with_the_enrolment_every_instance_enrols_and_an_override_is_an_exception():
    # GIVEN a plan with the enrolment and one exception: another traffic type for one account and region
    files = render_rollout(parse_plan(ENROLLED))
    # THEN every instance enrols its VPCs through the role of its account, creating no flow log of its own
    shared = parameters(files["parameters.json"])
    assert set(shared) == template_parameters(files)
    assert {k: shared[k] for k in ("EnrolVpcs", "EnrolmentRoleName", "CreateResources", "VpcId", *SLOTS)} == {
        "EnrolVpcs": "true", "EnrolmentRoleName": "cfn-flowlogs-enrolment", "CreateResources": "false", "VpcId": "",
        **dict.fromkeys(SLOTS, "")}  # fmt: skip
    # AND the exception overrides only what differs: no target, nothing created by the stack itself
    assert parameters(files["overrides-111122223333-cn-north-1.json"]) == {"TrafficType": "REJECT"}
    # AND the role's template and parameters come with it, for the StackSet's functions
    assert files[ROLE_TEMPLATE_FILE] == (ROOT / "templates" / ROLE_TEMPLATE_FILE).read_text(encoding="utf-8")
    assert parameters(files["role-parameters.json"]) == {"StackSetName": "org-flow-logs",
                                                         "RoleName": "cfn-flowlogs-enrolment"}  # fmt: skip


def capabilities_needed(template_text):
    """What AWS asks of a template: CAPABILITY_NAMED_IAM for an IAM resource with a custom name,
    CAPABILITY_IAM for one without, else nothing (CreateStackSet's Capabilities)."""
    resources = json.loads(yaml_to_json(template_text))["Resources"].values()
    iam = [r for r in resources if r["Type"].startswith("AWS::IAM::")]
    if any("RoleName" in r.get("Properties", {}) for r in iam):
        return ["CAPABILITY_NAMED_IAM"]
    return ["CAPABILITY_IAM"] if iam else []


def option(call, name):
    """The values given to an option of one AWS CLI call (None: the option is not given)."""
    if name not in call:
        return None
    return list(itertools.takewhile(lambda arg: not arg.startswith("--"), call[call.index(name) + 1 :]))


@pytest.mark.parametrize("plan", [ENROLLED, {**ENROLLED, "organizational_units": [], "accounts": ["111122223333"]}],
                         ids=["service-managed", "self-managed"])  # fmt: skip
def test_the_role_comes_first_in_one_region_and_each_stack_set_gets_exactly_its_capabilities(tmp_path, plan):
    # WHEN rollout.sh runs as written
    calls = aws_calls(tmp_path, plan)
    files = render_rollout(parse_plan(plan))
    creates = [c for c in calls if c[:2] == ["cloudformation", "create-stack-set"]]
    instances = [c for c in calls if c[:2] == ["cloudformation", "create-stack-instances"]]
    # THEN the role's StackSet is made first, in the plan's first region only, and waited for
    assert [option(c, "--stack-set-name") for c in creates] == [["org-flow-logs-enrolment-role"], ["org-flow-logs"]]
    assert option(instances[0], "--regions") == ["cn-north-1"]
    assert option(instances[1], "--regions") == ["cn-north-1", "cn-northwest-1"]
    waited = calls.index(next(c for c in calls if "describe-stack-set-operation" in c))
    assert calls.index(instances[0]) < waited < calls.index(creates[1])
    # AND each StackSet gets exactly the capabilities its template needs: IAM for the named role only
    for create in creates:
        template = files[option(create, "--template-body")[0].removeprefix("file://")]
        assert (option(create, "--capabilities") or []) == capabilities_needed(template)
    assert capabilities_needed(files[ROLE_TEMPLATE_FILE]) == ["CAPABILITY_NAMED_IAM"]
    # AND a new account of the OUs gets the role before the functions (auto-deployment's DependsOn)
    if plan["organizational_units"]:
        auto = json.loads(option(creates[1], "--auto-deployment")[0])
        assert auto == {"Enabled": True, "RetainStacksOnAccountRemoval": True,
                        "DependsOn": ["arn:aws:cloudformation:::stackset/org-flow-logs-enrolment-role"]}  # fmt: skip


def test_with_the_enrolment_an_override_naming_a_vpc_is_refused_with_the_way_out():
    with pytest.raises(ConfigError) as caught:
        parse_plan({**ENROLLED, **override(vpc_id=VPC)})
    assert caught.value.name == f"{WHERE}.vpc_id"
    assert "enrolment: false keeps the slots" in str(caught.value)


@pytest.mark.parametrize(
    ("override", "refused"),
    [
        pytest.param({"subnet_id": "subnet-0123456789abcdef0"}, False, id="a-subnet-beside-the-enrolment"),
        pytest.param({"transit_gateway_id": "tgw-0123456789abcdef0", "max_aggregation_interval": 60,
                      "traffic_type": None}, True, id="a-transit-gateway-beside-the-enrolment"),
    ],
)  # fmt: skip
def test_beside_the_enrolment_an_override_keeps_its_vpc_records_shape(override, refused):
    # GIVEN the enrolment, which writes every VPC's records under the archive's one prefix
    plan = {**ENROLLED, **{"overrides": {"111122223333": {"cn-north-1": override}}}}
    # THEN a target whose records have the same fields is an exception it allows; a transit gateway's is not
    if not refused:
        assert parse_plan(plan).overrides
        return
    with pytest.raises(ConfigError) as caught:
        parse_plan(plan)
    assert caught.value.name == f"{WHERE}.transit_gateway_id" and "the enrolment's (VPC)" in caught.value.allowed
