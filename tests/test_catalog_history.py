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
            "ci": root / "ci.json", "built": built, "image": image}


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


def test_an_image_file_reads_its_base_and_its_built_image(series, tmp_path):
    out = tmp_path / "c.json"
    result = run_cli("catalog", series["image"], "-o", out, "--json")
    assert result.code == 0, result.err
    assert "no rpm database" in result.err  # the stand-in base has none: a note
    summary = json.loads(result.out)
    assert [s["ref"] for s in summary["sources"]] == [f"{series['repo']}:hist"]
    cat = read_catalog(out)
    assert set(cat.packages) == set(SIZES) and not any(p.base for p in cat.packages.values())


def _layer(layout, seed: str):
    import gzip
    import hashlib
    import io
    import tarfile
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo(f"usr/share/{seed}")
        data = seed.encode() * 100
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    blob = layout.put(gzip.compress(raw.getvalue(), mtime=0),
                      "application/vnd.oci.image.layer.v1.tar+gzip")
    return blob, "sha256:" + hashlib.sha256(raw.getvalue()).hexdigest()


def test_annotated_layers_stand_in_for_versions(registry_fixture, tmp_path):
    """An image with no plan label (rpm-ostree's chunked images): ostree.components says
    which packages a layer holds; a package changed when its layer did."""
    from layerkit.oci.layout import Layout
    from layerkit.tools import skopeo
    layout = Layout(tmp_path / "layout")
    layout.init()
    releases = [{"a,b": "ab-1", "c": "c-1"}, {"a,b": "ab-1", "c": "c-2"},
                {"a,b": "ab-2", "c": "c-2"}]
    repo = f"{registry_fixture.host}/test/chunked"
    for i, layers in enumerate(releases):
        blobs = [(_layer(layout, seed), names) for names, seed in layers.items()]
        config = layout.put(json.dumps({
            "architecture": "amd64", "os": "linux", "created": f"2026-03-0{i + 1}T00:00:00Z",
            "rootfs": {"type": "layers", "diff_ids": [d for (_, d), _ in blobs]},
            "config": {}}).encode(), "application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": config.media_type, "digest": config.digest,
                               "size": config.size},
                    "layers": [{"mediaType": b.media_type, "digest": b.digest, "size": b.size,
                                "annotations": {"ostree.components": names}}
                               for (b, _), names in blobs]}
        m = layout.put(json.dumps(manifest).encode(), manifest["mediaType"])
        layout.tag(m, f"r{i}")
        skopeo.copy(f"oci:{layout.root}:r{i}", f"docker://{repo}:r{i}", tls_verify=False)
    out = tmp_path / "catalog.json"
    result = run_cli("catalog", "--from-history", repo, "--no-tls-verify", "-o", out)
    assert result.code == 0, result.err
    data = json.loads(out.read_text())
    assert data["history"] == [{"date": "2026-03-02", "changed": ["c"]},
                               {"date": "2026-03-03", "changed": ["a", "b"]}]
    assert {p["name"]: p["updates"] for p in data["packages"]} == {"a": 1, "b": 1, "c": 1}
