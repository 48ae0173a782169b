"""Byte streams of repository metadata: one-line errors, and a pause of the garbage
collector while millions of objects are built. Decompression by magic number is
oci/compressed.py's, shared with re-chunking.
"""

from __future__ import annotations

import gc
import lzma
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import ExitCode, LayerkitError
from ..oci import compressed
from ..oci.compressed import ZSTD, ByteStream

__all__ = ["ERRORS", "ByteStream", "RepoError", "decompressed", "failure", "no_gc"]


class RepoError(LayerkitError):
    """Reading repository metadata failed; the message is one line naming the file.
    Bad or missing metadata is the user's input (exit 2); an unreachable server is a
    failure (exit 1)."""

    def __init__(self, message: str, code: ExitCode = ExitCode.BAD_INPUT):
        super().__init__(message, code)


def decompressed(fileobj: ByteStream, label: str) -> ByteStream:
    """`fileobj` decompressed by its first bytes (oci/compressed.py); RepoError when the
    compression cannot be read here."""
    return compressed.decompressed(fileobj, label, RepoError)


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
    *((ZSTD.ZstdError,) if ZSTD is not None else ()))


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
