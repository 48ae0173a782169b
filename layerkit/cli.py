"""The command line. The only place a LayerkitError becomes an exit code."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import click

from . import report
from .containerfile import render, write_context
from .cost import CostModel
from .errors import ExitCode, LayerkitError
from .image import DEFAULT_LAYER_OVERHEAD, LAYER_LIMIT, Model
from .pipeline import catalog_project, load_project
from .plan import DEFAULT_HORIZON, make_plan, previous_layers
from .sizes import parse_size


class Ctx:
    debug = False


def _size(ctx, param, value):
    if value is None:
        return None
    try:
        return parse_size(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


@click.group()
@click.option("--debug", is_flag=True, help="Show commands run and tracebacks.")
@click.version_option(package_name="layerkit")
def cli(debug: bool) -> None:
    """Plan, build and measure layered Fedora Atomic images."""
    Ctx.debug = debug
    from . import run
    run.DEBUG = debug


models = click.Choice([m.value for m in Model])


@cli.command()
@click.argument("image", required=False, type=click.Path(path_type=Path))
@click.option("--catalog", type=click.Path(path_type=Path), help="Package catalog (JSON).")
@click.option("--all", "all_packages", is_flag=True,
              help="Plan every catalog package as its own unit (no image needed).")
@click.option("--max-layers", type=click.IntRange(1, LAYER_LIMIT))
@click.option("--cadence", type=click.FloatRange(min=0.001), help="Days between updates.")
@click.option("--model", type=models)
@click.option("--layer-overhead", callback=_size,
              help="Bytes each rebuilt RUN layer carries (containerfile model).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (schema 1).")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An earlier plan (--json): keep units in their layers unless moving pays.")
@click.option("--horizon", type=click.FloatRange(min=1), default=DEFAULT_HORIZON,
              show_default=True, help="Updates over which a moved unit's bytes must pay off.")
def plan(image, catalog, all_packages, max_layers, cadence, model, layer_overhead, as_json,
         previous, horizon):
    """Show the layer plan of IMAGE (or of a whole catalog with --all)."""
    prev = _previous(previous)
    if all_packages:
        if catalog is None:
            raise LayerkitError("--all needs --catalog FILE.json")
        cat, units = catalog_project(catalog)
        m = Model(model or Model.INDEPENDENT.value)
        cm = CostModel(m, cadence or 7.0,
                       DEFAULT_LAYER_OVERHEAD if layer_overhead is None else layer_overhead)
        p = make_plan(units, cm, max_layers or 64, cat.windows(cm.cadence_days), prev, horizon)
        if as_json:
            report.print_json(p.to_json(str(catalog)))
        else:
            report.print_plan(p, f"plan for every package of {catalog}")
        return
    if image is None:
        raise LayerkitError("give an IMAGE file (images/NAME.toml) or --catalog FILE --all")
    project = load_project(image, catalog, {"max_layers": max_layers, "cadence_days": cadence,
                                            "layer_overhead": layer_overhead})
    m = Model(model) if model else None
    p = project.plan(m, prev, horizon)
    if as_json:
        report.print_json(p.to_json(project.image.name))
    else:
        from .containerfile import config_recipes
        copy = tuple(config_recipes(project.recipes)) if p.cost_model.model is \
            Model.CONTAINERFILE else ()
        report.print_plan(p, f"plan for {project.image.name}", project.recipes, copy)


@cli.command()
@click.argument("image", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Directory for the build context.")
@click.option("--catalog", type=click.Path(path_type=Path))
def generate(image, output, catalog):
    """Write IMAGE's build context: a Containerfile and the files it copies."""
    project = load_project(image, catalog)
    p = project.plan(Model.CONTAINERFILE)
    ctx = render(project.image, project.recipes, p)
    write_context(ctx, output)
    click.echo(f"wrote {output / 'Containerfile'} ({len(p.layers)} package layers, "
               f"{len(ctx.copy_layers)} config layers)")


@cli.command()
@click.argument("image", type=click.Path(path_type=Path))
@click.option("--push", is_flag=True, help="Push the versioned tag, then move the stream tag.")
@click.option("--isolation", type=click.Choice(["chroot", "oci", "rootless"]), default="chroot",
              show_default=True, help="buildah's process isolation.")
@click.option("--dry-run", is_flag=True, help="Print the commands instead of running them.")
@click.option("--cache-from", help="Repository to read cached layers from.")
@click.option("--cache-to", help="Repository to write cached layers to.")
@click.option("--catalog", type=click.Path(path_type=Path))
@click.option("--workdir", type=click.Path(path_type=Path),
              help="Where the context and build log go (default .layerkit/build/IMAGE).")
@click.option("--no-resolve", is_flag=True, help="Do not pin resolved package versions.")
@click.option("--tag", "version_tag", help="Use this versioned tag instead of "
              "<stream>-<YYYY-MM-DDTHHMM>-<gitsha>.")
@click.option("--rechunk", is_flag=True,
              help="Re-layer the built image by the independent plan before pushing.")
@click.option("--previous", metavar="REF",
              help="With --rechunk: keep the layers of this image (default: the stream tag).")
def build(image, push, isolation, dry_run, cache_from, cache_to, catalog, workdir, no_resolve,
          version_tag, rechunk, previous):
    """Build IMAGE with buildah (and push it with --push)."""
    from .build import BuildOptions, build_image
    from .buildah import Isolation
    from .patterns import TAG
    from .tags import Tags
    project = load_project(image, catalog)
    if version_tag is not None and not TAG.match(version_tag):
        raise LayerkitError(f"--tag: {version_tag!r} is not a valid tag")
    tags = Tags(version_tag, project.image.stream) if version_tag else None
    opts = BuildOptions(push=push, isolation=Isolation(isolation), dry_run=dry_run,
                        cache_from=cache_from, cache_to=cache_to, workdir=workdir,
                        resolve=not no_resolve, tags=tags, rechunk=rechunk,
                        previous=previous)
    result = build_image(project, opts, report.console())
    if not dry_run:
        click.echo(f"versioned tag: {result.tags.versioned}")
        if result.digest:
            click.echo(f"digest: {result.digest}")


@cli.command()
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON (schema 1).")
@click.option("--markdown", is_flag=True, help="Print a markdown summary for release notes.")
@click.option("--tls-verify/--no-tls-verify", default=True, show_default=True)
@click.option("--platform", "plat", help="os/arch in a multi-arch index (default: this machine).")
@click.option("--max-bytes", callback=_size, help="Fail (exit 1) above this download size.")
@click.option("--max-ratio", type=click.FloatRange(0, 1),
              help="Fail (exit 1) when this share of NEW must be downloaded.")
@click.option("--authfile", type=click.Path(exists=True, dir_okay=False),
              help="Registry credentials (as for skopeo; default $REGISTRY_AUTH_FILE).")
def diff(old, new, as_json, markdown, tls_verify, plat, max_bytes, max_ratio, authfile):
    """What a client running OLD downloads to update to NEW (image references)."""
    _use_authfile(authfile)
    from . import diffreport
    from .diff import diff as compute
    d = compute(old, new, tls_verify, plat)
    if as_json:
        report.print_json(d.to_json())
    elif markdown:
        click.echo(diffreport.markdown(d), nl=False)
    else:
        diffreport.print_diff(d)
    ratio = d.download / (d.new_size or 1)
    if max_bytes is not None and d.download > max_bytes:
        raise LayerkitError(f"download {d.download} bytes exceeds --max-bytes {max_bytes}",
                            ExitCode.FAILED)
    if max_ratio is not None and ratio > max_ratio:
        raise LayerkitError(f"download ratio {ratio:.3f} exceeds --max-ratio {max_ratio}",
                            ExitCode.FAILED)


@cli.command()
@click.argument("repo")
@click.option("--last", type=click.IntRange(min=1), help="Only the last N distinct images.")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON (schema 1).")
@click.option("--tls-verify/--no-tls-verify", default=True, show_default=True)
@click.option("--authfile", type=click.Path(exists=True, dir_okay=False),
              help="Registry credentials (as for skopeo; default $REGISTRY_AUTH_FILE).")
def history(repo, last, as_json, tls_verify, authfile):
    """Upgrade cost between a repository's consecutive images, and layer churn."""
    _use_authfile(authfile)
    from . import history as hist
    from .sizes import human
    rels = hist.releases(repo, tls_verify, last)
    data = hist.to_json(repo, rels)
    if as_json:
        report.print_json(data)
        return
    from rich.table import Table
    out = report.console()
    t = Table(title=f"history of {repo}", title_justify="left")
    for col in ("tags", "created", "size", "layers", "download from previous"):
        t.add_column(col)
    steps = {s["to"]: s["download_bytes"] for s in data["steps"]}
    for r in data["releases"]:
        t.add_row(", ".join(r["tags"]), r["created"][:19], human(r["size"]), str(r["layers"]),
                  human(steps[r["tags"][0]]) if r["tags"][0] in steps else "-")
    out.print(t)
    for m in data["to_newest"]:
        out.print(f"{m['from']} → {m['to']}: {human(m['download_bytes'])}")
    hot = [c for c in data["churn"] if c["changes"]]
    if hot:
        out.print("churn (changes per layer of the newest image): " + ", ".join(
            f"{c['index']}{'(' + ','.join(c['recipes']) + ')' if c['recipes'] else ''}"
            f"×{c['changes']}" for c in hot))


@cli.command()
@click.argument("image", required=False, type=click.Path(path_type=Path))
@click.option("--built", "built", metavar="REF", help="Lint a built image's root filesystem.")
@click.option("--base", "base", metavar="REF",
              help="Report only what REF's root does not already show (default: the "
                   "image file's base, when IMAGE is given).")
@click.option("--json", "as_json", is_flag=True, help="Print findings as JSON (schema 1).")
def lint(image, built, base, as_json):
    """Check recipes (IMAGE) and/or a built image (--built REF) against ostree's rules."""
    from . import lint as lint_mod
    from .buildah import Mounted
    if image is None and built is None:
        raise LayerkitError("give an IMAGE file, --built REF, or both")
    findings: list = []
    inherited = 0
    if image is not None:
        project = load_project(image)
        findings += lint_mod.lint_project(project)
        base = base or project.image.base
    if built is not None:
        mounted = Mounted(built)
        with mounted as root:
            found = lint_mod.lint_root(root)
            if (root / "usr/bin/bootc").exists():
                proc = mounted.run(["bootc", "container", "lint"])
                if proc.returncode != 0:
                    tail = (proc.stdout + proc.stderr).decode(errors="replace").strip()
                    found.append(lint_mod.Finding(lint_mod.Level.ERROR, "bootc", "/",
                                                  tail.splitlines()[-1] if tail else "failed"))
        if base:
            with Mounted(base) as base_root:
                before = lint_mod.lint_root(base_root)
            inherited = len(found) - len(lint_mod.new_findings(found, before))
            found = lint_mod.new_findings(found, before)
        findings += found
    data = lint_mod.to_json(findings, inherited)
    if as_json:
        report.print_json(data)
    else:
        out = report.console()
        for f in findings:
            color = {"error": "red", "warning": "yellow", "note": "cyan"}[f.level.value]
            out.print(f"[{color}]{f.level.value}[/] {f.check}: {f.path}: {f.message}")
        out.print(f"{data['errors']} errors, {data['warnings']} warnings"
                  + (f" ({inherited} findings inherited from the base not shown)"
                     if inherited else ""))
    if data["errors"]:
        raise LayerkitError(f"lint found {data['errors']} errors", ExitCode.FAILED)


@cli.command("rechunk")
@click.argument("src")
@click.argument("dest")
@click.option("--plan", "plan_file", type=click.Path(exists=True, dir_okay=False,
                                                     path_type=Path),
              help="A plan printed by `layerkit plan --model independent --json`.")
@click.option("--previous", metavar="REF", help="Keep the layers of this re-chunked image.")
@click.option("--isolation", type=click.Choice(["chroot", "oci", "rootless"]), default="chroot")
@click.option("--tls-verify/--no-tls-verify", default=True, show_default=True)
@click.option("--workdir", type=click.Path(path_type=Path), default=Path(".layerkit/rechunk"))
@click.option("--json", "as_json", is_flag=True, help="Print the new layers and timings as JSON.")
def rechunk_cmd(src, dest, plan_file, previous, isolation, tls_verify, workdir, as_json):
    """Re-layer SRC (built by layerkit) into content-addressed layers, write DEST."""
    import json

    from . import rechunk as rc
    from . import registry
    from .buildah import Isolation
    from .registry import normalize
    layers = None
    if plan_file is not None:
        layers = json.loads(plan_file.read_text()).get("layers")
    elif previous is not None:
        labels = (registry.config(normalize(previous), tls_verify).get("config") or {}) \
            .get("Labels") or {}
        layers = rc.previous_plan(labels)[1] or None
    summary = rc.rechunk(src, dest, workdir.resolve(), layers, Isolation(isolation),
                         tls_verify, int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0))
    if as_json:
        report.print_json({"schema": 1, **summary})
        return
    click.echo(f"wrote {dest}: {summary['base_layers']} base layers kept, "
               f"{len(summary['layers'])} re-chunked layers; the check passed")


@cli.group()
def ci():
    """Generate CI pipelines."""


@ci.command("github")
@click.argument("image", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              default=Path(".github/workflows"), show_default=True)
def ci_github(image, output):
    """Write .github/workflows/layerkit-IMAGE.yml: base job (schedule/manual), content job."""
    from .ci import render
    project = load_project(image)
    output.mkdir(parents=True, exist_ok=True)
    dest = output / f"layerkit-{project.image.name}.yml"
    dest.write_text(render(project.image, image.as_posix()), encoding="utf-8")
    click.echo(f"wrote {dest}")


@cli.command("base")
@click.argument("image", type=click.Path(path_type=Path))
@click.option("--tag", "version_tag", help="Versioned tag to use instead of the generated one.")
def base_cmd(image, version_tag):
    """Mirror (or build) IMAGE's base into your registry: versioned tag, then moving tag."""
    from .base import publish_base
    from .registry import split_ref
    from .tags import Tags
    project = load_project(image)
    tags = Tags(version_tag, split_ref(project.image.base)[1]) if version_tag else None
    result = publish_base(project.image, tags)
    click.echo(f"pushed {result.versioned} and moved {result.moving} to {result.digest}")


@cli.command()
@click.argument("image", type=click.Path(path_type=Path))
def rebase(image):
    """Print the commands a client runs to follow IMAGE."""
    from .ci import rebase_commands
    project = load_project(image)
    for line in rebase_commands(project.image):
        click.echo(line)


def _previous(path: Path | None) -> dict[str, int] | None:
    if path is None:
        return None
    import json
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise LayerkitError(f"{path}: not a plan printed by `layerkit plan --json`: {e}") from None
    if not isinstance(data, dict) or data.get("schema") != 1 or "layers" not in data:
        raise LayerkitError(f"{path}: schema: expected a plan with \"schema\": 1")
    return previous_layers(data)


def _use_authfile(path: str | None) -> None:
    if path:
        os.environ["REGISTRY_AUTH_FILE"] = os.path.abspath(path)  # skopeo reads it


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, standalone_mode=False)
    except LayerkitError as e:
        if Ctx.debug:
            traceback.print_exc()
        for line in e.problems:
            click.echo(f"error: {line}", err=True)
        sys.exit(int(e.code))
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(int(ExitCode.FAILED))
    except click.ClickException as e:
        e.show()
        sys.exit(int(ExitCode.BAD_INPUT))
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(0)
