"""Load and validate an image with everything it names, before anything runs."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from ..errors import Problems
from .catalog import Catalog
from .catalog_file import load_catalog
from .files import kind
from .image import Project, config_recipes
from .image_file import load_image
from .recipe_file import load_recipes


def load_project(image_path: Path, catalog_path: Path | None = None,
                 overrides: dict | None = None, missing_catalog_ok: bool = False) -> Project:
    """Every problem in the image, its recipes and catalog, reported at once.
    overrides: Image fields set from the command line (None values are ignored).
    missing_catalog_ok: a catalog not written yet is no catalog (`layerkit catalog`)."""
    problems = Problems()
    image = load_image(image_path, problems, missing_catalog_ok=missing_catalog_ok)
    if image is None:
        problems.raise_if_any()
    assert image is not None
    if overrides:
        image = replace(image, **{k: v for k, v in overrides.items() if v is not None})
    root = Path(os.path.abspath(image_path)).parent.parent
    recipes = load_recipes(image.recipe_dir, list(image.recipes) if image.recipes is not None
                           else None, problems, root=root, where=f"{image_path}: recipes")
    catalog = None
    cat_path = catalog_path or image.catalog
    if cat_path is not None and not (missing_catalog_ok and kind(cat_path) == "missing"):
        catalog = load_catalog(cat_path, problems)
    copies = len(config_recipes(recipes))
    if image.max_layers - copies < 1:
        problems.add(f"{image_path}: max_layers",
                     f"{image.max_layers} leaves no layer for packages: "
                     f"{copies} recipes ship config files, one layer each")
    problems.raise_if_any()
    return Project(image, recipes, catalog)


def read_catalog(path: Path) -> Catalog:
    """A catalog on its own (`plan --all`)."""
    problems = Problems()
    catalog = load_catalog(path, problems)
    problems.raise_if_any()
    assert catalog is not None
    return catalog
