"""Is this environment what its lock says? `python requirements/check.py LOCK [LOCK ...]`.

Run by each virtualenv's own python (the standard library only), after `make` installs it and
before the tests start: a version that moved under a lock shows up as one clear error here,
not as many unrelated failures later. Exit 0 and silent when every locked package is installed
at its locked version; exit 1 with one line naming every difference otherwise.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def normalize(name: str) -> str:
    """PEP 503's form of a distribution name: `Foo_Bar` and `foo-bar` are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock: Path) -> dict[str, str]:
    """`name==version` lines of a lock (hash continuation lines and comments skipped)."""
    found = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            found[normalize(match.group(1))] = match.group(2)
    return found


def installed() -> dict[str, str]:
    """The distributions this interpreter sees, by normalized name."""
    return {normalize(dist.metadata["Name"]): dist.version for dist in metadata.distributions()}


def drift(locks: list[Path]) -> list[str]:
    """Each locked package that is missing or at another version, as `name X installed, Y locked`."""
    have = installed()
    problems = []
    for lock in locks:
        for name, version in sorted(pins(lock).items()):
            if name not in have:
                problems.append(f"{name} missing ({version} locked)")
            elif have[name] != version:
                problems.append(f"{name} {have[name]} installed, {version} locked")
    return problems


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python requirements/check.py LOCK [LOCK ...]", file=sys.stderr)
        return 2
    locks = [Path(arg) for arg in argv]
    problems = drift(locks)
    if problems:
        where = Path(sys.prefix).name
        print(
            f"lock drift: {where} differs from {', '.join(map(str, locks))}: {'; '.join(problems)}. "
            f"Rebuild it from the lock (`make clean`, then make again), or move the lock on purpose (`make lock`).",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
