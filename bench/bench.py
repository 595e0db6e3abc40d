"""`make bench`: how fast cfn-flowlogs starts, compiles and renders on this machine.

Prints a table and writes every figure to bench.json at the repository root. Times are
medians (seconds in the JSON, milliseconds in the table): of fresh processes for start-up and
the command, of many in-process runs for building and rendering. A script, not a timed test,
so `make test` never depends on how busy the machine is.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

from troposphere import Template

from cfn_flowlogs import FlowLogsConfig, add_flow_logs, build_template, to_json, to_yaml
from cfn_flowlogs.loading import config_from

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "bench.json"
CLI = Path(sys.executable).with_name("cfn-flowlogs")  # the venv's console script
IMPORT_RUNS = 15
CLI_RUNS = 7
LINT_RUNS = 3
SCALE = (1, 10, 50)
# Modules whose cumulative import time `-X importtime` reports (nested ones count in their parents:
# troposphere imports cfn_flip, which imports yaml).
WATCHED = ("cfn_flowlogs", "troposphere", "cfn_flip", "yaml", "awacs.aws", "dataclasses", "importlib.resources")
OWN = "cfn_flowlogs.* self"  # the package's own modules, without what they import


def median_of(fn: Callable[[], object], *, min_runs: int = 5, max_runs: int = 200, budget: float = 1.0) -> float:
    """Median seconds of `fn()`: at least `min_runs` calls, more while within `budget` seconds."""
    times: list[float] = []
    deadline = time.perf_counter() + budget
    while len(times) < min_runs or (len(times) < max_runs and time.perf_counter() < deadline):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_once(argv: Sequence[str]) -> float:
    """Seconds one process takes from start to exit; a failure stops the benchmark."""
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def process_median(argv: Sequence[str], runs: int) -> float:
    run_once(argv)  # warm the page cache and write any .pyc first
    return statistics.median(run_once(argv) for _ in range(runs))


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    packages = ("troposphere", "awacs", "cfn-lint", "PyYAML")
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_1m": os.getloadavg()[0],  # other work on the machine skews every figure
        "packages": {name: version(name) for name in packages},
    }


def import_breakdown() -> dict[str, float]:
    """Median cumulative seconds per watched module under `python -X importtime`."""
    samples: dict[str, list[float]] = {name: [] for name in (*WATCHED, OWN)}
    for _ in range(IMPORT_RUNS):
        argv = [sys.executable, "-X", "importtime", "-c", "import cfn_flowlogs"]
        report = subprocess.run(argv, check=True, capture_output=True, text=True, cwd=ROOT).stderr
        seen: dict[str, float] = {OWN: 0.0}
        for line in report.splitlines()[1:]:  # after the header: "import time: self | cumulative | name"
            own, cumulative, name = (field.strip() for field in line.removeprefix("import time:").split("|"))
            seen.setdefault(name, int(cumulative) / 1e6)
            if name.startswith("cfn_flowlogs"):
                seen[OWN] += int(own) / 1e6
        for name in samples:
            samples[name].append(seen.get(name, 0.0))
    return {name: statistics.median(values) for name, values in samples.items()}


def startup() -> dict[str, Any]:
    """`import cfn_flowlogs` in a fresh interpreter, less the bare interpreter's own start."""
    bare = [sys.executable, "-c", "pass"]
    package = [sys.executable, "-c", "import cfn_flowlogs"]
    run_once(package)
    pairs = [(run_once(bare), run_once(package)) for _ in range(IMPORT_RUNS)]  # interleaved: same drift
    interpreter = statistics.median(b for b, _ in pairs)
    with_package = statistics.median(p for _, p in pairs)
    return {
        "interpreter_s": interpreter,
        "with_import_s": with_package,
        "import_s": with_package - interpreter,
        "importtime_cumulative_s": import_breakdown(),
    }


def template_figures(build: Callable[[], Template]) -> dict[str, Any]:
    template = build()
    yaml_text, json_text = to_yaml(template), to_json(template)
    return {
        "resources": len(template.resources),
        "build_s": median_of(build),
        "to_yaml_s": median_of(lambda: to_yaml(template)),
        "to_json_s": median_of(lambda: to_json(template)),
        "yaml_bytes": len(yaml_text.encode()),
        "json_bytes": len(json_text.encode()),
    }


def templates() -> dict[str, dict[str, Any]]:
    """The shipped template and each example config's specialized template."""
    cases: dict[str, Callable[[], Template]] = {"shipped": build_template}
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        config = config_from(path, [])
        cases[f"examples/{path.name}"] = partial(build_template, config)
    return {name: template_figures(build) for name, build in cases.items()}


def command() -> dict[str, Any]:
    """One `cfn-flowlogs build` of the shipped template, end to end, with and without `--lint`."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = [str(CLI), "build", "-o", str(Path(tmp) / "flow-logs.yaml")]
        return {
            "build_s": process_median(argv, CLI_RUNS),
            "build_lint_s": process_median([*argv, "--lint"], LINT_RUNS),
        }


def scale_config(index: int) -> FlowLogsConfig:
    """The index-th set: every target kind and destination in turn."""
    target = ("vpc_id", "subnet_id", "eni_id")[index % 3]
    destination = ("cloud-watch-logs", "s3", "kinesis-data-firehose")[index // 3 % 3]
    values: dict[str, Any] = {target: f"{target.split('_')[0]}-{index:017x}", "log_destination_type": destination}
    if destination == "kinesis-data-firehose":
        values["kinesis_firehose_arn"] = (
            f"arn:${{AWS::Partition}}:firehose:${{AWS::Region}}:${{AWS::AccountId}}:deliverystream/flow-logs-{index}"
        )
    return FlowLogsConfig(**values)


def with_sets(configs: list[FlowLogsConfig]) -> Template:
    """A template holding one prefixed set per config."""
    template = Template()
    for index, config in enumerate(configs):
        add_flow_logs(template, config, prefix=f"Set{index}")
    return template


def scale() -> list[dict[str, Any]]:
    """One template holding N prefixed sets: cost per set stays flat if growth is linear."""
    rows = []
    for count in SCALE:
        configs = [scale_config(index) for index in range(count)]  # validated outside the timing
        figures = template_figures(partial(with_sets, configs))
        figures["sets"] = count
        figures["per_set"] = {
            key: figures[key] / count for key in ("build_s", "to_yaml_s", "to_json_s", "yaml_bytes", "json_bytes")
        }
        rows.append(figures)
    return rows


def malformed() -> dict[str, dict[str, Any]]:
    """How long each hostile config file of the tests takes to be rejected (tests/hostile_configs.py)."""
    sys.path.insert(0, str(ROOT))
    from cfn_flowlogs import ConfigError
    from cfn_flowlogs.loading import load_config_file
    from tests.hostile_configs import MALFORMED, MANY_KEYS

    def rejected(load: Callable[..., object], *args: object) -> None:
        try:
            load(*args)
        except ConfigError:
            return
        raise SystemExit(f"not rejected: {args}")

    rows: dict[str, dict[str, Any]] = {}
    cases = [(ident, name, content, load_config_file) for ident, name, content, *_ in MALFORMED]
    cases.append(("json-60000-unknown-keys", "flows.json", MANY_KEYS, partial(config_from, assignments=[])))
    with tempfile.TemporaryDirectory() as folder:
        for ident, name, content, load in cases:
            path = Path(folder) / f"{ident}-{name}"
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
            rows[ident] = {"bytes": path.stat().st_size, "reject_s": median_of(partial(rejected, load, path))}
    return rows


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def _row(cells: Sequence[object], widths: Sequence[int]) -> str:
    """Left-aligned first cell, right-aligned numbers."""
    first, *rest = cells
    return f"{first!s:{widths[0]}}" + "".join(
        f" {cell!s:>{width}}" for cell, width in zip(rest, widths[1:], strict=True)
    )


def table(results: dict[str, Any]) -> str:
    m, s, c = results["machine"], results["startup"], results["command"]
    lines = [
        f"machine: {m['cpus']} CPUs, {m['cpu']}, Python {m['python']}, load {m['load_average_1m']:.2f}",
        "",
        "start-up (ms, fresh processes, bytecode cached)",
        f"  python -c pass                 {_ms(s['interpreter_s'])}",
        f"  import cfn_flowlogs (extra)    {_ms(s['import_s'])}",
        "  -X importtime, cumulative:     "
        + ", ".join(f"{name} {_ms(t)}" for name, t in s["importtime_cumulative_s"].items()),
        f"  cfn-flowlogs build             {_ms(c['build_s'])}",
        f"  cfn-flowlogs build --lint      {_ms(c['build_lint_s'])}",
        "",
    ]
    widths = (30, 9, 9, 9, 9, 9, 9)
    lines.append(_row(("template (median ms)", "resources", "build", "to_yaml", "to_json", "YAML B", "JSON B"), widths))
    for name, t in results["templates"].items():
        numbers = (t["resources"], _ms(t["build_s"]), _ms(t["to_yaml_s"]), _ms(t["to_json_s"]))
        lines.append(_row((name, *numbers, t["yaml_bytes"], t["json_bytes"]), widths))
    lines += [
        "",
        _row(("N sets in one template", "resources", "build", "to_yaml", "to_json", "YAML B", "JSON B"), widths),
    ]
    for row in results["scale"]:
        p = row["per_set"]
        numbers = (row["resources"], _ms(row["build_s"]), _ms(row["to_yaml_s"]), _ms(row["to_json_s"]))
        lines.append(_row((f"N = {row['sets']}", *numbers, row["yaml_bytes"], row["json_bytes"]), widths))
        per_set = (_ms(p["build_s"]), _ms(p["to_yaml_s"]), _ms(p["to_json_s"]), round(p["yaml_bytes"]))
        lines.append(_row(("  per set", "", *per_set, round(p["json_bytes"])), widths))
    lines += ["", _row(("hostile config file", "bytes", "reject ms"), (30, 9, 9))]
    for ident, row in results["malformed"].items():
        lines.append(_row((ident, row["bytes"], _ms(row["reject_s"])), (30, 9, 9)))
    return "\n".join(lines)


def main() -> int:
    with tempfile.TemporaryDirectory() as pycache:
        # Child processes run as an installed tool does, from cached bytecode, even where
        # PYTHONDONTWRITEBYTECODE is set; the cache lives in a temporary directory, not the tree.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = pycache
        results = {
            "machine": machine(),
            "startup": startup(),
            "command": command(),
            "templates": templates(),
            "scale": scale(),
            "malformed": malformed(),
        }
    OUTPUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    print(f"\nwrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
