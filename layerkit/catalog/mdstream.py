"""Byte streams of repository metadata: decompression by magic number, one-line errors,
and a pause of the garbage collector while millions of objects are built.

gzip, xz and bzip2 come with Python; zstd (createrepo_c >= 1.0's default, so newer
Fedora repositories) needs Python 3.14's `compression.zstd` or the `backports.zstd`
package, the same API; zchunk (.zck) is refused: repomd.xml always lists a plain variant.
"""

from __future__ import annotations

import bz2
import gc
import gzip
import importlib
import io
import lzma
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from ..errors import ExitCode, LayerkitError


class ByteStream(Protocol):
    """What the parsers read from: a binary file, an HTTP response, a decompressor."""

    def read(self, size: int = -1, /) -> bytes: ...


class RepoError(LayerkitError):
    """Reading repository metadata failed; the message is one line naming the file.
    Bad or missing metadata is the user's input (exit 2); an unreachable server is a
    failure (exit 1)."""

    def __init__(self, message: str, code: ExitCode = ExitCode.BAD_INPUT):
        super().__init__(message, code)


def _zstd() -> Any:
    """The zstd module: the standard library's from 3.14, else backports.zstd, else None."""
    for name in ("compression.zstd", "backports.zstd"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


_ZSTD = _zstd()
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"\xfd7zXZ\x00", "xz"), (b"BZh", "bzip2"),
          (b"\x28\xb5\x2f\xfd", "zstd"), (b"\x00ZCK1", "zchunk"))


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


def decompressed(fileobj: ByteStream, label: str) -> ByteStream:
    """`fileobj` decompressed according to its first bytes (plain XML passes through)."""
    head = fileobj.read(6)
    stream = io.BufferedReader(_Prefixed(head, fileobj), 1 << 16)
    kind = next((k for magic, k in _MAGIC if head.startswith(magic)), None)
    if kind == "gzip":
        return gzip.GzipFile(fileobj=stream, mode="rb")
    if kind == "xz":
        return lzma.LZMAFile(stream)
    if kind == "bzip2":
        return bz2.BZ2File(stream)
    if kind == "zstd":
        if _ZSTD is None:
            raise RepoError(f"{label}: zstd-compressed; needs Python 3.14 or the "
                            "backports.zstd package")
        zstd_file: ByteStream = _ZSTD.ZstdFile(stream)
        return zstd_file
    if kind == "zchunk":
        raise RepoError(f"{label}: zchunk is not supported; use the plain entry of repomd.xml")
    return stream


def failure(label: str, e: BaseException) -> RepoError:
    """The one-line RepoError for an exception met while reading `label`."""
    if isinstance(e, ET.ParseError):
        line, col = e.position
        return RepoError(f"{label}: malformed XML at line {line}, column {col}")
    if isinstance(e, EOFError):
        return RepoError(f"{label}: truncated (compressed data ends early)")
    return RepoError(f"{label}: unreadable: {e}")


# What reading bad or cut data raises (gzip.BadGzipFile is an OSError).
ERRORS: tuple[type[BaseException], ...] = (
    ET.ParseError, EOFError, OSError, lzma.LZMAError, ValueError,
    *((_ZSTD.ZstdError,) if _ZSTD is not None else ()))


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: reading builds ~1M objects with no cycles, and
    each collection walks all of them (15-20% of the time at 100k packages)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
