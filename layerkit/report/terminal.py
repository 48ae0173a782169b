"""Text for a terminal, whatever it holds."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MAX_LINE = 1000


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def printable(text: str) -> str:
    """One line for a terminal: control characters shown escaped (so user input can
    neither forge lines nor send escape sequences), long lines cut."""
    out = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
    return out if len(out) <= MAX_LINE else out[:MAX_LINE] + "…"
