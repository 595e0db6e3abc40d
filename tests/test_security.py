"""Proven safe by tools nobody here wrote (checkov, cfn-lint) and by the project's own checks,
over every shipped template, the specialized matrix and generated configurations."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfn_flowlogs import ArchiveConfig, FlowLogsConfig, build_archive_template, build_template, lint, to_json, to_yaml
from cfn_flowlogs.config.fields import FIELDS, TAG_FIELDS
from cfn_flowlogs.config.inputs import RETENTION_DAYS
from cfn_flowlogs.output.scanners import CHECKOV_SKIPS

from .cfn_eval import created_resources
from .checks import RULES, run_checks
from .compiler.test_equivalence import as_parameters
from .conftest import CHECKOV, ROOT, rendered
from .matrix import ARCHIVES, BUCKET_ARN, EXTRAS, FIREHOSE_ARN, KEY_ARN, TARGETS, matrix


def every_template() -> dict[str, str]:
    """File name -> JSON text: the shipped template, the examples and the whole matrix."""
    texts = {"vpc-flow-logs.json": (ROOT / "templates/vpc-flow-logs.json").read_text(encoding="utf-8")}
    for path in sorted((ROOT / "templates/examples").glob("*.yaml")):
        texts[f"example-{path.name}"] = path.read_text(encoding="utf-8")
    for i, config in enumerate(matrix() + EXTRAS):
        texts[f"matrix-{i:03d}.json"] = to_json(build_template(FlowLogsConfig(**config)))
    for i, archive in enumerate(ARCHIVES):
        texts[f"archive-{i}.json"] = to_json(build_archive_template(ArchiveConfig(**archive)))
    for name in ("flow-logs-archive.json", "flow-logs-audit-role.json", "vpc-flow-logs-stackset.json",
                 "vpc-flow-logs-enrolment-role.json"):  # fmt: skip
        texts[name] = (ROOT / "templates" / name).read_text(encoding="utf-8")
    # the StackSet template as the rollout deploys it, the enrolment on (checkov follows the defaults)
    enrolled = json.loads(texts["vpc-flow-logs-stackset.json"])
    enrolled["Parameters"]["EnrolVpcs"]["Default"] = "true"
    texts["vpc-flow-logs-stackset-enrolled.json"] = json.dumps(enrolled, indent=1)
    return texts


@pytest.fixture(scope="session")
def checkov_report(tmp_path_factory) -> dict:
    """One checkov run (CloudFormation framework) over every template; its JSON report."""
    if not CHECKOV.exists():
        pytest.fail(f"checkov is not installed at {CHECKOV}: run `make test`, which installs it")
    folder = tmp_path_factory.mktemp("scanned")
    for name, text in every_template().items():
        (folder / name).write_text(text, encoding="utf-8")
    run = subprocess.run(
        [str(CHECKOV), "-d", str(folder), "--framework", "cloudformation", "-o", "json", "--compact"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert run.returncode in (0, 1), run.stderr[-2000:]
    return json.loads(run.stdout)


def test_checkov_finds_nothing(checkov_report):
    failed = [
        f"{c['check_id']} {c['resource']} in {Path(c['file_path']).name}"
        for c in checkov_report["results"]["failed_checks"]
    ]
    assert failed == []
    assert checkov_report["summary"]["parsing_errors"] == 0


def test_checkov_really_ran_and_skips_only_what_the_docs_list(checkov_report):
    summary = checkov_report["summary"]
    assert summary["passed"] > 400 and summary["resource_count"] > len(matrix())
    skipped = {c["check_id"] for c in checkov_report["results"]["skipped_checks"]}
    assert skipped == set(CHECKOV_SKIPS)
    listed = (ROOT / "docs/security.md").read_text(encoding="utf-8")
    assert all(f"`{check}`" in listed for check in skipped)


@pytest.mark.parametrize("config", [None, *matrix(), *EXTRAS])
def test_project_checks_pass(config):
    assert run_checks(rendered(FlowLogsConfig(**config) if config else None)) == []


@pytest.mark.parametrize("archive", [None, *ARCHIVES])
def test_project_checks_pass_on_archives(archive):
    template = build_archive_template(ArchiveConfig(**archive) if archive else None)
    assert run_checks(json.loads(to_json(template))) == []


# --- each project rule can fail: good template, one fact broken, the rule says so --------------------


def _break(template, rule_id):
    resources = template["Resources"]
    if rule_id == "FL001":
        del resources["FlowLogsRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
    elif rule_id == "FL002":
        resources["FlowLogsRolePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]["Resource"] = ["*"]
    elif rule_id == "FL003":
        resources["FlowLogsRole"]["Properties"]["PermissionsBoundary"] = "arn:aws:iam::123456789012:policy/B"
    elif rule_id == "FL004":
        del resources["FlowLogsKey"]["UpdateReplacePolicy"]
    elif rule_id == "FL005":
        write = resources["FlowLogsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][1]
        write["Resource"][0]["Fn::Sub"][0] = write["Resource"][0]["Fn::Sub"][0].replace("AWSLogs/", "AWSLogs/x/")
    elif rule_id == "FL006":
        del resources["FlowLog"]["Metadata"]["DependsOn"]["BucketPolicy"]
    return template


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_each_project_rule_catches_its_fact_broken(shipped, rule):
    assert not list(rule.check(shipped))
    broken = _break(copy.deepcopy(shipped), rule.id)
    assert [f.rule for f in rule.check(broken)] == [rule.id], rule.fact


def test_a_lone_trailing_slash_on_the_destination_is_caught():
    # GIVEN an S3 flow log whose destination ends in `/` without a subfolder (risks `//AWSLogs/` keys)
    template = rendered(FlowLogsConfig(vpc_id="vpc-0123456789abcdef0", log_destination_type="s3"))
    template["Resources"]["FlowLog"]["Properties"]["LogDestination"] = {
        "Fn::Sub": ["${Bucket}/", {"Bucket": {"Fn::GetAtt": ["FlowLogsBucket", "Arn"]}}]
    }
    # THEN FL005 says it is not a form AWS writes
    (finding,) = run_checks(template)
    assert finding.startswith("FL005") and "not a form AWS writes" in finding


# --- property-based: valid configurations across the whole option space ------------------------------

VPC_FIELDS = sorted(name for name, f in FIELDS.items() if "vpc" in f.versions and name not in TAG_FIELDS)
TGW_FIELDS = sorted(name for name, f in FIELDS.items() if "transit-gateway" in f.versions)
NAMES = st.from_regex(r"[a-z][a-z0-9-]{2,20}[a-z0-9]", fullmatch=True)
TAG_TEXT = st.from_regex(r"[A-Za-z0-9 _.:/=+@-]{0,20}", fullmatch=True)


@st.composite
def configurations(draw) -> dict:
    target = draw(st.sampled_from(TARGETS))
    transit_gateway = target.get("max_aggregation_interval") == 60
    config = {
        "traffic_type": draw(st.sampled_from(["ACCEPT", "REJECT", "ALL"])),
        "max_aggregation_interval": draw(st.sampled_from([60, 600])),
        "create_resources": draw(st.booleans()),
        "custom_tags": draw(st.dictionaries(NAMES, TAG_TEXT, max_size=3)),
        **target,
    }
    if draw(st.booleans()):
        fields = draw(
            st.lists(
                st.sampled_from(TGW_FIELDS if transit_gateway else VPC_FIELDS), min_size=1, max_size=10, unique=True
            )
        )
        config["log_format"] = fields  # a list of names, which the config also takes
    destination = draw(st.sampled_from(["cloud-watch-logs", "s3", "custom-bucket", "kinesis-data-firehose"]))
    key = draw(st.sampled_from([None, KEY_ARN]))
    if destination == "cloud-watch-logs":
        config.update(
            cloudwatch_log_retention=draw(st.sampled_from(RETENTION_DAYS)),
            use_managed_iam_policies=draw(st.booleans()),
            cloudwatch_log_group_name=draw(st.none() | NAMES.map(lambda n: f"/flows/{n}")),
            cloudwatch_iam_role_name=draw(st.none() | NAMES),
            kms_key_prefix=draw(st.sampled_from([None, "alias/flow_logs_key_", "alias/org/flows-"])),
        )
    if destination in ("s3", "custom-bucket"):
        config["log_destination_type"] = "s3"
        config["s3_subfolder"] = draw(st.sampled_from(["", "flows", "org/net/flows"]))
        config["destination_options"] = {
            "file_format": draw(st.sampled_from(["plain-text", "parquet"])),
            "hive_compatible_partitions": draw(st.booleans()),
            "per_hour_partition": draw(st.booleans()),
        }
    if destination == "s3":
        infrequent = draw(st.integers(30, 90))
        glacier = draw(st.integers(infrequent + 30, infrequent + 200))
        config.update(
            s3_infrequent_access_transition=infrequent,
            s3_glacier_transition=glacier,
            s3_expiration_transition=draw(st.integers(glacier + 1, glacier + 1000)),
            force_destroy_bucket=draw(st.booleans()),
            s3_bucket_name=draw(st.none() | NAMES),
        )
    if destination == "custom-bucket":
        config.update(enable_custom_s3_destination=True, s3_bucket=BUCKET_ARN)
    if destination == "kinesis-data-firehose":
        config.update(log_destination_type="kinesis-data-firehose", kinesis_firehose_arn=FIREHOSE_ARN)
    elif destination != "custom-bucket":
        config["kms_key_arn"] = key
        if key is None:
            config["kms_key_deletion_window_in_days"] = draw(st.none() | st.integers(7, 30))
    return config


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(configurations())
def test_any_valid_configuration_is_safe(config):
    # GIVEN any valid configuration WHEN it is compiled
    template = build_template(FlowLogsConfig(**config))
    text = to_json(template)
    # THEN it lints clean, passes the project's checks, renders the same bytes again, and the
    # shipped template given the same values creates the same resources
    assert [str(f) for f in lint(text)] == []
    parsed = json.loads(text)
    assert run_checks(parsed) == []
    again = build_template(FlowLogsConfig(**copy.deepcopy(config)))
    assert to_json(again) == text and to_yaml(again) == to_yaml(template)
    shipped = json.loads((ROOT / "templates/vpc-flow-logs.json").read_text(encoding="utf-8"))
    plain = {k: v for k, v in config.items() if k != "custom_tags"}
    assert created_resources(shipped, as_parameters(FlowLogsConfig(**plain))) == set(parsed.get("Resources", {}))
