"""`cfn-flowlogs query` on the local endpoint's S3: objects fetched with boto3 (the standard
credential chain and AWS_ENDPOINT_URL), only the window's partition prefixes listed, an archived
object named instead of skipped, and the caller's account (STS) and region as defaults."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from cfn_flowlogs import FlowLogsConfig

from ..conftest import run_cli
from ..query.delivery import ACCOUNT, BUCKET, LAYOUTS, REGION, TODAY, VPC, deliver, expected, sample, typed
from .endpoint import BIN, Aws

DAY = dt.datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=dt.timezone.utc)
WINDOW = ("--since", TODAY.isoformat(), "--until", (TODAY + dt.timedelta(days=1)).isoformat())
HIVE_HOURLY_TEXT = LAYOUTS[3]
PLAIN_DAILY_PARQUET = LAYOUTS[4]


@pytest.fixture(scope="module")
def windows() -> list:
    return sample("vpc")


@pytest.fixture
def endpoint(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Aws:
    """This process talks to the local endpoint as the command would: the environment, no profile."""
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in aws.env.items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    return aws


def upload(aws: Aws, tmp_path: Path, bucket: str, config: dict[str, Any], windows: list, *, under: str = "") -> list:
    """Deliver into a folder, then copy every object into the bucket (under a prefix, if given)."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=bucket)
    keys = deliver(tmp_path, config, FlowLogsConfig(**config).log_fields, windows)
    for key in keys:
        s3.put_object(Bucket=bucket, Key=under + key, Body=(tmp_path / BUCKET / key).read_bytes())
    return keys


def config_file(tmp_path: Path, config: dict[str, Any]) -> str:
    path = tmp_path / "flows.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return str(path)


def rows(capsys, *argv: str) -> list[tuple]:
    code, out, err = run_cli(capsys, "query", *argv, "--format", "json")
    assert code == 0, err
    return [tuple(row.values()) for row in json.loads(out)]


def today(windows: list, fields: tuple[str, ...]) -> list[dict]:
    low, high = DAY.timestamp(), (DAY + dt.timedelta(days=1)).timestamp()
    return typed([r for _, records in windows for r in records if low <= int(r["start"]) < high], fields)


def layout_id(options: dict[str, Any]) -> str:
    hive, hourly = options["hive_compatible_partitions"], options["per_hour_partition"]
    return f"{options['file_format']}-{'hive' if hive else 'plain'}-{'hourly' if hourly else 'daily'}"


# Every layout, one of them under a prefix where a copy of the bucket lies
LAYOUT_CASES = [
    pytest.param(options, "copies/2026/" if index == 4 else "", id=layout_id(options) + ("-copy" if index == 4 else ""))
    for index, options in enumerate(LAYOUTS)
]


@pytest.mark.parametrize(("options", "under"), LAYOUT_CASES)
def test_questions_over_s3_in_every_layout_list_only_the_windows_partitions(options, under, endpoint, windows, tmp_path,
                                                                  capsys, monkeypatch):  # fmt: skip
    # GIVEN a day and a half of objects in a bucket (or a copy of it under a prefix), and every
    # ListObjectsV2 prefix this process asks for recorded
    bucket = f"query-{layout_id(options).replace('plain-text', 'text')}-{os.getpid()}"
    config = {**VPC, "log_destination_type": "s3", "destination_options": options, "s3_subfolder": "flows"}
    upload(endpoint, tmp_path, bucket, config, windows, under=under)
    listed: list[str] = []
    client = boto3.session.Session.client

    def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        made = client(self, *args, **kwargs)
        made.meta.events.register("before-parameter-build.s3.ListObjectsV2",
                                  lambda params, **_: listed.append(params["Prefix"]))  # fmt: skip
        return made

    monkeypatch.setattr(boto3.session.Session, "client", recording)
    fields = FlowLogsConfig(**config).log_fields
    source = f"s3://{bucket}/{under}".rstrip("/")
    for key in ("RejectedBySourceAndPort", "DailyVolume"):
        # WHEN a question is asked of S3 for that day, account and region left to STS and the session
        got = rows(capsys, key, "--config", config_file(tmp_path, config), "--source", source, *WINDOW)
        # THEN it is Python's answer
        assert got == [tuple(row) for row in expected(key, today(windows, fields), fields)], key
    # AND only the day's partition prefixes were listed (24 hours, or the day), never the bucket
    hourly = options["per_hour_partition"]
    assert len(listed) == 2 * (24 if hourly else 1)
    day = "year=2026/month=11/day=30/" if options["hive_compatible_partitions"] else "2026/11/30/"
    assert all(prefix.startswith(f"{under}flows/AWSLogs/") and day in prefix for prefix in listed), listed[:3]


def test_an_archived_object_is_named_until_it_is_restored(endpoint, windows, tmp_path, capsys):
    # GIVEN the day's objects, one of them moved to Glacier Flexible Retrieval
    bucket = f"query-archived-{os.getpid()}"
    config = {**VPC, "log_destination_type": "s3", "destination_options": PLAIN_DAILY_PARQUET}
    keys = upload(endpoint, tmp_path, bucket, config, windows)
    s3 = endpoint.client("s3")
    archived = next(key for key in keys if "/2026/11/30/" in key)
    s3.copy_object(Bucket=bucket, Key=archived, CopySource={"Bucket": bucket, "Key": archived},
                   StorageClass="GLACIER")  # fmt: skip
    argv = ("TopTalkers", "--config", config_file(tmp_path, config), "--source", f"s3://{bucket}", *WINDOW)
    # WHEN a question is asked THEN the object is named, never skipped
    code, out, err = run_cli(capsys, "query", *argv)
    assert (code, out) == (2, "")
    assert f"s3://{bucket}/{archived}" in err and "GLACIER" in err and "restore" in err
    assert len(err.splitlines()) == 1
    # WHEN it is restored THEN it is read
    s3.restore_object(Bucket=bucket, Key=archived, RestoreRequest={"Days": 1})
    fields = FlowLogsConfig(**config).log_fields
    assert rows(capsys, *argv) == [tuple(r) for r in expected("TopTalkers", today(windows, fields), fields)]


def test_the_console_script_reads_s3_with_the_standard_credential_chain(aws, windows, tmp_path):
    # GIVEN objects in the local endpoint's S3 and only AWS_ENDPOINT_URL, dummy keys and a region in
    # the environment
    bucket = f"query-script-{os.getpid()}"
    config = {**VPC, "log_destination_type": "s3", "destination_options": HIVE_HOURLY_TEXT}
    upload(aws, tmp_path, bucket, config, windows)
    env = {**aws.env, "PATH": f"{BIN}:{aws.env['PATH']}"}
    # WHEN the installed command runs (account from STS, region from the environment)
    done = subprocess.run(
        ["cfn-flowlogs", "query", "AdminPorts", "--config", config_file(tmp_path, config), "--source",
         f"s3://{bucket}", *WINDOW, "--format", "csv"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    # THEN it answers in CSV, and says on stderr what it read
    assert done.returncode == 0, done.stderr
    fields = FlowLogsConfig(**config).log_fields
    want = expected("AdminPorts", today(windows, fields), fields)
    assert done.stdout.splitlines()[0] == "srcaddr,dstaddr,dstport,flows,total_packets"
    assert done.stdout.splitlines()[1:] == [",".join(str(v) for v in row) for row in want]
    assert "from 5 objects in 24 partitions" in done.stderr
    assert ACCOUNT == "123456789012" and aws.env["AWS_DEFAULT_REGION"] == REGION
