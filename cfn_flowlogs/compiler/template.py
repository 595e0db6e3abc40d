"""Assembly: inputs -> context -> builders -> a troposphere Template."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from troposphere import (
    Export,
    GetAtt,
    Output,
    Parameter,
    Ref,
    Sub,
    Template,
)
from troposphere.cloudformation import WaitConditionHandle
from troposphere.ec2 import FlowLog
from troposphere.iam import Role
from troposphere.kms import Key
from troposphere.logs import LogGroup
from troposphere.s3 import Bucket

from ..config.flow_logs import FlowLogsConfig
from ..config.inputs import ADDITIONAL_VPC_SLOTS, ADDITIONAL_VPCS, BY_NAME, INPUTS, TARGETS, Input
from ..config.validators import PSEUDO_PARAMETERS, is_expression
from ..errors import ConfigError
from . import naming
from .context import BuildContext, Decision, ListParameter
from .limits import MAX_OUTPUTS, LimitError
from .plan import TRANSIT_GATEWAY_TARGETS, Plan, plan
from .resources.bucket import BucketHandles, add_bucket
from .resources.cross_account import add_cross_account_source_role
from .resources.flow_log import add_flow_log
from .resources.key import KeyHandles, add_kms_key
from .resources.log_group import LogGroupHandles, add_log_group, log_group_arn
from .resources.role import add_delivery_role

if TYPE_CHECKING:
    from .resources.queries import QueryHandles

DESCRIPTION = "VPC Flow Logs with an encrypted destination, least-privilege delivery and retained data (cfn-flowlogs)"


def build_template(config: FlowLogsConfig | None = None, *, parameterized: bool = False) -> Template:
    """The CloudFormation template for `config`.

    No config: the shipped template, every input a Parameter. `parameterized=True` with a
    config: the same, with the config's values as the Parameters' defaults. Otherwise a
    specialized template in which the config's choices are folded in.
    """
    if config is None or parameterized:
        return parameterized_template(_parameter_defaults(config), INPUTS, config)
    template = Template(Description=DESCRIPTION)
    add_resources(new_context(template, config, config.values(), {}), placeholder=True)
    return template


def parameterized_template(
    values: Mapping[str, Any],
    specs: tuple[Input, ...],
    config: FlowLogsConfig | None = None,
    description: str = DESCRIPTION,
) -> Template:
    """A template in which the inputs `specs` are Parameters, their defaults from `values`; every
    other input is folded in from `values`, with the Rules and resources it rules out."""
    template = Template(Description=description)
    parameters = {spec.name: template.add_parameter(parameter_for(spec, values[spec.name])) for spec in specs}
    ctx = new_context(template, config, values, parameters)
    _add_rules(ctx)
    add_interface(template, specs)
    add_resources(ctx, placeholder=True)
    return template


def _parameter_defaults(config: FlowLogsConfig | None) -> dict[str, Any]:
    """The Parameters' defaults: the module's, or the config's when they can be literal text."""
    if config is None:
        return {spec.name: spec.default for spec in INPUTS}
    for name, value in config.compile_time_only.items():
        raise ConfigError(name, value, "left at its default in a template with Parameters (the query layer "
                          "follows the log format, which a Parameter could change: compile a template)")  # fmt: skip
    refuse_more_vpcs(config, "compile a template")
    return literal_defaults(config.values())


def refuse_more_vpcs(config: FlowLogsConfig, remedy: str) -> None:
    """The shipped template logs one target: further VPCs need a compiled or the StackSet template."""
    if config.additional_vpc_ids:
        allowed = f"unset for the shipped template, which logs one target ({remedy}, or deploy the StackSet template)"
        raise ConfigError(ADDITIONAL_VPCS.name, list(config.additional_vpc_ids), allowed)


def literal_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """`values` as Parameter defaults, which must be literal text: no expression, no ${AWS::...}."""
    for name, value in values.items():
        items = value if isinstance(value, tuple) else (value,)
        if any(
            is_expression(item) or (isinstance(item, str) and any(p in item for p in PSEUDO_PARAMETERS))
            for item in items
        ):
            raise ConfigError(
                name,
                value,
                "a literal value to be a Parameter's default (a specialized template "
                "takes ${AWS::...} forms and expressions)",
            )
    return values


def new_context(
    template: Template,
    config: FlowLogsConfig | None,
    values: Mapping[str, Any],
    parameters: Mapping[str, Parameter] | None = None,
    prefix: str = "",
) -> BuildContext:
    """The build context: scalar inputs as `values` (or `parameters`), maps from the config."""
    return BuildContext(
        template,
        values,
        parameters or {},
        prefix=prefix,
        tags=config.custom_tags if config else {},
        bucket_statements=(config.additional_s3_bucket_policy_statements or {}) if config else {},
        tag_field_specifications=(config.tag_field_specifications or ()) if config else (),
    )


@dataclass(frozen=True)
class FlowLogs:
    """What `add_flow_logs` added: the resources (None where not created) and expressions for
    the values other resources need. Expressions are `Fn::If` where only deploy time decides."""

    flow_log: FlowLog | None
    log_group: LogGroup | None
    role: Role | None
    key: Key | None
    bucket: Bucket | None
    log_group_name: Any
    log_group_arn: Any
    key_arn: Any
    bucket_arn: Any
    bucket_name: Any
    queries: QueryHandles | None = None  # the Glue table, Athena workgroup and saved queries, if asked for
    more_flow_logs: tuple[FlowLog, ...] = ()  # one for each of additional_vpc_ids

    @property
    def flow_log_id(self) -> Any:
        return Ref(self.flow_log) if self.flow_log is not None else None

    @property
    def logical_ids(self) -> dict[str, str]:
        """Family -> logical ID of each resource created."""
        families = {"flow_log": self.flow_log, "log_group": self.log_group, "role": self.role,
                    "key": self.key, "bucket": self.bucket}  # fmt: skip
        return {family: r.title for family, r in families.items() if r is not None}


def add_resources(ctx: BuildContext, *, outputs: bool = True, placeholder: bool = False) -> FlowLogs:
    """Every resource and (unless `outputs` is false) the module's Outputs, in dependency order.
    With `placeholder`, a free resource stands in when nothing else is created."""
    decisions = plan(ctx)
    if placeholder:
        ctx.add(ctx.condition("CreateNothing", ctx.not_(decisions.create)), WaitConditionHandle, naming.PLACEHOLDER)
    key = add_kms_key(ctx, decisions, log_group_arn(ctx))
    log_group = add_log_group(ctx, decisions, key.arn)
    role = add_delivery_role(ctx, decisions, log_group.log_group)
    bucket = add_bucket(ctx, decisions, key.arn)
    source = add_cross_account_source_role(ctx, decisions)
    flow_log, more_flow_logs = add_flow_log(
        ctx, decisions, log_group=log_group.log_group, role=role, bucket=bucket, source=source
    )
    if decisions.enrol is not False:
        from .resources.enrolment import add_enrolment  # imported only when asked for
        from .resources.flow_log import flow_log_properties

        properties = flow_log_properties(ctx, decisions, log_group=log_group.log_group, role=role, bucket=bucket,
                                         source=source)  # fmt: skip
        add_enrolment(ctx, decisions, properties)
    queries = None
    if decisions.athena is not False or decisions.logs_insights is not False:
        from .resources.queries import add_query_layer, log_fields  # imported only when asked for

        queries = add_query_layer(
            ctx, decisions, log_fields(ctx), bucket=bucket, key_arn=key.arn, log_group_name=log_group.name
        )
    if outputs:
        _add_outputs(ctx, decisions, flow_log, log_group, key, bucket, queries)
    return FlowLogs(
        flow_log=flow_log,
        more_flow_logs=more_flow_logs,
        log_group=log_group.log_group,
        role=role,
        key=key.key,
        bucket=bucket.bucket,
        log_group_name=log_group.name,
        log_group_arn=GetAtt(log_group.log_group, "Arn") if log_group.log_group else None,
        key_arn=key.arn if decisions.uses_key is not False else None,
        bucket_arn=bucket.arn if decisions.to_s3 is not False else None,
        bucket_name=bucket.name if decisions.to_s3 is not False else None,
        queries=queries,
    )


def _add_outputs(
    ctx: BuildContext,
    decisions: Plan,
    flow_log: Any,
    log_group: LogGroupHandles,
    key: KeyHandles,
    bucket: BucketHandles,
    queries: QueryHandles | None = None,
) -> None:
    glue = queries.glue if queries else None
    athena: Decision = decisions.athena if glue is not None else False
    values: dict[str, tuple[Decision, Any]] = {
        "FlowLogId": (decisions.create, lambda: Ref(flow_log)),
        "CloudWatchLogsGroupArn": (decisions.to_cloudwatch, lambda: GetAtt(log_group.log_group, "Arn")),
        "CloudWatchLogsGroupName": (decisions.to_cloudwatch, lambda: log_group.name),
        "CloudWatchKmsKeyArn": (decisions.uses_key, lambda: key.arn),
        "S3BucketArn": (decisions.to_s3, lambda: bucket.arn),
        "S3BucketName": (decisions.to_s3, lambda: bucket.name),
        "GlueDatabaseName": (athena, lambda: glue.database_name if glue else None),
        "GlueTableName": (athena, lambda: glue.table_name if glue else None),
        "AthenaWorkGroupName": (athena, lambda: Ref(queries.workgroup) if queries else None),
    }
    for name in naming.OUTPUTS + naming.QUERY_OUTPUTS:
        decision, value = values[name]
        if decision is False:
            continue
        title = ctx.name(name)
        output = Output(title, Value=value(), Export=Export(Sub("${AWS::StackName}-" + title)))
        if decision is not True:
            output.Condition = ctx.use(decision)
        if len(ctx.template.outputs) >= MAX_OUTPUTS:  # troposphere would stop with less to say
            raise LimitError("a template's outputs", len(ctx.template.outputs) + 1, f"at most {MAX_OUTPUTS}")
        ctx.template.add_output(output)


# --- the parameterized template's Parameters, Rules and console metadata ----------------------


def parameter_for(spec: Input, default: Any) -> Parameter:
    """The CloudFormation Parameter for an input, with its constraints and `default`."""
    kwargs: dict[str, Any] = {"Description": spec.description}
    if spec.kind == "int":
        kwargs["Type"] = "Number"
        default = default if default is not None else spec.parameter_default
        if spec.low is not None:
            kwargs["MinValue"] = spec.low
        if spec.high is not None:
            kwargs["MaxValue"] = spec.high
    else:
        kwargs["Type"] = "String"
    if spec.kind == "bool":
        kwargs["AllowedValues"] = ["true", "false"]
        default = "true" if default else "false"
    elif spec.choices:
        kwargs["AllowedValues"] = [str(choice) for choice in spec.choices]
    if spec.pattern and spec.kind == "str":
        kwargs["AllowedPattern"] = f"^({spec.parameter_pattern or spec.pattern})?$"  # empty: unset
        kwargs["ConstraintDescription"] = f"must be {spec.parameter_allowed or spec.constraint}"
    if spec.kind == "list":
        # Comma-separated text, split where used: a Condition may test a String Parameter with a
        # plain Ref (the documented form), and the pattern checks every item at deploy time.
        item = spec.parameter_pattern or spec.pattern
        kwargs["AllowedPattern"] = f"^({item}(,{item})*)?$"
        kwargs["ConstraintDescription"] = f"must be comma-separated {spec.constraint}"
        return ListParameter(spec.parameter, Default=",".join(default or ()), **kwargs)
    kwargs["Default"] = str(default) if default is not None else ""
    return Parameter(spec.parameter, **kwargs)


def _add_rules(ctx: BuildContext) -> None:
    """Reject at deploy time what the Python validation rejects at compile time, where Rules can.
    An input folded in is known: a Rule or an assertion it decides is left out."""

    def is_(name: str, value: str) -> Decision:
        return ctx.equals(name, value)

    def empty(name: str) -> Decision:
        return ctx.equals(name, "") if name in ctx.parameters else ctx.not_(ctx.is_set(name))

    def set_(name: str) -> Decision:
        return ctx.not_(empty(name))

    def one_target(chosen: str) -> Decision:
        return ctx.all(*(set_(name) if name == chosen else empty(name) for name in TARGETS))

    create = is_("create_resources", "true")
    slots = [spec.name for spec in ADDITIONAL_VPC_SLOTS if spec.name in ctx.parameters]
    open_bucket_choice = "enable_custom_s3_destination" in ctx.parameters
    rules: dict[str, tuple[Decision, list[tuple[Decision, str]]]] = {
        "ExactlyOneTarget": (
            create,
            [(ctx.any(*(one_target(name) for name in TARGETS)),
              "Set exactly one of " + ", ".join(BY_NAME[t].parameter for t in TARGETS) + ".")],
        ),
        "TransitGatewayFlowLogs": (
            ctx.all(create, ctx.any(*(set_(name) for name in TRANSIT_GATEWAY_TARGETS))),
            [
                (is_("max_aggregation_interval", "60"),
                 "Transit gateway flow logs take only MaxAggregationInterval 60."),
                (is_("traffic_type", BY_NAME["traffic_type"].default),
                 "Transit gateway flow logs take no traffic type: leave TrafficType at its default (it is left out)."),
                (ctx.all(*(empty(name) for name in slots)),
                 "A transit gateway target takes no further VPCs: deploy another stack for them."),
            ],
        ),
        "FirehoseArnWithFirehose": (
            create,
            [(ctx.any(
                ctx.all(is_("log_destination_type", "kinesis-data-firehose"), set_("kinesis_firehose_arn")),
                ctx.all(ctx.not_(is_("log_destination_type", "kinesis-data-firehose")), empty("kinesis_firehose_arn")),
              ),
              "Set KinesisFirehoseArn exactly when LogDestinationType is kinesis-data-firehose.")],
        ),
        "CustomBucketWithS3": (
            ctx.is_true("enable_custom_s3_destination"),
            [(is_("log_destination_type", "s3"), "EnableCustomS3Destination needs LogDestinationType s3."),
             (set_("s3_bucket"), "EnableCustomS3Destination needs S3Bucket." if open_bucket_choice
              else "Set S3Bucket: every flow log delivers there.")],
        ),
        "EnrolmentCoversEveryVpc": (
            ctx.is_true("enrol_vpcs") if "enrol_vpcs" in ctx.parameters else False,
            [(ctx.all(empty("vpc_id"), *(empty(name) for name in slots)),
              "The enrolment logs every VPC of the account and region: leave VpcId and the AdditionalVpcId slots "
              "empty (a target of another kind may stay).")],
        ),
        "S3BucketOnlyWithCustomDestination": (
            set_("s3_bucket"),
            [(ctx.is_true("enable_custom_s3_destination"),
              "S3Bucket is used only with EnableCustomS3Destination true.")],
        ),
        "DestinationOptionsOnlyWithS3": (
            ctx.not_(is_("log_destination_type", "s3")),
            [(ctx.all(is_("file_format", "plain-text"), is_("hive_compatible_partitions", "false"),
                      is_("per_hour_partition", "false")),
              "FileFormat, HiveCompatiblePartitions and PerHourPartition apply only to s3.")],
        ),
    }  # fmt: skip
    for name, (condition, assertions) in rules.items():
        if condition is False:
            continue
        kept = []
        for check, description in assertions:
            if check is False:  # folded inputs that break a Rule: the config's checks stop it first
                raise ConfigError(name, description, "values that pass the template's Rules")
            if check is not True:
                kept.append({"Assert": check.expr, "AssertDescription": description})
        if kept:
            rule: dict[str, Any] = {"Assertions": kept}
            if condition is not True:
                rule = {"RuleCondition": condition.expr, **rule}
            ctx.template.add_rule(name, rule)


def add_interface(template: Template, specs: tuple[Input, ...]) -> None:
    """The console's parameter groups and labels, in the order of `specs`."""
    groups = [
        {"Label": {"default": group}, "Parameters": [spec.parameter for spec in specs if spec.group == group]}
        for group in dict.fromkeys(spec.group for spec in specs)
    ]
    labels = {spec.parameter: {"default": spec.label} for spec in specs}
    template.set_metadata({"AWS::CloudFormation::Interface": {"ParameterGroups": groups, "ParameterLabels": labels}})
