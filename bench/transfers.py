"""Benchmark: time from acceptance to the member being visible in the receiving county.

``.venv/bin/python bench/transfers.py [--runs 20]`` runs the measurement against the test
world (two counties built through the real services in a database of its own,
``test_zhdj_bench_transfers``, Redis DB 11): each run sends a member of 榆阳区 to 横山区
(a sealed envelope), accepts it as the inbox page does, and polls the receiving schema
from a fresh database session until the member is there: a real Celery worker runs the
sending county's step and then the receiving county's, as in production. It needs the local services
(``deploy/local/services.sh start``). Results: ``bench/results-transfers.json``
(git-ignored), also read by ``bench/summary.py``.

The harness is ``tests/tenants/transfers/test_bench.py`` (it provides the counties); the
measurement itself is ``measure`` below.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results-transfers.json"


def measure(send, accept, visible, *, runs: int = 20, write: bool = True) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """``send()`` → envelope id; ``accept(id)``; ``visible(id)`` → bool (a fresh read in the
    receiving county). Times acceptance start → member visible, in milliseconds; ``write``:
    keep the results file (the bench run, not the test suite's smoke run)."""
    timings = []
    for _ in range(runs):
        envelope_id = send()
        start = time.perf_counter()
        accept(envelope_id)
        while not visible(envelope_id):
            time.sleep(0.001)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    result = {
        "runs": runs,
        "median_ms": round(statistics.median(timings), 1),
        "p90_ms": round(timings[max(int(runs * 0.9) - 1, 0)], 1),
        "max_ms": round(timings[-1], 1),
    }
    result["figures"] = [
        {"bench": "transfers", "figure": f"acceptance → visible, median of {runs}",
         "value": result["median_ms"], "unit": "ms"},
        {"bench": "transfers", "figure": "acceptance → visible, p90",
         "value": result["p90_ms"], "unit": "ms"},
    ]  # fmt: skip
    if write:
        RESULTS.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="5 runs")
    args = parser.parse_args()
    env = dict(
        os.environ,
        ZHDJ_TEST_DB="test_zhdj_bench_transfers",
        REDIS_URL=f"redis://127.0.0.1:{os.environ.get('ZHDJ_REDIS_PORT', '63799')}/11",
        ZHDJ_BENCH_TRANSFER_RUNS=str(5 if args.quick else args.runs),
    )
    test = "tests/tenants/transfers/test_bench.py"
    cmd = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", test]
    code = subprocess.call(cmd, cwd=HERE.parent, env=env)
    if code == 0:
        print(json.dumps(json.loads(RESULTS.read_text())["figures"], ensure_ascii=False))
    return code


if __name__ == "__main__":
    sys.exit(main())
