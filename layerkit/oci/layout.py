"""OCI image layouts: read and write blobs, manifests and the index (the one writer of
layouts, for the product, the tests and the benchmarks)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import LayerkitError

LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
INDEX = "application/vnd.oci.image.index.v1+json"
REF_NAME = "org.opencontainers.image.ref.name"
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


@dataclass(frozen=True)
class Blob:
    digest: str
    size: int
    media_type: str = LAYER_GZIP


class Layout:
    """An OCI image layout directory (read and write)."""

    def __init__(self, root: Path):
        self.root = root
        self.blobs = root / "blobs" / "sha256"

    def init(self) -> None:
        self.blobs.mkdir(parents=True, exist_ok=True)
        (self.root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')

    def path(self, digest: str) -> Path:
        """A blob's file; the digest and where it resolves to are checked first, so it
        never leads elsewhere."""
        if not isinstance(digest, str) or not DIGEST.fullmatch(digest):
            raise LayerkitError(f"{self.root}: {digest!r} is not a sha256 digest")
        path = self.blobs / digest.removeprefix("sha256:")
        # a linked blob or blob folder could point anywhere: resolve it before any read
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise LayerkitError(f"{self.root}: blob {digest} links outside the layout")
        return path

    def read_json(self, digest: str) -> dict:
        path = self.path(digest)
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError, RecursionError) as e:
            raise LayerkitError(f"{self.root}: blob {digest}: cannot read it as JSON "
                                f"({type(e).__name__})") from None
        if not isinstance(data, dict):
            raise LayerkitError(f"{self.root}: blob {digest}: expected a JSON object")
        return data

    def put(self, data: bytes, media_type: str) -> Blob:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.write_bytes(data)
        return Blob(digest, len(data), media_type)

    def put_file(self, src: Path, media_type: str, move: bool = False) -> Blob:
        h = hashlib.sha256()
        with open(src, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        digest = "sha256:" + h.hexdigest()
        size = src.stat().st_size
        target = self.path(digest)
        if target.exists():
            if move:
                src.unlink()
        elif move:
            src.replace(target)
        else:
            shutil.copyfile(src, target)
        return Blob(digest, size, media_type)

    def manifest(self) -> tuple[dict, dict]:
        """The (first) image's manifest and config."""
        try:
            index = json.loads((self.root / "index.json").read_text())
            digest = index["manifests"][0]["digest"]
            manifest = self.read_json(digest)
            return manifest, self.read_json(manifest["config"]["digest"])
        except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
            raise LayerkitError(f"{self.root}: not an OCI image layout ({type(e).__name__}: "
                                f"{e})") from None

    def put_image(self, config: dict, layers: list[Blob],
                  annotations: dict | None = None) -> Blob:
        """Store an image's config and manifest; returns the manifest's blob."""
        cfg = self.put(_canonical(config), CONFIG)
        manifest = {"schemaVersion": 2, "mediaType": MANIFEST,
                    "config": {"mediaType": CONFIG, "digest": cfg.digest, "size": cfg.size},
                    "layers": [_descriptor(b) for b in layers]}
        if annotations:
            manifest["annotations"] = annotations
        return self.put(_canonical(manifest), MANIFEST)

    def put_index(self, images: list[tuple[Blob, dict]]) -> Blob:
        """Store a multi-platform index of (manifest blob, {"os", "architecture"})."""
        index = {"schemaVersion": 2, "mediaType": INDEX,
                 "manifests": [{**_descriptor(m), "platform": p} for m, p in images]}
        return self.put(_canonical(index), INDEX)

    def tag(self, blob: Blob, tag: str) -> None:
        """Point `tag` in index.json at a manifest or index (other tags stay)."""
        path = self.root / "index.json"
        index = json.loads(path.read_text()) if path.exists() else \
            {"schemaVersion": 2, "manifests": []}
        index["manifests"] = [d for d in index["manifests"] if d.get("annotations", {})
                              .get(REF_NAME) != tag]
        index["manifests"].append({**_descriptor(blob), "annotations": {REF_NAME: tag}})
        path.write_text(json.dumps(index))

    def write_image(self, config: dict, layers: list[Blob], tag: str,
                    annotations: dict | None = None) -> Blob:
        m = self.put_image(config, layers, annotations)
        self.tag(m, tag)
        return m


def _descriptor(blob: Blob) -> dict:
    return {"mediaType": blob.media_type, "digest": blob.digest, "size": blob.size}


def _canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
