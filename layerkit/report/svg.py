"""Inline SVG, written by hand: a handful of rectangles needs no charting library, and
every value is escaped here (names come from users and images)."""

from __future__ import annotations

import hashlib
import math
from html import escape


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def rate_colour(rate: float, hot: float = 365.0) -> str:
    """Changes per year on a log scale: 0.1/yr blue (cold) to daily red (hot)."""
    x = (math.log10(max(rate, 0.1)) + 1) / (math.log10(hot) + 1)
    hue = round(220 * (1 - min(max(x, 0.0), 1.0)))
    return f"hsl({hue},70%,55%)"


def name_colour(name: str) -> str:
    """A stable colour per recipe name: its hash steps round the hue circle by the golden
    angle, so neighbouring names get distinct colours."""
    h = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)
    return f"hsl({round((h % 1000) * 137.508) % 360},{50 + h % 20}%,{48 + (h >> 8) % 16}%)"


class Svg:
    def __init__(self, width: int, height: int, label: str):
        self.width, self.height = width, height
        self.parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
                      f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
                      f'aria-label="{esc(label)}"><title>{esc(label)}</title>']

    def rect(self, x: float, y: float, w: float, h: float, fill: str, title: str = "",
             css: str = "") -> None:
        tip = f"<title>{esc(title)}</title>" if title else ""
        cls = f' class="{css}"' if css else ""
        self.parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" '
                          f'height="{max(h, 0.5):.1f}" fill="{fill}"{cls}>{tip}</rect>')

    def text(self, x: float, y: float, text: str, anchor: str = "start",
             size: int = 11) -> None:
        self.parts.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" '
                          f'text-anchor="{anchor}">{esc(text)}</text>')

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                          'stroke="#999" stroke-width="1"/>')

    def done(self) -> str:
        return "".join(self.parts) + "</svg>"
