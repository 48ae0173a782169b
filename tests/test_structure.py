"""The tree reads as the pipeline: stages import only downward, planning runs nothing,
one subprocess wrapper, modules stay small (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from layerkit.cli import COMMANDS, cli

PACKAGE = Path(__file__).resolve().parent.parent / "layerkit"
# the pipeline's stages, in the order data flows; a module may import its own stage and
# the ones before it, never a later one
STAGES = ["errors", "config", "planner", "render", "tools", "oci", "catalog", "engine", "report",
          "cli"]
# what the planner may read of the config stage: the frozen types, not the file readers
CONFIG_TYPES = {"layerkit.config.recipe", "layerkit.config.image", "layerkit.config.catalog"}
MAX_LINES = 300


def stage(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "errors"
    if top in ("__init__", "__main__"):
        return 0 if top == "__init__" else len(STAGES)
    return STAGES.index(top)


def imports(module: str, source: str) -> list[str]:
    """Every layerkit module (or package) `source` imports, absolute names."""
    out = []
    package = module.rsplit(".", 1)[0] if not module.endswith("__init__") else \
        module.removesuffix(".__init__")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name.startswith("layerkit")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("layerkit"):
                continue
            # `from .x import y` may name a module y of package x
            names = [f"{target}.{a.name}" for a in node.names]
            out += [n for n in names if _is_module(n)] or [target]
    return out


def _is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").exists() or (PACKAGE / rel).is_dir()


def violations(module: str, source: str) -> list[str]:
    out = []
    for target in imports(module, source):
        if stage(target) > stage(module):
            out.append(f"{module} imports {target}: a later stage")
        if module.startswith("layerkit.planner") and target.startswith("layerkit.config") \
                and target not in CONFIG_TYPES:
            out.append(f"{module} imports {target}: the planner reads config types only")
    tree = ast.parse(source)
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    if "subprocess" in names and module != "layerkit.tools.run":
        out.append(f"{module} imports subprocess: run programs through layerkit.tools.run")
    if module.startswith(("layerkit.config", "layerkit.planner", "layerkit.render")) and \
            names & {"subprocess", "shutil", "layerkit.tools"}:
        out.append(f"{module}: config, planning and rendering run nothing")
    return out


def modules() -> list[tuple[str, Path]]:
    return sorted(("layerkit." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts), p)
                  for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("module,path", modules(), ids=[m for m, _ in modules()])
def test_imports_run_downward_only(module, path):
    assert violations(module, path.read_text()) == []


def test_an_upward_import_is_caught():
    assert violations("layerkit.planner.plan", "from ..engine.build import build_image\n") == [
        "layerkit.planner.plan imports layerkit.engine.build: a later stage"]
    assert violations("layerkit.planner.plan", "from ..config import load\n") == [
        "layerkit.planner.plan imports layerkit.config.load: the planner reads config "
        "types only"]
    assert violations("layerkit.engine.build", "from ..report.console import console\n") \
        == ["layerkit.engine.build imports layerkit.report.console: a later stage"]
    assert violations("layerkit.oci.diff", "import subprocess\n") == [
        "layerkit.oci.diff imports subprocess: run programs through layerkit.tools.run"]


def test_modules_stay_small():
    big = {m: n for m, p in modules() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert big == {}


def test_the_command_registry_matches_the_commands():
    for name, (_, _, short) in COMMANDS.items():
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and command.name == name
        assert command.get_short_help_str(limit=200) == short
