"""Who made each flow log, in every output format, and what the enrolment's status says of a VPC."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest

from cfn_flowlogs.audit import enrolment
from cfn_flowlogs.audit.judge import judge
from cfn_flowlogs.audit.records import maker, vpcs_from_api
from cfn_flowlogs.audit.render import render
from cfn_flowlogs.config.marks import ENROLMENT_MARK, STACK_MARK, TELEMETRY_MARK

ACCOUNT, REGION, VPC = "111122223333", "eu-west-1", "vpc-0a1b2c3d4e5f60718"
NOW = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.timezone.utc)


def tag(key: str, value: str) -> dict[str, str]:
    return {"Key": key, "Value": value}


@pytest.mark.parametrize(
    ("tags", "made_by", "detail"),
    [
        pytest.param([tag(STACK_MARK, "network")], "stack", "network", id="a-stack"),
        pytest.param([tag(ENROLMENT_MARK, "StackSet-org-1"), tag("team", "n")], "enrolment", "StackSet-org-1",
                     id="the-enrolment"),
        pytest.param([tag(TELEMETRY_MARK, "true")], "telemetry rule", None, id="a-telemetry-rule"),
        pytest.param([tag(TELEMETRY_MARK, "TRUE")], "telemetry rule", None, id="a-telemetry-rule-any-case"),
        pytest.param([tag("aws:cloudformation:stack-name", "theirs")], "other", "CloudFormation stack theirs",
                     id="a-stack-of-someone-else"),
        pytest.param([tag(TELEMETRY_MARK, "false")], "other", None, id="not-the-rules"),
        pytest.param([], "other", None, id="no-tag"),
    ],
)  # fmt: skip
def test_who_made_a_flow_log_is_read_from_its_tags(tags, made_by, detail):
    assert maker(tags) == (made_by, detail)


def flow_log(ident: str, tags: list[dict[str, str]]) -> dict[str, Any]:
    return {"FlowLogId": ident, "ResourceId": VPC, "TrafficType": "ALL", "LogDestinationType": "s3",
            "LogDestination": "arn:aws:s3:::archive", "DeliverLogsStatus": "SUCCESS", "Tags": tags}  # fmt: skip


def test_every_output_format_says_who_made_each_flow_log():
    # GIVEN a VPC with a flow log of the enrolment and one a telemetry rule made
    logs = [flow_log("fl-1", [tag(ENROLMENT_MARK, "StackSet-org-1")]), flow_log("fl-2", [tag(TELEMETRY_MARK, "true")])]
    (vpc,) = vpcs_from_api(ACCOUNT, REGION, [{"VpcId": VPC, "OwnerId": ACCOUNT}], logs)
    findings = [judge(vpc)]
    # THEN JSON says it per flow log and for the VPC
    (row,) = json.loads(render("json", findings, []))
    assert row["makers"] == "enrolment+telemetry rule"
    assert [(log["made_by"], log["made_by_detail"]) for log in row["flow_logs"]] == [
        ("enrolment", "StackSet-org-1"), ("telemetry rule", None)]  # fmt: skip
    # AND CSV on each flow log's line
    lines = list(csv.DictReader(io.StringIO(render("csv", findings, []))))
    assert [(line["makers"], line["made_by"], line["made_by_detail"]) for line in lines] == [
        ("enrolment+telemetry rule", "enrolment", "StackSet-org-1"),
        ("enrolment+telemetry rule", "telemetry rule", ""),
    ]
    # AND the table in its MADE BY column
    header, first = render("table", findings, []).splitlines()[:2]
    assert "MADE BY" in header
    assert first[header.index("MADE BY") :].startswith("enrolment+telemetry rule")


def parameter(stack: str, status: dict[str, Any] | str) -> dict[str, str]:
    value = status if isinstance(status, str) else json.dumps(status)
    return {"Name": f"/cfn-flowlogs/enrolment/{stack}", "Type": "String", "Value": value}


RECENT = "2026-03-02T01:25:00Z"
OTHER_VPC = "vpc-0fedcba9876543210"


@pytest.mark.parametrize(
    ("parameters", "error", "expected"),
    [
        pytest.param([], None, {}, id="no-enrolment"),
        pytest.param([parameter("S", "{}")], None, dict.fromkeys((VPC, OTHER_VPC), "problem: S has not swept yet"),
                     id="not-swept-yet"),
        pytest.param([parameter("S", {"time": RECENT, "trail": "recorded", "problems": {}})], None,
                     dict.fromkeys((VPC, OTHER_VPC), f"swept {RECENT} by S"), id="swept"),
        pytest.param([parameter("S", {"time": "2026-03-02T00:40:00Z", "trail": "recorded"})], None,
                     dict.fromkeys((VPC, OTHER_VPC), "problem: S last swept 2026-03-02T00:40:00Z: is its function "
                                                     "running?"), id="stale"),
        pytest.param([parameter("S", {"time": RECENT, "trail": "problem: no logging trail"})], None,
                     dict.fromkeys((VPC, OTHER_VPC), "problem: no logging trail (S)"), id="no-trail"),
        pytest.param([parameter("S", {"time": RECENT, "trail": "recorded", "problems": {VPC: "problem: quota full"}})],
                     None, {VPC: "problem: quota full (S)", OTHER_VPC: f"swept {RECENT} by S"}, id="one-vpc"),
        pytest.param([parameter("S", {"time": RECENT, "trail": "recorded", "problems": {}, "more_problems": 3})],
                     None, dict.fromkeys((VPC, OTHER_VPC), "problem: S found 3 more problems than its status holds"),
                     id="more-than-it-holds"),
        pytest.param([], "GetParametersByPath: AccessDeniedException: no",
                     dict.fromkeys((VPC, OTHER_VPC), "status not read: GetParametersByPath: AccessDeniedException: no"),
                     id="unreadable"),
    ],
)  # fmt: skip
def test_what_the_enrolments_status_says_of_each_vpc(parameters, error, expected):
    assert enrolment.notes(parameters, [VPC, OTHER_VPC], NOW, error) == expected


def test_a_vpc_not_covered_says_what_the_enrolment_found():
    # GIVEN a VPC without flow log, which the enrolment could not cover (the quota full)
    (vpc,) = vpcs_from_api(ACCOUNT, REGION, [{"VpcId": VPC, "OwnerId": ACCOUNT}], [])
    vpc = vpc.__class__(**{**vpc.__dict__, "enrolment": "problem: quota full (S)"})
    # THEN its reason says so, after why it is not covered
    finding = judge(vpc)
    assert finding.status == "missing" and finding.reason.endswith("; enrolment: problem: quota full (S)")
