"""Typed readers for the OCI documents layerkit reads (manifests, indexes, configs): wrong
types, bad digests or missing fields are one-line errors, never a KeyError later."""

from __future__ import annotations

import json
import re

from ..errors import LayerkitError
from .layout import DIGEST

INDEX_TYPES = ("application/vnd.oci.image.index.v1+json",
               "application/vnd.docker.distribution.manifest.list.v2+json")
PLATFORM = re.compile(r"[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?")
MAX_LAYERS = 10_000


def parse(raw: bytes | str, where: str) -> dict:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as e:
        raise LayerkitError(f"{where}: not JSON ({str(e)[:100]})") from None
    if not isinstance(data, dict):
        raise LayerkitError(f"{where}: expected a JSON object")
    return data


def is_index(doc: dict) -> bool:
    return doc.get("mediaType") in INDEX_TYPES or "manifests" in doc


def index_entries(doc: dict, where: str) -> list[tuple[str, str, str]]:
    """(digest, os, architecture) of every entry of an index."""
    entries = doc.get("manifests")
    if not isinstance(entries, list):
        raise LayerkitError(f"{where}: manifests: expected a list")
    out = []
    for i, m in enumerate(entries):
        p = m.get("platform") if isinstance(m, dict) else None
        p = p if isinstance(p, dict) else {}
        out.append((_digest(m, f"{where}: manifests[{i + 1}]"), str(p.get("os", "")),
                    str(p.get("architecture", ""))))
    return out


def manifest_layers(doc: dict, where: str) -> list[tuple[str, int, dict[str, str]]]:
    """(digest, size, annotations) of an image manifest's layers."""
    layers = doc.get("layers")
    if not isinstance(layers, list) or len(layers) > MAX_LAYERS:
        raise LayerkitError(f"{where}: not an image manifest (no layer list)")
    out = []
    for i, la in enumerate(layers):
        at = f"{where}: layers[{i + 1}]"
        digest = _digest(la, at)
        size = la.get("size", 0)
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise LayerkitError(f"{at}.size: expected a byte count")
        notes = la.get("annotations") or {}
        if not isinstance(notes, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                  for k, v in notes.items()):
            raise LayerkitError(f"{at}.annotations: expected strings")
        out.append((digest, size, notes))
    return out


def config_digest(doc: dict, where: str) -> str:
    return _digest(doc.get("config"), f"{where}: config")


def config_labels(doc: dict, where: str) -> dict[str, str]:
    cfg = doc.get("config") or {}
    labels = cfg.get("Labels") if isinstance(cfg, dict) else None
    labels = labels or {}
    if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                               for k, v in labels.items()):
        raise LayerkitError(f"{where}: config.Labels: expected strings")
    return labels


def platform(value: str) -> tuple[str, str]:
    if not PLATFORM.fullmatch(value):
        raise LayerkitError(f"--platform: {value!r} is not os/architecture (linux/amd64)")
    os_, arch = value.split("/", 1)
    return os_, arch.split("/")[0]


def _digest(desc: object, where: str) -> str:
    digest = desc.get("digest") if isinstance(desc, dict) else None
    if not isinstance(digest, str) or not DIGEST.fullmatch(digest):
        raise LayerkitError(f"{where}.digest: not a sha256 digest")
    return digest
