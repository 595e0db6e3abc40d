"""Flow logs inside your own troposphere templates: inline, or as a nested stack."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from troposphere import Join, Tags, Template
from troposphere.cloudformation import Stack

from ..compiler.context import portable
from ..compiler.naming import FLOW_LOG
from ..compiler.template import FlowLogs, add_resources, new_context, refuse_more_vpcs
from ..config.flow_logs import FlowLogsConfig
from ..config.inputs import INPUTS
from ..config.validators import is_expression
from ..errors import ConfigError

_PREFIX = r"[A-Za-z0-9]{0,64}"
_BY_PARAMETER = {spec.parameter: spec for spec in INPUTS}


def add_flow_logs(template: Template, config: FlowLogsConfig, *, prefix: str = "", outputs: bool = True) -> FlowLogs:
    """Add the flow log and its resources, specialized for `config`, to `template`.

    Every logical ID, Output and export name starts with `prefix`, and generated physical
    names end with it, so calls with different prefixes never collide on one template.
    `outputs=False` leaves out the module's Outputs (CloudFormation allows 200 in a template;
    the returned handles give the same values).
    """
    if not isinstance(prefix, str) or not re.fullmatch(_PREFIX, prefix):
        raise ConfigError("prefix", prefix, "up to 64 letters and digits (it starts logical IDs)")
    if prefix + FLOW_LOG in template.resources:
        raise ConfigError("prefix", prefix, "a prefix no other add_flow_logs call used on this template")
    return add_resources(new_context(template, config, config.values(), prefix=prefix), outputs=outputs)


def refuse_query_layer(config: FlowLogsConfig, which: str) -> None:
    """A shipped template (`which`: shipped, StackSet) has no query layer: it is compile time only."""
    for name, value in config.compile_time_only.items():
        raise ConfigError(name, value, f"left at its default for the {which} template (the query layer is "
                          "compile time only: use add_flow_logs or cfn-flowlogs build)")  # fmt: skip


def stack_parameters(config: FlowLogsConfig, *, changed_only: bool = True) -> dict[str, Any]:
    """The shipped template's Parameters for `config`: those that differ from the default, or all."""
    refuse_query_layer(config, "shipped")
    refuse_more_vpcs(config, "use add_flow_logs or cfn-flowlogs build")
    values = config.values()
    parameters = {}
    for spec in INPUTS:
        value = values[spec.name]
        unchanged = value == spec.default and type(value) is type(spec.default)
        if (changed_only and unchanged) or value is None:
            continue  # null: the template's default, which means unset (a traffic type: left out)
        parameters[spec.parameter] = parameter_value(value)
    return parameters


def parameter_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):  # a nested stack's Parameters are text: a list goes comma-separated
        items = [portable(item) for item in value]
        return ",".join(items) if all(isinstance(item, str) for item in items) else Join(",", items)
    return portable(value) if isinstance(value, str) else (value if is_expression(value) else str(value))


def config_from_parameters(parameters: Mapping[str, Any]) -> FlowLogsConfig:
    """Read the shipped template's Parameters back into a validated config (names checked)."""
    values: dict[str, Any] = {}
    options: dict[str, Any] = {}
    for name, value in parameters.items():
        spec = _BY_PARAMETER.get(name)
        if spec is None:
            raise ConfigError("parameters", name, "Parameters of the shipped template: " + ", ".join(_BY_PARAMETER))
        typed = _typed(spec.kind, spec.name, value)
        if spec.name in ("file_format", "hive_compatible_partitions", "per_hour_partition"):
            options[spec.name] = typed
        else:
            values[spec.name] = typed
    if options:
        values["destination_options"] = options
    return FlowLogsConfig(**values)


def _typed(kind: str, name: str, value: Any) -> Any:
    """A Parameter's text as the input's Python type; expressions pass through."""
    if is_expression(value) or not isinstance(value, str):
        return value
    if kind == "bool" and value in ("true", "false"):
        return value == "true"
    if kind == "int" and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    if kind == "list":
        return [item for item in value.split(",") if item]
    return value


def nested_stack(title: str, template_url: Any, config_or_parameters: FlowLogsConfig | Mapping[str, Any]) -> Stack:
    """An `AWS::CloudFormation::Stack` of the shipped template, its Parameters checked now.

    Give a `FlowLogsConfig`, or the shipped template's Parameters by name (values as text or
    troposphere expressions); either is validated like a config before anything is deployed.
    `template_url` may be a local path for `aws cloudformation package` to upload.
    """
    if isinstance(config_or_parameters, FlowLogsConfig):
        config = config_or_parameters
    else:
        config = config_from_parameters(config_or_parameters)
    if config.additional_s3_bucket_policy_statements:
        raise ConfigError(
            "additional_s3_bucket_policy_statements",
            dict(config.additional_s3_bucket_policy_statements),
            "unset for a nested stack (it is a compile-time option: use add_flow_logs)",
        )
    # The stack's own log group, key and bucket are retained; the stack itself need not be.
    stack = Stack(
        title,
        TemplateURL=template_url,
        Parameters=stack_parameters(config),
        DeletionPolicy="Delete",
        UpdateReplacePolicy="Delete",
    )
    if config.custom_tags:
        stack.Tags = Tags(**dict(sorted(config.custom_tags.items())))  # a stack's tags reach its resources
    return stack
