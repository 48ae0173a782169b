"""A plan for people: a table per layer, totals, placement notes and scripts."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.table import Table

from ..config.image import Model
from ..config.recipe import Recipe
from ..config.sizes import human
from ..planner.explain import LayerWhy, explain
from ..planner.layers import Plan
from .console import console, safe
from .terminal import printable


def _names(items: tuple[str, ...], limit: int = 12) -> str:
    """Recipes are all named (the column wraps); a layer of many packages names some."""
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f", … ({len(items) - limit} more)"


def _why(why: LayerWhy | None, plan: Plan) -> str:
    """Why the layer stands apart from the next, and why it is not split."""
    if why is None:
        return ""
    parts = []
    if why.merge_above is not None:
        parts.append(f"apart: merging with {why.index + 1} costs {human(why.merge_above)}"
                     if why.merge_above >= 0 else
                     f"merging with {why.index + 1} saves {human(-why.merge_above)}")
    if why.split is not None:
        parts.append(f"together: splitting costs {human(why.split)}" if why.split >= 0 else
                     f"the {plan.max_layers}-layer budget binds: splitting saves "
                     f"{human(-why.split)}")
    return "; ".join(parts)


EVIDENCE_WORDS = (("history", "from history"), ("updateinfo", "from updateinfo"),
                  ("changelog", "from changelogs"), ("catalog", "from the catalog"),
                  ("estimate", "estimated"))


def evidence_line(counts: Mapping[str, int]) -> str:
    """"rates: 143 from history, 30 from changelogs, 2 estimated"."""
    parts = [f"{counts[k]} {words}" for k, words in EVIDENCE_WORDS if counts.get(k)]
    return "rates: " + ", ".join(parts) if parts else ""


def print_plan(plan: Plan, title: str, recipes: Mapping[str, Recipe] | None = None,
               copy_layers: tuple[str, ...] = (), rechunked: Plan | None = None,
               evidence: Mapping[str, int] | None = None) -> None:
    """rechunked: the independent plan `build --rechunk` would use, shown beside;
    evidence: where the rates come from (counts by kind)."""
    out = console()
    total = plan.expected_bytes or 1.0
    whys = {w.index: w for w in explain(plan)}
    t = Table(title=safe(title), title_justify="left")
    for col, just in (("layer", "right"), ("recipes / packages", "left"), ("pkgs", "right"),
                      ("size", "right"), ("changes/yr", "right"), ("bytes/update", "right"),
                      ("share", "right"), ("why (per update)", "left")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for layer in plan.layers:
        what = ", ".join(layer.recipes) if layer.recipes else _names(layer.packages)
        t.add_row(str(layer.index), safe(what) or "-", str(len(layer.packages)), human(layer.size),
                  f"{layer.rate:.2f}", human(layer.expected_bytes),
                  f"{100 * layer.expected_bytes / total:.1f}%", _why(whys.get(layer.index), plan))
    for i, name in enumerate(copy_layers):
        t.add_row(str(len(plan.layers) + i), f"{name} (config files)", "0", "-", "-", "-", "-",
                  "")
    out.print(t)
    cm = plan.cost_model
    out.print(f"model [bold]{cm.model.value}[/], cadence {cm.cadence_days:g} days"
              + (f", {human(cm.layer_overhead)} package-manager state (rpmdb, dnf history) "
                 "in every rebuilt RUN layer: why layers are few"
                 if cm.model is Model.CONTAINERFILE else ""))
    n = len(plan.layers)
    out.print(f"image content {human(plan.size)} in {n} package layer{'s' * (n != 1)}"
              f" (max {plan.max_layers})")
    if plan.objective == "history":
        out.print(f"objective: observed change history, mean over {plan.windows} updates")
    out.print(f"expected download per update [bold]{human(plan.expected_bytes)}[/]"
              f" (lower bound {human(plan.lower_bound)})")
    if rechunked is not None:
        out.print(f"re-chunked (build --rechunk): [bold]{human(rechunked.expected_bytes)}[/] "
                  f"per update in {len(rechunked.layers)} content-addressed layers, plus the "
                  "rpmdb and volatile layers; no package-manager state per layer, so the "
                  "overhead trade-off above disappears")
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
