"""Start-up: importing the package and compiling load nothing the job does not use; `--lint` loads cfn-lint."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

from cfn_flowlogs import cli

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
    "cfn_flowlogs.output.linting",
    # the query extra: only `cfn-flowlogs query` loads it, and only to run a query
    "duckdb",
    "sqlglot",
    "pyarrow",
    "cfn_flowlogs.query.engine",
    # python-hcl2 and its parser: only to read a .tf or .tfvars config
    "hcl2",
    "lark",
    "cfn_flowlogs.config.hcl",
    # The package's other machinery, each loaded on first use (lazy exports, imports inside `run`)
    "cfn_flowlogs.config.archive",
    "cfn_flowlogs.stacks.archive",
    "cfn_flowlogs.audit.rollout",
    "cfn_flowlogs.audit",
    "cfn_flowlogs.shipped",
    "cfn_flowlogs.docs",
    "cfn_flowlogs.output.diagram",
    # What a build once paid for at start-up without using it: tempfile (and through it shutil,
    # random, bz2, lzma), importlib.resources (zipfile), difflib (only for a misspelt input)
    "tempfile",
    "shutil",
    "random",
    "zipfile",
    "importlib.resources",
    "difflib",
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


def probe(tmp_path: Path, *flags: str, output: str = "flow-logs.yaml") -> dict[str, object]:
    """Modules loaded by `import cfn_flowlogs`, then by `cfn-flowlogs build ... *flags`, in a new process."""
    argv = [sys.executable, "-c", PROBE, "build", "--set", f"vpc_id={VPC}", "-o", f"{tmp_path}/{output}", *flags]
    result = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / output).stat().st_size > 0
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


def test_a_terraform_config_loads_the_hcl_parser(tmp_path):
    # WHEN the same build reads a .tf config
    (tmp_path / "main.tf").write_text('module "flow_logs" {\n  source = "../vpc-flow-logs"\n}\n', encoding="utf-8")
    loaded = probe(tmp_path, "--config", "main.tf")
    # THEN python-hcl2 and lark are loaded (only then): the check above can see them
    assert loaded["code"] == 0
    assert "hcl2" not in loaded["import"]
    assert {"hcl2", "lark"} <= set(unused(loaded["build"]))


def test_import_loads_nothing_but_the_package(tmp_path):
    # WHEN a fresh process imports cfn_flowlogs
    loaded = probe(tmp_path)
    # THEN it holds no other module of the package (but its version, three lines), nor troposphere:
    # every export loads on first use
    package = [m for m in loaded["import"] if m.startswith(("cfn_flowlogs.", "troposphere", "awacs"))]
    assert package == ["cfn_flowlogs.version"]


def test_several_configs_in_one_build_load_nothing_unused(tmp_path):
    # GIVEN two configs (the probe's --set vpc_id applies to each) WHEN one process builds both
    (tmp_path / "logs.yaml").write_text("traffic_type: REJECT\n", encoding="utf-8")
    (tmp_path / "bucket.json").write_text('{"log_destination_type": "s3"}\n', encoding="utf-8")
    loaded = probe(tmp_path, "--config", "logs.yaml", "--config", "bucket.json", output="out/")
    # THEN both are written into the directory and nothing unused was loaded
    assert loaded["code"] == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["bucket.yaml", "logs.yaml"]
    assert unused(loaded["build"]) == []


LAZY = """
import json, sys
import cfn_flowlogs
before = set(sys.modules)
from cfn_flowlogs import ArchiveConfig, FlowLogsConfig
from cfn_flowlogs.compiler import naming
values = {name: type(getattr(cfn_flowlogs, name)).__name__ for name in cfn_flowlogs.__all__}
archive = "cfn_flowlogs.config.archive"
print(json.dumps({"archive_on_use": archive not in before and archive in sys.modules,
                  "archive_class": ArchiveConfig.__module__, "naming": naming.__name__, "values": values,
                  "dir": sorted(set(cfn_flowlogs.__all__) - set(dir(cfn_flowlogs)))}))
"""


def test_every_export_loads_on_first_use(tmp_path):
    # WHEN a fresh process takes the exported names (and a submodule) from the package
    result = subprocess.run([sys.executable, "-c", LAZY], capture_output=True, text=True, timeout=300, check=True)
    loaded = json.loads(result.stdout)
    # THEN each resolves, the archive loaded only when asked for, and dir() lists every export
    assert loaded["archive_on_use"] is True
    assert loaded["archive_class"] == "cfn_flowlogs.config.archive"
    assert loaded["naming"] == "cfn_flowlogs.compiler.naming"
    assert loaded["values"]["FlowLogsConfig"] == "type" and loaded["values"]["build_template"] == "function"
    assert loaded["dir"] == []


def test_as_a_program_a_command_runs_without_the_cyclic_collector(monkeypatch):
    # GIVEN the command a process runs (no argv: the console script's sys.argv)
    seen: list[bool] = []
    monkeypatch.setattr(cli, "_run", lambda argv: seen.append(gc.isenabled()) or 0)
    monkeypatch.setattr(sys, "argv", ["cfn-flowlogs", "build"])
    try:
        # WHEN it runs THEN the collector was off meanwhile, is on again after, and what the
        # command made is frozen (the exit's collection skips it)
        assert cli.main() == 0
        assert seen == [False]
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    # WHEN a caller passes the arguments THEN the collector is left as it is
    assert cli.main(["build"]) == 0
    assert seen == [False, True]


def test_cfn_lint_always_runs_with_the_collector_on():
    # GIVEN a process whose collector is off (a command run as a program)
    from cfn_flowlogs.output.linting import Session

    session = Session()
    seen: list[bool] = []
    validate = session._runner.validate_template
    session._runner.validate_template = lambda data: seen.append(gc.isenabled()) or validate(data)
    gc.disable()
    try:
        # WHEN it lints THEN cfn-lint (whose garbage is cyclic) ran with the collector on, and it
        # is off again after
        assert session.lint('{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}') == []
        assert seen == [True]
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_query_list_loads_none_of_the_query_extra(tmp_path):
    # GIVEN a config delivering to S3 WHEN a fresh process lists the questions it can answer
    (tmp_path / "flows.yaml").write_text(f"vpc_id: {VPC}\nlog_destination_type: s3\n", encoding="utf-8")
    argv = [sys.executable, "-c", PROBE, "query", "--list", "--config", "flows.yaml", "--format", "json"]
    result = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.splitlines()[-1])
    # THEN neither DuckDB, sqlglot, pyarrow nor boto3 was imported: they are paid for by a query
    assert [m for m in loaded["build"] if m.split(".")[0] in ("duckdb", "sqlglot", "pyarrow", "boto3")] == []
