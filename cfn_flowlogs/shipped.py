"""The files `make template` writes: templates/ and the documentation's generated parts (the
inputs, checkov skips, the diagram of examples/s3.yaml, the query layer's questions, the command
line reference). One source for the Makefile and the tests.

Run as `python -m cfn_flowlogs.shipped [ROOT]` to (re)write them under ROOT (default: `.`).
It owns what it writes, so it overwrites with `force` (regenerating them is its job; git shows
every change), but through the package's one writer: all or nothing, never over what it reads
(examples/), a file whose bytes would not change left as it is and not mentioned.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from troposphere import Template

from .compiler.template import build_template
from .config.loading import config_from
from .docs import generated_docs
from .errors import ConfigError
from .output.files import write_files
from .output.render import to_json, to_yaml
from .stacks.archive import build_archive_template
from .stacks.audit_role import build_audit_role_template
from .stacks.stackset import build_enrolment_role_template, build_stackset_template

SHIPPED = "templates/vpc-flow-logs"
STACKSET = "templates/vpc-flow-logs-stackset"
ENROLMENT_ROLE = "templates/vpc-flow-logs-enrolment-role"
ARCHIVE = "templates/flow-logs-archive"
AUDIT_ROLE = "templates/flow-logs-audit-role"
EXAMPLES = "examples"


def render_all(root: Path) -> dict[Path, str]:
    """Relative path -> text for every file under templates/, built from the code and examples/."""
    files: dict[Path, str] = {}
    shipped = ((SHIPPED, build_template()), (STACKSET, build_stackset_template()),
               (ENROLMENT_ROLE, build_enrolment_role_template()), (ARCHIVE, build_archive_template()),
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
        for problem in error.problems:
            print(f"cfn-flowlogs: error: {problem}", file=sys.stderr)
        return 2
    files.update(generated_docs(root))
    examples = sorted((root / EXAMPLES).iterdir())
    try:
        outcomes = write_files({root / relative: text for relative, text in files.items()}, force=True,
                               inputs=examples, create=root / "templates" / "examples")  # fmt: skip
    except OSError as error:
        print(f"cfn-flowlogs: error: cannot write {error.filename}: {error.strerror or error}", file=sys.stderr)
        return 2
    for outcome in outcomes:
        if outcome.status == "wrote":
            print(outcome)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
