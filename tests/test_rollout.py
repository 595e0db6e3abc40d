"""`cfn-flowlogs rollout`: a StackSet rollout from a small plan."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from cfn_flowlogs import ConfigError
from cfn_flowlogs.cli import main
from cfn_flowlogs.rollout import parse_plan, render_rollout

ROOT = Path(__file__).resolve().parents[1]
PLAN = {
    "stack_set_name": "org-flow-logs",
    "archive_bucket_arn": "arn:aws-cn:s3:::org-archive",
    "regions": ["cn-north-1", "cn-northwest-1"],
    "organizational_units": ["ou-ab12-34cd56ef"],
    "inputs": {"traffic_type": "ALL"},
    "overrides": {"111122223333": {"cn-north-1": {"vpc_id": "vpc-0123456789abcdef0", "traffic_type": "REJECT"}}},
}


def parameters(text):
    return {p["ParameterKey"]: p["ParameterValue"] for p in json.loads(text)}


def test_every_instance_delivers_to_the_archive_and_creates_nothing_without_a_target():
    files = render_rollout(parse_plan(PLAN))
    shared = parameters(files["parameters.json"])
    # every Parameter an override may set has a value in the StackSet; targets empty, nothing made
    assert {
        k: shared[k]
        for k in (
            "CreateResources",
            "EnableCustomS3Destination",
            "LogDestinationType",
            "S3Bucket",
            "TrafficType",
            "VpcId",
            "SubnetId",
            "TransitGatewayId",
        )
    } == {
        "CreateResources": "false",
        "EnableCustomS3Destination": "true",
        "LogDestinationType": "s3",
        "S3Bucket": "arn:aws-cn:s3:::org-archive",
        "TrafficType": "ALL",
        "VpcId": "",
        "SubnetId": "",
        "TransitGatewayId": "",
    }
    assert "KmsKeyDeletionWindowInDays" not in shared  # null: the template's own default
    # the override gives the target and what differs, even a module default (REJECT)
    assert parameters(files["overrides-111122223333-cn-north-1.json"]) == {
        "CreateResources": "true",
        "TrafficType": "REJECT",
        "VpcId": "vpc-0123456789abcdef0",
    }
    assert files["vpc-flow-logs.yaml"] == (ROOT / "templates/vpc-flow-logs.yaml").read_text(encoding="utf-8")


def test_script_is_valid_bash_with_service_managed_commands():
    script = render_rollout(parse_plan(PLAN))["rollout.sh"]
    subprocess.run(["bash", "-n"], input=script, text=True, check=True)
    assert "--permission-model SERVICE_MANAGED --auto-deployment Enabled=true" in script
    assert "--deployment-targets OrganizationalUnitIds=ou-ab12-34cd56ef --regions cn-north-1 cn-northwest-1" in script
    assert "Accounts=111122223333,AccountFilterType=INTERSECTION --regions cn-north-1 \\" in script
    assert "--parameter-overrides file://overrides-111122223333-cn-north-1.json" in script


def test_self_managed_uses_accounts():
    plan = {**PLAN, "organizational_units": [], "accounts": ["111122223333"]}
    script = render_rollout(parse_plan(plan))["rollout.sh"]
    assert "SERVICE_MANAGED" not in script and "--accounts 111122223333 --regions" in script


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"stack_set_name": "1bad"}, "stack_set_name"),
        ({"archive_bucket_arn": "my-bucket"}, "archive_bucket_arn"),
        ({"regions": []}, "regions"),
        ({"regions": ["mars-1"]}, "regions"),
        ({"organizational_units": []}, "organizational_units/accounts"),
        ({"accounts": ["111122223333"]}, "organizational_units/accounts"),
        ({"inputs": {"vpc_id": "vpc-0123456789abcdef0"}}, "inputs.vpc_id"),
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


def test_cli_writes_a_new_directory_and_never_overwrites(tmp_path, capsys):
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump(PLAN))
    out = tmp_path / "rollout"
    assert main(["rollout", str(plan), "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "overrides-111122223333-cn-north-1.json", "parameters.json", "rollout.sh", "vpc-flow-logs.yaml",
    ]  # fmt: skip
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(SystemExit) as exited:
        main(["rollout", str(plan), "-o", str(out)])
    assert exited.value.code == 2 and {p.name: p.read_bytes() for p in out.iterdir()} == before


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
