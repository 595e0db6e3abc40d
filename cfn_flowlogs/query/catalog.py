"""The questions the query layer answers, as data: for each, the fields it needs, its Athena
(Trino) SQL and its CloudWatch Logs Insights text. A format gets the questions whose fields it
records; the builders in `compiler/resources/queries.py` turn them into named queries and query
definitions, and the table's columns come from the same catalog (`fields.py`).

Every Athena query filters on the partition columns of today (UTC), so it reads one day of
objects: partition projection turns `year`, `month` and `day` into that day's prefixes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ..config.fields import DEFAULT_FIELDS, FIELDS
from ..config.layout import DATE_KEYS, HOUR_KEY

# Partition keys, in location order. No flow-log field turns into one of these column names, so
# no column is dropped: in plain text a column is read by position, and dropping one (as AWS's
# own DDL drops `region`) would shift every column after it.
ACCOUNT_KEY: Final = "aws_account_id"
REGION_KEY: Final = "aws_region"
PROJECTION_START_YEAR: Final = 2024  # flow logs delivered before this year are outside the table
# An integer range cannot end at NOW: one far enough that no log outlives it. Only a query with no
# year filter pays for the empty years (every named query filters on one day).
PROJECTION_END_YEAR: Final = 2099
RESULTS_PREFIX: Final = "athena-results/"  # query results: in the flow-log bucket, outside AWSLogs/
ADMIN_PORTS: Final = (22, 23, 3389, 5900, 5985, 5986)  # SSH, Telnet, RDP, VNC, WinRM
RFC1918: Final = r"^(10\.|172\.(1[6-9]|2[0-9]|3[01])\.|192\.168\.)"

# The day filter of every named query: today's partition (UTC). `cfn-flowlogs query` replaces it
# by its window.
TODAY_FILTER: Final = (
    "\"year\" = date_format(current_date, '%Y') AND \"month\" = date_format(current_date, '%m') "
    "AND \"day\" = date_format(current_date, '%d')"
)
_ADMIN_PORTS: Final = ", ".join(str(port) for port in ADMIN_PORTS)


def partition_keys(per_hour: bool) -> tuple[str, ...]:
    return (ACCOUNT_KEY, REGION_KEY, *DATE_KEYS, *((HOUR_KEY,) if per_hour else ()))


def column(name: str) -> str:
    """The Glue and Athena column of a field: `-` becomes `_` (`end` stays plain: Glue takes the
    bare name; only DDL would quote it)."""
    return FIELDS[name].name.replace("-", "_")


# Logs Insights names the default format's fields itself (srcAddr, startTime ...); a custom
# format's `parse` uses the same names, and the same rule for the other fields.
_INSIGHTS_WHOLE: Final = {"start": "startTime", "end": "endTime"}
_INSIGHTS_PART: Final = {"srcaddr": "srcAddr", "dstaddr": "dstAddr", "srcport": "srcPort", "dstport": "dstPort"}


def insights_field(name: str) -> str:
    """`dst-addr` style field -> the Logs Insights name: `srcaddr` -> `srcAddr`, `vpc-id` -> `vpcId`."""
    if name in _INSIGHTS_WHOLE:
        return _INSIGHTS_WHOLE[name]
    first, *rest = (_INSIGHTS_PART.get(part, part) for part in name.split("-"))
    return first + "".join(part[0].upper() + part[1:] for part in rest)


@dataclass(frozen=True)
class Answer:
    """One way to answer a question, for formats that record all of `fields`.

    `athena` is the SQL with `{table}` and `{today}` to fill in; `insights` is the Logs Insights
    text after any `parse`, in Logs Insights field names."""

    fields: tuple[str, ...]
    athena: str
    insights: str


@dataclass(frozen=True)
class Question:
    key: str  # ends the logical IDs: FlowLogsQuery<key>, FlowLogsInsights<key>
    title: str
    description: str
    answers: tuple[Answer, ...]  # the first whose fields the format has

    def answer_for(self, fields: tuple[str, ...]) -> Answer | None:
        return next((a for a in self.answers if set(a.fields) <= set(fields)), None)


def _sql(*lines: str) -> str:
    return "\n".join(lines)


QUESTIONS: Final[tuple[Question, ...]] = (
    Question(
        "TopTalkers",
        "Top talkers by bytes",
        "The source and destination pairs that moved the most bytes today (UTC).",
        (
            Answer(
                ("srcaddr", "dstaddr", "bytes", "packets"),
                _sql(
                    "SELECT srcaddr, dstaddr, sum(bytes) AS total_bytes, sum(packets) AS total_packets, "
                    "count(*) AS records",
                    'FROM "{table}"',
                    "WHERE {today} AND bytes IS NOT NULL",
                    "GROUP BY srcaddr, dstaddr",
                    "ORDER BY total_bytes DESC, srcaddr, dstaddr",
                    "LIMIT 20",
                ),
                "stats sum(bytes) as totalBytes, sum(packets) as totalPackets, count(*) as records "
                "by srcAddr, dstAddr\n"
                "| sort totalBytes desc\n"
                "| limit 20",
            ),
        ),
    ),
    Question(
        "RejectedBySourceAndPort",
        "Rejected traffic by source and port",
        "Who was refused, on which destination port, today (UTC): security groups and network ACLs at work.",
        (
            Answer(
                ("srcaddr", "dstport", "action", "packets"),
                _sql(
                    "SELECT srcaddr, dstport, count(*) AS flows, sum(packets) AS total_packets",
                    'FROM "{table}"',
                    "WHERE {today} AND action = 'REJECT'",
                    "GROUP BY srcaddr, dstport",
                    "ORDER BY flows DESC, total_packets DESC, srcaddr, dstport",
                    "LIMIT 50",
                ),
                'filter action = "REJECT"\n'
                "| stats count(*) as flows, sum(packets) as totalPackets by srcAddr, dstPort\n"
                "| sort flows desc\n"
                "| limit 50",
            ),
        ),
    ),
    Question(
        "AdminPorts",
        "SSH, RDP and other admin ports reached",
        f"Flows to administration ports ({_ADMIN_PORTS}) that got through today (UTC).",
        (
            Answer(
                ("srcaddr", "dstaddr", "dstport", "action", "packets"),
                _sql(
                    "SELECT srcaddr, dstaddr, dstport, count(*) AS flows, sum(packets) AS total_packets",
                    'FROM "{table}"',
                    f"WHERE {{today}} AND action = 'ACCEPT' AND dstport IN ({_ADMIN_PORTS})",
                    "GROUP BY srcaddr, dstaddr, dstport",
                    "ORDER BY flows DESC, srcaddr, dstaddr, dstport",
                    "LIMIT 100",
                ),
                f'filter action = "ACCEPT" and dstPort in [{_ADMIN_PORTS}]\n'
                "| stats count(*) as flows, sum(packets) as totalPackets by srcAddr, dstAddr, dstPort\n"
                "| sort flows desc\n"
                "| limit 100",
            ),
            Answer(  # transit gateways forward or drop (packets-lost-*): no action field
                ("srcaddr", "dstaddr", "dstport", "packets"),
                _sql(
                    "SELECT srcaddr, dstaddr, dstport, count(*) AS flows, sum(packets) AS total_packets",
                    'FROM "{table}"',
                    f"WHERE {{today}} AND dstport IN ({_ADMIN_PORTS})",
                    "GROUP BY srcaddr, dstaddr, dstport",
                    "ORDER BY flows DESC, srcaddr, dstaddr, dstport",
                    "LIMIT 100",
                ),
                f"filter dstPort in [{_ADMIN_PORTS}]\n"
                "| stats count(*) as flows, sum(packets) as totalPackets by srcAddr, dstAddr, dstPort\n"
                "| sort flows desc\n"
                "| limit 100",
            ),
        ),
    ),
    Question(
        "TrafficByInterface",
        "Traffic by network interface",
        "Bytes and packets per network interface (per attachment for a transit gateway) today (UTC).",
        (
            Answer(
                ("interface-id", "bytes", "packets"),
                _sql(
                    "SELECT interface_id, sum(bytes) AS total_bytes, sum(packets) AS total_packets, "
                    "count(*) AS records",
                    'FROM "{table}"',
                    "WHERE {today} AND bytes IS NOT NULL",
                    "GROUP BY interface_id",
                    "ORDER BY total_bytes DESC, interface_id",
                    "LIMIT 50",
                ),
                "stats sum(bytes) as totalBytes, sum(packets) as totalPackets, count(*) as records by interfaceId\n"
                "| sort totalBytes desc\n"
                "| limit 50",
            ),
            Answer(
                ("tgw-attachment-id", "bytes", "packets"),
                _sql(
                    "SELECT tgw_attachment_id, sum(bytes) AS total_bytes, sum(packets) AS total_packets, "
                    "count(*) AS records",
                    'FROM "{table}"',
                    "WHERE {today} AND bytes IS NOT NULL",
                    "GROUP BY tgw_attachment_id",
                    "ORDER BY total_bytes DESC, tgw_attachment_id",
                    "LIMIT 50",
                ),
                "stats sum(bytes) as totalBytes, sum(packets) as totalPackets, count(*) as records "
                "by tgwAttachmentId\n"
                "| sort totalBytes desc\n"
                "| limit 50",
            ),
        ),
    ),
    Question(
        "TrafficBySubnet",
        "Traffic by subnet",
        "Bytes and packets per subnet today (UTC).",
        (
            Answer(
                ("subnet-id", "bytes", "packets"),
                _sql(
                    "SELECT subnet_id, sum(bytes) AS total_bytes, sum(packets) AS total_packets, count(*) AS records",
                    'FROM "{table}"',
                    "WHERE {today} AND bytes IS NOT NULL",
                    "GROUP BY subnet_id",
                    "ORDER BY total_bytes DESC, subnet_id",
                    "LIMIT 50",
                ),
                "stats sum(bytes) as totalBytes, sum(packets) as totalPackets, count(*) as records by subnetId\n"
                "| sort totalBytes desc\n"
                "| limit 50",
            ),
        ),
    ),
    Question(
        "InternetTraffic",
        "Traffic to and from the internet",
        "Flows with one end outside RFC 1918 private space (10/8, 172.16/12, 192.168/16) today (UTC); "
        "IPv6 addresses count as outside.",
        (
            Answer(
                ("srcaddr", "dstaddr", "bytes", "packets"),
                _sql(
                    f"SELECT CASE WHEN regexp_like(srcaddr, '{RFC1918}') THEN 'outbound' ELSE 'inbound' END "
                    "AS direction,",
                    "       srcaddr, dstaddr, sum(bytes) AS total_bytes, sum(packets) AS total_packets",
                    'FROM "{table}"',
                    "WHERE {today} AND bytes IS NOT NULL",
                    f"  AND NOT (regexp_like(srcaddr, '{RFC1918}') AND regexp_like(dstaddr, '{RFC1918}'))",
                    "GROUP BY 1, 2, 3",
                    "ORDER BY total_bytes DESC, direction, srcaddr, dstaddr",
                    "LIMIT 50",
                ),
                f"filter srcAddr not like /{RFC1918}/ or dstAddr not like /{RFC1918}/\n"
                "| stats sum(bytes) as totalBytes, sum(packets) as totalPackets by srcAddr, dstAddr\n"
                "| sort totalBytes desc\n"
                "| limit 50",
            ),
        ),
    ),
    Question(
        "DailyVolume",
        "Today's volume by hour",
        "Records, packets and bytes per hour (UTC, by record start) of today.",
        (
            Answer(
                ("start", "packets", "bytes"),
                _sql(
                    "SELECT date_format(from_unixtime(\"start\"), '%Y-%m-%d %H:00') AS hour_utc, count(*) AS records,",
                    "       sum(packets) AS total_packets, sum(bytes) AS total_bytes",
                    'FROM "{table}"',
                    "WHERE {today}",
                    "GROUP BY 1",
                    "ORDER BY 1",
                ),
                "stats count(*) as records, sum(packets) as totalPackets, sum(bytes) as totalBytes by bin(1h)",
            ),
        ),
    ),
    Question(
        "PacketsLost",
        "Packets lost by attachment",
        "Packets a transit gateway dropped today (UTC), by attachment and reason.",
        (
            Answer(
                (
                    "tgw-attachment-id",
                    "packets-lost-no-route",
                    "packets-lost-blackhole",
                    "packets-lost-mtu-exceeded",
                    "packets-lost-ttl-expired",
                ),
                _sql(
                    "SELECT tgw_attachment_id, sum(packets_lost_no_route) AS no_route, "
                    "sum(packets_lost_blackhole) AS blackhole,",
                    "       sum(packets_lost_mtu_exceeded) AS mtu_exceeded, "
                    "sum(packets_lost_ttl_expired) AS ttl_expired",
                    'FROM "{table}"',
                    "WHERE {today}",
                    "GROUP BY tgw_attachment_id",
                    "ORDER BY sum(coalesce(packets_lost_no_route, 0) + coalesce(packets_lost_blackhole, 0) "
                    "+ coalesce(packets_lost_mtu_exceeded, 0) + coalesce(packets_lost_ttl_expired, 0)) DESC, "
                    "tgw_attachment_id",
                    "LIMIT 50",
                ),
                "stats sum(packetsLostNoRoute) as noRoute, sum(packetsLostBlackhole) as blackhole, "
                "sum(packetsLostMtuExceeded) as mtuExceeded, sum(packetsLostTtlExpired) as ttlExpired "
                "by tgwAttachmentId\n"
                "| limit 50",
            ),
        ),
    ),
)


def questions_for(fields: tuple[str, ...]) -> list[tuple[Question, Answer]]:
    """The questions a format can answer, each with the answer its fields allow."""
    chosen = []
    for question in QUESTIONS:
        answer = question.answer_for(fields)
        if answer is not None:
            chosen.append((question, answer))
    return chosen


def athena_sql(answer: Answer, table: str) -> str:
    """The answer's SQL over `table` (a literal name: the named query's Database gives its database)."""
    return answer.athena.format(table=table, today=TODAY_FILTER)


def insights_parse(fields: tuple[str, ...]) -> str | None:
    """`parse @message "* * ..." as a, b, ...` for a format Logs Insights does not discover; None
    for AWS's default VPC format, whose fields it names itself."""
    if tuple(fields) == DEFAULT_FIELDS["vpc"]:
        return None
    pattern = " ".join("*" for _ in fields)
    return f'parse @message "{pattern}" as ' + ", ".join(insights_field(name) for name in fields)


def insights_query(answer: Answer, fields: tuple[str, ...]) -> str:
    parse = insights_parse(fields)
    return f"{parse}\n| {answer.insights}" if parse else answer.insights
