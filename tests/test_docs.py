"""The documentation holds only what is true: every shell and Python block parses, every
`cfn-flowlogs`, `aws` and `make` command in it names a real command and real options (those the
local endpoint cannot run too), every file of the repository it names exists, and the README fits
on a screen and points into the docs. tests/aws/test_docs.py runs the blocks that can run."""

from __future__ import annotations

import ast
import re
import subprocess
from functools import cache

import pytest
import yaml

from cfn_flowlogs.cli import parser

from .docs_blocks import DOCS, NOT_RUN, ROOT, Block, all_blocks, commands, pages

SHELL = all_blocks("sh")
PYTHON = all_blocks("python")
GLOBAL_AWS_OPTIONS = {"region", "output", "query", "endpoint-url", "profile", "no-paginate", "debug", "no-cli-pager"}


@cache
def aws_commands() -> dict[str, object]:
    from awscli.clidriver import create_clidriver

    return create_clidriver()._get_command_table()  # type: ignore[no-any-return]


def aws_problem(words: list[str]) -> str | None:
    """Why `aws ...` is not a real AWS CLI command with real options, or None."""
    positional = [word for word in words[1:] if not word.startswith("-")]
    if len(positional) < 2:
        return "names no service and operation"
    service, operation = positional[0], positional[1]
    table = aws_commands()
    if service not in table:
        return f"has no service {service}"
    command = table[service]
    subcommands = getattr(command, "subcommand_table", None) or command._get_command_table()  # type: ignore[attr-defined]
    if operation not in subcommands:
        return f"{service} has no command {operation}"
    allowed = set(subcommands[operation].arg_table) | GLOBAL_AWS_OPTIONS
    unknown = sorted({word[2:].split("=")[0] for word in words if word.startswith("--")} - allowed)
    return f"{service} {operation} takes no {', '.join('--' + u for u in unknown)}" if unknown else None


def cli_problem(words: list[str]) -> str | None:
    """Why `cfn-flowlogs ...` would be refused by the command's own parser, or None."""
    argv = words[1:]
    try:
        parser(argv).parse_args(argv)
    except SystemExit as exit_:
        return None if exit_.code == 0 else "is refused by its parser"
    return None


@cache
def make_targets() -> set[str]:
    database = subprocess.run(["make", "-pnq", "-C", str(ROOT), "help"], capture_output=True, text=True).stdout
    return {line.split(":")[0] for line in database.splitlines() if re.match(r"^[a-z][a-z-]*:", line)}


def problems(block: Block) -> list[str]:
    found = []
    for words in commands(block.body):
        program = words[0].rsplit("/", 1)[-1]
        if program == "cfn-flowlogs":
            problem = cli_problem(words)
        elif program == "aws":
            problem = aws_problem(words)
        elif program == "make":
            goals = [word for word in words[1:] if not word.startswith("-") and "=" not in word]
            problem = next((f"has no target {goal}" for goal in goals if goal not in make_targets()), None)
        else:
            continue
        if problem:
            found.append(f"{' '.join(words)}: {problem}")
    return found


@pytest.mark.parametrize("block", SHELL, ids=[b.id for b in SHELL])
def test_every_shell_block_parses_and_names_real_commands_and_options(block):
    done = subprocess.run(["bash", "-n"], input=block.body, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert problems(block) == []


@pytest.mark.parametrize("block", PYTHON, ids=[b.id for b in PYTHON])
def test_every_python_block_parses(block):
    ast.parse(block.body, filename=block.id)


def test_a_block_that_does_not_run_says_why_on_the_page():
    for block in SHELL + PYTHON:
        if not block.runs:
            reason = block.title.split(":", 1)[1].strip()
            assert len(reason) > 10, f"{block.id}: the title must give the reason it is not run"
    assert {block.title.split(":")[0] + ":" for block in SHELL if not block.runs} <= set(NOT_RUN)


def test_the_checker_catches_a_wrong_option_and_a_wrong_command():
    bad = Block("x.md", 1, "sh", "", "cfn-flowlogs build --no-such-option\naws ec2 describe-vpcz\naws s3 mb --nope x\n")
    assert len(problems(bad)) == 3


def test_every_page_is_in_the_site_navigation():
    nav = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)["nav"]

    def files(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [f for item in node for f in files(item)]
        if isinstance(node, dict):
            return [f for value in node.values() for f in files(value)]
        return []

    assert sorted(files(nav)) == sorted(str(page.relative_to(DOCS)) for page in pages() if DOCS in page.parents)


def test_every_file_the_docs_name_exists():
    named = {
        (page.relative_to(ROOT), path)
        for page in pages()
        for path in re.findall(
            r"`((?:tests|cfn_flowlogs|examples|templates|requirements|bench)/[\w./-]+)`", page.read_text()
        )
    }
    missing = sorted(
        f"{page}: {path}" for page, path in named if not (ROOT / path.rstrip("/")).exists() and "<" not in path
    )
    assert missing == []


def test_the_readme_fits_on_a_screen_and_points_into_the_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    for command in ("make template", "make test"):
        assert command in readme
    links = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert links, "the README links into the docs"
    assert [link for link in links if not (ROOT / link).exists()] == []
