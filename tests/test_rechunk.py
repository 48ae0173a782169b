"""Re-chunked builds with the real rig, measured with layerkit diff."""

from __future__ import annotations

import hashlib
import json
import os
import stat

import pytest

from conftest import run_cli
from layerkit import rig
from layerkit.buildah import Mounted
from layerkit.run import run

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(tmp_path_factory, standin, registry_fixture):
    root = tmp_path_factory.mktemp("rechunk")
    repo = root / "repo"
    rig.make_repo(rig.PACKAGES, repo)
    server = rig.RepoServer(repo)
    image = rig.write_project(root / "project", standin, server.url, registry_fixture.host, "rc")
    yield {"root": root, "repo": repo, "image": image, "host": registry_fixture.host,
           "standin": standin}
    server.stop()


def build(capsys, w, tag):
    code, out, err = run_cli(capsys, "build", str(w["image"]), "--push", "--rechunk", "--tag",
                             tag, "--workdir", str(w["root"] / "work"))
    assert code == 0, err
    return out


def diff(capsys, w, old, new):
    code, out, err = run_cli(capsys, "diff", f"{w['host']}/test/desk:{old}",
                             f"{w['host']}/test/desk:{new}", "--json", "--no-tls-verify")
    assert code == 0, err
    return json.loads(out)


def changed_kinds(d) -> list[tuple[str, tuple]]:
    return [(la["kind"], tuple(la["recipes"])) for la in d["layers"] if la["status"] == "new"]


def test_unchanged_inputs_download_nothing(capsys, world):
    build(capsys, world, "rc-1")
    build(capsys, world, "rc-2")
    d = diff(capsys, world, "rc-1", "rc-2")
    assert d["download_bytes"] == 0
    kinds = [la["kind"] for la in d["layers"]]
    assert kinds.count("packages") >= 2 and "volatile" in kinds and "rpmdb" in kinds


def test_base_change_keeps_the_package_layers(capsys, world):
    ctr = run(["buildah", "from", "--pull=false", world["standin"]]).stdout.decode().strip()
    run(["buildah", "run", "--isolation", "chroot", ctr, "--", "sh", "-c",
         "echo v2 > /usr/share/base-release"])
    derived = "localhost/layerkit-standin-derived:rc"
    run(["buildah", "commit", "--timestamp", "0", ctr, derived])
    run(["buildah", "rm", ctr])
    text = world["image"].read_text()
    world["image"].write_text(text.replace(world["standin"], derived))
    try:
        build(capsys, world, "rc-3")
    finally:
        world["image"].write_text(text)
    d = diff(capsys, world, "rc-2", "rc-3")
    kinds = {k for k, _ in changed_kinds(d)}
    assert "base" in kinds  # the new base layer
    assert kinds <= {"base", "volatile", "rpmdb"}  # not one package or config layer
    assert d["new"]["layers"] == d["old"]["layers"] + 1


def test_bumping_one_package_changes_its_layer_and_the_volatile_ones(capsys, world):
    rig.make_repo([rig.RpmSpec("tool-b", version="1.1", size=300_000)], world["repo"])
    build(capsys, world, "rc-4")
    d = diff(capsys, world, "rc-2", "rc-4")
    changed = changed_kinds(d)
    packages = [r for k, r in changed if k == "packages"]
    assert packages == [("tools",)]
    assert {k for k, _ in changed} <= {"packages", "volatile", "rpmdb"}
    held = next(la for la in d["layers"] if la["status"] == "new" and la["kind"] == "packages")
    assert "tool-b" in held["packages"]


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


def test_rechunked_filesystem_equals_the_original(capsys, world):
    host = world["host"]
    original = f"{host}/test/desk:rc-4"  # the local build, before re-chunking
    rechunked = "localhost/rechunked:rc-4"
    run(["skopeo", "copy", "--src-tls-verify=false", f"docker://{host}/test/desk:rc-4",
         f"containers-storage:{rechunked}"])
    with Mounted(original) as a, Mounted(rechunked) as b:
        left, right = tree(a), tree(b)
    assert left.keys() == right.keys()
    bad = [p for p in left if left[p] != right[p]]
    assert not bad, (bad[:5], [left[p] for p in bad[:2]], [right[p] for p in bad[:2]])


def test_standalone_rechunk_with_a_plan_file(capsys, world, tmp_path):
    code, out, _ = run_cli(capsys, "plan", str(world["image"]), "--model", "independent",
                           "--json")
    assert code == 0
    plan = tmp_path / "plan.json"
    plan.write_text(out)
    code, out, err = run_cli(capsys, "rechunk", f"{world['host']}/test/desk:rc-4",
                             f"oci:{tmp_path / 'layout'}:x", "--plan", str(plan),
                             "--workdir", str(tmp_path / "w"))
    assert code == 0, err
    assert "the check passed" in out
