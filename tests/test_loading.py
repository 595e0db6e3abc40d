"""Config files (YAML, JSON) and `--set name=value`: typed values, and ConfigError, fast, for anything bad."""

from __future__ import annotations

import signal
from contextlib import contextmanager

import pytest

from cfn_flowlogs import ConfigError
from cfn_flowlogs.loading import MAX_CONFIG_BYTES, config_from, load_config_file, parse_assignment

VPC = "vpc-0123456789abcdef0"
ROLE = "arn:aws:iam::123456789012:role/Auditor"
DEADLINE = 1.0  # seconds any load may take; the slowest good row needs a few milliseconds


@contextmanager
def deadline(seconds=DEADLINE):
    """Fail (with TimeoutError) whatever runs longer than `seconds` in the block."""

    def expired(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def config_error(load, *args):
    """The ConfigError `load(*args)` raises within the deadline; any other outcome fails the test."""
    try:
        with deadline():
            result = load(*args)
    except ConfigError as error:
        return error
    except BaseException as error:  # a crash, a RecursionError or the deadline: all bugs
        pytest.fail(f"raised {type(error).__name__}: {str(error)[:200]} (expected ConfigError)", pytrace=False)
    pytest.fail(f"accepted: {str(result)[:200]}")


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
        pytest.param("", "--set", "''", id="empty"),
        pytest.param("vpcid=vpc-1", "--set", "vpcid", id="unknown-input"),
        pytest.param("=vpc-1", "--set", "''", id="no-name"),
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
    assert "'maybe'" in str(error)


# --- malformed files -------------------------------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""
MANY_KEYS = "{" + ",".join(f'"k{i}": 0' for i in range(60_000)) + "}"  # ~700 kB


@pytest.mark.parametrize(
    ("name", "content", "error_name", "fragment"),
    [
        pytest.param("flows.yaml", f"vpc_id: [{VPC}\n", "config", "invalid YAML at line", id="yaml-unclosed-flow"),
        pytest.param("flows.yaml", "custom_tags:\n  a: b\n c: d\n", "config", "at line 3", id="yaml-bad-indent"),
        pytest.param("flows.yaml", "vpc_id: a: b\n", "config", "invalid YAML at line 1", id="yaml-nested-colon"),
        pytest.param("flows.yaml", "vpc_id: 'open\n", "config", "invalid YAML", id="yaml-unclosed-quote"),
        pytest.param("flows.yaml", "\tvpc_id: x\n", "config", "invalid YAML", id="yaml-tab-indent"),
        pytest.param("flows.yaml", BILLION_LAUGHS, "config", "alias *a", id="yaml-billion-laughs"),
        pytest.param("flows.yaml", "base: &b {x: 1}\nother:\n  <<: *b\n", "config", "alias *b", id="yaml-merge-key"),
        pytest.param("flows.yaml", f"vpc_id: {VPC}\nvpc_id: {VPC}\n", "config", "vpc_id", id="yaml-duplicate-keys"),
        pytest.param(
            "flows.yaml", "custom_tags:\n  team: a\n  team: b\n", "config", "team", id="yaml-nested-duplicate-keys"
        ),
        pytest.param(
            "flows.yaml", "!!python/object/apply:os.system ['true']\n", "config", "invalid YAML", id="yaml-python-tag"
        ),
        pytest.param("flows.yaml", "? [a, b]\n: 1\n", "config", "unhashable keys", id="yaml-unhashable-key"),
        pytest.param("flows.yaml", "\x00vpc_id: x\n", "config", "invalid YAML", id="yaml-control-char"),
        pytest.param(
            "flows.json", f'{{"vpc_id": "{VPC}", "vpc_id": "{VPC}"}}', "config", "vpc_id", id="json-duplicate-keys"
        ),
        pytest.param("flows.json", '{"a": {"b": 1, "b": 2}}', "config", "'b'", id="json-nested-duplicate-keys"),
        pytest.param("flows.json", '{"vpc_id": "x",}', "config", "invalid JSON at line 1", id="json-trailing-comma"),
        pytest.param("flows.json", "vpc_id: x\n", "config", "invalid JSON", id="json-that-is-yaml"),
        pytest.param("flows.json", "\ufeff{}", "config", "invalid JSON", id="json-bom"),
        pytest.param("flows.yaml", f"- vpc_id: {VPC}\n", "config", "'list'", id="yaml-list"),
        pytest.param("flows.yaml", "just a string\n", "config", "'str'", id="yaml-scalar"),
        pytest.param("flows.yaml", "42\n", "config", "'int'", id="yaml-number"),
        pytest.param("flows.json", f'["{VPC}"]', "config", "'list'", id="json-list"),
        pytest.param("flows.json", '"vpc"', "config", "'str'", id="json-scalar"),
        pytest.param("flows.yaml", "vpc_id: caf\xe9\n".encode("latin-1"), "--config", "flows.yaml", id="not-utf8"),
        pytest.param("flows.json", b"\xff\xfe{\x00}\x00", "--config", "flows.json", id="utf16"),
        pytest.param("flows.yaml", b"#" * (MAX_CONFIG_BYTES + 1), "--config", "flows.yaml", id="over-1mb"),
        pytest.param(
            "flows.yaml",
            "[" * 100_000 + "]" * 100_000,
            "config",
            "YAML",
            id="yaml-deeply-nested",
        ),
        pytest.param(
            "flows.json",
            "[" * 100_000 + "]" * 100_000,
            "config",
            "JSON",
            id="json-deeply-nested",
        ),
        pytest.param(
            "flows.yaml",
            "cloudwatch_log_retention: " + "1" * 5000,
            "config",
            "YAML",
            id="yaml-huge-int",
        ),
        pytest.param(
            "flows.json",
            '{"cloudwatch_log_retention": ' + "1" * 5000 + "}",
            "config",
            "JSON",
            id="json-huge-int",
        ),
    ],
)
def test_malformed_files_are_config_errors_quickly(tmp_path, name, content, error_name, fragment):
    # GIVEN a malformed config file
    path = write(tmp_path, name, content)
    # WHEN it is loaded
    error = config_error(load_config_file, path)
    # THEN a ConfigError, within the deadline, says what is wrong
    assert error.name == error_name
    assert fragment in str(error), str(error)


def test_a_large_file_of_unknown_keys_is_rejected_quickly(tmp_path):
    # GIVEN a JSON file under the size limit with very many (unknown) keys
    path = write(tmp_path, "flows.json", MANY_KEYS)
    # WHEN a config is built from it THEN it is rejected within the deadline
    error = config_error(config_from, path, [])
    assert error.name == "config"


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
        pytest.param(f"vpc_id: {VPC}\n1: x\n", "config", "1: 'x'", id="non-string-key"),
        pytest.param(
            f"vpc_id: {VPC}\ncloudwatch_log_retention: '30'\n", "cloudwatch_log_retention", "'30'", id="quoted-int"
        ),
        pytest.param("vpc_id: 2020-01-01\n", "vpc_id", "datetime.date", id="yaml-date"),
        pytest.param(f"vpc_id: {VPC}\ncreate_resources: 'no'\n", "create_resources", "'no'", id="quoted-bool"),
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
