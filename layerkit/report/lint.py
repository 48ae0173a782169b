"""Lint findings for people."""

from __future__ import annotations

from ..config.lint import Finding
from .console import console, safe

COLORS = {"error": "red", "warning": "yellow", "note": "cyan"}


def print_findings(findings: list[Finding], data: dict) -> None:
    """`data`: the lint JSON (schema 1) of the same findings, for the totals."""
    out = console()
    for f in findings:
        out.print(f"[{COLORS[f.level.value]}]{f.level.value}[/] {f.check}: "
                  + safe(f"{f.path}: {f.message}"))
    inherited = data["inherited_from_base"]
    out.print(f"{data['errors']} errors, {data['warnings']} warnings"
              + (f" ({inherited} findings inherited from the base not shown)"
                 if inherited else ""))
