"""The re-chunked image's config: the base's diff_ids and history kept, one history
entry per new layer, env/entrypoint/labels kept and the plan label rewritten."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from ..config.image import Model
from ..render.label import PLAN_LABEL, LabelLayer, LayerKind, PlanLabel, read_label
from .chunks import Chunk


def rechunked_config(config: dict, n_base: int, diff_ids: list[str],
                     chunks: Sequence[Chunk], packages: Sequence[Sequence[str]],
                     where: str, predicted: int | None = None,
                     volatile: tuple[tuple[str, str], ...] = ()) -> dict:
    cfg = json.loads(json.dumps(config))
    cfg["rootfs"]["diff_ids"] = cfg["rootfs"]["diff_ids"][:n_base] + diff_ids
    kept, seen = [], 0
    for h in cfg.get("history", []):
        if seen >= n_base and not h.get("empty_layer"):
            continue  # the custom layers' entries, replaced below
        kept.append(h)
        seen += 0 if h.get("empty_layer") else 1
    created = cfg.get("created", "1970-01-01T00:00:00Z")
    base_part = kept[: _base_len(kept, n_base)]
    tail = kept[len(base_part):]
    new = [{"created": created, "created_by": f"layerkit rechunk: {c.kind.value} "
            + ", ".join(c.recipes or tuple(pkgs[:3])), "comment": "layerkit"}
           for c, pkgs in zip(chunks, packages, strict=True)]
    cfg["history"] = base_part + new + tail
    labels = cfg.setdefault("config", {}).setdefault("Labels", {}) or {}
    # an image without a label is re-chunked whole (rechunk refuses it otherwise)
    built = read_label(labels, where) or PlanLabel(Model.INDEPENDENT, 7.0, predicted or 0)
    label = replace(built, model=Model.INDEPENDENT, rechunked=True,
                    expected_bytes_per_update=built.expected_bytes_per_update
                    if predicted is None else predicted, layers=tuple(
        LabelLayer(i, c.kind, c.recipes, tuple(pkgs), c.components, c.plan_index,
                   volatile if c.kind is LayerKind.VOLATILE else None)
        for i, (c, pkgs) in enumerate(zip(chunks, packages, strict=True))))
    labels[PLAN_LABEL] = label.text()
    cfg["config"]["Labels"] = labels
    return cfg


def _base_len(history: list[dict], n_base: int) -> int:
    seen = 0
    for i, h in enumerate(history):
        if seen == n_base:
            return i
        seen += 0 if h.get("empty_layer") else 1
    return len(history)
