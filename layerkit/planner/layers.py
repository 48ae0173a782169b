"""The planner's answer: layers of components, bottom first, and the plan as JSON
(schema 1). Plain data, so the renderers and readers of plans need no numpy."""

from __future__ import annotations

from dataclasses import dataclass

from .components import Component
from .cost import CostModel

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Layer:
    index: int
    components: tuple[Component, ...]
    size: int
    rate: float
    expected_bytes: float

    @property
    def recipes(self) -> tuple[str, ...]:
        return tuple(sorted({r for c in self.components for r in c.recipes}))

    @property
    def packages(self) -> tuple[str, ...]:
        return tuple(sorted({p for c in self.components for p in c.packages}))


@dataclass(frozen=True)
class Plan:
    cost_model: CostModel
    max_layers: int
    layers: tuple[Layer, ...]
    lower_bound: float
    objective: str = "rates"  # or "history": the mean over observed update windows
    windows: int = 0  # update windows in the history objective

    @property
    def expected_bytes(self) -> float:
        return sum(layer.expected_bytes for layer in self.layers)

    @property
    def size(self) -> int:
        return sum(layer.size for layer in self.layers)

    def to_json(self, image: str) -> dict:
        return {
            "schema": SCHEMA_VERSION,
            "image": image,
            "model": self.cost_model.model.value,
            "max_layers": self.max_layers,
            "cadence_days": self.cost_model.cadence_days,
            "objective": self.objective,
            "layer_overhead": self.cost_model.layer_overhead,
            "image_size": self.size,
            "expected_bytes_per_update": round(self.expected_bytes),
            "lower_bound_bytes_per_update": round(self.lower_bound),
            "layers": [
                {"index": layer.index, "recipes": list(layer.recipes),
                 "packages": list(layer.packages),
                 "units": [c.id for c in layer.components],
                 "size": layer.size, "changes_per_year": round(layer.rate, 6),
                 "expected_bytes_per_update": round(layer.expected_bytes)}
                for layer in self.layers
            ],
        }
