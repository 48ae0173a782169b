"""Reading a plan printed by `layerkit plan --json`: an earlier plan to stay close to
(`plan --previous`), or the layers to re-chunk by (`rechunk --plan`)."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import LayerkitError


def read_plan_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise LayerkitError(f"{path}: not a plan printed by `layerkit plan --json`: {e}") \
            from None
    if not isinstance(data, dict) or data.get("schema") != 1 or "layers" not in data:
        raise LayerkitError(f"{path}: schema: expected a plan with \"schema\": 1")
    return data


def previous_layers(plan_json: dict) -> dict[str, int]:
    """Component id -> layer index of a plan printed with --json."""
    return {cid: la["index"] for la in plan_json.get("layers", [])
            for cid in la.get("units", [])}
