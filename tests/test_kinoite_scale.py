"""The Kinoite-scale benchmark on its scaled-down world (docs/scale.md): the same
relations as the full run, without its timing targets. Week 1 changes base and custom
packages, week 2 only the base."""

from __future__ import annotations

import pytest

from benchmarks.kinoite_scale import replay
from standin.scale.world import SMALL, World

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    world = World(SMALL)
    assert world.base_only_week() == 2
    return replay(world, tmp_path_factory.mktemp("scale"), tiers=False, log=lambda _: None,
                  whole=("whole-layerkit", "whole-chunkah"))


def test_rechunked_beats_chunkah_beats_plain(result):
    s = result["summary"]
    assert 0 < s["floor_median_bytes"] <= s["rechunked_median_bytes"]
    assert s["rechunked_median_bytes"] < s["chunkah_median_bytes"] < s["plain_median_bytes"]
    for week in result["weeks"][1:]:
        assert week["diff-whole-layerkit"]["bytes"] < week["diff-plain"]["bytes"]


def test_base_only_week_downloads_no_custom_content(result):
    week = result["weeks"][2]
    assert not any(world_custom(n) for n in week["changes"])
    assert week["diff-whole-layerkit"]["custom_bytes"] == 0
    assert week["diff-rechunked"]["custom_bytes"] == 0
    assert week["diff-plain"]["custom_bytes"] > 0  # every RUN layer rebuilt on the base


def test_layer_budgets_hold(result):
    s = result["summary"]
    assert s["max_total_layers"] <= 125
    assert s["layers"]["whole-layerkit"] <= SMALL.whole_layers
    assert s["rpmdb_bytes"] > 1_000_000


def world_custom(name: str) -> bool:
    return World(SMALL).packages[name].custom
