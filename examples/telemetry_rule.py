"""A CloudWatch telemetry rule for the whole organization, from the same config as the
cloudwatch-logs example: every VPC of every account gets that flow log, new VPCs included, and
the log groups are copied into a central account. `make template` writes it to
templates/examples/telemetry-rule.yaml; the command line writes the same file:

    cfn-flowlogs telemetry --config examples/cloudwatch-logs.yaml --scope organization \\
        --central-account 111122223333 --central-region eu-west-1 \\
        --central-key-arn 'arn:${AWS::Partition}:kms:eu-west-1:111122223333:key/0123abcd-12ab-34cd-56ef-1234567890ab' \\
        -o telemetry-rule.yaml
"""

from __future__ import annotations

from pathlib import Path

from troposphere import Template

from cfn_flowlogs.config.loading import load_config_file
from cfn_flowlogs.stacks.telemetry import TelemetryOptions, build_telemetry_template, telemetry_config

CONFIG = Path(__file__).with_name("cloudwatch-logs.yaml")
OPTIONS = TelemetryOptions(
    scope="organization",
    central_account="111122223333",
    central_region="eu-west-1",
    central_key_arn="arn:${AWS::Partition}:kms:eu-west-1:111122223333:key/0123abcd-12ab-34cd-56ef-1234567890ab",
)


def build() -> Template:
    return build_telemetry_template(telemetry_config(load_config_file(CONFIG)), OPTIONS)
