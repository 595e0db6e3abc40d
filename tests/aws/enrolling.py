"""The enrolment's function run as Lambda would run it, for the tests of a rollout on the local
endpoint: moto runs no Lambda and no EventBridge schedule, so a sweep is the function's handler
called here, in this process, with the environment CloudFormation gave the deployed function and
boto3 clients of the member account."""

from __future__ import annotations

import importlib
from typing import Any

from .endpoint import Aws

enrol = importlib.import_module("cfn_flowlogs.lambda.enrol_vpcs")  # `lambda` is a keyword


class StackOfStackSet:
    """CloudFormation as a stack instance's stack sees itself: the StackSet's tags. (moto keeps a
    service-managed instance's stack to itself, so the function reads them from the StackSet.)"""

    def __init__(self, tags: list[dict[str, str]]) -> None:
        self.tags = tags

    def describe_stacks(self, StackName: str) -> dict[str, Any]:
        return {"Stacks": [{"StackId": StackName, "Tags": self.tags}]}


def sweep(aws: Aws, client: Any, stack_set: str) -> dict[str, Any]:
    """One sweep of the enrolment's function of `stack_set` in the account and region whose boto3
    clients `client(service)` makes: the handler, as the schedule calls it."""
    (function,) = [f["FunctionName"] for f in client("lambda").list_functions()["Functions"]
                   if "EnrolmentFunction" in f["FunctionName"]]  # fmt: skip
    variables = client("lambda").get_function_configuration(FunctionName=function)["Environment"]["Variables"]
    clients = enrol.Clients(**{name: client(name) for name in ("ec2", "cloudtrail", "ssm")})
    tags = aws("cloudformation", "describe-stack-set", "--stack-set-name", stack_set)["StackSet"]["Tags"]
    clients.made["cloudformation"] = StackOfStackSet(tags)
    env = {name: str(value) for name, value in variables.items()}
    result: dict[str, Any] = enrol.handler({"detail-type": "Scheduled Event", "source": "aws.events"}, None,
                                           clients, env)  # fmt: skip
    return result
