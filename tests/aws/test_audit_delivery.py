"""The audit's proof of delivery on the local endpoint: flow logs to S3 and to CloudWatch Logs with
fresh data, stale data, no data and data in the wrong place (another account's prefix, another
flow log's objects, another interface's stream), an idle VPC, the archive in another account (read
through the reader grant, or refused), the exit codes with and without --require-delivery, the
audits that read nothing (exit 3, no plan written), and an audit that outlives its role sessions.

moto delivers no flow log data: the tests write it where VPC Flow Logs would, with the key layout
and object names of AWS's "Flow log files" page spelled out here (not computed by the code under
test), and a log stream per interface named by its ID. moto does not evaluate bucket policies, so a
bucket the audit role may not list is simulated at the boto3 boundary, as tests/aws/test_audit.py
does for AssumeRole.
"""

from __future__ import annotations

import datetime as dt
import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cfn_flowlogs.audit import collect
from cfn_flowlogs.config.audit_calls import MEMBER_CALLS, member_actions

from .auditing import R1, Audit, Member, denying
from .endpoint import Aws

NOW = dt.datetime.now(dt.timezone.utc)
DAYS_AGO = NOW - dt.timedelta(days=3)
LOGS_BUCKET = "cfn-flowlogs-delivery-logs"
ARCHIVE_BUCKET = "cfn-flowlogs-delivery-archive"


def s3_key(account: str, region: str, flow_log: str, moment: dt.datetime, *, owner: str | None = None) -> str:
    """Where VPC Flow Logs puts an object, per AWS's page: `AWSLogs/<account>/vpcflowlogs/<region>/
    yyyy/MM/dd/<account>_vpcflowlogs_<region>_<flow log ID>_<yyyyMMddTHHmmZ>_<hash>.log.gz`.
    `owner` writes it under another account's prefix."""
    where = owner or account
    return (f"AWSLogs/{where}/vpcflowlogs/{region}/{moment:%Y/%m/%d}/"
            f"{account}_vpcflowlogs_{region}_{flow_log}_{moment:%Y%m%dT%H%MZ}_0123abcd.log.gz")  # fmt: skip


@dataclass(frozen=True)
class Delivery:
    account: str
    vpcs: dict[str, str]  # label -> VPC ID
    flow_logs: dict[str, str]  # label -> flow log ID
    archive: str  # the log-archive account


@pytest.fixture(scope="module")
def delivery(aws: Aws) -> Delivery:
    """One account of its own with, in R1, a VPC (and an interface) per case:

    s3-fresh, s3-stale (its object three days old), s3-none, s3-wrong (objects of its flow log ID
    only under another account's prefix, and the other flow logs' own objects beside it);
    cwl-fresh, cwl-stale (last event three days ago), cwl-none (an empty log group), cwl-wrong
    (the log group holds another interface's fresh stream); archive (S3, to a bucket of the
    log-archive account, fresh); idle (a CloudWatch Logs flow log, no interface, no data); and the
    default VPC, with a subnet's flow log and a VPC flow log, idle.
    """
    from .accounts import organization

    org = organization(aws)
    status = aws.client("organizations").create_account(Email="audit-delivery@example.com", AccountName="delivery")
    member = Member(aws, status["CreateAccountStatus"]["AccountId"])
    archive = Member(aws, org.log_archive.id)
    ec2, logs = member.client("ec2"), member.client("logs")
    member.client("s3").create_bucket(Bucket=LOGS_BUCKET)
    archive.client("s3").create_bucket(Bucket=ARCHIVE_BUCKET)
    vpcs: dict[str, str] = {}
    flow_logs: dict[str, str] = {}
    interfaces: dict[str, str] = {}
    for number, label in enumerate(
        ("s3-fresh", "s3-stale", "s3-none", "s3-wrong", "cwl-fresh", "cwl-stale", "cwl-none", "cwl-wrong", "archive")
    ):
        vpcs[label] = member.vpc(R1, f"delivery-{label}", f"10.{50 + number}.0.0/16")
        subnet = ec2.create_subnet(VpcId=vpcs[label], CidrBlock=f"10.{50 + number}.1.0/24")["Subnet"]["SubnetId"]
        interfaces[label] = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
        if label.startswith("s3") or label == "archive":
            bucket = ARCHIVE_BUCKET if label == "archive" else LOGS_BUCKET
            flow_logs[label] = member.flow_log(R1, "VPC", vpcs[label], "ALL", bucket=bucket)
        else:
            flow_logs[label] = member.flow_log(R1, "VPC", vpcs[label], "ALL", log_group=f"delivery-{label}")
    vpcs["idle"] = member.vpc(R1, "delivery-idle", "10.70.0.0/16")
    flow_logs["idle"] = member.flow_log(R1, "VPC", vpcs["idle"], "REJECT", log_group="delivery-idle")
    vpcs["default"] = member.default_vpc(R1)
    member.flow_log(R1, "Subnet", member.default_subnet(R1), "ALL", log_group="delivery-default-subnet")
    flow_logs["default"] = member.flow_log(R1, "VPC", vpcs["default"], "ALL", log_group="delivery-default")

    def put(bucket: str, key: str) -> None:
        owner = archive if bucket == ARCHIVE_BUCKET else member
        owner.client("s3").put_object(Bucket=bucket, Key=key, Body=gzip.compress(b"version account-id\n"))

    account = member.id
    put(LOGS_BUCKET, s3_key(account, R1, flow_logs["s3-fresh"], NOW - dt.timedelta(minutes=10)))
    put(LOGS_BUCKET, s3_key(account, R1, flow_logs["s3-stale"], DAYS_AGO))
    put(LOGS_BUCKET, s3_key(account, R1, flow_logs["s3-wrong"], NOW, owner=org.workload.id))  # another account's prefix
    put(ARCHIVE_BUCKET, s3_key(account, R1, flow_logs["archive"], NOW - dt.timedelta(minutes=5)))

    def event(label: str, stream: str, moment: dt.datetime) -> None:
        group = f"delivery-{label}"
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        events = [{"timestamp": int(moment.timestamp() * 1000), "message": "2 123 eni - - - - - - - 1 2 - NODATA"}]
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)

    event("cwl-fresh", interfaces["cwl-fresh"], NOW - dt.timedelta(minutes=20))
    event("cwl-stale", interfaces["cwl-stale"], DAYS_AGO)
    event("cwl-wrong", interfaces["cwl-fresh"], NOW)  # another VPC's interface, in cwl-wrong's group
    return Delivery(account, vpcs, flow_logs, archive.id)


def rows(delivery: Delivery, done: Any) -> dict[str, dict[str, Any]]:
    labels = {vpc: label for label, vpc in delivery.vpcs.items()}
    return {labels[row["vpc_id"]]: row for row in done.rows() if row["vpc_id"] in labels}


EXPECTED = {
    "s3-fresh": ("covered", "delivering"), "s3-stale": ("silent", "none"), "s3-none": ("silent", "none"),
    "s3-wrong": ("silent", "none"), "cwl-fresh": ("covered", "delivering"), "cwl-stale": ("silent", "stale"),
    "cwl-none": ("silent", "none"), "cwl-wrong": ("silent", "none"), "archive": ("covered", "delivering"),
    "idle": ("covered", "none"), "default": ("covered", "none"),
}  # fmt: skip


def test_each_flow_log_is_proven_at_its_destination(delivery: Delivery, audit: Audit):
    # WHEN the account is audited as JSON (the default window: 24 hours)
    done = audit("--accounts", delivery.account, "--regions", R1, "--format", "json")
    found = rows(delivery, done)
    # THEN each VPC's status follows what its flow log's destination holds
    assert {label: (row["status"], row["flow_logs"][-1]["delivery"]) for label, row in found.items()} == EXPECTED
    # AND last_delivery is when the newest data arrived, ISO 8601 UTC, or null
    fresh = dt.datetime.fromisoformat(found["cwl-fresh"]["last_delivery"].replace("Z", "+00:00"))
    assert abs(fresh - (NOW - dt.timedelta(minutes=20))) < dt.timedelta(seconds=1)
    stale = found["cwl-stale"]["flow_logs"][0]
    assert stale["last_delivery"] == f"{DAYS_AGO:%Y-%m-%dT%H:%M:%S}Z" and found["cwl-stale"]["last_delivery"]
    assert found["s3-fresh"]["last_delivery"] and found["archive"]["last_delivery"]
    assert [found[label]["last_delivery"] for label in ("s3-stale", "s3-none", "s3-wrong", "cwl-none")] == [None] * 4
    # AND the reasons say where the audit looked
    wrong = found["s3-wrong"]["reason"]
    assert f"s3://{LOGS_BUCKET}/AWSLogs/{delivery.account}/vpcflowlogs/{R1}/" in wrong and "no data since" in wrong
    assert "no stream of its 1 interface" in found["cwl-wrong"]["reason"]
    assert found["idle"]["reason"].endswith("idle: no network interface, so no record to deliver")
    assert found["idle"]["interfaces"] == 0 and found["cwl-none"]["interfaces"] == 1
    # AND without --require-delivery the silent VPCs exit 0, with a warning
    assert done.code == 0, done.err
    assert "warning: 6 silent VPC(s): flow logs without proof of delivery within 24h" in done.err


def test_require_delivery_fails_on_silent_and_a_wider_window_finds_stale_data(delivery: Delivery, audit: Audit):
    scope = ("--accounts", delivery.account, "--regions", R1, "--format", "json")
    # WHEN delivery is required THEN the silent VPCs count as not covered: exit 1
    assert audit(*scope, "--require-delivery").code == 1
    # AND with a window of four days the three-day-old data is delivering (S3 and CloudWatch Logs)
    done = audit(*scope, "--stale-after", "4d", "--require-delivery")
    found = rows(delivery, done)
    assert (found["s3-stale"]["status"], found["cwl-stale"]["status"]) == ("covered", "covered")
    # AND with a window of one minute, data twenty minutes old is stale: the same data, another verdict
    found = rows(delivery, audit(*scope, "--stale-after", "1m"))
    assert (found["cwl-fresh"]["status"], found["cwl-fresh"]["flow_logs"][0]["delivery"]) == ("silent", "stale")


def refusing_the_archive(monkeypatch: pytest.MonkeyPatch, bucket: str) -> None:
    """The audit's session, with S3 refusing ListObjectsV2 on `bucket` (no reader grant)."""
    original = collect.open_session

    def refuse(params: dict[str, Any], **_: Any) -> None:
        if params.get("Bucket") == bucket:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "ListObjectsV2")

    def session() -> Any:
        opened = original()
        opened.events.register("provide-client-params.s3.ListObjectsV2", refuse)
        return opened

    monkeypatch.setattr(collect, "open_session", session)


def test_an_archive_the_role_may_not_list_is_unverifiable_never_an_error(
    delivery: Delivery, audit: Audit, monkeypatch: pytest.MonkeyPatch
):
    # GIVEN the archive's bucket refuses the member's listing (its policy has no reader grant)
    refusing_the_archive(monkeypatch, ARCHIVE_BUCKET)
    # WHEN the account is audited
    done = audit("--accounts", delivery.account, "--regions", R1, "--format", "json")
    found = rows(delivery, done)
    # THEN the archive's VPC is unverifiable, with the reason, and the account is read (no error row)
    assert found["archive"]["status"] == "unverifiable"
    assert (
        "ListObjectsV2: AccessDenied: Access Denied (the role needs s3:ListBucket there" in found["archive"]["reason"]
    )
    assert not [row for row in done.rows() if row["status"] == "error"] and done.code == 0
    assert "1 unverifiable VPC(s)" in done.err


def test_the_audit_role_policy_is_exactly_what_an_audit_calls(delivery: Delivery, audit: Audit):
    # WHEN the account is audited in every enabled region (S3, CloudWatch Logs, a subnet's flow log)
    done = audit("--accounts", delivery.account, "--regions", "all", "--format", "json")
    assert done.code in (0, 1), done.err
    # THEN every call made through the role is in config/audit_calls.py (the `audit` fixture checks
    # each run), and every action of the audit role's policy was needed by some call
    needed = {MEMBER_CALLS[operation] for member, operation in done.operations if member}
    assert needed == set(member_actions())


def test_an_audit_that_reads_nothing_exits_3_and_writes_no_plan(
    delivery: Delivery, audit: Audit, aws: Aws, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    plan = tmp_path / "plan.yaml"
    options = ("--write-plan", str(plan), "--archive-bucket-arn", f"arn:aws:s3:::{ARCHIVE_BUCKET}")
    # GIVEN an OU that holds no account WHEN it is audited THEN exit 3, one line, nothing written
    orgs = aws.client("organizations")
    root = orgs.list_roots()["Roots"][0]["Id"]
    empty = orgs.create_organizational_unit(ParentId=root, Name="delivery-empty")["OrganizationalUnit"]["Id"]
    done = audit("--organizational-units", empty, *options)
    assert (done.code, done.out) == (3, "")
    assert done.err == f"cfn-flowlogs: error: no account to audit: the organizational units {empty} holds no " \
        "ACTIVE account\n"  # fmt: skip
    # GIVEN an account whose role cannot be assumed WHEN it alone is audited
    denying(monkeypatch, roles_in={delivery.account})
    done = audit("--accounts", delivery.account, "--regions", R1, *options)
    # THEN exit 3: the error row, and a last line saying nothing was read; no plan
    assert done.code == 3
    assert done.err.splitlines()[-1] == "cfn-flowlogs: error: read nothing: none of its 1 account-regions could be " \
        "read (each is listed above); no plan written"  # fmt: skip
    assert not plan.exists()


def test_the_callers_own_account_unreadable_in_every_region_exits_3(audit: Audit, monkeypatch: pytest.MonkeyPatch):
    # GIVEN EC2 throttles the caller's account past every retry in R1 WHEN it alone is audited there
    denying(monkeypatch, roles_in=set(), throttle=R1)
    from .endpoint import ACCOUNT

    done = audit("--accounts", ACCOUNT, "--regions", R1)
    # THEN exit 3, never "all covered"
    assert done.code == 3 and "read nothing" in done.err.splitlines()[-1]


class Clock:
    """A clock the test moves: the audit's now, and when its role sessions expire."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now


def test_an_audit_longer_than_a_role_session_refreshes_it(
    delivery: Delivery, audit: Audit, monkeypatch: pytest.MonkeyPatch
):
    # GIVEN role sessions that last an hour on a clock that moves 25 minutes with each region read
    clock = Clock()
    monkeypatch.setattr(collect, "utc_now", clock)
    sessions: list[dt.datetime] = []
    original = collect.open_session

    def an_hour(parsed: dict[str, Any], **_: Any) -> None:
        parsed["Credentials"]["Expiration"] = clock() + dt.timedelta(hours=1)
        sessions.append(clock())

    def later(**_: Any) -> None:
        clock.now += dt.timedelta(minutes=25)

    def session() -> Any:
        opened = original()
        opened.events.register("after-call.sts.AssumeRole", an_hour)
        opened.events.register("before-call.ec2.DescribeVpcs", later)
        return opened

    monkeypatch.setattr(collect, "open_session", session)
    # WHEN the account is audited in four regions, one at a time: 100 minutes
    regions = f"{R1},eu-west-1,us-west-2,ap-southeast-2"
    done = audit("--accounts", delivery.account, "--regions", regions, "--concurrency", "1", "--format", "json")
    # THEN the role was assumed again before each session expired, and no region is an error row
    assert len(sessions) >= 2 and sessions[-1] - sessions[0] >= dt.timedelta(minutes=45)
    assert [row for row in done.rows() if row["status"] == "error"] == []
    assert {row["region"] for row in done.rows()} == set(regions.split(","))
