"""The query layer's structure, over real rendered templates: the Glue table follows the catalog and
the delivery (columns, types, partitions, SerDe, location), the workgroup encrypts and limits, no
query needs a field the format lacks, Logs Insights parses what it cannot discover, and every bad
input is a ConfigError that names it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import sqlglot
from sqlglot import exp
from troposphere import Template

from cfn_flowlogs import (
    ArchiveConfig,
    ConfigError,
    FlowLogsConfig,
    add_flow_logs,
    build_archive_template,
    build_template,
    lint,
    nested_stack,
    to_json,
)
from cfn_flowlogs.config.fields import DEFAULT_FIELDS, FIELDS
from cfn_flowlogs.config.inputs import QUERY_INPUTS
from cfn_flowlogs.config.loading import config_from
from cfn_flowlogs.query.catalog import ACCOUNT_KEY, DATE_KEYS, QUESTIONS, REGION_KEY, insights_field, questions_for

from ..checks import run_checks

VPC = {"vpc_id": "vpc-0123456789abcdef0"}
TGW = {"transit_gateway_id": "tgw-0123456789abcdef0", "max_aggregation_interval": 60, "traffic_type": None}
BUCKET_ARN = "arn:${AWS::Partition}:s3:::example-custom-bucket"
ALL_V5 = [n for n in FIELDS if "vpc" in FIELDS[n].versions and FIELDS[n].versions["vpc"] <= 5]
FORMATS = {
    "default": (VPC, None, DEFAULT_FIELDS["vpc"]),
    "all-v5": (VPC, ALL_V5, tuple(ALL_V5)),
    "transit-gateway": (TGW, None, DEFAULT_FIELDS["transit-gateway"]),
    "few": (VPC, ["version", "srcaddr", "dstaddr", "action"], ("version", "srcaddr", "dstaddr", "action")),
}


def athena(**config: Any) -> dict[str, Any]:
    target = {} if any(key.endswith("_id") for key in config) else VPC
    return rendered({**target, "log_destination_type": "s3", "create_athena_table": True, **config})


def rendered(config: dict[str, Any]) -> dict[str, Any]:
    return json.loads(to_json(build_template(FlowLogsConfig(**config))))


def of_type(template: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {t: r for t, r in template["Resources"].items() if r["Type"] == type_}


def one(template: dict[str, Any], type_: str) -> dict[str, Any]:
    (resource,) = of_type(template, type_).values()
    return resource["Properties"]


def sub_text(value: Any) -> str:
    """An Fn::Sub's text (its variables' names left in), or a plain string."""
    if isinstance(value, str):
        return value
    text = value["Fn::Sub"]
    return text if isinstance(text, str) else text[0]


@pytest.mark.parametrize("name", list(FORMATS))
def test_columns_are_the_formats_fields_with_the_catalogs_types(name):
    # GIVEN a log format (AWS's default, every v2-v5 field, a transit gateway's, a few fields)
    target, log_format, fields = FORMATS[name]
    config = {**target, "log_format": log_format} if log_format else dict(target)
    # WHEN its query layer is compiled
    table = one(athena(**config), "AWS::Glue::Table")["TableInput"]
    # THEN the columns are the fields in order, `-` as `_`, `end` unquoted, typed as the catalog says
    columns = table["StorageDescriptor"]["Columns"]
    assert [c["Name"] for c in columns] == [f.replace("-", "_") for f in fields]
    assert [c["Type"] for c in columns] == [FIELDS[f].athena_type for f in fields]
    assert table["TableType"] == "EXTERNAL_TABLE" and table["Parameters"]["EXTERNAL"] == "TRUE"
    # and no partition key is named like a column (text columns are read by position)
    keys = {k["Name"] for k in table["PartitionKeys"]}
    assert not keys & {c["Name"] for c in columns}


def test_no_field_of_the_catalog_is_named_like_a_partition_key():
    keys = {ACCOUNT_KEY, REGION_KEY, *DATE_KEYS, "hour"}
    assert not keys & {name.replace("-", "_") for name in FIELDS}


@pytest.mark.parametrize("hourly", [False, True])
def test_partitions_are_projected_without_crawler_or_repair(hourly):
    # GIVEN daily or hourly partitions WHEN compiled THEN every partition key is projected
    table = one(athena(destination_options={"per_hour_partition": hourly}), "AWS::Glue::Table")["TableInput"]
    keys = [k["Name"] for k in table["PartitionKeys"]]
    assert keys == ["aws_account_id", "aws_region", "year", "month", "day", *(["hour"] if hourly else [])]
    assert all(k["Type"] == "string" for k in table["PartitionKeys"])
    p = table["Parameters"]
    assert p["projection.enabled"] == "true"
    assert (p["projection.aws_account_id.type"], p["projection.aws_account_id.values"]) == (
        "enum",
        {"Ref": "AWS::AccountId"},
    )
    assert (p["projection.aws_region.type"], p["projection.aws_region.values"]) == ("enum", {"Ref": "AWS::Region"})
    # AWS: a date split into year, month and day cannot use the date type: integers, with digits
    assert {k: v for k, v in p.items() if k.startswith("projection.year.")} == {
        "projection.year.type": "integer",
        "projection.year.range": "2024,2099",
        "projection.year.digits": "4",
    }
    for key, high in (("month", 12), ("day", 31), *((("hour", 23),) if hourly else ())):
        low = 0 if key == "hour" else 1
        assert (p[f"projection.{key}.type"], p[f"projection.{key}.range"], p[f"projection.{key}.digits"]) == (
            "integer",
            f"{low},{high}",
            "2",
        )
    assert ("projection.hour.type" in p) == hourly
    # and nothing else to keep partitions up to date
    template = athena(destination_options={"per_hour_partition": hourly})
    assert not of_type(template, "AWS::Glue::Crawler") and not of_type(template, "AWS::Lambda::Function")


@pytest.mark.parametrize(
    ("file_format", "serde", "input_format"),
    [
        (
            "plain-text",
            "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
            "org.apache.hadoop.mapred.TextInputFormat",
        ),
        (
            "parquet",
            "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        ),
    ],
)
def test_serde_follows_the_file_format(file_format, serde, input_format):
    table = one(athena(destination_options={"file_format": file_format}), "AWS::Glue::Table")["TableInput"]
    storage = table["StorageDescriptor"]
    assert storage["SerdeInfo"]["SerializationLibrary"] == serde
    assert storage["InputFormat"] == input_format
    if file_format == "plain-text":  # space-delimited, the header line of field names skipped
        assert storage["SerdeInfo"]["Parameters"] == {"field.delim": " ", "serialization.format": " "}
        assert table["Parameters"]["skip.header.line.count"] == "1"
    else:
        assert "Parameters" not in storage["SerdeInfo"] and "skip.header.line.count" not in table["Parameters"]
        assert storage["OutputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"


PLAIN = "${!aws_account_id}/vpcflowlogs/${!aws_region}/${!year}/${!month}/${!day}/"
HIVE = (
    "aws-account-id=${!aws_account_id}/aws-service=vpcflowlogs/aws-region=${!aws_region}/"
    "year=${!year}/month=${!month}/day=${!day}/"
)


@pytest.mark.parametrize("subfolder", ["", "network/flows"])
@pytest.mark.parametrize("hive", [False, True])
@pytest.mark.parametrize("hourly", [False, True])
def test_location_is_where_delivery_writes_and_the_bucket_policy_grants(subfolder, hive, hourly):
    # GIVEN a subfolder or none, Hive-compatible prefixes or plain ones, hourly or daily
    options = {"hive_compatible_partitions": hive, "per_hour_partition": hourly}
    template = athena(destination_options=options, **({"s3_subfolder": subfolder} if subfolder else {}))
    table = one(template, "AWS::Glue::Table")["TableInput"]
    location = table["Parameters"]["storage.location.template"]
    # THEN the location is AWS's documented layout under the bucket and subfolder
    prefix = f"{subfolder}/" if subfolder else ""
    tail = (HIVE if hive else PLAIN) + (("hour=${!hour}/" if hive else "${!hour}/") if hourly else "")
    assert location == {"Fn::Sub": [f"s3://${{Bucket}}/{prefix}AWSLogs/{tail}", {"Bucket": {"Ref": "FlowLogsBucket"}}]}
    assert table["StorageDescriptor"]["Location"] == {
        "Fn::Sub": [f"s3://${{Bucket}}/{prefix}AWSLogs/", {"Bucket": {"Ref": "FlowLogsBucket"}}]
    }
    # and it is the very path the bucket policy lets log delivery write, this account in place
    policy = one(template, "AWS::S3::BucketPolicy")["PolicyDocument"]
    (write,) = [s for s in policy["Statement"] if s["Sid"] == "AWSLogDeliveryWrite"]
    (granted,) = write["Resource"]
    granted_path = sub_text(granted).removeprefix("${Bucket}/").removesuffix("*")
    table_path = sub_text(location).removeprefix("s3://${Bucket}/").replace("${!aws_account_id}", "${AWS::AccountId}")
    assert table_path.startswith(granted_path)
    # and the flow log delivers under that subfolder
    destination = one(template, "AWS::EC2::FlowLog")["LogDestination"]
    assert (
        sub_text(destination).endswith(f"/{prefix}")
        if subfolder
        else destination == {"Fn::GetAtt": ["FlowLogsBucket", "Arn"]}
    )


def test_custom_bucket_table_reads_that_bucket():
    # GIVEN your own bucket WHEN compiled with a table
    template = athena(enable_custom_s3_destination=True, s3_bucket=BUCKET_ARN, s3_subfolder="vpc")
    table = one(template, "AWS::Glue::Table")["TableInput"]
    # THEN the table and the results are in that bucket, and no bucket (or lifecycle) is added
    assert table["Parameters"]["storage.location.template"].startswith("s3://example-custom-bucket/vpc/AWSLogs/")
    result = one(template, "AWS::Athena::WorkGroup")["WorkGroupConfiguration"]["ResultConfiguration"]
    assert result["OutputLocation"] == "s3://example-custom-bucket/athena-results/"
    assert not of_type(template, "AWS::S3::Bucket")


def test_workgroup_enforces_encryption_with_the_flow_log_key_and_a_scan_limit():
    # GIVEN the created bucket and key, and a 5 GiB limit
    template = athena(athena_bytes_scanned_cutoff_per_query=5 * 1024**3, athena_results_expiration_days=3)
    workgroup = one(template, "AWS::Athena::WorkGroup")
    configuration = workgroup["WorkGroupConfiguration"]
    # THEN clients cannot override it, results are SSE-KMS with the key ARN, in this account's bucket
    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["BytesScannedCutoffPerQuery"] == 5 * 1024**3
    assert configuration["EngineVersion"] == {"SelectedEngineVersion": "Athena engine version 3"}
    assert configuration["ResultConfiguration"] == {
        "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": {"Fn::GetAtt": ["FlowLogsKey", "Arn"]}},
        "ExpectedBucketOwner": {"Ref": "AWS::AccountId"},
        "OutputLocation": {"Fn::Sub": ["s3://${Bucket}/athena-results/", {"Bucket": {"Ref": "FlowLogsBucket"}}]},
    }
    assert workgroup["RecursiveDeleteOption"] is True and workgroup["Name"] == {
        "Fn::Sub": "${AWS::StackName}-flow-logs"
    }
    # and the results expire by their own lifecycle rule, outside AWSLogs/
    rules = one(template, "AWS::S3::Bucket")["LifecycleConfiguration"]["Rules"]
    (results,) = [r for r in rules if r["Id"] == "AthenaResultsExpiration"]
    assert results["Prefix"] == "athena-results/" and results["ExpirationInDays"] == 3
    assert results["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    # and nothing broader is granted in the bucket or key policy than without the query layer
    plain = rendered({**VPC, "log_destination_type": "s3"})
    for type_, key in (("AWS::S3::BucketPolicy", "PolicyDocument"), ("AWS::KMS::Key", "KeyPolicy")):
        assert one(template, type_)[key] == one(plain, type_)[key]


def test_no_lifecycle_rule_for_results_without_a_table():
    rules = one(rendered({**VPC, "log_destination_type": "s3"}), "AWS::S3::Bucket")["LifecycleConfiguration"]["Rules"]
    assert [r["Id"] for r in rules] == ["FlowLogsLifecycle"]


def _columns(sql: str) -> set[str]:
    tree = sqlglot.parse_one(sql, read="athena")
    aliases = {a.alias for a in tree.find_all(exp.Alias)}
    return {c.name for c in tree.find_all(exp.Column)} - aliases


@pytest.mark.parametrize("name", list(FORMATS))
def test_no_query_uses_a_field_the_format_lacks(name):
    # GIVEN a format WHEN its Athena and Logs Insights queries are compiled
    target, log_format, fields = FORMATS[name]
    config = {**target, "log_format": log_format} if log_format else dict(target)
    athena_template = athena(**config)
    insights_template = rendered({**config, "create_logs_insights_queries": True})
    named = of_type(athena_template, "AWS::Athena::NamedQuery")
    saved = of_type(insights_template, "AWS::Logs::QueryDefinition")
    # THEN each question the fields allow is asked once on each side, and only those
    keys = [q.key for q, _ in questions_for(fields)]
    assert sorted(named) == sorted(f"FlowLogsQuery{k}" for k in keys)
    assert sorted(saved) == sorted(f"FlowLogsInsights{k}" for k in keys)
    if name != "few":
        assert len(keys) >= 6
    # and every column a query reads is a field of the format or a partition key
    allowed = {f.replace("-", "_") for f in fields} | {ACCOUNT_KEY, REGION_KEY, *DATE_KEYS, "hour"}
    for title, query in named.items():
        assert _columns(query["Properties"]["QueryString"]) <= allowed, title
        assert query["Properties"]["Database"] == {"Ref": "FlowLogsGlueDatabase"}
        assert query["Properties"]["WorkGroup"] == {"Ref": "FlowLogsAthenaWorkGroup"}
    # and every Logs Insights field is one the format names (parsed or discovered)
    known = {insights_field(f) for f in FIELDS}
    names = {insights_field(f) for f in fields}
    for title, query in saved.items():
        text = query["Properties"]["QueryString"]
        used = {token for token in re.findall(r"[A-Za-z]+", re.sub(r"/[^/]*/|\"[^\"]*\"", "", text)) if token in known}
        assert used <= names, title
        assert query["Properties"]["LogGroupNames"] == [{"Ref": "FlowLogsLogGroup"}]


def _glob_parse(pattern: str, message: str) -> list[str] | None:
    """Logs Insights' `parse` with a glob: each `*` captures up to the next literal text."""
    regex = "^" + "".join("(.*?)" if part == "*" else re.escape(part) for part in re.split(r"(\*)", pattern)) + "$"
    match = re.match(regex, message)
    return list(match.groups()) if match else None


@pytest.mark.parametrize("name", ["all-v5", "transit-gateway", "few"])
def test_logs_insights_parses_a_custom_format_in_its_field_order(name):
    # GIVEN a format Logs Insights does not discover, and one record of it
    target, log_format, fields = FORMATS[name]
    config = {**target, **({"log_format": log_format} if log_format else {}), "create_logs_insights_queries": True}
    queries = of_type(rendered(config), "AWS::Logs::QueryDefinition")
    record = [f"value-of-{field}" for field in fields]
    for query in queries.values():
        # WHEN a saved query's parse reads the record
        first = query["Properties"]["QueryString"].split("\n")[0]
        match = re.fullmatch(r'parse @message "([* ]+)" as (.+)', first)
        assert match, first
        # THEN each name gets its own field, in the configured order
        assert match.group(2).split(", ") == [insights_field(f) for f in fields]
        assert _glob_parse(match.group(1), " ".join(record)) == record


def test_logs_insights_uses_the_fields_it_discovers_for_the_default_format():
    queries = of_type(rendered({**VPC, "create_logs_insights_queries": True}), "AWS::Logs::QueryDefinition")
    assert len(queries) == 6
    assert not any("parse" in q["Properties"]["QueryString"] for q in queries.values())
    discovered = {
        "accountId",
        "endTime",
        "interfaceId",
        "logStatus",
        "startTime",
        "version",
        "action",
        "bytes",
        "dstAddr",
        "dstPort",
        "packets",
        "protocol",
        "srcAddr",
        "srcPort",
    }
    assert {insights_field(f) for f in DEFAULT_FIELDS["vpc"]} == discovered  # Logs Insights' own names
    names = {q["Properties"]["Name"]["Fn::Sub"] for q in queries.values()}
    assert all(n.startswith("vpc-flow-logs/${AWS::StackName}/") for n in names) and len(names) == 6


def test_outputs_name_the_database_table_and_workgroup():
    outputs = athena()["Outputs"]
    for name, value in (
        ("GlueDatabaseName", {"Ref": "FlowLogsGlueDatabase"}),
        ("GlueTableName", {"Ref": "FlowLogsGlueTable"}),
        ("AthenaWorkGroupName", {"Ref": "FlowLogsAthenaWorkGroup"}),
    ):
        assert outputs[name] == {"Value": value, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-" + name}}}
    assert not {"GlueDatabaseName", "AthenaWorkGroupName"} & set(
        rendered({**VPC, "log_destination_type": "s3"})["Outputs"]
    )


def test_default_names_never_collide_across_stacks_or_prefixes():
    # GIVEN the default database name WHEN compiled THEN CloudFormation turns the stack name's - into _
    database = one(athena(), "AWS::Glue::Database")
    assert database["DatabaseInput"]["Name"] == {
        "Fn::Join": ["", [{"Fn::Join": ["_", {"Fn::Split": ["-", {"Ref": "AWS::StackName"}]}]}, "_flow_logs"]]
    }
    # and two sets in one template get their own database, workgroup and logical IDs
    template = Template()
    for prefix in ("Vpc", "Edge"):
        add_flow_logs(
            template, FlowLogsConfig(**VPC, log_destination_type="s3", create_athena_table=True), prefix=prefix
        )
    both = json.loads(to_json(template))
    names = [
        d["Properties"]["DatabaseInput"]["Name"]["Fn::Join"][1][1]
        for d in of_type(both, "AWS::Glue::Database").values()
    ]
    assert sorted(names) == ["_flow_logs_edge", "_flow_logs_vpc"]
    groups = [w["Properties"]["Name"]["Fn::Sub"] for w in of_type(both, "AWS::Athena::WorkGroup").values()]
    assert sorted(groups) == ["${AWS::StackName}-flow-logs-Edge", "${AWS::StackName}-flow-logs-Vpc"]
    assert "VpcFlowLogsQueryTopTalkers" in both["Resources"] and "EdgeGlueTableName" in both["Outputs"]


def test_given_names_are_used():
    template = athena(glue_database_name="network_logs", glue_table_name="prod_vpc", athena_workgroup_name="net.flows")
    assert one(template, "AWS::Glue::Database")["DatabaseInput"]["Name"] == "network_logs"
    assert one(template, "AWS::Glue::Table")["TableInput"]["Name"] == "prod_vpc"
    assert one(template, "AWS::Athena::WorkGroup")["Name"] == "net.flows"
    queries = of_type(template, "AWS::Athena::NamedQuery").values()
    assert all('FROM "prod_vpc"' in q["Properties"]["QueryString"] for q in queries)


def test_the_shipped_template_has_no_query_inputs_or_resources(shipped):
    names = {spec.name for spec in QUERY_INPUTS}
    assert not {"".join(w.capitalize() for w in n.split("_")) for n in names} & set(shipped["Parameters"])
    assert not [r for r in shipped["Resources"].values() if r["Type"].startswith(("AWS::Glue", "AWS::Athena"))]


S3 = {**VPC, "log_destination_type": "s3"}
TABLE = {**S3, "create_athena_table": True}
BAD = [
    ({**VPC, "create_athena_table": True}, "create_athena_table", "unless log_destination_type is s3"),
    ({**S3, "create_logs_insights_queries": True}, "create_logs_insights_queries", "cloud-watch-logs"),
    (
        {
            **VPC,
            "log_destination_type": "kinesis-data-firehose",
            "kinesis_firehose_arn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/x",
            "create_athena_table": True,
        },
        "create_athena_table",
        "s3",
    ),
    ({**S3, "glue_database_name": "flows"}, "glue_database_name", "unless create_athena_table is true"),
    ({**S3, "athena_workgroup_name": "flows"}, "athena_workgroup_name", "unless create_athena_table is true"),
    (
        {**S3, "athena_bytes_scanned_cutoff_per_query": 10**9},
        "athena_bytes_scanned_cutoff_per_query",
        "create_athena_table",
    ),
    ({**TABLE, "glue_database_name": "Flow-Logs"}, "glue_database_name", "1-255 of a-z 0-9 _"),
    ({**TABLE, "glue_database_name": "x" * 256}, "glue_database_name", "1-255 of a-z 0-9 _"),
    ({**TABLE, "glue_table_name": "vpc flow"}, "glue_table_name", "1-255 of a-z 0-9 _"),
    ({**TABLE, "athena_workgroup_name": "flows/prod"}, "athena_workgroup_name", "1-128 of a-z A-Z 0-9 . _ -"),
    ({**TABLE, "athena_workgroup_name": "w" * 129}, "athena_workgroup_name", "1-128"),
    (
        {**TABLE, "athena_bytes_scanned_cutoff_per_query": 9_999_999},
        "athena_bytes_scanned_cutoff_per_query",
        "at least 10000000",
    ),
    (
        {**TABLE, "athena_bytes_scanned_cutoff_per_query": "10GB"},
        "athena_bytes_scanned_cutoff_per_query",
        "whole number",
    ),
    ({**TABLE, "athena_results_expiration_days": 0}, "athena_results_expiration_days", "at least 1"),
    (
        {**TABLE, "enable_custom_s3_destination": True, "s3_bucket": BUCKET_ARN, "athena_results_expiration_days": 3},
        "athena_results_expiration_days",
        "custom bucket",
    ),
    ({**TABLE, "create_athena_table": "yes"}, "create_athena_table", "true or false"),
    ({**VPC, "create_logs_insights_queries": 1}, "create_logs_insights_queries", "true or false"),
]


@pytest.mark.parametrize(("config", "name", "allowed"), BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_query_inputs_are_refused_by_name(config, name, allowed):
    # GIVEN a bad input WHEN the config is built THEN the error names it, its value and what is allowed
    with pytest.raises(ConfigError) as caught:
        FlowLogsConfig(**config)
    assert caught.value.name == name and allowed in caught.value.allowed
    assert str(caught.value).startswith(f"{name} must be ")


def test_an_expression_log_format_cannot_shape_a_table():
    from troposphere import Ref

    with pytest.raises(ConfigError) as caught:
        FlowLogsConfig(**TABLE, log_format=Ref("Format"))
    assert caught.value.name == "log_format" and "literal text" in caught.value.allowed


@pytest.mark.parametrize(
    "make",
    [
        lambda: build_template(FlowLogsConfig(**TABLE), parameterized=True),
        lambda: nested_stack("Flows", "templates/vpc-flow-logs.yaml", FlowLogsConfig(**TABLE)),
        lambda: build_archive_template(
            ArchiveConfig(source_account_ids=["111122223333"], create_athena_table=True), parameterized=True
        ),
    ],
    ids=["parameterized", "nested-stack", "parameterized-archive"],
)
def test_templates_with_parameters_refuse_the_query_layer(make):
    with pytest.raises(ConfigError) as caught:
        make()
    assert caught.value.name == "create_athena_table"


ARCHIVE_BAD = [
    ({"log_format": "${srcaddr}"}, "log_format", "unless create_athena_table is true"),
    ({"source_regions": ["eu-west-1"]}, "source_regions", "unless create_athena_table is true"),
    ({"create_athena_table": True, "log_format": "${srcaddr} ${nope}"}, "log_format", "flow log fields"),
    ({"create_athena_table": True, "source_regions": ["Europe"]}, "source_regions", "region codes"),
    ({"create_athena_table": True, "file_format": "csv"}, "file_format", "plain-text, parquet"),
]


@pytest.mark.parametrize(
    ("extra", "name", "allowed"), ARCHIVE_BAD, ids=[b[1] + str(i) for i, b in enumerate(ARCHIVE_BAD)]
)
def test_bad_archive_table_inputs_are_refused_by_name(extra, name, allowed):
    with pytest.raises(ConfigError) as caught:
        ArchiveConfig(source_account_ids=["111122223333"], **extra)
    assert caught.value.name == name and allowed in caught.value.allowed


def test_archive_table_follows_its_sources():
    # GIVEN an archive for two accounts whose sources deliver a custom format as hourly Parquet
    config = ArchiveConfig(
        source_account_ids=["111122223333", "444455556666"],
        create_athena_table=True,
        log_format=["version", "srcaddr", "dstaddr", "bytes", "region"],
        file_format="parquet",
        per_hour_partition=True,
        source_regions=["us-east-1", "eu-west-1"],
    )
    template = json.loads(to_json(build_archive_template(config)))
    table = one(template, "AWS::Glue::Table")["TableInput"]
    # THEN the table has its columns, accounts, regions and hours, and the archive exports its names
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == [
        "version",
        "srcaddr",
        "dstaddr",
        "bytes",
        "region",
    ]
    assert table["Parameters"]["projection.aws_account_id.values"] == "111122223333,444455556666"
    assert table["Parameters"]["projection.aws_region.values"] == "us-east-1,eu-west-1"
    assert table["Parameters"]["projection.hour.range"] == "0,23"
    assert {"GlueDatabaseName", "GlueTableName"} <= set(template["Outputs"])
    assert not of_type(template, "AWS::Athena::WorkGroup")
    # and an organization's archive injects the account each query names
    org = json.loads(
        to_json(build_archive_template(ArchiveConfig(organization_id="o-abcd123456", create_athena_table=True)))
    )
    assert one(org, "AWS::Glue::Table")["TableInput"]["Parameters"]["projection.aws_account_id.type"] == "injected"


def test_cli_types_query_inputs_as_text():
    # GIVEN --set values that YAML would read as numbers WHEN loaded THEN names stay text, numbers numbers
    config = config_from(
        None,
        [
            "vpc_id=vpc-0123456789abcdef0",
            "log_destination_type=s3",
            "create_athena_table=true",
            "glue_table_name=2024",
            "athena_bytes_scanned_cutoff_per_query=20000000",
        ],
    )
    assert config.glue_table_name == "2024" and config.athena_bytes_scanned_cutoff_per_query == 20_000_000


LINTED = [
    {
        **TABLE,
        "destination_options": {
            "file_format": "parquet",
            "hive_compatible_partitions": True,
            "per_hour_partition": True,
        },
        "s3_subfolder": "flows",
    },
    {**TGW, "log_destination_type": "s3", "create_athena_table": True,
     "destination_options": {"hive_compatible_partitions": True}},
    {**TABLE, "enable_custom_s3_destination": True, "s3_bucket": BUCKET_ARN},
    {**TABLE, "enable_custom_s3_destination": True, "s3_bucket": BUCKET_ARN,
     "athena_results_expected_bucket_owner": "111122223333",
     "athena_results_kms_key_arn": "arn:${AWS::Partition}:kms:${AWS::Region}:111122223333:key/"
     "11111111-2222-3333-4444-555555555555"},
    {**VPC, "create_logs_insights_queries": True, "log_format": ALL_V5, "custom_tags": {"team": "network"}},
    {**TGW, "create_logs_insights_queries": True},
]  # fmt: skip


@pytest.mark.parametrize(
    "config",
    LINTED,
    ids=[
        "s3-hive-parquet",
        "tgw-athena-hive",
        "custom-bucket",
        "custom-bucket-owner-key",
        "insights-v5",
        "tgw-insights",
    ],
)
def test_templates_with_the_query_layer_lint_clean(config):
    # GIVEN a template with the query layer WHEN cfn-lint (informational rules on) and the project's checks run
    template = build_template(FlowLogsConfig(**config))
    text = to_json(template)
    # THEN they find nothing, and no literal partition is written
    assert [str(f) for f in lint(text)] == []
    assert run_checks(json.loads(text)) == []
    assert "arn:aws:" not in text


def test_archive_with_a_table_lints_clean():
    config = ArchiveConfig(organization_id="o-abcd123456", create_athena_table=True, hive_compatible_partitions=True)
    assert [str(f) for f in lint(build_archive_template(config))] == []


def test_every_question_has_a_unique_key_and_fits_athenas_name_limits():
    assert len({q.key for q in QUESTIONS}) == len(QUESTIONS)
    assert all(len(q.title) <= 128 and len(q.description) < 900 for q in QUESTIONS)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["--set", "create_athena_table=true"], "create_athena_table"),
        (["--parameterized", "--set", "log_destination_type=s3", "--set", "create_athena_table=true"],
         "create_athena_table"),
        (["--set", "log_destination_type=s3", "--set", "create_athena_table=true", "--set",
          "glue_database_name=Flow-Logs"], "glue_database_name"),
    ],
    ids=["wrong-destination", "parameterized", "bad-name"],
)  # fmt: skip
def test_cli_refuses_a_bad_query_input_in_one_line_and_writes_nothing(args, name, capsys, tmp_path):
    from cfn_flowlogs.cli import main

    # GIVEN a bad query input WHEN `cfn-flowlogs build` runs THEN exit 2, one error line naming it, no file
    output = tmp_path / "out.yaml"
    with pytest.raises(SystemExit) as exited:
        main(["build", "--set", "vpc_id=vpc-0123456789abcdef0", *args, "-o", str(output)])
    _, err = capsys.readouterr()
    assert exited.value.code == 2 and not output.exists()
    assert err.count("\n") == 1 and err.startswith(f"cfn-flowlogs: error: {name} must be ")
