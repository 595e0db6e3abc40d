"""The shipped files: up to date, deployable inline, deterministic, and lint-clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfn_flowlogs import FlowLogsConfig, build_template, to_json, to_yaml
from cfn_flowlogs.docs import CLI_REFERENCE, PAGES, generated_docs
from cfn_flowlogs.shipped import render_all

from ..conftest import ROOT
from ..matrix import EXTRAS, matrix

INLINE_BODY_LIMIT = 51_200  # bytes CloudFormation accepts in --template-body


def test_templates_dir_is_what_make_template_writes():
    # GIVEN the files `make template` would write now
    expected = render_all(ROOT)
    # THEN templates/ holds exactly those, byte for byte
    on_disk = {p.relative_to(ROOT) for p in (ROOT / "templates").rglob("*") if p.is_file()}
    assert on_disk == set(expected), "run `make template` and commit templates/"
    for relative, text in expected.items():
        assert (ROOT / relative).read_text(encoding="utf-8") == text, f"{relative} is stale: run `make template`"


def test_one_example_per_destination_type():
    destinations = {FlowLogsConfigFile.load(p).log_destination_type for p in (ROOT / "examples").glob("*.yaml")}
    assert destinations == {"cloud-watch-logs", "s3", "kinesis-data-firehose"}


class FlowLogsConfigFile:
    @staticmethod
    def load(path: Path) -> FlowLogsConfig:
        from cfn_flowlogs.config.loading import config_from

        return config_from(path, [])


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_shipped_template_deploys_without_an_s3_bucket(suffix):
    size = len((ROOT / f"templates/vpc-flow-logs.{suffix}").read_bytes())
    assert size < INLINE_BODY_LIMIT, f"{size} bytes: `aws cloudformation deploy` would need --s3-bucket"


def test_same_input_same_bytes():
    for config in [None, FlowLogsConfig(**EXTRAS[1])]:
        first, second = build_template(config), build_template(config)
        assert to_yaml(first) == to_yaml(second)
        assert to_json(first) == to_json(second)


@pytest.mark.parametrize("path", sorted((ROOT / "templates").rglob("*.*")), ids=lambda p: p.name)
def test_shipped_files_lint_clean_and_partition_free(path, linted):
    text = path.read_text(encoding="utf-8")
    assert "arn:aws:" not in text
    assert linted(text) == []


def _id(config: dict) -> str:
    parts = [k.split("_")[0] for k in config if k.endswith("_id")]
    parts.append(config.get("log_destination_type", "cwl"))
    parts += [k for k in ("kms_key_arn", "enable_custom_s3_destination") if k in config]
    if not config.get("use_managed_iam_policies", True):
        parts.append("inline")
    options = config.get("destination_options") or {}
    parts += [k for k, v in options.items() if v is True]
    if not config.get("create_resources", True):
        parts.append("nothing")
    return "-".join(parts)


@pytest.mark.parametrize("config", matrix() + EXTRAS, ids=[_id(c) for c in matrix()] + ["extras-cwl", "extras-s3"])
def test_specialized_template_lints_clean(config, linted):
    # GIVEN a configuration from the matrix WHEN it is compiled THEN cfn-lint (with I rules) finds nothing
    text = to_json(build_template(FlowLogsConfig(**config)))
    assert "arn:aws:" not in text
    assert linted(text) == []


@pytest.mark.parametrize("config", EXTRAS, ids=["extras-cwl", "extras-s3"])
def test_parameterized_with_config_defaults_lints_clean(config, linted):
    # GIVEN literal ARNs (a Parameter's default cannot name ${AWS::Partition}), in GovCloud
    config = literal(config)
    text = to_json(build_template(FlowLogsConfig(**config), parameterized=True))
    assert linted(text, regions=("us-gov-west-1",)) == []


def literal(value):
    """The config with its ${AWS::...} ARNs spelled out for one GovCloud account."""
    if isinstance(value, dict):
        return {k: literal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [literal(v) for v in value]
    if isinstance(value, str):
        for pseudo, text in PSEUDO_VALUES.items():
            value = value.replace(pseudo, text)
    return value


PSEUDO_VALUES = {
    "${AWS::Partition}": "aws-us-gov",
    "${AWS::Region}": "us-gov-west-1",
    "${AWS::AccountId}": "123456789012",
}


@pytest.mark.parametrize("page", [*PAGES, CLI_REFERENCE])
def test_generated_docs_are_as_the_code_makes_them(page):
    # GIVEN a page of docs/ with generated parts (the inputs table, the CLI reference ...)
    # WHEN they are made anew from the code THEN the checked-in page is the same, byte for byte
    made = generated_docs(ROOT)[Path(page)]
    assert (ROOT / page).read_text(encoding="utf-8") == made, f"{page} is stale: run `make template`"


def test_the_inputs_table_nests_what_a_config_nests_and_marks_compile_time_inputs():
    from cfn_flowlogs.config.flow_logs import DESTINATION_OPTIONS
    from cfn_flowlogs.config.inputs import QUERY_INPUTS
    from cfn_flowlogs.docs import COMPILE_TIME, inputs_table

    rows = {line.split(" | ")[0].removeprefix("| ").strip("`"): line for line in inputs_table().splitlines()}
    # THEN a key of destination_options is listed inside it, with its Parameter, never at the top
    for key in DESTINATION_OPTIONS:
        assert key not in rows
        assert f" | `{''.join(w.capitalize() for w in key.split('_'))}` | " in rows[f"destination_options.{key}"]
    # AND what no template with Parameters can take says so, and the table says what that means
    for name in ("destination_options", "custom_tags", *(spec.name for spec in QUERY_INPUTS)):
        assert f" | {COMPILE_TIME} | " in rows[name], name
    assert any(line.startswith(f"*{COMPILE_TIME}*: ") for line in rows.values())
    # AND defaults are shown as a config writes them
    assert ' | `""` | ' in rows["s3_subfolder"] and " | `null` | " in rows["vpc_id"]


def test_make_template_writes_what_changed_and_is_quiet_when_nothing_did(tmp_path, capsys):
    import shutil

    from cfn_flowlogs.shipped import main

    # GIVEN a copy of the sources `make template` reads, and templates/ not made yet
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    # WHEN it runs THEN it writes every template, a line each (the docs are unchanged)
    expected = render_all(ROOT)
    assert main([str(tmp_path)]) == 0
    wrote = capsys.readouterr().out.splitlines()
    assert len(wrote) == len(expected) and all(line.startswith("wrote ") for line in wrote)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    # WHEN it runs again THEN it says nothing and touches nothing
    assert main([str(tmp_path)]) == 0
    assert capsys.readouterr() == ("", "")
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()} == before
    # WHEN one template was changed by hand THEN that one is written again (it is make template's own)
    stale = tmp_path / "templates" / "vpc-flow-logs.yaml"
    stale.write_text("edited\n")
    assert main([str(tmp_path)]) == 0
    size = len(expected[Path("templates/vpc-flow-logs.yaml")].encode())
    assert capsys.readouterr().out.splitlines() == [f"wrote {stale} ({size} bytes)"]
