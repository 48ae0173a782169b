"""The one way layerkit runs another program: argv lists only, errors that say what to do."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import tools
from ..errors import ExitCode, LayerkitError

INSTALL_HINTS = {
    "buildah": "apt-get install buildah (Debian/Ubuntu) or dnf install buildah (Fedora)",
    "skopeo": "apt-get install skopeo (Debian/Ubuntu) or dnf install skopeo (Fedora)",
    "git": "apt-get install git",
    "rpm-ostree": "run on Fedora/CentOS (rpm-ostree is not packaged elsewhere)",
}

Argv = Sequence[str | os.PathLike]


def _prepare(cmd: Argv, suffix: str = "") -> list[str]:
    """argv as strings; a missing program is one clear line; debug shows the command."""
    argv = [os.fspath(c) for c in cmd]
    if shutil.which(argv[0]) is None:
        hint = INSTALL_HINTS.get(argv[0], f"install {argv[0]}")
        raise LayerkitError(f"{argv[0]} not found: {hint}", ExitCode.BAD_INPUT)
    if tools.DEBUG:
        print("+ " + shlex.join(argv) + suffix, file=sys.stderr)
    return argv


def run(cmd: Argv, *, check: bool = True,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run argv (never a shell string), stdout and stderr captured. With check, a
    non-zero exit is a LayerkitError (FAILED) quoting stderr's last line."""
    argv = _prepare(cmd)
    proc = subprocess.run(argv, capture_output=True, env=env, check=False)
    if check and proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip()
        last = err.splitlines()[-1] if err else f"exit status {proc.returncode}"
        raise LayerkitError(f"{shlex.join(argv[:3])} … failed: {last}", ExitCode.FAILED)
    return proc


def stream(cmd: Argv, log_path: Path, on_line: Callable[[str], None] | None = None) -> int:
    """Run argv, appending its combined output to `log_path`, calling on_line per line."""
    argv = _prepare(cmd)
    with open(log_path, "ab") as log, subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as proc:
        assert proc.stdout is not None
        for raw in proc.stdout:
            log.write(raw)
            if on_line is not None:
                on_line(raw.decode(errors="replace").rstrip("\n"))
        return proc.wait()


def start(cmd: Argv, log_path: Path) -> subprocess.Popen:
    """Start a long-running helper (a registry) in the background, output to a log."""
    argv = _prepare(cmd, " &")
    log = open(log_path, "ab")
    return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)


def has(program: str) -> bool:
    return shutil.which(program) is not None
