"""Catalog history from a registry: each release's package versions, the change set of
every step between consecutive releases, and observed rates
(docs/catalog.md#from-the-registrys-history).

A release's versions come, per package, from the first of: layerkit's plan label (each
layer's pinned `name-version-release`), re-chunkers' layer annotations
(`ostree.components`, `org.chunkah.component`: names only, so a package counts as
changed when the layer holding it did), or, for an image that has neither, `rpm -qa` of
the image itself (pulled and mounted: slow, but complete).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ..config.catalog import ChangeSet, Evidence
from ..config.patterns import unpin
from ..errors import LayerkitError
from ..oci.history import Release, releases
from ..tools.buildah import Mounted
from ..tools.skopeo import normalize, split_ref
from .changelog import merge_by_name
from .found import Facts, Found, Kind, Observation
from .rpmdb import read_root

TAG_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})T\d{4}")


def from_history(repo: str, tls_verify: bool = True) -> Found:
    """The releases of `repo` (host/path, no tag) as change sets and observed rates."""
    rels = releases(repo, tls_verify)
    if not rels:
        raise LayerkitError(f"{repo}: no tags: no releases to read a history from")
    notes: list[str] = []
    versions = [_versions(repo, r, tls_verify, notes) for r in rels]
    days = [release_day(r) for r in rels]
    if days != sorted(days):
        notes.append(f"{repo}: release dates do not follow the releases' order; change sets "
                     "keep each release's own date")
    history = []
    for i in range(1, len(rels)):
        old, new = versions[i - 1], versions[i]
        changed = tuple(sorted(n for n, v in new.items() if old.get(n) != v))
        history.append(ChangeSet(days[i].isoformat(), changed))
    start, end = min(days), max(days) + timedelta(days=1)  # the last release's day inside
    if len(rels) < 2 or start + timedelta(days=1) == end:
        notes.append(f"{repo}: {len(rels)} release(s) on one day: no rate can be observed")
    first_seen: dict[str, date] = {}
    for day, v in zip(days, versions, strict=True):
        for name in v:
            first_seen.setdefault(name, day)
    counts = {n: 0 for n in first_seen}
    for i, change in enumerate(history, start=1):
        for name in change.changed:
            if name in versions[i - 1]:  # an appearance is downloaded, but is no update
                counts[name] += 1
    facts = {}
    for name, seen in first_seen.items():
        version = versions[-1].get(name)
        facts[name] = Facts(name, version=_version(name, version),
                            observed=Observation(Evidence.HISTORY, counts[name], seen, end))
    return Found(Kind.HISTORY, repo, end, facts, tuple(history), (start, end), tuple(notes))


def release_day(r: Release) -> date:
    """A release's day: the oldest time embedded in its tags (`<stream>-<YYYY-MM-DDTHHMM>-
    <sha>`; a rebuild that changed nothing tags the same image again later), else its
    creation (reproducible builds share the commit's creation time, so tags come first)."""
    stamps = [m.group(1) for t in r.tags if (m := TAG_TIME.search(t))]
    for text in sorted(stamps) + [r.created[:10]]:
        try:
            return date.fromisoformat(text)
        except ValueError:
            continue
    raise LayerkitError(f"{r.image.ref}: neither a dated tag nor a creation date")


def _versions(repo: str, r: Release, tls_verify: bool, notes: list[str]) -> dict[str, str]:
    """name -> what identifies its build in this release (a pinned version, else the
    digest of the layer holding it)."""
    out: dict[str, str] = {}
    for layer in r.image.layers:
        for p in layer.packages:
            name = unpin(p)
            out[name] = p if name != p else f"layer {layer.digest}"
    if out:
        return out
    ref = f"{normalize(split_ref(repo)[0])}@{r.image.digest}"
    with Mounted(ref, tls_verify) as root:
        installed = merge_by_name(read_root(root, ref))
    return {name: f"{name}-{p.evr}" for name, p in installed.items()}


def _version(name: str, token: str | None) -> str | None:
    if token is None or not token.startswith(name + "-"):
        return None
    return token[len(name) + 1:]
