"""`make bench`, the query engine: `cfn-flowlogs query` over 5 million records, as gzip'd text and as
Parquet, against DuckDB reading the same files with a hand-written query.

The files are made here, in a temporary folder, by DuckDB itself (a few seconds): never by the test
suite. They are laid out as delivery writes one day of AWS's default format (plain prefixes, one
day, 48 objects of AWS's object names), each record starting inside that day. Both sides answer the
same question, rejected traffic by source and port for that day, and must give the same rows.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from cfn_flowlogs import FlowLogsConfig
from cfn_flowlogs.config.fields import DEFAULT_FIELDS, FIELDS
from cfn_flowlogs.query import engine
from cfn_flowlogs.query.catalog import QUESTIONS, athena_sql

RECORDS: Final = 5_000_000
OBJECTS: Final = 48  # one a half hour
RUNS: Final = 3
ACCOUNT: Final = "123456789012"
REGION: Final = "us-east-1"
DAY: Final = dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc)
QUESTION: Final = "RejectedBySourceAndPort"
_TYPES: Final = {"int": "INTEGER", "bigint": "BIGINT", "string": "VARCHAR"}


def _h(salt: int, modulo: int) -> str:
    """A number in [0, modulo), the same for the same record (DuckDB's hash of its index)."""
    return f"CAST(hash(i + {salt}) % {modulo} AS BIGINT)"


# One record of AWS's default format per row of range(n), its start inside the object's half hour.
# Addresses, ports and actions repeat enough for the group-by to have work to do.
_RECORD: Final = f"""
    2::INTEGER AS "version", '{{account}}' AS "account-id",
    'eni-0' || lpad(CAST({_h(0, 500)} AS VARCHAR), 16, '0') AS "interface-id",
    '10.0.' || CAST({_h(1, 200)} AS VARCHAR) || '.' || CAST({_h(2, 250)} AS VARCHAR) AS "srcaddr",
    '10.1.' || CAST({_h(3, 50)} AS VARCHAR) || '.' || CAST({_h(4, 250)} AS VARCHAR) AS "dstaddr",
    CAST(1024 + {_h(5, 60000)} AS INTEGER) AS "srcport",
    CAST([22, 80, 443, 3389, 5432, 8080][1 + {_h(6, 6)}] AS INTEGER) AS "dstport",
    CAST([6, 17][1 + {_h(7, 2)}] AS INTEGER) AS "protocol",
    CAST(1 + {_h(8, 100)} AS BIGINT) AS "packets", CAST(40 + {_h(9, 90000)} AS BIGINT) AS "bytes",
    CAST({{start}} + {_h(10, 1700)} AS BIGINT) AS "start", CAST({{start}} + 1700 + {_h(11, 60)} AS BIGINT) AS "end",
    ['ACCEPT', 'ACCEPT', 'REJECT'][1 + {_h(12, 3)}] AS "action", 'OK' AS "log-status"
"""


def generate(folder: Path, parquet: bool) -> tuple[FlowLogsConfig, Path]:
    """The objects of one day under `folder` (the bucket's root), and the config that wrote them."""
    import duckdb

    options = {"file_format": "parquet" if parquet else "plain-text"}
    config = FlowLogsConfig(vpc_id="vpc-0123456789abcdef0", log_destination_type="s3", destination_options=options)
    shape = config.record_shape
    prefix = folder / shape.prefix(ACCOUNT, REGION, DAY)
    prefix.mkdir(parents=True)
    per_object = RECORDS // OBJECTS
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    for index in range(OBJECTS):
        when = DAY + dt.timedelta(minutes=30 * index)
        name = f"{ACCOUNT}_vpcflowlogs_{REGION}_fl-0123456789abcdef0_{when:%Y%m%dT%H%M}Z_{index:08x}"
        select = _RECORD.format(account=ACCOUNT, start=int(when.timestamp()))
        rows = f"SELECT {select} FROM range({index * per_object}, {(index + 1) * per_object}) AS t(i)"
        if parquet:  # columns named as Athena's (`-` as `_`), typed as AWS documents them
            renamed = ", ".join(f'"{n}" AS "{n.replace("-", "_")}"' for n in shape.fields)
            target = prefix / f"{name}.log.parquet"
            con.execute(f"COPY (SELECT {renamed} FROM ({rows})) TO '{target}' (FORMAT parquet, COMPRESSION gzip)")
        else:  # space-delimited, the header line of field names, gzip'd
            target = prefix / f"{name}.log.gz"
            con.execute(f"COPY ({rows}) TO '{target}' (FORMAT csv, DELIMITER ' ', HEADER, COMPRESSION gzip)")
    con.close()
    return config, folder


def hand_written(files: list[str], parquet: bool, window: engine.Window) -> list[tuple[Any, ...]]:
    """The question as one would write it for DuckDB, over the same files."""
    import duckdb

    since, until = window.epoch()
    if parquet:
        source = f"read_parquet({files!r})"
    else:
        columns = ", ".join(
            f"'{n.replace('-', '_')}': '{_TYPES[FIELDS[n].athena_type]}'" for n in DEFAULT_FIELDS["vpc"]
        )
        source = (
            f"read_csv({files!r}, delim=' ', header=true, columns={{{columns}}}, nullstr='-', quote='', "
            "escape='', compression='gzip', auto_detect=false)"
        )
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    try:
        return con.execute(
            f"SELECT srcaddr, dstport, count(*) AS flows, sum(packets) AS total_packets FROM {source} "
            f"WHERE action = 'REJECT' AND start >= {since} AND start < {until} GROUP BY srcaddr, dstport "
            "ORDER BY flows DESC, total_packets DESC, srcaddr, dstport LIMIT 50"
        ).fetchall()
    finally:
        con.close()


def one_format(parquet: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cfn-flowlogs-bench-") as tmp:
        start = time.perf_counter()
        config, root = generate(Path(tmp), parquet)
        generate_s = time.perf_counter() - start
        window = engine.Window(DAY, DAY + dt.timedelta(days=1))
        (question,) = [q for q in QUESTIONS if q.key == QUESTION]
        sql = athena_sql(question.answers[0], config.glue_table_name)
        request = engine.Request(config.record_shape, config.glue_table_name, str(root), (ACCOUNT,), (REGION,),
                                 window, sql)  # fmt: skip
        files = sorted(str(p) for p in root.rglob("*") if p.is_file())
        size = sum(Path(f).stat().st_size for f in files)
        ours = engine.run(request).rows  # warm the page cache and the imports
        theirs = hand_written(files, parquet, window)
        if ours != theirs:
            raise SystemExit(f"query bench: cfn-flowlogs query and the hand-written query disagree ({QUESTION})")
        runs = []
        for _ in range(RUNS):  # interleaved: the same drift for both
            began = time.perf_counter()
            engine.run(request)
            middle = time.perf_counter()
            hand_written(files, parquet, window)
            runs.append((middle - began, time.perf_counter() - middle))
    query_s = statistics.median(r[0] for r in runs)
    duckdb_s = statistics.median(r[1] for r in runs)
    return {
        "records": RECORDS,
        "objects": OBJECTS,
        "bytes": size,
        "generate_s": generate_s,
        "query_s": query_s,
        "duckdb_s": duckdb_s,
        "ratio": statistics.median(r[0] / r[1] for r in runs),
        "records_per_s": RECORDS / query_s,
        "duckdb_records_per_s": RECORDS / duckdb_s,
    }


def figures() -> dict[str, Any]:
    return {"question": QUESTION, "runs": RUNS, "text": one_format(False), "parquet": one_format(True)}


def table(results: dict[str, Any]) -> str:
    lines = [
        "",
        f"cfn-flowlogs query {results['question']} over {RECORDS:,} records, {OBJECTS} objects "
        f"(median of {results['runs']} interleaved runs; goal: at most x1.20 DuckDB)",
        f"{'format':10} {'MB':>7} {'query s':>8} {'duckdb s':>9} {'ratio':>6} {'records/s':>12} {'duckdb rec/s':>13}",
    ]
    for name in ("text", "parquet"):
        f = results[name]
        lines.append(
            f"{name:10} {f['bytes'] / 1e6:7.1f} {f['query_s']:8.2f} {f['duckdb_s']:9.2f} {f['ratio']:6.2f} "
            f"{f['records_per_s']:12,.0f} {f['duckdb_records_per_s']:13,.0f}"
        )
    return "\n".join(lines)
