"""Read the VPCs and flow logs of every account and region in scope: the one module that imports boto3.

Read-only: sts:GetCallerIdentity and sts:AssumeRole; organizations:ListAccounts,
ListAccountsForParent, ListOrganizationalUnitsForParent, DescribeOrganization (and ListRoots for a
plan of the whole organization); ec2:DescribeRegions (for `--regions all`), DescribeVpcs,
DescribeFlowLogs, DescribeSubnets and DescribeNetworkInterfaces. The caller's own account is read
with the caller's credentials, every other through `role_name`.

Polite: a bounded thread pool over accounts, then over account x region; one client per account,
region and service, made once and reused (EC2 throttles per account and region, which is where
botocore's adaptive retry mode keeps its rate); paginators for every list. An account or region
that cannot be read becomes an `Unreadable` record, never a silent gap.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Final, TextIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .records import Unreadable, Vpc, vpcs_from_api

DEFAULT_ROLE_NAME: Final = "OrganizationAccountAccessRole"  # what Organizations creates in an account it creates
DEFAULT_CONCURRENCY: Final = 8
MAX_ATTEMPTS: Final = 10  # per call, in botocore's adaptive retry mode
SESSION_NAME: Final = "cfn-flowlogs-audit"
PAGE: Final = {"PageSize": 1000}  # the most DescribeVpcs, DescribeSubnets, DescribeFlowLogs... return per page
FILTER_VALUES: Final = 200  # interface IDs per DescribeNetworkInterfaces filter
CALLER: Final = ""  # the key of the caller's own credentials
EXIT_USAGE: Final = 2
EXIT_UNREADABLE: Final = 3
_NO_ORGANIZATION: Final = frozenset({"AccessDeniedException", "AWSOrganizationsNotInUseException"})
_REGION_OFF: Final = frozenset({"AuthFailure", "UnrecognizedClientException", "InvalidClientTokenId", "OptInRequired"})
_THROTTLED: Final = frozenset({"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"})


class AuditError(Exception):
    """The audit cannot start: one line, and the exit code (2 bad input, 3 nothing could be read)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Request:
    """The scope as asked for: regions (empty: the caller's), accounts or OUs (neither: the organization)."""

    regions: tuple[str, ...] = ()
    all_regions: bool = False  # each account's enabled regions
    accounts: tuple[str, ...] = ()
    organizational_units: tuple[str, ...] = ()
    role_name: str = DEFAULT_ROLE_NAME
    for_plan: bool = False  # a plan needs the management account and, for the organization, its root


@dataclass(frozen=True)
class Scope:
    """The scope as found: who the caller is, the accounts and the regions to read."""

    caller_account: str
    partition: str
    home_region: str
    accounts: tuple[str, ...]
    regions: tuple[str, ...] | None  # None: each account's enabled regions
    kind: str  # organization | organizational_units | accounts | caller
    organizational_units: tuple[str, ...] = ()
    root_id: str | None = None
    management_account: str | None = None
    notes: tuple[str, ...] = ()  # warnings for the user


@dataclass(frozen=True)
class Collected:
    vpcs: tuple[Vpc, ...]
    unreadable: tuple[Unreadable, ...]
    regions: tuple[str, ...]  # every region read in some account
    account_regions: int  # (account, region) pairs in scope, read or not (an account not opened counts once)
    calls: int  # API calls made, each page one
    seconds: float


def open_session() -> boto3.session.Session:
    """The caller's session: credentials, region and endpoint as the AWS CLI finds them."""
    try:
        return boto3.session.Session()
    except BotoCoreError as error:  # a profile that does not exist, a broken config file
        raise AuditError(f"cannot open an AWS session: {describe(error)}", EXIT_USAGE) from None


def describe(error: Exception) -> str:
    """One line: the operation, AWS's error code and message."""
    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        code = str(info.get("Code", "Unknown"))
        text = f"{error.operation_name}: {code}: {info.get('Message', '')}".rstrip(": ")
        if code in _THROTTLED:
            text += f" (still throttled after {MAX_ATTEMPTS} attempts)"
        elif code in _REGION_OFF:
            text += " (is the region enabled for this account?)"
    else:
        text = f"{type(error).__name__}: {error}"
    return " ".join(text.split())


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _active(account: Mapping[str, Any]) -> bool:
    # `State` replaces `Status`, which Organizations retires on September 9, 2026.
    return (account.get("State") or account.get("Status")) == "ACTIVE"


def _batches(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class _NotRead(Exception):
    pass


class Progress:
    """`done/total` on one rewritten stderr line when it is a terminal; silent otherwise."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.live = bool(isatty and isatty())
        self._shown = False

    def update(self, what: str, done: int, total: int) -> None:
        if self.live:
            self.stream.write(f"\r\x1b[Kcfn-flowlogs: audit: {what} {done}/{total}")
            self.stream.flush()
            self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


class Auditor:
    """Reads one scope with one boto3 session (thread-safe: clients are made under a lock)."""

    def __init__(
        self,
        session: boto3.session.Session,
        *,
        role_name: str = DEFAULT_ROLE_NAME,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        self._session = session
        self._role_name = role_name
        self._concurrency = concurrency
        self._config = Config(retries={"mode": "adaptive", "max_attempts": MAX_ATTEMPTS},
                              user_agent_extra="cfn-flowlogs-audit")  # fmt: skip
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._credentials: dict[str, dict[str, str]] = {}
        self._caller: str | None = None
        self._calls = 0
        self._calls_lock = threading.Lock()
        for event in ("after-call", "after-call-error"):  # once per call made, answered or not
            session.events.register(event, self._count, unique_id=f"cfn-flowlogs-audit-{event}-{id(self)}")

    def _count(self, **_: Any) -> None:
        with self._calls_lock:
            self._calls += 1

    @property
    def calls(self) -> int:
        """API calls made so far (each page of a paginator is one; retries are not counted)."""
        return self._calls

    def client(self, service: str, account: str, region: str) -> Any:
        """The one client of `service` for `account` in `region`."""
        who = CALLER if account == self._caller else account
        key = (service, who, region)
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                found = self._session.client(  # type: ignore[call-overload]
                    service, region_name=region, config=self._config, **self._credentials.get(who, {})
                )
                self._clients[key] = found
            return found

    def resolve(self, request: Request) -> Scope:
        """Who the caller is, and which accounts and regions to read."""
        home = self._session.region_name or (request.regions[0] if request.regions else None)
        if home is None:
            raise AuditError("no region: pass --regions, or set AWS_REGION or a profile's region", EXIT_USAGE)
        try:
            identity = self.client("sts", CALLER, home).get_caller_identity()
        except (ClientError, BotoCoreError) as error:
            raise AuditError(f"cannot read the caller's identity: {describe(error)}", EXIT_UNREADABLE) from None
        self._caller = caller = str(identity["Account"])
        partition = str(identity["Arn"]).split(":")[1]
        org = self.client("organizations", CALLER, home)
        notes: list[str] = []
        kind = "organization"
        try:
            if request.accounts:
                kind, accounts = "accounts", tuple(dict.fromkeys(request.accounts))
            elif request.organizational_units:
                kind = "organizational_units"
                accounts = self._accounts_in_units(org, request.organizational_units, notes)
            else:
                accounts = self._accounts(org.get_paginator("list_accounts").paginate(), "the organization", notes)
        except ClientError as error:
            if kind != "organization" or _code(error) not in _NO_ORGANIZATION:
                raise AuditError(f"cannot list the accounts in scope: {describe(error)}", EXIT_UNREADABLE) from None
            kind, accounts = "caller", (caller,)
            notes.append(f"cannot list the organization's accounts ({_code(error)}): auditing only the caller's "
                         f"account {caller}; pass --accounts or --organizational-units for others")  # fmt: skip
        except BotoCoreError as error:
            raise AuditError(f"cannot list the accounts in scope: {describe(error)}", EXIT_UNREADABLE) from None
        management = root = None
        if request.for_plan and kind in ("organization", "organizational_units"):
            try:
                management = str(org.describe_organization()["Organization"]["MasterAccountId"])
                if kind == "organization":
                    root = str(org.list_roots()["Roots"][0]["Id"])
            except (ClientError, BotoCoreError, LookupError) as error:
                notes.append(f"cannot describe the organization: {describe(error)}")
        regions = None if request.all_regions else (tuple(dict.fromkeys(request.regions)) or (home,))
        return Scope(caller, partition, home, accounts, regions, kind, request.organizational_units, root, management,
                     tuple(notes))  # fmt: skip

    def _accounts(self, pages: Iterable[Mapping[str, Any]], where: str, notes: list[str]) -> tuple[str, ...]:
        accounts = [account for page in pages for account in page["Accounts"]]
        inactive = [f"{a['Id']} ({a.get('State') or a.get('Status')})" for a in accounts if not _active(a)]
        if inactive:
            shown = ", ".join(inactive[:10]) + (", ..." if len(inactive) > 10 else "")
            notes.append(f"left out {len(inactive)} account(s) of {where} that are not ACTIVE: {shown}")
        return tuple(sorted(str(a["Id"]) for a in accounts if _active(a)))

    def _accounts_in_units(self, org: Any, units: Sequence[str], notes: list[str]) -> tuple[str, ...]:
        """Every ACTIVE account in the OUs and, recursively, in the OUs under them."""
        found: set[str] = set()
        queue, seen = list(units), set()
        while queue:
            unit = queue.pop(0)
            if unit in seen:
                continue
            seen.add(unit)
            try:
                pages = org.get_paginator("list_accounts_for_parent").paginate(ParentId=unit)
                found.update(self._accounts(pages, unit, notes))
                pages = org.get_paginator("list_organizational_units_for_parent").paginate(ParentId=unit)
                queue += [child["Id"] for page in pages for child in page["OrganizationalUnits"]]
            except ClientError as error:
                if _code(error) == "ParentNotFoundException":
                    message = f'organizational_units must be OUs (or the root) of the organization, got "{unit}"'
                    raise AuditError(message, EXIT_USAGE) from None
                raise
        return tuple(sorted(found))

    def collect(self, scope: Scope, progress: Progress | None = None) -> Collected:
        """Every VPC of every account and region in scope; what cannot be read, as Unreadable."""
        update = progress.update if progress is not None else lambda what, done, total: None
        start = time.perf_counter()
        vpcs: list[Vpc] = []
        unreadable: list[Unreadable] = []
        with ThreadPoolExecutor(max_workers=self._concurrency, thread_name_prefix="cfn-flowlogs-audit") as pool:
            opened = []
            openings = [pool.submit(self._open, account, scope) for account in scope.accounts]
            for done, opening in enumerate(as_completed(openings)):
                opened.append(opening.result())
                update("accounts opened", done + 1, len(scope.accounts))
            tasks = sorted((account, region) for account, regions, _ in opened for region in regions)
            unreadable += [u for _, _, lost in opened for u in lost]
            total = len(tasks) + len(unreadable)
            futures = [pool.submit(self._read, account, region) for account, region in tasks]
            for done, future in enumerate(as_completed(futures), start=len(unreadable)):
                result = future.result()
                if isinstance(result, Unreadable):
                    unreadable.append(result)
                else:
                    vpcs += result
                update("account-regions read", done + 1, total)
        if progress is not None:
            progress.clear()
        vpcs.sort(key=lambda v: (v.account_id, v.region, v.vpc_id))
        unreadable.sort(key=lambda u: (u.account_id, u.region or ""))
        regions = tuple(sorted({region for _, region in tasks}))
        return Collected(tuple(vpcs), tuple(unreadable), regions, total, self.calls, time.perf_counter() - start)

    def _open(self, account: str, scope: Scope) -> tuple[str, tuple[str, ...], tuple[Unreadable, ...]]:
        """The account's credentials (assumed unless it is the caller's) and regions."""
        try:
            if account != scope.caller_account:
                arn = f"arn:{scope.partition}:iam::{account}:role/{self._role_name}"
                try:
                    sts = self.client("sts", CALLER, scope.home_region)
                    assumed = sts.assume_role(RoleArn=arn, RoleSessionName=SESSION_NAME)["Credentials"]
                except (ClientError, BotoCoreError) as error:
                    raise _NotRead(f"cannot assume {arn}: {describe(error)}") from None
                with self._lock:
                    self._credentials[account] = {
                        "aws_access_key_id": assumed["AccessKeyId"],
                        "aws_secret_access_key": assumed["SecretAccessKey"],
                        "aws_session_token": assumed["SessionToken"],
                    }
            if scope.regions is not None:
                return account, scope.regions, ()
            try:
                # Without AllRegions, DescribeRegions lists the regions enabled for the account.
                listed = self.client("ec2", account, scope.home_region).describe_regions()["Regions"]
            except (ClientError, BotoCoreError) as error:
                raise _NotRead(f"cannot list its enabled regions: {describe(error)}") from None
            return account, tuple(sorted(str(r["RegionName"]) for r in listed)), ()
        except _NotRead as error:
            lost = tuple(Unreadable(account, region, str(error)) for region in scope.regions or (None,))
            return account, (), lost

    def _read(self, account: str, region: str) -> list[Vpc] | Unreadable:
        """The account's VPCs in `region`: 2 calls, one more for subnet and one per 200 interface flow logs."""
        ec2 = self.client("ec2", account, region)
        try:
            vpcs = _all(ec2, "describe_vpcs", "Vpcs")
            if not vpcs:
                return []
            flow_logs = _all(ec2, "describe_flow_logs", "FlowLogs")
            resources = {str(f.get("ResourceId", "")) for f in flow_logs}
            subnets = None
            if any(r.startswith("subnet-") for r in resources):
                subnets = _all(ec2, "describe_subnets", "Subnets")
            interfaces = []
            for batch in _batches(sorted(r for r in resources if r.startswith("eni-")), FILTER_VALUES):
                where = [{"Name": "network-interface-id", "Values": batch}]
                interfaces += _all(ec2, "describe_network_interfaces", "NetworkInterfaces", Filters=where)
        except (ClientError, BotoCoreError) as error:
            return Unreadable(account, region, describe(error))
        return vpcs_from_api(account, region, vpcs, flow_logs, subnets, interfaces)


def _all(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    pages = client.get_paginator(operation).paginate(**kwargs, PaginationConfig=PAGE)
    return [item for page in pages for item in page.get(key, [])]


__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_ROLE_NAME",
    "AuditError",
    "Auditor",
    "Collected",
    "Progress",
    "Request",
    "Scope",
    "describe",
    "open_session",
]
