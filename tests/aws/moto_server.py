"""moto's server with the fixes of moto_fixes/ applied: the deploy tests' local AWS endpoint.

Run as `python tests/aws/moto_server.py --port N` (moto's own options: `--help`).
"""

from __future__ import annotations

import sys

from moto import server
from moto_fixes import apply_all  # beside this script

if __name__ == "__main__":
    apply_all()
    server.main(sys.argv[1:])
