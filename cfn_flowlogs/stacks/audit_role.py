"""The audit role (templates/flow-logs-audit-role.yaml): read-only, for `cfn-flowlogs audit`, in
every account of the organization (deploy it with a StackSet; the management account reads its
own with its own credentials). Its policy holds exactly the calls the audit makes in an account
(config/audit_calls.py), and it trusts one account: the management account, or the delegated
administrator the audit runs from. `OrganizationAccountAccessRole`, the audit's default, is an
administrator role: this one cannot change anything.
"""

from __future__ import annotations

from typing import Any, Final

import awacs.sts as sts
from awacs.aws import Action, Allow, PolicyDocument, Principal, Statement
from troposphere import GetAtt, Output, Parameter, Ref, Sub, Template, encode_to_dict
from troposphere.iam import Policy, Role

from ..compiler import naming, policies
from ..config.audit_calls import member_actions
from ..config.marks import ENROLMENT_STATUS_PATH
from ..config.validators import ACCOUNT
from .requirements import resolve

DESCRIPTION: Final = "Read-only role for cfn-flowlogs audit: VPCs, flow logs and their delivery (cfn-flowlogs)"
DEFAULT_ROLE_NAME: Final = "cfn-flowlogs-audit"
POLICY_NAME: Final = "ReadFlowLogsAndDelivery"
# Per service of the calls: the statement's Sid and what it may read. EC2's Describe calls take no
# resource-level permission; log groups and buckets are any the account's flow logs name (a
# bucket of another account lets the role list it only through its own policy: the archive's
# reader grant).
SERVICES: Final[dict[str, tuple[str, str]]] = {
    "ec2": ("ReadVpcsAndFlowLogs", "*"),
    "logs": ("ReadLogStreams", "arn:${AWS::Partition}:logs:*:*:log-group:*"),
    "s3": ("ListDeliveredObjects", "arn:${AWS::Partition}:s3:::*"),
    # The enrolment's status parameters, and their path (GetParametersByPath is granted on it).
    "ssm": ("ReadEnrolmentStatus", "arn:${AWS::Partition}:ssm:*:*:parameter" + ENROLMENT_STATUS_PATH.rstrip("/") + "*"),
}


def audit_policy() -> PolicyDocument:
    """The audit role's policy: the actions of config/audit_calls.py, a statement per service."""
    by_service: dict[str, list[str]] = {}
    for action in member_actions():
        by_service.setdefault(action.split(":")[0], []).append(action)
    statements = []
    for service, actions in by_service.items():
        sid, resource = SERVICES[service]
        statements.append(
            Statement(
                Sid=sid,
                Effect=Allow,
                Action=[Action(*action.split(":")) for action in actions],
                Resource=[resource if resource == "*" else Sub(resource)],
            )
        )
    return PolicyDocument(Version=policies.VERSION, Statement=statements)


def printed_policy(partition: str = "aws") -> dict[str, Any]:
    """`cfn-flowlogs audit --print-policy`: the same policy, for one partition."""
    document: dict[str, Any] = resolve(encode_to_dict(audit_policy()), {"AWS::Partition": partition})
    return document


def build_audit_role_template() -> Template:
    template = Template(Description=DESCRIPTION)
    template.add_parameter(
        Parameter(
            "AuditorAccountId",
            Type="String",
            AllowedPattern=ACCOUNT,
            ConstraintDescription="a 12-digit account ID",
            Description="The account the audit runs from: the management account, or a delegated administrator.",
        )
    )
    name = template.add_parameter(
        Parameter(
            "RoleName",
            Type="String",
            Default=DEFAULT_ROLE_NAME,
            AllowedPattern=r"[\w+=,.@-]{1,64}",
            ConstraintDescription="an IAM role name: 1-64 of letters, digits and +=,.@_-",
            Description="The role's name, the same in every account: `cfn-flowlogs audit --role-name` takes it.",
        )
    )
    trust = PolicyDocument(
        Version=policies.VERSION,
        Statement=[
            Statement(
                Sid="AllowAuditorToAssume",
                Effect=Allow,
                Principal=Principal("AWS", Sub("arn:${AWS::Partition}:iam::${AuditorAccountId}:root")),
                Action=[sts.AssumeRole],
            )
        ],
    )
    role = template.add_resource(
        Role(
            naming.AUDIT_ROLE,
            RoleName=Ref(name),
            Description="cfn-flowlogs audit: reads VPCs, flow logs, log streams and delivered object names",
            AssumeRolePolicyDocument=trust,
            Policies=[Policy(PolicyName=POLICY_NAME, PolicyDocument=audit_policy())],
        )
    )
    template.add_output(Output("RoleArn", Value=GetAtt(role, "Arn"), Description="the audit role's ARN"))
    template.add_output(Output("RoleName", Value=Ref(role), Description="its name, for --role-name"))
    return template


__all__ = ["DEFAULT_ROLE_NAME", "audit_policy", "build_audit_role_template", "printed_policy"]
