"""CloudFormation's limits, checked before anything is written."""

from __future__ import annotations

import pytest
import yaml
from troposphere import Output, Parameter, Template
from troposphere.cloudformation import WaitConditionHandle

from cfn_flowlogs import FlowLogsConfig, LimitError, add_flow_logs, build_template, check_limits, to_json, to_yaml
from cfn_flowlogs.cli import main


def filled(section: str, count: int) -> Template:
    """A template with `count` entries in `section` (set directly: troposphere stops at the limit)."""
    template = Template()
    make = {
        "resources": lambda i: WaitConditionHandle(f"Handle{i}"),
        "parameters": lambda i: Parameter(f"Parameter{i}", Type="String"),
        "outputs": lambda i: Output(f"Output{i}", Value="x"),
    }[section]
    entries = getattr(template, section)
    for i in range(count):
        entry = make(i)
        entries[entry.title] = entry
    return template


@pytest.mark.parametrize(("section", "limit"), [("resources", 500), ("parameters", 200), ("outputs", 200)])
def test_counts_up_to_the_limit_pass_and_one_more_fails(section, limit):
    template = filled(section, limit)
    assert check_limits(template, to_json(template)) == []
    template = filled(section, limit + 1)
    with pytest.raises(LimitError) as caught:
        check_limits(template, to_json(template))
    assert section in str(caught.value) and str(limit + 1) in str(caught.value) and str(limit) in str(caught.value)


def test_flow_log_sets_until_the_resource_limit():
    # GIVEN a template of many prefixed flow-log sets (six resources each with CloudWatch Logs)
    template = Template()
    config = FlowLogsConfig(vpc_id="vpc-0123456789abcdef0")
    for i in range(83):
        add_flow_logs(template, config, prefix=f"Set{i}", outputs=False)
    assert len(template.resources) == 498
    (warning,) = check_limits(template, to_yaml(template))  # only: too large to send inline
    assert "--s3-bucket" in warning
    # WHEN one more set is added THEN the 501st resource is refused, naming the limit and the count
    with pytest.raises(LimitError, match="resources must be at most 500, got 501"):
        add_flow_logs(template, config, prefix="OneTooMany", outputs=False)


def test_flow_log_sets_until_the_output_limit():
    # GIVEN 50 sets with their four Outputs each (CloudWatch Logs): 200, the limit
    template = Template()
    config = FlowLogsConfig(vpc_id="vpc-0123456789abcdef0")
    for i in range(50):
        add_flow_logs(template, config, prefix=f"Set{i}")
    # THEN one more is refused on its first Output, naming the limit
    with pytest.raises(LimitError, match="outputs must be at most 200, got 201"):
        add_flow_logs(template, config, prefix="OneTooMany")


def test_logical_id_length():
    template = Template()
    template.add_resource(WaitConditionHandle("H" * 256))
    with pytest.raises(LimitError, match="logical ID"):
        check_limits(template, to_json(template))


def test_body_size():
    template = build_template()
    assert check_limits(template, to_yaml(template)) == []
    (warning,) = check_limits(template, to_yaml(template) + "#" * 60_000)
    assert "--s3-bucket" in warning and "51200" in warning
    with pytest.raises(LimitError, match="template body"):
        check_limits(template, "#" * 1_048_577)


def test_cli_warns_about_an_inline_body_too_large_and_still_writes(tmp_path, capsys):
    # GIVEN a parameterized template made large by extra bucket policy statements, as JSON
    statements = {
        f"Reader{i}": {
            "actions": ["s3:GetObject"],
            "principals": {"AWS": ["arn:aws-cn:iam::123456789012:root"]},  # a fresh dict each: no YAML alias
            "keys": [f"team-{i}-{j}/*" for j in range(8)],
        }
        for i in range(40)
    }
    config = tmp_path / "big.yaml"
    config.write_text(yaml.safe_dump({"vpc_id": "vpc-0123456789abcdef0", "log_destination_type": "s3",
                                      "additional_s3_bucket_policy_statements": statements}))  # fmt: skip
    output = tmp_path / "big.json"
    # WHEN it is built THEN it is written, with a warning that names --s3-bucket
    assert main(["build", "--parameterized", "--config", str(config), "-o", str(output)]) == 0
    err = capsys.readouterr().err
    assert "cfn-flowlogs: warning:" in err and "--s3-bucket" in err
    assert output.stat().st_size > 51_200
