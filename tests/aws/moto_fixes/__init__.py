"""Fixes for the moto (5.2.x) defects the deploy tests meet, applied before moto serves.

Each fix works around one defect, named in its docstring, in moto's CloudFormation engine, its
resource models, its StackSets or the query layer's resources it does not model, so that moto
does what CloudFormation does; none changes what the product emits. What moto drops without
failing (bucket policy, public access block, lifecycle, bucket key, a template's DestinationOptions, Rules) is
left dropped: the compiler's tests check it statically. A resource moto skips altogether is
recorded (unsupported.py), and the deploy tests fail on a skipped type that
skipped.STILL_SKIPPED, with the static test that covers it, does not list.

Only the server imports moto: the test process reads STILL_SKIPPED from here without it.
"""

from __future__ import annotations

from collections.abc import Callable

from .skipped import STILL_SKIPPED

__all__ = ["STILL_SKIPPED", "apply_all", "fixes"]


def fixes() -> tuple[Callable[[], None], ...]:
    """Every fix, in the order it is applied."""
    from . import engine, flow_logs_api, queries, resources, stacksets, unsupported

    return (*unsupported.FIXES, *engine.FIXES, *resources.FIXES, *stacksets.FIXES, *queries.FIXES,
            *flow_logs_api.FIXES)  # fmt: skip


def apply_all() -> None:
    for fix in fixes():
        fix()
