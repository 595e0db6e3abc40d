"""The flow-log record fields AWS knows, with the record version that introduced each."""

from __future__ import annotations

import re
from typing import Final

# Field name -> record version. The v2 fields, in this order, are AWS's default format.
_BY_VERSION: Final = {
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

FIELD_VERSIONS: Final[dict[str, int]] = {
    name: version for version, names in _BY_VERSION.items() for name in names.split()
}
DEFAULT_FIELDS: Final[tuple[str, ...]] = tuple(_BY_VERSION[2].split())

# The tag fields only have values when TagFieldSpecifications name the tags.
TAG_FIELDS: Final = frozenset(
    {"instance-tag", "instance-tag-2", "interface-tag", "interface-tag-2", "asg-tag", "asg-tag-2"}
)

_TOKEN: Final = re.compile(r"\$\{([a-z0-9-]+)\}")


def parse_log_format(text: str) -> tuple[str, ...]:
    """Split `${a} ${b}` into ("a", "b"); raise ValueError with the reason if it is malformed."""
    tokens = text.split(" ")
    fields = []
    for token in tokens:
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise ValueError(f"{token!r} is not a ${{field}} token separated by single spaces")
        name = match.group(1)
        if name not in FIELD_VERSIONS:
            raise ValueError(f"{name!r} is not a flow log field")
        if name in fields:
            raise ValueError(f"{name!r} appears twice")
        fields.append(name)
    return tuple(fields)


def record_version(fields: tuple[str, ...]) -> int:
    """The record version a custom format implies: the highest version of its fields."""
    return max((FIELD_VERSIONS[name] for name in fields), default=2)
