"""Where output goes: a rich console for people, JSON for machines."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.markup import escape

from .terminal import printable


def console() -> Console:
    c = Console(highlight=False, soft_wrap=False)
    if not c.is_terminal:
        c.width = 140  # logs and pipes: no terminal width to respect
    return c


def safe(text: str) -> str:
    """Text from users or images, for a rich table or markup string: shown as written."""
    return escape(printable(text))


def print_json(data: object) -> None:
    """Strict JSON (a NaN or Infinity is a bug, never output)."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, allow_nan=False) + "\n")

