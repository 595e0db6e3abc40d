"""A local AWS endpoint (moto's server, patched) and the real AWS CLI pointed at it."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import boto3
import botocore.session

from .moto_fixes import STILL_SKIPPED

LAUNCHER = Path(__file__).with_name("moto_server.py")
BIN = Path(sys.executable).parent  # the venv's: `aws` and `cfn-flowlogs` are installed beside python
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account


@contextmanager
def moto_server(log: Path, timeout: float = 30.0) -> Iterator[str]:
    """Run the patched moto server on a free loopback port; yield its URL; stop it."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, str(LAUNCHER), "--port", str(port)], stdout=out, stderr=out)
    try:
        _wait_until_answers(url, server, log, timeout)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via a proxy


def _wait_until_answers(url: str, server: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"moto server exited with {server.returncode}:\n{log.read_text()}")
        try:
            _DIRECT.open(f"{url}/moto-api/", timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # an HTTP answer of any kind: it serves
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto server did not answer within {timeout} s:\n{log.read_text()}")


SKIPPED_ROUTE = "/moto-api/cfn-flowlogs/skipped-resources"  # served by moto_fixes/unsupported.py
_checked: dict[str, int] = {}  # endpoint -> how many of its skipped resources a check has seen


def skipped_resources(endpoint: str) -> list[dict[str, str | None]]:
    """Every resource the server's CloudFormation has skipped so far, in order."""
    with _DIRECT.open(f"{endpoint}{SKIPPED_ROUTE}", timeout=10) as answer:
        skipped: list[dict[str, str | None]] = json.load(answer)["SkippedResources"]
    return skipped


def check_skipped_resources(endpoint: str) -> None:
    """Fail on each resource moto skipped since the last check (by any Aws of this endpoint, or
    a shell script's `aws`) whose type STILL_SKIPPED does not list: moto reported its stack
    complete without it. Each skip is reported once, by the first check that sees it."""
    skipped = skipped_resources(endpoint)
    new, _checked[endpoint] = skipped[_checked.get(endpoint, 0) :], len(skipped)
    unlisted = [resource for resource in new if resource["Type"] not in STILL_SKIPPED]
    if unlisted:
        lines = [
            f"  {r['Type']} {r['LogicalResourceId']} of stack {r['StackName']} ({r['Account']}, {r['Region']})"
            for r in unlisted
        ]
        raise AssertionError(
            "moto's CloudFormation skipped resources of a type it does not model, and reported their stacks "
            "complete:\n" + "\n".join(lines) + "\nmodel the type in a named fix (tests/aws/moto_fixes/), or list "
            "it in STILL_SKIPPED (tests/aws/moto_fixes/skipped.py) with the test that covers it statically"
        )


def aws_files(home: Path) -> tuple[Path, Path]:
    """An empty AWS config and credentials file of this test home's own (made once): no user's
    ~/.aws and no system file such as /dev/null, which botocore cannot parse once it is not the
    null device."""
    files = home / ".aws" / "config", home / ".aws" / "credentials"
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    return files


def isolated_env(endpoint: str, home: Path) -> dict[str, str]:
    """Dummy credentials and the local endpoint; no user config, profile or real account.

    AWS_ENDPOINT_URL rather than --endpoint-url: `aws cloudformation package` builds its S3
    client without --endpoint-url, but every client honours the variable.
    """
    config, credentials = aws_files(home)
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": endpoint,
        "NO_PROXY": "127.0.0.1,localhost",
    }


def isolated_session(home: Path, **credentials: str) -> boto3.session.Session:
    """A boto3 session that reads only `home`'s empty AWS files: no user config or profile."""
    isolated = botocore.session.Session()
    config, credentials_file = aws_files(home)
    for variable, value in (("config_file", str(config)), ("credentials_file", str(credentials_file)),
                            ("profile", None)):  # fmt: skip
        isolated.set_config_variable(variable, value)
    return boto3.session.Session(botocore_session=isolated, **credentials)


def aws_cli(args: list[str], env: Mapping[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`aws *args` with this environment and working directory: the AWS CLI's own driver, run in
    this process. A new interpreter takes 0.4 s to load the CLI, most of each call's time and of
    the deploy tests' (some hundreds of calls); the driver, its session and its output are the
    same. Shell scripts the tests run (README blocks, rollout.sh) still call `aws` as a program."""
    from awscli.clidriver import create_clidriver  # importing it sets AWS_DATA_PATH, its data

    saved, here = dict(os.environ), os.getcwd()
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    os.environ.clear()
    os.environ.update(env, AWS_DATA_PATH=saved.get("AWS_DATA_PATH", ""))
    try:
        if cwd is not None:
            os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = create_clidriver().main(args)
            except SystemExit as exit_:  # a usage error, as `aws` exits
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.chdir(here)
        os.environ.clear()
        os.environ.update(saved)
    out.flush()
    err.flush()
    stdout, stderr = (stream.buffer.getvalue().decode("utf-8") for stream in (out, err))  # type: ignore[attr-defined]
    return subprocess.CompletedProcess([str(BIN / "aws"), *args], code, stdout, stderr)


def run_program(command: list[str], aws: Aws, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A program as a user runs it against the local endpoint (`aws` and `cfn-flowlogs` from the
    venv on its PATH); a non-zero exit fails the test with its output."""
    env = {**aws.env, "PATH": f"{BIN}:{aws.env['PATH']}"}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{command[0]} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


class Aws:
    """The AWS CLI against the local endpoint: `aws("ec2", "create-vpc", ...)` -> parsed JSON."""

    def __init__(self, endpoint: str, home: Path) -> None:
        self.endpoint = endpoint
        self.home = home
        self.env = isolated_env(endpoint, home)

    def __call__(self, *args: str, cwd: Path | None = None) -> Any:
        done = self.run(*args, "--output", "json", cwd=cwd)
        return json.loads(done.stdout) if done.stdout.strip() else None

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """The command's output as text; a failure is the test's failure, with the CLI's message."""
        done = aws_cli(list(args), self.env, cwd)
        if done.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
        if args[:1] == ("cloudformation",):  # deploy, create-stack, update-stack, execute-change-set ...
            check_skipped_resources(self.endpoint)
        return done

    def fails(self, *args: str) -> str:
        """The error message of a command that must fail; its success is the test's failure."""
        done = aws_cli(list(args), self.env)
        if done.returncode == 0:
            raise AssertionError(f"aws {' '.join(args)} succeeded:\n{done.stdout}")
        return done.stderr

    def deploy(self, stack: str, template: Path, parameters: Mapping[str, str] = {}) -> dict[str, Any]:
        """`aws cloudformation deploy` as a user runs it; the stack as described afterwards."""
        overrides = [f"{name}={value}" for name, value in parameters.items()]
        self.run(
            "cloudformation", "deploy", "--stack-name", stack, "--template-file", str(template),
            "--capabilities", "CAPABILITY_NAMED_IAM", "--no-fail-on-empty-changeset",
            *(["--parameter-overrides", *overrides] if overrides else []),
        )  # fmt: skip
        return self.stack(stack)

    def stack(self, name: str) -> dict[str, Any]:
        stack: dict[str, Any] = self("cloudformation", "describe-stacks", "--stack-name", name)["Stacks"][0]
        return stack

    def outputs(self, name: str) -> dict[str, str]:
        return {o["OutputKey"]: o["OutputValue"] for o in self.stack(name).get("Outputs", [])}

    def flow_log(self, flow_log_id: str) -> dict[str, Any]:
        flow_logs = self("ec2", "describe-flow-logs", "--flow-log-ids", flow_log_id)["FlowLogs"]
        assert len(flow_logs) == 1, flow_logs
        found: dict[str, Any] = flow_logs[0]
        return found

    def flow_log_ids(self) -> set[str]:
        return {f["FlowLogId"] for f in self("ec2", "describe-flow-logs")["FlowLogs"]}

    def physical_id(self, stack: str, logical_id: str) -> str:
        resource = self("cloudformation", "describe-stack-resource", "--stack-name", stack,
                        "--logical-resource-id", logical_id)  # fmt: skip
        return str(resource["StackResourceDetail"]["PhysicalResourceId"])

    def logical_ids(self, stack: str) -> set[str]:
        resources = self("cloudformation", "describe-stack-resources", "--stack-name", stack)["StackResources"]
        return {r["LogicalResourceId"] for r in resources}

    def client(self, service: str) -> Any:
        """A boto3 client for the same endpoint and dummy account, reading no user config."""
        session = isolated_session(
            self.home, aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION
        )
        return session.client(service, endpoint_url=self.endpoint)  # type: ignore[call-overload]
