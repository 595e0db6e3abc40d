"""Each example config of examples/, compiled by the command line into a specialized template
(its target swapped for a real one) and deployed with `aws cloudformation deploy`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cfn_flowlogs.config.inputs import BY_NAME, TARGETS
from cfn_flowlogs.config.loading import config_from
from cfn_flowlogs.config.marks import STACK_MARK

from .endpoint import ACCOUNT, BIN, Aws

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def destinations_the_examples_name(aws: Aws) -> None:
    """The bucket and the Firehose stream the examples bring (by the names they give)."""
    aws("s3api", "create-bucket", "--bucket", "example-central-flow-logs")
    aws("iam", "create-role", "--role-name", "example-firehose-writer", "--assume-role-policy-document", "{}")
    aws(
        "firehose", "create-delivery-stream", "--delivery-stream-name", "flow-logs",
        "--extended-s3-destination-configuration",
        f"RoleARN=arn:aws:iam::{ACCOUNT}:role/example-firehose-writer,BucketARN=arn:aws:s3:::example-central-flow-logs",
        "--tags", "Key=LogDeliveryEnabled,Value=true",
    )  # fmt: skip


@pytest.mark.usefixtures("destinations_the_examples_name")
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_example_compiles_and_deploys(aws: Aws, network: dict[str, str], tmp_path: Path, example: Path):
    # GIVEN the example config, its target swapped for one that exists
    config = config_from(example, [])
    (target,) = [name for name in TARGETS if getattr(config, name)]
    real_id = network[BY_NAME[target].parameter]
    # WHEN the command line compiles it and the AWS CLI deploys the result
    template = tmp_path / "template.yaml"
    subprocess.run(
        [
            str(BIN / "cfn-flowlogs"),
            "build",
            "--config",
            str(example),
            "--set",
            f"{target}={real_id}",
            "-o",
            str(template),
        ],
        check=True,
    )
    stack = aws.deploy(f"example-{example.stem}", template)
    # THEN the stack is complete and its flow log logs that target where the example says,
    # tagged with the example's custom_tags and the name of the stack that made it
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    flow_log = aws.flow_log(aws.outputs(stack["StackName"])["FlowLogId"])
    assert flow_log["ResourceId"] == real_id
    assert flow_log["LogDestinationType"] == config.log_destination_type
    assert flow_log["TrafficType"] == config.traffic_type
    tags = {tag["Key"]: tag["Value"] for tag in flow_log.get("Tags", [])}
    assert tags == {**config.custom_tags, STACK_MARK: stack["StackName"]}
