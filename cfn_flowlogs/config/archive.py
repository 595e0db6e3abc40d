"""`ArchiveConfig`: the central archive's inputs, validated on construction. The bucket and key
inputs are the flow log's, with the same checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from ..errors import ConfigError, Problem
from . import fields as flowlog_fields
from .flow_logs import (
    check_each,
    check_input,
    check_lifecycle,
    check_log_format,
    check_tags,
    from_mapping,
    normalize_log_format,
)
from .inputs import BY_NAME, QUERY_BY_NAME, ROLE_NAME_PATTERN, Input
from .layout import RecordShape
from .validators import ACCOUNT, REGION, arn_pattern, is_expression

_PRINCIPAL: Final = r"(user|role)/([a-zA-Z0-9_+=,.@-]+/)*[a-zA-Z0-9_+=,.@-]+"

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
    Input(
        "audit_role_name", "str", None, "Audit", "Audit role name",
        "The audit role's name: that role of each source account may list the delivery prefixes (object "
        "names, not contents), so `cfn-flowlogs audit` proves delivery here; empty: no such grant.",
        allowed="an IAM role name: 1-64 of letters, digits and +=,.@_-", pattern=ROLE_NAME_PATTERN,
    ),
    Input(
        "audit_principal_arn", "str", None, "Audit", "Audit principal ARN",
        "An IAM role or user (of any account) that may list the delivery prefixes (object names, not "
        "contents); it must exist when the policy is set; empty: no such grant.",
        allowed="an IAM role or user ARN (arn:<partition>:iam::<account>:role/<name>)",
        pattern=arn_pattern("iam", "", ACCOUNT, _PRINCIPAL, pseudo=False),
        pseudo_pattern=arn_pattern("iam", "", ACCOUNT, _PRINCIPAL, pseudo=True),
    ),
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
    audit_role_name: str | None = None
    audit_principal_arn: str | None = None
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
        # Each input on its own first (every bad one reported at once), then how they combine.
        for name, value in self.check_inputs({f.name: getattr(self, f.name) for f in dataclasses.fields(self)}).items():
            object.__setattr__(self, name, value)
        self._check_table()
        sources = [n for n in ("source_account_ids", "organization_id") if getattr(self, n)]
        if len(sources) != 1:
            given = {n: getattr(self, n) for n in ("source_account_ids", "organization_id")}
            raise ConfigError("source_account_ids/organization_id", given, "exactly one of the two")
        check_lifecycle(self.s3_infrequent_access_transition, self.s3_glacier_transition, self.s3_expiration_transition)

    @classmethod
    def check_inputs(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """Each input of `values` checked on its own and normalized; a ConfigError holds every
        problem found."""
        return check_each(_CHECKS, values)

    @classmethod
    def from_mapping(cls, data: Any, problems: Iterable[Problem] = ()) -> ArchiveConfig:
        """Build from a config file's mapping of input names (see FlowLogsConfig.from_mapping)."""
        return from_mapping(cls, data, problems)

    def values(self) -> dict[str, Any]:
        return {spec.name: getattr(self, spec.name) for spec in (*ARCHIVE_INPUTS, *ARCHIVE_QUERY_INPUTS)}

    def _check_table(self) -> None:
        """The table's inputs: set only with create_athena_table."""
        for spec in ARCHIVE_QUERY_INPUTS:
            value = getattr(self, spec.name)
            if spec.name != "create_athena_table" and not self.create_athena_table and value != spec.default:
                raise ConfigError(spec.name, value, "left at its default unless create_athena_table is true")
        if isinstance(self.log_format, str):
            check_log_format(self.log_format)
        try:
            family = flowlog_fields.family_of(self.log_fields)
        except ValueError as error:
            raise ConfigError("log_format", self.log_format, str(error)) from None
        if family is None and self.hive_compatible_partitions:
            raise ConfigError("log_format", self.log_format, "a format with a field that tells the sources' kind "
                              "(interface-id for VPCs, tgw-id for transit gateways) with hive_compatible_partitions: "
                              "the two kinds' Hive prefixes differ (aws-service=, service=)")  # fmt: skip

    @property
    def log_fields(self) -> tuple[str, ...]:
        """The fields the sources' records hold: `log_format`'s, or AWS's default VPC format."""
        return flowlog_fields.fields_of(self.log_format, None)

    @property
    def record_shape(self) -> RecordShape:
        """What the sources write: their fields, file format and prefixes; their kind, from the fields."""
        return RecordShape(
            fields=self.log_fields,
            parquet=self.file_format == "parquet",
            hive=self.hive_compatible_partitions,
            per_hour=self.per_hour_partition,
            subfolder=self.s3_subfolder,
            transit_gateway=flowlog_fields.family_of(self.log_fields) == "transit-gateway",
        )


def _table_input(spec: Input) -> Callable[[Any], Any]:
    """A table input's check: literal (the table is decided at compile time), then its spec."""

    def check(value: Any) -> Any:
        if spec.name == "log_format":
            value = normalize_log_format(value)
        checked = check_input(spec, value)
        items = checked if isinstance(checked, tuple) else (checked,)
        if any(is_expression(item) for item in items):
            raise ConfigError(spec.name, value, "a literal value (the table is decided at compile time)")
        return checked

    return check


def _shared_input(spec: Input) -> Callable[[Any], Any]:
    return lambda value: check_input(spec, value)


# Each input's check on its own: name -> the function that returns the value normalized.
_CHECKS: Final[dict[str, Callable[[Any], Any]]] = {
    **{spec.name: _shared_input(spec) for spec in ARCHIVE_INPUTS},
    **{spec.name: _table_input(spec) for spec in ARCHIVE_QUERY_INPUTS},
    "custom_tags": check_tags,
}
