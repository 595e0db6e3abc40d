"""`.pre-commit-hooks.yaml`: each hook's entry is a real `cfn-flowlogs` command, and the
consumer's `.pre-commit-config.yaml` in the pre-commit guide runs as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import tomllib
import yaml

from cfn_flowlogs.cli import main, parser

from ..conftest import ROOT

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
VPC = "vpc-0123456789abcdef0"
# What a consumer's repository holds: the configs the guide's snippet names.
CONSUMER_FILES = {
    "flow-logs.yaml": f"vpc_id: {VPC}\ntraffic_type: ALL\n",
    "main.tf": f'module "prod_flow_logs" {{\n  source = "gruntwork-io/vpc/aws//modules/vpc-flow-logs"\n'
    f'  vpc_id = "{VPC}"\n}}\n',
    "archive.tfvars": 'organization_id = "o-abcd123456"\n',
}


def console_scripts() -> set[str]:
    return set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"])


def commands() -> set[str]:
    (subparsers,) = (a for a in parser()._actions if a.dest == "command")
    return set(subparsers.choices)


def readme_consumer_config() -> dict:
    """The `.pre-commit-config.yaml` block of the pre-commit guide."""
    guide = (ROOT / "docs/guides/sceptre-pre-commit.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(repos:\n.*?)```", guide, re.DOTALL)
    assert len(blocks) == 1, "the guide shows one .pre-commit-config.yaml"
    return yaml.safe_load(blocks[0])


def run_in(folder: Path, argv: list[str], monkeypatch) -> int:
    for name, text in CONSUMER_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "templates").mkdir(exist_ok=True)
    monkeypatch.chdir(folder)
    return main(argv)


@pytest.mark.parametrize("hook", HOOKS, ids=[hook["id"] for hook in HOOKS])
def test_each_hook_is_a_python_hook_running_a_real_command(hook, tmp_path, monkeypatch):
    # GIVEN a hook of the manifest
    assert hook["language"] == "python"  # pre-commit installs this package: its console script
    assert hook["pass_filenames"] is False  # the config and output are the user's args
    program, command, *flags = shlex.split(hook["entry"])
    # THEN its entry is the package's console script and one of its commands, replacing the
    # template it regenerates (--force)
    assert program in console_scripts()
    assert command in commands()
    assert flags == ["--force"]
    # AND its files pattern matches the configs it compiles
    assert all(re.search(hook["files"], name) for name in ("flow-logs.yaml", "main.tf", "x.tfvars", "a.json"))
    # AND with the args a user gives, it writes the template
    config = "archive.tfvars" if command == "archive" else "flow-logs.yaml"
    assert run_in(tmp_path, [command, *flags, "--config", config, "-o", "templates/out.yaml"], monkeypatch) == 0
    assert (tmp_path / "templates/out.yaml").stat().st_size > 0


def test_the_readme_consumer_config_runs_as_written(tmp_path, monkeypatch):
    # GIVEN the guide's .pre-commit-config.yaml
    entries = {hook["id"]: hook["entry"] for hook in HOOKS}
    (repo,) = readme_consumer_config()["repos"]
    assert repo["hooks"]
    for i, hook in enumerate(repo["hooks"]):
        # WHEN each hook runs its entry with the args shown (in a repository holding the configs)
        _, *command = shlex.split(entries[hook["id"]])
        folder = tmp_path / str(i)
        folder.mkdir()
        # THEN it writes the template the args name
        assert run_in(folder, [*command, *hook["args"]], monkeypatch) == 0
        output = hook["args"][hook["args"].index("-o") + 1]
        assert "AWS::EC2::FlowLog" in (folder / output).read_text(encoding="utf-8")


@pytest.mark.parametrize("hook", HOOKS, ids=[hook["id"] for hook in HOOKS])
def test_a_hook_run_again_leaves_an_unchanged_template_and_replaces_a_stale_one(hook, tmp_path, monkeypatch, capsys):
    # GIVEN a hook's entry and a template it wrote
    entry = shlex.split(hook["entry"])[1:]
    config = "archive.tfvars" if entry[0] == "archive" else "flow-logs.yaml"
    argv = [*entry, "--config", config, "-o", "templates/out.yaml"]
    assert run_in(tmp_path, argv, monkeypatch) == 0
    template = tmp_path / "templates/out.yaml"
    before = template.stat()
    capsys.readouterr()
    # WHEN it runs again on the same config THEN the template is untouched (pre-commit sees no change)
    assert main(argv) == 0
    after = template.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert "unchanged" in capsys.readouterr().err
    # WHEN the config changed THEN the hook's --force lets it replace the template it owns
    (tmp_path / config).write_text(
        (tmp_path / config)
        .read_text(encoding="utf-8")
        .replace("o-abcd123456", "o-efgh123456")
        .replace("traffic_type: ALL", "traffic_type: REJECT"),
        encoding="utf-8",
    )
    assert main(argv) == 0
    assert template.read_bytes() != b"" and template.stat().st_mtime_ns != before.st_mtime_ns
    # AND it never writes over the config it reads
    with pytest.raises(SystemExit) as refused:
        main([*entry, "--config", config, "-o", config])
    assert refused.value.code == 2
