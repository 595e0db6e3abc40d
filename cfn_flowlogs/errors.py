"""The one exception users see for bad input."""

from __future__ import annotations

from typing import Any


class ConfigError(ValueError):
    """An input is invalid: names the input, the value received and what is allowed."""

    def __init__(self, name: str, value: Any, allowed: str) -> None:
        self.name = name
        self.value = value
        self.allowed = allowed
        super().__init__(f"{name} must be {allowed}, got {_show(value)}")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
