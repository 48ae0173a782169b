"""`layerkit diff` and `layerkit history`: what updating between built images costs."""

from __future__ import annotations

import click

from ..errors import ExitCode, LayerkitError
from ..oci import history as hist
from ..oci.diff import diff as compute_diff
from ..report.jsonout import print_json
from . import DIFF_REPORT, HISTORY_TABLE
from .common import Finite, authfile, size_option, tls_verify, use_authfile


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
        click.echo(DIFF_REPORT.markdown(d), nl=False)
    else:
        DIFF_REPORT.print_diff(d)
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
        HISTORY_TABLE.print_history(data)
