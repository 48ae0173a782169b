"""The base's layer blobs for a re-chunked image, byte for byte as a registry push of the
base gives them, so plain and re-chunked images share them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from ..errors import RegistryError
from ..tools import skopeo
from .compressed import file_kind
from .layout import LAYER_GZIP, Blob, Layout
from .tars import gzip_file


def cache_dir() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "layerkit"
    cache.mkdir(parents=True, exist_ok=True)
    return cache


def base_blobs(src: Layout, out: Layout, manifest: dict, config: dict, n_base: int,
               base_ref: str | None, tls_verify: bool, work: Path) -> tuple[list[Blob],
                                                                             str | None]:
    """(blobs, note). From the base's registry when it has one; for a base only in local
    storage, compressed once per machine by skopeo (containers/image, as buildah push
    does); else gzipped here, reproducibly — the note then says why and what it costs."""
    want = config["rootfs"]["diff_ids"][:n_base]
    note = None
    if base_ref:
        try:
            blobs = _from_skopeo(out, base_ref, want, tls_verify, work)
            if blobs is not None:
                return blobs, None
            note = f"{base_ref} is not the base of this image"
        except RegistryError as e:
            note = f"cannot read the base {base_ref} ({e})"
    blobs = []
    cache = cache_dir()
    for desc, diff_id in zip(manifest["layers"][:n_base], want, strict=True):
        if file_kind(src.path(desc["digest"])) == "gzip":
            shutil.copyfile(src.path(desc["digest"]), out.path(desc["digest"]))
            blobs.append(Blob(desc["digest"], desc["size"], desc["mediaType"]))
            continue
        cached = cache / f"layer-{diff_id.removeprefix('sha256:')}.gz"
        if not cached.exists():
            gzip_file(src.path(desc["digest"]), cached)
        blobs.append(out.put_file(cached, LAYER_GZIP))
    if note:
        note += ": base layers compressed here; their digests may differ from the base's " \
                "in your registry, and clients then download the base once more"
    return blobs, note


def _from_skopeo(out: Layout, base_ref: str, want: list[str], tls_verify: bool,
                 work: Path) -> list[Blob] | None:
    local = base_ref.startswith("localhost/")
    key = hashlib.sha256("".join(want).encode()).hexdigest()[:16]
    where = cache_dir() / f"base-{key}" if local else work / "base"
    if not (where / "manifest.json").exists():
        shutil.rmtree(where, ignore_errors=True)
        source = f"containers-storage:{base_ref}" if local else f"docker://{base_ref}"
        skopeo.skopeo(["copy", "--dest-compress", source, f"dir:{where}"], base_ref,
                      tls_verify)
    bm = json.loads((where / "manifest.json").read_text())
    bc = json.loads((where / bm["config"]["digest"].removeprefix("sha256:")).read_bytes())
    if bc["rootfs"]["diff_ids"] != want:
        return None
    blobs = []
    for d in bm["layers"]:
        shutil.copyfile(where / d["digest"].removeprefix("sha256:"), out.path(d["digest"]))
        media = d["mediaType"].replace("vnd.docker.image.rootfs.diff.tar.gzip",
                                       "vnd.oci.image.layer.v1.tar+gzip")
        blobs.append(Blob(d["digest"], d["size"], media))
    return blobs
