"""Replaying layer tars: what a stack of layers leaves on top of its base, path by path,
with overlay whiteouts (`.wh.NAME` deletes NAME, `.wh..wh..opq` empties a directory)."""

from __future__ import annotations

import tarfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

WHITEOUT, OPAQUE = ".wh.", ".wh..wh..opq"


@dataclass
class Entry:
    source: int  # index of the layer it came from
    info: tarfile.TarInfo


@dataclass
class State:
    """What the replayed layers leave, path by path (paths relative, no leading slash)."""

    entries: dict[str, Entry] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    opaque: set[str] = field(default_factory=set)


def clean(name: str) -> str:
    return name.lstrip("./").lstrip("/").rstrip("/") if name not in (".", "./") else ""


def apply_layer(state: State, index: int, tar: tarfile.TarFile) -> None:
    for m in tar.getmembers():
        name = clean(m.name)
        if not name:
            continue
        parent, base = str(PurePosixPath(name).parent), PurePosixPath(name).name
        parent = "" if parent == "." else parent
        if base == OPAQUE:
            _drop_under(state, parent, index, keep_self=True)
            state.opaque.add(parent)
        elif base.startswith(WHITEOUT):
            path = f"{parent}/{base[len(WHITEOUT):]}".lstrip("/")
            _drop_under(state, path, index)
            state.deleted.add(path)
        else:
            state.entries[name] = Entry(index, m)


def _drop_under(state: State, path: str, index: int, keep_self: bool = False) -> None:
    prefix = path + "/" if path else ""
    for name in [n for n, e in state.entries.items() if e.source < index and
                 (n.startswith(prefix) or (n == path and not keep_self))]:
        del state.entries[name]


def whiteout(path: str) -> str:
    """The whiteout entry that deletes `path`."""
    p = PurePosixPath(path)
    return str(p.parent / f"{WHITEOUT}{p.name}").lstrip("./") if str(p.parent) != "." \
        else f"{WHITEOUT}{p.name}"
