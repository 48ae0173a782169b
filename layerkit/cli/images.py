"""`layerkit diff`, `layerkit history` and `layerkit rechunk`: commands on built images."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..config.plan_file import read_plan_json
from ..errors import ExitCode, LayerkitError
from ..oci import history as hist
from ..oci.diff import diff as compute_diff
from ..oci.rechunk import rechunk as rechunk_image
from ..render.label import from_plan_json, read_label
from ..report import diff as diff_report
from ..report.console import print_json
from ..report.history import print_history
from ..tools import skopeo
from ..tools.buildah import Isolation
from .common import ISOLATIONS, PATH, Finite, authfile, size_option, tls_verify, use_authfile


@click.command()
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON (schema 1).")
@click.option("--markdown", is_flag=True, help="Print a markdown summary for release notes.")
@tls_verify
@click.option("--platform", "plat", help="os/arch in a multi-arch index (default: this machine).")
@click.option("--max-bytes", callback=size_option,
              help="Fail (exit 1) above this download size.")
@click.option("--max-ratio", type=Finite(0, 1),
              help="Fail (exit 1) when this share of NEW must be downloaded.")
@authfile
def diff(old, new, as_json, markdown, tls_verify, plat, max_bytes, max_ratio, authfile):
    """What a client running OLD downloads to update to NEW (image references)."""
    use_authfile(authfile)
    d = compute_diff(old, new, tls_verify, plat)
    if as_json:
        print_json(d.to_json())
    elif markdown:
        click.echo(diff_report.markdown(d), nl=False)
    else:
        diff_report.print_diff(d)
    ratio = d.download / (d.new_size or 1)
    if max_bytes is not None and d.download > max_bytes:
        raise LayerkitError(f"download {d.download} bytes exceeds --max-bytes {max_bytes}",
                            ExitCode.FAILED)
    if max_ratio is not None and ratio > max_ratio:
        raise LayerkitError(f"download ratio {ratio:.3f} exceeds --max-ratio {max_ratio}",
                            ExitCode.FAILED)


@click.command()
@click.argument("repo")
@click.option("--last", type=click.IntRange(min=1), help="Only the last N distinct images.")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON (schema 1).")
@tls_verify
@authfile
def history(repo, last, as_json, tls_verify, authfile):
    """Upgrade cost between a repository's consecutive images, and layer churn."""
    use_authfile(authfile)
    data = hist.to_json(repo, hist.releases(repo, tls_verify, last))
    if as_json:
        print_json(data)
    else:
        print_history(data)


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
