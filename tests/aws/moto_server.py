"""moto's server with the fixes of moto_fixes/ applied: the project's local AWS endpoint, which the
deploy tests start and `make endpoint` runs in the foreground.

Run as `python tests/aws/moto_server.py --port N` (moto's own options: `--help`). Before it
serves, it prints the URL, the variables that point the AWS CLI and boto3 at it, and the resource
types it does not create (moto_fixes/skipped.py: moto skips them and still reports the stack
complete); a port already taken fails here, in one line, before any of that.
"""

from __future__ import annotations

import argparse
import socket
import sys
from importlib.metadata import version

from moto import server
from moto_fixes import STILL_SKIPPED, apply_all  # beside this script

# What a client needs besides the URL: moto accepts any credentials and serves every region.
CLIENT_ENV = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}


def banner(url: str) -> str:
    """What a user needs before the server's own lines: where it is, what to export, what it
    leaves out (moto_fixes/skipped.py's list, which the deploy tests hold to what moto skips)."""
    lines = [
        f"Local AWS endpoint (moto {version('moto')} with the fixes of tests/aws/moto_fixes/): {url}",
        "Point the AWS CLI, boto3 and cfn-flowlogs at it from another shell:",
        f"  export AWS_ENDPOINT_URL={url}",
        *(f"  export {name}={value}" for name, value in CLIENT_ENV.items()),
        "It does not create these resource types (it skips them and still reports the stack complete):",
        *(f"  {kind}" for kind in sorted(STILL_SKIPPED)),
        "It runs no Lambda function (moto would need Docker): it reports a Custom::EmptyBucket complete",
        "without its function, and deleting that stack leaves the bucket and its objects.",
        "Everything it holds is in memory: Ctrl-C stops it and forgets it all.",
    ]
    return "\n".join(lines)


def _address(argv: list[str]) -> tuple[str, int]:
    """The host and port moto's server will bind, read with its own options and defaults."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    known, _ = parser.parse_known_args(argv)
    return known.host, known.port


def _refuse_taken_port(host: str, port: int) -> None:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            sys.exit(f"moto_server.py: error: cannot listen on {host}:{port}: {error.strerror} (try another PORT=)")


if __name__ == "__main__":
    host, port = _address(sys.argv[1:])
    _refuse_taken_port(host, port)
    apply_all()
    print(banner(f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"), flush=True)
    server.main(sys.argv[1:])
