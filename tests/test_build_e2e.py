"""End to end with real buildah, dnf, rpm, skopeo and a real registry."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from layerkit import buildah, registry, rig
from layerkit.run import run
from rig_fixtures import PACKAGES, write_project

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


def test_dry_run_prints_commands(capsys, project):
    code, out, _ = run_cli(capsys, "build", str(project["image"]), "--dry-run", "--push",
                           "--tag", "e2e-dry", "--workdir", str(project["work"]))
    assert code == 0
    assert "buildah build --layers --isolation chroot" in out
    assert "skopeo copy --preserve-digests" in out
