"""The flow-log record fields AWS knows: one catalog, with the record version that introduced
each field, the target kinds it applies to, the Parquet type delivery writes it as, and its
Athena column type (one Athena reads from that Parquet type)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from ..errors import show

Family = Literal["vpc", "transit-gateway"]

# The resource types of each family: their records have different field sets.
RESOURCE_TYPES: Final[dict[str, Family]] = {
    "VPC": "vpc",
    "Subnet": "vpc",
    "NetworkInterface": "vpc",
    "RegionalNatGateway": "vpc",
    "TransitGateway": "transit-gateway",
    "TransitGatewayAttachment": "transit-gateway",
}

# VPC, subnet and network interface records: field -> record version. The v2 fields, in this
# order, are AWS's default format.
_VPC_BY_VERSION: Final = {
    2: "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
    "start end action log-status",
    3: "vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr",
    4: "region az-id sublocation-type sublocation-id",
    5: "pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path",
    7: "ecs-cluster-arn ecs-cluster-name ecs-container-instance-arn ecs-container-instance-id "
    "ecs-container-id ecs-second-container-id ecs-service-name ecs-task-definition-arn "
    "ecs-task-arn ecs-task-id",
    8: "reject-reason",
    9: "resource-id",
    10: "encryption-status",
    11: "instance-tag instance-tag-2 interface-tag interface-tag-2 asg-tag asg-tag-2 "
    "interface-type next-hop-interface-id next-hop-subnet-id next-hop-az-id next-hop-vpc-id "
    "next-hop-interface-type",
}
# Transit gateway records (version 6): every field, in this order, is AWS's default format.
_TRANSIT_GATEWAY: Final = [
    "version",
    "resource-type",
    "account-id",
    "tgw-id",
    "tgw-attachment-id",
    "tgw-src-vpc-account-id",
    "tgw-dst-vpc-account-id",
    "tgw-src-vpc-id",
    "tgw-dst-vpc-id",
    "tgw-src-subnet-id",
    "tgw-dst-subnet-id",
    "tgw-src-eni",
    "tgw-dst-eni",
    "tgw-src-az-id",
    "tgw-dst-az-id",
    "tgw-pair-attachment-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "log-status",
    "type",
    "packets-lost-no-route",
    "packets-lost-blackhole",
    "packets-lost-mtu-exceeded",
    "packets-lost-ttl-expired",
    "tcp-flags",
    "region",
    "flow-direction",
    "pkt-src-aws-service",
    "pkt-dst-aws-service",
]
# The Parquet data type of each field ("Flow log records" in the VPC guide, "Transit Gateway Flow
# Log records" in the transit gateway guide; both guides agree on the fields they share). Every
# other field is STRING: AWS writes so for every other field up to version 10.
_INT_32: Final = {"version", "srcport", "dstport", "protocol", "tcp-flags", "traffic-path", "encryption-status"}
_INT_64: Final = {"packets", "bytes", "start", "end", "packets-lost-no-route", "packets-lost-blackhole",
                  "packets-lost-mtu-exceeded", "packets-lost-ttl-expired"}  # fmt: skip
# The version 11 fields: AWS's records page, as read, gives them no Parquet type. All of them are
# identifiers, tag values or kinds of interface, so STRING; the query engine checks each file.
PARQUET_UNDOCUMENTED: Final = frozenset(_VPC_BY_VERSION[11].split())
# Athena's column type for each Parquet type: the type itself, read without conversion. The one
# exception is `protocol`: AWS's records pages give INT_32 (the transit gateway guide once gave
# INT_64), and every Athena DDL AWS publishes for flow logs declares it `bigint`, which reads both:
# Athena's "Change a column data type" lists INT -> BIGINT among the types it reads as others.
_WIDENED: Final = {"protocol": "bigint"}
ATHENA_TYPES: Final = {"INT_32": "int", "INT_64": "bigint", "STRING": "string"}
# The Athena column types that read each Parquet type: its own, and the wider ones Athena lists.
READABLE: Final[dict[str, tuple[str, ...]]] = {"INT_32": ("int", "bigint"), "INT_64": ("bigint",),
                                               "STRING": ("string",)}  # fmt: skip

# Fields that only have values when TagFieldSpecifications name the tags to record.
TAG_FIELDS: Final = frozenset(
    {"instance-tag", "instance-tag-2", "interface-tag", "interface-tag-2", "asg-tag", "asg-tag-2"}
)


@dataclass(frozen=True)
class Field:
    """One record field: its name and the record version that introduced it, per family."""

    name: str
    versions: dict[Family, int]  # the record version that introduced it, per family

    @property
    def parquet_type(self) -> str:
        """INT_32, INT_64 or STRING: how delivery writes the field in Parquet."""
        if self.name in _INT_32:
            return "INT_32"
        return "INT_64" if self.name in _INT_64 else "STRING"

    @property
    def athena_type(self) -> str:
        """int, bigint or string: a type Athena reads from the field's Parquet type."""
        return _WIDENED.get(self.name, ATHENA_TYPES[self.parquet_type])

    @property
    def athena_column(self) -> str:
        """The column name: `-` becomes `_`, and `end` (a keyword) is quoted."""
        column = self.name.replace("-", "_")
        return f"`{column}`" if column == "end" else column


def _catalog() -> dict[str, Field]:
    versions: dict[str, dict[Family, int]] = {}
    for version, names in _VPC_BY_VERSION.items():
        for name in names.split():
            versions.setdefault(name, {})["vpc"] = version
    for name in _TRANSIT_GATEWAY:
        versions.setdefault(name, {})["transit-gateway"] = 6
    return {name: Field(name, kinds) for name, kinds in versions.items()}


FIELDS: Final[dict[str, Field]] = _catalog()
DEFAULT_FIELDS: Final[dict[Family, tuple[str, ...]]] = {
    "vpc": tuple(_VPC_BY_VERSION[2].split()),
    "transit-gateway": tuple(_TRANSIT_GATEWAY),
}
_TOKEN: Final = re.compile(r"\$\{([a-z0-9-]+)\}")


def parse_log_format(text: str, family: Family | None = None) -> tuple[str, ...]:
    """Split `${a} ${b}` into ("a", "b"); ValueError with the reason if it is malformed, names an
    unknown field, repeats one, or (given a family) names a field that family does not record."""
    fields: list[str] = []
    for token in text.split(" "):
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise ValueError(f"{show(token)} is not a ${{field}} token separated by single spaces")
        name = match.group(1)
        if name not in FIELDS:
            raise ValueError(f"{show(name)} is not a flow log field")
        if family is not None and family not in FIELDS[name].versions:
            raise ValueError(f"{show(name)} is not a field of {family} flow logs")
        if name in fields:
            raise ValueError(f"{show(name)} appears twice")
        fields.append(name)
    return tuple(fields)


def fields_of(log_format: str | None, family: Family | None) -> tuple[str, ...]:
    """The fields each record holds: `log_format`'s, or AWS's default format for the family
    (family None: an archive's sources, whose fields may be of any family; VPC by default)."""
    if isinstance(log_format, str):
        return parse_log_format(log_format, family)
    return DEFAULT_FIELDS[family or "vpc"]


def family_of(fields: tuple[str, ...]) -> Family | None:
    """The target kind whose records hold `fields`: the kind of a field only one kind records, or
    None when every field is recorded by both. ValueError if fields of both kinds are mixed."""
    kinds = {kind for name in fields if len(FIELDS[name].versions) == 1 for kind in FIELDS[name].versions}
    if len(kinds) > 1:
        only = {kind: next(n for n in fields if set(FIELDS[n].versions) == {kind}) for kind in sorted(kinds)}
        found = ", ".join(f"{name!r} only {kind} flow logs record" for kind, name in only.items())
        raise ValueError(f"fields of one kind of target ({found})")
    return next(iter(kinds), None)


def deploy_time_pattern() -> str:
    """A regular expression (Python's and the Java one CloudFormation's AllowedPattern uses) for
    `${field}` tokens of the catalog's fields, single spaces between, without the tag fields:
    they need TagFieldSpecifications, which only a compiled template carries."""
    names = "|".join(sorted(name for name in FIELDS if name not in TAG_FIELDS))
    return rf"(\$\{{({names})\}}( (?=\$)|$))+"


def log_format(names: list[str] | tuple[str, ...]) -> str:
    """("a", "b") -> `${a} ${b}`."""
    return " ".join(f"${{{name}}}" for name in names)


def record_version(fields: tuple[str, ...], family: Family) -> int:
    """The record version a format implies: the highest version of its fields."""
    return max(FIELDS[name].versions[family] for name in fields)
