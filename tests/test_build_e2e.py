"""End to end with real buildah, dnf, rpm, skopeo and a real registry."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from layerkit import buildah, registry, rig
from layerkit.rig import PACKAGES, write_project
from layerkit.run import run

pytestmark = pytest.mark.integration


def manifest_layers(ref: str) -> list[str]:
    raw, _ = registry.raw_manifest(f"docker://{ref}", tls_verify=False)
    return [la["digest"] for la in json.loads(raw)["layers"]]


def rpm_q(image: str, packages: list[str]) -> str:
    ctr = run(["buildah", "from", "--pull=false", image]).stdout.decode().strip()
    try:
        return run(["buildah", "run", "--isolation", "chroot", ctr, "--", "rpm", "-q",
                    *packages], check=False).stdout.decode()
    finally:
        run(["buildah", "rm", ctr])


@pytest.fixture(scope="module")
def project(tmp_path_factory, standin, rpm_repo, registry_fixture):
    root = tmp_path_factory.mktemp("project")
    image = write_project(root, standin, rpm_repo[1], registry_fixture.host, "e2e")
    return {"image": image, "root": root, "host": registry_fixture.host,
            "repo": rpm_repo[0], "work": root / "work"}


def build(capsys, project, tag, *extra):
    return run_cli(capsys, "build", str(project["image"]), "--push", "--tag", tag,
                   "--workdir", str(project["work"]), *extra)


def test_build_push_and_tags(capsys, project):
    code, out, err = build(capsys, project, "e2e-v1")
    assert code == 0, err
    host = project["host"]
    pushed = registry.digest(f"docker://{host}/test/desk:e2e-v1", tls_verify=False)
    moving = registry.digest(f"docker://{host}/test/desk:e2e", tls_verify=False)
    assert pushed == moving  # versioned and moving tag share one digest
    _, plan_json, _ = run_cli(capsys, "plan", str(project["image"]), "--json")
    plan = json.loads(plan_json)
    base_layers = len(buildah.inspect(rig.standin_tag())["OCIv1"]["rootfs"]["diff_ids"])
    layers = manifest_layers(f"{host}/test/desk:e2e-v1")
    # one layer per planned package layer, one for the config recipe
    assert len(layers) == base_layers + len(plan["layers"]) + 1
    assert len(plan["layers"]) >= 2
    installed = rpm_q(f"{host}/test/desk:e2e-v1", [p.name for p in PACKAGES])
    for p in PACKAGES:
        assert f"{p.name}-1.0-1.noarch" in installed
    project["v1"] = layers
    project["plan"] = plan


def test_rebuild_with_nothing_changed_keeps_every_layer(capsys, project):
    code, _, err = build(capsys, project, "e2e-v2")
    assert code == 0, err
    assert manifest_layers(f"{project['host']}/test/desk:e2e-v2") == project["v1"]


def test_bumping_one_package_changes_only_its_layer_and_above(capsys, project):
    rig.make_repo([rig.RpmSpec("app", version="1.1", size=200_000, requires=("tool-a",))],
                  project["repo"])
    code, _, err = build(capsys, project, "e2e-v3")
    assert code == 0, err
    new = manifest_layers(f"{project['host']}/test/desk:e2e-v3")
    old = project["v1"]
    where = next(la["index"] for la in project["plan"]["layers"] if "app" in la["packages"])
    base_layers = len(old) - len(project["plan"]["layers"]) - 1
    changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    assert changed and changed[0] == base_layers + where
    assert all(i >= base_layers + where for i in changed)
    assert "app-1.1-1.noarch" in rpm_q(f"{project['host']}/test/desk:e2e-v3", ["app"])
    project["v3_digest"] = registry.digest(f"docker://{project['host']}/test/desk:e2e",
                                           tls_verify=False)


def test_failed_build_pushes_nothing_and_keeps_the_moving_tag(capsys, project):
    (project["root"] / "recipes" / "broken.toml").write_text(
        'description = "names a package no repository has"\npackages = ["no-such-package"]\n'
        'size = "1 kB"\nupdate = "daily"\nrequires = ["app"]\n')
    try:
        code, _, err = build(capsys, project, "e2e-broken")
    finally:
        (project["root"] / "recipes" / "broken.toml").unlink()
    assert code == 1
    assert "broken" in err and "nothing was pushed" in err
    moving = registry.digest(f"docker://{project['host']}/test/desk:e2e", tls_verify=False)
    assert moving == project["v3_digest"]
    proc = run(["skopeo", "inspect", "--tls-verify=false",
                f"docker://{project['host']}/test/desk:e2e-broken"], check=False)
    assert proc.returncode != 0
    # the next run (recipe fixed) picks up the cache: every layer as before
    code, _, err = build(capsys, project, "e2e-v4")
    assert code == 0, err
    assert manifest_layers(f"{project['host']}/test/desk:e2e-v4") == \
        manifest_layers(f"{project['host']}/test/desk:e2e-v3")


def test_dry_run_prints_commands(capsys, project):
    code, out, _ = run_cli(capsys, "build", str(project["image"]), "--dry-run", "--push",
                           "--tag", "e2e-dry", "--workdir", str(project["work"]))
    assert code == 0
    assert "buildah build --layers --isolation chroot" in out
    assert "skopeo copy --preserve-digests" in out


def test_diff_counts_exactly_the_new_blobs(capsys, project, tmp_path):
    host = project["host"]
    old, new = f"{host}/test/desk:e2e-v1", f"{host}/test/desk:e2e-v3"
    code, out, err = run_cli(capsys, "diff", old, new, "--json", "--no-tls-verify")
    assert code == 0, err
    data = json.loads(out)
    old_m = json.loads(registry.raw_manifest(f"docker://{old}", False)[0])["layers"]
    new_m = json.loads(registry.raw_manifest(f"docker://{new}", False)[0])["layers"]
    have = {la["digest"] for la in old_m}
    expected = sum({la["digest"]: la["size"] for la in new_m if la["digest"] not in have}
                   .values())
    assert expected > 0 and data["download_bytes"] == expected
    assert data["removed_bytes"] == sum(la["size"] for la in old_m
                                        if la["digest"] not in {n["digest"] for n in new_m})
    changed = [la for la in data["layers"] if la["status"] == "new"]
    assert any("app" in la["recipes"] for la in changed)
    assert ["app-1.1-1 (was app-1.0-1)"] in [la["changed_packages"] for la in changed]
    assert data["predicted_bytes_per_update"] > 0
    # the same through OCI layout directories written by skopeo
    for tag in ("e2e-v1", "e2e-v3"):
        run(["skopeo", "copy", "--src-tls-verify=false", f"docker://{host}/test/desk:{tag}",
             f"oci:{tmp_path / 'layout'}:{tag}"])
    code, out, _ = run_cli(capsys, "diff", f"oci:{tmp_path / 'layout'}:e2e-v1",
                           f"oci:{tmp_path / 'layout'}:e2e-v3", "--json")
    assert code == 0 and json.loads(out)["download_bytes"] == expected
    # identical images cost nothing; gates fail with exit 1
    code, out, _ = run_cli(capsys, "diff", old, f"{host}/test/desk:e2e-v2", "--json",
                           "--no-tls-verify")
    assert json.loads(out)["download_bytes"] == 0
    code, _, err = run_cli(capsys, "diff", old, new, "--no-tls-verify", "--max-bytes", "1")
    assert code == 1 and "exceeds --max-bytes" in err
    code, out, _ = run_cli(capsys, "diff", old, new, "--no-tls-verify", "--markdown")
    assert code == 0 and out.startswith("### Update cost")


def test_diff_unknown_tag_is_one_clear_line(capsys, project):
    code, _, err = run_cli(capsys, "diff", f"{project['host']}/test/desk:e2e-v1",
                           f"{project['host']}/test/desk:nope", "--no-tls-verify")
    assert code == 2
    assert err.count("\n") == 1 and "test/desk:nope" in err and "no such tag" in err


def test_history_orders_tags_and_sums_steps(capsys, project):
    host = project["host"]
    code, out, err = run_cli(capsys, "history", f"{host}/test/desk", "--json",
                             "--no-tls-verify")
    assert code == 0, err
    data = json.loads(out)
    groups = [set(r["tags"]) for r in data["releases"]]
    # v1 and v2 share a digest; v3, v4 and the moving tag share another
    assert {"e2e-v1", "e2e-v2"} in groups
    assert {"e2e-v3", "e2e-v4", "e2e"} <= groups[-1]
    expected = run_cli(capsys, "diff", f"{host}/test/desk:e2e-v1", f"{host}/test/desk:e2e-v3",
                       "--json", "--no-tls-verify")[1]
    step = next(s for s in data["steps"] if s["to"] in groups[-1])
    assert step["download_bytes"] == json.loads(expected)["download_bytes"]
    changed = [c for c in data["churn"] if c["changes"]]
    assert changed and all("app" in c["recipes"] or not c["recipes"] for c in changed)
