"""The enrolment (cfn_flowlogs/lambda/enrol_vpcs.py) against the local endpoint.

moto runs no Lambda (it needs Docker) and no EventBridge schedule, so the StackSet template is
deployed as a stack (its role from the role template first), and the function's handler is called
here, in this process, with the environment CloudFormation gave the deployed function and boto3
clients of the local endpoint: as Lambda would call it for an event or a sweep. Everything happens
in a Region of its own, so the sweeps touch no VPC of the other deploy tests."""

from __future__ import annotations

import importlib
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cfn_flowlogs.compiler.policies import ENROLMENT_MARK
from cfn_flowlogs.output.render import to_yaml
from cfn_flowlogs.stacks.stackset import build_enrolment_role_template

from .endpoint import Aws, isolated_session

enrol = importlib.import_module("cfn_flowlogs.lambda.enrol_vpcs")  # `lambda` is a keyword
ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-southeast-2"  # no other deploy test uses it: a sweep logs every VPC of its Region
STACK = "StackSet-org-enrolment-local"  # the name a StackSet gives its stack instances' stacks
BUCKET = "enrolment-archive"
SUBFOLDER = "vpc-flow-logs"
DESTINATION = f"arn:aws:s3:::{BUCKET}/{SUBFOLDER}/"
_cidrs = (f"10.{n}.0.0/16" for n in itertools.count(10))


class Region:
    """boto3 clients of the local endpoint in REGION, and the calls made through them, in order."""

    def __init__(self, aws: Aws) -> None:
        session = isolated_session(aws.home, aws_access_key_id="test", aws_secret_access_key="test",
                                   region_name=REGION)  # fmt: skip
        self.made = {name: session.client(name, endpoint_url=aws.endpoint)  # type: ignore[call-overload]
                     for name in ("ec2", "cloudformation", "cloudtrail", "ssm", "lambda")}  # fmt: skip
        self.calls: list[str] = []
        self.made["ec2"].meta.events.register("before-call.ec2.*", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)

    def clients(self, **replaced: Any) -> Any:
        return enrol.Clients(**{**self.made, **replaced})

    @property
    def ec2(self) -> Any:
        return self.made["ec2"]

    def vpc(self, **tags: str) -> str:
        vpc: str = self.ec2.create_vpc(CidrBlock=next(_cidrs))["Vpc"]["VpcId"]
        if tags:
            self.ec2.create_tags(Resources=[vpc], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
        return vpc

    def flow_logs(self, vpc: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc]}])[
            "FlowLogs"
        ]
        return found


@pytest.fixture(scope="module")
def region(aws: Aws) -> Region:
    return Region(aws)


@pytest.fixture(scope="module")
def env(aws: Aws, region: Region, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The StackSet template deployed as one instance's stack with the enrolment on, its role from
    the role template: the environment CloudFormation gave its function."""
    home = tmp_path_factory.mktemp("enrolment")
    role = home / "role.yaml"
    role.write_text(to_yaml(build_enrolment_role_template()), encoding="utf-8")
    deploy = ["cloudformation", "deploy", "--region", REGION, "--no-fail-on-empty-changeset"]
    aws.run(*deploy, "--stack-name", "enrolment-role", "--template-file", str(role),
            "--capabilities", "CAPABILITY_NAMED_IAM", "--parameter-overrides", "StackSetName=org")  # fmt: skip
    aws("s3api", "create-bucket", "--bucket", BUCKET)
    aws.run(*deploy, "--stack-name", STACK, "--template-file", str(ROOT / "templates/vpc-flow-logs-stackset.yaml"),
            "--tags", "team=network", "--parameter-overrides", "EnrolVpcs=true", "CreateResources=false",
            f"S3Bucket=arn:aws:s3:::{BUCKET}", f"S3Subfolder={SUBFOLDER}", "TrafficType=ALL",
            "FileFormat=parquet", "HiveCompatiblePartitions=true")  # fmt: skip
    function = region.made["cloudformation"].describe_stack_resource(
        StackName=STACK, LogicalResourceId="EnrolmentFunction"
    )["StackResourceDetail"]["PhysicalResourceId"]
    variables = region.made["lambda"].get_function_configuration(FunctionName=function)["Environment"]["Variables"]
    return {name: str(value) for name, value in variables.items()}


def create_vpc_event(vpc: str, **detail: Any) -> dict[str, Any]:
    """A CreateVpc call as EventBridge delivers it from CloudTrail (AWS's documented shape:
    detail-type "AWS API Call via CloudTrail", the call's responseElements in detail)."""
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.ec2",
        "account": "123456789012",
        "region": REGION,
        "resources": [],
        "detail": {
            "eventVersion": "1.08",
            "eventSource": "ec2.amazonaws.com",
            "eventName": "CreateVpc",
            "awsRegion": REGION,
            "requestParameters": {"cidrBlock": "10.0.0.0/16", "instanceTenancy": "default"},
            "responseElements": {"vpc": {"vpcId": vpc, "state": "pending", "cidrBlock": "10.0.0.0/16"}},
            **detail,
        },
    }


SCHEDULE = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "region": REGION, "detail": {}}


def tags_of(flow_log: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in flow_log.get("Tags", [])}


def test_a_replayed_create_vpc_event_creates_exactly_the_flow_log_and_a_second_delivery_nothing(region, env):
    # GIVEN a new VPC and the CreateVpc event CloudTrail sends for it
    vpc = region.vpc()
    event = create_vpc_event(vpc)
    # WHEN the function gets the event
    first = enrol.handler(event, None, region.clients(), env)
    # THEN the VPC has exactly one flow log: the stack's settings, its tags and the mark naming the stack
    (flow_log,) = region.flow_logs(vpc)
    assert first == {vpc: f"created {flow_log['FlowLogId']}"}
    assert (flow_log["TrafficType"], flow_log["LogDestinationType"], flow_log["LogDestination"]) == (
        "ALL", "s3", DESTINATION)  # fmt: skip
    assert flow_log["LogFormat"] == env["DefaultLogFormat"] and flow_log["MaxAggregationInterval"] == 600
    assert flow_log["DestinationOptions"] == {"FileFormat": "parquet", "HiveCompatiblePartitions": True,
                                              "PerHourPartition": False}  # fmt: skip
    assert tags_of(flow_log) == {"team": "network", ENROLMENT_MARK: STACK}
    # WHEN the same event is delivered again (EventBridge and Lambda deliver at least once)
    second = enrol.handler(event, None, region.clients(), env)
    # THEN nothing is created: the flow log is there
    assert second == {vpc: "covered"}
    assert [f["FlowLogId"] for f in region.flow_logs(vpc)] == [flow_log["FlowLogId"]]


def test_a_failed_create_vpc_call_is_ignored(region, env):
    event = create_vpc_event("vpc-0123456789abcdef0", errorCode="VpcLimitExceeded")
    event["detail"].pop("responseElements")
    calls = len(region.calls)
    assert enrol.handler(event, None, region.clients(), env) == {"ignored": "VpcLimitExceeded"}
    assert region.calls[calls:] == []


def test_the_sweep_covers_a_vpc_no_event_announced_and_writes_its_status(region, env):
    # GIVEN a VPC whose CreateVpc event never arrived
    vpc = region.vpc()
    # WHEN the scheduled sweep runs
    result = enrol.handler(SCHEDULE, None, region.clients(), env)
    # THEN the VPC has its flow log, and every VPC of the Region was looked at
    (flow_log,) = region.flow_logs(vpc)
    assert result["results"][vpc] == f"created {flow_log['FlowLogId']}"
    assert result["vpcs"] == len(region.ec2.describe_vpcs()["Vpcs"])
    # AND the status parameter the audit reads says what the sweep found
    status = json.loads(region.made["ssm"].get_parameter(Name=env["StatusParameter"])["Parameter"]["Value"])
    assert status["stack"] == STACK and status["vpcs"] == result["vpcs"] and "time" in status


def test_the_opt_out_tag_is_honoured(region, env):
    # GIVEN a VPC tagged cfn-flowlogs:opt-out=true
    vpc = region.vpc(**{enrol.OPT_OUT: "true"})
    # WHEN its event arrives, and a sweep runs
    by_event = enrol.handler(create_vpc_event(vpc), None, region.clients(), env)
    by_sweep = enrol.handler(SCHEDULE, None, region.clients(), env)
    # THEN it is left alone, and says so
    assert by_event == {vpc: "opted out"} and by_sweep["results"][vpc] == "opted out"
    assert region.flow_logs(vpc) == []


def someone_elses_flow_log(region: Region, vpc: str, **settings: Any) -> str:
    request = {"ResourceType": "VPC", "ResourceIds": [vpc], "TrafficType": "REJECT", "LogDestinationType": "s3",
               "LogDestination": f"arn:aws:s3:::{BUCKET}/their-own/",
               "TagSpecifications": [{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "owner", "Value": "team-a"}]}],
               **settings}  # fmt: skip
    flow_log_id: str = region.ec2.create_flow_logs(**request)["FlowLogIds"][0]
    return flow_log_id


def test_a_flow_log_someone_else_made_with_other_settings_is_left_untouched_and_reported(region, env):
    # GIVEN a VPC with a team's own flow log: REJECT, to another prefix
    vpc = region.vpc()
    theirs = someone_elses_flow_log(region, vpc)
    before = region.flow_logs(vpc)
    # WHEN the sweep runs
    result = enrol.handler(SCHEDULE, None, region.clients(), env)
    # THEN the organization's flow log is created beside it, and the result names theirs
    after = {f["FlowLogId"]: f for f in region.flow_logs(vpc)}
    (ours,) = set(after) - {theirs}
    assert result["results"][vpc] == f"created {ours} beside {theirs} of others"
    # AND theirs is exactly as it was
    assert after[theirs] == before[0]
    assert tags_of(after[ours])[ENROLMENT_MARK] == STACK


def test_a_flow_log_someone_else_made_with_the_same_settings_is_adopted(region, env):
    vpc = region.vpc()
    theirs = someone_elses_flow_log(region, vpc, TrafficType="ALL", LogDestination=DESTINATION,
                                    DestinationOptions={"FileFormat": "parquet", "HiveCompatiblePartitions": True,
                                                        "PerHourPartition": False})  # fmt: skip
    result = enrol.handler(create_vpc_event(vpc), None, region.clients(), env)
    assert result == {vpc: f"covered by {theirs} (same settings, adopted)"}
    assert [f["FlowLogId"] for f in region.flow_logs(vpc)] == [theirs]


def test_a_settings_change_replaces_its_flow_log_new_before_old(region, env):
    # GIVEN a VPC with the enrolment's flow log
    vpc = region.vpc()
    enrol.handler(create_vpc_event(vpc), None, region.clients(), env)
    (old,) = region.flow_logs(vpc)
    # WHEN the stack's settings change (a new prefix) and the function runs
    changed = {**env, "LogDestination": f"arn:aws:s3:::{BUCKET}/vpc-flow-logs-v2/"}
    calls = len(region.calls)
    result = enrol.handler(create_vpc_event(vpc), None, region.clients(), changed)
    # THEN its flow log is replaced: the new one created first, then the old one deleted
    (new,) = region.flow_logs(vpc)
    assert result == {vpc: f"replaced {old['FlowLogId']} with {new['FlowLogId']}"}
    assert new["LogDestination"] == changed["LogDestination"]
    made = [c for c in region.calls[calls:] if c in ("CreateFlowLogs", "DeleteFlowLogs")]
    assert made == ["CreateFlowLogs", "DeleteFlowLogs"]


def test_where_aws_refuses_the_pair_the_gap_is_as_short_as_it_allows_and_reported(region, env):
    # GIVEN a VPC with the enrolment's flow log
    vpc = region.vpc()
    enrol.handler(create_vpc_event(vpc), None, region.clients(), env)
    (old,) = region.flow_logs(vpc)
    # WHEN only the traffic type changes (the local endpoint, like EC2 for a change of format alone,
    # refuses a second flow log of the same VPC and destination: FlowLogAlreadyExists)
    changed = {**env, "TrafficType": "REJECT"}
    calls = len(region.calls)
    result = enrol.handler(create_vpc_event(vpc), None, region.clients(), changed)
    # THEN the old one is deleted, the new one made at once after it, and the gap is reported
    (new,) = region.flow_logs(vpc)
    assert new["TrafficType"] == "REJECT"
    assert result == {vpc: f"replaced {old['FlowLogId']} with {new['FlowLogId']}, with a gap: AWS refused the pair "
                           "(FlowLogAlreadyExists)"}  # fmt: skip
    made = [c for c in region.calls[calls:] if c in ("CreateFlowLogs", "DeleteFlowLogs")]
    assert made == ["CreateFlowLogs", "DeleteFlowLogs", "CreateFlowLogs"]


class QuotaFull:
    """EC2 whose CreateFlowLogs answers FlowLogsLimitExceeded, as AWS does at the per-resource quota."""

    def __init__(self, ec2: Any) -> None:
        self.ec2 = ec2

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ec2, name)

    def create_flow_logs(self, **_: Any) -> Any:
        error = {"Error": {"Code": "FlowLogsLimitExceeded", "Message": "You've reached the limit"}}
        raise ClientError(error, "CreateFlowLogs")


def test_a_full_quota_is_a_problem_in_the_status(region, env):
    # GIVEN a VPC with a team's flow log, and EC2 refusing one more
    vpc = region.vpc()
    theirs = someone_elses_flow_log(region, vpc)
    # WHEN the sweep runs
    result = enrol.handler(SCHEDULE, None, region.clients(ec2=QuotaFull(region.ec2)), env)
    # THEN the VPC keeps its one flow log, and the status says the quota is full, beside whose
    expected = f"problem: quota full (FlowLogsLimitExceeded) beside {theirs} of others"
    assert result["results"][vpc] == expected and result["problems"][vpc] == expected
    status = json.loads(region.made["ssm"].get_parameter(Name=env["StatusParameter"])["Parameter"]["Value"])
    assert status["problems"][vpc] == expected
    assert [f["FlowLogId"] for f in region.flow_logs(vpc)] == [theirs]


@pytest.fixture
def trail(region: Region, aws: Aws) -> Iterator[None]:
    """A multi-Region trail that logs, with no event selector of its own: every management event."""
    aws("s3api", "create-bucket", "--bucket", "enrolment-trail")
    cloudtrail = region.made["cloudtrail"]
    cloudtrail.create_trail(Name="org-trail", S3BucketName="enrolment-trail", IsMultiRegionTrail=True)
    cloudtrail.start_logging(Name="org-trail")
    yield
    cloudtrail.delete_trail(Name="org-trail")


def test_no_trail_is_a_problem_and_a_logging_trail_is_not(region, env, trail):
    assert enrol.handler(SCHEDULE, None, region.clients(), env)["trail"] == "recorded"
    region.made["cloudtrail"].stop_logging(Name="org-trail")
    stopped = enrol.handler(SCHEDULE, None, region.clients(), env)["trail"]
    assert stopped.startswith("problem: no logging trail records this Region's write management events")


@pytest.mark.parametrize(
    ("selectors", "records"),
    [
        ({"EventSelectors": [], "AdvancedEventSelectors": []}, True),  # AWS's default: every management event
        ({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]}, True),
        ({"EventSelectors": [{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}]}, False),
        ({"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": False}]}, False),
        ({"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]},
         True),
        ({"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                                         {"Field": "readOnly", "Equals": ["true"]}]}]}, False),
        ({"AdvancedEventSelectors": [{"FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Management"]},
            {"Field": "eventSource", "NotEquals": ["ec2.amazonaws.com"]}]}]},
         False),
        ({"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}]}]}, False),
    ],
)  # fmt: skip
def test_which_event_selectors_record_create_vpc(selectors, records):
    assert enrol.records_writes(selectors) is records


@pytest.mark.parametrize("destination", ["cloud-watch-logs", "kinesis-data-firehose"])
def test_the_function_gives_the_other_destinations_their_flow_log_too(region, env, destination):
    # GIVEN the settings of a stack delivering to CloudWatch Logs (its log group and role) or to a
    # Firehose stream, as resources/enrolment.py writes them from that stack's flow log
    settings = {name: env[name] for name in ("StackName", "StackId", "DefaultLogFormat", "StatusParameter")}
    settings.update(TrafficType="REJECT", MaxAggregationInterval="60", LogDestinationType=destination)
    if destination == "cloud-watch-logs":
        settings.update(LogGroupName="/aws/vpc-flow-logs/enrolled",
                        DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/FlowLogsRole")  # fmt: skip
    else:
        settings["LogDestination"] = f"arn:aws:firehose:{REGION}:123456789012:deliverystream/flow-logs"
    vpc = region.vpc()
    # WHEN its CreateVpc event arrives, twice
    first = enrol.handler(create_vpc_event(vpc), None, region.clients(), settings)
    second = enrol.handler(create_vpc_event(vpc), None, region.clients(), settings)
    # THEN the VPC has one flow log with those settings, and the second delivery made nothing
    (flow_log,) = region.flow_logs(vpc)
    assert first == {vpc: f"created {flow_log['FlowLogId']}"} and second == {vpc: "covered"}
    assert (flow_log["LogDestinationType"], flow_log["TrafficType"], flow_log["MaxAggregationInterval"]) == (
        destination, "REJECT", 60)  # fmt: skip
    if destination == "cloud-watch-logs":
        assert flow_log["LogGroupName"] == settings["LogGroupName"]
        assert flow_log["DeliverLogsPermissionArn"] == settings["DeliverLogsPermissionArn"]
    else:
        assert flow_log["LogDestination"] == settings["LogDestination"] and "DestinationOptions" not in flow_log


class Trails:
    """CloudTrail with two trails that apply to the Region: one that cannot be read, one that may record."""

    def __init__(self, region: str, logging: bool) -> None:
        self.meta = type("Meta", (), {"region_name": region})()
        self.logging = logging

    def describe_trails(self, includeShadowTrails: bool) -> dict[str, Any]:
        arns = [f"arn:aws:cloudtrail:{REGION}:111122223333:trail/{name}" for name in ("org", "own")]
        return {"trailList": [{"TrailARN": arn, "IsMultiRegionTrail": True} for arn in arns]}

    def get_trail_status(self, Name: str) -> dict[str, Any]:
        if Name.endswith("/org"):
            raise ClientError({"Error": {"Code": "TrailNotFoundException", "Message": "shadow"}}, "GetTrailStatus")
        return {"IsLogging": self.logging}

    def get_event_selectors(self, TrailName: str) -> dict[str, Any]:
        return {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]}


def test_a_trail_that_cannot_be_read_hides_no_other_and_is_named():
    assert enrol.trail_status(Trails(REGION, logging=True)) == "recorded"
    status = enrol.trail_status(Trails(REGION, logging=False))
    assert status.startswith("problem: no trail found")
    assert "trail/org: GetTrailStatus: TrailNotFoundException" in status
