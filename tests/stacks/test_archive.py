"""The central log archive: who may deliver, where, and the same hardening as the flow log's bucket."""

from __future__ import annotations

import json

import pytest

from cfn_flowlogs import ArchiveConfig, ConfigError, build_archive_template, lint, to_json
from cfn_flowlogs.cli import main

from ..cfn_eval import failed_rules
from ..matrix import ARCHIVES

ACCOUNTS = ["111122223333", "444455556666"]


def rendered(config=None):
    return json.loads(to_json(build_archive_template(config)))


def statements(template, type_="AWS::S3::BucketPolicy", key="PolicyDocument"):
    (resource,) = [r for r in template["Resources"].values() if r["Type"] == type_]
    return {s["Sid"]: s for s in resource["Properties"][key]["Statement"]}


@pytest.mark.parametrize("archive", [None, *ARCHIVES])
def test_archive_lints_clean(archive):
    assert [str(f) for f in lint(build_archive_template(ArchiveConfig(**archive) if archive else None))] == []


def test_listed_accounts_each_get_their_prefix_and_nothing_else():
    template = rendered(ArchiveConfig(source_account_ids=ACCOUNTS, s3_subfolder="org", hive_compatible_partitions=True))
    write = statements(template)["AWSLogDeliveryWrite"]
    bucket = {"Bucket": {"Fn::GetAtt": ["FlowLogsBucket", "Arn"]}}
    assert write["Resource"] == [
        {"Fn::Sub": [f"${{Bucket}}/org/AWSLogs/aws-account-id={account}/*", bucket]} for account in ACCOUNTS
    ]
    assert write["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNTS
    assert write["Condition"]["ArnLike"]["aws:SourceArn"] == [
        {"Fn::Sub": f"arn:${{AWS::Partition}}:logs:*:{account}:*"} for account in ACCOUNTS
    ]
    key = statements(template, "AWS::KMS::Key", "KeyPolicy")["AllowLogDeliveryToEncrypt"]
    assert key["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNTS}
    assert set(template["Outputs"]) == {"S3BucketArn", "S3BucketName", "KmsKeyArn"}
    for name in ("FlowLogsBucket", "FlowLogsKey"):  # kept, unless the create that made them rolls back
        assert template["Resources"][name]["DeletionPolicy"] == "RetainExceptOnCreate"
        assert template["Resources"][name]["UpdateReplacePolicy"] == "Retain"
    assert template["Resources"]["FlowLogsBucketPolicy"]["DeletionPolicy"] == "Retain"


def test_an_organization_delivers_by_aws_source_org_id():
    template = rendered(ArchiveConfig(organization_id="o-abcd123456"))
    write = statements(template)["AWSLogDeliveryWrite"]
    assert write["Condition"]["StringEquals"] == {
        "aws:SourceOrgID": "o-abcd123456",
        "s3:x-amz-acl": "bucket-owner-full-control",
    }
    assert write["Resource"] == [
        {"Fn::Sub": ["${Bucket}/AWSLogs/*/*", {"Bucket": {"Fn::GetAtt": ["FlowLogsBucket", "Arn"]}}]}
    ]
    assert "aws:SourceAccount" not in json.dumps(template)


def test_shipped_archive_decides_the_source_kind_at_deploy_time():
    template = rendered()
    policy = template["Resources"]["FlowLogsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert all(s["Fn::If"][0] == "UseOrganization" for s in policy[:2])
    organization, accounts = policy[1]["Fn::If"][1:]
    assert organization["Condition"]["StringEquals"]["aws:SourceOrgID"] == {"Ref": "OrganizationId"}
    split = {"Fn::Split": [",", {"Ref": "SourceAccountIds"}]}  # comma-separated text, split where used
    assert accounts["Condition"]["StringEquals"]["aws:SourceAccount"] == split
    assert failed_rules(template, {}) == ["ExactlyOneSource"]
    assert failed_rules(template, {"OrganizationId": "o-abcd123456", "SourceAccountIds": "111122223333"}) == [
        "ExactlyOneSource"
    ]
    assert failed_rules(template, {"OrganizationId": "o-abcd123456"}) == []
    assert failed_rules(template, {"SourceAccountIds": "111122223333,444455556666"}) == []


@pytest.mark.parametrize(
    ("inputs", "name"),
    [
        ({}, "source_account_ids/organization_id"),
        ({"source_account_ids": ACCOUNTS, "organization_id": "o-abcd123456"}, "source_account_ids/organization_id"),
        ({"source_account_ids": ["12345"]}, "source_account_ids"),
        ({"source_account_ids": "111122223333"}, "source_account_ids"),
        ({"organization_id": "org-1"}, "organization_id"),
        ({"organization_id": "o-abcd123456", "s3_glacier_transition": 40}, "s3_glacier_transition"),
        ({"organization_id": "o-abcd123456", "kms_key_prefix": "alias/aws/x"}, "kms_key_prefix"),
        ({"organization_id": "o-abcd123456", "custom_tags": {"aws:x": "y"}}, "custom_tags"),
    ],
)
def test_bad_archive_inputs_name_the_input(inputs, name):
    with pytest.raises(ConfigError) as caught:
        ArchiveConfig(**inputs)
    assert caught.value.name == name


def test_cli_archive(tmp_path, capsys):
    output = tmp_path / "archive.yaml"
    assert main(["archive", "--set", "source_account_ids=111122223333,444455556666", "-o", str(output)]) == 0
    assert "aws-account-id" not in output.read_text() and "444455556666" in output.read_text()
    with pytest.raises(SystemExit) as exited:
        main(["archive", "--set", "vpc_id=vpc-0123456789abcdef0"])
    assert exited.value.code == 2 and "vpc_id" in capsys.readouterr().err


def test_parameterized_archive_refuses_defaults_that_are_not_literal():
    config = ArchiveConfig(organization_id="o-abcd123456",
                           kms_key_users=["arn:${AWS::Partition}:iam::${AWS::AccountId}:role/Analyst"])  # fmt: skip
    assert build_archive_template(config)  # specialized: a Fn::Sub
    with pytest.raises(ConfigError, match="kms_key_users must be a literal value"):
        build_archive_template(config, parameterized=True)
