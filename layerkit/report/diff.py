"""`layerkit diff` output: a rich table, markdown for release notes, and gates."""

from __future__ import annotations

from rich.table import Table

from ..config.sizes import human
from ..oci.diff import Diff
from .console import console, safe


def _what(recipes, packages, kind: str = "base") -> str:
    if recipes:
        return safe(", ".join(recipes))
    if packages:
        return safe(", ".join(packages[:3]))
    return {"volatile": "volatile (/etc, state, deletions)", "rpmdb": "rpm database",
            "version": "image version"}.get(str(kind), str(kind))


def print_diff(d: Diff) -> None:
    out = console()
    t = Table(title=safe(f"{d.old.ref} → {d.new.ref}"), title_justify="left")
    for col, just in (("layer", "right"), ("digest", "left"), ("size", "right"),
                      ("status", "left"), ("recipes", "left")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for i, la in enumerate(d.new.layers):
        status = d.status(la)
        style = "bold" if status == "new" else "dim"
        why = d.package_changes(la) + d.file_changes(la)
        t.add_row(str(i), la.digest.removeprefix("sha256:")[:12], human(la.size),
                  f"[{style}]{status}[/]", _what(la.recipes, la.packages, la.kind)
                  + (f" [dim]({safe('; '.join(why[:3]))})[/]" if why else ""))
    keep = {la.digest for la in d.new.layers}
    for la in d.old.layers:
        if la.digest not in keep:
            t.add_row("-", la.digest.removeprefix("sha256:")[:12], human(la.size),
                      "[red]removed[/]", _what(la.recipes, la.packages, la.kind))
    out.print(t)
    j = d.to_json()
    out.print(f"download [bold]{human(d.download)}[/] of {human(d.new_size)} "
              f"({100 * j['download_ratio']:.1f}%), reuse {100 * j['reuse_ratio']:.1f}%, "
              f"no longer needed {human(d.removed)}; layers {len(d.old.layers)} → "
              f"{len(d.new.layers)}")
    if j["predicted_bytes_per_update"] is not None:
        out.print(f"plan predicted {human(j['predicted_bytes_per_update'])} per update "
                  f"at its cadence; measured {human(d.download)} for this update")


def markdown(d: Diff) -> str:
    j = d.to_json()
    lines = [f"### Update cost: `{d.old.ref}` → `{d.new.ref}`", "",
             f"**Download: {human(d.download)}** of {human(d.new_size)} "
             f"({100 * j['download_ratio']:.1f}%), {len(d.new.layers)} layers.", "",
             "| layer | size | status | recipes |", "|---:|---:|---|---|"]
    for row in j["layers"]:
        if row["status"] != "kept":
            lines.append(f"| {row['index']} | {human(row['size'])} | {row['status']} | "
                         f"{_what(row['recipes'], row['packages'], row['kind'])} |")
    return "\n".join(lines) + "\n"
