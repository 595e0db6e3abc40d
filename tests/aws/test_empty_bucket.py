"""The force-destroy function's code (cfn_flowlogs/lambda/empty_bucket.py) against moto's S3 and
CloudFormation. moto cannot run the function itself (its Lambda needs Docker), so its pieces
are called here with boto3 clients pointed at the local endpoint, as the function calls them."""

from __future__ import annotations

import importlib
import itertools
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from botocore.stub import Stubber

from .endpoint import Aws, isolated_env

emptier = importlib.import_module("cfn_flowlogs.lambda.empty_bucket")  # `lambda` is a keyword
PAGE = 1000  # ListObjectVersions answers at most this many versions and delete markers at once
_names = itertools.count()


def new_name(prefix: str) -> str:
    return f"{prefix}-{next(_names)}"


@pytest.fixture(scope="module")
def s3(aws: Aws) -> Any:
    return aws.client("s3")


@pytest.fixture(scope="module")
def cfn(aws: Aws) -> Any:
    return aws.client("cloudformation")


def versioned_bucket(s3: Any, versions: int) -> str:
    """A versioned bucket holding `versions` object versions (two per key), every key then
    deleted, which adds a delete marker each."""
    bucket = new_name("versioned")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    keys = [f"AWSLogs/123456789012/vpcflowlogs/{i:04d}.log.gz" for i in range(versions // 2)]
    with ThreadPoolExecutor(max_workers=8) as pool:  # a put is one request: in parallel, seconds not minutes
        list(pool.map(lambda key: s3.put_object(Bucket=bucket, Key=key, Body=b"flow records"), keys * 2))
    for start in range(0, len(keys), PAGE):
        batch = keys[start : start + PAGE]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True})
    return bucket


def test_empties_every_version_and_marker_over_several_pages_then_deletes(s3: Any):
    # GIVEN a versioned bucket of 1,100 object versions and 550 delete markers: two pages
    bucket = versioned_bucket(s3, versions=1100)
    first_page = s3.list_object_versions(Bucket=bucket)
    assert first_page["IsTruncated"] and len(first_page["Versions"]) + len(first_page.get("DeleteMarkers", [])) == PAGE
    # WHEN the function empties and deletes it
    emptier.empty_and_delete(s3, bucket)
    # THEN the bucket is gone
    assert bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}


def test_a_bucket_already_gone_is_fine(s3: Any):
    # GIVEN a bucket deleted by someone else
    bucket = new_name("gone")
    s3.create_bucket(Bucket=bucket)
    s3.delete_bucket(Bucket=bucket)
    # WHEN / THEN emptying it returns quietly
    emptier.empty_and_delete(s3, bucket)


def bucket_stack(cfn: Any, bucket: str) -> str:
    """A stack whose FlowLogsBucket resource is `bucket`; its ID."""
    template = {"Resources": {"FlowLogsBucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}}}}
    stack_id: str = cfn.create_stack(StackName=new_name("holder"), TemplateBody=json.dumps(template))["StackId"]
    return stack_id


def test_stack_being_deleted_releases_its_bucket(cfn: Any):
    # GIVEN a stack that holds the bucket and is then deleted (moto deletes at once, so the
    # function sees DELETE_COMPLETE where AWS would answer DELETE_IN_PROGRESS: both DELETE_*)
    bucket = new_name("deleting")
    stack_id = bucket_stack(cfn, bucket)
    cfn.delete_stack(StackName=stack_id)
    # THEN the stack releases it
    assert emptier.stack_releases_bucket(cfn, stack_id, "FlowLogsBucket", bucket) is True


def test_stack_still_holding_the_bucket_keeps_it(cfn: Any):
    # GIVEN a live stack whose bucket resource is this bucket (force_destroy turned off, say)
    bucket = new_name("held")
    stack_id = bucket_stack(cfn, bucket)
    # THEN it does not release it
    assert emptier.stack_releases_bucket(cfn, stack_id, "FlowLogsBucket", bucket) is False


def test_stack_whose_bucket_resource_is_another_bucket_releases_this_one(cfn: Any):
    # GIVEN a live stack whose bucket resource is now another bucket (the bucket was replaced)
    stack_id = bucket_stack(cfn, new_name("replacement"))
    # THEN the old bucket is released
    assert emptier.stack_releases_bucket(cfn, stack_id, "FlowLogsBucket", "the-replaced-bucket") is True


def test_stack_without_the_bucket_resource_releases_it(cfn: Any):
    # GIVEN a live stack that no longer has a bucket resource by that logical ID
    stack_id = bucket_stack(cfn, new_name("other"))
    # THEN the bucket is released
    assert emptier.stack_releases_bucket(cfn, stack_id, "RemovedBucket", "the-removed-bucket") is True


class _Responses(BaseHTTPRequestHandler):
    """Stands in for CloudFormation's pre-signed ResponseURL: keeps what the function PUTs."""

    received: ClassVar[list[dict[str, Any]]] = []

    def do_PUT(self) -> None:
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def response_url() -> Iterator[str]:
    _Responses.received.clear()
    server = HTTPServer(("127.0.0.1", 0), _Responses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/response"
    server.shutdown()
    server.server_close()


def delete_event(stack_id: str, bucket: str, response_url: str) -> dict[str, Any]:
    return {
        "RequestType": "Delete",
        "StackId": stack_id,
        "RequestId": "request-1",
        "LogicalResourceId": "EmptyBucketOnDelete",
        "ResponseURL": response_url,
        "ResourceProperties": {"BucketName": bucket, "LogicalId": "FlowLogsBucket"},
    }


@pytest.mark.parametrize("stack_exists", [True, False], ids=["stack-deleted", "stack-unknown"])
def test_handler_answers_cloudformation_on_success_and_failure(
    aws: Aws, s3: Any, cfn: Any, response_url: str, monkeypatch: pytest.MonkeyPatch, stack_exists: bool
):
    # GIVEN the function's environment pointing at the local endpoint, and a Delete request for
    # a deleted stack's bucket (or for a stack nobody knows)
    for name, value in isolated_env(aws.endpoint, aws.home).items():
        monkeypatch.setenv(name, value)
    bucket = versioned_bucket(s3, versions=20)
    stack_id = bucket_stack(cfn, new_name("unrelated"))
    if stack_exists:
        cfn.delete_stack(StackName=stack_id)
    else:
        stack_id = stack_id.replace(stack_id.rpartition("/")[2], "00000000-0000-0000-0000-000000000000")
    # WHEN the handler runs
    emptier.handler(delete_event(stack_id, bucket, response_url), SimpleNamespace(log_stream_name="stream"))
    # THEN it reports to CloudFormation either way (never leaving the stack to time out)
    (response,) = _Responses.received
    assert (response["PhysicalResourceId"], response["RequestId"]) == (bucket, "request-1")
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    if stack_exists:
        assert response["Status"] == "SUCCESS"
        assert bucket not in buckets
    else:
        assert response["Status"] == "FAILED" and "does not exist" in response["Reason"]
        assert bucket in buckets


def test_a_failed_lookup_keeps_the_bucket(aws: Aws):
    # GIVEN a live stack, and CloudFormation throttling the lookup of its bucket resource
    stubbed = aws.client("cloudformation")
    with Stubber(stubbed) as stub:
        stub.add_response("describe_stacks", {"Stacks": [LIVE_STACK]})
        stub.add_client_error("describe_stack_resource", "Throttling", "Rate exceeded")
        # THEN the error is raised (the handler reports FAILED) rather than taken for "released"
        with pytest.raises(stubbed.exceptions.ClientError, match="Throttling"):
            emptier.stack_releases_bucket(stubbed, LIVE_STACK["StackId"], "FlowLogsBucket", "held-bucket")


LIVE_STACK = {
    "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/live/00000000-0000-0000-0000-000000000001",
    "StackName": "live",
    "CreationTime": "2026-01-01T00:00:00Z",
    "StackStatus": "UPDATE_IN_PROGRESS",
}
