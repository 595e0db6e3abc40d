"""Every bad input of a config file in one run, each as `file:line: input: message`, whatever the
file's syntax; `--set` replacing a file's value before it is judged; values shown as a config
writes them; the ConfigError API library callers rely on."""

from __future__ import annotations

import pytest
from troposphere import Ref

from cfn_flowlogs import ConfigError
from cfn_flowlogs.cli import parser
from cfn_flowlogs.commands import audit
from cfn_flowlogs.config.loading import config_from, load_config_file
from cfn_flowlogs.errors import Problem, Problems, Written, show

from ..conftest import run_cli as run

VPC = "vpc-0123456789abcdef0"
MODULE_HEAD = 'module "flow_logs" {\n  source = "gruntwork-io/vpc/aws//modules/vpc-flow-logs"\n'

# The same bad config in every syntax, the bad inputs on the same lines (a .tf file's module
# block adds two lines at the top).
BAD = {
    "flows.yaml": (
        "vpc_id: vpc-123\n"
        "traffic_typ: ALL\n"
        "file_format: parquet\n"
        "cloudwatch_log_retention: 42\n"
        "custom_tags:\n"
        '  team: "a<b"\n'
    ),
    "flows.json": (
        '{"vpc_id": "vpc-123",\n'
        ' "traffic_typ": "ALL",\n'
        ' "file_format": "parquet",\n'
        ' "cloudwatch_log_retention": 42,\n'
        ' "custom_tags": {\n'
        '   "team": "a<b"}}\n'
    ),
    "terraform.tfvars": (
        'vpc_id = "vpc-123"\n'
        'traffic_typ = "ALL"\n'
        'file_format = "parquet"\n'
        "cloudwatch_log_retention = 42\n"
        "custom_tags = {\n"
        '  team = "a<b"\n'
        "}\n"
    ),
}
BAD["main.tf"] = MODULE_HEAD + BAD["terraform.tfvars"] + "}\n"
# (line, input, what the message says) of each problem, in the order of the file
EXPECTED = [
    (1, "vpc_id", 'must be a VPC ID like vpc-0123456789abcdef0, got "vpc-123"'),
    (2, "config", 'must be a known input (did you mean traffic_type?), got "traffic_typ"'),
    (
        3,
        "config",
        'must be a known input (it goes inside destination_options: destination_options: {file_format: "parquet"}), '
        'got "file_format"',
    ),
    (4, "cloudwatch_log_retention", "must be one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545"),
    (6, "custom_tags.team", 'must be a string of up to 256 letters, digits, spaces and _.:/=+-@, got "a<b"'),
]


@pytest.mark.parametrize("name", BAD)
def test_every_problem_of_a_file_is_reported_with_its_file_and_line(tmp_path, name):
    # GIVEN a config with five bad inputs
    path = tmp_path / name
    path.write_text(BAD[name], encoding="utf-8")
    offset = 2 if name.endswith(".tf") else 0
    # WHEN it is read THEN one ConfigError holds all five, each located, in the order of the file
    with pytest.raises(ConfigError) as caught:
        config_from(path, [])
    problems = caught.value.problems
    assert [(p.file, p.line, p.input) for p in problems] == [(str(path), n + offset, i) for n, i, _ in EXPECTED]
    for problem, (line, name_, message) in zip(problems, EXPECTED, strict=True):
        assert str(problem).startswith(f"{path}:{line + offset}: {name_}: {message}"), str(problem)
    # AND the first problem is still the error's name, value and allowed (what callers read before)
    assert (caught.value.name, caught.value.value) == ("vpc_id", "vpc-123")


@pytest.mark.parametrize("name", BAD)
def test_the_cli_prints_one_line_per_problem_and_writes_nothing(capsys, tmp_path, name):
    path = tmp_path / name
    path.write_text(BAD[name], encoding="utf-8")
    code, out, err = run(capsys, "build", "--config", str(path), "-o", str(tmp_path / "out.yaml"))
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == len(EXPECTED)
    assert all(line.startswith(f"cfn-flowlogs: error: {path}:") for line in err.splitlines())
    assert not (tmp_path / "out.yaml").exists()


def test_a_nested_key_names_its_own_line(tmp_path):
    path = tmp_path / "flows.json"
    path.write_text(
        f'{{\n  "vpc_id": "{VPC}",\n  "log_destination_type": "s3",\n  "destination_options": {{\n'
        '    "file_format": "csv",\n    "per_hour": true\n  }\n}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        config_from(path, [])
    assert [(p.line, p.input) for p in caught.value.problems] == [
        (5, "destination_options.file_format"),
        (6, "destination_options.per_hour"),
    ]


def test_how_inputs_combine_is_judged_once_each_is_good(tmp_path):
    # GIVEN a misspelt target: no target at all is a consequence, not a second problem
    path = tmp_path / "flows.yaml"
    path.write_text(f"vpcid: {VPC}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config_from(path, [])
    assert [p.input for p in caught.value.problems] == ["config"]
    # WHEN it is spelt right but two targets are given THEN that is the one problem, at the first's line
    path.write_text(f"traffic_type: ALL\nvpc_id: {VPC}\nsubnet_id: subnet-0123456789abcdef0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config_from(path, [])
    ((line, name),) = [(p.line, p.input) for p in caught.value.problems]
    assert (line, name) == (2, "vpc_id/subnet_id/eni_id/transit_gateway_id/transit_gateway_attachment_id/"
                               "regional_nat_gateway_id")  # fmt: skip


# --- --set replaces a file's value before it is judged ------------------------------------------

TF_EXPRESSION = MODULE_HEAD + "  vpc_id = module.vpc.vpc_id\n}\n"


@pytest.mark.parametrize(
    ("name", "text", "assignments", "line"),
    [
        pytest.param("main.tf", TF_EXPRESSION, [f"vpc_id={VPC}"], 3, id="tf-reference"),
        pytest.param("terraform.tfvars", "vpc_id = var.vpc_id\n", [f"vpc_id={VPC}"], 1, id="tfvars-variable"),
        pytest.param(
            "main.tf",
            MODULE_HEAD + f'  vpc_id = "{VPC}"\n  cloudwatch_log_retention = var.days\n}}\n',
            ["cloudwatch_log_retention=30"],
            4,
            id="tf-number-from-a-variable",
        ),
        pytest.param(
            "main.tf",
            MODULE_HEAD + f'  vpc_id = "{VPC}"\n  cloudwatch_log_group_name = "a\\qb"\n}}\n',
            ["cloudwatch_log_group_name=flows"],
            4,
            id="tf-bad-escape",
        ),
        pytest.param(
            "flows.yaml", f"vpc_id: {VPC}\ncloudwatch_log_retention: 42\n", ["cloudwatch_log_retention=30"], 2,
            id="yaml-bad-literal",
        ),
        pytest.param(
            "flows.json", f'{{"vpc_id": "{VPC}",\n "traffic_type": "SOME"}}', ["traffic_type=ALL"], 2,
            id="json-bad-literal",
        ),
    ],
)  # fmt: skip
def test_set_replaces_the_files_value_before_it_is_judged(tmp_path, name, text, assignments, line):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    # WHEN --set gives the input THEN the config builds, with --set's value
    config = config_from(path, assignments)
    input_name, value = assignments[0].split("=")
    assert str(getattr(config, input_name)) == value
    # WHEN it does not THEN the file's value is the error, at its line
    with pytest.raises(ConfigError) as caught:
        config_from(path, [])
    ((problem),) = caught.value.problems
    assert (problem.file, problem.line, problem.input) == (str(path), line, input_name)


def test_the_cli_builds_the_gruntwork_setup_with_set(capsys, tmp_path):
    # GIVEN the usual Gruntwork main.tf WHEN built with --set vpc_id, as the error advises
    (tmp_path / "main.tf").write_text(TF_EXPRESSION, encoding="utf-8")
    code, out, err = run(capsys, "build", "--config", str(tmp_path / "main.tf"))
    assert code == 2 and "--set vpc_id=..." in err
    code, out, err = run(capsys, "build", "--config", str(tmp_path / "main.tf"), "--set", f"vpc_id={VPC}")
    # THEN it compiles
    assert (code, err) == (0, "")
    assert VPC in out


def test_set_replaces_an_expression_for_the_audits_plan_too(tmp_path):
    (tmp_path / "main.tf").write_text(TF_EXPRESSION.replace("vpc_id", "traffic_type"), encoding="utf-8")
    argv = ["audit", "--write-plan", str(tmp_path / "plan.yaml"), "--archive-bucket-arn", "arn:aws:s3:::archive",
            "--config", str(tmp_path / "main.tf")]  # fmt: skip
    with pytest.raises(ConfigError, match=r"main\.tf:3: traffic_type: must be a literal value"):
        audit.parse_options(parser(argv).parse_args(argv))
    argv += ["--set", "traffic_type=ALL"]
    _, settings = audit.parse_options(parser(argv).parse_args(argv))
    assert settings.inputs == {"traffic_type": "ALL"}


def test_load_config_file_refuses_what_only_a_set_could_give(tmp_path):
    (tmp_path / "main.tf").write_text(TF_EXPRESSION, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"main\.tf:3: vpc_id: must be a literal value, not a reference"):
        load_config_file(tmp_path / "main.tf")


# --- values as a config writes them ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (1.5, "1.5"),
        ("text", '"text"'),
        ("it's", '"it\'s"'),
        ("tab\there", '"tab\\there"'),
        ("café", '"café"'),
        ([1, "a", None], '[1, "a", null]'),
        (("a", "b"), '["a", "b"]'),
        ({"vpc_id": "vpc-1", "subnet_id": None}, '{"vpc_id": "vpc-1", "subnet_id": null}'),
        ({}, "{}"),
        (Ref("Vpc"), '{"Ref": "Vpc"}'),
        (Written("module.vpc.vpc_id"), "module.vpc.vpc_id"),
        ("x" * 200, '"' + "x" * 116 + "..."),
    ],
)
def test_values_are_shown_as_a_config_writes_them(value, shown):
    assert show(value) == shown
    assert "None" not in show(value) and "True" not in show(value)


# --- the ConfigError API -----------------------------------------------------------------------


def test_one_problem_reads_as_it_always_did():
    error = ConfigError("vpc_id", "vpc-1", "a VPC ID")
    assert str(error) == 'vpc_id must be a VPC ID, got "vpc-1"'
    assert (error.name, error.value, error.allowed) == ("vpc_id", "vpc-1", "a VPC ID")
    assert error.problems == (Problem("vpc_id", "vpc-1", "a VPC ID"),)
    assert isinstance(error, ValueError)


def test_several_problems_keep_the_first_as_name_value_and_allowed():
    error = ConfigError.of([Problem("a", 1, "two", "c.yaml", 3), Problem("b", None, "set", "c.yaml")])
    assert (error.name, error.value, error.allowed) == ("a", 1, "two")
    assert str(error).splitlines() == ["c.yaml:3: a: must be two, got 1", "c.yaml: b: must be set, got null"]
    assert [p.input for p in error.renamed("x.{}".format).problems] == ["x.a", "x.b"]
    assert [p.file for p in ConfigError("a", 1, "two").located("d.yaml").problems] == ["d.yaml"]


def test_problems_gather_checks_and_raise_them_together():
    problems = Problems()
    for name in ("a", "b"):
        with problems.gather():
            raise ConfigError(name, 0, "one")
    with problems.gather():
        pass  # a check that passes adds nothing
    with pytest.raises(ConfigError) as caught:
        problems.raise_any()
    assert [p.input for p in caught.value.problems] == ["a", "b"]
    with pytest.raises(ValueError, match="at least one problem"):
        ConfigError.of([])
    Problems().raise_any()  # none: nothing raised
