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
    "CKV_AWS_115": "Reserved concurrency comes out of the account's unreserved concurrency less the 100 AWS "
    "keeps unreserved: where the quota is 100 or less, the deploy fails. Runs are rare or idempotent.",
    "CKV_AWS_116": "Lambda retries these asynchronous invocations; the bucket emptier reports each failure to "
    "CloudFormation, the enrolment's next sweep repeats a failed run and its status says what failed: a queue "
    "would copy what nobody reads.",
    "CKV_AWS_117": "The functions call only AWS APIs; a VPC would add subnets and endpoints for no gain.",
    "CKV_AWS_158": "Only on the functions' own log groups: CloudWatch Logs always encrypts logs at rest, these "
    "hold diagnostics, not flow records, and a kms_key_arn key may not let CloudWatch Logs use it.",
    "CKV_AWS_173": "Only on the enrolment's function: its environment holds the flow log's settings, no secret; "
    "Lambda encrypts it at rest with an AWS key, and a key of its own would cost every account and region one.",
}


def skipped(*check_ids: str) -> dict[str, Any]:
    """`Metadata=` keyword arguments that skip these checks, with their reasons."""
    return {"Metadata": {"checkov": {"skip": [{"id": i, "comment": CHECKOV_SKIPS[i]} for i in check_ids]}}}
