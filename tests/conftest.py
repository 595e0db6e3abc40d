from __future__ import annotations

import json
from typing import Any

import pytest

from cfn_flowlogs import FlowLogsConfig, build_template, to_json


def rendered(config: FlowLogsConfig | None = None, *, parameterized: bool = False) -> dict[str, Any]:
    """The template as CloudFormation reads it (JSON round trip)."""
    return json.loads(to_json(build_template(config, parameterized=parameterized)))


@pytest.fixture(scope="session")
def shipped() -> dict[str, Any]:
    return rendered()
