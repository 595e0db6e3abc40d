"""Small pieces every builder uses."""

from __future__ import annotations

from typing import Any, Final

from troposphere import GetAtt, NoValue, Tags

from ..context import BuildContext

RETAIN: Final = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def tags(ctx: BuildContext) -> dict[str, Any]:
    """`Tags=` keyword arguments for the config's `custom_tags`, sorted; none when empty."""
    return {"Tags": Tags(**dict(sorted(ctx.tags.items())))} if ctx.tags else {}


def arn_of(resource: Any) -> Any:
    return GetAtt(resource, "Arn") if resource is not None else NoValue


def present(items: list[Any]) -> list[Any]:
    """Drop the items that folded away to `AWS::NoValue`."""
    return [item for item in items if item is not NoValue]
