"""Merging sources into one catalog (newer evidence wins, facts by kind of source), the
format's new optional fields, and the CI workflow that keeps the catalog."""

from __future__ import annotations

import json
from datetime import date

import pytest
import yaml

from conftest import run_cli
from layerkit.catalog.found import Facts, Found, Kind, Observation
from layerkit.catalog.merge import merge, to_json
from layerkit.config.catalog import ChangeSet, Evidence
from layerkit.config.load import read_catalog
from layerkit.errors import LayerkitError

D = date.fromisoformat
H, U, C, E = Evidence.HISTORY, Evidence.UPDATEINFO, Evidence.CHANGELOG, Evidence.ESTIMATE


def obs(evidence, updates, start, end) -> Observation:
    return Observation(evidence, updates, D(start), D(end))


def found(kind, ref, when, *facts, history=(), period=None) -> Found:
    return Found(kind, ref, D(when), {f.name: f for f in facts}, tuple(history), period)


def test_newer_evidence_wins_and_each_package_says_which():
    image = found(Kind.IMAGE, "img", "2026-06-01",
                  Facts("a", 100, ("b",), "asrc", "1-1", obs(C, 12, "2025-06-01", "2026-06-01")),
                  Facts("b", 50, (), "b", "2-1", obs(C, 3, "2025-06-01", "2026-06-01"), True),
                  Facts("c", 7, (), "c", "1-1", obs(C, 1, "2025-06-01", "2026-06-01")))
    repo = found(Kind.REPO, "repo", "2026-07-01",
                 Facts("a", 999, (), "x", "9-9", obs(U, 5, "2026-01-01", "2026-07-01")),
                 Facts("d", 10, ("a",), "d", "1-1", None))
    hist = found(Kind.HISTORY, "reg/x", "2026-06-01", Facts("c", version="1-2",
                 observed=obs(H, 2, "2026-03-01", "2026-06-01")),
                 history=[ChangeSet("2026-04-01", ("c",))],
                 period=(D("2026-03-01"), D("2026-06-01")))
    merged = merge([hist, repo, image], estimates={"d": 4.0})
    p = merged.packages
    # a: updateinfo ends later than the changelog; size and deps stay the image's
    assert (p["a"].observed.evidence, p["a"].observed.updates, p["a"].size, p["a"].depends,
            p["a"].source) == (U, 5, 100, ("b",), "asrc")
    # c: history and changelog end together: history ranks first
    assert (p["c"].observed.evidence, p["c"].observed.updates, p["c"].version) == (H, 2, "1-1")
    # d: nothing observed it: the recipe's estimate over the catalog's period (a quarter)
    assert (p["d"].observed.evidence, p["d"].observed.updates) == (E, 1)
    assert merged.period == (D("2026-03-01"), D("2026-06-01"))  # the history's
    data = to_json(merged)
    by = {e["name"]: e for e in data["packages"]}
    assert by["a"]["period"] == ["2026-01-01", "2026-07-01"] and "period" not in by["c"]
    assert by["b"]["base"] is True and "base" not in by["a"]
    assert by["d"]["depends"] == ["a"] and by["a"]["evidence"] == "updateinfo"
    assert data["history"] == [{"date": "2026-04-01", "changed": ["c"]}]
    assert merged.evidence() == {"changelog": 1, "updateinfo": 1, "history": 1, "estimate": 1}


def test_a_refreshed_catalog_keeps_what_nothing_newer_replaces(tmp_path):
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"period": ["2026-01-01", "2026-03-01"], "packages": [
        {"name": "kept", "size": 5, "updates": 2, "evidence": "updateinfo"},
        {"name": "gone", "size": 5, "updates": 9, "evidence": "changelog", "base": True,
         "period": ["2025-03-01", "2026-03-01"]}]}))
    from layerkit.catalog.merge import from_catalog
    image = found(Kind.IMAGE, "img", "2026-06-01",
                  Facts("gone", 6, (), "gone", "2-1", obs(C, 1, "2025-06-01", "2026-06-01")))
    merged = merge([from_catalog(read_catalog(old)), image])
    p = merged.packages
    assert (p["kept"].observed.updates, p["kept"].observed.evidence) == (2, U)
    assert (p["gone"].observed.updates, p["gone"].size, p["gone"].base) == (1, 6, True)


def test_the_new_fields_are_read_and_checked(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"period": ["2026-01-01", "2027-01-01"], "packages": [
        {"name": "a", "size": 1, "updates": 3, "evidence": "history",
         "period": ["2026-07-01", "2027-01-01"], "base": True},
        {"name": "b", "size": 1, "updates": 3}]}))
    cat = read_catalog(path)
    assert cat.packages["a"].base and cat.packages["a"].evidence is Evidence.HISTORY
    assert cat.rate("a") == pytest.approx(3.5 / (184 / 365.25))  # over its own half year
    assert cat.rate("b") == pytest.approx(3.5 / (365 / 365.25))
    path.write_text(json.dumps({"period": ["2026-01-01", "2027-01-01"], "packages": [
        {"name": "a", "size": 1, "evidence": "guess"},
        {"name": "b", "size": 1, "period": ["2027-01-01", "2026-01-01"]},
        {"name": "c", "size": 1, "base": "yes"}]}))
    with pytest.raises(LayerkitError) as e:
        read_catalog(path)
    assert e.value.problems == [
        f"{path}: packages[1].evidence: expected one of history, updateinfo, changelog, "
        "estimate",
        f"{path}: packages[2].period: the end must come after the start",
        f"{path}: packages[3].base: expected true or false"]


@pytest.mark.parametrize("mode", ["commit", "cache", "off"])
def test_ci_keeps_the_catalog(tree, monkeypatch, mode):
    from test_ci import actionlint
    monkeypatch.chdir(tree.root)
    tree.recipe("a", 'description = "x"\npackages = ["vim"]\nsize = 1\nupdate = "weekly"\n')
    (tree.root / "images" / "catalog.json").write_text(
        '{"period": ["2026-01-01", "2027-01-01"], "packages": []}')
    image = tree.image('registry = "ghcr.io"\nrepository = "me/os"\ncatalog = "catalog.json"\n'
                       f'[ci]\ncatalog = "{mode}"\n')
    result = run_cli("ci", "github", str(image.relative_to(tree.root)), "-o", "wf")
    assert result.code == 0, result.err
    actionlint(tree.root / "wf" / "layerkit-test.yml")
    data = yaml.safe_load((tree.root / "wf" / "layerkit-test.yml").read_text())
    steps = data["jobs"]["content"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    uses = [s.get("uses", "") for s in steps]
    assert ("--update-catalog" in runs) == (mode != "off")
    assert ("install -y buildah skopeo rpm" in runs) == (mode != "off")
    assert ('git add "$CATALOG"' in runs) == (mode == "commit")
    build = next(s for s in steps if s.get("name") == "Build and push")
    assert build["env"].get("CATALOG") == ("images/catalog.json" if mode != "off" else None)
    assert ("actions/cache/save@v4" in uses) == (mode == "cache")
    assert data["permissions"]["contents"] == ("write" if mode == "commit" else "read")


def test_update_catalog_needs_a_push_and_a_catalog(tree):
    tree.recipe("a", 'description = "x"\npackages = ["vim"]\nsize = 1\nupdate = "weekly"\n')
    image = tree.image()
    for argv in (["--update-catalog"], ["--update-catalog", "--push"]):
        result = run_cli("build", image, *argv)
        assert result.code == 2 and "--update-catalog needs --push and a catalog" in result.err


def test_packages_the_base_has_are_left_to_it(tree):
    tree.recipe("a", 'description = "x"\npackages = ["app"]\n')
    (tree.root / "images" / "catalog.json").write_text(json.dumps({
        "period": ["2026-01-01", "2027-01-01"], "packages": [
            {"name": "app", "size": 1000, "updates": 12, "depends": ["lib", "glibc"],
             "evidence": "history"},
            {"name": "lib", "size": 500, "updates": 1, "depends": ["glibc"],
             "evidence": "changelog"},
            {"name": "glibc", "size": 9000, "updates": 4, "base": True,
             "evidence": "changelog"}]}))
    image = tree.image('catalog = "catalog.json"\nmodel = "independent"\n')
    result = run_cli("plan", image, "--json")
    assert result.code == 0, result.err
    planned = {p for la in json.loads(result.out)["layers"] for p in la["packages"]}
    assert planned == {"app", "lib"}
    text = run_cli("plan", image)
    assert "rates: 1 from history, 1 from changelogs" in text.out
