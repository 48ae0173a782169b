"""Text for a terminal, whatever it holds."""

from __future__ import annotations

import re
from enum import IntEnum

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MAX_LINE = 1000


class Detail(IntEnum):
    """How much a build tells: set on the command line, shown by report/progress.py."""

    QUIET = 0  # results and errors
    NORMAL = 1  # and a line (or live status) per step
    VERBOSE = 2  # and everything buildah prints


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def printable(text: str) -> str:
    """One line for a terminal: control characters shown escaped (so user input can
    neither forge lines nor send escape sequences), long lines cut."""
    out = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
    return out if len(out) <= MAX_LINE else out[:MAX_LINE] + "…"
