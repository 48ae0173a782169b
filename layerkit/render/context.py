"""A build context as data: the Containerfile and the files it copies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ContextFile:
    rel: str  # path inside the build context
    mode: int
    content: bytes | None = None
    src: Path | None = None  # copied from here when content is None
    link: str | None = None  # a symbolic link to this target instead (a masked unit)


@dataclass(frozen=True)
class Context:
    containerfile: str
    files: tuple[ContextFile, ...]
    copy_layers: tuple[str, ...]  # recipes with a COPY layer, in order
