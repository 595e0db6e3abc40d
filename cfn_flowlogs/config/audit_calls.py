"""Every AWS call `cfn-flowlogs audit` makes, and the IAM action each needs: the one list that the
audit role's policy is built from (`stacks/audit_role.py`, `cfn-flowlogs audit --print-policy`)
and that the collector is checked against (the tests record each call it makes and fail on one
missing here).

Keys are `<endpoint prefix>:<operation>` as botocore names them; values the IAM action (None: the
call needs no permission). Plain text, so the audit, the templates and the tests share it without
importing each other.
"""

from __future__ import annotations

from typing import Final

# Made in every audited account, through the audit role (and in the caller's own account with the
# caller's credentials): read-only.
MEMBER_CALLS: Final[dict[str, str]] = {
    "ec2:DescribeRegions": "ec2:DescribeRegions",  # --regions all: the account's enabled regions
    "ec2:DescribeVpcs": "ec2:DescribeVpcs",
    "ec2:DescribeFlowLogs": "ec2:DescribeFlowLogs",
    "ec2:DescribeSubnets": "ec2:DescribeSubnets",
    "ec2:DescribeNetworkInterfaces": "ec2:DescribeNetworkInterfaces",
    "logs:DescribeLogStreams": "logs:DescribeLogStreams",  # proof of delivery to CloudWatch Logs
    "s3:ListObjectsV2": "s3:ListBucket",  # proof of delivery to S3
    "s3:HeadBucket": "s3:ListBucket",  # botocore's redirect to a bucket's own region
    "ssm:GetParametersByPath": "ssm:GetParametersByPath",  # the enrolment's status
}
# Made only by the caller, with its own credentials: who it is, the accounts in scope, the role.
CALLER_CALLS: Final[dict[str, str | None]] = {
    "sts:GetCallerIdentity": None,  # needs no permission
    "sts:AssumeRole": "sts:AssumeRole",
    "organizations:ListAccounts": "organizations:ListAccounts",
    "organizations:ListAccountsForParent": "organizations:ListAccountsForParent",
    "organizations:ListOrganizationalUnitsForParent": "organizations:ListOrganizationalUnitsForParent",
    "organizations:DescribeOrganization": "organizations:DescribeOrganization",  # --write-plan
    "organizations:ListRoots": "organizations:ListRoots",  # --write-plan
}


def member_actions() -> tuple[str, ...]:
    """The IAM actions the audit role needs, each once, in the list's order."""
    return tuple(dict.fromkeys(MEMBER_CALLS.values()))


__all__ = ["CALLER_CALLS", "MEMBER_CALLS", "member_actions"]
