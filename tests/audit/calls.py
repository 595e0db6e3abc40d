"""The check that the audit calls nothing its role's policy lacks: every call an Auditor made (it
notes each one) must be in config/audit_calls.py, whose actions the audit role's policy holds."""

from __future__ import annotations

from typing import Any

from cfn_flowlogs.config.audit_calls import CALLER_CALLS, MEMBER_CALLS
from cfn_flowlogs.stacks.audit_role import printed_policy

POLICY_ACTIONS = {action for statement in printed_policy()["Statement"] for action in statement["Action"]}


def unlisted(operations: set[tuple[bool, str]]) -> list[str]:
    """The calls made that the list (and so the audit role's policy) lacks."""
    missing = []
    for member, operation in sorted(operations):
        if operation in MEMBER_CALLS:
            if MEMBER_CALLS[operation] not in POLICY_ACTIONS:
                missing.append(f"{operation}: {MEMBER_CALLS[operation]} is not in the audit role's policy")
        elif member or operation not in CALLER_CALLS:
            where = "through the audit role" if member else "by the caller"
            missing.append(f"{operation}, made {where}, is not in config/audit_calls.py")
    return missing


def check(auditor: Any) -> None:
    assert unlisted(auditor.operations) == [], "add the call to config/audit_calls.py (the audit role's policy)"
