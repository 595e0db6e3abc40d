"""A Mermaid flowchart of a built template: one more renderer beside YAML and JSON. Pure.

Read from the template itself (its JSON data), never from a config, so the picture cannot drift
from what CloudFormation deploys: every resource by logical ID and type, grouped by family, and
an arrow `A --> B` for each resource A that refers to resource B (Ref, Fn::GetAtt, `${B}` or
`${B.Attr}` inside Fn::Sub, DependsOn, and the Refs a flow log's Metadata carries as
dependencies), labelled with how. Dashed: a resource under a Condition, or a reference that holds
only under Fn::If.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

# Resource type (prefix) -> family; the first match wins.
FAMILY_BY_TYPE: Final = (
    ("AWS::EC2::FlowLog", "delivery"),
    ("AWS::IAM::", "delivery"),
    ("AWS::CloudFormation::WaitConditionHandle", "delivery"),  # the placeholder of a stack that creates nothing
    ("AWS::KMS::", "encryption"),
    ("AWS::Logs::QueryDefinition", "query"),
    ("AWS::Glue::", "query"),
    ("AWS::Athena::", "query"),
    ("AWS::Logs::", "storage"),
    ("AWS::S3::", "storage"),
    ("AWS::Lambda::", "storage"),  # the function that empties the bucket
    ("Custom::", "storage"),
    ("AWS::CloudFormation::CustomResource", "storage"),
    ("AWS::EC2::", "network"),
)
FAMILIES: Final = ("delivery", "encryption", "storage", "query", "network", "other")
_HELPERS: Final = ("AWS::IAM::Role",)  # drawn with what uses them: the emptier's role with the bucket
_POLICIES: Final = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")  # drawn with the roles they attach to
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")
_MERMAID_KEYWORDS: Final = frozenset({"end", "graph", "subgraph", "flowchart", "style", "class", "classDef", "click"})


@dataclass
class _Reference:
    kinds: set[str] = field(default_factory=set)
    always: bool = False  # some occurrence holds outside any Fn::If


def to_mermaid(template: Any) -> str:
    """The Mermaid `flowchart` of `template` (a troposphere Template or its JSON data)."""
    data = json.loads(template.to_json()) if hasattr(template, "to_json") else template
    resources: Mapping[str, Any] = data.get("Resources") or {}
    references = {source: _references(source, resource, resources) for source, resource in sorted(resources.items())}
    families = _families(resources, references)
    lines = [
        "flowchart LR",
        "  %% A --> B: A refers to B (Ref, GetAtt, Sub, DependsOn); dashed: under a Condition or Fn::If",
    ]
    for family in FAMILIES:
        members = [logical_id for logical_id in sorted(resources) if families[logical_id] == family]
        if not members:
            continue
        lines.append(f'  subgraph family_{family} ["{family}"]')
        lines += [f"    {_node(logical_id, resources[logical_id])}" for logical_id in members]
        lines.append("  end")
    for source, targets in references.items():
        for target, reference in sorted(targets.items()):
            arrow = "-->" if reference.always else "-.->"
            label = ", ".join(sorted(reference.kinds))
            lines.append(f'  {_id(source)} {arrow}|"{label}"| {_id(target)}')
    conditional = [_id(logical_id) for logical_id in sorted(resources) if "Condition" in resources[logical_id]]
    if conditional:
        lines.append("  classDef conditional stroke-dasharray: 5 5")
        lines.append(f"  class {','.join(conditional)} conditional")
    return "\n".join(lines) + "\n"


def _node(logical_id: str, resource: Mapping[str, Any]) -> str:
    label = f"{logical_id}<br/>{resource.get('Type', '?')}"
    if "Condition" in resource:
        label += f"<br/>if {resource['Condition']}"
    return f'{_id(logical_id)}["{_escape(label)}"]'


def _id(logical_id: str) -> str:
    """The Mermaid node ID: the logical ID, unless that is one of Mermaid's keywords."""
    return f"{logical_id}_" if logical_id in _MERMAID_KEYWORDS else logical_id


def _escape(text: str) -> str:
    return text.replace('"', "#quot;")


def _family_of_type(resource_type: str) -> str:
    return next((family for prefix, family in FAMILY_BY_TYPE if resource_type.startswith(prefix)), "other")


def _families(resources: Mapping[str, Any], references: Mapping[str, Mapping[str, _Reference]]) -> dict[str, str]:
    """Each resource's family: by type, but a role joins the one family that uses it (the
    emptier's role is storage), and a policy joins the family of the roles it attaches to."""
    types = {logical_id: str(resource.get("Type", "")) for logical_id, resource in resources.items()}
    families = {logical_id: _family_of_type(resource_type) for logical_id, resource_type in types.items()}
    for logical_id, resource_type in types.items():
        if resource_type in _HELPERS:
            users = {
                families[source]
                for source, targets in references.items()
                if logical_id in targets and not types[source].startswith("AWS::IAM::")
            }
            if len(users) == 1:
                families[logical_id] = users.pop()
    for logical_id, resource_type in types.items():
        if resource_type in _POLICIES:
            roles = {families[target] for target in references[logical_id] if types[target] in _HELPERS}
            if len(roles) == 1:
                families[logical_id] = roles.pop()
    return families


def _references(source: str, resource: Mapping[str, Any], resources: Mapping[str, Any]) -> dict[str, _Reference]:
    """Target -> how `source` refers to it, over its Properties, DependsOn and Metadata."""
    found: dict[str, _Reference] = {}

    def add(target: str, kind: str, always: bool) -> None:
        if target in resources and target != source:
            reference = found.setdefault(target, _Reference())
            reference.kinds.add(kind)
            reference.always = reference.always or always

    depends_on = resource.get("DependsOn", [])
    for target in [depends_on] if isinstance(depends_on, str) else depends_on:
        add(target, "DependsOn", True)
    for target, kind, always in _walk(resource.get("Properties", {}), True):
        add(target, kind, always)
    metadata = resource.get("Metadata", {})
    if isinstance(metadata, Mapping):
        for key, value in metadata.items():
            for target, kind, always in _walk(value, True):
                add(target, "DependsOn" if key == "DependsOn" else f"Metadata {kind}", always)
    return found


def _walk(value: Any, always: bool) -> Iterator[tuple[str, str, bool]]:
    """(target, kind, outside any Fn::If) for each reference in `value`."""
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, always)
        return
    if not isinstance(value, Mapping):
        return
    if len(value) == 1:
        (function, argument), *_ = value.items()
        if function == "Ref" and isinstance(argument, str):
            yield argument, "Ref", always
            return
        if function == "Fn::GetAtt":
            name, _, attribute = (
                argument.partition(".") if isinstance(argument, str) else (argument[0], "", argument[1])
            )
            yield name, f"GetAtt {attribute}", always
            return
        if function == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else argument
            yield from _sub_references(text, variables, always)
            yield from _walk(list(variables.values()), always)
            return
        if function == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
            yield from _walk(argument[1:], False)
            return
    for item in value.values():
        yield from _walk(item, always)


def _sub_references(text: str, variables: Mapping[str, Any], always: bool) -> Iterator[tuple[str, str, bool]]:
    for match in _SUB_VARIABLE.finditer(text):
        name = match.group(1)
        if name in variables or name.startswith("AWS::"):
            continue
        logical_id, dot, attribute = name.partition(".")
        yield logical_id, (f"GetAtt {attribute}" if dot else "Ref"), always
