"""The library's two ways into a user's own template, deployed: the example parent stack (flow
logs inline for its VPC, the shipped template nested for its subnet), from the shipped file
and through `aws cloudformation package`."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import pytest
import yaml
from cfnlint.decode import cfn_yaml

from cfn_flowlogs import to_yaml

from .endpoint import Aws
from .test_deploy import SHIPPED

ROOT = Path(__file__).resolve().parents[2]
PARENT = ROOT / "templates/examples/parent-stack.yaml"


@pytest.fixture(scope="module")
def bucket(aws: Aws) -> str:
    """Where templates go, as `aws cloudformation package` and nested stacks expect."""
    aws("s3api", "create-bucket", "--bucket", "cfn-templates")
    return "cfn-templates"


def assert_both_flow_logs_deployed(aws: Aws, parent: str) -> None:
    # THEN the parent and its nested stack are complete
    nested = aws.physical_id(parent, "SubnetFlowLogs")
    assert aws.stack(parent)["StackStatus"] == aws.stack(nested)["StackStatus"] == "CREATE_COMPLETE"
    # AND the inline flow log logs the parent's VPC, the nested one its subnet
    outputs = aws.outputs(parent)
    assert aws.flow_log(outputs["VpcFlowLogId"])["ResourceId"] == aws.physical_id(parent, "Vpc")
    subnet_log = aws.flow_log(outputs["SubnetFlowLogId"])
    assert subnet_log["ResourceId"] == aws.physical_id(parent, "PrivateSubnet")
    assert subnet_log["LogDestinationType"] == "s3"
    # AND the nested stack carries the config's custom_tags as its stack tags
    assert aws.stack(nested)["Tags"] == [{"Key": "team", "Value": "network"}]


def test_shipped_parent_example_deploys_with_its_nested_stack(aws: Aws, bucket: str):
    # GIVEN the shipped template in S3
    aws("s3api", "put-object", "--bucket", bucket, "--key", "vpc-flow-logs.yaml", "--body", str(SHIPPED))
    # WHEN the parent example is deployed with that object's URL
    url = f"https://{bucket}.s3.amazonaws.com/vpc-flow-logs.yaml"
    aws.deploy("parent-example", PARENT, {"FlowLogsTemplateUrl": url})
    assert_both_flow_logs_deployed(aws, "parent-example")


def test_package_uploads_a_local_template_url_and_the_result_deploys(aws: Aws, bucket: str, tmp_path: Path):
    # GIVEN the parent built with a local path for the nested template
    (tmp_path / "templates").mkdir()
    shutil.copy(SHIPPED, tmp_path / "templates/vpc-flow-logs.yaml")
    build = runpy.run_path(str(ROOT / "examples/parent_stack.py"))["build"]
    (tmp_path / "parent.yaml").write_text(to_yaml(build("templates/vpc-flow-logs.yaml")))
    # WHEN `aws cloudformation package` runs
    aws.run("cloudformation", "package", "--template-file", "parent.yaml", "--s3-bucket", bucket,
        "--output-template-file", "packaged.yaml", cwd=tmp_path)  # fmt: skip
    # THEN the nested template was uploaded and its URL rewritten to the object
    packaged = yaml.load((tmp_path / "packaged.yaml").read_text(), Loader=yaml.BaseLoader)
    url = packaged["Resources"]["SubnetFlowLogs"]["Properties"]["TemplateURL"]
    key = url.rpartition(f"/{bucket}/")[2]
    aws("s3api", "get-object", "--bucket", bucket, "--key", key, str(tmp_path / "uploaded.yaml"))
    assert cfn_yaml.loads((tmp_path / "uploaded.yaml").read_text()) == cfn_yaml.loads(SHIPPED.read_text())
    # AND the packaged parent deploys
    aws.deploy("parent-packaged", tmp_path / "packaged.yaml")
    assert_both_flow_logs_deployed(aws, "parent-packaged")
