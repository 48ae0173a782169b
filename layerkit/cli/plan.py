"""`layerkit plan` and `layerkit generate`."""

from __future__ import annotations

import click

from ..config.image import DEFAULT_LAYER_OVERHEAD, LAYER_LIMIT, MAX_CADENCE, Model
from ..config.load import load_project, read_catalog
from ..config.plan_file import previous_layers, read_plan_json
from ..errors import LayerkitError
from ..planner.cost import DEFAULT_HORIZON, CostModel
from ..report.jsonout import print_json
from ..report.terminal import plural
from . import CONTAINERFILE, CONTEXT, PLAN_TABLE, PLANNER
from .common import PATH, Finite, size_option

MODELS = click.Choice([m.value for m in Model])


@click.command()
@click.argument("image", required=False, type=PATH)
@click.option("--catalog", type=PATH, help="Package catalog (JSON).")
@click.option("--all", "all_packages", is_flag=True,
              help="Plan every catalog package as its own component (no image needed).")
@click.option("--max-layers", type=click.IntRange(1, LAYER_LIMIT),
              help="Layers layerkit may add (default: the image's max_layers, or 64 with --all).")
@click.option("--cadence", type=Finite(0, MAX_CADENCE, low_open=True),
              help="Days between client updates (default: the image's, or 7).")
@click.option("--model", type=MODELS, help="containerfile (RUN layers) or independent "
              "(re-chunked layers).")
@click.option("--layer-overhead", callback=size_option,
              help="Bytes each rebuilt RUN layer carries (containerfile model).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (schema 1).")
@click.option("--previous", type=PATH,
              help="An earlier plan (--json): keep components in their layers unless moving "
                   "pays.")
@click.option("--horizon", type=Finite(1, 1e6), default=DEFAULT_HORIZON,
              show_default=True, help="Updates over which a moved component's bytes must pay off.")
def plan(image, catalog, all_packages, max_layers, cadence, model, layer_overhead, as_json,
         previous, horizon):
    """Show the layer plan of IMAGE (or of a whole catalog with --all)."""
    prev = previous_layers(read_plan_json(previous)) if previous else None
    if all_packages:
        if catalog is None:
            raise LayerkitError("--all needs --catalog FILE.json")
        cat = read_catalog(catalog)
        if not cat.packages:
            raise LayerkitError(f"{catalog}: packages: the catalog is empty")
        cm = CostModel(Model(model or Model.INDEPENDENT.value), cadence or 7.0,
                       DEFAULT_LAYER_OVERHEAD if layer_overhead is None else layer_overhead)
        p = PLANNER.plan_catalog(cat, cm, max_layers or 64, prev, horizon)
        if as_json:
            print_json(p.to_json(str(catalog)))
        else:
            PLAN_TABLE.print_plan(p, f"plan for every package of {catalog}",
                                  evidence=_evidence(cat))
        return
    if image is None:
        raise LayerkitError("give an IMAGE file (images/NAME.toml) or --catalog FILE --all")
    project = load_project(image, catalog, {"max_layers": max_layers, "cadence_days": cadence,
                                            "layer_overhead": layer_overhead})
    p = PLANNER.plan_project(project, Model(model) if model else None, prev, horizon)
    if as_json:
        print_json(p.to_json(project.image.name))
    else:
        containerfile = p.cost_model.model is Model.CONTAINERFILE
        copy = tuple(project.config_recipes) if containerfile else ()
        rechunked = PLANNER.plan_project(project, Model.INDEPENDENT,
                                         reserved=PLANNER.RECHUNK_LAYERS) \
            if containerfile and p.layers else None
        PLAN_TABLE.print_plan(p, f"plan for {project.image.name}", project.recipes, copy,
                              rechunked, PLANNER.rate_evidence(project, p))


@click.command()
@click.argument("image", type=PATH)
@click.option("-o", "--output", type=PATH, required=True,
              help="Directory for the build context.")
@click.option("--catalog", type=PATH, help="Package catalog (JSON).")
def generate(image, output, catalog):
    """Write IMAGE's build context: a Containerfile and the files it copies."""
    project = load_project(image, catalog)
    p = PLANNER.plan_project(project, Model.CONTAINERFILE)
    ctx = CONTAINERFILE.render(project.image, project.recipes, p)
    CONTEXT.write_context(ctx, output)
    click.echo(f"wrote {output / 'Containerfile'} ({plural(len(p.layers), 'package layer')}, "
               f"{plural(len(ctx.copy_layers), 'config layer')})")


def _evidence(catalog) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in catalog.packages.values():
        kind = p.evidence.value if p.evidence else "catalog"
        counts[kind] = counts.get(kind, 0) + 1
    return counts
