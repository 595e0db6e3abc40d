"""The CLI helping a user: `--version`, "did you mean ...?" for an unknown input, and examples in
the new commands' `--help`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cfn_flowlogs import ArchiveConfig, ConfigError, FlowLogsConfig, __version__
from cfn_flowlogs.config.loading import config_from, parse_assignment

from ..conftest import run_cli as run

VPC = "vpc-0123456789abcdef0"


def test_version_prints_the_package_version_and_exits_0(capsys):
    code, out, err = run(capsys, "--version")
    assert (code, out, err) == (0, f"cfn-flowlogs {__version__}\n", "")


SUGGESTIONS = [
    pytest.param("vpcid", "(did you mean vpc_id?)", id="typo"),
    pytest.param("Traffic_Type", "(did you mean traffic_type?)", id="case"),
    pytest.param("tags", "(did you mean custom_tags?)", id="part-of-a-name"),
    pytest.param("kms_key", "(did you mean kms_key_arn, kms_key_users or kms_key_prefix?)", id="three-at-most"),
    pytest.param(
        "hive_compatible_partitions",
        (
            "(it goes inside destination_options: destination_options: {hive_compatible_partitions: 1})",
            "(it goes inside destination_options: --set 'destination_options={hive_compatible_partitions: 1}')",
        ),
        id="destination-option",
    ),
    pytest.param("zz", "(docs/reference/inputs.md lists them)", id="nothing-close"),
]


@pytest.mark.parametrize(("key", "hint"), SUGGESTIONS)
def test_an_unknown_input_in_a_config_file_names_the_closest_inputs(key, hint):
    # GIVEN a config mapping with an unknown key WHEN it is read
    with pytest.raises(ConfigError) as caught:
        FlowLogsConfig.from_mapping({"vpc_id": VPC, key: 1})
    # THEN one line names the key and suggests, instead of listing every input
    error = caught.value
    assert (error.name, error.value) == ("config", key)
    hint = hint[0] if isinstance(hint, tuple) else hint
    assert str(error) == f'config must be a known input {hint}, got "{key}"'


@pytest.mark.parametrize(("key", "hint"), SUGGESTIONS)
def test_an_unknown_input_in_set_names_the_closest_inputs(key, hint):
    with pytest.raises(ConfigError) as caught:
        parse_assignment(f"{key}=1")
    assert (caught.value.name, caught.value.value) == ("--set", key)
    hint = hint[1] if isinstance(hint, tuple) else hint
    assert str(caught.value) == f'--set must be a known input {hint}, got "{key}"'


def test_the_archive_lists_its_few_inputs_when_nothing_is_close():
    with pytest.raises(ConfigError) as caught:
        config_from(None, ["zz=1"], ArchiveConfig)
    assert "organization_id" in caught.value.allowed and "vpc_id" not in caught.value.allowed
    with pytest.raises(ConfigError) as caught:
        ArchiveConfig.from_mapping({"organisation_id": "o-abcd123456"})
    assert "(did you mean organization_id?)" in str(caught.value)


def test_the_cli_error_is_one_line_with_the_suggestion(capsys, tmp_path):
    config = tmp_path / "flows.yaml"
    config.write_text(f"vpc_id: {VPC}\ncloudwatch_log_retention_days: 30\n")
    code, out, err = run(capsys, "build", "--config", str(config), "-o", str(tmp_path / "t.yaml"))
    assert (code, out) == (2, "")
    assert err == (
        f"cfn-flowlogs: error: {config}:2: config: must be a known input (did you mean cloudwatch_log_retention, "
        'cloudwatch_log_group_name or cloudwatch_iam_role_name?), got "cloudwatch_log_retention_days"\n'
    )
    assert not (tmp_path / "t.yaml").exists()


@pytest.mark.parametrize("command", ["policies", "diagram"])
def test_new_commands_show_examples_in_their_help(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    assert "examples:" in out
    assert f"cfn-flowlogs {command} " in out.split("examples:")[1]


def test_python_dash_m_runs_the_command_line():
    # GIVEN the package run as a module, as `python -m cfn_flowlogs`
    done = subprocess.run([sys.executable, "-m", "cfn_flowlogs", "--version"], capture_output=True, text=True)
    # THEN it is the command line
    assert (done.returncode, done.stdout, done.stderr) == (0, f"cfn-flowlogs {__version__}\n", "")
