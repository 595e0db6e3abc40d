"""The local endpoint for the deploy tests: one moto server per session, one shared network.

No test passes while moto's CloudFormation skipped a resource of a type moto_fixes/skipped.py
does not list: Aws checks after each of its `cloudformation` commands, this file after each test
(a shell script's `aws` included) and once more before the server stops."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .auditing import audit  # noqa: F401  (the fixture, for the audit tests)
from .endpoint import Aws, check_skipped_resources, moto_server


@pytest.fixture(scope="session")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Aws]:
    home = tmp_path_factory.mktemp("aws-home")
    with moto_server(home / "moto.log") as endpoint:
        yield Aws(endpoint, home)
        check_skipped_resources(endpoint)


@pytest.fixture(autouse=True)
def no_unlisted_skips(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test that used the endpoint: no resource skipped that is not listed."""
    aws = request.getfixturevalue("aws") if "aws" in request.fixturenames else None
    yield
    if aws is not None:
        check_skipped_resources(aws.endpoint)


@pytest.fixture(scope="session")
def network(aws: Aws) -> dict[str, str]:
    """A VPC, a subnet in it and a network interface in that: target kind -> ID."""
    vpc = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = aws("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24")["Subnet"]["SubnetId"]
    eni = aws("ec2", "create-network-interface", "--subnet-id", subnet)["NetworkInterface"]["NetworkInterfaceId"]
    return {"VpcId": vpc, "SubnetId": subnet, "EniId": eni}
