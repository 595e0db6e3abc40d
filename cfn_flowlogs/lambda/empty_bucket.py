"""Custom resource: on delete, empty and delete the bucket the stack no longer holds.

Inlined into the template as the function's code, so it uses only the Lambda runtime's
boto3 and the standard library. It deletes only when the stack is being deleted or no longer
holds this bucket (replaced or removed); removing the custom resource alone, as turning
force_destroy_bucket off does, keeps the bucket.
"""

import json
import urllib.request

import boto3


def handler(event, context):
    status, reason = "SUCCESS", ""
    props = event["ResourceProperties"]
    try:
        if event["RequestType"] == "Delete" and stack_releases_bucket(
            boto3.client("cloudformation"), event["StackId"], props["LogicalId"], props["BucketName"]
        ):
            empty_and_delete(boto3.client("s3"), props["BucketName"])
    except Exception as error:  # report every failure to CloudFormation, never hang it
        status, reason = "FAILED", f"{type(error).__name__}: {error}"
    respond(event, context, status, reason, props["BucketName"])


def stack_releases_bucket(cfn, stack_id, logical_id, bucket):
    """True when the stack is being deleted or its bucket resource is no longer `bucket`."""
    stack = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
    if stack["StackStatus"].startswith("DELETE"):
        return True
    try:
        held = cfn.describe_stack_resource(StackName=stack_id, LogicalResourceId=logical_id)
    except cfn.exceptions.ClientError as error:
        if error.response["Error"]["Code"] != "ValidationError":  # throttled, denied: keep the bucket
            raise
        return True  # the bucket resource left the stack
    return held["StackResourceDetail"].get("PhysicalResourceId") != bucket


def empty_and_delete(s3, bucket, attempts=5):
    """Delete every object version and delete marker, then the bucket; gone already is fine."""
    for _ in range(attempts):
        try:
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
                doomed = [
                    {"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
                ]
                if doomed:
                    s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
            s3.delete_bucket(Bucket=bucket)
            return
        except s3.exceptions.NoSuchBucket:
            return
        except s3.exceptions.ClientError as error:
            if error.response["Error"]["Code"] != "BucketNotEmpty":  # a late write: go again
                raise
    raise RuntimeError(f"bucket {bucket} kept receiving objects")


def respond(event, context, status, reason, physical_id):
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason or f"See {context.log_stream_name}",
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
        }
    ).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT")
    request.add_header("Content-Type", "")
    urllib.request.urlopen(request, timeout=30).close()
