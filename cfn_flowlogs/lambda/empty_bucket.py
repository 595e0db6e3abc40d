"""Custom resource: on delete, empty and delete the bucket the stack no longer holds.

Inlined into the template as the function's code (compacted: without comments or docstrings, see
cfn_flowlogs/resources/emptier.py), so it uses only the Lambda runtime's boto3 and the standard
library. It deletes only when the stack is being deleted or no longer holds this bucket (replaced
or removed); removing the custom resource alone, as turning force_destroy_bucket off does, keeps
the bucket.

Every invocation answers CloudFormation exactly once, SUCCESS or FAILED, whatever goes wrong:
a resource that never answers holds its stack until the custom resource's ServiceTimeout.
"""

import json
import time
import traceback
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

# Checked before every S3 call: stop this long before Lambda's own timeout, room for that one call
# (20 s read timeout, 3 attempts) and for the answer (a PUT of at most 10 s). A bucket too large for
# one invocation then ends in a FAILED answer with counts, not in a timeout nobody reports.
MARGIN_MS = 120_000
BODY_BYTES = 4096  # CloudFormation refuses a larger answer
REASON_CHARS = 1000  # a stack event shows the reason: keep it readable
AWS = Config(connect_timeout=5, read_timeout=20, retries={"mode": "standard", "max_attempts": 3})


class BadProperties(ValueError):
    """The custom resource's properties are not what the template writes."""


class OutOfTime(RuntimeError):
    """Lambda's timeout is near: what is left waits for the next attempt."""


def handler(event, context):
    kind = event.get("RequestType")
    status, reason, physical_id = "SUCCESS", "", None
    try:
        bucket, logical_id = properties(event)
        # The bucket's name is the ID. A new name on Update means the bucket was replaced: the
        # changed ID makes CloudFormation send a Delete for the old one, which empties it.
        physical_id = bucket
        if kind == "Delete":
            reason = delete(event["StackId"], logical_id, bucket, context)
        elif kind not in ("Create", "Update"):
            raise ValueError(f"RequestType must be Create, Update or Delete, got {kind!r:.100}")
    except BadProperties as error:
        # Create and Update refuse them, so the template's mistake shows at once. A Delete with
        # them is the rollback of such a Create: nothing was made, and answering FAILED would
        # leave the stack stuck in a failed rollback. The bucket, if any, is kept.
        status, reason = ("SUCCESS" if kind == "Delete" else "FAILED"), str(error)
    except Exception as error:  # any other failure is reported, never left to a timeout
        traceback.print_exc()
        status, reason = "FAILED", describe(error)
    print(f"{kind} {status}: {reason}")
    respond(event, context, status, reason, physical_id)


def properties(event):
    """The bucket's name and its logical ID, both non-empty strings."""
    props = event.get("ResourceProperties")
    values = [props.get(name) if isinstance(props, dict) else None for name in ("BucketName", "LogicalId")]
    for name, value in zip(("BucketName", "LogicalId"), values):
        if not isinstance(value, str) or not value:
            raise BadProperties(f"ResourceProperties.{name} must be a non-empty string, got {value!r:.100}")
    return values


def delete(stack_id, logical_id, bucket, context):
    if not stack_releases_bucket(boto3.client("cloudformation", config=AWS), stack_id, logical_id, bucket):
        return f"kept bucket {bucket}: the stack still holds it"
    deleted = empty_and_delete(boto3.client("s3", config=AWS), bucket, context)
    return f"deleted bucket {bucket} and its {deleted} object versions and delete markers"


def stack_releases_bucket(cfn, stack_id, logical_id, bucket):
    """True when the stack is being deleted or its bucket resource is no longer `bucket`."""
    stack = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
    if stack["StackStatus"].startswith("DELETE"):
        return True
    try:
        held = cfn.describe_stack_resource(StackName=stack_id, LogicalResourceId=logical_id)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ValidationError":  # throttled, denied: keep the bucket
            raise
        return True  # the bucket resource left the stack
    return held["StackResourceDetail"].get("PhysicalResourceId") != bucket


def empty_and_delete(s3, bucket, context):
    """Delete every object version and delete marker, then the bucket; gone already is fine.

    Lists from the start each round (what was listed is deleted), so a late write is found by
    the next round. Returns how many versions and markers it deleted; raises OutOfTime, with
    that count, when Lambda's timeout is near, leaving the rest for the next attempt.
    """
    deleted = 0
    while True:
        try:
            in_time(context, bucket, deleted)
            page = s3.list_object_versions(Bucket=bucket, MaxKeys=1000)
            doomed = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            if not doomed:
                in_time(context, bucket, deleted)
                s3.delete_bucket(Bucket=bucket)
                return deleted
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "NoSuchBucket":
                return deleted
            if code == "BucketNotEmpty":  # a late write: go round again
                time.sleep(1)
                continue
            raise
        in_time(context, bucket, deleted)
        failed = s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True}).get("Errors")
        if failed:  # denied, object lock: S3 answers 200 and lists what it kept
            first = failed[0]
            raise RuntimeError(
                f"{len(failed)} of {len(doomed)} object versions not deleted from bucket {bucket}, "
                f"first {first.get('Key')}: {first.get('Code')} {first.get('Message')}"
            )
        deleted += len(doomed)


def in_time(context, bucket, deleted):
    """Before each S3 call: stop while there is still time to answer."""
    if context.get_remaining_time_in_millis() < MARGIN_MS:
        raise OutOfTime(
            f"out of time: deleted {deleted} object versions and delete markers of bucket {bucket}, "
            "more remain; the bucket is kept, and deleting again goes on from there"
        )


def describe(error):
    try:
        return f"{type(error).__name__}: {error}"
    except Exception:  # an error that cannot say what it is still has a name
        return type(error).__name__


def respond(event, context, status, reason, physical_id):
    """PUT the answer to CloudFormation's pre-signed ResponseURL.

    This is the only failure the handler lets raise: the answer could not be delivered (no
    ResponseURL, network, HTTP error). CloudFormation invokes the function asynchronously, so
    Lambda runs an invocation that raised twice more, one and then two minutes later, and that
    retry sends the answer again (the work it repeats is idempotent: what was deleted is gone).
    Every other failure is told to CloudFormation as FAILED, which shows it in the stack events,
    and the invocation returns: a retry would only repeat the failure, or go on deleting a bucket
    for an operation CloudFormation has already ended.
    """
    try:
        group, stream = getattr(context, "log_group_name", "?"), getattr(context, "log_stream_name", "?")
        where = f"log group {group}, stream {stream}"
    except Exception:
        where = "the function's log"
    try:
        body = encode(event, status, reason, physical_id, f" (see {where})" if status == "FAILED" else "")
    except Exception:  # a reason that cannot be written is still a failure to report
        traceback.print_exc()
        body = encode(event, "FAILED", "the outcome could not be reported", None, f" (see {where})")
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""})
    urllib.request.urlopen(request, timeout=10).close()


def encode(event, status, reason, physical_id, tail):
    """The answer's JSON: as much of the reason as fits in BODY_BYTES, then `tail`."""
    answer = {
        "Status": status,
        # Never a new ID for an existing resource: without a bucket name, the one it has.
        "PhysicalResourceId": physical_id or event.get("PhysicalResourceId") or str(event.get("LogicalResourceId")),
        "StackId": event.get("StackId"),
        "RequestId": event.get("RequestId"),
        "LogicalResourceId": event.get("LogicalResourceId"),
    }

    def body(length):
        return json.dumps({**answer, "Reason": reason[:length] + tail}).encode()

    shortest, longest = 0, min(len(reason), REASON_CHARS)
    while shortest < longest:  # the longest start of the reason that fits (escapes vary in size)
        middle = (shortest + longest + 1) // 2
        shortest, longest = (middle, longest) if len(body(middle)) <= BODY_BYTES else (shortest, middle - 1)
    return body(shortest)
