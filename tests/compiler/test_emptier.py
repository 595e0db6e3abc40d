"""The force_destroy_bucket emptier: its handler (cfn_flowlogs/lambda/empty_bucket.py) run
directly against small fakes of boto3 and of CloudFormation's response URL (the AWS boundary),
and the custom resource, function, role and log group in the rendered templates.

tests/aws/test_empty_bucket.py runs the same code against moto's S3 and CloudFormation."""

from __future__ import annotations

import ast
import importlib.util
import io
import json
import tokenize
import urllib.error
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from botocore.exceptions import ClientError
from troposphere import Template

import cfn_flowlogs
from cfn_flowlogs import FlowLogsConfig, add_flow_logs, lint, to_json
from cfn_flowlogs.compiler import naming
from cfn_flowlogs.compiler.resources import emptier

from ..conftest import rendered

SOURCE = Path(cfn_flowlogs.__file__).parent / "lambda" / "empty_bucket.py"
BODY_LIMIT = 4096  # bytes: "The total size of the response body can't exceed 4096 bytes."
# "This zip file cannot exceed 4MB" (AWS::Lambda::Function Code, ZipFile); troposphere checks
# the same 4 MiB of characters. The old 4,096-character limit is gone.
ZIPFILE_LIMIT = 4 * 1024 * 1024
S3 = {"vpc_id": "vpc-0123456789abcdef0", "log_destination_type": "s3"}
STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/flow-logs/00000000-0000-0000-0000-000000000001"
BUCKET = "flow-logs-bucket-1a2b3c"
LOG_GROUP = "/aws/lambda/flow-logs-empty-bucket"
LOG_STREAM = "2026/01/01/[$LATEST]0123456789abcdef"


@pytest.fixture(scope="module")
def lambda_module() -> ModuleType:
    """The function's module loaded from its file, as Lambda would (`lambda` is a keyword)."""
    spec = importlib.util.spec_from_file_location("empty_bucket_under_test", SOURCE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- fakes of the AWS boundary ------------------------------------------------------------------


def client_error(code: str, operation: str, message: str = "") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message or code}}, operation)


class Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("this error cannot say what it is")


@dataclass
class FakeS3:
    """A versioned bucket: `versions` object versions and delete markers, or none left."""

    versions: int = 0
    exists: bool = True
    on_delete_objects: Callable[[list[dict[str, str]]], dict[str, Any]] | None = None
    calls: list[str] = field(default_factory=list)
    _left: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._left = [{"Key": f"AWSLogs/{i // 2}.log.gz", "VersionId": f"v{i}"} for i in range(self.versions)]

    def list_object_versions(self, Bucket: str, MaxKeys: int = 1000) -> dict[str, Any]:
        self.calls.append("list_object_versions")
        if not self.exists:
            raise client_error("NoSuchBucket", "ListObjectVersions")
        page = self._left[:MaxKeys]
        return {"Versions": page[::2], "DeleteMarkers": page[1::2], "IsTruncated": len(self._left) > MaxKeys}

    def delete_objects(self, Bucket: str, Delete: dict[str, Any]) -> dict[str, Any]:
        self.calls.append("delete_objects")
        assert len(Delete["Objects"]) <= 1000 and Delete["Quiet"] is True
        if self.on_delete_objects:
            return self.on_delete_objects(Delete["Objects"])
        doomed = {o["VersionId"] for o in Delete["Objects"]}
        self._left = [v for v in self._left if v["VersionId"] not in doomed]
        return {}

    def delete_bucket(self, Bucket: str) -> None:
        self.calls.append("delete_bucket")
        if self._left:
            raise client_error("BucketNotEmpty", "DeleteBucket")
        self.exists = False

    @property
    def left(self) -> int:
        return len(self._left)


@dataclass
class FakeCloudFormation:
    status: str = "DELETE_IN_PROGRESS"
    held: str | None = BUCKET  # the bucket resource's physical ID, None: no such resource
    throttled: bool = False
    calls: list[str] = field(default_factory=list)

    def describe_stacks(self, StackName: str) -> dict[str, Any]:
        self.calls.append("describe_stacks")
        if self.throttled:
            raise client_error("Throttling", "DescribeStacks", "Rate exceeded")
        return {"Stacks": [{"StackId": StackName, "StackStatus": self.status}]}

    def describe_stack_resource(self, StackName: str, LogicalResourceId: str) -> dict[str, Any]:
        self.calls.append("describe_stack_resource")
        if self.held is None:
            raise client_error("ValidationError", "DescribeStackResource", f"{LogicalResourceId} does not exist")
        return {"StackResourceDetail": {"PhysicalResourceId": self.held}}


@dataclass
class FakeBoto3:
    s3: FakeS3
    cloudformation: FakeCloudFormation

    def client(self, name: str, config: Any = None) -> Any:
        assert config is not None  # timeouts and retries bounded: the time check relies on them
        return {"s3": self.s3, "cloudformation": self.cloudformation}[name]


@dataclass
class FakeContext:
    """Lambda's context with a clock that moves only when asked: each look at the remaining time
    costs `step_ms` (no wall clock anywhere)."""

    remaining_ms: int = 900_000
    step_ms: int = 0
    log_group_name: str = LOG_GROUP
    log_stream_name: str = LOG_STREAM

    def get_remaining_time_in_millis(self) -> int:
        self.remaining_ms -= self.step_ms
        return self.remaining_ms


class BareContext:
    """A context without log names (and no clock): the answer must go out all the same."""

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


@dataclass
class ResponseUrl:
    """CloudFormation's pre-signed ResponseURL: keeps each PUT; fails the first `failures`."""

    failures: int = 0
    attempts: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)

    def urlopen(self, request: Any, timeout: float) -> io.BytesIO:
        assert (request.get_method(), request.full_url) == ("PUT", EVENT["ResponseURL"]) and timeout <= 10
        assert request.get_header("Content-type") == ""  # the pre-signed URL was signed without one
        body = request.data
        assert len(body) <= BODY_LIMIT, len(body)
        answer = json.loads(body)
        self.attempts.append(answer)
        if len(self.attempts) <= self.failures:
            raise urllib.error.URLError("connection reset")
        self.delivered.append(answer)
        return io.BytesIO()


EVENT: dict[str, Any] = {
    "RequestType": "Delete",
    "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:flow-logs-EmptyBucketFunction-1",
    "ResponseURL": "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/signed",
    "StackId": STACK_ID,
    "RequestId": "5d478078-13e9-baf0-464a-7ef285ecc786",
    "LogicalResourceId": "EmptyBucketOnDelete",
    "PhysicalResourceId": BUCKET,
    "ResourceType": "Custom::EmptyBucket",
    "ResourceProperties": {
        "ServiceToken": "x",
        "ServiceTimeout": "960",
        "BucketName": BUCKET,
        "LogicalId": "FlowLogsBucket",
    },
}


@dataclass
class Run:
    s3: FakeS3
    cloudformation: FakeCloudFormation
    url: ResponseUrl


@pytest.fixture
def aws(lambda_module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Run]]:
    """Points the module's boto3 and urlopen at fresh fakes; returns a factory for them."""

    def make(s3: FakeS3 | None = None, cfn: FakeCloudFormation | None = None, url: ResponseUrl | None = None) -> Run:
        run = Run(s3 or FakeS3(versions=10), cfn or FakeCloudFormation(), url or ResponseUrl())
        monkeypatch.setattr(lambda_module, "boto3", FakeBoto3(run.s3, run.cloudformation))
        monkeypatch.setattr(lambda_module.urllib.request, "urlopen", run.url.urlopen)
        monkeypatch.setattr(lambda_module.time, "sleep", lambda seconds: None)
        return run

    yield make


def event(**changes: Any) -> dict[str, Any]:
    """EVENT with `changes`; a value of None removes the key."""
    changed = {**EVENT, **changes}
    return {k: v for k, v in changed.items() if v is not None}


def props(**changes: Any) -> dict[str, Any]:
    return {k: v for k, v in {**EVENT["ResourceProperties"], **changes}.items() if v is not None}


def unprintable_on_delete(objects: list[dict[str, str]]) -> dict[str, Any]:
    raise Unprintable()


def denied_per_key(objects: list[dict[str, str]]) -> dict[str, Any]:
    return {"Errors": [{**o, "Code": "AccessDenied", "Message": "Access Denied"} for o in objects]}


def denied_request(objects: list[dict[str, str]]) -> dict[str, Any]:
    raise client_error("AccessDenied", "DeleteObjects", "Access Denied")


def huge_error(objects: list[dict[str, str]]) -> dict[str, Any]:
    raise client_error("InternalError", "DeleteObjects", 'é"\n' * 20_000)  # escapes grow in JSON


MARGIN = 120_000  # the function's MARGIN_MS, checked below against the module


@dataclass(frozen=True)
class Case:
    event: dict[str, Any]
    status: str
    reason: str  # a fragment the reason must hold
    physical_id: str = BUCKET
    s3: Callable[[], FakeS3] = lambda: FakeS3(versions=10)
    cfn: Callable[[], FakeCloudFormation] = FakeCloudFormation
    context: Callable[[], Any] = FakeContext
    bucket_deleted: bool = False
    aws_calls: bool = True  # whether it may call AWS at all


CASES = {
    "good-delete": Case(
        event(), "SUCCESS", "deleted bucket flow-logs-bucket-1a2b3c and its 2500 object versions",
        s3=lambda: FakeS3(versions=2500), bucket_deleted=True,
    ),
    "delete-bucket-already-gone": Case(
        event(), "SUCCESS", "its 0 object versions", s3=lambda: FakeS3(exists=False), bucket_deleted=True,
    ),
    "delete-while-the-stack-holds-it": Case(
        event(), "SUCCESS", "kept bucket flow-logs-bucket-1a2b3c: the stack still holds it",
        cfn=lambda: FakeCloudFormation(status="UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"),
    ),
    "delete-of-a-replaced-bucket": Case(
        event(), "SUCCESS", "deleted bucket", bucket_deleted=True,
        cfn=lambda: FakeCloudFormation(status="UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", held="the-new-bucket"),
    ),
    "create": Case(event(RequestType="Create", PhysicalResourceId=None), "SUCCESS", "", aws_calls=False),
    "update": Case(event(RequestType="Update"), "SUCCESS", "", aws_calls=False),
    "unknown-request-type": Case(
        event(RequestType="Replace"), "FAILED", "RequestType must be Create, Update or Delete, got 'Replace'",
        aws_calls=False,
    ),
    "create-without-properties": Case(
        event(RequestType="Create", PhysicalResourceId=None, ResourceProperties=None), "FAILED",
        "ResourceProperties.BucketName must be a non-empty string, got None",
        physical_id="EmptyBucketOnDelete", aws_calls=False,
    ),
    "create-with-properties-not-an-object": Case(
        event(RequestType="Create", PhysicalResourceId=None, ResourceProperties=["x"]), "FAILED",
        "ResourceProperties.BucketName", physical_id="EmptyBucketOnDelete", aws_calls=False,
    ),
    "create-with-a-bucket-name-not-a-string": Case(
        event(RequestType="Create", PhysicalResourceId=None, ResourceProperties=props(BucketName=123)), "FAILED",
        "ResourceProperties.BucketName must be a non-empty string, got 123",
        physical_id="EmptyBucketOnDelete", aws_calls=False,
    ),
    "update-without-logical-id-keeps-its-id": Case(
        event(RequestType="Update", ResourceProperties=props(LogicalId=None)), "FAILED",
        "ResourceProperties.LogicalId must be a non-empty string, got None", aws_calls=False,
    ),
    "delete-with-bad-properties-is-a-rollback": Case(
        event(PhysicalResourceId="EmptyBucketOnDelete", ResourceProperties=props(BucketName="")), "SUCCESS",
        "ResourceProperties.BucketName", physical_id="EmptyBucketOnDelete", aws_calls=False,
    ),
    "describe-stacks-throttled": Case(
        event(), "FAILED", "Throttling", cfn=lambda: FakeCloudFormation(throttled=True),
    ),
    "stack-lookup-denied-without-log-names": Case(
        event(), "FAILED", "log group ?, stream ?", cfn=lambda: FakeCloudFormation(throttled=True),
        context=BareContext,
    ),
    "delete-objects-access-denied": Case(
        event(), "FAILED", "AccessDenied", s3=lambda: FakeS3(versions=10, on_delete_objects=denied_request),
    ),
    "delete-objects-denied-per-key": Case(
        event(), "FAILED", "10 of 10 object versions not deleted from bucket flow-logs-bucket-1a2b3c, first "
        "AWSLogs/0.log.gz: AccessDenied Access Denied",
        s3=lambda: FakeS3(versions=10, on_delete_objects=denied_per_key),
    ),
    "error-that-cannot-be-printed": Case(
        event(), "FAILED", "Unprintable", s3=lambda: FakeS3(versions=10, on_delete_objects=unprintable_on_delete),
    ),
    "error-too-long-to-send": Case(
        event(), "FAILED", "InternalError", s3=lambda: FakeS3(versions=10, on_delete_objects=huge_error),
    ),
    "out-of-time-midway": Case(
        event(), "FAILED", "out of time: deleted 2000 object versions and delete markers of bucket "
        "flow-logs-bucket-1a2b3c, more remain; the bucket is kept",
        s3=lambda: FakeS3(versions=3500), context=lambda: FakeContext(remaining_ms=MARGIN + 5 * 1000, step_ms=1000),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_handler_answers_once_on_every_path(lambda_module, aws, case: Case):
    # GIVEN a request, S3 and CloudFormation as the case has them
    run = aws(case.s3(), case.cfn())
    # WHEN the function handles it
    lambda_module.handler(case.event, case.context())
    # THEN CloudFormation gets exactly one answer, of the expected status, within the size limit
    (answer,) = run.url.delivered
    assert answer["Status"] == case.status, answer["Reason"]
    assert case.reason in answer["Reason"]
    assert answer["PhysicalResourceId"] == case.physical_id
    for name in ("StackId", "RequestId", "LogicalResourceId"):
        assert answer[name] == case.event[name]
    if case.status == "FAILED":  # and the reason says where the rest of the story is
        context = case.context()
        group, stream = getattr(context, "log_group_name", "?"), getattr(context, "log_stream_name", "?")
        assert answer["Reason"].endswith(f"(see log group {group}, stream {stream})")
    # AND the bucket is deleted only when released and emptied
    assert (not run.s3.exists) is case.bucket_deleted
    if not case.aws_calls:
        assert run.s3.calls == [] and run.cloudformation.calls == []


def test_out_of_time_keeps_the_bucket_and_a_retry_goes_on_from_there(lambda_module, aws):
    # GIVEN a bucket of 3,500 versions and markers, and an invocation that runs out of time
    run = aws(FakeS3(versions=3500))
    lambda_module.handler(event(), FakeContext(remaining_ms=MARGIN + 4500, step_ms=1000))
    assert [a["Status"] for a in run.url.delivered] == ["FAILED"]
    # THEN it stopped between calls, the bucket kept, with what it has not deleted still there
    assert run.s3.exists and run.s3.left == 1500
    assert run.s3.calls[-1] == "delete_objects" and "delete_bucket" not in run.s3.calls
    # WHEN CloudFormation's delete is retried (a new request, with time enough)
    lambda_module.handler(event(RequestId="retried"), FakeContext())
    # THEN the retry deletes the rest and the bucket
    assert [a["Status"] for a in run.url.delivered] == ["FAILED", "SUCCESS"]
    assert "its 1500 object versions" in run.url.delivered[1]["Reason"] and not run.s3.exists


def test_a_late_write_is_deleted_too(lambda_module, aws):
    # GIVEN a bucket that receives one more object while it is being emptied
    s3 = FakeS3(versions=5)
    original = s3.delete_bucket
    late = [{"Key": "AWSLogs/late.log.gz", "VersionId": "late"}]

    def delete_bucket_after_a_late_write(Bucket: str) -> None:
        if late:
            s3._left += [late.pop()]
        original(Bucket)

    s3.delete_bucket = delete_bucket_after_a_late_write  # type: ignore[method-assign]
    run = aws(s3)
    # WHEN the function deletes it THEN it goes round again and succeeds
    lambda_module.handler(event(), FakeContext())
    assert [a["Status"] for a in run.url.delivered] == ["SUCCESS"] and not s3.exists
    assert "its 6 object versions" in run.url.delivered[0]["Reason"]


def test_an_answer_that_cannot_be_delivered_is_the_one_failure_that_raises(lambda_module, aws):
    # GIVEN a response URL that fails the first PUT
    run = aws(FakeS3(versions=10), url=ResponseUrl(failures=1))
    # WHEN the function handles a Delete THEN the invocation fails, so Lambda retries it
    with pytest.raises(urllib.error.URLError):
        lambda_module.handler(event(), FakeContext())
    assert [a["Status"] for a in run.url.attempts] == ["SUCCESS"] and run.url.delivered == []
    # WHEN Lambda retries the same event THEN the answer goes out once, the work already done
    lambda_module.handler(event(), FakeContext())
    (answer,) = run.url.delivered
    assert answer["Status"] == "SUCCESS" and not run.s3.exists


def test_an_event_without_a_response_url_raises(lambda_module, aws):
    # GIVEN an event nobody can answer WHEN it is handled THEN the invocation fails (and is logged)
    aws()
    with pytest.raises(KeyError, match="ResponseURL"):
        lambda_module.handler(event(RequestType="Create", ResponseURL=None), FakeContext())


@pytest.mark.parametrize(
    "reason",
    [object(), b"bytes are not text", None],
    ids=["object", "bytes", "none"],
)
def test_a_reason_that_cannot_be_serialized_still_sends_a_failure(lambda_module, aws, reason):
    # GIVEN an answer whose reason is not text
    run = aws()
    # WHEN it is sent THEN CloudFormation still gets one answer: FAILED, pointing at the log
    lambda_module.respond(EVENT, FakeContext(), "SUCCESS", reason, BUCKET)
    (answer,) = run.url.delivered
    assert answer["Status"] == "FAILED"
    assert answer["Reason"] == f"the outcome could not be reported (see log group {LOG_GROUP}, stream {LOG_STREAM})"
    assert answer["PhysicalResourceId"] == BUCKET


@pytest.mark.parametrize(
    "text",
    ["x" * 100_000, "é" * 100_000, '\U0001f600\n"' * 30_000, "short", ""],
    ids=["ascii", "accents", "emoji-escapes", "short", "empty"],
)
def test_the_answer_always_fits_cloudformations_limit(lambda_module, text):
    # GIVEN a reason of any length and any characters, and the longest IDs CloudFormation sends
    long_event = event(LogicalResourceId="L" * 255, PhysicalResourceId=None, StackId=STACK_ID + "x" * 200)
    tail = f" (see log group {LOG_GROUP}, stream {LOG_STREAM})"
    # WHEN it is encoded THEN the body is valid JSON within the limit: the text's start, then the tail
    body = lambda_module.encode(long_event, "FAILED", text, None, tail)
    assert len(body) <= BODY_LIMIT
    reason = json.loads(body)["Reason"]
    assert reason.endswith(tail) and text.startswith(reason.removesuffix(tail))
    assert len(reason) <= lambda_module.REASON_CHARS + len(tail)
    if reason != text + tail:  # cut only as far as needed: one more character (12 bytes at most) would not fit
        assert len(body) > BODY_LIMIT - 12 or len(reason) == lambda_module.REASON_CHARS + len(tail)
    assert json.loads(body)["PhysicalResourceId"] == "L" * 255


def test_the_function_stops_well_before_its_timeout(lambda_module):
    # The margin leaves most of the run to work, and is what the fakes above assume.
    assert lambda_module.MARGIN_MS == MARGIN
    assert MARGIN < emptier.FUNCTION_TIMEOUT * 1000 / 5
    assert lambda_module.BODY_BYTES == BODY_LIMIT


# --- the resources in the rendered templates ---------------------------------------------------------


@pytest.fixture(scope="module")
def specialized() -> dict[str, Any]:
    return rendered(FlowLogsConfig(**S3, force_destroy_bucket=True))


@pytest.fixture(scope="module")
def templates(specialized: dict[str, Any], shipped: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {"specialized": specialized, "shipped": shipped}


@pytest.fixture(params=["specialized", "shipped"])
def template(request: pytest.FixtureRequest, templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return templates[request.param]


def test_a_lost_answer_fails_in_minutes(template):
    # GIVEN the custom resource and its function
    resources = template["Resources"]
    custom = resources[naming.EMPTY_BUCKET]["Properties"]
    function = resources[naming.EMPTY_BUCKET_FUNCTION]["Properties"]
    # THEN CloudFormation waits a little longer than the function can run, not its default hour
    assert custom["ServiceTimeout"] == emptier.SERVICE_TIMEOUT
    assert function["Timeout"] == emptier.FUNCTION_TIMEOUT <= 900  # Lambda's maximum
    assert function["Timeout"] < custom["ServiceTimeout"] <= function["Timeout"] + 120
    assert custom["ServiceTimeout"] < 3600  # "an integer from 1 to 3600", default 3600


def test_the_function_logs_to_its_own_log_group(template):
    resources = template["Resources"]
    function = resources[naming.EMPTY_BUCKET_FUNCTION]
    group = resources[naming.EMPTY_BUCKET_LOG_GROUP]
    # THEN its LoggingConfig names the group the stack creates, with the function's condition
    assert function["Properties"]["LoggingConfig"] == {"LogGroup": {"Ref": naming.EMPTY_BUCKET_LOG_GROUP}}
    assert group["Type"] == "AWS::Logs::LogGroup" and group.get("Condition") == function.get("Condition")
    assert group["Properties"]["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${AWS::StackName}-empty-bucket"}
    assert group["Properties"]["RetentionInDays"] == emptier.LOG_RETENTION_DAYS
    # AND the log holds only diagnostics: it goes with the stack, said explicitly
    assert (group["DeletionPolicy"], group["UpdateReplacePolicy"]) == ("Delete", "Delete")
    assert [s["id"] for s in group["Metadata"]["checkov"]["skip"]] == ["CKV_AWS_158"]


def test_the_roles_only_log_permission_is_its_log_group(template):
    role = template["Resources"][naming.EMPTY_BUCKET_ROLE]["Properties"]
    assert "ManagedPolicyArns" not in role  # no AWSLambdaBasicExecutionRole
    (policy,) = role["Policies"]
    statements = policy["PolicyDocument"]["Statement"]
    logs = [s for s in statements if any(a.startswith("logs:") for a in s["Action"])]
    assert logs == [
        {
            "Sid": "WriteFunctionLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [{"Fn::GetAtt": [naming.EMPTY_BUCKET_LOG_GROUP, "Arn"]}],
        }
    ]
    assert all("*" not in s["Resource"] for s in statements)


def depends_on(template: dict[str, Any], name: str) -> set[str]:
    """Every resource `name` refers to (Ref, GetAtt, DependsOn), directly or through others."""
    resources = template["Resources"]

    def direct(value: Any) -> Iterator[str]:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "Ref" and inner in resources:
                    yield inner
                elif key == "Fn::GetAtt" and inner[0] in resources:
                    yield inner[0]
                else:
                    yield from direct(inner)
        elif isinstance(value, list):
            for item in value:
                yield from direct(item)

    found: set[str] = set()
    todo = [name]
    while todo:
        resource = resources[todo.pop()]
        depends = resource.get("DependsOn", [])
        refs = set(direct(resource.get("Properties", {}))) | set([depends] if isinstance(depends, str) else depends)
        todo += sorted(refs - found)
        found |= refs
    return found


def test_the_custom_resource_is_deleted_before_what_it_needs(template):
    # CloudFormation deletes a resource only after everything that refers to it: the custom
    # resource (which empties the bucket) goes first, its function, role and log group after it.
    needed = {naming.EMPTY_BUCKET_FUNCTION, naming.EMPTY_BUCKET_ROLE, naming.EMPTY_BUCKET_LOG_GROUP, naming.BUCKET}
    assert needed <= depends_on(template, naming.EMPTY_BUCKET)
    assert naming.EMPTY_BUCKET not in depends_on(template, naming.EMPTY_BUCKET_FUNCTION)


def test_cfn_lint_finds_nothing(template):
    assert [str(f) for f in lint(json.dumps(template))] == []


def test_prefixed_sets_have_their_own_log_groups():
    # GIVEN two sets in one template WHEN both force-destroy their buckets
    template = Template()
    for prefix in ("Vpc", "Subnet"):
        add_flow_logs(template, FlowLogsConfig(**S3, force_destroy_bucket=True), prefix=prefix, outputs=False)
    resources = json.loads(to_json(template))["Resources"]
    # THEN each function logs to its own group, named with the set's prefix
    names = {
        resources[p + naming.EMPTY_BUCKET_LOG_GROUP]["Properties"]["LogGroupName"]["Fn::Sub"] for p in ("Vpc", "Subnet")
    }
    assert names == {
        "/aws/lambda/${AWS::StackName}-empty-bucket-Vpc",
        "/aws/lambda/${AWS::StackName}-empty-bucket-Subnet",
    }


# --- the inlined source ----------------------------------------------------------------------------------


def without_docstrings(tree: ast.Module) -> str:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and ast.get_docstring(node) is not None:
            node.body = node.body[1:] or [ast.Pass()]
    return ast.dump(tree)


def test_the_inlined_code_is_the_module_without_its_comments_and_docstrings(specialized):
    code = specialized["Resources"][naming.EMPTY_BUCKET_FUNCTION]["Properties"]["Code"]["ZipFile"]
    assert code == emptier.inline_source()
    # THEN Lambda runs the very statements the tests above ran
    assert ast.dump(ast.parse(code)) == without_docstrings(ast.parse(SOURCE.read_text(encoding="utf-8")))
    tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    assert not [t for t in tokens if t.type == tokenize.COMMENT]
    assert "\n\n" not in code and code.endswith("\n")


TRICKY = '''"""Module docstring."""

import json  # a comment after code


class Only:
    """A body that was only its docstring."""


def f(a,
      b="# not a comment",  # but this is
      ):
    """Docstring
    over lines."""
    # a comment line

    if a:
        return {"k": [1,
                      2]}  # end
    return b \\
        + "x"
'''


def test_compact_keeps_every_statement_and_drops_the_rest():
    compacted = emptier.compact(TRICKY)
    assert ast.dump(ast.parse(compacted)) == without_docstrings(ast.parse(TRICKY))
    assert compacted.splitlines() == [
        "import json",
        "class Only:",
        " pass",
        "def f(a,",
        ' b="# not a comment",',
        " ):",
        " if a:",
        '  return {"k": [1,',
        "   2]}",
        " return b \\",
        '  + "x"',
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('x = """a\nb"""\n', "line 1: only a docstring may span lines"),
        ('def f(): """doc"""\n', "line 1: a docstring must start its own line"),
    ],
    ids=["multi-line-string", "docstring-on-the-def-line"],
)
def test_compact_refuses_what_it_cannot_reindent(source, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        emptier.compact(source)


def test_the_inlined_code_stays_under_cloudformations_limit(specialized):
    code = specialized["Resources"][naming.EMPTY_BUCKET_FUNCTION]["Properties"]["Code"]["ZipFile"]
    assert len(code.encode()) < ZIPFILE_LIMIT
    # and small in practice: it is in every shipped template, which must stay under 51,200 bytes
    assert len(code.encode()) < 8 * 1024


def test_the_shipped_template_holds_the_same_function_under_its_condition(shipped):
    # the one code path: the deploy-time template's function is the same, with its resources
    resources = shipped["Resources"]
    function = resources[naming.EMPTY_BUCKET_FUNCTION]
    assert function["Properties"]["Code"]["ZipFile"] == emptier.inline_source()
    for name in (naming.EMPTY_BUCKET, naming.EMPTY_BUCKET_ROLE, naming.EMPTY_BUCKET_LOG_GROUP):
        assert resources[name]["Condition"] == function["Condition"]
