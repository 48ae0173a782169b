"""Output for machines: strict JSON on stdout (no rich: `--json` never loads it)."""

from __future__ import annotations

import json
import sys


def print_json(data: object) -> None:
    """Strict JSON (a NaN or Infinity is a bug, never output)."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, allow_nan=False) + "\n")
