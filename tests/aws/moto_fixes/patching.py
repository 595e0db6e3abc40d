"""How the fixes replace a piece of moto: by name, keeping the original to call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Properties = dict[str, Any]


def original(owner: Any, name: str) -> Any:
    """moto's `owner.name` as it is now (a classmethod as its plain function)."""
    value = getattr(owner, name)
    return getattr(value, "__func__", value)


def replace(owner: Any, name: str, value: Any) -> None:
    setattr(owner, name, value)


def around_create(model: Any, around: Callable[[Callable[[], Any], Properties], Any]) -> None:
    """Run `around(create, properties)` in place of moto's creation of a resource from its
    resolved Properties: it may correct them, call `create()` and correct the result."""
    create_original = original(model, "create_from_cloudformation_json")

    def create(cls: Any, name: str, cloudformation_json: Any, *args: Any, **kwargs: Any) -> Any:
        def create_now() -> Any:
            return create_original(cls, name, cloudformation_json, *args, **kwargs)

        return around(create_now, cloudformation_json["Properties"])

    replace(model, "create_from_cloudformation_json", classmethod(create))


def before_create(model: Any, fix: Callable[[Properties], None]) -> None:
    """Let `fix` correct a resource's resolved Properties before moto creates it."""

    def around(create: Callable[[], Any], properties: Properties) -> Any:
        fix(properties)
        return create()

    around_create(model, around)
