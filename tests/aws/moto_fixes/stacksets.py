"""Defects of moto's StackSets: the stacks of stack instances, and how instances are updated."""

from __future__ import annotations

from typing import Any

from moto.cloudformation import models, responses
from moto.core.responses import ActionResult
from moto.moto_api._internal import mock_random
from moto.organizations.models import organizations_backends
from moto.utilities.utils import get_partition

from .patching import original, replace

_MOTO_PREFIX = "StackSet:"


def stack_instance_stacks() -> None:
    """Defect: a self-managed stack instance's stack is named `StackSet:<name>` in every account
    and region (a colon is not allowed in a stack name; CloudFormation names it
    `StackSet-<name>-<uuid>`), and ListStackInstances and DescribeStackInstance report a StackId
    made up anew on each call that names no stack. Name the stack as CloudFormation does and
    report the instance's own stack."""
    create_original = original(models.CloudFormationBackend, "create_stack")
    to_dict_original = original(models.StackInstance, "to_dict")

    def create_stack(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith(_MOTO_PREFIX):
            name = f"StackSet-{name.removeprefix(_MOTO_PREFIX)}-{mock_random.uuid4()}"
        return create_original(self, name, *args, **kwargs)

    def to_dict(self: Any) -> dict[str, Any]:
        return {**to_dict_original(self), "StackId": self.stack.stack_id}

    replace(models.CloudFormationBackend, "create_stack", create_stack)
    replace(models.StackInstance, "to_dict", to_dict)


def stack_instance_overrides() -> None:
    """Defect: UpdateStackInstances records the parameter overrides on the instances but never
    updates their stacks ("the actual resources are not updated", its docstring says), so an
    instance keeps the StackSet's values. Update each instance's stack with the StackSet's
    parameters and the overrides, as CloudFormation does."""
    update_original = original(models.StackInstances, "update")

    def update(self: Any, accounts: list[str], regions: list[str], parameters: list[dict[str, Any]] | None) -> None:
        update_original(self, accounts, regions, parameters)
        overrides = {p["ParameterKey"]: p["ParameterValue"] for p in parameters or []}
        for account in accounts:
            for region in regions:
                stack = self.get_instance(account, region).stack
                stack.update(self.template, parameters={**self.parameters, **overrides})

    replace(models.StackInstances, "update", update)


def update_instances_by_deployment_targets() -> None:
    """Defect: UpdateStackInstances reads only Accounts, so the update of a service-managed
    StackSet, which names DeploymentTargets (OrganizationalUnitIds, Accounts, AccountFilterType),
    succeeds and updates nothing. Resolve the targets to accounts, as CloudFormation does."""
    update_original = original(responses.CloudFormationResponse, "update_stack_instances")

    def update_stack_instances(self: Any) -> Any:
        targets = self._get_params().get("DeploymentTargets")
        if not targets:
            return update_original(self)
        operation = self.cloudformation_backend.update_stack_instances(
            self._get_param("StackSetName"),
            _target_accounts(self.current_account, self.region, targets),
            self._get_param("Regions", []),
            self._get_param("ParameterOverrides", []),
        )
        return ActionResult({"OperationId": operation["OperationId"]})

    replace(responses.CloudFormationResponse, "update_stack_instances", update_stack_instances)


def _target_accounts(account_id: str, region: str, targets: dict[str, Any]) -> list[str]:
    organization = organizations_backends[account_id][get_partition(region)]
    units = set(targets.get("OrganizationalUnitIds", []))
    units |= {unit.id for unit in organization.ou if unit.parent_id in units}  # and their children, as moto creates
    in_units = {account.id for account in organization.accounts if account.parent_id in units}
    named = set(targets.get("Accounts", []))
    chosen = {
        "INTERSECTION": in_units & named,
        "DIFFERENCE": in_units - named,
        "UNION": in_units | named,
    }.get(targets.get("AccountFilterType", "NONE"), in_units or named)
    return sorted(chosen)


FIXES = (stack_instance_stacks, stack_instance_overrides, update_instances_by_deployment_targets)
