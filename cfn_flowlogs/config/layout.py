"""Where VPC Flow Logs writes in S3: prefixes and object names, as text.

One source for every reader and writer of the layout: the bucket policy's grant and the Glue
table's location (templates wrap these pieces in `Fn::Sub`, with placeholders for what only deploy
time knows), the audit's proof of delivery and the query engine's object listing (with literal
accounts, regions and hours). AWS's layout, per "Flow log files" in the VPC user guide:

    <bucket>/[<subfolder>/]AWSLogs/[aws-account-id=]<account>/[aws-service=]vpcflowlogs/
        [aws-region=]<region>/[year=]<yyyy>/[month=]<MM>/[day=]<dd>/[[hour=]<HH>/]
        <account>_vpcflowlogs_<region>_<flow log ID>_<yyyyMMddTHHmmZ>_<hash>.log.gz
"""

from __future__ import annotations

import datetime as dt
from typing import Final

LOGS: Final = "AWSLogs/"
SERVICE: Final = "vpcflowlogs"
# Hive-compatible prefixes name each level: key=value.
HIVE_ACCOUNT: Final = "aws-account-id="
HIVE_SERVICE: Final = "aws-service="
HIVE_REGION: Final = "aws-region="
DATE_KEYS: Final = ("year", "month", "day")
HOUR_KEY: Final = "hour"


def logs_prefix(subfolder: str = "") -> str:
    """`[<subfolder>/]AWSLogs/`: everything delivery writes lies under it."""
    return f"{subfolder}/{LOGS}" if subfolder else LOGS


def account_prefix(account: str, *, hive: bool) -> str:
    """`[aws-account-id=]<account>/`, under `logs_prefix`: one source account's objects."""
    return f"{HIVE_ACCOUNT if hive else ''}{account}/"


def region_prefix(region: str, *, hive: bool) -> str:
    """`[aws-service=]vpcflowlogs/[aws-region=]<region>/`, under `account_prefix`."""
    if hive:
        return f"{HIVE_SERVICE}{SERVICE}/{HIVE_REGION}{region}/"
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
) -> str:
    """The key prefix of the objects delivered for `account` and `region` in the day (or, with
    `per_hour`, the hour) of `moment` (UTC)."""
    moment = moment.astimezone(dt.timezone.utc) if moment.tzinfo else moment
    hour = f"{moment.hour:02d}" if per_hour else None
    return (
        logs_prefix(subfolder)
        + account_prefix(account, hive=hive)
        + region_prefix(region, hive=hive)
        + date_prefix(f"{moment.year:04d}", f"{moment.month:02d}", f"{moment.day:02d}", hour, hive=hive)
    )
