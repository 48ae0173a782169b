"""Each command path imports only what it uses (docs/latency.md): `--help` and bad input
load neither numpy nor rich, `--json` never loads rich, and the planner's graphs need
no networkx. Checked in a fresh interpreter, where nothing else has imported them."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys

import pytest

import layerkit.cli as cli
from conftest import DATASETS, ROOT

HEAVY = ("numpy", "networkx", "rich", "yaml", "tarfile", "layerkit.planner.plan")
PROBE = """
import json, sys
from layerkit.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy} if m in sys.modules)), file=sys.__stderr__)
"""


def loaded(*argv: str, cwd=ROOT) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *argv],
                          cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    return json.loads(proc.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("argv", [["--help"], ["plan", "--help"], ["diff", "--help"],
                                  ["plan", "images/missing.toml"],
                                  ["build", "images/missing.toml"],
                                  ["plan", "--all"],
                                  ["lint", "images/kinoite-desktop.toml", "--json"]])
def test_help_and_bad_input_load_nothing_heavy(argv):
    assert loaded(*argv) == []


def test_plan_json_loads_numpy_only():
    assert loaded("plan", "--catalog", str(DATASETS / "devtools.json"), "--all",
                  "--max-layers", "8", "--json") == ["layerkit.planner.plan", "numpy"]
    assert loaded("plan", "images/kinoite-desktop.toml", "--json") == \
        ["layerkit.planner.plan", "numpy"]


def test_plan_table_loads_rich():
    assert loaded("plan", "images/kinoite-desktop.toml") == \
        ["layerkit.planner.plan", "numpy", "rich"]


def test_every_later_name_a_command_uses_exists():
    """A `Later` module is imported only on the path that uses it: check every
    `LATER.name` the command modules use here, once, rather than on that path."""
    later = {n: v for n, v in vars(cli).items() if isinstance(v, cli.Later)}
    used = set()
    for path in (ROOT / "layerkit" / "cli").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in later:
                used.add((node.value.id, node.attr))
    assert {name for name, _ in used} == set(later)  # and none registered in vain
    for name, attr in sorted(used):
        assert hasattr(importlib.import_module(later[name]._module), attr), f"{name}.{attr}"
