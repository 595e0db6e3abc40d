"""`additional_s3_bucket_policy_statements` as awacs statements, from the map `config.statements`
has checked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awacs.aws import Action, Condition, Principal, Statement

from ..config.statements import OPERATORS
from .context import portable


def build(statements: Mapping[str, Any], bucket_arn: Any, sub: Any) -> list[Statement]:
    """awacs statements for the module's map; `sub(fmt, **vars)` builds ARNs from the bucket's."""
    built = []
    for sid in sorted(statements):
        body = statements[sid]
        keys = body.get("keys") or []
        if keys:
            resources = [sub("${Bucket}/${Key}", Bucket=bucket_arn, Key=k.lstrip("/")) for k in keys]
        else:
            resources = [bucket_arn, sub("${Bucket}/*", Bucket=bucket_arn)]
        extra = {}
        if body.get("condition"):
            extra["Condition"] = _condition(body["condition"])
        built.append(
            Statement(
                Sid=sid,
                Effect=body.get("effect", "Allow"),
                Action=[Action(*a.split(":", 1)) for a in body["actions"]],
                Principal=_Principals(body["principals"]),
                Resource=resources,
                **extra,
            )
        )
    return built


def _condition(conditions: Mapping[str, Mapping[str, Any]]) -> Condition:
    by_operator: dict[str, dict[str, list[str]]] = {}
    for label in sorted(conditions):
        c = conditions[label]
        by_operator.setdefault(c["test"], {})[c["variable"]] = list(c["values"])
    return Condition([OPERATORS[op](keys) for op, keys in sorted(by_operator.items())])


class _Principals(Principal):
    """Several principal types in one statement, which awacs' Principal cannot hold."""

    def __init__(self, principals: Mapping[str, Any]) -> None:
        self.data = {kind: portable(tuple(ids)) for kind, ids in sorted(principals.items())}
