"""The package's one writer (output/files.py): every case of what may and may not be replaced,
over real files, links, a character device, a FIFO and a pipe's descriptor."""

from __future__ import annotations

import os
import stat
import sys
import threading
from pathlib import Path

import pytest

from cfn_flowlogs.output import files
from cfn_flowlogs.output.files import Refused, preflight, write_files, write_text

NEW = "new text\n"


def snapshot(folder: Path) -> dict[str, tuple[str, int, bytes]]:
    """Every entry under `folder`: its kind, inode and (for a regular file) bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        status = path.lstat()
        kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file" if path.is_file() else "other"
        found[str(path.relative_to(folder))] = (kind, status.st_ino, path.read_bytes() if kind == "file" else b"")
    return found


# --- one file: what is written, what is refused -------------------------------------------------


def existing(tmp: Path) -> Path:
    (tmp / "out.yaml").write_text("old\n")
    return tmp / "out.yaml"


def same(tmp: Path) -> Path:
    (tmp / "out.yaml").write_text(NEW)
    return tmp / "out.yaml"


def link_to_file(tmp: Path) -> Path:
    (tmp / "real.yaml").write_text("old\n")
    (tmp / "out.yaml").symlink_to("real.yaml")
    return tmp / "out.yaml"


def dangling_link(tmp: Path) -> Path:
    (tmp / "out.yaml").symlink_to("real.yaml")
    return tmp / "out.yaml"


def directory(tmp: Path) -> Path:
    (tmp / "out").mkdir()
    return tmp / "out"


def under_a_file(tmp: Path) -> Path:
    (tmp / "file").write_text("x")
    return tmp / "file" / "out.yaml"


def missing_directory(tmp: Path) -> Path:
    return tmp / "missing" / "out.yaml"


# (make the target, force, the outcome or the error, the text the real file holds after)
CASES = [
    pytest.param(lambda tmp: tmp / "out.yaml", False, "wrote", {"out.yaml": NEW}, id="new-file"),
    pytest.param(existing, False, "exists (give --force to overwrite it)", {"out.yaml": "old\n"}, id="existing-file"),
    pytest.param(existing, True, "wrote", {"out.yaml": NEW}, id="existing-file-with-force"),
    pytest.param(same, False, "unchanged", {"out.yaml": NEW}, id="same-bytes-without-force"),
    pytest.param(link_to_file, False, "exists (give --force", {"real.yaml": "old\n"}, id="link-to-a-file"),
    pytest.param(link_to_file, True, "wrote", {"real.yaml": NEW}, id="link-to-a-file-with-force"),
    pytest.param(dangling_link, False, "wrote", {"real.yaml": NEW}, id="dangling-link-makes-its-target"),
    pytest.param(directory, True, "is a directory", {}, id="directory"),
    pytest.param(under_a_file, True, "Not a directory", {"file": "x"}, id="path-under-a-file"),
    pytest.param(missing_directory, True, "No such file or directory", {}, id="missing-directory"),
]


@pytest.mark.parametrize(("make", "force", "expected", "after"), CASES)
def test_one_target(tmp_path, make, force, expected, after):
    # GIVEN a target WHEN a text is written to it
    target = make(tmp_path)
    links = {p.name for p in tmp_path.iterdir() if p.is_symlink()}
    try:
        outcome = write_text(target, NEW, force=force)
    except OSError as error:  # THEN either it is refused or fails naming the path, writing nothing
        assert expected in str(error) and str(target) in str(error), str(error)
        assert expected not in ("wrote", "unchanged")
    else:  # or it says what it did
        assert (outcome.status, outcome.path, outcome.size) == (expected, str(target), len(NEW))
    # AND the files hold what they should, links stay links, and no temporary file is left
    for name, text in after.items():
        assert (tmp_path / name).read_text() == text
    assert {p.name for p in tmp_path.iterdir() if p.is_symlink()} == links
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith((".tmp", ".bak"))]


def test_same_bytes_leave_the_file_as_it_is(tmp_path):
    # GIVEN a file holding the text already WHEN it is written again, without force
    target = same(tmp_path)
    before = target.stat()
    assert write_text(target, NEW).status == "unchanged"
    # THEN it is the same file, untouched (inode and modification time)
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = existing(tmp_path)
    target.chmod(0o640)
    write_text(target, NEW, force=True)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


# --- inputs are never written -------------------------------------------------------------------


def input_itself(tmp: Path) -> tuple[Path, Path]:
    return tmp / "main.tf", tmp / "main.tf"


def link_to_input(tmp: Path) -> tuple[Path, Path]:
    (tmp / "link.tf").symlink_to("main.tf")
    return tmp / "link.tf", tmp / "main.tf"


def input_through_a_link(tmp: Path) -> tuple[Path, Path]:
    (tmp / "link.tf").symlink_to("main.tf")
    return tmp / "main.tf", tmp / "link.tf"


def hard_link_to_input(tmp: Path) -> tuple[Path, Path]:
    os.link(tmp / "main.tf", tmp / "other.tf")
    return tmp / "other.tf", tmp / "main.tf"


def relative_input(tmp: Path) -> tuple[Path, Path]:
    return tmp / "main.tf", Path(os.path.relpath(tmp / "main.tf"))


@pytest.mark.parametrize(
    "make", [input_itself, link_to_input, input_through_a_link, hard_link_to_input, relative_input]
)
@pytest.mark.parametrize("force", [False, True], ids=["without-force", "with-force"])
def test_an_input_is_never_written(tmp_path, make, force):
    # GIVEN a file the command reads, and a target that is that file
    (tmp_path / "main.tf").write_text('module "x" {}\n')
    target, read = make(tmp_path)
    before = snapshot(tmp_path)
    # WHEN a text is written there, with or without force THEN it is refused, naming the target
    with pytest.raises(Refused, match="is a file this command reads: never overwritten, even with --force") as refused:
        write_text(target, NEW, force=force, inputs=[read])
    assert refused.value.path == str(target)
    assert snapshot(tmp_path) == before


# --- what is not a regular file is written to, never replaced ------------------------------------


def test_standard_output(capsys, tmp_path):
    outcome = write_text("-", NEW)
    assert (outcome.status, capsys.readouterr().out) == ("stdout", NEW)


def test_a_closed_standard_output_is_an_error_naming_it(monkeypatch):
    class Closed:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    with pytest.raises(OSError, match="Broken pipe") as failed:
        write_text("-", NEW)
    assert failed.value.filename == "standard output"


def test_a_character_device_survives(tmp_path):
    # GIVEN a character device (the null device's numbers) made where the test may
    device = tmp_path / "nulldev"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as error:
        pytest.skip(f"cannot make a device node here: {error}")
    # WHEN a text is written to it, without force
    outcome = write_text(device, NEW)
    # THEN it is still that device (not a regular file of the text), and nothing else was made
    status = device.lstat()
    assert stat.S_ISCHR(status.st_mode) and status.st_rdev == os.makedev(1, 3)
    assert outcome.status == "wrote"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nulldev"]


def read_fifo(path: Path) -> tuple[threading.Thread, list[bytes]]:
    got: list[bytes] = []

    def read() -> None:
        with open(path, "rb") as handle:
            got.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, got


def test_a_fifo_survives_and_is_read(tmp_path):
    # GIVEN a FIFO with a reader
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader, got = read_fifo(fifo)
    # WHEN a text is written to it
    write_text(fifo, NEW)
    reader.join(timeout=30)
    # THEN the reader got the text and the FIFO is still a FIFO
    assert got == [NEW.encode()]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_descriptor_path_is_written_to(tmp_path):
    # GIVEN a pipe's descriptor as a path (what /dev/stdout is for standard output)
    read_end, write_end = os.pipe()
    try:
        # WHEN a text is written to /dev/fd/N THEN it arrives through the pipe
        write_text(f"/dev/fd/{write_end}", NEW)
        assert os.read(read_end, 100) == NEW.encode()
    finally:
        os.close(read_end)
        os.close(write_end)


# --- several files: all or none ------------------------------------------------------------------


def test_a_refusal_writes_none_of_the_files(tmp_path):
    # GIVEN two targets, the second an existing file
    (tmp_path / "b.yaml").write_text("old\n")
    before = snapshot(tmp_path)
    # WHEN both are written without force THEN the refusal names the second, and the first is not made
    with pytest.raises(Refused, match=r"b\.yaml: exists"):
        write_files({tmp_path / "a.yaml": NEW, tmp_path / "b.yaml": NEW})
    assert snapshot(tmp_path) == before


def test_a_write_error_halfway_leaves_nothing_it_made(tmp_path, monkeypatch):
    # GIVEN the second of three files failing as it is written (a full disk, say)
    staged = files._temporary
    calls = []

    def failing(folder, name):
        calls.append(name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return staged(folder, name)

    monkeypatch.setattr(files, "_temporary", failing)
    out = tmp_path / "new" / "dir"
    # WHEN they are written into a directory to make THEN the error names the file
    with pytest.raises(OSError, match="No space left on device") as failed:
        write_files({out / "a.yaml": NEW, out / "b.yaml": NEW, out / "c.yaml": NEW}, create=out)
    assert failed.value.filename == str(out / "b.yaml")
    # AND neither the files, their temporary files nor the directories made are left
    assert list(tmp_path.iterdir()) == []


def test_a_rename_that_fails_undoes_the_ones_before(tmp_path, monkeypatch):
    # GIVEN a new file and two existing ones, the rename of the last failing
    (tmp_path / "b.yaml").write_text("old b\n")
    (tmp_path / "c.yaml").write_text("old c\n")
    replace = os.replace

    def failing(source, target):
        if str(target).endswith("c.yaml"):
            raise OSError(5, "Input/output error")
        return replace(source, target)

    monkeypatch.setattr(files.os, "replace", failing)
    # WHEN all three are written (with force) THEN the error names the file
    with pytest.raises(OSError, match="Input/output error") as failed:
        write_files({tmp_path / "a.yaml": NEW, tmp_path / "b.yaml": NEW, tmp_path / "c.yaml": NEW}, force=True)
    assert failed.value.filename == str(tmp_path / "c.yaml")
    # AND the new file is gone again, the replaced one holds its old text, and nothing else is left
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {"b.yaml": "old b\n", "c.yaml": "old c\n"}


def test_the_same_file_twice_is_refused(tmp_path):
    (tmp_path / "real.yaml").write_text("x")
    (tmp_path / "link.yaml").symlink_to("real.yaml")
    with pytest.raises(Refused, match="is written twice"):
        write_files({tmp_path / "real.yaml": NEW, tmp_path / "link.yaml": NEW}, force=True)


# --- refusing before the text is known -----------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "force", "refused"),
    [
        pytest.param(lambda tmp: tmp / "new.yaml", False, None, id="new-file"),
        pytest.param(existing, False, "exists", id="existing-file"),
        pytest.param(same, False, "exists", id="existing-file-even-if-it-would-not-change"),
        pytest.param(existing, True, None, id="existing-file-with-force"),
        pytest.param(directory, True, "is a directory", id="directory"),
    ],
)
def test_preflight_refuses_what_any_text_would_be_refused(tmp_path, make, force, refused):
    target = make(tmp_path)
    before = snapshot(tmp_path)
    if refused is None:
        preflight([target], force=force)
    else:
        with pytest.raises(Refused, match=refused):
            preflight([target], force=force)
    assert snapshot(tmp_path) == before
