"""Outputs that must not change by accident: every plan of the shared catalogs
(digests of the JSON), and what each command prints for the example image. The files in
tests/golden/ were made by the code before the restructure; update them only with a
change that means to alter an output, and say so in its commit."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import DATASETS, run_cli

GOLDEN = Path(__file__).resolve().parent / "golden"
PLANS = json.loads((GOLDEN / "catalog_plans.json").read_text())


@pytest.mark.parametrize("name", sorted(PLANS))
def test_catalog_plans_are_byte_identical(name, monkeypatch):
    want = PLANS[name]
    monkeypatch.chdir(DATASETS)  # the JSON names the catalog as given
    result = run_cli(*want["argv"])
    assert result.code == 0, result.err
    got = json.loads(result.out)
    assert (got["expected_bytes_per_update"], len(got["layers"])) == \
        (want["expected_bytes_per_update"], want["layers"])
    assert hashlib.sha256(result.out.encode()).hexdigest() == want["sha256"]


EXAMPLE = {
    "plan.json": ["plan", "images/kinoite-desktop.toml", "--json"],
    "plan-independent.json": ["plan", "images/kinoite-desktop.toml", "--json", "--model",
                              "independent"],
    "plan.txt": ["plan", "images/kinoite-desktop.toml"],
    "lint.json": ["lint", "images/kinoite-desktop.toml", "--json"],
    "rebase.txt": ["rebase", "images/kinoite-desktop.toml"],
}


@pytest.mark.parametrize("name", sorted(EXAMPLE))
def test_example_outputs_are_unchanged(name, example, monkeypatch):
    monkeypatch.chdir(example)
    result = run_cli(*EXAMPLE[name])
    assert result.code == 0, result.err
    assert result.out == (GOLDEN / "example" / name).read_text()


def test_example_context_and_workflow_are_unchanged(example, monkeypatch):
    monkeypatch.chdir(example)
    assert run_cli("generate", "images/kinoite-desktop.toml", "-o", "ctx").code == 0
    assert (example / "ctx/Containerfile").read_text() == \
        (GOLDEN / "example/Containerfile").read_text()
    ctx = example / "ctx"
    files = sorted(str(p.relative_to(ctx)) for p in ctx.rglob("*") if p.is_file()
                   and p.name not in ("Containerfile", ".layerkit-context"))
    listing = "".join(f"{hashlib.sha256((ctx / f).read_bytes()).hexdigest()}  {f}\n"
                      for f in files)
    assert listing == (GOLDEN / "example/context-files.txt").read_text()
    assert run_cli("ci", "github", "images/kinoite-desktop.toml", "-o", "wf").code == 0
    assert (example / "wf/layerkit-kinoite-desktop.yml").read_text() == \
        (GOLDEN / "example/workflow.yml").read_text()
