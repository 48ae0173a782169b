"""Reading a plan printed by `layerkit plan --json`: an earlier plan to stay close to
(`plan --previous`), or the layers to re-chunk by (`rechunk --plan`)."""

from __future__ import annotations

from pathlib import Path

from ..errors import LayerkitError, Problems
from . import patterns
from .files import read_json
from .image import LAYER_LIMIT


def read_plan_json(path: Path) -> dict:
    """The plan, its layers checked: index, recipes, packages and component ids."""
    problems = Problems()
    data = read_json(path, str(path), problems)
    problems.raise_if_any()  # a JSON null is no plan either: the schema check says so
    if not isinstance(data, dict) or data.get("schema") != 1 or \
            not isinstance(data.get("layers"), list):
        raise LayerkitError(f"{path}: schema: expected a plan printed by `layerkit plan "
                            "--json` (\"schema\": 1, \"layers\": [...])")
    for i, la in enumerate(data["layers"]):
        where = f"{path}: layers[{i + 1}]"
        if not isinstance(la, dict):
            problems.add(where, "expected an object")
            continue
        if not (isinstance(la.get("index"), int) and 0 <= la["index"] < LAYER_LIMIT):
            problems.add(f"{where}.index", f"expected a layer index from 0 to {LAYER_LIMIT - 1}")
        for key, pattern in (("recipes", patterns.RECIPE), ("packages", patterns.PACKAGE),
                             ("units", None)):
            values = la.get(key, [])
            if not isinstance(values, list) or not all(
                    isinstance(v, str) and (pattern or patterns.COMPONENT).fullmatch(v)
                    for v in values):
                problems.add(f"{where}.{key}", "expected a list of names")
    problems.raise_if_any()
    return data


def previous_layers(plan_json: dict) -> dict[str, int]:
    """Component id -> layer index of a plan read by read_plan_json."""
    return {cid: la["index"] for la in plan_json["layers"] for cid in la.get("units", [])}
