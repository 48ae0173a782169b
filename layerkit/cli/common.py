"""Option helpers shared by the command modules."""

from __future__ import annotations

import os

import click

from ..config.sizes import parse_size


def size_option(ctx, param, value):
    """A click callback: "35 MB" -> 35000000."""
    if value is None:
        return None
    try:
        return parse_size(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


def use_authfile(path: str | None) -> None:
    if path:
        os.environ["REGISTRY_AUTH_FILE"] = os.path.abspath(path)  # skopeo reads it


ISOLATIONS = click.Choice(["chroot", "oci", "rootless"])
authfile = click.option("--authfile", type=click.Path(exists=True, dir_okay=False),
                        help="Registry credentials (as for skopeo; default $REGISTRY_AUTH_FILE).")
tls_verify = click.option("--tls-verify/--no-tls-verify", default=True, show_default=True)
