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


# --- the reader grant: the audit proves delivery here ----------------------------------------------

# S3's rule ("The meaning of public", Blocking public access): "To be considered non-public, a
# bucket policy must grant access only to fixed values (values that don't contain a wildcard or an
# AWS Identity and Access Management Policy Variable) for one or more of the following: An AWS
# principal, user, role, or service principal (e.g. aws:PrincipalOrgID)" ... aws:SourceArn,
# aws:SourceVpc, aws:SourceVpce, aws:SourceOwner, aws:SourceAccount, ...
FIXING_KEYS = {"aws:principalorgid", "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner",
               "aws:sourceaccount", "aws:userid"}  # fmt: skip


def fixed(value) -> bool:
    """A fixed value for S3: no wildcard, no policy variable (a Ref is one value at deploy time)."""
    if isinstance(value, list):
        return bool(value) and all(fixed(item) for item in value)
    if isinstance(value, str):
        return "*" not in value and "?" not in value and "${" not in value
    return set(value) == {"Ref"}  # a Parameter: one literal value once deployed


def public(statement) -> bool:
    """Whether S3 Block Public Access counts this statement public (BlockPublicPolicy would refuse
    the whole policy, RestrictPublicBuckets would cut every cross-account grant in it)."""
    if statement["Effect"] != "Allow" or statement["Principal"] not in ("*", {"AWS": "*"}):
        return False  # a Deny grants nothing; named principals (accounts, ARNs, services) are fixed
    fixing = [
        value
        for operator, keys in statement.get("Condition", {}).items()
        if operator in ("StringEquals", "ArnEquals")
        for key, value in keys.items()
        if key.lower() in FIXING_KEYS
    ]
    return not any(fixed(value) for value in fixing)  # fmt: skip


def test_the_audit_role_of_each_organization_account_may_list_only_the_delivery_prefixes():
    # GIVEN an organization's archive with the reader grant for the audit role
    template = rendered(ArchiveConfig(organization_id="o-abcd123456", s3_subfolder="org",
                                      audit_role_name="cfn-flowlogs-audit"))  # fmt: skip
    grant = statements(template)["AllowAuditRoleToList"]
    # THEN the role of that name in any account of the organization may list keys under org/AWSLogs/
    assert grant == {
        "Sid": "AllowAuditRoleToList",
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["s3:ListBucket"],
        "Resource": [{"Fn::GetAtt": ["FlowLogsBucket", "Arn"]}],
        "Condition": {
            "StringEquals": {"aws:PrincipalOrgID": "o-abcd123456"},
            "ArnLike": {"aws:PrincipalArn": {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/cfn-flowlogs-audit"}},
            "StringLike": {"s3:prefix": "org/AWSLogs/*"},
        },
    }
    # AND it is no public statement: the fixed organization ID keeps Block Public Access from
    # refusing the policy, where the wildcard role ARN alone would not
    assert not any(public(s) for s in statements(template).values())
    assert public({**grant, "Condition": {k: v for k, v in grant["Condition"].items() if k != "StringEquals"}})


def test_listed_accounts_and_a_named_principal_get_the_grant():
    template = rendered(ArchiveConfig(source_account_ids=ACCOUNTS, audit_role_name="cfn-flowlogs-audit",
                                      audit_principal_arn="arn:aws:iam::999988887777:role/auditor"))  # fmt: skip
    found = statements(template)
    by_role, named = found["AllowAuditRoleToList"], found["AllowAuditPrincipalToList"]
    assert by_role["Principal"] == {"AWS": ACCOUNTS} and "StringEquals" not in by_role["Condition"]
    assert by_role["Condition"]["StringLike"] == {"s3:prefix": "AWSLogs/*"}
    assert named["Principal"] == {"AWS": "arn:aws:iam::999988887777:role/auditor"}  # as the user wrote it
    assert named["Condition"] == {"StringLike": {"s3:prefix": "AWSLogs/*"}}
    assert not any(public(s) for s in found.values())
    # AND without either input, no grant at all
    assert not {"AllowAuditRoleToList", "AllowAuditPrincipalToList"} & set(statements(rendered(ArchiveConfig(
        source_account_ids=ACCOUNTS))))  # fmt: skip


def test_the_shipped_archive_decides_the_grant_at_deploy_time():
    policy = rendered()["Resources"]["FlowLogsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    by_role, named = policy[3:5]
    assert by_role["Fn::If"][0] == "HasAuditRoleName" and by_role["Fn::If"][2] == {"Ref": "AWS::NoValue"}
    organization, accounts = by_role["Fn::If"][1]["Fn::If"][1:]
    assert organization["Condition"]["StringEquals"] == {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}}
    assert accounts["Principal"] == {"AWS": {"Fn::Split": [",", {"Ref": "SourceAccountIds"}]}}
    assert not public(organization) and not public(accounts)
    assert named["Fn::If"][0] == "HasAuditPrincipalArn"
    assert named["Fn::If"][1]["Principal"] == {"AWS": {"Ref": "AuditPrincipalArn"}}


@pytest.mark.parametrize(
    ("inputs", "name"),
    [
        ({"audit_role_name": "no spaces"}, "audit_role_name"),
        ({"audit_principal_arn": "arn:aws:iam::111122223333:policy/p"}, "audit_principal_arn"),
        ({"audit_principal_arn": "arn:aws:sts::111122223333:assumed-role/r/s"}, "audit_principal_arn"),
    ],
)
def test_bad_reader_grant_inputs_name_the_input(inputs, name):
    with pytest.raises(ConfigError) as caught:
        ArchiveConfig(organization_id="o-abcd123456", **inputs)
    assert caught.value.name == name
