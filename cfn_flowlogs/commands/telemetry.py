"""`cfn-flowlogs telemetry`: a CloudWatch telemetry rule template from a flow-log config."""

from __future__ import annotations

import argparse
from typing import Any

from .common import add_config_arguments, add_output_arguments, emit, fail, report, warn

EPILOG = """\
examples:
  cfn-flowlogs telemetry --config examples/cloudwatch-logs.yaml --scope organization -o telemetry.yaml
  cfn-flowlogs telemetry --set traffic_type=ALL --set kms_key_arn=arn:aws:kms:us-east-1:111122223333:key/mrk-... \\
      --scope account --regions eu-west-1 us-west-2 -o telemetry.yaml

The commands CloudFormation cannot run for you (trusted access, telemetry evaluation) are printed
on standard error: run them before deploying the template.
"""


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "telemetry",
        help="write a CloudWatch telemetry rule template: a flow log for every VPC, new ones included",
        description="Write a template holding an AWS::ObservabilityAdmin::OrganizationTelemetryRule (or, for one\n"
        "account, a TelemetryRule) that gives every VPC in scope a flow log to CloudWatch Logs with the\n"
        "config's settings, and optionally an OrganizationCentralizationRule.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_arguments(command)
    command.add_argument("--scope", required=True, choices=("organization", "account"),
                         help="the organization (from its management or delegated administrator account), or "
                         "the deploying account")  # fmt: skip
    command.add_argument("--regions", nargs="+", metavar="REGION", default=[],
                         help="Regions the rule is replicated to besides the one you deploy it in, or `all` "
                         "(needs a multi-Region kms_key_arn)")  # fmt: skip
    command.add_argument("--rule-name", default="vpc-flow-logs", metavar="NAME", help="default: vpc-flow-logs")
    command.add_argument("--log-group-pattern", metavar="PATTERN",
                         help="log group names, with the macros <resourceId> and <accountId> "
                         "(default: cloudwatch_log_group_name, else AWS's /aws/vpc/<vpc-id>)")  # fmt: skip
    command.add_argument(
        "--rule-scope",
        metavar="TEXT",
        help="organization: the OUs or accounts, as AWS writes a rule's Scope (see the guide)",
    )
    command.add_argument(
        "--selection-criteria",
        metavar="TEXT",
        help="which VPCs (by tag), as AWS writes a rule's SelectionCriteria (see the guide)",
    )
    command.add_argument(
        "--central-account",
        metavar="ID",
        help="organization: copy the log groups into this account (OrganizationCentralizationRule)",
    )
    command.add_argument("--central-region", metavar="REGION", help="...in this Region")
    command.add_argument("--central-key-arn", metavar="ARN", help="...encrypted with this key of that account")
    add_output_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..config.loading import read_inputs
    from ..errors import ConfigError
    from ..output.render import to_yaml
    from ..stacks.telemetry import (
        TelemetryOptions,
        build_telemetry_template,
        ignored_inputs,
        prerequisites,
        telemetry_config,
    )

    every = args.regions == ["all"]
    options = TelemetryOptions(
        scope=args.scope,
        regions=() if every else tuple(args.regions),
        all_regions=every,
        rule_name=args.rule_name,
        rule_scope=args.rule_scope,
        selection_criteria=args.selection_criteria,
        log_group_pattern=args.log_group_pattern,
        central_account=args.central_account,
        central_region=args.central_region,
        central_key_arn=args.central_key_arn,
    )
    try:
        inputs = read_inputs(args.config, args.assignments, module=args.module)
    except ConfigError as error:
        fail(error)
    try:
        config = telemetry_config(inputs.values, inputs.all_problems())
        text = to_yaml(build_telemetry_template(config, options))
    except ConfigError as error:
        fail(inputs.locate(error))
    for name in ignored_inputs(config):
        warn(f"{name} is not used: a telemetry rule logs every VPC in its scope")
    emit(args, text)
    report("before deploying, run (CloudFormation cannot):")
    for line in prerequisites(options):
        report(f"  {line}")
    return 0
