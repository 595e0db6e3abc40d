"""Proof of delivery without AWS: where each flow log's data must appear (the layout's partitions
and object names, the log group's streams), what was found there means, and the collector's calls
against botocore's Stubber (never the whole bucket, the streams newest first and bounded, a refused
listing unverifiable, never an error); assumed-role credentials refreshed on a fake clock; every
call the audit makes is one the audit role's policy holds, and the policy holds nothing more."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from cfn_flowlogs.audit import delivery
from cfn_flowlogs.audit.delivery import Window
from cfn_flowlogs.config.audit_calls import CALLER_CALLS, MEMBER_CALLS, member_actions
from cfn_flowlogs.config.marks import ENROLMENT_STATUS_PATH

from . import calls

ACCOUNT, OTHER = "111122223333", "444455556666"
REGION = "eu-west-1"
NOW = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.timezone.utc)
WINDOW = Window(NOW, dt.timedelta(hours=24))  # cutoff 2026-03-01T01:30:00Z
ENI_1, ENI_2, ENI_3 = "eni-0aaaaaaaaaaaaaaa1", "eni-0aaaaaaaaaaaaaaa2", "eni-0aaaaaaaaaaaaaaa3"


def ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


# --- where the data must appear ------------------------------------------------------------------


def test_the_partitions_that_overlap_the_window_newest_first():
    days = delivery.partitions(WINDOW, per_hour=False)
    assert days == [dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc), dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)]
    hours = delivery.partitions(WINDOW, per_hour=True)
    # 01:00 of the first day still overlaps (it ends at 02:00, after the cutoff 01:30): 25 hours
    assert (len(hours), hours[0], hours[-1]) == (
        25,
        NOW.replace(minute=0),
        dt.datetime(2026, 3, 1, 1, tzinfo=dt.timezone.utc),
    )
    assert delivery.partitions(Window(NOW, dt.timedelta(minutes=20)), per_hour=True) == [NOW.replace(minute=0)]


@pytest.mark.parametrize(
    ("options", "first", "last"),
    [
        ({}, "AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/03/02/111122223333_vpcflowlogs_eu-west-1_fl-1_",
         "AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/03/01/111122223333_vpcflowlogs_eu-west-1_fl-1_"),
        ({"subfolder": "org/flow", "hive": True, "per_hour": True},
         "org/flow/AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/"
         "month=03/day=02/hour=01/111122223333_vpcflowlogs_eu-west-1_fl-1_",
         "org/flow/AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/"
         "month=03/day=01/hour=01/111122223333_vpcflowlogs_eu-west-1_fl-1_"),
    ],
)  # fmt: skip
def test_object_prefixes_go_down_to_the_flow_logs_own_object_names(options, first, last):
    # GIVEN AWS's documented layout ("Flow log files") WHEN a flow log's prefixes are computed
    prefixes = delivery.object_prefixes(ACCOUNT, REGION, "fl-1", WINDOW, **options)
    # THEN each partition, newest first, down to `<account>_vpcflowlogs_<region>_<flow log ID>_`
    assert (prefixes[0], prefixes[-1]) == (first, last)


@pytest.mark.parametrize(
    ("destination", "found"),
    [
        ("arn:aws:s3:::org-archive", ("org-archive", "")),
        ("arn:aws:s3:::org-archive/", ("org-archive", "")),
        ("arn:aws:s3:::org-archive/org/flow/", ("org-archive", "org/flow")),
        ("arn:aws-cn:s3:::org-archive/org/", ("org-archive", "org")),
        ("org-archive", None),
        ("arn:aws:logs:eu-west-1:111122223333:log-group:g", None),
        (None, None),
    ],
)
def test_the_bucket_and_subfolder_of_a_log_destination(destination, found):
    parsed = delivery.s3_destination(destination)
    assert (parsed.bucket, parsed.subfolder) == found if found else parsed is None


@pytest.mark.parametrize(
    ("destination", "group"),
    [
        ("arn:aws:logs:eu-west-1:111122223333:log-group:/vpc/flow-logs:*", "/vpc/flow-logs"),
        ("arn:aws:logs:eu-west-1:111122223333:log-group:vpc-flow-logs", "vpc-flow-logs"),
        ("vpc-flow-logs", "vpc-flow-logs"),
        ("arn:aws:s3:::bucket", None),
        (None, None),
    ],
)
def test_the_log_group_of_a_log_destination(destination, group):
    assert delivery.log_group_name(destination) == group


@pytest.mark.parametrize(
    ("stream", "interface"),
    [(ENI_1, ENI_1), (f"{ENI_1}-all", ENI_1), ("eni-1234abcd", "eni-1234abcd"), ("aws-logs-write-test", None)],
)
def test_a_stream_is_its_interfaces_by_name_or_name_prefix(stream, interface):
    assert delivery.interface_of(stream) == interface


# --- what the streams of a log group show ---------------------------------------------------------


def stream(name: str, moment: dt.datetime | None) -> dict[str, Any]:
    return {"logStreamName": name, **({"lastEventTimestamp": ms(moment)} if moment else {})}


class Pages:
    """DescribeLogStreams responses, newest first, counting how many were read."""

    def __init__(self, *pages: list[dict[str, Any]], more: bool = False) -> None:
        self.pages, self.more, self.read = pages, more, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for index, page in enumerate(self.pages):
            self.read += 1
            last = index == len(self.pages) - 1
            yield {"logStreams": page, **({} if last and not self.more else {"nextToken": f"t{index}"})}


HOUR = dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("pages", "verdict", "last", "reason"),
    [
        # fresh: the interface's stream, named with the old `-all` suffix, has an event an hour ago
        (Pages([stream("eni-0fffffffffffffff9", NOW), stream(f"{ENI_2}-all", NOW - HOUR)]), "delivering",
         NOW - HOUR, f"log group g (stream {ENI_2}-all): newest data 2026-03-02T00:30:00Z"),
        # stale: its newest event is three days old
        (Pages([stream(ENI_1, NOW - 72 * HOUR)]), "stale", NOW - 72 * HOUR, "newest data 2026-02-27T01:30:00Z"),
        # no data: the whole group read, no stream of its interfaces (nor a stream without events)
        (Pages([stream("eni-0fffffffffffffff9", NOW)], [stream(ENI_3, None)]), "none", None,
         "log group g: no stream of its 2 interfaces"),
        # the bound reached among streams older than the window: none of its is newer
        (Pages(*[[stream("eni-0fffffffffffffff9", NOW - 30 * HOUR)]] * 10, more=True), "none", None,
         "log group g: no stream of its 2 interfaces has an event since 2026-03-01T01:30:00Z (the newest 10 "
         "streams read)"),
        # the bound reached among other flow logs' fresh streams: it may be further down
        (Pages(*[[stream("eni-0fffffffffffffff9", NOW)]] * 10, more=True), "unverifiable", None,
         "log group g holds other flow logs' streams: no stream of its 2 interfaces is among the newest 10"),
    ],
)  # fmt: skip
def test_proof_from_a_log_groups_streams(pages, verdict, last, reason):
    # GIVEN a flow log whose VPC has two interfaces WHEN the group's streams are read newest first
    proofs = delivery.prove_log_group("g", pages, {"fl-1": frozenset({ENI_1, ENI_2})}, WINDOW)
    # THEN its verdict, when its newest data arrived, and why
    (proof,) = proofs.values()
    assert (proof.verdict, proof.last_delivery) == (verdict, last)
    assert reason in proof.reason
    # AND never more than the bound of pages is read
    assert pages.read <= delivery.MAX_STREAM_PAGES


def test_one_pass_over_a_group_serves_every_flow_log_in_it_and_stops_when_all_are_found():
    # GIVEN three flow logs to one group: two VPCs', an idle VPC's WHEN its streams are read
    pages = Pages([stream(ENI_1, NOW)], [stream(ENI_2, NOW - HOUR)], [stream(ENI_3, NOW - 2 * HOUR)], more=True)
    wanted = {"fl-1": frozenset({ENI_1}), "fl-2": frozenset({ENI_2}), "fl-idle": frozenset()}
    proofs = delivery.prove_log_group("g", pages, wanted, WINDOW)
    # THEN both are proven from the first two pages, the third is never asked for
    assert {log: proof.verdict for log, proof in proofs.items()} == {
        "fl-1": "delivering", "fl-2": "delivering", "fl-idle": "none"
    }  # fmt: skip
    assert pages.read == 2
    assert proofs["fl-idle"].reason == "log group g: no network interface, so no log stream"


# --- the collector against botocore's Stubber -----------------------------------------------------

boto3 = pytest.importorskip("boto3")
from botocore.stub import Stubber  # noqa: E402

from cfn_flowlogs.audit import collect  # noqa: E402

IDENTITY = {"UserId": "AIDAEXAMPLE", "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/auditor"}
PAGE = {"MaxResults": 1000}
VPC = "vpc-0a1b2c3d4e5f60718"
BUCKET = "org-flow-log-archive"


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def auditor(monkeypatch) -> Iterator[Any]:
    for variable in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION"):
        monkeypatch.delenv(variable, raising=False)
    session = boto3.session.Session(aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x", region_name=REGION)
    made = collect.Auditor(session, concurrency=1, clock=Clock(NOW))  # one call at a time: a Stubber answers in order
    yield made
    calls.check(made)


def stubbed(auditor: Any, service: str, account: str = collect.CALLER, region: str = REGION) -> Stubber:
    stubber = Stubber(auditor.client(service, account, region))
    stubber.activate()
    return stubber


def one_vpc(auditor: Any, *flow_logs: dict[str, Any], interfaces: int = 2) -> tuple[Any, Stubber]:
    """The caller's account with one VPC, its flow logs and `interfaces` network interfaces."""
    stubbed(auditor, "sts").add_response("get_caller_identity", IDENTITY, {})
    scope = auditor.resolve(collect.Request(regions=(REGION,), accounts=(ACCOUNT,)))
    ec2 = stubbed(auditor, "ec2")
    ec2.add_response("describe_vpcs", {"Vpcs": [{"VpcId": VPC, "OwnerId": ACCOUNT}]}, PAGE)
    ec2.add_response("describe_flow_logs", {"FlowLogs": list(flow_logs)}, PAGE)
    enis = [{"NetworkInterfaceId": f"eni-0aaaaaaaaaaaaaaa{n}", "VpcId": VPC} for n in range(1, interfaces + 1)]
    ec2.add_response("describe_network_interfaces", {"NetworkInterfaces": enis}, PAGE)
    no_enrolment(stubbed(auditor, "ssm"))
    return scope, ec2


def no_enrolment(ssm: Stubber) -> None:
    """The account-region's enrolment status parameters: none (no enrolment there)."""
    ssm.add_response("get_parameters_by_path", {"Parameters": []}, {"Path": ENROLMENT_STATUS_PATH, "MaxResults": 10})


def s3_flow_log(ident: str = "fl-1", destination: str = f"arn:aws:s3:::{BUCKET}", **options: bool) -> dict[str, Any]:
    item = {"FlowLogId": ident, "ResourceId": VPC, "TrafficType": "ALL", "LogDestinationType": "s3",
            "LogDestination": destination, "DeliverLogsStatus": "SUCCESS", "FlowLogStatus": "ACTIVE"}  # fmt: skip
    if options:
        item["DestinationOptions"] = {"FileFormat": "parquet", "HiveCompatiblePartitions": options.get("hive", False),
                                      "PerHourPartition": options.get("per_hour", False)}  # fmt: skip
    return item


def listing(prefix: str, *modified: dt.datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """A ListObjectsV2 response with objects modified at `modified`, and the request it answers."""
    contents = [{"Key": f"{prefix}{moment:%Y%m%dT%H%MZ}_abcdef12.log.gz", "LastModified": moment, "Size": 1}
                for moment in modified]  # fmt: skip
    return {"Contents": contents, "KeyCount": len(contents)}, {"Bucket": BUCKET, "Prefix": prefix}


def test_s3_lists_each_partition_down_to_the_object_names_and_stops_at_the_newest(auditor):
    # GIVEN an S3 flow log whose newest objects are in yesterday's partition
    scope, _ = one_vpc(auditor, s3_flow_log())
    s3 = stubbed(auditor, "s3")
    today, yesterday = delivery.object_prefixes(ACCOUNT, REGION, "fl-1", WINDOW)
    s3.add_response("list_objects_v2", *listing(today))
    s3.add_response("list_objects_v2", *listing(yesterday, NOW - 3 * HOUR, NOW - 2 * HOUR))
    # WHEN the audit runs THEN it listed only the flow log's own prefixes, newest partition first
    (vpc,) = auditor.collect(scope).vpcs
    s3.assert_no_pending_responses()
    (log,) = vpc.flow_logs
    assert (log.delivery, log.last_delivery) == ("delivering", "2026-03-01T23:30:00Z")
    assert log.delivery_reason.startswith(
        f"s3://{BUCKET}/AWSLogs/{ACCOUNT}/vpcflowlogs/{REGION}/.../{ACCOUNT}_vpcflowlogs_{REGION}_fl-1_*: newest data"
    )


def test_s3_with_a_subfolder_and_hive_hourly_partitions_and_no_data(auditor):
    # GIVEN a flow log to a subfolder with Hive-compatible, hourly partitions, and nothing delivered
    scope, _ = one_vpc(auditor, s3_flow_log(destination=f"arn:aws:s3:::{BUCKET}/org/", hive=True, per_hour=True))
    s3 = stubbed(auditor, "s3")
    prefixes = delivery.object_prefixes(ACCOUNT, REGION, "fl-1", WINDOW, subfolder="org", hive=True, per_hour=True)
    assert (
        prefixes[0].startswith(f"org/AWSLogs/aws-account-id={ACCOUNT}/aws-service=vpcflowlogs/") and len(prefixes) == 25
    )
    for prefix in prefixes:
        s3.add_response("list_objects_v2", *listing(prefix))
    # WHEN the audit runs THEN every hour of the window was listed, and the VPC is silent
    (vpc,) = auditor.collect(scope).vpcs
    s3.assert_no_pending_responses()
    (log,) = vpc.flow_logs
    assert (log.delivery, log.last_delivery, log.hive_compatible_partitions) == ("none", None, True)
    assert log.delivery_reason.endswith("no data since 2026-03-01T01:30:00Z")


@pytest.mark.parametrize(
    ("code", "verdict", "reason"),
    [
        ("AccessDenied", "unverifiable", "the archive's reader grant, audit_role_name, gives it"),
        ("NoSuchBucket", "none", "the bucket does not exist"),
        ("SlowDown", "unverifiable", "ListObjectsV2: SlowDown: "),
    ],
)
def test_a_bucket_that_cannot_be_listed_is_that_flow_logs_verdict_never_the_accounts_error(
    auditor, code, verdict, reason
):
    # GIVEN an S3 flow log to a bucket that refuses the listing (another account's, without the grant)
    scope, _ = one_vpc(auditor, s3_flow_log())
    stubbed(auditor, "s3").add_client_error("list_objects_v2", code, "no", 403)
    # WHEN the audit runs THEN the account-region is read, and the flow log's verdict says why
    collected = auditor.collect(scope)
    assert collected.unreadable == ()
    ((log,),) = [vpc.flow_logs for vpc in collected.vpcs]
    assert log.delivery == verdict and reason in log.delivery_reason


def test_firehose_is_unverifiable_without_a_call(auditor):
    firehose = {**s3_flow_log(), "LogDestinationType": "kinesis-data-firehose",
                "LogDestination": f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/flow-logs"}  # fmt: skip
    scope, _ = one_vpc(auditor, firehose)
    collected = auditor.collect(scope)
    ((log,),) = [vpc.flow_logs for vpc in collected.vpcs]
    assert (log.delivery, log.delivery_reason) == ("unverifiable", delivery.FIREHOSE)
    # GetCallerIdentity, DescribeVpcs, DescribeFlowLogs, DescribeNetworkInterfaces, and the enrolment's status
    assert collected.calls == 5


def test_cloudwatch_logs_streams_newest_first_bounded(auditor):
    # GIVEN a CloudWatch Logs flow log to a group whose newest 500 streams are all other VPCs'
    group = {"FlowLogId": "fl-1", "ResourceId": VPC, "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs",
             "LogGroupName": "shared", "DeliverLogsStatus": "SUCCESS"}  # fmt: skip
    scope, _ = one_vpc(auditor, group)
    logs = stubbed(auditor, "logs")
    order = {"logGroupName": "shared", "orderBy": "LastEventTime", "descending": True, "limit": 50}
    for page in range(delivery.MAX_STREAM_PAGES):
        streams = [stream(f"eni-0{page:03d}{n:013d}", NOW) for n in range(50)]
        token = {"nextToken": f"t{page + 1}"}
        logs.add_response("describe_log_streams", {"logStreams": streams, **token},
                          {**order, **({"nextToken": f"t{page}"} if page else {})})  # fmt: skip
    # WHEN the audit runs THEN it reads ten pages and no more: the VPC's delivery is unverifiable
    (vpc,) = auditor.collect(scope).vpcs
    logs.assert_no_pending_responses()
    (log,) = vpc.flow_logs
    assert log.delivery == "unverifiable" and "among the newest 500" in log.delivery_reason


def test_a_missing_log_group_means_no_data(auditor):
    group = {"FlowLogId": "fl-1", "ResourceId": VPC, "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs",
             "LogGroupName": "gone", "DeliverLogsStatus": "SUCCESS"}  # fmt: skip
    scope, _ = one_vpc(auditor, group)
    stubbed(auditor, "logs").add_client_error("describe_log_streams", "ResourceNotFoundException", "no group", 400)
    ((log,),) = [vpc.flow_logs for vpc in auditor.collect(scope).vpcs]
    assert (log.delivery, log.delivery_reason) == ("none", "log group gone does not exist")


def test_an_empty_organization_or_ou_is_no_pass(auditor):
    # GIVEN an organization that lists no ACTIVE account, or an OU that holds none
    sts = stubbed(auditor, "sts")
    sts.add_response("get_caller_identity", IDENTITY, {})
    org = stubbed(auditor, "organizations")
    org.add_response("list_accounts", {"Accounts": [{"Id": OTHER, "State": "SUSPENDED"}]}, {})
    # WHEN the scope is resolved THEN the audit stops with exit 3, saying what held nothing
    with pytest.raises(collect.AuditError) as stopped:
        auditor.resolve(collect.Request())
    assert stopped.value.code == 3
    assert str(stopped.value) == "no account to audit: the organization's account listing holds no ACTIVE account"
    sts.add_response("get_caller_identity", IDENTITY, {})
    org.add_response("list_accounts_for_parent", {"Accounts": []}, {"ParentId": "ou-ab12-34cd56ef"})
    org.add_response(
        "list_organizational_units_for_parent", {"OrganizationalUnits": []}, {"ParentId": "ou-ab12-34cd56ef"}
    )
    with pytest.raises(collect.AuditError, match="the organizational units ou-ab12-34cd56ef holds no ACTIVE account"):
        auditor.resolve(collect.Request(organizational_units=("ou-ab12-34cd56ef",)))


# --- assumed-role credentials outlive an hour ------------------------------------------------------


def assumed(key: str, expires: dt.datetime) -> dict[str, Any]:
    return {"Credentials": {"AccessKeyId": key, "SecretAccessKey": "x" * 40, "SessionToken": "token",
                            "Expiration": expires}}  # fmt: skip


def test_assumed_credentials_are_refreshed_before_they_expire(auditor):
    # GIVEN a member account whose role sessions last an hour, on a clock the test moves
    clock = auditor._clock
    sts = stubbed(auditor, "sts")
    sts.add_response("get_caller_identity", IDENTITY, {})
    auditor.resolve(collect.Request(regions=(REGION,), accounts=(OTHER,)))
    role = {
        "RoleArn": f"arn:aws:iam::{OTHER}:role/OrganizationAccountAccessRole",
        "RoleSessionName": "cfn-flowlogs-audit",
    }
    sts.add_response("assume_role", assumed("ASIAFIRST0000000000", NOW + HOUR), role)
    sts.add_response("assume_role", assumed("ASIASECOND000000000", NOW + 2 * HOUR), role)
    _, credentials = auditor._member(OTHER)
    # WHEN the audit signs requests as time passes
    keys = []
    for minutes in (0, 30, 44, 51, 80, 95):
        clock.now = NOW + dt.timedelta(minutes=minutes)
        keys.append(credentials.get_frozen_credentials().access_key)
    # THEN the first session serves until 15 minutes before it expires, then a new one, never an expired one
    assert keys == [
        "ASIAFIRST0000000000",
        "ASIAFIRST0000000000",
        "ASIAFIRST0000000000",
        "ASIASECOND000000000",
        "ASIASECOND000000000",
        "ASIASECOND000000000",
    ]
    sts.assert_no_pending_responses()


# --- the audit role's policy is exactly the audit's calls ------------------------------------------


def test_the_list_maps_every_call_to_an_action_and_the_policy_holds_each_once():
    assert set(member_actions()) == calls.POLICY_ACTIONS
    assert set(MEMBER_CALLS) & set(CALLER_CALLS) == set()
    assert calls.unlisted({(True, "ec2:DescribeInstances")}) == [
        "ec2:DescribeInstances, made through the audit role, is not in config/audit_calls.py"
    ]
    assert calls.unlisted({(True, "sts:AssumeRole")}) != []  # the caller's call, never the role's
    assert calls.unlisted({(False, "sts:AssumeRole"), (True, "s3:ListObjectsV2")}) == []
