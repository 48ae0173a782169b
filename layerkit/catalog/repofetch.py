"""Locate and open a repository's metadata files; the parsing is repodata.py's.

A repository base is a local directory, a file:// URL or an http(s):// URL: the folder
holding `repodata/repomd.xml`. Files are opened as binary streams (HTTP responses are not
read into memory) and checked against the checksum repomd.xml states once fully read:
a mirror caught between two syncs serves a repomd.xml that does not match its primary.
"""

from __future__ import annotations

import hashlib
import io
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import IO

from ..errors import ExitCode
from .mdstream import RepoError
from .repodata import MetadataFile, Primary, load_primary, parse_repomd
from .updateinfo import UpdateInfo, parse_updateinfo

TIMEOUT = 60.0  # seconds without data before an HTTP read gives up


def _is_url(base: str) -> bool:
    return urllib.parse.urlsplit(base).scheme in ("http", "https", "file")


def join(base: str, href: str) -> str:
    """The location of `href` (relative to the repository base) as a path or URL."""
    if _is_url(base):
        return urllib.parse.urljoin(base.rstrip("/") + "/", href)
    return os.path.join(base, href)


def open_location(location: str) -> IO[bytes]:
    """A binary stream of a local path or URL; RepoError (one line) when unavailable."""
    try:
        if _is_url(location):
            req = urllib.request.Request(location, headers={"User-Agent": "layerkit"})
            response: IO[bytes] = urllib.request.urlopen(req, timeout=TIMEOUT)
            return response
        return open(location, "rb")
    except urllib.error.HTTPError as e:  # 4xx: the address is wrong; 5xx: the server failed
        raise RepoError(f"{location}: HTTP {e.code} {e.reason}",
                        ExitCode.BAD_INPUT if e.code < 500 else ExitCode.FAILED) from None
    except urllib.error.URLError as e:
        raise RepoError(f"{location}: cannot fetch: {e.reason}", ExitCode.FAILED) from None
    except TimeoutError:
        raise RepoError(f"{location}: no answer in {TIMEOUT:g} s", ExitCode.FAILED) from None
    except FileNotFoundError:
        raise RepoError(f"{location}: no such file") from None
    except OSError as e:
        raise RepoError(f"{location}: cannot read: {e.strerror or e}") from None


def _hash_name(checksum_type: str) -> str:
    """hashlib's name for a repomd checksum type ("sha" is the old name of sha1)."""
    return {"sha": "sha1"}.get(checksum_type, checksum_type)


class _Checked(io.RawIOBase):
    """Hashes what is read through it; `verify()` reads the rest and compares."""

    def __init__(self, raw: IO[bytes], meta: MetadataFile, label: str) -> None:
        self._raw, self._label, self._meta = raw, label, meta
        self._hash = hashlib.new(_hash_name(meta.checksum_type))

    def readable(self) -> bool:
        return True

    def readinto(self, buf: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buf))
        self._hash.update(data)
        buf[: len(data)] = data
        return len(data)

    def verify(self) -> None:
        """Raise RepoError when the bytes do not have the checksum repomd.xml states."""
        while data := self._raw.read(1 << 16):  # a parser may stop before a trailer
            self._hash.update(data)
        got = self._hash.hexdigest()
        if got != self._meta.checksum.lower():
            raise RepoError(f"{self._label}: {self._meta.checksum_type} is {got}, repomd.xml "
                            f"says {self._meta.checksum} (a mirror in mid-sync?)")

    def close(self) -> None:
        self._raw.close()
        super().close()


def fetch_repomd(base: str) -> dict[str, MetadataFile]:
    """repomd.xml of the repository at `base`, parsed."""
    location = join(base, "repodata/repomd.xml")
    with open_location(location) as f:
        return parse_repomd(f, location)


def open_metadata(base: str, meta: MetadataFile) -> tuple[str, _Checked | IO[bytes]]:
    """(label, stream) of one metadata file; the stream is checked when repomd.xml gives a
    checksum hashlib knows (call `.verify()` on it after parsing)."""
    location = join(meta.base or base, meta.href)
    raw = open_location(location)
    try:
        hashlib.new(_hash_name(meta.checksum_type))
    except (ValueError, TypeError):
        return location, raw
    return location, _Checked(raw, meta, location)


@dataclass
class RepoMetadata:
    """What one repository says: packages and, when it has updateinfo, update dates."""

    base: str
    primary: Primary
    updateinfo: UpdateInfo | None


def load_repo(base: str, arches: list[str] | None = None, verify: bool = True) -> RepoMetadata:
    """Fetch repomd.xml, stream primary (and updateinfo when listed) and parse them."""
    files = fetch_repomd(base)
    if "primary" not in files:
        raise RepoError(f"{join(base, 'repodata/repomd.xml')}: lists no primary metadata")
    label, stream = open_metadata(base, files["primary"])
    with stream:
        primary = load_primary(stream, label, arches)
        if verify and isinstance(stream, _Checked):
            stream.verify()
    updates = None
    if "updateinfo" in files:
        label, stream = open_metadata(base, files["updateinfo"])
        with stream:
            updates = parse_updateinfo(stream, label)
            if verify and isinstance(stream, _Checked):
                stream.verify()
    return RepoMetadata(base, primary, updates)
