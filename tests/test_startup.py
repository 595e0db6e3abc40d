"""Start-up: importing the package and compiling load nothing the job does not use; `--lint` loads cfn-lint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

VPC = "vpc-0123456789abcdef0"
# Installed alongside (cfn-lint and its own dependencies, the deploy tests' tools), never needed to compile.
UNUSED_TO_COMPILE = (
    "cfnlint",
    "checkov",
    "moto",
    "boto3",
    "botocore",
    "awscli",
    "jsonschema",
    "networkx",
    "sympy",
    "jinja2",
    "requests",
    "urllib3",
    "cfn_flowlogs.linting",
)
# A fresh interpreter: what it loads is what the console script would, nothing pytest already holds.
PROBE = """
import json, sys
import cfn_flowlogs
imported = set(sys.modules)
import cfn_flowlogs.cli
code = cfn_flowlogs.cli.main(sys.argv[1:])
print(json.dumps({"code": code, "import": sorted(imported), "build": sorted(sys.modules)}))
"""


def probe(tmp_path: Path, *flags: str) -> dict[str, object]:
    """Modules loaded by `import cfn_flowlogs`, then by `cfn-flowlogs build ... *flags`, in a new process."""
    output = tmp_path / "flow-logs.yaml"
    argv = [sys.executable, "-c", PROBE, "build", "--set", f"vpc_id={VPC}", "-o", str(output), *flags]
    result = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert output.stat().st_size > 0
    return json.loads(result.stdout)


def unused(modules: object) -> list[str]:
    assert isinstance(modules, list)
    return [m for m in modules if any(m == name or m.startswith(name + ".") for name in UNUSED_TO_COMPILE)]


def test_import_and_build_load_nothing_unused(tmp_path):
    # WHEN a fresh process imports cfn_flowlogs, then builds a template without --lint
    loaded = probe(tmp_path)
    # THEN neither step loaded cfn-lint, checkov, moto, boto3/botocore or their dependencies
    assert loaded["code"] == 0
    assert unused(loaded["import"]) == []
    assert unused(loaded["build"]) == []


def test_lint_loads_cfn_lint(tmp_path):
    # WHEN the same build asks for --lint
    loaded = probe(tmp_path, "--lint")
    # THEN cfn-lint is loaded (only then): the check above can see it
    assert loaded["code"] == 0
    assert "cfnlint" not in loaded["import"]
    assert "cfnlint" in unused(loaded["build"])
