"""The package's layout is its data flow: stages in folders, imports only down the stages, no
cycles, and the heavy libraries where they belong. Read from the source with `ast`, importing
nothing; an import inside a function counts, one under `if TYPE_CHECKING:` does not."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "cfn_flowlogs"
# Stage -> its rank: a module may import from its own stage or a lower one, never a higher one.
STAGES = {
    "errors": 0,  # the one exception users see
    "version": 0,
    "config": 1,  # inputs, validation, files, the field catalog, the S3 layout
    "output": 2,  # text, diagrams, linting, scanners: serve the stages above, import only config
    "query": 2,  # the questions and their SQL
    "compiler": 3,  # context, plan, policies, resource builders, template assembly
    "stacks": 4,  # the shipped, archive and StackSet templates, the library, provided key or bucket
    "audit": 5,  # reads AWS; the rollout it plans
    "commands": 6,  # one module per CLI command
    "docs": 7,  # the generated documentation reads everything
    "cli": 7,
    "shipped": 8,  # what `make template` writes: templates and the generated docs
    "__main__": 8,
    "__init__": 9,  # the public facade: imports anything, lazily; nothing imports it
}
# Third-party libraries that only some modules may import: where it is used is where it is paid for.
CONFINED = {
    "boto3": ("cfn_flowlogs.audit.", "cfn_flowlogs.lambda.", "cfn_flowlogs.query.engine"),
    "botocore": ("cfn_flowlogs.audit.", "cfn_flowlogs.lambda.", "cfn_flowlogs.query.engine"),
    "cfnlint": ("cfn_flowlogs.output.linting",),
    # `cfn-flowlogs query`'s engine: the query extra, paid for by that command alone
    "duckdb": ("cfn_flowlogs.query.engine",),
    "sqlglot": ("cfn_flowlogs.query.engine",),
    "pyarrow": ("cfn_flowlogs.query.engine",),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def stage(module: str) -> str:
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement at any depth, except those that only type checkers run."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
        return
    children = node.orelse if isinstance(node, ast.If) and _type_checking(node) else ast.iter_child_nodes(node)
    for child in children:
        yield from _imports(child)


@cache
def imports(module: str) -> tuple[set[str], set[str]]:
    """(modules of the package, top-level third-party names) that `module` imports."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    own: set[str] = set()
    other: set[str] = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            source = ".".join(base + ([node.module] if node.module else []))
            # `from . import naming` imports the module naming; `from .x import name`, module x
            names = [f"{source}.{a.name}" if f"{source}.{a.name}" in MODULES else source for a in node.names]
        else:
            source = node.module or ""
            names = [f"{source}.{a.name}" if f"{source}.{a.name}" in MODULES else source for a in node.names]
        for name in names:
            if name == "cfn_flowlogs" or name.startswith("cfn_flowlogs."):
                own.add(name)
            else:
                other.add(name.split(".")[0])
    return own, other


def test_every_module_belongs_to_a_stage():
    assert {stage(module) for module in MODULES} - {"lambda"} <= set(STAGES)
    top = sorted(module for module in MODULES if module.count(".") == 1 and MODULES[module].name != "__init__.py")
    assert len(top) <= 10, top  # the top level: the facade, the command line and what every stage shares


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_down_the_stages(module):
    own, _ = imports(module)
    if stage(module) == "lambda":  # functions a template carries: they run in Lambda, alone
        assert own == set(), own
        return
    upward = sorted(name for name in own if STAGES[stage(name)] > STAGES[stage(module)])
    assert upward == [], f"{module} ({stage(module)}) imports a higher stage"


def test_no_import_cycle():
    # GIVEN the package's modules and what each imports WHEN walked depth first
    graph = {module: {name for name in imports(module)[0] if name in MODULES} for module in MODULES}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    # THEN no module reaches itself
    assert cycles == []


@pytest.mark.parametrize("library", sorted(CONFINED))
def test_heavy_libraries_stay_where_they_are_used(library):
    allowed = CONFINED[library]
    users = sorted(module for module in MODULES if library in imports(module)[1])
    assert [module for module in users if not module.startswith(allowed) and module not in allowed] == []


def test_the_walker_sees_function_level_imports_and_skips_type_checking_blocks(tmp_path):
    # GIVEN a module with an import in a function and one only type checkers run
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from .stacks import library\nelse:\n    import json\n"
        "def f():\n    from .compiler import naming\n    import boto3\n"
    )
    tree = ast.parse(source)
    found = [ast.unparse(node) for node in _imports(tree)]
    # THEN the function's imports count and the TYPE_CHECKING one does not
    assert found == ["from typing import TYPE_CHECKING", "import json", "from .compiler import naming", "import boto3"]


def test_the_delivery_layout_is_written_once():
    # The S3 layout's words appear in the layout module and nowhere else in the package's code
    literals = {"AWSLogs/", "aws-account-id=", "aws-service=", "aws-region=", "vpcflowlogs/"}
    offenders = []
    for module, path in MODULES.items():
        if module == "cfn_flowlogs.config.layout":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                path_like = not any(space in node.value for space in " \n")  # prose (docstrings) may name them
                if path_like and any(word in node.value for word in literals):
                    offenders.append(f"{module}:{node.lineno}")
    assert offenders == []
