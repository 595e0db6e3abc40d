"""The suite depends on nothing but its own files: no user's settings, no system file as AWS
config, and every environment `make` builds exactly what its lock says."""

from __future__ import annotations

import os
import pwd
import re
import subprocess
import sys
from pathlib import Path

import botocore.session
import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .aws.endpoint import isolated_env
from .conftest import ROOT

REQUIREMENTS = ROOT / "requirements"
LOCKS = sorted(REQUIREMENTS.glob("*.lock.txt"))
CHECK = REQUIREMENTS / "check.py"
sys.path.insert(0, str(REQUIREMENTS))
from check import normalize, pins  # noqa: E402  (requirements/ is not a package)

# --- no machine state ---------------------------------------------------------------------------


def test_tests_run_with_a_home_of_their_own_and_empty_aws_files():
    # GIVEN the environment every test runs in
    home = Path(os.environ["HOME"])
    # THEN it is not the user's home, and the AWS files are empty regular files of its own
    assert home != Path(pwd.getpwuid(os.getuid()).pw_dir)
    for variable in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        path = Path(os.environ[variable])
        assert path.is_file() and path.stat().st_size == 0 and home in path.parents, variable
    assert Path(os.environ["GIT_CONFIG_GLOBAL"]).read_text() == "" and os.environ["GIT_CONFIG_NOSYSTEM"] == "1"
    # AND botocore finds no profile, no credentials and no instance metadata to ask
    session = botocore.session.Session()
    assert not any(session.full_config.values())  # no profile, service or SSO session
    assert session.get_credentials() is None
    assert not {"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_ENDPOINT_URL"} & set(os.environ)


def test_the_local_endpoints_aws_tooling_reads_empty_files_of_its_own(tmp_path):
    # GIVEN the environment the deploy tests give the AWS CLI and boto3
    env = isolated_env("http://127.0.0.1:1", tmp_path)
    # THEN its config and credentials are empty regular files in the test's home, never a device
    for variable in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        path = Path(env[variable])
        assert path.is_file() and not path.is_char_device() and path.read_bytes() == b""
        assert tmp_path in path.parents
    assert env["HOME"] == str(tmp_path)


# A line of the tests that names a tool's config file, and one that names the null device
CONFIG_SETTING = re.compile(r"config_file|credentials_file", re.I)
NULL_DEVICE = re.compile(r"devnull|/dev/null")


def test_no_test_points_a_tool_at_the_null_device_as_its_config():
    # The null device as a config file works only while it is the null device (botocore must parse
    # it); every tool gets an empty file of its own instead.
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "tests").rglob("*.py")
        if path.name != "test_environment.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CONFIG_SETTING.search(line) and NULL_DEVICE.search(line)
    ]
    assert offenders == []


# --- the locks ----------------------------------------------------------------------------------


def test_every_environment_make_builds_has_a_lock_with_hashes():
    # GIVEN each lock in requirements/ and the .in file it is made from
    assert {lock.name.removesuffix(".lock.txt") for lock in LOCKS} >= {
        "runtime", "test", "checkov", "sceptre", "lock", "deploy", "endpoint", "build", "aws", "docs"
    }  # fmt: skip
    for lock in LOCKS:
        assert (REQUIREMENTS / lock.name.replace(".lock.txt", ".in")).exists(), lock.name
        # THEN every package is pinned exactly, and every pin carries its hashes
        text = lock.read_text(encoding="utf-8")
        entries = re.split(r"\n(?=[a-z0-9])", text.split("\n", 2)[2])
        assert entries, lock.name
        for entry in entries:
            assert re.match(r"[a-z0-9][a-z0-9._-]*==\S+ \\\n", entry), f"{lock.name}: {entry[:60]}"
            assert "--hash=sha256:" in entry, f"{lock.name}: {entry.splitlines()[0]}"


def _declared() -> dict[str, list[Requirement]]:
    """pyproject.toml's requirements by section: dependencies and each extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    sections = {"dependencies": project["dependencies"], **project["optional-dependencies"]}
    return {name: [Requirement(text) for text in texts] for name, texts in sections.items()}


@pytest.mark.parametrize(
    ("lock", "sections"),
    [
        ("runtime", ["dependencies"]),
        ("test", ["dependencies", "test", "aws", "query"]),
        ("sceptre", ["dependencies"]),
        ("aws", ["dependencies", "aws"]),
    ],
)
def test_a_lock_satisfies_the_ranges_pyproject_declares(lock, sections):
    # GIVEN a lock and the requirements it was compiled from
    pinned = pins(REQUIREMENTS / f"{lock}.lock.txt")
    for section in sections:
        for requirement in _declared()[section]:
            name = normalize(requirement.name)
            # THEN each is pinned inside its tested range (a stale lock fails here, not in CI)
            assert name in pinned, f"{lock}: {name} is not locked"
            assert requirement.specifier.contains(pinned[name], prereleases=True), (
                f"{lock}: {name}=={pinned[name]} is outside {requirement.specifier}"
            )


def test_the_runtime_lock_agrees_with_the_test_lock():
    # .venv is first installed from the runtime lock, then from the test lock on top
    runtime, test = pins(REQUIREMENTS / "runtime.lock.txt"), pins(REQUIREMENTS / "test.lock.txt")
    assert {name: test.get(name) for name in runtime} == runtime


@pytest.mark.parametrize(
    ("lock", "tool"),
    [("deploy", "awscli"), ("endpoint", "moto"), ("build", "setuptools"), ("aws", "boto3")],
)
def test_a_tool_lock_runs_what_the_tests_run(lock, tool):
    # GIVEN a lock compiled against the test lock: `make deploy`'s AWS CLI, `make endpoint`'s
    # moto, the wheel's setuptools, what `pip install 'cfn-flowlogs[aws]'` gets
    pinned, test = pins(REQUIREMENTS / f"{lock}.lock.txt"), pins(REQUIREMENTS / "test.lock.txt")
    # THEN its tool is the version the tests use, and so is every package the two locks share
    assert pinned[tool] == test[tool]
    assert {name: version for name, version in pinned.items() if name in test} == {
        name: test[name] for name in pinned if name in test
    }


def test_this_environment_is_exactly_its_lock():
    done = subprocess.run([sys.executable, str(CHECK), str(REQUIREMENTS / "test.lock.txt")], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


def test_drift_is_one_line_naming_each_package_and_both_versions(tmp_path):
    # GIVEN a lock whose pins disagree with what is installed
    lock = tmp_path / "moved.lock.txt"
    lock.write_text(
        "pytest==0.0.1 \\\n    --hash=sha256:00\nno-such-package==1.0 \\\n    --hash=sha256:00\n", encoding="utf-8"
    )
    # WHEN the check runs
    done = subprocess.run([sys.executable, str(CHECK), str(lock)], capture_output=True, text=True)
    # THEN it fails with one line naming each difference and what to do
    assert done.returncode == 1 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert f"pytest {pytest.__version__} installed, 0.0.1 locked" in line
    assert "no-such-package missing (1.0 locked)" in line
    assert "make lock" in line and str(lock) in line


def test_names_compare_in_their_normalized_form():
    assert normalize("PyYAML") == normalize("pyyaml") == canonicalize_name("PyYAML")
    assert normalize("types_PyYAML") == normalize("types-pyyaml") == canonicalize_name("types_PyYAML")


def _requirements(in_file: str) -> list[str]:
    """The requirement lines of a requirements/*.in file (comments and blank lines skipped)."""
    lines = (REQUIREMENTS / in_file).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_make_deploy_installs_the_aws_cli_alone_and_nothing_without_a_stack():
    env = {"PATH": os.environ["PATH"]}  # not a sub-make of `make test`
    # GIVEN make's own database of the rules, for a deploy of a stack
    database = subprocess.run(
        ["make", "-pnq", "-C", str(ROOT), "STACK=x", "help"], capture_output=True, text=True, env=env
    ).stdout
    (deploy,) = [line for line in database.splitlines() if line.startswith("deploy:")]
    # THEN what it installs is the deploy virtualenv, whose lock is the AWS CLI's
    assert deploy.split()[1:] == [".venv-deploy/.installed"]
    assert _requirements("deploy.in") == ["awscli"]
    # WHEN `make deploy` runs with no STACK
    done = subprocess.run(["make", "-C", str(ROOT), "deploy"], capture_output=True, text=True, env=env)
    # THEN it stops with its usage line, before installing anything
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == 'usage: make deploy STACK=name PARAMS="Key=Value ..." [ENDPOINT=url]'
    assert "venv" not in done.stdout + done.stderr


def test_each_install_stamp_depends_on_its_lock():
    # GIVEN make's own database of the Makefile's rules
    database = subprocess.run(
        ["make", "-pnq", "-C", str(ROOT), "help"], capture_output=True, text=True, env={"PATH": os.environ["PATH"]}
    ).stdout
    prerequisites = {
        target: rest.split()
        for target, _, rest in (line.partition(":") for line in database.splitlines())
        if target.endswith(("/.installed", "/.installed-test", "/.downloaded"))
    }
    # THEN a changed lock reinstalls the environment it belongs to
    expected = {
        ".venv/.installed": "requirements/runtime.lock.txt",
        ".venv/.installed-test": "requirements/test.lock.txt",
        ".venv-checkov/.installed": "requirements/checkov.lock.txt",
        ".venv-sceptre/.installed": "requirements/sceptre.lock.txt",
        ".venv-lock/.installed": "requirements/lock.lock.txt",
        ".venv-deploy/.installed": "requirements/deploy.lock.txt",
        ".venv-endpoint/.installed": "requirements/endpoint.lock.txt",
        ".venv-build/.installed": "requirements/build.lock.txt",
        ".venv-docs/.installed": "requirements/docs.lock.txt",
        ".wheelhouse/.downloaded": "requirements/aws.lock.txt",
    }
    for stamp, lock in expected.items():
        assert lock in prerequisites.get(stamp, []), stamp
