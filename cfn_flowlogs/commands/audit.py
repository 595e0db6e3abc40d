"""`cfn-flowlogs audit`: every VPC of the organization (or of some accounts or OUs), its flow logs,
their proof of delivery and a status; with `--write-plan`, the StackSet rollout plan that enrols
every VPC (no VPC named, no waves); with `--print-policy`, the audit role's policy.

Exit 0 every VPC covered, 1 a VPC missing, partial or failing (or silent, with
`--require-delivery`), 2 bad input, 3 an account or region could not be read, or nothing was read
at all (or a VPC's delivery could not be proven, with `--require-delivery`). boto3 is imported
only here, in `run`.
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
_DURATION = re.compile(r"([1-9][0-9]{0,5})([mhd])")
_UNITS = {"m": 60, "h": 3600, "d": 86400}
MAX_STALE_AFTER_S = 31 * 86400
_PLAN_ONLY = ("archive_bucket_arn", "config", "module", "assignments")
EPILOG = """\
examples:
  cfn-flowlogs audit --regions all --format json -o audit.json
  cfn-flowlogs audit --organizational-units ou-ab12-34cd56ef --role-name AWSControlTowerExecution
  cfn-flowlogs audit --role-name cfn-flowlogs-audit --stale-after 6h --require-delivery
  cfn-flowlogs audit --print-policy
  cfn-flowlogs audit --accounts 111122223333 --regions us-east-1,eu-west-1 --write-plan plan.yaml \\
    --archive-bucket-arn arn:aws:s3:::example-org-flow-log-archive --set traffic_type=ALL
"""


def add_parser(commands: Any) -> None:
    audit = commands.add_parser(
        "audit",
        help="report the flow logs of every VPC of an organization (read-only); write a rollout plan",
        description="Read every VPC of the organization's accounts (or of --accounts or --organizational-units) "
        "and its flow logs, read-only, prove each flow log's delivery at its destination, and give each VPC a "
        "status: covered, silent, unverifiable, partial, failing or missing. Exit 0 all covered, 1 any not "
        "(silent too with --require-delivery), 2 bad input, 3 an account or region (or, with --require-delivery, "
        "a VPC's delivery) could not be read, or nothing was.",
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
        help="role assumed in every other account: the audit role of templates/flow-logs-audit-role.yaml "
        "(Control Tower: AWSControlTowerExecution; default: %(default)s, an administrator)",
    )
    audit.add_argument(
        "--require-traffic-type",
        choices=("any", "ACCEPT", "REJECT", "ALL"),
        default="any",
        help="traffic a VPC flow log must capture for `covered` (default: %(default)s)",
    )
    audit.add_argument(
        "--stale-after",
        metavar="DURATION",
        default="24h",
        help="how old a flow log's newest data may be and still count as delivering: minutes, hours or days "
        "like 90m, 6h or 2d (default: %(default)s; CloudWatch Logs' lastEventTimestamp may lag by an hour)",
    )
    audit.add_argument(
        "--require-delivery",
        action="store_true",
        help="count a silent VPC as not covered (exit 1) and an unverifiable one as not read (exit 3)",
    )
    audit.add_argument(
        "--print-policy",
        nargs="?",
        const="aws",
        metavar="PARTITION",
        help="print the audit role's IAM policy (for PARTITION, default aws) and read nothing",
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
    plan.add_argument("--write-plan", metavar="FILE", help="write the rollout plan: the enrolment covers every VPC")
    plan.add_argument("--archive-bucket-arn", metavar="ARN", help="the central archive's S3BucketArn")
    plan.add_argument(
        "--stack-set-name",
        metavar="NAME",
        default=None,
        help="the StackSet's name (default: org-vpc-flow-logs)",
    )
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
    stale_after(args.stale_after)
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


def stale_after(text: str) -> Any:
    """`--stale-after` as a timedelta: a whole number of minutes, hours or days, 1m to 31d."""
    import datetime as dt

    from ..errors import ConfigError

    match = _DURATION.fullmatch(text)
    seconds = int(match.group(1)) * _UNITS[match.group(2)] if match else 0
    if not 60 <= seconds <= MAX_STALE_AFTER_S:
        raise ConfigError("--stale-after", text, "a duration from 1m to 31d, like 90m, 6h or 2d")
    return dt.timedelta(seconds=seconds)


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

    if args.print_policy is not None:
        return _print_policy(args)
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
        auditor = collect.Auditor(collect.open_session(), role_name=args.role_name, concurrency=args.concurrency,
                                  stale_after=stale_after(args.stale_after))  # fmt: skip
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
    # A plan of nothing read would look like nothing to do: none is written.
    plan = _plan(settings, scope, collected, findings) if settings is not None and collected.read else None
    if plan is not None:
        files[args.write_plan] = plan.text()
    write(args, files)
    if plan is not None:
        left, more = len(plan.left_out), len(plan.left_out) - len(plan.planned)
        say(args, f"audit: {args.write_plan}: the enrolment covers every VPC; {left} not covered now"
            + (", each listed at its end" if left else "")
            + (f" ({more} need more than the enrolment: see why there)" if more else ""))  # fmt: skip
    tallied = tally(findings)
    counts = ", ".join(f"{n} {status}" for status, n in tallied.items())
    print(f"cfn-flowlogs: audit: {len(scope.accounts)} accounts, {collected.read} of {collected.account_regions} "
          f"account-regions read; {len(findings)} VPCs: {counts}; {collected.calls} API calls in "
          f"{collected.seconds:.1f} s", file=sys.stderr)  # fmt: skip
    if not collected.read:
        what = (f"none of its {collected.account_regions} account-regions could be read (each is listed above)"
                if collected.account_regions else "no region in scope")  # fmt: skip
        print(f"cfn-flowlogs: error: read nothing: {what}" + ("; no plan written" if settings is not None else ""),
              file=sys.stderr)  # fmt: skip
        return collect.EXIT_UNREADABLE
    unproven = {status: tallied[status] for status in ("silent", "unverifiable") if tallied[status]}
    if unproven and not args.require_delivery:
        shown = " and ".join(f"{n} {status}" for status, n in unproven.items())
        warn(f"{shown} VPC(s): flow logs without proof of delivery within {args.stale_after} "
             "(--require-delivery fails on them)")  # fmt: skip
    return exit_code(findings, collected.unreadable, require_delivery=args.require_delivery)


def _print_policy(args: argparse.Namespace) -> int:
    """The audit role's policy, as the audit role template holds it, for one partition."""
    import json

    from ..config.validators import PARTITION
    from ..errors import ConfigError
    from ..stacks.audit_role import printed_policy

    try:
        _check("--print-policy", args.print_policy, PARTITION, "a partition like aws, aws-cn or aws-us-gov")
        check_outputs(args)
    except (ConfigError, OSError) as error:
        fail(error)
    write(args, {args.output or STDOUT: json.dumps(printed_policy(args.print_policy), indent=2) + "\n"})
    return 0


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
