"""What writing through the package's one writer (cfn_flowlogs/output/files.py) costs, against a
plain `Path.write_text` of the same text, as ratios: a new file (temporary file and link), a
file whose bytes would not change (read and compared, left alone), and a replacement with
`force` (temporary file and rename). The shipped template's YAML is the text."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cfn_flowlogs import build_template, to_yaml, write_text

WRITES = 200  # per way of writing, per round
ROUNDS = 5  # the median round is kept


def _seconds_per_write(write: Callable[[int], object]) -> float:
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for index in range(WRITES):
            write(index)
        rounds.append((time.perf_counter() - start) / WRITES)
    return statistics.median(rounds)


def writing_figures() -> dict[str, Any]:
    text = to_yaml(build_template())
    other = text + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        counter = iter(range(10**9))
        plain = _seconds_per_write(lambda _: (folder / f"plain-{next(counter)}.yaml").write_text(text))
        new = _seconds_per_write(lambda _: write_text(folder / f"new-{next(counter)}.yaml", text))
        write_text(folder / "same.yaml", text)
        unchanged = _seconds_per_write(lambda _: write_text(folder / "same.yaml", text))
        write_text(folder / "replaced.yaml", text)
        replaced = _seconds_per_write(
            lambda index: write_text(folder / "replaced.yaml", other if index % 2 else text, force=True)
        )
    return {
        "bytes": len(text.encode()),
        "plain_write_s": plain,
        "new_s": new,
        "unchanged_s": unchanged,
        "replace_s": replaced,
        "new_over_plain": new / plain,
        "unchanged_over_plain": unchanged / plain,
        "replace_over_plain": replaced / plain,
    }


def writing_table(figures: dict[str, Any]) -> str:
    def row(label: str, key: str, ratio: str | None = None) -> str:
        line = f"  {label:<32}{figures[key] * 1e6:7.0f}"
        return line + (f"  x{figures[ratio]:.1f}" if ratio else "")

    return "\n".join(
        [
            f"writing the shipped template ({figures['bytes']} bytes; microseconds per write, x a plain write_text)",
            row("Path.write_text", "plain_write_s"),
            row("write_text, a new file", "new_s", "new_over_plain"),
            row("write_text, bytes unchanged", "unchanged_s", "unchanged_over_plain"),
            row("write_text, replaced (force)", "replace_s", "replace_over_plain"),
        ]
    )
