"""Proof of delivery, pure: where a flow log's data must appear, and what was found there means.

A flow log can be ACTIVE while nothing arrives (a key policy without log delivery, a bucket policy
narrowed later, a role that lost a permission): AWS documents DeliverLogsErrorMessage values for
CloudWatch Logs only. So the audit looks at the destination itself, in the window `--stale-after`
sets, and gives each flow log a verdict:

- `delivering`: data arrived within the window (`last_delivery` is its time);
- `stale`: the newest data found is older than the window;
- `none`: no data of this flow log within the window (and none older was seen);
- `unverifiable`: the destination could not show it (Firehose, a bucket the role may not list,
  a log group whose newest streams are all other flow logs'), with the reason.

CloudWatch Logs: one log stream per network interface ("each network interface has a unique log
stream in the log group", CreateFlowLogs). AWS does not document the stream's name; in practice it
is the interface ID (`eni-...`, formerly `eni-...-all`), so a stream belongs to an interface when
its name is the ID or starts with the ID and `-`. DescribeLogStreams ordered by LastEventTime
cannot take a name prefix, so the newest streams of the group are read, page by page, up to a
bound. `lastEventTimestamp` "typically updates in less than an hour from ingestion".

S3: the objects one flow log delivers for its account and region, in the partitions (days, or
hours) that overlap the window, newest first, each listed down to the object name's own prefix
`<account>_vpcflowlogs_<region>_<flow log ID>_` (config/layout.py), so that another flow log
writing to the same bucket can never vouch for this one. The bucket is never listed whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..config import layout

DELIVERING: Final = "delivering"
STALE: Final = "stale"
NONE: Final = "none"
UNVERIFIABLE: Final = "unverifiable"
VERDICTS: Final = (DELIVERING, STALE, NONE, UNVERIFIABLE)
# DeliverLogsErrorMessage for CloudWatch Logs throttling: transient, so the proof decides.
RATE_LIMITED: Final = "Rate limited"
DEFAULT_STALE_AFTER: Final = dt.timedelta(hours=24)
MAX_STREAM_PAGES: Final = 10  # DescribeLogStreams pages (50 streams each) read per log group
MAX_OBJECT_PAGES: Final = 10  # ListObjectsV2 pages (1,000 keys each) read per partition
FIREHOSE: Final = (
    "Kinesis Data Firehose: nothing of its delivery is visible from the source account (the stream's "
    "metrics and errors are in the stream's account)"
)


@dataclass(frozen=True)
class Window:
    """The audit's moment and how old the newest data may be."""

    now: dt.datetime  # aware, UTC
    stale_after: dt.timedelta = DEFAULT_STALE_AFTER

    @property
    def cutoff(self) -> dt.datetime:
        return self.now - self.stale_after


@dataclass(frozen=True)
class Proof:
    verdict: str
    last_delivery: dt.datetime | None
    reason: str


def iso(moment: dt.datetime) -> str:
    """ISO 8601 in UTC, to the second: `2026-01-02T03:04:05Z`."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def found(last: dt.datetime, window: Window, where: str) -> Proof:
    """The newest data found at `where` arrived at `last`."""
    verdict = DELIVERING if last >= window.cutoff else STALE
    return Proof(verdict, last, f"{where}: newest data {iso(last)}")


def nothing(window: Window, where: str) -> Proof:
    return Proof(NONE, None, f"{where}: no data since {iso(window.cutoff)}")


def unverifiable(reason: str) -> Proof:
    return Proof(UNVERIFIABLE, None, reason)


# --- S3 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class S3Destination:
    bucket: str
    subfolder: str  # without slashes at its ends; "" for none


def s3_destination(log_destination: str | None) -> S3Destination | None:
    """`arn:<partition>:s3:::<bucket>[/<subfolder>/]`, as DescribeFlowLogs gives LogDestination."""
    head, separator, path = (log_destination or "").partition(":::")
    if not separator or not head.startswith("arn:") or not head.endswith(":s3"):
        return None
    bucket, _, subfolder = path.partition("/")
    return S3Destination(bucket, subfolder.strip("/")) if bucket else None


def partitions(window: Window, *, per_hour: bool) -> list[dt.datetime]:
    """The start of each day (or hour) that overlaps the window, newest first."""
    step = dt.timedelta(hours=1) if per_hour else dt.timedelta(days=1)
    now = window.now.astimezone(dt.timezone.utc)
    start = now.replace(minute=0, second=0, microsecond=0)
    if not per_hour:
        start = start.replace(hour=0)
    starts = []
    while start + step > window.cutoff:
        starts.append(start)
        start -= step
    return starts


def object_prefixes(
    account: str,
    region: str,
    flow_log_id: str,
    window: Window,
    *,
    subfolder: str = "",
    hive: bool = False,
    per_hour: bool = False,
) -> list[str]:
    """Each partition's key prefix down to the flow log's object names, newest first."""
    name = layout.object_prefix(account, region, flow_log_id)
    return [
        layout.delivery_prefix(account, region, start, subfolder=subfolder, hive=hive, per_hour=per_hour) + name
        for start in partitions(window, per_hour=per_hour)
    ]


def s3_where(bucket: str, account: str, region: str, flow_log_id: str, *, subfolder: str, hive: bool) -> str:
    """Where a flow log's objects lie, for a reason: `s3://<bucket>/<account and region prefix>...<name>`."""
    prefix = layout.logs_prefix(subfolder) + layout.account_prefix(account, hive=hive)
    prefix += layout.region_prefix(region, hive=hive)
    return f"s3://{bucket}/{prefix}.../{layout.object_prefix(account, region, flow_log_id)}*"


# --- CloudWatch Logs --------------------------------------------------------------------------


def log_group_name(log_destination: str | None) -> str | None:
    """The log group's name from LogDestination (`arn:...:log-group:<name>[:*]`) or LogGroupName."""
    if not log_destination:
        return None
    if log_destination.startswith("arn:"):
        _, separator, rest = log_destination.partition(":log-group:")
        return rest.removesuffix(":*") or None if separator else None
    return log_destination


def interface_of(stream_name: str) -> str | None:
    """The interface a flow log stream is for: `eni-...`, the name up to a second `-`."""
    if not stream_name.startswith("eni-"):
        return None
    return "-".join(stream_name.split("-", 2)[:2])


def prove_log_group(
    group: str,
    pages: Iterable[Mapping[str, Any]],
    wanted: Mapping[str, frozenset[str]],
    window: Window,
    max_pages: int = MAX_STREAM_PAGES,
) -> dict[str, Proof]:
    """A proof for each flow log of `wanted` (flow log ID -> its interfaces) delivering to `group`,
    from the group's streams newest first: `pages` are DescribeLogStreams responses, read lazily, at
    most `max_pages` of them."""
    where = f"log group {group}"
    proofs = {flow_log: Proof(NONE, None, f"{where}: no network interface, so no log stream")
              for flow_log, interfaces in wanted.items() if not interfaces}  # fmt: skip
    pending = {flow_log: interfaces for flow_log, interfaces in wanted.items() if interfaces}
    responses: Iterator[Mapping[str, Any]] = iter(pages)
    read = seen = 0
    oldest: dt.datetime | None = None
    complete = False
    while pending and not complete and read < max_pages:
        response = next(responses, None)
        if response is None:
            complete = True
            break
        read += 1
        complete = not response.get("nextToken")
        for stream in response.get("logStreams", []):
            seen += 1
            stamp = stream.get("lastEventTimestamp")
            interface = interface_of(str(stream.get("logStreamName", "")))
            if stamp is None or interface is None:
                continue
            moment = dt.datetime.fromtimestamp(stamp / 1000, dt.timezone.utc)
            oldest = moment
            for flow_log in [f for f, interfaces in pending.items() if interface in interfaces]:
                proofs[flow_log] = found(moment, window, f"{where} (stream {stream.get('logStreamName')})")
                del pending[flow_log]
    for flow_log, interfaces in pending.items():
        its = f"its {len(interfaces)} interface{'' if len(interfaces) == 1 else 's'}"
        if complete:
            proofs[flow_log] = Proof(NONE, None, f"{where}: no stream of {its}")
        elif oldest is not None and oldest < window.cutoff:
            proofs[flow_log] = Proof(NONE, None, f"{where}: no stream of {its} has an event since "
                                     f"{iso(window.cutoff)} (the newest {seen} streams read)")  # fmt: skip
        else:
            proofs[flow_log] = unverifiable(
                f"{where} holds other flow logs' streams: no stream of {its} is among the newest {seen} "
                "(DescribeLogStreams cannot filter by name when it orders by event time)"
            )
    return proofs


__all__ = [
    "DEFAULT_STALE_AFTER",
    "DELIVERING",
    "FIREHOSE",
    "NONE",
    "RATE_LIMITED",
    "STALE",
    "UNVERIFIABLE",
    "VERDICTS",
    "Proof",
    "S3Destination",
    "Window",
    "found",
    "interface_of",
    "iso",
    "log_group_name",
    "nothing",
    "object_prefixes",
    "partitions",
    "prove_log_group",
    "s3_destination",
    "s3_where",
    "unverifiable",
]
