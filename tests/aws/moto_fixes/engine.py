"""Defects of moto's CloudFormation engine: how it reads templates, resolves Conditions,
Parameters and Outputs, executes change sets and updates, and nests stacks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import yaml
from moto.cloudformation import models, parsing, responses
from moto.utilities.utils import get_partition

from .patching import original, replace


def _read_short_form(tag: str, read: Callable[[Any, Any], Any]) -> None:
    """Read the YAML short form `tag` with `read(loader, node)` in place of moto's reading."""
    constructor_original = models.yaml_tag_constructor

    def constructor(loader: Any, node_tag: str, node: Any) -> Any:
        return read(loader, node) if node_tag == tag else constructor_original(loader, node_tag, node)

    for module in (models, responses):  # each imported moto's constructor by name
        replace(module, "yaml_tag_constructor", constructor)


def condition_short_form() -> None:
    """Defect: YAML `!Condition X` is read as `{"Fn::Condition": X}`, which moto's condition
    evaluator does not know (it looks for `{"Condition": X}`), so every And/Or/Not that refers to
    another Condition comes out false."""
    _read_short_form("!Condition", lambda loader, node: {"Condition": loader.construct_scalar(node)})


def get_att_short_form() -> None:
    """Defect: YAML `!GetAtt Stack.Outputs.Name` is split at every dot; CloudFormation splits
    at the first, so a nested stack's output is asked for as attribute `Outputs`."""

    def read(loader: Any, node: Any) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return {"Fn::GetAtt": loader.construct_scalar(node).split(".", 1)}
        return {"Fn::GetAtt": loader.construct_sequence(node)}

    _read_short_form("!GetAtt", read)


def no_value_in_lists() -> None:
    """Defect: `Fn::If [c, x, !Ref AWS::NoValue]` as a list item leaves a null in the list
    (CloudFormation removes the item), so a key policy's optional statement becomes `null`
    and DescribeKey fails with a 500 (AttributeError on None)."""
    clean_json_original = parsing.clean_json

    def clean_json(resource_json: Any, resources_map: Any) -> Any:
        cleaned = clean_json_original(resource_json, resources_map)
        if isinstance(resource_json, list):
            return [item for item in cleaned if item is not None]
        return cleaned

    replace(parsing, "clean_json", clean_json)  # moto's recursion finds it by this name


def number_parameter_defaults() -> None:
    """Defect: moto converts a Number Parameter to a number only when a value is passed; its
    Default stays text, so the flow log rejects MaxAggregationInterval "600" as not one of 60,
    600 and the log group reports RetentionInDays "731"."""
    load_original = original(parsing.ResourceMap, "load_parameters")

    def load_parameters(self: Any) -> None:
        load_original(self)
        for name, parameter in self._template.get("Parameters", {}).items():
            value = self.resolved_parameters[name]
            if parameter.get("Type") == "Number" and isinstance(value, str):
                self.resolved_parameters[name] = float(value) if "." in value else int(value)
        self._parsed_resources.update(self.resolved_parameters)

    replace(parsing.ResourceMap, "load_parameters", load_parameters)


def exports_follow_conditions() -> None:
    """Defect: moto resolves the export of every Output, ignoring the Output's Condition, so an
    Output that only applies to another destination (a Select on an empty S3Bucket) crashes
    DescribeStacks with an IndexError."""

    def exports(self: Any) -> list[parsing.Export]:
        conditions = self._resource_map.lazy_condition_map
        return [
            parsing.Export(
                self._stack_id,
                parsing.clean_json(output["Export"].get("Name"), self._resource_map),
                parsing.clean_json(output.get("Value"), self._resource_map),
            )
            for output in (self._output_json_map or {}).values()
            if output.get("Export") and conditions.get(output.get("Condition"), True)
        ]

    replace(parsing.OutputMap, "exports", property(exports))


def resources_follow_conditions() -> None:
    """Defect: a resource whose Condition is false is listed by DescribeStackResources as an
    empty entry, and DescribeStackResource with a logical ID then fails (AttributeError on None)."""
    listed = original(models.Stack, "stack_resources").fget

    def stack_resources(self: Any) -> list[Any]:
        return [resource for resource in listed(self) if resource is not None]

    replace(models.Stack, "stack_resources", property(stack_resources))


def change_set_outputs() -> None:
    """Defect: executing a change set (`aws cloudformation deploy`) never re-reads the stack's
    Outputs, so the stack keeps those of its previous template (none for a new stack), and
    never registers their exports (which create-stack does)."""
    apply_original = original(models.ChangeSet, "apply")

    def apply(self: Any) -> None:
        apply_original(self)
        stack = self.stack
        stack.template = self.template
        stack._parse_template()
        stack.output_map = stack._create_output_map()
        exports = models.cloudformation_backends[stack.account_id][stack.region_name].exports
        for name in [name for name, export in exports.items() if export.exporting_stack_id == stack.stack_id]:
            del exports[name]
        exports.update((export.name, export) for export in stack.exports)

    replace(models.ChangeSet, "apply", apply)


def keep_resources_moto_cannot_update() -> None:
    """Defect: when a resource changes whose type moto cannot update (AWS::Logs::LogGroup,
    AWS::KMS::Key, AWS::IAM::ManagedPolicy ...), moto maps its logical ID to None: the stack
    forgets the resource and every Ref to it breaks. Keep the resource as it is."""
    update_original = parsing.parse_and_update_resource

    def update(logical_id: str, resource_json: Any, resources_map: Any, account_id: str, region_name: str) -> Any:
        updated = update_original(logical_id, resource_json, resources_map, account_id, region_name)
        return updated if updated is not None else resources_map[logical_id]

    replace(parsing, "parse_and_update_resource", update)


def update_conditional_resources() -> None:
    """Defect: an update that touches a resource the stack never created (its Condition was
    false) hands None to the model's update and fails (AttributeError). A resource the stack
    does not hold is created now if its Condition holds, and otherwise stays absent."""
    update_original = parsing.parse_and_update_resource

    def update(logical_id: str, resource_json: Any, resources_map: Any, account_id: str, region_name: str) -> Any:
        if logical_id not in resources_map._parsed_resources:
            return resources_map[logical_id]  # moto's lazy map creates it when its Condition holds
        return update_original(logical_id, resource_json, resources_map, account_id, region_name)

    replace(parsing, "parse_and_update_resource", update)


def delete_resources_whose_condition_turns_false() -> None:
    """Defect: an update that makes a resource's Condition false updates the resource with its
    new Properties, where CloudFormation deletes it: a flow log whose slot's VPC Parameter is
    cleared is replaced by one of VPC "" and the update fails (InvalidFlowLogId once moto's retry
    deletes the old one again). Delete the resource; moto then records None for it, which a
    later update whose Condition holds again creates anew."""
    update_original = parsing.parse_and_update_resource

    def update(logical_id: str, resource_json: Any, resources_map: Any, account_id: str, region_name: str) -> Any:
        condition = resource_json.get("Condition")
        held = resources_map._parsed_resources
        if condition is None or resources_map.lazy_condition_map[condition]:
            if logical_id in held and held[logical_id] is None:
                del held[logical_id]  # deleted by an earlier update: the fix above creates it
            return update_original(logical_id, resource_json, resources_map, account_id, region_name)
        if held.get(logical_id) is not None:
            resources_map._delete_resource(held.pop(logical_id), resource_json)
        return None

    replace(parsing, "parse_and_update_resource", update)


def template_url_on_own_endpoint() -> None:
    """Defect: a TemplateURL on moto's own endpoint is read path-style only when its host is
    literally `localhost`: `http://127.0.0.1:PORT/BUCKET/KEY`, which `aws cloudformation
    package` writes for a local endpoint, is read as a bucket named `127`."""
    read_original = models.get_stack_from_s3_url

    def get_stack_from_s3_url(template_url: str, account_id: str, partition: str) -> str:
        url = urlparse(template_url)
        if url.hostname == "127.0.0.1":
            template_url = url._replace(netloc=f"localhost:{url.port}").geturl()
        return str(read_original(template_url, account_id, partition))

    for module in (models, responses):  # each imported moto's function by name
        replace(module, "get_stack_from_s3_url", get_stack_from_s3_url)


def nested_stack_tags() -> None:
    """Defect: AWS::CloudFormation::Stack drops its Tags, which CloudFormation gives the nested
    stack (and so its resources)."""

    def create(cls: Any, name: str, cloudformation_json: Any, account_id: str, region_name: str, **_: Any) -> Any:
        properties = cloudformation_json["Properties"]
        template = models.get_stack_from_s3_url(properties["TemplateURL"], account_id, get_partition(region_name))
        return models.cloudformation_backends[account_id][region_name].create_stack(
            name=name,
            template=template,
            parameters=properties.get("Parameters", {}),
            tags={tag["Key"]: tag["Value"] for tag in properties.get("Tags", [])},
        )

    replace(models.Stack, "create_from_cloudformation_json", classmethod(create))


def nested_stack_outputs() -> None:
    """Defect: GetAtt NestedStack.Outputs.X is not implemented (AttributeError), which blanks
    every Output of the parent stack."""

    def get_cfn_attribute(self: Any, attribute_name: str) -> Any:
        outputs = {output["OutputKey"]: output["OutputValue"] for output in self.outputs or []}
        return outputs[attribute_name.removeprefix("Outputs.")]

    replace(models.Stack, "get_cfn_attribute", get_cfn_attribute)


def retain_except_on_create() -> None:
    """Defect: moto keeps a resource on stack delete only for `DeletionPolicy: Retain` and
    deletes one with `RetainExceptOnCreate`, which CloudFormation retains on every operation but
    the rollback of the create that made it."""
    delete_original = original(parsing.ResourceMap, "delete")

    def delete(self: Any) -> None:
        for resource_json in self._resource_json_map.values():
            if resource_json.get("DeletionPolicy") == "RetainExceptOnCreate":
                resource_json["DeletionPolicy"] = "Retain"
        delete_original(self)

    replace(parsing.ResourceMap, "delete", delete)


FIXES = (
    condition_short_form,
    get_att_short_form,
    no_value_in_lists,
    number_parameter_defaults,
    exports_follow_conditions,
    resources_follow_conditions,
    change_set_outputs,
    keep_resources_moto_cannot_update,
    update_conditional_resources,  # after the one above: it decides first
    delete_resources_whose_condition_turns_false,  # after both: it decides before them
    template_url_on_own_endpoint,
    nested_stack_tags,
    nested_stack_outputs,
    retain_except_on_create,
)
