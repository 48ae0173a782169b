"""Planner invariants on random graphs, and quality against simple baselines."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATASETS
from layerkit.catalog import load_catalog
from layerkit.cost import CostModel, layer_costs
from layerkit.errors import Problems
from layerkit.graph import PlanUnit, catalog_units
from layerkit.image import Model
from layerkit.plan import assemble, make_plan


@st.composite
def unit_graphs(draw):
    n = draw(st.integers(1, 40))
    units = []
    for i in range(n):
        deps = draw(st.lists(st.integers(0, i - 1), max_size=3, unique=True)) if i else []
        units.append(PlanUnit(f"u{i:02d}", (), (f"p{i}",),
                              draw(st.integers(0, 10**8)),
                              draw(st.floats(0, 100, allow_nan=False)),
                              tuple(f"u{d:02d}" for d in deps)))
    return units


def recompute(plan) -> float:
    sizes = [sum(u.size for u in layer.units) for layer in plan.layers]
    rates = [sum(u.changes_per_year for u in layer.units) for layer in plan.layers]
    return sum(layer_costs(sizes, rates, plan.cost_model))


@settings(max_examples=60, deadline=None)
@given(units=unit_graphs(), k=st.integers(1, 12),
       model=st.sampled_from(list(Model)), cadence=st.sampled_from([1.0, 7.0, 30.0]),
       overhead=st.sampled_from([0, 2_000_000]))
def test_plan_invariants(units, k, model, cadence, overhead):
    cm = CostModel(model, cadence, overhead)
    plan = make_plan(units, cm, k)
    placed = [u.id for layer in plan.layers for u in layer.units]
    assert sorted(placed) == sorted(u.id for u in units)  # each unit exactly once
    assert 1 <= len(plan.layers) <= k
    assert all(layer.units for layer in plan.layers)
    if model is Model.CONTAINERFILE:
        where = {u.id: layer.index for layer in plan.layers for u in layer.units}
        for u in units:
            assert all(where[d] <= where[u.id] for d in u.deps)
    assert plan.expected_bytes == pytest.approx(recompute(plan), rel=1e-9)
    assert plan.expected_bytes >= plan.lower_bound * (1 - 1e-9)
    again = make_plan(units, cm, k)
    assert [[u.id for u in la.units] for la in again.layers] == \
        [[u.id for u in la.units] for la in plan.layers]


@settings(max_examples=30, deadline=None)
@given(units=unit_graphs(), k=st.integers(2, 8))
def test_plan_no_worse_than_one_layer(units, k):
    for model in Model:
        cm = CostModel(model, 7.0, 1_000_000)
        one = assemble(units, [0] * len(units), cm, k)
        assert make_plan(units, cm, k).expected_bytes <= one.expected_bytes * (1 + 1e-9)


def biggest_alone(units, k, cm):
    """Baseline: the k-1 biggest units alone, the rest together (independent model)."""
    order = sorted(range(len(units)), key=lambda i: -units[i].size)
    assign = [k - 1] * len(units)
    for layer, i in enumerate(order[: k - 1]):
        assign[i] = layer
    return assemble(units, assign, cm, k).expected_bytes


@pytest.mark.parametrize("name", ["devtools", "kde-standard"])
def test_catalog_plan_beats_simple_baselines(name):
    path = DATASETS / f"{name}.json"
    assert path.exists(), f"{path}: the shared datasets sit beside the project"
    problems = Problems()
    units = catalog_units(load_catalog(Path(path), problems))
    cm = CostModel(Model.INDEPENDENT, 7.0)
    plan = make_plan(units, cm, 64)
    one = assemble(units, [0] * len(units), cm, 64).expected_bytes
    assert plan.expected_bytes < 0.2 * one
    assert plan.expected_bytes < biggest_alone(units, 64, cm)
    assert plan.lower_bound <= plan.expected_bytes


def test_catalog_cycles_condense(tmp_path):
    cat = tmp_path / "c.json"
    cat.write_text('{"period": ["2024-01-01", "2025-01-01"], "packages": ['
                   '{"name": "libc6", "source": "glibc", "size": 100, "updates": 1,'
                   ' "depends": ["libgcc-s1"]},'
                   '{"name": "libgcc-s1", "source": "gcc", "size": 10, "updates": 0,'
                   ' "depends": ["libc6"]},'
                   '{"name": "app", "size": 5, "updates": 3, "depends": ["libc6"]}]}')
    units = catalog_units(load_catalog(cat, Problems()))
    ids = [u.id for u in units]
    assert ids == ["cycle:libc6+libgcc-s1", "app"]
    assert units[1].deps == ("cycle:libc6+libgcc-s1",)
    # rate: (updates + 0.5 prior) per year, summed over distinct sources
    assert units[0].changes_per_year == pytest.approx((1.5 + 0.5) / (366 / 365.25))


def test_ostree_components_annotation_names_packages():
    from layerkit.diff import _components
    assert _components({"ostree.components": "kernel,kernel-core"}) == ("kernel", "kernel-core")
    assert _components({}) == ()
    assert _components({"org.chunkah.component": "rpm/curl rpm/glibc chunkah/unclaimed"}) == \
        ("chunkah/unclaimed", "curl", "glibc")
