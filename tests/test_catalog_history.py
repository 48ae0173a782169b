"""`layerkit catalog --from-history`: a release series built and pushed by layerkit to the
local registry, packages bumped on a known schedule; the catalog's history must be the
exact change set of every step, dated by its release."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from conftest import run_cli
from layerkit.config.load import read_catalog
from standin.rpms import RpmSpec, make_repo
from standin.world import PACKAGES, write_project
from world_fixtures import own_repo

pytestmark = pytest.mark.integration

FIRST = date(2026, 1, 5)
# what each of the 7 steps between 8 weekly builds bumps: app about weekly, tool-a
# monthly, tool-b and libbig rarely; step 4 changes nothing, so its build is the same
# image as step 3's (no new release, no change set)
SCHEDULE = [("app",), ("app", "tool-a"), ("tool-b",), (), ("app", "libbig"),
            ("app", "tool-a"), ("tool-b", "app")]
SIZES = {p.name: p for p in PACKAGES}


def day(i: int) -> date:
    return FIRST + timedelta(days=7 * i)


@pytest.fixture(scope="module")
def series(tmp_path_factory, standin, registry_fixture):
    repo, server = own_repo(tmp_path_factory, "history-repo")
    root = tmp_path_factory.mktemp("history")
    image = write_project(root, standin, server.url, registry_fixture.host, "hist",
                          repository="test/hist")
    versions = {p.name: 0 for p in PACKAGES}
    try:
        for i in range(len(SCHEDULE) + 1):
            if i:
                for name in SCHEDULE[i - 1]:
                    versions[name] += 1
                    spec = SIZES[name]
                    make_repo([RpmSpec(name, f"1.{versions[name]}", size=spec.size,
                                       requires=spec.requires)], repo)
            tag = f"hist-{day(i).isoformat()}T0400-r{i:02d}"
            last = ["--update-catalog", "--catalog", root / "ci.json"] \
                if i == len(SCHEDULE) else []  # as CI does, after the last push
            built = run_cli("build", image, "--push", "--tag", tag, "--workdir", root / "w",
                            *last)
            assert built.code == 0, (tag, built.err[-3000:])
    finally:
        server.stop()
    out = root / "catalog.json"
    result = run_cli("catalog", "--from-history", f"{registry_fixture.host}/test/hist",
                     "--no-tls-verify", "-o", out)
    return {"result": result, "path": out, "repo": f"{registry_fixture.host}/test/hist",
            "ci": root / "ci.json", "built": built}


def test_every_step_has_its_exact_change_set(series):
    assert series["result"].code == 0, series["result"].err
    data = json.loads(series["path"].read_text())
    want = [{"date": day(i + 1).isoformat(), "changed": sorted(changed)}
            for i, changed in enumerate(SCHEDULE) if changed]
    assert data["history"] == want
    assert data["period"] == [FIRST.isoformat(), (day(len(SCHEDULE)) + timedelta(days=1))
                              .isoformat()]


def test_observed_rates_count_the_steps(series):
    cat = read_catalog(series["path"])
    counts = {name: sum(name in changed for changed in SCHEDULE) for name in SIZES}
    assert {n: p.updates for n, p in cat.packages.items()} == counts
    assert {p.evidence.value for p in cat.packages.values()} == {"history"}
    assert {n: p.version for n, p in cat.packages.items()} == {
        n: f"1.{c}-1" if c else "1.0-1" for n, c in counts.items()}
    # the planner reads the change sets: one update window per week
    windows = cat.windows(7)
    assert [sorted(w) for w in windows if w] == [sorted(c) for c in SCHEDULE if c]


def test_a_refresh_keeps_the_history_and_adds_nothing_twice(series, tmp_path):
    again = tmp_path / "again.json"
    again.write_text(series["path"].read_text())
    result = run_cli("catalog", "--from-history", series["repo"], "--no-tls-verify",
                     "-o", again)
    assert result.code == 0, result.err
    assert json.loads(again.read_text())["history"] == \
        json.loads(series["path"].read_text())["history"]


def test_build_update_catalog_learns_from_the_release_it_pushed(series):
    assert "updated " in series["built"].out and "change sets" in series["built"].out
    data = json.loads(series["ci"].read_text())
    assert data["history"] == json.loads(series["path"].read_text())["history"]
    cat = read_catalog(series["ci"])
    # sizes and dependencies from the image just built, rates from the releases
    assert {n: (p.size, p.depends) for n, p in cat.packages.items()} == {
        p.name: (p.size, p.requires) for p in PACKAGES}
    assert {p.evidence.value for p in cat.packages.values()} == {"history"}
    assert [s["kind"] for s in data["sources"]] == ["image", "history"]  # the base: no rpmdb
