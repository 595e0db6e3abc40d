"""The AWS facts the compiler must get right, checked on rendered templates."""

from __future__ import annotations

import json
import re

import pytest
from troposphere import Ref, Template

from cfn_flowlogs import ConfigError, FlowLogsConfig, build_archive_template, to_json
from cfn_flowlogs.compiler import naming
from cfn_flowlogs.compiler.context import BuildContext
from cfn_flowlogs.config.fields import FIELDS, TAG_FIELDS
from cfn_flowlogs.config.inputs import INPUTS

from ..conftest import ROOT, rendered
from ..matrix import BUCKET_ARN, KEY_ARN

VPC = {"vpc_id": "vpc-0123456789abcdef0"}
S3 = {**VPC, "log_destination_type": "s3"}


def resources_of(template, type_):
    return {name: r for name, r in template["Resources"].items() if r["Type"] == type_}


def only(template, type_):
    (resource,) = resources_of(template, type_).values()
    return resource


def statement(document, sid):
    for s in document["Statement"]:
        s = s.get("Fn::If", [None, s])[1] if "Fn::If" in s else s
        if s.get("Sid") == sid:
            return s
    raise AssertionError(f"no statement {sid}")


# --- the shipped template ---------------------------------------------------------------------


def test_every_scalar_input_is_a_parameter_named_like_the_module(shipped):
    # GIVEN the module's inputs WHEN the shipped template is built THEN each is a Parameter,
    # CamelCased word by word, with the module's default
    assert sorted(shipped["Parameters"]) == sorted(spec.parameter for spec in INPUTS)
    assert shipped["Parameters"]["CloudwatchLogRetention"]["Default"] == "731"
    assert shipped["Parameters"]["S3Bucket"]["Type"] == "String"
    assert shipped["Parameters"]["TrafficType"]["Default"] == "REJECT"
    assert shipped["Parameters"]["KmsKeyPrefix"]["Default"] == "alias/flow_logs_key_"
    assert shipped["Parameters"]["CloudwatchLogRetention"]["AllowedValues"][0] == "0"
    for name in ("FileFormat", "HiveCompatiblePartitions", "PerHourPartition"):
        assert name in shipped["Parameters"]
    for parameter in shipped["Parameters"].values():
        assert parameter["Description"]


def test_console_groups_every_parameter_once(shipped):
    interface = shipped["Metadata"]["AWS::CloudFormation::Interface"]
    grouped = [p for group in interface["ParameterGroups"] for p in group["Parameters"]]
    assert sorted(grouped) == sorted(shipped["Parameters"])
    assert set(interface["ParameterLabels"]) == set(shipped["Parameters"])


def test_outputs_are_the_modules_six_exported_by_stack_name(shipped):
    assert sorted(shipped["Outputs"]) == sorted(naming.OUTPUTS)
    for name, output in shipped["Outputs"].items():
        assert output["Export"]["Name"] == {"Fn::Sub": "${AWS::StackName}-" + name}
        assert "Condition" in output  # present exactly when its resource is


def test_stateful_logical_ids_are_pinned(shipped):
    # Changing one of these replaces the resource: a breaking change (see README).
    types = {name: r["Type"] for name, r in shipped["Resources"].items()}
    assert types["FlowLogsLogGroup"] == "AWS::Logs::LogGroup"
    assert types["FlowLogsKey"] == "AWS::KMS::Key"
    assert types["FlowLogsBucket"] == "AWS::S3::Bucket"
    assert types["FlowLog"] == "AWS::EC2::FlowLog"


@pytest.mark.parametrize("name", naming.STATEFUL)
def test_stateful_resources_are_retained_on_delete_and_replacement(shipped, name):
    # kept on delete and on replacement; removed only when the create that made it rolls back
    resource = shipped["Resources"][name]
    assert resource["DeletionPolicy"] == "RetainExceptOnCreate"
    assert resource["UpdateReplacePolicy"] == "Retain"


@pytest.mark.parametrize(
    "template",
    [
        pytest.param(lambda: rendered(), id="shipped"),
        pytest.param(lambda: rendered(FlowLogsConfig(**S3)), id="specialized"),
        pytest.param(lambda: rendered(FlowLogsConfig(**S3, force_destroy_bucket=True)), id="force-destroy"),
        pytest.param(lambda: json.loads(to_json(build_archive_template())), id="archive"),
    ],
)
def test_bucket_policy_stays_with_its_bucket(template):
    # GIVEN a template with a bucket WHEN the stack is deleted or the policy replaced
    policy = only(template(), "AWS::S3::BucketPolicy")
    # THEN the TLS-only deny and the delivery grants stay on the bucket (a force-destroyed
    # bucket is deleted by the emptier, and its policy with it)
    assert (policy["DeletionPolicy"], policy["UpdateReplacePolicy"]) == ("Retain", "Retain")


# --- the delivery role --------------------------------------------------------------------------


def test_role_trust_has_confused_deputy_conditions():
    role = only(rendered(FlowLogsConfig(**VPC)), "AWS::IAM::Role")
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert trust["Condition"]["ArnLike"] == {
        "aws:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*"}
    }


@pytest.mark.parametrize("managed", [True, False])
def test_role_may_only_write_to_its_log_group(managed):
    template = rendered(FlowLogsConfig(**VPC, use_managed_iam_policies=managed))
    role = only(template, "AWS::IAM::Role")["Properties"]
    if managed:
        assert "Policies" not in role
        assert role["ManagedPolicyArns"] == [{"Ref": "FlowLogsRolePolicy"}]
        document = only(template, "AWS::IAM::ManagedPolicy")["Properties"]["PolicyDocument"]
    else:
        assert "ManagedPolicyArns" not in role and not resources_of(template, "AWS::IAM::ManagedPolicy")
        document = role["Policies"][0]["PolicyDocument"]
    (grant,) = document["Statement"]
    assert grant["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    assert grant["Resource"] == [{"Fn::GetAtt": ["FlowLogsLogGroup", "Arn"]}]
    assert "iam:PassRole" not in json.dumps(template)


def test_role_name_and_boundary_when_given():
    boundary = "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/Boundary"
    role = only(
        rendered(FlowLogsConfig(**VPC, cloudwatch_iam_role_name="Delivery", iam_role_permissions_boundary=boundary)),
        "AWS::IAM::Role",
    )["Properties"]
    assert role["RoleName"] == "Delivery"
    assert role["PermissionsBoundary"] == {"Fn::Sub": boundary}


# --- key and log group ----------------------------------------------------------------------------


def test_key_policy_for_log_group():
    template = rendered(FlowLogsConfig(**VPC, cloudwatch_log_group_name="/org/flows"))
    key = only(template, "AWS::KMS::Key")["Properties"]
    assert key["EnableKeyRotation"] is True and key["KeySpec"] == "SYMMETRIC_DEFAULT"
    root = statement(key["KeyPolicy"], "EnableRootAccess")
    assert root["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
    logs = statement(key["KeyPolicy"], "AllowCloudWatchLogs")
    assert logs["Principal"] == {"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}}
    # Built from the name with Sub, not GetAtt: no key <-> log group cycle
    assert logs["Condition"]["ArnLike"] == {
        "kms:EncryptionContext:aws:logs:arn": {
            "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/org/flows"
        }
    }
    sids = [s["Sid"] for s in key["KeyPolicy"]["Statement"]]
    assert "AllowLogDeliveryToEncrypt" not in sids and "AllowKeyUsers" not in sids
    assert '"*"' not in json.dumps([s["Principal"] for s in key["KeyPolicy"]["Statement"]])
    group = only(template, "AWS::Logs::LogGroup")["Properties"]
    assert group["KmsKeyId"] == {"Fn::GetAtt": ["FlowLogsKey", "Arn"]}
    assert group["LogGroupName"] == "/org/flows" and group["RetentionInDays"] == 731


def test_key_users_may_use_but_not_administer():
    users = ["arn:${AWS::Partition}:iam::${AWS::AccountId}:role/Auditor"]
    key = only(rendered(FlowLogsConfig(**VPC, kms_key_users=users)), "AWS::KMS::Key")["Properties"]
    grant = statement(key["KeyPolicy"], "AllowKeyUsers")
    assert grant["Principal"] == {"AWS": [{"Fn::Sub": users[0]}]}
    assert "kms:*" not in grant["Action"] and "kms:Decrypt" in grant["Action"]


def test_alias_and_deletion_window():
    template = rendered(FlowLogsConfig(**VPC, kms_key_deletion_window_in_days=7))
    assert only(template, "AWS::KMS::Key")["Properties"]["PendingWindowInDays"] == 7
    alias = only(template, "AWS::KMS::Alias")["Properties"]
    assert alias["AliasName"] == {"Fn::Sub": "alias/flow_logs_key_${AWS::StackName}"}
    assert not resources_of(rendered(FlowLogsConfig(**VPC, kms_key_prefix=None)), "AWS::KMS::Alias")


def test_retention_zero_never_expires():
    group = only(rendered(FlowLogsConfig(**VPC, cloudwatch_log_retention=0)), "AWS::Logs::LogGroup")
    assert "RetentionInDays" not in group["Properties"]


def test_provided_key_creates_no_key():
    template = rendered(FlowLogsConfig(**VPC, kms_key_arn=KEY_ARN))
    assert not resources_of(template, "AWS::KMS::Key")
    assert only(template, "AWS::Logs::LogGroup")["Properties"]["KmsKeyId"] == {"Fn::Sub": KEY_ARN}
    assert template["Outputs"]["CloudWatchKmsKeyArn"]["Value"] == {"Fn::Sub": KEY_ARN}


# --- the bucket -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subfolder", "hive", "objects", "destination"),
    [
        ("", False, "${Bucket}/AWSLogs/${AWS::AccountId}/*", None),
        ("", True, "${Bucket}/AWSLogs/aws-account-id=${AWS::AccountId}/*", None),
        ("a/b", False, "${Bucket}/a/b/AWSLogs/${AWS::AccountId}/*", "${Bucket}/a/b/"),
        ("a/b", True, "${Bucket}/a/b/AWSLogs/aws-account-id=${AWS::AccountId}/*", "${Bucket}/a/b/"),
    ],
)
def test_delivery_prefix_follows_subfolder_and_hive(subfolder, hive, objects, destination):
    config = FlowLogsConfig(**S3, s3_subfolder=subfolder, destination_options={"hive_compatible_partitions": hive})
    template = rendered(config)
    document = only(template, "AWS::S3::BucketPolicy")["Properties"]["PolicyDocument"]
    write = statement(document, "AWSLogDeliveryWrite")
    bucket_arn = {"Fn::GetAtt": ["FlowLogsBucket", "Arn"]}
    assert write["Resource"] == [{"Fn::Sub": [objects, {"Bucket": bucket_arn}]}]
    assert write["Condition"]["StringEquals"] == {
        "aws:SourceAccount": {"Ref": "AWS::AccountId"},
        "s3:x-amz-acl": "bucket-owner-full-control",
    }
    assert write["Condition"]["ArnLike"] == {
        "aws:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*"}
    }
    acl = statement(document, "AWSLogDeliveryAclCheck")
    assert acl["Action"] == ["s3:GetBucketAcl", "s3:ListBucket"] and acl["Resource"] == [bucket_arn]
    flow_log = only(template, "AWS::EC2::FlowLog")
    # AWS's forms: the bare bucket ARN, or `<bucket ARN>/<subfolder>/` (never a lone trailing /)
    expected = {"Fn::Sub": [destination, {"Bucket": bucket_arn}]} if destination else bucket_arn
    assert flow_log["Properties"]["LogDestination"] == expected
    assert flow_log["DependsOn"] == ["FlowLogsBucketPolicy"]
    assert "DeliverLogsPermissionArn" not in flow_log["Properties"]


def test_bucket_is_hardened():
    template = rendered(FlowLogsConfig(**S3))
    bucket = only(template, "AWS::S3::Bucket")["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert "AccessControl" not in bucket
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["BucketKeyEnabled"] is True
    assert rule["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": ["FlowLogsKey", "Arn"]},
    }
    (lifecycle,) = bucket["LifecycleConfiguration"]["Rules"]
    assert [t["TransitionInDays"] for t in lifecycle["Transitions"]] == [30, 180]
    assert lifecycle["ExpirationInDays"] == 365
    tls = statement(only(template, "AWS::S3::BucketPolicy")["Properties"]["PolicyDocument"], "DenyInsecureTransport")
    assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": False}}
    key = only(template, "AWS::KMS::Key")["Properties"]["KeyPolicy"]
    delivery = statement(key, "AllowLogDeliveryToEncrypt")
    assert delivery["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    sids = [s["Sid"] for s in key["Statement"]]
    assert "AllowCloudWatchLogs" not in sids


def test_destination_options_are_pascal_case():
    options = {"file_format": "parquet", "hive_compatible_partitions": True, "per_hour_partition": True}
    flow_log = only(rendered(FlowLogsConfig(**S3, destination_options=options)), "AWS::EC2::FlowLog")
    assert flow_log["Properties"]["DestinationOptions"] == {
        "FileFormat": "parquet",
        "HiveCompatiblePartitions": True,
        "PerHourPartition": True,
    }


def test_custom_bucket_creates_no_bucket_and_keeps_its_prefix():
    template = rendered(FlowLogsConfig(**S3, enable_custom_s3_destination=True, s3_bucket=BUCKET_ARN, s3_subfolder="x"))
    assert set(template["Resources"]) == {"FlowLog"}
    assert template["Resources"]["FlowLog"]["Properties"]["LogDestination"] == {"Fn::Sub": BUCKET_ARN + "/x/"}
    assert template["Outputs"]["S3BucketName"]["Value"] == "example-custom-bucket"


def test_additional_statements_in_the_modules_shape():
    statements = {
        "AllowReaders": {
            "actions": ["s3:GetObject"],
            "principals": {"AWS": ["arn:${AWS::Partition}:iam::${AWS::AccountId}:role/Reader"], "Service": ["x.com"]},
            "keys": ["/logs/*"],
            "condition": {"vpc": {"test": "StringEquals", "variable": "aws:SourceVpc", "values": ["vpc-1"]}},
        }
    }
    template = rendered(FlowLogsConfig(**S3, additional_s3_bucket_policy_statements=statements))
    extra = statement(only(template, "AWS::S3::BucketPolicy")["Properties"]["PolicyDocument"], "AllowReaders")
    assert extra["Effect"] == "Allow"
    assert extra["Principal"] == {
        "AWS": [{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/Reader"}],
        "Service": ["x.com"],
    }
    assert extra["Resource"] == [
        {"Fn::Sub": ["${Bucket}/logs/*", {"Bucket": {"Fn::GetAtt": ["FlowLogsBucket", "Arn"]}}]}
    ]
    assert extra["Condition"] == {"StringEquals": {"aws:SourceVpc": ["vpc-1"]}}


def test_force_destroy_adds_an_emptier_the_flow_log_waits_for():
    template = rendered(FlowLogsConfig(**S3, force_destroy_bucket=True))
    emptier = template["Resources"][naming.EMPTY_BUCKET]
    assert emptier["Type"] == "Custom::EmptyBucket"
    assert emptier["Properties"]["BucketName"] == {"Ref": "FlowLogsBucket"}
    assert set(template["Resources"]["FlowLog"]["DependsOn"]) == {"FlowLogsBucketPolicy", naming.EMPTY_BUCKET}
    # the bucket stays retained: the function, not CloudFormation, deletes it, and only on release
    assert template["Resources"]["FlowLogsBucket"]["DeletionPolicy"] == "RetainExceptOnCreate"
    code = template["Resources"][naming.EMPTY_BUCKET_FUNCTION]["Properties"]["Code"]["ZipFile"]
    assert (
        len(code.encode()) < 4 * 1024 * 1024
    )  # CloudFormation's limit for inline code (tests/compiler/test_emptier.py)
    assert naming.EMPTY_BUCKET not in rendered(FlowLogsConfig(**S3))["Resources"]


# --- the flow log ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ({"vpc_id": Ref("MyVpc")}, "VPC"),
        ({"subnet_id": Ref("MySubnet")}, "Subnet"),
        ({"eni_id": Ref("MyEni")}, "NetworkInterface"),
    ],
)
def test_target_may_be_an_expression(target, kind):
    flow_log = only(rendered(FlowLogsConfig(**target)), "AWS::EC2::FlowLog")["Properties"]
    assert flow_log["ResourceType"] == kind
    assert flow_log["ResourceId"] == {"Ref": next(iter(target.values())).data["Ref"]}


def test_cloudwatch_flow_log_uses_role_and_group():
    flow_log = only(
        rendered(FlowLogsConfig(**VPC, traffic_type="ALL", max_aggregation_interval=60)), "AWS::EC2::FlowLog"
    )
    props = flow_log["Properties"]
    assert props["LogGroupName"] == {"Ref": "FlowLogsLogGroup"}
    assert props["DeliverLogsPermissionArn"] == {"Fn::GetAtt": ["FlowLogsRole", "Arn"]}
    assert props["TrafficType"] == "ALL" and props["MaxAggregationInterval"] == 60
    assert "DestinationOptions" not in props and "LogDestination" not in props
    assert "DependsOn" not in flow_log


def test_firehose_needs_no_role():
    arn = "arn:${AWS::Partition}:firehose:${AWS::Region}:${AWS::AccountId}:deliverystream/s"
    template = rendered(FlowLogsConfig(**VPC, log_destination_type="kinesis-data-firehose", kinesis_firehose_arn=arn))
    assert set(template["Resources"]) == {"FlowLog"}
    assert template["Resources"]["FlowLog"]["Properties"]["LogDestination"] == {"Fn::Sub": arn}
    assert list(template["Outputs"]) == ["FlowLogId"]


def test_create_resources_false_creates_only_the_placeholder():
    # CloudFormation refuses a template without resources: a free placeholder stands in
    template = rendered(FlowLogsConfig(**VPC, create_resources=False))
    assert template["Resources"] == {naming.PLACEHOLDER: {"Type": "AWS::CloudFormation::WaitConditionHandle"}}
    assert "Outputs" not in template and "Conditions" not in template


def test_tags_on_every_taggable_resource():
    template = rendered(FlowLogsConfig(**S3, force_destroy_bucket=True, custom_tags={"b": "2", "a": "1"}))
    untaggable = {"AWS::IAM::ManagedPolicy", "AWS::S3::BucketPolicy", "AWS::KMS::Alias", "Custom::EmptyBucket"}
    mark = {"Key": "cfn-flowlogs:stack", "Value": {"Ref": "AWS::StackName"}}  # a flow log says who made it
    for name, resource in template["Resources"].items():
        if resource["Type"] not in untaggable:
            own = [mark] if resource["Type"] == "AWS::EC2::FlowLog" else []
            expected = [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}, *own]
            assert resource["Properties"]["Tags"] == expected, name


def test_specialized_template_folds_every_decision():
    template = rendered(FlowLogsConfig(**S3))
    text = json.dumps(template)
    assert "Parameters" not in template and "Conditions" not in template and "Rules" not in template
    assert "AWS::NoValue" not in text and "Fn::If" not in text


def test_user_text_never_becomes_a_reference():
    # GIVEN a literal that looks like a Sub reference WHEN it reaches Fn::Sub THEN it is escaped
    ctx = BuildContext(Template(), {})
    built = ctx.sub("${Bucket}/${Key}", Bucket=Ref("B"), Key="logs/${AWS::AccountId}/*")
    assert built.to_dict() == {"Fn::Sub": ["${Bucket}/logs/${!AWS::AccountId}/*", {"Bucket": {"Ref": "B"}}]}
    # and an input that could only be meant as a reference is refused before it gets there
    with pytest.raises(ConfigError, match="keys"):
        FlowLogsConfig(
            **S3,
            additional_s3_bucket_policy_statements={
                "X": {
                    "actions": ["s3:GetObject"],
                    "principals": {"AWS": ["arn:aws-cn:iam::123456789012:root"]},
                    "keys": ["${AWS::AccountId}/*"],
                }
            },
        )


def test_no_literal_partition_anywhere():
    for config in [None, FlowLogsConfig(**S3, force_destroy_bucket=True), FlowLogsConfig(**VPC)]:
        assert "arn:aws:" not in json.dumps(rendered(config))


# --- Firehose in another account -----------------------------------------------------------------

CROSS = {
    **VPC,
    "log_destination_type": "kinesis-data-firehose",
    "kinesis_firehose_arn": "arn:${AWS::Partition}:firehose:${AWS::Region}:111122223333:deliverystream/central",
    "deliver_cross_account_role": "arn:${AWS::Partition}:iam::111122223333:role/AWSLogDeliveryFirehoseCrossAccountRole",
}


def test_firehose_across_accounts_uses_a_source_role_it_waits_for():
    template = rendered(FlowLogsConfig(**CROSS))
    flow_log = template["Resources"]["FlowLog"]
    assert flow_log["Properties"]["DeliverLogsPermissionArn"] == {"Fn::GetAtt": ["FirehoseSourceRole", "Arn"]}
    assert flow_log["Properties"]["DeliverCrossAccountRole"] == {"Fn::Sub": CROSS["deliver_cross_account_role"]}
    assert flow_log["DependsOn"] == ["FirehoseSourceRolePolicy"]
    (trust,) = template["Resources"]["FirehoseSourceRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    # AWS documents no condition key for log delivery's assume: IfExists protects without refusing
    assert trust["Condition"] == {"StringEqualsIfExists": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    document = template["Resources"]["FirehoseSourceRolePolicy"]["Properties"]["PolicyDocument"]
    passing = statement(document, "PassToLogDeliveryForTarget")
    assert passing["Resource"] == [{"Fn::GetAtt": ["FirehoseSourceRole", "Arn"]}]
    assert passing["Condition"]["StringLike"] == {
        "iam:AssociatedResourceARN": [
            {"Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc/vpc-0123456789abcdef0"}
        ]
    }
    assert statement(document, "AssumeDestinationRole")["Resource"] == [
        {"Fn::Sub": CROSS["deliver_cross_account_role"]}
    ]


@pytest.mark.parametrize(
    ("destination", "words"),
    [("cloud-watch-logs", "AWS does not deliver flow logs to CloudWatch Logs in another account"), ("s3", "s3_bucket")],
)
def test_cross_account_role_is_refused_where_aws_has_no_such_delivery(destination, words):
    role = "arn:aws-cn:iam::111122223333:role/AWSLogDeliveryFirehoseCrossAccountRole"
    with pytest.raises(ConfigError, match=words):
        FlowLogsConfig(**VPC, log_destination_type=destination, deliver_cross_account_role=role)


# --- deploy time checks what compile time checks; names apart ---------------------------------------


@pytest.mark.parametrize(
    ("log_format", "accepted"),
    [
        ("", True),
        ("${version} ${srcaddr} ${dstaddr}", True),
        (" ".join(f"${{{name}}}" for name in sorted(FIELDS) if name not in TAG_FIELDS), True),
        ("${tgw-id} ${packets-lost-no-route}", True),
        ("${instance-tag}", False),  # needs TagFieldSpecifications: a compiled template
        ("${version} ${asg-tag-2}", False),
        ("${no-such-field}", False),
        ("${version} ", False),
        ("${version}  ${srcaddr}", False),
        ("${version}${srcaddr}", False),
        ("version", False),
    ],
)
def test_log_format_parameter_takes_only_catalog_fields_without_tags(shipped, log_format, accepted):
    # GIVEN the shipped template's LogFormat Parameter
    parameter = shipped["Parameters"]["LogFormat"]
    # WHEN CloudFormation matches a value against its AllowedPattern THEN only known, non-tag fields pass
    assert bool(re.fullmatch(parameter["AllowedPattern"], log_format)) is accepted
    assert "TagFieldSpecifications" in parameter["ConstraintDescription"]


@pytest.mark.parametrize(
    "template",
    [
        pytest.param(lambda: rendered(), id="shipped"),
        pytest.param(lambda: json.loads(to_json(build_archive_template())), id="archive"),
    ],
)
def test_no_condition_shares_a_name_with_a_parameter_or_resource(template):
    # Other engines (LocalStack among them) recurse on a Condition named like a Parameter
    body = template()
    assert set(body["Conditions"]).isdisjoint(body["Parameters"])
    assert set(body["Conditions"]).isdisjoint(body["Resources"])


@pytest.mark.parametrize(
    ("role", "operator"),
    [
        ("FlowLogsRole", "StringEquals"),  # AWS documents aws:SourceAccount for VPC Flow Logs' role
        (naming.EMPTY_BUCKET_ROLE, "StringEqualsIfExists"),  # and not for Lambda's execution role
    ],
)
def test_trust_conditions_as_documented(role, operator):
    # GIVEN a template with the delivery role and the emptier's role
    template = (
        rendered(FlowLogsConfig(**VPC))
        if role == "FlowLogsRole"
        else rendered(FlowLogsConfig(**S3, force_destroy_bucket=True))
    )
    (trust,) = template["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    # THEN the source account is required where AWS says the service sends it, else checked if sent
    assert trust["Condition"][operator]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}


# --- only the functions AWS documents where they are used --------------------------------------

# "You can use the following functions in all other condition functions, such as Fn::Equals and
# Fn::Or: Fn::FindInMap, Ref, Other condition functions" (intrinsic-function-reference-conditions).
CONDITION_FUNCTIONS = {"Ref", "Condition", "Fn::FindInMap", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"}
# The rule-specific intrinsic functions (intrinsic-function-reference-rules), and Ref.
RULE_FUNCTIONS = {"Ref", "Fn::And", "Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn", "Fn::Equals",
                  "Fn::Not", "Fn::Or", "Fn::RefAll", "Fn::ValueOf", "Fn::ValueOfAll"}  # fmt: skip


def functions_in(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" or key == "Condition" or key.startswith("Fn::"):
                yield key
            yield from functions_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from functions_in(item)


SHIPPED_TEMPLATES = sorted(p.name for p in ROOT.joinpath("templates").glob("*.json"))


@pytest.mark.parametrize("name", SHIPPED_TEMPLATES)
def test_conditions_and_rules_use_only_documented_functions(name):
    # GIVEN every shipped template THEN its Conditions and Rules use only the functions AWS
    # documents there: a list Parameter is comma-separated text tested by a plain Ref
    template = json.loads(ROOT.joinpath("templates", name).read_text(encoding="utf-8"))
    assert set(functions_in(template.get("Conditions", {}))) <= CONDITION_FUNCTIONS
    assert set(functions_in(template.get("Rules", {}))) <= RULE_FUNCTIONS
    assert "CommaDelimitedList" not in {p["Type"] for p in template["Parameters"].values()}
