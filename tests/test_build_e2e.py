"""End to end with real buildah, dnf, rpm, skopeo and a real registry.

Builds happen in module-scoped fixtures, each asking for the one before it
(first → rebuilt → bumped → recovered), so any test runs alone or in any order."""

from __future__ import annotations

import json

import pytest
from report_data import Page

from conftest import run_cli
from layerkit.tools import skopeo
from layerkit.tools.run import run
from standin.base import standin_tag
from standin.rpms import RpmSpec, make_repo
from standin.world import PACKAGES, write_project
from world_fixtures import own_repo

pytestmark = pytest.mark.integration


def manifest_layers(ref: str) -> list[str]:
    raw, _ = skopeo.raw_manifest(f"docker://{ref}", tls_verify=False)
    return [la["digest"] for la in json.loads(raw)["layers"]]


def rpm_q(image: str, packages: list[str]) -> str:
    ctr = run(["buildah", "from", "--pull=false", image]).stdout.decode().strip()
    try:
        return run(["buildah", "run", "--isolation", "chroot", ctr, "--", "rpm", "-q",
                    *packages], check=False).stdout.decode()
    finally:
        run(["buildah", "rm", ctr])


@pytest.fixture(scope="module")
def world(tmp_path_factory, standin, registry_fixture):
    repo, server = own_repo(tmp_path_factory, "e2e-repo")  # this module bumps versions
    make_repo([RpmSpec("by-url", size=50_000)], repo)  # installed by its URL
    root = tmp_path_factory.mktemp("project")
    url = f'{server.url}by-url-1.0-1.noarch.rpm'
    image = write_project(root, standin, server.url, registry_fixture.host, "e2e",
                          repository="test/e2e", extra_recipes={"byurl": (
                              f'description = "a package by URL"\nrpms = ["{url}"]\n'
                              'size = "50 kB"\nupdate = "yearly"\n')})
    yield {"image": image, "root": root, "host": registry_fixture.host, "repo": repo,
           "work": root / "work", "name": f"{registry_fixture.host}/test/e2e"}
    server.stop()


def build(world, tag, *extra):
    return run_cli("build", world["image"], "--push", "--tag", tag, "--workdir",
                   world["work"], *extra)


@pytest.fixture(scope="module")
def first(world):
    result = build(world, "e2e-v1")
    assert result.code == 0, result.err
    plan = json.loads(run_cli("plan", world["image"], "--json").out)
    return {"layers": manifest_layers(f"{world['name']}:e2e-v1"), "plan": plan,
            "moving": skopeo.digest(f"docker://{world['name']}:e2e", tls_verify=False),
            "out": result.out}


@pytest.fixture(scope="module")
def rebuilt(world, first):
    result = build(world, "e2e-v2")
    assert result.code == 0, result.err
    return manifest_layers(f"{world['name']}:e2e-v2")


@pytest.fixture(scope="module")
def bumped(world, rebuilt):
    make_repo([RpmSpec("app", version="1.1", size=200_000, requires=("tool-a",))],
              world["repo"])
    result = build(world, "e2e-v3")
    assert result.code == 0, result.err
    return {"layers": manifest_layers(f"{world['name']}:e2e-v3"),
            "moving": skopeo.digest(f"docker://{world['name']}:e2e", tls_verify=False)}


@pytest.fixture(scope="module")
def recovered(world, bumped):
    """A build that fails (a script in the top layer exits 3), then the fixed one."""
    broken = world["root"] / "recipes" / "broken.toml"
    broken.write_text('description = "fails at build time"\nscript = "exit 3"\n'
                      'requires = ["app"]\n')
    try:
        failed = build(world, "e2e-broken")
    finally:
        broken.unlink()
    moving = skopeo.digest(f"docker://{world['name']}:e2e", tls_verify=False)
    pushed = run(["skopeo", "inspect", "--tls-verify=false",
                  f"docker://{world['name']}:e2e-broken"], check=False).returncode == 0
    again = build(world, "e2e-v4")
    assert again.code == 0, again.err
    return {"failed": failed, "moving_after_failure": moving, "broken_pushed": pushed,
            "layers": manifest_layers(f"{world['name']}:e2e-v4")}


def test_build_push_and_tags(world, first):
    steps = [line for line in first["out"].splitlines() if line.startswith("step ")]
    # piped output: one line per buildah step, in order, with the time
    assert [line.split()[1] for line in steps] == [f"{i}/{len(steps)}"
                                                  for i in range(1, len(steps) + 1)]
    assert steps[1].startswith("step 2/") and steps[1].endswith("s)")
    pushed = skopeo.digest(f"docker://{world['name']}:e2e-v1", tls_verify=False)
    assert pushed == first["moving"]  # versioned and moving tag share one digest
    inspected = json.loads(run(["buildah", "inspect", "--type", "image", standin_tag()]).stdout)
    base_layers = len(inspected["OCIv1"]["rootfs"]["diff_ids"])
    # one layer per planned package layer, one for the config recipe
    assert len(first["layers"]) == base_layers + len(first["plan"]["layers"]) + 1
    assert len(first["plan"]["layers"]) >= 2
    installed = rpm_q(f"{world['name']}:e2e-v1", [p.name for p in PACKAGES] + ["by-url"])
    for name in [p.name for p in PACKAGES] + ["by-url"]:
        assert f"{name}-1.0-1.noarch" in installed


def test_rebuild_with_nothing_changed_keeps_every_layer(first, rebuilt):
    assert rebuilt == first["layers"]


def test_bumping_one_package_changes_only_its_layer_and_above(world, first, bumped):
    new, old, plan = bumped["layers"], first["layers"], first["plan"]
    where = next(la["index"] for la in plan["layers"] if "app" in la["packages"])
    base_layers = len(old) - len(plan["layers"]) - 1
    changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    assert changed and changed[0] == base_layers + where
    assert all(i >= base_layers + where for i in changed)
    assert "app-1.1-1.noarch" in rpm_q(f"{world['name']}:e2e-v3", ["app"])
    # every config (COPY) layer kept its digest, although a package layer below changed
    label = json.loads(run(["skopeo", "inspect", "--tls-verify=false", "--config",
                            f"docker://{world['name']}:e2e-v3"]).stdout)
    ours = json.loads(label["config"]["Labels"]["io.layerkit.plan"])["layers"]
    first_ours = len(new) - len(ours)
    copies = [first_ours + la["index"] for la in ours if la["kind"] == "files"]
    assert copies and all(old[i] == new[i] for i in copies)


def test_failed_build_pushes_nothing_and_keeps_the_moving_tag(bumped, recovered):
    failed = recovered["failed"]
    assert failed.code == 1
    assert "broken" in failed.err and "nothing was pushed" in failed.err
    assert recovered["moving_after_failure"] == bumped["moving"]
    assert not recovered["broken_pushed"]
    # the next run (recipe fixed) picks up the cache: every layer as before
    assert recovered["layers"] == bumped["layers"]


def test_dry_run_prints_commands(world):
    code, out, _ = run_cli("build", world["image"], "--dry-run", "--push", "--tag", "e2e-dry",
                           "--workdir", world["work"])
    assert code == 0
    assert "buildah build --layers --isolation chroot" in out
    assert "skopeo copy --preserve-digests" in out


def test_diff_counts_exactly_the_new_blobs(world, rebuilt, bumped, tmp_path):
    old, new = f"{world['name']}:e2e-v1", f"{world['name']}:e2e-v3"
    code, out, err = run_cli("diff", old, new, "--json", "--no-tls-verify")
    assert code == 0, err
    data = json.loads(out)
    old_m = json.loads(skopeo.raw_manifest(f"docker://{old}", False)[0])["layers"]
    new_m = json.loads(skopeo.raw_manifest(f"docker://{new}", False)[0])["layers"]
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
        run(["skopeo", "copy", "--src-tls-verify=false", f"docker://{world['name']}:{tag}",
             f"oci:{tmp_path / 'layout'}:{tag}"])
    code, out, _ = run_cli("diff", f"oci:{tmp_path / 'layout'}:e2e-v1",
                           f"oci:{tmp_path / 'layout'}:e2e-v3", "--json")
    assert code == 0 and json.loads(out)["download_bytes"] == expected
    # identical images cost nothing; gates fail with exit 1
    code, out, _ = run_cli("diff", old, f"{world['name']}:e2e-v2", "--json", "--no-tls-verify")
    assert json.loads(out)["download_bytes"] == 0
    code, _, err = run_cli("diff", old, new, "--no-tls-verify", "--max-bytes", "1")
    assert code == 1 and "exceeds --max-bytes" in err
    code, out, _ = run_cli("diff", old, new, "--no-tls-verify", "--markdown")
    assert code == 0 and out.startswith("### Update cost")


def test_diff_unknown_tag_is_one_clear_line(world, first):
    code, _, err = run_cli("diff", f"{world['name']}:e2e-v1", f"{world['name']}:nope",
                           "--no-tls-verify")
    assert code == 2
    assert err.count("\n") == 1 and "test/e2e:nope" in err and "no such tag" in err


def test_history_orders_tags_and_sums_steps(world, recovered):
    code, out, err = run_cli("history", world["name"], "--json", "--no-tls-verify")
    assert code == 0, err
    data = json.loads(out)
    groups = [set(r["tags"]) for r in data["releases"]]
    # v1 and v2 share a digest; v3, v4 and the moving tag share another (tags other tests
    # push from the same inputs join these groups)
    assert any({"e2e-v1", "e2e-v2"} <= g for g in groups)
    assert {"e2e-v3", "e2e-v4", "e2e"} <= groups[-1]
    expected = run_cli("diff", f"{world['name']}:e2e-v1", f"{world['name']}:e2e-v3", "--json",
                       "--no-tls-verify").out
    step = next(s for s in data["steps"] if s["to"] in groups[-1])
    assert step["download_bytes"] == json.loads(expected)["download_bytes"]
    changed = [c for c in data["churn"] if c["changes"]]
    assert changed and all("app" in c["recipes"] or not c["recipes"] for c in changed)


def test_a_package_no_repository_has_is_bad_input_before_buildah(world, first):
    (world["root"] / "recipes" / "missing.toml").write_text(
        'description = "names a package no repository has"\n'
        'packages = ["no-such-package"]\nsize = "1 kB"\nupdate = "daily"\n')
    try:
        result = build(world, "e2e-missing")
    finally:
        (world["root"] / "recipes" / "missing.toml").unlink()
    lines = result.err.splitlines()
    assert result.code == 2 and len(lines) == 1
    assert lines[0].startswith("error: recipes/missing.toml: packages: 'no-such-package': no "
                               "repository offers it")
    assert "step " not in result.out  # buildah never started


def test_versioned_tags_never_collide_nor_get_replaced(world, first):
    tags = []
    for _ in range(2):  # two builds in one minute, tags chosen by layerkit
        result = run_cli("build", world["image"], "--push", "--workdir", world["work"])
        assert result.code == 0, result.err
        tags.append(next(line.split(": ")[1] for line in result.out.splitlines()
                         if line.startswith("versioned tag: ")))
    assert tags[0] != tags[1] and all(t.startswith("e2e-") for t in tags)
    for tag in tags:  # both still there
        assert skopeo.exists(f"{world['name']}:{tag}", tls_verify=False)
    refused = build(world, "e2e-v1")  # an existing versioned tag is not replaced
    assert refused.code == 2 and "exists" in refused.err
    assert skopeo.digest(f"docker://{world['name']}:e2e-v1", False) == first["moving"]


def test_an_untracked_recipe_makes_the_tag_dirty(world, tmp_path):
    run(["git", "-C", world["root"], "init", "-q"])
    run(["git", "-C", world["root"], "-c", "user.name=t", "-c", "user.email=t@t", "add", "."])
    run(["git", "-C", world["root"], "-c", "user.name=t", "-c", "user.email=t@t", "commit",
         "-q", "-m", "project"])
    clean = run_cli("build", world["image"], "--dry-run", "--workdir", tmp_path)
    (world["root"] / "recipes" / "new.toml").write_text('description = "untracked"\n')
    try:
        dirty = run_cli("build", world["image"], "--dry-run", "--workdir", tmp_path)
    finally:
        (world["root"] / "recipes" / "new.toml").unlink()
        run(["rm", "-rf", world["root"] / ".git"])
    assert clean.code == 0 and dirty.code == 0, dirty.err
    assert "-dirty " not in clean.out and "-dirty " in dirty.out


def test_the_report_of_the_release_series_shows_every_release(world, recovered, tmp_path):
    out = tmp_path / "report.html"
    result = run_cli("report", world["name"], "-o", out, "--no-tls-verify")
    assert result.code == 0, result.err
    history = json.loads(run_cli("history", world["name"], "--json", "--no-tls-verify").out)
    page = Page(out.read_text())
    assert page.sections == ["history"]
    text = "".join(page.text)
    assert all(tag in text for r in history["releases"] for tag in r["tags"])
    assert {s["download_bytes"] for s in history["steps"]} <= set(page.values)
    assert {r["size"] for r in history["releases"]} <= set(page.values)
