"""Re-chunk a built image: the base's layers byte for byte, then what the custom layers
add, change or delete, regrouped into content-addressed layers by the independent plan.

Every path the custom layers leave behind is assigned to a unit: the RPM package that owns
it (the image's rpm database), the recipe whose config layer placed it, or volatile
content (the rpmdb; /etc, caches and anything unclaimed) that sits in small layers of its
own. Unchanged content gives byte-identical layers, so clients download only the layers
whose packages changed, plus the volatile ones.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tarfile
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import registry
from .buildah import Isolation, Mounted
from .errors import ExitCode, LayerkitError
from .ocitar import LAYER_GZIP, Blob, LayerWriter, Layout, gzip_file, normalized
from .patterns import unpin

WHITEOUT, OPAQUE = ".wh.", ".wh..wh..opq"
EXTRA_LAYERS = 3  # volatile state, rpmdb, recipe config: besides the plan's layers
RPMDB = ("usr/lib/sysimage/rpm/", "var/lib/rpm/", "usr/share/rpm/")


@dataclass
class Entry:
    source: int  # index of the custom layer it came from
    info: tarfile.TarInfo


@dataclass
class State:
    """What the custom layers leave on top of the base, path by path."""

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


def classify(path: str, owners: Mapping[str, str], files_layers: Mapping[int, str],
             source: int) -> str:
    """The unit a path belongs to."""
    if path.startswith(RPMDB) or path + "/" in RPMDB:
        return "volatile:rpmdb"
    if source in files_layers:
        return f"files:{files_layers[source]}"
    if path in owners and not path.startswith(("etc/", "var/")):
        return f"pkg:{owners[path]}"
    return "volatile:state"


@dataclass(frozen=True)
class Group:
    kind: str  # volatile | rpmdb | packages | config
    units: tuple[str, ...]
    recipes: tuple[str, ...] = ()
    plan_index: int | None = None
    plan_units: tuple[str, ...] = ()  # the planner's unit ids, for --previous


def owners_in(ref: str, isolation: Isolation) -> dict[str, str]:
    """path -> package, from the image's own rpm database."""
    mounted = Mounted(ref)
    with mounted:
        proc = mounted.run(["rpm", "-qa", "--qf", "[%{NAME}\t%{FILENAMES}\n]"], isolation)
    if proc.returncode != 0:
        return {}
    out = {}
    for line in proc.stdout.decode(errors="replace").splitlines():
        name, _, path = line.partition("\t")
        if path.startswith("/"):
            out[path.lstrip("/")] = name
    return out


def rechunk(src_ref: str, dest_ref: str, work: Path, plan_layers: list[dict] | None,
            isolation: Isolation = Isolation.CHROOT, tls_verify: bool = True,
            mtime_max: int = 0, base_ref: str | None = None) -> dict:
    """Write the re-chunked image to dest_ref; return its layer summary (label data).

    Base layers are taken byte for byte from base_ref's registry when it is given and
    matches; otherwise (a base only in local storage, which hands layers out
    uncompressed) they are gzipped reproducibly, so they too keep their digests."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    src = Layout(work / "src")
    clock = [time.monotonic()]
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        now = time.monotonic()
        timings[name] = round(now - clock[0], 3)
        clock[0] = now

    registry.copy(_transport(src_ref), f"oci:{src.root}:src", tls_verify)
    lap("export")
    manifest, config = src.manifest()
    labels = (config.get("config") or {}).get("Labels") or {}
    built = json.loads(labels.get("io.layerkit.plan", "{}")).get("layers", [])
    if not built:
        raise LayerkitError(f"{src_ref}: no io.layerkit.plan label: only images built by "
                            "layerkit can be re-chunked", ExitCode.BAD_INPUT)
    n_base = len(manifest["layers"]) - len(built)
    custom = manifest["layers"][n_base:]
    tars, state = [], State()
    for i, desc in enumerate(custom):
        blob = src.path(desc["digest"])
        if desc["mediaType"].endswith("+gzip") or desc["mediaType"].endswith("+zstd"):
            blob = work / f"custom-{i}.tar"  # random access needs the plain tar
            _unpack_blob(src.path(desc["digest"]), desc["mediaType"], blob)
        tars.append(tarfile.open(blob))
        apply_layer(state, i, tars[i])
    owners = owners_in(src_ref, isolation)
    files_layers = {i: la["recipes"][0] for i, la in enumerate(built)
                    if la.get("kind") == "files" and la.get("recipes")}
    units = {p: classify(p, owners, files_layers, e.source) for p, e in state.entries.items()}
    groups, where = group_units(units, state, built, plan_layers)
    out = Layout(work / "out")
    out.init()
    blobs, diff_ids = [], []
    tar_paths = [t.name for t in tars]

    def write(g: int) -> tuple[Blob, str]:
        # each thread reads the sources through its own file handles
        mine = [tarfile.open(p) for p in tar_paths]
        try:
            writer = LayerWriter(work / f"layer-{g}.tar")
            paths = sorted(p for p, k in where.items() if k == g)
            _write_group(writer, paths, state, mine, g == 0, mtime_max)
            return writer.finish(out)
        finally:
            for t in mine:
                t.close()

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for blob, diff_id in pool.map(write, range(len(groups))):
            blobs.append(blob)
            diff_ids.append(diff_id)
    base_blobs = _base_blobs(src, out, manifest, config, n_base, base_ref, tls_verify, work)
    summary = [{"index": i, "kind": g.kind, "recipes": list(g.recipes),
                "packages": sorted(u[4:] for u in g.units if u.startswith("pkg:")),
                "units": list(g.units), "plan_index": g.plan_index,
                "plan_units": list(g.plan_units)}
               for i, g in enumerate(groups)]
    new_config = _config(config, n_base, diff_ids, summary)
    out.write_image(new_config, base_blobs + blobs, "rechunked")
    lap("regroup")
    verify(state, tars, [out.path(b.digest) for b in blobs])
    lap("verify")
    for t in tars:
        t.close()
    dest = _transport(dest_ref, push=True)
    registry.copy(f"oci:{out.root}:rechunked", dest, tls_verify,
                  preserve=not dest.startswith("containers-storage:"))
    lap("write")
    custom_bytes = sum(e.info.size for e in state.entries.values() if e.info.isreg())
    return {"layers": summary, "base_layers": n_base, "seconds": timings,
            "custom_bytes": custom_bytes}


def _unpack_blob(blob: Path, media_type: str, dest: Path) -> None:
    """A layer blob as a plain tar file (containers-storage hands them out uncompressed)."""
    if media_type.endswith("+zstd"):
        raise LayerkitError(f"{media_type}: zstd layers are not supported yet", ExitCode.FAILED)
    opener = gzip.open if media_type.endswith("+gzip") else open
    with opener(blob, "rb") as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)


def _transport(ref: str, push: bool = False) -> str:
    """Bare references: pushed to a registry, read from local storage."""
    return registry.normalize(ref, "docker://" if push else "containers-storage:")


def _base_blobs(src: Layout, out: Layout, manifest: dict, config: dict, n_base: int,
                base_ref: str | None, tls_verify: bool, work: Path) -> list[Blob]:
    """The base's layer blobs, byte for byte as a registry push of the base gives them.

    From the base's registry when it has one; for a base only in local storage, compressed
    once per machine by skopeo (containers/image, as buildah push does), so plain and
    re-chunked pushes share one base blob; else gzipped here, reproducibly."""
    want = config["rootfs"]["diff_ids"][:n_base]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "layerkit"
    cache.mkdir(parents=True, exist_ok=True)
    if base_ref:
        local = base_ref.startswith("localhost/")
        key = hashlib.sha256("".join(want).encode()).hexdigest()[:16]
        where = cache / f"base-{key}" if local else work / "base"
        try:
            if not (where / "manifest.json").exists():
                shutil.rmtree(where, ignore_errors=True)
                source = f"containers-storage:{base_ref}" if local else f"docker://{base_ref}"
                registry.skopeo(["copy", "--dest-compress", source, f"dir:{where}"], base_ref,
                                tls_verify)
            bm = json.loads((where / "manifest.json").read_text())
            bc = json.loads((where / bm["config"]["digest"].removeprefix("sha256:"))
                            .read_bytes())
            if bc["rootfs"]["diff_ids"] == want:
                blobs = []
                for d in bm["layers"]:
                    shutil.copyfile(where / d["digest"].removeprefix("sha256:"),
                                    out.path(d["digest"]))
                    media = d["mediaType"].replace("vnd.docker.image.rootfs.diff.tar.gzip",
                                                   "vnd.oci.image.layer.v1.tar+gzip")
                    blobs.append(Blob(d["digest"], d["size"], media))
                return blobs
        except LayerkitError:
            pass  # unreachable or not that base: compress the layers here
    blobs = []
    for desc, diff_id in zip(manifest["layers"][:n_base], want, strict=True):
        if desc["mediaType"].endswith("+gzip"):
            shutil.copyfile(src.path(desc["digest"]), out.path(desc["digest"]))
            blobs.append(Blob(desc["digest"], desc["size"], desc["mediaType"]))
            continue
        cached = cache / f"layer-{diff_id.removeprefix('sha256:')}.gz"
        if not cached.exists():
            gzip_file(src.path(desc["digest"]), cached)
        blobs.append(out.put_file(cached, LAYER_GZIP))
    return blobs


def group_units(units: Mapping[str, str], state: State, built: list[dict],
                plan_layers: list[dict] | None) -> tuple[list[Group], dict[str, int]]:
    """Layers: volatile state (with the whiteouts) first, the rpmdb, then the plan's
    package layers, then recipe config. A package the plan does not name (a dependency
    dnf pulled in) joins the plan layer of the recipes whose RUN layer installed it."""
    plan_layers = plan_layers if plan_layers is not None else [
        {"index": i, "packages": la.get("packages", []), "recipes": la.get("recipes", []),
         "units": []} for i, la in enumerate(built) if la.get("kind", "packages") == "packages"]
    # plain names first; name-version-release (a label's pinned form) only where no
    # plain name claims it ("golang-1.19-go" must not become "golang")
    pkg_layer = {p: la["index"] for la in plan_layers for p in la.get("packages", [])}
    for la in plan_layers:
        for p in la.get("packages", []):
            pkg_layer.setdefault(unpin(p), la["index"])
    recipe_layer = {r: la["index"] for la in plan_layers for r in la.get("recipes", [])}
    by_plan: dict[int, set[str]] = {}
    config_units: set[str] = set()
    for path, unit in units.items():
        if unit.startswith("pkg:"):
            name = unit[4:]
            layer = pkg_layer.get(name)
            if layer is None:
                recipes = built[state.entries[path].source].get("recipes", [])
                layer = next((recipe_layer[r] for r in recipes if r in recipe_layer), -1)
            by_plan.setdefault(layer, set()).add(unit)
        elif unit.startswith("files:"):
            config_units.add(unit)
    groups = [Group("volatile", ("volatile:state",)), Group("rpmdb", ("volatile:rpmdb",))]
    index_of: dict[str, int] = {"volatile:state": 0, "volatile:rpmdb": 1}
    for plan_index in sorted(by_plan):
        meta = next((la for la in plan_layers if la["index"] == plan_index), {})
        index_of.update({u: len(groups) for u in by_plan[plan_index]})
        groups.append(Group("packages", tuple(sorted(by_plan[plan_index])),
                            tuple(meta.get("recipes", [])),
                            plan_index if plan_index >= 0 else None,
                            tuple(meta.get("units", []))))
    if config_units:
        index_of.update({u: len(groups) for u in config_units})
        groups.append(Group("config", tuple(sorted(config_units)),
                            tuple(sorted(u[6:] for u in config_units))))
    return groups, {p: index_of[u] for p, u in units.items()}


def _write_group(writer: LayerWriter, paths: list[str], state: State,
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
        names = sorted(set(names) | {_wh(p) for p in state.deleted} |
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


def _wh(path: str) -> str:
    p = PurePosixPath(path)
    return str(p.parent / f"{WHITEOUT}{p.name}").lstrip("./") if str(p.parent) != "." \
        else f"{WHITEOUT}{p.name}"


def _config(config: dict, n_base: int, diff_ids: list[str], summary: list[dict]) -> dict:
    cfg = json.loads(json.dumps(config))
    cfg["rootfs"]["diff_ids"] = cfg["rootfs"]["diff_ids"][:n_base] + diff_ids
    history, kept, seen = cfg.get("history", []), [], 0
    for h in history:
        if seen >= n_base and not h.get("empty_layer"):
            continue  # the custom layers' entries, replaced below
        kept.append(h)
        seen += 0 if h.get("empty_layer") else 1
    created = cfg.get("created", "1970-01-01T00:00:00Z")
    base_part = kept[: _base_len(kept, n_base)]
    tail = kept[len(base_part):]
    new = [{"created": created, "created_by": f"layerkit rechunk: {la['kind']} "
            + ", ".join(la["recipes"] or la["packages"][:3]), "comment": "layerkit"}
           for la in summary]
    cfg["history"] = base_part + new + tail
    labels = cfg.setdefault("config", {}).setdefault("Labels", {}) or {}
    plan = json.loads(labels.get("io.layerkit.plan", "{}"))
    plan["model"] = "independent"
    plan["layers"] = [{"index": la["index"], "kind": la["kind"], "recipes": la["recipes"],
                       "packages": la["packages"], "units": la["plan_units"],
                       "plan_index": la["plan_index"]} for la in summary]
    labels["io.layerkit.plan"] = json.dumps(plan, separators=(",", ":"), sort_keys=True)
    cfg["config"]["Labels"] = labels
    return cfg


def _base_len(history: list[dict], n_base: int) -> int:
    seen = 0
    for i, h in enumerate(history):
        if seen == n_base:
            return i
        seen += 0 if h.get("empty_layer") else 1
    return len(history)


def fingerprint(info: tarfile.TarInfo, data: bytes | None) -> tuple:
    xattrs = tuple(sorted((k, v) for k, v in info.pax_headers.items()
                          if k.startswith("SCHILY.xattr.")))
    kind = "file" if info.isreg() or info.islnk() else info.type
    return (kind, info.mode & 0o7777, info.uid, info.gid,
            hashlib.sha256(data).hexdigest() if data is not None else None,
            info.linkname if info.issym() else "", xattrs)


def snapshot(state: State, tars: list[tarfile.TarFile]) -> dict[str, tuple]:
    out = {}
    for name, e in state.entries.items():
        tar = tars[e.source]
        data = None
        if e.info.isreg() or e.info.islnk():
            f = tar.extractfile(e.info)
            data = f.read() if f else b""
        out[name] = fingerprint(e.info, data)
    return out


def verify(original: State, original_tars: list[tarfile.TarFile],
           layer_tars: list[Path]) -> None:
    """The re-chunked layers must leave exactly what the original custom layers left:
    every path, type, mode, owner, content hash, link target and xattr (mtimes are
    normalised, as ostree does), and the same deletions."""
    state, opened = State(), []
    try:
        for i, path in enumerate(layer_tars):
            opened.append(tarfile.open(path, "r:gz"))
            apply_layer(state, i, opened[i])
        if state.deleted != original.deleted or state.opaque != original.opaque:
            raise LayerkitError("re-chunk check failed: deletions differ", ExitCode.FAILED)
        with ThreadPoolExecutor(max_workers=2) as pool:  # hashing releases the GIL
            new = pool.submit(snapshot, state, opened)
            theirs = snapshot(original, original_tars)
            mine = new.result()
        if mine != theirs:
            bad = sorted(p for p in set(mine) | set(theirs) if mine.get(p) != theirs.get(p))
            first = bad[0]
            raise LayerkitError(f"re-chunk check failed: {len(bad)} paths differ, e.g. "
                                f"{first}: {theirs.get(first)} became {mine.get(first)}",
                                ExitCode.FAILED)
    finally:
        for t in opened:
            t.close()


def previous_plan(labels: Mapping[str, str]) -> tuple[dict[str, int], list[dict]]:
    """From a re-chunked image's label: planner unit -> plan layer, and its plan layers."""
    layers = json.loads(labels.get("io.layerkit.plan", "{}")).get("layers", [])
    mapping = {u: la["plan_index"] for la in layers if la.get("plan_index") is not None
               for u in la.get("units", [])}
    plan_layers = [{"index": la["plan_index"], "packages": la.get("packages", []),
                    "recipes": la.get("recipes", []), "units": la.get("units", [])}
                   for la in layers if la.get("plan_index") is not None]
    return mapping, plan_layers
