"""Option helpers shared by the command modules."""

from __future__ import annotations

import math
import os
from pathlib import Path

import click

from ..config.patterns import clean_text
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


class Finite(click.ParamType):
    """A finite number within bounds (click's FloatRange lets nan through)."""

    name = "number"

    def __init__(self, low: float, high: float, low_open: bool = False):
        self.low, self.high, self.low_open = low, high, low_open

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or number > self.high or number < self.low or \
                (self.low_open and number == self.low):
            self.fail(f"{value!r} is not a number {'above' if self.low_open else 'from'} "
                      f"{self.low:g} {'and at most' if self.low_open else 'to'} {self.high:g}",
                      param, ctx)
        return number


class FilePath(click.ParamType):
    """A path as given, refused when it holds a control character; whether it exists and
    what it is the readers check (and report), so nothing here touches the disk."""

    name = "path"

    def convert(self, value, param, ctx):
        text = os.fspath(value)
        if not isinstance(text, str) or not clean_text(text):
            self.fail(f"{text!r} holds a control character", param, ctx)
        return Path(text)


PATH = FilePath()
ISOLATIONS = click.Choice(["chroot", "oci", "rootless"])
authfile = click.option("--authfile", type=click.Path(exists=True, dir_okay=False,
                                                      path_type=str),
                        help="Registry credentials (as for skopeo; default $REGISTRY_AUTH_FILE).")
tls_verify = click.option("--tls-verify/--no-tls-verify", default=True, show_default=True)
