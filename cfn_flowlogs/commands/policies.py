"""`cfn-flowlogs policies`: the statements a key or bucket of your own needs, as one JSON document."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .common import add_config_arguments, add_output_arguments, emit, fail

EPILOG = """\
examples:
  cfn-flowlogs policies --config examples/s3-custom-bucket.yaml --account-id 111122223333 --region us-east-1
  cfn-flowlogs policies --set vpc_id=vpc-0123456789abcdef0 \\
      --set kms_key_arn=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab \\
      --account-id 111122223333 --region us-east-1 --stack-name vpc-flow-logs

Pseudo parameters without a value stay ${AWS::...} placeholders, listed under "substitute".
"""


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "policies",
        help="print the statements your own key or bucket needs",
        description="Print, as one JSON document, the key policy and bucket policy statements that a key\n"
        "(kms_key_arn) or a custom bucket (s3_bucket) of your own needs for this config:\n"
        "CloudFormation cannot edit the policy of a key or bucket the stack does not own.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_arguments(command)
    command.add_argument("--account-id", metavar="ID", help="the account that creates the flow log")
    command.add_argument("--region", metavar="REGION", help="the flow log's region, like us-east-1")
    command.add_argument(
        "--partition", metavar="PARTITION", help="aws, aws-cn, aws-us-gov ... (default: the config's ARNs', else aws)"
    )
    command.add_argument("--stack-name", metavar="NAME", help="the stack's name (in the default log group name)")
    add_output_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..config.loading import config_from
    from ..errors import ConfigError
    from ..stacks.requirements import Pseudo, policies_document

    try:
        pseudo = Pseudo(
            partition=args.partition, region=args.region, account_id=args.account_id, stack_name=args.stack_name
        )
        document = policies_document(config_from(args.config, args.assignments, module=args.module), pseudo)
    except ConfigError as error:
        fail(error)
    emit(args, json.dumps(document, indent=2, sort_keys=True) + "\n")
    return 0
