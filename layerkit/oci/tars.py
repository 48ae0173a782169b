"""Reproducible layer tars: the same files give the same bytes (entries sorted by path,
mtimes clamped, owners by number only, PAX xattrs kept, gzip without a timestamp at a
fixed level)."""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import tarfile
from pathlib import Path

from .layout import LAYER_GZIP, Blob, Layout
from .pgzip import ParallelGzip

# 3: within ~5% of level 6's size on binaries at twice its speed
GZIP_LEVEL = 3


def normalized(info: tarfile.TarInfo, mtime_max: int) -> tarfile.TarInfo:
    """A copy of a tar header with the parts that vary between builds fixed."""
    out = tarfile.TarInfo(info.name)
    out.type, out.mode, out.uid, out.gid = info.type, info.mode & 0o7777, info.uid, info.gid
    out.size = info.size if info.isreg() else 0
    out.linkname = info.linkname
    out.devmajor, out.devminor = info.devmajor, info.devminor
    out.mtime = min(int(info.mtime), mtime_max)
    out.uname = out.gname = ""
    # keep xattrs and long names; drop times other than mtime
    out.pax_headers = {k: v for k, v in info.pax_headers.items()
                       if k.startswith("SCHILY.xattr.") or k in ("path", "linkpath")}
    return out


class _Tee:
    """A write-only stream that hashes what passes through."""

    def __init__(self, sink, digest):
        self.sink, self.digest = sink, digest

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.sink.write(data)

    def flush(self) -> None:
        self.sink.flush()


class LayerWriter:
    """Writes one reproducible layer straight into a gzip blob, hashing both sides on the
    way (no uncompressed copy on disk), compressed on every core (pgzip.py). Entries must
    be added in sorted path order. Different layers can be written from different
    threads: zlib and hashlib release the GIL."""

    def __init__(self, path: Path):
        self.path = path.with_suffix(".gz")
        self.raw = open(self.path, "wb")
        self.compressed, self.uncompressed = hashlib.sha256(), hashlib.sha256()
        self.gz = ParallelGzip(_Tee(self.raw, self.compressed), GZIP_LEVEL)
        self.tar = tarfile.open(fileobj=_Tee(self.gz, self.uncompressed), mode="w|",
                                format=tarfile.PAX_FORMAT, bufsize=1 << 20)
        self.tar.copybufsize = 1 << 20  # tarfile's default 16 kB chunks cost ~20% here

    def add(self, info: tarfile.TarInfo, data: io.BufferedIOBase | None = None) -> None:
        self.tar.addfile(info, data)

    def finish(self, layout: Layout) -> tuple[Blob, str]:
        """(compressed blob in the layout, diff_id of the uncompressed tar)."""
        self.tar.close()
        self.gz.close()
        self.raw.close()
        digest = "sha256:" + self.compressed.hexdigest()
        size = self.path.stat().st_size
        target = layout.path(digest)
        if target.exists():
            self.path.unlink()
        else:
            self.path.replace(target)
        return Blob(digest, size, LAYER_GZIP), "sha256:" + self.uncompressed.hexdigest()


def gzip_file(tar_path: Path, dest: Path) -> None:
    """gzip reproducibly: no name, no timestamp, a fixed level (written whole, then
    renamed, so a cache never holds half a file)."""
    partial = dest.with_name(dest.name + ".part")
    with open(tar_path, "rb") as src, open(partial, "wb") as dst, \
            gzip.GzipFile(filename="", mode="wb", fileobj=dst, mtime=0,
                          compresslevel=GZIP_LEVEL) as gz:
        shutil.copyfileobj(src, gz, 1 << 20)
    partial.replace(dest)
