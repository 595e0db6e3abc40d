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
import shutil
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

import audit_scale  # beside this script
from query import figures as query_figures  # bench/query.py: `cfn-flowlogs query` against DuckDB
from query import table as query_table
from troposphere import Template
from writing import writing_figures, writing_table  # bench/ is this script's first import path

from cfn_flowlogs import FlowLogsConfig, add_flow_logs, build_template, to_json, to_yaml
from cfn_flowlogs.config.loading import config_from
from cfn_flowlogs.output import render

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "bench.json"
CLI = Path(sys.executable).with_name("cfn-flowlogs")  # the venv's console script
IMPORT_RUNS = 15
CLI_RUNS = 7
LINT_RUNS = 3
FLOOR_RUNS = 21  # paired runs of the import floor and one specialized build
CDK_RUNS = 3
SCALE = (1, 10, 50)
# What every build imports whatever it compiles: the reference a build's own start-up is measured against.
FLOOR = (sys.executable, "-c", "import troposphere, awacs.aws, yaml")
SPECIALIZED = ROOT / "examples/cloudwatch-logs.yaml"  # the common case: one VPC to CloudWatch Logs
CDK = ROOT / "bench/cdk"  # app.js (two stacks) and, as configs, the same two stacks
CDK_CONFIGS = (CDK / "cloudwatch.yaml", CDK / "s3.yaml")
# `main` given its arguments, as a library caller runs it: without the console script's GC measure.
PLAIN_MAIN = "import sys; from cfn_flowlogs.cli import main; sys.exit(main(sys.argv[1:]))"
WITHOUT_GC_MEASURE = (sys.executable, "-c", PLAIN_MAIN)
# The floor with the console script's GC measure too: what the build adds, like for like.
FLOOR_GC_MEASURE = (sys.executable, "-c", "import gc; gc.disable(); import troposphere, awacs.aws, yaml; gc.freeze()")
# Modules whose cumulative import time `-X importtime` reports (nested ones count in their parents:
# troposphere imports cfn_flip, which imports yaml).
WATCHED = ("cfn_flowlogs.compiler.template", "cfn_flowlogs.config.flow_logs", "cfn_flowlogs.output.render",
           "troposphere", "troposphere.ec2", "cfn_flip", "yaml", "awacs.aws", "dataclasses")  # fmt: skip
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


def run_once(argv: Sequence[str], cwd: Path = ROOT) -> float:
    """Seconds one process takes from start to exit; a failure stops the benchmark."""
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    return time.perf_counter() - start


def process_median(argv: Sequence[str], runs: int, cwd: Path = ROOT) -> float:
    run_once(argv, cwd)  # warm the page cache and write any .pyc first
    return statistics.median(run_once(argv, cwd) for _ in range(runs))


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
        argv = [sys.executable, "-X", "importtime", "-c", "from cfn_flowlogs import build_template, to_yaml"]
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
    """`import cfn_flowlogs` (its exports load on first use) and the compiler's import in a
    fresh interpreter, less the bare interpreter's own start."""
    bare = [sys.executable, "-c", "pass"]
    package = [sys.executable, "-c", "import cfn_flowlogs"]
    compiler = [sys.executable, "-c", "from cfn_flowlogs import build_template, to_yaml"]
    run_once(package)
    run_once(compiler)
    runs = [(run_once(bare), run_once(package), run_once(compiler)) for _ in range(IMPORT_RUNS)]  # interleaved
    interpreter = statistics.median(r[0] for r in runs)
    with_package = statistics.median(r[1] for r in runs)
    with_compiler = statistics.median(r[2] for r in runs)
    return {
        "interpreter_s": interpreter,
        "with_import_s": with_package,
        "import_s": with_package - interpreter,
        "compiler_import_s": with_compiler - interpreter,
        "importtime_cumulative_s": import_breakdown(),
    }


def template_figures(build: Callable[[], Template]) -> dict[str, Any]:
    template = build()
    yaml_text, json_text = to_yaml(template), to_json(template)
    data = json.dumps(template.to_dict(), sort_keys=True)
    if render.libyaml_yaml(data) != yaml_text:  # the figures below are libyaml's, not cfn-flip's
        raise SystemExit("bench: libyaml declined a template or wrote other bytes than cfn-flip")
    return {
        "resources": len(template.resources),
        "build_s": median_of(build),
        "to_yaml_s": median_of(lambda: to_yaml(template)),
        "to_yaml_cfn_flip_s": median_of(lambda: render.yaml_from_json(data, libyaml=False), min_runs=3),
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


def floor() -> dict[str, Any]:
    """One specialized build as a process against the import floor (FLOOR), in interleaved runs
    (the same drift for all): medians, and the median of each run's ratio. Also the same build
    through `main` as a library caller runs it, without the console script's GC measure, and
    the floor with that measure: like against like, both ways."""
    with tempfile.TemporaryDirectory() as tmp:
        args = ["build", "--config", str(SPECIALIZED), "-o", str(Path(tmp) / "out.yaml")]
        argvs = (FLOOR, (str(CLI), *args), (*WITHOUT_GC_MEASURE, *args), FLOOR_GC_MEASURE)
        for argv in argvs:
            run_once(argv)
        runs = [tuple(run_once(argv) for argv in argvs) for _ in range(FLOOR_RUNS)]
    floor_s, build_s, plain_s, floor_gc_s = (statistics.median(run[i] for run in runs) for i in range(4))
    return {
        "config": str(SPECIALIZED.relative_to(ROOT)),
        "floor_s": floor_s,
        "build_s": build_s,
        "ratio": statistics.median(run[1] / run[0] for run in runs),
        "build_without_gc_measure_s": plain_s,
        "ratio_without_gc_measure": statistics.median(run[2] / run[0] for run in runs),
        "floor_with_gc_measure_s": floor_gc_s,
        "ratio_both_with_gc_measure": statistics.median(run[1] / run[3] for run in runs),
    }


def many() -> dict[str, Any]:
    """The CDK app's two stacks (bench/cdk/*.yaml) in one `cfn-flowlogs build`, with and without
    `--lint`, and `node app.js` where bench/cdk has its packages (npm install there)."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = [str(CLI), "build", *(arg for path in CDK_CONFIGS for arg in ("--config", str(path))), "-o", tmp]
        figures: dict[str, Any] = {
            "configs": [str(path.relative_to(ROOT)) for path in CDK_CONFIGS],
            "build_s": process_median(argv, CLI_RUNS),
            "build_lint_s": process_median([*argv, "--lint"], LINT_RUNS),
        }
    figures["cdk"] = cdk_app()
    if figures["cdk"]:
        figures["cdk_over_build_lint"] = figures["cdk"]["synth_s"] / figures["build_lint_s"]
        figures["cdk_over_build"] = figures["cdk"]["synth_s"] / figures["build_s"]
    return figures


def cdk_app() -> dict[str, Any] | None:
    """`node app.js` (both stacks synthesized into a temporary cdk.out), or None without Node or
    without the app's packages in bench/cdk/node_modules."""
    package = CDK / "node_modules/aws-cdk-lib/package.json"
    node = shutil.which("node")
    if node is None or not package.exists():
        return None
    with tempfile.TemporaryDirectory() as out:
        os.environ["CDK_OUTDIR"] = out
        try:
            synth_s = process_median([node, "app.js"], CDK_RUNS, cwd=CDK)
        finally:
            del os.environ["CDK_OUTDIR"]
        stacks = sorted(p.name for p in Path(out).glob("*.template.json"))
    node_version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return {
        "synth_s": synth_s,
        "stacks": stacks,
        "node": node_version,
        "aws_cdk_lib": json.loads(package.read_text(encoding="utf-8"))["version"],
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
        keys = ("build_s", "to_yaml_s", "to_yaml_cfn_flip_s", "to_json_s", "yaml_bytes", "json_bytes")
        figures["per_set"] = {key: figures[key] / count for key in keys}
        rows.append(figures)
    return rows


def malformed() -> dict[str, dict[str, Any]]:
    """How long each hostile config file of the tests takes to be rejected (tests/hostile_configs.py)."""
    sys.path.insert(0, str(ROOT))
    from cfn_flowlogs import ConfigError
    from cfn_flowlogs.config.loading import load_config_file
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
        f"  import the compiler (extra)    {_ms(s['compiler_import_s'])}  (troposphere, awacs, PyYAML included)",
        "  -X importtime, cumulative:     "
        + ", ".join(f"{name} {_ms(t)}" for name, t in s["importtime_cumulative_s"].items()),
        f"  cfn-flowlogs build             {_ms(c['build_s'])}  (the shipped template)",
        f"  cfn-flowlogs build --lint      {_ms(c['build_lint_s'])}",
        "",
    ]
    f = results["floor"]
    lines += [
        f"one specialized build ({f['config']}) against the import floor (ms, {FLOOR_RUNS} interleaved runs)",
        f"  floor: python -c 'import troposphere, awacs.aws, yaml'   {_ms(f['floor_s'])}",
        f"  cfn-flowlogs build --config ... -o ...                  {_ms(f['build_s'])}  x{f['ratio']:.2f} the floor",
        f"  the same through main(argv), no GC measure              {_ms(f['build_without_gc_measure_s'])}"
        f"  x{f['ratio_without_gc_measure']:.2f}",
        f"  the floor with the GC measure too                        {_ms(f['floor_with_gc_measure_s'])}"
        f"  (the build: x{f['ratio_both_with_gc_measure']:.2f} it)",
        "",
    ]
    n, cdk = results["many"], results["many"]["cdk"]
    lines += [
        f"the CDK app's two stacks ({', '.join(n['configs'])}), one process (ms)",
        f"  cfn-flowlogs build --config x2 -o DIR                    {_ms(n['build_s'])}",
        f"  the same with --lint (one cfn-lint session)              {_ms(n['build_lint_s'])}",
    ]
    if cdk:
        lines += [
            f"  node app.js (aws-cdk-lib {cdk['aws_cdk_lib']}, Node {cdk['node']})"
            f"{' ' * max(1, 21 - len(cdk['aws_cdk_lib']) - len(cdk['node']))}{_ms(cdk['synth_s'])}",
            f"  node app.js / build --lint: x{n['cdk_over_build_lint']:.1f}; "
            f"node app.js / build: x{n['cdk_over_build']:.1f}",
        ]
    else:
        lines.append("  node app.js: not run (no node, or no bench/cdk/node_modules: npm install there)")
    lines.append("")
    widths = (30, 9, 9, 9, 9, 9, 9, 9)
    header = ("resources", "build", "to_yaml", "cfn-flip", "to_json", "YAML B", "JSON B")
    lines.append(_row(("template (median ms)", *header), widths))
    for name, t in results["templates"].items():
        times = (t["build_s"], t["to_yaml_s"], t["to_yaml_cfn_flip_s"], t["to_json_s"])
        numbers = (t["resources"], *map(_ms, times))
        lines.append(_row((name, *numbers, t["yaml_bytes"], t["json_bytes"]), widths))
    lines += ["", _row(("N sets in one template", *header), widths)]
    for row in results["scale"]:
        p = row["per_set"]
        numbers = (row["resources"], _ms(row["build_s"]), _ms(row["to_yaml_s"]), _ms(row["to_yaml_cfn_flip_s"]),
                   _ms(row["to_json_s"]))  # fmt: skip
        lines.append(_row((f"N = {row['sets']}", *numbers, row["yaml_bytes"], row["json_bytes"]), widths))
        per_set = (_ms(p["build_s"]), _ms(p["to_yaml_s"]), _ms(p["to_yaml_cfn_flip_s"]), _ms(p["to_json_s"]),
                   round(p["yaml_bytes"]))  # fmt: skip
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
        results: dict[str, Any] = {
            "machine": machine(),
            "startup": startup(),
            "command": command(),
            "floor": floor(),
            "many": many(),
            "templates": templates(),
            "scale": scale(),
            "malformed": malformed(),
            "audit_scale": audit_scale.figures(),
            "writing": writing_figures(),
            "query": query_figures(),
        }
    OUTPUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    print(audit_scale.table(results["audit_scale"]))
    print()
    print(writing_table(results["writing"]))
    print(query_table(results["query"]))
    print(f"\nwrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
