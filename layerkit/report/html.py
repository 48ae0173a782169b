"""`layerkit report`: one self-contained HTML page (styles inline, charts as inline SVG,
no script, nothing fetched when viewed) of a plan, a release history and a diff."""

from __future__ import annotations

from ..config.sizes import human
from . import charts
from .svg import esc

STYLE = """body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0 16px;width:100%}
td,th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;white-space:nowrap}svg{display:block;margin:8px 0}
.k{color:#666}.new{font-weight:600}"""


def render(title: str, plan: dict | None = None, history: dict | None = None,
           steps: list[list[dict]] | None = None, diff: dict | None = None) -> str:
    """The page; each section only when its document is given. Same input, same bytes."""
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>",
             f"<h1>{esc(title)}</h1>"]
    if plan is not None:
        parts.append(_plan(plan))
    if history is not None:
        parts.append(_history(history, steps or [[] for _ in history["steps"]]))
    if diff is not None:
        parts.append(_diff(diff))
    parts.append("<p class=\"k\">made by layerkit; hover a shape for details</p></body></html>")
    return "\n".join(parts) + "\n"


def svgs(plan: dict | None = None, history: dict | None = None,
         steps: list[list[dict]] | None = None, diff: dict | None = None) -> dict[str, str]:
    """The charts alone, by file name (for release notes and READMEs)."""
    out = {}
    if plan is not None:
        out["plan.svg"] = charts.plan_chart(plan)
    if history is not None:
        out["history.svg"] = charts.history_chart(history, steps or [[] for _ in
                                                                       history["steps"]])
        out["churn.svg"] = charts.churn_chart(history)
    if diff is not None:
        out["diff.svg"] = charts.diff_chart(diff)
    return out


def _bytes(n: int | None) -> str:
    """A byte count for people, with the exact number kept for machines and tests."""
    return "-" if n is None else f'<data value="{n}">{human(n)}</data>'


def _table(head: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    th = "".join(f"<th{' class=n' if i in numeric else ''}>{esc(h)}</th>"
                 for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f"<td{' class=n' if i in numeric else ''}>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _plan(plan: dict) -> str:
    rows = [[str(la["index"]), esc(", ".join(la["recipes"]) or ", ".join(la["packages"][:8])),
             str(len(la["packages"])), _bytes(la["size"]), f"{la['changes_per_year']:.2f}",
             _bytes(la["expected_bytes_per_update"])] for la in plan["layers"]]
    return ("<section id=\"plan\"><h2>Plan</h2>"
            f"<p>{esc(plan['image'])}: {esc(plan['model'])} model, "
            f"{len(plan['layers'])} layers, expected download per update "
            f"<b>{_bytes(plan['expected_bytes_per_update'])}</b> (lower bound "
            f"{_bytes(plan['lower_bound_bytes_per_update'])}), image "
            f"{_bytes(plan['image_size'])}.</p>"
            + charts.plan_chart(plan) + charts.legend()
            + _table(["layer", "recipes / packages", "pkgs", "size", "changes/yr",
                      "bytes/update"], rows, {0, 2, 3, 4, 5}) + "</section>")


def _history(history: dict, steps: list[list[dict]]) -> str:
    by_to = {s["to"]: s["download_bytes"] for s in history["steps"]}
    rows = [[esc(", ".join(r["tags"])), esc(r["created"][:19]), _bytes(r["size"]),
             str(r["layers"]), _bytes(by_to.get(r["tags"][0]))] for r in history["releases"]]
    return ("<section id=\"history\"><h2>Release history</h2>"
            f"<p>{esc(history['repository'])}: {len(history['releases'])} releases.</p>"
            "<h3>Download per release</h3>" + charts.history_chart(history, steps)
            + charts.recipe_legend(steps)
            + "<h3>From each older release to the newest</h3>"
            + charts.to_newest_chart(history)
            + "<h3>Layer churn</h3>" + charts.churn_chart(history)
            + _table(["tags", "created", "size", "layers", "download from previous"], rows,
                     {2, 3, 4}) + "</section>")


def _diff(diff: dict) -> str:
    rows = [[str(la["index"]), f"<span class=\"{esc(la['status'])}\">{esc(la['status'])}</span>",
             _bytes(la["size"]), esc(", ".join(la["recipes"]) or la["kind"]),
             esc("; ".join(la["changed_packages"] + la.get("changed_files", [])[:5]))]
            for la in diff["layers"]]
    rows += [["-", "removed", _bytes(la["size"]), esc(", ".join(la["recipes"])), ""]
             for la in diff["removed_layers"]]
    return ("<section id=\"diff\"><h2>Update cost</h2>"
            f"<p>{esc(diff['old']['ref'])} → {esc(diff['new']['ref'])}: download "
            f"<b>{_bytes(diff['download_bytes'])}</b> of {_bytes(diff['new']['size'])}, reuse "
            f"{100 * diff['reuse_ratio']:.1f}%.</p>" + charts.diff_chart(diff)
            + _table(["layer", "status", "size", "recipes", "what changed"], rows, {0, 2})
            + "</section>")
