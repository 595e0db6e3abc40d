"""The central log archive: one bucket and key, in a log-archive account, that the flow logs of
many accounts (a list, or a whole organization) deliver to. The same bucket and key builders as
the flow-log template: only who may deliver differs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from troposphere import And, Equals, Export, GetAtt, Not, Or, Output, Ref, Sub, Template

from ..compiler.context import BuildContext, Decision
from ..compiler.plan import Plan
from ..compiler.policies import DeliverySources
from ..compiler.resources.bucket import add_bucket
from ..compiler.resources.key import add_kms_key
from ..compiler.template import add_interface, literal_defaults, parameter_for
from ..config.archive import ARCHIVE_INPUTS, ArchiveConfig
from ..errors import ConfigError

if TYPE_CHECKING:
    from ..compiler.resources.queries import GlueHandles

DESCRIPTION: Final = "Central archive for VPC Flow Logs of many accounts: hardened, encrypted, retained (cfn-flowlogs)"
OUTPUTS: Final = {
    "S3BucketArn": "the archive bucket's ARN",
    "S3BucketName": "its name",
    "KmsKeyArn": "its key",
    "GlueDatabaseName": "the Glue database (create_athena_table)",
    "GlueTableName": "the Glue table (create_athena_table)",
}


def build_archive_template(config: ArchiveConfig | None = None, *, parameterized: bool = False) -> Template:
    """The archive template: no config, the shipped one (every input a Parameter); else folded."""
    template = Template(Description=DESCRIPTION)
    parameters = {}
    if config is None or parameterized:
        if config and config.create_athena_table:
            raise ConfigError("create_athena_table", True, "false in a template with Parameters (the table follows "
                              "the log format, known only when you compile: drop --parameterized)")  # fmt: skip
        defaults = literal_defaults(config.values()) if config else {s.name: s.default for s in ARCHIVE_INPUTS}
        parameters = {s.name: template.add_parameter(parameter_for(s, defaults[s.name])) for s in ARCHIVE_INPUTS}
        _add_rules(template)
        add_interface(template, ARCHIVE_INPUTS)
        values = defaults
    else:
        values = config.values()
    # The builders also read the flow log's own-bucket and own-key inputs: here never set.
    ctx = BuildContext(template, {**values, "s3_bucket": None, "kms_key_arn": None}, parameters,
                       tags=config.custom_tags if config else {})  # fmt: skip
    use_organization = ctx.condition("UseOrganization", ctx.is_set("organization_id"))
    ctx.sources = DeliverySources(accounts=ctx.value("source_account_ids"))
    ctx.organization_sources = DeliverySources(organization=ctx.value("organization_id"))
    ctx.use_organization = use_organization
    plan = _archive_plan(ctx)
    key = add_kms_key(ctx, plan, log_group_arn=None)
    bucket = add_bucket(ctx, plan, key.arn)
    values_out = {"S3BucketArn": bucket.arn, "S3BucketName": bucket.name, "KmsKeyArn": GetAtt(key.key, "Arn")}
    if config is not None and config.create_athena_table and not parameterized:
        glue = _add_table(ctx, config, bucket.name)
        values_out.update(GlueDatabaseName=glue.database_name, GlueTableName=glue.table_name)
    for name, value in values_out.items():
        template.add_output(Output(name, Value=value, Description=OUTPUTS[name],
                                   Export=Export(Sub("${AWS::StackName}-" + name))))  # fmt: skip
    return template


def _add_table(ctx: BuildContext, config: ArchiveConfig, bucket_name: Any) -> GlueHandles:
    """The sources' objects as one table: the account partition projected over the listed
    accounts, or injected for an organization (each query then names its account)."""
    from ..compiler.resources.queries import TableLayout, add_glue_table  # imported only when asked for

    accounts = config.source_account_ids
    layout = TableLayout(
        config.record_shape,
        accounts=",".join(accounts) if accounts else None,
        regions=",".join(config.source_regions) if config.source_regions else Ref("AWS::Region"),
    )
    return add_glue_table(ctx, True, layout, bucket_name)


def _archive_plan(ctx: BuildContext) -> Plan:
    """An archive always makes its bucket and key, and nothing of a flow log; a table reads its
    bucket when create_athena_table (compile time only) is true."""
    no: Decision = False
    return Plan(
        create=True,
        targets={},
        transit_gateway=no,
        to_cloudwatch=no,
        to_s3=True,
        to_firehose=no,
        create_bucket=True,
        create_key=True,
        create_key_alias=ctx.condition("CreateKmsKeyAlias", ctx.is_set("kms_key_prefix")),
        uses_key=True,
        managed_policy=no,
        force_destroy=ctx.condition("DestroyBucketOnDelete", ctx.is_true("force_destroy_bucket")),
        across_accounts=no,
        table=bool(ctx.values.get("create_athena_table")),
    )


def _add_rules(template: Template) -> None:
    accounts = Equals({"Ref": "SourceAccountIds"}, "")  # comma-separated text: a plain Ref
    organization = Equals({"Ref": "OrganizationId"}, "")
    template.add_rule(
        "ExactlyOneSource",
        {
            "Assertions": [
                {
                    "Assert": Or(And(accounts, Not(organization)), And(Not(accounts), organization)),
                    "AssertDescription": "Set exactly one of SourceAccountIds and OrganizationId.",
                }
            ]
        },
    )


__all__ = ["build_archive_template"]
