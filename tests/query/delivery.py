"""Flow-log objects as VPC Flow Logs delivers them, and the answers to the query layer's
questions computed in plain Python from the same records: shared by the tests of the named
queries (their SQL on DuckDB, as the Glue table reads), of `cfn-flowlogs query` (on folders and on
the local endpoint's S3) and by the benchmark.

Written from AWS's pages, not from the package: the object keys from "Flow log files" (the VPC
guide) and "AWS Transit Gateway Flow Logs records in Amazon S3" (`service=` where the VPC guide has
`aws-service=`), the header line of field names, and each field's Parquet type from "Flow log
records" and "Transit Gateway Flow Log records" (PARQUET_TYPES, checked against the catalog in
tests/config/test_fields.py).
"""

from __future__ import annotations

import datetime as dt
import gzip
import ipaddress
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cfn_flowlogs.config.fields import DEFAULT_FIELDS, FIELDS
from cfn_flowlogs.query.catalog import ADMIN_PORTS

ACCOUNT = "123456789012"
REGION = "us-east-1"
BUCKET = "example-flow-logs"
TODAY = dt.date(2026, 11, 30)
YESTERDAY = TODAY - dt.timedelta(days=1)
FLOW_LOG_ID = "fl-0123456789abcdef0"
PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]

VPC = {"vpc_id": "vpc-0123456789abcdef0"}
TGW = {"transit_gateway_id": "tgw-0123456789abcdef0", "max_aggregation_interval": 60, "traffic_type": None}
ALL_V5 = [n for n in FIELDS if "vpc" in FIELDS[n].versions and FIELDS[n].versions["vpc"] <= 5]
WITH_SUBNET = [*DEFAULT_FIELDS["vpc"], "vpc-id", "subnet-id", "tcp-flags", "pkt-srcaddr", "pkt-dstaddr"]

# Each field's "Parquet data type" as AWS's records pages give it (VPC fields up to version 10,
# transit gateway fields); the version 11 fields have none there. Every field not named is STRING.
INT_32 = {"version", "srcport", "dstport", "protocol", "tcp-flags", "traffic-path", "encryption-status"}
INT_64 = {"packets", "bytes", "start", "end", "packets-lost-no-route", "packets-lost-blackhole",
          "packets-lost-mtu-exceeded", "packets-lost-ttl-expired"}  # fmt: skip
UNDOCUMENTED = {"instance-tag", "instance-tag-2", "interface-tag", "interface-tag-2", "asg-tag", "asg-tag-2",
                "interface-type", "next-hop-interface-id", "next-hop-subnet-id", "next-hop-az-id", "next-hop-vpc-id",
                "next-hop-interface-type"}  # fmt: skip
ARROW = {"INT_32": pa.int32(), "INT_64": pa.int64(), "STRING": pa.string()}
PARQUET_NAMES = {"int32": "INT_32", "int64": "INT_64", "string": "STRING"}  # pyarrow's names
# The column types Athena reads each Parquet type as ("Change a column data type": its own type,
# and INT as BIGINT among "the data types that can be so treated").
READS = {"INT_32": ("int", "bigint"), "INT_64": ("bigint",), "STRING": ("string",)}


def parquet_type(name: str) -> str:
    return "INT_32" if name in INT_32 else "INT_64" if name in INT_64 else "STRING"


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
    for name in FIELDS:
        numeric = name in values and parquet_type(name) != "STRING" and name not in ("version", "packets", "bytes")
        if numeric and not values[name].isdigit():  # tcp-flags, traffic-path, packets-lost-*; encryption-status
            values[name] = str(i % 4) if name == "encryption-status" else str(rng.randrange(0, 4))
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


def object_key(
    when: dt.datetime,
    *,
    account: str,
    region: str,
    options: dict[str, Any],
    subfolder: str,
    transit_gateway: bool = False,
) -> str:
    """The key delivery writes a file under, as AWS's guides document it ("Flow log files")."""
    hive, hourly = options.get("hive_compatible_partitions"), options.get("per_hour_partition")
    y, m, d, h = f"{when:%Y}", f"{when:%m}", f"{when:%d}", f"{when:%H}"
    if hive:
        parts = [
            f"aws-account-id={account}",
            "service=vpcflowlogs" if transit_gateway else "aws-service=vpcflowlogs",
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
    path.write_bytes(object_bytes(fields, records, parquet))


def object_bytes(fields: tuple[str, ...], records: list[dict[str, str]], parquet: bool) -> bytes:
    """gzip'd text (a header line of field names, then one record a line), or Parquet whose
    columns (named as Athena's, `-` as `_`) have AWS's documented Parquet types."""
    if not parquet:
        lines = [" ".join(fields)] + [" ".join(r[name] for name in fields) for r in records]
        return gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)
    columns = {}
    for name in fields:
        kind = parquet_type(name)
        values = [None if r[name] == "-" else (r[name] if kind == "STRING" else int(r[name])) for r in records]
        columns[name.replace("-", "_")] = pa.array(values, type=ARROW[kind])
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table(columns), sink, compression="gzip")
    return bytes(sink.getvalue().to_pybytes())


def deliver(
    root: Path,
    config: dict[str, Any],
    fields: tuple[str, ...],
    windows: list,
    *,
    account: str = ACCOUNT,
    region: str = REGION,
) -> list[str]:
    """Write each window's records as one object under `root`/BUCKET; their keys."""
    options = config.get("destination_options") or {}
    keys = []
    for when, records in windows:
        subfolder, transit_gateway = config.get("s3_subfolder", ""), "transit_gateway_id" in config
        key = object_key(when, account=account, region=region, options=options, subfolder=subfolder,
                         transit_gateway=transit_gateway)  # fmt: skip
        write_object(root / BUCKET / key, fields, records, options.get("file_format") == "parquet")
        keys.append(key)
    return keys


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


# --- the answers, computed in Python from the records --------------------------------------------------


def typed(records: list[dict[str, str]], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for r in records:
        row: dict[str, Any] = {}
        for name in fields:
            text = parquet_type(name) == "STRING"
            row[name] = r[name] if text else (int(r[name]) if r[name].lstrip("-").isdigit() else None)
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
