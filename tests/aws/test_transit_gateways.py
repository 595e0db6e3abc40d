"""Transit gateway targets of the shipped template on the local endpoint: a transit gateway and a
VPC attachment of it, each deployed with `aws cloudformation deploy` and read back with
`ec2 describe-flow-logs`.

moto creates a flow log of any ResourceType and checks none of EC2's rules for transit gateways:
it stores a TrafficType and accepts 600 s for them, and does not even look the gateway up. Those
rules are the compiler's (FlowLogsConfig, tests/config/test_config.py) and the template's Rules (not
evaluated by moto). Here: the template leaves the traffic type out and passes the interval and a
transit gateway log format."""

from __future__ import annotations

import pytest

from cfn_flowlogs.config.fields import DEFAULT_FIELDS, log_format

from .endpoint import Aws
from .test_archive_deploy import outputs
from .test_deploy import SHIPPED

TGW_FORMAT = log_format(DEFAULT_FIELDS["transit-gateway"][:16])  # version ... tgw-pair-attachment-id

# Stack -> target Parameter and the other Parameters.
CASES = {
    "tgw-s3": ("TransitGatewayId", {"LogDestinationType": "s3", "MaxAggregationInterval": "60"}),
    "tgw-attachment-cwl": ("TransitGatewayAttachmentId", {"MaxAggregationInterval": "60", "LogFormat": TGW_FORMAT}),
}


@pytest.fixture(scope="module")
def transit_gateway(aws: Aws, network: dict[str, str]) -> dict[str, str]:
    """A transit gateway and its attachment to the shared VPC: target Parameter -> ID."""
    gateway = aws("ec2", "create-transit-gateway", "--description", "flow logs")["TransitGateway"]["TransitGatewayId"]
    attachment = aws(
        "ec2", "create-transit-gateway-vpc-attachment", "--transit-gateway-id", gateway,
        "--vpc-id", network["VpcId"], "--subnet-ids", network["SubnetId"],
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]  # fmt: skip
    return {"TransitGatewayId": gateway, "TransitGatewayAttachmentId": attachment}


@pytest.mark.parametrize("stack", list(CASES))
def test_transit_gateway_flow_log_has_no_traffic_type_and_a_minute(aws: Aws, transit_gateway: dict[str, str], stack):
    # GIVEN a transit gateway or its attachment as the target, with the 60-second interval
    target, parameters = CASES[stack]
    parameters = {target: transit_gateway[target], **parameters}
    # WHEN the shipped template is deployed
    deployed = aws.deploy(stack, SHIPPED, parameters)
    assert deployed["StackStatus"] == "CREATE_COMPLETE", deployed
    flow_log = aws.flow_log(outputs(deployed)["FlowLogId"])
    # THEN the flow log logs that target every minute, with no traffic type (EC2 rejects one)
    assert flow_log["ResourceId"] == transit_gateway[target]
    assert flow_log["MaxAggregationInterval"] == 60
    assert "TrafficType" not in flow_log
    # AND to the destination and in the format asked for (moto's default format is a VPC's, so
    # only a given one is compared)
    assert flow_log["LogDestinationType"] == parameters.get("LogDestinationType", "cloud-watch-logs")
    if "LogFormat" in parameters:
        assert flow_log["LogFormat"] == parameters["LogFormat"]
