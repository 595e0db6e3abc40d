"""docs/guides/query.md as written: its shell blocks run in order in one bash against the local
endpoint, in a folder holding copies of examples/ and templates/, and print the output blocks the
page shows after them; the blocks for a real account parse."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from .endpoint import BIN, Aws

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs/guides/query.md"
FENCE = re.compile(r'^```(\w+)( title="([^"]*)")?\n(.*?)^```$', re.M | re.S)


def blocks() -> list[tuple[str, str, str]]:
    """(language, title, body) of every fenced block, in page order."""
    return [(m[1], m[3] or "", m[4]) for m in FENCE.finditer(PAGE.read_text(encoding="utf-8"))]


def test_the_guides_commands_print_what_it_shows(aws: Aws, tmp_path: Path):
    # GIVEN the page's runnable shell blocks, and the output block after each
    found = blocks()
    runnable = [(i, body) for i, (language, title, body) in enumerate(found) if language == "sh" and not title]
    shown = [found[i + 1][2] for i, _ in runnable if i + 1 < len(found) and found[i + 1][0] == "text"]
    assert len(runnable) == 3 and len(shown) == 3
    for folder in ("examples", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    # WHEN bash runs them in order against the local endpoint
    script = "set -euo pipefail\n" + "\n".join(body for _, body in runnable)
    env = {**aws.env, "PATH": f"{BIN}:{aws.env['PATH']}"}
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    # THEN they succeed and print, in order, what the page shows
    assert done.returncode == 0, done.stderr
    assert done.stdout == "".join(shown)


def test_the_real_account_blocks_parse_and_say_why_they_are_not_run():
    titled = [(title, body) for language, title, body in blocks() if language == "sh" and title]
    assert len(titled) == 4
    for title, body in titled:
        assert title.startswith("Real account only: ")
        assert subprocess.run(["bash", "-n", "-c", body], capture_output=True, check=False).returncode == 0, title
