"""`layerkit build`."""

from __future__ import annotations

import click

from ..config.load import load_project
from ..config.patterns import TAG
from ..engine.tags import Tags
from ..errors import LayerkitError
from ..report.terminal import Detail
from ..tools.buildah import Isolation
from . import BUILD, CONSOLE, PROGRESS
from .common import ISOLATIONS, PATH


@click.command()
@click.argument("image", type=PATH)
@click.option("--push", is_flag=True, help="Push the versioned tag, then move the stream tag.")
@click.option("--isolation", type=ISOLATIONS, default="chroot", show_default=True,
              help="buildah's process isolation.")
@click.option("--dry-run", is_flag=True, help="Print the commands instead of running them.")
@click.option("--cache-from", help="Repository to read cached layers from.")
@click.option("--cache-to", help="Repository to write cached layers to.")
@click.option("--catalog", type=PATH, help="Package catalog (JSON).")
@click.option("--workdir", type=PATH,
              help="Where the context and build log go (default .layerkit/build/IMAGE).")
@click.option("--no-resolve", is_flag=True, help="Do not pin resolved package versions.")
@click.option("--tag", "version_tag", help="Use this versioned tag instead of "
              "<stream>-<YYYY-MM-DDTHHMM>-<gitsha>.")
@click.option("--rechunk", is_flag=True,
              help="Re-layer the built image by the independent plan before pushing.")
@click.option("--previous", metavar="REF",
              help="With --rechunk: keep the layers of this image (default: the stream tag).")
@click.option("--force", is_flag=True, help="Replace the versioned tag if it exists.")
@click.option("--quiet", "-q", "detail", flag_value=Detail.QUIET, type=int,
              help="Print only results and errors.")
@click.option("--verbose", "-v", "detail", flag_value=Detail.VERBOSE, type=int,
              help="Also print buildah's output.")
def build(image, push, isolation, dry_run, cache_from, cache_to, catalog, workdir, no_resolve,
          version_tag, rechunk, previous, force, detail):
    """Build IMAGE with buildah (and push it with --push)."""
    project = load_project(image, catalog)
    if version_tag is not None and not TAG.fullmatch(version_tag):
        raise LayerkitError(f"--tag: {version_tag!r} is not a valid tag")
    tags = Tags(version_tag, project.image.stream) if version_tag else None
    opts = BUILD.BuildOptions(push=push, isolation=Isolation(isolation), dry_run=dry_run,
                        cache_from=cache_from, cache_to=cache_to, workdir=workdir,
                        resolve=not no_resolve, tags=tags, rechunk=rechunk,
                        previous=previous, force=force)
    result = BUILD.build_image(project, opts, PROGRESS.events(CONSOLE.console(), Detail(
        Detail.NORMAL if detail is None else detail)))
    if not dry_run:
        click.echo(f"versioned tag: {result.tags.versioned}")
        if result.digest:
            click.echo(f"digest: {result.digest}")
