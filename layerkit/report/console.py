"""Where output for people goes: a rich console (JSON for machines: `jsonout`)."""

from __future__ import annotations

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

