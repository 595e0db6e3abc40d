"""Read the VPCs and flow logs of every account and region in scope, and prove each flow log's
delivery at its destination: the one module that imports boto3.

Read-only: exactly the calls of config/audit_calls.py, which the audit role's policy is built
from. The caller's own account is read with the caller's credentials, every other through
`role_name`, with assumed-role credentials botocore refreshes before they expire (an hour-long
audit outlives a role session, which role chaining limits to one hour).

Polite: a bounded thread pool over accounts, then over account x region, then over each
account-region's proofs (a log group, an S3 flow log); one client per account, region and
service, made once and reused (EC2 and CloudWatch Logs throttle per account and region, which is
where botocore's adaptive retry mode keeps its rate); paginators for every list, the proofs
bounded. An account or region that cannot be read becomes an `Unreadable` record, a proof that
cannot be made an `unverifiable` verdict: never a silent gap.
"""

from __future__ import annotations

import datetime as dt
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Final, TextIO

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, CredentialResolver, DeferredRefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

from ..config.audit_calls import MEMBER_CALLS
from ..config.marks import ENROLMENT_STATUS_PATH
from . import delivery, enrolment
from .delivery import Proof, Window
from .records import FlowLog, Unreadable, Vpc, interfaces_of, vpcs_from_api

DEFAULT_ROLE_NAME: Final = "OrganizationAccountAccessRole"  # what Organizations creates in an account it creates
DEFAULT_CONCURRENCY: Final = 8
MAX_ATTEMPTS: Final = 10  # per call, in botocore's adaptive retry mode
# AssumeRole calls in flight at once: all come from the caller's account, whose STS rate AWS does
# not publish; opening a thousand accounts at once would be a burst for no gain.
MAX_ASSUMING: Final = 8
SESSION_NAME: Final = "cfn-flowlogs-audit"
PAGE: Final = {"PageSize": 1000}  # the most DescribeVpcs, DescribeSubnets, DescribeFlowLogs... return per page
CALLER: Final = ""  # the key of the caller's own credentials
EXIT_USAGE: Final = 2
EXIT_UNREADABLE: Final = 3
_NO_ORGANIZATION: Final = frozenset({"AccessDeniedException", "AWSOrganizationsNotInUseException"})
_REGION_OFF: Final = frozenset({"AuthFailure", "UnrecognizedClientException", "InvalidClientTokenId", "OptInRequired"})
_MEMBER_OPERATIONS: Final = {service: {call.split(":")[1] for call in MEMBER_CALLS if call.startswith(service + ":")}
                              for service in {call.split(":")[0] for call in MEMBER_CALLS}}  # fmt: skip
_DENIED: Final = frozenset({"AccessDenied", "AllAccessDisabled", "403"})
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
    window: Window | None = None  # the proofs' moment and --stale-after

    @property
    def read(self) -> int:
        """Account-regions read."""
        return self.account_regions - len(self.unreadable)


@dataclass(frozen=True)
class _Region:
    """One account-region as read: its VPCs and every network interface (None: not read)."""

    account: str
    region: str
    vpcs: list[Vpc]
    interfaces: list[dict[str, Any]] | None


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


class _Credentials(CredentialProvider):
    """A member account's session gets these credentials, and no others."""

    METHOD = "cfn-flowlogs-assume-role"

    def __init__(self, credentials: DeferredRefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> DeferredRefreshableCredentials:
        return self._credentials


class _OnlyAuditCalls:
    """The caller's loader of service models, each model cut to the operations of
    config/audit_calls.py: a member account's client can make no other call, and botocore builds
    its class from five methods rather than EC2's several hundred (most of a client's cost)."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader
        self._cut: dict[tuple[str, str | None], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        model = self._loader.load_service_model(service_name, type_name, api_version)
        wanted = _MEMBER_OPERATIONS.get(service_name)
        if type_name != "service-2" or wanted is None:
            return model
        with self._lock:
            cut = self._cut.get((service_name, api_version))
            if cut is None:
                operations = {name: op for name, op in model["operations"].items() if name in wanted}
                cut = self._cut[service_name, api_version] = {**model, "operations": operations}
            return cut

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Auditor:
    """Reads one scope with one boto3 session (thread-safe: clients are made under a lock)."""

    def __init__(
        self,
        session: boto3.session.Session,
        *,
        role_name: str = DEFAULT_ROLE_NAME,
        concurrency: int = DEFAULT_CONCURRENCY,
        stale_after: dt.timedelta = delivery.DEFAULT_STALE_AFTER,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._session = session
        self._role_name = role_name
        self._concurrency = concurrency
        self._stale_after = stale_after
        self._clock = clock or utc_now  # aware UTC: the proofs' now, and when assumed credentials expire
        self._config = Config(retries={"mode": "adaptive", "max_attempts": MAX_ATTEMPTS},
                              user_agent_extra="cfn-flowlogs-audit")  # fmt: skip
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._members: dict[str, tuple[botocore.session.Session, DeferredRefreshableCredentials]] = {}
        self._caller: str | None = None
        self._partition = "aws"
        self._home = session.region_name or "us-east-1"
        self._calls = 0
        self._calls_lock = threading.Lock()
        self._assuming = threading.BoundedSemaphore(MAX_ASSUMING)
        self._loader = _OnlyAuditCalls(session._session.get_component("data_loader"))
        self.operations: set[tuple[bool, str]] = set()  # (through a member's role?, "<prefix>:<Operation>")

    def _record(self, member: bool, model: Any, **_: Any) -> None:
        """Count a call and note its operation (once per call made, answered or not)."""
        with self._calls_lock:
            self._calls += 1
            self.operations.add((member, f"{model.service_model.endpoint_prefix}:{model.name}"))

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
                if who == CALLER:
                    found = self._session.client(service, region_name=region, config=self._config)  # type: ignore[call-overload]
                else:
                    member, _ = self._member(who)
                    found = member.create_client(service, region_name=region, config=self._config)
                # Before any other handler (a Stubber's answers there): every call is seen.
                found.meta.events.register_first("before-call.*.*", partial(self._record, who != CALLER))
                self._clients[key] = found
            return found

    def role_arn(self, account: str) -> str:
        return f"arn:{self._partition}:iam::{account}:role/{self._role_name}"

    def _member(self, account: str) -> tuple[botocore.session.Session, DeferredRefreshableCredentials]:
        """The account's session (made once, under the lock): the caller's events, configuration
        and loaded service models, and credentials of the role, assumed at first use and again
        before they expire (botocore's refreshable credentials: from 15 minutes before expiry, and
        every call waits for them from 10 minutes before)."""
        found = self._members.get(account)
        if found is None:
            credentials = DeferredRefreshableCredentials(
                partial(self._assume, self.role_arn(account)), "assume-role", time_fetcher=self._clock
            )
            caller = self._session._session  # boto3 keeps its botocore session there
            member = botocore.session.Session(event_hooks=caller.get_component("event_emitter"),
                                              include_builtin_handlers=False)  # fmt: skip
            for variable in ("profile", "config_file", "credentials_file"):  # the caller's configuration
                member.set_config_variable(variable, caller.get_config_variable(variable))
            member.register_component("data_loader", self._loader)
            member.register_component("credential_provider", CredentialResolver([_Credentials(credentials)]))
            found = self._members[account] = (member, credentials)
        return found

    def _assume(self, arn: str) -> dict[str, str]:
        """New credentials of the role, as botocore's refreshable credentials take them."""
        sts = self.client("sts", CALLER, self._home)
        with self._assuming:
            assumed = sts.assume_role(RoleArn=arn, RoleSessionName=SESSION_NAME)["Credentials"]
        expiry = assumed["Expiration"]  # a datetime as boto3 parses it
        return {
            "access_key": assumed["AccessKeyId"],
            "secret_key": assumed["SecretAccessKey"],
            "token": assumed["SessionToken"],
            "expiry_time": expiry.isoformat() if isinstance(expiry, dt.datetime) else str(expiry),
        }

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
        self._partition = partition = str(identity["Arn"]).split(":")[1]
        self._home = home
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
        if not accounts:  # nothing to read is no pass: say what holds no account
            where = ("the organization's account listing" if kind == "organization"
                     else "the organizational units " + ", ".join(request.organizational_units))  # fmt: skip
            raise AuditError(f"no account to audit: {where} holds no ACTIVE account", EXIT_UNREADABLE)
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
        """Every VPC of every account and region in scope, each flow log with its proof of
        delivery; what cannot be read, as Unreadable."""
        update = progress.update if progress is not None else lambda what, done, total: None
        start = time.perf_counter()
        window = Window(self._clock(), self._stale_after)
        vpcs: list[Vpc] = []
        unreadable: list[Unreadable] = []
        proofs: dict[str, Proof] = {}
        with ThreadPoolExecutor(max_workers=self._concurrency, thread_name_prefix="cfn-flowlogs-audit") as pool:
            opened = []
            openings = [pool.submit(self._open, account, scope) for account in scope.accounts]
            for done, opening in enumerate(as_completed(openings)):
                opened.append(opening.result())
                update("accounts opened", done + 1, len(scope.accounts))
            tasks = sorted((account, region) for account, regions, _ in opened for region in regions)
            unreadable += [u for _, _, lost in opened for u in lost]
            total, read, proving, proven = len(tasks) + len(unreadable), len(unreadable), 0, 0
            # Each account-region read starts its proofs at once, beside the reads still running.
            # Finished work arrives on a queue: waiting on every pending future at each step would
            # cost the number of futures, each time.
            finished: queue.SimpleQueue[tuple[Future[Any], bool]] = queue.SimpleQueue()

            def submit(work: Callable[[], Any], is_read: bool) -> None:
                pool.submit(work).add_done_callback(lambda future: finished.put((future, is_read)))

            for account, region in tasks:
                submit(partial(self._read, account, region), True)
            outstanding = len(tasks)
            while outstanding:
                future, is_read = finished.get()
                outstanding -= 1
                if is_read:
                    result = future.result()
                    read += 1
                    if isinstance(result, Unreadable):
                        unreadable.append(result)
                        continue
                    vpcs += result.vpcs
                    jobs, known = self._proof_jobs(result, window)
                    proofs.update(known)
                    proving += len(jobs)
                    outstanding += len(jobs)
                    for job in jobs:
                        submit(job, False)
                else:
                    proofs.update(future.result())
                    proven += 1
                update(f"account-regions read {read}/{total}, destinations proven", proven, proving)
        if progress is not None:
            progress.clear()
        vpcs = [replace(vpc, flow_logs=tuple(log.proven(proofs[log.flow_log_id]) for log in vpc.flow_logs))
                for vpc in vpcs]  # fmt: skip
        vpcs.sort(key=lambda v: (v.account_id, v.region, v.vpc_id))
        unreadable.sort(key=lambda u: (u.account_id, u.region or ""))
        regions = tuple(sorted({region for _, region in tasks}))
        seconds = time.perf_counter() - start
        return Collected(tuple(vpcs), tuple(unreadable), regions, total, self.calls, seconds, window)

    def _open(self, account: str, scope: Scope) -> tuple[str, tuple[str, ...], tuple[Unreadable, ...]]:
        """The account's credentials (assumed unless it is the caller's) and regions."""
        try:
            if account != scope.caller_account:
                with self._lock:
                    _, credentials = self._member(account)
                try:
                    credentials.get_frozen_credentials()  # the first AssumeRole: a refusal is the account's error
                except (ClientError, BotoCoreError) as error:
                    raise _NotRead(f"cannot assume {self.role_arn(account)}: {describe(error)}") from None
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

    def _read(self, account: str, region: str) -> _Region | Unreadable:
        """The account's VPCs in `region`: 1 call without VPCs, 3 with flow logs (their VPCs' network
        interfaces too), one more if a subnet has a flow log; more pages where a list is long."""
        ec2 = self.client("ec2", account, region)
        try:
            vpcs = _all(ec2, "describe_vpcs", "Vpcs")
            if not vpcs:
                return _Region(account, region, [], None)
            flow_logs = _all(ec2, "describe_flow_logs", "FlowLogs")
            subnets = interfaces = None
            if any(str(f.get("ResourceId", "")).startswith("subnet-") for f in flow_logs):
                subnets = _all(ec2, "describe_subnets", "Subnets")
            if flow_logs:  # who each interface flow log is for, and which VPC is idle
                interfaces = _all(ec2, "describe_network_interfaces", "NetworkInterfaces")
        except (ClientError, BotoCoreError) as error:
            return Unreadable(account, region, describe(error))
        records = vpcs_from_api(account, region, vpcs, flow_logs, subnets, interfaces)
        said = self._enrolment(account, region, [vpc.vpc_id for vpc in records])
        records = [replace(vpc, enrolment=said.get(vpc.vpc_id)) for vpc in records]
        return _Region(account, region, records, interfaces)

    def _enrolment(self, account: str, region: str, vpcs: list[str]) -> dict[str, str]:
        """What the enrolment's status parameters say of each VPC (audit/enrolment.py)."""
        try:
            ssm = self.client("ssm", account, region)
            pages = ssm.get_paginator("get_parameters_by_path").paginate(
                Path=ENROLMENT_STATUS_PATH,
                PaginationConfig={"PageSize": 10},  # SSM's most per page
            )
            found = [parameter for page in pages for parameter in page.get("Parameters", [])]
        except (ClientError, BotoCoreError) as error:
            return enrolment.notes((), vpcs, self._clock(), describe(error))
        return enrolment.notes(found, vpcs, self._clock())

    # --- proof of delivery ----------------------------------------------------------------------

    def _proof_jobs(
        self, read: _Region, window: Window
    ) -> tuple[list[Callable[[], dict[str, Proof]]], dict[str, Proof]]:
        """The proofs an account-region needs: a job per log group and per S3 flow log, and the
        verdicts known without a call (Firehose, a destination that cannot be read)."""
        jobs: list[Callable[[], dict[str, Proof]]] = []
        known: dict[str, Proof] = {}
        groups: dict[str, dict[str, frozenset[str]]] = {}
        for log in (log for vpc in read.vpcs for log in vpc.flow_logs):
            kind = log.log_destination_type
            if kind == "cloud-watch-logs":
                group = delivery.log_group_name(log.log_destination)
                if group is None:
                    known[log.flow_log_id] = delivery.unverifiable(f"no log group in {log.log_destination!r}")
                else:
                    groups.setdefault(group, {})[log.flow_log_id] = interfaces_of(log, read.interfaces or ())
            elif kind == "s3":
                jobs.append(partial(self._prove_s3, read.account, read.region, log, window))
            elif kind == "kinesis-data-firehose":
                known[log.flow_log_id] = delivery.unverifiable(delivery.FIREHOSE)
            else:
                known[log.flow_log_id] = delivery.unverifiable(f"destination type {kind!r} is not one the audit reads")
        jobs += [partial(self._prove_log_group, read.account, read.region, group, wanted, window)
                 for group, wanted in sorted(groups.items())]  # fmt: skip
        return jobs, known

    def _prove_log_group(
        self, account: str, region: str, group: str, wanted: Mapping[str, frozenset[str]], window: Window
    ) -> dict[str, Proof]:
        """The group's streams, newest event first, until each flow log's interfaces are found."""
        try:
            logs = self.client("logs", account, region)
            pages = logs.get_paginator("describe_log_streams").paginate(
                logGroupName=group, orderBy="LastEventTime", descending=True, PaginationConfig={"PageSize": 50}
            )
            return delivery.prove_log_group(group, pages, wanted, window)
        except ClientError as error:
            if _code(error) == "ResourceNotFoundException":
                return {log: Proof(delivery.NONE, None, f"log group {group} does not exist") for log in wanted}
            return {log: delivery.unverifiable(f"cannot read log group {group}: {describe(error)}") for log in wanted}
        except BotoCoreError as error:
            return {log: delivery.unverifiable(f"cannot read log group {group}: {describe(error)}") for log in wanted}

    def _prove_s3(self, account: str, region: str, log: FlowLog, window: Window) -> dict[str, Proof]:
        """The flow log's newest object in the partitions that overlap the window, newest first."""
        destination = delivery.s3_destination(log.log_destination)
        if destination is None:
            return {log.flow_log_id: delivery.unverifiable(f"no bucket in {log.log_destination!r}")}
        hive, per_hour = bool(log.hive_compatible_partitions), bool(log.per_hour_partition)
        where = delivery.s3_where(destination.bucket, account, region, log.flow_log_id,
                                  subfolder=destination.subfolder, hive=hive)  # fmt: skip
        prefixes = delivery.object_prefixes(account, region, log.flow_log_id, window,
                                            subfolder=destination.subfolder, hive=hive, per_hour=per_hour)  # fmt: skip
        try:
            # One S3 client per account (botocore follows a bucket to its region, once per client).
            s3 = self.client("s3", account, self._home)
            for prefix in prefixes:
                newest = _newest(s3, destination.bucket, prefix)
                if newest is not None:
                    return {log.flow_log_id: delivery.found(newest, window, where)}
        except ClientError as error:
            if _code(error) == "NoSuchBucket":
                return {log.flow_log_id: Proof(delivery.NONE, None, f"{where}: the bucket does not exist")}
            why = f"cannot list {where}: {describe(error)}"
            if _code(error) in _DENIED:
                why += " (the role needs s3:ListBucket there: the archive's reader grant, audit_role_name, gives it)"
            return {log.flow_log_id: delivery.unverifiable(why)}
        except BotoCoreError as error:
            return {log.flow_log_id: delivery.unverifiable(f"cannot list {where}: {describe(error)}")}
        return {log.flow_log_id: delivery.nothing(window, where)}


def _newest(s3: Any, bucket: str, prefix: str) -> dt.datetime | None:
    """The newest LastModified under `prefix` (a bounded number of pages)."""
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=prefix, PaginationConfig={"MaxItems": delivery.MAX_OBJECT_PAGES * 1000}
    )
    stamps = [item["LastModified"] for page in pages for item in page.get("Contents", [])]
    return max(stamps, default=None)


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
