"""`cfn-flowlogs build`, in-process through `main` and once as the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import run_cli as run

VPC = "vpc-0123456789abcdef0"
SCRIPT = Path(sys.executable).with_name("cfn-flowlogs")  # the venv's console script, next to its python
PREFIX = "cfn-flowlogs: error:"


def test_no_arguments_is_a_usage_error(capsys):
    # WHEN cfn-flowlogs runs without a command
    code, out, err = run(capsys)
    # THEN it exits 2 with one error line
    assert code == 2
    assert out == ""
    assert err.startswith(PREFIX)
    assert len(err.splitlines()) == 1


def test_unknown_command_is_a_usage_error(capsys):
    code, _, err = run(capsys, "deploy")
    assert code == 2
    assert err.startswith(PREFIX)


def test_build_without_config_writes_the_parameterized_template(capsys):
    # WHEN build runs without a config
    code, out, err = run(capsys, "build")
    # THEN the parameterized template goes to stdout
    assert (code, err) == (0, "")
    assert "Parameters:" in out
    assert "VpcId" in out


def test_build_with_a_target_writes_a_specialized_template(capsys):
    # WHEN build gets a VPC ID
    code, out, err = run(capsys, "build", "--set", f"vpc_id={VPC}", "--format", "json")
    # THEN the template has the VPC folded in and no Parameters
    assert (code, err) == (0, "")
    template = json.loads(out)
    assert "Parameters" not in template
    assert "Resources" in template
    assert VPC in out


def test_parameterized_flag_keeps_parameters_with_the_config_as_defaults(capsys):
    code, out, _ = run(capsys, "build", "--parameterized", "--set", f"vpc_id={VPC}", "--format", "json")
    assert code == 0
    assert json.loads(out)["Parameters"]["VpcId"]["Default"] == VPC


def test_format_json_writes_json_to_stdout(capsys):
    code, out, _ = run(capsys, "build", "--format", "json")
    assert code == 0
    assert "VpcId" in json.loads(out)["Parameters"]


@pytest.mark.parametrize(
    ("name", "extra", "is_json"),
    [
        pytest.param("x.json", [], True, id="json-from-extension"),
        pytest.param("x.yaml", [], False, id="yaml-from-extension"),
        pytest.param("x.template", [], False, id="yaml-by-default"),
        pytest.param("x.yaml", ["--format", "json"], True, id="format-beats-extension"),
    ],
)
def test_output_file_is_written_in_the_chosen_format(capsys, tmp_path, name, extra, is_json):
    # GIVEN an output path
    target = tmp_path / name
    # WHEN build writes to it
    code, out, err = run(capsys, "build", "--set", f"vpc_id={VPC}", "-o", str(target), *extra)
    # THEN the file holds the template, stdout stays empty, stderr says what was written, and no
    # temporary file is left
    text = target.read_text(encoding="utf-8")
    assert (code, out, err) == (0, "", f"cfn-flowlogs: wrote {target} ({len(text.encode())} bytes)\n")
    if is_json:
        assert "Resources" in json.loads(text)
    else:
        assert text.startswith(("AWSTemplateFormatVersion", "Conditions", "Description", "Resources"))
        assert not text.lstrip().startswith("{")
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_output_file_is_replaced_whole_with_force(capsys, tmp_path):
    # GIVEN an existing output file
    target = tmp_path / "x.json"
    target.write_text("old contents\n")
    # WHEN build writes to it without --force THEN it refuses in one line naming the file
    code, _, err = run(capsys, "build", "--set", f"vpc_id={VPC}", "-o", str(target))
    assert (code, err) == (2, f"{PREFIX} {target}: exists (give --force to overwrite it)\n")
    assert target.read_text() == "old contents\n"
    # WHEN build writes to it with --force
    code, _, _ = run(capsys, "build", "--set", f"vpc_id={VPC}", "-o", str(target), "--force")
    # THEN it is the new template
    assert code == 0
    assert "Resources" in json.loads(target.read_text())
    assert VPC in target.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json"]


def config_file(tmp_path, name, content):
    path = tmp_path / "config" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(content)
    return str(path)


BAD_INPUTS = [
    pytest.param(lambda tmp: ["--set", "vpc_id=vpc-123"], "vpc_id", id="bad-vpc-id"),
    pytest.param(lambda tmp: ["--set", "vpcid=vpc-0123456789abcdef0"], "vpcid", id="unknown-input"),
    pytest.param(lambda tmp: ["--set", "vpc_id"], "--set", id="set-without-equals"),
    pytest.param(
        lambda tmp: ["--set", f"vpc_id={VPC}", "--set", "cloudwatch_log_retention=42"],
        "cloudwatch_log_retention",
        id="bad-retention",
    ),
    pytest.param(lambda tmp: ["--set", f"vpc_id={VPC}", "--set", "traffic_type=DENY"], "traffic_type", id="bad-choice"),
    pytest.param(
        lambda tmp: ["--set", f"subnet_id=subnet-{'0' * 17}", "--set", f"vpc_id={VPC}"],
        "vpc_id/subnet_id",
        id="two-targets",
    ),
    pytest.param(
        lambda tmp: ["--config", config_file(tmp, "c.yaml", "vpc_id: [unclosed\n")], "config", id="bad-yaml-config"
    ),
    pytest.param(
        lambda tmp: ["--config", config_file(tmp, "c.yaml", "a: &a [1]\nb: *a\n")], "config", id="yaml-alias-config"
    ),
    pytest.param(
        lambda tmp: ["--config", config_file(tmp, "c.json", '{"vpc_id": 1, "vpc_id": 2}')],
        "config",
        id="duplicate-key-config",
    ),
    pytest.param(lambda tmp: ["--config", str(tmp / "config" / "missing.yaml")], "--config", id="missing-config"),
    pytest.param(lambda tmp: ["--format", "xml"], "--format", id="bad-format"),
    pytest.param(
        lambda tmp: ["--set", "custom_tags={team: net"],
        "custom_tags",
        id="bad-yaml-in-set",
    ),
    pytest.param(
        lambda tmp: ["--config", config_file(tmp, "c.yaml", "[" * 100_000 + "]" * 100_000)],
        "config",
        id="deeply-nested-config",
    ),
    pytest.param(
        lambda tmp: ["--config", config_file(tmp, "c.json", '{"cloudwatch_log_retention": ' + "9" * 5000 + "}")],
        "config",
        id="huge-int-config",
    ),
]


def check_one_line_error(code, out, err, name):
    assert code == 2
    assert out == ""
    assert err.startswith(f"{PREFIX} ")
    assert err.endswith("\n")
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    assert name in err, err


@pytest.mark.parametrize(("make_args", "name"), BAD_INPUTS)
def test_bad_input_is_one_error_line_and_leaves_an_existing_output_untouched(capsys, tmp_path, make_args, name):
    # GIVEN an existing output file
    target = tmp_path / "out.yaml"
    target.write_bytes(b"previous template\n")
    # WHEN build runs with a bad input
    code, out, err = run(capsys, "build", *make_args(tmp_path), "-o", str(target))
    # THEN exit 2, one error line naming the input, and the file's bytes are untouched
    check_one_line_error(code, out, err, name)
    assert target.read_bytes() == b"previous template\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["out.yaml"]


@pytest.mark.parametrize(("make_args", "name"), BAD_INPUTS)
def test_bad_input_creates_no_output_file(capsys, tmp_path, make_args, name):
    # GIVEN an output path that does not exist yet, in a directory of its own
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    # WHEN build runs with a bad input
    code, out, err = run(capsys, "build", *make_args(tmp_path), "-o", str(out_dir / "new.json"))
    # THEN exit 2, one error line, and the directory is still empty (no file, no temporary file)
    check_one_line_error(code, out, err, name)
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize(
    "make_target",
    [
        pytest.param(lambda tmp: tmp / "missing-dir" / "x.yaml", id="missing-directory"),
        pytest.param(lambda tmp: tmp / "a-directory", id="target-is-a-directory"),
    ],
)
def test_unwritable_output_is_one_error_line_and_leaves_no_temporary_file(capsys, tmp_path, make_target):
    # GIVEN an output path that cannot be written
    (tmp_path / "a-directory").mkdir()
    target = make_target(tmp_path)
    # WHEN build writes to it
    code, out, err = run(capsys, "build", "--set", f"vpc_id={VPC}", "-o", str(target))
    # THEN exit 2, one error line naming the path, and nothing left behind
    check_one_line_error(code, out, err, str(target))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-directory"]
    assert list((tmp_path / "a-directory").iterdir()) == []


def test_console_script_builds_a_template(tmp_path):
    # GIVEN the installed console script
    assert SCRIPT.exists(), f"{SCRIPT} is not installed"
    # WHEN it runs as a separate process
    done = subprocess.run(
        [str(SCRIPT), "build", "--set", f"vpc_id={VPC}", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    # THEN it exits 0 with the JSON template on stdout
    assert (done.returncode, done.stderr) == (0, "")
    assert "Parameters" not in json.loads(done.stdout)


def test_console_script_reports_bad_input_in_one_line(tmp_path):
    # GIVEN an existing output file
    target = tmp_path / "x.yaml"
    target.write_bytes(b"keep me\n")
    # WHEN the console script gets a bad VPC ID
    done = subprocess.run(
        [str(SCRIPT), "build", "--set", "vpc_id=vpc-XYZ", "-o", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    # THEN exit 2, one error line, no traceback, and the file is untouched
    check_one_line_error(done.returncode, done.stdout, done.stderr, "vpc_id")
    assert "vpc-XYZ" in done.stderr
    assert target.read_bytes() == b"keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.yaml"]


def test_lint_of_a_good_config_reports_no_findings(capsys, tmp_path):
    # (the one slow test, ~1-2 s: it imports and runs cfn-lint)
    # GIVEN a good config and an output path
    target = tmp_path / "x.yaml"
    # WHEN build runs with --lint
    code, out, err = run(capsys, "build", "--lint", "--set", f"vpc_id={VPC}", "-o", str(target))
    # THEN exit 0, "no findings" on stderr, and the file is written
    assert code == 0
    assert out == ""
    assert "no findings" in err
    assert target.exists()
