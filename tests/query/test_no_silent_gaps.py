"""Every record delivered is a record Athena can read: each way a deployed table could answer short
without an error, one table of cases, over real rendered templates (issue 22, points 1-7).

1. No log object moves to a storage class Athena skips while a table covers it.
2. Each field's Glue type is one Athena reads from the Parquet type AWS documents for it.
3. A transit gateway's table reads the Hive prefix AWS's transit gateway guide gives (`service=`).
4. year, month, day and hour are projected as integers (AWS: a split date cannot be a `date`).
5. A rollout's overrides cannot change the record shape under the archive's one table.
6. No glob in a table location: `*` in s3_subfolder is refused.
7. Athena's results on a bucket of your own: the owner is checked, SSE-KMS with your key if given.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from cfn_flowlogs import ArchiveConfig, ConfigError, FlowLogsConfig, build_archive_template, build_template, to_json
from cfn_flowlogs.audit.rollout import parse_plan
from cfn_flowlogs.config.fields import FIELDS, PARQUET_UNDOCUMENTED

from .delivery import INT_32, INT_64, READS, TGW, UNDOCUMENTED, VPC, parquet_type

BUCKET_ARN = "arn:${AWS::Partition}:s3:::example-custom-bucket"
KEY_ARN = "arn:${AWS::Partition}:kms:${AWS::Region}:111122223333:key/11111111-2222-3333-4444-555555555555"
# Storage classes whose objects Athena reads. It skips GLACIER and DEEP_ARCHIVE ("Query restored
# Amazon S3 Glacier objects"); the 2023 "Create tables" page: "you can use the Amazon S3 Glacier
# Instant Retrieval storage class, which is queryable by Athena".
READ_BY_ATHENA = {"STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER_IR"}


def flow_logs(**config: Any) -> dict[str, Any]:
    return json.loads(to_json(build_template(FlowLogsConfig(**{**VPC, **config}))))


def archive(**config: Any) -> dict[str, Any]:
    return json.loads(to_json(build_archive_template(ArchiveConfig(source_account_ids=["111122223333"], **config))))


def one(template: dict[str, Any], type_: str) -> dict[str, Any] | None:
    found = [r["Properties"] for r in template["Resources"].values() if r["Type"] == type_]
    assert len(found) <= 1
    return found[0] if found else None


def log_transitions(template: dict[str, Any]) -> list[str]:
    """The storage classes the bucket's lifecycle moves log objects to (rules without a prefix or
    on AWSLogs/; not Athena's own results)."""
    bucket = one(template, "AWS::S3::Bucket")
    assert bucket is not None
    rules = bucket["LifecycleConfiguration"]["Rules"]
    return [t["StorageClass"] for r in rules if "Prefix" not in r for t in r.get("Transitions", [])]


# --- 1. storage classes ------------------------------------------------------------------------------------

TABLE = {"log_destination_type": "s3", "create_athena_table": True}
LIFECYCLES = {
    # id: (template, whether a Glue table reads its bucket, the classes log objects move to)
    "flow-log-bucket-with-table": (lambda: flow_logs(**TABLE), True, ["STANDARD_IA", "GLACIER_IR"]),
    "flow-log-bucket-with-table-hive-parquet": (
        lambda: flow_logs(**TABLE, destination_options={"file_format": "parquet", "hive_compatible_partitions": True}),
        True,
        ["STANDARD_IA", "GLACIER_IR"],
    ),
    "flow-log-bucket-without-table": (lambda: flow_logs(log_destination_type="s3"), False, ["STANDARD_IA", "GLACIER"]),
    "archive-with-table": (lambda: archive(create_athena_table=True), True, ["STANDARD_IA", "GLACIER_IR"]),
    "archive-without-table": (lambda: archive(), False, ["STANDARD_IA", "GLACIER"]),
    "shipped-template": (lambda: json.loads(to_json(build_template())), False, ["STANDARD_IA", "GLACIER"]),
}


@pytest.mark.parametrize("case", list(LIFECYCLES))
def test_no_log_object_moves_where_athena_cannot_read_it_while_a_table_covers_it(case):
    # GIVEN a template that creates a bucket, with or without a table over it
    build, table, classes = LIFECYCLES[case]
    template = build()
    # THEN its log objects move through these classes; under a table, only through classes Athena reads
    assert log_transitions(template) == classes
    assert (one(template, "AWS::Glue::Table") is not None) == table
    if table:
        assert set(log_transitions(template)) <= READ_BY_ATHENA
        parameters = one(template, "AWS::Glue::Table")["TableInput"]["Parameters"]
        assert parameters["read_restored_glacier_objects"] == "true"  # what an earlier version archived, restored


def test_the_shipped_templates_lifecycle_is_unchanged_by_the_query_layer():
    # The shipped template cannot carry a table (compile time only): Glacier Flexible Retrieval stays
    transitions = json.loads(to_json(build_template()))["Resources"]["FlowLogsBucket"]["Properties"]
    rule = transitions["LifecycleConfiguration"]["Rules"][0]
    assert [t["StorageClass"] for t in rule["Transitions"]] == ["STANDARD_IA", "GLACIER"]


# --- 2. Parquet types --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_each_fields_glue_type_reads_its_documented_parquet_type(name):
    # GIVEN AWS's Parquet data type for the field (tests/query/delivery.py, from its records pages)
    field = FIELDS[name]
    # THEN the catalog records it, and the Glue type is one Athena reads from it
    assert field.parquet_type == parquet_type(name)
    assert field.athena_type in READS[field.parquet_type]
    # and where there is no widening to do, the type is the Parquet type's own
    if name != "protocol":
        assert field.athena_type == READS[field.parquet_type][0]
    assert (name in PARQUET_UNDOCUMENTED) == (name in UNDOCUMENTED)


def test_protocol_follows_awss_athena_ddl_which_reads_the_records_pages_int_32():
    # The records pages say INT_32, AWS's Athena DDL says bigint: bigint reads INT_32 (and the INT_64
    # an older transit gateway page gave)
    assert (FIELDS["protocol"].parquet_type, FIELDS["protocol"].athena_type) == ("INT_32", "bigint")
    assert "protocol" in INT_32 and "INT_64" in {k for k, v in READS.items() if "bigint" in v}


def test_encryption_status_is_a_number_column():
    assert (FIELDS["encryption-status"].parquet_type, FIELDS["encryption-status"].athena_type) == ("INT_32", "int")
    assert {n for n in FIELDS if FIELDS[n].athena_type == "bigint"} == INT_64 | {"protocol"}


# --- 3. transit gateways' Hive prefix ----------------------------------------------------------------------

LOCATIONS = {
    # id: (template, the service level of its table's location)
    "vpc-hive": (lambda: flow_logs(**TABLE, destination_options={"hive_compatible_partitions": True}), "aws-service="),
    "tgw-hive": (
        lambda: json.loads(to_json(build_template(FlowLogsConfig(
            **TGW, **TABLE, destination_options={"hive_compatible_partitions": True})))),
        "/service=",
    ),
    "tgw-plain": (lambda: json.loads(to_json(build_template(FlowLogsConfig(**TGW, **TABLE)))), "/vpcflowlogs/"),
    "archive-tgw-hive": (
        lambda: archive(create_athena_table=True, hive_compatible_partitions=True, log_format="${tgw-id} ${srcaddr}"),
        "/service=",
    ),
    "archive-vpc-hive": (lambda: archive(create_athena_table=True, hive_compatible_partitions=True), "aws-service="),
}  # fmt: skip


@pytest.mark.parametrize("case", list(LOCATIONS))
def test_the_tables_location_is_the_prefix_each_guide_documents(case):
    build, service = LOCATIONS[case]
    location = one(build(), "AWS::Glue::Table")["TableInput"]["Parameters"]["storage.location.template"]
    text = location if isinstance(location, str) else location["Fn::Sub"][0]
    assert service in text, text
    if service == "/service=":
        assert "aws-service=" not in text


def test_an_archive_that_cannot_tell_its_sources_kind_is_refused_with_hive_prefixes():
    with pytest.raises(ConfigError) as error:
        ArchiveConfig(source_account_ids=["111122223333"], create_athena_table=True, hive_compatible_partitions=True,
                      log_format="${version} ${srcaddr} ${dstaddr}")  # fmt: skip
    assert error.value.name == "log_format" and "aws-service=, service=" in error.value.allowed
    with pytest.raises(ConfigError) as mixed:
        ArchiveConfig(source_account_ids=["111122223333"], create_athena_table=True, log_format="${tgw-id} ${vpc-id}")
    assert "fields of one kind" in mixed.value.allowed


# --- 4. the year partition -----------------------------------------------------------------------------------


@pytest.mark.parametrize("hourly", [False, True])
@pytest.mark.parametrize("kind", ["flow-log", "archive"])
def test_every_date_level_is_an_integer_projection(kind, hourly):
    template = (
        flow_logs(**TABLE, destination_options={"per_hour_partition": hourly})
        if kind == "flow-log"
        else archive(create_athena_table=True, per_hour_partition=hourly)
    )
    parameters = one(template, "AWS::Glue::Table")["TableInput"]["Parameters"]
    levels = ["year", "month", "day", *(["hour"] if hourly else [])]
    assert [parameters[f"projection.{level}.type"] for level in levels] == ["integer"] * len(levels)
    assert [parameters[f"projection.{level}.digits"] for level in levels] == ["4", "2", "2", *(["2"] if hourly else [])]
    assert not [key for key, value in parameters.items() if key.endswith(".type") and value == "date"]


# --- 5. one record shape per archive ---------------------------------------------------------------------

PLAN = {"stack_set_name": "org-flow-logs", "archive_bucket_arn": "arn:aws:s3:::org-archive",
        "regions": ["us-east-1"], "accounts": ["111111111111", "222222222222"],
        "enrolment": False}  # fmt: skip
A, B = "111111111111", "222222222222"
VPC_A = {"vpc_id": "vpc-0123456789abcdef0"}
TGW_B = {"transit_gateway_id": "tgw-0123456789abcdef0", "max_aggregation_interval": 60, "traffic_type": None}
SHAPES = {
    # id: (inputs, overrides by account, the override input named in the error, or None: accepted)
    "other-log-format": ({}, {A: {**VPC_A, "log_format": "${version} ${srcaddr}"}}, f"{A}.us-east-1.log_format"),
    "other-file-format": ({}, {A: {**VPC_A, "destination_options": {"file_format": "parquet"}}},
                          f"{A}.us-east-1.destination_options"),
    "hive-prefixes": ({}, {A: {**VPC_A, "destination_options": {"hive_compatible_partitions": True}}},
                      f"{A}.us-east-1.destination_options"),
    "per-hour-prefixes": ({"destination_options": {"per_hour_partition": True}},
                          {A: {**VPC_A, "destination_options": {"per_hour_partition": False}}},
                          f"{A}.us-east-1.destination_options"),
    "other-subfolder": ({"s3_subfolder": "org"}, {A: {**VPC_A, "s3_subfolder": "team"}}, f"{A}.us-east-1.s3_subfolder"),
    "a-transit-gateway-after-a-vpc": ({}, {A: VPC_A, B: TGW_B}, f"{B}.us-east-1.transit_gateway_id"),
    "a-vpc-after-a-transit-gateway": ({}, {A: TGW_B, B: {"subnet_id": "subnet-0123456789abcdef0"}},
                                      f"{B}.us-east-1.subnet_id"),
    "same-shape-said-again": ({"destination_options": {"file_format": "parquet"}},
                              {A: {**VPC_A, "destination_options": {"file_format": "parquet"}, "traffic_type": "ALL"}},
                              None),
    "targets-of-one-kind": ({}, {A: VPC_A, B: {"subnet_id": "subnet-0123456789abcdef0"}}, None),
    "transit-gateways-alone": ({}, {A: TGW_B, B: {**TGW_B, "transit_gateway_id": "tgw-0123456789abcdef1"}}, None),
}  # fmt: skip


@pytest.mark.parametrize("case", list(SHAPES))
def test_an_override_cannot_change_the_record_shape_under_the_archive(case):
    inputs, overrides, named = SHAPES[case]
    data = {**PLAN, "inputs": inputs, "overrides": {a: {"us-east-1": o} for a, o in overrides.items()}}
    if named is None:
        assert len(parse_plan(data).overrides) == len(overrides)
        return
    with pytest.raises(ConfigError) as error:
        parse_plan(data)
    assert error.value.name == f"overrides.{named}"
    assert "one record shape" in error.value.allowed and "a plan, and a table, of its own" in error.value.allowed


# --- 6. no glob in a table location ------------------------------------------------------------------------

WILDCARDS = {
    "flow-log": lambda subfolder: FlowLogsConfig(**VPC, log_destination_type="s3", s3_subfolder=subfolder),
    "flow-log-with-table": lambda subfolder: FlowLogsConfig(**VPC, **TABLE, s3_subfolder=subfolder),
    "archive": lambda subfolder: ArchiveConfig(source_account_ids=["111122223333"], s3_subfolder=subfolder),
    "rollout": lambda subfolder: parse_plan({**PLAN, "inputs": {"s3_subfolder": subfolder}}),
}


@pytest.mark.parametrize("subfolder", ["logs*", "*", "team/*/flows", "a?b"])
@pytest.mark.parametrize("where", list(WILDCARDS))
def test_a_glob_in_the_subfolder_is_refused(where, subfolder):
    with pytest.raises(ConfigError) as error:
        WILDCARDS[where](subfolder)
    assert error.value.name.endswith("s3_subfolder") and error.value.value == subfolder
    assert "*" not in error.value.allowed.split("not starting")[0]


def test_the_characters_left_are_still_taken():
    config = FlowLogsConfig(**VPC, **TABLE, s3_subfolder="team-1/flow_logs.v2/(prod)!'x")
    assert config.s3_subfolder == "team-1/flow_logs.v2/(prod)!'x"


# --- 7. Athena's results in a bucket of your own ---------------------------------------------------------

CUSTOM = {**TABLE, "enable_custom_s3_destination": True, "s3_bucket": BUCKET_ARN}
OWNER = {"Ref": "AWS::AccountId"}
RESULTS = {
    # id: (config, ExpectedBucketOwner, EncryptionConfiguration)
    "own-bucket": (TABLE, OWNER, {"EncryptionOption": "SSE_KMS", "KmsKey": {"Fn::GetAtt": ["FlowLogsKey", "Arn"]}}),
    "custom-bucket": (CUSTOM, OWNER, {"EncryptionOption": "SSE_S3"}),
    "custom-bucket-owner": ({**CUSTOM, "athena_results_expected_bucket_owner": "111122223333"}, "111122223333",
                            {"EncryptionOption": "SSE_S3"}),
    "custom-bucket-key": ({**CUSTOM, "athena_results_kms_key_arn": KEY_ARN}, OWNER,
                          {"EncryptionOption": "SSE_KMS", "KmsKey": {"Fn::Sub": KEY_ARN}}),
}  # fmt: skip


@pytest.mark.parametrize("case", list(RESULTS))
def test_the_workgroup_checks_the_results_buckets_owner_and_enforces_its_encryption(case):
    config, owner, encryption = RESULTS[case]
    workgroup = one(flow_logs(**config), "AWS::Athena::WorkGroup")["WorkGroupConfiguration"]
    assert workgroup["EnforceWorkGroupConfiguration"] is True
    result = workgroup["ResultConfiguration"]
    assert (result["ExpectedBucketOwner"], result["EncryptionConfiguration"]) == (owner, encryption)


BAD_RESULTS = {
    "owner-with-own-bucket": ({**TABLE, "athena_results_expected_bucket_owner": "111122223333"},
                              "athena_results_expected_bucket_owner", "enable_custom_s3_destination"),
    "key-with-own-bucket": ({**TABLE, "athena_results_kms_key_arn": KEY_ARN}, "athena_results_kms_key_arn",
                            "enable_custom_s3_destination"),
    "owner-without-table": ({**CUSTOM, "create_athena_table": False, "athena_results_expected_bucket_owner":
                             "111122223333"}, "athena_results_expected_bucket_owner", "create_athena_table"),
    "owner-not-an-account": ({**CUSTOM, "athena_results_expected_bucket_owner": "1111"},
                             "athena_results_expected_bucket_owner", "12-digit"),
    "key-not-a-key": ({**CUSTOM, "athena_results_kms_key_arn": "alias/results"}, "athena_results_kms_key_arn",
                      "KMS key ARN"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_RESULTS))
def test_results_settings_that_cannot_apply_are_refused(case):
    config, name, words = BAD_RESULTS[case]
    with pytest.raises(ConfigError) as error:
        FlowLogsConfig(**VPC, **config)
    assert error.value.name == name and words in error.value.allowed
