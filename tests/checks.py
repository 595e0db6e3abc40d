"""The project's own checks: flow-log logic that neither cfn-lint nor checkov knows.

Each rule is a small class with an ID, the AWS fact it guards, and `check(template)` yielding
findings; `run_checks` runs them all over a template as CloudFormation reads it (a dict).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any, ClassVar

from cfn_flowlogs.output.linting import Finding  # the same shape as cfn-lint's findings

from .cfn_eval import condition, parameter_values

SOURCE_CONDITION_KEYS = ("aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "kms:EncryptionContext:aws:logs:arn")
STATEFUL_TYPES = ("AWS::Logs::LogGroup", "AWS::KMS::Key", "AWS::S3::Bucket")
READ_ONLY_VERBS = ("Describe", "List", "Get")
# Actions with no resource-level permissions, which AWS documents on "*" (Firehose cross-account).
DOCUMENTED_ON_EVERYTHING = {"logs:CreateLogDelivery", "logs:DeleteLogDelivery"}


def unwrap_if(value: Any) -> list[Any]:
    """Every branch a value may take: `Fn::If` gives both, nested ones flattened."""
    if isinstance(value, dict) and "Fn::If" in value:
        _, yes, no = value["Fn::If"]
        return unwrap_if(yes) + unwrap_if(no)
    if value == {"Ref": "AWS::NoValue"} or value is None:
        return []
    return [value]


def policy_documents(template: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, kind, document) for every policy document: trust, identity, key and bucket policies."""
    for name, resource in template.get("Resources", {}).items():
        props = resource.get("Properties", {})
        kind = resource["Type"]
        if "AssumeRolePolicyDocument" in props:
            yield f"{name}/AssumeRolePolicyDocument", "trust", props["AssumeRolePolicyDocument"]
        for policies in unwrap_if(props.get("Policies", [])):
            for i, policy in enumerate(policies):
                yield f"{name}/Policies/{i}", "identity", policy["PolicyDocument"]
        if kind == "AWS::IAM::ManagedPolicy":
            yield f"{name}/PolicyDocument", "identity", props["PolicyDocument"]
        if kind == "AWS::KMS::Key":
            yield f"{name}/KeyPolicy", "key", props["KeyPolicy"]
        if kind == "AWS::S3::BucketPolicy":
            yield f"{name}/PolicyDocument", "bucket", props["PolicyDocument"]


def statements(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for statement in document["Statement"]:
        yield from unwrap_if(statement)


class Rule:
    id: ClassVar[str]
    fact: ClassVar[str]

    def check(self, template: dict[str, Any]) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(self, path: str, message: str) -> Finding:
        return Finding(self.id, message=message, path=path)


class ServicePrincipalsNameTheSource(Rule):
    id = "FL001"
    fact = "Every service principal carries a source-account condition (confused deputy)."

    def check(self, template):
        for path, _, document in policy_documents(template):
            for statement in statements(document):
                principal = statement.get("Principal")
                if statement["Effect"] == "Allow" and isinstance(principal, dict) and "Service" in principal:
                    keys = {key for operator in statement.get("Condition", {}).values() for key in operator}
                    if not keys.intersection(SOURCE_CONDITION_KEYS):
                        yield self.finding(path, f"{statement['Sid']} trusts {principal['Service']} unconditioned")


class NoWriteOnEverything(Rule):
    id = "FL002"
    fact = 'No identity policy grants a write action on `Resource: "*"`.'

    def check(self, template):
        for path, kind, document in policy_documents(template):
            if kind != "identity":
                continue  # in a key policy "*" means the key itself
            for statement in statements(document):
                writes = [
                    a
                    for a in statement["Action"]
                    if not a.split(":")[1].startswith(READ_ONLY_VERBS) and a not in DOCUMENTED_ON_EVERYTHING
                ]
                if "*" in statement.get("Resource", []) and writes:
                    yield self.finding(path, f"{statement['Sid']} allows {writes} on every resource")


class NoLiteralPartition(Rule):
    id = "FL003"
    fact = "ARNs are built with ${AWS::Partition}: no literal `arn:aws:`."

    def check(self, template):
        if "arn:aws:" in json.dumps(template):
            yield self.finding("/", "a literal arn:aws: (use ${AWS::Partition})")


class StatefulResourcesSayWhatHappens(Rule):
    id = "FL004"
    fact = "The log group, key and bucket declare DeletionPolicy and UpdateReplacePolicy."

    def check(self, template):
        for name, resource in template.get("Resources", {}).items():
            if resource["Type"] in STATEFUL_TYPES:
                for attribute in ("DeletionPolicy", "UpdateReplacePolicy"):
                    if attribute not in resource:
                        yield self.finding(name, f"no {attribute}")


def _bucket_policy_and_flow_log(template):
    resources = template.get("Resources", {})
    policies = [n for n, r in resources.items() if r["Type"] == "AWS::S3::BucketPolicy"]
    flow_logs = [n for n, r in resources.items() if r["Type"] == "AWS::EC2::FlowLog"]
    if len(policies) == 1 and len(flow_logs) == 1:
        return policies[0], flow_logs[0]
    assert not (policies and flow_logs), f"one bucket policy per flow log expected, got {policies} for {flow_logs}"
    return None  # no created bucket, or an archive (a bucket with no flow log of its own)


class DeliveryPrefixFollowsDestination(Rule):
    id = "FL005"
    fact = (
        "The bucket policy lets delivery write where the flow log writes, Hive option included; the "
        "destination is the bare bucket ARN or `<bucket ARN>/<subfolder>/`, as AWS writes it."
    )
    # Deploy-time choices that move the prefix; each combination is rendered as CloudFormation would.
    CHOICES: ClassVar = {"S3Subfolder": ("", "a/b"), "HiveCompatiblePartitions": ("false", "true")}
    S3: ClassVar = {"LogDestinationType": "s3", "EnableCustomS3Destination": "false", "CreateResources": "true"}

    def check(self, template):
        pair = _bucket_policy_and_flow_log(template)
        if pair is None:
            return
        policy, flow_log = (template["Resources"][n] for n in pair)
        (write,) = [s for s in statements(policy["Properties"]["PolicyDocument"]) if s["Sid"] == "AWSLogDeliveryWrite"]
        (granted,) = write["Resource"]
        parameters = template.get("Parameters", {})
        names = [name for name in self.CHOICES if name in parameters]
        for chosen in itertools.product(*(self.CHOICES[name] for name in names)):
            given = {**{k: v for k, v in self.S3.items() if k in parameters}, **dict(zip(names, chosen, strict=True))}
            values = parameter_values(template, given)
            conditions, cache = template.get("Conditions", {}), {}
            if "Condition" in policy and not condition(policy["Condition"], values, conditions, cache):
                continue
            props = flow_log["Properties"]
            destination = render(props["LogDestination"], values, conditions, cache)
            hive = render(props["DestinationOptions"], values, conditions, cache)["HiveCompatiblePartitions"]
            where = f"{pair[1]} with {given}" if given else pair[1]
            if destination is None or destination.endswith("//") or destination.endswith(">/"):
                yield self.finding(pair[1], f"LogDestination {destination!r} is not a form AWS writes ({where})")
                return
            folder = destination if destination.endswith("/") else destination + "/"
            expected = (
                folder + "AWSLogs/" + ("aws-account-id=" if hive in (True, "true") else "") + "${AWS::AccountId}/*"
            )
            actual = render(granted, values, conditions, cache)
            if actual != expected:
                yield self.finding(pair[0], f"writes {actual!r} but the flow log delivers to {destination!r} ({where})")
                return  # one finding per template


def render(expr: Any, values: dict[str, str], conditions: dict[str, Any], cache: dict[str, bool]) -> Any:
    """The text CloudFormation makes of `expr` for these Parameter values (None: AWS::NoValue).
    Pseudo parameters stay `${AWS::...}` and attributes `<Name.Attr>`, so texts compare."""
    if not isinstance(expr, dict):
        return expr
    if len(expr) != 1 or not next(iter(expr)).startswith(("Fn::", "Ref")):
        return {key: render(value, values, conditions, cache) for key, value in expr.items()}
    ((fn, arg),) = expr.items()
    if fn == "Fn::If":
        name, yes, no = arg
        return render(yes if condition(name, values, conditions, cache) else no, values, conditions, cache)
    if fn == "Ref":
        return None if arg == "AWS::NoValue" else values.get(arg, "${" + arg + "}")
    if fn == "Fn::GetAtt":
        return "<" + ".".join(arg) + ">"
    if fn == "Fn::Sub":
        text, variables = (arg, {}) if isinstance(arg, str) else arg
        for name, value in variables.items():
            text = text.replace("${" + name + "}", render(value, values, conditions, cache))
        return text
    raise AssertionError(f"cannot render {fn}")


class FlowLogWaitsForBucketPolicy(Rule):
    id = "FL006"
    fact = "The flow log depends on the bucket policy, or delivery writes its own and races the stack."

    def check(self, template):
        pair = _bucket_policy_and_flow_log(template)
        if pair is None:
            return
        policy_name, flow_log_name = pair
        flow_log = template["Resources"][flow_log_name]
        if policy_name in flow_log.get("DependsOn", []):
            return
        condition = template["Resources"][policy_name].get("Condition")
        carried = flow_log.get("Metadata", {}).get("DependsOn", {}).get("BucketPolicy")
        if carried != {"Fn::If": [condition, {"Ref": policy_name}, {"Ref": "AWS::NoValue"}]}:
            yield self.finding(flow_log_name, f"does not wait for {policy_name}")


RULES: tuple[Rule, ...] = (
    ServicePrincipalsNameTheSource(),
    NoWriteOnEverything(),
    NoLiteralPartition(),
    StatefulResourcesSayWhatHappens(),
    DeliveryPrefixFollowsDestination(),
    FlowLogWaitsForBucketPolicy(),
)


def run_checks(template: dict[str, Any]) -> list[str]:
    return [str(finding) for rule in RULES for finding in rule.check(template)]
