"""Defects of moto's resource models: what a flow log, log group, bucket, role and key make of
their CloudFormation Properties, and how they update and delete."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from moto.ec2.models.flow_logs import FlowLogs
from moto.iam.models import Role, iam_backends
from moto.kms.models import Key
from moto.logs.models import LogGroup
from moto.s3.models import FakeBucket
from moto.utilities.utils import get_partition

from .patching import Properties, around_create, before_create, original, replace


def flow_log_s3_key_prefix() -> None:
    """Defect: an S3 LogDestination with a key prefix (`arn:aws:s3:::bucket/prefix/`, or the
    bare `arn:aws:s3:::bucket/`, both valid in AWS) is looked up as a bucket named
    `bucket/prefix/`, and the stack fails with an IndexError. Look up the bucket alone and keep
    the whole destination on the flow log."""

    def around(create: Callable[[], Any], properties: Properties) -> Any:
        destination = properties.get("LogDestination", "")
        if properties.get("LogDestinationType") != "s3" or "/" not in destination:
            return create()
        properties["LogDestination"] = destination.partition("/")[0]
        flow_log = create()
        flow_log.log_destination = destination
        return flow_log

    around_create(FlowLogs, around)


def flow_log_update() -> None:
    """Defect: AWS::EC2::FlowLog has no update in moto, so a changed flow log is left as it was
    (and the stack forgets it). CloudFormation replaces it when any property but Tags changes
    (all others are create-only) and updates Tags in place."""

    def remember(create: Callable[[], Any], properties: Properties) -> Any:
        flow_log = create()
        flow_log.cfn_properties = copy.deepcopy(properties)
        return flow_log

    def update(  # moto passes these by name
        cls: Any,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> Any:
        flow_log, old, new = original_resource, original_resource.cfn_properties, cloudformation_json["Properties"]
        backend = flow_log.ec2_backend
        if _without_tags(old) != _without_tags(new):
            # CloudFormation creates the new one first; moto's duplicate check ignores TrafficType
            # (FlowLogAlreadyExists), so the old one goes first here. The outcome is the same.
            backend.delete_flow_logs([flow_log.id])
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
        backend.delete_tags([flow_log.id], {tag["Key"]: None for tag in old.get("Tags", [])})
        backend.create_tags([flow_log.id], {tag["Key"]: tag["Value"] for tag in new.get("Tags", [])})
        flow_log.cfn_properties = copy.deepcopy(new)
        return flow_log

    around_create(FlowLogs, remember)
    replace(FlowLogs, "update_from_cloudformation_json", classmethod(update))


def _without_tags(properties: Properties) -> Properties:
    return {name: value for name, value in properties.items() if name != "Tags"}


def flow_log_delete() -> None:
    """Defect: AWS::EC2::FlowLog has no delete in moto: the flow log outlives its stack."""

    def delete(self: Any, account_id: str, region_name: str) -> None:
        self.ec2_backend.delete_flow_logs([self.id])

    replace(FlowLogs, "delete", delete)


def log_group_arn_attribute() -> None:
    """Defect: GetAtt LogGroup.Arn lacks the `:*` that CloudFormation's Arn attribute ends with
    (moto's own DescribeLogGroups `arn` has it)."""
    attribute_original = original(LogGroup, "get_cfn_attribute")

    def get_cfn_attribute(self: Any, attribute_name: str) -> Any:
        value = attribute_original(self, attribute_name)
        return f"{value}:*" if attribute_name == "Arn" else value

    replace(LogGroup, "get_cfn_attribute", get_cfn_attribute)


def log_group_key() -> None:
    """Defect: AWS::Logs::LogGroup drops KmsKeyId (moto's log group reads `kmsKeyId`)."""

    def fix(properties: Properties) -> None:
        if "KmsKeyId" in properties:
            properties["kmsKeyId"] = properties["KmsKeyId"]

    before_create(LogGroup, fix)


def bucket_versioning() -> None:
    """Defect: AWS::S3::Bucket drops VersioningConfiguration (moto applies only BucketEncryption
    and Tags), so GetBucketVersioning answers nothing."""

    def around(create: Callable[[], Any], properties: Properties) -> Any:
        bucket = create()
        if "VersioningConfiguration" in properties:
            bucket.versioning_status = properties["VersioningConfiguration"]["Status"]
        return bucket

    around_create(FakeBucket, around)


def role_managed_policies() -> None:
    """Defect: AWS::IAM::Role drops ManagedPolicyArns: the role is created with no policy
    attached. (Attached, they must be detached before moto deletes the role, as CloudFormation
    does.)"""
    delete_original = original(Role, "delete_from_cloudformation_json")

    def attach(create: Callable[[], Any], properties: Properties) -> Any:
        role = create()
        for policy_arn in properties.get("ManagedPolicyArns", []):
            iam_backends[role.account_id][role.partition].attach_role_policy(policy_arn, role.name)
        return role

    def delete(cls: Any, name: str, cloudformation_json: Any, account_id: str, region_name: str) -> None:
        backend = iam_backends[account_id][get_partition(region_name)]
        for policy_arn in list(backend.get_role(name).managed_policies):
            backend.detach_role_policy(policy_arn, name)
        delete_original(cls, name, cloudformation_json, account_id, region_name)

    around_create(Role, attach)
    replace(Role, "delete_from_cloudformation_json", classmethod(delete))


def key_policy_as_object() -> None:
    """Defect: AWS::KMS::Key stores a KeyPolicy given as an object (as CloudFormation allows)
    unserialized, and DescribeKey then fails with a 500 (json.loads of a dict)."""

    def fix(properties: Properties) -> None:
        if isinstance(properties.get("KeyPolicy"), dict):
            properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])

    before_create(Key, fix)


def key_tags() -> None:
    """Defect: AWS::KMS::Key hands CloudFormation's Tags ({Key, Value}) to KMS's tagger, which
    expects {TagKey, TagValue}: a key with Tags fails with KeyError 'TagKey'."""

    def fix(properties: Properties) -> None:
        properties["Tags"] = [{"TagKey": tag["Key"], "TagValue": tag["Value"]} for tag in properties.get("Tags", [])]

    before_create(Key, fix)


FIXES = (
    flow_log_s3_key_prefix,
    flow_log_update,
    flow_log_delete,
    log_group_arn_attribute,
    log_group_key,
    bucket_versioning,
    role_managed_policies,
    key_policy_as_object,
    key_tags,
)
