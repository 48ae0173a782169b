"""A repository's history for people: releases, steps, the cost to the newest, churn."""

from __future__ import annotations

from rich.table import Table

from ..config.sizes import human
from .console import console, safe


def print_history(data: dict) -> None:
    """`data`: the history JSON (schema 1, docs/commands.md#history)."""
    out = console()
    t = Table(title=safe(f"history of {data['repository']}"), title_justify="left")
    for col in ("tags", "created", "size", "layers", "download from previous"):
        t.add_column(col)
    steps = {s["to"]: s["download_bytes"] for s in data["steps"]}
    for r in data["releases"]:
        t.add_row(safe(", ".join(r["tags"])), safe(r["created"][:19]), human(r["size"]),
                  str(r["layers"]),
                  human(steps[r["tags"][0]]) if r["tags"][0] in steps else "-")
    out.print(t)
    for m in data["to_newest"]:
        out.print(safe(f"{m['from']} → {m['to']}: {human(m['download_bytes'])}"))
    hot = [c for c in data["churn"] if c["changes"]]
    if hot:
        out.print("churn (changes per layer of the newest image): " + safe(", ".join(
            f"{c['index']}{'(' + ','.join(c['recipes']) + ')' if c['recipes'] else ''}"
            f"×{c['changes']}" for c in hot)))
