"""The local endpoint for the deploy tests: one moto server per session, one shared network."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .auditing import audit  # noqa: F401  (the fixture, for the audit tests)
from .endpoint import Aws, moto_server


@pytest.fixture(scope="session")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Aws]:
    home = tmp_path_factory.mktemp("aws-home")
    with moto_server(home / "moto.log") as endpoint:
        yield Aws(endpoint, home)


@pytest.fixture(scope="session")
def network(aws: Aws) -> dict[str, str]:
    """A VPC, a subnet in it and a network interface in that: target kind -> ID."""
    vpc = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = aws("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24")["Subnet"]["SubnetId"]
    eni = aws("ec2", "create-network-interface", "--subnet-id", subnet)["NetworkInterface"]["NetworkInterfaceId"]
    return {"VpcId": vpc, "SubnetId": subnet, "EniId": eni}
