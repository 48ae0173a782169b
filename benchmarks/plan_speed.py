"""Plan time and quality of `layerkit plan --all` on the shared catalogs (run by hand).

    python3 -m benchmarks.plan_speed [CATALOG.json ...]

Prints a table: wall time of the CLI (a fresh process, as a user runs it) and expected
bytes per update of layerkit's plan against one layer and "the biggest N-1 units alone,
the rest together", with the lower bound. Writes benchmarks/results/plan_speed.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from layerkit.config.image import Model
from layerkit.config.load import read_catalog
from layerkit.config.sizes import human
from layerkit.planner.components import catalog_components
from layerkit.planner.cost import CostModel
from layerkit.planner.plan import assemble

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = sorted((ROOT.parent / "shared" / "datasets").glob("*.json"))


def baselines(units, k: int, cm: CostModel) -> dict[str, float]:
    one = assemble(units, [0] * len(units), cm, k).expected_bytes
    order = sorted(range(len(units)), key=lambda i: (-units[i].size, units[i].id))
    assign = [k - 1] * len(units)
    for layer, i in enumerate(order[: k - 1]):
        assign[i] = layer
    return {"one_layer": one, "biggest_alone": assemble(units, assign, cm, k).expected_bytes}


def main(paths: list[Path]) -> None:
    rows = []
    for path in paths:
        units = catalog_components(read_catalog(path))
        for k in (16, 32, 64):
            argv = ["layerkit", "plan", "--catalog", str(path), "--all", "--max-layers", str(k),
                    "--model", "independent", "--json"]
            start = time.perf_counter()
            out = subprocess.run(argv, capture_output=True, check=True).stdout
            wall = time.perf_counter() - start
            plan = json.loads(out)
            base = baselines(units, k, CostModel(Model.INDEPENDENT, 7.0))
            rows.append({"catalog": path.name, "units": len(units), "max_layers": k,
                         "wall_seconds": round(wall, 3),
                         "layerkit": plan["expected_bytes_per_update"],
                         "lower_bound": plan["lower_bound_bytes_per_update"],
                         **{k2: round(v) for k2, v in base.items()}})
    t = Table(title="layerkit plan --all --model independent, weekly cadence")
    for col in ("catalog", "units", "layers", "wall", "layerkit", "one layer",
                "biggest alone", "lower bound"):
        t.add_column(col, justify="left" if col == "catalog" else "right")
    for r in rows:
        t.add_row(r["catalog"], str(r["units"]), str(r["max_layers"]), f"{r['wall_seconds']:.2f}s",
                  human(r["layerkit"]), human(r["one_layer"]), human(r["biggest_alone"]),
                  human(r["lower_bound"]))
    Console(width=140).print(t)
    out = ROOT / "benchmarks" / "results" / "plan_speed.json"
    out.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]] or DEFAULT)
