"""`additional_s3_bucket_policy_statements`: the module's statement shape, checked (the build
stage turns them into awacs statements: `compiler/statements.py`)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Final

import awacs.aws
from awacs.aws import ConditionElement

from ..errors import ConfigError
from .validators import check_mapping, check_str_list, has_foreign_placeholder

NAME: Final = "additional_s3_bucket_policy_statements"
KEYS: Final = ("effect", "actions", "not_actions", "principals", "not_principals", "keys", "condition")
MAX_BYTES: Final = 16_000  # S3 bucket policies are limited to 20 KB; ours take the rest
RESERVED_SIDS: Final = ("AWSLogDeliveryWrite", "AWSLogDeliveryAclCheck", "DenyInsecureTransport")
PRINCIPAL_TYPES: Final = ("AWS", "Service", "Federated", "CanonicalUser")
_ACTION: Final = r"[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+"
# IAM condition operators by name ("ForAnyValue:StringLike"), from awacs' own classes. The
# __mro__ test, not issubclass: ConditionElement is an ABC, and its subclass check over awacs'
# 200 names cost a millisecond of every start-up.
OPERATORS: Final[dict[str, type[ConditionElement]]] = {
    name.replace("ForAllValues", "ForAllValues:").replace("ForAnyValue", "ForAnyValue:"): cls
    for name, cls in vars(awacs.aws).items()
    if isinstance(cls, type) and ConditionElement in cls.__mro__[1:]
}


def check(statements: Any) -> dict[str, Any] | None:
    """Validate the module's map of SID -> statement; return a private deep copy."""
    if statements is None:
        return None
    statements = check_mapping(NAME, statements)
    size = len(json.dumps(statements, default=str))
    if size > MAX_BYTES:
        raise ConfigError(NAME, f"{size} bytes", f"at most {MAX_BYTES} bytes (a bucket policy holds 20 KB in all)")
    for sid, body in statements.items():
        where = f"{NAME}.{sid}"
        if not re.fullmatch(r"[A-Za-z0-9]{1,100}", sid) or sid in RESERVED_SIDS:
            raise ConfigError(NAME, sid, "SIDs of letters and digits, none of " + ", ".join(RESERVED_SIDS))
        body = check_mapping(where, body)
        for key in body:
            if key not in KEYS:
                raise ConfigError(where, key, "keys among " + ", ".join(KEYS))
        for key in ("not_actions", "not_principals"):
            if body.get(key):
                # AWS's automatic log delivery setup fails on bucket policies that use them.
                raise ConfigError(f"{where}.{key}", body[key], "empty (log delivery fails with NotAction/NotPrincipal)")
        effect = body.get("effect", "Allow")
        if effect not in ("Allow", "Deny"):
            raise ConfigError(f"{where}.effect", effect, "Allow or Deny")
        actions = check_str_list(f"{where}.actions", body.get("actions"))
        if not actions or any(not re.fullmatch(_ACTION, a) for a in actions):
            raise ConfigError(f"{where}.actions", body.get("actions"), "a non-empty list of actions like s3:GetObject")
        _check_principals(f"{where}.principals", body.get("principals"), effect)
        for key in check_str_list(f"{where}.keys", body.get("keys", [])):
            if not key or "${" in key or len(key) > 1024:
                raise ConfigError(f"{where}.keys", key, "object key patterns like logs/* (no ${...})")
        _check_conditions(f"{where}.condition", body.get("condition", {}))
    return copy.deepcopy(dict(statements))


def _check_principals(where: str, principals: Any, effect: str) -> None:
    principals = check_mapping(where, principals)
    if not principals:
        raise ConfigError(where, principals, "a mapping of principal type to identifiers")
    for kind, ids in principals.items():
        if kind not in PRINCIPAL_TYPES:
            raise ConfigError(where, kind, "principal types among " + ", ".join(PRINCIPAL_TYPES))
        ids = check_str_list(f"{where}.{kind}", ids)
        if not ids or any(not i or has_foreign_placeholder(i) for i in ids):
            raise ConfigError(
                f"{where}.{kind}", ids, "a non-empty list of identifiers (no ${...} but pseudo parameters)"
            )
        if effect == "Allow" and "*" in ids:
            raise ConfigError(f"{where}.{kind}", ids, "named principals: an Allow for '*' makes the bucket public")


def _check_conditions(where: str, conditions: Any) -> None:
    for label, cond in check_mapping(where, conditions).items():
        cond = check_mapping(f"{where}.{label}", cond)
        if set(cond) != {"test", "variable", "values"}:
            raise ConfigError(f"{where}.{label}", sorted(cond), "exactly the keys test, variable, values")
        if not isinstance(cond["test"], str) or cond["test"] not in OPERATORS:
            raise ConfigError(f"{where}.{label}.test", cond["test"], "an IAM condition operator like StringEquals")
        if not isinstance(cond["variable"], str) or not re.fullmatch(r"[a-zA-Z0-9-]+:[\w/:.-]+", cond["variable"]):
            raise ConfigError(f"{where}.{label}.variable", cond["variable"], "a condition key like aws:SourceVpc")
        values = check_str_list(f"{where}.{label}.values", cond["values"])
        if not values:
            raise ConfigError(f"{where}.{label}.values", cond["values"], "a non-empty list of strings")
