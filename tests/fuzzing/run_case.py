"""One case run in-process: its files written, each command run through layerkit's
command line, the promise checked on the result and on what it generated (and that it
wrote nothing when it failed, and no canary appeared)."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import traceback
from pathlib import Path
from typing import Any

from layerkit.cli import main

from .cases import Case
from .checks import check_error_keys, check_result, check_treefile_inside, command_name
from .finding import Finding
from .generated_files import check_context, check_workflow
from .syntax import Shell, shell_scan


def run_cli(argv: list[str]) -> tuple[int | None, str, str, str | None]:
    """(exit code, stdout, stderr, traceback of an exception that escaped main)."""
    out, err = io.StringIO(), io.StringIO()
    code, exc = None, None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(argv))
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Exception:
            exc = traceback.format_exc()
    return code, out.getvalue(), err.getvalue(), exc


def _snapshot(root: Path) -> set[tuple[str, int]]:
    """Every path under root with its size and mtime (what a write would change)."""
    out = set()
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            st = os.lstat(os.path.join(d, n))
            out.add((os.path.join(d, n), st.st_size * 10**12 + st.st_mtime_ns % 10**12))
    return out


def run_case(case: Case, root: Path, shell: Shell, progress=lambda argv: None
             ) -> dict[str, Any]:
    case.write(root)
    os.chdir(root)
    findings: list[tuple[list[str], Finding]] = []
    outcomes: dict[str, str] = {}
    docs: dict[str, Any] = {}
    for argv in case.commands:
        progress(argv)
        name = command_name(argv)
        before = _snapshot(root)
        code, out, err, exc = run_cli(argv)
        outcomes[name] = "crash" if exc is not None else str(code)
        found = check_result(argv, code, out, err, exc)
        if code == 0 and argv[0] == "generate":
            found += check_context(root / argv[argv.index("-o") + 1], root, argv[1], shell)
        elif code == 0 and argv[0] == "ci":
            for wf in sorted((root / "wf").glob("*.yml")):
                found += check_workflow(wf, shell)
            found += check_treefile_inside(root / argv[2])
        elif code == 0 and argv[0] == "rebase":
            for line in out.splitlines():  # a command, then layerkit's own `   # why`
                found += [Finding("shell-injection", f"rebase output: {p}", line[:300])
                          for p in shell_scan(line.split("   # ")[0])[1]]
        elif code and (changed := _snapshot(root) ^ before):
            found.append(Finding("written-on-failure", "", ", ".join(sorted(
                p for p, _ in changed))[:300]))
        if code == 2:
            found += check_error_keys(root, err.splitlines(), docs)
        for canary in (root / "PWNED", Path("/tmp/PWNED")):
            if canary.exists() or canary.is_symlink():
                found.append(Finding("canary", "", str(canary)))
                canary.unlink()
        findings += [(argv, f) for f in found]
        for sub in ("out", "wf"):
            shutil.rmtree(root / sub, ignore_errors=True)
    return {"outcomes": outcomes, "mutated": bool(case.mutations),
            "findings": [{"argv": a, "cls": f.cls, "detail": f.detail, "excerpt": f.excerpt}
                         for a, f in findings]}
