"""The one way the package writes files: whole or not at all, and never over what it was not
asked to replace.

`write_files({path: text, ...}, force=..., inputs=...)` judges every target before it writes any:

- `-` is standard output;
- a symlink is followed, and its target judged;
- a device, FIFO or socket (`/dev/stdout`, `/dev/null`) is opened and written to, never replaced;
- a file the command reads (an input: the same file by `os.path.samefile`, a symlink to it
  included) is refused, even with `force`;
- an existing regular file whose bytes would not change is left as it is; one that would change
  is refused without `force`, and with it replaced through a temporary file and a rename;
- a directory is refused.

Then every text goes to a temporary file beside its target, and only when all are written are
they renamed into place (a rename that fails undoes those before it, as far as the file system
allows). A failure leaves behind nothing the call created, `create`'s directory included.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

STDOUT: Final = "-"
Status = Literal["wrote", "unchanged", "stdout"]


class Refused(FileExistsError):
    """A target that may not be written: an input, a directory, or an existing file without force."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class Outcome:
    """What became of one target: its path as given, what was done and the bytes it holds."""

    path: str
    status: Status
    size: int

    def __str__(self) -> str:
        if self.status == "unchanged":
            return f"{self.path} unchanged ({self.size} bytes)"
        return f"wrote {self.path} ({self.size} bytes)"


def write_text(path: str | Path, text: str, *, force: bool = False, inputs: Iterable[str | Path] = ()) -> Outcome:
    """Write one file (see the module's rules); returns what was done."""
    (outcome,) = write_files({path: text}, force=force, inputs=inputs)
    return outcome


def write_files(
    files: Mapping[str | Path, str],
    *,
    force: bool = False,
    inputs: Iterable[str | Path] = (),
    create: str | Path | None = None,
) -> list[Outcome]:
    """Write every text to its path, or none (see the module's rules). `create` is a directory
    made (with its parents) if missing, and removed again if the writing fails. Raises Refused
    before anything is written, or an OSError naming the path that could not be written."""
    read = [_real(path) for path in inputs]
    targets = [_Target(str(path), text.encode("utf-8")) for path, text in files.items()]
    seen: dict[str, str] = {}
    for target in targets:
        target.judge(force, read)
        if target.real in seen and target.action != "stdout":
            raise Refused(target.path, f"is written twice (as {seen[target.real]} too)")
        seen[target.real] = target.path
    made = _make_directory(Path(create)) if create is not None else []
    try:
        for target in targets:
            target.stage()
        _commit(targets)
    except BaseException:
        for target in targets:
            target.discard()
        for directory in reversed(made):
            _quietly(os.rmdir, directory)
        raise
    for target in targets:
        target.discard()  # the backups of replaced files
    return [target.outcome() for target in targets]


def preflight(paths: Iterable[str | Path], *, force: bool = False, inputs: Iterable[str | Path] = ()) -> None:
    """Refuse now what `write_files` would refuse whatever the text (an input, a directory, and
    without `force` an existing file): for a command that works long before it has the text."""
    read = [_real(path) for path in inputs]
    for path in paths:
        _Target(str(path), None).judge(force, read)


def _real(path: str | Path) -> str:
    return os.path.realpath(path)


def _make_directory(directory: Path) -> list[Path]:
    """Make `directory` and its missing parents; the ones made, outermost first."""
    missing = []
    for folder in (directory, *directory.parents):
        if folder.exists():
            break
        missing.append(folder)
    made: list[Path] = []
    try:
        for folder in reversed(missing):
            folder.mkdir()
            made.append(folder)
    except OSError as error:
        for folder in reversed(made):
            _quietly(os.rmdir, folder)
        raise OSError(error.errno, error.strerror, str(directory)) from None
    return made


def _commit(targets: list[_Target]) -> None:
    """Rename every staged file into place; on a failure, undo the renames made."""
    done: list[_Target] = []
    try:
        for target in targets:
            if target.action in ("create", "replace"):
                target.commit()
                done.append(target)
        for target in targets:
            if target.action == "device":
                target.write_device()
            elif target.action == "stdout":
                target.write_stdout()
    except BaseException:
        for target in reversed(done):
            target.undo()
        raise


def _quietly(action: Callable[..., object], *args: object) -> None:
    """Clean up as far as possible: a failure here must not hide the error being raised."""
    with contextlib.suppress(OSError):
        action(*args)


class _Target:
    """One path to write, judged, staged beside its target, then committed."""

    def __init__(self, path: str, data: bytes | None) -> None:
        self.path = path
        self.known = data is not None  # None: the text is not known yet (preflight)
        self.data = data or b""
        self.real = path
        self.action = "stdout"  # stdout, unchanged, create, replace, device
        self.mode = 0o600
        self.temporary: str | None = None
        self.backup: str | None = None

    def judge(self, force: bool, inputs: list[str]) -> None:
        if self.path == STDOUT:
            return
        self.real = _real(self.path)
        if _kernel_file(self.path, self.real):
            self.action = "device"  # /dev/stdout, /dev/fd/3, /proc/...: a descriptor, never replaced
            return
        try:
            status = os.stat(self.path)  # through every link, /proc's own included
        except FileNotFoundError:
            self.action = "create"
            self.mode = _new_file_mode()
            return
        except OSError as error:  # a path through a file, a loop of links, no permission
            raise OSError(error.errno, error.strerror, self.path) from None
        if stat.S_ISDIR(status.st_mode):
            raise Refused(self.path, "is a directory")
        if not stat.S_ISREG(status.st_mode):
            self.action = "device"  # a device, FIFO or socket: written to, never replaced
            return
        if any(os.path.samefile(self.real, path) for path in inputs if os.path.isfile(path)):
            raise Refused(self.path, "is a file this command reads: never overwritten, even with --force")
        if self.known and status.st_size == len(self.data) and _same_bytes(self.real, self.data):
            self.action = "unchanged"
            return
        if not force:
            raise Refused(self.path, "exists (give --force to overwrite it)")
        self.action = "replace"
        self.mode = stat.S_IMODE(status.st_mode)

    def stage(self) -> None:
        if self.action not in ("create", "replace"):
            return
        folder, name = os.path.split(self.real)
        try:
            fd, self.temporary = _temporary(folder, name)
            with os.fdopen(fd, "wb") as handle:
                handle.write(self.data)
            os.chmod(self.temporary, self.mode)
        except OSError as error:
            raise OSError(error.errno, error.strerror, self.path) from None

    def commit(self) -> None:
        assert self.temporary is not None
        try:
            if self.action == "replace":
                self.backup = _backup(self.real)
                os.replace(self.temporary, self.real)
            else:
                _link_new(self.temporary, self.real)
        except FileExistsError:
            raise Refused(self.path, "was created meanwhile (give --force to overwrite it)") from None
        except OSError as error:
            raise OSError(error.errno, error.strerror, self.path) from None
        self.temporary = None

    def write_device(self) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY)  # no O_CREAT: a device that vanished is not made a file
            with os.fdopen(fd, "wb") as handle:
                handle.write(self.data)
        except OSError as error:
            raise OSError(error.errno, error.strerror, self.path) from None

    def write_stdout(self) -> None:
        try:
            sys.stdout.write(self.data.decode("utf-8"))
            sys.stdout.flush()
        except OSError as error:  # a closed pipe
            raise OSError(error.errno, error.strerror, "standard output") from None

    def undo(self) -> None:
        if self.backup is not None:
            _quietly(os.replace, self.backup, self.real)
            self.backup = None
        elif self.action == "create":
            _quietly(os.unlink, self.real)

    def discard(self) -> None:
        for leftover in (self.temporary, self.backup):
            if leftover is not None:
                _quietly(os.unlink, leftover)
        self.temporary = self.backup = None

    def outcome(self) -> Outcome:
        status: Status = "stdout" if self.action == "stdout" else "unchanged" if self.action == "unchanged" else "wrote"
        return Outcome(self.path, status, len(self.data))


def _kernel_file(path: str, real: str) -> bool:
    """A path the kernel provides (a device or a descriptor under /dev, anything under /proc):
    written to where it exists, never replaced by a file."""
    places = (os.path.abspath(path), real)
    return os.path.exists(path) and any(place.startswith(("/dev/", "/proc/")) for place in places)


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(data) + 1) == data
    except OSError:
        return False


def _temporary(folder: str, name: str) -> tuple[int, str]:
    """A new file in `folder`, open for writing, mode 0600 (what tempfile.mkstemp makes, without
    importing tempfile, shutil and random into every build)."""
    while True:
        path = os.path.join(folder, f".{name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), path
        except FileExistsError:
            continue


def _backup(real: str) -> str | None:
    """A second name for the file about to be replaced, to put it back if a later rename fails
    (None where the file system has no hard links)."""
    folder, name = os.path.split(real)
    path = os.path.join(folder, f".{name}.{os.urandom(6).hex()}.bak")
    try:
        os.link(real, path)
    except OSError:
        return None
    return path


def _link_new(temporary: str, real: str) -> None:
    """The staged file under its name, failing if a file of that name appeared meanwhile."""
    try:
        os.link(temporary, real)
    except FileExistsError:
        raise
    except OSError:  # no hard links here: an exclusive create instead
        with open(real, "xb") as handle, open(temporary, "rb") as staged:
            handle.write(staged.read())
    os.unlink(temporary)


def _new_file_mode() -> int:
    """What the umask allows a new file (mkstemp makes 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
