"""YAML through libyaml is byte for byte the YAML troposphere writes (cfn-flip's pure-Python
emitter), on every template the tests build and on the scalars that exercise each style and
line break; where libyaml is missing, or declines, the text comes from cfn-flip."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfn_flowlogs.compiler.template import build_template
from cfn_flowlogs.config.flow_logs import FlowLogsConfig
from cfn_flowlogs.config.loading import config_from
from cfn_flowlogs.output import render
from cfn_flowlogs.stacks.archive import ArchiveConfig, build_archive_template

from ..conftest import ROOT
from ..matrix import ARCHIVES, EXTRAS, matrix
from ..stacks.test_templates import literal


def every_template() -> dict[str, Any]:
    """Name -> troposphere Template: the shipped and archive templates, the matrix, EXTRAS
    (specialized and parameterized), ARCHIVES and the examples, as the tests build them."""
    templates: dict[str, Any] = {"shipped": build_template(), "archive": build_archive_template()}
    for index, config in enumerate(matrix()):
        templates[f"matrix-{index:03d}"] = build_template(FlowLogsConfig(**config))
    for index, config in enumerate(EXTRAS):
        templates[f"extras-{index}"] = build_template(FlowLogsConfig(**config))
        parameterized = FlowLogsConfig(**literal(config))  # a Parameter's default names no ${AWS::...}
        templates[f"extras-{index}-parameterized"] = build_template(parameterized, parameterized=True)
    for index, config in enumerate(ARCHIVES):
        templates[f"archive-{index}"] = build_archive_template(ArchiveConfig(**config))
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        templates[f"examples/{path.name}"] = build_template(config_from(path, []))
    for script in sorted((ROOT / "examples").glob("*.py")):
        templates[f"examples/{script.name}"] = runpy.run_path(str(script))["build"]()
    return templates


TEMPLATES = every_template()


@pytest.fixture(scope="module")
def as_json() -> dict[str, str]:
    """Each template's JSON, as `to_yaml` renders it from."""
    return {name: json.dumps(template.to_dict(), sort_keys=True) for name, template in TEMPLATES.items()}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_libyaml_writes_what_troposphere_writes(name, as_json):
    # GIVEN a template the tests build
    template = TEMPLATES[name]
    # WHEN it is rendered through libyaml, and as troposphere renders it (cfn-flip)
    fast = render.libyaml_yaml(as_json[name])
    expected = template.to_yaml()
    # THEN libyaml took it (nothing declined) and gave the same bytes
    assert fast is not None, f"{name}: libyaml declined; the fast path should cover every template"
    assert fast == expected if expected.endswith("\n") else fast == expected + "\n"
    assert render.to_yaml(template) == fast


def test_golden_yaml_files_are_what_cfn_flip_writes():
    # GIVEN the checked-in templates (make template writes them through libyaml)
    for path in sorted((ROOT / "templates").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        # THEN each is byte for byte what cfn-flip's emitter makes of its own data
        data = json.dumps(yaml_load(text), sort_keys=True)
        assert render.cfn_flip_yaml(data).rstrip("\n") == text.rstrip("\n"), path.name


def yaml_load(text: str) -> Any:
    from cfn_tools import load_yaml  # cfn-flip's loader: short-form tags back to Fn::

    return json.loads(json.dumps(load_yaml(text)))


def document(value: Any, key: str = "Value") -> str:
    """A template-shaped document holding `value` at the places that indent it differently: a
    mapping's value, a sequence's item, deep in a sequence that is a mapping's value, a tag's."""
    return json.dumps(
        {
            "Description": "scalar styles",
            "Metadata": {key: value, "Items": [value, {"Nested": [{key: value}, [value]]}]},
            "Resources": {"R": {"Properties": {"Name": {"Fn::If": ["C", value, {"Ref": "AWS::NoValue"}]}}}},
        },
        sort_keys=True,
    )


WORDS = "word another x longer-word abc:def 0123 arn:${AWS::Partition}:s3:::bucket"
LONG = " ".join([WORDS] * 4)  # past 200 columns: cfn-flip writes it folded (">-")
SCALARS = {
    "plain": "plain text",
    "empty": "",
    "a space": " ",
    "leading and trailing spaces": "  padded  ",
    "a number": "123",
    "a boolean word": "true",
    "null words": "~",
    "an account ID": "012345678901",
    "an account ID and a line break": "012345678901\n",
    "a leading zero": "0abc",
    "a comment sign": "a #b",
    "a colon and space": "key: value",
    "a dash and space": "- item",
    "document markers": "--- ...",
    "indicators": "!tag &anchor *alias |pipe >gt 'q' \"dq\" %p @a `b`",
    "a single quote": "it's",
    "a backslash": "C:\\path",
    "a tab": "a\tb",
    "control characters": "bell\x07 escape\x1b del\x7f",
    "a carriage return": "a\rb",
    "a line break": "line one\nline two",
    "a trailing line break": "text\n",
    "ten line breaks (literal block)": "\n".join(f"line {i}" for i in range(11)),
    "a literal block with a leading space": " indented\n" + "\n".join(f"line {i}" for i in range(10)),
    "a literal block keeping its newlines": "\n".join(f"line {i}" for i in range(10)) + "\n\n",
    "a literal block with blank lines": "a\n\n\nb\n" + "\n".join(f"l{i}" for i in range(9)),
    "a literal block with a long line": "\n".join([LONG] * 11),
    "a long string (folded)": LONG,
    "a long string with double spaces": LONG.replace(" ", "  ", 3),
    "a long string after a leading space": " " + LONG,
    "a long string with a quote": LONG.replace("word", "wo'rd"),
    "a long string with a line break": LONG + "\n" + LONG,
    "a long string with escapes": (LONG + "\t") * 2 + "\x07" * 30,
    "a long string of one word": "x" * 450,
    "a string just under the width": " ".join(["abcdefghi"] * 19),
    "a string starting with 0 and a line break": "0 then\na break",
    "non-ASCII": "café ☕",
}
# The scalars libyaml's path declines (cfn-flip writes them): all others it must take.
DECLINED = {"an account ID and a line break", "a string starting with 0 and a line break", "non-ASCII"}


@pytest.mark.parametrize("name", sorted(SCALARS))
def test_each_scalar_style_renders_as_cfn_flip_renders_it(name):
    # GIVEN a scalar that picks a style (plain, quoted, literal, folded) or a line break
    text = document(SCALARS[name])
    # WHEN rendered through libyaml THEN the bytes are cfn-flip's, or libyaml declined it
    fast = render.libyaml_yaml(text)
    assert (fast is None) == (name in DECLINED)
    assert render.yaml_from_json(text) == render.yaml_from_json(text, libyaml=False)


@pytest.mark.parametrize(
    "value",
    [
        {"Ref": "Name"},
        {"Condition": "IsS3"},
        {"Fn::GetAtt": ["Bucket", "Arn"]},
        {"Fn::GetAtt": "Bucket.Arn"},
        {"Fn::Sub": ["${A}-${B}", {"A": "x", "B": {"Ref": "AWS::Region"}}]},
        {"Fn::Sub": LONG},
        {"Fn::Sub": "012345678901"},
        {"Fn::GetAZs": ""},
        {"Fn::Join": ["", ["a", {"Ref": "B"}]]},
        {"Fn::Base64": "line\nbreak"},
        {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]},
        {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}},
        [],
        {},
        [[], {}, [[1]], {"a": []}],
        [1, -2, 3.5, 1e17, 0.0, True, False, None],
        {"0123": "zero key", "true": "bool key", "a b": 1, "x: y": 2, "'q'": 3, "k" * 122: "longest simple key"},
    ],
    ids=lambda value: json.dumps(value)[:40],
)
def test_tags_collections_and_keys_render_as_cfn_flip_renders_them(value):
    text = document(value)
    assert render.libyaml_yaml(text) is not None
    assert render.yaml_from_json(text) == render.yaml_from_json(text, libyaml=False)


@pytest.mark.parametrize(
    "value, why",
    [
        ({"k" * 123: 1}, "a key PyYAML writes as a complex key"),
        ({"": 1}, "an empty key"),
        ({"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": {"a": 1}}}, "JSON literal"),
        ({"Fn::GetAtt": ["Bucket", {"Ref": "Attribute"}]}, "cfn-flip fails on it: so does the fallback"),
    ],
    ids=lambda item: item if isinstance(item, str) else "",
)
def test_what_libyaml_declines_comes_from_cfn_flip(value, why):
    # GIVEN what the libyaml path does not reproduce
    text = document(value)
    # THEN it declines, and the text (or the error) is cfn-flip's
    assert render.libyaml_yaml(text) is None, why
    try:
        expected = render.cfn_flip_yaml(text)
    except TypeError:
        with pytest.raises(TypeError):
            render.yaml_from_json(text)
        return
    assert render.yaml_from_json(text) == (expected if expected.endswith("\n") else expected + "\n")


# Any JSON a template can hold: strings drawn from the characters that decide YAML's styles.
PIECES = [*"ab0 :#-'\"\\!|>{[,%@\n\t", "word ", "longer-word ", "a-much-longer-word ", "${AWS::Region}", "  "]
SHORT = st.lists(st.sampled_from(PIECES), max_size=20).map("".join)
LONG_TEXT = st.lists(st.sampled_from(PIECES), min_size=60, max_size=150).map("".join)  # where lines break
TEXT = SHORT | LONG_TEXT
KEYS = st.text(st.sampled_from(list("abK0 :'-")), min_size=1, max_size=30)
SCALAR = TEXT | st.integers() | st.booleans() | st.none() | st.sampled_from([0.5, 1e17, -2.0])
TEXT_TAGS = st.sampled_from(["Ref", "Condition", "Fn::Sub", "Fn::GetAtt", "Fn::Base64"])  # of a string
TAGS = st.sampled_from(["Fn::If", "Fn::Join", "Fn::Sub", "Fn::Transform"])  # of a list or a mapping
VALUES = st.recursive(
    SCALAR | st.builds(lambda tag, value: {tag: value}, TEXT_TAGS, TEXT),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(KEYS, inner, max_size=4)
        | st.builds(lambda tag, value: {tag: value}, TAGS, st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner))
    ),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS.map("Root".__add__), VALUES, min_size=1, max_size=4))
def test_any_json_renders_as_cfn_flip_renders_it(data):
    # GIVEN any JSON document WHEN cfn-flip can render it THEN libyaml's text is the same
    text = json.dumps(data, sort_keys=True)
    try:
        expected = render.cfn_flip_yaml(text)
    except TypeError:  # a tag on a value cfn-flip cannot write (!Ref 5): libyaml's path declines
        assert render.libyaml_yaml(text) is None
        return
    fast = render.libyaml_yaml(text)
    if fast is not None:
        assert fast == (expected if expected.endswith("\n") else expected + "\n")


def test_without_libyaml_the_text_comes_from_cfn_flip(monkeypatch):
    # GIVEN PyYAML without its C emitter (forced)
    template = TEMPLATES["examples/s3.yaml"]
    fast = render.to_yaml(template)
    monkeypatch.setattr(render, "LIBYAML", False)
    # WHEN rendered THEN the libyaml path declines and cfn-flip gives the same bytes
    assert render.libyaml_yaml(json.dumps(template.to_dict(), sort_keys=True)) is None
    assert render.to_yaml(template) == fast


def test_a_pyyaml_built_without_libyaml_writes_the_same_files(tmp_path):
    # GIVEN a fresh interpreter in which PyYAML's C extension cannot be imported
    probe = (
        "import sys; sys.modules['yaml._yaml'] = None\n"
        "import yaml; assert not yaml.__with_libyaml__\n"
        "from cfn_flowlogs.output import render; assert not render.LIBYAML\n"
        "from cfn_flowlogs import config_from, build_template\n"
        "sys.stdout.write(render.to_yaml(build_template(config_from(sys.argv[1], []))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(ROOT / "examples/s3.yaml")], capture_output=True, text=True, check=False
    )
    # THEN it renders the golden file byte for byte, through cfn-flip
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "templates/examples/s3.yaml").read_text(encoding="utf-8")


def test_write_atomic_keeps_the_mode_and_leaves_nothing_behind(tmp_path):
    # GIVEN an existing file with its own permissions
    target = tmp_path / "flow-logs.yaml"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    # WHEN it is written without force THEN it is refused and kept
    with pytest.raises(FileExistsError, match="give --force to overwrite it"):
        render.write_atomic(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old"
    # WHEN it is replaced THEN the text is new, the mode kept, and no temporary file is left
    render.write_atomic(target, "new\n", force=True)
    assert target.read_text(encoding="utf-8") == "new\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["flow-logs.yaml"]
    # WHEN the write fails THEN the error is raised and nothing is left behind either
    with pytest.raises(AttributeError):
        render.write_atomic(tmp_path / "other.yaml", None)  # type: ignore[arg-type]
    assert [p.name for p in tmp_path.iterdir()] == ["flow-logs.yaml"]
