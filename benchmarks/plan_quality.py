"""Plan quality against today's packers on real package data (run by hand).

    python3 -m benchmarks.plan_quality [CATALOG.json ...] [--quick]

A. rates: every catalog x max layers {16, 32, 64, 127} x cadence {1, 7, 30} days x pace
   {x1, x8} x model {independent, containerfile}: expected bytes per update of layerkit's
   plan and of the packers in baselines.py (order-respecting for the containerfile model),
   the lower bound and the plan time. Score: excess = cost - lower bound.
B. correlated change: histories generated from each catalog (all binaries of a source
   change together, sources at their catalog rates x pace), weekly updates; plans see the
   first 60% of the updates, are scored on the other 40%.
C. stability: sizes and rates perturbed by +-20%; bytes that change layer and the cost given
   up, fresh vs `--previous`.
D. scale: 20,000 synthetic units with 100,000 dependency edges at 127 layers; peak memory.
Prints tables; writes benchmarks/results/plan_quality.json.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.baselines import PACKERS, order_respecting
from layerkit.config.catalog import PRIOR_UPDATES
from layerkit.config.image import Model
from layerkit.config.load import read_catalog
from layerkit.planner.components import catalog_components
from layerkit.planner.cost import CostModel, history_layer_costs
from layerkit.planner.plan import assemble, make_plan

ROOT = Path(__file__).resolve().parent.parent
OVERHEAD = 4_000_000  # containerfile model: rpmdb + dnf state per rebuilt layer (stand-in)
out = Console(width=160)


def mb(x: float) -> str:
    return f"{x / 1e6:.1f}"


def rates_grid(name: str, units, quick: bool) -> list[dict]:
    rows = []
    for model in Model:
        for pace in (1, 8):
            us = [replace(u, rate=u.rate * pace) for u in units]
            for k in ((32, 64) if quick else (16, 32, 64, 127)):
                for cadence in ((7,) if quick else (1, 7, 30)):
                    cm = CostModel(model, cadence, OVERHEAD if model is Model.CONTAINERFILE else 0)
                    t = time.perf_counter()
                    plan = make_plan(us, cm, k)
                    secs = time.perf_counter() - t
                    base = {}
                    for pname, packer in PACKERS.items():
                        assign = packer(us, k, cm.years)
                        if model is Model.CONTAINERFILE:
                            assign = order_respecting(us, assign)
                        base[pname] = assemble(us, assign, cm, k).expected_bytes
                    best = min(base, key=base.get)
                    lb = plan.lower_bound
                    ratio = (plan.expected_bytes - lb) / max(base[best] - lb, 1e-9)
                    rows.append({"catalog": name, "model": model.value, "pace": pace,
                                 "max_layers": k, "cadence_days": cadence,
                                 "layerkit": plan.expected_bytes, "lower_bound": lb,
                                 "baselines": base, "best_baseline": best,
                                 "excess_ratio": ratio, "plan_seconds": secs})
    return rows


def synth_windows(units, catalog, pace: int, cadence: float, seed: int = 1):
    """Weekly change sets: each source changes as a Poisson process at its catalog rate
    x pace, and all of its binaries change together."""
    rnd = random.Random(seed)
    by_source: dict[str, set[str]] = {}
    for p in catalog.packages.values():
        by_source.setdefault(p.source, set()).add(p.name)
    n = int(catalog.years * 365.25 / cadence)
    windows: list[set[str]] = [set() for _ in range(n)]
    for source in sorted(by_source):
        rate = max(catalog.rate(p) for p in by_source[source]) * pace * cadence / 365.25
        w = rnd.expovariate(rate) if rate > 0 else n
        while w < n:
            windows[int(w)].update(by_source[source])
            w += rnd.expovariate(rate)
    return [frozenset(w) for w in windows]


def history_rows(name: str, units, catalog, quick: bool) -> list[dict]:
    rows = []
    for pace in (1, 8):
        windows = synth_windows(units, catalog, pace, 7.0)
        cut = int(0.6 * len(windows))
        train, test = windows[:cut], windows[cut:]
        train_years = cut * 7 / 365.25
        # what a rates-only planner and the packers know: rates counted on the train part
        seen = [replace(u, rate=(sum(1 for w in train if set(u.packages) & w)
                                             + PRIOR_UPDATES) / train_years) for u in units]
        cm = CostModel(Model.INDEPENDENT, 7.0)

        def score(assign, test=test) -> float:
            layers: dict[int, list] = {}
            for u, a in zip(units, assign, strict=True):
                layers.setdefault(a, []).append(u)
            groups = list(layers.values())
            return sum(history_layer_costs([sum(u.size for u in g) for g in groups],
                                           [{p for u in g for p in u.packages} for g in groups],
                                           test))

        def assign_of(plan) -> list[int]:
            where = {u.id: la.index for la in plan.layers for u in la.components}
            return [where[u.id] for u in units]

        lb = sum(history_layer_costs([u.size for u in units], [set(u.packages) for u in units],
                                     test))
        for k in ((32, 64) if quick else (16, 32, 64, 127)):
            hist = score(assign_of(make_plan(units, cm, k, train)))
            rates_only = score(assign_of(make_plan(seen, cm, k)))
            base = {p: score(f(seen, k, cm.years)) for p, f in PACKERS.items()}
            best = min(base, key=base.get)
            rows.append({"catalog": name, "pace": pace, "max_layers": k,
                         "train_updates": len(train), "test_updates": len(test),
                         "layerkit_history": hist, "layerkit_rates": rates_only,
                         "lower_bound": lb, "baselines": base, "best_baseline": best,
                         "excess_ratio": (hist - lb) / max(base[best] - lb, 1e-9)})
    return rows


def stability_rows(name: str, units) -> list[dict]:
    rows = []
    for model in Model:
        cm = CostModel(model, 7.0, OVERHEAD if model is Model.CONTAINERFILE else 0)
        for k in (32, 64):
            first = make_plan(units, cm, k)
            prev = {u.id: la.index for la in first.layers for u in la.components}
            rnd = random.Random(k)
            moved = [replace(u, size=int(u.size * rnd.uniform(0.8, 1.2)),
                             rate=u.rate * rnd.uniform(0.8, 1.2))
                     for u in units]
            total = sum(u.size for u in moved)
            fresh = make_plan(moved, cm, k)
            sticky = make_plan(moved, cm, k, previous=prev)
            rows.append({"catalog": name, "model": model.value, "max_layers": k,
                         "moved_fresh": _moved(fresh, prev, moved) / total,
                         "moved_previous": _moved(sticky, prev, moved) / total,
                         "cost_given_up": sticky.expected_bytes / fresh.expected_bytes - 1})
    return rows


def _moved(plan, prev: dict[str, int], units) -> int:
    """Bytes whose layer changed, layers matched to the old ones by most shared bytes."""
    size = {u.id: u.size for u in units}
    overlap: dict[tuple[int, int], int] = {}
    for la in plan.layers:
        for u in la.components:
            key = (la.index, prev[u.id])
            overlap[key] = overlap.get(key, 0) + size[u.id]
    match, used = {}, set()
    for (new, old), _ in sorted(overlap.items(), key=lambda kv: -kv[1]):
        if new not in match and old not in used:
            match[new] = old
            used.add(old)
    return sum(size[u.id] for la in plan.layers for u in la.components
               if match.get(la.index) != prev[u.id])


SCALE_CHILD = """
import random, time, resource
from layerkit.planner.components import Component
from layerkit.planner.cost import CostModel
from layerkit.config.image import Model
from layerkit.planner.plan import make_plan
rnd = random.Random(5)
n, e = 20000, 100000
deps = [set() for _ in range(n)]
edges = 0
while edges < e:
    i = rnd.randrange(1, n)
    d = rnd.randrange(max(0, i - 2000), i)
    edges += d not in deps[i]
    deps[i].add(d)
units = [Component(f"u{i:05d}", (), (f"p{i}",), int(rnd.lognormvariate(11, 2)),
                  rnd.expovariate(1 / 0.6), tuple(f"u{d:05d}" for d in sorted(deps[i])))
         for i in range(n)]
t = time.perf_counter()
plan = make_plan(units, CostModel(Model.{model}, 7.0, {overhead}), 127)
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      plan.expected_bytes, plan.lower_bound)
"""


def scale_rows(catalogs) -> list[dict]:
    rows = []
    for model, overhead in (("INDEPENDENT", 0), ("CONTAINERFILE", OVERHEAD)):
        proc = subprocess.run([sys.executable, "-c",
                               SCALE_CHILD.replace("{model}", model)
                               .replace("{overhead}", str(overhead))],
                              capture_output=True, check=True, text=True)
        secs, rss, cost, lb = proc.stdout.split()
        rows.append({"what": f"20,000 units, 100,000 edges, 127 layers, {model.lower()}",
                     "seconds": float(secs), "peak_rss_mb": int(rss) / 1024})
    for name, units in catalogs:
        for model in Model:
            t = time.perf_counter()
            make_plan(units, CostModel(model, 7.0, OVERHEAD if model is Model.CONTAINERFILE
                                       else 0), 64)
            rows.append({"what": f"{name} ({len(units)} units), 64 layers, {model.value}",
                         "seconds": time.perf_counter() - t,
                         "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                         / 1024})
    return rows


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")] or \
        sorted((ROOT.parent / "shared" / "datasets").glob("*.json"))
    loaded = [(p.stem, cat, catalog_components(cat)) for p in paths
              for cat in [read_catalog(p)]]
    result: dict = {"overhead_containerfile": OVERHEAD}
    result["rates"] = [r for name, _, units in loaded for r in rates_grid(name, units, quick)]
    t = Table(title="A. expected MB per update (rates); excess ratio = layerkit excess / best "
                    "baseline excess")
    for col in ("catalog", "model", "pace", "L", "days", "layerkit", "lower bound",
                *PACKERS, "ratio", "plan s"):
        t.add_column(col, justify="left" if col in ("catalog", "model") else "right")
    for r in result["rates"]:
        t.add_row(r["catalog"], r["model"], f"x{r['pace']}", str(r["max_layers"]),
                  str(r["cadence_days"]), mb(r["layerkit"]), mb(r["lower_bound"]),
                  *(mb(r["baselines"][p]) for p in PACKERS), f"{r['excess_ratio']:.2f}",
                  f"{r['plan_seconds']:.2f}")
    out.print(t)
    result["history"] = [r for name, cat, units in loaded
                         for r in history_rows(name, units, cat, quick)]
    t = Table(title="B. correlated change: MB per update on unseen updates")
    for col in ("catalog", "pace", "L", "layerkit (history)", "layerkit (rates)",
                "lower bound", "best baseline", "ratio"):
        t.add_column(col, justify="left" if col == "catalog" else "right")
    for r in result["history"]:
        t.add_row(r["catalog"], f"x{r['pace']}", str(r["max_layers"]),
                  mb(r["layerkit_history"]), mb(r["layerkit_rates"]), mb(r["lower_bound"]),
                  f"{r['best_baseline']} {mb(r['baselines'][r['best_baseline']])}",
                  f"{r['excess_ratio']:.2f}")
    out.print(t)
    result["stability"] = [r for name, _, units in loaded for r in stability_rows(name, units)]
    t = Table(title="C. stability after +-20% perturbation")
    for col in ("catalog", "model", "L", "bytes moved (fresh)", "bytes moved (--previous)",
                "cost given up"):
        t.add_column(col, justify="left" if col in ("catalog", "model") else "right")
    for r in result["stability"]:
        t.add_row(r["catalog"], r["model"], str(r["max_layers"]),
                  f"{100 * r['moved_fresh']:.1f}%", f"{100 * r['moved_previous']:.1f}%",
                  f"{100 * r['cost_given_up']:.2f}%")
    out.print(t)
    result["scale"] = scale_rows([(name, units) for name, _, units in loaded])
    t = Table(title="D. scale")
    for col in ("what", "seconds", "peak RSS MB"):
        t.add_column(col, justify="left" if col == "what" else "right")
    for r in result["scale"]:
        t.add_row(r["what"], f"{r['seconds']:.2f}", f"{r['peak_rss_mb']:.0f}")
    out.print(t)
    dest = ROOT / "benchmarks" / "results" / "plan_quality.json"
    dest.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {dest}")


if __name__ == "__main__":
    main(sys.argv[1:])
