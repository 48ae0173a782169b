"""Planning an image: its recipes and catalog as components, then the plan."""

from __future__ import annotations

from collections.abc import Mapping

from ..config.catalog import Catalog
from ..config.image import Model, Project
from ..errors import LayerkitError
from .components import Component, catalog_components, recipe_components
from .cost import DEFAULT_HORIZON, CostModel
from .layers import Plan
from .plan import make_plan

# what re-chunking adds to the plan's layers: volatile state, the rpmdb, recipe config
RECHUNK_LAYERS = 3


def cost_model(project: Project, model: Model | None = None) -> CostModel:
    image = project.image
    return CostModel(model or image.model, image.cadence_days, image.layer_overhead,
                     image.base_rate)


def components(project: Project, model: Model | None = None) -> list[Component]:
    """The image's components; with a catalog and the independent model every known
    package is a component of its own. Raises LayerkitError on bad input."""
    m = model or project.image.model
    split = m is Model.INDEPENDENT and project.catalog is not None
    out = recipe_components(project.recipes, project.catalog, base_packages(project),
                            split=split)
    if not out and not project.config_recipes:
        raise LayerkitError(f"{project.image.path}: recipes: nothing to build: no recipe "
                            "installs packages or ships files")
    return out  # none: an image of config layers only


def base_packages(project: Project) -> list[str]:
    """What the base has and the plan leaves alone: the image's `base_packages` and the
    catalog's packages marked `base` (read from the base image by `layerkit catalog`)."""
    known = [p.name for p in project.catalog.packages.values() if p.base] \
        if project.catalog else []
    return list(project.image.base_packages) + known


def rate_evidence(project: Project, plan: Plan) -> dict[str, int]:
    """How many planned packages take their rate from each kind of evidence: the
    catalog's `evidence`, "catalog" where a catalog does not say, "estimate" for packages
    only a recipe's estimate covers; `plan` shows what its numbers rest on."""
    counts: dict[str, int] = {}
    catalog = project.catalog
    for name in sorted({p for layer in plan.layers for p in layer.packages}):
        known = catalog.packages.get(name) if catalog else None
        kind = "estimate" if known is None else \
            known.evidence.value if known.evidence else "catalog"
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def plan_project(project: Project, model: Model | None = None,
                 previous: Mapping[str, int] | None = None,
                 horizon: float = DEFAULT_HORIZON, reserved: int = 0) -> Plan:
    """The plan of an image. reserved: layers kept out of the budget (re-chunking adds
    volatile, rpmdb and config layers of its own)."""
    m = model or project.image.model
    k = project.package_layers if m is Model.CONTAINERFILE else project.image.max_layers
    k = max(1, k - reserved)
    windows = project.catalog.windows(project.image.cadence_days) if project.catalog else None
    return make_plan(components(project, m), cost_model(project, m), k, windows, previous,
                     horizon)


def plan_catalog(catalog: Catalog, cm: CostModel, max_layers: int,
                 previous: Mapping[str, int] | None = None,
                 horizon: float = DEFAULT_HORIZON) -> Plan:
    """The plan of every catalog package, each its own component (`plan --all`)."""
    return make_plan(catalog_components(catalog), cm, max_layers,
                     catalog.windows(cm.cadence_days), previous, horizon)
