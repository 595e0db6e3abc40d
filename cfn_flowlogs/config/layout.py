"""Where VPC Flow Logs writes in S3: prefixes and object names, as text.

One source for every reader and writer of the layout: the bucket policy's grant and the Glue
table's location (templates wrap these pieces in `Fn::Sub`, with placeholders for what only deploy
time knows), the audit's proof of delivery and the query engine's object listing (with literal
accounts, regions and hours). AWS's layout, per "Flow log files" in the VPC user guide:

    <bucket>/[<subfolder>/]AWSLogs/[aws-account-id=]<account>/[aws-service=]vpcflowlogs/
        [aws-region=]<region>/[year=]<yyyy>/[month=]<MM>/[day=]<dd>/[[hour=]<HH>/]
        <account>_vpcflowlogs_<region>_<flow log ID>_<yyyyMMddTHHmmZ>_<hash>.log.gz

Transit gateway flow logs use the same layout, except that AWS's transit gateway guide ("AWS
Transit Gateway Flow Logs records in Amazon S3") writes the Hive service level `service=`
where the VPC guide writes `aws-service=`: each target kind follows its own guide.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

LOGS: Final = "AWSLogs/"
SERVICE: Final = "vpcflowlogs"
# Hive-compatible prefixes name each level: key=value.
HIVE_ACCOUNT: Final = "aws-account-id="
HIVE_SERVICE: Final = "aws-service="
HIVE_SERVICE_TRANSIT_GATEWAY: Final = "service="  # the transit gateway guide's spelling
HIVE_REGION: Final = "aws-region="
DATE_KEYS: Final = ("year", "month", "day")
HOUR_KEY: Final = "hour"


def logs_prefix(subfolder: str = "") -> str:
    """`[<subfolder>/]AWSLogs/`: everything delivery writes lies under it."""
    return f"{subfolder}/{LOGS}" if subfolder else LOGS


def account_prefix(account: str, *, hive: bool) -> str:
    """`[aws-account-id=]<account>/`, under `logs_prefix`: one source account's objects."""
    return f"{HIVE_ACCOUNT if hive else ''}{account}/"


def region_prefix(region: str, *, hive: bool, transit_gateway: bool = False) -> str:
    """`[aws-service=]vpcflowlogs/[aws-region=]<region>/`, under `account_prefix`
    (`service=` for a transit gateway's Hive-compatible prefixes)."""
    if hive:
        service = HIVE_SERVICE_TRANSIT_GATEWAY if transit_gateway else HIVE_SERVICE
        return f"{service}{SERVICE}/{HIVE_REGION}{region}/"
    return f"{SERVICE}/{region}/"


def date_prefix(year: str, month: str, day: str, hour: str | None = None, *, hive: bool) -> str:
    """`[year=]<yyyy>/[month=]<MM>/[day=]<dd>/[[hour=]<HH>/]`, under `region_prefix`; the parts
    as text (digits, or a placeholder for a template)."""
    values = [year, month, day, *([hour] if hour is not None else [])]
    keys = (*DATE_KEYS, HOUR_KEY)[: len(values)]
    return "".join(f"{key}={value}/" if hive else f"{value}/" for key, value in zip(keys, values, strict=True))


def object_prefix(account: str, region: str, flow_log_id: str) -> str:
    """`<account>_vpcflowlogs_<region>_<flow log ID>_`: how every object of one flow log is named."""
    return f"{account}_{SERVICE}_{region}_{flow_log_id}_"


def delivery_prefix(
    account: str,
    region: str,
    moment: dt.datetime,
    *,
    subfolder: str = "",
    hive: bool = False,
    per_hour: bool = False,
    transit_gateway: bool = False,
) -> str:
    """The key prefix of the objects delivered for `account` and `region` in the day (or, with
    `per_hour`, the hour) of `moment` (UTC)."""
    moment = moment.astimezone(dt.timezone.utc) if moment.tzinfo else moment
    hour = f"{moment.hour:02d}" if per_hour else None
    return (
        logs_prefix(subfolder)
        + account_prefix(account, hive=hive)
        + region_prefix(region, hive=hive, transit_gateway=transit_gateway)
        + date_prefix(f"{moment.year:04d}", f"{moment.month:02d}", f"{moment.day:02d}", hour, hive=hive)
    )


def partition_starts(since: dt.datetime, until: dt.datetime, *, per_hour: bool) -> list[dt.datetime]:
    """The start (UTC) of every day, or with `per_hour` every hour, that overlaps `[since, until)`:
    the partitions whose prefixes hold that window's objects, as partition projection prunes them."""
    since, until = (moment.astimezone(dt.timezone.utc) for moment in (since, until))
    step = dt.timedelta(hours=1) if per_hour else dt.timedelta(days=1)
    start = since.replace(minute=0, second=0, microsecond=0)
    if not per_hour:
        start = start.replace(hour=0)
    starts = []
    while start < until:
        starts.append(start)
        start += step
    return starts


@dataclass(frozen=True)
class RecordShape:
    """What delivery writes under one prefix, and how: the fields of each record in order, the
    file format, the prefixes and the target kind. One table reads one shape: a second shape under
    the same prefix would be misread (shifted text columns, a failing Parquet read, or a prefix
    never read)."""

    fields: tuple[str, ...]
    parquet: bool
    hive: bool
    per_hour: bool
    subfolder: str
    transit_gateway: bool  # a transit gateway's records: other fields, and its own Hive prefix

    def prefix(self, account: str, region: str, moment: dt.datetime) -> str:
        """The key prefix of this shape's objects for one account, region and partition."""
        return delivery_prefix(account, region, moment, subfolder=self.subfolder, hive=self.hive,
                               per_hour=self.per_hour, transit_gateway=self.transit_gateway)  # fmt: skip
