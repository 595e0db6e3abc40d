"""The audit role template: read-only, exactly the audit's calls (config/audit_calls.py), trusted by
one account; `cfn-flowlogs audit --print-policy` prints the same policy."""

from __future__ import annotations

import json

import pytest

from cfn_flowlogs.cli import main
from cfn_flowlogs.config.audit_calls import member_actions
from cfn_flowlogs.output.render import to_json
from cfn_flowlogs.stacks.audit_role import build_audit_role_template


def rendered() -> dict:
    return json.loads(to_json(build_audit_role_template()))


def test_the_policy_holds_exactly_the_audits_calls_and_only_reads():
    # GIVEN the audit role template
    role = rendered()["Resources"]["AuditRole"]["Properties"]
    (policy,) = role["Policies"]
    actions = [action for statement in policy["PolicyDocument"]["Statement"] for action in statement["Action"]]
    # THEN its actions are the list's, each once, and none can change anything
    assert actions == list(member_actions())
    assert all(action.split(":")[1].startswith(("Describe", "List", "Get")) for action in actions)
    # AND the trust names one account, the auditor's, given at deploy time
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AuditorAccountId}:root"}}
    assert trust["Action"] == ["sts:AssumeRole"] and role["RoleName"] == {"Ref": "RoleName"}


@pytest.mark.parametrize("partition", ["aws", "aws-us-gov"])
def test_print_policy_prints_the_templates_policy(partition, capsys):
    # WHEN `cfn-flowlogs audit --print-policy` runs (no AWS call: no credentials here)
    assert main(["audit", "--print-policy", partition]) == 0
    printed = json.loads(capsys.readouterr().out)
    # THEN it is the template's policy, its ARNs in that partition
    (policy,) = rendered()["Resources"]["AuditRole"]["Properties"]["Policies"]
    expected = policy["PolicyDocument"]
    for statement in expected["Statement"]:
        statement["Resource"] = [resource if isinstance(resource, str) else
                                 resource["Fn::Sub"].replace("${AWS::Partition}", partition)
                                 for resource in statement["Resource"]]  # fmt: skip
    assert printed == expected
    assert "${" not in json.dumps(printed)
