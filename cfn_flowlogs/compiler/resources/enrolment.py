"""The enrolment: a function (cfn_flowlogs/lambda/enrol_vpcs.py, inlined) that gives every VPC of
the account and Region the flow log its stack describes, new VPCs within minutes.

It runs on CloudTrail's CreateVpc, CreateDefaultVpc and DeleteFlowLogs events (EventBridge) and
on a schedule, a sweep every SWEEP_MINUTES, so a VPC whose event is lost (no trail, an outage) waits
no longer than that. Its settings are the stack's own flow-log properties (`flow_log_properties`),
passed as environment variables of the same names: the two cannot disagree. It writes what it
found to a status parameter that `cfn-flowlogs audit` reads.

Its role is IAM, global: made once per account by a template of its own
(`add_enrolment_role`, templates/vpc-flow-logs-enrolment-role.yaml), which every Region's function
names.
"""

from __future__ import annotations

import json
from typing import Any, Final

from troposphere import GetAtt, NoValue, Ref, Sub, Template
from troposphere.awslambda import Environment, Function, Permission
from troposphere.events import Rule, Target
from troposphere.iam import Policy, Role
from troposphere.ssm import Parameter as SsmParameter

from ...config.fields import RESOURCE_TYPES, fields_of, log_format
from ...config.marks import ENROLMENT_STATUS_PATH, SWEEP_MINUTES
from ...errors import ConfigError
from .. import naming, policies
from ..context import BuildContext
from ..plan import Plan
from .emptier import compact_source, function_log_group, inline_function

SOURCE: Final = "lambda/enrol_vpcs.py"
FUNCTION_TIMEOUT: Final = 300  # seconds: a sweep stops 30 s before it, the next one goes on
# Where each Region's function logs and reports: named after its stack, as the role's grants expect.
LOG_GROUP: Final = "/aws/lambda/${AWS::StackName}-enrolment"
STATUS: Final = ENROLMENT_STATUS_PATH + "${AWS::StackName}"
STATUS_PREFIX: Final = ENROLMENT_STATUS_PATH
# CloudTrail's events the function acts on (EventBridge's "AWS API Call via CloudTrail").
EVENTS: Final = ("CreateVpc", "CreateDefaultVpc", "DeleteFlowLogs")
# The flow-log properties the function is given (the DestinationOptions object as its three keys).
SETTINGS: Final = ("LogDestinationType", "LogDestination", "LogGroupName", "DeliverLogsPermissionArn",
                   "DeliverCrossAccountRole", "LogFormat", "MaxAggregationInterval")  # fmt: skip


def role_arn(ctx: BuildContext) -> Any:
    """The enrolment role of this account, by its name."""
    return Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Name}", Name=ctx.value("enrolment_role_name"))


def add_enrolment(ctx: BuildContext, plan: Plan, properties: dict[str, Any]) -> Function | None:
    """The function, its log group and status, its two triggers; None where there is no enrolment.
    `properties` are the stack's flow-log properties (resources/flow_log.py)."""
    decision = plan.enrol
    if decision is False:
        return None
    if properties.get("TagFieldSpecifications", NoValue) is not NoValue:
        raise ConfigError("tag_field_specifications", list(ctx.tag_field_specifications),
                          "unset with the enrolment (its function creates flow logs without tag fields)")  # fmt: skip
    log_group = ctx.add(
        decision,
        lambda logical_id: function_log_group(ctx, logical_id, Sub(LOG_GROUP)),
        naming.ENROLMENT_LOG_GROUP,
    )
    status = ctx.add(
        decision,
        lambda logical_id: SsmParameter(
            logical_id,
            Name=Sub(STATUS),
            Type="String",
            Value="{}",  # no sweep yet: the audit says so
            Description="What the enrolment's last sweep found (cfn-flowlogs audit reads it)",
        ),
        naming.ENROLMENT_STATUS,
    )
    function = ctx.add(
        decision,
        lambda logical_id: inline_function(
            ctx,
            logical_id,
            "Gives every VPC of the account and Region the stack's flow log",
            source=SOURCE,
            role=role_arn(ctx),
            timeout=FUNCTION_TIMEOUT,
            log_group=log_group,
            skips=("CKV_AWS_173",),
            Environment=Environment(Variables=environment(ctx, properties, status)),
        ),
        naming.ENROLMENT_FUNCTION,
    )
    triggers = {
        naming.ENROLMENT_ON_EVENTS: {
            "Description": "CloudTrail's CreateVpc, CreateDefaultVpc and DeleteFlowLogs: enrol at once",
            "EventPattern": {
                "source": ["aws.ec2"],
                "detail-type": ["AWS API Call via CloudTrail"],
                "detail": {"eventSource": ["ec2.amazonaws.com"], "eventName": list(EVENTS)},
            },
        },
        naming.ENROLMENT_SWEEP: {
            "Description": f"Every {SWEEP_MINUTES} minutes: enrol every VPC an event did not announce",
            "ScheduleExpression": f"rate({SWEEP_MINUTES} minutes)",
        },
    }
    for base, rule_properties in triggers.items():
        rule = ctx.add(
            decision,
            lambda logical_id, p=rule_properties: Rule(  # type: ignore[misc]
                logical_id, State="ENABLED", Targets=[Target(Id="Enrol", Arn=GetAtt(function, "Arn"))], **p
            ),
            base,
        )
        ctx.add(
            decision,
            lambda logical_id, r=rule: Permission(  # type: ignore[misc]
                logical_id,
                Action="lambda:InvokeFunction",
                FunctionName=GetAtt(function, "Arn"),
                Principal="events.amazonaws.com",
                SourceArn=GetAtt(r, "Arn"),
            ),
            base + "Permission",
        )
    return function


def environment(ctx: BuildContext, properties: dict[str, Any], status: Any) -> dict[str, Any]:
    """The function's settings: the flow-log properties, as text, under their own names."""
    variables: dict[str, Any] = {
        "StackName": Ref("AWS::StackName"),
        "StackId": Ref("AWS::StackId"),
        "StatusParameter": Ref(status),
        "TrafficType": ctx.value("traffic_type"),
        "DefaultLogFormat": log_format(fields_of(None, RESOURCE_TYPES["VPC"])),
    }
    for name in SETTINGS:
        variables[name] = properties.get(name, NoValue)
    options = properties.get("DestinationOptions", NoValue)
    if options is not NoValue:
        variables.update(options.properties)
    if ctx.tags:
        variables["Tags"] = json.dumps(dict(sorted(ctx.tags.items())), separators=(",", ":"))
    return {name: _text(value) for name, value in variables.items() if value is not NoValue}


def _text(value: Any) -> Any:
    """A literal as Lambda's environment takes it (strings only); an expression as it is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int) else value


def inline_source() -> str:
    return compact_source(SOURCE)


def add_enrolment_role(template: Template, role_name: Any, stack_set_name: Any) -> Role:
    """The function's role: once per account (IAM is global), for every Region's function of the
    StackSet `stack_set_name` (their stacks are named StackSet-<name>-<id>)."""
    stacks = Sub("StackSet-${Name}-*", Name=stack_set_name)
    return template.add_resource(
        Role(
            naming.ENROLMENT_ROLE,
            RoleName=role_name,
            Description="Lets the enrolment's functions give every VPC the organization's flow log",
            AssumeRolePolicyDocument=policies.lambda_trust(),
            Policies=[
                Policy(
                    PolicyName="Enrolment",
                    PolicyDocument=policies.enrolment_permissions(
                        stacks_arn=Sub("arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/${Stacks}/*",
                                       Stacks=stacks),
                        log_groups_arn=Sub("arn:${AWS::Partition}:logs:*:${AWS::AccountId}:log-group:/aws/lambda/"
                                           "${Stacks}-enrolment:*", Stacks=stacks),
                        status_arn=Sub("arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:parameter" + STATUS_PREFIX
                                       + "${Stacks}", Stacks=stacks),
                    ),
                )
            ],
        )
    )  # fmt: skip


__all__ = ["EVENTS", "STATUS_PREFIX", "SWEEP_MINUTES", "add_enrolment", "add_enrolment_role", "role_arn"]
