"""Small pure checks. Each returns the value or raises ConfigError naming the input."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Mapping
from typing import Any

from troposphere import AWSHelperFn

from ..errors import ConfigError

# ARN pieces. A provided ARN may name the pseudo parameters in place of partition, region and
# account, so one config serves every partition, region and account (StackSets, GovCloud, China).
PARTITION = r"aws(-[a-z]+)*"
REGION = r"[a-z]{2}(-[a-z]+)+-[0-9]"
ACCOUNT = r"[0-9]{12}"
_PSEUDO = {
    PARTITION: r"\$\{AWS::Partition\}",
    REGION: r"\$\{AWS::Region\}",
    ACCOUNT: r"\$\{AWS::AccountId\}",
}
PSEUDO_PARAMETERS = ("${AWS::Partition}", "${AWS::Region}", "${AWS::AccountId}")


def arn_pattern(service: str, region: str, account: str, resource: str, *, pseudo: bool) -> str:
    """A regular expression for an ARN; with `pseudo`, the `${AWS::...}` forms are accepted too."""

    def part(literal: str) -> str:
        if pseudo:
            for piece, pseudo_form in _PSEUDO.items():
                literal = literal.replace(piece, f"({piece}|{pseudo_form})")
        return literal

    return f"arn:{part(PARTITION)}:{service}:{part(region)}:{part(account)}:{resource}"


def has_foreign_placeholder(text: str) -> bool:
    """`${...}` other than the three pseudo parameters an ARN may name."""
    for pseudo in PSEUDO_PARAMETERS:
        text = text.replace(pseudo, "")
    return "${" in text


def is_expression(value: Any) -> bool:
    """A troposphere expression (Ref, GetAtt, Sub, ...) whose value is only known at deploy time."""
    return isinstance(value, AWSHelperFn)


BOOLEAN = "true or false"


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(name, value, BOOLEAN)
    return value


def int_range(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"a whole number from {low} to {high}"
    if low is not None:
        return f"a whole number of at least {low}"
    return "a whole number"


def one_of(choices: Collection[Any]) -> str:
    return "one of " + ", ".join(str(c) for c in choices)


def check_int(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    if not (_is_int(value) and (low is None or value >= low) and (high is None or value <= high)):
        raise ConfigError(name, value, int_range(low, high))
    return int(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_choice(name: str, value: Any, choices: Collection[Any]) -> Any:
    if isinstance(value, bool) or value not in choices:
        raise ConfigError(name, value, one_of(choices))
    return value


def check_str(name: str, value: Any, pattern: str, allowed: str) -> str:
    if not isinstance(value, str) or re.fullmatch(pattern, value) is None:
        raise ConfigError(name, value, allowed)
    return value


def check_mapping(name: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise ConfigError(name, value, "a mapping with string keys")
    return value


def check_str_list(name: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise ConfigError(name, value, "a list of strings")
    for item in value:
        if not isinstance(item, str) and not is_expression(item):
            raise ConfigError(name, item, "a list of strings")
    return tuple(value)


_BUCKET_CHARS = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
_BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def check_bucket_name(name: str, value: Any) -> str:
    """S3's general purpose bucket naming rules."""
    allowed = (
        "an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and "
        "ending with a letter or digit, no '..', not an IP address, no reserved prefix or suffix"
    )
    check_str(name, value, _BUCKET_CHARS, allowed)
    if ".." in value or value.startswith(_BUCKET_RESERVED_PREFIXES):
        raise ConfigError(name, value, allowed)
    if value.endswith(_BUCKET_RESERVED_SUFFIXES) or _is_ip(value):
        raise ConfigError(name, value, allowed)
    return value


def _is_ip(value: str) -> bool:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


BUCKET_NAME_PATTERN = _BUCKET_CHARS
