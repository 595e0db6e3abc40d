"""docs/reference/errors-and-files.md as written: each shell block run in order in one scratch
folder (copies of examples/ and templates/), printing exactly the text block that follows it;
its Python block run as is."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ..conftest import ROOT

PAGE = ROOT / "docs/reference/errors-and-files.md"
BIN = Path(sys.executable).parent


def blocks() -> list[tuple[str, str]]:
    """(language, text) of every fenced block of the page, in order."""
    text = PAGE.read_text(encoding="utf-8")
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^```(\w+)[^\n]*\n(.*?)^```$", text, flags=re.M | re.S)]


def test_the_page_runs_as_written_and_prints_what_it_shows(tmp_path):
    for folder in ("examples", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    found = blocks()
    assert [language for language, _ in found].count("sh") >= 4
    for index, (language, body) in enumerate(found):
        if language == "python":
            done = subprocess.run([sys.executable, "-c", body], cwd=tmp_path, env=env, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        if language != "sh":
            continue
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", body], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
        assert done.returncode == 0, done.stdout
        following = found[index + 1] if index + 1 < len(found) else ("", "")
        if following[0] == "text":
            assert done.stdout == following[1], f"block {index} printed:\n{done.stdout}"
