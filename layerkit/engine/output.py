"""Writing output files all or nothing."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import ExitCode, LayerkitError


def write_atomic(path: Path, text: str) -> None:
    """Write beside `path`, then rename over it: readers see the old file or the new one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as e:
        raise LayerkitError(f"{path}: cannot write: {e.strerror}", ExitCode.FAILED) from None
