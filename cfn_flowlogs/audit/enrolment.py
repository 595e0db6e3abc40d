"""What the enrolment's status says of each VPC of an account and region.

Each stack instance with the enrolment writes its last sweep's findings to the SSM parameter
`/cfn-flowlogs/enrolment/<stack name>` (lambda/enrol_vpcs.py): when it swept, whether a trail
records CreateVpc, and every VPC it could not cover and why (the quota full, a call AWS refused).
The audit reads them (GetParametersByPath) and gives each VPC one line: its own problem, else the
region's, else when it was last swept. A status that is old says the function is not running.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from ..config.marks import ENROLMENT_STATUS_PATH, SWEEP_MINUTES

# Three sweeps missed: the function is not running (a deleted rule, a broken role, a quota).
STALE_AFTER: Final = dt.timedelta(minutes=3 * SWEEP_MINUTES)
PROBLEM: Final = "problem: "
NOT_READ: Final = "status not read: "


def notes(
    parameters: Iterable[Mapping[str, Any]], vpcs: Iterable[str], now: dt.datetime, error: str | None = None
) -> dict[str, str]:
    """VPC ID -> what the enrolment's status says of it (no entry: no enrolment status here).
    `parameters` are GetParametersByPath's; `error` says why they could not be read."""
    vpcs = list(vpcs)
    if error is not None:
        # Not a problem of the enrolment's: an audit role made before the enrolment may not read it
        return dict.fromkeys(vpcs, f"{NOT_READ}{error}")
    own: dict[str, str] = {}
    region: list[str] = []
    swept: list[str] = []
    for parameter in parameters:
        stack = str(parameter.get("Name", "")).removeprefix(ENROLMENT_STATUS_PATH)
        try:
            status = json.loads(str(parameter.get("Value")))
        except ValueError:
            status = None
        if not isinstance(status, dict) or not status.get("time"):
            region.append(f"{PROBLEM}{stack} has not swept yet")
            continue
        when = _time(status["time"])
        if when is None or now - when > STALE_AFTER:
            region.append(f"{PROBLEM}{stack} last swept {status['time']}: is its function running?")
        trail = str(status.get("trail", ""))
        if trail.startswith(PROBLEM):
            region.append(f"{trail} ({stack})")
        for vpc, problem in (status.get("problems") or {}).items():
            own[str(vpc)] = f"{problem} ({stack})"
        if status.get("more_problems"):
            region.append(f"{PROBLEM}{stack} found {status['more_problems']} more problems than its status holds")
        swept.append(f"swept {status['time']} by {stack}")
    if not own and not region and not swept:
        return {}
    found = {}
    for vpc in vpcs:
        found[vpc] = own.get(vpc) or "; ".join(region) or "; ".join(swept)
    return found


def _time(text: Any) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


__all__ = ["NOT_READ", "PROBLEM", "STALE_AFTER", "notes"]
