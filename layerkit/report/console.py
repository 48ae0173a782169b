"""Where output goes: a rich console for people, JSON for machines."""

from __future__ import annotations

import json
import sys

from rich.console import Console


def console() -> Console:
    c = Console(highlight=False, soft_wrap=False)
    if not c.is_terminal:
        c.width = 140  # logs and pipes: no terminal width to respect
    return c


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False) + "\n")
