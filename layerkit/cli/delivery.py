"""`layerkit ci github`, `layerkit base` and `layerkit rebase`: getting images to machines."""

from __future__ import annotations

from pathlib import Path

import click

from ..config.load import load_project
from ..engine.base import publish_base
from ..engine.tags import Tags
from ..render.workflow import rebase_commands, render
from ..tools.skopeo import split_ref


@click.group()
def ci():
    """Generate CI pipelines."""


@ci.command("github")
@click.argument("image", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              default=Path(".github/workflows"), show_default=True)
def ci_github(image, output):
    """Write .github/workflows/layerkit-IMAGE.yml: base job (schedule/manual), content job."""
    project = load_project(image)
    output.mkdir(parents=True, exist_ok=True)
    dest = output / f"layerkit-{project.image.name}.yml"
    dest.write_text(render(project.image, image.as_posix()), encoding="utf-8")
    click.echo(f"wrote {dest}")


@click.command()
@click.argument("image", type=click.Path(path_type=Path))
@click.option("--tag", "version_tag", help="Versioned tag to use instead of the generated one.")
def base(image, version_tag):
    """Mirror (or build) IMAGE's base into your registry: versioned tag, then moving tag."""
    project = load_project(image)
    tags = Tags(version_tag, split_ref(project.image.base)[1]) if version_tag else None
    result = publish_base(project.image, tags)
    click.echo(f"pushed {result.versioned} and moved {result.moving} to {result.digest}")


@click.command()
@click.argument("image", type=click.Path(path_type=Path))
def rebase(image):
    """Print the commands a client runs to follow IMAGE."""
    for line in rebase_commands(load_project(image).image):
        click.echo(line)
