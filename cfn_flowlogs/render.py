"""Rendering: deterministic text, and files written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from troposphere import Template


def to_json(template: Template) -> str:
    """JSON with sorted keys, a line per value and a trailing newline: the same template gives
    the same bytes. No indentation: the shipped template stays far under the 51,200 bytes of an
    inline body (the YAML is the one to read)."""
    return template.to_json(indent=0, sort_keys=True) + "\n"


def to_yaml(template: Template) -> str:
    """YAML (short-form intrinsic functions) with sorted keys: the same template, the same bytes."""
    text = template.to_yaml(sort_keys=True)
    return text if text.endswith("\n") else text + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename: never a half-written file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, _mode(path))
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _mode(path: Path) -> int:
    """An existing file's permissions, else what the umask allows (mkstemp makes 0600)."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
