"""The named queries are valid Athena SQL and give the right answers over what delivery writes.

GIVEN flow-log objects written the way VPC Flow Logs delivers them (AWS's documented keys, gzip'd
text with its header line of field names, or Parquet; Hive-compatible or plain prefixes; daily or
hourly; with or without a subfolder), plus decoys that delivery would put elsewhere,
WHEN the Glue table a compiled template defines is mapped onto DuckDB as Athena reads it (text
columns by position through LazySimpleSerDe's rules, Parquet columns by name; each object's
partition values read from its key with the table's own `storage.location.template`; only objects
inside the projection are read),
THEN every named query, transpiled from Athena to DuckDB with the clock set to the sample day,
returns exactly what Python computes from the same records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp

from cfn_flowlogs import ArchiveConfig, FlowLogsConfig, build_archive_template, build_template, to_json
from cfn_flowlogs.config.fields import DEFAULT_FIELDS
from cfn_flowlogs.query.catalog import QUESTIONS, athena_sql, questions_for

from ..conftest import ROOT
from .delivery import (
    ACCOUNT,
    ALL_V5,
    BUCKET,
    LAYOUTS,
    PARQUET_NAMES,
    READS,
    REGION,
    TGW,
    TODAY,
    VPC,
    WITH_SUBNET,
    deliver,
    deliver_decoys,
    expected,
    sample,
    typed,
)

STACK = "net-prod"


def resolve(value: Any, names: dict[str, str]) -> Any:
    """Ref, Fn::Sub, Fn::Join and Fn::Split for a stack named STACK in ACCOUNT and REGION."""
    if isinstance(value, list):
        return [resolve(v, names) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1 or not (set(value) <= {"Ref"} or next(iter(value)).startswith("Fn::")):
        return {key: resolve(item, names) for key, item in value.items()}
    ((fn, arg),) = value.items()
    if fn == "Ref":
        return names[arg]
    if fn == "Fn::Join":
        return arg[0].join(resolve(arg[1], names))
    if fn == "Fn::Split":
        return resolve(arg[1], names).split(arg[0])
    if fn == "Fn::Sub":
        text, variables = (arg, {}) if isinstance(arg, str) else arg
        local = {**names, **{k: resolve(v, names) for k, v in variables.items()}}
        return re.sub(r"\$\{(!?)([^}]+)\}", lambda m: "${" + m[2] + "}" if m[1] else local[m[2]], text)
    raise AssertionError(f"unsupported {fn}")


def stack_names(template: dict[str, Any]) -> dict[str, str]:
    names = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::StackName": STACK, "AWS::Partition": "aws"}
    names.update({t: BUCKET for t, r in template["Resources"].items() if r["Type"] == "AWS::S3::Bucket"})
    for title, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Glue::Database":
            names[title] = resolve(resource["Properties"]["DatabaseInput"]["Name"], names)
        if resource["Type"] == "AWS::Glue::Table":
            names[title] = resource["Properties"]["TableInput"]["Name"]
    return names


def rendered(config: dict[str, Any]) -> dict[str, Any]:
    return json.loads(to_json(build_template(FlowLogsConfig(**config))))


def only(template: dict[str, Any], type_: str) -> dict[str, Any]:
    (resource,) = [r for r in template["Resources"].values() if r["Type"] == type_]
    return resource


def named_queries(template: dict[str, Any]) -> dict[str, str]:
    """Logical ID -> query text, for every AWS::Athena::NamedQuery."""
    return {
        t: r["Properties"]["QueryString"]
        for t, r in template["Resources"].items()
        if r["Type"] == "AWS::Athena::NamedQuery"
    }


# --- the Glue table on DuckDB ------------------------------------------------------------------------

DUCKDB_TYPES = {"int": "INTEGER", "bigint": "BIGINT", "string": "VARCHAR"}


def projected(parameters: dict[str, str], key: str) -> Callable[[str], bool]:
    """Whether a partition value is one Athena's projection of `key` generates (NOW is TODAY)."""
    kind = parameters[f"projection.{key}.type"]
    if kind == "injected":
        return lambda value: True
    if kind == "enum":
        allowed = set(parameters[f"projection.{key}.values"].split(","))
        return allowed.__contains__
    # AWS: "splitting dates into year, month, and day means that the date partition projection type
    # can't be used": year, month, day and hour are integers with a range and digits
    assert kind == "integer", (key, kind)
    low, high = parameters[f"projection.{key}.range"].split(",")
    digits = int(parameters.get(f"projection.{key}.digits", "0"))
    allowed = {str(n).zfill(digits) for n in range(int(low), int(high) + 1)}
    return allowed.__contains__


def read_objects(table: dict[str, Any], root: Path) -> list[tuple[Path, dict[str, str]]]:
    """The objects Athena reads for the table, each with its partition values: those whose key the
    location template matches with values inside the projection."""
    info = table["TableInput"]
    parameters = info["Parameters"]
    assert parameters["projection.enabled"] == "true"
    keys = [k["Name"] for k in info["PartitionKeys"]]
    template = parameters["storage.location.template"]
    assert template.startswith(f"s3://{BUCKET}/") and template.endswith("/"), template
    pattern = re.escape(str(root / BUCKET) + "/" + template[len(f"s3://{BUCKET}/") :])
    for key in keys:
        pattern = pattern.replace(re.escape("${" + key + "}"), f"(?P<{key}>[^/]+)", 1)
    assert "$" not in pattern.replace(r"\$", ""), f"placeholders left in {template}"
    checks = {key: projected(parameters, key) for key in keys}
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        match = re.fullmatch(pattern + r"[^/]+", str(path))
        if match and all(checks[key](match[key]) for key in keys):
            found.append((path, {key: match[key] for key in keys}))
    return found


def load_table(con: duckdb.DuckDBPyConnection, table: dict[str, Any], root: Path) -> int:
    """Create the Glue table as a DuckDB table; return how many objects it read."""
    info = table["TableInput"]
    storage = info["StorageDescriptor"]
    columns = [(c["Name"], c["Type"]) for c in storage["Columns"]]
    keys = [k["Name"] for k in info["PartitionKeys"]]
    assert all(k["Type"] == "string" for k in info["PartitionKeys"])
    parquet = storage["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    if not parquet:
        assert storage["SerdeInfo"]["SerializationLibrary"].endswith("LazySimpleSerDe")
        assert storage["SerdeInfo"]["Parameters"]["field.delim"] == " "
        assert info["Parameters"]["skip.header.line.count"] == "1"
    name = info["Name"]
    declared = ", ".join(f'"{c}" {DUCKDB_TYPES[t]}' for c, t in columns)
    con.execute(f'CREATE TABLE "{name}" ({declared}, {", ".join(f"{k} VARCHAR" for k in keys)})')
    objects = read_objects(table, root)
    for path, values in objects:
        partition = ", ".join(f"'{values[k]}' AS {k}" for k in keys)
        if parquet:  # by name, as Athena reads Parquet: each column's type must read the file's
            physical = {f.name: PARQUET_NAMES[str(f.type)] for f in pq.read_schema(path)}
            unreadable = {c: (physical[c], t) for c, t in columns if t not in READS[physical[c]]}
            assert not unreadable, f"Athena cannot read {path.name}: {unreadable}"
            select = ", ".join(f'CAST("{c}" AS {DUCKDB_TYPES[t]})' for c, t in columns)
            con.execute(f"INSERT INTO \"{name}\" SELECT {select}, {partition} FROM read_parquet('{path}')")
            continue
        # Text: by position, the header line skipped; a value that is no number ("-") is NULL.
        names = "[" + ", ".join(f"'{c}'" for c, _ in columns) + "]"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _object AS SELECT * FROM read_csv('{path}', delim=' ', header=true, "
            f"names={names}, all_varchar=true, quote='', escape='', compression='gzip')"
        )
        select = ", ".join(f'"{c}"' if t == "string" else f'TRY_CAST("{c}" AS {DUCKDB_TYPES[t]})' for c, t in columns)
        con.execute(f'INSERT INTO "{name}" SELECT {select}, {partition} FROM _object')
    return len(objects)


def on_duckdb(athena_sql: str) -> str:
    """The query as DuckDB runs it: sqlglot's transpilation, with today pinned to TODAY."""
    (duck,) = sqlglot.transpile(athena_sql, read="athena", write="duckdb")
    tree = sqlglot.parse_one(duck, read="duckdb")
    pinned = tree.transform(
        lambda node: (
            exp.cast(exp.Literal.string(TODAY.isoformat()), "date") if isinstance(node, exp.CurrentDate) else node
        )
    )
    return pinned.sql(dialect="duckdb")


CASES = (
    [
        pytest.param(
            {**VPC, "destination_options": options, **({"s3_subfolder": "network/flows"} if i % 2 else {})},
            id=f"{options['file_format']}-{'hive' if options['hive_compatible_partitions'] else 'plain'}-"
            f"{'hourly' if options['per_hour_partition'] else 'daily'}{'-subfolder' if i % 2 else ''}",
        )
        for i, options in enumerate(LAYOUTS)
    ]
    + [
        pytest.param(
            {**VPC, "destination_options": options, **({"s3_subfolder": "flows"} if i % 2 == 0 else {})},
            id=f"{options['file_format']}-{'hive' if options['hive_compatible_partitions'] else 'plain'}-"
            f"{'hourly' if options['per_hour_partition'] else 'daily'}{'' if i % 2 else '-subfolder'}",
        )
        for i, options in enumerate(LAYOUTS)
    ]
    + [
        pytest.param({**VPC, "log_format": ALL_V5, "destination_options": LAYOUTS[0]}, id="all-v5-fields-text"),
        pytest.param({**VPC, "log_format": ALL_V5, "destination_options": LAYOUTS[7]}, id="all-v5-fields-parquet"),
        pytest.param({**VPC, "log_format": WITH_SUBNET, "destination_options": LAYOUTS[2]}, id="v3-with-subnet"),
        pytest.param({**TGW, "destination_options": LAYOUTS[0]}, id="transit-gateway-text"),
        pytest.param({**TGW, "destination_options": LAYOUTS[5], "s3_subfolder": "tgw"}, id="transit-gateway-parquet"),
        pytest.param({**TGW, "destination_options": LAYOUTS[3]}, id="transit-gateway-text-hive-hourly"),
        pytest.param(
            {**TGW, "destination_options": LAYOUTS[6], "s3_subfolder": "tgw"}, id="transit-gateway-parquet-hive"
        ),
        pytest.param(
            {
                **VPC,
                "log_format": [*DEFAULT_FIELDS["vpc"], "encryption-status", "reject-reason", "ecs-cluster-name"],
                "destination_options": LAYOUTS[4],
            },
            id="v10-fields-parquet",
        ),
        pytest.param(
            {
                **VPC,
                "log_format": ["version", "srcaddr", "dstaddr", "dstport", "action", "packets"],
                "destination_options": LAYOUTS[1],
            },
            id="few-fields",
        ),
    ]
)


def _s3(config: dict[str, Any]) -> dict[str, Any]:
    return {**config, "log_destination_type": "s3", "create_athena_table": True}


@pytest.fixture(scope="module")
def samples() -> dict[str, list]:
    return {"vpc": sample("vpc"), "transit-gateway": sample("transit-gateway")}


def test_every_question_parses_as_athena_sql():
    # GIVEN every answer of every question WHEN sqlglot reads it as Athena SQL THEN it is one SELECT
    for question in QUESTIONS:
        for answer in question.answers:
            tree = sqlglot.parse_one(athena_sql(answer, "vpc_flow_logs"), read="athena")
            assert isinstance(tree, exp.Select), question.key


@pytest.mark.parametrize("config", CASES)
def test_named_queries_answer_over_delivered_objects(config, samples, tmp_path):
    # GIVEN a compiled template with the query layer, and a day and a half of delivered objects
    config = _s3(config)
    flow_logs = FlowLogsConfig(**config)
    fields = flow_logs.log_fields
    family = "transit-gateway" if "transit_gateway_id" in config else "vpc"
    template = rendered(config)
    names = stack_names(template)
    table = resolve(only(template, "AWS::Glue::Table")["Properties"], names)
    windows = samples[family]
    deliver(tmp_path, config, fields, windows)
    deliver_decoys(tmp_path, config, fields, windows)
    # WHEN its table is read as Athena reads it
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    assert load_table(con, table, tmp_path) == len(windows)  # exactly the objects of this flow log
    queries = named_queries(template)
    few = config.get("log_format") not in (None, ALL_V5, WITH_SUBNET)
    assert len(queries) == len(questions_for(fields)) >= (2 if few else 6)
    records_today = typed([r for when, records in windows if when.date() == TODAY for r in records], fields)
    for title, sql in queries.items():
        # THEN each named query parses as Athena SQL, runs on DuckDB and gives Python's answer
        sqlglot.parse_one(sql, read="athena")
        got = con.execute(on_duckdb(sql)).fetchall()
        want = expected(title.removeprefix("FlowLogsQuery"), records_today, fields)
        assert got == want, title
        assert got or title.endswith("AdminPorts"), f"{title} answered nothing: the sample proves little"


@pytest.mark.parametrize(
    ("column", "wrong"), [("encryption_status", "string"), ("bytes", "int"), ("srcport", "string")]
)
def test_a_glue_type_athena_cannot_read_from_the_parquet_type_is_caught(column, wrong, samples, tmp_path):
    # GIVEN Parquet objects with AWS's documented types, and the table with one column's type changed
    config = _s3(
        {**VPC, "log_format": [*DEFAULT_FIELDS["vpc"], "encryption-status"], "destination_options": LAYOUTS[4]}
    )
    template = rendered(config)
    table = resolve(only(template, "AWS::Glue::Table")["Properties"], stack_names(template))
    deliver(tmp_path, config, FlowLogsConfig(**config).log_fields, samples["vpc"][:2])
    load_table(duckdb.connect(), table, tmp_path)  # as compiled: every column reads its Parquet type
    (changed,) = [c for c in table["TableInput"]["StorageDescriptor"]["Columns"] if c["Name"] == column]
    changed["Type"] = wrong
    # WHEN it is read THEN the reading fails, as Athena's would, on that column
    with pytest.raises(AssertionError, match=column):
        load_table(duckdb.connect(), table, tmp_path)


def test_a_wrong_column_order_or_location_gives_other_answers(samples, tmp_path):
    # GIVEN the default format's table over delivered text objects
    config = _s3({**VPC, "destination_options": LAYOUTS[0]})
    fields = FlowLogsConfig(**config).log_fields
    template = rendered(config)
    table = resolve(only(template, "AWS::Glue::Table")["Properties"], stack_names(template))
    deliver(tmp_path, config, fields, samples["vpc"])
    sql = on_duckdb(named_queries(template)["FlowLogsQueryTopTalkers"])
    want = expected(
        "TopTalkers", typed([r for w, rs in samples["vpc"] if w.date() == TODAY for r in rs], fields), fields
    )
    # WHEN two columns trade places, or the location misses the subfolder-free prefix
    swapped = json.loads(json.dumps(table))
    columns = swapped["TableInput"]["StorageDescriptor"]["Columns"]
    columns[3]["Name"], columns[4]["Name"] = columns[4]["Name"], columns[3]["Name"]  # srcaddr <-> dstaddr
    moved = json.loads(json.dumps(table))
    location = moved["TableInput"]["Parameters"]["storage.location.template"]
    moved["TableInput"]["Parameters"]["storage.location.template"] = location.replace("/AWSLogs/", "/logs/AWSLogs/")
    # THEN the harness notices: the answers change, or no object is read at all
    for broken, objects in ((swapped, len(samples["vpc"])), (moved, 0)):
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        assert load_table(con, broken, tmp_path) == objects
        assert con.execute(sql).fetchall() != want


@pytest.mark.parametrize(
    ("archive", "readable"),
    [
        (
            {"source_account_ids": ["111122223333", "444455556666"], "source_regions": ["us-east-1", "eu-west-1"]},
            {"111122223333", "444455556666"},
        ),
        (
            {
                "organization_id": "o-abcd123456",
                "hive_compatible_partitions": True,
                "file_format": "parquet",
                "per_hour_partition": True,
                "s3_subfolder": "org",
            },
            {"111122223333", "444455556666", "777788889999"},
        ),
    ],
    ids=["listed-accounts", "organization"],
)
def test_archive_table_reads_every_source_it_lists(archive, readable, samples, tmp_path):
    # GIVEN a central archive with a table, and objects of three accounts in two regions
    template = json.loads(to_json(build_archive_template(ArchiveConfig(**archive, create_athena_table=True))))
    table = resolve(only(template, "AWS::Glue::Table")["Properties"], stack_names(template))
    options = {
        k: archive[k] for k in ("file_format", "hive_compatible_partitions", "per_hour_partition") if k in archive
    }
    config = {"destination_options": options, "s3_subfolder": archive.get("s3_subfolder", "")}
    fields = DEFAULT_FIELDS["vpc"]
    for account in ("111122223333", "444455556666", "777788889999"):
        for region in ("us-east-1", "eu-west-1"):
            deliver(tmp_path, config, fields, samples["vpc"][:3], account=account, region=region)
    # WHEN the table is read
    con = duckdb.connect()
    load_table(con, table, tmp_path)
    # THEN it holds the listed accounts (enum) or any account a query names (injected), each region
    names = {row[0] for row in con.execute("SELECT DISTINCT aws_account_id FROM vpc_flow_logs").fetchall()}
    assert names == readable
    regions = {row[0] for row in con.execute("SELECT DISTINCT aws_region FROM vpc_flow_logs").fetchall()}
    assert regions == ({"us-east-1", "eu-west-1"} if "source_regions" in archive else {REGION})


def markdown(columns: list[str], rows: list[tuple]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def guide_answer(tmp_path: Path, windows: list) -> tuple[str, str]:
    """The guide's example: the rejected-traffic query over the default format as plain text."""
    config = _s3({**VPC, "destination_options": LAYOUTS[0]})
    template = rendered(config)
    table = resolve(only(template, "AWS::Glue::Table")["Properties"], stack_names(template))
    deliver(tmp_path, config, FlowLogsConfig(**config).log_fields, windows)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    load_table(con, table, tmp_path)
    sql = named_queries(template)["FlowLogsQueryRejectedBySourceAndPort"]
    cursor = con.execute(on_duckdb(sql))
    return sql, markdown([d[0] for d in cursor.description], cursor.fetchall()[:8])


def test_the_guide_shows_the_answer_the_tests_get(samples, tmp_path):
    # GIVEN the guide WHEN the tests run its query THEN the guide shows that query and answer
    guide = (ROOT / "docs/guides/s3-athena.md").read_text(encoding="utf-8")
    sql, answer = guide_answer(tmp_path, samples["vpc"])
    assert f"```sql\n{sql}\n```" in guide
    shown = re.search(r"<!-- query-answer -->\n(.*?)\n<!-- /query-answer -->", guide, re.S)
    assert shown and shown.group(1) == answer, "update the guide's answer:\n" + answer
