"""`layerkit history`: the upgrade cost along a repository's tags, and layer churn."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..tools import skopeo
from ..tools.skopeo import normalize
from .diff import Diff, ImageInfo, read_image

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Release:
    tags: tuple[str, ...]  # tags sharing one digest
    image: ImageInfo
    created: str


def releases(repo: str, tls_verify: bool = True, last: int | None = None) -> list[Release]:
    """Distinct images of `repo`, oldest first (by the config's creation time)."""
    base = normalize(repo)
    tags = skopeo.list_tags(repo, tls_verify)

    def load(tag: str) -> tuple[str, ImageInfo, str]:
        info = read_image(f"{base}:{tag}", tls_verify)
        return tag, info, info.created

    with ThreadPoolExecutor(max_workers=8) as pool:
        loaded = list(pool.map(load, tags))
    by_digest: dict[str, list] = {}
    for tag, info, created in loaded:
        by_digest.setdefault(info.digest, [[], info, created])[0].append(tag)
    out = [Release(tuple(sorted(t, key=_natural)), info, created)
           for t, info, created in by_digest.values()]
    # Reproducible builds share a creation time (the commit's), so tags break ties:
    # versioned tags sort by their embedded time; an image is as new as its newest tag.
    out.sort(key=lambda r: (r.created, max(_natural(t) for t in r.tags)))
    return out[-last:] if last else out


def _natural(tag: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", tag))


def churn(rels: list[Release]) -> list[dict]:
    """How often each layer of the newest image changed along the history: a layer position
    counts as changed when its digest differs from the previous release's at that position."""
    counts: Counter[int] = Counter()
    for old, new in zip(rels, rels[1:], strict=False):
        old_digests = [la.digest for la in old.image.layers]
        for i, la in enumerate(new.image.layers):
            if i >= len(old_digests) or old_digests[i] != la.digest:
                counts[i] += 1
    newest = rels[-1].image.layers if rels else ()
    return [{"index": i, "recipes": list(la.recipes), "size": la.size,
             "changes": counts[i]} for i, la in enumerate(newest)]


def to_json(repo: str, rels: list[Release], matrix_from: int = 5) -> dict:
    steps = [{"from": a.tags[0], "to": b.tags[0],
              "download_bytes": Diff(a.image, b.image).download}
             for a, b in zip(rels, rels[1:], strict=False)]
    newest = rels[-1] if rels else None
    matrix = [{"from": r.tags[0], "to": newest.tags[0],
               "download_bytes": Diff(r.image, newest.image).download}
              for r in rels[-matrix_from - 1:-1]] if newest else []
    return {"schema": SCHEMA_VERSION, "repository": repo,
            "releases": [{"tags": list(r.tags), "digest": r.image.digest, "created": r.created,
                          "size": r.image.size, "layers": len(r.image.layers)} for r in rels],
            "steps": steps, "to_newest": matrix, "churn": churn(rels)}


def step_layers(rels: list[Release]) -> list[list[dict]]:
    """Per step, the layers a client downloads (each digest once): size, recipes, kind —
    what the report stacks its bars by."""
    out = []
    for a, b in zip(rels, rels[1:], strict=False):
        have, seen, layers = {la.digest for la in a.image.layers}, set(), []
        for la in b.image.layers:
            if la.digest not in have and la.digest not in seen:
                layers.append({"size": la.size, "recipes": list(la.recipes),
                               "packages": list(la.packages), "kind": la.kind.value})
            seen.add(la.digest)
        out.append(layers)
    return out
