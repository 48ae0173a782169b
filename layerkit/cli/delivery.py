"""`layerkit ci github`, `layerkit base` and `layerkit rebase`: getting images to machines."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..config.load import load_project
from ..engine.base import publish_base
from ..engine.output import write_atomic
from ..engine.tags import Tags
from ..errors import LayerkitError
from ..render.workflow import rebase_commands, render
from ..tools.git import toplevel
from ..tools.skopeo import split_ref
from .common import PATH


@click.group()
def ci():
    """Generate CI pipelines."""


@ci.command("github")
@click.argument("image", type=PATH)
@click.option("-o", "--output", type=PATH,
              default=Path(".github/workflows"), show_default=True)
def ci_github(image, output):
    """Write .github/workflows/layerkit-IMAGE.yml: base job (schedule/manual), content job."""
    project = load_project(image)
    dest = output / f"layerkit-{project.image.name}.yml"
    write_atomic(dest, render(project.image, repository_path(image)))
    click.echo(f"wrote {dest}")


def repository_path(image: Path) -> str:
    """The image file as the workflow's checkout sees it: relative to the git work tree
    holding it (or to the current directory outside git)."""
    root = toplevel(image.resolve().parent) or Path.cwd()
    rel = os.path.relpath(image.resolve(), root.resolve())
    if rel.startswith(".."):
        raise LayerkitError(f"{image}: outside {root}: run `layerkit ci github` in the "
                            "repository that holds the image file")
    return Path(rel).as_posix()


@click.command()
@click.argument("image", type=PATH)
@click.option("--tag", "version_tag", help="Versioned tag to use instead of the generated one.")
def base(image, version_tag):
    """Mirror (or build) IMAGE's base into your registry: versioned tag, then moving tag."""
    project = load_project(image)
    tags = Tags(version_tag, split_ref(project.image.base)[1]) if version_tag else None
    result = publish_base(project.image, tags)
    click.echo(f"pushed {result.versioned} and moved {result.moving} to {result.digest}")


@click.command()
@click.argument("image", type=PATH)
def rebase(image):
    """Print the commands a client runs to follow IMAGE."""
    for line in rebase_commands(load_project(image).image):
        click.echo(line)
