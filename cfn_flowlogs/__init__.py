"""cfn-flowlogs: secure, validated CloudFormation templates for AWS VPC Flow Logs.

Every name below is imported on first use (`__getattr__`): `import cfn_flowlogs` costs almost
nothing, `cfn-flowlogs build` loads the compiler and nothing else, and the central archive, the
rollout, the audit (boto3) and the Terraform reader (python-hcl2) load only when asked for.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and readers see; at run time, `__getattr__` below
    from .compiler.limits import LimitError
    from .compiler.limits import check as check_limits
    from .compiler.template import FlowLogs, build_template
    from .config.archive import ArchiveConfig
    from .config.fields import FIELDS
    from .config.flow_logs import FlowLogsConfig
    from .config.loading import config_from
    from .errors import ConfigError
    from .output.diagram import to_mermaid
    from .output.files import write_files, write_text
    from .output.linting import Finding
    from .output.linting import Session as LintSession
    from .output.render import to_json, to_yaml
    from .stacks.archive import build_archive_template
    from .stacks.library import add_flow_logs, nested_stack

__all__ = [
    "FIELDS",
    "ArchiveConfig",
    "ConfigError",
    "FlowLogs",
    "FlowLogsConfig",
    "LimitError",
    "LintSession",
    "add_flow_logs",
    "build_archive_template",
    "build_template",
    "check_limits",
    "config_from",
    "lint",
    "nested_stack",
    "to_json",
    "to_mermaid",
    "to_yaml",
    "write_files",
    "write_text",
]
from .version import __version__ as __version__  # the one place it is written

# Exported name -> (module, its name there).
_LAZY: dict[str, tuple[str, str]] = {
    "ArchiveConfig": (".config.archive", "ArchiveConfig"),
    "build_archive_template": (".stacks.archive", "build_archive_template"),
    "ConfigError": (".errors", "ConfigError"),
    "config_from": (".config.loading", "config_from"),
    "FIELDS": (".config.fields", "FIELDS"),
    "FlowLogs": (".compiler.template", "FlowLogs"),
    "FlowLogsConfig": (".config.flow_logs", "FlowLogsConfig"),
    "LimitError": (".compiler.limits", "LimitError"),
    "LintSession": (".output.linting", "Session"),
    "add_flow_logs": (".stacks.library", "add_flow_logs"),
    "build_template": (".compiler.template", "build_template"),
    "check_limits": (".compiler.limits", "check"),
    "nested_stack": (".stacks.library", "nested_stack"),
    "to_json": (".output.render", "to_json"),
    "to_mermaid": (".output.diagram", "to_mermaid"),
    "to_yaml": (".output.render", "to_yaml"),
    "write_files": (".output.files", "write_files"),
    "write_text": (".output.files", "write_text"),
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
    from .output.linting import lint as _lint

    return _lint(template, regions)
