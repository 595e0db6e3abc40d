"""The template every stack instance of a rollout deploys (templates/vpc-flow-logs-stackset.yaml),
and the one its enrolment's role comes from, once per account (vpc-flow-logs-enrolment-role.yaml).

The same builders as the shipped template, with delivery to a bucket of your own (the archive)
folded in: no key, log group, role or bucket of its own, so no IAM capability. With `EnrolVpcs`
its enrolment gives every VPC of the account and Region the instance's flow log, new ones within
minutes (compiler/resources/enrolment.py); its role is IAM, global, so it comes from a second
StackSet deployed in one Region of each account. Without it, slots log further VPCs of the account
and region: `AdditionalVpcId1..9`, one String Parameter each (Fn::ForEach is out: service-managed
StackSets refuse templates with transforms). Each slot is its own flow log, so clearing one never
touches the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from troposphere import Export, GetAtt, Output, Parameter, Ref, Sub, Template

from ..compiler.template import literal_defaults, parameter_for, parameterized_template
from ..config.flow_logs import FlowLogsConfig
from ..config.inputs import (
    ADDITIONAL_VPC_SLOTS,
    ADDITIONAL_VPCS,
    ENROLMENT_INPUTS,
    ENROLMENT_ROLE_NAME,
    INPUTS,
    PLACEHOLDER_VPC,
    ROLE_NAME_PATTERN,
    TARGETS,
)
from ..errors import ConfigError
from .library import parameter_value, refuse_query_layer

DESCRIPTION: Final = (
    "VPC Flow Logs of every VPC (enrolment), or of up to ten VPCs or another target, to a central bucket, one "
    "stack instance per account and region (cfn-flowlogs)"
)
ROLE_DESCRIPTION: Final = "The role of the VPC Flow Logs enrolment, once per account (cfn-flowlogs)"
STACK_SET_NAME: Final = r"[a-zA-Z][-a-zA-Z0-9]{0,127}"
# Every instance delivers to a bucket of your own: folded in, never Parameters.
FIXED: Final[Mapping[str, Any]] = {"log_destination_type": "s3", "enable_custom_s3_destination": True}
# The inputs that still mean something then, as Parameters: the targets and slots, the flow
# log's own settings, the bucket and its layout. The rest configure what is no longer created.
OPEN: Final = (
    *TARGETS, "traffic_type", "log_format", "max_aggregation_interval", "create_resources",
    "s3_bucket", "s3_subfolder", "file_format", "hive_compatible_partitions", "per_hour_partition",
)  # fmt: skip
SPECS: Final = (*(spec for spec in INPUTS if spec.name in TARGETS), *ADDITIONAL_VPC_SLOTS,
                *(spec for spec in INPUTS if spec.name in OPEN and spec.name not in TARGETS),
                *ENROLMENT_INPUTS)  # fmt: skip
SLOTS: Final = len(ADDITIONAL_VPC_SLOTS)


def build_stackset_template() -> Template:
    """The StackSet template: every input in SPECS a Parameter, delivery to S3Bucket folded in."""
    values = {spec.name: spec.default for spec in SPECS + INPUTS}
    values.update(FIXED, additional_vpc_ids=())
    return parameterized_template(values, SPECS, description=DESCRIPTION)


def build_enrolment_role_template() -> Template:
    """The enrolment's role, for one Region of each account (IAM is global): every Region's
    function of the StackSet names it."""
    template = Template(Description=ROLE_DESCRIPTION)
    name = template.add_parameter(Parameter(
        "StackSetName", Type="String", AllowedPattern=f"^{STACK_SET_NAME}$",
        ConstraintDescription="must be a StackSet name: a letter, then up to 127 letters, digits and hyphens",
        Description="The StackSet whose instances' functions use the role (the rollout's stack_set_name)"))  # fmt: skip
    role_name = template.add_parameter(Parameter(
        "RoleName", Type="String", Default=ENROLMENT_ROLE_NAME, AllowedPattern=f"^{ROLE_NAME_PATTERN}$",
        ConstraintDescription="must be an IAM role name: 1-64 of letters, digits and +=,.@_-",
        Description="The role's name: the StackSet template's EnrolmentRoleName"))  # fmt: skip
    from ..compiler.resources.enrolment import add_enrolment_role

    role = add_enrolment_role(template, Ref(role_name), Ref(name))
    template.add_output(Output("RoleArn", Value=GetAtt(role, "Arn"), Export=Export(Sub("${AWS::StackName}-RoleArn"))))
    return template


def stackset_parameters(
    config: FlowLogsConfig, *, enrol_vpcs: bool = False, enrolment_role_name: str = ENROLMENT_ROLE_NAME
) -> dict[str, Any]:
    """The StackSet template's Parameters for `config`, every one of them (a StackSet overrides
    only Parameters it specifies); additional_vpc_ids fill the slots in order, the rest empty.
    `custom_tags` are the StackSet's own tags (`rollout.sh` passes them), not Parameters. With
    `enrol_vpcs` the enrolment covers every VPC: the config names none."""
    refuse_query_layer(config, "StackSet")
    if config.tag_field_specifications:
        raise ConfigError("tag_field_specifications", config.tag_field_specifications,
                          "unset for the StackSet template (tag fields need a compiled template)")  # fmt: skip
    values = literal_defaults(config.values())
    values.update(enrol_vpcs=enrol_vpcs, enrolment_role_name=enrolment_role_name)
    if config.vpc_id == PLACEHOLDER_VPC:  # settings checked for any VPC: no target
        values["vpc_id"] = None
    named = [v for v in (values["vpc_id"], *(config.additional_vpc_ids or ())) if v is not None]
    if enrol_vpcs and named:
        raise ConfigError("vpc_id/additional_vpc_ids", named, "unset with the enrolment, which logs every VPC of the "
                          "account and region (a target of another kind may stay)")  # fmt: skip
    for name, value in FIXED.items():
        if values[name] != value:
            allowed = f"{parameter_value(value)} (the StackSet template delivers to S3Bucket)"
            raise ConfigError(name, values[name], allowed)
    unused = [spec.name for spec in INPUTS if spec.name not in OPEN and spec.name not in FIXED
              and values[spec.name] != spec.default]  # fmt: skip
    if unused:
        raise ConfigError(unused[0], values[unused[0]], "left at its default for the StackSet template (one of "
                          f"{', '.join(OPEN)} or {ADDITIONAL_VPCS.name})")  # fmt: skip
    more = values[ADDITIONAL_VPCS.name]
    if len(more) > SLOTS:
        raise ConfigError(ADDITIONAL_VPCS.name, list(more), f"at most {SLOTS} VPCs in the StackSet template's slots")
    parameters = {}
    for spec in SPECS:
        if spec in ADDITIONAL_VPC_SLOTS:
            index = ADDITIONAL_VPC_SLOTS.index(spec)
            parameters[spec.parameter] = more[index] if index < len(more) else ""
        else:
            value = values[spec.name]  # null: the Parameter's default, which means unset
            parameters[spec.parameter] = (
                parameter_for(spec, spec.default).Default if value is None else parameter_value(value)
            )
    return parameters


__all__ = ["SLOTS", "SPECS", "build_enrolment_role_template", "build_stackset_template", "stackset_parameters"]
