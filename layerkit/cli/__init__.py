"""Stage 8, the command line: the only place a LayerkitError becomes an exit code.

Commands are registered by name and imported when run, so `--help` and a bad-input
error do not pay for the planner, the OCI code or rich's tables (docs/commands.md).
"""

from __future__ import annotations

import importlib
import sys
import traceback

import click

from ..errors import ExitCode, LayerkitError
from ..report.terminal import printable
from ..tools import run

# name -> (module under layerkit.cli, function, one line of help)
COMMANDS = {
    "plan": ("plan", "plan", "Show the layer plan of IMAGE (or of a whole catalog with --all)."),
    "generate": ("plan", "generate",
                 "Write IMAGE's build context: a Containerfile and the files it copies."),
    "build": ("build", "build", "Build IMAGE with buildah (and push it with --push)."),
    "catalog": ("catalog", "catalog",
                "Write a package catalog from images, repositories and the registry's history."),
    "diff": ("images", "diff",
             "What a client running OLD downloads to update to NEW (image references)."),
    "history": ("images", "history",
                "Upgrade cost between a repository's consecutive images, and layer churn."),
    "rechunk": ("images", "rechunk",
                "Re-layer SRC (built by layerkit) into content-addressed layers, write DEST."),
    "lint": ("lint", "lint",
             "Check recipes (IMAGE) and/or a built image (--built REF) against ostree's rules."),
    "ci": ("delivery", "ci", "Generate CI pipelines."),
    "base": ("delivery", "base",
             "Mirror (or build) IMAGE's base into your registry: versioned tag, then moving tag."),
    "rebase": ("delivery", "rebase", "Print the commands a client runs to follow IMAGE."),
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or shows its help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


class Ctx:
    debug = False


@click.group(cls=LazyGroup)
@click.option("--debug", is_flag=True, help="Show commands run and tracebacks.")
@click.version_option(package_name="layerkit")
def cli(debug: bool) -> None:
    """Plan, build and measure layered Fedora Atomic images."""
    Ctx.debug = debug
    run.DEBUG = debug


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, standalone_mode=False)
    except LayerkitError as e:
        if Ctx.debug:
            traceback.print_exc()
        for line in e.problems:
            click.echo(f"error: {printable(line)}", err=True)
        sys.exit(int(e.code))
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(int(ExitCode.FAILED))
    except click.ClickException as e:
        click.echo(f"error: {printable(e.format_message())}", err=True)
        sys.exit(int(ExitCode.BAD_INPUT))
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(0)
