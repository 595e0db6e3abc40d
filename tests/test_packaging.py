"""The package as users get it. `make dist` builds an sdist and, from it, a wheel that twine
accepts; the wheel holds every file of the package. Installed into a fresh virtualenv from the
locked wheels alone (make downloads them into .wheelhouse; no index is read), with the lock as
constraints, it runs the command line, builds a template with the bucket emptier's code inlined,
imports, and takes the `aws` extra."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

import pytest
import tomllib
from cfn_flip import to_json as yaml_to_json
from packaging.requirements import Requirement

from cfn_flowlogs.compiler.resources.emptier import SOURCE, compact
from cfn_flowlogs.version import __version__

from .aws.endpoint import aws_files
from .conftest import ROOT

sys.path.insert(0, str(ROOT / "requirements"))
from check import normalize, pins  # requirements/ is not a package

PACKAGE = ROOT / "cfn_flowlogs"
WHEELHOUSE = ROOT / ".wheelhouse"
BUILD_STAMP = ".venv-build/.installed"
NAME = f"cfn_flowlogs-{__version__}"
# Data files setuptools would leave out unless told to: the function the templates inline, the
# typing marker.
DATA_FILES = {f"cfn_flowlogs/{SOURCE}", "cfn_flowlogs/py.typed"}


def package_files() -> set[str]:
    """Every file of the package in the source tree, as a path from the repository root."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@dataclass(frozen=True)
class Dist:
    sdist: Path
    wheel: Path


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """`make dist` into a directory of this test's own: the sdist, then the wheel built from the
    unpacked sdist (python -m build's way), both checked by `twine check --strict`."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"]}  # not a sub-make of `make test`
    if subprocess.run(["make", "-q", BUILD_STAMP], cwd=ROOT, env=env).returncode != 0:
        pytest.fail(f"{BUILD_STAMP} is missing or older than its lock: run `make pytest`, which installs it")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(["make", "--no-print-directory", "dist", f"DIST={out}"], cwd=ROOT, env=env,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2, done.stdout  # twine checked both
    return Dist(out / f"{NAME}.tar.gz", out / f"{NAME}-py3-none-any.whl")


def test_the_wheel_holds_every_file_of_the_package_and_nothing_else(dist: Dist):
    # GIVEN the built wheel
    names = zipfile.ZipFile(dist.wheel).namelist()
    # THEN it holds the package's files, the emptier's code and py.typed among them, every
    # subpackage with them, and besides them only its own metadata
    assert {name for name in names if name.startswith("cfn_flowlogs/")} == package_files()
    assert package_files() >= DATA_FILES
    assert {name.split("/")[0] for name in names} == {"cfn_flowlogs", f"{NAME}.dist-info"}
    # AND the license's text, which its metadata names
    assert f"{NAME}.dist-info/licenses/LICENSE" in names


def test_the_sdist_holds_what_the_wheel_was_built_from(dist: Dist):
    # GIVEN the sdist (the wheel was built from it, unpacked, so it held what a build needs)
    with tarfile.open(dist.sdist) as sdist:
        names = {name.removeprefix(f"{NAME}/") for name in sdist.getnames()}
    # THEN it holds the build's configuration, the readme the metadata names, and the package
    assert {"pyproject.toml", "PKG-INFO", "README.md", "LICENSE"} <= names
    assert package_files() <= names


def test_the_wheels_metadata_is_what_pyproject_declares(dist: Dist):
    # GIVEN the wheel's METADATA and entry points, and pyproject.toml's [project]
    with zipfile.ZipFile(dist.wheel) as wheel:
        metadata = HeaderParser().parsestr(wheel.read(f"{NAME}.dist-info/METADATA").decode("utf-8"))
        entry_points = wheel.read(f"{NAME}.dist-info/entry_points.txt").decode("utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # THEN name, version (from cfn_flowlogs/version.py), Python range and requirements match it
    assert (metadata["Name"], metadata["Version"]) == (project["name"], __version__)
    assert metadata["Requires-Python"] == project["requires-python"]
    declared = {(normalize(r.name), r.specifier, None) for r in map(Requirement, project["dependencies"])} | {
        (normalize(r.name), r.specifier, extra)
        for extra, texts in project["optional-dependencies"].items()
        for r in map(Requirement, texts)
    }
    shipped = set()
    for text in metadata.get_all("Requires-Dist", []):
        requirement = Requirement(text)
        extra = re.search(r'extra == "([^"]+)"', str(requirement.marker)) if requirement.marker else None
        shipped.add((normalize(requirement.name), requirement.specifier, extra and extra.group(1)))
    assert shipped == declared
    assert set(metadata.get_all("Provides-Extra", [])) == set(project["optional-dependencies"])
    assert re.search(r"^cfn-flowlogs = cfn_flowlogs\.cli:main$", entry_points, flags=re.M)


class Venv:
    """A new virtualenv with nothing in it, filled by pip from the wheelhouse alone."""

    def __init__(self, root: Path, home: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
        self.root, self.home = root, home
        config, credentials = aws_files(home)
        pip_config = home / "pip" / "pip.conf"  # pip's own file, empty; and its global dir ours
        pip_config.parent.mkdir()
        pip_config.touch()
        # No machine or user settings: no pip config but an empty one of its own, no AWS profile,
        # credentials or metadata. (pip still reads /etc/pip.conf; `install` passes every option
        # that matters on its command line, which wins over any config file.)
        self.env = {
            "PATH": f"{root / 'bin'}:{os.environ['PATH']}",
            "HOME": str(home),
            "PIP_CONFIG_FILE": str(pip_config),
            "XDG_CONFIG_DIRS": str(home),
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def install(self, requirement: str, lock: Path) -> None:
        """pip (this interpreter's, for the new one) installs `requirement` from the wheelhouse
        with no index, the lock's pins as constraints. (Their hashes were checked when make
        downloaded the wheels: pip takes no hashes for a local wheel's dependencies.)"""
        constraints = self.home / f"{lock.stem}.constraints.txt"
        constraints.write_text("".join(f"{name}=={version}\n" for name, version in pins(lock).items()))
        self.run(
            sys.executable, "-m", "pip", "--python", str(self.root / "bin/python"), "install", "--quiet",
            "--no-index", "--find-links", str(WHEELHOUSE), "--no-compile", "-c", str(constraints), requirement,
        )  # fmt: skip

    def run(self, *argv: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(argv, cwd=self.home, env=self.env, capture_output=True, text=True)
        assert done.returncode == expect, f"{argv} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        return done

    def distributions(self) -> dict[str, str]:
        """Every distribution the new interpreter sees: normalized name -> version (check.py's view)."""
        code = (
            f"import json, sys; sys.path.insert(0, {str(ROOT / 'requirements')!r}); "
            "import check; print(json.dumps(check.installed()))"
        )
        found: dict[str, str] = json.loads(self.run(str(self.root / "bin/python"), "-c", code).stdout)
        return found


def test_the_wheel_runs_from_a_fresh_virtualenv_installed_from_the_locked_wheels(dist: Dist, tmp_path: Path):
    if not (WHEELHOUSE / ".downloaded").exists():
        pytest.fail(f"{WHEELHOUSE} is not downloaded: run `make pytest`, which downloads it")
    runtime, with_aws = ROOT / "requirements/runtime.lock.txt", ROOT / "requirements/aws.lock.txt"
    # GIVEN a new virtualenv with the wheel installed from the wheelhouse, the runtime lock as constraints
    venv = Venv(tmp_path / "venv", tmp_path)
    venv.install(str(dist.wheel), runtime)
    # THEN it holds the runtime lock's packages at their locked versions, and nothing else
    # (setuptools is in the lock only to build the editable install)
    runtime_pins = {name: version for name, version in pins(runtime).items() if name != "setuptools"}
    assert venv.distributions() == {**runtime_pins, "cfn-flowlogs": __version__}
    cli = str(tmp_path / "venv/bin/cfn-flowlogs")
    # AND the command line runs from there
    assert venv.run(cli, "--version").stdout == f"cfn-flowlogs {__version__}\n"
    # AND the package imports from there, not from the source tree
    imported = venv.run(str(tmp_path / "venv/bin/python"), "-c", "import cfn_flowlogs; print(cfn_flowlogs.__file__)")
    assert Path(imported.stdout.strip()).is_relative_to(tmp_path / "venv")
    # WHEN it builds the example with the bucket emptier (force_destroy_bucket: true), linted
    venv.run(cli, "build", "--config", str(ROOT / "examples/s3.yaml"), "-o", "s3.yaml", "--lint")
    text = (tmp_path / "s3.yaml").read_text(encoding="utf-8")
    # THEN the template holds the emptier's code, read from the installed wheel, and is the
    # checked-in template the source tree builds
    template = json.loads(yaml_to_json(text))
    code = template["Resources"]["EmptyBucketFunction"]["Properties"]["Code"]["ZipFile"]
    assert code == compact((PACKAGE / SOURCE).read_text(encoding="utf-8")) and "def handler(" in code
    assert text == (ROOT / "templates/examples/s3.yaml").read_text(encoding="utf-8")
    # AND without the aws extra, the audit says what to install
    audit = venv.run(cli, "audit", expect=2)
    assert "audit needs boto3, which the aws extra installs: pip install 'cfn-flowlogs[aws]'" in audit.stderr
    # WHEN the aws extra is installed the same way, its lock as constraints
    venv.install(f"{dist.wheel}[aws]", with_aws)
    # THEN boto3 and what it needs come at their locked versions, and nothing else
    assert venv.distributions() == {**pins(with_aws), "cfn-flowlogs": __version__}
    # AND the audit runs: its help, and a run that gets as far as asking AWS who the caller is
    assert venv.run(cli, "audit", "--help").stdout.startswith("usage: cfn-flowlogs audit")
    audit = venv.run(cli, "audit", expect=3)
    assert "cannot read the caller's identity: NoCredentialsError" in audit.stderr
