"""`FlowLogsConfig`: the module's inputs, validated on construction."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Final, TypeVar

from ..errors import ConfigError, Problem, Problems, Written, show
from . import fields as flowlog_fields
from . import statements
from .inputs import ADDITIONAL_VPCS, BY_NAME, GIB, INPUTS, QUERY_BY_NAME, QUERY_INPUTS, TARGETS, TRAFFIC_TYPES, Input
from .layout import RecordShape
from .marks import RESERVED_PREFIX, STACK_MARK
from .validators import (
    check_bool,
    check_bucket_name,
    check_choice,
    check_int,
    check_mapping,
    check_str,
    check_str_list,
    is_expression,
)

DESTINATION_OPTIONS: Final = ("file_format", "hive_compatible_partitions", "per_hour_partition")

# Inputs that only mean something for one destination; setting them for another is a mistake.
_CLOUDWATCH: Final = ("cloud-watch-logs",)
_ENCRYPTED: Final = ("cloud-watch-logs", "s3")
_ONLY_FOR: Final = {
    "cloudwatch_log_group_name": _CLOUDWATCH,
    "cloudwatch_log_retention": _CLOUDWATCH,
    "cloudwatch_iam_role_name": _CLOUDWATCH,
    "iam_role_permissions_boundary": _CLOUDWATCH,
    "kms_key_arn": _ENCRYPTED,
    "kms_key_users": _ENCRYPTED,
    "kms_key_deletion_window_in_days": _ENCRYPTED,
    "s3_subfolder": ("s3",),
    "destination_options": ("s3",),
    # The query layer reads what the destination holds: a bucket (Athena) or a log group.
    **dict.fromkeys((spec.name for spec in QUERY_INPUTS if spec.name != "create_logs_insights_queries"), ("s3",)),
    "create_logs_insights_queries": _CLOUDWATCH,
}
# The inputs that configure the Athena side: set only with create_athena_table.
_ATHENA_ONLY: Final = tuple(spec.name for spec in QUERY_INPUTS if spec.name.startswith(("glue_", "athena_")))
# Inputs that configure the bucket (and key) the stack creates: meaningless with your own bucket.
_CREATED_BUCKET_ONLY: Final = (
    "s3_bucket_name",
    "s3_infrequent_access_transition",
    "s3_glacier_transition",
    "s3_expiration_transition",
    "force_destroy_bucket",
    "additional_s3_bucket_policy_statements",
    "kms_key_arn",
    "kms_key_users",
    "kms_key_deletion_window_in_days",
    "athena_results_expiration_days",  # a lifecycle rule of the created bucket
)
_ACROSS_ACCOUNTS: Final = {
    "cloud-watch-logs": "unset: AWS does not deliver flow logs to CloudWatch Logs in another account; deliver to "
    "S3 in a central archive instead (templates/flow-logs-archive.yaml)",
    "s3": "unset: for a bucket in another account give its ARN as s3_bucket (enable_custom_s3_destination); its "
    "bucket policy grants the delivery (templates/flow-logs-archive.yaml)",
}
_DEFAULTS: Final = {spec.name: spec.default for spec in INPUTS}
# The Athena results settings of a bucket of your own (the stack's own bucket fixes both).
_CUSTOM_BUCKET_RESULTS: Final = ("athena_results_expected_bucket_owner", "athena_results_kms_key_arn")
MAX_TAGS: Final = 49  # AWS's 50, less the cfn-flowlogs:stack tag each flow log carries
# Unknown keys reported one by one (with the inputs each may have meant); a file with more is no
# config of this module, and the rest are counted in one more line.
MAX_UNKNOWN: Final = 20
_TAG_CHARS: Final = r"[\w .:/=+\-@]*"  # AWS: letters, digits, spaces (no tabs or newlines), _.:/=+-@


@dataclass(frozen=True)
class FlowLogsConfig:
    """The inputs of Gruntwork's `vpc-flow-logs` module, with its names and defaults.

    Free-form strings (IDs, names, ARNs) may be troposphere expressions such as `Ref(vpc)`;
    the checks that need a literal are then skipped. ARNs may spell partition, region and
    account as `${AWS::Partition}`, `${AWS::Region}` and `${AWS::AccountId}`.
    """

    vpc_id: Any = None
    subnet_id: Any = None
    eni_id: Any = None
    transit_gateway_id: Any = None
    transit_gateway_attachment_id: Any = None
    regional_nat_gateway_id: Any = None
    additional_vpc_ids: Any = None  # more VPCs, a flow log each
    traffic_type: str | None = "REJECT"
    log_destination_type: str = "cloud-watch-logs"
    cloudwatch_log_group_name: Any = None
    cloudwatch_log_retention: int = 731
    cloudwatch_iam_role_name: Any = None
    iam_role_permissions_boundary: Any = None
    use_managed_iam_policies: bool = True
    kms_key_arn: Any = None
    kms_key_users: Any = None
    kms_key_deletion_window_in_days: int | None = None
    kms_key_prefix: str | None = "alias/flow_logs_key_"
    s3_bucket_name: Any = None
    enable_custom_s3_destination: bool = False
    s3_bucket: Any = None
    s3_subfolder: str = ""
    s3_infrequent_access_transition: int = 30
    s3_glacier_transition: int = 180
    s3_expiration_transition: int = 365
    force_destroy_bucket: bool = False
    additional_s3_bucket_policy_statements: Mapping[str, Any] | None = None
    destination_options: Mapping[str, Any] | None = None
    log_format: Any = None  # `${a} ${b}` text, or a list of field names
    tag_field_specifications: Any = None
    max_aggregation_interval: int = 600
    kinesis_firehose_arn: Any = None
    deliver_cross_account_role: Any = None
    custom_tags: Mapping[str, str] = field(default_factory=dict)
    create_resources: bool = True
    # The query layer (compile time only: never Parameters).
    create_athena_table: bool = False
    glue_database_name: str | None = None
    glue_table_name: str = "vpc_flow_logs"
    athena_workgroup_name: str | None = None
    athena_bytes_scanned_cutoff_per_query: int = 10 * GIB
    athena_results_expiration_days: int = 7
    athena_results_expected_bucket_owner: str | None = None
    athena_results_kms_key_arn: str | None = None
    create_logs_insights_queries: bool = False

    # The scalar inputs, for typing --set values.
    SPECS: ClassVar[Mapping[str, Input]] = {**BY_NAME, ADDITIONAL_VPCS.name: ADDITIONAL_VPCS, **QUERY_BY_NAME}

    def __post_init__(self) -> None:
        # Each input on its own first (every bad one reported at once), then how they combine.
        for name, value in self.check_inputs({f.name: getattr(self, f.name) for f in fields(self)}).items():
            object.__setattr__(self, name, value)  # frozen: set once, during validation
        self._check_target()
        self._check_combinations()
        self._check_queries()

    @classmethod
    def check_inputs(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """Each input of `values` checked on its own and normalized; a ConfigError holds every
        problem found."""
        return check_each(_CHECKS, values)

    @classmethod
    def from_mapping(cls, data: Any, problems: Iterable[Problem] = ()) -> FlowLogsConfig:
        """Build from a config file's mapping of input names. An unknown name is an error, reported
        with every bad input (and the `problems` already found reading the file)."""
        return from_mapping(cls, data, problems)

    def values(self) -> dict[str, Any]:
        """Every scalar input by name, with `destination_options` spread into its three keys."""
        flat = {spec.name: getattr(self, spec.name, None) for spec in INPUTS}
        options = self.destination_options or {}
        for name in DESTINATION_OPTIONS:
            flat[name] = options.get(name, BY_NAME[name].default)
        flat[ADDITIONAL_VPCS.name] = self.additional_vpc_ids or ()
        flat.update({spec.name: getattr(self, spec.name) for spec in QUERY_INPUTS})
        return flat

    @property
    def compile_time_only(self) -> dict[str, Any]:
        """The query inputs that differ from their defaults: a template with Parameters (the
        shipped one, a nested stack, a StackSet) cannot carry them."""
        return {s.name: getattr(self, s.name) for s in QUERY_INPUTS if getattr(self, s.name) != s.default}

    @property
    def resource_type(self) -> str:
        """The flow log's ResourceType: VPC, Subnet, NetworkInterface, TransitGateway, ..."""
        (name,) = (name for name in TARGETS if getattr(self, name) is not None)
        return TARGETS[name]

    @property
    def log_fields(self) -> tuple[str, ...]:
        """The fields each record holds: `log_format`'s, or AWS's default for the target."""
        return flowlog_fields.fields_of(self.log_format, flowlog_fields.RESOURCE_TYPES[self.resource_type])

    @property
    def record_shape(self) -> RecordShape:
        """What the flow log writes to S3 and where: fields, file format, prefixes, target kind."""
        return record_shape(self.values())

    @property
    def record_version(self) -> int | None:
        """The record version the log format implies (None when it is an expression)."""
        if self.log_format is not None and not isinstance(self.log_format, str):
            return None
        return flowlog_fields.record_version(self.log_fields, flowlog_fields.RESOURCE_TYPES[self.resource_type])

    def _check_target(self) -> None:
        """Exactly one target, and EC2's rules for its kind: traffic type, interval, fields."""
        targets = {name: getattr(self, name) for name in TARGETS if getattr(self, name) is not None}
        if len(targets) != 1:
            raise ConfigError("/".join(TARGETS), targets, "exactly one target ID")
        family = flowlog_fields.RESOURCE_TYPES[self.resource_type]
        if family == "transit-gateway":
            if self.traffic_type not in (None, _DEFAULTS["traffic_type"]):
                raise ConfigError(
                    "traffic_type", self.traffic_type, "unset for a transit gateway target (EC2 takes none)"
                )
            if self.max_aggregation_interval != 60:
                raise ConfigError("max_aggregation_interval", self.max_aggregation_interval,
                                  "60 for a transit gateway target (EC2 accepts only 60)")  # fmt: skip
        elif self.traffic_type is None:
            raise ConfigError(
                "traffic_type", None, f"one of {', '.join(TRAFFIC_TYPES)} for a {self.resource_type} target"
            )
        self._check_additional_vpcs(family)
        if not isinstance(self.log_format, str):
            if self.tag_field_specifications and self.log_format is None:
                raise ConfigError("tag_field_specifications", self.tag_field_specifications,
                                  "unset unless log_format names a tag field (instance-tag ...)")  # fmt: skip
            return
        chosen = check_log_format(self.log_format, family)
        tags = sorted(flowlog_fields.TAG_FIELDS.intersection(chosen))
        if tags and not self.tag_field_specifications:
            raise ConfigError("tag_field_specifications", None,
                              f"set when log_format has the tag fields {', '.join(tags)}")  # fmt: skip
        if self.tag_field_specifications and not tags:
            raise ConfigError("tag_field_specifications", self.tag_field_specifications,
                              "unset unless log_format names a tag field (instance-tag ...)")  # fmt: skip

    def _check_additional_vpcs(self, family: str) -> None:
        """More VPCs: a traffic type to log them with, and each VPC once (EC2 refuses a second flow
        log of the same VPC, traffic type and destination: the deploy would fail)."""
        more = self.additional_vpc_ids or ()
        if more and family == "transit-gateway":
            raise ConfigError(ADDITIONAL_VPCS.name, list(more), "unset with a transit gateway target (its flow log "
                              "takes no traffic type; deploy another stack for the VPCs)")  # fmt: skip
        literal = [vpc for vpc in (self.vpc_id, *more) if isinstance(vpc, str)]
        for vpc in sorted({vpc for vpc in literal if literal.count(vpc) > 1}):
            raise ConfigError(ADDITIONAL_VPCS.name, list(more), f"{ADDITIONAL_VPCS.allowed} ({vpc} is twice)")

    def _check_combinations(self) -> None:
        destination = self.log_destination_type
        firehose = destination == "kinesis-data-firehose"
        if self.deliver_cross_account_role is not None and not firehose:
            raise ConfigError(
                "deliver_cross_account_role", self.deliver_cross_account_role, _ACROSS_ACCOUNTS[destination]
            )
        if firehose != (self.kinesis_firehose_arn is not None):
            _required_exactly_with(
                "kinesis_firehose_arn", self.kinesis_firehose_arn, "log_destination_type is kinesis-data-firehose"
            )
        if self.enable_custom_s3_destination and destination != "s3":
            raise ConfigError("enable_custom_s3_destination", True, "false unless log_destination_type is s3")
        if self.enable_custom_s3_destination != (self.s3_bucket is not None):
            _required_exactly_with("s3_bucket", self.s3_bucket, "enable_custom_s3_destination is true")
        changed = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) != f.default}
        for name, destinations in {**dict.fromkeys(_CREATED_BUCKET_ONLY, ("s3",)), **_ONLY_FOR}.items():
            if name in changed and destination not in destinations:
                raise ConfigError(name, changed[name], f"left at its default unless log_destination_type is "
                                  f"{' or '.join(destinations)}")  # fmt: skip
        if self.enable_custom_s3_destination:
            for name in _CREATED_BUCKET_ONLY:
                if name in changed:
                    raise ConfigError(name, changed[name], "left at its default with a custom bucket (it "
                                      "configures the bucket and key the stack creates)")  # fmt: skip
        if self.kms_key_arn is not None:
            for name in ("kms_key_users", "kms_key_deletion_window_in_days"):
                if getattr(self, name) is not None:
                    raise ConfigError(
                        name, getattr(self, name), "unset when kms_key_arn is given (it configures the created key)"
                    )

        check_lifecycle(self.s3_infrequent_access_transition, self.s3_glacier_transition, self.s3_expiration_transition)

    def _check_queries(self) -> None:
        """The query layer's inputs: set only with the switch they configure, and a log format
        whose fields are known now (the table's columns and the queries follow them)."""
        if not self.create_athena_table:
            for name in _ATHENA_ONLY:
                if getattr(self, name) != QUERY_BY_NAME[name].default:
                    raise ConfigError(
                        name, getattr(self, name), "left at its default unless create_athena_table is true"
                    )
        if not self.enable_custom_s3_destination:
            for name in _CUSTOM_BUCKET_RESULTS:
                if getattr(self, name) is not None:
                    raise ConfigError(name, getattr(self, name), "unset unless enable_custom_s3_destination is true "
                                      "(the stack's own bucket is this account's, its results encrypted with the "
                                      "stack's key)")  # fmt: skip
        queried = [name for name in ("create_athena_table", "create_logs_insights_queries") if getattr(self, name)]
        if queried and self.log_format is not None and not isinstance(self.log_format, str):
            raise ConfigError("log_format", self.log_format,
                              f"literal text with {queried[0]} (its table and queries follow the fields)")  # fmt: skip


def record_shape(values: Mapping[str, Any]) -> RecordShape:
    """The record shape of a flow log's inputs (`FlowLogsConfig.values()`, or a build context's)."""
    (target,) = (name for name in TARGETS if values.get(name) is not None)
    family = flowlog_fields.RESOURCE_TYPES[TARGETS[target]]
    log_format = values.get("log_format")
    if log_format is not None and not isinstance(log_format, str):
        raise ConfigError("log_format", log_format, "literal text (the records' fields follow from it)")
    return RecordShape(
        fields=flowlog_fields.fields_of(log_format, family),
        parquet=values.get("file_format") == "parquet",
        hive=bool(values.get("hive_compatible_partitions")),
        per_hour=bool(values.get("per_hour_partition")),
        subfolder=values.get("s3_subfolder") or "",
        transit_gateway=family == "transit-gateway",
    )


def normalize_log_format(value: Any) -> Any:
    """`log_format` as text: a list of field names becomes `${a} ${b}` (an empty list: unset)."""
    if isinstance(value, (list, tuple)):
        names = check_str_list("log_format", value)
        return flowlog_fields.log_format(names) if names else None
    return value


def check_log_format(text: str, family: flowlog_fields.Family | None = None) -> tuple[str, ...]:
    """The fields of `log_format` text, or a ConfigError saying what is wrong with it."""
    try:
        return flowlog_fields.parse_log_format(text, family)
    except ValueError as error:
        raise ConfigError("log_format", text, f"flow log fields as ${{field}} tokens ({error})") from None


_Config = TypeVar("_Config")


def from_mapping(cls: type[_Config], data: Any, problems: Iterable[Problem] = ()) -> _Config:
    """A config dataclass built from a mapping of input names. When a name is unknown (or
    `problems` were found already), every input is still checked on its own and all problems are
    raised together; how inputs combine is judged only when each is known and good (a misspelt
    target would otherwise also read as no target at all)."""
    found = Problems(problems)
    data = check_mapping("config", data)
    with found.gather():
        known_inputs(cls, data)
    names = _field_names(cls)
    known = {key: value for key, value in data.items() if key in names}
    if found:
        with found.gather():
            cls.check_inputs(known)  # type: ignore[attr-defined]
        found.raise_any()
    return cls(**known)


def check_each(checks: Mapping[str, Callable[[Any], Any]], values: Mapping[str, Any]) -> dict[str, Any]:
    """Each value through the check of its name (which returns it normalized); every problem
    found raised at once."""
    problems = Problems()
    checked: dict[str, Any] = {}
    for name, value in values.items():
        with problems.gather():
            checked[name] = checks[name](value)
    problems.raise_any()
    return checked


def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


def known_inputs(cls: type, data: Any, source: str = "config") -> dict[str, Any]:
    """A config file's mapping (or `--set`'s one name), every key an input of `cls` (a config
    dataclass). Each unknown key is a problem naming the closest inputs, or where the inputs are
    listed."""
    data = check_mapping(source, data)
    names = _field_names(cls)
    unknown = [key for key in data if key not in names]
    known = sorted(names)
    problems = [
        Problem(source, key, "a known input " + _suggestion(key, data[key], known, cls, source))
        for key in unknown[:MAX_UNKNOWN]
    ]
    if len(unknown) > MAX_UNKNOWN:
        more = Written(f"{len(unknown) - MAX_UNKNOWN} more unknown keys")
        problems.append(Problem(source, more, f"known inputs (the first {MAX_UNKNOWN} are listed)"))
    if problems:
        raise ConfigError.of(problems)
    return dict(data)


def _suggestion(key: str, value: Any, known: list[str], cls: type, source: str) -> str:
    """`(did you mean a, b or c?)`: up to three close names, case aside; else where they are
    listed. A key of destination_options given at the top says where it goes."""
    import difflib  # only for a misspelled input

    if key in DESTINATION_OPTIONS and "destination_options" in known:
        if source == "--set":
            return f"(it goes inside destination_options: --set 'destination_options={{{key}: {value}}}')"
        return f"(it goes inside destination_options: destination_options: {{{key}: {show(value)}}})"
    by_lower = {name.lower(): name for name in known}
    close = [by_lower[match] for match in difflib.get_close_matches(key.lower(), by_lower, n=3)]
    if not close and len(key) >= 3:  # a part of the name: tags -> custom_tags
        close = [name for lower, name in by_lower.items() if key.lower() in lower][:3]
    if close:
        either = close[0] if len(close) == 1 else ", ".join(close[:-1]) + " or " + close[-1]
        return f"(did you mean {either}?)"
    if cls is FlowLogsConfig:
        return "(docs/reference/inputs.md lists them)"
    return "(one of " + ", ".join(known) + ")"


def check_lifecycle(infrequent_access: int, glacier: int, expiration: int) -> None:
    """S3's order: Glacier at least 30 days after Standard-IA, expiration after Glacier."""
    if glacier < infrequent_access + 30:
        allowed = f"at least 30 days after s3_infrequent_access_transition ({infrequent_access + 30} or more)"
        raise ConfigError("s3_glacier_transition", glacier, allowed)
    if expiration <= glacier:
        raise ConfigError("s3_expiration_transition", expiration, f"after s3_glacier_transition (more than {glacier})")


def _required_exactly_with(name: str, value: Any, when: str) -> None:
    raise ConfigError(name, value, f"set exactly when {when}")


def check_input(spec: Input, value: Any, name: str | None = None) -> Any:
    """Check one scalar input against its spec; return it normalized (lists become tuples)."""
    if value is spec.default or (type(value) is type(spec.default) and value == spec.default):
        return value  # the module's own default is always allowed (s3_subfolder's "" too)
    if value is None and spec.nullable:
        return None
    name = name or spec.name
    if spec.kind == "bool":
        return check_bool(name, value)
    if spec.kind == "int":
        if spec.choices:
            check_int(name, value)
            return check_choice(name, value, spec.choices)
        return check_int(name, value, spec.low, spec.high)
    if spec.kind == "list":
        items = check_str_list(name, value)
        for item in items:
            _check_text(spec, name, item)
        return items
    if spec.choices:
        return check_choice(name, value, spec.choices)
    if value is None or value == "":  # unset, as an empty Parameter is: kms_key_prefix "" is no alias
        return None
    return _check_text(spec, name, value)


def _check_text(spec: Input, name: str, value: Any) -> Any:
    if is_expression(value):
        return value
    check_str(name, value, spec.pseudo_pattern or spec.pattern, spec.allowed)
    if spec.name == "s3_bucket_name":
        check_bucket_name(name, value)
    if spec.name == "s3_bucket":
        check_bucket_name(name, value.rpartition(":::")[2])
    return value


TAG_RESOURCE_TYPES: Final = ("auto-scaling-group", "instance", "network-interface")


def _check_tag_field_specifications(specs: Any) -> tuple[dict[str, Any], ...] | None:
    """1-3 of {resource_type, tag_keys (1-2 keys)}: the tags the v11 tag fields record."""
    name = "tag_field_specifications"
    if specs is None:
        return None
    if isinstance(specs, (str, bytes, Mapping)) or not isinstance(specs, (list, tuple)) or not 1 <= len(specs) <= 3:
        raise ConfigError(name, specs, "a list of 1-3 {resource_type, tag_keys}")
    checked = []
    for i, spec in enumerate(specs):
        where = f"{name}[{i}]"
        spec = check_mapping(where, spec)
        if set(spec) != {"resource_type", "tag_keys"}:
            raise ConfigError(where, sorted(spec), "exactly the keys resource_type, tag_keys")
        check_choice(f"{where}.resource_type", spec["resource_type"], TAG_RESOURCE_TYPES)
        keys = check_str_list(f"{where}.tag_keys", spec["tag_keys"])
        if not 1 <= len(keys) <= 2 or any(not 1 <= len(k) <= 128 or "${" in k for k in keys):
            raise ConfigError(f"{where}.tag_keys", spec["tag_keys"], "1-2 tag keys of 1-128 characters")
        checked.append({"resource_type": spec["resource_type"], "tag_keys": list(keys)})
    if len({s["resource_type"] for s in checked}) != len(checked):
        raise ConfigError(name, specs, "each resource_type at most once")
    return tuple(checked)


def _check_destination_options(options: Any) -> Mapping[str, Any] | None:
    if options is None:
        return None
    options = check_mapping("destination_options", options)
    problems = Problems()
    for key, value in options.items():
        with problems.gather():
            if key not in DESTINATION_OPTIONS:
                raise ConfigError(f"destination_options.{key}", value, "a key among " + ", ".join(DESTINATION_OPTIONS))
            check_input(BY_NAME[key], value, f"destination_options.{key}")
    problems.raise_any()
    return dict(options)


def check_tags(tags: Any) -> dict[str, str]:
    """custom_tags within AWS's limits (50 with the stack's mark, key 1-128, value up to 256, no aws:
    prefix) and none of cfn-flowlogs' own marks."""
    tags = check_mapping("custom_tags", tags)
    if len(tags) > MAX_TAGS:
        raise ConfigError("custom_tags", f"{len(tags)} tags", f"at most {MAX_TAGS} tags (AWS allows 50 on a "
                          f"resource, and each flow log carries {STACK_MARK})")  # fmt: skip
    for key, value in tags.items():
        if (
            not 1 <= len(key) <= 128
            or key.lower().startswith(("aws:", RESERVED_PREFIX))
            or not re.fullmatch(_TAG_CHARS, key)
        ):
            raise ConfigError("custom_tags", key, "tag keys of 1-128 letters, digits, spaces and _.:/=+-@, not "
                              f"starting with aws: or {RESERVED_PREFIX} (the marks of who made it)")  # fmt: skip
        if not isinstance(value, str) or len(value) > 256 or not re.fullmatch(_TAG_CHARS, value):
            raise ConfigError(f"custom_tags.{key}", value, "a string of up to 256 letters, digits, spaces and _.:/=+-@")
    return copy.deepcopy(dict(tags))


def _literal(spec: Input) -> Callable[[Any], Any]:
    """A query input's check: literal (the query layer is decided at compile time), then its spec."""

    def check(value: Any) -> Any:
        if is_expression(value):
            raise ConfigError(spec.name, value, "a literal value (the query layer is decided at compile time)")
        return check_input(spec, value)

    return check


def _spec(spec: Input) -> Callable[[Any], Any]:
    return lambda value: check_input(spec, value)


# Each input's check on its own: name -> the function that returns the value normalized.
_CHECKS: Final[dict[str, Callable[[Any], Any]]] = {
    **{spec.name: _spec(spec) for spec in INPUTS if spec.name not in DESTINATION_OPTIONS},
    "log_format": lambda value: check_input(BY_NAME["log_format"], normalize_log_format(value)),
    ADDITIONAL_VPCS.name: lambda value: check_input(ADDITIONAL_VPCS, value) or None,
    "destination_options": lambda value: _check_destination_options(value),
    "custom_tags": lambda value: check_tags(value),
    "additional_s3_bucket_policy_statements": lambda value: statements.check(value),
    "tag_field_specifications": lambda value: _check_tag_field_specifications(value),
    **{spec.name: _literal(spec) for spec in QUERY_INPUTS},
}
