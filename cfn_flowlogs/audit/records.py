"""Plain records of what an account and region hold: its VPCs and the flow logs on each VPC, its
subnets and its network interfaces, made from the EC2 API's own items (DescribeVpcs,
DescribeFlowLogs, DescribeSubnets, DescribeNetworkInterfaces), and each flow log's proof of
delivery (audit/delivery.py)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Final

from ..config.marks import ENROLMENT_MARK, STACK_MARK, TELEMETRY_MARK
from .delivery import RATE_LIMITED, Proof, iso

# Who made a flow log, by its tags (config/marks.py): a stack of cfn-flowlogs, the enrolment, a
# CloudWatch telemetry rule, or something else (a person, another tool; a CloudFormation stack that
# does not mark its flow logs is named).
STACK: Final = "stack"
ENROLMENT: Final = "enrolment"
TELEMETRY_RULE: Final = "telemetry rule"
OTHER: Final = "other"
MAKERS: Final = (STACK, ENROLMENT, TELEMETRY_RULE, OTHER)

# Where a flow log sits, by its ResourceId's prefix. Transit gateway, attachment and NAT gateway
# flow logs belong to no VPC and are left out.
RESOURCE_TYPES: Final = {"vpc-": "VPC", "subnet-": "Subnet", "eni-": "NetworkInterface"}
_ORDER: Final = {kind: index for index, kind in enumerate(RESOURCE_TYPES.values())}


@dataclass(frozen=True)
class FlowLog:
    """One flow log as DescribeFlowLogs shows it."""

    flow_log_id: str
    resource_type: str  # VPC, Subnet or NetworkInterface
    resource_id: str
    traffic_type: str | None
    log_destination_type: str | None
    log_destination: str | None  # the bucket, stream or log group ARN (the log group's name if only that)
    log_format: str | None
    max_aggregation_interval: int | None
    deliver_logs_status: str | None  # SUCCESS | FAILED (AWS's FlowLog.DeliverLogsStatus)
    deliver_logs_error_message: str | None
    # DestinationOptions (S3): where in the bucket its objects lie
    file_format: str | None = None
    hive_compatible_partitions: bool | None = None
    per_hour_partition: bool | None = None
    # The proof of delivery, from the destination itself (None: not looked for)
    last_delivery: str | None = None  # when its newest data arrived, ISO 8601 UTC
    delivery: str | None = None  # delivering, stale, none or unverifiable (audit/delivery.py)
    delivery_reason: str | None = None
    # Who made it (MAKERS), and which stack or rule where its tags say
    made_by: str = OTHER
    made_by_detail: str | None = None

    @classmethod
    def from_api(cls, item: Mapping[str, Any], resource_type: str) -> FlowLog:
        options = item.get("DestinationOptions") or {}
        made_by, made_by_detail = maker(item.get("Tags") or ())
        return cls(
            flow_log_id=str(item.get("FlowLogId", "")),
            resource_type=resource_type,
            resource_id=str(item.get("ResourceId", "")),
            traffic_type=item.get("TrafficType"),
            log_destination_type=item.get("LogDestinationType"),
            log_destination=item.get("LogDestination") or item.get("LogGroupName"),
            log_format=item.get("LogFormat"),
            max_aggregation_interval=item.get("MaxAggregationInterval"),
            deliver_logs_status=item.get("DeliverLogsStatus"),
            deliver_logs_error_message=item.get("DeliverLogsErrorMessage"),
            file_format=options.get("FileFormat"),
            hive_compatible_partitions=options.get("HiveCompatiblePartitions"),
            per_hour_partition=options.get("PerHourPartition"),
            made_by=made_by,
            made_by_detail=made_by_detail,
        )

    @property
    def failing(self) -> bool:
        """FAILED for a lasting reason. "Rate limited" is CloudWatch Logs throttling: transient,
        so the proof of delivery decides for it."""
        return self.deliver_logs_status == "FAILED" and self.deliver_logs_error_message != RATE_LIMITED

    def proven(self, proof: Proof) -> FlowLog:
        """This flow log with its proof of delivery."""
        last = iso(proof.last_delivery) if proof.last_delivery else None
        return dataclasses.replace(self, last_delivery=last, delivery=proof.verdict, delivery_reason=proof.reason)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def maker(tags: Iterable[Mapping[str, Any]]) -> tuple[str, str | None]:
    """Who made a flow log, from its tags: (one of MAKERS, the stack or None)."""
    found = {str(tag.get("Key")): str(tag.get("Value")) for tag in tags}
    if found.get(TELEMETRY_MARK, "").lower() == "true":
        return TELEMETRY_RULE, None
    if ENROLMENT_MARK in found:
        return ENROLMENT, found[ENROLMENT_MARK]
    if STACK_MARK in found:
        return STACK, found[STACK_MARK]
    stack = found.get("aws:cloudformation:stack-name")
    return OTHER, f"CloudFormation stack {stack}" if stack else None


@dataclass(frozen=True)
class Vpc:
    """A VPC of an account and region, with every flow log on it, its subnets and its interfaces."""

    account_id: str
    region: str
    vpc_id: str
    name: str | None  # its Name tag
    is_default: bool
    cidr_block: str | None
    subnets: int | None  # how many subnets it has; None when not read (no subnet has a flow log)
    flow_logs: tuple[FlowLog, ...]
    interfaces: int | None = None  # how many network interfaces it has; None when not read (no flow log)
    enrolment: str | None = None  # what the enrolment's status says of it; None: no enrolment here

    def logs(self, resource_type: str) -> tuple[FlowLog, ...]:
        return tuple(log for log in self.flow_logs if log.resource_type == resource_type)


@dataclass(frozen=True)
class Unreadable:
    """An account (region None: every region) or an account and region the audit could not read."""

    account_id: str
    region: str | None
    message: str


def vpcs_from_api(
    account_id: str,
    region: str,
    vpcs: Iterable[Mapping[str, Any]],
    flow_logs: Iterable[Mapping[str, Any]],
    subnets: Sequence[Mapping[str, Any]] | None = None,
    interfaces: Sequence[Mapping[str, Any]] | None = None,
) -> list[Vpc]:
    """The account's own VPCs in `region` with their flow logs, sorted by VPC ID.

    A VPC another account shares with this one (OwnerId differs) is left to its owner's audit.
    Subnet and interface flow logs are placed by the subnets' and interfaces' VpcId. `interfaces`
    is every network interface of the region (None: not read), which each VPC's count is of.
    """
    owned = [vpc for vpc in vpcs if vpc.get("OwnerId", account_id) == account_id]
    subnet_vpc = {s["SubnetId"]: s.get("VpcId") for s in subnets or ()}
    interface_vpc = {i["NetworkInterfaceId"]: i.get("VpcId") for i in interfaces or ()}
    placed: dict[str, list[FlowLog]] = {str(vpc["VpcId"]): [] for vpc in owned}
    for item in flow_logs:
        resource = str(item.get("ResourceId", ""))
        kind = next((kind for prefix, kind in RESOURCE_TYPES.items() if resource.startswith(prefix)), None)
        if kind == "VPC":
            vpc_id: str | None = resource
        elif kind == "Subnet":
            vpc_id = subnet_vpc.get(resource)
        elif kind == "NetworkInterface":
            vpc_id = interface_vpc.get(resource)
        else:
            continue
        if kind is not None and vpc_id in placed:
            placed[vpc_id].append(FlowLog.from_api(item, kind))
    counts = Counter(str(s.get("VpcId")) for s in subnets) if subnets is not None else None
    in_vpc = Counter(str(i.get("VpcId")) for i in interfaces) if interfaces is not None else None
    records = []
    for vpc in owned:
        vpc_id = str(vpc["VpcId"])
        logs = sorted(placed[vpc_id], key=lambda log: (_ORDER[log.resource_type], log.resource_id, log.flow_log_id))
        name = next((str(t.get("Value")) for t in vpc.get("Tags") or () if t.get("Key") == "Name"), None)
        records.append(
            Vpc(
                account_id=account_id,
                region=region,
                vpc_id=vpc_id,
                name=name,
                is_default=bool(vpc.get("IsDefault", False)),
                cidr_block=vpc.get("CidrBlock"),
                subnets=counts.get(vpc_id, 0) if counts is not None else None,
                flow_logs=tuple(logs),
                interfaces=in_vpc.get(vpc_id, 0) if in_vpc is not None else None,
            )
        )
    return sorted(records, key=lambda record: record.vpc_id)


def interfaces_of(log: FlowLog, interfaces: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """The network interfaces a flow log records: its VPC's, its subnet's, or its own."""
    if log.resource_type == "NetworkInterface":
        return frozenset({log.resource_id})
    key = "VpcId" if log.resource_type == "VPC" else "SubnetId"
    return frozenset(str(i["NetworkInterfaceId"]) for i in interfaces if i.get(key) == log.resource_id)


__all__ = ["RESOURCE_TYPES", "FlowLog", "Unreadable", "Vpc", "interfaces_of", "vpcs_from_api"]
