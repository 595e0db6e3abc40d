"""`cfn-flowlogs audit` without AWS: statuses from recorded EC2 responses, the report's three forms,
the plan it writes, its usage errors and exit codes, and its boto3 collector against botocore's
Stubber (pagination, enabled regions, refused roles). The proof of delivery is tests/audit/test_delivery.py;
the moto tests are tests/aws/test_audit.py."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomllib
import yaml

from cfn_flowlogs.audit.delivery import DELIVERING, Proof
from cfn_flowlogs.audit.judge import exit_code, judge, tally
from cfn_flowlogs.audit.plan import ENROLLED, MANAGEMENT, REPAIR, PlanScope, PlanSettings, build_plan, check_settings
from cfn_flowlogs.audit.records import Unreadable, Vpc, vpcs_from_api
from cfn_flowlogs.audit.render import render, rows, to_csv, to_table
from cfn_flowlogs.audit.rollout import load_plan, parse_plan
from cfn_flowlogs.cli import main
from cfn_flowlogs.errors import ConfigError

from ..conftest import ROOT

ACCOUNT, OTHER = "111122223333", "444455556666"
REGION = "eu-west-1"
VPC, TEAM, ELSE = "vpc-0a1b2c3d4e5f60718", "vpc-0fedcba9876543210", "vpc-0123456789abcdef0"
SUBNET_1, SUBNET_2, ELSE_SUBNET = "subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2", "subnet-0bbbbbbbbbbbbbbb1"
ENI = "eni-0ccccccccccccccc1"
ARCHIVE = "arn:aws:s3:::org-flow-log-archive"

# DescribeVpcs, DescribeSubnets and DescribeNetworkInterfaces items as EC2 returns them (trimmed).
VPCS = [
    {"VpcId": VPC, "OwnerId": ACCOUNT, "CidrBlock": "172.31.0.0/16", "IsDefault": True, "State": "available"},
    {"VpcId": TEAM, "OwnerId": ACCOUNT, "CidrBlock": "10.0.0.0/16", "IsDefault": False, "State": "available",
     "Tags": [{"Key": "team", "Value": "network"}, {"Key": "Name", "Value": "team-prod"}]},
    {"VpcId": ELSE, "OwnerId": OTHER, "CidrBlock": "10.9.0.0/16", "IsDefault": False},  # shared with us by OTHER
]  # fmt: skip
SUBNETS = [
    {"SubnetId": SUBNET_1, "VpcId": VPC, "CidrBlock": "172.31.0.0/20", "OwnerId": ACCOUNT},
    {"SubnetId": SUBNET_2, "VpcId": VPC, "CidrBlock": "172.31.16.0/20", "OwnerId": ACCOUNT},
    {"SubnetId": ELSE_SUBNET, "VpcId": TEAM, "CidrBlock": "10.0.1.0/24", "OwnerId": ACCOUNT},
]
INTERFACES = [{"NetworkInterfaceId": ENI, "SubnetId": ELSE_SUBNET, "VpcId": TEAM, "Status": "in-use"}]


def flow_log(ident: str, resource: str, traffic: str | None = "ALL", *, status: str = "SUCCESS", **more: Any):
    """One FlowLogs item of a recorded DescribeFlowLogs response."""
    item = {
        "CreationTime": "2024-05-02T09:20:11.000Z",
        "DeliverLogsPermissionArn": f"arn:aws:iam::{ACCOUNT}:role/flow-logs",
        "DeliverLogsStatus": status,
        "FlowLogId": ident,
        "FlowLogStatus": "ACTIVE",
        "LogGroupName": "vpc-flow-logs",
        "ResourceId": resource,
        "TrafficType": traffic,
        "LogDestinationType": "cloud-watch-logs",
        "LogDestination": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:vpc-flow-logs",
        "LogFormat": "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
        "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
        "MaxAggregationInterval": 600,
        **more,
    }
    if status == "FAILED":
        item["DeliverLogsErrorMessage"] = "Access error"
    if traffic is None:
        del item["TrafficType"]
    return item


WHEN = "2026-03-01T10:00:00Z"
DELIVERED = Proof(DELIVERING, dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone.utc), "log group vpc-flow-logs: ...")


def proven(vpc: Vpc, proof: Proof = DELIVERED, interfaces: int = 2) -> Vpc:
    """The VPC with `interfaces` network interfaces, each flow log proven so."""
    return dataclasses.replace(vpc, flow_logs=tuple(log.proven(proof) for log in vpc.flow_logs), interfaces=interfaces)


def default_vpc(*flow_logs: dict[str, Any], subnets: bool = True) -> Vpc:
    (vpc,) = [v for v in vpcs_from_api(ACCOUNT, REGION, VPCS, flow_logs, SUBNETS if subnets else None, INTERFACES)
              if v.vpc_id == VPC]  # fmt: skip
    return proven(vpc)


@pytest.mark.parametrize(
    ("logs", "require", "status", "reason"),
    [
        ([flow_log("fl-1", VPC)], "any", "covered", f"VPC flow log fl-1 (ALL to cloud-watch-logs); delivered {WHEN}"),
        ([flow_log("fl-1", VPC, "REJECT")], "any", "covered",
         f"VPC flow log fl-1 (REJECT to cloud-watch-logs); delivered {WHEN}"),
        ([flow_log("fl-1", VPC, "REJECT")], "REJECT", "covered",
         f"VPC flow log fl-1 (REJECT to cloud-watch-logs); delivered {WHEN}"),
        ([flow_log("fl-1", VPC, "REJECT")], "ALL", "partial", "VPC flow logs capture REJECT; ALL required"),
        ([flow_log("fl-1", VPC, "REJECT")], "ACCEPT", "partial", "VPC flow logs capture REJECT; ACCEPT required"),
        ([flow_log("fl-1", VPC, "ACCEPT"), flow_log("fl-2", VPC, "REJECT")], "ALL", "covered",
         f"2 VPC flow logs (ACCEPT, REJECT); delivered {WHEN}"),
        ([flow_log("fl-1", VPC, status="FAILED")], "any", "failing", "VPC flow log fl-1 failing: Access error"),
        # a failing VPC flow log and no healthy one that meets the requirement: failing, not partial
        ([flow_log("fl-1", VPC, status="FAILED"), flow_log("fl-2", VPC, "REJECT")], "ALL", "failing",
         "VPC flow log fl-1 failing: Access error"),
        ([flow_log("fl-1", VPC), flow_log("fl-2", SUBNET_1, status="FAILED")], "any", "covered",
         f"VPC flow log fl-1 (ALL to cloud-watch-logs); delivered {WHEN}; 1 other flow log failing"),
        ([flow_log("fl-2", SUBNET_1)], "any", "partial", "no VPC flow log; flow logs only on 1 of 2 subnets"),
        ([flow_log("fl-2", SUBNET_1), flow_log("fl-3", SUBNET_2, "REJECT")], "ALL", "partial",
         "no VPC flow log; flow logs only on 2 of 2 subnets"),
        ([flow_log("fl-2", SUBNET_1, status="FAILED"), flow_log("fl-3", SUBNET_2, status="FAILED")], "any", "failing",
         "subnet flow log fl-2 failing: Access error (and 1 more)"),
        ([], "any", "missing", "no flow log on the VPC, its subnets or its interfaces"),
        # other resources' flow logs are not this VPC's: a transit gateway, another VPC's subnet and interface
        ([flow_log("fl-4", "tgw-0123456789abcdef0", None), flow_log("fl-5", ELSE_SUBNET), flow_log("fl-6", ENI)],
         "any", "missing", "no flow log on the VPC, its subnets or its interfaces"),
    ],
)  # fmt: skip
def test_status_from_recorded_describe_flow_logs(logs, require, status, reason):
    # GIVEN a recorded DescribeFlowLogs response WHEN the default VPC is judged
    finding = judge(default_vpc(*logs), require)
    # THEN its status and the reason for it
    assert (finding.status, finding.reason) == (status, reason)


def test_interface_flow_logs_belong_to_the_interfaces_vpc():
    (team,) = [v for v in vpcs_from_api(ACCOUNT, REGION, VPCS, [flow_log("fl-6", ENI)], None, INTERFACES)
               if v.vpc_id == TEAM]  # fmt: skip
    assert (team.name, team.is_default, team.subnets, team.interfaces) == ("team-prod", False, None, 1)
    assert [(log.resource_type, log.resource_id) for log in team.flow_logs] == [("NetworkInterface", ENI)]
    assert judge(team).reason == "no VPC flow log; flow logs only on 1 interface"


STALE = Proof(
    "stale", dt.datetime(2026, 2, 26, 8, tzinfo=dt.timezone.utc), "log group g: newest data 2026-02-26T08:00:00Z"
)
NOTHING = Proof("none", None, "s3://b/AWSLogs/111122223333/vpcflowlogs/eu-west-1/.../x_*: no data since 2026-02-28")
UNSEEN = Proof("unverifiable", None, "Kinesis Data Firehose: nothing of its delivery is visible")


@pytest.mark.parametrize(
    ("logs", "proofs", "interfaces", "status", "reason"),
    [
        ([flow_log("fl-1", VPC)], [DELIVERED], 2, "covered", f"; delivered {WHEN}"),
        ([flow_log("fl-1", VPC)], [STALE], 2, "silent", f"; fl-1: {STALE.reason}"),
        ([flow_log("fl-1", VPC)], [NOTHING], 2, "silent", f"; fl-1: {NOTHING.reason}"),
        # an idle VPC records nothing, so delivers nothing: never silent
        ([flow_log("fl-1", VPC)], [NOTHING], 0, "covered", "; idle: no network interface, so no record to deliver"),
        ([flow_log("fl-1", VPC)], [UNSEEN], 2, "unverifiable", f"; fl-1: {UNSEEN.reason}"),
        ([flow_log("fl-1", VPC)], [None], 2, "unverifiable", "; fl-1: delivery not looked for"),
        # one delivering flow log is enough; one that cannot be seen may be delivering: not silent
        ([flow_log("fl-1", VPC, "ACCEPT"), flow_log("fl-2", VPC, "REJECT")], [NOTHING, DELIVERED], 2, "covered",
         f"; delivered {WHEN}"),
        ([flow_log("fl-1", VPC), flow_log("fl-2", VPC)], [NOTHING, UNSEEN], 2, "unverifiable",
         f"; fl-2: {UNSEEN.reason}"),
        # "Rate limited" is transient: the proof decides, the message is shown as AWS gives it
        ([{**flow_log("fl-1", VPC, status="FAILED"), "DeliverLogsErrorMessage": "Rate limited"}], [DELIVERED], 2,
         "covered", f"; delivered {WHEN}; DeliverLogsErrorMessage of fl-1: Rate limited"),
        ([{**flow_log("fl-1", VPC, status="FAILED"), "DeliverLogsErrorMessage": "Rate limited"}], [NOTHING], 2,
         "silent", f"; fl-1: {NOTHING.reason}; DeliverLogsErrorMessage of fl-1: Rate limited"),
        # any other documented message is a failure, whatever the destination shows
        ([flow_log("fl-1", VPC, status="FAILED")], [DELIVERED], 2, "failing",
         "VPC flow log fl-1 failing: Access error"),
        ([{**flow_log("fl-1", VPC, status="FAILED"), "DeliverLogsErrorMessage": "Unknown error"}], [DELIVERED], 2,
         "failing", "VPC flow log fl-1 failing: Unknown error"),
    ],
)  # fmt: skip
def test_status_from_proof_of_delivery(logs, proofs, interfaces, status, reason):
    # GIVEN the VPC's flow logs, each with its proof of delivery, and its number of interfaces
    (vpc,) = [v for v in vpcs_from_api(ACCOUNT, REGION, VPCS, logs) if v.vpc_id == VPC]
    paired = zip(vpc.flow_logs, proofs, strict=True)
    flow_logs = tuple(log if proof is None else log.proven(proof) for log, proof in paired)
    vpc = dataclasses.replace(vpc, flow_logs=flow_logs, interfaces=interfaces)
    # WHEN it is judged THEN its status, and a reason that ends with why
    finding = judge(vpc)
    assert finding.status == status
    assert finding.reason.endswith(reason), finding.reason


def test_a_vpc_shared_by_another_account_is_left_to_its_owner():
    assert [v.vpc_id for v in vpcs_from_api(ACCOUNT, REGION, VPCS, [])] == sorted([VPC, TEAM])


def test_flow_log_fields_are_kept_as_ec2_reports_them():
    (log,) = default_vpc(flow_log("fl-1", VPC, status="FAILED")).flow_logs
    assert log.as_dict() == {
        "flow_log_id": "fl-1",
        "resource_type": "VPC",
        "resource_id": VPC,
        "traffic_type": "ALL",
        "log_destination_type": "cloud-watch-logs",
        "log_destination": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:vpc-flow-logs",
        "log_format": flow_log("x", VPC)["LogFormat"],
        "max_aggregation_interval": 600,
        "deliver_logs_status": "FAILED",
        "deliver_logs_error_message": "Access error",
        "file_format": None,
        "hive_compatible_partitions": None,
        "per_hour_partition": None,
        "last_delivery": WHEN,
        "delivery": "delivering",
        "delivery_reason": "log group vpc-flow-logs: ...",
        "made_by": "other",  # no tag says who made it
        "made_by_detail": None,
    }


def finding(vpc_id: str, status: str, *, account: str = ACCOUNT, region: str = REGION, default: bool = False,
            name: str | None = None) -> Any:  # fmt: skip
    logs = {"partial": [flow_log("fl-1", vpc_id, "REJECT")], "failing": [flow_log("fl-1", vpc_id, status="FAILED")],
            "missing": []}.get(status, [flow_log("fl-1", vpc_id)])  # fmt: skip
    proof = {"silent": NOTHING, "unverifiable": UNSEEN}.get(status, DELIVERED)
    vpcs = [{"VpcId": vpc_id, "IsDefault": default, "Tags": [{"Key": "Name", "Value": name}] if name else []}]
    (vpc,) = vpcs_from_api(account, region, vpcs, logs)
    judged = judge(proven(vpc, proof), "ALL")
    assert judged.status == status
    return judged


LOST = Unreadable(OTHER, REGION, "cannot assume arn:aws:iam::444455556666:role/OrganizationAccountAccessRole: x")


@pytest.mark.parametrize(
    ("statuses", "unreadable", "code", "code_requiring_delivery"),
    [
        ((), (), 0, 0),
        (("covered", "covered"), (), 0, 0),
        (("covered",), (LOST,), 3, 3),
        ((), (LOST,), 3, 3),
        (("covered", "missing"), (LOST,), 1, 1),
        (("partial",), (), 1, 1),
        (("failing",), (), 1, 1),
        (("missing",), (), 1, 1),
        (("covered", "silent"), (), 0, 1),
        (("covered", "unverifiable"), (), 0, 3),
        (("silent", "unverifiable"), (), 0, 1),
        (("unverifiable",), (LOST,), 3, 3),
    ],
)
def test_exit_code(statuses, unreadable, code, code_requiring_delivery):
    findings = [finding(f"vpc-{index:017x}", status) for index, status in enumerate(statuses)]
    assert exit_code(findings, unreadable) == code
    assert exit_code(findings, unreadable, require_delivery=True) == code_requiring_delivery


def test_json_report_is_a_list_of_objects_with_errors_as_rows():
    findings = [finding(TEAM, "missing", name="team-prod"), finding(VPC, "covered", default=True)]
    report = json.loads(render("json", findings, [LOST]))
    assert [(r["account_id"], r["vpc_id"], r["status"]) for r in report] == [
        (ACCOUNT, VPC, "covered"), (ACCOUNT, TEAM, "missing"), (OTHER, None, "error")
    ]  # fmt: skip
    for row in report:
        assert {"account_id", "region", "vpc_id", "name", "is_default", "status", "flow_logs"} <= row.keys()
    assert report[1]["name"] == "team-prod" and report[1]["is_default"] is False and report[1]["flow_logs"] == []
    assert report[2]["reason"] == LOST.message and report[2]["region"] == REGION


def test_table_lines_up_and_sums_up_every_status():
    findings = [finding(VPC, "covered", default=True), finding(TEAM, "partial"), finding(ELSE, "missing")]
    lines = to_table(findings, [LOST]).splitlines()
    column = lines[0].index("STATUS")
    assert [line[column:].split()[0] for line in lines[1:5]] == ["missing", "covered", "partial", "error"]
    assert [line.split()[:3] for line in lines[-7:]] == [
        ["covered", "1", "VPC"], ["silent", "0", "VPCs"], ["unverifiable", "0", "VPCs"], ["partial", "1", "VPC"],
        ["failing", "0", "VPCs"], ["missing", "1", "VPC"], ["error", "1", "not"],
    ]  # fmt: skip
    assert next(line for line in lines if line.startswith(OTHER)).split()[:3] == [OTHER, REGION, "-"]
    # AND LAST DELIVERY is when the covered VPC's newest data arrived, `-` where nothing was found
    delivered = lines[0].index("LAST DELIVERY")
    assert [line[delivered:].split()[0] for line in lines[1:5]] == ["-", WHEN, WHEN, "-"]


def test_hostile_name_tags_reach_no_terminal_spreadsheet_or_plan(tmp_path: Path):
    # GIVEN VPCs whose Name tags carry a terminal escape, a spreadsheet formula and YAML on a new line
    escape, formula, injected = "\x1b[2Jgone", '=HYPERLINK("http://x","y")', "x\nstack_set_name: evil"
    findings = [finding(f"vpc-{i:017x}", "missing", name=name) for i, name in enumerate((escape, formula, injected))]
    # THEN the table shows no control character
    assert "\x1b" not in to_table(findings, []) and "?[2Jgone" in to_table(findings, [])
    # AND the CSV cell of the formula is text, the JSON keeps every name as it is
    names = [line["name"] for line in csv.DictReader(io.StringIO(to_csv(findings, [])))]
    assert "'" + formula in names and escape in names
    assert [row["name"] for row in rows(findings, [])] == [escape, formula, injected]
    # AND a plan listing them in comments is still exactly the plan
    findings.append(finding(TEAM, "missing", account=OTHER))
    plan = build_plan(findings, [], PlanSettings(ARCHIVE), PlanScope((REGION,), accounts=(ACCOUNT, OTHER)))
    (tmp_path / "plan.yaml").write_text(plan.text())
    assert yaml.safe_load(plan.text())["stack_set_name"] == "org-vpc-flow-logs"
    assert load_plan(tmp_path / "plan.yaml").stack_set_name == "org-vpc-flow-logs"


def test_csv_has_one_line_per_flow_log():
    both = finding(VPC, "covered")
    vpc = Vpc(**{**both.vpc.__dict__, "flow_logs": (*both.vpc.flow_logs, *finding(VPC, "partial").vpc.flow_logs)})
    lines = list(csv.DictReader(io.StringIO(to_csv([judge(vpc), finding(TEAM, "missing")], [LOST]))))
    assert [(line["vpc_id"], line["traffic_type"]) for line in lines] == [(VPC, "ALL"), (VPC, "REJECT"), (TEAM, ""),
                                                                          ("", "")]  # fmt: skip
    assert lines[-1]["status"] == "error" and lines[-1]["account_id"] == OTHER


# The audit of two accounts in two regions: (account, region, VPC, status, is_default).
AUDIT = [
    (ACCOUNT, "us-east-1", "vpc-000000000000000d1", "missing", True),
    (ACCOUNT, "us-east-1", "vpc-000000000000000a1", "missing", False),  # a team's VPC: planned first
    (ACCOUNT, "us-east-1", "vpc-000000000000000b1", "partial", False),
    (ACCOUNT, "eu-west-1", "vpc-000000000000000d2", "partial", True),
    (ACCOUNT, "eu-west-1", "vpc-000000000000000c2", "covered", False),
    (OTHER, "us-east-1", "vpc-000000000000000d3", "failing", True),
    (OTHER, "eu-west-1", "vpc-000000000000000d4", "missing", True),
]


def audited() -> list[Any]:
    return [finding(vpc, status, account=account, region=region, default=default)
            for account, region, vpc, status, default in AUDIT]  # fmt: skip


def test_the_plan_enrols_every_vpc_names_none_and_lists_what_is_not_covered():
    # GIVEN the audit of two accounts (missing, partial, failing and covered VPCs, a region not read)
    # WHEN a self-managed plan is built
    settings = PlanSettings(ARCHIVE, inputs={"traffic_type": "ALL"})
    plan = build_plan(audited(), [LOST], settings, PlanScope(("eu-west-1", "us-east-1"), accounts=(ACCOUNT, OTHER)))
    # THEN it enrols: no override names a VPC, and there are no waves
    assert plan.data["enrolment"] is True and plan.data["overrides"] == {}
    assert plan.data["accounts"] == [ACCOUNT, OTHER] and "organizational_units" not in plan.data
    # AND every VPC not covered is listed with what becomes of it: the enrolment covers the missing and
    # partial ones; a failing one needs repair; a covered one is not listed
    enrolled = {"vpc-000000000000000a1", "vpc-000000000000000d1", "vpc-000000000000000b1", "vpc-000000000000000d2",
                "vpc-000000000000000d4"}  # fmt: skip
    assert {f.vpc.vpc_id for f in plan.planned} == enrolled
    assert {f.vpc.vpc_id: why for f, why in plan.left_out} == {
        **dict.fromkeys(enrolled, ENROLLED), "vpc-000000000000000d3": REPAIR}  # fmt: skip
    text = plan.text()
    assert "vpc-000000000000000c2" not in text and "wave" not in text
    for vpc in (*enrolled, "vpc-000000000000000d3"):
        assert f" {vpc}" in text.split("\n# Not covered now", 1)[1]
    assert f"#   {OTHER} {REGION}: {LOST.message}" in text
    # AND it is a plan `cfn-flowlogs rollout` accepts, the same as its data
    assert parse_plan(yaml.safe_load(text)) == plan.rollout


def test_any_number_of_missing_vpcs_is_one_plan(tmp_path: Path):
    # GIVEN twelve missing VPCs of one account and region (more than the slots' ten)
    missing = [finding(f"vpc-{n:017x}", "missing", default=n == 1) for n in reversed(range(1, 13))]
    plan = build_plan(missing, [], PlanSettings(ARCHIVE), PlanScope((REGION,), accounts=(ACCOUNT,)))
    # THEN the one plan covers them all, by the enrolment: none waits for a next wave
    assert plan.data["overrides"] == {} and len(plan.planned) == 12
    assert {why for _, why in plan.left_out} == {ENROLLED}
    (tmp_path / "plan.yaml").write_text(plan.text())
    assert load_plan(tmp_path / "plan.yaml") == plan.rollout


def test_a_service_managed_plan_leaves_the_management_account_to_a_stack():
    # GIVEN the management account has a missing VPC, and the plan targets the organization's root
    scope = PlanScope(("us-east-1", "eu-west-1"), organizational_units=("r-ab12",), management_account=OTHER)
    plan = build_plan(audited(), [], PlanSettings(ARCHIVE), scope)
    # THEN it says StackSets never deploy there, and what to do
    assert plan.data["organizational_units"] == ["r-ab12"]
    assert dict((f.vpc.vpc_id, why) for f, why in plan.left_out)["vpc-000000000000000d4"] == MANAGEMENT
    assert "docs/guides/coverage.md" in MANAGEMENT
    # AND a self-managed plan (accounts) enrols it
    scope = PlanScope(("us-east-1", "eu-west-1"), accounts=(ACCOUNT, OTHER), management_account=OTHER)
    left = dict((f.vpc.vpc_id, why) for f, why in build_plan(audited(), [], PlanSettings(ARCHIVE), scope).left_out)
    assert left["vpc-000000000000000d4"] == ENROLLED


def test_a_plan_with_nothing_to_cover_is_still_a_plan():
    plan = build_plan([finding(VPC, "covered")], [], PlanSettings(ARCHIVE), PlanScope((REGION,), accounts=(ACCOUNT,)))
    assert plan.data["overrides"] == {} and plan.planned == () and parse_plan(yaml.safe_load(plan.text()))


def test_the_plans_traffic_type_meets_the_required_one():
    data = build_plan([], [], PlanSettings(ARCHIVE, require="ALL"), PlanScope((REGION,), accounts=(ACCOUNT,))).data
    assert data["inputs"] == {"traffic_type": "ALL"}
    with pytest.raises(ConfigError, match="traffic_type must be ALL or ACCEPT"):
        check_settings(PlanSettings(ARCHIVE, inputs={"traffic_type": "REJECT"}, require="ACCEPT"))


def audit_fails(capsys, *args: str) -> str:
    """`cfn-flowlogs audit ARGS` refused before anything is read: exit 2, one line on stderr."""
    with pytest.raises(SystemExit) as stop:
        main(["audit", *args])
    assert stop.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("cfn-flowlogs: error: ")
    return line.removeprefix("cfn-flowlogs: error: ")


PLAN = ("--write-plan", "plan.yaml", "--archive-bucket-arn", ARCHIVE)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--regions", "us-east-1,,eu-west-1"), "--regions must be a comma-separated list without empty items"),
        (("--regions", "mars-north"), '--regions must be region names like us-east-1, or all, got "mars-north"'),
        (("--regions", "all,us-east-1"), '--regions must be region names like us-east-1, or all, got "all"'),
        (("--accounts", "1234"), '--accounts must be 12-digit account IDs, got "1234"'),
        (("--organizational-units", "ou-x"), "--organizational-units must be OU IDs (ou-...) or the root ID"),
        (("--accounts", ACCOUNT, "--organizational-units", "r-ab12"), "not allowed with argument --accounts"),
        (("--role-name", "no spaces"), "--role-name must be an IAM role name"),
        (("--concurrency", "0"), "--concurrency must be a whole number from 1 to 64, got 0"),
        (("--concurrency", "65"), "--concurrency must be a whole number from 1 to 64, got 65"),
        (("--format", "xml"), "argument --format: invalid choice: 'xml'"),
        (("--stale-after", "0m"), '--stale-after must be a duration from 1m to 31d, like 90m, 6h or 2d, got "0m"'),
        (("--stale-after", "90s"), '--stale-after must be a duration from 1m to 31d, like 90m, 6h or 2d, got "90s"'),
        (("--stale-after", "6 h"), '--stale-after must be a duration from 1m to 31d, like 90m, 6h or 2d, got "6 h"'),
        (("--stale-after", "32d"), '--stale-after must be a duration from 1m to 31d, like 90m, 6h or 2d, got "32d"'),
        (("--print-policy", "mars"), '--print-policy must be a partition like aws, aws-cn or aws-us-gov, got "mars"'),
        (("--require-traffic-type", "SOME"), "argument --require-traffic-type: invalid choice: 'SOME'"),
        (("-o", "existing.yaml"), "existing.yaml: exists (give --force to overwrite it)"),
        (("-o", "."), ".: is a directory"),
        (("--set", "traffic_type=ALL"), "--set must be given only with --write-plan"),
        (("--archive-bucket-arn", ARCHIVE), "--archive-bucket-arn must be given only with --write-plan"),
        (("--module", "flow_logs"), "--module must be given only with --write-plan"),
        ((*PLAN, "--module", "flow_logs"), "--module must be given only with a .tf --config"),
        (("--write-plan", "plan.yaml"), "--archive-bucket-arn must be the archive's S3BucketArn (required by"),
        ((*PLAN, "-o", "plan.yaml"), '--write-plan must be a file other than -o\'s, got "plan.yaml"'),
        (("--write-plan", "p.yaml", "--archive-bucket-arn", "arn:aws:s3:::A"), "--archive-bucket-arn must be the"),
        ((*PLAN, "--stack-set-name", "1st"), "--stack-set-name must be a StackSet name"),
        ((*PLAN, "--set", "vpc_id=vpc-12345678"), "--set vpc_id must be left to overrides"),
        ((*PLAN, "--set", "traffic_type=SOME"), '--set traffic_type must be one of ACCEPT, REJECT, ALL, got "SOME"'),
        ((*PLAN, "--set", "colour=red"), ("--set must be", 'got "colour"')),
        ((*PLAN, "--set", "traffic_type=REJECT", "--require-traffic-type", "ALL"), "--set traffic_type must be ALL"),
        ((*PLAN, "--write-plan", "existing.yaml"), "existing.yaml: exists (give --force to overwrite it)"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message, capsys, tmp_path, monkeypatch):
    # GIVEN an existing file WHEN the audit is given a bad option
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing.yaml").write_text("kept\n")
    # THEN one line names the option, the value and what is allowed; nothing is read or written
    line = audit_fails(capsys, *args)
    for part in (message,) if isinstance(message, str) else message:
        assert part in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.yaml"]
    assert (tmp_path / "existing.yaml").read_text() == "kept\n"


def test_help_shows_examples(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["audit", "--help"])
    assert stop.value.code == 0
    assert "cfn-flowlogs audit --regions all" in capsys.readouterr().out.split("examples:")[1]


def test_without_boto3_a_line_names_the_extra(tmp_path):
    # GIVEN an interpreter where boto3 cannot be imported WHEN the audit runs
    probe = "import sys; sys.modules['boto3'] = None\nfrom cfn_flowlogs.cli import main\nsys.exit(main(['audit']))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=False)
    # THEN exit 2 and one line saying which extra to install
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "cfn-flowlogs: error: audit needs boto3, which the aws extra installs: " \
        "pip install 'cfn-flowlogs[aws]'\n"  # fmt: skip


def test_the_aws_extra_pins_the_boto3_the_tests_use():
    pinned = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert pinned["aws"] == ["boto3>=1.44,<1.45"] and "boto3>=1.44,<1.45" in pinned["test"]


# The collector against botocore's Stubber: no endpoint at all.
boto3 = pytest.importorskip("boto3")
from botocore.stub import Stubber  # noqa: E402

from cfn_flowlogs.audit import collect  # noqa: E402

from . import calls  # noqa: E402

CALLER = "123456789012"
IDENTITY = {"UserId": "AIDAEXAMPLE", "Account": CALLER, "Arn": f"arn:aws:iam::{CALLER}:user/auditor"}
CREDENTIALS = {"AccessKeyId": "ASIAEXAMPLE0000000000", "SecretAccessKey": "x" * 40, "SessionToken": "token",
               "Expiration": "2030-01-01T00:00:00Z"}  # fmt: skip


@pytest.fixture
def auditor(monkeypatch) -> Iterator[Any]:
    for variable in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION"):
        monkeypatch.delenv(variable, raising=False)
    session = boto3.session.Session(aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x", region_name="us-east-1")
    made = collect.Auditor(session, concurrency=1)  # a Stubber answers in order: one call at a time
    yield made
    calls.check(made)  # every call it made is one the audit role's policy allows


def stubbed(auditor: Any, service: str, account: str, region: str = "us-east-1") -> Stubber:
    stubber = Stubber(auditor.client(service, account, region))
    stubber.activate()
    return stubber


def test_every_list_is_paginated_and_every_flow_log_proven(auditor):
    # GIVEN an account whose VPCs, flow logs and interfaces come in two pages each: 201 interface
    # flow logs and a subnet's, all to one log group
    sts = stubbed(auditor, "sts", collect.CALLER)
    sts.add_response("get_caller_identity", IDENTITY, {})
    scope = auditor.resolve(collect.Request(regions=("us-east-1",), accounts=(CALLER,)))
    ec2 = stubbed(auditor, "ec2", CALLER)
    page = {"MaxResults": 1000}
    own = [{**vpc, "OwnerId": CALLER} for vpc in VPCS[:2]]
    ec2.add_response("describe_vpcs", {"Vpcs": own[:1], "NextToken": "t1"}, page)
    ec2.add_response("describe_vpcs", {"Vpcs": own[1:]}, {**page, "NextToken": "t1"})
    enis = [f"eni-{index:017x}" for index in range(201)]
    logs = [flow_log(f"fl-{index}", eni) for index, eni in enumerate(enis)]
    ec2.add_response("describe_flow_logs", {"FlowLogs": logs[:150], "NextToken": "t2"}, page)
    ec2.add_response("describe_flow_logs", {"FlowLogs": [*logs[150:], flow_log("fl-s", SUBNET_1)]},
                     {**page, "NextToken": "t2"})  # fmt: skip
    ec2.add_response("describe_subnets", {"Subnets": SUBNETS}, page)
    interfaces = [{"NetworkInterfaceId": eni, "VpcId": TEAM, "SubnetId": ELSE_SUBNET} for eni in enis]
    ec2.add_response("describe_network_interfaces", {"NetworkInterfaces": interfaces[:150], "NextToken": "t3"}, page)
    ec2.add_response(
        "describe_network_interfaces", {"NetworkInterfaces": interfaces[150:]}, {**page, "NextToken": "t3"}
    )
    # AND the log group's one page of streams holds the first interface's, newest first
    now = int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
    streams = {"logStreams": [{"logStreamName": enis[0], "lastEventTimestamp": now - 60_000}]}
    order = {"logGroupName": "vpc-flow-logs", "orderBy": "LastEventTime", "descending": True, "limit": 50}
    stubbed(auditor, "logs", CALLER).add_response("describe_log_streams", streams, order)
    # AND the enrolment's status, in two pages: a sweep a minute ago that could not cover the team's VPC
    swept = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    status = {"time": swept, "trail": "recorded", "problems": {TEAM: "problem: quota full (FlowLogsLimitExceeded)"}}
    ssm = stubbed(auditor, "ssm", CALLER)
    path = {"Path": "/cfn-flowlogs/enrolment/", "MaxResults": 10}
    ssm.add_response("get_parameters_by_path", {"Parameters": [], "NextToken": "t4"}, path)
    parameter = {"Name": "/cfn-flowlogs/enrolment/StackSet-org-1", "Type": "String", "Value": json.dumps(status)}
    ssm.add_response("get_parameters_by_path", {"Parameters": [parameter]}, {**path, "NextToken": "t4"})
    # WHEN it is collected
    collected = auditor.collect(scope)
    # THEN every page was asked for, one stream listing served every flow log of the group
    ec2.assert_no_pending_responses()
    default, team = collected.vpcs
    assert [log.flow_log_id for log in default.flow_logs] == ["fl-s"] and default.subnets == 2
    assert (default.interfaces, team.interfaces) == (0, 201)
    assert len(team.logs("NetworkInterface")) == 201 and collected.unreadable == ()
    assert (collected.account_regions, collected.regions) == (1, ("us-east-1",))
    # GetCallerIdentity, 2 + 2 pages, DescribeSubnets, 2 pages, DescribeLogStreams, 2 pages of the enrolment's status
    assert collected.calls == 11
    # AND each VPC carries what the enrolment's status says of it
    assert team.enrolment == "problem: quota full (FlowLogsLimitExceeded) (StackSet-org-1)"
    assert default.enrolment == f"swept {swept} by StackSet-org-1"
    # AND each flow log has its proof: the first interface's delivers, the others have no stream
    verdicts = {log.flow_log_id: log.delivery for log in team.flow_logs}
    assert verdicts.pop("fl-0") == "delivering" and set(verdicts.values()) == {"none"}
    (subnet_log,) = default.flow_logs
    assert subnet_log.delivery_reason == "log group vpc-flow-logs: no network interface, so no log stream"


def test_an_account_without_vpcs_costs_one_call(auditor):
    sts = stubbed(auditor, "sts", collect.CALLER)
    sts.add_response("get_caller_identity", IDENTITY, {})
    scope = auditor.resolve(collect.Request(regions=("us-east-1",), accounts=(CALLER,)))
    stubbed(auditor, "ec2", CALLER).add_response("describe_vpcs", {"Vpcs": []}, {"MaxResults": 1000})
    assert auditor.collect(scope).vpcs == ()


def test_all_regions_are_each_accounts_enabled_regions_and_refusals_are_kept(auditor):
    # GIVEN the caller and two other accounts: one whose role STS refuses, one with two enabled regions
    sts = stubbed(auditor, "sts", collect.CALLER)
    sts.add_response("get_caller_identity", IDENTITY, {})
    scope = auditor.resolve(collect.Request(all_regions=True, accounts=(ACCOUNT, OTHER)))
    assert scope.regions is None
    refused = {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/OrganizationAccountAccessRole",
               "RoleSessionName": "cfn-flowlogs-audit"}  # fmt: skip
    sts.add_client_error("assume_role", "AccessDenied", "not authorized", 403, expected_params=refused)
    sts.add_response("assume_role", {"Credentials": CREDENTIALS}, {**refused, "RoleArn": refused["RoleArn"].replace(
        ACCOUNT, OTHER)})  # fmt: skip
    regions = {"Regions": [{"RegionName": "eu-west-1"}, {"RegionName": "ap-south-2", "OptInStatus": "opted-in"}]}
    ec2_home = Stubber(auditor.client("ec2", OTHER, "us-east-1"))
    ec2_home.add_response("describe_regions", regions, {})
    ec2_home.activate()
    for region in ("ap-south-2", "eu-west-1"):
        stubbed(auditor, "ec2", OTHER, region).add_response("describe_vpcs", {"Vpcs": []}, {"MaxResults": 1000})
    # WHEN they are collected
    collected = auditor.collect(scope)
    # THEN the refused account is one error row for every region; the other read in its enabled regions
    assert collected.unreadable == (
        Unreadable(ACCOUNT, None, f"cannot assume {refused['RoleArn']}: AssumeRole: AccessDenied: not authorized"),
    )
    assert collected.regions == ("ap-south-2", "eu-west-1") and collected.account_regions == 3
    ec2_home.assert_no_pending_responses()


def test_a_member_account_that_cannot_list_the_organization_audits_itself(auditor):
    sts = stubbed(auditor, "sts", collect.CALLER)
    sts.add_response("get_caller_identity", IDENTITY, {})
    org = stubbed(auditor, "organizations", collect.CALLER)
    org.add_client_error("list_accounts", "AccessDeniedException", "You don't have permissions", 400)
    scope = auditor.resolve(collect.Request())
    assert (scope.kind, scope.accounts, scope.regions) == ("caller", (CALLER,), ("us-east-1",))
    assert "auditing only the caller's account 123456789012" in scope.notes[0]


def test_inactive_accounts_are_left_out_with_a_note(auditor):
    sts = stubbed(auditor, "sts", collect.CALLER)
    sts.add_response("get_caller_identity", IDENTITY, {})
    org = stubbed(auditor, "organizations", collect.CALLER)
    accounts = [{"Id": CALLER, "State": "ACTIVE"}, {"Id": ACCOUNT, "Status": "ACTIVE"},
                {"Id": OTHER, "State": "SUSPENDED", "Status": "SUSPENDED"}]  # fmt: skip
    org.add_response("list_accounts", {"Accounts": accounts}, {})
    # (a plan also needs the management account, which StackSets leave out, and the root it targets)
    org.add_response("describe_organization", {"Organization": {"Id": "o-abcdefghij", "MasterAccountId": CALLER}}, {})
    org.add_response("list_roots", {"Roots": [{"Id": "r-ab12", "Name": "Root"}]}, {})
    scope = auditor.resolve(collect.Request(for_plan=True))
    org.assert_no_pending_responses()
    assert (scope.kind, scope.accounts) == ("organization", (ACCOUNT, CALLER))
    assert (scope.management_account, scope.root_id) == (CALLER, "r-ab12")
    assert scope.notes == (f"left out 1 account(s) of the organization that are not ACTIVE: {OTHER} (SUSPENDED)",)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_only_on_a_terminal():
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        progress = collect.Progress(stream)
        progress.update("account-regions read", 3, 8)
        progress.clear()
    assert terminal.getvalue() == "\r\x1b[Kcfn-flowlogs: audit: account-regions read 3/8\r\x1b[K"
    assert pipe.getvalue() == ""


def test_tally_counts_every_status():
    assert tally([finding(VPC, "covered"), finding(TEAM, "silent")]) == {
        "covered": 1, "silent": 1, "unverifiable": 0, "partial": 0, "failing": 0, "missing": 0
    }  # fmt: skip
