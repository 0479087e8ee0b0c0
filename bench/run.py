#!/usr/bin/env python
"""Run the benchmark suite (``make bench``) and print one table of every figure.

    .venv/bin/python bench/run.py [--only routing,members] [--skip load] [--quick]

Runs each script in turn (each recreates its own ``zhdj_bench_*`` database), then prints
the table of bench/summary.py — figure, value, unit, baseline, ratio, goal, met — and writes
it to bench/results-all.json (git-ignored, like every results file). ``--quick`` runs the
smaller sizes (a check that everything works, not figures to quote). A script that fails
is reported and the others still run; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src"), str(HERE.parent)]

from bench.summary import print_table, rows, write_json  # noqa: E402

# (name, script, arguments, quick arguments); the name is the results file's suffix.
SUITE: list[tuple[str, str, list[str], list[str]]] = [
    ("routing", "routing.py", [], ["--duration", "5", "--warmup", "1"]),
    ("onboard", "onboard.py", [], ["--sizes", "1,10", "--repeat", "1"]),
    ("migrate", "migrate_scale.py", [], ["--sizes", "20", "--executors", "pending"]),
    ("generator", "generator.py", ["--counties", "3", "--members", "50000", "--check", "300"],
     ["--counties", "2", "--members", "5000", "--check", "50"]),
    ("members", "members.py", [], ["--members", "10000", "--rows", "5000", "--duration", "5"]),
    ("load", "load.py", ["--rounds", "2"], ["--members", "2000", "--duration", "8"]),
    ("serving", "serving.py", ["--reuse"],
     ["--members", "2000", "--duration", "5", "--rounds", "1", "--configs", "production,sync2"]),
    ("rollup", "rollup.py", [], ["--counties", "3", "--members", "3000", "--rounds", "1"]),
    ("dues", "dues.py", [], ["--members", "3000", "--callbacks", "200"]),
    ("transfers", "transfers.py", [], ["--quick"]),
]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", default="", help="comma-separated names to run")
    parser.add_argument("--skip", default="", help="comma-separated names to leave out")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    args = parser.parse_args()
    only = {n for n in args.only.split(",") if n}
    skip = {n for n in args.skip.split(",") if n}
    failed, ran = [], []
    for name, script, full, quick in SUITE:
        if (only and name not in only) or name in skip:
            continue
        if not (HERE / script).exists():
            print(f"==> bench/{script}: not present, skipped", flush=True)
            continue
        cmd = [sys.executable, str(HERE / script), *(quick if args.quick else full)]
        print(f"==> {' '.join(['bench/' + script, *cmd[2:]])}", flush=True)
        started = time.monotonic()
        if subprocess.call(cmd):
            failed.append(name)
        ran.append(name)
        print(f"    ({time.monotonic() - started:.0f} s)", flush=True)
    found = rows(ran or None)
    print()
    print_table(found)
    write_json(found, HERE / "results-all.json")
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
