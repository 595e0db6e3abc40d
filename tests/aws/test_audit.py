"""`cfn-flowlogs audit` on the local endpoint: an organization of member accounts reached through
`sts assume-role`, two regions, VPCs with every kind of flow log (and none), the JSON, table and
CSV reports, the exit codes, `--accounts` and `--organizational-units` scoping, and the plan it
writes, rolled out with `cfn-flowlogs rollout` and its `rollout.sh` as written: the plan enrols,
so it names no VPC and has no wave; each stack instance's function (run here, in this process, as
moto runs no Lambda: tests/aws/enrolling.py) gives every VPC of its account-region the flow log.

moto does not enforce sts:AssumeRole ("the role does not need to exist", moto/sts/models.py), so
a role that cannot be assumed is simulated at the boto3 boundary: a botocore event hook on the
audit's own session raises AccessDenied for AssumeRole into chosen accounts, as STS would. A
region throttled past every retry is simulated the same way (the hook raises the error retries
would end with). moto does report a failing flow log: a CloudWatch Logs flow log to a log group
that does not exist has DeliverLogsStatus FAILED, "Access error".
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from cfn_flowlogs.audit.rollout import load_plan
from cfn_flowlogs.config.marks import TELEMETRY_MARK

from .accounts import Organization, organization
from .auditing import R1, R2, Audit, Member, denying
from .endpoint import ACCOUNT, BIN, Aws
from .endpoint import run_program as run
from .enrolling import sweep

ARCHIVE = "cfn-flowlogs-audit-archive"
ARCHIVE_ARN = f"arn:aws:s3:::{ARCHIVE}"


@dataclass(frozen=True)
class Estate:
    org: Organization
    audit_unit: str  # holds `a`, and `team` (which holds `b`)
    team_unit: str
    rollout_unit: str  # holds `d`
    accounts: dict[str, str]  # a, b, c, d, e -> ID (`c` and `e` under the root)
    vpcs: dict[str, str]  # "<account><1|2>-<name>" -> VPC ID (1: us-east-1, 2: eu-west-1)
    subnets: int  # subnets of a default VPC in us-east-1, as moto makes it

    def id(self, label: str) -> str:
        return self.accounts[label]


@pytest.fixture(scope="session")
def estate(aws: Aws) -> Estate:
    """Five member accounts of the organization with, in two regions, every kind of flow log:

    a (OU audit): R1 default VPC, VPC flow log ALL to S3 (covered); R1 `a-app`, VPC flow log REJECT
      to CloudWatch Logs (covered; partial when ALL is required); R2 default VPC (missing).
    b (OU audit/audit-team): R1 default VPC, one subnet's flow log (partial); R1 `b-team` (missing);
      R2 default VPC, a VPC flow log to a log group that does not exist (failing).
    c (root): R1 default VPC and `c-one` (both missing); R2 default VPC, an interface's flow log (partial).
    d (OU audit-rollout): R1 default VPC (missing) and `d-app` (covered); R2 default VPC (missing).
    e (root): R1 `e-one` and the default VPC (missing); R2 default VPC, an interface's flow log (partial).
    """
    org = organization(aws)
    orgs = aws.client("organizations")
    root = orgs.list_roots()["Roots"][0]["Id"]

    def unit(parent: str, name: str) -> str:
        return str(orgs.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"])

    audit_unit = unit(root, "audit")
    team_unit = unit(audit_unit, "audit-team")
    rollout_unit = unit(root, "audit-rollout")

    def account(name: str, parent: str) -> str:
        status = orgs.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
        assert status["State"] == "SUCCEEDED", status
        if parent != root:
            orgs.move_account(AccountId=status["AccountId"], SourceParentId=root, DestinationParentId=parent)
        return str(status["AccountId"])

    parents = {"a": audit_unit, "b": team_unit, "c": root, "d": rollout_unit, "e": root}
    ids = {label: account(f"audit-{label}", parent) for label, parent in parents.items()}
    a, b, c, d, e = (Member(aws, ids[label]) for label in "abcde")
    Member(aws, org.log_archive.id).client("s3").create_bucket(Bucket=ARCHIVE)
    vpcs = {f"{m_label}{n}-default": member.default_vpc(region)
            for m_label, member in zip("abcde", (a, b, c, d, e), strict=True)
            for n, region in ((1, R1), (2, R2))}  # fmt: skip

    a.client("s3").create_bucket(Bucket="cfn-flowlogs-audit-a-logs")
    a.flow_log(R1, "VPC", vpcs["a1-default"], "ALL", bucket="cfn-flowlogs-audit-a-logs")
    vpcs["a1-app"] = a.vpc(R1, "a-app", "10.1.0.0/16")
    a.flow_log(R1, "VPC", vpcs["a1-app"], "REJECT", log_group="audit-a-app")

    b.flow_log(R1, "Subnet", b.default_subnet(R1), "ALL", log_group="audit-b-subnet")
    vpcs["b1-team"] = b.vpc(R1, "b-team", "10.2.0.0/16")
    b.flow_log(R2, "VPC", vpcs["b2-default"], "ALL", log_group="audit-b-gone", create_group=False)

    vpcs["c1-one"] = c.vpc(R1, "c-one", "10.3.0.0/16")
    eni = c.client("ec2", R2).create_network_interface(SubnetId=c.default_subnet(R2))["NetworkInterface"]
    c.client("s3").create_bucket(Bucket="cfn-flowlogs-audit-c-logs")
    c.flow_log(R2, "NetworkInterface", eni["NetworkInterfaceId"], "ACCEPT", bucket="cfn-flowlogs-audit-c-logs")

    vpcs["d1-app"] = d.vpc(R1, "d-app", "10.4.0.0/16")
    d.flow_log(R1, "VPC", vpcs["d1-app"], "ALL", log_group="audit-d-app")

    vpcs["e1-one"] = e.vpc(R1, "e-one", "10.5.0.0/16")
    eni = e.client("ec2", R2).create_network_interface(SubnetId=e.default_subnet(R2))["NetworkInterface"]
    e.flow_log(R2, "NetworkInterface", eni["NetworkInterfaceId"], "ALL", log_group="audit-e-eni")

    subnets = len(b.client("ec2", R1).describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpcs["b1-default"]]}])["Subnets"])  # fmt: skip
    return Estate(org, audit_unit, team_unit, rollout_unit, ids, vpcs, subnets)


def by_label(estate: Estate, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    labels = {vpc: label for label, vpc in estate.vpcs.items()}
    return {labels[row["vpc_id"]]: row for row in rows if row["vpc_id"] in labels}


def test_json_report_row_by_row(estate: Estate, audit: Audit):
    # GIVEN accounts a, b and c in two regions
    # WHEN they are audited as JSON
    done = audit("--accounts", ",".join(estate.id(x) for x in "abc"), "--regions", f"{R1},{R2}", "--format", "json")
    # THEN exit 1 (not everything is covered), and one row per VPC, sorted, with its status
    assert done.code == 1, done.err
    rows = done.rows()
    assert [(r["account_id"], r["region"], r["vpc_id"]) for r in rows] == sorted(
        (r["account_id"], r["region"], r["vpc_id"]) for r in rows
    )
    found = by_label(estate, rows)
    assert len(found) == len(rows) == 9
    expected = {
        "a1-default": ("covered", None, True), "a1-app": ("covered", "a-app", False),
        "a2-default": ("missing", None, True),
        "b1-default": ("partial", None, True), "b1-team": ("missing", "b-team", False),
        "b2-default": ("failing", None, True),
        "c1-default": ("missing", None, True), "c1-one": ("missing", "c-one", False),
        "c2-default": ("partial", None, True),
    }  # fmt: skip
    assert {label: (r["status"], r["name"], r["is_default"]) for label, r in found.items()} == expected
    for label, row in found.items():
        account = estate.id(label[0])
        assert (row["account_id"], row["region"]) == (account, R1 if label[1] == "1" else R2)
    # AND each row holds its flow logs as EC2 reports them
    (s3_log,) = found["a1-default"]["flow_logs"]
    assert s3_log["resource_type"] == "VPC" and s3_log["resource_id"] == estate.vpcs["a1-default"]
    assert (s3_log["traffic_type"], s3_log["log_destination_type"]) == ("ALL", "s3")
    assert s3_log["log_destination"] == "arn:aws:s3:::cfn-flowlogs-audit-a-logs"
    assert s3_log["deliver_logs_status"] == "SUCCESS" and s3_log["flow_log_id"].startswith("fl-")
    assert s3_log["log_format"].startswith("${version} ${account-id}")
    (reject,) = found["a1-app"]["flow_logs"]
    assert (reject["traffic_type"], reject["log_destination_type"]) == ("REJECT", "cloud-watch-logs")
    (subnet_log,) = found["b1-default"]["flow_logs"]
    assert subnet_log["resource_type"] == "Subnet"
    assert found["b1-default"]["reason"] == f"no VPC flow log; flow logs only on 1 of {estate.subnets} subnets"
    (failed,) = found["b2-default"]["flow_logs"]
    assert (failed["deliver_logs_status"], failed["deliver_logs_error_message"]) == ("FAILED", "Access error")
    assert "failing: Access error" in found["b2-default"]["reason"]
    (interface_log,) = found["c2-default"]["flow_logs"]
    assert interface_log["resource_type"] == "NetworkInterface" and interface_log["resource_id"].startswith("eni-")
    assert found["c1-one"]["flow_logs"] == [] and found["c1-one"]["reason"].startswith("no flow log")
    # AND stderr, not a terminal here, ends with the one-line summary
    assert done.err.splitlines()[-1].startswith("cfn-flowlogs: audit: 3 accounts, 6 of 6 account-regions read; 9 VPCs")


def test_required_traffic_type(estate: Estate, audit: Audit):
    # GIVEN account a in R1: its default VPC logs ALL, `a-app` only REJECT
    scope = ("--accounts", estate.id("a"), "--regions", R1, "--format", "json")
    # WHEN ALL is required THEN `a-app` is partial and the exit code 1
    done = audit(*scope, "--require-traffic-type", "ALL")
    found = by_label(estate, done.rows())
    assert done.code == 1
    assert (found["a1-default"]["status"], found["a1-app"]["status"]) == ("covered", "partial")
    assert found["a1-app"]["reason"] == "VPC flow logs capture REJECT; ALL required"
    # AND with REJECT (or any) required, both are covered: exit 0
    assert audit(*scope, "--require-traffic-type", "REJECT").code == 0


def test_table_ends_with_a_summary_line_per_status(estate: Estate, audit: Audit):
    # WHEN account a is audited in both regions as a table
    done = audit("--accounts", estate.id("a"), "--regions", f"{R1},{R2}")
    # THEN one aligned line per VPC, then one summary line per status
    assert done.code == 1
    lines = done.out.splitlines()
    assert lines[0].split() == ["ACCOUNT", "REGION", "VPC", "NAME", "DEFAULT", "STATUS", "LOGS", "V/S/I", "MADE",
                                "BY", "LAST", "DELIVERY", "REASON"]  # fmt: skip
    app = next(line for line in lines if estate.vpcs["a1-app"] in line).split()
    # (moto's VPCs made here have no network interface: idle, so covered without data)
    assert app[:9] == [estate.id("a"), R1, estate.vpcs["a1-app"], "a-app", "no", "covered", "1/0/0", "other", "-"]
    assert [line.split()[:2] for line in lines[-7:]] == [
        ["covered", "2"], ["silent", "0"], ["unverifiable", "0"], ["partial", "0"], ["failing", "0"],
        ["missing", "1"], ["error", "0"],
    ]  # fmt: skip
    assert lines[-8] == ""


def test_csv_has_a_line_per_vpc_and_flow_log(estate: Estate, audit: Audit, tmp_path: Path):
    # WHEN account b is audited in both regions into a .csv file
    out = tmp_path / "audit.csv"
    done = audit("--accounts", estate.id("b"), "--regions", f"{R1},{R2}", "-o", str(out))
    # THEN the file is CSV (from its extension), one line per VPC and flow log, nothing on stdout
    assert done.code == 1 and done.out == ""
    lines = list(csv.DictReader(io.StringIO(out.read_text())))
    found = {(line["vpc_id"], line["flow_log_id"]): line for line in lines}
    assert len(found) == len(lines) == 3
    assert {(line["status"], line["resource_type"], line["deliver_logs_status"]) for line in lines} == {
        ("partial", "Subnet", "SUCCESS"), ("missing", "", ""), ("failing", "VPC", "FAILED")
    }  # fmt: skip
    assert {line["is_default"] for line in lines} == {"true", "false"}


def test_exit_0_when_every_vpc_is_covered(estate: Estate, audit: Audit):
    done = audit("--accounts", estate.id("a"), "--regions", R1, "--format", "json")
    assert done.code == 0, done.err
    assert {row["status"] for row in done.rows()} == {"covered"}


def test_moto_does_not_enforce_assume_role(estate: Estate, audit: Audit):
    # GIVEN a role name that exists in no account WHEN account a is audited through it
    done = audit("--accounts", estate.id("a"), "--regions", R1, "--role-name", "NoSuchRole", "--format", "json")
    # THEN moto lets it be assumed anyway: the refusals below are simulated at the boto3 boundary
    assert done.code == 0 and {row["status"] for row in done.rows()} == {"covered"}


def test_a_role_that_cannot_be_assumed_is_reported_and_exits_3(
    estate: Estate, audit: Audit, monkeypatch: pytest.MonkeyPatch
):
    # GIVEN STS refuses the role in account c
    denying(monkeypatch, roles_in={estate.id("c")})
    # WHEN a (all covered in R1) and c are audited in R1
    done = audit("--accounts", f"{estate.id('a')},{estate.id('c')}", "--regions", R1, "--format", "json")
    # THEN exit 3: c's region is an error row in the report, and a warning on stderr
    assert done.code == 3, done.err
    errors = [row for row in done.rows() if row["status"] == "error"]
    assert [(row["account_id"], row["region"], row["vpc_id"]) for row in errors] == [(estate.id("c"), R1, None)]
    role = f"arn:aws:iam::{estate.id('c')}:role/OrganizationAccountAccessRole"
    assert errors[0]["reason"].startswith(f"cannot assume {role}: AssumeRole: AccessDenied")
    assert f"cfn-flowlogs: warning: not read: {estate.id('c')} {R1}: cannot assume {role}" in done.err
    assert "1 of 2 account-regions read" in done.err
    # AND with a VPC that is missing as well, the exit code is 1 (the error is still reported)
    done = audit("--accounts", f"{estate.id('a')},{estate.id('c')}", "--regions", f"{R1},{R2}", "--format", "json")
    assert done.code == 1
    assert [(r["account_id"], r["region"]) for r in done.rows() if r["status"] == "error"] == [
        (estate.id("c"), R2), (estate.id("c"), R1)
    ]  # fmt: skip


def test_a_throttled_region_is_reported_and_exits_3(estate: Estate, audit: Audit, monkeypatch: pytest.MonkeyPatch):
    # GIVEN EC2 in R2 is still throttling when retries run out
    denying(monkeypatch, roles_in=set(), throttle=R2)
    # WHEN account a is audited in both regions
    done = audit("--accounts", estate.id("a"), "--regions", f"{R1},{R2}")
    # THEN R1 is read (covered), R2 is an error line of the table: exit 3
    assert done.code == 3, done.err
    (error,) = [line for line in done.out.splitlines() if " error " in line]
    assert error.split()[:2] == [estate.id("a"), R2]
    assert "DescribeVpcs: RequestLimitExceeded: Request limit exceeded. (still throttled after 10 attempts)" in error
    assert done.out.splitlines()[-1].split()[:2] == ["error", "1"]


def test_the_callers_account_is_read_with_its_own_credentials(
    estate: Estate, audit: Audit, monkeypatch: pytest.MonkeyPatch
):
    # GIVEN STS refuses every AssumeRole
    denying(monkeypatch)
    # WHEN the caller's own account and account a are audited
    done = audit("--accounts", f"{ACCOUNT},{estate.id('a')}", "--regions", R1, "--format", "json")
    rows = done.rows()
    # THEN the caller's account is read (no role assumed), account a is not
    assert {row["status"] for row in rows if row["account_id"] == ACCOUNT} - {"error"}
    assert [row["status"] for row in rows if row["account_id"] == estate.id("a")] == ["error"]


def test_organizational_units_are_read_recursively(estate: Estate, audit: Audit):
    # WHEN the OU `audit` is audited (a is in it, b in its child OU), in the caller's region
    done = audit("--organizational-units", estate.audit_unit, "--format", "json")
    # THEN exactly a's and b's VPCs in R1
    rows = done.rows()
    assert {(row["account_id"], row["region"]) for row in rows} == {(estate.id("a"), R1), (estate.id("b"), R1)}
    assert set(by_label(estate, rows)) == {"a1-default", "a1-app", "b1-default", "b1-team"}
    # AND the child OU alone holds b only
    done = audit("--organizational-units", estate.team_unit, "--format", "json")
    assert {row["account_id"] for row in done.rows()} == {estate.id("b")}


def test_an_unknown_organizational_unit_is_bad_input(estate: Estate, audit: Audit):
    done = audit("--organizational-units", "ou-zzzz-zzzzzzzz")
    assert done.code == 2 and done.out == ""
    assert done.err == "cfn-flowlogs: error: organizational_units must be OUs (or the root) of the organization, " \
        'got "ou-zzzz-zzzzzzzz"\n'  # fmt: skip


def test_default_scope_is_every_active_account_of_the_organization(estate: Estate, audit: Audit, aws: Aws):
    # GIVEN the organization's ACTIVE accounts
    pages = aws.client("organizations").get_paginator("list_accounts").paginate()
    accounts = {a["Id"] for page in pages for a in page["Accounts"] if a["State"] == "ACTIVE"}
    assert {ACCOUNT, *estate.accounts.values()} <= accounts
    # WHEN the audit is given no accounts or OUs
    done = audit("--format", "json")
    # THEN every one of them is read, in the caller's region (each has at least its default VPC)
    assert {row["account_id"] for row in done.rows() if row["status"] != "error"} == accounts
    assert {row["region"] for row in done.rows()} == {R1}
    assert done.code == 1


def audit_process(aws: Aws, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed `cfn-flowlogs audit` in its own process, as a user runs it."""
    env = {**aws.env, "PATH": f"{BIN}:{aws.env['PATH']}"}
    argv = [str(BIN / "cfn-flowlogs"), "audit", *args]
    return subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True, check=False)


def roll_out(aws: Aws, workdir: Path, plan: str, into: str) -> None:
    """`cfn-flowlogs rollout PLAN -o INTO`, then `INTO/rollout.sh` as written."""
    run([str(BIN / "cfn-flowlogs"), "rollout", plan, "-o", into], aws, workdir)
    run(["bash", f"{into}/rollout.sh"], aws, workdir)


def enrolment_flow_logs(rows: list[dict[str, Any]], stack_set: str) -> dict[str, dict[str, Any]]:
    """VPC ID -> its one VPC flow log that the enrolment of `stack_set` made, as the audit reports it:
    made by a stack instance's stack, named StackSet-<name>-<ID> (by moto, for a service-managed
    StackSet, <name>)."""
    found = {}
    for row in rows:
        made = [log for log in row["flow_logs"] if log["made_by"] == "enrolment"]
        if made:
            (found[row["vpc_id"]],) = made
            assert re.fullmatch(f"(StackSet-)?{stack_set}(-[0-9a-f-]+)?", made[0]["made_by_detail"]), made
    return found


def test_plan_for_an_ou_rolled_out_covers_its_missing_vpcs(estate: Estate, audit: Audit, aws: Aws, tmp_path: Path):
    # GIVEN the OU `audit-rollout`, holding d: R1 default VPC missing (`d-app` covered), R2 default missing
    d = estate.id("d")
    # WHEN the audit writes a plan for it
    scope = ("--organizational-units", estate.rollout_unit, "--regions", f"{R1},{R2}")
    options = ("--archive-bucket-arn", ARCHIVE_ARN, "--set", "traffic_type=ALL", "--stack-set-name", "audit-ou")
    wrote = audit_process(aws, tmp_path, *scope, "--write-plan", "plan.yaml", *options)
    # THEN it exits 1 and the plan targets the OU (service-managed) and its regions, and enrols: no VPC named
    assert wrote.returncode == 1, wrote.stderr
    assert "cfn-flowlogs: wrote plan.yaml (" in wrote.stderr
    assert (
        "cfn-flowlogs: audit: plan.yaml: the enrolment covers every VPC; 2 not covered now, each listed at its end\n"
        in wrote.stderr
    )
    text = (tmp_path / "plan.yaml").read_text()
    assert yaml.safe_load(text) == {
        "stack_set_name": "audit-ou",
        "archive_bucket_arn": ARCHIVE_ARN,
        "organizational_units": [estate.rollout_unit],
        "regions": [R2, R1],
        "enrolment": True,
        "inputs": {"traffic_type": "ALL"},
        "overrides": {},
    }
    # AND its comments list the VPCs not covered now, by account and region
    listed = text.split("# Not covered now: missing or partial")[1].splitlines()[1:3]
    assert listed == [f"#   {d} {R2} {estate.vpcs['d2-default']} (default VPC): missing",
                      f"#   {d} {R1} {estate.vpcs['d1-default']} (default VPC): missing"]  # fmt: skip
    assert load_plan(tmp_path / "plan.yaml").enrolment  # `cfn-flowlogs rollout` reads it
    # AND the plan is never overwritten without --force
    again = audit_process(aws, tmp_path, *scope, "--write-plan", "plan.yaml", *options)
    assert again.returncode == 2 and "plan.yaml: exists (give --force to overwrite it)" in again.stderr
    # WHEN the rollout is written and run as written, and each region's function sweeps
    roll_out(aws, tmp_path, "plan.yaml", "rollout")
    member = Member(aws, d)
    for region in (R1, R2):
        sweep(aws, lambda service, region=region: member.client(service, region), "audit-ou")
    # THEN every previously missing VPC has the enrolment's flow log to the archive, and d's audit exits 0
    done = audit("--accounts", d, "--regions", f"{R1},{R2}", "--format", "json")
    assert done.code == 0, done.out
    found = by_label(estate, done.rows())
    made = enrolment_flow_logs(done.rows(), "audit-ou")
    assert set(made) == {estate.vpcs[label] for label in ("d1-default", "d2-default", "d1-app")}
    for log in made.values():
        assert (log["resource_type"], log["traffic_type"], log["log_destination_type"]) == ("VPC", "ALL", "s3")
        assert log["log_destination"].startswith(ARCHIVE_ARN)
    # AND `d-app`'s own flow log, someone else's with other settings, is left as it was, beside the enrolment's
    assert [log["made_by"] for log in found["d1-app"]["flow_logs"]].count("other") == 1
    assert found["d1-app"]["makers"] in ("enrolment+other", "other+enrolment")
    # AND each VPC says what the enrolment's status says: here (moto has no trail) that nothing records CreateVpc
    lost = "problem: no logging trail records this Region's write management events: CreateVpc events are lost"
    assert {row["enrolment"] for row in done.rows()} == {f"{lost} ({log['made_by_detail']})" for log in made.values()}


def test_one_rollout_covers_an_account_region_with_two_missing_vpcs(
    estate: Estate, audit: Audit, aws: Aws, tmp_path: Path
):
    # GIVEN account e: R1 `e-one` and the default VPC missing, R2 the default VPC partial (an interface's log)
    e = estate.id("e")
    scope = ("--accounts", e, "--regions", f"{R1},{R2}", "--archive-bucket-arn", ARCHIVE_ARN,
             "--set", "traffic_type=ALL")  # fmt: skip
    # WHEN the audit writes a plan
    wrote = audit_process(aws, tmp_path, *scope, "--write-plan", "plan.yaml", "--stack-set-name", "audit-e")
    # THEN a self-managed plan for e that enrols; all three VPCs listed as not covered now
    assert wrote.returncode == 1, wrote.stderr
    assert (
        "cfn-flowlogs: audit: plan.yaml: the enrolment covers every VPC; 3 not covered now, each listed at its end\n"
        in wrote.stderr
    )
    text = (tmp_path / "plan.yaml").read_text()
    plan = yaml.safe_load(text)
    assert (plan["accounts"], plan["regions"], plan["enrolment"], plan["overrides"]) == ([e], [R2, R1], True, {})
    assert f"#   {e} {R2} {estate.vpcs['e2-default']} (default VPC): partial" in text
    # WHEN it is rolled out once and each region's function sweeps
    roll_out(aws, tmp_path, "plan.yaml", "rollout")
    member = Member(aws, e)
    for region in (R1, R2):
        sweep(aws, lambda service, region=region: member.client(service, region), "audit-e")
    # THEN every VPC of e is covered: exit 0, each by the enrolment's VPC flow log of ALL traffic to the archive
    done = audit("--accounts", e, "--regions", f"{R1},{R2}", "--format", "json")
    assert done.code == 0, done.out
    made = enrolment_flow_logs(done.rows(), "audit-e")
    assert set(made) == {estate.vpcs[label] for label in ("e1-one", "e1-default", "e2-default")}
    for log in made.values():
        assert (log["traffic_type"], log["log_destination"]) == ("ALL", ARCHIVE_ARN)
    # AND the partial VPC's interface log is still there, someone else's
    (row,) = [row for row in done.rows() if row["vpc_id"] == estate.vpcs["e2-default"]]
    assert row["makers"] == "enrolment+other"


def test_more_vpcs_than_an_instance_has_slots_take_one_plan(estate: Estate, audit: Audit, aws: Aws, tmp_path: Path):
    # GIVEN an account of its own whose R1 holds ten VPCs and the default VPC, none logged: one
    # more than a stack instance's slots (its target and nine), and a VPC whose flow log a telemetry
    # rule made (by its tag)
    status = aws.client("organizations").create_account(Email="audit-many@example.com", AccountName="audit-many")
    member = Member(aws, status["CreateAccountStatus"]["AccountId"])
    named = sorted(member.vpc(R1, f"many-{n}", f"10.{100 + n}.0.0/16") for n in range(10))
    default = member.default_vpc(R1)
    ruled = member.vpc(R1, "ruled", "10.99.0.0/16")
    member.client("s3").create_bucket(Bucket="cfn-flowlogs-audit-ruled")
    ruled_log = member.flow_log(R1, "VPC", ruled, "ALL", bucket="cfn-flowlogs-audit-ruled")
    member.client("ec2", R1).create_tags(Resources=[ruled_log], Tags=[{"Key": TELEMETRY_MARK, "Value": "true"}])
    scope = ("--accounts", member.id, "--regions", R1, "--archive-bucket-arn", ARCHIVE_ARN)
    # WHEN the audit writes the plan
    wrote = audit_process(aws, tmp_path, *scope, "--write-plan", "plan.yaml", "--stack-set-name", "audit-many")
    # THEN it is one plan, no wave and no VPC named: all eleven are listed as what the enrolment covers
    assert wrote.returncode == 1, wrote.stderr
    text = (tmp_path / "plan.yaml").read_text()
    assert (yaml.safe_load(text)["overrides"], "wave" in text) == ({}, False)
    assert sum(line.startswith(f"#   {member.id} {R1} vpc-") for line in text.splitlines()) == 11
    # WHEN it is rolled out and the function sweeps
    roll_out(aws, tmp_path, "plan.yaml", "rollout")
    result = sweep(aws, member.client, "audit-many")
    # THEN every VPC of the account is covered: exit 0, each by the enrolment's flow log, the ruled one
    # by the telemetry rule's as well, which the enrolment left as it was
    done = audit("--accounts", member.id, "--regions", R1, "--format", "json")
    assert done.code == 0, done.out
    assert set(enrolment_flow_logs(done.rows(), "audit-many")) == {*named, default, ruled}
    (row,) = [row for row in done.rows() if row["vpc_id"] == ruled]
    made = {log["flow_log_id"]: (log["made_by"], log["made_by_detail"]) for log in row["flow_logs"]}
    assert made[ruled_log] == ("telemetry rule", None)
    assert result["results"][ruled].endswith(f" beside {ruled_log} of others")
