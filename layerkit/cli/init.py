"""`layerkit init`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..config.load import load_project
from ..engine.output import write_atomic
from ..errors import LayerkitError
from ..render.skeleton import skeleton
from ..render.workflow import render
from .common import PATH


@click.command()
@click.argument("directory", required=False, default=Path("."), type=PATH)
def init(directory):
    """Write a project skeleton: recipes, images, a catalog and the CI workflow."""
    files = skeleton(date.today())
    taken = [rel for rel in files if (directory / rel).exists()]
    if taken:
        raise LayerkitError(f"{directory}: {', '.join(taken)} exist already; init writes into "
                            "a new or empty project")
    for rel, text in sorted(files.items()):
        write_atomic(directory / rel, text)
    image = directory / "images/kinoite.toml"
    workflow = ".github/workflows/layerkit-kinoite.yml"
    write_atomic(directory / workflow,
                 render([(load_project(image).image, "images/kinoite.toml")], workflow))
    click.echo(f"wrote {len(files) + 1} files in {directory}: try `layerkit plan "
               f"{image}` and `layerkit lint {image}`")
