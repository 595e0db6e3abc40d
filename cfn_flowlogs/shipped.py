"""The files `make template` writes: templates/ and the README's table of inputs. One source
for the Makefile and the tests.

Run as `python -m cfn_flowlogs.shipped [ROOT]` to (re)write them under ROOT (default: `.`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from .docs import generated_readme
from .errors import ConfigError
from .loading import config_from
from .render import to_json, to_yaml, write_atomic
from .template import build_template

SHIPPED = "templates/vpc-flow-logs"
EXAMPLES = "examples"


def render_all(root: Path) -> dict[Path, str]:
    """Relative path -> text for every file under templates/, built from the code and examples/."""
    shipped = build_template()
    files = {Path(f"{SHIPPED}.yaml"): to_yaml(shipped), Path(f"{SHIPPED}.json"): to_json(shipped)}
    for config in sorted((root / EXAMPLES).glob("*.yaml")):
        template = build_template(config_from(config, []))
        files[Path("templates/examples") / config.name] = to_yaml(template)
    return files


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(".")
    try:
        files = render_all(root)  # build everything before writing anything
    except ConfigError as error:
        print(f"cfn-flowlogs: error: {error}", file=sys.stderr)
        return 2
    files[Path("README.md")] = generated_readme((root / "README.md").read_text(encoding="utf-8"))
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text)
        print(f"wrote {relative} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
