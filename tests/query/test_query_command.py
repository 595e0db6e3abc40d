"""`cfn-flowlogs query` over folders laid out as the bucket: every delivery layout, text and Parquet.

GIVEN a day and a half of flow-log objects written as delivery writes them (tests/query/delivery.py:
AWS's documented keys, header line and Parquet types), with decoys for another account, region or
subfolder, and unreadable objects wherever a partition outside the window or a prefix that is no
partition would be,
WHEN `cfn-flowlogs query KEY --config ... --source DIR --since ... --until ...` runs,
THEN each answer equals the one Python computes from the records whose start lies in the window;
and every way the answer could be short without a word is one error line, exit 2, naming the
object and line.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from cfn_flowlogs import FlowLogsConfig
from cfn_flowlogs.config.fields import DEFAULT_FIELDS
from cfn_flowlogs.query import engine
from cfn_flowlogs.query.catalog import QUESTIONS, TODAY_FILTER, questions_for

from ..conftest import run_cli
from .delivery import (
    ACCOUNT,
    ALL_V5,
    BUCKET,
    LAYOUTS,
    REGION,
    TGW,
    TODAY,
    VPC,
    WITH_SUBNET,
    deliver,
    deliver_decoys,
    expected,
    object_key,
    sample,
    typed,
)

DAY = dt.datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=dt.timezone.utc)
WINDOW = ("--since", TODAY.isoformat(), "--until", (TODAY + dt.timedelta(days=1)).isoformat())
SCOPE = ("--account", ACCOUNT, "--region", REGION)
PREFIX = "cfn-flowlogs: error:"


@pytest.fixture(scope="module")
def samples() -> dict[str, list]:
    return {"vpc": sample("vpc"), "transit-gateway": sample("transit-gateway")}


def s3_config(config: dict[str, Any]) -> dict[str, Any]:
    return {**config, "log_destination_type": "s3"}


def write_config(folder: Path, config: dict[str, Any], name: str = "flows.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def records_between(windows: list, fields: tuple[str, ...], since: dt.datetime, until: dt.datetime) -> list[dict]:
    """The typed records whose start lies in [since, until), computed from the records themselves."""
    low, high = since.timestamp(), until.timestamp()
    return typed([r for _, records in windows for r in records if low <= int(r["start"]) < high], fields)


def answer(capsys, *argv: str) -> tuple[list[tuple], str]:
    """Run the command (JSON out); its rows as tuples in column order, and its stderr."""
    code, out, err = run_cli(capsys, "query", *argv, "--format", "json")
    assert code == 0, err
    return [tuple(row.values()) for row in json.loads(out)], err


def failure(capsys, *argv: str) -> str:
    code, out, err = run_cli(capsys, "query", *argv)
    assert (code, out) == (2, ""), err
    assert err.startswith(PREFIX) and len(err.splitlines()) == 1, err
    return err


def plant_unreadable(root: Path, config: dict[str, Any]) -> None:
    """Garbage where a reader that lists too much would trip: the bucket's root, AWSLogs/, the
    region's prefix, and a partition of the day after the window."""
    options = config.get("destination_options") or {}
    after = object_key(
        DAY + dt.timedelta(days=1, hours=2),
        account=ACCOUNT,
        region=REGION,
        options=options,
        subfolder=config.get("s3_subfolder", ""),
        transit_gateway="transit_gateway_id" in config,
    )
    region_prefix = after.rsplit("/", 5 if options.get("per_hour_partition") else 4)[0]
    for key in (after, "stray.log.gz", "AWSLogs/stray.log.gz", f"{region_prefix}/stray.log.gz"):
        (root / BUCKET / key).parent.mkdir(parents=True, exist_ok=True)
        (root / BUCKET / key).write_bytes(b"not a flow-log object")


def layout_id(options: dict[str, Any]) -> str:
    return (
        f"{options['file_format']}-{'hive' if options['hive_compatible_partitions'] else 'plain'}-"
        f"{'hourly' if options['per_hour_partition'] else 'daily'}"
    )


CASES = [
    *(
        pytest.param(
            {**VPC, "destination_options": o, **({"s3_subfolder": "net/flows"} if i % 3 else {})},
            id=layout_id(o) + ("-subfolder" if i % 3 else ""),
        )
        for i, o in enumerate(LAYOUTS)
    ),
    pytest.param({**VPC, "log_format": ALL_V5, "destination_options": LAYOUTS[7]}, id="all-v5-fields-parquet"),
    pytest.param({**VPC, "log_format": WITH_SUBNET, "destination_options": LAYOUTS[2]}, id="v3-with-subnet"),
    pytest.param({**TGW, "destination_options": LAYOUTS[0]}, id="transit-gateway-text"),
    pytest.param({**TGW, "destination_options": LAYOUTS[3], "s3_subfolder": "tgw"}, id="transit-gateway-text-hive"),
    pytest.param({**TGW, "destination_options": LAYOUTS[6]}, id="transit-gateway-parquet-hive"),
]


@pytest.mark.parametrize("config", CASES)
def test_every_question_over_every_layout_gives_pythons_answer(config, samples, tmp_path, capsys):
    # GIVEN a day and a half of objects, decoys, and garbage wherever an over-eager reader would look
    config = s3_config(config)
    fields = FlowLogsConfig(**config).log_fields
    windows = samples["transit-gateway" if "transit_gateway_id" in config else "vpc"]
    deliver(tmp_path, config, fields, windows)
    deliver_decoys(tmp_path, config, fields, windows)
    plant_unreadable(tmp_path, config)
    path = write_config(tmp_path, config)
    want_rows = records_between(windows, fields, DAY, DAY + dt.timedelta(days=1))
    asked = questions_for(fields)
    assert len(asked) >= 5
    for question, _ in asked:
        # WHEN each question is asked for that day
        got, err = answer(
            capsys, question.key, "--config", str(path), "--source", str(tmp_path / BUCKET), *WINDOW, *SCOPE
        )
        # THEN it is Python's answer, from exactly that day's objects of this account and region
        assert got == [tuple(row) for row in expected(question.key, want_rows, fields)], question.key
        assert got or question.key == "AdminPorts", f"{question.key} answered nothing: the sample proves little"
        assert " from 5 objects " in err, err


@pytest.mark.parametrize("options", [LAYOUTS[1], LAYOUTS[4]], ids=layout_id)
def test_records_are_kept_by_their_start_time(options, samples, tmp_path, capsys):
    # GIVEN objects of yesterday and today, and a window from 22:30 yesterday to 05:10 today
    config = s3_config({**VPC, "destination_options": options})
    fields = DEFAULT_FIELDS["vpc"]
    deliver(tmp_path, config, fields, samples["vpc"])
    since, until = DAY - dt.timedelta(minutes=90), DAY + dt.timedelta(hours=5, minutes=10)
    path = write_config(tmp_path, config)
    # WHEN the hourly volume of that window is asked for
    got, _ = answer(
        capsys,
        "DailyVolume",
        "--config",
        str(path),
        "--source",
        str(tmp_path / BUCKET),
        "--since",
        "2026-11-29T22:30:00Z",
        "--until",
        "2026-11-30T07:10:00+02:00",
        *SCOPE,
    )
    # THEN only records that started in it count: part of yesterday's 22:00 hour, none after 05:10
    want = expected("DailyVolume", records_between(samples["vpc"], fields, since, until), fields)
    assert got == [tuple(row) for row in want]
    assert {row[0][:10] for row in got} == {"2026-11-29", "2026-11-30"}


def test_an_archive_reads_each_source_account_and_region(samples, tmp_path, capsys):
    # GIVEN an archive of two listed accounts in two regions, and objects of a third account
    archive = {
        "source_account_ids": ["111122223333", "444455556666"],
        "source_regions": ["us-east-1", "eu-west-1"],
        "create_athena_table": True,
        "file_format": "parquet",
        "hive_compatible_partitions": True,
    }
    options = {"file_format": "parquet", "hive_compatible_partitions": True}
    fields = DEFAULT_FIELDS["vpc"]
    for account in ("111122223333", "444455556666", "777788889999"):
        for region in ("us-east-1", "eu-west-1"):
            deliver(tmp_path, {"destination_options": options}, fields, samples["vpc"], account=account, region=region)
    path = write_config(tmp_path, archive, "archive.yaml")
    sql = tmp_path / "sources.sql"
    sql.write_text(
        "SELECT aws_account_id, aws_region, count(*) AS records, sum(packets) AS packets\n"
        'FROM "net_archive_flow_logs"."vpc_flow_logs"\nGROUP BY 1, 2 ORDER BY 1, 2\n',
        encoding="utf-8",
    )
    # WHEN your own SQL runs over it, the accounts and regions left to the archive's lists
    got, _ = answer(capsys, "--sql", str(sql), "--config", str(path), "--source", str(tmp_path / BUCKET), *WINDOW)
    # THEN each listed account and region holds that day's records, and the third account is not read
    today = records_between(samples["vpc"], fields, DAY, DAY + dt.timedelta(days=1))
    packets = sum(r["packets"] for r in today if r["packets"] is not None)
    assert got == [
        (a, r, len(today), packets) for a in ("111122223333", "444455556666") for r in ("eu-west-1", "us-east-1")
    ]


def test_the_answer_is_the_one_the_glue_tables_reading_gives(samples, tmp_path, capsys):
    # GIVEN the harness that reads the compiled Glue table as Athena does (test_query_sql.py)
    from .test_query_sql import load_table, named_queries, on_duckdb, only, rendered, resolve, stack_names

    config = s3_config({**VPC, "destination_options": LAYOUTS[5], "create_athena_table": True})
    deliver(tmp_path, config, FlowLogsConfig(**config).log_fields, samples["vpc"])
    template = rendered(config)
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    load_table(con, resolve(only(template, "AWS::Glue::Table")["Properties"], stack_names(template)), tmp_path)
    path = write_config(tmp_path, config)
    for title, sql in named_queries(template).items():
        # WHEN both answer the same named query for the same day
        got, _ = answer(
            capsys,
            title.removeprefix("FlowLogsQuery"),
            "--config",
            str(path),
            "--source",
            str(tmp_path / BUCKET),
            *WINDOW,
            *SCOPE,
        )
        # THEN the answers are the same
        assert got == con.execute(on_duckdb(sql)).fetchall(), title


def test_list_names_the_questions_the_format_answers(tmp_path, capsys):
    config = s3_config({**VPC, "log_format": ["version", "srcaddr", "dstaddr", "dstport", "action", "packets"]})
    code, out, err = run_cli(
        capsys, "query", "--list", "--config", str(write_config(tmp_path, config)), "--format", "json"
    )
    assert (code, err) == (0, "")
    assert json.loads(out) == [
        {
            "key": "RejectedBySourceAndPort",
            "title": "Rejected traffic by source and port",
            "fields": "srcaddr, dstport, action, packets",
        },
        {
            "key": "AdminPorts",
            "title": "SSH, RDP and other admin ports reached",
            "fields": "srcaddr, dstaddr, dstport, action, packets",
        },
    ]


def test_output_is_a_table_csv_or_json(samples, tmp_path, capsys):
    config = s3_config({**VPC, "destination_options": LAYOUTS[0]})
    deliver(tmp_path, config, DEFAULT_FIELDS["vpc"], samples["vpc"])
    argv = (
        "TrafficByInterface",
        "--config",
        str(write_config(tmp_path, config)),
        "--source",
        str(tmp_path / BUCKET),
        *WINDOW,
        *SCOPE,
    )
    rows, _ = answer(capsys, *argv)
    _, table, _ = run_cli(capsys, "query", *argv, "--format", "table")
    _, text, _ = run_cli(capsys, "query", *argv, "--format", "csv")
    _, default, _ = run_cli(capsys, "query", *argv)  # not a terminal: JSON
    assert table.splitlines()[0].split() == ["interface_id", "total_bytes", "total_packets", "records"]
    assert table.splitlines()[2].split() == [str(v) for v in rows[0]]
    assert text.splitlines()[0] == "interface_id,total_bytes,total_packets,records"
    assert text.splitlines()[1] == ",".join(str(v) for v in rows[0])
    assert [tuple(r.values()) for r in json.loads(default)] == rows


# --- loud, never short -----------------------------------------------------------------------------------


def corrupt_line(path: Path, number: int, text: str) -> None:
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    lines[number - 1] = text(lines[number - 1]) if callable(text) else text
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))


def with_field(line: str, index: int, value: str) -> str:
    fields = line.split(" ")
    fields[index] = value
    return " ".join(fields)


def break_data(path: Path) -> None:
    """Garble the bytes after Parquet's leading magic, leaving the footer (its schema) intact."""
    data = bytearray(path.read_bytes())
    footer = int.from_bytes(data[-8:-4], "little")
    for index in range(4, len(data) - 8 - footer):
        data[index] ^= 0x5A
    path.write_bytes(bytes(data))


def retype_parquet(path: Path, column: str, arrow_type: Any, drop: bool = False) -> None:
    table = pq.read_table(path)
    if drop:
        table = table.drop_columns([column])
    else:
        index = table.schema.get_field_index(column)
        table = table.set_column(index, column, table.column(column).cast(arrow_type))
    pq.write_table(table, path)


TEXT, PARQUET = LAYOUTS[0], LAYOUTS[4]
BROKEN = {
    # id: (layout, how the first object of the day is broken, words the error must hold)
    "not-gzip": (TEXT, lambda p: p.write_bytes(b"plain text"), ["gzip'd flow-log text", "BadGzipFile"]),
    "other-header": (TEXT, lambda p: corrupt_line(p, 1, "version srcaddr dstaddr"), ["line 1", "header line"]),
    "a-field-too-many": (
        TEXT,
        lambda p: corrupt_line(p, 3, lambda line: line + " extra"),
        ["line 3", "Expected Number of Columns: 14 Found: 15"],
    ),
    "a-field-too-few": (
        TEXT,
        lambda p: corrupt_line(p, 4, lambda line: line.rsplit(" ", 1)[0]),
        ["line 4", "Expected Number of Columns: 14 Found: 13"],
    ),
    "words-for-a-number": (
        TEXT,
        lambda p: corrupt_line(p, 2, lambda line: with_field(line, 9, "many")),
        ["line 2", 'column "bytes"', "many"],
    ),
    "not-parquet": (PARQUET, lambda p: p.write_bytes(b"PAR? not really"), ["a Parquet file"]),
    "parquet-data-broken": (PARQUET, lambda p: break_data(p), ["a flow-log object DuckDB can read"]),
    "parquet-column-missing": (
        PARQUET,
        lambda p: retype_parquet(p, "dstport", None, drop=True),
        ["the column dstport"],
    ),
    "parquet-int64-for-int": (
        PARQUET,
        lambda p: retype_parquet(p, "srcport", pa.int64()),
        ["column srcport", "INT_64", "int reads"],
    ),
    "parquet-string-for-bigint": (
        PARQUET,
        lambda p: retype_parquet(p, "bytes", pa.string()),
        ["column bytes", "STRING", "bigint reads"],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_an_object_that_is_not_the_configs_format_is_named(case, samples, tmp_path, capsys):
    # GIVEN the day's objects, one of them broken
    options, breaking, words = BROKEN[case]
    config = s3_config({**VPC, "destination_options": options})
    keys = deliver(tmp_path, config, DEFAULT_FIELDS["vpc"], samples["vpc"])
    broken = next(key for key in keys if "/2026/11/30/" in key)
    breaking(tmp_path / BUCKET / broken)
    # WHEN a question is asked THEN one line names the object, and the line where there is one
    err = failure(
        capsys,
        "TopTalkers",
        "--config",
        str(write_config(tmp_path, config)),
        "--source",
        str(tmp_path / BUCKET),
        *WINDOW,
        *SCOPE,
    )
    assert str(tmp_path / BUCKET / broken) in err
    for word in words:
        assert word in err, err


def archive_config(tmp_path: Path, **more: Any) -> str:
    return str(write_config(tmp_path, {"organization_id": "o-abcd123456", **more}, "archive.yaml"))


ERRORS = {
    # id: (arguments after `query`, given the default VPC config at CONFIG; words the error holds)
    "unknown-key": (["Nope", "--source", "SRC"], ["KEY must be one of TopTalkers", 'got "Nope"']),
    "no-key": (["--source", "SRC"], ["KEY must be a question's key"]),
    "fields-lacking": (["TrafficBySubnet", "--source", "SRC"], ["needs the fields subnet-id", "TrafficBySubnet"]),
    "no-source": (["TopTalkers"], ["--source must be a folder"]),
    "missing-source": (["TopTalkers", "--source", "/nonexistent/bucket"], ["--source must be a folder"]),
    "empty-window": (
        ["TopTalkers", "--source", "SRC", "--since", "2026-12-05", "--until", "2026-12-06"],
        ["a window with flow-log objects", "2026/12/05/"],
    ),
    "until-before-since": (
        ["TopTalkers", "--source", "SRC", "--since", "2026-12-05", "--until", "2026-12-04"],
        ["--until must be after --since"],
    ),
    "bad-when": (["TopTalkers", "--source", "SRC", "--since", "yesterday"], ["--since must be a date", '"yesterday"']),
    "bad-account": (["TopTalkers", "--source", "SRC", "--account", "12345"], ["--account must be a 12-digit"]),
    "bad-region": (["TopTalkers", "--source", "SRC", "--region", "Mars"], ["--region must be a region code"]),
    "sql-and-key": (["TopTalkers", "--sql", "q.sql", "--source", "SRC"], ["--sql must be given without KEY"]),
    "sql-not-select": (["--sql", "DROP", "--source", "SRC"], ["--sql must be one SELECT"]),
    "sql-unreadable": (["--sql", "/nonexistent.sql", "--source", "SRC"], ["--sql must be a readable"]),
    "sql-other-table": (["--sql", "OTHER", "--source", "SRC"], ["query must be SQL DuckDB can run", "elsewhere"]),
    "list-with-key": (["TopTalkers", "--list"], ["KEY must be left out with --list"]),
    "cloudwatch-logs": (["--list", "--config", "CW"], ["log_destination_type must be s3", "Logs Insights"]),
    "firehose": (["--list", "--config", "FH"], ["log_destination_type must be s3", "Firehose"]),
    "archive-of-an-organization": (
        ["TopTalkers", "--source", "SRC", "--config", "ORG"],
        ["--account must be the accounts to read"],
    ),
    "archive-account-not-listed": (
        ["TopTalkers", "--source", "SRC", "--config", "LISTED", "--account", "999999999999"],
        ["one of the archive's source_account_ids"],
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_bad_input_is_one_line(case, samples, tmp_path, capsys):
    config = s3_config({**VPC})
    deliver(tmp_path, config, DEFAULT_FIELDS["vpc"], samples["vpc"][:3])
    (tmp_path / "q.sql").write_text("SELECT 1", encoding="utf-8")
    (tmp_path / "drop.sql").write_text("DROP TABLE vpc_flow_logs", encoding="utf-8")
    (tmp_path / "other.sql").write_text("SELECT * FROM elsewhere", encoding="utf-8")
    replace = {
        "SRC": str(tmp_path / BUCKET),
        "q.sql": str(tmp_path / "q.sql"),
        "DROP": str(tmp_path / "drop.sql"),
        "OTHER": str(tmp_path / "other.sql"),
        "CW": str(write_config(tmp_path, {**VPC}, "cw.yaml")),
        "FH": str(
            write_config(
                tmp_path,
                {
                    **VPC,
                    "log_destination_type": "kinesis-data-firehose",
                    "kinesis_firehose_arn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/flows",
                },
                "fh.yaml",
            )
        ),
        "ORG": archive_config(tmp_path),
        "LISTED": str(write_config(tmp_path, {"source_account_ids": ["111122223333"]}, "listed.yaml")),
    }
    given, words = ERRORS[case]
    argv = [replace.get(arg, arg) for arg in given]
    if "--config" not in argv:
        argv += ["--config", str(write_config(tmp_path, config))]
    if "--account" not in argv and "--list" not in argv and "ORG" not in given:
        argv += ["--account", ACCOUNT]
    err = failure(capsys, *argv, "--region", REGION, *(() if "--since" in argv else WINDOW))
    for word in words:
        assert word in err, err


def test_a_format_without_start_keeps_the_partitions_records_and_says_so(samples, tmp_path, capsys):
    config = s3_config({**VPC, "log_format": ["version", "srcaddr", "dstaddr", "dstport", "action", "packets"]})
    fields = FlowLogsConfig(**config).log_fields
    deliver(tmp_path, config, fields, samples["vpc"])
    got, err = answer(
        capsys,
        "RejectedBySourceAndPort",
        "--config",
        str(write_config(tmp_path, config)),
        "--source",
        str(tmp_path / BUCKET),
        *WINDOW,
        *SCOPE,
    )
    day = typed([r for when, records in samples["vpc"] if when.date() == TODAY for r in records], fields)
    assert got == [tuple(row) for row in expected("RejectedBySourceAndPort", day, fields)]
    assert "warning: the format records no start" in err


# --- what it loads and what it never does ---------------------------------------------------------------


def test_duckdb_runs_with_extension_loading_and_installing_off(samples, tmp_path, capsys, monkeypatch):
    import duckdb

    seen: list[dict] = []
    connect = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *a, **k: seen.append(k.get("config", {})) or connect(*a, **k))
    config = s3_config({**VPC})
    deliver(tmp_path, config, DEFAULT_FIELDS["vpc"], samples["vpc"])
    answer(
        capsys,
        "TopTalkers",
        "--config",
        str(write_config(tmp_path, config)),
        "--source",
        str(tmp_path / BUCKET),
        *WINDOW,
        *SCOPE,
    )
    assert seen == [{"autoinstall_known_extensions": False, "autoload_known_extensions": False}]


def test_without_the_extra_one_line_names_it(tmp_path, capsys, monkeypatch):
    # GIVEN duckdb cannot be imported
    monkeypatch.setitem(sys.modules, "duckdb", None)
    config = write_config(tmp_path, s3_config({**VPC}))
    err = failure(capsys, "TopTalkers", "--config", str(config), "--source", str(tmp_path), *WINDOW, *SCOPE)
    assert "pip install 'cfn-flowlogs[query]'" in err


def test_every_named_querys_day_filter_becomes_the_window():
    # GIVEN every answer's SQL WHEN rewritten for a window THEN the day filter is gone, the window in
    shape = FlowLogsConfig(**s3_config({**VPC, "log_format": ALL_V5})).record_shape
    window = engine.Window(DAY, DAY + dt.timedelta(hours=6))
    since, until = window.epoch()
    for question in QUESTIONS:
        for given in question.answers:
            sql = engine.duckdb_sql(given.athena.format(table="t", today=TODAY_FILTER), "t", window, shape)
            assert "current_date" not in sql.lower() and "CURRENT_DATE" not in sql
            assert f'"start" >= {since} AND "start" < {until}' in sql, question.key


@pytest.mark.parametrize("tty", [True, False])
def test_progress_is_shown_on_a_terminal_only(tty):
    class Stream(list):
        def isatty(self) -> bool:
            return tty

        def write(self, text: str) -> None:
            self.append(text)

        def flush(self) -> None:
            pass

    stream = Stream()
    progress = engine.Progress(stream)  # type: ignore[arg-type]
    progress.update(3, 10, 2_500_000)
    progress.clear()
    assert bool(stream) == tty
    assert not tty or "fetched 3/10 objects (2.5 MB)" in "".join(stream)


def test_the_answer_goes_to_a_file_with_o_never_over_one_without_force(samples, tmp_path, capsys):
    config = s3_config({**VPC})
    deliver(tmp_path, config, DEFAULT_FIELDS["vpc"], samples["vpc"])
    argv = ("TopTalkers", "--config", str(write_config(tmp_path, config)), "--source", str(tmp_path / BUCKET),
            *WINDOW, *SCOPE)  # fmt: skip
    answer_file = tmp_path / "answer.json"
    # WHEN -o names a new file THEN the answer is written there as JSON (not a terminal), nothing to stdout
    code, out, err = run_cli(capsys, "query", *argv, "-o", str(answer_file))
    assert (code, out) == (0, "") and str(answer_file) in err
    rows, _ = answer(capsys, *argv)
    assert [tuple(row.values()) for row in json.loads(answer_file.read_text())] == rows
    # AND a file that exists is replaced only with --force
    answer_file.write_text("[]\n")
    assert "--force" in failure(capsys, *argv, "-o", str(answer_file))
    assert run_cli(capsys, "query", *argv, "-o", str(answer_file), "--force")[0] == 0
    assert json.loads(answer_file.read_text()) != []
