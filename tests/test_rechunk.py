"""Re-chunked builds with the real world, measured with layerkit diff.

Builds happen in module-scoped fixtures, each asking for the one before it
(rc1 → rc2 → rc3 → rc4), so any test runs alone or in any order."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import stat

import pytest

from conftest import run_cli
from layerkit.config.plan_file import read_plan_json
from layerkit.oci.compressed import ZSTD, decompressed, file_kind
from layerkit.oci.layout import Layout
from layerkit.render.label import read_label
from layerkit.tools.buildah import Mounted
from layerkit.tools.run import run
from standin.rpms import RpmSpec, make_repo
from standin.world import write_project
from world_fixtures import own_repo

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(tmp_path_factory, standin, registry_fixture):
    repo, server = own_repo(tmp_path_factory, "rechunk-repo")  # this module bumps versions
    root = tmp_path_factory.mktemp("rechunk")
    image = write_project(root / "project", standin, server.url, registry_fixture.host, "rc",
                          repository="test/rechunk")
    yield {"root": root, "repo": repo, "image": image, "host": registry_fixture.host,
           "standin": standin, "name": f"{registry_fixture.host}/test/rechunk"}
    server.stop()


def build(w, tag):
    code, out, err = run_cli("build", w["image"], "--push", "--rechunk", "--tag", tag,
                             "--workdir", w["root"] / "work")
    assert code == 0, err
    return out


def diff(w, old, new):
    code, out, err = run_cli("diff", f"{w['name']}:{old}", f"{w['name']}:{new}", "--json",
                             "--no-tls-verify")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def rc1(world):
    build(world, "rc-1")


@pytest.fixture(scope="module")
def rc2(world, rc1):
    build(world, "rc-2")
    return diff(world, "rc-1", "rc-2")


@pytest.fixture(scope="module")
def rc3(world, rc2):
    """A build on a changed base."""
    ctr = run(["buildah", "from", "--pull=false", world["standin"]]).stdout.decode().strip()
    run(["buildah", "run", "--isolation", "chroot", ctr, "--", "sh", "-c",
         "echo v2 > /usr/share/base-release"])
    derived = "localhost/layerkit-standin-derived:rc"
    run(["buildah", "commit", "--timestamp", "0", ctr, derived])
    run(["buildah", "rm", ctr])
    text = world["image"].read_text()
    world["image"].write_text(text.replace(world["standin"], derived))
    try:
        build(world, "rc-3")
    finally:
        world["image"].write_text(text)
    return diff(world, "rc-2", "rc-3")


@pytest.fixture(scope="module")
def rc4(world, rc3):
    """tool-b bumped to 1.1."""
    make_repo([RpmSpec("tool-b", version="1.1", size=300_000)], world["repo"])
    build(world, "rc-4")
    return diff(world, "rc-2", "rc-4")


def changed_kinds(d) -> list[tuple[str, tuple]]:
    return [(la["kind"], tuple(la["recipes"])) for la in d["layers"] if la["status"] == "new"]


def test_unchanged_inputs_download_nothing(world, rc2):
    assert rc2["download_bytes"] == 0
    kinds = [la["kind"] for la in rc2["layers"]]
    assert kinds.count("packages") >= 2 and "volatile" in kinds and "rpmdb" in kinds
    # the label predicts with the model the image was made by: independent, 3 layers fewer
    plan = json.loads(run_cli("plan", world["image"], "--model", "independent", "--json",
                              "--max-layers", "5").out)
    assert rc2["predicted_bytes_per_update"] == plan["expected_bytes_per_update"]


def test_base_change_keeps_the_package_layers(rc3):
    kinds = {k for k, _ in changed_kinds(rc3)}
    assert "base" in kinds  # the new base layer
    assert kinds <= {"base", "volatile", "rpmdb"}  # not one package or config layer
    assert rc3["new"]["layers"] == rc3["old"]["layers"] + 1


def test_bumping_one_package_changes_its_layer_and_the_volatile_ones(rc4):
    changed = changed_kinds(rc4)
    packages = [r for k, r in changed if k == "packages"]
    assert packages == [("tools",)]
    assert {k for k, _ in changed} <= {"packages", "volatile", "rpmdb"}
    held = next(la for la in rc4["layers"] if la["status"] == "new" and la["kind"] == "packages")
    assert "tool-b" in held["packages"]
    # why the volatile layers changed: the rpm database, and the files that differ
    why = {la["kind"]: la["changed_files"] for la in rc4["layers"] if la["status"] == "new"}
    assert why["rpmdb"] == ["the rpm database (every package change rewrites it)"]
    assert why.get("volatile", ["x"]) and all(isinstance(p, str) for p in why.get("volatile", []))


def tree(root) -> dict[str, tuple]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            rel = os.path.relpath(path, root)
            content = None
            if stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    content = hashlib.sha256(f.read()).hexdigest()
            link = os.readlink(path) if stat.S_ISLNK(st.st_mode) else None
            xattrs = tuple(sorted(os.listxattr(path, follow_symlinks=False)))
            out[rel] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid,
                        st.st_gid, st.st_size if content else None, content, link, xattrs)
    return out


def test_rechunked_filesystem_equals_the_original(world, rc4):
    original = f"{world['name']}:rc-4"  # the local build, before re-chunking
    rechunked = "localhost/rechunked:rc-4"
    run(["skopeo", "copy", "--src-tls-verify=false", f"docker://{world['name']}:rc-4",
         f"containers-storage:{rechunked}"])
    with Mounted(original) as a, Mounted(rechunked) as b:
        left, right = tree(a), tree(b)
    assert left.keys() == right.keys()
    bad = [p for p in left if left[p] != right[p]]
    assert not bad, (bad[:5], [left[p] for p in bad[:2]], [right[p] for p in bad[:2]])


def test_standalone_rechunk_follows_a_plan_file(world, rc4, tmp_path):
    code, out, _ = run_cli("plan", world["image"], "--model", "independent", "--json",
                           "--max-layers", "3")
    assert code == 0
    plan = tmp_path / "plan.json"
    plan.write_text(out)
    code, out, err = run_cli("rechunk", f"{world['name']}:rc-4", f"oci:{tmp_path / 'layout'}:x",
                             "--plan", plan, "--workdir", tmp_path / "w")
    assert code == 0, err
    manifest, config = Layout(tmp_path / "layout").manifest()
    label = read_label(config["config"]["Labels"], "layout")
    # every plan layer whose packages are installed became one layer holding exactly them
    wanted = {la["index"]: set(la["packages"]) for la in read_plan_json(plan)["layers"]}
    got = {la.plan_index: set(la.packages) for la in label.package_layers()}
    assert got == {i: ps for i, ps in wanted.items() if ps}
    assert len(manifest["layers"]) == len(config["rootfs"]["diff_ids"])


def test_layer_compression_is_read_from_the_bytes(tmp_path):
    """skopeo can store a plain tar under a +gzip media type (an oci: export that accepts
    uncompressed layers): re-chunking goes by the blob's first bytes, and reads zstd
    layers with the decompressor the catalog uses for repository metadata."""
    plain, packed, zst = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    plain.write_bytes(b"bin\0" + bytes(508))
    packed.write_bytes(gzip.compress(b"x"))
    zst.write_bytes(ZSTD.compress(b"layer bytes"))
    assert [file_kind(p) for p in (plain, packed, zst)] == [None, "gzip", "zstd"]
    with open(zst, "rb") as f:
        assert decompressed(f, "c").read() == b"layer bytes"
