"""`layerkit rechunk`: re-layer a built image by its plan."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..config.plan_file import read_plan_json
from ..oci.rechunk import rechunk as rechunk_image
from ..render.label import from_plan_json, read_label
from ..report.jsonout import print_json
from ..tools import skopeo
from ..tools.buildah import Isolation
from .common import ISOLATIONS, PATH, tls_verify


@click.command()
@click.argument("src")
@click.argument("dest")
@click.option("--plan", "plan_file", type=PATH,
              help="A plan printed by `layerkit plan --model independent --json`.")
@click.option("--previous", metavar="REF", help="Keep the layers of this re-chunked image.")
@click.option("--isolation", type=ISOLATIONS, default="chroot")
@tls_verify
@click.option("--workdir", type=PATH, default=Path(".layerkit/rechunk"))
@click.option("--json", "as_json", is_flag=True, help="Print the new layers and timings as JSON.")
@click.option("--whole", is_flag=True,
              help="Re-chunk every layer, the base's too (any image with rpm).")
@click.option("--base", "base_ref", metavar="REF",
              help="Where the base's compressed layers are (kept byte for byte).")
def rechunk(src, dest, plan_file, previous, isolation, tls_verify, workdir, as_json, whole,
            base_ref):
    """Re-layer SRC (built by layerkit) into content-addressed layers, write DEST."""
    layers = None
    if plan_file is not None:
        layers = from_plan_json(read_plan_json(plan_file), str(plan_file))
    elif previous is not None:
        ref = skopeo.normalize(previous)
        label = read_label((skopeo.config(ref, tls_verify).get("config") or {})
                           .get("Labels") or {}, ref)
        layers = (label.plan_layers() or None) if label else None
    result = rechunk_image(src, dest, workdir.resolve(), layers, Isolation(isolation),
                           tls_verify, int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0),
                           base_ref, whole=whole)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if as_json:
        print_json({"schema": 1, **result.to_json()})
        return
    click.echo(f"wrote {dest}: {result.base_layers} base layers kept, "
               f"{len(result.chunks)} re-chunked layers; the check passed")
