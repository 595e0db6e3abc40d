"""Small pieces every builder uses."""

from __future__ import annotations

from typing import Any, Final

from troposphere import GetAtt, NoValue, Tags

from ..context import BuildContext

# Data (log group, key, bucket): kept on delete and on replacement, but removed when the create
# that made it rolls back, so a failed first deploy leaves no billed key and no named log group
# that would block the retry. (S3 cannot delete a bucket that already holds objects: then the
# rollback stops and says so, and the objects stay.)
KEEP_DATA: Final = {"DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy": "Retain"}
# A bucket policy: it stays with its bucket, TLS-only deny and delivery grants included.
RETAIN: Final = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def tags(ctx: BuildContext) -> dict[str, Any]:
    """`Tags=` keyword arguments for the config's `custom_tags`, sorted; none when empty."""
    return {"Tags": Tags(**dict(sorted(ctx.tags.items())))} if ctx.tags else {}


def arn_of(resource: Any) -> Any:
    return GetAtt(resource, "Arn") if resource is not None else NoValue


def present(items: list[Any]) -> list[Any]:
    """Drop the items that folded away to `AWS::NoValue`."""
    return [item for item in items if item is not NoValue]
