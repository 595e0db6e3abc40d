"""The central log archive: one bucket and key, in a log-archive account, that the flow logs of
many accounts (a list, or a whole organization) deliver to. The same bucket and key builders as
the flow-log template: only who may deliver differs."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Final

from troposphere import And, Equals, Export, GetAtt, Not, Or, Output, Ref, Sub, Template

from . import fields as flowlog_fields
from .config import check_input, check_lifecycle, check_log_format, check_tags, known_inputs, normalize_log_format
from .context import BuildContext, Decision
from .errors import ConfigError
from .inputs import BY_NAME, QUERY_BY_NAME, Input
from .plan import Plan
from .policies import DeliverySources
from .resources.bucket import add_bucket
from .resources.key import add_kms_key
from .template import add_interface, literal_defaults, parameter_for
from .validators import ACCOUNT, REGION, is_expression

if TYPE_CHECKING:
    from .resources.queries import GlueHandles

DESCRIPTION: Final = "Central archive for VPC Flow Logs of many accounts: hardened, encrypted, retained (cfn-flowlogs)"
_SHARED: Final = (
    "s3_bucket_name",
    "s3_subfolder",
    "hive_compatible_partitions",
    "s3_infrequent_access_transition",
    "s3_glacier_transition",
    "s3_expiration_transition",
    "force_destroy_bucket",
    "kms_key_users",
    "kms_key_deletion_window_in_days",
)
ARCHIVE_INPUTS: Final[tuple[Input, ...]] = (
    Input(
        "source_account_ids", "list", None, "Sources", "Source account IDs",
        "Accounts whose flow logs may be delivered here, comma separated (or set OrganizationId).",
        allowed="12-digit account IDs", pattern=ACCOUNT,
    ),
    Input(
        "organization_id", "str", None, "Sources", "Organization ID",
        "Every account of this organization may deliver here (or set SourceAccountIds).",
        allowed="an organization ID like o-abcd123456", pattern=r"o-[a-z0-9]{10,32}",
    ),
    *(BY_NAME[name] for name in _SHARED),
    dataclasses.replace(BY_NAME["kms_key_prefix"], default="alias/flow_logs_archive_"),
)  # fmt: skip
# The archive's Athena table (compile time only, never Parameters): the format and options its
# sources deliver with, and the regions they are in.
ARCHIVE_QUERY_INPUTS: Final[tuple[Input, ...]] = (
    dataclasses.replace(
        QUERY_BY_NAME["create_athena_table"],
        description="true: a Glue database and table over every source's objects (partitions projected).",
    ),
    dataclasses.replace(
        BY_NAME["log_format"], description="The fields the sources' flow logs record; empty: AWS's default (VPC)."
    ),
    BY_NAME["file_format"],
    BY_NAME["per_hour_partition"],
    Input(
        "source_regions", "list", None, "Queries", "Source regions",
        "The regions whose flow logs arrive here (the table's aws_region partition); empty: the archive's.",
        allowed="region codes like eu-west-1", pattern=REGION,
    ),
    QUERY_BY_NAME["glue_database_name"],
    QUERY_BY_NAME["glue_table_name"],
)  # fmt: skip
_SPECS: Final = {spec.name: spec for spec in (*ARCHIVE_INPUTS, *ARCHIVE_QUERY_INPUTS)}
OUTPUTS: Final = {
    "S3BucketArn": "the archive bucket's ARN",
    "S3BucketName": "its name",
    "KmsKeyArn": "its key",
    "GlueDatabaseName": "the Glue database (create_athena_table)",
    "GlueTableName": "the Glue table (create_athena_table)",
}


@dataclass(frozen=True)
class ArchiveConfig:
    """The archive's inputs; the bucket and key ones mean what they mean for the flow log."""

    source_account_ids: Any = None
    organization_id: Any = None
    s3_bucket_name: Any = None
    s3_subfolder: str = ""
    hive_compatible_partitions: bool = False
    s3_infrequent_access_transition: int = 30
    s3_glacier_transition: int = 180
    s3_expiration_transition: int = 365
    force_destroy_bucket: bool = False
    kms_key_users: Any = None
    kms_key_deletion_window_in_days: int | None = None
    kms_key_prefix: str | None = "alias/flow_logs_archive_"
    custom_tags: Mapping[str, str] = field(default_factory=dict)
    create_athena_table: bool = False
    log_format: Any = None  # `${a} ${b}` text, or a list of field names
    file_format: str = "plain-text"
    per_hour_partition: bool = False
    source_regions: Any = None
    glue_database_name: str | None = None
    glue_table_name: str = "vpc_flow_logs"

    SPECS: ClassVar[Mapping[str, Input]] = _SPECS

    def __post_init__(self) -> None:
        object.__setattr__(self, "log_format", normalize_log_format(self.log_format))
        for spec in (*ARCHIVE_INPUTS, *ARCHIVE_QUERY_INPUTS):
            object.__setattr__(self, spec.name, check_input(spec, getattr(self, spec.name)))
        self._check_table()
        object.__setattr__(self, "custom_tags", check_tags(self.custom_tags))
        sources = [n for n in ("source_account_ids", "organization_id") if getattr(self, n)]
        if len(sources) != 1:
            given = {n: getattr(self, n) for n in ("source_account_ids", "organization_id")}
            raise ConfigError("source_account_ids/organization_id", given, "exactly one of the two")
        check_lifecycle(self.s3_infrequent_access_transition, self.s3_glacier_transition, self.s3_expiration_transition)

    @classmethod
    def from_mapping(cls, data: Any) -> ArchiveConfig:
        return cls(**known_inputs(cls, data))

    def values(self) -> dict[str, Any]:
        return {spec.name: getattr(self, spec.name) for spec in (*ARCHIVE_INPUTS, *ARCHIVE_QUERY_INPUTS)}

    def _check_table(self) -> None:
        """The table's inputs: literal, and set only with create_athena_table."""
        for spec in ARCHIVE_QUERY_INPUTS:
            value = getattr(self, spec.name)
            items = value if isinstance(value, tuple) else (value,)
            if any(is_expression(item) for item in items):
                raise ConfigError(spec.name, value, "a literal value (the table is decided at compile time)")
            if spec.name != "create_athena_table" and not self.create_athena_table and value != spec.default:
                raise ConfigError(spec.name, value, "left at its default unless create_athena_table is true")
        if isinstance(self.log_format, str):
            check_log_format(self.log_format)

    @property
    def log_fields(self) -> tuple[str, ...]:
        """The fields the sources' records hold: `log_format`'s, or AWS's default VPC format."""
        return flowlog_fields.fields_of(self.log_format, None)


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
    from .resources.queries import TableLayout, add_glue_table  # imported only when asked for

    accounts = config.source_account_ids
    layout = TableLayout(
        config.log_fields,
        parquet=config.file_format == "parquet",
        hive=config.hive_compatible_partitions,
        per_hour=config.per_hour_partition,
        accounts=",".join(accounts) if accounts else None,
        regions=",".join(config.source_regions) if config.source_regions else Ref("AWS::Region"),
    )
    return add_glue_table(ctx, True, layout, bucket_name)


def _archive_plan(ctx: BuildContext) -> Plan:
    """An archive always makes its bucket and key, and nothing of a flow log."""
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


__all__ = ["ARCHIVE_INPUTS", "ARCHIVE_QUERY_INPUTS", "ArchiveConfig", "build_archive_template"]
