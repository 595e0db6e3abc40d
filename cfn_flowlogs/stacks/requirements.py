"""What a key or bucket you provide needs from its policy, for one config. Pure.

CloudFormation cannot edit the policy of a key or bucket the stack does not own, so the statements
the template would give its own key and bucket are printed for you to add. They come from the
same builders (`resources/key.py` `service_statements`, `resources/bucket.py`
`delivery_statements`) and the same build context, so they cannot drift from the templates.

The templates name the deploying account, region, partition and stack through `Fn::Sub` and
`Ref`; here those become literal text where their values are given (`Pseudo`), and stay
`${AWS::...}` placeholders, listed under "substitute", where they are not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from troposphere import Template, encode_to_dict

from ..compiler.context import portable
from ..compiler.plan import plan
from ..compiler.policies import key_delivery_statement
from ..compiler.resources.bucket import delivery_statements, key_prefix
from ..compiler.resources.common import present
from ..compiler.resources.key import service_statements
from ..compiler.resources.log_group import log_group_arn
from ..compiler.template import new_context
from ..config.flow_logs import FlowLogsConfig
from ..config.validators import ACCOUNT, PARTITION, REGION, check_str
from ..errors import ConfigError

STACK_NAME: Final = r"[a-zA-Z][-a-zA-Z0-9]{0,127}"  # CloudFormation's rule for stack names


@dataclass(frozen=True)
class PseudoParameter:
    option: str  # the command line option that gives its value
    means: str
    pattern: str
    allowed: str


# Each pseudo parameter the statements may name.
PSEUDO: Final = {
    "AWS::Partition": PseudoParameter(
        "--partition", "the partition (aws, aws-cn, aws-us-gov ...)", PARTITION, "a partition like aws or aws-cn"
    ),
    "AWS::Region": PseudoParameter(
        "--region", "the flow log's region, like us-east-1", REGION, "a region like us-east-1"
    ),
    "AWS::AccountId": PseudoParameter(
        "--account-id", "the 12-digit ID of the account that creates the flow log", ACCOUNT, "a 12-digit account ID"
    ),
    "AWS::StackName": PseudoParameter(
        "--stack-name",
        "the name the stack is deployed as",
        STACK_NAME,
        "a stack name: a letter, then up to 127 letters, digits and -",
    ),
}
_SUB_VARIABLE = re.compile(r"\$\{(!?)([^}]*)\}")
_ARN_PARTITION = re.compile(r"arn:(aws(?:-[a-z]+)*):")


@dataclass(frozen=True)
class Pseudo:
    """The values of the pseudo parameters, where known (None: keep the placeholder)."""

    partition: str | None = None
    region: str | None = None
    account_id: str | None = None
    stack_name: str | None = None

    def __post_init__(self) -> None:
        for name, value in self.by_name().items():
            if value is not None:
                check_str(PSEUDO[name].option, value, PSEUDO[name].pattern, PSEUDO[name].allowed)

    def by_name(self) -> dict[str, str | None]:
        return {
            "AWS::Partition": self.partition,
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
        }


def needed_statements(config: FlowLogsConfig) -> dict[str, list[dict[str, Any]]]:
    """Policy -> the statements it needs, as JSON data with the template's `Fn::Sub` and `Ref`.

    `key_policy_statements`: the provided key (`kms_key_arn`), for CloudWatch Logs (its
    encryption context names the log group) or for log delivery writing SSE-KMS objects into the
    created bucket. `bucket_policy_statements`: the custom bucket (`s3_bucket`), for log delivery
    under the prefix that follows `s3_subfolder` and the Hive option, and TLS only.
    `bucket_key_policy_statements`: the key of a custom bucket encrypted with SSE-KMS, if it is.
    """
    provided = {name: getattr(config, name) for name in ("kms_key_arn", "s3_bucket")}
    if all(value is None for value in provided.values()):
        raise ConfigError(
            "kms_key_arn/s3_bucket",
            provided,
            "set: a key (kms_key_arn) or a custom bucket (enable_custom_s3_destination and s3_bucket) of your own; "
            "otherwise the template creates the key and bucket and writes their policies itself",
        )
    for name, value in provided.items():
        if value is not None and not isinstance(value, str):
            raise ConfigError(name, value, "a literal ARN (the statements are printed for a key or bucket known now)")
    if not config.create_resources:
        raise ConfigError("create_resources", False, "true (with false the stack creates nothing that needs a policy)")
    ctx = new_context(Template(), config, config.values())
    decisions = plan(ctx)
    needed: dict[str, list[Any]] = {}
    if config.kms_key_arn is not None:
        needed["key_policy_statements"] = service_statements(ctx, decisions, log_group_arn(ctx))
    if config.s3_bucket is not None:
        needed["bucket_policy_statements"] = delivery_statements(ctx, ctx.value("s3_bucket"), key_prefix(ctx))
        needed["bucket_key_policy_statements"] = [ctx.per_sources(key_delivery_statement)]
    return {policy: encode_to_dict(present(statements)) for policy, statements in needed.items()}


def resolve(value: Any, known: Mapping[str, str | None]) -> Any:
    """`value` with every `Ref` and `Fn::Sub` of a pseudo parameter made text: its value from
    `known`, or its `${AWS::...}` placeholder when that is None."""
    if isinstance(value, list):
        return [resolve(item, known) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"} and value["Ref"] in PSEUDO:
        return known.get(value["Ref"]) or "${" + value["Ref"] + "}"
    if set(value) == {"Fn::Sub"}:
        text, variables = value["Fn::Sub"], {}
        if isinstance(text, list):
            text, raw = text
            variables = {name: resolve(item, known) for name, item in raw.items()}
        return _substitute(text, variables, known)
    if any(key.startswith("Fn::") or key == "Ref" for key in value):
        raise ValueError(f"cannot print {value} as policy text")
    return {key: resolve(item, known) for key, item in value.items()}


def _substitute(text: str, variables: Mapping[str, Any], known: Mapping[str, str | None]) -> str:
    def one(match: re.Match[str]) -> str:
        escaped, name = match.groups()
        if escaped:  # `${!x}` is the literal text `${x}`
            return "${" + name + "}"
        if name in variables:
            if not isinstance(variables[name], str):
                raise ValueError(f"cannot print ${{{name}}} = {variables[name]} as policy text")
            return str(variables[name])
        if name in PSEUDO:
            return known.get(name) or match.group(0)
        raise ValueError(f"cannot print ${{{name}}} as policy text")

    return _SUB_VARIABLE.sub(one, text)


def partition_of(config: FlowLogsConfig) -> str | None:
    """The partition a literal ARN of the config names (kms_key_arn, s3_bucket), if any."""
    for name in ("kms_key_arn", "s3_bucket"):
        value = getattr(config, name)
        match = _ARN_PARTITION.match(value) if isinstance(value, str) else None
        if match:
            return match.group(1)
    return None


def policies_document(config: FlowLogsConfig, pseudo: Pseudo = Pseudo()) -> dict[str, Any]:
    """What `cfn-flowlogs policies` prints: the statements each policy needs, with the pseudo
    parameters resolved where known, the provided ARNs, notes, and what is left to substitute."""
    from_config = partition_of(config)
    if pseudo.partition is not None and from_config is not None and pseudo.partition != from_config:
        raise ConfigError("--partition", pseudo.partition, f"{from_config}, the partition the config's ARNs name")
    known = pseudo.by_name()
    known["AWS::Partition"] = pseudo.partition or from_config or "aws"
    document: dict[str, Any] = resolve(needed_statements(config), known)
    notes = []
    if config.kms_key_arn is not None:
        document["key_arn"] = resolve(_portable(config.kms_key_arn), known)
        what = (
            "CloudWatch Logs may use it for the flow log's log group only (its encryption context)"
            if config.log_destination_type == "cloud-watch-logs"
            else "log delivery may use it to write SSE-KMS objects into the bucket the stack creates"
        )
        notes.append(
            f"key_policy_statements: add them to the Statement list of the policy of key_arn, keeping what is "
            f"there (KMS console: the key, Key policy, Edit): {what}. CloudFormation cannot edit the policy of a "
            "key the stack does not own."
        )
    if config.s3_bucket is not None:
        document["bucket_arn"] = resolve(_portable(config.s3_bucket), known)
        notes += [
            "bucket_policy_statements: add them to the Statement list of the policy of bucket_arn, keeping what is "
            "there but a statement of the same Sid, which they replace (S3 console: the bucket, Permissions, Bucket "
            "policy, Edit). Log delivery may then write under the flow log's prefix only, for the flow log's "
            "account and region only. A central archive (templates/flow-logs-archive.yaml) grants this already.",
            "If the principal that creates the flow log owns the bucket and may s3:GetBucketPolicy and "
            "s3:PutBucketPolicy, log delivery writes its own statements into the bucket policy when the flow log "
            "is created (AWS: they overwrite or are appended to the policy): the policy then changes under your "
            "infrastructure as code (drift), possibly broader than these. Grant these statements yourself first.",
            "DenyInsecureTransport refuses every request to the bucket that does not use TLS, from anyone.",
            "bucket_key_policy_statements: only if the bucket's default encryption is SSE-KMS with a customer "
            "managed key: add them to that key's policy (the AWS managed key aws/s3 cannot be used by log delivery).",
            "aws:SourceAccount names the account that creates the flow log: for a bucket in another account, that "
            "is not the bucket owner's account.",
        ]
    document["notes"] = notes
    left = sorted(name for name in PSEUDO if "${" + name + "}" in _text(document))
    if left:
        document["substitute"] = {
            "${" + name + "}": f"{PSEUDO[name].means} (or run again with {PSEUDO[name].option})" for name in left
        }
    return document


def _portable(value: str) -> Any:
    return encode_to_dict(portable(value))


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(_text(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return value if isinstance(value, str) else ""
