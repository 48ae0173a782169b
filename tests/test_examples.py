"""The worked example (examples/my-ostree-config) plans, lints and makes a workflow."""

from __future__ import annotations

import json
import shutil

from conftest import ROOT, run_cli
from layerkit.tools.run import run


def test_the_articles_setup_as_recipes(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "examples/my-ostree-config", tmp_path / "ex")
    monkeypatch.chdir(tmp_path / "ex")
    plan = run_cli("plan", "images/desktop.toml", "--json")
    assert plan.code == 0, plan.err
    packages = {p for la in json.loads(plan.out)["layers"] for p in la["packages"]}
    assert {"ffmpeg", "docker-ce", "zsh", "qemu-kvm"} <= packages
    lint = run_cli("lint", "images/desktop.toml", "--json")
    assert lint.code == 0 and json.loads(lint.out)["errors"] == 0
    wf = run_cli("ci", "github", "images/desktop.toml", "-o", "wf")
    assert wf.code == 0, wf.err
    proc = run(["actionlint", "-no-color", "wf/layerkit-desktop.yml"], check=False)
    assert proc.returncode == 0, (proc.stdout + proc.stderr).decode()
    ctx = run_cli("generate", "images/desktop.toml", "-o", "ctx")
    assert ctx.code == 0, ctx.err
    containerfile = (tmp_path / "ex/ctx/Containerfile").read_text()
    assert "rpmfusion-free-release-\"$VERSION_ID\".noarch.rpm" in containerfile
