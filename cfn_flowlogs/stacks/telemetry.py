"""CloudWatch telemetry rules from a flow-log config (`cfn-flowlogs telemetry`).

AWS's own engine for "every VPC, new ones included": an `AWS::ObservabilityAdmin::
OrganizationTelemetryRule` (or `TelemetryRule` for one account) that gives each VPC in scope a flow
log to CloudWatch Logs, with the config's traffic type, format, interval and retention, in log
groups named by a pattern, encrypted with the config's key (or one made here with the key policy AWS
documents for it). An optional `OrganizationCentralizationRule` copies those log groups into a
central account and Region. AWS documents `cloud-watch-logs` as the rules' only destination: a
config for S3 or Firehose is refused, pointing at the StackSet rollout and its enrolment.

What CloudFormation cannot make (trusted access, telemetry evaluation) is listed by
`prerequisites` as AWS CLI commands. docs/evidence.md section 5 cites each choice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Final

from troposphere import Export, GetAtt, Output, Parameter, Ref, Sub, Template
from troposphere.observabilityadmin import (
    CentralizationRule,
    CentralizationRuleDestination,
    CentralizationRuleSource,
    DestinationLogsConfiguration,
    LogsEncryptionConfiguration,
    OrganizationCentralizationRule,
    OrganizationTelemetryRule,
    SourceLogsConfiguration,
    TelemetryDestinationConfiguration,
    TelemetryRule,
    TelemetryRuleProperty,
    VPCFlowLogParameters,
)

from ..compiler import naming, policies
from ..compiler.context import BuildContext, Decision, portable
from ..compiler.plan import Plan
from ..compiler.resources.common import tags
from ..compiler.resources.key import add_kms_key
from ..config.flow_logs import FlowLogsConfig
from ..config.inputs import ADDITIONAL_VPCS, KMS_KEY, PLACEHOLDER_VPC, TARGETS
from ..config.validators import ACCOUNT, REGION, arn_pattern
from ..errors import ConfigError, Problem

DESCRIPTION: Final = "CloudWatch telemetry rule: a flow log to CloudWatch Logs for every VPC in scope (cfn-flowlogs)"
SCOPES: Final = ("organization", "account")
RULE_NAME: Final = r"[0-9A-Za-z-]{1,100}"  # CloudFormation's pattern, inside the API's
# The macros AWS's CloudFormation and API references name for DestinationPattern.
MACROS: Final = ("<resourceId>", "<accountId>")
_PATTERN_TEXT: Final = r"[.\-_/#A-Za-z0-9]"  # a log group name's characters
DEFAULT_LOG_GROUP_PREFIX: Final = "/aws/vpc/"  # of AWS's default pattern, /aws/vpc/<vpc-id>
ORGANIZATION_ID: Final = r"o-[a-z0-9]{10,32}"
MAX_SCOPE_CHARS: Final = 2000  # the centralization rule's Scope; the telemetry rule's has no limit written
# The inputs a telemetry rule carries; the targets only say which VPC a stack would log.
USED: Final = ("log_destination_type", "traffic_type", "log_format", "max_aggregation_interval",
               "cloudwatch_log_group_name", "cloudwatch_log_retention", "kms_key_arn", "kms_key_users",
               "kms_key_deletion_window_in_days", "kms_key_prefix", "custom_tags")  # fmt: skip
IGNORED: Final = ("vpc_id", ADDITIONAL_VPCS.name)
UNUSED: Final = (
    "left at its default for a telemetry rule (its flow logs deliver through AWS's service-linked role, with no "
    "role, tag fields or query layer of yours)"
)
OTHER_WAY: Final = (
    "cloud-watch-logs for a telemetry rule (AWS documents CloudWatch Logs as its only destination); for "
    "{value}, the StackSet rollout's enrolment covers every VPC: cfn-flowlogs rollout"
)
MULTI_REGION_KEY: Final = ":key/mrk-"  # in a KMS key ARN (the config has checked it is one)


class OrganizationRuleProperty(TelemetryRuleProperty):
    """The organization rule's `Rule`: troposphere 4.11's shared class lacks the `Scope` that
    AWS::ObservabilityAdmin::OrganizationTelemetryRule has."""

    props: ClassVar = {**TelemetryRuleProperty.props, "Scope": (str, False)}


@dataclass(frozen=True)
class TelemetryOptions:
    """Where the rule applies, beyond the config's flow-log settings."""

    scope: str  # organization | account
    regions: tuple[str, ...] = ()  # Regions the rule is replicated to, besides the one it is deployed in
    all_regions: bool = False  # every Region where the service is available
    rule_name: str = "vpc-flow-logs"
    rule_scope: str | None = None  # organization: which OUs or accounts, as AWS writes a rule's Scope
    selection_criteria: str | None = None  # which VPCs, as AWS writes a rule's SelectionCriteria
    log_group_pattern: str | None = None  # DestinationPattern, with <resourceId> and <accountId>
    central_account: str | None = None  # copy the log groups into this account...
    central_region: str | None = None  # ...and Region...
    central_key_arn: str | None = None  # ...encrypted with its key


def telemetry_config(data: Mapping[str, Any], problems: Iterable[Problem] = ()) -> FlowLogsConfig:
    """A flow-log config for a telemetry rule: the rule picks its VPCs, so a target is optional.
    `problems`: those found reading the inputs, reported with the config's own."""
    if isinstance(data, Mapping) and all(data.get(name) is None for name in TARGETS):
        data = {**data, "vpc_id": PLACEHOLDER_VPC}
    return FlowLogsConfig.from_mapping(data, problems)


def ignored_inputs(config: FlowLogsConfig) -> list[str]:
    """The inputs set in `config` that a telemetry rule does not use (it logs every VPC in scope)."""
    return [name for name in IGNORED if getattr(config, name) not in (None, (), PLACEHOLDER_VPC)]


def check(config: FlowLogsConfig, options: TelemetryOptions) -> None:
    """Refuse what a telemetry rule cannot carry, or what AWS does not document for it."""
    if options.scope not in SCOPES:
        raise ConfigError("--scope", options.scope, "organization or account")
    destination = config.log_destination_type
    if destination != "cloud-watch-logs":
        raise ConfigError("log_destination_type", destination, OTHER_WAY.format(value=destination))
    if config.resource_type != "VPC":
        target = next(name for name in TARGETS if getattr(config, name) is not None)
        raise ConfigError(target, getattr(config, target), "unset for a telemetry rule (it logs whole VPCs)")
    for field in fields(config):
        value = getattr(config, field.name)
        default = field.default_factory() if callable(field.default_factory) else field.default
        if field.name not in (*USED, *IGNORED, *TARGETS) and value != default:
            raise ConfigError(field.name, value, UNUSED)
    if config.cloudwatch_log_retention == 0:
        raise ConfigError("cloudwatch_log_retention", 0, "1 to 3653 days for a telemetry rule (AWS documents no "
                          "'never expire' for its RetentionInDays)")  # fmt: skip
    if config.log_format is not None and not isinstance(config.log_format, str):
        raise ConfigError("log_format", config.log_format, "literal ${field} text for a telemetry rule")
    _check_rule(options)
    if options.log_group_pattern is not None and config.cloudwatch_log_group_name is not None:
        allowed = "unset when the config sets cloudwatch_log_group_name (one name for the log groups)"
        raise ConfigError("--log-group-pattern", options.log_group_pattern, allowed)
    pattern = destination_pattern(config, options)
    if isinstance(pattern, str):
        _check_pattern(pattern)
    _check_key(config, options)
    _check_centralization(options, pattern)


def _check_rule(options: TelemetryOptions) -> None:
    if not re.fullmatch(RULE_NAME, options.rule_name):
        raise ConfigError("--rule-name", options.rule_name, "1-100 letters, digits and hyphens")
    if options.regions and options.all_regions:
        raise ConfigError("--regions", list(options.regions), "Region names or all, not both")
    for region in options.regions:
        if not re.fullmatch(REGION, region):
            raise ConfigError("--regions", region, "Region names like eu-west-1, or all")
    if len(set(options.regions)) != len(options.regions):
        raise ConfigError("--regions", list(options.regions), "each Region once")
    for name, text in (("--rule-scope", options.rule_scope), ("--selection-criteria", options.selection_criteria)):
        if text is None:
            continue
        if name == "--rule-scope" and options.scope != "organization":
            raise ConfigError(name, text, "unset for an account's rule (AWS::ObservabilityAdmin::TelemetryRule "
                              "has no Scope)")  # fmt: skip
        if not text.strip() or len(text) > MAX_SCOPE_CHARS or not text.isprintable():
            raise ConfigError(name, text, f"1-{MAX_SCOPE_CHARS} printable characters on one line, as AWS "
                              "writes it (get-telemetry-rule-for-organization shows a rule's)")  # fmt: skip


def destination_pattern(config: FlowLogsConfig, options: TelemetryOptions) -> Any:
    """The rule's DestinationPattern: the option, the config's log group name, or None (AWS's default)."""
    return options.log_group_pattern if options.log_group_pattern is not None else config.cloudwatch_log_group_name


def _check_pattern(pattern: str) -> None:
    macros = "|".join(re.escape(m) for m in MACROS)
    if len(pattern) > 512 or pattern.startswith("aws/") or not re.fullmatch(f"({_PATTERN_TEXT}|{macros})+", pattern):
        raise ConfigError("--log-group-pattern", pattern, "a log group name of up to 512 of a-z A-Z 0-9 . - _ / # "
                          f"(not starting with aws/), with the macros {' and '.join(MACROS)} that AWS's "
                          "CloudFormation reference names")  # fmt: skip


def _check_key(config: FlowLogsConfig, options: TelemetryOptions) -> None:
    """AWS: a rule replicated to other Regions needs a multi-Region key, replicated there."""
    key = config.kms_key_arn
    if options.regions or options.all_regions:
        if key is None:
            allowed = ("a multi-Region key (key/mrk-...) of yours, replicated to every Region of a rule with "
                       "--regions (the template makes a single-Region key)")  # fmt: skip
            raise ConfigError("kms_key_arn", None, allowed)
        if isinstance(key, str) and MULTI_REGION_KEY not in key:
            raise ConfigError("kms_key_arn", key, "a multi-Region key (key/mrk-...) for a rule with --regions "
                              "(AWS: cross-Region rules must use a multi-Region key)")  # fmt: skip


def _check_centralization(options: TelemetryOptions, pattern: Any) -> None:
    given = {"--central-account": options.central_account, "--central-region": options.central_region,
             "--central-key-arn": options.central_key_arn}  # fmt: skip
    if all(value is None for value in given.values()):
        return
    for name, value in given.items():
        if value is None:
            raise ConfigError(name, None, "set with " + " and ".join(n for n in given if n != name))
    if options.scope != "organization":
        raise ConfigError("--central-account", options.central_account, "unset for an account's rule (AWS has "
                          "centralization rules for an organization only)")  # fmt: skip
    if options.all_regions:
        raise ConfigError("--regions", "all", "Region names with --central-account (a centralization rule lists "
                          "its source Regions)")  # fmt: skip
    if not re.fullmatch(ACCOUNT, str(options.central_account)):
        raise ConfigError("--central-account", options.central_account, "a 12-digit account ID")
    if not re.fullmatch(REGION, str(options.central_region)):
        raise ConfigError("--central-region", options.central_region, "a Region name like eu-west-1")
    central = arn_pattern("kms", str(options.central_region), str(options.central_account), KMS_KEY, pseudo=True)
    if not re.fullmatch(central, str(options.central_key_arn)):
        raise ConfigError("--central-key-arn", options.central_key_arn,
                          "a KMS key ARN of the central account and Region (AWS: the key of the destination account "
                          "and Region)")  # fmt: skip
    if log_group_selection(pattern) is None:
        raise ConfigError("--log-group-pattern", pattern, "a pattern with a fixed start before its first macro "
                          "with --central-account (the centralization rule selects log groups by prefix)")  # fmt: skip


def log_group_selection(pattern: str | None) -> str | None:
    """The centralization rule's LogGroupSelectionCriteria for the rule's log groups, in the OAM
    filter syntax AWS documents for it: the name, or its fixed start (`LIKE` is a prefix search)."""
    if pattern is None:
        return f"LogGroupName LIKE '{DEFAULT_LOG_GROUP_PREFIX}%'"
    prefix, macro, _ = pattern.partition("<")
    if not macro:
        return f"LogGroupName = '{pattern}'"
    return f"LogGroupName LIKE '{prefix}%'" if prefix else None


def build_telemetry_template(config: FlowLogsConfig, options: TelemetryOptions) -> Template:
    """The telemetry rule's template for `config` (see the module's docstring)."""
    check(config, options)
    organization = options.scope == "organization"
    template = Template(Description=DESCRIPTION)
    ctx = BuildContext(template, config.values(), tags=config.custom_tags)
    create_key = ctx.not_(ctx.has("kms_key_arn"))
    organization_id: Any = None
    if organization and create_key is True:
        organization_id = Ref(template.add_parameter(Parameter(
            "OrganizationId", Type="String", AllowedPattern=f"^{ORGANIZATION_ID}$",
            ConstraintDescription="must be an organization ID like o-a1b2c3d4e5",
            Description="Your organization's ID (aws organizations describe-organization): only its accounts' log "
                        "groups may use the key")))  # fmt: skip
    key = add_kms_key(ctx, _key_plan(ctx, create_key), None, [policies.telemetry_key_statement(organization_id)])
    pattern = destination_pattern(config, options)
    parameters = VPCFlowLogParameters(TrafficType=config.traffic_type,
                                      MaxAggregationInterval=config.max_aggregation_interval)  # fmt: skip
    if config.log_format is not None:
        parameters.LogFormat = config.log_format
    destination = TelemetryDestinationConfiguration(
        DestinationType="cloud-watch-logs",
        RetentionInDays=config.cloudwatch_log_retention,
        KmsKeyArn=key.arn,
        VPCFlowLogParameters=parameters,
    )
    if pattern is not None:
        destination.DestinationPattern = pattern
    kind = OrganizationRuleProperty if organization else TelemetryRuleProperty
    rule = kind(
        ResourceType="AWS::EC2::VPC",
        TelemetryType="Logs",
        TelemetrySourceTypes=["VPC_FLOW_LOGS"],
        DestinationConfiguration=destination,
        AllowFieldUpdates=True,  # AWS replaces a flow log of its own that drifted from the rule
    )
    if options.all_regions:
        rule.AllRegions = True
    elif options.regions:
        rule.Regions = list(options.regions)
    if options.rule_scope is not None:
        rule.Scope = options.rule_scope
    if options.selection_criteria is not None:
        rule.SelectionCriteria = options.selection_criteria
    resource = OrganizationTelemetryRule if organization else TelemetryRule
    telemetry = template.add_resource(
        resource(naming.TELEMETRY_RULE, RuleName=options.rule_name, Rule=rule, **tags(ctx))
    )
    outputs = {"RuleArn": GetAtt(telemetry, "RuleArn"), "KmsKeyArn": key.arn}
    if options.central_account is not None:
        central = template.add_resource(_centralization_rule(ctx, options, pattern))
        outputs["CentralizationRuleArn"] = GetAtt(central, "RuleArn")
    for name, value in outputs.items():
        template.add_output(Output(name, Value=value, Export=Export(Sub("${AWS::StackName}-" + name))))
    return template


def _key_plan(ctx: BuildContext, create_key: Decision) -> Plan:
    """Only the key (and its alias) of the flow-log plan: the rule makes the rest."""
    no: Decision = False
    return Plan(
        create=True, targets={}, transit_gateway=no, to_cloudwatch=no, to_s3=no, to_firehose=no, create_bucket=no,
        create_key=create_key, create_key_alias=ctx.all(create_key, ctx.has("kms_key_prefix")), uses_key=True,
        managed_policy=no, force_destroy=no, across_accounts=no,
    )  # fmt: skip


def _centralization_rule(ctx: BuildContext, options: TelemetryOptions, pattern: Any) -> OrganizationCentralizationRule:
    source = CentralizationRuleSource(
        Regions=[Ref("AWS::Region"), *options.regions],  # the rule's home Region and those it replicates to
        SourceLogsConfiguration=SourceLogsConfiguration(
            LogGroupSelectionCriteria=log_group_selection(pattern),
            EncryptedLogGroupStrategy="ALLOW",  # the rule's log groups are encrypted with the config's key
        ),
    )
    if options.rule_scope is not None:
        source.Scope = options.rule_scope
    return OrganizationCentralizationRule(
        naming.CENTRALIZATION_RULE,
        RuleName=options.rule_name,
        Rule=CentralizationRule(
            Source=source,
            Destination=CentralizationRuleDestination(
                Account=options.central_account,
                Region=options.central_region,
                DestinationLogsConfiguration=DestinationLogsConfiguration(
                    LogsEncryptionConfiguration=LogsEncryptionConfiguration(
                        EncryptionStrategy="CUSTOMER_MANAGED",
                        KmsKeyArn=portable(options.central_key_arn),
                        EncryptionScope="NEW_DESTINATION_LOG_GROUPS",
                    )
                ),
            ),
        ),
        **tags(ctx),
    )


def prerequisites(options: TelemetryOptions) -> list[str]:
    """What CloudFormation cannot do, as AWS CLI commands (with `#` comments), in order."""
    regions = " --all-regions" if options.all_regions else "".join(f" {r}" for r in options.regions)
    if options.regions:
        regions = " --regions" + regions
    if options.scope == "organization":
        lines = [
            "# 1. In the organization's management account: trusted access for CloudWatch telemetry",
            "aws organizations enable-aws-service-access --service-principal observabilityadmin.amazonaws.com",
            "# 2. Optional: manage rules from a delegated administrator account (ACCOUNT_ID) instead",
            "aws organizations register-delegated-administrator --account-id ACCOUNT_ID "
            "--service-principal observabilityadmin.amazonaws.com",
            "# 3. In the account that deploys the template, in the Region you deploy it in (the rule's home Region):",
            f"aws observabilityadmin start-telemetry-evaluation-for-organization{regions}",
            "aws observabilityadmin get-telemetry-evaluation-status-for-organization  # wait for Status RUNNING",
        ]
    else:
        lines = [
            "# In the account that deploys the template, in the Region you deploy it in (the rule's home Region):",
            f"aws observabilityadmin start-telemetry-evaluation{regions}",
            "aws observabilityadmin get-telemetry-evaluation-status  # wait for Status RUNNING",
        ]
    return lines


__all__ = [
    "SCOPES",
    "TelemetryOptions",
    "build_telemetry_template",
    "ignored_inputs",
    "prerequisites",
    "telemetry_config",
]
