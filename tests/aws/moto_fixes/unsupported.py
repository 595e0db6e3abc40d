"""What moto's CloudFormation skips: the record of every resource it did not create, served to the
tests, which fail on a type that moto_fixes/skipped.py does not list."""

from __future__ import annotations

import json
from typing import Any

from moto.cloudformation import parsing
from moto.moto_api._internal import urls

from .patching import replace

ROUTE = "/moto-api/cfn-flowlogs/skipped-resources"  # beside moto's own /moto-api/ routes

# Every resource moto skipped since the server started, once each, in order: Type,
# LogicalResourceId, StackName, StackId, Account, Region. Only ever appended to, so that a reader
# can tell what is new.
SKIPPED: list[dict[str, str | None]] = []


def record_skipped_resources() -> None:
    """Defect: moto's CloudFormation skips a resource of a type it does not model: parse_resource
    warns "Tried to parse AWS::X but it's not supported by moto's CloudFormation implementation"
    (and resource_class_from_type logs "No Moto CloudFormation support for AWS::X") to the
    server's stderr alone, and the stack is reported complete without the resource. Record each
    skip, at creation and at update, and serve the record as JSON at ROUTE. (moto's lazy map of a
    stack's resources tries a skipped one again whenever it is looked up, DescribeStackResources
    included: a resource is recorded once.)"""
    parse_original = parsing.parse_resource

    def parse_resource(resource_json: dict[str, Any], resources_map: Any) -> Any:
        parsed = parse_original(resource_json, resources_map)
        if parsed is None:
            skipped = {
                "Type": resource_json["Type"],
                "LogicalResourceId": _logical_id(resource_json, resources_map),
                "StackName": resources_map["AWS::StackName"],
                "StackId": resources_map["AWS::StackId"],
                "Account": resources_map["AWS::AccountId"],
                "Region": resources_map["AWS::Region"],
            }
            if skipped not in SKIPPED:
                SKIPPED.append(skipped)
        return parsed

    def serve(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
        return 200, {"Content-Type": "application/json"}, json.dumps({"SkippedResources": SKIPPED})

    replace(parsing, "parse_resource", parse_resource)  # moto's callers find it by this name
    urls.url_paths["{0}" + ROUTE] = serve  # read when the moto-api app is made, on the first request


def _logical_id(resource_json: dict[str, Any], resources_map: Any) -> str | None:
    """The logical ID of the template's resource `resource_json` (moto passes the template's own
    dict, not a copy, and no logical ID)."""
    resources = resources_map._resource_json_map
    return next((logical_id for logical_id, found in resources.items() if found is resource_json), None)


FIXES = (record_skipped_resources,)
