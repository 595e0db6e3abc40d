"""The audit as text: a table for people, JSON for programs, CSV for spreadsheets.

Every form lists the VPCs sorted by account, region and VPC ID, and each account or region that
could not be read as a row of status `error` whose reason says why, so nothing is left out
silently. Each flow log carries its proof of delivery (`last_delivery`, `delivery`,
`delivery_reason`); a VPC's `last_delivery` is the newest of its flow logs'. Each flow log says who
made it (`made_by`: stack, enrolment, telemetry rule or other; `made_by_detail`: which stack), a
VPC who made its flow logs (`makers`), and what the enrolment's status says of it (`enrolment`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import fields
from typing import Any, Final

from .judge import ERROR, STATUSES, Finding, tally
from .records import FlowLog, Unreadable

FORMATS: Final = ("table", "json", "csv")
VPC_COLUMNS: Final = ("account_id", "region", "vpc_id", "name", "is_default", "cidr_block", "status", "reason",
                      "interfaces", "makers", "enrolment")  # fmt: skip
FLOW_LOG_COLUMNS: Final = tuple(field.name for field in fields(FlowLog))
_FORMULA: Final = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell starting so


def rows(findings: Sequence[Finding], unreadable: Sequence[Unreadable]) -> list[dict[str, Any]]:
    """One object per VPC (and per unreadable account or region), as the JSON report holds them."""
    objects = [
        {
            "account_id": f.vpc.account_id,
            "region": f.vpc.region,
            "vpc_id": f.vpc.vpc_id,
            "name": f.vpc.name,
            "is_default": f.vpc.is_default,
            "cidr_block": f.vpc.cidr_block,
            "status": f.status,
            "reason": f.reason,
            "subnets": f.vpc.subnets,
            "interfaces": f.vpc.interfaces,
            "last_delivery": max((log.last_delivery for log in f.vpc.flow_logs if log.last_delivery), default=None),
            "makers": makers(f.vpc.flow_logs),
            "enrolment": f.vpc.enrolment,
            "flow_logs": [log.as_dict() for log in f.vpc.flow_logs],
        }
        for f in findings
    ]
    objects += [
        {
            "account_id": u.account_id,
            "region": u.region,
            "vpc_id": None,
            "name": None,
            "is_default": None,
            "cidr_block": None,
            "status": ERROR,
            "reason": u.message,
            "subnets": None,
            "interfaces": None,
            "last_delivery": None,
            "makers": None,
            "enrolment": None,
            "flow_logs": [],
        }
        for u in unreadable
    ]
    return sorted(objects, key=lambda o: (o["account_id"], o["region"] or "", o["vpc_id"] or ""))


def makers(logs: Sequence[FlowLog]) -> str | None:
    """Who made a VPC's flow logs, each once, the VPC's own first: `enrolment`, `stack+other` ..."""
    return "+".join(dict.fromkeys(log.made_by for log in logs)) or None


def to_json(findings: Sequence[Finding], unreadable: Sequence[Unreadable]) -> str:
    return json.dumps(rows(findings, unreadable), indent=2) + "\n"


def to_csv(findings: Sequence[Finding], unreadable: Sequence[Unreadable]) -> str:
    """One line per VPC and flow log (a VPC without flow logs: one line, flow log columns empty).

    Free text (Name tags, reasons, error messages) that a spreadsheet would take for a formula is
    prefixed with a single quote."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((*VPC_COLUMNS, *FLOW_LOG_COLUMNS))
    for row in rows(findings, unreadable):
        head = [_cell(row[column], free=column in ("name", "reason", "enrolment")) for column in VPC_COLUMNS]
        logs: list[dict[str, Any]] = row["flow_logs"] or [{}]
        for log in logs:
            tail = [_cell(log.get(column), free=column in ("deliver_logs_error_message", "delivery_reason",
                                                           "made_by_detail"))
                    for column in FLOW_LOG_COLUMNS]  # fmt: skip
            writer.writerow((*head, *tail))
    return out.getvalue()


def _cell(value: Any, *, free: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if free and text.startswith(_FORMULA) else text


def to_table(findings: Sequence[Finding], unreadable: Sequence[Unreadable]) -> str:
    """Aligned columns, then one summary line per status (and for what could not be read).

    LOGS V/S/I counts the flow logs on the VPC, on its subnets and on its interfaces; MADE BY says
    who made them (a stack of cfn-flowlogs, the enrolment, a telemetry rule, or other); LAST DELIVERY
    is when the newest data of any of them arrived (`-`: none found)."""
    header = ("ACCOUNT", "REGION", "VPC", "NAME", "DEFAULT", "STATUS", "LOGS V/S/I", "MADE BY", "LAST DELIVERY",
              "REASON")  # fmt: skip
    lines: list[tuple[str, ...]] = [header]
    for row in rows(findings, unreadable):
        if row["status"] == ERROR:
            cells = (row["account_id"], row["region"] or "(all)", "-", "-", "-", ERROR, "-", "-", "-", row["reason"])
        else:
            logs: list[dict[str, Any]] = row["flow_logs"]
            counts = "/".join(str(sum(log["resource_type"] == kind for log in logs))
                              for kind in ("VPC", "Subnet", "NetworkInterface"))  # fmt: skip
            default = "yes" if row["is_default"] else "no"
            cells = (row["account_id"], row["region"], row["vpc_id"], row["name"] or "-", default, row["status"],
                     counts, row["makers"] or "-", row["last_delivery"] or "-", row["reason"])  # fmt: skip
        lines.append(tuple(_printable(str(cell)) for cell in cells))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    text = ["  ".join([*(cell.ljust(width) for cell, width in zip(line, widths, strict=False)), line[-1]]).rstrip()
            for line in lines]  # fmt: skip
    text.append("")
    tallied = tally(findings)
    width = max(len(status) for status in (*STATUSES, ERROR))
    for status in STATUSES:
        text.append(f"{status.ljust(width)}  {_vpcs(tallied[status])}")
    text.append(f"{ERROR.ljust(width)}  {len(unreadable)} not read (an account-region, or an account's every region)")
    return "\n".join(text) + "\n"


def _vpcs(number: int) -> str:
    return f"{number} VPC" if number == 1 else f"{number} VPCs"


def _printable(text: str) -> str:
    """No control characters (a Name tag is anyone's text) reach the terminal."""
    return "".join(char if char.isprintable() else "?" for char in text)


def render(fmt: str, findings: Sequence[Finding], unreadable: Sequence[Unreadable]) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return {"table": to_table, "json": to_json, "csv": to_csv}[fmt](findings, unreadable)


__all__ = ["FORMATS", "render", "rows", "to_csv", "to_json", "to_table"]
