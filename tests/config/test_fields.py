"""The field catalog, log formats per target kind, tag fields, and what the flow log emits."""

from __future__ import annotations

import pytest

from cfn_flowlogs import FlowLogsConfig
from cfn_flowlogs.config.fields import DEFAULT_FIELDS, FIELDS, RESOURCE_TYPES, record_version
from cfn_flowlogs.config.inputs import TARGETS

from ..conftest import rendered
from ..matrix import TARGETS as TARGET_CONFIGS

TGW = {"transit_gateway_id": "tgw-0123456789abcdef0", "max_aggregation_interval": 60, "traffic_type": None}
VPC = {"vpc_id": "vpc-0123456789abcdef0"}


def test_catalog_versions_and_athena_types():
    assert FIELDS["version"].versions == {"vpc": 2, "transit-gateway": 6}
    assert FIELDS["reject-reason"].versions == {"vpc": 8}
    assert FIELDS["tgw-pair-attachment-id"].versions == {"transit-gateway": 6}
    assert FIELDS["next-hop-interface-type"].versions == {"vpc": 11}
    assert [FIELDS[n].athena_type for n in ("srcport", "packets", "packets-lost-no-route", "srcaddr")] == [
        "int", "bigint", "bigint", "string",
    ]  # fmt: skip
    assert FIELDS["end"].athena_column == "`end`" and FIELDS["log-status"].athena_column == "log_status"
    assert len(DEFAULT_FIELDS["vpc"]) == 14 and "action" not in DEFAULT_FIELDS["transit-gateway"]
    assert set(RESOURCE_TYPES) == set(TARGETS.values())


@pytest.mark.parametrize(
    ("fields", "family", "version"),
    [
        (("version", "srcaddr"), "vpc", 2),
        (("version", "flow-direction"), "vpc", 5),
        (("version", "ecs-task-id", "encryption-status"), "vpc", 10),
        (("version", "tgw-id"), "transit-gateway", 6),
    ],
)
def test_record_version_is_the_highest_field_version(fields, family, version):
    assert record_version(fields, family) == version


def test_log_format_as_a_list_of_names():
    config = FlowLogsConfig(**VPC, log_format=["version", "srcaddr", "reject-reason"])
    assert config.log_format == "${version} ${srcaddr} ${reject-reason}"
    assert config.record_version == 8


@pytest.mark.parametrize("target", TARGET_CONFIGS, ids=lambda t: next(iter(t)))
def test_each_target_kind(target):
    config = FlowLogsConfig(**target)
    flow_log = rendered(config)["Resources"]["FlowLog"]["Properties"]
    assert flow_log["ResourceType"] == TARGETS[next(iter(target))]
    if config.resource_type.startswith("TransitGateway"):
        assert "TrafficType" not in flow_log and flow_log["MaxAggregationInterval"] == 60
        assert config.record_version == 6
    else:
        assert flow_log["TrafficType"] == "REJECT" and config.record_version == 2


def test_tag_fields_emit_tag_field_specifications():
    config = FlowLogsConfig(
        **VPC,
        log_format="${version} ${instance-tag} ${asg-tag}",
        tag_field_specifications=[
            {"resource_type": "instance", "tag_keys": ["Name", "team"]},
            {"resource_type": "auto-scaling-group", "tag_keys": ["service"]},
        ],
    )
    flow_log = rendered(config)["Resources"]["FlowLog"]["Properties"]
    assert flow_log["TagFieldSpecifications"] == [
        {"ResourceType": "instance", "TagKeys": ["Name", "team"]},
        {"ResourceType": "auto-scaling-group", "TagKeys": ["service"]},
    ]
    assert config.record_version == 11


def test_shipped_template_chooses_the_target_and_drops_traffic_type_for_transit_gateways(shipped):
    flow_log = shipped["Resources"]["FlowLog"]["Properties"]
    assert flow_log["TrafficType"] == {
        "Fn::If": ["TargetIsTransitGateway", {"Ref": "AWS::NoValue"}, {"Ref": "TrafficType"}]
    }
    assert shipped["Conditions"]["TargetIsTransitGateway"] == {
        "Fn::Or": [{"Condition": "HasTransitGatewayId"}, {"Condition": "HasTransitGatewayAttachmentId"}]
    }


def test_cli_reports_the_record_version_of_a_custom_format(tmp_path, capsys):
    from cfn_flowlogs.cli import main

    out = tmp_path / "t.yaml"
    assert main(["build", "--set", "vpc_id=vpc-0123456789abcdef0", "--set", "log_format=${version} ${reject-reason}",
                 "-o", str(out)]) == 0  # fmt: skip
    size = len(out.read_bytes())
    assert capsys.readouterr().err == (
        f"cfn-flowlogs: wrote {out} ({size} bytes)\ncfn-flowlogs: log_format gives version 8 records\n"
    )
