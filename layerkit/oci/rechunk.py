"""Re-chunk a built image: the base's layers byte for byte, then what the custom layers
add, change or delete, regrouped into content-addressed layers by the independent plan
(docs/rechunk.md). Unchanged content gives byte-identical layers."""

from __future__ import annotations

import os
import shutil
import tarfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ExitCode, LayerkitError
from ..render.label import MAX_FILES, PLAN_LABEL, LabelLayer, LayerKind, read_label
from ..tools import skopeo
from ..tools.buildah import Isolation
from ..tools.rpm import rpm_view
from .base_layers import base_blobs
from .chunks import RPMDB_PLACES, STATE, UNOWNED, Chunk, file_map, group, owner, write_chunk
from .compressed import decompressed, file_kind
from .imageconfig import rechunked_config
from .layout import Blob, Layout
from .replay import State, apply_layer
from .tars import LayerWriter
from .verify import verify


@dataclass
class RechunkResult:
    chunks: list[Chunk]
    packages: list[list[str]]  # per chunk
    base_layers: int
    custom_bytes: int
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what fell back, and what it costs

    def to_json(self) -> dict:
        return {"layers": [{"index": i, "kind": c.kind.value, "recipes": list(c.recipes),
                            "packages": pkgs, "units": list(c.owners),
                            "plan_index": c.plan_index, "plan_units": list(c.components)}
                           for i, (c, pkgs) in enumerate(zip(self.chunks, self.packages,
                                                             strict=True))],
                "base_layers": self.base_layers, "seconds": self.seconds,
                "custom_bytes": self.custom_bytes}


def rechunk(src_ref: str, dest_ref: str, work: Path,
            plan_layers: Sequence[LabelLayer] | None,
            isolation: Isolation = Isolation.CHROOT, tls_verify: bool = True,
            mtime_max: int = 0, base_ref: str | None = None,
            predicted: int | None = None, whole: bool = False) -> RechunkResult:
    """Write the re-chunked image of src_ref to dest_ref. plan_layers: the package
    layers to group by (None: the image's own RUN layers). base_ref: where the base's
    compressed layers can be read (see base_layers). predicted: the independent plan's
    bytes per update, for the label (what `diff` compares with). whole: every layer is
    re-chunked, the base's too (any image with rpm; files no package owns outside /etc
    and /var get an `unowned` layer of their own)."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    src = Layout(work / "src")
    timer = _Timer()
    # local storage hands out plain tars: gzipping them on export only to unpack them again
    # cost 12% of a whole re-chunk (docs/scale.md); the base's compressed blobs are read
    # from here only without base_ref (see base_layers), and a whole re-chunk has none
    plain = whole or base_ref is not None
    skopeo.copy(_transport(src_ref), f"oci:{src.root}:src", tls_verify, preserve=not plain,
                uncompressed=plain)
    timer.lap("export")
    manifest, config = src.manifest()
    label = read_label((config.get("config") or {}).get("Labels") or {}, src_ref)
    if whole:
        built = [LabelLayer(i, LayerKind.PACKAGES) for i in range(len(manifest["layers"]))]
    elif label is None or not label.layers:
        raise LayerkitError(f"{src_ref}: no {PLAN_LABEL} label: only images built by "
                            "layerkit can be re-chunked (or pass --whole)", ExitCode.BAD_INPUT)
    else:
        built = list(label.layers)
    n_base = len(manifest["layers"]) - len(built)
    tars, state = [], State()
    for i, desc in enumerate(manifest["layers"][n_base:]):
        blob = src.path(desc["digest"])
        if file_kind(blob):
            blob = work / f"custom-{i}.tar"  # random access needs the plain tar
            _unpack_blob(src.path(desc["digest"]), blob)
        tars.append(tarfile.open(blob))
        apply_layer(state, i, tars[i])
    view = rpm_view(src_ref, isolation)
    files_layers = {i: la.recipes[0] for i, la in enumerate(built)
                    if la.kind is LayerKind.FILES and la.recipes}
    rpmdb = (view.dbpath, *RPMDB_PLACES) if view.dbpath else RPMDB_PLACES
    unowned = UNOWNED if whole else STATE
    owner_of = {p: owner(p, view.owners, files_layers, e.source, rpmdb, unowned)
                for p, e in state.entries.items()}
    chunks, where = group(owner_of, state, built, plan_layers)
    out = Layout(work / "out")
    out.init()
    tar_paths = [t.name for t in tars]

    def write(c: int) -> tuple[Blob, str]:
        mine = [tarfile.open(p) for p in tar_paths]  # each thread its own file handles
        try:
            writer = LayerWriter(work / f"layer-{c}.tar")
            write_chunk(writer, sorted(p for p, k in where.items() if k == c), state, mine,
                        c == 0, mtime_max)
            return writer.finish(out)
        finally:
            for t in mine:
                t.close()

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        written = list(pool.map(write, range(len(chunks))))
    blobs, diff_ids = [b for b, _ in written], [d for _, d in written]
    bases, note = base_blobs(src, out, manifest, config, n_base, base_ref if n_base else None,
                             tls_verify, work)
    packages = [sorted(o[4:] for o in c.owners if o.startswith("pkg:")) for c in chunks]
    volatile = file_map(sorted(p for p, k in where.items() if k == 0), state, tars, MAX_FILES)
    out.write_image(rechunked_config(config, n_base, diff_ids, chunks, packages, src_ref,
                                     predicted, volatile), bases + blobs, "rechunked")
    timer.lap("regroup")
    verify(state, tars, [out.path(b.digest) for b in blobs])
    timer.lap("verify")
    for t in tars:
        t.close()
    dest = _transport(dest_ref, push=True)
    skopeo.copy(f"oci:{out.root}:rechunked", dest, tls_verify,
                preserve=not dest.startswith("containers-storage:"))
    timer.lap("write")
    custom = sum(e.info.size for e in state.entries.values() if e.info.isreg())
    return RechunkResult(chunks, packages, n_base, custom, timer.laps,
                         [note] if note else [])


class _Timer:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.last = time.monotonic()

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.laps[name] = round(now - self.last, 3)
        self.last = now


def _unpack_blob(blob: Path, dest: Path) -> None:
    """A compressed layer blob as a plain tar file."""
    with open(blob, "rb") as packed, open(dest, "wb") as out:
        shutil.copyfileobj(decompressed(packed, f"layer {blob.name}"), out, 1 << 20)


def _transport(ref: str, push: bool = False) -> str:
    """Bare references: pushed to a registry, read from local storage."""
    return skopeo.normalize(ref, "docker://" if push else "containers-storage:")
