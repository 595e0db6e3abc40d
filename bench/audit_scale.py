"""`cfn-flowlogs audit` at organization scale, against a stub endpoint (bench/bench.py runs it).

The stub is an HTTP server in a process of its own that answers every call the audit makes (STS,
EC2, CloudWatch Logs, S3, SSM) with a canned organization after a fixed latency, so no emulator's CPU
time is in the way: what is measured is the audit's own cost and how well its pool overlaps the
round trips. Every account-region holds VPCS VPCs: the first with a flow log to CloudWatch Logs
(its stream fresh), the second with a flow log to S3 (an object fresh), the rest without.

Figures (all written to bench.json under "audit_scale"):
- 100 accounts x 17 regions at 50 ms a call, concurrency 1, 8, 32 and 64: seconds, calls, speed-up
  over concurrency 1, and the ideal: min(workers, T1 / CPU floor);
- the CPU floor: the audit's CPU seconds per account-region at zero latency (one interpreter, one
  GIL: no number of threads goes below it on any number of cores);
- calls per account-region and their growth: calls = 1 + accounts + 4 x account-regions + flow
  logs, checked over several shapes;
- 1,000 accounts extrapolated from the counted calls;
- the busiest second the stub saw per account-region (EC2, CloudWatch Logs) and for AssumeRole in
  the caller's account: what AWS's per-account, per-Region rates meet.

Run alone: `python bench/audit_scale.py [ACCOUNTS]` (default 100; set fewer for a quick look).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
           "eu-central-1", "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
           "ap-southeast-1", "ap-southeast-2", "sa-east-1")  # fmt: skip
ACCOUNTS = 100
VPCS = 3
LATENCY_S = 0.05
CONCURRENCY = (1, 8, 32, 64)
FLOOR_ACCOUNTS = 20  # accounts read at zero latency for the CPU floor
# (accounts, CloudWatch Logs and S3 flow logs per account-region), at most VPCS flow logs
SHAPES = ((5, 0, 0), (5, 1, 1), (10, 1, 1), (10, 2, 1))
CALLER = "999999999999"
BUCKET = "bench-archive"
EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
GOAL = 0.6  # of min(workers, ideal)


# --- the stub endpoint -----------------------------------------------------------------------------


def _id(prefix: str, *parts: object) -> str:
    return f"{prefix}-{hashlib.md5('/'.join(map(str, parts)).encode()).hexdigest()[:17]}"


class Estate:
    """The canned organization: what each account-region holds, from the request alone."""

    def __init__(self, vpcs: int, cwl: int, s3: int) -> None:
        self.vpcs, self.cwl, self.s3 = vpcs, cwl, s3

    def vpc_ids(self, account: str, region: str) -> list[str]:
        return [_id("vpc", account, region, n) for n in range(self.vpcs)]

    def interfaces(self, account: str, region: str) -> list[tuple[str, str]]:
        return [(_id("eni", vpc), vpc) for vpc in self.vpc_ids(account, region)]

    def flow_logs(self, account: str, region: str) -> list[dict[str, str]]:
        """The first VPCs' flow logs: `cwl` to log groups of their own, then `s3` to the archive."""
        vpcs = self.vpc_ids(account, region)
        logs = [{"id": _id("fl", vpc, "cwl"), "vpc": vpc, "type": "cloud-watch-logs", "group": f"flow-logs-{n}"}
                for n, vpc in enumerate(vpcs[: self.cwl])]  # fmt: skip
        logs += [{"id": _id("fl", vpc, "s3"), "vpc": vpc, "type": "s3"} for vpc in vpcs[self.cwl : self.cwl + self.s3]]
        return logs


class Stub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore's pools expect
    latency = LATENCY_S
    estate = Estate(VPCS, 1, 1)
    seen: ClassVar[list[tuple[float, str, str, str]]] = []  # (time, account, region, operation)
    lock = threading.Lock()

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and the client's
        # delayed ACK add tens of milliseconds to every call.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/__stats":
            self._send(200, json.dumps(self.stats()), "application/json")
            return
        query = urllib.parse.parse_qs(url.query)
        self._answer("ListObjectsV2", {key: values[0] for key, values in query.items()})

    def do_HEAD(self) -> None:
        self._answer("HeadBucket", {})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        target = self.headers.get("X-Amz-Target", "")
        if target:
            self._answer(target.split(".")[-1], json.loads(body or "{}"))
        else:
            form = {key: values[0] for key, values in urllib.parse.parse_qs(body).items()}
            self._answer(form.get("Action", ""), form)

    def _answer(self, operation: str, params: dict[str, Any]) -> None:
        scope = self.headers.get("Authorization", "").split("Credential=")[-1].split("/")
        key, region = scope[0], scope[2] if len(scope) > 2 else "us-east-1"
        account = key[4:16] if key.startswith("ASIA") else CALLER
        with self.lock:
            self.seen.append((time.monotonic(), account, region, operation))
        time.sleep(self.latency)
        status, body, kind = self.respond(operation, params, account, region)
        self._send(status, body, kind)

    def _send(self, status: int, body: str, kind: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def respond(self, operation: str, params: dict[str, Any], account: str, region: str) -> tuple[int, str, str]:
        now = dt.datetime.now(dt.timezone.utc)
        xml = "text/xml"
        if operation == "GetCallerIdentity":
            return 200, _sts(operation, f"<Arn>arn:aws:iam::{CALLER}:user/bench</Arn><UserId>AIDABENCH</UserId>"
                             f"<Account>{CALLER}</Account>"), xml  # fmt: skip
        if operation == "AssumeRole":
            member = params["RoleArn"].split(":")[4]
            expires = (now + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            return 200, _sts(operation, f"<Credentials><AccessKeyId>ASIA{member}BNCH</AccessKeyId><SecretAccessKey>"
                             f"{'x' * 40}</SecretAccessKey><SessionToken>token</SessionToken><Expiration>{expires}"
                             "</Expiration></Credentials>"), xml  # fmt: skip
        if operation == "DescribeVpcs":
            items = "".join(f"<item><vpcId>{vpc}</vpcId><ownerId>{account}</ownerId>"
                            f"<cidrBlock>10.{n}.0.0/16</cidrBlock><isDefault>false</isDefault></item>"
                            for n, vpc in enumerate(self.estate.vpc_ids(account, region)))  # fmt: skip
            return 200, _ec2(operation, f"<vpcSet>{items}</vpcSet>"), xml
        if operation == "DescribeFlowLogs":
            items = ""
            for log in self.estate.flow_logs(account, region):
                where = (f"<logGroupName>{log['group']}</logGroupName>" if log["type"] == "cloud-watch-logs"
                         else f"<logDestination>arn:aws:s3:::{BUCKET}</logDestination>")  # fmt: skip
                items += (f"<item><flowLogId>{log['id']}</flowLogId><resourceId>{log['vpc']}</resourceId>"
                          f"<trafficType>ALL</trafficType><logDestinationType>{log['type']}</logDestinationType>"
                          f"{where}<deliverLogsStatus>SUCCESS</deliverLogsStatus></item>")  # fmt: skip
            return 200, _ec2(operation, f"<flowLogSet>{items}</flowLogSet>"), xml
        if operation == "DescribeNetworkInterfaces":
            items = "".join(f"<item><networkInterfaceId>{eni}</networkInterfaceId><vpcId>{vpc}</vpcId></item>"
                            for eni, vpc in self.estate.interfaces(account, region))  # fmt: skip
            return 200, _ec2(operation, f"<networkInterfaceSet>{items}</networkInterfaceSet>"), xml
        if operation == "DescribeLogStreams":
            streams = [{"logStreamName": eni, "lastEventTimestamp": int(now.timestamp() * 1000) - 60_000}
                       for eni, _ in self.estate.interfaces(account, region)]  # fmt: skip
            return 200, json.dumps({"logStreams": streams}), "application/x-amz-json-1.1"
        if operation == "ListObjectsV2":
            prefix = params.get("prefix", "")
            modified = (now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            return 200, (f'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>{BUCKET}</Name>'
                         f"<Prefix>{prefix}</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false"
                         f"</IsTruncated><Contents><Key>{prefix}20260101T0000Z_0123abcd.log.gz</Key><LastModified>"
                         f"{modified}</LastModified><Size>1</Size></Contents></ListBucketResult>"), xml  # fmt: skip
        if operation == "GetParametersByPath":  # the enrolment's status: none here
            return 200, json.dumps({"Parameters": []}), "application/x-amz-json-1.1"
        error = f"<Error><Code>Unsupported</Code><Message>{operation}</Message></Error>"
        return 400, f"<Response><Errors>{error}</Errors></Response>", xml

    @classmethod
    def stats(cls) -> dict[str, Any]:
        """Calls seen, and the busiest one-second window per (account, region, operation)."""
        with cls.lock:
            seen, cls.seen = cls.seen, []
        by_key: dict[tuple[str, str, str], list[float]] = defaultdict(list)
        for moment, account, region, operation in seen:
            by_key[account, region if operation != "AssumeRole" else "", operation].append(moment)
        busiest: dict[str, float] = {}
        for (account, _, operation), moments in by_key.items():
            moments.sort()
            start, peak = 0, 0
            for end in range(len(moments)):
                while moments[end] - moments[start] >= 1.0:
                    start += 1
                peak = max(peak, end - start + 1)
            label = operation if account != CALLER else f"{operation} (caller)"
            busiest[label] = max(busiest.get(label, 0), peak)
        return {"calls": len(seen), "operations": dict(Counter(op for *_, op in seen)), "busiest_second": busiest}


def _sts(operation: str, result: str) -> str:
    return (
        f'<{operation}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><{operation}Result>{result}'
        f"</{operation}Result><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></{operation}Response>"
    )


def _ec2(operation: str, body: str) -> str:
    return f'<{operation}Response xmlns="{EC2_NS}"><requestId>1</requestId>{body}</{operation}Response>'


def serve(port: int, latency: float, vpcs: int, cwl: int, s3: int) -> None:
    Stub.latency, Stub.estate = latency, Estate(vpcs, cwl, s3)
    server = ThreadingHTTPServer(("127.0.0.1", port), Stub)
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()


class Endpoint:
    """The stub in a process of its own."""

    def __init__(self, latency: float, vpcs: int = VPCS, cwl: int = 1, s3: int = 1) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        argv = [sys.executable, __file__, "--serve", str(self.port), str(latency), str(vpcs), str(cwl), str(s3)]
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None and self.process.stdout.readline().strip() == "ready"
        self.url = f"http://127.0.0.1:{self.port}"

    def stats(self) -> dict[str, Any]:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{self.url}/__stats", timeout=30) as answer:
            stats: dict[str, Any] = json.loads(answer.read())
            return stats

    def __enter__(self) -> Endpoint:
        return self

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


# --- the audit against it --------------------------------------------------------------------------


def _environment(url: str) -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        os.environ.pop(name, None)
    os.environ.update(AWS_ACCESS_KEY_ID="AKIABENCHBENCHBENCH0", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=url, AWS_EC2_METADATA_DISABLED="true",
                      NO_PROXY="127.0.0.1")  # fmt: skip


def audit_once(endpoint: Endpoint, accounts: int, concurrency: int) -> dict[str, Any]:
    """One audit of `accounts` x 17 regions: seconds, CPU seconds, calls, what it found."""
    import boto3

    from cfn_flowlogs.audit import collect

    _environment(endpoint.url)
    endpoint.stats()  # forget earlier calls
    names = tuple(f"{100000000000 + n}" for n in range(accounts))
    wall, cpu = time.perf_counter(), time.process_time()
    auditor = collect.Auditor(boto3.session.Session(), concurrency=concurrency)
    scope = auditor.resolve(collect.Request(regions=REGIONS, accounts=names))
    collected = auditor.collect(scope)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    pairs = accounts * len(REGIONS)
    if collected.unreadable or collected.read != pairs:
        raise SystemExit(f"audit bench: not every account-region was read: {collected.unreadable[:3]}")
    logs = [log for vpc in collected.vpcs for log in vpc.flow_logs]
    unproven = [log for log in logs if log.delivery != "delivering"]
    if unproven:
        raise SystemExit(f"audit bench: a flow log not proven: {unproven[0]}")
    stub = endpoint.stats()
    return {"accounts": accounts, "account_regions": pairs, "concurrency": concurrency, "seconds": wall,
            "cpu_seconds": cpu, "calls": auditor.calls, "stub_calls": stub["calls"], "flow_logs": len(logs),
            "vpcs": len(collected.vpcs), "busiest_second": stub["busiest_second"]}  # fmt: skip


def expected_calls(accounts: int, cwl: int, s3: int) -> int:
    """GetCallerIdentity, an AssumeRole per account; per account-region DescribeVpcs,
    DescribeFlowLogs, GetParametersByPath (the enrolment's status), DescribeNetworkInterfaces (with
    flow logs), a DescribeLogStreams per log group and a ListObjectsV2 per S3 flow log (its newest
    partition holds an object)."""
    pairs = accounts * len(REGIONS)
    per_pair = 3 + (1 if cwl + s3 else 0) + cwl + s3
    return 1 + accounts + pairs * per_pair


def figures(accounts: int = ACCOUNTS) -> dict[str, Any]:
    # The CPU floor: zero latency, one worker (the GIL runs one thread of Python at a time).
    with Endpoint(0.0) as endpoint:
        audit_once(endpoint, 1, 1)  # load the service models outside the figures
        floor = audit_once(endpoint, FLOOR_ACCOUNTS, 1)
        floor_8 = audit_once(endpoint, FLOOR_ACCOUNTS, 8)
    cpu_per_pair = floor["cpu_seconds"] / floor["account_regions"]
    growth = []
    for shape_accounts, cwl, s3 in SHAPES:
        with Endpoint(0.0, cwl=cwl, s3=s3) as endpoint:
            run = audit_once(endpoint, shape_accounts, 8)
        flow_logs = shape_accounts * len(REGIONS) * (cwl + s3)
        growth.append({"accounts": shape_accounts, "account_regions": run["account_regions"], "flow_logs": flow_logs,
                       "calls": run["calls"], "expected": expected_calls(shape_accounts, cwl, s3)})  # fmt: skip
    runs = []
    with Endpoint(LATENCY_S) as endpoint:
        for concurrency in CONCURRENCY:
            runs.append(audit_once(endpoint, accounts, concurrency))
    serial = runs[0]["seconds"]
    floor_seconds = cpu_per_pair * runs[0]["account_regions"]
    ideal_speedup = serial / floor_seconds
    for run in runs:
        run["speedup"] = serial / run["seconds"]
        run["ideal"] = min(run["concurrency"], ideal_speedup)
        run["of_ideal"] = run["speedup"] / run["ideal"]
    calls_1000 = expected_calls(1000, 1, 1)
    extrapolated = {
        "accounts": 1000,
        "calls": calls_1000,
        "seconds": {str(run["concurrency"]): run["seconds"] * calls_1000 / run["calls"] for run in runs},
        "cpu_floor_seconds": cpu_per_pair * 1000 * len(REGIONS),
    }
    return {"regions": len(REGIONS), "vpcs_per_account_region": VPCS, "latency_s": LATENCY_S,
            "load_average_1m": os.getloadavg()[0],
            "cpu_per_account_region_s": cpu_per_pair, "floor_run": floor, "floor_run_8_workers": floor_8,
            "calls_per_account_region": runs[0]["calls"] / runs[0]["account_regions"], "growth": growth,
            "runs": runs, "ideal_speedup": ideal_speedup, "goal": GOAL, "extrapolated": extrapolated}  # fmt: skip


def table(results: dict[str, Any]) -> str:
    lines = ["", f"audit at scale (stub endpoint, {results['latency_s'] * 1000:.0f} ms a call, "
                 f"{results['regions']} regions, {results['vpcs_per_account_region']} VPCs each)"]  # fmt: skip
    lines.append(f"  {'accounts':>8} {'workers':>7} {'seconds':>8} {'CPU s':>6} {'calls':>7} {'speed-up':>8} "
                 f"{'ideal':>6} {'of ideal':>8}")  # fmt: skip
    for run in results["runs"]:
        cells = (f"{run['accounts']:>8}", f"{run['concurrency']:>7}", f"{run['seconds']:>8.1f}",
                 f"{run['cpu_seconds']:>6.1f}", f"{run['calls']:>7}", f"{run['speedup']:>8.1f}",
                 f"{run['ideal']:>6.1f}", f"{run['of_ideal']:>8.0%}")  # fmt: skip
        lines.append("  " + " ".join(cells))
    floor = results["floor_run"]
    lines.append(f"  CPU floor: {results['cpu_per_account_region_s'] * 1000:.1f} ms of CPU per account-region at zero "
                 f"latency ({floor['accounts']} accounts, 1 worker: {floor['seconds']:.1f} s wall, "
                 f"{floor['cpu_seconds']:.1f} s CPU); ideal speed-up {results['ideal_speedup']:.1f}")  # fmt: skip
    lines.append(f"  calls per account-region: {results['calls_per_account_region']:.2f}; growth (accounts, "
                 "account-regions, flow logs: calls = expected 1 + A + 3 AR (4 with flow logs) + FL):")  # fmt: skip
    for row in results["growth"]:
        lines.append(f"    {row['accounts']:>4} {row['account_regions']:>5} {row['flow_logs']:>5}: "
                     f"{row['calls']:>6} calls, expected {row['expected']}")  # fmt: skip
    extrapolated = results["extrapolated"]
    seconds = ", ".join(f"{workers} workers {value / 60:.1f} min" for workers, value in extrapolated["seconds"].items())
    lines.append(f"  1,000 accounts: {extrapolated['calls']} calls; {seconds}; CPU floor "
                 f"{extrapolated['cpu_floor_seconds'] / 60:.1f} min")  # fmt: skip
    last = results["runs"][-1]
    busiest = ", ".join(f"{op} {n}" for op, n in sorted(last["busiest_second"].items()))
    lines.append(f"  busiest second at {last['concurrency']} workers (per account-region; AssumeRole per caller): "
                 + busiest)  # fmt: skip
    lines.append(f"  load average as the runs ended: {results['load_average_1m']:.1f} on {os.cpu_count()} CPUs "
                 "(other work on the machine takes CPU the audit's floor assumes it has)")  # fmt: skip
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["--serve"]:
        port, latency, vpcs, cwl, s3 = argv[1:6]
        serve(int(port), float(latency), int(vpcs), int(cwl), int(s3))
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    results = figures(int(argv[0]) if argv else ACCOUNTS)
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
