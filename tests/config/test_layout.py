"""The S3 delivery layout: AWS's documented prefixes and object names, from one pure function that
the templates (in Fn::Sub), the audit and the query engine share."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cfn_flowlogs import FlowLogsConfig, build_template, to_json
from cfn_flowlogs.config import layout

MOMENT = dt.datetime(2018, 6, 20, 16, 20, tzinfo=dt.timezone.utc)


# "Flow log files" (VPC user guide): bucket-and-optional-prefix/AWSLogs/account_id/vpcflowlogs/
# region/year/month/day/[hour/], and the Hive-compatible form with key=value levels.
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, "AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/"),
        ({"per_hour": True}, "AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/16/"),
        ({"subfolder": "my-logs"}, "my-logs/AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/"),
        (
            {"hive": True},
            "AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/"
            "year=2018/month=06/day=20/",
        ),
        (
            {"hive": True, "per_hour": True, "subfolder": "a/b"},
            "a/b/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/"
            "year=2018/month=06/day=20/hour=16/",
        ),
    ],
    ids=["plain", "per-hour", "subfolder", "hive", "hive-hour-subfolder"],
)
def test_delivery_prefix_is_the_documented_layout(options, expected):
    assert layout.delivery_prefix("123456789012", "us-east-1", MOMENT, **options) == expected


def test_a_moment_in_another_zone_is_the_utc_day_and_hour():
    late = dt.datetime(2018, 6, 20, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-2)))
    assert layout.delivery_prefix("1", "r", late, per_hour=True).endswith("/2018/06/21/01/")


def test_object_names_start_with_the_flow_logs_own_prefix():
    # AWS's example: 123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz
    name = "123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz"
    assert name.startswith(layout.object_prefix("123456789012", "us-east-1", "fl-1234abcd"))
    assert not name.startswith(layout.object_prefix("123456789012", "us-east-1", "fl-1234abc"))


@pytest.mark.parametrize("hive", [False, True])
@pytest.mark.parametrize("subfolder", ["", "team/flow-logs"])
def test_the_bucket_policy_grants_the_layouts_own_prefix(hive, subfolder):
    # GIVEN a specialized template delivering to its own bucket
    config = FlowLogsConfig(
        vpc_id="vpc-0123456789abcdef0",
        log_destination_type="s3",
        s3_subfolder=subfolder,
        destination_options={"hive_compatible_partitions": hive},
    )
    template = json.loads(to_json(build_template(config)))
    policy = template["Resources"]["FlowLogsBucketPolicy"]["Properties"]["PolicyDocument"]
    (write,) = [s for s in policy["Statement"] if s["Sid"] == "AWSLogDeliveryWrite"]
    # THEN the write grant is the bucket, then exactly the layout's account prefix
    expected = layout.logs_prefix(subfolder) + layout.account_prefix("${AWS::AccountId}", hive=hive) + "*"
    bucket = {"Fn::GetAtt": ["FlowLogsBucket", "Arn"]}
    assert write["Resource"] == [{"Fn::Sub": ["${Bucket}/" + expected, {"Bucket": bucket}]}]
