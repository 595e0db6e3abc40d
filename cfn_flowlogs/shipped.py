"""The files `make template` writes: templates/ and the README's generated sections (inputs,
checkov skips, the diagram of examples/s3.yaml). One source for the Makefile and the tests.

Run as `python -m cfn_flowlogs.shipped [ROOT]` to (re)write them under ROOT (default: `.`).
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from troposphere import Template

from .compiler.template import build_template
from .config.loading import config_from
from .docs import generated_readme
from .errors import ConfigError
from .output.render import to_json, to_yaml, write_atomic
from .stacks.archive import build_archive_template
from .stacks.audit_role import build_audit_role_template
from .stacks.stackset import build_stackset_template

SHIPPED = "templates/vpc-flow-logs"
STACKSET = "templates/vpc-flow-logs-stackset"
ARCHIVE = "templates/flow-logs-archive"
AUDIT_ROLE = "templates/flow-logs-audit-role"
EXAMPLES = "examples"


def render_all(root: Path) -> dict[Path, str]:
    """Relative path -> text for every file under templates/, built from the code and examples/."""
    files: dict[Path, str] = {}
    shipped = ((SHIPPED, build_template()), (STACKSET, build_stackset_template()), (ARCHIVE, build_archive_template()),
               (AUDIT_ROLE, build_audit_role_template()))  # fmt: skip
    for stem, template in shipped:
        files[Path(f"{stem}.yaml")] = to_yaml(template)
        files[Path(f"{stem}.json")] = to_json(template)
    for config in sorted((root / EXAMPLES).glob("*.yaml")):
        template = build_template(config_from(config, []))
        files[Path("templates/examples") / config.name] = to_yaml(template)
    for script in sorted((root / EXAMPLES).glob("*.py")):  # templates in Python: a `build()` each
        files[Path("templates/examples") / f"{script.stem.replace('_', '-')}.yaml"] = to_yaml(_build_example(script))
    return files


def _build_example(script: Path) -> Template:
    template: Template = runpy.run_path(str(script))["build"]()
    return template


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
