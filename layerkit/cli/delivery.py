"""`layerkit ci github`, `layerkit base` and `layerkit rebase`: getting images to machines."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..config.files import kind
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
@click.argument("images", nargs=-1, required=True, type=PATH)
@click.option("-o", "--output", type=PATH,
              default=Path(".github/workflows"), show_default=True)
def ci_github(images, output):
    """Write a GitHub workflow: base job (schedule/manual), content job per image."""
    projects = [load_project(image) for image in images]
    names = [p.image.name for p in projects]
    if len(set(names)) != len(names):
        raise LayerkitError("images: two image files have one name")
    problems = [f"{p.image.path}: base_source.treefile: {p.image.base_source.treefile} is not "
                "a file" for p in projects if p.image.base_source is not None and
                p.image.base_source.treefile is not None and
                kind(p.image.base_source.treefile) != "file"]
    if problems:
        raise LayerkitError(problems)
    dest = output / (f"layerkit-{names[0]}.yml" if len(projects) == 1 else "layerkit.yml")
    pairs = [(p.image, repository_path(image)) for p, image in zip(projects, images,
                                                                    strict=True)]
    write_atomic(dest, render(pairs, repository_path(dest, must_exist=False)))
    click.echo(f"wrote {dest}")


def repository_path(path: Path, must_exist: bool = True) -> str:
    """A file as the workflow's checkout sees it: relative to the git work tree holding
    it (or to the current directory outside git)."""
    where = path.resolve() if must_exist else path.parent.resolve() / path.name
    root = toplevel(where.parent if where.parent.exists() else Path.cwd()) or Path.cwd()
    rel = os.path.relpath(where, root.resolve())
    if rel.startswith(".."):
        raise LayerkitError(f"{path}: outside {root}: run `layerkit ci github` in the "
                            "repository that holds it")
    return Path(rel).as_posix()


@click.command()
@click.argument("image", type=PATH)
@click.option("--tag", "version_tag", help="Versioned tag to use instead of the generated one.")
@click.option("--force", is_flag=True, help="Replace the versioned tag if it exists.")
def base(image, version_tag, force):
    """Mirror (or build) IMAGE's base into your registry: versioned tag, then moving tag."""
    project = load_project(image)
    tags = Tags(version_tag, split_ref(project.image.base)[1]) if version_tag else None
    result = publish_base(project.image, tags, force)
    click.echo(f"pushed {result.versioned} and moved {result.moving} to {result.digest}")


@click.command()
@click.argument("image", type=PATH)
def rebase(image):
    """Print the commands a client runs to follow IMAGE."""
    for line in rebase_commands(load_project(image).image):
        click.echo(line)
