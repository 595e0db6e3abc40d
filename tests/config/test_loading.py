"""Config files (YAML, JSON) and `--set name=value`: typed values, and a ConfigError for anything
bad, with work bounded by the input's size (never a wall-clock deadline: a busy machine must not
fail a correct loader; `make bench` measures how long each rejection takes)."""

from __future__ import annotations

import cProfile
import json
import pstats

import pytest
import yaml

from cfn_flowlogs import ConfigError
from cfn_flowlogs.config import parsing
from cfn_flowlogs.config.loading import MAX_CONFIG_BYTES, config_from, load_config_file, parse_assignment
from cfn_flowlogs.config.parsing import MAX_NESTING

from ..hostile_configs import MALFORMED, MANY_KEYS, many_keys

VPC = "vpc-0123456789abcdef0"
ROLE = "arn:aws:iam::123456789012:role/Auditor"


def config_error(load, *args):
    """The ConfigError `load(*args)` raises; any other outcome fails the test."""
    try:
        result = load(*args)
    except ConfigError as error:
        return error
    except BaseException as error:  # a crash or a RecursionError: both bugs
        pytest.fail(f"raised {type(error).__name__}: {str(error)[:200]} (expected ConfigError)", pytrace=False)
    pytest.fail(f"accepted: {str(result)[:200]}")


def calls(load, *args) -> int:
    """How many Python function calls `load(*args)` makes: an operation count that, unlike a
    clock, does not depend on how busy the machine is."""
    profile = cProfile.Profile()
    profile.enable()
    try:
        load(*args)
    except ConfigError:
        pass
    finally:
        profile.disable()
    return pstats.Stats(profile).total_calls


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


# --- files that load -----------------------------------------------------------------------

YAML_CONFIG = f"""\
# a comment
vpc_id: {VPC}
traffic_type: ALL
cloudwatch_log_retention: 30
create_resources: false
kms_key_users:
  - {ROLE}
custom_tags:
  team: network
"""
JSON_CONFIG = f"""{{
  "vpc_id": "{VPC}",
  "traffic_type": "ALL",
  "cloudwatch_log_retention": 30,
  "create_resources": false,
  "kms_key_users": ["{ROLE}"],
  "custom_tags": {{"team": "network"}}
}}
"""
LOADED = {
    "vpc_id": VPC,
    "traffic_type": "ALL",
    "cloudwatch_log_retention": 30,
    "create_resources": False,
    "kms_key_users": [ROLE],
    "custom_tags": {"team": "network"},
}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("flows.yaml", YAML_CONFIG, id="yaml"),
        pytest.param("flows.yml", YAML_CONFIG, id="yml"),
        pytest.param("flows.json", JSON_CONFIG, id="json"),
        pytest.param("flows.JSON", JSON_CONFIG, id="json-uppercase-suffix"),
        pytest.param("flows.yaml", JSON_CONFIG, id="json-is-yaml-too"),
        pytest.param("flows.yaml", "\ufeff" + YAML_CONFIG, id="yaml-with-bom"),
    ],
)
def test_config_files_load_with_their_types(tmp_path, name, content):
    # GIVEN a config file
    path = write(tmp_path, name, content)
    # WHEN it is loaded
    data = load_config_file(path)
    # THEN it is the mapping written, typed
    assert data == LOADED
    # AND it builds a config
    config = config_from(path, [])
    assert (config.vpc_id, config.cloudwatch_log_retention, config.create_resources) == (VPC, 30, False)
    assert config.kms_key_users == (ROLE,)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("", id="empty"),
        pytest.param("\n\n", id="blank-lines"),
        pytest.param("# only a comment\n", id="comment-only"),
        pytest.param("---\n", id="document-marker"),
        pytest.param("null\n", id="null"),
    ],
)
def test_an_empty_yaml_file_is_an_empty_mapping(tmp_path, content):
    # GIVEN a YAML file with no inputs
    path = write(tmp_path, "flows.yaml", content)
    # WHEN it is loaded THEN it is an empty mapping
    assert load_config_file(path) == {}


def test_set_overrides_the_config_file(tmp_path):
    # GIVEN a config file and --set assignments
    path = write(tmp_path, "flows.yaml", YAML_CONFIG)
    # WHEN both are combined
    config = config_from(path, ["traffic_type=REJECT", "custom_tags={owner: me}"])
    # THEN --set wins, input by input
    assert config.traffic_type == "REJECT"
    assert config.custom_tags == {"owner": "me"}
    assert config.cloudwatch_log_retention == 30


def test_set_alone_builds_a_config():
    config = config_from(None, ["subnet_id=subnet-0123456789abcdef0", "cloudwatch_log_retention=90"])
    assert (config.subnet_id, config.cloudwatch_log_retention) == ("subnet-0123456789abcdef0", 90)


# --- --set typing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        pytest.param(f"vpc_id={VPC}", ("vpc_id", VPC), id="str"),
        pytest.param(" vpc_id =x", ("vpc_id", "x"), id="name-is-stripped"),
        pytest.param("cloudwatch_log_group_name=123", ("cloudwatch_log_group_name", "123"), id="str-stays-str"),
        pytest.param("cloudwatch_log_group_name=true", ("cloudwatch_log_group_name", "true"), id="str-not-bool"),
        pytest.param("s3_subfolder=a=b", ("s3_subfolder", "a=b"), id="value-with-equals"),
        pytest.param("kms_key_prefix=", ("kms_key_prefix", ""), id="str-empty"),
        pytest.param("traffic_type=ALL", ("traffic_type", "ALL"), id="choice"),
        pytest.param("cloudwatch_log_retention=30", ("cloudwatch_log_retention", 30), id="int"),
        pytest.param("kms_key_deletion_window_in_days=7", ("kms_key_deletion_window_in_days", 7), id="int-nullable"),
        pytest.param("kms_key_deletion_window_in_days=null", ("kms_key_deletion_window_in_days", None), id="null"),
        pytest.param("create_resources=false", ("create_resources", False), id="bool-false"),
        pytest.param("force_destroy_bucket=true", ("force_destroy_bucket", True), id="bool-true"),
        pytest.param("kms_key_users=a,b", ("kms_key_users", ["a", "b"]), id="list"),
        pytest.param("kms_key_users= a , b ,", ("kms_key_users", ["a", "b"]), id="list-spaces-and-trailing-comma"),
        pytest.param("kms_key_users=", ("kms_key_users", []), id="list-empty"),
        pytest.param("custom_tags={a: b}", ("custom_tags", {"a": "b"}), id="mapping"),
        pytest.param('custom_tags={"a": "b", "c": "d"}', ("custom_tags", {"a": "b", "c": "d"}), id="mapping-json"),
        pytest.param(
            "destination_options={file_format: parquet, per_hour_partition: true}",
            ("destination_options", {"file_format": "parquet", "per_hour_partition": True}),
            id="mapping-typed-values",
        ),
    ],
)
def test_set_values_are_typed_as_the_input_expects(assignment, expected):
    # GIVEN a --set assignment WHEN it is parsed THEN the value has the input's type
    assert parse_assignment(assignment) == expected


def test_set_values_build_a_config():
    # GIVEN one assignment per kind of input
    assignments = [
        f"vpc_id={VPC}",
        "custom_tags={team: network}",
        f"kms_key_users={ROLE},arn:aws:iam::123456789012:root",
        "create_resources=false",
        "cloudwatch_log_retention=30",
    ]
    # WHEN a config is built from them
    config = config_from(None, assignments)
    # THEN each input has its typed value
    assert config.custom_tags == {"team": "network"}
    assert config.kms_key_users == (ROLE, "arn:aws:iam::123456789012:root")
    assert config.create_resources is False
    assert config.cloudwatch_log_retention == 30


@pytest.mark.parametrize(
    ("assignment", "name", "fragment"),
    [
        pytest.param("vpc_id", "--set", "vpc_id", id="no-equals"),
        pytest.param("", "--set", '""', id="empty"),
        pytest.param("vpcid=vpc-1", "--set", "vpcid", id="unknown-input"),
        pytest.param("=vpc-1", "--set", '""', id="no-name"),
        pytest.param("hive_compatible_partitions=true", "--set", "hive_compatible_partitions", id="option-not-input"),
        pytest.param("custom_tags=*tags", "custom_tags", "alias", id="alias-in-value"),
        pytest.param(
            "custom_tags={a: b",
            "custom_tags",
            "{a: b",
            id="invalid-yaml-value",
        ),
    ],
)
def test_bad_set_assignments_are_config_errors(assignment, name, fragment):
    # GIVEN a malformed --set WHEN it is parsed
    error = config_error(parse_assignment, assignment)
    # THEN the error names what is wrong
    assert error.name == name
    assert fragment in str(error)


def test_set_of_a_bad_value_names_the_input():
    error = config_error(config_from, None, [f"vpc_id={VPC}", "create_resources=maybe"])
    assert error.name == "create_resources"
    assert 'got "maybe"' in str(error)


# --- malformed files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "error_name", "fragment"), [pytest.param(*row[1:], id=row[0]) for row in MALFORMED]
)
def test_malformed_files_are_config_errors(tmp_path, name, content, error_name, fragment):
    # GIVEN a malformed config file
    path = write(tmp_path, name, content)
    # WHEN it is loaded
    error = config_error(load_config_file, path)
    # THEN a ConfigError says what is wrong
    assert error.name == error_name
    assert fragment in str(error), str(error)


def test_a_large_file_of_unknown_keys_is_rejected(tmp_path):
    # GIVEN a JSON file under the size limit with 60,000 (unknown) keys
    path = write(tmp_path, "flows.json", MANY_KEYS)
    # WHEN a config is built from it THEN it is rejected
    error = config_error(config_from, path, [])
    assert error.name == "config"


# --- bounded work: limits checked before parsing, and cost linear in the input -------------------


def _refuse_to_parse(*args, **kwargs):
    raise AssertionError("the parser was reached: the limit was not checked first")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("flows.yaml", "[" * 100_000 + "]" * 100_000, id="yaml-deeply-nested"),
        pytest.param("flows.json", "[" * 100_000 + "]" * 100_000, id="json-deeply-nested"),
        pytest.param("flows.yaml", "a: " + "{b: " * (MAX_NESTING + 1) + "1" + "}" * (MAX_NESTING + 1), id="mapping"),
        pytest.param("flows.yaml", b"#" * (MAX_CONFIG_BYTES + 1), id="over-the-size-limit"),
    ],
)
def test_size_and_depth_are_checked_before_any_parser_runs(tmp_path, monkeypatch, name, content):
    # GIVEN a file over the size or nesting limit, and parsers that fail the test if reached
    path = write(tmp_path, name, content)
    monkeypatch.setattr(parsing.yaml, "load", _refuse_to_parse)
    monkeypatch.setattr(parsing.json, "loads", _refuse_to_parse)
    # WHEN it is loaded THEN the loader's own limit refuses it first
    error = config_error(load_config_file, path)
    assert "nested over" in str(error) or "at most" in str(error)


def test_nesting_up_to_the_limit_loads():
    # GIVEN flow-style nesting exactly MAX_NESTING deep, and brackets inside strings and comments
    text = "a: " + "[" * (MAX_NESTING - 1) + "{b: '[[[[', c: \"{{{{\"}" + "]" * (MAX_NESTING - 1) + "  # [[[[[[[[\n"
    # WHEN it is parsed THEN it loads as YAML would load it
    assert parsing.parse_yaml(text) == yaml.safe_load(text)
    assert json.loads(json.dumps(parsing.parse_yaml(text))) == parsing.parse_yaml(text)


# Each hostile input, at two sizes: the second twice the first in the quantity that grows.
GROWING = [
    pytest.param("flows.json", many_keys, 15_000, id="json-many-keys"),
    pytest.param("flows.yaml", lambda n: "{" + ", ".join(f"k{i}: 0" for i in range(n)) + "}", 2_000,
                 id="yaml-many-keys"),
    pytest.param("flows.json", lambda n: f'{{"k": {{"a": 1, "a": {"1" * n}}}}}', 1_000, id="json-duplicate-late"),
    pytest.param("flows.yaml", lambda n: "cloudwatch_log_retention: " + "1" * n, 2_500, id="yaml-long-int"),
    pytest.param("flows.yaml", lambda n: "".join(f"k{i}: &a{i} [x]\n" for i in range(n)) + "z: *a0\n", 500,
                 id="yaml-anchors-then-alias"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make", "size"), GROWING)
def test_cost_grows_linearly_with_the_hostile_input(tmp_path, name, make, size):
    # GIVEN the same hostile input at size n and 2n
    small = write(tmp_path, "small-" + name, make(size))
    large = write(tmp_path, "large-" + name, make(2 * size))
    # WHEN each is loaded, counting the function calls made
    work = calls(config_from, small, []), calls(config_from, large, [])
    # THEN doubling the input at most about doubles the work (a quadratic check would quadruple it)
    assert work[1] <= 2.5 * work[0], work


@pytest.mark.parametrize(
    ("make_path", "fragment"),
    [
        pytest.param(lambda tmp: tmp / "missing.yaml", "No such file", id="missing"),
        pytest.param(lambda tmp: tmp, "Is a directory", id="directory"),
        pytest.param(lambda tmp: tmp / "missing" / "flows.yaml", "No such file", id="missing-directory"),
    ],
)
def test_unreadable_files_are_config_errors(tmp_path, make_path, fragment):
    # GIVEN a path that is no readable file
    path = make_path(tmp_path)
    # WHEN it is loaded THEN the error names --config, the path and the reason
    error = config_error(load_config_file, path)
    assert error.name == "--config"
    assert str(path) in str(error)
    assert fragment in str(error)


def test_a_file_of_exactly_the_limit_loads(tmp_path):
    # GIVEN a file of exactly MAX_CONFIG_BYTES (a comment padding a mapping)
    text = f"vpc_id: {VPC}\n#"
    path = write(tmp_path, "flows.yaml", text + "x" * (MAX_CONFIG_BYTES - len(text)))
    assert path.stat().st_size == MAX_CONFIG_BYTES
    # WHEN it is loaded THEN it loads
    assert load_config_file(path) == {"vpc_id": VPC}


@pytest.mark.parametrize(
    ("content", "error_name", "fragment"),
    [
        pytest.param(f"vpc_id: {VPC}\nvpcid: x\n", "config", "vpcid", id="unknown-input"),
        pytest.param(f"vpc_id: {VPC}\n1: x\n", "config", '1: "x"', id="non-string-key"),
        pytest.param(
            f"vpc_id: {VPC}\ncloudwatch_log_retention: '30'\n",
            "cloudwatch_log_retention",
            'flows.yaml:2: cloudwatch_log_retention: must be a whole number, got "30"',
            id="quoted-int",
        ),
        pytest.param("vpc_id: 2020-01-01\n", "vpc_id", "flows.yaml:1: vpc_id: must be a VPC ID", id="yaml-date"),
        pytest.param(f"vpc_id: {VPC}\ncreate_resources: 'no'\n", "create_resources", 'got "no"', id="quoted-bool"),
    ],
)
def test_bad_values_in_files_name_the_input(tmp_path, content, error_name, fragment):
    # GIVEN a well-formed file with a bad input
    path = write(tmp_path, "flows.yaml", content)
    # WHEN a config is built from it THEN the error names the input and the value
    error = config_error(config_from, path, [])
    assert error.name == error_name
    assert fragment in str(error)


@pytest.mark.parametrize("name", ["flows.json", "flows.yaml"])
def test_an_empty_file_of_either_kind_sets_nothing(tmp_path, name):
    # GIVEN an empty config file, JSON or YAML WHEN it is loaded THEN it sets no input
    assert load_config_file(write(tmp_path, name, "  \n")) == {}
