"""The guard against what moto's CloudFormation skips: a resource type it does not model fails the
deploy unless moto_fixes/skipped.py lists it, with an existing test that covers it statically;
and each listed type is one that moto still skips."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .endpoint import ACCOUNT, BIN, REGION, Aws, check_skipped_resources, skipped_resources
from .moto_fixes import STILL_SKIPPED

ROOT = Path(__file__).resolve().parents[2]
UNMODELLED = "AWS::SomeService::Thing"  # no such type: moto has no model of it


def write(directory: Path, resources: dict[str, Any]) -> Path:
    template = directory / "template.json"
    template.write_text(json.dumps({"Resources": resources}), encoding="utf-8")
    return template


def test_a_skipped_type_not_listed_fails_the_deploy(aws: Aws, tmp_path: Path):
    # GIVEN a template with a resource of a type moto does not model, beside one it does
    template = write(tmp_path, {"Thing": {"Type": UNMODELLED, "Properties": {"Size": 1}},
                                "Group": {"Type": "AWS::Logs::LogGroup"}})  # fmt: skip
    assert UNMODELLED not in STILL_SKIPPED
    # WHEN it is deployed THEN the deploy fails, naming the resource, its stack and account
    with pytest.raises(AssertionError, match=rf"{UNMODELLED} Thing of stack skips-unlisted \({ACCOUNT}, {REGION}\)"):
        aws.deploy("skips-unlisted", template)
    # though moto reported the stack complete, without the resource (the defect guarded against)
    assert aws.stack("skips-unlisted")["StackStatus"] == "CREATE_COMPLETE"
    assert aws.logical_ids("skips-unlisted") == {"Group"}
    # AND the skip is reported once: the next check (this test's own, after it) finds nothing new
    check_skipped_resources(aws.endpoint)


def test_a_skip_outside_the_aws_helper_fails_the_check(aws: Aws, tmp_path: Path):
    # GIVEN a stack created by `aws` as a program (as a README block or script does), which the
    # Aws helper does not see
    template = write(tmp_path, {"Thing": {"Type": UNMODELLED}})
    subprocess.run(
        [str(BIN / "aws"), "cloudformation", "create-stack", "--stack-name", "skips-by-script",
         "--template-body", f"file://{template}"],
        env=aws.env, check=True, capture_output=True,
    )  # fmt: skip
    # WHEN the endpoint's record is checked (after every test, and before the server stops)
    # THEN the skip fails it
    with pytest.raises(AssertionError, match=f"{UNMODELLED} Thing of stack skips-by-script"):
        check_skipped_resources(aws.endpoint)


# A resource of each listed type, and what it needs, for the endpoint to skip.
LISTED: dict[str, dict[str, Any]] = {
    "AWS::S3::BucketPolicy": {
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Policy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": {"Version": "2012-10-17", "Statement": []}},
        },
    },
    "AWS::CloudFormation::WaitConditionHandle": {"Placeholder": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
}


def test_each_listed_type_is_still_skipped_and_deploys(aws: Aws, tmp_path: Path):
    # GIVEN a resource of each type the list names
    assert set(LISTED) == set(STILL_SKIPPED), "give LISTED a resource of each type STILL_SKIPPED names"
    template = write(tmp_path, {name: r for resources in LISTED.values() for name, r in resources.items()})
    # WHEN deployed THEN the deploy passes the guard
    before = len(skipped_resources(aws.endpoint))
    assert aws.deploy("skips-listed", template)["StackStatus"] == "CREATE_COMPLETE"
    # AND the endpoint skipped each of them: a type moto now creates (or a fix models) leaves the list
    skipped = skipped_resources(aws.endpoint)[before:]
    assert {(s["Type"], s["StackName"]) for s in skipped} == {(type_, "skips-listed") for type_ in STILL_SKIPPED}


@pytest.mark.parametrize("type_", sorted(STILL_SKIPPED), ids=lambda type_: type_.replace("::", "-"))
def test_each_listed_type_names_a_test_that_exists(type_: str):
    # GIVEN the test the list names for a type (a pytest node ID: file::function, or
    # file::Class::method)
    path, *names = STILL_SKIPPED[type_].split("::")
    # THEN the file is a test file of the suite, and defines that test
    assert path.startswith("tests/") and Path(path).name.startswith("test_"), STILL_SKIPPED[type_]
    source = (ROOT / path).read_text(encoding="utf-8")
    tree = ast.parse(source)
    scope: list[ast.stmt] = tree.body
    found: ast.AST = tree
    for name in names:
        (found,) = [node for node in scope if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name]
        scope = found.body
    assert names and names[-1].startswith("test"), STILL_SKIPPED[type_]
    # AND that test speaks of the type, so that the entry is no stale pointer
    assert type_ in (ast.get_source_segment(source, found) or ""), STILL_SKIPPED[type_]
