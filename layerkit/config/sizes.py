"""Byte sizes in and out: "35 MB" <-> 35_000_000, and rates per year."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_UNITS = {
    "": 1, "b": 1,
    "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
}
_SIZE = re.compile(r"\s*(\d{1,30}(?:\.\d{1,30})?)\s*([a-zA-Z]{0,3})\s*")
MAX_SIZE = 2**53  # 9 PB: larger is a typo, and floats stay exact below it


def parse_size(value: object) -> int:
    """Accept an int (bytes) or a string like "35 MB" / "1.5GiB"; raise ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("expected bytes or a size like \"35 MB\"")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("size must not be negative")
        return _bounded(value)
    if isinstance(value, str):
        m = _SIZE.fullmatch(value)
        if m and m.group(2).lower() in _UNITS:
            try:
                return _bounded(int(Decimal(m.group(1)) * _UNITS[m.group(2).lower()]))
            except InvalidOperation:
                pass
    raise ValueError(f"expected bytes or a size like \"35 MB\", got {value!r}")


def _bounded(size: int) -> int:
    if size > MAX_SIZE:
        raise ValueError(f"{size} bytes is more than the {MAX_SIZE} allowed")
    return size


def human(n: float) -> str:
    """Decimal units, as registries and dnf print them."""
    n = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover


# Named update frequencies a recipe may give instead of a number.
UPDATE_RATES: dict[str, float] = {
    "daily": 365.0,
    "weekly": 52.0,
    "monthly": 12.0,
    "quarterly": 4.0,
    "yearly": 1.0,
    "never": 0.0,
}
