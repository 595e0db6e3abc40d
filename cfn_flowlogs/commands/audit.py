"""`cfn-flowlogs audit`: every VPC of the organization (or of some accounts or OUs), its flow logs
and a status; with `--write-plan`, the StackSet rollout plan for the VPCs that have none.

Exit 0 every VPC covered, 1 a VPC missing, partial or failing, 2 bad input, 3 an account or region
could not be read (and every VPC that could was covered). boto3 is imported only here, in `run`.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from .common import STDOUT, add_config_arguments, add_output_arguments, fail, read_files, say, warn, write

EXTRA = "pip install 'cfn-flowlogs[aws]'"
MAX_CONCURRENCY = 64
_ROLE_NAME = r"[\w+=,.@-]{1,64}"
_OU = r"(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})"
_PLAN_ONLY = ("archive_bucket_arn", "include_partial", "config", "module", "assignments")
EPILOG = """\
examples:
  cfn-flowlogs audit --regions all --format json -o audit.json
  cfn-flowlogs audit --organizational-units ou-ab12-34cd56ef --role-name AWSControlTowerExecution
  cfn-flowlogs audit --accounts 111122223333 --regions us-east-1,eu-west-1 --write-plan plan.yaml \\
    --archive-bucket-arn arn:aws:s3:::example-org-flow-log-archive --set traffic_type=ALL
"""


def add_parser(commands: Any) -> None:
    audit = commands.add_parser(
        "audit",
        help="report the flow logs of every VPC of an organization (read-only); write a rollout plan",
        description="Read every VPC of the organization's accounts (or of --accounts or --organizational-units) "
        "and its flow logs, read-only, and give each a status: covered, partial, failing or missing. "
        "Exit 0 all covered, 1 any not, 2 bad input, 3 an account or region could not be read.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    scope = audit.add_argument_group("scope")
    scope.add_argument(
        "--regions",
        metavar="R1,R2|all",
        help="regions to read, or all (each account's enabled regions); default: the caller's",
    )
    which = scope.add_mutually_exclusive_group()
    which.add_argument("--accounts", metavar="ID,...", help="these accounts (default: every ACTIVE account)")
    which.add_argument(
        "--organizational-units", metavar="OU,...", help="every ACTIVE account in these OUs and the OUs under them"
    )
    scope.add_argument(
        "--role-name",
        default="OrganizationAccountAccessRole",
        help="role assumed in every other account (Control Tower: AWSControlTowerExecution; default: %(default)s)",
    )
    audit.add_argument(
        "--require-traffic-type",
        choices=("any", "ACCEPT", "REJECT", "ALL"),
        default="any",
        help="traffic a VPC flow log must capture for `covered` (default: %(default)s)",
    )
    audit.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default=None,
        help="output format (default: from -o's extension, else table)",
    )
    add_output_arguments(audit, what="file to write the report to (default and -: standard output)", metavar="FILE")
    audit.add_argument(
        "--concurrency",
        type=int,
        default=8,
        metavar="N",
        help=f"accounts and regions read at once, 1 to {MAX_CONCURRENCY} (default: %(default)s)",
    )
    plan = audit.add_argument_group("rollout plan (for `cfn-flowlogs rollout`)")
    plan.add_argument("--write-plan", metavar="FILE", help="write the plan covering every missing VPC")
    plan.add_argument("--archive-bucket-arn", metavar="ARN", help="the central archive's S3BucketArn")
    plan.add_argument(
        "--stack-set-name",
        metavar="NAME",
        default=None,
        help="the StackSet's name (default: org-vpc-flow-logs; another for each wave)",
    )
    plan.add_argument("--include-partial", action="store_true", help="plan the partial VPCs too")
    add_config_arguments(audit)  # the plan's shared inputs (traffic_type, s3_subfolder, ...), as `build` takes them
    audit.set_defaults(run=run)


def parse_options(args: argparse.Namespace) -> tuple[dict[str, Any], Any]:
    """Every argument checked before anything is read: (the request's fields, PlanSettings or None).

    Raises ConfigError naming the option, the value and what is allowed."""
    from ..config.validators import ACCOUNT, REGION
    from ..errors import ConfigError

    regions = _items("--regions", args.regions)
    all_regions = regions == ("all",)
    if not all_regions:
        for region in regions:
            _check("--regions", region, REGION, "region names like us-east-1, or all")
    accounts = _items("--accounts", args.accounts)
    for account in accounts:
        _check("--accounts", account, ACCOUNT, "12-digit account IDs")
    units = _items("--organizational-units", args.organizational_units)
    for unit in units:
        _check("--organizational-units", unit, _OU, "OU IDs (ou-...) or the root ID (r-...)")
    _check("--role-name", args.role_name, _ROLE_NAME, "an IAM role name: 1-64 of letters, digits and +=,.@_-")
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        raise ConfigError("--concurrency", args.concurrency, f"a whole number from 1 to {MAX_CONCURRENCY}")
    request = {"regions": () if all_regions else regions, "all_regions": all_regions, "accounts": accounts,
               "organizational_units": units, "role_name": args.role_name,
               "for_plan": bool(args.write_plan)}  # fmt: skip
    if not args.write_plan:
        given = [name for name in (*_PLAN_ONLY, "stack_set_name") if getattr(args, name, None) not in (None, False, [])]
        if given:
            option = "--" + given[0].replace("_", "-").replace("assignments", "set")
            raise ConfigError(option, getattr(args, given[0]), "given only with --write-plan")
        return request, None
    if not args.archive_bucket_arn:
        raise ConfigError("--archive-bucket-arn", None, "the archive's S3BucketArn (required by --write-plan)")
    if args.output and args.output != STDOUT and _same_file(args.output, args.write_plan):
        raise ConfigError("--write-plan", args.write_plan, "a file other than -o's")
    from ..audit.plan import DEFAULT_STACK_SET_NAME, PlanSettings, check_settings
    from ..config.loading import read_inputs

    inputs = read_inputs(args.config, args.assignments, module=args.module).checked()
    settings = PlanSettings(
        archive_bucket_arn=args.archive_bucket_arn,
        stack_set_name=args.stack_set_name or DEFAULT_STACK_SET_NAME,
        inputs=inputs,
        include_partial=args.include_partial,
        require=args.require_traffic_type,
    )
    check_settings(settings)
    return request, settings


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before anything is read, a report or plan file that could not be written: one
    that exists (without --force, even if the audit would give the same bytes: they are not known
    until it has read everything), a directory, or a file the command reads."""
    from ..output.files import preflight

    preflight([p for p in (args.output, args.write_plan) if p and p != STDOUT], force=args.force,
              inputs=read_files(args))  # fmt: skip


def _items(option: str, text: str | None) -> tuple[str, ...]:
    from ..errors import ConfigError

    if text is None:
        return ()
    items = tuple(dict.fromkeys(item.strip() for item in text.split(",")))
    if not items or "" in items:
        raise ConfigError(option, text, "a comma-separated list without empty items")
    return items


def _check(option: str, value: str, pattern: str, allowed: str) -> None:
    from ..errors import ConfigError

    if re.fullmatch(pattern, value) is None:
        raise ConfigError(option, value, allowed)


def _same_file(a: str, b: str) -> bool:
    return Path(a).resolve() == Path(b).resolve()


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = Path(args.output).suffix.lower() if args.output else ""
    return {".json": "json", ".csv": "csv"}.get(suffix, "table")


def run(args: argparse.Namespace) -> int:
    from ..errors import ConfigError

    try:
        request_fields, settings = parse_options(args)
        check_outputs(args)
    except (ConfigError, OSError) as error:
        fail(error)
    try:
        from ..audit import collect
    except ImportError as error:
        if error.name in ("boto3", "botocore") or (error.name or "").startswith(("boto3.", "botocore.")):
            fail(f"audit needs boto3, which the aws extra installs: {EXTRA}")
        raise
    from ..audit.judge import exit_code, judge, tally
    from ..audit.render import render

    try:
        auditor = collect.Auditor(collect.open_session(), role_name=args.role_name, concurrency=args.concurrency)
        scope = auditor.resolve(collect.Request(**request_fields))
    except collect.AuditError as error:
        print(f"cfn-flowlogs: error: {error}", file=sys.stderr)
        return error.code
    if settings is not None and not settings.archive_bucket_arn.startswith(f"arn:{scope.partition}:"):
        fail(ConfigError("--archive-bucket-arn", settings.archive_bucket_arn,
                         f"a bucket ARN in the caller's partition ({scope.partition})"))  # fmt: skip
    for note in scope.notes:
        warn(note)
    progress = collect.Progress(sys.stderr)
    collected = auditor.collect(scope, progress)
    findings = [judge(vpc, args.require_traffic_type) for vpc in collected.vpcs]
    for lost in collected.unreadable:
        warn(f"not read: {lost.account_id} {lost.region or '(every region)'}: {lost.message}")
    files = {args.output or STDOUT: render(_format(args), findings, collected.unreadable)}
    plan = _plan(settings, scope, collected, findings) if settings is not None else None
    if plan is not None:
        files[args.write_plan] = plan.text()
    write(args, files)
    if plan is not None:
        left = len(plan.left_out)
        say(args, f"audit: {args.write_plan}: {len(plan.planned)} VPC(s) in overrides"
            + (f", {left} left out (listed at its end)" if left else ""))  # fmt: skip
    counts = ", ".join(f"{n} {status}" for status, n in tally(findings).items())
    read = collected.account_regions - len(collected.unreadable)
    print(f"cfn-flowlogs: audit: {len(scope.accounts)} accounts, {read} of {collected.account_regions} "
          f"account-regions read; {len(findings)} VPCs: {counts}; {collected.calls} API calls in "
          f"{collected.seconds:.1f} s", file=sys.stderr)  # fmt: skip
    return exit_code(findings, collected.unreadable)


def _plan(settings: Any, scope: Any, collected: Any, findings: list[Any]) -> Any:
    """The rollout plan for the VPCs the audit found missing."""
    from ..audit.plan import PlanScope, build_plan
    from ..errors import ConfigError

    regions = collected.regions or scope.regions or (scope.home_region,)
    if scope.kind == "organizational_units":
        where = PlanScope(regions, organizational_units=scope.organizational_units,
                          management_account=scope.management_account)  # fmt: skip
    elif scope.kind == "organization" and scope.root_id:
        where = PlanScope(regions, organizational_units=(scope.root_id,), management_account=scope.management_account)
    else:
        if scope.kind == "organization":
            warn("the organization's root could not be read: the plan is self-managed, for its accounts")
        where = PlanScope(regions, accounts=scope.accounts)
    try:
        return build_plan(findings, collected.unreadable, settings, where)
    except ConfigError as error:
        fail(error)
