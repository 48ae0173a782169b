"""The delivery pipeline: workflow (actionlint), base mirror (real registry), rebase."""

from __future__ import annotations

import os
import shutil
import textwrap

import pytest
import yaml

from conftest import run_cli
from layerkit import __version__
from layerkit.tools import skopeo
from layerkit.tools.run import run


def actionlint(path) -> str:
    assert shutil.which("actionlint"), "actionlint comes with the test extras"
    proc = run(["actionlint", "-no-color", path], check=False)
    out = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 0, out
    return out


def test_example_workflow_passes_actionlint(example, monkeypatch):
    monkeypatch.chdir(example)  # the workflow names the image file relative to the checkout
    out_dir = example / ".github/workflows"
    code, _, err = run_cli("ci", "github", "images/kinoite-desktop.toml", "-o", str(out_dir))
    assert code == 0, err
    wf = out_dir / "layerkit-kinoite-desktop.yml"
    actionlint(wf)
    data = yaml.safe_load(wf.read_text())
    triggers = data["on"] if "on" in data else data[True]
    assert set(triggers) == {"schedule", "workflow_dispatch", "push"}
    assert triggers["schedule"] == [{"cron": "0 4 * * *"}]
    assert data["jobs"]["content"]["needs"] == "base"
    runs = "\n".join(s.get("run", "") for s in data["jobs"]["content"]["steps"])
    assert "layerkit build" in runs and "--push" in runs and "--cache-from" in runs
    # the release that generated the workflow, from the package index
    assert f"pip install layerkit=={__version__}\n" in runs and "pip install ." not in runs
    build = next(s for s in data["jobs"]["content"]["steps"] if s.get("name") == "Build and push")
    assert build["env"]["IMAGE"] == "images/kinoite-desktop.toml"
    assert any("layerkit base" in s.get("run", "") for s in data["jobs"]["base"]["steps"])
    assert data["concurrency"]["group"] == "layerkit-kinoite-desktop"


@pytest.mark.parametrize("variant", ["treefile", "signed"])
def test_workflow_variants_pass_actionlint(tree, variant, monkeypatch):
    monkeypatch.chdir(tree.root)
    tree.recipe("a", 'description = "x"\npackages = ["vim"]\nsize = 1\nupdate = "weekly"\n')
    extra = ('[base_source]\ntreefile = "fedora-kinoite.yaml"\n' if variant == "treefile"
             else '[ci]\nsign = true\nbootc = true\n')
    (tree.root / "images/fedora-kinoite.yaml").write_text("ref: fedora/kinoite\n")
    image = tree.image('registry = "ghcr.io"\nrepository = "me/os"\nstream = "42"\n' + extra)
    code, _, err = run_cli("ci", "github", str(image), "-o", str(tree.root / "wf"))
    assert code == 0, err
    actionlint(tree.root / "wf" / "layerkit-test.yml")
    if variant == "signed":
        code, out, _ = run_cli("rebase", str(image))
        assert out.splitlines() == [
            "rpm-ostree rebase ostree-unverified-registry:ghcr.io/me/os:42",
            "rpm-ostree rebase ostree-image-signed:docker://ghcr.io/me/os:42   # once the "
            "machine's /etc/containers/policy.json trusts your cosign key",
            "bootc switch ghcr.io/me/os:42"]


def test_bad_ci_settings(tree, monkeypatch):
    monkeypatch.chdir(tree.root)
    tree.recipe("a", 'description = "x"\npackages = ["vim"]\nsize = 1\nupdate = "weekly"\n')
    image = tree.image('[base_source]\nupstream = "quay.io/a/b:1"\nschedule = "every day"\n'
                       '[ci]\nuser_secret = "lower; rm"\n')
    code, _, err = run_cli("ci", "github", str(image), "-o", str(tree.root / "wf"))
    assert code == 2
    assert "base_source.schedule: 'every day' is not a five-field cron" in err
    assert "ci.user_secret: 'lower; rm' is not a secret name" in err
    assert not (tree.root / "wf").exists()


def test_several_images_build_in_a_matrix_after_one_base_job(tree, monkeypatch):
    monkeypatch.chdir(tree.root)
    tree.recipe("a", 'description = "x"\npackages = ["vim"]\nsize = 1\nupdate = "weekly"\n')
    base = '[base_source]\nupstream = "quay.io/fedora-ostree-desktops/kinoite:42"\n'
    images = [tree.image(f'registry = "ghcr.io"\nrepository = "me/{n}"\n' + base, name=n)
              for n in ("desk", "laptop")]
    code, _, err = run_cli("ci", "github", *images, "-o", tree.root / "wf")
    assert code == 0, err
    actionlint(tree.root / "wf" / "layerkit.yml")
    data = yaml.safe_load((tree.root / "wf" / "layerkit.yml").read_text())
    rows = data["jobs"]["content"]["strategy"]["matrix"]["include"]
    assert [r["image"] for r in rows] == ["images/desk.toml", "images/laptop.toml"]
    assert data["jobs"]["content"]["needs"] == "base"
    bases = [s for s in data["jobs"]["base"]["steps"] if "layerkit base" in s.get("run", "")]
    assert len(bases) == 1  # one base, mirrored once


def test_a_missing_treefile_is_found_at_generation(tree, monkeypatch):
    monkeypatch.chdir(tree.root)
    tree.recipe("a", 'description = "x"\npackages = ["vim"]\nsize = 1\nupdate = "weekly"\n')
    image = tree.image('[base_source]\ntreefile = "missing.yaml"\n')
    code, _, err = run_cli("ci", "github", image, "-o", tree.root / "wf")
    assert code == 2 and "base_source.treefile" in err and "is not a file" in err


@pytest.mark.integration
def test_base_mirror_through_the_local_registry(tree, standin, registry_fixture):
    host = registry_fixture.host
    run(["skopeo", "copy", "--dest-tls-verify=false", f"containers-storage:{standin}",
         f"docker://{host}/upstream/kinoite:42"])
    tree.recipe("a", 'description = "x"\npackages = ["vim"]\nsize = 1\nupdate = "weekly"\n')
    image = tree.image(textwrap.dedent(f"""\
        tls_verify = false
        [base_source]
        upstream = "{host}/upstream/kinoite:42"
        """)).read_text().replace('base = "localhost/standin:latest"',
                                  f'base = "{host}/mine/kinoite-base:42"')
    (tree.root / "images/test.toml").write_text(image)
    code, out, err = run_cli("base", str(tree.root / "images/test.toml"), "--tag",
                             "42-2026-11-27T2000-abc")
    assert code == 0, err
    versioned = skopeo.digest(f"docker://{host}/mine/kinoite-base:42-2026-11-27T2000-abc",
                                False)
    moving = skopeo.digest(f"docker://{host}/mine/kinoite-base:42", False)
    upstream = skopeo.digest(f"docker://{host}/upstream/kinoite:42", False)
    assert versioned == moving == upstream


@pytest.mark.integration
def test_base_build_calls_rpm_ostree(tree, standin, registry_fixture, tmp_path):
    """rpm-ostree cannot be installed on Debian: a stand-in executable on PATH records its
    argv and pushes the rig's stand-in base to the requested ref, so the rest runs for real."""
    host = registry_fixture.host
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "rpm-ostree.argv"
    stub = bindir / "rpm-ostree"
    stub.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        # STAND-IN for rpm-ostree (not installable here): records argv, pushes the stand-in base
        printf '%s\\n' "$@" > {log}
        for last; do :; done
        exec skopeo copy --dest-tls-verify=false containers-storage:{standin} "docker://$last"
        """))
    stub.chmod(0o755)
    (tree.root / "images/fedora-kinoite.yaml").write_text("ref: fedora/kinoite\n")
    tree.recipe("a", 'description = "x"\npackages = ["vim"]\nsize = 1\nupdate = "weekly"\n')
    text = tree.image('tls_verify = false\n[base_source]\ntreefile = "fedora-kinoite.yaml"\n') \
        .read_text().replace('base = "localhost/standin:latest"',
                             f'base = "{host}/built/kinoite:rawhide"')
    (tree.root / "images/test.toml").write_text(text)
    old = os.environ["PATH"]
    os.environ["PATH"] = f"{bindir}:{old}"
    try:
        code, _, err = run_cli("base", str(tree.root / "images/test.toml"), "--tag",
                               "rawhide-2026-11-27T2000-abc")
    finally:
        os.environ["PATH"] = old
    assert code == 0, err
    assert log.read_text().splitlines() == [
        "compose", "image", "--initialize", "--format", "registry",
        str(tree.root / "images/fedora-kinoite.yaml"),
        f"{host}/built/kinoite:rawhide-2026-11-27T2000-abc"]
    assert skopeo.digest(f"docker://{host}/built/kinoite:rawhide", False) == \
        skopeo.digest(f"docker://{host}/built/kinoite:rawhide-2026-11-27T2000-abc", False)
