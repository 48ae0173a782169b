"""`layerkit build`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from ..catalog.make import make_catalog
from ..config.image import Project
from ..config.load import load_project
from ..config.patterns import TAG
from ..engine.tags import Tags
from ..errors import LayerkitError
from ..report.terminal import Detail, printable
from ..tools.buildah import Isolation
from . import BUILD, CONSOLE, PLAN_TABLE, PROGRESS
from .catalog import request, summarise, write
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
@click.option("--update-catalog", is_flag=True,
              help="After the push, refresh the catalog (--catalog or the image's) from the "
                   "image and the repository's releases, so the next plan learns from this one.")
def build(image, push, isolation, dry_run, cache_from, cache_to, catalog, workdir, no_resolve,
          version_tag, rechunk, previous, force, detail, update_catalog):
    """Build IMAGE with buildah (and push it with --push)."""
    project = load_project(image, catalog, missing_catalog_ok=update_catalog)
    catalog_path = catalog or project.image.catalog
    if update_catalog and not (push and catalog_path is not None) and not dry_run:
        raise LayerkitError("--update-catalog needs --push and a catalog (--catalog FILE or "
                            "the image's `catalog`): it learns from the pushed release")
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
    if update_catalog and not dry_run:
        refresh_catalog(project, catalog_path, result.local_ref)


def refresh_catalog(project: Project, path: Path, built: str) -> None:
    """The catalog, refreshed from the image just built (and its base) and from the
    repository's releases, the one just pushed included."""
    image = project.image
    req = replace(request(project, (built,), False, (), (image.target,), project.catalog,
                          1.0, image.tls_verify), base=image.base, base_implicit=True,
                  if_present=())
    try:
        merged = make_catalog(req, lambda text: click.echo(printable(text), err=True))
        write(path, merged)
    except LayerkitError as e:
        raise LayerkitError([f"{built} was pushed, but the catalog was not updated: {p}"
                             for p in e.problems], e.code) from None
    summary = summarise(path, merged)
    click.echo(f"updated {printable(str(path))}: {summary['packages']} packages, "
               f"{summary['changes']} change sets; {PLAN_TABLE.evidence_line(summary['evidence'])}")
