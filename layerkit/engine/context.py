"""Writing a rendered build context to disk."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..render.containerfile import Context


def write_context(ctx: Context, out_dir: Path) -> None:
    """Write the context; files no longer generated are removed so COPY sees no strays."""
    for sub in ("files", "scripts"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    for f in ctx.files:
        path = out_dir / f.rel
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
        if f.content is not None:
            path.write_bytes(f.content)
        else:
            shutil.copyfile(os.fspath(f.src), path)  # type: ignore[arg-type]
        path.chmod(f.mode)
        # buildah COPY keeps mtimes; a fixed one keeps layers reproducible
        os.utime(path, (0, 0))
    for sub in ("files", "scripts"):
        tree = sorted((out_dir / sub).rglob("*"), reverse=True) if (out_dir / sub).exists() else []
        for d in tree:
            if d.is_dir():
                d.chmod(0o755)
                os.utime(d, (0, 0))
    (out_dir / "Containerfile").write_text(ctx.containerfile, encoding="utf-8")
