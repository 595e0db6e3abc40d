"""`cfn-flowlogs diagram` and `to_mermaid`: every resource once, in its family, one arrow per pair of
resources that refer to each other, read from the built template; stable text; the CLI."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from cfn_flowlogs import FlowLogsConfig, build_template
from cfn_flowlogs.config.loading import config_from
from cfn_flowlogs.output.diagram import FAMILIES, to_mermaid

from ..conftest import ROOT, rendered
from ..conftest import run_cli as run

VPC = "vpc-0123456789abcdef0"
FIREHOSE = "arn:${AWS::Partition}:firehose:${AWS::Region}:${AWS::AccountId}:deliverystream/flow-logs"
NODE = re.compile(r'^    (\w+)\["(\w+)<br/>([\w:]+)(?:<br/>if (\w+))?"\]$')
EDGE = re.compile(r'^  (\w+) (-->|-\.->)\|"([^"]+)"\| (\w+)$')
SUBGRAPH = re.compile(r'^  subgraph family_(\w+) \["(\w+)"\]$')


def parsed(text: str) -> dict[str, Any]:
    """The diagram's nodes (id -> family, type, condition) and edges ((a, b) -> (label, solid))."""
    nodes: dict[str, tuple[str, str, str | None]] = {}
    edges: dict[tuple[str, str], tuple[str, bool]] = {}
    family = None
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    for line in lines[1:]:
        if match := SUBGRAPH.match(line):
            family = match.group(1)
            assert match.group(2) == family
        elif line == "  end":
            family = None
        elif match := NODE.match(line):
            node_id, logical_id, resource_type, condition = match.groups()
            assert node_id == logical_id and node_id not in nodes and family
            nodes[node_id] = (family, resource_type, condition)
        elif match := EDGE.match(line):
            source, arrow, label, target = match.groups()
            assert (source, target) not in edges, f"two arrows {source} -> {target}"
            edges[(source, target)] = (label, arrow == "-->")
        else:
            assert line.startswith(("  %%", "  classDef ", "  class ")), f"unexpected line {line!r}"
    return {"nodes": nodes, "edges": edges}


def solid(label: str) -> tuple[str, bool]:
    return label, True


def referring_pairs(template: dict[str, Any]) -> set[tuple[str, str]]:
    """(A, B) for each resource A whose JSON text names resource B as CloudFormation reads a
    reference: {"Ref": "B"}, "Fn::GetAtt": ["B", ...], ${B} or ${B.x} in a Sub, or DependsOn.
    A test oracle by text search, independent of the renderer's walk."""
    resources = template["Resources"]
    pairs = set()
    for source, resource in resources.items():
        text = json.dumps(resource)
        depends_on = resource.get("DependsOn", [])
        for target in resources:
            if target == source:
                continue
            patterns = [
                f'{{"Ref": "{target}"}}',
                f'"Fn::GetAtt": ["{target}", ',
                f'"Fn::GetAtt": "{target}.',
                "${" + target + "}",
                "${" + target + ".",
            ]
            if any(p in text for p in patterns) or target in (
                [depends_on] if isinstance(depends_on, str) else depends_on
            ):
                pairs.add((source, target))
    return pairs


S3_FORCE_DESTROY = {
    "subnet_id": "subnet-0123456789abcdef0",
    "log_destination_type": "s3",
    "s3_subfolder": "flow-logs",
    "force_destroy_bucket": True,
}
CASES = [
    pytest.param(
        S3_FORCE_DESTROY,
        {
            "FlowLog": "delivery",
            "FlowLogsKey": "encryption",
            "FlowLogsKeyAlias": "encryption",
            "FlowLogsBucket": "storage",
            "FlowLogsBucketPolicy": "storage",
            "EmptyBucketFunction": "storage",
            "EmptyBucketRole": "storage",  # the emptier's role is drawn with what it empties
            "EmptyBucketOnDelete": "storage",
        },
        {
            ("EmptyBucketFunction", "EmptyBucketRole"): solid("GetAtt Arn"),
            ("EmptyBucketOnDelete", "EmptyBucketFunction"): solid("GetAtt Arn"),
            ("EmptyBucketOnDelete", "FlowLogsBucket"): solid("Ref"),
            ("EmptyBucketRole", "FlowLogsBucket"): solid("GetAtt Arn"),
            ("FlowLog", "EmptyBucketOnDelete"): solid("DependsOn"),
            ("FlowLog", "FlowLogsBucket"): solid("GetAtt Arn"),  # inside the Fn::Sub of LogDestination
            ("FlowLog", "FlowLogsBucketPolicy"): solid("DependsOn"),
            ("FlowLogsBucket", "FlowLogsKey"): solid("GetAtt Arn"),
            ("FlowLogsBucketPolicy", "FlowLogsBucket"): solid("GetAtt Arn, Ref"),
            ("FlowLogsKeyAlias", "FlowLogsKey"): solid("Ref"),
        },
        id="s3-force-destroy",
    ),
    pytest.param(
        {"vpc_id": VPC},
        {
            "FlowLog": "delivery",
            "FlowLogsRole": "delivery",
            "FlowLogsRolePolicy": "delivery",
            "FlowLogsKey": "encryption",
            "FlowLogsKeyAlias": "encryption",
            "FlowLogsLogGroup": "storage",
        },
        {
            ("FlowLog", "FlowLogsLogGroup"): solid("Ref"),
            ("FlowLog", "FlowLogsRole"): solid("GetAtt Arn"),
            ("FlowLogsKeyAlias", "FlowLogsKey"): solid("Ref"),
            ("FlowLogsLogGroup", "FlowLogsKey"): solid("GetAtt Arn"),
            ("FlowLogsRole", "FlowLogsRolePolicy"): solid("Ref"),
            ("FlowLogsRolePolicy", "FlowLogsLogGroup"): solid("GetAtt Arn"),
            # no arrow from the key to the log group: its policy names the group by a Sub of its name
        },
        id="cloudwatch-logs",
    ),
    pytest.param(
        {"vpc_id": VPC, "log_destination_type": "kinesis-data-firehose", "kinesis_firehose_arn": FIREHOSE},
        {"FlowLog": "delivery"},
        {},
        id="firehose",
    ),
    pytest.param(
        {
            "vpc_id": VPC,
            "log_destination_type": "kinesis-data-firehose",
            "kinesis_firehose_arn": FIREHOSE,
            "deliver_cross_account_role": "arn:aws:iam::222233334444:role/AWSLogDeliveryFirehoseCrossAccountRole-x",
        },
        {"FlowLog": "delivery", "FirehoseSourceRole": "delivery", "FirehoseSourceRolePolicy": "delivery"},
        {
            ("FirehoseSourceRolePolicy", "FirehoseSourceRole"): solid("GetAtt Arn, Ref"),
            ("FlowLog", "FirehoseSourceRole"): solid("GetAtt Arn"),
            ("FlowLog", "FirehoseSourceRolePolicy"): solid("DependsOn"),
        },
        id="firehose-across-accounts",
    ),
]


@pytest.mark.parametrize(("config", "families", "edges"), CASES)
def test_every_resource_once_in_its_family_and_one_arrow_per_reference(config, families, edges):
    # GIVEN the template a config compiles to (`families` and `edges`: what it holds at least)
    template = rendered(FlowLogsConfig(**config))
    # WHEN it is drawn
    diagram = parsed(to_mermaid(template))
    # THEN every resource appears once, by logical ID and type, in its family
    assert set(diagram["nodes"]) == set(template["Resources"])
    assert {node: family for node, (family, _, _) in diagram["nodes"].items() if node in families} == families
    assert {family for family, _, _ in diagram["nodes"].values()} <= set(FAMILIES)
    assert {node: kind for node, (_, kind, _) in diagram["nodes"].items()} == {
        logical_id: resource["Type"] for logical_id, resource in template["Resources"].items()
    }
    # AND there is exactly one arrow for each pair of resources where one refers to the other
    assert set(diagram["edges"]) == referring_pairs(template)
    # AND the arrows between these resources are labelled with how, solid when unconditional
    assert {pair: edge for pair, edge in diagram["edges"].items() if set(pair) <= set(families)} == edges


def test_the_shipped_template_marks_conditional_resources_and_references():
    # GIVEN the shipped template, whose every resource is under a Condition
    template = rendered()
    text = to_mermaid(template)
    diagram = parsed(text)
    # THEN each node names its Condition and the conditional class holds them all
    assert {node: condition for node, (_, _, condition) in diagram["nodes"].items()} == {
        logical_id: resource.get("Condition") for logical_id, resource in template["Resources"].items()
    }
    (classes,) = [line for line in text.splitlines() if line.startswith("  class ")]
    assert set(classes.split()[1].split(",")) == {
        logical_id for logical_id, resource in template["Resources"].items() if "Condition" in resource
    }
    # AND the flow log's dependencies carried in its Metadata under Fn::If are dashed DependsOn arrows
    metadata = template["Resources"]["FlowLog"]["Metadata"]["DependsOn"]
    for carried in metadata.values():
        target = carried["Fn::If"][1]["Ref"]
        assert diagram["edges"][("FlowLog", target)] == ("DependsOn", False)
    # AND a reference outside any Fn::If stays solid
    assert diagram["edges"][("FlowLogsKeyAlias", "FlowLogsKey")] == ("Ref", True)


def test_the_same_template_gives_the_same_text_from_troposphere_or_json():
    config = config_from(ROOT / "examples/s3.yaml", [])
    first, second = to_mermaid(build_template(config)), to_mermaid(build_template(config))
    assert first == second
    assert first == to_mermaid(rendered(config))
    assert first.endswith("\n") and not first.endswith("\n\n")


SYNTHETIC: dict[str, Any] = {
    "Parameters": {"Name": {"Type": "String"}},
    "Conditions": {"Maybe": {"Fn::Equals": [{"Ref": "Name"}, "x"]}},
    "Resources": {
        "Database": {"Type": "AWS::Glue::Database", "Properties": {"DatabaseInput": {"Name": {"Ref": "Name"}}}},
        "Table": {
            "Type": "AWS::Glue::Table",
            "Properties": {
                "DatabaseName": {"Ref": "Database"},
                "Location": {"Fn::Sub": "s3://${Bucket}/${!Literal}/${AWS::Region}/${Database}"},
                "Self": {"Ref": "Table"},
            },
        },
        "WorkGroup": {
            "Type": "AWS::Athena::WorkGroup",
            "Condition": "Maybe",
            "Properties": {
                "Output": {"Fn::Sub": ["${Where}/${Bucket.Arn}", {"Where": {"Fn::GetAtt": "Bucket.DomainName"}}]},
            },
        },
        "Query": {
            "Type": "AWS::Logs::QueryDefinition",
            "DependsOn": "Table",
            "Properties": {"LogGroupNames": [{"Fn::If": ["Maybe", {"Ref": "WorkGroup"}, {"Ref": "AWS::NoValue"}]}]},
        },
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "end": {"Type": "AWS::SNS::Topic", "Metadata": {"Note": {"Ref": "Bucket"}}},
    },
}


def test_query_resources_sub_references_and_odd_names():
    # GIVEN a template with query resources, Sub references in both forms, an escaped ${!...},
    # a pseudo parameter, a Parameter, a self reference, and a logical ID that is a Mermaid keyword
    text = to_mermaid(SYNTHETIC)
    # THEN the query types form their family, unknown types are "other"
    assert "subgraph family_query" in text
    assert '    WorkGroup["WorkGroup<br/>AWS::Athena::WorkGroup<br/>if Maybe"]' in text
    assert '    end_["end<br/>AWS::SNS::Topic"]' in text  # Mermaid's keyword, renamed as a node ID only
    lines = [EDGE.match(line) for line in text.splitlines()]
    edges = {(m.group(1), m.group(4)): (m.group(3), m.group(2) == "-->") for m in lines if m}
    # AND each reference between resources is one arrow; Parameters, pseudo parameters, ${!x} and self are none
    assert edges == {
        ("Table", "Database"): ("Ref", True),
        ("Table", "Bucket"): ("Ref", True),
        ("WorkGroup", "Bucket"): ("GetAtt Arn, GetAtt DomainName", True),
        ("Query", "Table"): ("DependsOn", True),
        ("Query", "WorkGroup"): ("Ref", False),
        ("end_", "Bucket"): ("Metadata Ref", True),
    }


# --- the command ---------------------------------------------------------------------------------


def test_diagram_without_config_draws_the_shipped_template(capsys, shipped):
    code, out, err = run(capsys, "diagram")
    assert (code, err) == (0, "")
    assert out == to_mermaid(shipped)


def test_diagram_of_a_config_to_stdout_and_to_a_file(capsys, tmp_path):
    example = str(ROOT / "examples/cloudwatch-logs.yaml")
    code, out, err = run(capsys, "diagram", "--config", example, "--set", "traffic_type=REJECT")
    assert (code, err) == (0, "")
    assert out == to_mermaid(build_template(config_from(example, ["traffic_type=REJECT"])))
    target = tmp_path / "flow-logs.mmd"
    code, printed, err = run(capsys, "diagram", "--config", example, "--set", "traffic_type=REJECT", "-o", str(target))
    assert (code, printed, err) == (0, "", f"cfn-flowlogs: wrote {target} ({len(out.encode())} bytes)\n")
    assert target.read_text(encoding="utf-8") == out


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        pytest.param(["--set", "vpc_id=vpc-1"], "vpc_id", id="bad-vpc-id"),
        pytest.param(["--set", "vpcid=vpc-0123456789abcdef0"], "vpcid", id="unknown-input"),
        pytest.param(["--config", "/nonexistent/flows.yaml"], "--config", id="missing-config"),
        pytest.param(["--format", "svg"], "--format", id="unknown-option"),
    ],
)
def test_diagram_bad_input_is_one_line_exit_2_and_nothing_written(capsys, tmp_path, argv, name):
    target = tmp_path / "flow-logs.mmd"
    code, out, err = run(capsys, "diagram", *argv, "-o", str(target))
    assert code == 2
    assert out == ""
    assert err.startswith("cfn-flowlogs: error:") and len(err.splitlines()) == 1
    assert name in err
    assert not target.exists()


def test_the_docs_show_the_diagram_of_the_s3_example():
    page = (ROOT / "docs/concepts.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- diagram:start[^\n]*-->\n```mermaid\n(.*?)```\n<!-- diagram:end -->", page, flags=re.S)
    assert block, "docs/concepts.md lacks the generated diagram"
    assert block.group(1) == to_mermaid(build_template(config_from(ROOT / "examples/s3.yaml", [])))
