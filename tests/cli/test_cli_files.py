"""What every command that writes files does with them: it says what it wrote, overwrites only
with --force, never writes over a file it reads, writes to a device or FIFO without replacing
it, `-o -` is standard output, and a refusal is exit 2 with one line naming the path."""

from __future__ import annotations

import io
import os
import stat
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from cfn_flowlogs.cli import main
from cfn_flowlogs.output import files

from ..conftest import ROOT
from ..conftest import run_cli as run

VPC = "vpc-0123456789abcdef0"
PREFIX = "cfn-flowlogs: error:"
KEY = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555"
ROOT_USER = os.geteuid() == 0


def config(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


# Each command that writes one text to -o: (its arguments but -o, given a folder to read from).
COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "build": lambda tmp: ["build", "--config", str(config(tmp, "flows.yaml", f"vpc_id: {VPC}\n"))],
    "build-tf": lambda tmp: [
        "build",
        "--config",
        str(
            config(tmp, "main.tf", 'module "logs" {\n  source = "../vpc-flow-logs"\n  vpc_id = module.vpc.vpc_id\n}\n')
        ),
        "--set",
        f"vpc_id={VPC}",
    ],
    "archive": lambda tmp: ["archive", "--config", str(config(tmp, "archive.yaml", "organization_id: o-abcd123456\n"))],
    "policies": lambda tmp: [
        "policies",
        "--config",
        str(config(tmp, "key.yaml", f"vpc_id: {VPC}\nkms_key_arn: {KEY}\n")),
    ],
    "diagram": lambda tmp: ["diagram", "--config", str(config(tmp, "flows.yaml", f"vpc_id: {VPC}\n"))],
}


def the_config(argv: list[str]) -> Path:
    return Path(argv[argv.index("--config") + 1])


def expected_text(capsys, argv: list[str]) -> str:
    code, out, err = run(capsys, *argv, "-o", "-")
    assert (code, err) == (0, ""), err
    return out


def one_error_line(code: int, out: str, err: str) -> str:
    assert (code, out) == (2, ""), err
    (line,) = err.splitlines()
    assert line.startswith(f"{PREFIX} ")
    return line.removeprefix(f"{PREFIX} ")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_new_file_is_written_and_said(capsys, tmp_path, command):
    # GIVEN a command and a new output path
    argv = COMMANDS[command](tmp_path)
    target = tmp_path / "out.txt"
    # WHEN it writes there
    code, out, err = run(capsys, *argv, "-o", str(target))
    # THEN the file holds what `-o -` prints, and stderr says what was written, in one line
    assert (code, out) == (0, "")
    text = expected_text(capsys, argv)
    assert target.read_text(encoding="utf-8") == text
    assert err.splitlines()[0] == f"cfn-flowlogs: wrote {target} ({len(text.encode())} bytes)"
    # AND --quiet says nothing
    again = tmp_path / "again.txt"
    assert run(capsys, *argv, "-o", str(again), "--quiet") == (0, "", "")
    assert again.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("command", COMMANDS)
def test_an_existing_file_is_overwritten_only_with_force(capsys, tmp_path, command):
    # GIVEN an existing output file
    argv = COMMANDS[command](tmp_path)
    target = config(tmp_path, "out.txt", "mine\n")
    # WHEN the command writes there without --force THEN exit 2, one line naming it, the file kept
    line = one_error_line(*run(capsys, *argv, "-o", str(target)))
    assert line == f"{target}: exists (give --force to overwrite it)"
    assert target.read_text(encoding="utf-8") == "mine\n"
    # WHEN with --force THEN it is replaced
    assert run(capsys, *argv, "-o", str(target), "--force")[0] == 0
    assert target.read_text(encoding="utf-8") == expected_text(capsys, argv)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_that_would_not_change_is_left_as_it_is(capsys, tmp_path, command):
    # GIVEN the file the command writes, written already
    argv = COMMANDS[command](tmp_path)
    target = config(tmp_path, "out.txt", expected_text(capsys, argv))
    before = target.stat()
    # WHEN it runs again without --force THEN exit 0, the file untouched, and stderr says so
    code, _, err = run(capsys, *argv, "-o", str(target))
    assert code == 0
    assert err.splitlines()[0] == f"cfn-flowlogs: {target} unchanged ({before.st_size} bytes)"
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def the_input(tmp: Path, argv: list[str]) -> Path:
    return the_config(argv)


def a_link_to_the_input(tmp: Path, argv: list[str]) -> Path:
    (tmp / "link").symlink_to(the_config(argv))
    return tmp / "link"


def a_directory(tmp: Path, argv: list[str]) -> Path:
    (tmp / "folder").mkdir()
    return tmp / "folder"


def under_a_file(tmp: Path, argv: list[str]) -> Path:
    # What a read-only directory is for other users: root may write into one, never under a file.
    return the_config(argv) / "out.txt"


def read_only_directory(tmp: Path, argv: list[str]) -> Path:
    if ROOT_USER:
        pytest.skip("root writes into read-only directories (under_a_file covers an unwritable path)")
    (tmp / "locked").mkdir()
    (tmp / "locked").chmod(0o500)
    return tmp / "locked" / "out.txt"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(the_input, "is a file this command reads: never overwritten, even with --force", id="the-input"),
        pytest.param(
            a_link_to_the_input,
            "is a file this command reads: never overwritten, even with --force",
            id="link-to-input",
        ),
        pytest.param(a_directory, "is a directory", id="a-directory"),
        pytest.param(under_a_file, "cannot write", id="under-a-file"),
        pytest.param(read_only_directory, "cannot write", id="read-only-directory"),
    ],
)
@pytest.mark.parametrize("command", COMMANDS)
def test_what_may_not_be_written_is_refused_even_with_force(capsys, tmp_path, command, make, message):
    # GIVEN a command and an output path it may not write
    argv = COMMANDS[command](tmp_path)
    target = make(tmp_path, argv)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()}
    try:
        # WHEN it runs with --force THEN exit 2 with one line naming the path, and nothing changed
        line = one_error_line(*run(capsys, *argv, "-o", str(target), "--force"))
        assert str(target) in line and message in line, line
        assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()} == before
    finally:
        for folder in tmp_path.iterdir():
            if folder.is_dir():
                folder.chmod(0o700)


def test_build_config_main_tf_o_main_tf_keeps_the_terraform_file(capsys, tmp_path):
    # GIVEN the Gruntwork-style main.tf of the issue
    main_tf = config(
        tmp_path, "main.tf", 'module "logs" {\n  source = "../vpc-flow-logs"\n  vpc_id = "' + VPC + '"\n}\n'
    )
    before = main_tf.read_bytes()
    for force in ([], ["--force"]):
        # WHEN it is built into itself THEN exit 2, one line, and main.tf is the same bytes
        line = one_error_line(*run(capsys, "build", "--config", str(main_tf), "-o", str(main_tf), *force))
        assert line == f"{main_tf}: is a file this command reads: never overwritten, even with --force"
        assert main_tf.read_bytes() == before


@pytest.mark.parametrize("command", COMMANDS)
def test_dash_is_standard_output(capsys, tmp_path, command):
    argv = COMMANDS[command](tmp_path)
    code, out, err = run(capsys, *argv, "-o", "-")
    assert (code, err) == (0, "") and out
    assert "-" not in {p.name for p in Path.cwd().iterdir()}


# --- devices and FIFOs -----------------------------------------------------------------------------


def test_a_character_device_survives_a_build(capsys, tmp_path):
    # GIVEN a character device with the null device's numbers, made where the test may
    device = tmp_path / "nulldev"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError as error:
        pytest.skip(f"cannot make a device node here: {error}")
    # WHEN a build writes to it (no --force: nothing is overwritten)
    code, _, err = run(capsys, "build", "--set", f"vpc_id={VPC}", "-o", str(device))
    # THEN it is still the device, not a regular file of the template
    assert code == 0, err
    assert stat.S_ISCHR(device.lstat().st_mode) and device.lstat().st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nulldev"]


def test_a_fifo_survives_a_build_and_carries_the_template(capsys, tmp_path):
    # GIVEN a FIFO with a reader
    fifo = tmp_path / "template.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    # WHEN a build writes to it
    code, _, err = run(capsys, "build", "--set", f"vpc_id={VPC}", "-o", str(fifo))
    reader.join(timeout=60)
    # THEN the reader got the template and the FIFO is still a FIFO
    assert code == 0, err
    assert got == [expected_text(capsys, ["build", "--set", f"vpc_id={VPC}"]).encode()]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


# --- several configs -------------------------------------------------------------------------------


def two_configs(tmp: Path) -> list[str]:
    a = config(tmp, "a.yaml", f"vpc_id: {VPC}\n")
    b = config(tmp, "b.yaml", "subnet_id: subnet-0123456789abcdef0\n")
    return ["build", "--config", str(a), "--config", str(b)]


def test_several_configs_refuse_an_existing_template_and_write_neither(capsys, tmp_path):
    # GIVEN two configs and a directory holding one of their templates already, changed
    argv = two_configs(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.yaml").write_text("mine\n")
    # WHEN they build into it without --force THEN exit 2, one line naming it, and a.yaml is not written
    line = one_error_line(*run(capsys, *argv, "-o", str(out)))
    assert line == f"{out / 'b.yaml'}: exists (give --force to overwrite it)"
    assert sorted(p.name for p in out.iterdir()) == ["b.yaml"]
    # WHEN with --force THEN both are written, a line each
    code, _, err = run(capsys, *argv, "-o", str(out), "--force")
    assert code == 0
    assert [line.split(" (")[0] for line in err.splitlines()] == [
        f"cfn-flowlogs: wrote {out / 'a.yaml'}",
        f"cfn-flowlogs: wrote {out / 'b.yaml'}",
    ]


def test_several_configs_never_write_over_one_of_them(capsys, tmp_path):
    # GIVEN configs whose templates would land on the configs themselves (-o their own folder)
    argv = two_configs(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    line = one_error_line(*run(capsys, *argv, "-o", f"{tmp_path}/", "--force"))
    assert line == f"{tmp_path / 'a.yaml'}: is a file this command reads: never overwritten, even with --force"
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_write_error_halfway_leaves_no_file_and_no_directory(capsys, tmp_path, monkeypatch):
    # GIVEN the second template's file failing as it is written
    argv = two_configs(tmp_path)
    staged = files._temporary
    calls: list[str] = []

    def failing(folder: str, name: str):
        calls.append(name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return staged(folder, name)

    monkeypatch.setattr(files, "_temporary", failing)
    # WHEN they build into a new directory THEN exit 2, one line naming the file
    out = tmp_path / "new" / "templates"
    line = one_error_line(*run(capsys, *argv, "-o", f"{out}/"))
    assert line == f"cannot write {out / 'b.yaml'}: No space left on device"
    # AND nothing is created: no template, no temporary file, no directory
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]


def test_several_configs_report_every_problem_of_every_file(capsys, tmp_path):
    # GIVEN two configs, each with two bad inputs
    a = config(tmp_path, "a.yaml", "vpc_id: vpc-1\ntraffic_type: SOME\n")
    b = config(tmp_path, "b.json", '{\n  "subnet_id": "subnet-x",\n  "file_format": "parquet"\n}\n')
    # WHEN they build THEN exit 2, and one line per problem names its file and line
    code, out, err = run(capsys, "build", "--config", str(a), "--config", str(b), "-o", f"{tmp_path}/out/")
    assert (code, out) == (2, "")
    lines = [line.removeprefix(f"{PREFIX} ").split(": must be")[0] for line in err.splitlines()]
    assert lines == [f"{a}:1: vpc_id", f"{a}:2: traffic_type", f"{b}:2: subnet_id", f"{b}:3: config"]
    assert not (tmp_path / "out").exists()


# --- rollout: its own files in the directory -------------------------------------------------------


def test_rollout_never_writes_over_its_plan(capsys, tmp_path):
    # GIVEN a plan kept in the rollout's directory under the name of one of its files
    plan = yaml.safe_load((ROOT / "examples/rollout/plan.yaml").read_text(encoding="utf-8"))
    (tmp_path / "rollout").mkdir()
    path = tmp_path / "rollout" / "rollout.sh"
    path.write_text(yaml.safe_dump(plan))
    before = path.read_bytes()
    # WHEN the rollout is written there, even with --force THEN exit 2, the plan kept, nothing written
    line = one_error_line(*run(capsys, "rollout", str(path), "-o", str(tmp_path / "rollout"), "--force"))
    assert line == f"{path}: is a file this command reads: never overwritten, even with --force"
    assert path.read_bytes() == before and [p.name for p in path.parent.iterdir()] == ["rollout.sh"]


# --- progress: on a terminal only ------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "not-a-terminal"])
def test_slow_steps_show_progress_on_a_terminal_only(tmp_path, monkeypatch, terminal):
    # GIVEN standard error a terminal (or a pipe)
    stderr = Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    tf = config(tmp_path, "main.tf", 'module "logs" {\n  source = "../vpc-flow-logs"\n  vpc_id = "' + VPC + '"\n}\n')
    other = config(tmp_path, "other.yaml", f"vpc_id: {VPC}\n")
    # WHEN a .tf config is read, and several configs build
    assert main(["build", "--config", str(tf), "-o", str(tmp_path / "one.yaml")]) == 0
    assert main(["build", "--config", str(tf), "--config", str(other), "-o", f"{tmp_path}/out/"]) == 0
    text = stderr.getvalue()
    wrote = [line for line in text.replace("\r\x1b[K", "\n").splitlines() if line.startswith("cfn-flowlogs: wrote")]
    assert len(wrote) == 3
    if terminal:  # THEN on a terminal each step is shown, and cleared before the next line
        assert f"\r\x1b[Kcfn-flowlogs: reading {tf} ..." in text
        assert f"\r\x1b[Kcfn-flowlogs: building 2 of 2: {other} ...\r\x1b[Kcfn-flowlogs: wrote" in text
    else:  # THEN elsewhere nothing but the lines of what was written
        assert "\r" not in text and "\x1b" not in text
        assert text.splitlines() == wrote


def test_quiet_shows_no_progress_either(tmp_path, monkeypatch):
    stderr = Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    tf = config(tmp_path, "main.tf", 'module "logs" {\n  source = "../vpc-flow-logs"\n  vpc_id = "' + VPC + '"\n}\n')
    assert main(["build", "--config", str(tf), "-o", str(tmp_path / "one.yaml"), "--quiet"]) == 0
    assert stderr.getvalue() == ""
