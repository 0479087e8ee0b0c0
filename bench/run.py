#!/usr/bin/env python
"""Run the whole benchmark suite (``make bench``): bench/routing.py, then bench/onboard.py.

Arguments are not passed on; run the scripts themselves for options (bench/README.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    for script in ("routing.py", "onboard.py"):
        print(f"==> bench/{script}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / script)])
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
