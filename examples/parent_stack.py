"""A parent stack with its own VPC and subnet: flow logs added inline for the VPC, and the
shipped template nested for the subnet. `make template` writes it to
templates/examples/parent-stack.yaml.

Deploy it after uploading templates/vpc-flow-logs.yaml to S3, passing that object's URL as
the Parameter FlowLogsTemplateUrl; or build it with `template_url` a local path and let
`aws cloudformation package` upload the nested template and rewrite the URL.
"""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Output, Parameter, Ref, Template
from troposphere.ec2 import VPC, Subnet

from cfn_flowlogs import FlowLogsConfig, add_flow_logs, nested_stack

DESCRIPTION = "A VPC with flow logs inline and a subnet with the shipped flow logs template nested"


def build(template_url: Any = None) -> Template:
    """The parent template. `template_url`: where the nested template is (for example a local
    path for `aws cloudformation package`); by default the Parameter FlowLogsTemplateUrl."""
    template = Template(Description=DESCRIPTION)
    if template_url is None:
        template_url = Ref(
            template.add_parameter(
                Parameter(
                    "FlowLogsTemplateUrl",
                    Type="String",
                    Description="S3 URL of templates/vpc-flow-logs.yaml (https://BUCKET.s3.amazonaws.com/KEY)",
                )
            )
        )
    vpc = template.add_resource(VPC("Vpc", CidrBlock="10.20.0.0/16", EnableDnsSupport=True))
    subnet = template.add_resource(Subnet("PrivateSubnet", VpcId=Ref(vpc), CidrBlock="10.20.1.0/24"))

    # (a) Inline: the VPC's flow log and its log group, role and key become this stack's own.
    add_flow_logs(template, FlowLogsConfig(vpc_id=Ref(vpc), traffic_type="ALL"), prefix="Vpc")

    # (b) Nested: the shipped template for the subnet, its Parameters checked now.
    subnet_logs = template.add_resource(
        nested_stack(
            "SubnetFlowLogs",
            template_url,
            FlowLogsConfig(subnet_id=Ref(subnet), log_destination_type="s3", custom_tags={"team": "network"}),
        )
    )
    template.add_output(Output("SubnetFlowLogId", Value=GetAtt(subnet_logs, "Outputs.FlowLogId")))
    return template
