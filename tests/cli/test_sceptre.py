"""examples/sceptre: the real `sceptre generate` runs the Python template on the stack config's
`sceptre_user_data` and prints what `cfn-flowlogs build` writes for the same inputs. Sceptre has
its own virtualenv (`make pytest` installs `.venv-sceptre`; SCEPTRE names its command)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml
from cfn_flip import load_yaml

from cfn_flowlogs import build_template, to_yaml
from cfn_flowlogs.cli import main

from ..conftest import ROOT, SCEPTRE

PROJECT = ROOT / "examples/sceptre"
STACK = "dev/flow-logs.yaml"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> str:
    """stdout of one `sceptre generate` of the example stack, run on a copy of the project."""
    if not SCEPTRE.exists():
        pytest.fail(f"sceptre is not installed at {SCEPTRE}: run `make pytest`, which installs it")
    project = tmp_path_factory.mktemp("sceptre") / "project"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("__pycache__"))
    # No AWS account, profile or metadata service: generating a Python template calls no AWS API.
    # Empty AWS files of the copy's own, as a fresh home has them.
    aws = project / ".aws"
    aws.mkdir()
    for name in ("config", "credentials"):
        (aws / name).touch()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(project),
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": str(aws / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(aws / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    run = subprocess.run(
        [str(SCEPTRE), "--dir", str(project), "--output", "yaml", "generate", STACK],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def test_sceptre_generate_prints_what_build_writes_for_the_same_inputs(generated, tmp_path, capsys):
    # GIVEN the stack config's sceptre_user_data as a cfn-flowlogs config file
    stack = yaml.safe_load((PROJECT / "config" / STACK).read_text(encoding="utf-8"))
    config = tmp_path / "flow-logs.yaml"
    config.write_text(yaml.safe_dump(stack["sceptre_user_data"]), encoding="utf-8")
    # WHEN `cfn-flowlogs build` compiles it
    assert main(["build", "--config", str(config), "-o", str(tmp_path / "built.yaml")]) == 0
    built = (tmp_path / "built.yaml").read_text(encoding="utf-8")
    # THEN Sceptre printed the same template: it dumps the template's text as one YAML string,
    # after the document start it adds
    template = yaml.safe_load(generated)
    assert isinstance(template, str)
    assert load_yaml(template) == load_yaml(built)
    assert template == "---\n" + built
    # AND it is the specialized template of those inputs
    assert "vpc-0123456789abcdef0" in built
    assert "Parameters" not in load_yaml(built)


def test_the_example_template_without_user_data_is_the_shipped_template():
    # GIVEN the example's handler, loaded as Sceptre loads it (a file, not a package module)
    namespace: dict[str, object] = {}
    exec((PROJECT / "templates/flow_logs.py").read_text(encoding="utf-8"), namespace)
    handler = namespace["sceptre_handler"]
    assert callable(handler)
    # WHEN it gets no sceptre_user_data THEN it returns the shipped, parameterized template
    assert handler(None) == to_yaml(build_template())
    assert "Parameters" in load_yaml(handler({}))
