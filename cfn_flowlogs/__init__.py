"""cfn-flowlogs: secure, validated CloudFormation templates for AWS VPC Flow Logs.

Every name below is imported on first use (`__getattr__`): `import cfn_flowlogs` costs almost
nothing, `cfn-flowlogs build` loads the compiler and nothing else, and the central archive, the
rollout, the audit (boto3) and the Terraform reader (python-hcl2) load only when asked for.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and readers see; at run time, `__getattr__` below
    from .archive import ArchiveConfig, build_archive_template
    from .config import FlowLogsConfig
    from .errors import ConfigError
    from .library import add_flow_logs, nested_stack
    from .limits import LimitError
    from .limits import check as check_limits
    from .linting import Finding
    from .render import to_json, to_yaml
    from .template import FlowLogs, build_template

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

# Exported name -> (module, its name there).
_LAZY: dict[str, tuple[str, str]] = {
    "ArchiveConfig": (".archive", "ArchiveConfig"),
    "build_archive_template": (".archive", "build_archive_template"),
    "ConfigError": (".errors", "ConfigError"),
    "FlowLogs": (".template", "FlowLogs"),
    "FlowLogsConfig": (".config", "FlowLogsConfig"),
    "LimitError": (".limits", "LimitError"),
    "add_flow_logs": (".library", "add_flow_logs"),
    "build_template": (".template", "build_template"),
    "check_limits": (".limits", "check"),
    "nested_stack": (".library", "nested_stack"),
    "to_json": (".render", "to_json"),
    "to_yaml": (".render", "to_yaml"),
}


def __getattr__(name: str) -> Any:
    """Import an exported name's module on first use; later lookups find it in the module."""
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(import_module(module, __name__), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def lint(template: Any, regions: list[str] | None = None) -> list[Finding]:
    """cfn-lint findings for a template or its text, informational rules on (default region
    us-east-1). cfn-lint is imported on first use: compiling never pays for it."""
    from .linting import lint as _lint

    return _lint(template, regions)
