"""cfn-flowlogs: secure, validated CloudFormation templates for AWS VPC Flow Logs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .archive import ArchiveConfig, build_archive_template
from .config import FlowLogsConfig
from .errors import ConfigError
from .library import add_flow_logs, nested_stack
from .limits import LimitError
from .limits import check as check_limits
from .render import to_json, to_yaml
from .template import FlowLogs, build_template

if TYPE_CHECKING:
    from .linting import Finding

__all__ = [
    "ArchiveConfig",
    "ConfigError",
    "FlowLogs",
    "FlowLogsConfig",
    "LimitError",
    "add_flow_logs",
    "build_archive_template",
    "build_template",
    "check_limits",
    "lint",
    "nested_stack",
    "to_json",
    "to_yaml",
]
__version__ = "0.1.0"


def lint(template: Any, regions: list[str] | None = None) -> list[Finding]:
    """cfn-lint findings for a template or its text, informational rules on (default region
    us-east-1). cfn-lint is imported on first use: compiling never pays for it."""
    from .linting import lint as _lint

    return _lint(template, regions)
