"""Fixes for the moto (5.2.x) defects the deploy tests meet, applied before moto serves.

Each fix works around one defect, named in its docstring, in moto's CloudFormation engine, its
resource models, its StackSets or the query layer's resources it does not model, so that moto
does what CloudFormation does; none changes what the product emits. What moto drops without
failing (bucket policy, public access block, lifecycle, bucket key, DestinationOptions, Rules) is
left dropped: the compiler's tests check it statically.
"""

from __future__ import annotations

from . import engine, queries, resources, stacksets

FIXES = (*engine.FIXES, *resources.FIXES, *stacksets.FIXES, *queries.FIXES)


def apply_all() -> None:
    for fix in FIXES:
        fix()
