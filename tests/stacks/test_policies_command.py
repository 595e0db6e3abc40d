"""`cfn-flowlogs policies`: what a key or bucket of your own needs, the same statements the
templates give their own key and bucket, with the pseudo parameters resolved or listed."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

import pytest

from cfn_flowlogs import FlowLogsConfig
from cfn_flowlogs.stacks.requirements import Pseudo, needed_statements, policies_document, resolve

from ..conftest import ROOT, rendered
from ..conftest import run_cli as run

VPC = "vpc-0123456789abcdef0"
ACCOUNT = "111122223333"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BUCKET = "arn:aws:s3:::example-flow-logs"
PREFIX = "cfn-flowlogs: error:"
ALL_KNOWN = ["--account-id", ACCOUNT, "--region", "eu-west-1", "--partition", "aws", "--stack-name", "network"]

CLOUDWATCH_KEY = {"vpc_id": VPC, "kms_key_arn": KEY}
CREATED_BUCKET_KEY = {"vpc_id": VPC, "log_destination_type": "s3", "kms_key_arn": KEY}
CUSTOM_BUCKET = {"vpc_id": VPC, "log_destination_type": "s3", "enable_custom_s3_destination": True, "s3_bucket": BUCKET}


def sets(config: dict[str, Any]) -> list[str]:
    """`--set` arguments for a config."""
    text = {name: str(value).lower() if isinstance(value, bool) else str(value) for name, value in config.items()}
    return [arg for name, value in text.items() for arg in ("--set", f"{name}={value}")]


def sids(statements: list[dict[str, Any]]) -> list[str]:
    return [statement["Sid"] for statement in statements]


def replaced(value: Any, old: Any, new: Any) -> Any:
    """`value` with every part equal to `old` made `new`."""
    if value == old:
        return new
    if isinstance(value, list):
        return [replaced(item, old, new) for item in value]
    if isinstance(value, dict):
        return {key: replaced(item, old, new) for key, item in value.items()}
    return value


# --- what each kind of config needs --------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param(CLOUDWATCH_KEY, {"key_policy_statements": ["AllowCloudWatchLogs"]}, id="key-cloudwatch-logs"),
        pytest.param(CREATED_BUCKET_KEY, {"key_policy_statements": ["AllowLogDeliveryToEncrypt"]}, id="key-s3"),
        pytest.param(
            CUSTOM_BUCKET,
            {
                "bucket_policy_statements": ["AWSLogDeliveryAclCheck", "AWSLogDeliveryWrite", "DenyInsecureTransport"],
                "bucket_key_policy_statements": ["AllowLogDeliveryToEncrypt"],
            },
            id="custom-bucket",
        ),
    ],
)
def test_each_provided_key_or_bucket_gets_the_statements_it_needs(config, expected):
    # GIVEN a config with a key or a bucket of the user's own WHEN its statements are computed
    needed = needed_statements(FlowLogsConfig(**config))
    # THEN exactly the policies that apply are there, with the statements each needs
    assert {policy: sids(statements) for policy, statements in needed.items()} == expected


@pytest.mark.parametrize(
    ("provided", "created"),
    [
        pytest.param(CLOUDWATCH_KEY, {"vpc_id": VPC}, id="cloudwatch-logs"),
        pytest.param(
            {**CLOUDWATCH_KEY, "cloudwatch_log_group_name": "/network/flows"},
            {"vpc_id": VPC, "cloudwatch_log_group_name": "/network/flows"},
            id="named-log-group",
        ),
        pytest.param(CREATED_BUCKET_KEY, {"vpc_id": VPC, "log_destination_type": "s3"}, id="created-bucket"),
    ],
)
def test_key_statements_are_those_of_the_key_the_template_creates(provided, created):
    # GIVEN a config with the user's key, and the same config with a created key
    printed = needed_statements(FlowLogsConfig(**provided))["key_policy_statements"]
    key_policy = rendered(FlowLogsConfig(**created))["Resources"]["FlowLogsKey"]["Properties"]["KeyPolicy"]
    # THEN the printed statements are the created key's service statements, word for word
    template_statements = [s for s in key_policy["Statement"] if s["Sid"] in sids(printed)]
    assert printed == template_statements
    assert sids(printed) and "EnableRootAccess" not in sids(printed)


@pytest.mark.parametrize(
    ("options", "objects"),
    [
        pytest.param({}, f"{BUCKET}/AWSLogs/{ACCOUNT}/*", id="no-prefix"),
        pytest.param({"s3_subfolder": "network/eni"}, f"{BUCKET}/network/eni/AWSLogs/{ACCOUNT}/*", id="subfolder"),
        pytest.param(
            {"destination_options": {"hive_compatible_partitions": True}},
            f"{BUCKET}/AWSLogs/aws-account-id={ACCOUNT}/*",
            id="hive",
        ),
        pytest.param(
            {"s3_subfolder": "flows", "destination_options": {"hive_compatible_partitions": True}},
            f"{BUCKET}/flows/AWSLogs/aws-account-id={ACCOUNT}/*",
            id="subfolder-hive",
        ),
    ],
)
def test_bucket_statements_follow_the_prefix_as_the_created_bucket_policy_does(options, objects):
    # GIVEN a custom bucket config, and the same S3 options with a created bucket
    config = FlowLogsConfig(**CUSTOM_BUCKET, **options)
    created = rendered(FlowLogsConfig(vpc_id=VPC, log_destination_type="s3", **options))["Resources"]
    # WHEN the statements are printed for an account and region
    document = policies_document(config, Pseudo(account_id=ACCOUNT, region="us-east-1"))
    # THEN log delivery may write under the flow log's prefix only
    (write,) = [s for s in document["bucket_policy_statements"] if s["Sid"] == "AWSLogDeliveryWrite"]
    assert write["Resource"] == [objects]
    # AND the statements are the created bucket policy's, with the custom bucket's ARN for the created one's
    template_statements = replaced(
        created["FlowLogsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][:3],
        {"Fn::GetAtt": ["FlowLogsBucket", "Arn"]},
        BUCKET,
    )
    known = {"AWS::Partition": "aws", "AWS::AccountId": ACCOUNT, "AWS::Region": "us-east-1"}
    assert document["bucket_policy_statements"] == resolve(template_statements, known)


def test_the_bucket_key_statement_is_the_created_key_s_delivery_statement():
    # GIVEN a custom bucket WHEN its key's statement is printed
    printed = needed_statements(FlowLogsConfig(**CUSTOM_BUCKET))["bucket_key_policy_statements"]
    # THEN it is the statement the created key gives log delivery for a created bucket
    key_policy = rendered(FlowLogsConfig(vpc_id=VPC, log_destination_type="s3"))["Resources"]["FlowLogsKey"]
    delivery = [
        s for s in key_policy["Properties"]["KeyPolicy"]["Statement"] if s["Sid"] == "AllowLogDeliveryToEncrypt"
    ]
    assert printed == delivery


# --- pseudo parameters: literal text, or listed under "substitute" -------------------------------


@pytest.mark.parametrize("config", [CLOUDWATCH_KEY, CREATED_BUCKET_KEY, CUSTOM_BUCKET], ids=["cwl", "s3-key", "bucket"])
def test_every_pseudo_parameter_given_leaves_nothing_to_substitute(capsys, config):
    # WHEN the command gets the account, region, partition and stack name
    code, out, err = run(capsys, "policies", *sets(config), *ALL_KNOWN)
    # THEN the document is literal text a console accepts: no placeholder, no intrinsic function
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert "substitute" not in document
    assert "${" not in out
    assert not re.search(r'"(Ref|Fn::\w+)"', out)
    assert f"arn:aws:logs:eu-west-1:{ACCOUNT}:" in out


@pytest.mark.parametrize(
    ("config", "given", "left"),
    [
        pytest.param(CLOUDWATCH_KEY, [], {"${AWS::AccountId}", "${AWS::Region}", "${AWS::StackName}"}, id="cwl-none"),
        pytest.param(CLOUDWATCH_KEY, ["--stack-name", "network"], {"${AWS::AccountId}", "${AWS::Region}"}, id="cwl"),
        pytest.param(
            {**CLOUDWATCH_KEY, "cloudwatch_log_group_name": "/network/flows"},
            ["--region", "us-east-1"],
            {"${AWS::AccountId}"},
            id="cwl-named-group",
        ),
        pytest.param(CUSTOM_BUCKET, ["--account-id", ACCOUNT], {"${AWS::Region}"}, id="bucket-account"),
    ],
)
def test_placeholders_left_are_listed_with_the_option_that_fills_them(capsys, config, given, left):
    # WHEN some pseudo parameters are not given
    code, out, _ = run(capsys, "policies", *sets(config), *given)
    # THEN exactly those stay ${AWS::...} and "substitute" says what each stands for
    assert code == 0
    document = json.loads(out)
    assert (
        set(re.findall(r"\$\{AWS::\w+\}", json.dumps({k: v for k, v in document.items() if k != "substitute"}))) == left
    )
    assert set(document["substitute"]) == left
    assert all("--" in meaning for meaning in document["substitute"].values())


def test_the_partition_follows_the_config_s_arns_unless_given():
    # GIVEN a key in the China partition
    config = FlowLogsConfig(
        vpc_id=VPC, kms_key_arn=KEY.replace("arn:aws:", "arn:aws-cn:").replace("us-east-1", "cn-north-1")
    )
    # WHEN no partition is given THEN the statements name the key's partition
    document = policies_document(config, Pseudo(region="cn-north-1", account_id=ACCOUNT, stack_name="s"))
    assert "arn:aws-cn:logs:cn-north-1:" in json.dumps(document)
    assert "arn:aws:" not in json.dumps(document)


def test_portable_arns_in_the_config_resolve_too():
    # GIVEN a bucket ARN that names the partition as ${AWS::Partition}
    config = FlowLogsConfig(**{**CUSTOM_BUCKET, "s3_bucket": "arn:${AWS::Partition}:s3:::example-flow-logs"})
    # WHEN printed for aws-us-gov THEN the bucket's ARN is that partition's
    document = policies_document(config, Pseudo(partition="aws-us-gov", region="us-gov-west-1", account_id=ACCOUNT))
    assert document["bucket_arn"] == "arn:aws-us-gov:s3:::example-flow-logs"
    assert document["bucket_policy_statements"][0]["Resource"] == ["arn:aws-us-gov:s3:::example-flow-logs"]


# --- the document, the output and the errors ------------------------------------------------------


def test_the_document_is_sorted_indented_json_with_notes(capsys):
    code, out, _ = run(capsys, "policies", "--config", str(ROOT / "examples/s3-custom-bucket.yaml"))
    assert code == 0
    document = json.loads(out)
    assert out == json.dumps(document, indent=2, sort_keys=True) + "\n"
    assert set(document) == {
        "bucket_arn", "bucket_policy_statements", "bucket_key_policy_statements", "notes", "substitute",
    }  # fmt: skip
    assert any("PutBucketPolicy" in note for note in document["notes"])


def test_output_file_gets_the_same_document(capsys, tmp_path):
    target = tmp_path / "policies.json"
    code, out, err = run(capsys, "policies", *sets(CLOUDWATCH_KEY), *ALL_KNOWN, "-o", str(target))
    assert (code, out, err) == (0, "", f"cfn-flowlogs: wrote {target} ({target.stat().st_size} bytes)\n")
    assert json.loads(target.read_text())["key_arn"] == KEY
    _, stdout_text, _ = run(capsys, "policies", *sets(CLOUDWATCH_KEY), *ALL_KNOWN)
    assert target.read_text() == stdout_text


def test_the_guides_example_is_what_the_command_prints(capsys):
    # GIVEN the guide's command and the output it shows
    page = (ROOT / "docs/guides/own-key-or-bucket.md").read_text(encoding="utf-8")
    command = re.search(r"^```sh\n(.*?)^```$", page, flags=re.M | re.S)
    shown = re.search(r"^```json\n(.*?)^```$", page, flags=re.M | re.S)
    assert command and shown
    argv = shlex.split(command.group(1))
    assert argv[:2] == ["cfn-flowlogs", "policies"]
    # WHEN the command runs from the repository THEN it prints exactly what the guide shows
    code, out, _ = run(capsys, *[str(ROOT / arg) if arg.startswith("examples/") else arg for arg in argv[1:]])
    assert code == 0
    assert out == shown.group(1), "update the guide's example output"


BAD = [
    pytest.param(["--set", f"vpc_id={VPC}"], "kms_key_arn/s3_bucket", id="neither-key-nor-bucket"),
    pytest.param([], "vpc_id/subnet_id", id="no-config"),
    pytest.param(
        ["--set", f"vpc_id={VPC}", "--set", f"kms_key_arn={KEY}", "--set", "create_resources=false"],
        "create_resources",
        id="creates-nothing",
    ),
    pytest.param([*sets(CLOUDWATCH_KEY), "--account-id", "1234"], "--account-id", id="short-account"),
    pytest.param([*sets(CLOUDWATCH_KEY), "--region", "mars"], "--region", id="bad-region"),
    pytest.param([*sets(CLOUDWATCH_KEY), "--partition", "azure"], "--partition", id="bad-partition"),
    pytest.param([*sets(CLOUDWATCH_KEY), "--partition", "aws-cn"], "--partition", id="partition-not-the-arn-s"),
    pytest.param([*sets(CLOUDWATCH_KEY), "--stack-name", "9lives"], "--stack-name", id="bad-stack-name"),
    pytest.param(["--set", "kms_key=x"], "--set", id="unknown-input"),
    pytest.param(["--set", f"vpc_id={VPC}", "--set", "kms_key_arn=not-an-arn"], "kms_key_arn", id="bad-key-arn"),
    pytest.param(["--config", "/nonexistent/flows.yaml"], "--config", id="missing-config"),
    pytest.param(["--format", "json"], "--format", id="unknown-option"),
]


@pytest.mark.parametrize(("argv", "name"), BAD)
def test_bad_input_is_one_line_exit_2_and_nothing_written(capsys, tmp_path, argv, name):
    # WHEN the command gets a bad input
    target = tmp_path / "policies.json"
    code, out, err = run(capsys, "policies", *argv, "-o", str(target))
    # THEN it exits 2 with one line naming the input, and writes nothing
    assert code == 2
    assert out == ""
    assert err.startswith(PREFIX) and len(err.splitlines()) == 1, err
    assert name in err
    assert not target.exists()
