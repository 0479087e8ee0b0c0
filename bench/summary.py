"""One table of every benchmark's headline figures, read from the ``bench/results-*.json``
files the scripts write (``bench/run.py`` prints it after running them; ``python
bench/summary.py`` prints it from the files already there).

Each extractor turns one results file into rows: figure, value, unit, the baseline it is
compared with (if the issue defines one) and the ratio to it, the goal and whether it is
met. A missing file is reported as not run.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass
class Row:
    bench: str
    figure: str
    value: float | None
    unit: str
    baseline: str = ""
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None


def _routing(d: dict[str, Any]) -> Iterator[Row]:
    by = {r["config"]: r for r in d["results"]}
    plain = by["plain"]["requests_per_s"]
    for config in ("plain", "routing", "stock"):
        r = by.get(config)
        if r is None:  # that configuration was not run (--configs)
            continue
        goal, met = (
            ("≥ 0.95× plain", r["ratio_to_plain"] >= 0.95) if config == "routing" else ("", None)
        )
        yield Row("routing", f"{r['label']}: throughput", r["requests_per_s"], "req/s",
                  "plain Django" if config != "plain" else "", r["requests_per_s"] / plain
                  if config != "plain" else None, goal, met)  # fmt: skip


def _onboard(d: dict[str, Any]) -> Iterator[Row]:
    for o in d["onboarding"]:
        yield Row("onboard", f"onboard 1 district, {o['present']} present (clone)", o["clone"], "s",
                  "migrate", o["clone"] / o["migrate"], "seconds", o["clone"] < 10)  # fmt: skip
    n = d.get("schemas", "")
    for m in d["migrate_schemas"]:
        yield Row("onboard", f"migrate_schemas {n} schemas, {m['case']} (multiprocessing)",
                  m["multiprocessing"], "s", "standard executor",
                  m["multiprocessing"] / m["standard"])  # fmt: skip


def _generator(d: dict[str, Any]) -> Iterator[Row]:
    yield Row("generator", f"generate {d['members']:,d} members", d["members_per_s"], "members/s",
              goal="≥ 20,000", met=d["members_per_s"] >= 20_000)  # fmt: skip
    x = d.get("extras") or {}
    if x:
        made = (
            f"developments {x['developments']:,d}, dues bills {x['dues_bills']:,d}, "
            f"transfers {x['transfers']:,d}"
        )
        yield Row("generator", made, x["total_s"], "s")


def _members(d: dict[str, Any]) -> Iterator[Row]:
    for r in d["table"]:
        if r.get("goal"):
            yield Row("members", r["figure"], r["value"], r["unit"], goal=r["goal"], met=r["met"])


def _load(d: dict[str, Any]) -> Iterator[Row]:
    labels = {"mixed": "3 counties, routed", "routed": "1 county, routed",
              "bypass": "1 county, routing bypassed"}  # fmt: skip
    users = d["args"]["users"]
    for config, s in d["best"].items():
        yield Row("load", f"locust {users} users, {labels[config]}: p95", s["p95_ms"], "ms")
        yield Row("load", f"locust {users} users, {labels[config]}: error rate",
                  100 * s["error_rate"], "%")  # fmt: skip
    cost = d["routing_cost"]
    ratio = cost.get("goal_rps_ratio", cost["rps_ratio"])  # bench/load.py chooses it
    yield Row("load", "locust: routed throughput", d["best"]["routed"]["rps"], "req/s",
              "routing bypassed", ratio, "≥ 0.95×", ratio >= 0.95)  # fmt: skip


def _rollup(d: dict[str, Any]) -> Iterator[Row]:
    n = f"{d['counties']} × {d['members_per_county']:,d}"
    fanned = min(d.get("full_rollup_fan_out_ms") or d["full_rollup_ms"])
    yield Row("rollup", f"full rollup, {n} members (Celery fan-out)", fanned, "ms",
              "hand-written SQL, same figures", d["ratio"], f"≤ {d['goal_ratio']}×",
              d["ratio"] <= d["goal_ratio"])  # fmt: skip
    if "ratio_in_process" in d:
        yield Row("rollup", "full rollup, one process (reference)", min(d["full_rollup_ms"]),
                  "ms", "hand-written SQL, same figures", d["ratio_in_process"])  # fmt: skip
    if "ratio_county_only" in d:
        yield Row("rollup", "full rollup (reference: county cells only)", fanned, "ms",
                  "hand-written SQL, county level", d["ratio_county_only"])  # fmt: skip
    yield Row("rollup", "refresh of one county after one change", min(d["refresh_ms"]), "ms")
    yield Row("rollup", "dashboard data.json (server)", min(d["dashboard_data_ms"]), "ms")


def _dues(d: dict[str, Any]) -> Iterator[Row]:
    b, c = d["billing"], d["callbacks"]
    yield Row("dues", f"billing one month, {b['bills']:,d} bills", b["seconds"], "s",
              goal="< 60", met=b["seconds"] < 60)  # fmt: skip
    yield Row("dues", "gateway callbacks (8 clients)", c["per_second"], "callbacks/s",
              goal="≥ 30", met=c["per_second"] >= 30)  # fmt: skip
    yield Row("dues", "gateway callbacks: p95", c["p95_ms"], "ms")


def _figures(d: dict[str, Any]) -> Iterator[Row]:
    """A results file that lists its own figures (``{"figures": [Row fields …]}``)."""
    for r in d.get("figures", []):
        yield Row(**{k: r.get(k) for k in Row.__dataclass_fields__ if k in r})


EXTRACTORS: dict[str, Callable[[dict[str, Any]], Iterator[Row]]] = {
    "routing": _routing,
    "onboard": _onboard,
    "generator": _generator,
    "members": _members,
    "load": _load,
    "rollup": _rollup,
    "dues": _dues,
}


def rows(names: list[str] | None = None) -> list[Row]:
    found: list[Row] = []
    for path in sorted(HERE.glob("results-*.json")):
        name = path.stem.removeprefix("results-")
        if name == "all" or (names and name not in names):
            continue  # results-all.json is this table's own output (bench/run.py)
        data = json.loads(path.read_text())
        extract = EXTRACTORS.get(name, _figures)
        try:
            found.extend(extract(data))
        except (AttributeError, KeyError, TypeError) as exc:
            found.append(Row(name, f"(unreadable results: {exc!r})", None, ""))
    return found


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return (
        f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if value < 10 else f"{value:.1f}"
    )


def print_table(found: list[Row]) -> None:
    print("| bench | figure | value | unit | baseline | ratio | goal | met? |")
    print("|---|---|---:|---|---|---:|---|---|")
    for r in found:
        ratio = f"{r.ratio:.3f}×" if r.ratio is not None else ""
        met = "" if r.met is None else ("yes" if r.met else "NO")
        print(f"| {r.bench} | {r.figure} | {_fmt(r.value)} | {r.unit} | {r.baseline} | {ratio} "
              f"| {r.goal} | {met} |")  # fmt: skip


def write_json(found: list[Row], path: Path) -> None:
    path.write_text(json.dumps([asdict(r) for r in found], ensure_ascii=False, indent=1))


if __name__ == "__main__":
    print_table(rows(sys.argv[1:] or None))
