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
    "keeps unreserved: where the quota is 100 or less, the deploy fails. The function runs once per stack "
    "operation.",
    "CKV_AWS_116": "Lambda retries this asynchronous invocation, so a queue would get what still fails; but the "
    "function reports each failure to CloudFormation (stack events, detail in its log), failing only when "
    "it cannot: a queue would copy stack events nobody reads.",
    "CKV_AWS_117": "The function calls only the S3 and CloudFormation APIs; a VPC would add subnets and "
    "endpoints for no gain.",
    "CKV_AWS_158": "Only on the bucket emptier's log group: CloudWatch Logs always encrypts logs at rest, this "
    "one holds diagnostics, not flow records, and a key given by kms_key_arn may not let CloudWatch Logs "
    "use it.",
}


def skipped(*check_ids: str) -> dict[str, Any]:
    """`Metadata=` keyword arguments that skip these checks, with their reasons."""
    return {"Metadata": {"checkov": {"skip": [{"id": i, "comment": CHECKOV_SKIPS[i]} for i in check_ids]}}}
