"""`layerkit report`."""

from __future__ import annotations

from pathlib import Path

import click

from ..config.files import kind
from ..config.load import load_project
from ..engine.output import write_atomic
from ..errors import LayerkitError
from ..oci import history as hist
from ..oci.diff import diff as compute_diff
from ..planner.project import plan_project
from ..report import html
from .common import PATH, authfile, tls_verify, use_authfile


@click.command()
@click.argument("target")
@click.option("-o", "--output", type=PATH, default=Path("report.html"), show_default=True,
              help="The HTML file.")
@click.option("--history", "repo", metavar="REPO",
              help="With an image file: the registry repository of its releases.")
@click.option("--diff", "pair", nargs=2, metavar="OLD NEW", help="Add the update cost.")
@click.option("--last", type=click.IntRange(1, 10_000), help="Only the last N releases.")
@click.option("--svg", "svg_dir", type=PATH, help="Write the charts alone into this folder.")
@tls_verify
@authfile
def report(target, output, repo, pair, last, svg_dir, tls_verify, authfile):
    """An HTML report of an image file's plan (TARGET.toml) or a repository's releases."""
    use_authfile(authfile)
    plan = title = None
    if target.endswith(".toml") or kind(Path(target)) == "file":
        project = load_project(Path(target))
        plan = plan_project(project).to_json(project.image.name)
        title = f"layerkit report: {project.image.name}"
    else:
        repo = repo or target
    history = steps = None
    if repo:
        rels = hist.releases(repo, tls_verify, last)
        if not rels:
            raise LayerkitError(f"{repo}: no releases (no tags)")
        history, steps = hist.to_json(repo, rels), hist.step_layers(rels)
        title = title or f"layerkit report: {repo}"
    diff = compute_diff(pair[0], pair[1], tls_verify).to_json() if pair else None
    doc = {"plan": plan, "history": history, "steps": steps, "diff": diff}
    write_atomic(output, html.render(title or "layerkit report", **doc))
    written = [str(output)]
    for name, svg in html.svgs(**doc).items() if svg_dir else ():
        write_atomic(svg_dir / name, svg + "\n")
        written.append(str(svg_dir / name))
    click.echo("wrote " + ", ".join(written))
