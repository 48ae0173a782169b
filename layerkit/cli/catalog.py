"""`layerkit catalog`: write the catalog JSON from images, repositories and the
registry's history (docs/catalog.md)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click

from ..catalog.make import MAX_YEARS, Request, make_catalog
from ..catalog.merge import Merged, to_json
from ..config import patterns
from ..config.catalog import Catalog
from ..config.catalog_file import load_catalog
from ..config.files import kind
from ..config.image import Project
from ..config.load import load_project, read_catalog
from ..engine.output import write_atomic
from ..errors import ExitCode, LayerkitError, Problems
from ..report.jsonout import print_json
from ..report.terminal import printable
from ..tools import skopeo
from . import PLAN_TABLE
from .common import PATH, Finite, authfile, use_authfile

IMAGE_TRANSPORTS = ("docker://", "containers-storage:")


@click.command()
@click.argument("image", required=False, type=PATH)
@click.option("-o", "--output", type=PATH,
              help="Where to write the catalog (default: the image file's `catalog`).")
@click.option("--from-image", "images", multiple=True, metavar="REF",
              help="Read an image's rpmdb (default with IMAGE: its base, and the built "
                   "image when the registry has it).")
@click.option("--no-image", is_flag=True, help="Read no image by default.")
@click.option("--from-repo", "repos", multiple=True, metavar="URL|DIR",
              help="Read a repository's metadata (repomd.xml, primary, updateinfo).")
@click.option("--from-history", "histories", multiple=True, metavar="REPO",
              help="Read a registry repository's releases as change sets (host/path).")
@click.option("--changelog-years", type=Finite(0, MAX_YEARS, low_open=True), default=1.0,
              show_default=True, help="Count changelog entries over this many years "
              "before the image's newest build.")
@click.option("--fresh", is_flag=True,
              help="Ignore the catalog already at the output path (default: refresh it).")
@click.option("--json", "as_json", is_flag=True, help="Print a summary as JSON.")
@click.option("--tls-verify/--no-tls-verify", default=None,
              help="Default: the image file's tls_verify, else on.")
@authfile
def catalog(image, output, images, no_image, repos, histories, changelog_years, fresh, as_json,
            tls_verify, authfile):
    """Write a package catalog from images, repositories and the registry's history."""
    use_authfile(authfile)
    project = load_project(image, missing_catalog_ok=True) if image is not None else None
    output = output or (project.image.catalog if project else None)
    if output is None:
        raise LayerkitError("give -o FILE.json (or an IMAGE file whose `catalog` names one)")
    if kind(output) not in ("file", "missing"):
        raise LayerkitError(f"{output}: not a file: the catalog cannot be written there")
    if tls_verify is None:
        tls_verify = project.image.tls_verify if project else True
    previous = read_catalog(output) if kind(output) == "file" and not fresh else None
    req = request(project, images, no_image, repos, histories, previous, changelog_years,
                  tls_verify)

    def say(text: str) -> None:
        click.echo(printable(text), err=True)

    merged = make_catalog(req, say)
    write(output, merged)
    summary = summarise(output, merged)
    if as_json:
        print_json(summary)
    else:
        click.echo(f"wrote {printable(str(output))}: {summary['packages']} packages over "
                   f"{summary['period'][0]} to {summary['period'][1]}, "
                   f"{summary['changes']} change sets; "
                   f"{PLAN_TABLE.evidence_line(summary['evidence'])}"
                   .rstrip("; "))


def request(project: Project | None, images, no_image: bool, repos, histories,
            previous: Catalog | None, years: float, tls_verify: bool) -> Request:
    """What to read: named sources, and the image file's defaults."""
    if not (images or repos or histories or (project is not None and not no_image)):
        raise LayerkitError("nothing to read: give an IMAGE file, --from-image, --from-repo "
                            "or --from-history")
    base, if_present = None, ()
    if project is not None and not no_image:
        if not images or project.image.base in images:
            base = project.image.base
        if not images:
            if_present = (f"{project.image.target}:{project.image.stream}",)
    wanted = estimates = None
    if project is not None:
        wanted = frozenset(p for r in project.recipes.values() for p in r.packages)
        estimates = {p: r.rate for r in project.recipes.values() if r.rate is not None
                     for p in r.packages}
    for ref in images:
        bare = next((ref[len(t):] for t in IMAGE_TRANSPORTS if ref.startswith(t)), ref)
        if not patterns.IMAGE_REF.fullmatch(bare):
            raise LayerkitError(f"--from-image: {ref!r} is not an image reference like "
                                "registry.example/org/name:tag")
    for url in repos:
        if not (patterns.URL.fullmatch(url) if "://" in url else patterns.clean_text(url)):
            raise LayerkitError(f"--from-repo: {url!r} is neither an http(s):// or file:// "
                                "URL nor a directory")
    for repo in histories:
        if "@" in repo or ":" in repo.rsplit("/", 1)[-1] or repo.startswith(skopeo.TRANSPORTS) \
                or not patterns.IMAGE_REF.fullmatch(repo):
            raise LayerkitError(f"--from-history: {repo!r}: name a repository (host/path), "
                                "without a tag or transport")
    return Request(tuple(images), base, not images, if_present, tuple(repos), tuple(histories),
                   previous, wanted, estimates, years, tls_verify)


def write(path: Path, merged: Merged) -> None:
    """All or nothing, and only what layerkit itself reads back."""
    text = json.dumps(to_json(merged), indent=1, allow_nan=False) + "\n"
    with tempfile.TemporaryDirectory(prefix="layerkit-catalog-") as tmp:
        check = Path(tmp) / "catalog.json"
        check.write_text(text)
        problems = Problems()
        load_catalog(check, problems, str(path))
    if problems:
        raise LayerkitError([f"the catalog made does not read back: {p}"
                             for p in problems.items[:5]], ExitCode.FAILED)
    write_atomic(path, text)


def summarise(path: Path, merged: Merged) -> dict:
    return {"schema": 1, "catalog": str(path), "packages": len(merged.packages),
            "period": [merged.period[0].isoformat(), merged.period[1].isoformat()],
            "changes": len(merged.history), "evidence": dict(merged.evidence()),
            "sources": [f.describe() for f in merged.sources]}
