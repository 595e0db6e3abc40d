"""A status for each VPC, from its flow logs and their proofs of delivery, and the exit code.

Precedence, first match wins:

1. The VPC's own flow logs that are not failing capture the required traffic (with `any`, one
   such flow log; ACCEPT or REJECT: one of that type or ALL; ALL: ALL, or ACCEPT and REJECT
   together). A failing subnet or interface flow log beside them does not change that. Then:
   - `covered`: one of them delivered within `--stale-after`, or the VPC is idle (no network
     interface: nothing to record, so nothing to deliver);
   - `unverifiable`: otherwise, the destination of one of them could not show its delivery
     (Firehose, a bucket the role may not list, ...): it may be delivering;
   - `silent`: otherwise: they exist, and none has delivered within the window.
2. `failing`: otherwise, any flow log of the VPC, its subnets or its interfaces reports
   DeliverLogsStatus FAILED (it needs repair: a new flow log would not fix its delivery), unless
   for "Rate limited" (CloudWatch Logs throttling, transient: the proof decides).
3. `partial`: otherwise, some flow log exists: subnet or interface flow logs only, or VPC flow
   logs short of the required traffic type.
4. `missing`: no flow log at all.

`silent` and `unverifiable` count as covered for the exit code unless `--require-delivery`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from .delivery import DELIVERING, RATE_LIMITED, UNVERIFIABLE
from .records import FlowLog, Unreadable, Vpc

STATUSES: Final = ("covered", "silent", "unverifiable", "partial", "failing", "missing")
# Covered by their flow logs' configuration, without proof of delivery.
UNPROVEN: Final = frozenset({"silent", "unverifiable"})
ERROR: Final = "error"  # the status of an account or region that could not be read
REQUIREMENTS: Final = ("any", "ACCEPT", "REJECT", "ALL")
_CAPTURES: Final = {"ACCEPT": frozenset({"ACCEPT"}), "REJECT": frozenset({"REJECT"}),
                    "ALL": frozenset({"ACCEPT", "REJECT"})}  # fmt: skip
_KIND: Final = {"VPC": "VPC", "Subnet": "subnet", "NetworkInterface": "interface"}

EXIT_COVERED = 0
EXIT_NOT_COVERED = 1  # a VPC missing, partial or failing (or silent, with --require-delivery)
EXIT_UNREADABLE = 3  # an account or region not read (or a VPC unverifiable, with --require-delivery)


@dataclass(frozen=True)
class Finding:
    vpc: Vpc
    status: str
    reason: str


def captured(logs: Iterable[FlowLog]) -> frozenset[str]:
    """The traffic the flow logs capture between them (ACCEPT, REJECT)."""
    return frozenset().union(*(_CAPTURES.get(log.traffic_type or "", frozenset()) for log in logs))


def satisfies(logs: Sequence[FlowLog], require: str) -> bool:
    if require == "any":
        return bool(logs)
    return _CAPTURES[require] <= captured(logs)


def judge(vpc: Vpc, require: str = "any") -> Finding:
    """The VPC's status and why; where it is not covered, what the enrolment's status says of it."""
    finding = _judge(vpc, require)
    if finding.status != "covered" and vpc.enrolment is not None:
        return Finding(vpc, finding.status, f"{finding.reason}; enrolment: {vpc.enrolment}")
    return finding


def _judge(vpc: Vpc, require: str) -> Finding:
    if require not in REQUIREMENTS:
        raise ValueError(f"require must be one of {', '.join(REQUIREMENTS)}, got {require!r}")
    healthy = [log for log in vpc.logs("VPC") if not log.failing]
    failing = [log for log in vpc.flow_logs if log.failing]
    if satisfies(healthy, require):
        status, reason = _delivered(vpc, healthy)
        if failing:
            reason += f"; {_count(len(failing), 'other flow log')} failing"
        return Finding(vpc, status, reason)
    if failing:
        first = failing[0]
        more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
        message = first.deliver_logs_error_message or "no error message"
        reason = f"{_KIND[first.resource_type]} flow log {first.flow_log_id} failing: {message}{more}"
        return Finding(vpc, "failing", reason)
    if healthy:
        have = "+".join(sorted(captured(healthy))) or "nothing"
        return Finding(vpc, "partial", f"VPC flow logs capture {have}; {require} required")
    parts = []
    if subnet_logs := vpc.logs("Subnet"):
        subnets = len({log.resource_id for log in subnet_logs})
        of = f" of {vpc.subnets}" if vpc.subnets is not None else ""
        parts.append(f"{subnets}{of} {'subnet' if subnets == 1 and not of else 'subnets'}")
    if interface_logs := vpc.logs("NetworkInterface"):
        parts.append(_count(len({log.resource_id for log in interface_logs}), "interface"))
    if parts:
        return Finding(vpc, "partial", "no VPC flow log; flow logs only on " + " and ".join(parts))
    return Finding(vpc, "missing", "no flow log on the VPC, its subnets or its interfaces")


def _delivered(vpc: Vpc, logs: Sequence[FlowLog]) -> tuple[str, str]:
    """covered, silent or unverifiable, from the proofs of the flow logs that cover the VPC."""
    described = _describe_vpc_logs(logs)
    proven = [log for log in logs if log.delivery == DELIVERING]
    if proven:
        newest = max(proven, key=lambda log: log.last_delivery or "")
        return "covered", f"{described}; delivered {newest.last_delivery}{_throttled(logs)}"
    if vpc.interfaces == 0:
        return "covered", f"{described}; idle: no network interface, so no record to deliver"
    unknown = [log for log in logs if log.delivery in (UNVERIFIABLE, None)]
    status = "unverifiable" if unknown else "silent"
    why = "; ".join(f"{log.flow_log_id}: {log.delivery_reason or 'delivery not looked for'}"
                    for log in (unknown or logs))  # fmt: skip
    return status, f"{described}; {why}{_throttled(logs)}"


def _throttled(logs: Sequence[FlowLog]) -> str:
    """AWS's documented message for a transient failure, as it is."""
    limited = [log.flow_log_id for log in logs if log.deliver_logs_status == "FAILED"]
    return f"; DeliverLogsErrorMessage of {', '.join(limited)}: {RATE_LIMITED}" if limited else ""


def _describe_vpc_logs(logs: Sequence[FlowLog]) -> str:
    if len(logs) == 1:
        (log,) = logs
        return f"VPC flow log {log.flow_log_id} ({log.traffic_type} to {log.log_destination_type})"
    traffic = ", ".join(sorted({log.traffic_type or "?" for log in logs}))
    return f"{len(logs)} VPC flow logs ({traffic})"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def tally(findings: Iterable[Finding]) -> dict[str, int]:
    """Status -> number of VPCs, every status present."""
    counts = Counter(finding.status for finding in findings)
    return {status: counts.get(status, 0) for status in STATUSES}


def exit_code(findings: Iterable[Finding], unreadable: Sequence[Unreadable], *, require_delivery: bool = False) -> int:
    """1 if any VPC is not covered (with `require_delivery`, silent); else 3 if an account or
    region could not be read (with `require_delivery`, a VPC's delivery either); else 0."""
    statuses = {finding.status for finding in findings}
    if statuses - {"covered", *UNPROVEN} or (require_delivery and "silent" in statuses):
        return EXIT_NOT_COVERED
    if unreadable or (require_delivery and "unverifiable" in statuses):
        return EXIT_UNREADABLE
    return EXIT_COVERED


__all__ = [
    "ERROR",
    "REQUIREMENTS",
    "STATUSES",
    "UNPROVEN",
    "Finding",
    "captured",
    "exit_code",
    "judge",
    "satisfies",
    "tally",
]
