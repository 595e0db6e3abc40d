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
from typing import Any, ClassVar

import pytest
from botocore.stub import Stubber

from .endpoint import Aws, isolated_env

emptier = importlib.import_module("cfn_flowlogs.lambda.empty_bucket")  # `lambda` is a keyword
PAGE = 1000  # ListObjectVersions answers at most this many versions and delete markers at once
_names = itertools.count()


class Clock:
    """Lambda's context: each look at the remaining time costs `step_ms` (no wall clock)."""

    log_group_name = "/aws/lambda/local-empty-bucket"
    log_stream_name = "stream"

    def __init__(self, remaining_ms: int = 900_000, step_ms: int = 0) -> None:
        self.remaining_ms, self.step_ms = remaining_ms, step_ms

    def get_remaining_time_in_millis(self) -> int:
        self.remaining_ms -= self.step_ms
        return self.remaining_ms


def bucket_names(s3: Any) -> set[str]:
    return {b["Name"] for b in s3.list_buckets()["Buckets"]}


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
    deleted = emptier.empty_and_delete(s3, bucket, Clock())
    # THEN the bucket is gone, every version and marker counted
    assert bucket not in bucket_names(s3)
    assert deleted == 1100 + 550


def test_out_of_time_keeps_the_bucket_and_the_next_attempt_goes_on(s3: Any):
    # GIVEN a bucket of 20 versions and 10 delete markers, and time for two S3 calls only
    bucket = versioned_bucket(s3, versions=20)
    # WHEN the function empties it THEN it stops before the next call, saying how far it got
    with pytest.raises(emptier.OutOfTime, match="deleted 30 object versions and delete markers of bucket"):
        emptier.empty_and_delete(s3, bucket, Clock(remaining_ms=emptier.MARGIN_MS + 2500, step_ms=1000))
    # AND the bucket is kept: the next attempt lists from the start, finds it empty, deletes it
    assert bucket in bucket_names(s3)
    assert emptier.empty_and_delete(s3, bucket, Clock()) == 0
    assert bucket not in bucket_names(s3)


def test_a_bucket_already_gone_is_fine(s3: Any):
    # GIVEN a bucket deleted by someone else
    bucket = new_name("gone")
    s3.create_bucket(Bucket=bucket)
    s3.delete_bucket(Bucket=bucket)
    # WHEN / THEN emptying it returns quietly
    assert emptier.empty_and_delete(s3, bucket, Clock()) == 0


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
    emptier.handler(delete_event(stack_id, bucket, response_url), Clock())
    # THEN it reports to CloudFormation either way (never leaving the stack to time out)
    (response,) = _Responses.received
    assert (response["PhysicalResourceId"], response["RequestId"]) == (bucket, "request-1")
    if stack_exists:
        assert response["Status"] == "SUCCESS"
        assert bucket not in bucket_names(s3)
    else:
        assert response["Status"] == "FAILED" and "does not exist" in response["Reason"]
        assert response["Reason"].endswith("(see log group /aws/lambda/local-empty-bucket, stream stream)")
        assert bucket in bucket_names(s3)


def test_handler_answers_create_without_touching_anything(aws: Aws, response_url: str, monkeypatch: pytest.MonkeyPatch):
    # GIVEN a Create for a bucket that does not even exist
    for name, value in isolated_env(aws.endpoint, aws.home).items():
        monkeypatch.setenv(name, value)
    request = {**delete_event("arn:aws:cloudformation:us-east-1:123456789012:stack/s/1", "not-made", response_url),
               "RequestType": "Create"}  # fmt: skip
    # WHEN the handler runs THEN it answers SUCCESS with the bucket's name as the ID
    emptier.handler(request, Clock())
    (response,) = _Responses.received
    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", "not-made")


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
