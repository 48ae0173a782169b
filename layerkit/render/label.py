"""The plan label: what an image built by layerkit records about the layers it added.

`io.layerkit.plan` holds compact JSON (schema 1, docs/formats.md#the-plan-label): the
model, cadence and predicted bytes per update, and per layer its kind, recipes, pinned
packages and component ids. This module is the only place that writes or reads it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from ..config import patterns
from ..config.image import Model
from ..errors import LayerkitError
from ..planner.layers import Plan

PLAN_LABEL = "io.layerkit.plan"
MAX_FILES = 5000  # paths the volatile layer's map names; beyond, directories stand in
IMAGE_LABEL = "io.layerkit.image"
SCHEMA = 1


class LayerKind(StrEnum):
    BASE = "base"  # not layerkit's
    PACKAGES = "packages"
    FILES = "files"  # a recipe's COPY layer
    VERSION = "version"  # the image version file for each-deployment services
    VOLATILE = "volatile"  # re-chunked: /etc, state, deletions
    RPMDB = "rpmdb"  # re-chunked: the rpm database
    CONFIG = "config"  # re-chunked: every recipe's files
    UNOWNED = "unowned"  # re-chunked whole image: /usr files no package owns


@dataclass(frozen=True)
class LabelLayer:
    index: int
    kind: LayerKind
    recipes: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()  # pinned name-version-release where resolved
    components: tuple[str, ...] | None = None  # component ids ("units" in the JSON)
    plan_index: int | None = None  # re-chunked: the plan layer this layer realises
    # re-chunked volatile layer: path -> short content hash ("-" deleted), so `diff` can
    # name what changed in it
    files: tuple[tuple[str, str], ...] | None = None

    def to_json(self, rechunked: bool) -> dict:
        out: dict = {"index": self.index, "kind": self.kind.value,
                     "recipes": list(self.recipes), "packages": list(self.packages)}
        if self.components is not None:
            out["units"] = list(self.components)
        if rechunked:
            out["plan_index"] = self.plan_index
        if self.files is not None:
            out["files"] = dict(self.files)
        return out


@dataclass(frozen=True)
class PlanLabel:
    model: Model
    cadence_days: float
    expected_bytes_per_update: int
    layers: tuple[LabelLayer, ...] = field(default=())
    rechunked: bool = False  # layers carry plan_index

    def text(self) -> str:
        """The label's value: compact JSON with sorted keys."""
        data = {"schema": SCHEMA, "model": self.model.value, "cadence_days": self.cadence_days,
                "expected_bytes_per_update": self.expected_bytes_per_update,
                "layers": [la.to_json(self.rechunked) for la in self.layers]}
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    def to_labels(self, image_name: str) -> dict[str, str]:
        return {IMAGE_LABEL: image_name, PLAN_LABEL: self.text()}

    def package_layers(self) -> list[LabelLayer]:
        return [la for la in self.layers if la.kind is LayerKind.PACKAGES]

    def previous_layers(self) -> dict[str, int]:
        """A re-chunked image's component id -> plan layer (for `plan --previous`)."""
        return {c: la.plan_index for la in self.layers if la.plan_index is not None
                for c in la.components or ()}

    def plan_layers(self) -> list[LabelLayer]:
        """A re-chunked image's package layers, indexed as the plan that made them."""
        return [replace(la, index=la.plan_index) for la in self.layers
                if la.plan_index is not None]


def plan_layers(plan: Plan, versions: Mapping[str, str] | None = None) -> list[LabelLayer]:
    """A plan's layers as label layers, packages pinned to their resolved versions."""
    versions = versions or {}
    return [LabelLayer(la.index, LayerKind.PACKAGES, la.recipes,
                       tuple(pin(p, versions) for p in la.packages),
                       tuple(c.id for c in la.components)) for la in plan.layers]


def pin(package: str, versions: Mapping[str, str]) -> str:
    return f"{package}-{versions[package]}" if package in versions else package


def read_label(labels: Mapping[str, str], where: str) -> PlanLabel | None:
    """The plan label of an image's config labels; None when it has none."""
    raw = labels.get(PLAN_LABEL)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        cadence, expected = float(data["cadence_days"]), data["expected_bytes_per_update"]
        if not (0 < cadence <= 3650) or not isinstance(expected, int) or expected < 0:
            raise ValueError("cadence_days or expected_bytes_per_update out of range")
        return PlanLabel(Model(data["model"]), cadence, expected,
                         tuple(_layer(la) for la in data["layers"]),
                         any("plan_index" in la for la in data["layers"]))
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise LayerkitError(f"{where}: label {PLAN_LABEL}: not a layerkit plan label "
                            f"({type(e).__name__}: {e})") from None


def _layer(raw: dict) -> LabelLayer:
    components = raw.get("units")
    return LabelLayer(_index(raw["index"]), LayerKind(raw.get("kind", "packages")),
                      _names(raw.get("recipes", []), patterns.RECIPE),
                      _names(raw.get("packages", []), patterns.PACKAGE),
                      None if components is None else _names(components, patterns.COMPONENT),
                      None if raw.get("plan_index") is None else _index(raw["plan_index"]),
                      _files(raw["files"]) if "files" in raw else None)


def _files(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or len(value) > MAX_FILES or not all(
            isinstance(k, str) and isinstance(v, str) and len(k) < 4096 and len(v) < 100
            and patterns.clean_text(k) and patterns.clean_text(v) for k, v in value.items()):
        raise TypeError("files: expected paths and short hashes")
    return tuple(sorted(value.items()))


def _index(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 10_000:
        raise TypeError("expected a layer index")
    return value


def _names(value: object, pattern) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and pattern.fullmatch(v)
                                              for v in value):
        raise TypeError(f"expected a list of names ({pattern.pattern})")
    return tuple(value)


def from_plan_json(data: Mapping, where: str) -> list[LabelLayer]:
    """The layers of a plan printed by `plan --json` (for `rechunk --plan`)."""
    try:
        return [LabelLayer(_index(la["index"]), LayerKind.PACKAGES,
                           _names(la["recipes"], patterns.RECIPE),
                           _names(la["packages"], patterns.PACKAGE),
                           _names(la.get("units", []), patterns.COMPONENT))
                for la in data["layers"]]
    except (ValueError, TypeError, KeyError) as e:
        raise LayerkitError(f"{where}: layers: not a plan's layers ({e})") from None
