"""Re-chunking's grouping: every path the custom layers leave goes to an owner (its RPM
package, the recipe whose config layer placed it, or volatile content), owners go to
layers by the plan, and each layer is written as a reproducible tar."""

from __future__ import annotations

import hashlib
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..config.patterns import unpin
from ..render.label import LabelLayer, LayerKind
from .replay import OPAQUE, State, clean, whiteout
from .tars import LayerWriter, normalized

# where rpm databases live besides the image's own %_dbpath (a link to it, or an older
# distribution's place): all of it is the rpmdb
RPMDB_PLACES = ("usr/lib/sysimage/rpm", "var/lib/rpm", "usr/share/rpm")
STATE, RPMDB, UNOWNED = "volatile:state", "volatile:rpmdb", "volatile:unowned"


@dataclass(frozen=True)
class Chunk:
    """One layer of the re-chunked image."""

    kind: LayerKind  # volatile | rpmdb | packages | config
    owners: tuple[str, ...]  # pkg:NAME, files:RECIPE, volatile:state, volatile:rpmdb
    recipes: tuple[str, ...] = ()
    plan_index: int | None = None
    components: tuple[str, ...] = ()  # the planner's component ids, for --previous


def owner(path: str, owners: Mapping[str, str], files_layers: Mapping[int, str],
          source: int, rpmdb: Sequence[str] = RPMDB_PLACES, unowned: str = STATE) -> str:
    """The owner of a path left by custom layer `source`. unowned: the owner of a path
    outside /etc and /var that no package owns (a whole image's: UNOWNED)."""
    if any(path == d or path.startswith(d + "/") for d in rpmdb):
        return RPMDB
    if source in files_layers:
        return f"files:{files_layers[source]}"
    if path.startswith(("etc/", "var/")) or path in ("etc", "var"):
        return STATE
    return f"pkg:{owners[path]}" if path in owners else unowned


def group(owner_of: Mapping[str, str], state: State, built: Sequence[LabelLayer],
          plan_layers: Sequence[LabelLayer] | None) -> tuple[list[Chunk], dict[str, int]]:
    """Chunks: volatile state (with the whiteouts) first, the rpmdb, unowned files (a
    whole image's only), then the plan's package layers, then recipe config; and path ->
    chunk index. A package the plan does
    not name (a dependency dnf pulled in) joins the plan layer of the recipes whose RUN
    layer installed it. Without a plan, the image's own package layers are kept."""
    if plan_layers is None:
        plan_layers = [LabelLayer(i, LayerKind.PACKAGES, la.recipes, la.packages, ())
                       for i, la in enumerate(built) if la.kind is LayerKind.PACKAGES]
    # plain names first; name-version-release (a label's pinned form) only where no
    # plain name claims it ("golang-1.19-go" must not become "golang")
    pkg_layer = {p: la.index for la in plan_layers for p in la.packages}
    for la in plan_layers:
        for p in la.packages:
            pkg_layer.setdefault(unpin(p), la.index)
    recipe_layer = {r: la.index for la in plan_layers for r in la.recipes}
    by_plan: dict[int, set[str]] = {}
    config: set[str] = set()
    for path, who in owner_of.items():
        if who.startswith("pkg:"):
            layer = pkg_layer.get(who[4:])
            if layer is None:
                recipes = built[state.entries[path].source].recipes
                layer = next((recipe_layer[r] for r in recipes if r in recipe_layer), -1)
            by_plan.setdefault(layer, set()).add(who)
        elif who.startswith("files:"):
            config.add(who)
    chunks = [Chunk(LayerKind.VOLATILE, (STATE,)), Chunk(LayerKind.RPMDB, (RPMDB,))]
    index_of: dict[str, int] = {STATE: 0, RPMDB: 1}
    if UNOWNED in owner_of.values():
        index_of[UNOWNED] = len(chunks)
        chunks.append(Chunk(LayerKind.UNOWNED, (UNOWNED,)))
    meta = {la.index: la for la in plan_layers}
    for plan_index in sorted(by_plan):
        la = meta.get(plan_index)
        index_of.update({o: len(chunks) for o in by_plan[plan_index]})
        chunks.append(Chunk(LayerKind.PACKAGES, tuple(sorted(by_plan[plan_index])),
                            la.recipes if la else (),
                            plan_index if plan_index >= 0 else None,
                            la.components or () if la else ()))
    if config:
        index_of.update({o: len(chunks) for o in config})
        chunks.append(Chunk(LayerKind.CONFIG, tuple(sorted(config)),
                            tuple(sorted(o[6:] for o in config))))
    return chunks, {p: index_of[o] for p, o in owner_of.items()}


def file_map(paths: list[str], state: State, tars: list[tarfile.TarFile],
             limit: int) -> tuple[tuple[str, str], ...]:
    """path -> a short hash of what it holds ("-" for a deletion), for `diff` to name what
    changed in a volatile layer. Past `limit` paths, their directories stand in."""
    out: dict[str, str] = {p: "-" for p in state.deleted}
    for p in paths:
        e = state.entries[p]
        if e.info.isreg() or e.info.islnk():
            f = tars[e.source].extractfile(e.info.linkname if e.info.islnk() else e.info)
            digest = hashlib.sha256(f.read() if f else b"").hexdigest()[:16]
            out[p] = f"{e.info.mode & 0o7777:o}:{digest}"
        elif e.info.issym():
            out[p] = "->" + e.info.linkname
    if len(out) > limit:
        dirs: dict[str, hashlib._Hash] = {}
        for p in sorted(out):
            top = "/".join(p.split("/")[:2])
            dirs.setdefault(top, hashlib.sha256()).update(f"{p}={out[p]}\n".encode())
        out = {f"{d}/…": h.hexdigest()[:16] for d, h in dirs.items()}
    return tuple(sorted(out.items()))


def write_chunk(writer: LayerWriter, paths: list[str], state: State,
                tars: list[tarfile.TarFile], bottom: bool, mtime_max: int) -> None:
    """Sorted entries with their parent directories; whiteouts go in the bottom layer."""
    wanted = set(paths)
    for p in paths:
        parent = PurePosixPath(p).parent
        while str(parent) != ".":
            if str(parent) in state.entries:
                wanted.add(str(parent))
            parent = parent.parent
    names = sorted(wanted)
    if bottom:
        names = sorted(set(names) | {whiteout(p) for p in state.deleted} |
                       {f"{d}/{OPAQUE}".lstrip("/") for d in state.opaque})
    written: dict[str, str] = {}  # source "tar:name" of a regular file -> its path here
    for name in names:
        if name not in state.entries:
            marker = tarfile.TarInfo(name)
            marker.mode, marker.mtime = 0o644, 0
            writer.add(marker)
            continue
        e = state.entries[name]
        info = normalized(e.info, mtime_max)
        info.name = name
        tar = tars[e.source]
        if e.info.islnk():
            key = f"{e.source}:{clean(e.info.linkname)}"
            if key in written:
                info.linkname = written[key]
                writer.add(info)
                continue
            target = tar.getmember(e.info.linkname)  # not here yet: store the content
            info.type, info.size, info.linkname = tarfile.REGTYPE, target.size, ""
            writer.add(info, tar.extractfile(target))
            written[key] = name
        elif e.info.isreg():
            writer.add(info, tar.extractfile(e.info))
            written[f"{e.source}:{clean(e.info.name)}"] = name
        else:
            writer.add(info)
