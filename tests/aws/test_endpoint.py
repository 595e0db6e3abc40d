"""`make endpoint`, run as a user runs it: what it prints before serving is enough to use it, and
the resource types it says it does not create are exactly the ones a deploy leaves out."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cfn_flowlogs import build_template, config_from, to_yaml

from .endpoint import _free_port, aws_cli, aws_files

ROOT = Path(__file__).resolve().parents[2]
STAMP = ".venv-endpoint/.installed"
CLIENT_VARIABLES = {"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"}
START_TIMEOUT_S = 90  # moto imports its services and the fixes apply before the banner


def make(*args: str) -> subprocess.Popen[str]:
    """`make *args` in the repository, as a user's shell starts it (not as a sub-make of `make
    test`), in a process group of its own so that Ctrl-C reaches make and the server alike."""
    if subprocess.run(["make", "-q", STAMP], cwd=ROOT, env={"PATH": os.environ["PATH"]}).returncode != 0:
        pytest.fail(f"{STAMP} is missing or older than its lock: run `make pytest`, which installs it")
    env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"]}
    return subprocess.Popen(
        ["make", "--no-print-directory", *args], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def read_banner(process: subprocess.Popen[str]) -> list[str]:
    """The lines printed up to the last one of the banner; the process is stopped if it has not
    printed them within START_TIMEOUT_S (its output then ends, and the test fails on it)."""
    watchdog = threading.Timer(START_TIMEOUT_S, os.killpg, (process.pid, signal.SIGKILL))
    watchdog.start()
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "Ctrl-C" in line:
                break
    finally:
        watchdog.cancel()
    return lines


@contextmanager
def make_endpoint(port: int) -> Iterator[list[str]]:
    """`make endpoint PORT=port` running; yield what it printed before serving; then Ctrl-C."""
    server = make("endpoint", f"PORT={port}")
    try:
        yield read_banner(server)
    finally:
        os.killpg(server.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        assert server.stdout is not None
        server.stdout.close()


def test_make_endpoint_prints_what_to_export_and_the_types_it_does_not_create(tmp_path):
    # GIVEN `make endpoint` on a free port
    port = _free_port()
    with make_endpoint(port) as banner:
        # THEN before serving it printed its URL and the variables a client exports, and nothing else
        exports = dict(line.strip().removeprefix("export ").split("=", 1) for line in banner if "export " in line)
        assert set(exports) == CLIENT_VARIABLES, banner
        assert exports["AWS_ENDPOINT_URL"] == f"http://127.0.0.1:{port}"
        assert f"http://127.0.0.1:{port}" in banner[0]
        listed = banner.index(next(line for line in banner if "does not create" in line))
        said_skipped = {line.strip() for line in banner[listed + 1 :] if line.startswith("  AWS::")}
        # WHEN a shell with just those variables creates a VPC and deploys an example's template
        # that uses most resource types (the Athena example: bucket, key, Glue, Athena)
        config, credentials = aws_files(tmp_path)
        env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "AWS_CONFIG_FILE": str(config),
               "AWS_SHARED_CREDENTIALS_FILE": str(credentials), **exports}  # fmt: skip

        def aws(*args: str) -> str:
            done = aws_cli([*args, "--output", "text"], env)
            assert done.returncode == 0, done.stderr
            return done.stdout.strip()

        vpc = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", "--query", "Vpc.VpcId")
        template = build_template(config_from(ROOT / "examples/s3-athena.yaml", [f"vpc_id={vpc}"]))
        (tmp_path / "template.yaml").write_text(to_yaml(template), encoding="utf-8")
        aws("cloudformation", "deploy", "--stack-name", "endpoint-try", "--template-file",
            str(tmp_path / "template.yaml"), "--capabilities", "CAPABILITY_NAMED_IAM")  # fmt: skip
        # THEN the stack is complete, and the types it lacks are exactly those the banner named
        assert aws("cloudformation", "describe-stacks", "--stack-name", "endpoint-try",
                   "--query", "Stacks[0].StackStatus") == "CREATE_COMPLETE"  # fmt: skip
        created = set(aws("cloudformation", "describe-stack-resources", "--stack-name", "endpoint-try",
                          "--query", "StackResources[].ResourceType").split())  # fmt: skip
        used = {resource.resource_type for resource in template.resources.values()}
        assert used - created, "the example should use a type moto skips (its bucket policy, at least)"
        assert used - created == said_skipped & used


def test_make_endpoint_on_a_taken_port_fails_in_one_line_before_the_banner():
    # GIVEN a port something already listens on
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # WHEN `make endpoint` is started on it
        second = make("endpoint", f"PORT={port}")
        try:
            out, _ = second.communicate(timeout=START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(second.pid, signal.SIGKILL)
            second.communicate()
            pytest.fail(f"make endpoint still runs on the taken port {port}")
    # THEN it stops at once, saying which port and what to do, and prints no URL to export
    assert second.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in out and "PORT=" in out
    assert "export" not in out
