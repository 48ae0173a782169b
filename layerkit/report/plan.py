"""A plan for people: a table per layer, totals, placement notes and scripts."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.table import Table

from ..config.image import Model
from ..config.recipe import Recipe
from ..config.sizes import human
from ..planner.plan import Plan
from .console import console, safe
from .terminal import printable


def _names(items: tuple[str, ...], limit: int = 4) -> str:
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f", … (+{len(items) - limit})"


EVIDENCE_WORDS = (("history", "from history"), ("updateinfo", "from updateinfo"),
                  ("changelog", "from changelogs"), ("catalog", "from the catalog"),
                  ("estimate", "estimated"))


def evidence_line(counts: Mapping[str, int]) -> str:
    """"rates: 143 from history, 30 from changelogs, 2 estimated"."""
    parts = [f"{counts[k]} {words}" for k, words in EVIDENCE_WORDS if counts.get(k)]
    return "rates: " + ", ".join(parts) if parts else ""


def print_plan(plan: Plan, title: str, recipes: Mapping[str, Recipe] | None = None,
               copy_layers: tuple[str, ...] = (),
               evidence: Mapping[str, int] | None = None) -> None:
    out = console()
    total = plan.expected_bytes or 1.0
    t = Table(title=safe(title), title_justify="left")
    for col, just in (("layer", "right"), ("recipes / packages", "left"), ("pkgs", "right"),
                      ("size", "right"), ("changes/yr", "right"), ("bytes/update", "right"),
                      ("share", "right")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for layer in plan.layers:
        what = _names(layer.recipes) if layer.recipes else _names(layer.packages)
        t.add_row(str(layer.index), safe(what) or "-", str(len(layer.packages)), human(layer.size),
                  f"{layer.rate:.2f}", human(layer.expected_bytes),
                  f"{100 * layer.expected_bytes / total:.1f}%")
    for i, name in enumerate(copy_layers):
        t.add_row(str(len(plan.layers) + i), f"{name} (config files)", "0", "-", "-", "-", "-")
    out.print(t)
    cm = plan.cost_model
    out.print(f"model [bold]{cm.model.value}[/], cadence {cm.cadence_days:g} days"
              + (f", {human(cm.layer_overhead)} package-manager state per rebuilt layer"
                 if cm.model is Model.CONTAINERFILE else ""))
    out.print(f"image content {human(plan.size)} in {len(plan.layers)} package layers"
              f" (max {plan.max_layers})")
    if plan.objective == "history":
        out.print(f"objective: observed change history, mean over {plan.windows} updates")
    out.print(f"expected download per update [bold]{human(plan.expected_bytes)}[/]"
              f" (lower bound {human(plan.lower_bound)})")
    if evidence and evidence_line(evidence):
        out.print(evidence_line(evidence), markup=False)
    if recipes:
        _print_notes(out, recipes)


def _print_notes(out: Console, recipes: Mapping[str, Recipe]) -> None:
    for name in sorted(recipes):
        r = recipes[name]
        for f in r.files:
            if f.note:
                out.print(f"[yellow]note[/] recipes/{name}.toml: "
                          + safe(f"{f.requested_dest}: {f.note}"))
        if r.script:
            out.print(f"[bold red]script[/] recipes/{name}.toml runs a shell script at build:")
            for line in r.script.strip().splitlines():
                out.print(f"    {printable(line)}", markup=False)
