"""CloudFormation's template quotas, checked before anything is written.

A hard limit raises `LimitError` naming the limit and the count; the inline-body size, which
only decides how the template can be deployed, is a warning.
"""

from __future__ import annotations

import re
from typing import Final

from troposphere import Template

from ..errors import ConfigError

MAX_RESOURCES: Final = 500
MAX_PARAMETERS: Final = 200
MAX_OUTPUTS: Final = 200
MAX_BODY_BYTES: Final = 1_048_576  # a template uploaded to S3
MAX_INLINE_BODY_BYTES: Final = 51_200  # a template sent in the request (--template-body)
MAX_LOGICAL_ID: Final = 255
_LOGICAL_ID: Final = re.compile(r"[A-Za-z0-9]+")


class LimitError(ConfigError):
    """The template would exceed one of CloudFormation's hard limits."""


def check(template: Template, text: str) -> list[str]:
    """Raise LimitError at a hard limit; return warnings (the inline-body size)."""
    for section, count, limit in (
        ("resources", len(template.resources), MAX_RESOURCES),
        ("parameters", len(template.parameters), MAX_PARAMETERS),
        ("outputs", len(template.outputs), MAX_OUTPUTS),
    ):
        if count > limit:
            raise LimitError(f"a template's {section}", count, f"at most {limit} (a CloudFormation limit)")
    for section in (template.resources, template.parameters, template.outputs, template.conditions):
        for logical_id in section:
            if len(logical_id) > MAX_LOGICAL_ID or not _LOGICAL_ID.fullmatch(logical_id):
                raise LimitError("logical ID", logical_id, f"1-{MAX_LOGICAL_ID} letters and digits")
    size = len(text.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise LimitError("template body", f"{size} bytes", f"at most {MAX_BODY_BYTES} bytes (a CloudFormation limit)")
    if size > MAX_INLINE_BODY_BYTES:
        return [
            f"the template is {size} bytes, over the {MAX_INLINE_BODY_BYTES} CloudFormation takes inline: "
            "deploy it with `aws cloudformation deploy --s3-bucket BUCKET` (or upload it and use --template-url)"
        ]
    return []
