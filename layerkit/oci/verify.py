"""The re-chunk check: the new layers must leave exactly what the original custom layers
left — every path, type, mode, owner, content hash, link target, xattr and deletion
(mtimes are normalised, as ostree does)."""

from __future__ import annotations

import hashlib
import tarfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import ExitCode, LayerkitError
from .replay import State, apply_layer


def fingerprint(info: tarfile.TarInfo, data: bytes | None) -> tuple:
    xattrs = tuple(sorted((k, v) for k, v in info.pax_headers.items()
                          if k.startswith("SCHILY.xattr.")))
    kind = "file" if info.isreg() or info.islnk() else info.type
    return (kind, info.mode & 0o7777, info.uid, info.gid,
            hashlib.sha256(data).hexdigest() if data is not None else None,
            info.linkname if info.issym() else "", xattrs)


def snapshot(state: State, tars: list[tarfile.TarFile]) -> dict[str, tuple]:
    out = {}
    for name, e in state.entries.items():
        tar = tars[e.source]
        data = None
        if e.info.isreg() or e.info.islnk():
            f = tar.extractfile(e.info)
            data = f.read() if f else b""
        out[name] = fingerprint(e.info, data)
    return out


def verify(original: State, original_tars: list[tarfile.TarFile],
           layer_tars: list[Path]) -> None:
    """Raise (FAILED) when the gzipped layer tars do not reproduce `original`."""
    state, opened = State(), []
    try:
        for i, path in enumerate(layer_tars):
            opened.append(tarfile.open(path, "r:gz"))
            apply_layer(state, i, opened[i])
        if state.deleted != original.deleted or state.opaque != original.opaque:
            raise LayerkitError("re-chunk check failed: deletions differ", ExitCode.FAILED)
        with ThreadPoolExecutor(max_workers=2) as pool:  # hashing releases the GIL
            new = pool.submit(snapshot, state, opened)
            theirs = snapshot(original, original_tars)
            mine = new.result()
        if mine != theirs:
            bad = sorted(p for p in set(mine) | set(theirs) if mine.get(p) != theirs.get(p))
            first = bad[0]
            raise LayerkitError(f"re-chunk check failed: {len(bad)} paths differ, e.g. "
                                f"{first}: {theirs.get(first)} became {mine.get(first)}",
                                ExitCode.FAILED)
    finally:
        for t in opened:
            t.close()
