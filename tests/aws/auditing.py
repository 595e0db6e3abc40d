"""What the audit tests on the local endpoint share: `cfn-flowlogs audit` run in this process (the
`audit` fixture, which tests/aws/conftest.py provides), boto3 clients in a member account, and
refusals simulated at the boto3 boundary (moto does not enforce sts:AssumeRole)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cfn_flowlogs.audit import collect
from cfn_flowlogs.cli import main

from ..audit import calls
from .accounts import MEMBER_ROLE
from .endpoint import Aws, isolated_env, isolated_session

R1, R2 = "us-east-1", "eu-west-1"


@functools.cache
def _session(home: Path) -> boto3.session.Session:
    """One session for every member (loading a service model is slow); clients get credentials
    and the endpoint of their own."""
    return isolated_session(home)


class Member:
    """boto3 clients in one member account, through its OrganizationAccountAccessRole."""

    def __init__(self, aws: Aws, account: str) -> None:
        self.id = account
        self.endpoint = aws.endpoint
        self.session = _session(aws.home)
        role = f"arn:aws:iam::{account}:role/{MEMBER_ROLE}"
        self.credentials = aws.client("sts").assume_role(RoleArn=role, RoleSessionName="audit-tests")["Credentials"]
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str = R1) -> Any:
        """One client per service and region."""
        if (service, region) not in self._clients:
            self._clients[service, region] = self.session.client(  # type: ignore[call-overload]
                service,
                region_name=region,
                endpoint_url=self.endpoint,
                aws_access_key_id=self.credentials["AccessKeyId"],
                aws_secret_access_key=self.credentials["SecretAccessKey"],
                aws_session_token=self.credentials["SessionToken"],
            )
        return self._clients[service, region]

    def default_vpc(self, region: str) -> str:
        vpcs = self.client("ec2", region).describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
        return str(vpcs[0]["VpcId"])

    def vpc(self, region: str, name: str, cidr: str) -> str:
        ec2 = self.client("ec2", region)
        vpc = str(ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"])
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": name}])
        return vpc

    def flow_log(self, region: str, kind: str, resource: str, traffic: str, *, log_group: str = "",
                 bucket: str = "", create_group: bool = True) -> str:  # fmt: skip
        if log_group and create_group:
            self.client("logs", region).create_log_group(logGroupName=log_group)
        destination: dict[str, str] = (
            {"LogDestinationType": "s3", "LogDestination": f"arn:aws:s3:::{bucket}"}
            if bucket
            else {"LogGroupName": log_group, "DeliverLogsPermissionArn": f"arn:aws:iam::{self.id}:role/flow-logs"}
        )
        made = self.client("ec2", region).create_flow_logs(
            ResourceIds=[resource], ResourceType=kind, TrafficType=traffic, **destination
        )
        return str(made["FlowLogIds"][0])

    def default_subnet(self, region: str) -> str:
        vpc = self.default_vpc(region)
        subnets = self.client("ec2", region).describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
        return str(sorted(s["SubnetId"] for s in subnets)[0])


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str
    operations: frozenset[tuple[bool, str]] = frozenset()  # every call made: (through a role?, operation)

    def rows(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = json.loads(self.out)
        return rows


Audit = Callable[..., Result]


@pytest.fixture
def audit(aws: Aws, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Audit:
    """`cfn-flowlogs audit ARGS` in this process, as moto's default (management) account."""
    for variable in ("AWS_PROFILE", "AWS_REGION", "AWS_SESSION_TOKEN", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in isolated_env(aws.endpoint, aws.home).items():
        monkeypatch.setenv(variable, value)
    made: list[collect.Auditor] = []

    class Noted(collect.Auditor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(collect, "Auditor", Noted)

    def audit(*args: str) -> Result:
        capsys.readouterr()
        try:
            code = main(["audit", *args])
        except SystemExit as stop:  # a usage error
            code = int(stop.code or 0)
        captured = capsys.readouterr()
        operations = frozenset().union(*(auditor.operations for auditor in made))
        made.clear()
        assert calls.unlisted(set(operations)) == [], "add the call to config/audit_calls.py"
        return Result(code, captured.out, captured.err, operations)

    return audit


def denying(monkeypatch: pytest.MonkeyPatch, *, roles_in: set[str] | None = None, throttle: str = "") -> None:
    """The audit's session, with STS refusing AssumeRole into `roles_in` (None: every account) and
    EC2 in region `throttle` answering DescribeVpcs with the error retries end with."""
    original = collect.open_session

    def refuse(params: dict[str, Any], **_: Any) -> None:
        account = params["RoleArn"].split(":")[4]
        if roles_in is None or account in roles_in:
            message = f"User is not authorized to perform: sts:AssumeRole on resource: {params['RoleArn']}"
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": message}}, "AssumeRole")

    def throttled(request_signer: Any, **_: Any) -> None:
        if request_signer.region_name == throttle:
            error = {"Code": "RequestLimitExceeded", "Message": "Request limit exceeded."}
            raise ClientError({"Error": error}, "DescribeVpcs")

    def session() -> Any:
        opened = original()
        opened.events.register("provide-client-params.sts.AssumeRole", refuse)
        if throttle:
            opened.events.register("before-call.ec2.DescribeVpcs", throttled)
        return opened

    monkeypatch.setattr(collect, "open_session", session)
