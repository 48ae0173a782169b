"""Upgrade cost between two images: which layer blobs a client must download.

A client that has OLD fetches every layer blob of NEW whose digest OLD lacks (each digest
once). Everything is read from manifests and configs through skopeo; nothing is pulled.
"""

from __future__ import annotations

import platform as _platform
from dataclasses import dataclass
from pathlib import Path

from ..config.patterns import unpin
from ..errors import LayerkitError
from ..render.label import LayerKind, PlanLabel, read_label
from ..tools import skopeo
from ..tools.skopeo import normalize
from . import documents
from .layout import Layout

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class LayerInfo:
    digest: str
    size: int
    recipes: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    kind: LayerKind = LayerKind.BASE
    files: tuple[tuple[str, str], ...] | None = None  # a re-chunked volatile layer's


@dataclass(frozen=True)
class ImageInfo:
    ref: str
    digest: str
    layers: tuple[LayerInfo, ...]
    label: PlanLabel | None
    created: str = ""  # the config's creation time

    @property
    def size(self) -> int:
        return sum(la.size for la in self.layers)

    @property
    def predicted(self) -> int | None:
        return self.label.expected_bytes_per_update if self.label else None


def default_platform() -> str:
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(_platform.machine(), _platform.machine())
    return f"linux/{arch}"


def read_image(ref: str, tls_verify: bool = True, plat: str | None = None) -> ImageInfo:
    ref = normalize(ref)
    raw, digest = skopeo.raw_manifest(ref, tls_verify)
    manifest = documents.parse(raw, ref)
    config = None
    if documents.is_index(manifest):
        want = documents.platform(plat or default_platform())
        for child_digest, os_, arch in documents.index_entries(manifest, ref):
            if (os_, arch) == want:
                if ref.startswith("oci:"):
                    # a layout is a directory: read the platform's manifest and config
                    layout = Layout(Path(ref[4:].split(":", 1)[0]))
                    manifest, digest = layout.read_json(child_digest), child_digest
                    config = layout.read_json(documents.config_digest(manifest, ref))
                else:
                    child = _with_digest(ref, child_digest)
                    raw, digest = skopeo.raw_manifest(child, tls_verify)
                    manifest, ref = documents.parse(raw, child), child
                break
        else:
            raise LayerkitError(f"{ref}: no image for platform {'/'.join(want)} in the index")
    described = documents.manifest_layers(manifest, ref)
    config = config if config is not None else skopeo.config(ref, tls_verify)
    label = read_label(documents.config_labels(config, ref), ref)
    layers = [LayerInfo(d, size, packages=_components(notes)) for d, size, notes in described]
    return ImageInfo(ref, digest, tuple(_attribute(layers, label)), label,
                     str(config.get("created", "")))


def _with_digest(ref: str, digest: str) -> str:
    """docker://host/repo:tag -> docker://host/repo@digest (a platform's manifest)."""
    return f"{skopeo.split_ref(ref)[0]}@{digest}"


def _components(annotations: dict[str, str]) -> tuple[str, ...]:
    """Packages a layer holds, as re-chunkers annotate them: rpm-ostree writes
    `ostree.components` (comma-separated names), chunkah `org.chunkah.component`
    (space-separated `rpm/NAME`, plus its own units such as `chunkah/unclaimed`)."""
    names = [p for p in annotations.get("ostree.components", "").split(",") if p]
    names += [c.removeprefix("rpm/") for c in annotations.get("org.chunkah.component", "").split()]
    return tuple(sorted(set(names)))


def _attribute(layers: list[LayerInfo], label: PlanLabel | None) -> list[LayerInfo]:
    """Name recipes and packages of layerkit's layers (the top ones) from the plan label."""
    if label is None:
        return layers
    first = len(layers) - len(label.layers)
    if first < 0:
        return layers
    out = list(layers[:first])
    for la, meta in zip(layers[first:], label.layers, strict=True):
        out.append(LayerInfo(la.digest, la.size, meta.recipes, meta.packages, meta.kind,
                             meta.files))
    return out


@dataclass(frozen=True)
class Diff:
    old: ImageInfo
    new: ImageInfo

    @property
    def download(self) -> int:
        have = {la.digest for la in self.old.layers}
        seen, total = set(), 0
        for la in self.new.layers:
            if la.digest not in have and la.digest not in seen:
                total += la.size
            seen.add(la.digest)
        return total

    @property
    def removed(self) -> int:
        keep = {la.digest for la in self.new.layers}
        return sum(size for d, size in {la.digest: la.size for la in self.old.layers}.items()
                   if d not in keep)

    @property
    def new_size(self) -> int:
        return sum({la.digest: la.size for la in self.new.layers}.values())

    def status(self, la: LayerInfo) -> str:
        return "kept" if la.digest in {o.digest for o in self.old.layers} else "new"

    def package_changes(self, la: LayerInfo) -> list[str]:
        """Why a new layer changed: its labelled packages (pinned name-version-release)
        that OLD did not have, e.g. `app-1.1-1 (was app-1.0-1)`."""
        if self.status(la) != "new":
            return []
        before = {p for o in self.old.layers for p in o.packages}
        by_name = {unpin(p): p for p in before}
        return [f"{p} (was {by_name[unpin(p)]})" if unpin(p) in by_name else p
                for p in la.packages if p not in before]

    def file_changes(self, la: LayerInfo) -> list[str]:
        """Why a new volatile layer changed: the paths whose content differs from OLD's
        volatile layer (both re-chunked by layerkit); the rpm database is named as such."""
        if self.status(la) != "new":
            return []
        if la.kind is LayerKind.RPMDB:
            return ["the rpm database (every package change rewrites it)"]
        if la.kind is not LayerKind.VOLATILE or la.files is None:
            return []
        before = dict(next((o.files for o in self.old.layers if o.files is not None), ()))
        now = dict(la.files)
        return sorted(p for p in set(before) | set(now) if before.get(p) != now.get(p))

    def to_json(self) -> dict:
        size = self.new_size or 1
        new_layers = [{"index": i, "digest": la.digest, "size": la.size,
                       "status": self.status(la), "kind": la.kind.value,
                       "recipes": list(la.recipes), "packages": list(la.packages),
                       "changed_packages": self.package_changes(la),
                       "changed_files": self.file_changes(la)[:100]}
                      for i, la in enumerate(self.new.layers)]
        keep = {la.digest for la in self.new.layers}
        removed = [{"digest": la.digest, "size": la.size, "status": "removed",
                    "recipes": list(la.recipes)} for la in self.old.layers
                   if la.digest not in keep]
        return {"schema": SCHEMA_VERSION,
                "old": {"ref": self.old.ref, "digest": self.old.digest,
                        "layers": len(self.old.layers), "size": self.old.size},
                "new": {"ref": self.new.ref, "digest": self.new.digest,
                        "layers": len(self.new.layers), "size": self.new.size},
                "download_bytes": self.download, "removed_bytes": self.removed,
                "reused_bytes": self.new_size - self.download,
                "reuse_ratio": round((self.new_size - self.download) / size, 6),
                "download_ratio": round(self.download / size, 6),
                "predicted_bytes_per_update": self.new.predicted,
                "layers": new_layers, "removed_layers": removed}


def diff(old_ref: str, new_ref: str, tls_verify: bool = True, plat: str | None = None) -> Diff:
    return Diff(read_image(old_ref, tls_verify, plat), read_image(new_ref, tls_verify, plat))
