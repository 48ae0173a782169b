"""Stage 8, the command line: the only place a LayerkitError becomes an exit code.

Commands are registered by name and imported when run, so `--help` does not pay for the
planner, the OCI code or rich. A command's module imports only what every run of it
needs (click, the config readers); what some runs skip it reaches through the modules
registered below as `Later`, imported on first use: a bad input is reported before
numpy loads, and `--json` never loads rich (docs/latency.md).
"""

from __future__ import annotations

import importlib
import sys

import click

from .. import tools
from ..errors import ExitCode, LayerkitError
from ..report.terminal import printable

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
    "rechunk": ("rechunk", "rechunk",
                "Re-layer SRC (built by layerkit) into content-addressed layers, write DEST."),
    "lint": ("lint", "lint",
             "Check recipes (IMAGE) and/or a built image (--built REF) against ostree's rules."),
    "ci": ("delivery", "ci", "Generate CI pipelines."),
    "base": ("delivery", "base",
             "Mirror (or build) IMAGE's base into your registry: versioned tag, then moving tag."),
    "rebase": ("delivery", "rebase", "Print the commands a client runs to follow IMAGE."),
    "report": ("report", "report", "An HTML report of an image file's plan (TARGET.toml) or a "
               "repository's releases."),
    "init": ("init", "init",
             "Write a project skeleton: recipes, images, a catalog and the CI workflow."),
}


class Later:
    """A module imported when a command first uses one of its names."""

    def __init__(self, module: str):
        self._module = module

    def __getattr__(self, name: str):
        return getattr(importlib.import_module(self._module), name)


# What commands import only on the paths that use it, after their inputs have been read:
# the planner (numpy), builds, the build context writer, and rich's consoles and tables
# for people (every report module but jsonout loads rich)
PLANNER = Later("layerkit.planner.project")
BUILD = Later("layerkit.engine.build")
CONTEXT = Later("layerkit.engine.context")
CONTAINERFILE = Later("layerkit.render.containerfile")
CONSOLE = Later("layerkit.report.console")
PROGRESS = Later("layerkit.report.progress")
PLAN_TABLE = Later("layerkit.report.plan")
DIFF_REPORT = Later("layerkit.report.diff")
HISTORY_TABLE = Later("layerkit.report.history")
LINT_TABLE = Later("layerkit.report.lint")
TRACEBACK = Later("traceback")  # --debug only


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
    tools.DEBUG = debug


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, standalone_mode=False)
    except LayerkitError as e:
        if Ctx.debug:
            TRACEBACK.print_exc()
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
