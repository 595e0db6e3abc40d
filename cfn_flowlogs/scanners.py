"""Security-scanner checks that do not fit a resource, each skipped where it applies with the
reason, in the resource's Metadata (where checkov reads skips). The README lists them all."""

from __future__ import annotations

from typing import Any, Final

CHECKOV_SKIPS: Final[dict[str, str]] = {
    "CKV_AWS_18": "Access logs of the log bucket would need a second bucket of their own; the flow logs are "
    "the audit record, and S3 data events belong in CloudTrail.",
    "CKV_AWS_66": "Only where cloudwatch_log_retention is 0: you chose to keep the log events forever.",
    "CKV_AWS_111": "Only on the Firehose cross-account source role: logs:CreateLogDelivery and its kin have no "
    "resource-level permissions, and AWS documents them on *.",
    "CKV_AWS_115": "Reserved concurrency is taken from the account's unreserved pool (minimum 10) and can fail "
    "the deploy; the function runs once, when the stack is deleted.",
    "CKV_AWS_116": "CloudFormation invokes the function and receives every failure; a dead-letter queue would "
    "never receive anything.",
    "CKV_AWS_117": "The function calls only the S3 and CloudFormation APIs; a VPC would add subnets and "
    "endpoints for no gain.",
}


def skipped(*check_ids: str) -> dict[str, Any]:
    """`Metadata=` keyword arguments that skip these checks, with their reasons."""
    return {"Metadata": {"checkov": {"skip": [{"id": i, "comment": CHECKOV_SKIPS[i]} for i in check_ids]}}}
