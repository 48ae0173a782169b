"""The report's charts as inline SVG, from the JSON documents `plan`, `history` and
`diff` print (schema 1) — the same numbers, drawn."""

from __future__ import annotations

from ..config.sizes import human
from .svg import Svg, name_colour, rate_colour

WIDTH = 960


def plan_chart(plan: dict) -> str:
    """Layers side by side: width = size, colour = changes per year."""
    layers = plan["layers"]
    total = sum(la["size"] for la in layers) or 1
    svg = Svg(WIDTH, 86, "layers: width is size, colour is change rate")
    x = 0.0
    for la in layers:
        w = WIDTH * la["size"] / total
        what = ", ".join(la["recipes"]) or ", ".join(la["packages"][:8])
        svg.rect(x, 0, w, 60, rate_colour(la["changes_per_year"]),
                 f"layer {la['index']}: {what}; {len(la['packages'])} packages, "
                 f"{human(la['size'])}, {la['changes_per_year']:.2f} changes/yr, "
                 f"{human(la['expected_bytes_per_update'])} per update")
        if w > 24:
            svg.text(x + w / 2, 76, str(la["index"]), "middle")
        x += w
    return svg.done()


def legend() -> str:
    svg = Svg(WIDTH, 34, "colour scale: changes per year")
    stops = [0.1, 0.5, 1, 4, 12, 52, 365]
    for i, rate in enumerate(stops):
        svg.rect(i * 110, 0, 100, 14, rate_colour(rate), f"{rate:g} changes per year")
        svg.text(i * 110, 28, f"{rate:g}/yr")
    return svg.done()


def history_chart(history: dict, steps: list[list[dict]]) -> str:
    """Download per release, stacked by the layers it fetched (coloured by recipe)."""
    rows = history["steps"]
    top = max((s["download_bytes"] for s in rows), default=0) or 1
    n = max(len(rows), 1)
    bar = WIDTH / n
    height = 220
    svg = Svg(WIDTH, height + 30, "download per release, stacked by layer")
    for i, (row, layers) in enumerate(zip(rows, steps, strict=True)):
        y = height
        for la in layers:
            h = height * la["size"] / top
            y -= h
            who = ", ".join(la["recipes"]) or la["kind"]
            svg.rect(i * bar, y, max(bar - 1, 0.5), h, name_colour(who),
                     f"{row['from']} → {row['to']}: {who} {human(la['size'])}")
        if not layers:
            svg.rect(i * bar, height - 1, max(bar - 1, 0.5), 1, "#ccc",
                     f"{row['from']} → {row['to']}: nothing to download")
    svg.line(0, height, WIDTH, height)
    svg.text(2, 12, f"max {human(top)}")
    return svg.done()


def recipe_legend(steps: list[list[dict]]) -> str:
    """Which colour is which recipe (or layer kind) in the stacked bars."""
    names = sorted({", ".join(la["recipes"]) or la["kind"] for layers in steps
                    for la in layers})
    per_row = 6
    svg = Svg(WIDTH, 20 * max(1, -(-len(names) // per_row)), "colours of the stacked bars")
    for i, name in enumerate(names):
        x, y = (i % per_row) * (WIDTH / per_row), (i // per_row) * 20
        svg.rect(x, y + 3, 12, 12, name_colour(name), name)
        svg.text(x + 16, y + 13, name[:26])
    return svg.done()


def to_newest_chart(history: dict) -> str:
    rows = history["to_newest"]
    top = max((r["download_bytes"] for r in rows), default=0) or 1
    svg = Svg(WIDTH, 22 * max(len(rows), 1) + 4, "download from each older release to the newest")
    for i, r in enumerate(rows):
        w = (WIDTH - 420) * r["download_bytes"] / top
        svg.text(0, 22 * i + 15, r["from"][:48])
        svg.rect(320, 22 * i + 4, w, 14, "hsl(210,60%,55%)",
                 f"{r['from']} → {r['to']}: {human(r['download_bytes'])}")
        svg.text(326 + w, 22 * i + 15, human(r["download_bytes"]))
    return svg.done()


def churn_chart(history: dict) -> str:
    """A cell per layer of the newest image; the more it changed, the darker."""
    cells = history["churn"]
    most = max((c["changes"] for c in cells), default=0) or 1
    w = WIDTH / max(len(cells), 1)
    svg = Svg(WIDTH, 40, "layer churn: how often each layer changed")
    for c in cells:
        shade = 95 - round(60 * c["changes"] / most)
        svg.rect(c["index"] * w, 0, max(w - 1, 0.5), 28, f"hsl(10,70%,{shade}%)",
                 f"layer {c['index']} ({', '.join(c['recipes']) or 'base'}): changed "
                 f"{c['changes']} times, {human(c['size'])}")
    return svg.done()


def diff_chart(diff: dict) -> str:
    """NEW's layers: width = size; kept grey, new coloured by recipe."""
    layers = diff["layers"]
    total = sum(la["size"] for la in layers) or 1
    svg = Svg(WIDTH, 40, "layers of the new image: grey kept, coloured downloaded")
    x = 0.0
    for la in layers:
        w = WIDTH * la["size"] / total
        who = ", ".join(la["recipes"]) or la["kind"]
        fill = "#ccc" if la["status"] == "kept" else name_colour(who)
        svg.rect(x, 0, w, 28, fill, f"layer {la['index']} {la['status']}: {who} "
                                    f"{human(la['size'])}")
        x += w
    return svg.done()
