"""Benchmark: time from acceptance to the member being visible in the receiving county.

Run: ``ZHDJ_TEST_DB=test_transfers REDIS_URL=redis://127.0.0.1:63799/11 .venv/bin/pytest -q
-p no:cacheprovider tests/tenants/transfers/test_bench.py -s`` (it uses the test world).
This module holds the measurement; the test harness provides the two counties.
Results go to ``bench/results-transfers.json`` (git-ignored).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results-transfers.json")


def measure(send, accept, visible, *, runs: int = 20) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """``send()`` → envelope id; ``accept(id)``; ``visible(id)`` → bool (a fresh read in the
    receiving county). Times acceptance start → member visible, in milliseconds."""
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
        "p90_ms": round(timings[int(runs * 0.9) - 1], 1),
        "max_ms": round(timings[-1], 1),
    }
    RESULTS.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result
