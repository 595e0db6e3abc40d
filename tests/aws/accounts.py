"""More than one account on the local endpoint: an organization and the AWS CLI acting in its
member accounts.

moto's server takes a request's account from MOTO_ACCOUNT_ID in the server's environment (one
account for the whole server), else from an `x-moto-account-id` header (which the AWS CLI cannot
send), else from the account that issued the access key, else 123456789012
(moto/core/responses.py, get_current_account). So the tests switch accounts as a user of an
organization does: `sts assume-role` into the member account's OrganizationAccountAccessRole,
whose credentials moto issues in that account (moto/sts/models.py, assume_role).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from .endpoint import ACCOUNT, Aws

MEMBER_ROLE = "OrganizationAccountAccessRole"  # what Organizations creates in an account it creates


@dataclass(frozen=True)
class Member:
    """A member account and the AWS CLI acting in it."""

    id: str
    aws: Aws


def as_account(aws: Aws, account: str) -> Member:
    """`account`, with credentials assumed from moto's default account."""
    credentials = aws(
        "sts", "assume-role", "--role-arn", f"arn:aws:iam::{account}:role/{MEMBER_ROLE}",
        "--role-session-name", "cfn-flowlogs-tests",
    )["Credentials"]  # fmt: skip
    member = Aws(aws.endpoint, aws.home)
    member.env.update(
        AWS_ACCESS_KEY_ID=credentials["AccessKeyId"],
        AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
        AWS_SESSION_TOKEN=credentials["SessionToken"],
    )
    return Member(account, member)


@dataclass(frozen=True)
class Organization:
    id: str  # o-...
    workloads: str  # the OU of `workload` and `sandbox`
    log_archive: Member  # under the root: the central archive's account
    workload: Member  # in `workloads`: an account with flow logs to deliver
    sandbox: Member  # in `workloads`: an account given no flow log


@functools.cache  # one organization per server: moto's default account can create only one
def organization(aws: Aws) -> Organization:
    """An organization managed by moto's default account: `log-archive` under the root, `workload`
    and `sandbox` in the OU `workloads`."""
    org = aws("organizations", "create-organization", "--feature-set", "ALL")["Organization"]
    assert org["MasterAccountId"] == ACCOUNT
    root = aws("organizations", "list-roots")["Roots"][0]["Id"]
    unit = aws("organizations", "create-organizational-unit", "--parent-id", root, "--name", "workloads")
    workloads = unit["OrganizationalUnit"]["Id"]
    archive, workload, sandbox = (_create_account(aws, name) for name in ("log-archive", "workload", "sandbox"))
    for account in (workload, sandbox):
        aws("organizations", "move-account", "--account-id", account, "--source-parent-id", root,
            "--destination-parent-id", workloads)  # fmt: skip
    return Organization(org["Id"], workloads, *(as_account(aws, a) for a in (archive, workload, sandbox)))


def _create_account(aws: Aws, name: str) -> str:
    status = aws("organizations", "create-account", "--email", f"{name}@example.com", "--account-name", name)
    assert status["CreateAccountStatus"]["State"] == "SUCCEEDED", status  # moto creates it at once
    return str(status["CreateAccountStatus"]["AccountId"])
