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

import datetime as dt
import gzip
import ipaddress
import json
import random
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp

from cfn_flowlogs import ArchiveConfig, FlowLogsConfig, build_archive_template, build_template, to_json
from cfn_flowlogs.config.fields import DEFAULT_FIELDS, FIELDS
from cfn_flowlogs.query.catalog import ADMIN_PORTS, QUESTIONS, athena_sql, questions_for

from ..conftest import ROOT

ACCOUNT = "123456789012"
REGION = "us-east-1"
STACK = "net-prod"
BUCKET = "example-flow-logs"
TODAY = dt.date(2026, 11, 30)
YESTERDAY = TODAY - dt.timedelta(days=1)
FLOW_LOG_ID = "fl-0123456789abcdef0"
PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]

VPC = {"vpc_id": "vpc-0123456789abcdef0"}
TGW = {"transit_gateway_id": "tgw-0123456789abcdef0", "max_aggregation_interval": 60, "traffic_type": None}
ALL_V5 = [n for n in FIELDS if "vpc" in FIELDS[n].versions and FIELDS[n].versions["vpc"] <= 5]
WITH_SUBNET = [*DEFAULT_FIELDS["vpc"], "vpc-id", "subnet-id", "tcp-flags", "pkt-srcaddr", "pkt-dstaddr"]


# --- records, as delivery writes them ------------------------------------------------------------

INTERFACES = [f"eni-0{n}aaaabbbbccccdddd" for n in range(1, 6)]
SUBNETS = [f"subnet-0{n}11112222333344" for n in range(1, 4)]
ATTACHMENTS = [f"tgw-attach-0{n}55556666777788" for n in range(1, 4)]
ADDRESSES = [
    "10.0.1.10",
    "10.0.2.20",
    "10.0.3.30",
    "172.16.5.5",
    "172.31.255.1",
    "192.168.1.7",  # RFC 1918
    "172.32.0.1",
    "203.0.113.9",
    "198.51.100.23",
    "52.95.110.1",
    "2600:1f18:4e2:8a00::10",  # outside it
]
PORTS = [22, 23, 80, 443, 3389, 5432, 5900, 5985, 5986, 8080, 50514]


def _record(rng: random.Random, family: str, when: dt.datetime, i: int) -> dict[str, str]:
    """One record of every field of the family, as text ("-" where delivery has no value)."""
    start = int(when.timestamp()) + rng.randrange(0, 300)
    values = {name: f"{name}-{i % 3}" for name in FIELDS if family in FIELDS[name].versions}
    values.update(
        {
            "version": "2" if family == "vpc" else "6",
            "account-id": ACCOUNT,
            "interface-id": rng.choice(INTERFACES),
            "srcaddr": rng.choice(ADDRESSES),
            "dstaddr": rng.choice(ADDRESSES),
            "srcport": str(rng.choice([*PORTS, rng.randrange(1024, 65535)])),
            "dstport": str(rng.choice(PORTS)),
            "protocol": rng.choice(["6", "17"]),
            "packets": str(rng.randrange(1, 50)),
            "bytes": str(rng.randrange(40, 90_000)),
            "start": str(start),
            "end": str(start + rng.randrange(1, 60)),
            "action": rng.choice(["ACCEPT", "ACCEPT", "REJECT"]),
            "log-status": "OK",
            "subnet-id": rng.choice(SUBNETS),
            "tgw-attachment-id": rng.choice(ATTACHMENTS),
            "region": REGION,
        }
    )
    for name, field in FIELDS.items():
        numeric = name in values and field.athena_type != "string" and name not in ("version", "packets", "bytes")
        if numeric and not values[name].isdigit():
            values[name] = str(rng.randrange(0, 4))  # tcp-flags, traffic-path, packets-lost-*
    if family == "vpc" and i % 17 == 0:  # no traffic in the window: NODATA, most fields "-"
        for name in ("srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "action"):
            values[name] = "-"
        values["log-status"] = "NODATA"
    return values


def sample(family: str, seed: int = 7) -> list[tuple[dt.datetime, list[dict[str, str]]]]:
    """Delivery windows (one file each) of yesterday and today, each with its records."""
    rng = random.Random(seed)
    windows = []
    for day, hours in ((YESTERDAY, (22, 23)), (TODAY, (0, 1, 5, 13, 23))):
        for hour in hours:
            when = dt.datetime(day.year, day.month, day.day, hour, rng.choice((0, 5, 35)), tzinfo=dt.timezone.utc)
            windows.append((when, [_record(rng, family, when, i) for i in range(rng.randrange(20, 40))]))
    return windows


def object_key(when: dt.datetime, *, account: str, region: str, options: dict[str, Any], subfolder: str) -> str:
    """The key delivery writes a file under, as AWS's VPC guide documents it ("Flow log files")."""
    hive, hourly = options.get("hive_compatible_partitions"), options.get("per_hour_partition")
    y, m, d, h = f"{when:%Y}", f"{when:%m}", f"{when:%d}", f"{when:%H}"
    if hive:
        parts = [
            f"aws-account-id={account}",
            "aws-service=vpcflowlogs",
            f"aws-region={region}",
            f"year={y}",
            f"month={m}",
            f"day={d}",
            *([f"hour={h}"] if hourly else []),
        ]
    else:
        parts = [account, "vpcflowlogs", region, y, m, d, *([h] if hourly else [])]
    suffix = "log.parquet" if options.get("file_format") == "parquet" else "log.gz"
    name = f"{account}_vpcflowlogs_{region}_{FLOW_LOG_ID}_{when:%Y%m%dT%H%M}Z_{when:%M%H}abcd.{suffix}"
    return "/".join([*([subfolder] if subfolder else []), "AWSLogs", *parts, name])


def write_object(path: Path, fields: tuple[str, ...], records: list[dict[str, str]], parquet: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not parquet:  # gzip'd text: a header line of field names, then one record a line
        lines = [" ".join(fields)] + [" ".join(r[name] for name in fields) for r in records]
        path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))
        return
    arrow = {"int": pa.int32(), "bigint": pa.int64(), "string": pa.string()}
    columns = {}
    for name in fields:
        kind = FIELDS[name].athena_type
        values = [None if r[name] == "-" else (r[name] if kind == "string" else int(r[name])) for r in records]
        columns[name.replace("-", "_")] = pa.array(values, type=arrow[kind])
    pq.write_table(pa.table(columns), path, compression="gzip")


def deliver(
    root: Path,
    config: dict[str, Any],
    fields: tuple[str, ...],
    windows: list,
    *,
    account: str = ACCOUNT,
    region: str = REGION,
) -> None:
    options = config.get("destination_options") or {}
    for when, records in windows:
        key = object_key(
            when, account=account, region=region, options=options, subfolder=config.get("s3_subfolder", "")
        )
        write_object(root / BUCKET / key, fields, records, options.get("file_format") == "parquet")


def deliver_decoys(root: Path, config: dict[str, Any], fields: tuple[str, ...], windows: list) -> None:
    """Objects delivery writes for another account or region, or that sit outside the table's
    prefix: a table reading any of them would give other answers."""
    deliver(root, config, fields, windows, account="999999999999")
    deliver(root, config, fields, windows, region="eu-west-1")
    if config.get("s3_subfolder"):
        deliver(root, {**config, "s3_subfolder": ""}, fields, windows)
    else:
        deliver(root, {**config, "s3_subfolder": "elsewhere"}, fields, windows)
    (root / BUCKET / "athena-results").mkdir(parents=True, exist_ok=True)
    (root / BUCKET / "athena-results" / "0000.csv").write_text('"srcaddr"\n"10.0.0.1"\n')


# --- the template's table and queries, resolved as CloudFormation would for one stack --------------


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
    low, high = parameters[f"projection.{key}.range"].split(",")
    if kind == "integer":
        digits = int(parameters.get(f"projection.{key}.digits", "0"))
        allowed = {str(n).zfill(digits) for n in range(int(low), int(high) + 1)}
        return allowed.__contains__
    assert kind == "date" and parameters[f"projection.{key}.format"] == "yyyy", parameters
    assert parameters[f"projection.{key}.interval.unit"] == "YEARS" and high == "NOW"
    return {str(year) for year in range(int(low), TODAY.year + 1)}.__contains__


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
    typed = ", ".join(f'"{c}" {DUCKDB_TYPES[t]}' for c, t in columns)
    con.execute(f'CREATE TABLE "{name}" ({typed}, {", ".join(f"{k} VARCHAR" for k in keys)})')
    objects = read_objects(table, root)
    for path, values in objects:
        partition = ", ".join(f"'{values[k]}' AS {k}" for k in keys)
        if parquet:  # by name, as Athena reads Parquet
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


# --- the answers, computed in Python from the records --------------------------------------------------


def typed(records: list[dict[str, str]], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for r in records:
        row: dict[str, Any] = {}
        for name in fields:
            kind = FIELDS[name].athena_type
            row[name] = r[name] if kind == "string" else (int(r[name]) if r[name].lstrip("-").isdigit() else None)
        out.append(row)
    return out


def private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.version == 4 and any(ip in network for network in PRIVATE)


def _grouped(rows, key, values) -> dict[tuple, list]:
    groups: dict[tuple, list] = defaultdict(lambda: [0] * len(values))
    for row in rows:
        totals = groups[key(row)]
        for i, value in enumerate(values):
            totals[i] += value(row)
    return groups


def expected(question: str, rows: list[dict[str, Any]], fields: tuple[str, ...]) -> list[tuple]:
    """What each question answers, from the typed records of today."""
    one = lambda row: 1  # noqa: E731
    bytes_, packets = (lambda row: row["bytes"]), (lambda row: row["packets"])
    moved = [r for r in rows if r.get("bytes") is not None]
    if question == "TopTalkers":
        g = _grouped(moved, lambda r: (r["srcaddr"], r["dstaddr"]), [bytes_, packets, one])
        return sorted((k + tuple(v) for k, v in g.items()), key=lambda t: (-t[2], t[0], t[1]))[:20]
    if question == "RejectedBySourceAndPort":
        rejected = [r for r in rows if r["action"] == "REJECT"]
        g = _grouped(rejected, lambda r: (r["srcaddr"], r["dstport"]), [one, packets])
        return sorted((k + tuple(v) for k, v in g.items()), key=lambda t: (-t[2], -t[3], t[0], t[1]))[:50]
    if question == "AdminPorts":
        admin = [r for r in rows if r["dstport"] in ADMIN_PORTS and r.get("action", "ACCEPT") == "ACCEPT"]
        g = _grouped(admin, lambda r: (r["srcaddr"], r["dstaddr"], r["dstport"]), [one, packets])
        return sorted((k + tuple(v) for k, v in g.items()), key=lambda t: (-t[3], t[0], t[1], t[2]))[:100]
    if question in ("TrafficByInterface", "TrafficBySubnet"):
        field = {"TrafficBySubnet": "subnet-id"}.get(question, "interface-id")
        field = field if field in fields else "tgw-attachment-id"
        g = _grouped(moved, lambda r: (r[field],), [bytes_, packets, one])
        return sorted((k + tuple(v) for k, v in g.items()), key=lambda t: (-t[1], t[0]))[:50]
    if question == "InternetTraffic":
        outside = [r for r in moved if not (private(r["srcaddr"]) and private(r["dstaddr"]))]
        direction = lambda r: "outbound" if private(r["srcaddr"]) else "inbound"  # noqa: E731
        g = _grouped(outside, lambda r: (direction(r), r["srcaddr"], r["dstaddr"]), [bytes_, packets])
        return sorted((k + tuple(v) for k, v in g.items()), key=lambda t: (-t[3], t[0], t[1], t[2]))[:50]
    if question == "DailyVolume":
        hours: dict[str, list] = defaultdict(lambda: [0, None, None])
        for r in rows:
            label = dt.datetime.fromtimestamp(r["start"], dt.timezone.utc).strftime("%Y-%m-%d %H:00")
            total = hours[label]
            total[0] += 1
            for i, name in ((1, "packets"), (2, "bytes")):
                if r[name] is not None:
                    total[i] = (total[i] or 0) + r[name]
        return sorted((label, *total) for label, total in hours.items())
    if question == "PacketsLost":
        reasons = [
            "packets-lost-no-route",
            "packets-lost-blackhole",
            "packets-lost-mtu-exceeded",
            "packets-lost-ttl-expired",
        ]
        g = _grouped(rows, lambda r: (r["tgw-attachment-id"],), [lambda r, n=n: r[n] for n in reasons])
        return sorted((k + tuple(v) for k, v in g.items()), key=lambda t: (-sum(t[1:]), t[0]))[:50]
    raise AssertionError(f"no expectation for {question}")


# --- the cases -----------------------------------------------------------------------------------------

LAYOUTS = [
    {"file_format": file_format, "hive_compatible_partitions": hive, "per_hour_partition": hourly}
    for file_format in ("plain-text", "parquet")
    for hive in (False, True)
    for hourly in (False, True)
]
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
