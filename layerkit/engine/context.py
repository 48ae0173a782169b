"""Writing a rendered build context to disk, all or nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import ExitCode, LayerkitError
from ..render.containerfile import Context

# marks a directory as a context layerkit wrote, which it may replace
MARKER = ".layerkit-context"


def write_context(ctx: Context, out_dir: Path) -> None:
    """Write the context into a new directory beside `out_dir`, then swap it in: a failure
    leaves `out_dir` as it was, and a directory layerkit did not write is never replaced."""
    if out_dir.exists() or out_dir.is_symlink():
        if not out_dir.is_dir() or out_dir.is_symlink():
            raise LayerkitError(f"{out_dir}: exists and is not a directory")
        if any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
            raise LayerkitError(f"{out_dir}: not empty and not a build context layerkit "
                                f"wrote (no {MARKER}): give a new or empty directory")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    except OSError as e:
        raise LayerkitError(f"{out_dir}: cannot write here: {e.strerror}",
                            ExitCode.FAILED) from None
    try:
        _write(ctx, tmp)
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
            out_dir.rename(old / "context")
            tmp.rename(out_dir)
            shutil.rmtree(old)
        else:
            tmp.rename(out_dir)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise LayerkitError(f"{out_dir}: cannot write the context: {e}", ExitCode.FAILED) \
            from None


def _write(ctx: Context, root: Path) -> None:
    root.chmod(0o755)
    for f in ctx.files:
        path = root / f.rel
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
        if f.link is not None:
            os.symlink(f.link, path)
            os.utime(path, (0, 0), follow_symlinks=False)
            continue
        if f.content is not None:
            path.write_bytes(f.content)
        else:
            shutil.copyfile(os.fspath(f.src), path)  # type: ignore[arg-type]
        path.chmod(f.mode)
        # buildah COPY keeps mtimes; a fixed one keeps layers reproducible
        os.utime(path, (0, 0))
    for sub in ("files", "scripts"):
        for d in sorted((root / sub).rglob("*"), reverse=True) if (root / sub).exists() else []:
            if d.is_dir():
                d.chmod(0o755)
                os.utime(d, (0, 0))
    (root / "Containerfile").write_text(ctx.containerfile, encoding="utf-8")
    (root / MARKER).write_text("written by layerkit, which replaces this directory whole\n")
