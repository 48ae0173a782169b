"""Compressed byte streams, told apart by their first bytes: layer blobs (skopeo can
keep a +gzip media type on a plain tar) and repository metadata alike.

gzip, xz and bzip2 come with Python; zstd (zstd layers; createrepo_c >= 1.0's default)
needs Python 3.14's `compression.zstd` or the `backports.zstd` package, the same API;
zchunk (.zck) is refused: repomd.xml always lists a plain variant.
"""

from __future__ import annotations

import bz2
import gzip
import importlib
import io
import lzma
from pathlib import Path
from typing import Any, Protocol

from ..errors import LayerkitError


class ByteStream(Protocol):
    """What readers read from: a binary file, an HTTP response, a decompressor."""

    def read(self, size: int = -1, /) -> bytes: ...


def _zstd() -> Any:
    """The zstd module: the standard library's from 3.14, else backports.zstd, else None."""
    for name in ("compression.zstd", "backports.zstd"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


ZSTD = _zstd()
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"\xfd7zXZ\x00", "xz"), (b"BZh", "bzip2"),
          (b"\x28\xb5\x2f\xfd", "zstd"), (b"\x00ZCK1", "zchunk"))


def kind(head: bytes) -> str | None:
    """"gzip", "xz", "bzip2", "zstd", "zchunk" or None (not compressed)."""
    return next((k for magic, k in _MAGIC if head.startswith(magic)), None)


def file_kind(path: Path) -> str | None:
    with open(path, "rb") as f:
        return kind(f.read(6))


class _Prefixed(io.RawIOBase):
    """Bytes already read, then the rest of a stream (to sniff a magic number)."""

    def __init__(self, head: bytes, rest: ByteStream) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buf: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buf), len(self._head))
            buf[:n], self._head = self._head[:n], self._head[n:]
            return n
        data = self._rest.read(len(buf))
        buf[: len(data)] = data
        return len(data)


def decompressed(fileobj: ByteStream, label: str,
                 error: type[LayerkitError] = LayerkitError) -> ByteStream:
    """`fileobj` decompressed according to its first bytes (plain data passes through);
    `error` naming `label` when the compression cannot be read here."""
    head = fileobj.read(6)
    stream = io.BufferedReader(_Prefixed(head, fileobj), 1 << 16)
    found = kind(head)
    if found == "gzip":
        return gzip.GzipFile(fileobj=stream, mode="rb")
    if found == "xz":
        return lzma.LZMAFile(stream)
    if found == "bzip2":
        return bz2.BZ2File(stream)
    if found == "zstd":
        if ZSTD is None:
            raise error(f"{label}: zstd-compressed; needs Python 3.14 or the "
                        "backports.zstd package")
        zstd_file: ByteStream = ZSTD.ZstdFile(stream)
        return zstd_file
    if found == "zchunk":
        raise error(f"{label}: zchunk is not supported; use the plain entry of "
                    "repomd.xml")
    return stream
