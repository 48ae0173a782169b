"""Plans for the Kinoite-scale benchmark (benchmarks/kinoite_scale.py), written as plan
JSON for `layerkit rechunk --plan`:

- the base's own packing (how Fedora ships it): rpm-ostree's `basic_packing` of the base
  packages;
- whole-image plans (base and custom re-chunked together, one rpmdb layer): layerkit's
  independent plan against the catalog's history, base and custom packages planned apart
  (a custom package never shares a layer with a base package, so a base-only week leaves
  every custom layer alone) with the split of the budget that predicts the fewest bytes;
  and the packers layerkit is compared with (`basic_packing`, `chunkah`), over all
  packages, at the same budget;
- custom-only plans for the packers (the two-tier images, base kept byte for byte).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks import baselines
from layerkit.config.catalog import Catalog
from layerkit.config.image import Model
from layerkit.planner.components import Component, catalog_components
from layerkit.planner.cost import CostModel
from layerkit.planner.plan import Plan, make_plan

CADENCE = 7.0
PACKERS: dict[str, Callable] = {"chunkah": baselines.chunkah,
                                "rpm-ostree": baselines.basic_packing}


def components(catalog: Catalog, names: set[str]) -> list[Component]:
    """The catalog's packages among `names` as components (no order constraints: the
    independent model has none)."""
    return [dataclasses.replace(c, deps=()) for c in catalog_components(catalog)
            if set(c.packages) <= names]


def groups_json(groups: Sequence[Sequence[str]]) -> dict:
    """Plan JSON as `layerkit plan --json` prints it, as far as `rechunk --plan` reads."""
    return {"schema": 1, "layers": [{"index": i, "recipes": [], "packages": sorted(g),
                                     "units": []} for i, g in enumerate(g for g in groups if g)]}


def packer_groups(packer: Callable, units: Sequence[Component], k: int) -> list[list[str]]:
    assign = packer(units, k, CADENCE / 365.25)
    out: list[list[str]] = [[] for _ in range(max(assign) + 1)]
    for u, a in zip(units, assign, strict=True):
        out[a].extend(u.packages)
    return [g for g in out if g]


def layerkit_plan(catalog: Catalog, names: set[str], k: int) -> Plan:
    cm = CostModel(Model.INDEPENDENT, CADENCE)
    return make_plan(components(catalog, names), cm, k, catalog.windows(CADENCE))


def whole_layerkit(catalog: Catalog, base: set[str], custom: set[str],
                   k: int) -> tuple[list[list[str]], dict]:
    """Base and custom planned apart; the split of k with the fewest predicted bytes."""
    best = None
    for kc in sorted({max(1, min(len(custom), k // d)) for d in (16, 10, 8, 6, 4)}):
        pb, pc = layerkit_plan(catalog, base, k - kc), layerkit_plan(catalog, custom, kc)
        cost = pb.expected_bytes + pc.expected_bytes
        if best is None or cost < best[0]:
            best = (cost, pb, pc, kc)
    cost, pb, pc, kc = best  # type: ignore[misc]
    groups = [list(la.packages) for la in pb.layers] + [list(la.packages) for la in pc.layers]
    return groups, {"base_layers": k - kc, "custom_layers": kc, "expected_bytes": cost,
                    "lower_bound": pb.lower_bound + pc.lower_bound}


def write_plans(catalog: Catalog, base: set[str], custom: set[str], base_k: int,
                custom_k: int, whole_k: int, out: Path) -> dict:
    """Write every plan into `out`; returns {name: groups} and layerkit's plan facts."""
    out.mkdir(parents=True, exist_ok=True)
    every = base | custom
    plans: dict[str, list[list[str]]] = {}
    plans["base"] = packer_groups(baselines.basic_packing, components(catalog, base), base_k)
    groups, facts = whole_layerkit(catalog, base, custom, whole_k)
    plans["whole-layerkit"] = groups
    for name, packer in PACKERS.items():
        plans[f"whole-{name}"] = packer_groups(packer, components(catalog, every), whole_k)
        plans[f"tier-{name}"] = packer_groups(packer, components(catalog, custom), custom_k)
    for name, groups in plans.items():
        (out / f"{name}.json").write_text(json.dumps(groups_json(groups)))
    return {"plans": plans, "layerkit": facts}


def predicted(groups: Sequence[Sequence[str]], sizes: dict[str, int],
              changed: set[str]) -> int:
    """Bytes of the plan's layers a change set touches (catalog sizes)."""
    return sum(sum(sizes[p] for p in g) for g in groups if changed.intersection(g))
