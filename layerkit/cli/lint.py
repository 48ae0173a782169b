"""`layerkit lint`."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import lint as static
from ..config.load import load_project
from ..errors import ExitCode, LayerkitError
from ..oci.lint import accounts_changed, lint_root
from ..report.jsonout import print_json
from ..tools.buildah import Mounted
from . import LINT_TABLE
from .common import PATH


@click.command()
@click.argument("image", required=False, type=PATH)
@click.option("--built", "built", metavar="REF", help="Lint a built image's root filesystem.")
@click.option("--base", "base", metavar="REF",
              help="Report only what REF's root does not already show (default: the "
                   "image file's base, when IMAGE is given).")
@click.option("--json", "as_json", is_flag=True, help="Print findings as JSON (schema 1).")
def lint(image, built, base, as_json):
    """Check recipes (IMAGE) and/or a built image (--built REF) against ostree's rules."""
    if image is None and built is None:
        raise LayerkitError("give an IMAGE file, --built REF, or both")
    findings: list = []
    inherited = 0
    if image is not None:
        project = load_project(image)
        findings += static.lint_project(project)
        base = base or project.image.base
    if built is not None:
        with Mounted(built) as root:
            found = _lint_built(built, root)
            if base:
                with Mounted(base) as base_root:
                    new = static.new_findings(found, lint_root(base_root))
                    inherited = len(found) - len(new)
                    found = new + accounts_changed(root, base_root)
        findings += sorted(found)
    data = static.to_json(findings, inherited)
    if as_json:
        print_json(data)
    else:
        LINT_TABLE.print_findings(findings, data)
    if data["errors"]:
        raise LayerkitError(f"lint found {data['errors']} errors", ExitCode.FAILED)


def _lint_built(ref: str, root: Path) -> list[static.Finding]:
    found = lint_root(root)
    if (root / "usr/bin/bootc").exists():
        mounted = Mounted(ref)
        with mounted:
            proc = mounted.run(["bootc", "container", "lint"])
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr).decode(errors="replace").strip()
            found.append(static.Finding(static.Level.ERROR, "bootc", "/",
                                        tail.splitlines()[-1] if tail else "failed"))
    return found
