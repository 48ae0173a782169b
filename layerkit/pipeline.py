"""Load and validate everything an image needs before anything touches the outside world."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .catalog import Catalog, load_catalog
from .containerfile import config_recipes
from .cost import CostModel
from .errors import LayerkitError, Problems
from .graph import PlanUnit, catalog_units, recipe_units, require_units
from .image import Image, Model, load_image
from .plan import DEFAULT_HORIZON, Plan, make_plan
from .recipe import Recipe, load_recipes


@dataclass(frozen=True)
class Project:
    image: Image
    recipes: dict[str, Recipe]
    catalog: Catalog | None
    units: tuple[PlanUnit, ...]
    package_units: tuple[PlanUnit, ...] = ()  # catalog packages split out (independent)

    def cost_model(self, model: Model | None = None) -> CostModel:
        m = model or self.image.model
        return CostModel(m, self.image.cadence_days, self.image.layer_overhead,
                         self.image.base_changes_per_year)

    @property
    def package_layers(self) -> int:
        """Layers left for packages once every config recipe has its COPY layer."""
        return self.image.max_layers - len(config_recipes(self.recipes))

    def plan(self, model: Model | None = None, previous: dict[str, int] | None = None,
             horizon: float = DEFAULT_HORIZON, reserved: int = 0) -> Plan:
        """reserved: layers kept out of the budget (re-chunking adds volatile, rpmdb and
        config layers of its own)."""
        m = model or self.image.model
        k = self.package_layers if m is Model.CONTAINERFILE else self.image.max_layers
        k = max(1, k - reserved)
        windows = self.catalog.windows(self.image.cadence_days) if self.catalog else None
        units = self.package_units if m is Model.INDEPENDENT and self.package_units \
            else self.units
        return make_plan(units, self.cost_model(m), k, windows, previous, horizon)


def load_project(image_path: Path, catalog_path: Path | None = None,
                 overrides: dict | None = None) -> Project:
    """Every problem in the image, its recipes and catalog, reported at once."""
    problems = Problems()
    image = load_image(image_path, problems)
    if image is None:
        problems.raise_if_any()
    assert image is not None
    if overrides:
        image = replace(image, **{k: v for k, v in overrides.items() if v is not None})
    root = image_path.resolve().parent.parent
    recipes = load_recipes(image.recipe_dir, list(image.recipes) if image.recipes is not None
                           else None, problems, root=root)
    catalog = None
    cat_path = catalog_path or image.catalog
    if cat_path is not None:
        catalog = load_catalog(cat_path, problems)
    if image.max_layers - len(config_recipes(recipes)) < 1:
        problems.add(f"{image_path}: max_layers",
                     f"{image.max_layers} leaves no layer for packages: "
                     f"{len(config_recipes(recipes))} recipes ship config files, one layer each")
    problems.raise_if_any()
    units = recipe_units(recipes, catalog, image.base_packages)
    require_units(units)
    split = recipe_units(recipes, catalog, image.base_packages, split=True) if catalog else []
    return Project(image, recipes, catalog, tuple(units), tuple(split))


def catalog_project(catalog_path: Path) -> tuple[Catalog, list[PlanUnit]]:
    problems = Problems()
    catalog = load_catalog(catalog_path, problems)
    problems.raise_if_any()
    assert catalog is not None
    units = catalog_units(catalog)
    if not units:
        raise LayerkitError(f"{catalog_path}: packages: the catalog is empty")
    return catalog, units
