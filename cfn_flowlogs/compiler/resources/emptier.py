"""force_destroy_bucket: the custom resource that empties and deletes the bucket on delete.

Its function (cfn_flowlogs/lambda/empty_bucket.py, inlined) answers CloudFormation on every
path and stops with FAILED, saying how far it got, before Lambda's own timeout; the custom
resource's ServiceTimeout ends a lost answer in minutes instead of CloudFormation's hour.

Deletion order: the custom resource refers to the function (ServiceToken), the function to its
role and log group, so CloudFormation deletes the custom resource (emptying the bucket) first,
while the function, its permissions and its log still exist.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar, Final

import awacs.cloudformation as cloudformation
from awacs.aws import Allow, Statement
from troposphere import GetAtt, Ref
from troposphere.awslambda import Code, Function, LoggingConfig
from troposphere.cloudformation import CustomResource
from troposphere.iam import Policy, Role
from troposphere.logs import LogGroup
from troposphere.s3 import Bucket
from troposphere.validators import integer

from ...output.scanners import skipped
from .. import naming, policies
from ..context import BuildContext
from ..plan import Plan
from .common import tags

FUNCTION_TIMEOUT: Final = 900  # seconds, Lambda's maximum: the most a single attempt empties
# A little longer than the function can run (it answers before its timeout), with a minute for
# Lambda to start it; the default, 3600 s, would hold a stack an hour for a lost answer.
SERVICE_TIMEOUT: Final = FUNCTION_TIMEOUT + 60
LOG_RETENTION_DAYS: Final = 30  # the function's diagnostics: what one delete did, or why it failed
# Only the function's diagnostics: deleted with the stack (a delete that fails keeps them, as the
# failed custom resource still needs the function), never left behind to block a stack of the
# same name, whose function would log to the same group.
DIAGNOSTICS: Final = {"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"}
SOURCE: Final = "lambda/empty_bucket.py"


class EmptyBucket(CustomResource):
    resource_type = "Custom::EmptyBucket"
    props: ClassVar = {
        "ServiceToken": (str, True),
        "ServiceTimeout": (integer, False),
        "BucketName": (str, True),
        "LogicalId": (str, True),
    }


def function_log_group_name(ctx: BuildContext) -> Any:
    """`/aws/lambda/<stack name>-empty-bucket[-<prefix>]`: one per set, known before the function."""
    return ctx.sub("/aws/lambda/${AWS::StackName}-empty-bucket${Suffix}", Suffix=ctx.suffix)


def add_emptier(ctx: BuildContext, plan: Plan, bucket: Bucket) -> CustomResource | None:
    """force_destroy_bucket: a function that empties and deletes the bucket on stack delete."""
    log_group = ctx.add(
        plan.force_destroy,
        lambda logical_id: function_log_group(ctx, logical_id, function_log_group_name(ctx)),
        naming.EMPTY_BUCKET_LOG_GROUP,
    )
    bucket_arn = GetAtt(bucket, "Arn")
    permissions = policies.empty_bucket_permissions(bucket_arn, ctx.sub("${Bucket}/*", Bucket=bucket_arn))
    permissions.Statement += [
        Statement(
            Sid="ReadOwnStack",
            Effect=Allow,
            Action=[cloudformation.DescribeStacks, cloudformation.DescribeStackResource],
            Resource=[Ref("AWS::StackId")],
        ),
        policies.function_logs_statement(GetAtt(log_group, "Arn")),
    ]
    role = ctx.add(
        plan.force_destroy,
        lambda logical_id: Role(
            logical_id,
            AssumeRolePolicyDocument=policies.lambda_trust(),
            Description="Lets the stack empty and delete its flow log bucket on delete",
            Policies=[Policy(PolicyName="EmptyBucket", PolicyDocument=permissions)],
            **tags(ctx),
        ),
        naming.EMPTY_BUCKET_ROLE,
    )
    function = ctx.add(
        plan.force_destroy,
        lambda logical_id: inline_function(
            ctx,
            logical_id,
            "Empties and deletes the flow log bucket when the stack releases it",
            source=SOURCE,
            role=GetAtt(role, "Arn"),
            timeout=FUNCTION_TIMEOUT,
            log_group=log_group,
        ),
        naming.EMPTY_BUCKET_FUNCTION,
    )
    return ctx.add(
        plan.force_destroy,
        lambda logical_id: EmptyBucket(
            logical_id,
            ServiceToken=GetAtt(function, "Arn"),
            ServiceTimeout=SERVICE_TIMEOUT,
            BucketName=Ref(bucket),
            LogicalId=bucket.title,
        ),
        naming.EMPTY_BUCKET,
    )


def inline_source() -> str:
    """The function's code as the template inlines it (see `compact`)."""
    return compact_source(SOURCE)


def function_log_group(ctx: BuildContext, logical_id: str, name: Any) -> LogGroup:
    """A function's own log group: diagnostics only, kept LOG_RETENTION_DAYS, the AWS-managed key
    (checkov's CKV_AWS_158 skipped with its reason)."""
    return LogGroup(
        logical_id,
        LogGroupName=name,
        RetentionInDays=LOG_RETENTION_DAYS,
        **tags(ctx),
        **DIAGNOSTICS,
        **skipped("CKV_AWS_158"),
    )


def inline_function(
    ctx: BuildContext,
    logical_id: str,
    description: str,
    *,
    source: str,
    role: Any,
    timeout: int,
    log_group: LogGroup,
    skips: tuple[str, ...] = (),
    **properties: Any,
) -> Function:
    """A function of lambda/ (`source`), inlined compacted, logging to its own log group. Every
    such function of the project: Python 3.13, 256 MB, the stack's tags, and the checkov checks it
    cannot meet skipped with their reasons (output/scanners.py)."""
    return Function(
        logical_id,
        Description=description,
        Runtime="python3.13",
        Handler="index.handler",
        Code=Code(ZipFile=compact_source(source)),
        Role=role,
        Timeout=timeout,
        MemorySize=256,
        LoggingConfig=LoggingConfig(LogGroup=Ref(log_group)),
        **properties,
        **tags(ctx),
        **skipped("CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117", *skips),
    )


@functools.cache
def compact_source(path: str) -> str:
    """A function of lambda/ (`path` in the package) as a template inlines it (see `compact`)."""
    from importlib import resources  # it imports tempfile, shutil, zipfile...: only with a function

    return compact(resources.files("cfn_flowlogs").joinpath(path).read_text(encoding="utf-8"))


def compact(text: str) -> str:
    """Python source without its comments, docstrings and blank lines, indented one space a
    level. Those serve its readers, not Lambda, and every byte of the function counts against the
    51,200 a template may have to deploy without a bucket. The statements are the same ones:
    tests/compiler/test_emptier.py compares the two syntax trees. Only docstrings may span lines (the
    lines of any other string would be re-indented): anything else is refused.
    """
    import ast  # only templates with the function pay for these
    import io
    import tokenize

    lines = text.splitlines()
    docstrings: set[int] = set()  # line indexes
    passes: set[int] = set()  # where a body was only its docstring: it needs a statement
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0]
            if ast.get_docstring(node, clean=False) is not None and first.end_lineno is not None:
                if lines[first.lineno - 1][: first.col_offset].strip():
                    raise ValueError(f"line {first.lineno}: a docstring must start its own line")
                docstrings.update(range(first.lineno - 1, first.end_lineno))
                if len(node.body) == 1:
                    passes.add(first.lineno - 1)
    levels: dict[int, int] = {}  # line index -> indentation level of the code on it
    comments: dict[int, int] = {}  # line index -> where its comment starts
    depth, continued = 0, 0  # blocks open; 1 inside a statement that goes on over lines
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        row, column = token.start[0] - 1, token.start[1]
        if token.type == tokenize.INDENT:
            depth += 1
        elif token.type == tokenize.DEDENT:
            depth -= 1
        elif token.type == tokenize.NEWLINE:
            continued = 0
        elif token.type == tokenize.COMMENT:
            comments[row] = column
        elif token.type not in (tokenize.NL, tokenize.ENDMARKER):
            if token.end[0] - 1 > row and row not in docstrings:  # their lines would be re-indented
                raise ValueError(f"line {row + 1}: only a docstring may span lines")
            levels.setdefault(row, depth + continued)
            continued = 1
    return "".join(
        " " * level + ("pass" if row in passes else lines[row][: comments.get(row)].strip()) + "\n"
        for row, level in sorted(levels.items())
        if row not in docstrings or row in passes
    )
